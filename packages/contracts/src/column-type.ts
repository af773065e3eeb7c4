import { z } from 'zod';

/**
 * The type of a scalar column. `datetime` cells are ISO 8601 strings (dates or date-times, as
 * ingest normalises them): never one-hot encoded — left out of default features, or expanded
 * into derived features (year, cyclical month, day of week, hour) when a column asks for it.
 */
export const columnTypeSchema = z.enum(['numeric', 'categorical', 'boolean', 'datetime']);
export type ColumnType = z.infer<typeof columnTypeSchema>;
