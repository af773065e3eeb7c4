import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { AppError } from '@mlops/contracts';

/**
 * Pass bytes through while hashing them; at the end, fail the stream when the content is not
 * `sha256` (a corrupted or tampered object). Readers then see an error instead of bad bytes
 * going unnoticed — the checksum is verified on every read, not only on upload.
 */
export function verifyingStream(sha256: string, where: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = hash.digest('hex');
      if (actual === sha256) {
        done();
        return;
      }
      done(
        new AppError(
          'INTERNAL',
          `stored blob ${sha256} in ${where} is corrupted (its content hashes to ${actual}); restore it from a backup or upload it again`,
        ),
      );
    },
  });
}

/** Hash-and-meter transform used by every store's put. */
export function meteringHash(maxBytes: number): {
  meter: Transform;
  digest: () => { sha256: string; size: number };
} {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(
          new AppError(
            'PAYLOAD_TOO_LARGE',
            `blob is larger than ${maxBytes} bytes; send a smaller file`,
          ),
        );
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { meter, digest: () => ({ sha256: hash.digest('hex'), size }) };
}
