import fsp from 'node:fs/promises';
import path from 'node:path';

/** What a sweep of temp files removed (or, in a dry run, would remove). */
export interface TempSweep {
  files: number;
  bytes: number;
}

/**
 * Before this date, a temp file is stale; `all`: every temp file is (at start-up, when no
 * upload of this process can be in flight yet).
 */
export type StaleBefore = Date | 'all';

/**
 * Remove the regular files directly in `dir` last modified before `olderThan` (and, when given,
 * whose name `matches`). Temp files of uploads in flight are written as the bytes arrive, so an
 * old modification time means the upload died with its process. A missing `dir` is empty.
 */
export async function removeStaleFiles(
  dir: string,
  olderThan: StaleBefore,
  opts: { dryRun?: boolean; matches?: (name: string) => boolean } = {},
): Promise<TempSweep> {
  const out: TempSweep = { files: 0, bytes: 0 };
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if (isNotFound(err)) return out;
    throw err;
  }
  for (const name of names) {
    if (opts.matches && !opts.matches(name)) continue;
    const file = path.join(dir, name);
    const stat = await fsp.lstat(file).catch(() => null);
    if (!stat?.isFile() || (olderThan !== 'all' && stat.mtime >= olderThan)) continue;
    if (!opts.dryRun) {
      try {
        await fsp.unlink(file);
      } catch (err) {
        if (isNotFound(err)) continue; // Its upload finished and removed it meanwhile.
        throw err;
      }
    }
    out.files += 1;
    out.bytes += stat.size;
  }
  return out;
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}
