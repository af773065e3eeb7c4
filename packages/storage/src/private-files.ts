import fs from 'node:fs';

/**
 * Modes of everything the registry keeps on disk: the database, its WAL, artifacts, temp files
 * and logs hold training data, model weights and token hashes, so only the owner may read them.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create `dir` (and parents) owner-only, and tighten it when it already exists. */
export function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Tighten what an earlier, looser version left: `dir` itself and its direct entries (files
 * 0600, directories 0700). Not recursive: an owner-only directory already hides what is below.
 */
export function tightenDir(dir: string): void {
  privateDir(dir);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const mode = entry.isDirectory() ? PRIVATE_DIR_MODE : entry.isFile() ? PRIVATE_FILE_MODE : 0;
    if (mode) chmodIfPresent(`${dir}/${entry.name}`, mode);
  }
}

export function chmodIfPresent(file: string, mode: number): void {
  try {
    fs.chmodSync(file, mode);
  } catch (err) {
    if (!(typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT'))
      throw err;
  }
}
