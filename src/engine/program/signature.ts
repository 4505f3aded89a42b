import {
  type FieldSpec,
  type FieldType,
  type FieldTypeInput,
  formatFieldType,
  isIdentifier,
  normalizeFieldType,
  RESERVED_FIELD_NAMES,
} from './fieldTypes';
import { SignatureError } from './signatureError';
import { parseSignatureString } from './signatureParser';

export { SignatureError } from './signatureError';

/** One field of the object form: a bare type name, or a type with a description. */
export type FieldObjectSpec = FieldTypeInput | { type?: FieldTypeInput; desc?: string; description?: string };

/** Object form of a signature, for fields that need types or descriptions. */
export interface SignatureObject {
  inputs: Record<string, FieldObjectSpec>;
  outputs: Record<string, FieldObjectSpec>;
  instructions?: string;
}

export type SignatureLike = string | SignatureObject | Signature;

/**
 * Named, typed input fields -> named, typed output fields. Immutable: derived
 * signatures (e.g. with a reasoning field) are new objects, so sharing one
 * between predictors and clones is safe.
 */
export class Signature {
  readonly inputFields: FieldSpec[];
  readonly outputFields: FieldSpec[];
  readonly instructions?: string;

  constructor(inputs: FieldSpec[], outputs: FieldSpec[], instructions?: string) {
    validateFields(inputs, outputs);
    this.inputFields = inputs.map(copyField);
    this.outputFields = outputs.map(copyField);
    if (instructions !== undefined) this.instructions = instructions;
    Object.freeze(this.inputFields);
    Object.freeze(this.outputFields);
    Object.freeze(this);
  }

  static parse(src: string): Signature {
    const { inputs, outputs } = parseSignatureString(src);
    return wrapPlain(() => new Signature(inputs, outputs), src);
  }

  static from(sig: SignatureLike): Signature {
    if (sig instanceof Signature) return sig;
    if (typeof sig === 'string') return Signature.parse(sig);
    return fromObject(sig);
  }

  get inputNames(): string[] {
    return this.inputFields.map((f) => f.name);
  }

  get outputNames(): string[] {
    return this.outputFields.map((f) => f.name);
  }

  /** Canonical string form; `Signature.parse(s.toString())` gives the same fields (without descriptions). */
  toString(): string {
    return `${this.inputFields.map(formatField).join(', ')} -> ${this.outputFields.map(formatField).join(', ')}`;
  }

  withPrependedOutput(field: FieldSpec): Signature {
    return new Signature(this.inputFields, [field, ...this.outputFields], this.instructions);
  }

  equals(other: Signature): boolean {
    return this.toString() === other.toString();
  }
}

function formatField(f: FieldSpec): string {
  return f.type.kind === 'string' ? f.name : `${f.name}: ${formatFieldType(f.type)}`;
}

function copyField(f: FieldSpec): FieldSpec {
  const out: FieldSpec = { name: f.name, type: f.type };
  if (f.description !== undefined) out.description = f.description;
  return Object.freeze(out);
}

function validateFields(inputs: FieldSpec[], outputs: FieldSpec[]): void {
  if (inputs.length === 0) throw new SignatureError('a signature needs at least one input field');
  if (outputs.length === 0) throw new SignatureError('a signature needs at least one output field');
  const seen = new Map<string, 'input' | 'output'>();
  for (const [side, list] of [['input', inputs], ['output', outputs]] as const) {
    for (const f of list) {
      if (!isIdentifier(f.name)) throw new SignatureError(`${side} field name "${f.name}" is not an identifier (letters, digits, _; not starting with a digit)`);
      if (RESERVED_FIELD_NAMES.has(f.name)) throw new SignatureError(`field name "${f.name}" is reserved; choose another name`);
      const prev = seen.get(f.name);
      if (prev === side) throw new SignatureError(`duplicate ${side} field name "${f.name}"`);
      if (prev) throw new SignatureError(`field "${f.name}" is both an input and an output; rename one of them`);
      seen.set(f.name, side);
    }
  }
}

/** Re-throws plain-field errors (e.g. name clash) from the string form with a column. */
function wrapPlain<T>(fn: () => T, src: string): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SignatureError)) throw e;
    const clash = /^field "(\w+)" is both/.exec(e.reason);
    const column = clash ? findOutputColumn(src, clash[1]) : undefined;
    throw new SignatureError(e.reason, src, column);
  }
}

function findOutputColumn(src: string, name: string): number | undefined {
  const arrow = src.indexOf('->');
  const re = new RegExp(`\\b${name}\\b`, 'g');
  re.lastIndex = arrow + 2;
  const m = re.exec(src);
  return m ? m.index : undefined;
}

function fromObject(obj: SignatureObject): Signature {
  if (typeof obj !== 'object' || obj === null || typeof obj.inputs !== 'object' || typeof obj.outputs !== 'object') {
    throw new SignatureError('the object form needs { inputs: { name: spec }, outputs: { name: spec } }');
  }
  const toFields = (rec: Record<string, FieldObjectSpec>, side: string): FieldSpec[] =>
    Object.entries(rec ?? {}).map(([name, spec]) => objectField(name, spec, side));
  const inputs = toFields(obj.inputs, 'input');
  const outputs = toFields(obj.outputs, 'output');
  if (obj.instructions !== undefined && typeof obj.instructions !== 'string') {
    throw new SignatureError('instructions must be a string');
  }
  return new Signature(inputs, outputs, obj.instructions);
}

function objectField(name: string, spec: FieldObjectSpec, side: string): FieldSpec {
  const where = `${side} field "${name}"`;
  const isWrapped = typeof spec === 'object' && spec !== null && !('kind' in spec);
  const typeInput: FieldType | string | undefined = isWrapped ? (spec as { type?: FieldTypeInput }).type : spec as FieldTypeInput;
  const field: FieldSpec = { name, type: normalizeFieldType(typeInput, where) };
  if (isWrapped) {
    const s = spec as { desc?: string; description?: string };
    const desc = s.desc ?? s.description;
    if (desc !== undefined) field.description = String(desc);
  }
  return field;
}
