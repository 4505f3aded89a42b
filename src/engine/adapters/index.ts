export type { Adapter, FormatInput, FormattedPrompt } from './types';
export { AdapterParseError, parseFailure } from './errors';
export { ChatAdapter, type ChatAdapterOptions, choiceField, formatAnswer } from './chatAdapter';
export { JSONAdapter, findJsonObject } from './jsonAdapter';
export { coerceText, coerceJsonValue, renderValue, type Coerced } from './coerce';
export { marker } from './promptParts';
