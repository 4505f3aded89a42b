// Result types of the static detector. Plain JSON data (no ts.Node references)
// so results can be cached, compared, and posted to the extension host as-is.

/** 0-based, like VS Code's Position. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type PredictorKind = 'Predict' | 'ChainOfThought';

/** An import of a binding from another module, kept so a workspace-level pass can link it. */
export interface ImportRef {
  specifier: string;
  /** Exported name in the target module; 'default' for default imports. */
  importedName: string;
}

/**
 * How "Apply optimized instruction" can write new instructions into source:
 * replace the existing literal, add an `instructions` property to the options
 * object, or add an options argument after the signature.
 */
export type InstructionEditTarget =
  | { kind: 'replace'; range: Range; quote: "'" | '"' | '`' }
  | { kind: 'insertProperty'; position: Position }
  | { kind: 'insertArgument'; position: Position };

export interface PredictorDetection {
  /** Runtime name, as `Module.namedPredictors()` gives it: `a`, `hop.b`, `hops[1].c`, `cfg["odd key"]`. */
  name: string;
  kind: PredictorKind;
  /** The literal's value when `signatureStatic`, else the argument's source text. */
  signature: string;
  signatureStatic: boolean;
  /** Present only when the instructions are a string literal or no-substitution template. */
  instructions?: string;
  /** Range of that literal, quotes included. */
  instructionsRange?: Range;
  /** Source text of non-literal instructions (or of a non-literal options argument). */
  instructionsSource?: string;
  /** Undefined when instructions come from code the detector cannot rewrite safely. */
  instructionEdit?: InstructionEditTarget;
  /** The `new Predict(...)` expression. */
  range: Range;
  /** The field (or `this.x = ...` statement) that holds the predictor, in the class that declares it. */
  fieldRange: Range;
  /** Class whose field holds the predictor (differs from the program for inherited fields and sub-modules). */
  declaredIn: string;
  /** Set by WorkspaceIndex; the file the predictor's source lives in. */
  file?: string;
}

/** A field holding an instance of an imported class that may be a program (resolved by WorkspaceIndex). */
export interface SubModuleRef {
  /** Name prefix of the sub-module's predictors, e.g. `hop` or `hops[0]`. */
  name: string;
  className: string;
  import: ImportRef;
  /** How many of the program's `predictors` come before this sub-module's, to merge in runtime order. */
  predictorIndex: number;
  range: Range;
  fieldRange: Range;
}

/** Predictors whose names exist only at run time (built in loops, helpers, conditionals...). */
export interface DynamicPredictors {
  /** Name of the field when known, '' when the predictor is created outside any field. */
  name: string;
  reason: string;
  range: Range;
}

export type BaseRef =
  | { kind: 'module' }
  | { kind: 'local'; name: string }
  | { kind: 'import'; import: ImportRef };

export interface ProgramDetection {
  name: string;
  nameRange: Range;
  range: Range;
  /** Names other modules can import it by ('default' included); empty when not exported. */
  exportedAs: string[];
  base: BaseRef;
  /** Every predictor statically known in this file, inherited and sub-module ones included. */
  predictors: PredictorDetection[];
  subModuleRefs: SubModuleRef[];
  dynamic: DynamicPredictors[];
}

export interface ProgramLink {
  className: string;
  /** The `new X(...)` expression. */
  range: Range;
  /** True when the class is a program detected in the same file. */
  local: boolean;
  import?: ImportRef;
}

export interface TaskDetection {
  /** The task's `name` when it is a string literal. */
  name?: string;
  /** The `defineTask(...)` call. */
  range: Range;
  program?: ProgramLink;
}

export interface ReExport {
  specifier: string;
  /** '*' for `export * from`. */
  importedName: string;
  exportedName: string;
}

export interface SyntaxDiagnostic {
  message: string;
  range: Range;
  code: number;
}

export interface FileDetection {
  path: string;
  programs: ProgramDetection[];
  /**
   * Classes extending an imported class that is not `Module` itself: programs
   * only if the base resolves to a program in another file (WorkspaceIndex decides).
   */
  candidates: ProgramDetection[];
  tasks: TaskDetection[];
  reExports: ReExport[];
  diagnostics: SyntaxDiagnostic[];
}
