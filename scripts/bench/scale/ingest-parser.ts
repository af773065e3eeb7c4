/**
 * The ingest baseline, in its own process: `csv-parse` alone over a file, with the options the
 * registry reads CSV with (apps/registry/src/domain/datasets/records.ts), every record
 * consumed and nothing kept. Prints one JSON line: rows, seconds, peak RSS.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse';
import { peakRssMb } from '../../lib/measure';

const file = process.argv[2];
if (!file) throw new Error('usage: ingest-parser.ts <file.csv>');
const started = performance.now();
const parser = fs
  .createReadStream(file)
  .pipe(parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }));
let records = 0;
for await (const record of parser as AsyncIterable<string[]>) if (record.length > 0) records++;
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ rows: records - 1, seconds, peak_rss_mb: peakRssMb(process.pid) })}\n`,
);
