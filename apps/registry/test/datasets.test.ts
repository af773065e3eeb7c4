import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetVersionSchema, type DatasetVersion } from '@mlops/contracts';
import { countDatasets } from '@mlops/storage';
import { IRIS_CSV, errorOf, filesUnder, startTestRegistry, type TestRegistry } from './helpers';

let r: TestRegistry;
beforeAll(async () => {
  r = await startTestRegistry();
});
afterAll(async () => {
  await r.close();
});

async function upload(name: string, body: string, contentType: string, query = '') {
  return r.app.inject({
    method: 'POST',
    url: `/api/datasets/${name}${query}`,
    payload: body,
    headers: { ...r.auth, 'content-type': contentType },
  });
}

describe('dataset upload', () => {
  it('infers the schema of a CSV and profiles it', async () => {
    const res = await upload('iris', IRIS_CSV, 'text/csv');
    expect(res.statusCode).toBe(201);
    const ds: DatasetVersion = datasetVersionSchema.parse(res.json());
    expect(ds).toMatchObject({ name: 'iris', version: 1, format: 'csv', rowCount: 5 });
    expect(ds.schema.columns).toEqual([
      { name: 'sepal_length', type: 'numeric', nullable: false },
      { name: 'sepal_width', type: 'numeric', nullable: true },
      {
        name: 'species',
        type: 'categorical',
        nullable: false,
        categories: ['setosa', 'versicolor', 'virginica'],
      },
      { name: 'is_big', type: 'boolean', nullable: true },
    ]);
    expect(ds.profile.columns[1]).toMatchObject({ count: 5, missing: 1, min: 2.9, max: 3.5 });
    const rows = await r.app.inject({
      method: 'GET',
      url: '/api/datasets/iris/versions/1/rows',
      headers: r.auth,
    });
    expect(rows.statusCode).toBe(200);
    expect(rows.body.trim().split('\n')[3]).toBe('[5.8,null,"virginica",true]');
  });

  it('is idempotent: the same content again answers the existing version', async () => {
    const res = await upload('iris', IRIS_CSV, 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: 1 });
    expect(await countDatasets(r.deps.db)).toBe(1);
  });

  it('gives the same hash to the same rows as JSON and JSON Lines', async () => {
    const rows = [
      { x: 1, c: 'a' },
      { x: 2.5, c: 'b' },
    ];
    const json = await upload('same', JSON.stringify(rows), 'application/json');
    const jsonl = await upload(
      'same-l',
      rows.map((row) => JSON.stringify(row)).join('\n'),
      'application/x-ndjson',
    );
    expect(json.statusCode).toBe(201);
    expect(jsonl.statusCode).toBe(201);
    expect(json.json<DatasetVersion>().hash).toBe(jsonl.json<DatasetVersion>().hash);
    expect(json.json<DatasetVersion>().schema.columns[0]).toMatchObject({ type: 'numeric' });
  });

  it('forces categorical columns and checks a given schema', async () => {
    const csv = 'zip,y\n1000,1\n2000,2\n';
    const forced = await upload('zips', csv, 'text/csv', '?categorical=zip');
    expect(forced.json<DatasetVersion>().schema.columns[0]).toEqual({
      name: 'zip',
      type: 'categorical',
      nullable: false,
      categories: ['1000', '2000'],
    });
    const schema = JSON.stringify({
      columns: [
        { name: 'zip', type: 'numeric', nullable: false },
        { name: 'y', type: 'boolean', nullable: false },
      ],
    });
    const bad = await upload('zips2', csv, 'text/csv', `?schema=${encodeURIComponent(schema)}`);
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details?.[0]).toMatchObject({ row: 1, path: 'y' });
  });

  it('rejects a broken CSV row with its 1-based data row number, leaving nothing behind', async () => {
    const before = { rows: await countDatasets(r.deps.db), files: filesUnder(r.dir).length };
    const csv = 'a,b\n1,2\n3,4\n5\n';
    const res = await upload('broken', csv, 'text/csv');
    expect(res.statusCode).toBe(422);
    const error = errorOf(res);
    expect(error.code).toBe('BAD_DATASET');
    expect(error.details).toEqual([{ row: 3, message: 'expected 2 columns, found 1' }]);
    expect(error.message).toMatch(/count data rows/);
    expect(await countDatasets(r.deps.db)).toBe(before.rows);
    expect(filesUnder(r.dir).length).toBe(before.files);
    expect(filesUnder(path.join(r.dir, 'tmp'))).toEqual([]);
  });

  it('rejects empty datasets, bad JSON and unknown formats', async () => {
    expect((await upload('empty', 'a,b\n', 'text/csv')).statusCode).toBe(422);
    expect((await upload('empty', '[]', 'application/json')).statusCode).toBe(422);
    expect((await upload('badjson', '{"a":', 'application/json')).statusCode).toBe(422);
    const unknown = await upload('fmt', 'a\n1\n', 'application/octet-stream');
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown).details?.[0]?.path).toBe('format');
    expect(
      (await upload('fmt', 'a\n1\n', 'application/octet-stream', '?format=csv')).statusCode,
    ).toBe(201);
    expect(
      errorOf(await upload('nested', '[{"a":{"b":1}}]', 'application/json')).details?.[0],
    ).toMatchObject({ row: 1, path: 'a' });
  });

  it('rejects path-traversal-ish names and missing tokens', async () => {
    expect((await upload('..%2F..%2Fetc', 'a\n1\n', 'text/csv')).statusCode).toBe(400);
    expect((await upload('Upper', 'a\n1\n', 'text/csv')).statusCode).toBe(400);
    const noAuth = await r.app.inject({
      method: 'POST',
      url: '/api/datasets/x',
      payload: 'a\n1\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(noAuth.statusCode).toBe(401);
    expect(errorOf(noAuth).code).toBe('UNAUTHORIZED');
    const wrong = await r.app.inject({
      method: 'POST',
      url: '/api/datasets/x',
      payload: 'a\n1\n',
      headers: { 'content-type': 'text/csv', authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(
      (
        await r.app.inject({
          method: 'GET',
          url: '/api/datasets/nope/versions/1/rows',
          headers: r.auth,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await r.app.inject({
          method: 'GET',
          url: '/api/datasets/iris/versions/abc/rows',
          headers: r.auth,
        })
      ).statusCode,
    ).toBe(400);
  });

  it('refuses uploads past the size limit with 413 and leaves nothing behind', async () => {
    const before = filesUnder(r.dir).length;
    const limit = r.deps.maxUploadBytes;
    r.deps.maxUploadBytes = 64;
    try {
      const res = await upload('big', 'a\n' + '1\n'.repeat(100), 'text/csv');
      expect(res.statusCode).toBe(413);
      expect(errorOf(res).code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      r.deps.maxUploadBytes = limit;
    }
    expect(filesUnder(r.dir).length).toBe(before);
  });
});
