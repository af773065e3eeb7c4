import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
import { graphModelFiles } from '@mlops/ml/testing';

// models:/ URIs wherever the CLI takes a model version: the real registry in this process,
// the CLI as a real child process against it.

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'mlops.js');
const TOKEN = 'cli-uri-test-token-0123456789abcdef';
let dir: string;
let registry: TestRegistry;

function mlops(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--registry-url', registry.url, ...args], {
      cwd: dir,
      env: { ...process.env, MLOPS_TOKEN: TOKEN, SERVING_URL: 'http://127.0.0.1:9' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-uri-test-'));
  registry = await startTestRegistry({ token: TOKEN, name: 'cli-uri-registry' });
  const modelDir = path.join(dir, 'model');
  fs.mkdirSync(modelDir);
  for (const f of graphModelFiles()) fs.writeFileSync(path.join(modelDir, f.path), f.bytes);
  const sig = path.join(dir, 'signature.json');
  fs.writeFileSync(
    sig,
    JSON.stringify({
      task: 'regression',
      target: 'y',
      inputs: [
        { name: 'a', type: 'numeric', nullable: false },
        { name: 'b', type: 'numeric', nullable: false },
      ],
    }),
  );
  for (const n of [1, 2]) {
    const imported = await mlops(['import', modelDir, '--model', 'iris', '--signature', sig]);
    expect(imported.stdout).toContain(`imported iris v${n}`);
  }
});

afterAll(async () => {
  await registry?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('models:/ URIs in the CLI', () => {
  it('promotes models:/<name>/<version> and models:/<name>@<alias> to another alias', async () => {
    const challenger = await mlops(['promote', 'models:/iris/1', 'challenger']);
    expect(challenger.stderr).toBe('');
    expect(challenger.stdout).toBe('iris@challenger: created → v1\n');
    const champion = await mlops(['promote', 'models:/iris@challenger', 'champion']);
    expect(champion.stdout).toBe('iris@champion: created → v1\n');

    expect((await mlops(['promote', 'models:/iris/2', 'challenger'])).code).toBe(0);
    const moved = await mlops(['promote', 'models:/iris@challenger', 'champion']);
    expect(moved.stdout).toBe('iris@champion: v1 → v2\n');
    // Without a second argument the URI's version takes --alias (champion by default).
    expect((await mlops(['promote', 'models:/iris/1'])).stdout).toBe('iris@champion: v2 → v1\n');
    // The two-argument form still works.
    expect((await mlops(['promote', 'iris', '2', '-a', 'champion'])).stdout).toBe(
      'iris@champion: v1 → v2\n',
    );
  });

  it('refuses bad URIs naming what is wrong, and an unknown alias', async () => {
    const stage = await mlops(['promote', 'models:/iris/Production', 'champion']);
    expect(stage.code).toBe(1);
    expect(stage.stderr).toContain('stages do not exist here');
    const bad = await mlops(['promote', 'models:/iris/0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a positive integer');
    const ghost = await mlops(['promote', 'models:/iris@ghost', 'champion']);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toContain('ghost');
    const alone = await mlops(['promote', 'iris']);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain('models:/<model>/<version>');
  });

  it('takes a models:/ URI for evaluate', async () => {
    const data = path.join(dir, 'eval.csv');
    fs.writeFileSync(data, 'a,b,y\n1,2,3\n2,3,5\n3,4,7\n');
    expect((await mlops(['ingest', data, '--name', 'eval'])).code).toBe(0);
    const queued = await mlops([
      'evaluate',
      'models:/iris@champion',
      '--dataset',
      'eval',
      '--no-wait',
    ]);
    expect(queued.stderr).toBe('');
    expect(queued.stdout).toMatch(/^evaluation \S+ of iris v2 on eval v1 is queued\n$/);
  });
});
