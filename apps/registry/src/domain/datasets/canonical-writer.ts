import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import type { CellValue, Column, DatasetProfile } from '@mlops/contracts';
import { ProfileBuilder } from '@mlops/ml/profile';
import { DuplicateCounter } from '@mlops/ml/validation';
import { PRIVATE_FILE_MODE } from '@mlops/storage';

/** What the canonical form of an upload is: its identity, size and profile. */
export interface Canonical {
  hash: string;
  rowCount: number;
  sizeBytes: number;
  profile: DatasetProfile;
}

/**
 * Bytes of lines gathered before one hash update and one write (a native call each, not one a
 * row). Each line is encoded into the chunk as it comes, so its string dies young.
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
    const json = texts ? rowLine(values, texts) : JSON.stringify(values);
    this.rowCount += 1;
    this.profile.addValues(values);
    this.duplicates.add(json);
    // A UTF-16 unit is at most 3 UTF-8 bytes; the newline one more.
    let wait: Promise<void> | undefined;
    if (this.used + json.length * 3 + 1 > this.chunk.length) wait = this.flush(json.length * 3 + 1);
    this.used += this.chunk.write(json, this.used, 'utf8');
    this.chunk[this.used++] = 0x0a;
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

/**
 * `JSON.stringify(values)`, taking numbers' texts from `texts` where given and writing strings
 * that need no escape between quotes: a line without printing each number again.
 */
export function rowLine(values: readonly CellValue[], texts: ReadonlyArray<string | null>): string {
  let line = '[';
  for (let j = 0; j < values.length; j++) {
    if (j > 0) line += ',';
    const v = values[j] ?? null;
    if (typeof v === 'string') line += plain(v) ? `"${v}"` : JSON.stringify(v);
    else if (typeof v === 'number') line += texts[j] ?? JSON.stringify(v);
    else line += v === null ? 'null' : v ? 'true' : 'false';
  }
  return `${line}]`;
}

/** Whether JSON.stringify writes `s` as it is between quotes: no quote, backslash, control or surrogate. */
function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}
