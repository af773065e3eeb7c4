import { z } from 'zod';
import { aliasNameSchema, resourceNameSchema } from './names';

/** A raw feature record as a client sends it; checked against the model signature at runtime. */
export const featureRecordSchema = z.record(
  z.string(),
  z.union([z.number(), z.string(), z.boolean(), z.null()]),
);
export type FeatureRecord = z.infer<typeof featureRecordSchema>;

export const MAX_INSTANCES_PER_REQUEST = 10_000;

/** TF Serving REST predict body (row format). */
export const predictRequestSchema = z.object({
  signature_name: z.string().max(128).optional(),
  instances: z
    .array(featureRecordSchema)
    .min(1, 'must contain at least one record')
    .max(MAX_INSTANCES_PER_REQUEST),
});
export type PredictRequest = z.infer<typeof predictRequestSchema>;

export const classificationPredictionSchema = z.object({
  label: z.string(),
  probabilities: z.record(z.string(), z.number()),
});
export const regressionPredictionSchema = z.object({ value: z.number() });
export const predictionSchema = z.union([
  classificationPredictionSchema,
  regressionPredictionSchema,
]);
export type Prediction = z.infer<typeof predictionSchema>;

export const predictResponseSchema = z.object({
  predictions: z.array(predictionSchema),
  model: z.object({
    name: resourceNameSchema,
    version: z.number().int(),
    alias: aliasNameSchema.nullable(),
  }),
  /** One id per instance, logged with the prediction; feedback (ground truth) refers to it. */
  predictionIds: z.array(z.string()),
});
export type PredictResponse = z.infer<typeof predictResponseSchema>;

/**
 * What serving noticed about one served row's inputs (absent: nothing, or an older serving):
 * categorical features whose value the version does not know (under SERVING_UNKNOWN_CATEGORY=null
 * the logged value is then null), numeric features outside the training profile's [min, max].
 */
export const predictionDataQualitySchema = z.object({
  unknownCategories: z.array(z.string()).optional(),
  outsideTrainingRange: z.array(z.string()).optional(),
});
export type PredictionDataQuality = z.infer<typeof predictionDataQualitySchema>;

/** One served instance, as written to the per-model prediction stream. */
export const predictionLogEntrySchema = z.object({
  id: z.string(),
  model: resourceNameSchema,
  version: z.number().int().positive(),
  at: z.string(),
  /** The principal the prediction was served to; feedback is accepted only from it. */
  principal: z.string().max(200).optional(),
  features: featureRecordSchema,
  prediction: predictionSchema,
  quality: predictionDataQualitySchema.optional(),
});
export type PredictionLogEntry = z.infer<typeof predictionLogEntrySchema>;

/** Status of one served model, `GET /v1/models/:name` (TF Serving shape). */
export const modelStatusSchema = z.object({
  model_version_status: z.array(
    z.object({
      version: z.string(),
      state: z.enum(['START', 'LOADING', 'AVAILABLE', 'UNLOADING', 'END']),
      status: z.object({ error_code: z.string(), error_message: z.string() }),
    }),
  ),
});
export type ModelStatus = z.infer<typeof modelStatusSchema>;
