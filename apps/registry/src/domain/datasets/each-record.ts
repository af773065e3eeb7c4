import type { DatasetFormat } from '@mlops/contracts';
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
 * `readRecords` as calls into a sink, the path ingest takes. For CSV the parser's records go
 * straight to the sink: no item object and no generator step a row, most of a row's cost in
 * the parser's own time for a narrow file.
 */
export async function eachRecord(
  file: string,
  format: DatasetFormat,
  sink: RecordSink,
): Promise<void> {
  if (format === 'csv') return eachCsvRecord(file, sink);
  for await (const item of readRecords(file, format)) {
    if (item.kind === 'header') sink.header(item.columns);
    else if (item.kind === 'problem') sink.problem(item.row, item.message, item.path);
    else {
      const wait = sink.row(item.row, item.cells);
      if (wait) await wait;
    }
  }
}

async function eachCsvRecord(file: string, sink: RecordSink): Promise<void> {
  let width = -1;
  let row = 0;
  try {
    for await (const record of csvParser(file)) {
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
    throw csvParseError(err, row);
  }
  if (width < 0) throw emptyDataset();
}
