import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** npm scope rules: lowercase, URL-safe, no leading dot or underscore. */
export const SCOPE_PATTERN = /^@[a-z0-9][a-z0-9._-]{0,49}$/;

const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  'dist',
  '.turbo',
  '.vitest',
  '.mlops',
  'coverage',
]);

/** The current scope, read from the contracts package (every workspace shares it). */
export function currentScope(root: string): string {
  const pkg = JSON.parse(
    fs.readFileSync(path.join(root, 'packages', 'contracts', 'package.json'), 'utf8'),
  ) as { name: string };
  const scope = pkg.name.split('/')[0];
  if (!scope || !SCOPE_PATTERN.test(scope))
    throw new Error(`packages/contracts/package.json name "${pkg.name}" has no npm scope`);
  return scope;
}

/** Apps that ship as images (`<scope>/<app>`): every apps/<name> with a src/server.ts. */
export function imageApps(root: string): string[] {
  const apps = path.join(root, 'apps');
  return fs
    .readdirSync(apps, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(apps, d.name, 'src', 'server.ts')))
    .map((d) => d.name);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The text substitution of a fork: package names and imports (`@old/x` → `@new/x`) and image
 * names (`old/<app>`, also as `${IMAGE_PREFIX:-old}/<app>` and `IMAGE_PREFIX=old`). Other uses
 * of the word (the `mlops` CLI, `MLOPS_*` variables, the Redis prefix) are the product's
 * vocabulary, not the scope, and stay.
 */
export function scopeRenamer(
  from: string,
  to: string,
  apps: readonly string[],
): (text: string) => string {
  const oldName = from.slice(1);
  const newName = to.slice(1);
  const packages = new RegExp(`${escape(from)}/`, 'g');
  const appAlternation = apps.map(escape).join('|');
  const images = new RegExp(
    `(?<![@\\w./]|[^:]-)${escape(oldName)}(\\}?)/(${appAlternation})\\b`,
    'g',
  );
  const imagePrefix = new RegExp(`\\bIMAGE_PREFIX=${escape(oldName)}\\b`, 'g');
  return (text) =>
    text
      .replace(packages, `${to}/`)
      .replace(images, (_m, brace: string, app: string) => `${newName}${brace}/${app}`)
      .replace(imagePrefix, `IMAGE_PREFIX=${newName}`);
}

/** Files of the repository: git's view (tracked + untracked, not ignored) or a walk without build output. */
export function repositoryFiles(root: string): string[] {
  if (fs.existsSync(path.join(root, '.git'))) {
    const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
    });
    if (r.status === 0)
      return r.stdout.split('\0').filter((f) => f && fs.existsSync(path.join(root, f)));
  }
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory() && !SKIP_DIRS.has(d.name)) walk(child);
      else if (d.isFile()) out.push(child);
    }
  };
  walk('');
  return out;
}

export interface ForkResult {
  from: string;
  to: string;
  changed: string[];
  relinked: boolean;
}

/**
 * Rename the package scope of the repository at `root` in place. The workspace links in
 * node_modules move to the new scope too, so the fork typechecks and tests without a reinstall.
 */
export function forkRepository(
  root: string,
  to: string,
  opts: { dryRun?: boolean } = {},
): ForkResult {
  if (!SCOPE_PATTERN.test(to))
    throw new Error(
      `"${to}" is not an npm scope: use @ and lowercase letters, digits, "-", "." or "_" (e.g. @acme)`,
    );
  const from = currentScope(root);
  if (from === to) return { from, to, changed: [], relinked: false };
  const rename = scopeRenamer(from, to, imageApps(root));
  const changed: string[] = [];
  for (const rel of repositoryFiles(root)) {
    const file = path.join(root, rel);
    const buf = fs.readFileSync(file);
    if (buf.includes(0)) continue; // binary
    const text = buf.toString('utf8');
    const next = rename(text);
    if (next === text) continue;
    changed.push(rel);
    if (!opts.dryRun) fs.writeFileSync(file, next);
  }
  const oldLinks = path.join(root, 'node_modules', from);
  const newLinks = path.join(root, 'node_modules', to);
  const relinked = !opts.dryRun && fs.existsSync(oldLinks) && !fs.existsSync(newLinks);
  if (relinked) fs.renameSync(oldLinks, newLinks);
  return { from, to, changed, relinked };
}
