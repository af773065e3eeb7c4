import { deflateRawSync, crc32, gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/**
 * Zip and tar.gz archives built in memory, for tests of image-dataset uploads in every workspace
 * (`@mlops/registry/testing/archives`). Not used by the registry at run time.
 */

/** A file to put in a test archive. */
export interface ArchiveFile {
  path: string;
  data: Buffer | string;
}

/**
 * A real zip (deflated entries, central directory at the end) built in memory: enough for test
 * archives of a few hundred KB, and no zip library only for the tests.
 */
export function zipOf(files: ArchiveFile[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const data = Buffer.isBuffer(file.data) ? file.data : Buffer.from(file.data);
    const packed = deflateRawSync(data);
    const name = Buffer.from(file.path);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A tar (or, with `gzip`, a tar.gz) of the files, built with tar-stream's packer. */
export async function tarOf(files: ArchiveFile[], gzip = false): Promise<Buffer> {
  const pack = tar.pack();
  for (const file of files) pack.entry({ name: file.path }, file.data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  const plain = Buffer.concat(chunks);
  return gzip ? gzipSync(plain) : plain;
}
