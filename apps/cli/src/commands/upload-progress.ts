import { Transform } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';

/**
 * Counts bytes on their way to the registry and shows them as a bar on a terminal (nothing
 * when stderr is not a TTY or output is JSON, so scripts read clean output).
 */
export function uploadProgress(total: number, quiet: boolean): Transform {
  const bar =
    quiet || !process.stderr.isTTY
      ? undefined
      : new SingleBar(
          {
            format: '  {bar} {percentage}% | {sent} of {size} MB uploaded',
            hideCursor: true,
          },
          Presets.shades_classic,
        );
  const mb = (n: number) => (n / 1024 ** 2).toFixed(1);
  let sent = 0;
  bar?.start(total, 0, { sent: mb(0), size: mb(total) });
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      bar?.update(Math.min(sent, total), { sent: mb(sent), size: mb(total) });
      done(null, chunk);
    },
    flush(done) {
      bar?.stop();
      done();
    },
  });
}
