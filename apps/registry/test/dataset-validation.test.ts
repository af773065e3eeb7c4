import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetVersionSchema, type DatasetVersion, type Run } from '@mlops/contracts';
import { startTestRegistry, trpc, type TestRegistry } from './helpers';

let r: TestRegistry;
beforeAll(async () => {
  r = await startTestRegistry();
});
afterAll(async () => {
  await r.close();
});

async function uploaded(name: string, body: string): Promise<DatasetVersion> {
  const res = await r.app.inject({
    method: 'POST',
    url: `/api/datasets/${name}`,
    payload: body,
    headers: { ...r.auth, 'content-type': 'text/csv' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return datasetVersionSchema.parse(res.json());
}

/**
 * Penguin-like rows. v1: three species in equal shares, two islands, a `sex` column. v2: a new
 * island, no `sex`, and 80% Adelie — the three anomalies of issue #19's "done when".
 */
function penguins(version: 1 | 2, rows = 150): string {
  const species = ['Adelie', 'Chinstrap', 'Gentoo'];
  const header = version === 1 ? 'bill,island,sex,species' : 'bill,island,species';
  const lines = [header];
  for (let i = 0; i < rows; i += 1) {
    const bill = (35 + (i % 20) + i / 1000).toFixed(3);
    const island = version === 2 && i % 10 === 0 ? 'Torgersen' : i % 2 === 0 ? 'Biscoe' : 'Dream';
    const label = version === 1 ? species[i % 3]! : i % 5 === 0 ? species[1 + (i % 2)]! : 'Adelie';
    lines.push(
      version === 1
        ? `${bill},${island},${i % 2 === 0 ? 'male' : 'female'},${label}`
        : `${bill},${island},${label}`,
    );
  }
  return lines.join('\n') + '\n';
}

const createRun = (version: number) =>
  trpc(
    r.app,
    'mutation',
    'runs.create',
    {
      modelName: 'penguin-clf',
      dataset: { name: 'penguins', version },
      task: 'classification',
      target: 'species',
    },
    r.auth,
  );

describe('dataset validation at ingest', () => {
  it('stores a first version with no anomalies and the duplicate count', async () => {
    const v1 = await uploaded('penguins', penguins(1));
    expect(v1.validation).toMatchObject({ against: null, anomalies: [] });
    expect(v1.profile.duplicateRows).toBe(0);
  });

  it('lists a new category, a dropped column and a label shift on the second version', async () => {
    const v2 = await uploaded('penguins', penguins(2));
    expect(v2.validation?.against).toEqual({ version: 1 });
    const found = v2.validation!.anomalies.map((a) => [a.kind, a.column, a.severity]);
    expect(found).toEqual([
      ['column_missing', 'sex', 'error'],
      ['new_category', 'island', 'warning'],
      // 10% of the rows moved to the new island: that shifts the island distribution too.
      ['distribution_shift', 'island', 'warning'],
      ['distribution_shift', 'species', 'warning'],
    ]);
    expect(v2.validation!.anomalies[3]!.message).toMatch(/^label |Adelie 80\.0%/);
    expect(v2.validation!.anomalies[1]!.values).toEqual(['Torgersen']);
    // The same record through the API, and in listings.
    const got = await trpc(
      r.app,
      'query',
      'datasets.get',
      { name: 'penguins', version: 2 },
      r.auth,
    );
    expect((got.data as DatasetVersion).validation).toEqual(v2.validation);
    const list = await trpc(
      r.app,
      'query',
      'datasets.list',
      { name: 'penguins', limit: 5 },
      r.auth,
    );
    expect((list.data as DatasetVersion[])[0]?.validation?.anomalies).toHaveLength(4);
  });

  it('flags duplicate rows above 5%', async () => {
    const once = penguins(1, 60);
    const twice = once + once.split('\n').slice(1, 11).join('\n') + '\n'; // 10 of 70 repeat
    const v = await uploaded('dupes', twice);
    expect(v.profile.duplicateRows).toBe(10);
    expect(v.validation?.anomalies).toEqual([
      expect.objectContaining({ kind: 'duplicate_rows', column: null, severity: 'warning' }),
    ]);
  });
});

describe('training policy on anomalies', () => {
  it('trains on anything while no policy is set', async () => {
    expect(
      (await trpc(r.app, 'query', 'datasets.getPolicy', { name: 'penguins' }, r.auth)).data,
    ).toBeNull();
    expect((await createRun(2)).status).toBe(200);
  });

  it('refuses training on a version with error anomalies, naming them, and not on a clean one', async () => {
    const set = await trpc(
      r.app,
      'mutation',
      'datasets.setPolicy',
      { name: 'penguins', blockTrainingOnAnomalies: 'error' },
      r.auth,
    );
    expect(set.data).toMatchObject({ blockTrainingOnAnomalies: 'error', updatedBy: 'admin' });
    const refused = await createRun(2);
    expect([refused.status, refused.error?.data.appCode]).toEqual([412, 'PRECONDITION_FAILED']);
    expect(refused.error?.message).toContain('column_missing "sex"');
    const details = refused.error?.data.details ?? [];
    expect(details.map((d) => d.path)).toEqual(['dataset.validation.column_missing.sex']);
    expect(details[0]?.message).toContain('error: column "sex"');
    expect((await createRun(1)).status).toBe(200);
  });

  it('at `warning` names every anomaly; `off` lets training through again', async () => {
    await trpc(
      r.app,
      'mutation',
      'datasets.setPolicy',
      { name: 'penguins', blockTrainingOnAnomalies: 'warning' },
      r.auth,
    );
    const refused = await createRun(2);
    expect(refused.status).toBe(412);
    expect(refused.error?.data.details?.map((d) => d.path)).toEqual([
      'dataset.validation.column_missing.sex',
      'dataset.validation.new_category.island',
      'dataset.validation.distribution_shift.island',
      'dataset.validation.distribution_shift.species',
    ]);
    await trpc(
      r.app,
      'mutation',
      'datasets.setPolicy',
      { name: 'penguins', blockTrainingOnAnomalies: 'off' },
      r.auth,
    );
    expect((await createRun(2)).status).toBe(200);
  });

  it('refuses a bad policy (400 naming the field) and an anonymous caller', async () => {
    const bad = await trpc(
      r.app,
      'mutation',
      'datasets.setPolicy',
      { name: 'penguins', blockTrainingOnAnomalies: 'always' },
      r.auth,
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.error)).toContain('blockTrainingOnAnomalies');
    const anonymous = await trpc(r.app, 'mutation', 'datasets.setPolicy', {
      name: 'penguins',
      blockTrainingOnAnomalies: 'off',
    });
    expect(anonymous.status).toBe(401);
  });
});

describe('run record: rows and every epoch', () => {
  it('appends each reported epoch, replaces repeated ones, and stores the rows', async () => {
    const id = ((await createRun(1)).data as Run).id;
    await trpc(r.app, 'mutation', 'runs.start', { id, backend: 'cpu' }, r.auth);
    const progress = (epoch: number, curve: Array<[number, number, number | null]>) =>
      trpc(
        r.app,
        'mutation',
        'runs.progress',
        {
          id,
          progress: { epoch, epochs: 5, loss: 1, valLoss: null, samplesPerSecond: null },
          curve: curve.map(([e, loss, valLoss]) => ({ epoch: e, loss, valLoss })),
        },
        r.auth,
      );
    expect(
      (
        await progress(3, [
          [1, 0.9, 1],
          [2, 0.7, 0.8],
          [3, 0.6, 0.7],
        ])
      ).status,
    ).toBe(200);
    // A resumed fit restarts at epoch 3 (its checkpoint was taken after epoch 2).
    expect(
      (
        await progress(5, [
          [3, 0.61, 0.69],
          [4, 0.5, 0.6],
          [5, 0.45, null],
        ])
      ).status,
    ).toBe(200);
    const run = (await trpc(r.app, 'query', 'runs.get', { id }, r.auth)).data as Run;
    expect(run.curve.map((e) => [e.epoch, e.loss])).toEqual([
      [1, 0.9],
      [2, 0.7],
      [3, 0.61],
      [4, 0.5],
      [5, 0.45],
    ]);
    const bad = await progress(6, [[0, 1, 1]]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.error)).toContain('epoch');
    const rows = { train: 100, validation: 12, test: 30, droppedNullTarget: 8 };
    const done = await trpc(
      r.app,
      'mutation',
      'runs.complete',
      { id, metrics: { accuracy: 1 }, rows },
      r.auth,
    );
    // Not a sweep trial: it must name its version, so the rows are not stored either.
    expect(done.status).toBe(400);
    const failed = await trpc(r.app, 'mutation', 'runs.fail', { id, error: 'stop' }, r.auth);
    expect((failed.data as Run).rows).toBeNull();
  });
});
