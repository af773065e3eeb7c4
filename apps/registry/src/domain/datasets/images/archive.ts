import fs from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import yauzl from 'yauzl';
import { AppError, type ArchiveFormat } from '@mlops/contracts';

/** A file of an archive; `open` may be called once, or not at all to skip the file. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, without a leading `./`. */
  path: string;
  /** Size the archive declares (the reader still counts the bytes it gets). */
  size: number;
  open(): Promise<Readable>;
}

/**
 * Visit every regular file of a spooled archive in archive order, one at a time: only the entry
 * being read is in flight, whatever the archive's size. Zip needs its central directory at the
 * end of the file, hence the spooled file rather than the request body.
 */
export async function forEachArchiveEntry(
  file: string,
  format: ArchiveFormat,
  onEntry: (entry: ArchiveEntry) => Promise<void>,
): Promise<void> {
  if (format === 'zip') return forEachZipEntry(file, onEntry);
  return forEachTarEntry(file, format === 'tar.gz', onEntry);
}

function unreadable(format: string, err: unknown): AppError {
  const reason = err instanceof Error ? err.message : String(err);
  return new AppError(
    'VALIDATION_FAILED',
    `the upload is not a readable ${format} archive: ${reason}`,
    [{ path: 'body', message: `not a ${format} archive` }],
  );
}

async function forEachZipEntry(
  file: string,
  onEntry: (entry: ArchiveEntry) => Promise<void>,
): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, z) =>
      err ? reject(unreadable('zip', err)) : resolve(z),
    ),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (err: unknown) => reject(unreadable('zip', err)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) {
          zip.readEntry();
          return;
        }
        const visit: ArchiveEntry = {
          path: normalize(entry.fileName),
          size: entry.uncompressedSize,
          open: () =>
            new Promise<Readable>((res, rej) =>
              zip.openReadStream(entry, (err, stream) =>
                err ? rej(unreadable('zip', err)) : res(stream),
              ),
            ),
        };
        onEntry(visit).then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

async function forEachTarEntry(
  file: string,
  gzipped: boolean,
  onEntry: (entry: ArchiveEntry) => Promise<void>,
): Promise<void> {
  const extract = tar.extract();
  const source = fs.createReadStream(file);
  const input = gzipped ? source.pipe(createGunzip()) : source;
  const format = gzipped ? 'tar.gz' : 'tar';
  // A gunzip or read error must end the iteration below instead of leaving it waiting.
  input.on('error', (err: Error) => extract.destroy(unreadable(format, err)));
  input.pipe(extract);
  let handlerError: Error | null = null;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      let ended = false;
      entry.once('end', () => (ended = true));
      if (header.type === 'file' || header.type === 'contiguous-file') {
        try {
          await onEntry({
            path: normalize(header.name),
            size: header.size ?? 0,
            // tar-stream's entries are streamx streams: hand out a Node stream.
            open: () => Promise.resolve(Readable.from(entry)),
          });
        } catch (err) {
          handlerError = err instanceof Error ? err : new Error(String(err));
          break;
        }
      }
      // Skipped and partly read entries are drained so the next header can be read.
      if (!ended) {
        await new Promise<void>((resolve) => {
          entry.once('end', resolve).once('close', resolve);
          entry.resume();
        });
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unreadable(format, err);
  } finally {
    source.destroy();
    extract.destroy();
  }
  if (handlerError !== null) throw handlerError;
}

function normalize(name: string): string {
  return name
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
}
