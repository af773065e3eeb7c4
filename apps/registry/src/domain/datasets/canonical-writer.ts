import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import type { CellValue, Column, DatasetProfile } from '@mlops/contracts';
import { ProfileBuilder } from '@mlops/ml/profile';
import { DuplicateCounter } from '@mlops/ml/validation';
import { PRIVATE_FILE_MODE } from '@mlops/storage';
import { lineBytes, lineRoom, writeLine } from './line-bytes';

export { rowLine } from './line-bytes';

/** What the canonical form of an upload is: its identity, size and profile. */
export interface Canonical {
  hash: string;
  rowCount: number;
  sizeBytes: number;
  profile: DatasetProfile;
}

/**
 * Bytes of lines gathered before one hash update and one write (a native call each, not one a
 * row). Each line is encoded straight into the chunk (line-bytes.ts): no string a line.
 */
const CHUNK_BYTES = 256 * 1024;

/**
 * Writes rows in the canonical JSON Lines form (`canonicalRowLine`: the JSON array of a row's
 * cells in column order, one a line) to `outFile`, hashing, profiling and counting duplicates as
 * they pass. `add` answers a promise only when the file asks to wait (backpressure).
 */
export class CanonicalWriter {
  private readonly out: fs.WriteStream;
  private readonly finished: Promise<unknown>;
  private readonly hash = createHash('sha256');
  private readonly profile: ProfileBuilder;
  private readonly duplicates = new DuplicateCounter();
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private closed = false;
  rowCount = 0;
  sizeBytes = 0;

  constructor(outFile: string, columns: Column[]) {
    this.out = fs.createWriteStream(outFile, { flags: 'wx', mode: PRIVATE_FILE_MODE });
    this.finished = once(this.out, 'finish');
    // A write error rejects `finished` and any drain wait; until then it must not go unhandled.
    this.finished.catch(() => undefined);
    this.profile = new ProfileBuilder(columns);
  }

  /**
   * One row's values in column order; the arrays may be reused by the caller afterwards.
   * `texts[j]`, when given, is the JSON text of number `values[j]` (what JSON.stringify prints).
   */
  add(
    values: readonly CellValue[],
    texts?: ReadonlyArray<string | null>,
  ): Promise<void> | undefined {
    this.rowCount += 1;
    this.profile.addValues(values);
    let wait: Promise<void> | undefined;
    const room = lineRoom(values) + 1;
    if (this.used + room > this.chunk.length) wait = this.flush(room);
    const start = this.used;
    const end = writeLine(this.chunk, start, values, texts);
    // The digest reads the line's characters; ASCII bytes are those characters.
    if (lineBytes.ascii) this.duplicates.addAscii(this.chunk, start, end);
    else this.duplicates.add(this.chunk.toString('utf8', start, end));
    this.chunk[end] = 0x0a;
    this.used = end + 1;
    return wait;
  }

  /** Hash and write the chunk, then start a new one with room for `room` bytes. */
  private flush(room = CHUNK_BYTES): Promise<void> | undefined {
    const bytes = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room));
    this.used = 0;
    if (bytes.length === 0) return undefined;
    this.hash.update(bytes);
    this.sizeBytes += bytes.length;
    if (this.out.write(bytes)) return undefined;
    const drained = once(this.out, 'drain').then(() => undefined);
    // A caller may keep only its last wait; an error still rejects that one and `close`.
    drained.catch(() => undefined);
    return drained;
  }

  /** Write what is left and close the file; call once, whatever happened. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      this.out.end();
      await this.finished;
    }
  }

  /** After `close`: the canonical file's hash, size and profile. */
  result(): Canonical {
    return {
      hash: this.hash.digest('hex'),
      rowCount: this.rowCount,
      sizeBytes: this.sizeBytes,
      profile: { ...this.profile.finish(), duplicateRows: this.duplicates.count },
    };
  }
}
