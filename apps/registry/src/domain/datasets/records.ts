import fs from 'node:fs';
import fsp from 'node:fs/promises';
import readline from 'node:readline';
import { parse as parseCsv, CsvError } from 'csv-parse';
import { AppError, columnNameSchema, type DatasetFormat } from '@mlops/contracts';
import { DATASET_LIMITS, jsonArrayTooLarge, tooManyColumns } from './limits';

/** A cell as read from the file, before the schema gives it a type. */
export type RawCell = string | number | boolean | null;

export type RecordItem =
  | { kind: 'header'; columns: string[] }
  /** `row` is 1-based and counts data rows only (a CSV header is not a row). */
  | { kind: 'row'; row: number; cells: RawCell[] }
  | { kind: 'problem'; row: number; path?: string; message: string };

/** Read a file of the given format as: one header item, then rows (or problems) in order. */
export function readRecords(file: string, format: DatasetFormat): AsyncGenerator<RecordItem> {
  if (format === 'csv') return readCsv(file);
  if (format === 'jsonl') return readJsonLines(file);
  return readJsonArray(file);
}

/** The CSV parser ingest reads with, over `file`: one string array a record. */
export function csvParser(file: string): AsyncIterable<string[]> {
  return fs
    .createReadStream(file)
    .pipe(parseCsv({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }));
}

/** A parser error after data row `row` as a 400 naming the row; any other error unchanged. */
export function csvParseError(err: unknown, row: number): unknown {
  if (!(err instanceof CsvError)) return err;
  return new AppError(
    'BAD_DATASET',
    `CSV could not be parsed after data row ${row}: ${err.message}`,
    [{ row: row + 1, message: err.message }],
  );
}

async function* readCsv(file: string): AsyncGenerator<RecordItem> {
  let header: string[] | null = null;
  let row = 0;
  try {
    for await (const record of csvParser(file)) {
      if (!header) {
        header = checkHeader(record);
        yield { kind: 'header', columns: header };
        continue;
      }
      row += 1;
      if (record.length !== header.length) {
        yield {
          kind: 'problem',
          row,
          message: `expected ${header.length} columns, found ${record.length}`,
        };
      } else {
        yield { kind: 'row', row, cells: record };
      }
    }
  } catch (err) {
    throw csvParseError(err, row);
  }
  if (!header) throw emptyDataset();
}

async function* readJsonLines(file: string): AsyncGenerator<RecordItem> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let header: Header | null = null;
  let row = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    row += 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      yield { kind: 'problem', row, message: 'line is not valid JSON' };
      continue;
    }
    if (!header) {
      if (!isPlainObject(value))
        throw new AppError(
          'BAD_DATASET',
          'the first JSON line must be an object of column values',
          [{ row, message: 'not an object' }],
        );
      header = headerOf(checkHeader(Object.keys(value)));
      yield { kind: 'header', columns: header.names };
    }
    yield objectRow(header, row, value);
  }
  if (!header) throw emptyDataset();
}

async function* readJsonArray(file: string): AsyncGenerator<RecordItem> {
  const { size } = await fsp.stat(file);
  if (size > DATASET_LIMITS.jsonArrayBytes) throw jsonArrayTooLarge();
  let value: unknown;
  try {
    value = JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch (err) {
    throw new AppError('BAD_DATASET', `body is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value))
    throw new AppError(
      'BAD_DATASET',
      'a JSON dataset must be an array of row objects; use format=jsonl for one object per line',
    );
  const first: unknown = value[0];
  if (first === undefined) throw emptyDataset();
  if (!isPlainObject(first))
    throw new AppError('BAD_DATASET', 'row 1 must be an object of column values', [
      { row: 1, message: 'not an object' },
    ]);
  const header = headerOf(checkHeader(Object.keys(first)));
  yield { kind: 'header', columns: header.names };
  for (let i = 0; i < value.length; i++) yield objectRow(header, i + 1, value[i]);
}

/** The first row's keys, with a set: rows are checked against it key by key. */
interface Header {
  names: string[];
  known: Set<string>;
}

function headerOf(names: string[]): Header {
  return { names, known: new Set(names) };
}

function objectRow(header: Header, row: number, value: unknown): RecordItem {
  if (!isPlainObject(value))
    return { kind: 'problem', row, message: 'row must be an object of column values' };
  for (const key of Object.keys(value)) {
    if (!header.known.has(key))
      return {
        kind: 'problem',
        row,
        path: key,
        message: `column "${key}" is not in the first row`,
      };
  }
  const cells: RawCell[] = [];
  for (const name of header.names) {
    const cell = value[name];
    if (cell === undefined || cell === null) cells.push(null);
    else if (typeof cell === 'string' && Buffer.byteLength(cell) > DATASET_LIMITS.cellBytes)
      return {
        kind: 'problem',
        row,
        path: name,
        message: `cell is longer than ${DATASET_LIMITS.cellBytes} bytes, the limit of one cell`,
      };
    else if (typeof cell === 'string' || typeof cell === 'number' || typeof cell === 'boolean')
      cells.push(cell);
    else
      return {
        kind: 'problem',
        row,
        path: name,
        message: 'must be a number, string, boolean or null',
      };
  }
  return { kind: 'row', row, cells };
}

export function checkHeader(columns: string[]): string[] {
  if (columns.length === 0) throw new AppError('BAD_DATASET', 'the dataset has no columns');
  // Uploads are refused at this limit while they arrive (./limits); this holds for any file.
  if (columns.length > DATASET_LIMITS.columns) throw tooManyColumns(columns.length);
  const seen = new Set<string>();
  for (const name of columns) {
    const parsed = columnNameSchema.safeParse(name);
    if (!parsed.success) {
      throw new AppError(
        'BAD_DATASET',
        `column name "${name.slice(0, 40)}" is invalid: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        [{ path: name, message: 'invalid column name' }],
      );
    }
    if (seen.has(name))
      throw new AppError(
        'BAD_DATASET',
        `column "${name.slice(0, 128)}" appears twice; column names must be unique`,
        [{ path: name, message: 'duplicate column' }],
      );
    seen.add(name);
  }
  return columns;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function emptyDataset(): AppError {
  return new AppError(
    'BAD_DATASET',
    'the dataset is empty: send a header and at least one data row',
  );
}
