import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipelineText, type PipelineRun } from '@mlops/contracts';
import { createRegistryClient } from '@mlops/client';
import { createLogger } from '@mlops/config';
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
// The real pipeline worker of the trainer app, in-process: the CLI drives the whole path.
import { createPipelineWorker } from '@mlops/trainer/pipelines';
import { cliRunner } from '@mlops/cli/testing';

const TOKEN = 'cli-pipeline-token-0123456789abcdef';
let dir: string;
let registry: TestRegistry;
let redis: Redis;
let worker: ReturnType<typeof createPipelineWorker>;

const mlops = cliRunner({ registryUrl: () => registry.url, cwd: () => dir, token: TOKEN });

const echo = `
name: cli-echo
parameters:
  x: { type: integer, default: 1 }
steps:
  - { id: one, uses: custom/echo, with: { x: "\${{ params.x }}" } }
  - { id: two, uses: custom/echo, with: { y: "\${{ steps.one.outputs.x }}" } }
`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-pipeline-'));
  registry = await startTestRegistry({ token: TOKEN, name: 'cli-pipeline' });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: null,
  });
  worker = createPipelineWorker({
    connection: redis,
    redisPrefix: registry.prefix,
    client: createRegistryClient({ url: registry.url, token: TOKEN }),
    logger: createLogger('cli-pipeline', 'silent'),
    dataDir: dir,
  });
  fs.writeFileSync(path.join(dir, 'echo.yaml'), echo);
});

afterAll(async () => {
  await worker?.close();
  await redis?.quit();
  await registry?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mlops pipeline', () => {
  it('runs a file with parameters, watches it, and serves the re-run from the cache', async () => {
    const first = await mlops([
      'pipeline',
      'run',
      'echo.yaml',
      '--param',
      'x=2',
      '--watch',
      '--json',
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const run = JSON.parse(first.stdout) as PipelineRun;
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.stepId, s.cached, s.outputs])).toEqual([
      ['one', false, { x: 2 }],
      ['two', false, { y: 2 }],
    ]);
    const again = await mlops(['pipeline', 'run', 'cli-echo', '-p', 'x=2', '-w', '--json']);
    expect((JSON.parse(again.stdout) as PipelineRun).steps.map((s) => s.cached)).toEqual([
      true,
      true,
    ]);
    const fresh = await mlops([
      'pipeline',
      'run',
      'cli-echo',
      '-p',
      'x=2',
      '--no-cache',
      '-w',
      '--json',
    ]);
    expect((JSON.parse(fresh.stdout) as PipelineRun).steps.map((s) => s.cached)).toEqual([
      false,
      false,
    ]);

    const watched = await mlops(['pipeline', 'run', 'cli-echo', '--watch']);
    expect(watched.stderr).toMatch(/one +succeeded/);
    expect(watched.stdout).toMatch(/pipeline run \S+ succeeded/);

    const shown = await mlops(['pipeline', 'show', run.id]);
    expect(shown.stdout).toMatch(/^pipeline cli-echo v1 run /);
    expect(shown.stdout).toMatch(/two +custom\/echo +succeeded/);
    const listed = await mlops(['pipeline', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'cli-echo', version: 1 }),
    ]);
    const runs = await mlops(['pipeline', 'show', 'cli-echo', '--json']);
    expect(JSON.parse(runs.stdout)).toHaveLength(4);
    const cancel = await mlops(['pipeline', 'cancel', run.id]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/succeeded: nothing to cancel/);
  }, 180_000);

  it('refuses a bad definition and a bad parameter, naming the field', async () => {
    fs.writeFileSync(
      path.join(dir, 'cycle.yaml'),
      'name: cyc\nsteps:\n  - { id: a, uses: custom/echo, dependsOn: [b] }\n  - { id: b, uses: custom/echo, dependsOn: [a] }\n',
    );
    const bad = await mlops(['pipeline', 'run', 'cycle.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('steps.0.id: steps form a cycle: a → b → a');
    const param = await mlops(['pipeline', 'run', 'cli-echo', '--param', 'x=abc']);
    expect(param.code).toBe(1);
    expect(param.stderr).toContain('parameters.x');
  }, 120_000);

  it('lists schedules with their next tick; refuses a bad cron naming it', async () => {
    const nightly = `${echo.replace('name: cli-echo', 'name: cli-nightly')}on:
  schedule: [{ cron: '0 3 * * *', params: { x: 5 } }]
`;
    fs.writeFileSync(path.join(dir, 'nightly.yaml'), nightly);
    fs.writeFileSync(path.join(dir, 'bad-cron.yaml'), nightly.replace("'0 3", "'0 25"));
    const bad = await mlops(['pipeline', 'run', 'bad-cron.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('on.schedule.0.cron: hour field: must be 0-23, got "25"');

    const client = createRegistryClient({ url: registry.url, token: TOKEN });
    const definition = parsePipelineText(fs.readFileSync(path.join(dir, 'nightly.yaml'), 'utf8'));
    await client.api.pipelines.register.mutate({ definition });
    const listed = await mlops(['pipeline', 'schedules', 'cli-nightly', '--json']);
    expect(listed.code).toBe(0);
    const [schedule] = JSON.parse(listed.stdout) as { cron: string; next: string }[];
    expect(schedule).toMatchObject({ cron: '0 3 * * *', params: { x: 5 } });
    expect(new Date(schedule!.next).getUTCHours()).toBe(3);
    const table = await mlops(['pipeline', 'schedules']);
    expect(table.stdout).toMatch(/cli-nightly\s.*0 3 \* \* \*.*UTC/);
  }, 120_000);
});
