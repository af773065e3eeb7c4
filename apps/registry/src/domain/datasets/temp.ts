import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PRIVATE_FILE_MODE } from '@mlops/storage';
import { UploadLimitError, type LimitScanner } from './limits';

/** Temp files of one upload, removed together whatever happens. */
export class TempFiles {
  private readonly files: string[] = [];
  constructor(private readonly dir: string) {}

  path(suffix: string): string {
    const file = path.join(this.dir, `upload-${randomUUID()}${suffix}`);
    this.files.push(file);
    return file;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.files.map((f) => fsp.rm(f, { force: true })));
  }
}

/**
 * Stream `body` into `file`, failing with PAYLOAD_TOO_LARGE past `maxBytes` and with the first
 * limit `scanner` finds, as soon as the offending bytes arrive (nothing more is read).
 */
export async function receiveTo(
  body: Readable,
  file: string,
  maxBytes: number,
  scanner?: LimitScanner,
): Promise<number> {
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(
          new UploadLimitError(
            'size',
            `upload is larger than ${maxBytes} bytes (REGISTRY_MAX_UPLOAD_BYTES); split the data or raise the limit`,
          ),
        );
        return;
      }
      try {
        scanner?.push(chunk);
      } catch (err) {
        done(err as Error);
        return;
      }
      done(null, chunk);
    },
    flush(done) {
      try {
        scanner?.end();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  // Open before streaming: a write stream opens its file asynchronously, so a limit refused in
  // the first chunk could have the file created after `TempFiles.cleanup` already ran.
  const handle = await fsp.open(file, 'wx', PRIVATE_FILE_MODE);
  await pipeline(body, meter, handle.createWriteStream());
  return size;
}
