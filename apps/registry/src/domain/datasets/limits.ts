import { AppError, MAX_DATASET_COLUMNS, type DatasetFormat } from '@mlops/contracts';

/**
 * Shape limits of an uploaded dataset. They are checked on the bytes as they arrive (see
 * `uploadGuard`), so a hostile upload (a 100,000-column header, a 5 MB line) is refused after
 * at most one line instead of after the whole body has been stored and parsed twice.
 */
export const DATASET_LIMITS = {
  columns: MAX_DATASET_COLUMNS,
  /** Bytes of one physical line (a CSV line, a JSON Lines record). */
  lineBytes: 1024 ** 2,
  /** Bytes of one cell. */
  cellBytes: 64 * 1024,
  /** JSON arrays are parsed whole (JSON Lines streams): bound the memory that costs. */
  jsonArrayBytes: 256 * 1024 ** 2,
} as const;

export type UploadLimit =
  'columns' | 'line' | 'cell' | 'size' | 'images' | 'image_bytes' | 'pixels';

/** A refusal for passing one of the limits; `limit` labels the refusal metric. */
export class UploadLimitError extends AppError {
  constructor(
    readonly limit: UploadLimit,
    message: string,
    details?: ConstructorParameters<typeof AppError>[2],
  ) {
    super('PAYLOAD_TOO_LARGE', message, details);
  }
}

export function tooManyColumns(found: number, atLeast = false): AppError {
  return new UploadLimitError(
    'columns',
    `the dataset has ${atLeast ? 'more than ' : ''}${found} columns; at most ${DATASET_LIMITS.columns} are allowed`,
    [{ path: 'columns', message: `at most ${DATASET_LIMITS.columns} columns` }],
  );
}

export function lineTooLong(line: number): AppError {
  return new UploadLimitError(
    'line',
    `line ${line} is longer than ${DATASET_LIMITS.lineBytes} bytes, the limit of one line; split the data into more rows or fewer columns`,
    [{ row: line, message: `line longer than ${DATASET_LIMITS.lineBytes} bytes` }],
  );
}

export function cellTooLong(line: number): AppError {
  return new UploadLimitError(
    'cell',
    `a cell on line ${line} is longer than ${DATASET_LIMITS.cellBytes} bytes, the limit of one cell (an unclosed quote makes the rest of a CSV file one cell)`,
    [{ row: line, message: `cell longer than ${DATASET_LIMITS.cellBytes} bytes` }],
  );
}

export function jsonArrayTooLarge(): AppError {
  return new UploadLimitError(
    'size',
    `JSON array uploads are limited to ${DATASET_LIMITS.jsonArrayBytes} bytes; send JSON Lines (format=jsonl) for larger data`,
  );
}

/** Checks the limits above on a stream of bytes; `push` throws the first limit passed. */
export interface LimitScanner {
  push(chunk: Buffer): void;
  end(): void;
}

