import type { ParseFailureInfo } from '../../protocol/trace';
import type { Signature } from '../program/signature';
import { MmgrpoError } from '../../protocol/errors';

/** A completion that does not hold every output field in a usable form. */
export class AdapterParseError extends MmgrpoError {
  /** Dotted module name, filled in by the predictor that made the call. */
  module?: string;

  constructor(readonly info: ParseFailureInfo) {
    super(info.message);
    this.name = 'AdapterParseError';
  }
}

/**
 * Builds the error from per-field outcomes. `problems` maps each field that
 * failed to why; every other output field counts as parsed.
 */
export function parseFailure(signature: Signature, problems: Map<string, string>, preamble?: string): AdapterParseError {
  const names = signature.outputNames;
  const parsedFields = names.filter((n) => !problems.has(n));
  const missingFields = names.filter((n) => problems.has(n));
  const why = missingFields.map((n) => `field "${n}": ${problems.get(n)}`).join('; ');
  const parsed = parsedFields.length ? parsedFields.map((n) => `"${n}"`).join(', ') : 'none';
  const head = preamble ? `${preamble}. ` : '';
  const message = `Could not parse the LM output. ${head}Parsed fields: ${parsed}. Failed: ${why}.`;
  return new AdapterParseError({
    message,
    parsedFields,
    missingFields,
    fractionParsed: names.length ? parsedFields.length / names.length : 0,
  });
}

/** Anything thrown while parsing that is not our own error becomes a parse failure of all fields. */
export function allFieldsFailed(signature: Signature, reason: string): AdapterParseError {
  return parseFailure(signature, new Map(signature.outputNames.map((n) => [n, reason])));
}
