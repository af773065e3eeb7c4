import { z } from 'zod';
import { datasetVersionSchema, datasetVersionSummarySchema } from '../dataset';
import { datasetPolicyInputSchema, datasetPolicySchema } from '../dataset-validation';
import { resourceNameSchema } from '../names';
import { versionNumber, listLimit, searchText } from './shared';

export const datasetsApi = {
  list: {
    mutation: false,
    input: z.object({ name: resourceNameSchema.optional(), limit: listLimit }),
    output: z.array(datasetVersionSummarySchema),
  },
  get: {
    mutation: false,
    input: z.object({
      name: resourceNameSchema,
      version: z.number().int().positive().optional(),
    }),
    output: datasetVersionSchema,
  },
  /** By name substring, ordered by name and version; cursor `name@version`. */
  search: {
    mutation: false,
    input: z.object({
      nameContains: searchText.optional(),
      cursor: z
        .string()
        .regex(/^[a-z0-9._-]{1,63}@\d{1,9}$/, 'must be a nextCursor')
        .optional(),
      limit: listLimit,
    }),
    output: z.object({
      items: z.array(datasetVersionSummarySchema),
      nextCursor: z.string().nullable(),
    }),
  },
  /** Scope `admin`. CONFLICT while a queued or running run uses it; its blob goes too. */
  delete: {
    mutation: true,
    input: z.object({ name: resourceNameSchema, version: versionNumber }),
    output: z.object({ deleted: z.boolean(), blobsDeleted: z.number().int() }),
  },
  /** The dataset's training policy; null when none is set (training is never refused). */
  getPolicy: {
    mutation: false,
    input: z.object({ name: resourceNameSchema }),
    output: datasetPolicySchema.nullable(),
  },
  /**
   * Scope `admin`. `blockTrainingOnAnomalies`: `runs.create` on a version of this dataset is
   * refused (412, naming the anomalies) when it has an error (`error`) or any (`warning`) anomaly.
   */
  setPolicy: {
    mutation: true,
    input: datasetPolicyInputSchema,
    output: datasetPolicySchema,
  },
} as const;