export function limitScannerFor(format: DatasetFormat): LimitScanner {
  if (format === 'csv') return new CsvScanner();
  if (format === 'jsonl') return new JsonLinesScanner();
  return new JsonArrayScanner();
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * CSV as `csv-parse` reads it here (comma, double quotes, `""` escapes, any of CR/LF/CRLF):
 * counts the header's columns, the bytes of each physical line and of each cell. Quote
 * tracking by toggling is exact for valid CSV; a stray quote only misleads it on input the
 * parser refuses anyway.
 */
class CsvScanner implements LimitScanner {
  private line = 1;
  private lineBytes = 0;
  private cellBytes = 0;
  private inQuotes = false;
  /** Columns of the header so far; -1 once the header is complete. */
  private headerColumns = 1;
  private headerHasContent = false;

  push(chunk: Buffer): void {
    if (this.headerColumns < 0 && !this.inQuotes && !chunk.includes(QUOTE)) {
      this.pushUnquoted(chunk);
      return;
    }
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === LF || byte === CR) {
        if (byte === LF || chunk[i + 1] !== LF) this.line += 1;
        this.lineBytes = 0;
        if (!this.inQuotes) {
          this.cellBytes = 0;
          if (this.headerColumns > 0 && this.headerHasContent) this.headerDone();
          continue;
        }
      } else if (++this.lineBytes > DATASET_LIMITS.lineBytes) {
        throw this.headerColumns > 0
          ? lineTooLongInHeader(this.headerColumns, this.line)
          : lineTooLong(this.line);
      }
      if (byte === QUOTE) this.inQuotes = !this.inQuotes;
      if (byte === COMMA && !this.inQuotes) {
        this.cellBytes = 0;
        if (this.headerColumns > 0) {
          this.headerColumns += 1;
          this.headerHasContent = true;
        }
        continue;
      }
      if (++this.cellBytes > DATASET_LIMITS.cellBytes) throw cellTooLong(this.line);
      if (this.headerColumns > 0 && byte !== 0x20 && byte !== 0x09) this.headerHasContent = true;
    }
  }

  /**
   * The common case, past the header and without quotes: lines are found with indexOf, and as
   * a cell is never longer than its line, only a line longer than a cell is read byte by byte.
   */
  private pushUnquoted(chunk: Buffer): void {
    const hasCr = chunk.includes(CR);
    let start = 0;
    for (;;) {
      const end = nextLineEnd(chunk, start, hasCr);
      this.lineBytes += end - start;
      if (this.lineBytes > DATASET_LIMITS.lineBytes) throw lineTooLong(this.line);
      if (this.lineBytes > DATASET_LIMITS.cellBytes) {
        for (let i = start; i < end; i++) {
          if (chunk[i] === COMMA) this.cellBytes = 0;
          else if (++this.cellBytes > DATASET_LIMITS.cellBytes) throw cellTooLong(this.line);
        }
      } else {
        // Only the open cell's length carries over to the next chunk: the bytes after the
        // segment's last comma (searched from the end: only the last cell is read).
        let comma = end - 1;
        while (comma >= start && chunk[comma] !== COMMA) comma--;
        this.cellBytes = comma < start ? this.cellBytes + end - start : end - comma - 1;
      }
      if (end === chunk.length) return;
      if (chunk[end] === LF || chunk[end + 1] !== LF) this.line += 1;
      this.lineBytes = 0;
      this.cellBytes = 0;
      start = end + 1;
    }
  }

  end(): void {
    if (this.headerColumns > 0 && this.headerHasContent) this.headerDone();
  }

  private headerDone(): void {
    if (this.headerColumns > DATASET_LIMITS.columns) throw tooManyColumns(this.headerColumns);
    this.headerColumns = -1;
  }
}

function lineTooLongInHeader(columnsSoFar: number, line: number): AppError {
  return columnsSoFar > DATASET_LIMITS.columns
    ? tooManyColumns(columnsSoFar, true)
    : lineTooLong(line);
}

/**
 * JSON Lines: the bytes of each line, and the keys of the first record (the header) as soon as
 * its line is complete. Later records are checked against the header by the parser.
 */
class JsonLinesScanner implements LimitScanner {
  private line = 1;
  private lineBytes = 0;
  /** The first non-blank line while it arrives (at most lineBytes); null once checked. */
  private first: Buffer[] | null = [];

  push(chunk: Buffer): void {
    // CR-only and CRLF files are rare: without a CR in the chunk, LFs alone end lines.
    const hasCr = chunk.includes(CR);
    let start = 0;
    for (;;) {
      const end = nextLineEnd(chunk, start, hasCr);
      this.lineBytes += end - start;
      if (this.lineBytes > DATASET_LIMITS.lineBytes) throw lineTooLong(this.line);
      if (this.first) this.first.push(chunk.subarray(start, end));
      if (end === chunk.length) return;
      this.lineEnded();
      if (chunk[end] === LF || chunk[end + 1] !== LF) this.line += 1;
      start = end + 1;
    }
  }

  end(): void {
    this.lineEnded();
  }

  private lineEnded(): void {
    this.lineBytes = 0;
    if (!this.first) return;
    const text = Buffer.concat(this.first).toString('utf8');
    this.first = [];
    if (text.trim() === '') return;
    this.first = null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return; // The parser reports it with its row number.
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value).length;
      if (keys > DATASET_LIMITS.columns) throw tooManyColumns(keys);
    }
  }
}

/** Index of the next LF (or CR, when the chunk has one) from `from` on, or the chunk's length. */
function nextLineEnd(chunk: Buffer, from: number, hasCr: boolean): number {
  const lf = chunk.indexOf(LF, from);
  const end = lf < 0 ? chunk.length : lf;
  if (!hasCr) return end;
  const cr = chunk.subarray(from, end).indexOf(CR);
  return cr < 0 ? end : from + cr;
}

/** A JSON array is parsed whole: only its size can be checked while it arrives. */
class JsonArrayScanner implements LimitScanner {
  private bytes = 0;

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > DATASET_LIMITS.jsonArrayBytes) throw jsonArrayTooLarge();
  }

  end(): void {}
}
