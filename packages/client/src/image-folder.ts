import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/** What goes into an image dataset archive: images and a CSV / JSON Lines manifest. */
const WANTED = /\.(jpe?g|png|webp|csv|jsonl|ndjson)$/i;

export interface FolderFile {
  /** `/`-separated path relative to the folder. */
  name: string;
  file: string;
  size: number;
}

/** The folder's images and manifests, in sorted path order (hidden files left out). */
export function folderFiles(root: string): FolderFile[] {
  const out: FolderFile[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith('.')) continue;
      const file = path.join(dir, entry.name);
      const name = prefix + entry.name;
      if (entry.isDirectory()) walk(file, `${name}/`);
      else if (entry.isFile() && WANTED.test(entry.name))
        out.push({ name, file, size: fs.statSync(file).size });
    }
  };
  walk(root, '');
  return out;
}

/** Bytes the tar of `files` will have: a 512-byte header per file, data padded to 512, 1 KB end. */
export function tarSize(files: readonly FolderFile[]): number {
  return files.reduce((n, f) => n + 512 + Math.ceil(f.size / 512) * 512, 1024);
}

/**
 * A tar stream of the files, packed while it is read: one file open at a time, nothing copied
 * to disk and no file held in memory.
 */
export function packFolder(files: readonly FolderFile[]): Readable {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const f of files) {
        const entry = pack.entry({ name: f.name, size: f.size, mode: 0o644 });
        await pipeline(fs.createReadStream(f.file), entry);
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return Readable.from(pack);
}
