import { execFileSync } from 'node:child_process';

let cached: string | undefined;

/**
 * Revision of the code that trains, for lineage: `GIT_REVISION` (set by images and CI, where
 * there is no .git), else `git rev-parse HEAD` when git and a checkout are there, else `unknown`.
 */
export function codeRevision(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.GIT_REVISION?.trim();
  if (fromEnv) return fromEnv;
  if (cached !== undefined) return cached;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      timeout: 2_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    cached = /^[0-9a-f]{7,64}$/.test(out) ? out : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
