import fs from 'node:fs';

/**
 * Modes of everything the registry keeps on disk: the database, its WAL, artifacts, temp files
 * and logs hold training data, model weights and token hashes, so only the owner may read them.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Create `dir` (and parents) owner-only, and tighten it when it already exists. Answers false
 * when it is not ours to tighten (EPERM: a Kubernetes volume owned by root, group-writable
 * through fsGroup); the caller says so instead of refusing to start.
 */
export function privateDir(dir: string): boolean {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return chmodIfPresent(dir, PRIVATE_DIR_MODE);
}

/**
 * Tighten what an earlier, looser version left: `dir` itself and its direct entries (files
 * 0600, directories 0700). Not recursive: an owner-only directory already hides what is below.
 * Answers the paths it was not allowed to tighten.
 */
export function tightenDir(dir: string): string[] {
  const refused = privateDir(dir) ? [] : [dir];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const mode = entry.isDirectory() ? PRIVATE_DIR_MODE : entry.isFile() ? PRIVATE_FILE_MODE : 0;
    const file = `${dir}/${entry.name}`;
    if (mode && !chmodIfPresent(file, mode)) refused.push(file);
  }
  return refused;
}

/** chmod; a missing file is fine, one we may not change answers false. */
export function chmodIfPresent(file: string, mode: number): boolean {
  try {
    fs.chmodSync(file, mode);
    return true;
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
    if (code === 'ENOENT') return true;
    if (code === 'EPERM') return false;
    throw err;
  }
}
