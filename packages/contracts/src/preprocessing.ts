import { z } from 'zod';
import { columnNameSchema } from './names';

/**
 * Preprocessing fitted on the training split only and shipped inside the model bundle, so
 * serving turns raw records into the exact tensor the model was trained on.
 * Feature order in the model input = order of `features`, each expanded to `width` columns.
 */
export const featureTransformSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('standardize'),
    column: columnNameSchema,
    mean: z.number(),
    std: z.number().positive(),
    /** Used for missing values: the training mean. */
    impute: z.number(),
  }),
  z.object({
    kind: z.literal('one-hot'),
    column: columnNameSchema,
    categories: z.array(z.string()).min(1),
    /** Used for missing values: the most frequent training category. Unknown categories → all zeros. */
    impute: z.string(),
  }),
  z.object({
    kind: z.literal('boolean'),
    column: columnNameSchema,
    impute: z.boolean(),
  }),
  /**
   * A datetime column expanded into derived features, never one-hot: the year standardized,
   * then sin/cos of the month and of the day of week (so December sits next to January), and
   * of the hour when the training values had times. Missing → zeros (the year at its mean).
   */
  z.object({
    kind: z.literal('datetime'),
    column: columnNameSchema,
    year: z.object({ mean: z.number(), std: z.number().positive() }),
    hour: z.boolean(),
  }),
]);
export type FeatureTransform = z.infer<typeof featureTransformSchema>;

export const targetTransformSchema = z.discriminatedUnion('kind', [
  /** Classification: model output index i ↔ labels[i]. */
  z.object({
    kind: z.literal('label-encode'),
    column: columnNameSchema,
    labels: z.array(z.string()).min(2),
  }),
  /** Regression: the model predicts (y - mean) / std. */
  z.object({
    kind: z.literal('standardize'),
    column: columnNameSchema,
    mean: z.number(),
    std: z.number().positive(),
  }),
]);
export type TargetTransform = z.infer<typeof targetTransformSchema>;

export const preprocessingSchema = z.object({
  /** Empty only for a tensor model (its inputs are `signature.tensors`): see the manifest. */
  features: z.array(featureTransformSchema),
  target: targetTransformSchema,
  /** Total width of the model input vector; 0 for a tensor model. */
  inputWidth: z.number().int().nonnegative(),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;
