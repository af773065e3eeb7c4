import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forkRepository, scopeRenamer } from '../fork/rename';
import { REPO_ROOT } from '../lib/services';

describe('scopeRenamer', () => {
  const rename = scopeRenamer('@mlops', '@acme', ['registry', 'serving']);

  it('renames package names, imports and image names', () => {
    expect(rename(`import { x } from '@mlops/contracts';`)).toBe(
      `import { x } from '@acme/contracts';`,
    );
    expect(rename('"@mlops/registry": "*"')).toBe('"@acme/registry": "*"');
    expect(rename('image: mlops/serving:dev')).toBe('image: acme/serving:dev');
    expect(rename('image: ${IMAGE_PREFIX:-mlops}/registry:dev')).toBe(
      'image: ${IMAGE_PREFIX:-acme}/registry:dev',
    );
    expect(rename('IMAGE_PREFIX=mlops')).toBe('IMAGE_PREFIX=acme');
  });

  it('leaves the product vocabulary alone', () => {
    const text =
      'npx mlops ingest; MLOPS_TOKEN=x; prefix mlops:bull:train:wait; /tmp/mlops/serving; .mlops/registry';
    expect(rename(text)).toBe(text);
  });
});

/**
 * The fork on a copy of the repository: rename the scope, typecheck every workspace (but the web
 * app, whose JSX settings differ), run infra:check, and run the copy's own unit tests of the
 * shared packages — which load each other through the renamed scope at run time. The apps'
 * suites are not run again in the copy (as long as `npm test` itself); the copy shares this
 * checkout's npm dependencies through symlinks.
 */
/** Whose unit tests run again in the copy: the packages every app imports. */
const FORK_TESTED_PACKAGES = ['contracts', 'config', 'webhooks', 'storage'];

describe('npm run fork -- --scope @acme on a copy', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-fork-'));
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  it(
    'renames everywhere; the copy typechecks and passes its unit tests',
    { timeout: 900_000 },
    () => {
      copyRepository(REPO_ROOT, copy);
      const result = forkRepository(copy, '@acme');
      expect(result.from).toBe('@mlops');
      expect(result.relinked).toBe(true);
      expect(result.changed).toEqual(
        expect.arrayContaining([
          'package-lock.json',
          'packages/contracts/package.json',
          'infra/compose.yaml',
          'infra/k8s/base/kustomization.yaml',
          'infra/docker/registry.Dockerfile',
        ]),
      );

      const leftovers = grep(copy, '@mlops/');
      expect(leftovers, `files still naming @mlops/: ${leftovers.join(', ')}`).toEqual([]);

      // One program over every workspace's sources (each checked once: far faster than one tsc
      // per workspace, same compiler options from tsconfig.base.json).
      fs.writeFileSync(
        path.join(copy, 'tsconfig.fork-check.json'),
        JSON.stringify({
          extends: './tsconfig.base.json',
          include: [
            'packages/*/src',
            'packages/*/test',
            'apps/{registry,trainer,serving,monitor,cli}/src',
            'scripts/**/*.ts',
          ],
          exclude: ['**/node_modules'],
        }),
      );
      const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = spawnSync(
        process.execPath,
        [tsc, '--noEmit', '-p', path.join(copy, 'tsconfig.fork-check.json')],
        { encoding: 'utf8' },
      );
      expect(r.status, `typecheck of the fork:\n${r.stdout}${r.stderr}`).toBe(0);

      // Image names in compose, the manifests and the Dockerfiles moved together with the scope.
      // A fork is a git checkout: infra:check asks git that no generated secret is committed.
      spawnSync('git', ['init', '-q'], { cwd: copy });
      const infra = spawnSync(process.execPath, ['--import', 'tsx', 'infra/check/main.ts'], {
        cwd: copy,
        encoding: 'utf8',
      });
      expect(infra.status, `infra:check of the fork:\n${infra.stdout}${infra.stderr}`).toBe(0);
      expect(
        fs.readFileSync(path.join(copy, 'infra/k8s/base/kustomization.yaml'), 'utf8'),
      ).toContain('name: acme/serving');

      // The renamed packages resolve at run time, not only for the compiler.
      const vitest = path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
      for (const pkg of FORK_TESTED_PACKAGES) {
        const t = spawnSync(process.execPath, [vitest, 'run', '--reporter=dot'], {
          cwd: path.join(copy, 'packages', pkg),
          encoding: 'utf8',
          env: { ...process.env, CI: '1' },
        });
        expect(t.status, `unit tests of the fork's ${pkg}:\n${t.stdout}${t.stderr}`).toBe(0);
      }
    },
  );

  it('error: refuses something that is not a scope', () => {
    expect(() => forkRepository(copy, 'acme')).toThrow(/not an npm scope/);
    expect(() => forkRepository(copy, '@Acme Corp')).toThrow(/not an npm scope/);
  });
});

/** Source files only; node_modules becomes links to this checkout's packages, workspaces linked to the copy. */
function copyRepository(from: string, to: string): void {
  const skip = new Set(['node_modules', '.git', 'dist', '.turbo', '.vitest', '.mlops', 'coverage']);
  fs.cpSync(from, to, { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  const modules = path.join(to, 'node_modules');
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(from, 'node_modules'))) {
    const source = path.join(from, 'node_modules', entry);
    if (entry === '@mlops') {
      fs.mkdirSync(path.join(modules, entry));
      for (const link of fs.readdirSync(source)) {
        fs.symlinkSync(fs.readlinkSync(path.join(source, link)), path.join(modules, entry, link));
      }
    } else fs.symlinkSync(source, path.join(modules, entry));
  }
}

function grep(root: string, needle: string): string[] {
  const r = spawnSync('grep', ['-rl', '--exclude-dir=node_modules', needle, '.'], {
    cwd: root,
    encoding: 'utf8',
  });
  return r.stdout.split('\n').filter(Boolean);
}
