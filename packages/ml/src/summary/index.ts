export {
  embeddingVector,
  inputSummaryColumns,
  summarizeExample,
  summarizeInput,
  tensorSummaryColumns,
  THUMBNAIL_SIZE,
  type SourceSize,
  type SummaryValue,
} from './tensor-summary';
export { TensorReferenceBuilder } from './reference';
