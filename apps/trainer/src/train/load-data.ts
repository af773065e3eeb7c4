import type { CellValue, DataRow, DatasetSchema } from '@mlops/contracts';

/** Canonical rows (arrays in schema column order) as records of the columns the run uses. */
export async function* toRecords(
  schema: DatasetSchema,
  rows: AsyncIterable<CellValue[]>,
  keep: readonly string[],
): AsyncIterable<DataRow> {
  const positions = keep.map((name) => ({
    name,
    index: schema.columns.findIndex((c) => c.name === name),
  }));
  for await (const cells of rows) {
    const row: DataRow = {};
    for (const { name, index } of positions) row[name] = cells[index] ?? null;
    yield row;
  }
}

/** Every row in memory: for datasets small enough that stratified in-memory splits are cheap. */
export async function collectRows(rows: AsyncIterable<DataRow>): Promise<DataRow[]> {
  const out: DataRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
