import type { DatasetFormat } from '@mlops/contracts';
import { CsvFallback, tokenizeCsv } from './csv-tokenizer';
import {
  checkHeader,
  csvParseError,
  csvParser,
  emptyDataset,
  readRecords,
  type RawCell,
} from './records';

/** Receives a file's records in order: the header once, then rows and problems. */
export interface RecordSink {
  header(columns: string[]): void;
  /** `row` is 1-based, data rows only. A promise asks the reader to wait (backpressure). */
  row(row: number, cells: RawCell[]): Promise<void> | undefined;
  problem(row: number, message: string, path?: string): void;
}

/**
 * How a CSV is read: `tokenizer` (csv-tokenizer.ts), which throws CsvFallback on what it does
 * not read itself, or `csv-parse`, which reads every file as ingest always did.
 */
export type CsvReader = 'tokenizer' | 'csv-parse';

/**
 * `readRecords` as calls into a sink, the path ingest takes. For CSV the records go straight to
 * the sink: no item object a row. With the `tokenizer` reader (the default) a CsvFallback may be
 * thrown after rows were handed over: the caller starts again with `csv-parse` (`withCsvFallback`).
 */
export async function eachRecord(
  file: string,
  format: DatasetFormat,
  sink: RecordSink,
  reader: CsvReader = 'tokenizer',
): Promise<void> {
  if (format === 'csv')
    return eachCsvRecord(reader === 'tokenizer' ? tokenizeCsv(file) : csvParser(file), sink);
  for await (const item of readRecords(file, format)) {
    if (item.kind === 'header') sink.header(item.columns);
    else if (item.kind === 'problem') sink.problem(item.row, item.message, item.path);
    else {
      const wait = sink.row(item.row, item.cells);
      if (wait) await wait;
    }
  }
}

/**
 * Run `read` with the tokenizer and, when it throws on a CSV (a CsvFallback, or any error: the
 * error csv-parse's path gives is the one answered), once more with csv-parse after `reset`.
 */
export async function withCsvFallback<T>(
  format: DatasetFormat,
  reader: CsvReader,
  read: (reader: CsvReader) => Promise<T>,
  reset: () => Promise<void>,
): Promise<T> {
  if (format !== 'csv' || reader === 'csv-parse') return read(reader);
  try {
    return await read('tokenizer');
  } catch (err) {
    // A system call's error (no space, no permission) would only come again.
    if (err instanceof Error && 'syscall' in err) throw err;
    await reset();
    return read('csv-parse');
  }
}

async function eachCsvRecord(records: AsyncIterable<string[]>, sink: RecordSink): Promise<void> {
  let width = -1;
  let row = 0;
  try {
    for await (const record of records) {
      if (width < 0) {
        sink.header(checkHeader(record));
        width = record.length;
        continue;
      }
      row += 1;
      if (record.length !== width) {
        sink.problem(row, `expected ${width} columns, found ${record.length}`);
        continue;
      }
      const wait = sink.row(row, record);
      if (wait) await wait;
    }
  } catch (err) {
    if (err instanceof CsvFallback) throw err;
    throw csvParseError(err, row);
  }
  if (width < 0) throw emptyDataset();
}
