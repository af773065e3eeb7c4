import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRegistryClient } from '@mlops/client';
import { createLogger, serviceToken } from '@mlops/config';
import { parsePipelineText, type JsonValue, type PipelineRun } from '@mlops/contracts';
import { initBackend } from '@mlops/ml/backend';
import { createEvaluateWorker } from '../src/evaluation/worker';
import { createPipelineWorker } from '../src/pipelines/worker';
import { blobRows } from './data';
import { startRegistry, startWorker, toCsv, TOKEN, type Harness } from './registry-harness';

/**
 * The Argo step entrypoint, as Argo drives it: a real pipeline compiled by the CLI
 * (`mlops pipeline compile --target argo --json`, a child process), then each template's
 * command run in DAG order as a child process against the real registry and Redis, each
 * step's outputs file handed to the steps below as `--upstream`, as Argo's parameters would.
 */
const exec = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const STEP = path.join(ROOT, 'apps/trainer/src/pipeline-step.ts');
const ARGO_OUTPUTS_PATH = '/tmp/mlops/outputs.json';

const TEXT = `
name: argo-blobs
parameters:
  epochs: { type: integer, default: 6, min: 1 }
  minAccuracy: { type: number, default: 0.5 }
steps:
  - id: ingest
    uses: ingest
    with: { dataset: argo-blobs, path: blobs.csv }
  - id: validate
    uses: validate
    with: { dataset: "\${{ steps.ingest.outputs.dataset }}", version: "\${{ steps.ingest.outputs.version }}" }
  - id: train
    uses: train
    dependsOn: [validate]
    with:
      modelName: argo-blobs
      dataset: { name: argo-blobs, version: "\${{ steps.ingest.outputs.version }}" }
      task: classification
      target: species
      backend: cpu
      hyperparameters: { epochs: "\${{ params.epochs }}", learningRate: 0.02 }
  - id: gate
    uses: gate
    with: { model: argo-blobs, version: "\${{ steps.train.outputs.version }}" }
  - id: deploy
    uses: set-alias
    with: { model: argo-blobs, version: "\${{ steps.train.outputs.version }}", alias: champion }
    when:
      - { left: "\${{ steps.gate.outputs.passed }}", op: eq, right: true }
      - { left: "\${{ steps.train.outputs.metrics.accuracy }}", op: gte, right: "\${{ params.minAccuracy }}" }
`;

interface Param {
  name: string;
  value?: string;
}
interface Workflow {
  spec: {
    arguments: { parameters: Param[] };
    templates: {
      name: string;
      dag?: { tasks: { name: string; template: string; arguments?: { parameters: Param[] } }[] };
      container?: { command: string[]; args: string[] };
    }[];
  };
}

let h: Harness;
let workflow: Workflow;
let tmp: string;
const workers: { close(): Promise<void> }[] = [];
const logger = createLogger('pipeline-step-it', 'silent');

beforeAll(async () => {
  await initBackend('cpu');
  h = await startRegistry();
  fs.writeFileSync(path.join(h.dir, 'blobs.csv'), toCsv(blobRows(150)));
  // The steps' work goes to the real workers: training and evaluation, in this process.
  workers.push(startWorker(h, 'pipeline-step-train'));
  workers.push(
    createEvaluateWorker({
      connection: h.redis,
      redisPrefix: h.prefix,
      registry: h.client,
      backend: 'cpu',
      logger,
    }),
  );
  tmp = fs.mkdtempSync(path.join(h.dir, 'argo-'));
  const file = path.join(tmp, 'argo-blobs.yaml');
  fs.writeFileSync(file, TEXT);
  const cli = path.join(ROOT, 'apps/cli/bin/mlops.js');
  const { stdout } = await exec(
    process.execPath,
    [cli, 'pipeline', 'compile', file, '--target', 'argo', '--json'],
    { cwd: ROOT },
  );
  workflow = JSON.parse(stdout) as Workflow;
}, 120_000);

afterAll(async () => {
  for (const w of workers) await w.close();
  await h?.close();
});

interface StepResult {
  code: number;
  outputs: Record<string, JsonValue>;
  cached: boolean;
  stderr: string;
}

