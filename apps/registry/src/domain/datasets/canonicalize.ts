import fsp from 'node:fs/promises';
import {
  AppError,
  type CellValue,
  type Column,
  type DatasetFormat,
  type ErrorDetail,
} from '@mlops/contracts';
import { CanonicalWriter, type Canonical } from './canonical-writer';
import { convertCell } from './cells';
import { eachRecord, withCsvFallback, type CsvReader } from './each-record';
import { emptyDataset } from './records';

/** Bad rows listed in a 422 answer; the message still gives the total. */
export const MAX_REPORTED_PROBLEMS = 100;

export type { Canonical } from './canonical-writer';

/**
 * The second pass: check every row against `columns`, write the canonical JSON Lines to
 * `outFile` while hashing it, and profile it. Throws BAD_DATASET listing bad rows. Ingest runs
 * it for a `?schema=` upload, and after inference when the single pass (single-pass.ts) could
 * not keep what it wrote.
 */
export async function canonicalize(
  file: string,
  format: DatasetFormat,
  columns: Column[],
  outFile: string,
  /** Per column, the extra tokens inference decided are missing values (e.g. "n/a"). */
  missing: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  reader: CsvReader = 'tokenizer',
): Promise<Canonical> {
  // Bad rows are answered after the read, which the tokenizer finished: csv-parse would see the same.
  const { writer, problems, problemCount } = await withCsvFallback(
    format,
    reader,
    (how) => writeCanonical(file, format, columns, outFile, missing, how),
    () => fsp.rm(outFile, { force: true }),
  );
  if (problemCount > 0) {
    throw new AppError(
      'BAD_DATASET',
      `${problemCount} problem(s) in the dataset (row numbers are 1-based and count data rows only, not the header); fix the rows or the schema and upload again`,
      problems,
    );
  }
  if (writer.rowCount === 0) throw emptyDataset();
  return writer.result();
}

/** One read of `file` into the canonical writer; the rows that do not convert, listed. */
async function writeCanonical(
  file: string,
  format: DatasetFormat,
  columns: Column[],
  outFile: string,
  missing: ReadonlyMap<string, ReadonlySet<string>>,
  reader: CsvReader,
): Promise<{ writer: CanonicalWriter; problems: ErrorDetail[]; problemCount: number }> {
  const writer = new CanonicalWriter(outFile, columns);
  const problems: ErrorDetail[] = [];
  const tokens = columns.map((c) => missing.get(c.name));
  const values = new Array<CellValue>(columns.length).fill(null);
  let problemCount = 0;
  let order: number[] = [];
  const report = (d: ErrorDetail) => {
    problemCount += 1;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(d);
  };
  try {
    await eachRecord(
      file,
      format,
      {
        header(names) {
          order = columnOrder(names, columns);
        },
        problem(row, message, path) {
          report({ row, ...(path ? { path } : {}), message });
        },
        keepsRows: () => false,
        row(row, cells) {
          let ok = true;
          for (let i = 0; i < columns.length; i++) {
            const column = columns[i] as Column;
            const converted = convertCell(column, cells[order[i] ?? -1] ?? null, tokens[i]);
            if ('error' in converted) {
              ok = false;
              report({ row, path: column.name, message: converted.error });
            } else {
              values[i] = converted.value;
            }
          }
          if (!ok || problemCount > 0) return undefined;
          return writer.add(values);
        },
      },
      reader,
    );
  } finally {
    await writer.close();
  }
  return { writer, problems, problemCount };
}

/** Index in the file's header of each schema column; the file must have exactly those columns. */
function columnOrder(header: string[], columns: Column[]): number[] {
  const details: ErrorDetail[] = [];
  for (const c of columns)
    if (!header.includes(c.name))
      details.push({ path: c.name, message: 'column of the schema is missing from the file' });
  for (const h of header)
    if (!columns.some((c) => c.name === h))
      details.push({ path: h, message: 'column is not in the schema' });
  if (details.length > 0) {
    throw new AppError('BAD_DATASET', "the file's columns do not match the schema", details);
  }
  return columns.map((c) => header.indexOf(c.name));
}
