import type { ResponseFormat } from '../backend';
import { badRequest } from './httpError';
import { asObject, type Fields } from './fields';

// OpenAI's rule for json_schema names; clients (AI SDK: "response", LangChain: "extract") follow it.
const SCHEMA_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `response_format` of a chat request: `text` is the default (no constraint),
 * `json_object` any JSON object, `json_schema` a value of the given schema. Only
 * the shape is checked here; which schema keywords are enforced is the backend's.
 */
export function readResponseFormat(f: Fields): ResponseFormat | undefined {
  const rf = f.optObject('response_format');
  if (!rf) return undefined;
  const type = rf.optEnum('type', ['text', 'json_object', 'json_schema'] as const);
  if (type === undefined) throw badRequest(`Missing required field \`${rf.at('type')}\` (text, json_object or json_schema).`, rf.at('type'));
  if (type === 'text') {
    rf.allowOnly(['type']);
    return undefined;
  }
  if (type === 'json_object') {
    rf.allowOnly(['type']);
    return { type };
  }
  rf.allowOnly(['type', 'json_schema']);
  const js = rf.object('json_schema').allowOnly(['name', 'description', 'schema', 'strict']);
  const name = js.string('name');
  if (!SCHEMA_NAME.test(name)) {
    throw badRequest(`\`${js.at('name')}\` must be 1 to 64 letters, digits, underscores or dashes, got ${JSON.stringify(name)}.`, js.at('name'));
  }
  js.optString('description');
  // strict: false asks for best effort; constrained decoding is always strict, which satisfies it too.
  js.optBoolean('strict');
  const schema = asObject(js.required('schema'), js.at('schema'));
  return { type, name, schema };
}

/** JSON outputs and guided choice are two constraints on the same tokens: only one may apply. */
export function refuseBothConstraints(format: ResponseFormat | undefined, guidedChoice: string[] | undefined): void {
  if (format && guidedChoice) {
    throw badRequest('Send either `response_format` (JSON) or `guided_choice`, not both: each constrains the whole completion.', 'response_format');
  }
}
