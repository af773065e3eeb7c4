/**
 * Thrown when a file holds something the tokenizer does not read itself (a syntax error, a lone
 * CR, mixed line endings, a UTF-16 BOM, a quote where csv-parse would complain): the caller
 * reads the whole file again with csv-parse, which says what it always said.
 */
export class CsvFallback extends Error {
  constructor(reason: string) {
    super(`CSV tokenizer: ${reason}; read with csv-parse`);
  }
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const UNKNOWN = 0;
const LF_ENDINGS = 1;
const CRLF_ENDINGS = 2;

/** Bytes read a time; a record cut by a chunk's end is read again from its start. */
export const CSV_CHUNK_BYTES = 256 * 1024;

/** csv-parse's trimmed bytes other than line breaks: space, tab, form feed. */
/** Buffer's own decoder, without `toString`'s argument checks (a call a field). */
interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
}

function blank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0c;
}

/**
 * A CSV reader giving the records csv-parse gives with the options ingest reads with
 * (`records.ts`: `bom`, `trim`, `skip_empty_lines`, `relax_column_count`, comma, double quote,
 * `""` inside quotes), without csv-parse's per-field buffers and stream machinery: fields are
 * found in the bytes and decoded once each. It reads LF or CRLF files (one kind per file) with
 * quoted fields, escaped quotes, line breaks inside quotes, blanks around fields and a UTF-8
 * BOM; anything else — where csv-parse errors or behaves in ways not copied here — throws
 * CsvFallback before a record from that point is handed over.
 */
export class CsvTokenizer {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  private started = false;
  private endings = UNKNOWN;

  /** Append the next chunk of the file; `last` when no more will come. */
  feed(chunk: Buffer | null): void {
    const rest = this.buf.subarray(this.pos);
    this.buf = chunk ? (rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk) : rest;
    this.pos = 0;
    if (!chunk) this.eof = true;
    if (!this.started) {
      if (this.buf.length < 3 && !this.eof) return;
      this.started = true;
      const b = this.buf;
      if (b.length < 3) throw new CsvFallback('file shorter than 3 bytes');
      if (b[0] === 0xff && b[1] === 0xfe) throw new CsvFallback('UTF-16 BOM');
      if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
    }
  }

  /**
   * The next record, or null: more bytes are needed (or, after the last chunk, the file is
   * done). A fresh array each record, which the caller may keep; or, given `into`, that array
   * emptied and filled (no array a row when the caller keeps none).
   */
  next(into?: string[]): string[] | null {
    if (!this.started) return null;
    const buf = this.buf;
    const end = buf.length;
    const eof = this.eof;
    let line = this.pos;
    for (;;) {
      const cells: string[] = into ?? [];
      cells.length = 0;
      let p = line;
      for (;;) {
        while (p < end && blank(buf[p])) p++;
        if (p >= end) {
          if (!eof) return null;
          this.pos = end;
          // Blanks only after the last line break: no record, as csv-parse.
          if (cells.length === 0) return null;
          cells.push('');
          return cells;
        }
        let c = buf[p];
        if (c === QUOTE) {
          const start = p + 1;
          let q = start;
          let escaped = false;
          for (;;) {
            q = buf.indexOf(QUOTE, q);
            if (q < 0) {
              if (!eof) return null;
              throw new CsvFallback('quote not closed');
            }
            if (q + 1 >= end) {
              if (!eof) return null;
              break;
            }
            if (buf[q + 1] !== QUOTE) break;
            escaped = true;
            q += 2;
          }
          const text = (buf as unknown as Utf8Slicing).utf8Slice(start, q);
          cells.push(escaped ? text.replaceAll('""', '"') : text);
          p = q + 1;
          while (p < end && blank(buf[p])) p++;
          if (p >= end) {
            if (!eof) return null;
            this.pos = end;
            return cells;
          }
          c = buf[p];
          if (c !== COMMA && c !== LF && c !== CR)
            throw new CsvFallback('a character after a closing quote');
        } else {
          const start = p;
          while (p < end) {
            c = buf[p];
            if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
            p++;
          }
          if (p >= end) {
            if (!eof) return null;
          } else if (c === QUOTE) throw new CsvFallback('a quote inside an unquoted field');
          if (start === p) {
            if (cells.length === 0 && p < end && c !== COMMA) {
              // An empty line (blanks only): skipped, as skip_empty_lines does.
              const n = this.lineBreak(buf, p, end);
              if (n < 0) return null;
              line = p + n;
              break;
            }
            cells.push('');
          } else {
            const text = (buf as unknown as Utf8Slicing).utf8Slice(start, p);
            const last = buf[p - 1] ?? 0;
            // csv-parse trims the end of an unquoted field as String#trimEnd does.
            cells.push(last <= 0x20 || last >= 0x7f ? text.trimEnd() : text);
          }
          if (p >= end) {
            this.pos = end;
            return cells;
          }
        }
        if (c === COMMA) {
          p++;
          continue;
        }
        const n = this.lineBreak(buf, p, end);
        if (n < 0) return null;
        this.pos = p + n;
        return cells;
      }
    }
  }

  /** Length of the line break at `p` (LF or CR LF, one kind a file), or -1: more bytes needed. */
  private lineBreak(buf: Buffer, p: number, end: number): number {
    if (buf[p] === LF) {
      if (this.endings === CRLF_ENDINGS) throw new CsvFallback('LF in a CRLF file');
      this.endings = LF_ENDINGS;
      return 1;
    }
    if (p + 1 >= end) {
      if (!this.eof) return -1;
      throw new CsvFallback('CR at the end of the file');
    }
    if (buf[p + 1] !== LF) throw new CsvFallback('a CR without LF');
    if (this.endings === LF_ENDINGS) throw new CsvFallback('CRLF in an LF file');
    this.endings = CRLF_ENDINGS;
    return 2;
  }
}
