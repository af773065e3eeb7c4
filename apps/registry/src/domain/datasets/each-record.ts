import fs from 'node:fs';
import type { DatasetFormat } from '@mlops/contracts';
import { CsvTokenizer, CSV_CHUNK_BYTES } from './csv-tokenizer';
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
  /**
   * Whether the sink may keep the next row's cells array; when it says no, a reader may hand
   * the same array again, refilled, for later rows. Absent: it may keep every one.
   */
  keepsRows?(): boolean;
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
    return reader === 'tokenizer' ? eachTokenizedRecord(file, sink) : eachParsedRecord(file, sink);
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

/** What both readers do with a CSV record: the header once, then rows of its width. */
class CsvRecords {
  width = -1;
  row = 0;

  constructor(private readonly sink: RecordSink) {}

  take(record: string[]): Promise<void> | undefined {
    if (this.width < 0) {
      this.sink.header(checkHeader(record));
      this.width = record.length;
      return undefined;
    }
    this.row += 1;
    if (record.length === this.width) return this.sink.row(this.row, record);
    this.sink.problem(this.row, `expected ${this.width} columns, found ${record.length}`);
    return undefined;
  }
}

async function eachParsedRecord(file: string, sink: RecordSink): Promise<void> {
  const records = new CsvRecords(sink);
  try {
    for await (const record of csvParser(file)) {
      const wait = records.take(record);
      if (wait) await wait;
    }
  } catch (err) {
    throw csvParseError(err, records.row);
  }
  if (records.width < 0) throw emptyDataset();
}

/**
 * The tokenizer's records, taken in a plain loop a chunk: no promise a row but to wait. Rows go
 * in one reused array while the sink keeps none (never the header: the sink keeps its names).
 */
async function eachTokenizedRecord(file: string, sink: RecordSink): Promise<void> {
  const records = new CsvRecords(sink);
  const tokenizer = new CsvTokenizer();
  const reused: string[] = [];
  const into = () =>
    records.width >= 0 && sink.keepsRows && !sink.keepsRows() ? reused : undefined;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CSV_CHUNK_BYTES })) {
    tokenizer.feed(chunk as Buffer);
    for (let r = tokenizer.next(into()); r; r = tokenizer.next(into())) {
      const wait = records.take(r);
      if (wait) await wait;
    }
  }
  tokenizer.feed(null);
  for (let r = tokenizer.next(into()); r; r = tokenizer.next(into())) {
    const wait = records.take(r);
    if (wait) await wait;
  }
  if (records.width < 0) throw emptyDataset();
}
