import { z } from 'zod';
import { predictionLogEntrySchema, type PredictionLogEntry } from './predict';
import { decodePredictionLogColumns } from './prediction-log-columns';

/**
 * The stream message fields of the prediction log (one Redis stream per model).
 * - `columns`: what serving writes — one binary message (prediction-log-columns.ts) per model
 *   version for every few milliseconds of answers (apps/serving LogBuffer). One XADD for many
 *   rows, and no JSON number formatting on the request thread.
 * - `batch`: the same rows as one JSON document (the previous format).
 * - `entry`: one row as JSON (the first format).
 * All three are read, so older streams and external writers keep working.
 */
export const PREDICTION_LOG_FIELD = { entry: 'entry', batch: 'batch', columns: 'columns' } as const;

/** A `batch` message: rows of one model version, each an entry without the shared fields. */
export const predictionLogBatchSchema = predictionLogEntrySchema
  .pick({ model: true, version: true, at: true })
  .extend({
    rows: z
      .array(predictionLogEntrySchema.pick({ id: true, features: true, prediction: true }))
      .min(1),
  });
export type PredictionLogBatch = z.infer<typeof predictionLogBatchSchema>;

const decoder = new TextDecoder();
const text = (field: string | Uint8Array) =>
  typeof field === 'string' ? field : decoder.decode(field);

/**
 * A stream message's fields → its entries, in order; null when it is not a prediction log
 * message. Fields read as strings are fine for JSON messages; a `columns` message is binary and
 * must be read as bytes (ioredis's `…Buffer` commands).
 */
export function parsePredictionLogMessage(
  fields: ReadonlyArray<string | Uint8Array>,
): PredictionLogEntry[] | null {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = text(fields[i]!);
    const value = fields[i + 1]!;
    if (name === PREDICTION_LOG_FIELD.columns) {
      return typeof value === 'string' ? null : decodePredictionLogColumns(value);
    }
    if (name !== PREDICTION_LOG_FIELD.entry && name !== PREDICTION_LOG_FIELD.batch) continue;
    let json: unknown;
    try {
      json = JSON.parse(text(value));
    } catch {
      return null;
    }
    if (name === PREDICTION_LOG_FIELD.entry) {
      const one = predictionLogEntrySchema.safeParse(json);
      return one.success ? [one.data] : null;
    }
    const batch = predictionLogBatchSchema.safeParse(json);
    if (!batch.success) return null;
    const { model, version, at, rows } = batch.data;
    return rows.map((r) => ({
      id: r.id,
      model,
      version,
      at,
      features: r.features,
      prediction: r.prediction,
    }));
  }
  return null;
}
