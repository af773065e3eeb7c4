export {
  inputSummaryColumns,
  summarizeExample,
  summarizeInput,
  tensorSummaryColumns,
  THUMBNAIL_SIZE,
  type SourceSize,
} from './tensor-summary';
export { TensorReferenceBuilder } from './reference';
