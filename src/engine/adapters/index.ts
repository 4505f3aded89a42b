export type { Adapter, FormatInput, FormattedPrompt } from './types';
export { AdapterParseError, parseFailure } from './errors';
export { ChatAdapter, type ChatAdapterOptions, choiceField, formatAnswer } from './chatAdapter';
export { JSONAdapter, type JSONAdapterOptions, findJsonObject } from './jsonAdapter';
export { coerceText, coerceJsonValue, renderValue, type Coerced } from './coerce';
export { marker } from './promptParts';
export { makeAdapter, type AdapterSettings } from './makeAdapter';
export { outputSchema, responseFormatFor } from './outputSchema';