/** One pod: the template's command with Argo's placeholders filled in, as a child process. */
async function runPod(args: string[], outputsFile: string): Promise<StepResult> {
  const env = {
    ...process.env,
    REGISTRY_URL: h.url,
    MLOPS_TOKEN: serviceToken(TOKEN, 'trainer'),
    MLOPS_DATA_DIR: h.dir,
    LOG_LEVEL: 'info',
  };
  const r = await exec(process.execPath, ['--import', 'tsx', STEP, ...args], {
    cwd: ROOT,
    env,
  }).then(
    (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  return {
    code: r.code,
    outputs:
      r.code === 0
        ? (JSON.parse(fs.readFileSync(outputsFile, 'utf8')) as Record<string, JsonValue>)
        : {},
    cached: (JSON.parse(last) as { cached?: boolean }).cached === true,
    stderr: r.stderr,
  };
}

/** The whole workflow in DAG order (the compiler emits tasks in definition order). */
async function runWorkflow(): Promise<Record<string, StepResult>> {
  const uid = randomUUID();
  const wfParams = Object.fromEntries(
    workflow.spec.arguments.parameters.map((p) => [p.name, p.value ?? '']),
  );
  const templates = new Map(workflow.spec.templates.map((t) => [t.name, t]));
  const dag = workflow.spec.templates.find((t) => t.dag)!.dag!;
  const outputsJson: Record<string, string> = {};
  const results: Record<string, StepResult> = {};
  for (const task of dag.tasks) {
    const container = templates.get(task.template)!.container!;
    expect(container.command.slice(-1)).toEqual(['apps/trainer/dist/pipeline-step.js']);
    const inputs = Object.fromEntries(
      (task.arguments?.parameters ?? []).map((p) => [
        p.name,
        outputsJson[/\{\{tasks\.([^.]+)\./.exec(p.value ?? '')![1]!]!,
      ]),
    );
    const outputsFile = path.join(tmp, `${uid}-${task.name}.json`);
    const args = container.args.map((a) =>
      a
        .replace(/\{\{workflow\.parameters\.([^}]+)\}\}/g, (_, n: string) => wfParams[n]!)
        .replace(/\{\{inputs\.parameters\.([^}]+)\}\}/g, (_, n: string) => inputs[n]!)
        .replace('{{workflow.uid}}', uid)
        .replace(ARGO_OUTPUTS_PATH, outputsFile),
    );
    const r = await runPod(args, outputsFile);
    expect(r.code, `${task.name} failed: ${r.stderr}`).toBe(0);
    outputsJson[task.name] = fs.readFileSync(outputsFile, 'utf8');
    results[task.name] = r;
  }
  return results;
}

describe('the Argo step entrypoint (apps/trainer/src/pipeline-step.ts)', () => {
  it('runs a compiled workflow step by step, then serves a second pass from the cache', async () => {
    const first = await runWorkflow();
    expect(Object.keys(first)).toEqual(['ingest', 'validate', 'train', 'gate', 'deploy']);
    expect(Object.values(first).map((r) => r.cached)).toEqual([false, false, false, false, false]);
    expect(first.ingest!.outputs).toMatchObject({ dataset: 'argo-blobs', version: 1, rows: 150 });
    expect(first.validate!.outputs).toMatchObject({ passed: true });
    expect(first.train!.outputs).toMatchObject({ model: 'argo-blobs', version: 1 });
    expect(first.gate!.outputs).toMatchObject({ passed: true, policy: false });
    expect(first.deploy!.outputs).toEqual({ model: 'argo-blobs', alias: 'champion', version: 1 });
    const alias = await h.client.api.aliases.list.query({ model: 'argo-blobs' });
    expect(alias.find((a) => a.alias === 'champion')?.version).toBe(1);

    // Another workflow, unchanged: every step but the deploy comes from the registry's cache.
    const second = await runWorkflow();
    expect(Object.entries(second).map(([id, r]) => [id, r.cached])).toEqual([
      ['ingest', true],
      ['validate', true],
      ['train', true],
      ['gate', true],
      ['deploy', false],
    ]);
    for (const id of ['ingest', 'validate', 'train', 'gate'])
      expect(second[id]!.outputs).toEqual(first[id]!.outputs);
    expect(await h.client.api.runs.list.query({ model: 'argo-blobs' })).toHaveLength(1);
  }, 240_000);

  it('shares the cache with the BullMQ executor: a queue run after Argo trains nothing', async () => {
    const pipelines = createPipelineWorker({
      connection: h.redis,
      redisPrefix: h.prefix,
      client: h.client,
      logger,
      dataDir: h.dir,
    });
    workers.push(pipelines);
    await h.client.api.pipelines.register.mutate({ definition: parsePipelineText(TEXT) });
    const { id } = await h.client.api.pipelines.run.mutate({ name: 'argo-blobs' });
    const run = await vi.waitFor(
      async () => {
        const r: PipelineRun = await h.client.api.pipelines.getRun.query({ id });
        if (r.status === 'queued' || r.status === 'running') throw new Error(r.status);
        return r;
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(run.steps.map((s) => [s.stepId, s.status, s.cached])).toEqual([
      ['ingest', 'succeeded', true],
      ['validate', 'succeeded', true],
      ['train', 'succeeded', true],
      ['gate', 'succeeded', true],
      ['deploy', 'succeeded', false],
    ]);
  }, 120_000);

  it('refuses bad arguments, naming them, with exit code 2', async () => {
    const template = workflow.spec.templates.find((t) => t.name === 'step-train')!.container!;
    const outputsFile = path.join(tmp, 'bad.json');
    const base = template.args.map((a) =>
      a
        .replace('{{workflow.parameters.epochs}}', '0')
        .replace(/\{\{inputs\.parameters\.[^}]+\}\}/g, '{"version": 1}')
        .replace('{{workflow.uid}}', 'bad')
        .replace(ARGO_OUTPUTS_PATH, outputsFile),
    );
    const badParam = await runPod(base, outputsFile);
    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toMatch(/--param: parameters\.epochs: must be >= 1/);

    const noOutputs = base.slice(0, base.indexOf('--outputs'));
    expect((await runPod(noOutputs, outputsFile)).stderr).toMatch(/--outputs: required/);
    const badSpec = ['--spec', Buffer.from('{"step": 1}').toString('base64'), ...base.slice(2)];
    const r = await runPod(badSpec, outputsFile);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--spec: .*pipeline/);
    const badUpstream = base.map((a) => a.replace('{"version": 1}', 'not json'));
    expect((await runPod(badUpstream, outputsFile)).stderr).toMatch(
      /--upstream \w+: the outputs are not JSON/,
    );
    expect(fs.existsSync(outputsFile)).toBe(false);

    // The cache procedures themselves: the key is checked, and a read-only token is refused.
    await expect(h.client.api.pipelines.cacheLookup.mutate({ key: 'x' })).rejects.toThrow(/key/);
    const asServing = createRegistryClient({ url: h.url, token: serviceToken(TOKEN, 'serving') });
    await expect(
      asServing.api.pipelines.cacheLookup.mutate({ key: 'a'.repeat(64) }),
    ).rejects.toThrow(/train/);
    expect(await h.client.api.pipelines.cacheLookup.mutate({ key: 'a'.repeat(64) })).toEqual({
      outputs: null,
    });
  }, 120_000);
});
