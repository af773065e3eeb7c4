import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import {
  AppError,
  canonicalRowLine,
  type Column,
  type DataRow,
  type DatasetFormat,
  type DatasetProfile,
  type ErrorDetail,
} from '@mlops/contracts';
import { ProfileBuilder } from '@mlops/ml/profile';
import { DuplicateCounter } from '@mlops/ml/validation';
import { PRIVATE_FILE_MODE } from '@mlops/storage';
import { convertCell } from './cells';
import { emptyDataset, readRecords } from './records';

/** Bad rows listed in a 422 answer; the message still gives the total. */
export const MAX_REPORTED_PROBLEMS = 100;

export interface Canonical {
  hash: string;
  rowCount: number;
  sizeBytes: number;
  profile: DatasetProfile;
}

/**
 * Second pass: check every row against `columns`, write the canonical JSON Lines to `outFile`
 * while hashing it, and profile it. Throws BAD_DATASET listing bad rows.
 */
export async function canonicalize(
  file: string,
  format: DatasetFormat,
  columns: Column[],
  outFile: string,
  /** Per column, the extra tokens inference decided are missing values (e.g. "n/a"). */
  missing: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): Promise<Canonical> {
  const out = fs.createWriteStream(outFile, { flags: 'wx', mode: PRIVATE_FILE_MODE });
  const finished = once(out, 'finish');
  const hash = createHash('sha256');
  const profile = new ProfileBuilder(columns);
  const duplicates = new DuplicateCounter();
  const problems: ErrorDetail[] = [];
  let problemCount = 0;
  let rowCount = 0;
  let sizeBytes = 0;
  let order: number[] = [];
  const report = (d: ErrorDetail) => {
    problemCount += 1;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(d);
  };
  try {
    for await (const item of readRecords(file, format)) {
      if (item.kind === 'header') {
        order = columnOrder(item.columns, columns);
        continue;
      }
      if (item.kind === 'problem') {
        report({ row: item.row, ...(item.path ? { path: item.path } : {}), message: item.message });
        continue;
      }
      const row: DataRow = {};
      let ok = true;
      columns.forEach((column, i) => {
        const converted = convertCell(
          column,
          item.cells[order[i] ?? -1] ?? null,
          missing.get(column.name),
        );
        if ('error' in converted) {
          ok = false;
          report({ row: item.row, path: column.name, message: converted.error });
        } else {
          row[column.name] = converted.value;
        }
      });
      if (!ok || problemCount > 0) continue;
      rowCount += 1;
      const line = canonicalRowLine(columns, row);
      hash.update(line);
      sizeBytes += Buffer.byteLength(line);
      profile.add(row);
      duplicates.add(line);
      if (!out.write(line)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await finished;
  }
  if (problemCount > 0) {
    throw new AppError(
      'BAD_DATASET',
      `${problemCount} problem(s) in the dataset (row numbers are 1-based and count data rows only, not the header); fix the rows or the schema and upload again`,
      problems,
    );
  }
  if (rowCount === 0) throw emptyDataset();
  return {
    hash: hash.digest('hex'),
    rowCount,
    sizeBytes,
    profile: { ...profile.finish(), duplicateRows: duplicates.count },
  };
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
