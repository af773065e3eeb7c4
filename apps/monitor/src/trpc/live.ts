import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  AppError,
  PREDICTION_LOG_REDACTED,
  isoDateSchema,
  resourceNameSchema,
  type CellValue,
} from '@mlops/contracts';
import type { WindowStore } from '../windows';
import type { MonitorContext } from './router';

declare module './router' {
  interface MonitorContext {
    /** The live windows, for `liveSample` (optional: contexts built without it answer UNAVAILABLE). */
    windows?: WindowStore;
  }
}

/** What serving redacts (`SERVING_LOG_REDACT`): shown as missing, like drift treats it. */
const MAX_ROWS = 2_000;

const cellSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const liveSampleInputSchema = z.object({
  model: resourceNameSchema,
  version: z.number().int().positive().optional(),
  /** The most recent rows; default 500. */
  rows: z.number().int().positive().max(MAX_ROWS).optional(),
});

/** The last logged feature values of a version, column by column, oldest first. */
export const liveSampleSchema = z.object({
  model: resourceNameSchema,
  version: z.number().int().positive(),
  rows: z.number().int().nonnegative(),
  from: isoDateSchema.nullable(),
  to: isoDateSchema.nullable(),
  columns: z.record(z.string(), z.array(cellSchema)),
});
export type LiveSample = z.infer<typeof liveSampleSchema>;

// A procedure of its own tRPC instance with the router's context type: it joins `monitorRouter`
// as one entry, and the root router's errorFormatter shapes its errors like the others'.
const t = initTRPC.context<MonitorContext>().create();

/** Turn an AppError into the tRPC error the router's formatter reads (`appCode`). */
function fail(err: AppError): never {
  const code = err.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'SERVICE_UNAVAILABLE';
  throw new TRPCError({ code, message: err.message, cause: err });
}

/**
 * Live feature values next to the training profile (the dashboard's "live vs training"): raw
 * values so the client can bin them on the training histogram's own edges.
 */
export function sampleWindow(
  windows: WindowStore,
  input: z.infer<typeof liveSampleInputSchema>,
): LiveSample {
  const version = input.version ?? windows.latestVersion(input.model);
  if (version === null) {
    fail(
      new AppError(
        'NOT_FOUND',
        `Model "${input.model}" has no logged predictions yet; send traffic through serving`,
      ),
    );
  }
  const entries = windows.window(input.model, version, input.rows ?? 500);
  const columns: Record<string, CellValue[]> = {};
  entries.forEach((e, i) => {
    for (const [name, value] of Object.entries(e.features)) {
      // A feature missing from earlier rows is null there, so every column has one cell per row.
      const column = (columns[name] ??= new Array<CellValue>(i).fill(null));
      column.push(value === PREDICTION_LOG_REDACTED ? null : value);
    }
    for (const column of Object.values(columns)) if (column.length < i + 1) column.push(null);
  });
  return {
    model: input.model,
    version,
    rows: entries.length,
    from: entries[0]?.at ?? null,
    to: entries.at(-1)?.at ?? null,
    columns,
  };
}

export const liveSampleProcedure = t.procedure
  .input(liveSampleInputSchema)
  .output(liveSampleSchema)
  .query(({ ctx, input }) => {
    if (!ctx.windows) fail(new AppError('UNAVAILABLE', 'this monitor exposes no live windows'));
    return sampleWindow(ctx.windows, input);
  });
