import { z } from 'zod';
import { driftReportSchema } from './drift';
import { aliasNameSchema, idSchema, isoDateSchema, resourceNameSchema } from './names';
import { jsonValueSchema } from './pipeline';
import { metricsSchema } from './training';

/**
 * Ground truth for one served prediction, by the id serving returned in `predictionIds`.
 * `label` for classification, `value` for regression.
 */
export const feedbackItemSchema = z.union([
  z
    .object({ predictionId: z.string().min(1).max(128), label: z.string().min(1).max(256) })
    .strict(),
  z.object({ predictionId: z.string().min(1).max(128), value: z.number().finite() }).strict(),
]);
export type FeedbackItem = z.infer<typeof feedbackItemSchema>;

export const MAX_FEEDBACK_PER_REQUEST = 10_000;

/**
 * What a client may send for one item: validated field by field so an error names the field
 * (`items[3].label`), then narrowed to a FeedbackItem.
 */
export const feedbackItemInputSchema = z
  .object({
    predictionId: z.string().min(1).max(128),
    label: z.string().min(1).max(256).optional(),
    value: z.number().finite().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.label === undefined) === (v.value === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [v.label === undefined ? 'label' : 'value'],
        message: 'send exactly one of `label` (classification) or `value` (regression)',
      });
    }
  })
  .transform((v): FeedbackItem =>
    v.label !== undefined
      ? { predictionId: v.predictionId, label: v.label }
      : { predictionId: v.predictionId, value: v.value ?? 0 },
  );

export const feedbackBatchSchema = z
  .object({ items: z.array(feedbackItemInputSchema).min(1).max(MAX_FEEDBACK_PER_REQUEST) })
  .strict();

/** `POST /v1/feedback` body: one item, or `{ items: [...] }` (the batch form when `items` is present). */
export function parseFeedbackRequest(
  body: unknown,
): ReturnType<typeof feedbackBatchSchema.safeParse> {
  const batch =
    typeof body === 'object' && body !== null && !Array.isArray(body) && 'items' in body;
  if (batch) return feedbackBatchSchema.safeParse(body);
  const one = feedbackItemInputSchema.safeParse(body);
  return one.success ? { success: true, data: { items: [one.data] } } : (one as never);
}

export const feedbackResponseSchema = z.object({
  /** Joined with a logged prediction now. */
  accepted: z.number().int().nonnegative(),
  /** Ids not (yet) in the prediction log: kept and joined when the prediction arrives. */
  pending: z.array(z.string()),
});
export type FeedbackResponse = z.infer<typeof feedbackResponseSchema>;

/** Live quality of one model version from joined feedback, next to its held-out metrics. */
export const qualityReportSchema = z.object({
  model: resourceNameSchema,
  version: z.number().int().positive(),
  task: z.enum(['classification', 'regression']),
  /** Joined feedback rows the metrics are computed on (the most recent window). */
  samples: z.number().int().nonnegative(),
  insufficientData: z.boolean(),
  /** accuracy + macro_f1 (classification) or rmse + mae (regression). */
  live: metricsSchema,
  /** The manifest's metrics on the held-out split at training time. */
  heldout: metricsSchema,
  /** Name of the metric the retraining policy watches and whether it is below its floor. */
  watched: z
    .object({ metric: z.string(), threshold: z.number(), degraded: z.boolean() })
    .nullable(),
  computedAt: isoDateSchema,
});
export type QualityReport = z.infer<typeof qualityReportSchema>;

/** Drift of the model's outputs: predicted labels (or values) now vs. just after deployment. */
export const predictionDriftSchema = z.object({
  model: resourceNameSchema,
  version: z.number().int().positive(),
  /** A drift report with a single column `prediction`; the reference is the version's first window. */
  report: driftReportSchema.nullable(),
  referenceRows: z.number().int().nonnegative(),
});
export type PredictionDrift = z.infer<typeof predictionDriftSchema>;

export const retrainTriggerSchema = z.enum(['drift', 'quality']);

