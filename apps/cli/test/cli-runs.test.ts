import { beforeAll, describe, expect, it } from 'vitest';
import { FLOWERS_CSV, useCliRegistry } from './cli-registry';

const { mlops, write } = useCliRegistry('cli-runs');

beforeAll(async () => {
  const ingested = await mlops(['ingest', write('flowers.csv', FLOWERS_CSV)]);
  expect(ingested.code, ingested.stderr).toBe(0);
});

describe('mlops train, cancel, promote and predict against a real registry', () => {
  it('lists its commands', async () => {
    const { code, stdout } = await mlops(['--help']);
    expect(code).toBe(0);
    for (const command of [
      'ingest',
      'train',
      'models',
      'versions',
      'promote',
      'predict',
      'feedback',
      'retraining',
      'drift',
    ])
      expect(stdout).toContain(command);
  });

  it('rejects an unknown target column by name', async () => {
    const { code, stderr } = await mlops([
      'train',
      '--dataset',
      'flowers',
      '--target',
      'petals',
      '--model',
      'm',
      '--task',
      'classification',
      '--no-wait',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('petals');
  });

  it('passes --transfer-from to the registry, which names what is wrong with it', async () => {
    const train = (from: string) =>
      mlops([
        'train',
        ...['--dataset', 'flowers', '--target', 'kind', '--model', 'm'],
        ...['--task', 'classification', '--transfer-from', from, '--no-wait'],
      ]);
    const malformed = await train('mobilenet');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('--transfer-from must be <model>@<version|alias>');
    // flowers is a table: the registry refuses transfer learning on it, whatever the base.
    const tabular = await train('mobilenet@champion');
    expect(tabular.code).toBe(1);
    expect(tabular.stderr).toMatch(/transfer learning trains on images; dataset flowers v1/);
  });

  it('says which model is unknown and when serving is not there', async () => {
    const promote = await mlops(['promote', 'ghost', '1']);
    expect(promote.code).toBe(1);
    expect(promote.stderr).toContain('ghost');

    const predict = await mlops(['predict', 'flowers', '--instance', '{"size":1}']);
    expect(predict.code).toBe(1);
    expect(predict.stderr).toContain('nothing answers at http://127.0.0.1:9');

    const badJson = await mlops(['predict', 'flowers', '--instance', '{size']);
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toContain('--instance #1 is not JSON');
  });

  it('queues a run without waiting and cancels it', async () => {
    const queued = await mlops([
      'train',
      '--dataset',
      'flowers',
      '--target',
      'kind',
      '--model',
      'flowers',
      '--task',
      'classification',
      '--no-wait',
      '--json',
    ]);
    expect(queued.code, queued.stderr).toBe(0);
    const run = JSON.parse(queued.stdout) as { id: string; status: string };
    expect(run.status).toBe('queued');

    const cancelled = await mlops(['cancel', run.id, '--reason', 'changed my mind']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toBe(`run ${run.id} cancelled\n`);

    const again = await mlops(['cancel', run.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: /);
  });

  it('explains rollback and history of an unknown model', async () => {
    const rollback = await mlops(['rollback', 'ghost']);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(/ghost|champion/);
    const history = await mlops(['history', 'ghost', '--json']);
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout)).toMatchObject({ items: [] });
  });
});
