import fsp from 'node:fs/promises';
import type { DatasetFormat } from '@mlops/contracts';
import { canonicalize } from './canonicalize';
import { CellClasses } from './cell-classes';
import { CanonicalWriter, type Canonical } from './canonical-writer';
import { eachRecord, withCsvFallback, type CsvReader, type RecordSink } from './each-record';
import type { Hints } from './hints';
import { SchemaInferrer, type Inference } from './infer';
import { emptyDataset, type RawCell } from './records';
import { Speculation } from './speculation';

/**
 * Rows whose types decide the speculation; kept in memory until then, so bounded by cells and
 * characters too (a wide file or long cells decide earlier).
 */
export const PREFIX_ROWS = 10_000;
const PREFIX_CELLS = 200_000;
const PREFIX_CHARS = 8 * 1024 * 1024;

/** The inference, and the canonical form when the speculation held (else a second pass). */
export interface SinglePass {
  inference: Inference;
  canonical?: Canonical;
}

/** An inferred upload's schema and canonical file, whichever way it took. */
export interface Ingested {
  inference: Inference;
  canonical: Canonical;
  canonicalFile: string;
  /** Whether one read was enough (no second pass). */
  onePass: boolean;
}

/**
 * Infer and canonicalise `file`: the single pass, then the second pass under the final
 * inference when the first could not keep what it wrote. `nextFile` names a new temp file.
 */
export async function ingestInferred(
  file: string,
  format: DatasetFormat,
  hints: Hints,
  nextFile: () => string,
  reader: CsvReader = 'tokenizer',
): Promise<Ingested> {
  const first = nextFile();
  const { inference, canonical } = await inferAndCanonicalize(file, format, hints, first, reader);
  if (canonical) return { inference, canonical, canonicalFile: first, onePass: true };
  await fsp.rm(first, { force: true });
  const canonicalFile = nextFile();
  const { columns, missing } = inference;
  const second = await canonicalize(file, format, columns, canonicalFile, missing, reader);
  return { inference, canonical: second, canonicalFile, onePass: false };
}

/**
 * Infer the schema from every row and, in the same read, write the canonical form under the
 * types of the first PREFIX_ROWS rows (speculation.ts). The canonical result is returned only
 * when the final inference converts every row the same; otherwise (a type the rest of the file
 * changes, a bad row) the caller runs the second pass with the final inference, as ingest
 * always did. A file of at most PREFIX_ROWS rows is read once whatever its values.
 */
export async function inferAndCanonicalize(
  file: string,
  format: DatasetFormat,
  hints: Hints,
  outFile: string,
  reader: CsvReader = 'tokenizer',
): Promise<SinglePass> {
  const pass = await withCsvFallback(
    format,
    reader,
    async (how) => {
      const pass = new Pass(hints, outFile);
      try {
        await eachRecord(file, format, pass, how);
      } finally {
        await pass.writer?.close();
      }
      return pass;
    },
    () => fsp.rm(outFile, { force: true }),
  );
  try {
    await pass.end();
  } finally {
    await pass.writer?.close();
  }
  return pass.result();
}

/** The record sink of the single pass: inference of every row, speculative canonical form. */
class Pass implements RecordSink {
  private inferrer: SchemaInferrer | null = null;
  /** Rows kept until the prefix is complete; null once the speculation started or stopped. */
  private prefix: RawCell[][] | null = [];
  private cells = 0;
  private chars = 0;
  private speculation: Speculation | null = null;
  writer: CanonicalWriter | null = null;

  constructor(
    private readonly hints: Hints,
    private readonly outFile: string,
  ) {}

  header(columns: string[]): void {
    this.inferrer = new SchemaInferrer(columns, this.hints);
  }

  /** Rows are kept only while the prefix is gathered. */
  keepsRows(): boolean {
    return this.prefix !== null;
  }

  /** A bad row: the second pass lists the problems, as it always did. */
  problem(): void {
    this.stop();
  }

  row(row: number, cells: RawCell[]): Promise<void> | undefined {
    const { inferrer } = this;
    if (!inferrer) return undefined;
    inferrer.add(cells, row);
    if (this.speculation && this.writer) {
      const values = this.speculation.convert(cells, inferrer.classes);
      if (values) return this.writer.add(values, this.speculation.texts);
      this.stop();
      return undefined;
    }
    const prefix = this.prefix;
    if (!prefix) return undefined;
    prefix.push(cells);
    this.cells += cells.length;
    for (const cell of cells) if (typeof cell === 'string') this.chars += cell.length;
    if (prefix.length < PREFIX_ROWS && this.cells < PREFIX_CELLS && this.chars < PREFIX_CHARS)
      return undefined;
    return this.start();
  }

  /** After the last record: a file shorter than the prefix is decided on all its rows. */
  async end(): Promise<void> {
    if (!this.inferrer) throw emptyDataset();
    if (this.prefix) await this.start();
  }

  result(): SinglePass {
    if (!this.inferrer) throw emptyDataset();
    const inference = this.inferrer.infer();
    if (!this.speculation || !this.writer) return { inference };
    const canonical = this.writer.result();
    if (canonical.rowCount === 0 || !this.speculation.holds(inference, canonical.profile))
      return { inference };
    return { inference, canonical };
  }

  /** Stop speculating: the second pass says what is wrong, or converts under the final types. */
  private stop(): void {
    this.prefix = null;
    this.speculation = null;
  }

  /**
   * Convert under the types inferred so far, beginning with the kept prefix. Synchronous, so no
   * later row can be handled before the prefix is written; the last wait is returned.
   */
  private start(): Promise<void> | undefined {
    const rows = this.prefix ?? [];
    this.prefix = null;
    if (!this.inferrer) return undefined;
    let guess: Inference;
    try {
      guess = this.inferrer.infer();
    } catch {
      this.stop(); // a hint the prefix contradicts already: the final inference says so
      return undefined;
    }
    const speculation = new Speculation(guess.columns);
    this.speculation = speculation;
    const writer = new CanonicalWriter(this.outFile, guess.columns);
    this.writer = writer;
    const classes = new CellClasses(guess.columns.length);
    let wait: Promise<void> | undefined;
    for (const row of rows) {
      classes.fill(row);
      const values = speculation.convert(row, classes);
      if (!values) {
        this.stop();
        return wait;
      }
      wait = writer.add(values, speculation.texts) ?? wait;
    }
    return wait;
  }
}
