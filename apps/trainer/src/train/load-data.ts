import type { CellValue, DataRow, DatasetSchema } from '@mlops/contracts';

/**
 * Canonical rows (arrays in schema column order) into records of the columns the run uses.
 * Everything is held in memory for now; out-of-core training will stream batches instead.
 */
export async function collectRows(
  schema: DatasetSchema,
  rows: AsyncIterable<CellValue[]>,
  keep: readonly string[],
): Promise<DataRow[]> {
  const positions = keep.map((name) => ({
    name,
    index: schema.columns.findIndex((c) => c.name === name),
  }));
  const out: DataRow[] = [];
  for await (const cells of rows) {
    const row: DataRow = {};
    for (const { name, index } of positions) row[name] = cells[index] ?? null;
    out.push(row);
  }
  return out;
}
