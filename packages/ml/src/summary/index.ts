export {
  inputSummaryColumns,
  summarizeExample,
  summarizeInput,
  tensorSummaryColumns,
  THUMBNAIL_SIZE,
} from './tensor-summary';
export { TensorReferenceBuilder } from './reference';
