import { z } from 'zod';
import { resourceNameSchema } from '@mlops/contracts';

/*
 * Two listings that contracts does not describe (yet): serving's and the monitor's
 * `GET /v1/models`. Parsed like every other answer; fields are optional where the services are
 * still growing (canary weights, throughput), so a newer service never breaks the page.
 */
export const servingModelsSchema = z.object({
  alias: z.string(),
  /** What serving reads at most (absent from servings older than the Try it box). */
  limits: z.object({ maxBodyBytes: z.number().int().positive() }).optional(),
  models: z.array(
    z.looseObject({
      name: resourceNameSchema,
      version: z.number().int().nullable(),
      alias: z.string().optional(),
      state: z.string(),
      loadingVersion: z.number().int().nullable().optional(),
      loadedAt: z.string().nullable().optional(),
      lastError: z
        .object({
          version: z.number().int().nullable(),
          code: z.string(),
          message: z.string(),
          at: z.string(),
        })
        .nullable()
        .optional(),
    }),
  ),
});
export type ServingModels = z.infer<typeof servingModelsSchema>;

export const monitorModelsSchema = z.object({
  models: z.array(
    z.looseObject({
      model: resourceNameSchema,
      rowsConsumed: z.number().int().nonnegative(),
      latestVersion: z.number().int().nullable(),
      versions: z.array(z.object({ version: z.number().int(), rows: z.number().int() })).optional(),
    }),
  ),
});
export type MonitorModels = z.infer<typeof monitorModelsSchema>;
