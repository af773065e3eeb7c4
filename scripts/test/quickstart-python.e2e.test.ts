import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/services';
import { startStack, type Stack } from '../lib/stack';

/**
 * docs/examples/quickstart.py, the Python quick start of docs/registry.md, run with the
 * machine's `python3` (standard library only) against the real registry, trainer and serving
 * as processes, configured through the environment as a user would.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    label: 'quickstart-py',
    apps: ['trainer', 'serving'],
    env: { SERVING_RECONCILE_MS: '5000' },
  });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

function python(script: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('python3', [script], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('python3 docs/examples/quickstart.py', () => {
  it(
    'ingests, trains, promotes, waits for serving and predicts',
    { timeout: 300_000 },
    async () => {
      const { code, stdout, stderr } = await python(
        path.join('docs', 'examples', 'quickstart.py'),
        {
          REGISTRY_URL: stack.urls.registry ?? '',
          SERVING_URL: stack.urls.serving ?? '',
          MLOPS_TOKEN: stack.adminToken,
        },
      );
      expect(code, `quickstart failed:\n${stdout}\n${stderr}`).toBe(0);
      expect(stdout).toMatch(/^dataset iris v1 \(150 rows\)$/m);
      expect(stdout).toMatch(/^run completed: iris v1, accuracy 0\.\d+$/m);
      expect(stdout).toMatch(/^champion -> v1$/m);
      expect(stdout).toMatch(/^serving iris v1$/m);
      // Rows 0, 64 and 100 of the CSV: a clear case of each species, each predicted as its own.
      const predicted = [...stdout.matchAll(/^predicted (\S+) \((0\.\d\d|1\.00)\) for a (\S+)$/gm)];
      expect(predicted.map((m) => m[3])).toEqual(['setosa', 'versicolor', 'virginica']);
      for (const m of predicted) expect(m[1]).toBe(m[3]);
      // What the script did is what the registry holds (the REST calls were real).
      const champion = await stack.admin.api.versions.resolve.query({
        model: 'iris',
        alias: 'champion',
      });
      expect(champion.version).toBe(1);
    },
  );

  it('stops with the API error, naming the field, when the token is wrong', async () => {
    const { code, stdout, stderr } = await python(path.join('docs', 'examples', 'quickstart.py'), {
      REGISTRY_URL: stack.urls.registry ?? '',
      SERVING_URL: stack.urls.serving ?? '',
      MLOPS_TOKEN: 'mlops_not-a-real-token',
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/answered 401: \{"error":\{"code":"UNAUTHORIZED"/);
  });
});