/** Per model: when the monitor asks the registry for a new version, and how it promotes it. */
export const retrainPolicySchema = z.object({
  enabled: z.boolean().default(false),
  on: z.array(retrainTriggerSchema).min(1).default(['drift', 'quality']),
  /** Classification: retrain when live accuracy falls below this. */
  minAccuracy: z.number().min(0).max(1).default(0.8),
  /** Regression: retrain when live RMSE exceeds this times the held-out RMSE. */
  maxRmseRatio: z.number().gt(0).default(1.5),
  /** Joined feedback rows needed before quality can trigger. */
  minFeedback: z.number().int().positive().default(20),
  /** One retraining per model within this time, whatever the number of alerts. */
  cooldownMs: z.number().int().nonnegative().default(3_600_000),
  /** Append the labeled feedback to the dataset as a new version and train on it. */
  appendFeedback: z.boolean().default(true),
  /** Alias moved to the new version when the registry's gate lets it through. */
  alias: aliasNameSchema.default('champion'),
  /**
   * A registered pipeline to start instead of repeating the drifting version's run (trigger
   * kind `drift`, one run per model and cooldown window); its own steps train, gate and promote.
   */
  pipeline: resourceNameSchema.optional(),
  /** Parameters of that pipeline run (checked by the registry against its declared types). */
  pipelineParams: z.record(z.string().max(64), jsonValueSchema).optional(),
});
export type RetrainPolicy = z.infer<typeof retrainPolicySchema>;

export const retrainStatusSchema = z.enum([
  'requested',
  'running',
  /** A policy pipeline's run ended well; its own steps decided about the alias. */
  'succeeded',
  'promoted',
  'rejected',
  'failed',
]);

/** One retraining the monitor started, as history shows it. */
export const retrainRecordSchema = z.object({
  model: resourceNameSchema,
  reason: z.string(),
  trigger: retrainTriggerSchema,
  fromVersion: z.number().int().positive(),
  runId: idSchema.nullable(),
  /** The pipeline run started instead of a training run (policy `pipeline`). */
  pipelineRunId: idSchema.nullable().default(null),
  dataset: z.object({ name: resourceNameSchema, version: z.number().int().positive() }).nullable(),
  feedbackRows: z.number().int().nonnegative(),
  status: retrainStatusSchema,
  version: z.number().int().positive().nullable(),
  /** Why the gate refused, or why the run failed. */
  detail: z.string().nullable(),
  requestedAt: isoDateSchema,
  finishedAt: isoDateSchema.nullable(),
});
export type RetrainRecord = z.infer<typeof retrainRecordSchema>;

/** `GET /v1/models/:model/retraining/history`: a model's retrainings, newest first. */
export const retrainHistorySchema = z.object({
  model: resourceNameSchema,
  retraining: z.array(retrainRecordSchema),
});
export type RetrainHistoryAnswer = z.infer<typeof retrainHistorySchema>;

/** `history` per model: the latest reports and every retraining. */
export const monitorHistorySchema = z.object({
  model: resourceNameSchema,
  drift: z.array(driftReportSchema),
  quality: z.array(qualityReportSchema),
  retraining: z.array(retrainRecordSchema),
});
export type MonitorHistory = z.infer<typeof monitorHistorySchema>;

/**
 * A model's automatic retraining switch (monitor `GET|PUT /v1/models/:model/retraining`): off
 * until a person with `promote` enables it; `by`/`at` null when nobody switched it and the
 * monitor's default (MONITOR_RETRAIN_MODELS) applies.
 */
export const retrainSwitchSchema = z.object({
  model: resourceNameSchema,
  enabled: z.boolean(),
  by: z.string().nullable(),
  at: isoDateSchema.nullable(),
  reason: z.string().max(500).nullable(),
});
export type RetrainSwitch = z.infer<typeof retrainSwitchSchema>;

/** `PUT /v1/models/:model/retraining` body. */
export const retrainSwitchInputSchema = z
  .object({ enabled: z.boolean(), reason: z.string().max(500).optional() })
  .strict();
