/**
 * `mlops retraining`: the real CLI process against a real monitor whose token checks go to a real
 * registry. The history is seeded through the monitor's own store, as its Retrainer writes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retrainHistorySchema, type RetrainRecord } from '@mlops/contracts';
import { startTestMonitor, type TestMonitor } from '@mlops/monitor/testing';
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
import { cliRunner } from '@mlops/cli/testing';

const TOKEN = 'cli-retraining-token-0123456789ab';
let dir: string;
let registry: TestRegistry;
let monitor: TestMonitor;
const mlops = cliRunner({
  registryUrl: () => registry.url,
  cwd: () => dir,
  token: TOKEN,
  env: {},
});
const withMonitor = (args: string[]) => mlops(args, { MONITOR_URL: monitor.url });

const record = (over: Partial<RetrainRecord>): RetrainRecord => ({
  model: 'iris',
  reason: 'psi 0.31 on petal_width',
  trigger: 'drift',
  fromVersion: 1,
  runId: null,
  pipelineRunId: null,
  dataset: null,
  feedbackRows: 0,
  status: 'succeeded',
  version: null,
  detail: null,
  requestedAt: '2026-12-07T10:00:00.000Z',
  finishedAt: '2026-12-07T10:05:00.000Z',
  ...over,
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-retraining-'));
  registry = await startTestRegistry({ token: TOKEN, name: 'cli-retraining' });
  monitor = await startTestMonitor({ registryUrl: registry.url });
  await monitor.history.save(
    'a',
    record({ runId: 'run-00000001', status: 'promoted', version: 2, detail: 'gate passed' }),
  );
  await monitor.history.save(
    'b',
    record({
      trigger: 'quality',
      pipelineRunId: 'prun-0000002',
      status: 'failed',
      detail: 'pipeline run prun-0000002 ended cancelled',
      requestedAt: '2026-12-07T11:00:00.000Z',
    }),
  );
});
afterAll(async () => {
  await monitor?.close();
  await registry?.close();
});

describe('mlops retraining', () => {
  it('--history lists what automatic retraining did, newest first', async () => {
    const table = await withMonitor(['retraining', 'iris', '--history']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/requested\s+trigger\s+from\s+run\s+status\s+version\s+detail/i);
    expect(lines[1]).toMatch(/quality .*pipeline prun-0000002 .*failed .*ended cancelled/);
    expect(lines[2]).toMatch(/drift .*run-00000001 .*promoted .*2 .*gate passed/);

    const json = await withMonitor(['--json', 'retraining', 'iris', '--history']);
    const body = retrainHistorySchema.parse(JSON.parse(json.stdout));
    expect(body.retraining.map((r) => r.status)).toEqual(['failed', 'promoted']);
  });

  it('shows the switch without --history, and an empty history as none', async () => {
    const sw = await withMonitor(['--json', 'retraining', 'iris']);
    expect(JSON.parse(sw.stdout)).toMatchObject({ model: 'iris', enabled: false });
    const none = await withMonitor(['retraining', 'other', '--history']);
    expect(none.stdout.trim()).toBe('(none)');
  });

  it('error: refuses two actions at once, a bad name and a wrong token', async () => {
    const both = await withMonitor(['retraining', 'iris', '--enable', '--history']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/one of --enable, --disable or --history/);
    const bad = await withMonitor(['retraining', 'Bad Name!', '--history']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not a model name/);
    const stranger = await mlops(['retraining', 'iris', '--history'], {
      MONITOR_URL: monitor.url,
      MLOPS_TOKEN: 'not-a-token-of-this-registry-0000',
    });
    expect(stranger.code).not.toBe(0);
    expect(stranger.stderr).toMatch(/401|token/i);
  });
});
