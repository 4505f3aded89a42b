export { Module, PROGRAM_STATE_VERSION } from './module';
export { Predict, ChainOfThought, defaultInstructions, type PredictOptions } from './predict';
export { Signature, SignatureError, type SignatureObject, type SignatureLike, type FieldObjectSpec } from './signature';
export {
  type FieldType,
  type FieldSpec,
  type FieldTypeInput,
  type LiteralValue,
  type SimpleTypeName,
  formatFieldType,
  normalizeFieldType,
} from './fieldTypes';
