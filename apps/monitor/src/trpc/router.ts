import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  AppError,
  driftReportSchema,
  monitorHistorySchema,
  predictionDriftSchema,
  qualityReportSchema,
  resourceNameSchema,
  TRPC_CODE_OF,
  zodIssuesToDetails,
} from '@mlops/contracts';
import type { DriftMonitor, ReportQuery } from '../monitor';
import { liveSampleProcedure } from './live';

export interface MonitorContext {
  monitor: DriftMonitor;
  maxWindow: number;
}

const t = initTRPC.context<MonitorContext>().create({
  // Same shape as the registry's: `appCode` and `details` in `data`, read by `toAppError`.
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    if (cause instanceof AppError) {
      return {
        ...shape,
        data: {
          ...shape.data,
          appCode: cause.code,
          ...(cause.details ? { details: cause.details } : {}),
        },
      };
    }
    if (cause instanceof z.ZodError) {
      return {
        ...shape,
        data: {
          ...shape.data,
          appCode: 'VALIDATION_FAILED',
          details: zodIssuesToDetails(cause.issues),
        },
      };
    }
    return shape;
  },
});

/** AppErrors thrown by the monitor become tRPC errors with the matching HTTP status. */
const procedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE_OF[cause.code], message: cause.message, cause });
  }
  return result;
});

const model = z.object({ model: resourceNameSchema });
const version = z.number().int().positive().optional();

/**
 * The monitor's reports over tRPC (`/trpc`): the dashboard and the CLI call these with a typed
 * client (`createTRPCClient<MonitorRouter>`). REST (`GET /v1/drift/:model`) stays for curl.
 */
export const monitorRouter = t.router({
  models: procedure.query(({ ctx }) => ctx.monitor.summaries()),
  drift: procedure
    .input(
      model.extend({
        version,
        window: z.number().int().positive().optional(),
        windowMs: z.number().int().positive().optional(),
      }),
    )
    .output(driftReportSchema)
    .query(({ ctx, input }) => {
      if (input.window !== undefined && input.window > ctx.maxWindow) {
        throw new AppError('VALIDATION_FAILED', `window must be at most ${ctx.maxWindow}`, [
          { path: 'window', message: `must be at most ${ctx.maxWindow} (MONITOR_WINDOW_RETAIN)` },
        ]);
      }
      const q: ReportQuery = {};
      if (input.version !== undefined) q.version = input.version;
      if (input.window !== undefined) q.window = input.window;
      if (input.windowMs !== undefined) q.windowMs = input.windowMs;
      return ctx.monitor.report(input.model, q);
    }),
  predictionDrift: procedure
    .input(model.extend({ version }))
    .output(predictionDriftSchema)
    .query(({ ctx, input }) => ctx.monitor.predictionDrift(input.model, input.version)),
  quality: procedure
    .input(model.extend({ version }))
    .output(qualityReportSchema)
    .query(({ ctx, input }) => ctx.monitor.qualityReport(input.model, input.version)),
  history: procedure
    .input(model)
    .output(monitorHistorySchema)
    .query(({ ctx, input }) => ctx.monitor.history(input.model)),
  liveSample: liveSampleProcedure,
});

export type MonitorRouter = typeof monitorRouter;
