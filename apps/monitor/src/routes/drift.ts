import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { AppError, resourceNameSchema, zodIssuesToDetails } from '@mlops/contracts';
import type { DriftMonitor, ReportQuery } from '../monitor';

const STREAM_ID = /^\d{1,20}(-\d{1,20})?$/;

/** Exported for the OpenAPI document (routes/openapi.ts), which describes the same query. */
export function querySchema(maxWindow: number) {
  return z.object({
    version: z.coerce.number().int().positive().optional(),
    window: z.coerce
      .number()
      .int()
      .positive()
      .max(maxWindow, `must be at most ${maxWindow} (MONITOR_WINDOW_RETAIN)`)
      .optional(),
    windowMs: z.coerce.number().int().positive().optional(),
    since: z
      .string()
      .refine((s) => STREAM_ID.test(s) || !Number.isNaN(Date.parse(s)), {
        message: 'must be an ISO date-time or a Redis stream id like 1700000000000-0',
      })
      .optional(),
  });
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = zodIssuesToDetails(result.error.issues);
  throw new AppError(
    'VALIDATION_FAILED',
    `Invalid ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

/**
 * `GET /v1/drift/:model?version=&window=&windowMs=&since=` → DriftReport of the current window:
 * the last `window` rows (by count), only those of the last `windowMs` ms (by time), after `since`.
 */
export function driftRoutes(app: FastifyInstance, monitor: DriftMonitor, maxWindow: number): void {
  const query = querySchema(maxWindow);
  const params = z.object({ model: resourceNameSchema });
  app.get('/v1/drift/:model', async (request) => {
    const { model } = parseOrThrow(params, request.params, 'path');
    const q = parseOrThrow(query, request.query, 'query');
    const report: ReportQuery = {};
    if (q.version !== undefined) report.version = q.version;
    if (q.window !== undefined) report.window = q.window;
    if (q.windowMs !== undefined) report.windowMs = q.windowMs;
    if (q.since !== undefined) {
      report.since = STREAM_ID.test(q.since) ? { streamId: q.since } : { at: Date.parse(q.since) };
    }
    return monitor.report(model, report);
  });
}
