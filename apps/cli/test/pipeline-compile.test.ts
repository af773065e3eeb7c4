import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { argoWorkflowValidator } from './argo-schema';

// `mlops pipeline compile` as a real child process: it needs no registry.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(HERE, '..', 'bin', 'mlops.js');
const LOOP = path.join(HERE, 'fixtures', 'argo', 'iris-loop.yaml');
let dir: string;

function mlops(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-compile-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('mlops pipeline compile --target argo', () => {
  it('writes a valid Argo Workflow to the -o file', async () => {
    const out = path.join(dir, 'wf.yaml');
    const r = await mlops([
      'pipeline',
      'compile',
      LOOP,
      '--target',
      'argo',
      '-o',
      out,
      '--image',
      'my/trainer:2',
    ]);
    expect(r.stderr).toBe(`wrote ${out}: Argo Workflow of 6 steps from pipeline iris_loop\n`);
    expect(r.code).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Pipeline "iris_loop" compiled by/);
    const wf = parse(text) as {
      kind: string;
      spec: { templates: { container?: { image: string } }[] };
    };
    expect(argoWorkflowValidator(true)(wf)).toEqual([]);
    expect(wf.kind).toBe('Workflow');
    expect(wf.spec.templates.filter((t) => t.container).map((t) => t.container!.image)).toEqual(
      Array(6).fill('my/trainer:2'),
    );
  });

  it('reads a JavaScript module and prints YAML, or JSON with --json', async () => {
    const file = path.join(dir, 'one.mjs');
    fs.writeFileSync(
      file,
      "export default { name: 'one', steps: [{ id: 'a', uses: 'validate' }] };\n",
    );
    const yaml = await mlops(['pipeline', 'compile', file, '--target', 'argo']);
    expect(yaml.code).toBe(0);
    expect(parse(yaml.stdout)).toMatchObject({ metadata: { generateName: 'one-' } });
    const json = await mlops(['--json', 'pipeline', 'compile', file, '--target', 'argo']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'Workflow',
      spec: { entrypoint: 'pipeline' },
    });
  });

  it('refuses a bad definition naming the field, and a missing file', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'name: x\nsteps:\n  - { id: a, uses: train, retries: 99 }\n');
    const r = await mlops(['pipeline', 'compile', bad, '--target', 'argo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('steps.0.retries');
    const missing = await mlops([
      'pipeline',
      'compile',
      path.join(dir, 'nope.yaml'),
      '--target',
      'argo',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('file not found');
  });

  it('refuses a missing or unknown target', async () => {
    const noTarget = await mlops(['pipeline', 'compile', LOOP]);
    expect(noTarget.code).not.toBe(0);
    expect(noTarget.stderr).toContain("'--target <engine>' not specified");
    const other = await mlops(['pipeline', 'compile', LOOP, '--target', 'kubeflow']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('Allowed choices are argo');
  });
});
