import type { CellValue } from '@mlops/contracts';

/**
 * How a chunk of canonical rows crosses to the training thread: one transferred ArrayBuffer of
 * JSON Lines, each row's cell array on a line of its own. Rows sent as arrays were cloned into
 * the thread's heap a chunk at a time, and a chunk (with the one prefetched) outlived the
 * training of a shuffle window: V8 promoted every row to the old space, which then grew with the
 * rows streamed until a full GC. As bytes, a chunk is one off-heap buffer; the thread parses a
 * row only when the fit asks for it, so row arrays die young.
 *
 * JSON keeps every CellValue exactly (the registry serves rows as JSON Lines already), and
 * escapes newlines inside strings, so a raw `\n` byte always ends a row.
 */
const NEWLINE = 0x0a;

/** Host side: rows encoded one by one into a buffer that grows as needed, then transferred. */
export class RowChunkWriter {
  private buffer: Buffer<ArrayBuffer>;
  private length = 0;
  /** Rows written so far. */
  count = 0;

  /** `capacity`: bytes to start with (the previous chunk's size avoids most growing). */
  constructor(capacity: number) {
    this.buffer = Buffer.from(new ArrayBuffer(Math.max(1_024, capacity)));
  }

  push(cells: readonly CellValue[]): void {
    const line = JSON.stringify(cells);
    this.reserve(Buffer.byteLength(line) + 1);
    this.length += this.buffer.write(line, this.length);
    this.buffer[this.length++] = NEWLINE;
    this.count++;
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

/** Thread side: the chunk's rows, each parsed only when asked for. */
export function* readRows(bytes: Uint8Array): Generator<CellValue[]> {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf(NEWLINE, at);
    if (end < 0) end = text.length;
    // Written by RowChunkWriter from rows the registry client already validated.
    yield JSON.parse(text.toString('utf8', at, end)) as CellValue[];
    at = end + 1;
  }
}
