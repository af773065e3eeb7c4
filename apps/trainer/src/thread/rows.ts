import { AppError, isCellRow, type CellValue } from '@mlops/contracts';

/**
 * How a chunk of canonical rows crosses to the training thread: one transferred ArrayBuffer of
 * JSON Lines, each row's cell array on a line of its own. Rows sent as arrays were cloned into
 * the thread's heap a chunk at a time, and a chunk (with the one prefetched) outlived the
 * training of a shuffle window: V8 promoted every row to the old space, which then grew with the
 * rows streamed until a full GC. As bytes, a chunk is one off-heap buffer; the thread parses a
 * row only when the fit asks for it, so row arrays die young.
 *
 * The bytes are the registry's own (its rows body is these JSON Lines): the host forwards them
 * in the blocks of whole lines the client cuts them into and never parses a row. Parsing,
 * checking and re-encoding every row there cost ~130–170 ms a pass for 20,000 rows of 16
 * numbers (2.7 MB), against ~5–8 ms to forward the bytes and ~30–40 ms for the thread's one
 * parse and check. JSON escapes newlines inside strings, so a raw `\n` byte always ends a row.
 */
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Host side: blocks of whole lines copied into a buffer that grows as needed, then transferred. */
export class RowChunkWriter {
  private buffer: Buffer<ArrayBuffer>;
  private length = 0;
  /** Lines (rows) written so far. */
  count = 0;

  /** `capacity`: bytes to start with (the previous chunk's size avoids most growing). */
  constructor(capacity: number) {
    this.buffer = Buffer.from(new ArrayBuffer(Math.max(1_024, capacity)));
  }

  /**
   * Append `lines`: whole lines, each ending with its newline. Copied, so the chunk owns its
   * buffer and can move it (a block may be a view into a buffer shared with other bytes).
   */
  push(lines: Uint8Array): void {
    this.reserve(lines.byteLength);
    this.buffer.set(lines, this.length);
    this.length += lines.byteLength;
    this.count += countLines(lines);
  }

  /** The rows written: a view from the start of a buffer it alone uses (transfer that buffer). */
  finish(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.buffer.buffer, 0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.from(
      new ArrayBuffer(Math.max(2 * this.buffer.length, this.length + bytes)),
    );
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) lines++;
  return lines;
}

/**
 * Thread side: the rows of one pass over the dataset, chunk by chunk, each parsed and checked
 * only when asked for. Nothing upstream checks them (the host forwards the registry's bytes), so
 * this is where a malformed row is caught — named by its number in the dataset, in the words of
 * the registry client's checked reader, `parseRows`.
 */
export class RowReader {
  /** Rows read so far in this pass (blank lines are not rows). */
  private rows = 0;

  *read(bytes: Uint8Array): Generator<CellValue[]> {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at < text.length) {
      let end = text.indexOf(NEWLINE, at);
      if (end < 0) end = text.length;
      // A CRLF line end is a line end too (as readline reads it), not part of the row.
      const stop = end > at && text[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
      if (stop > at) yield this.parse(text.toString('utf8', at, stop));
      at = end + 1;
    }
  }

  private parse(line: string): CellValue[] {
    this.rows++;
    let cells: unknown;
    try {
      cells = JSON.parse(line);
    } catch {
      cells = undefined;
    }
    if (!isCellRow(cells)) {
      throw new AppError(
        'INTERNAL',
        `row ${this.rows} of the stored dataset is not a JSON array of cells`,
      );
    }
    return cells;
  }
}
