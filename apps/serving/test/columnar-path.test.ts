import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  parsePredictionLogMessage,
  redisKeys,
  type DataRow,
  type PredictionLogEntry,
  type Signature,
} from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { OUT_OF_RANGE_HEADER } from '../src/protocols/out-of-range';
import { readBody } from '../src/protocols/tfserving-body';
import { tensorsToColumns } from '../src/protocols/v2-records';
import { jsonTensorRequest } from '../src/protocols/v2-tensors';
import {
  eventually,
  postJson,
  REDIS_URL,
  serveIris,
  tearDown,
  testPrefix,
  tfError,
} from './support/app';
import { BundleFactory, FEATURES } from './support/bundle';

/**
 * A tabular model's requests sent as columns (TF Serving `inputs`, OIP v2 tensors) are checked,
 * screened and encoded column by column with no record per row (infer.ts, row-block.ts). The
 * same rows must get the same answers whichever way they come — predictions, out-of-range
 * flags, refusals naming the cell, and what the payload log keeps.
 */
const prefix = testPrefix();
const keys = redisKeys(prefix);
const factory = new BundleFactory();
let app: ServingApp;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  app = await serveIris(factory, prefix, { env: { SERVING_LOG_SAMPLE_RATE: '1' } });
}, 60_000);

afterAll(() => tearDown({ app, factory, redis, prefix }));

/** x numeric, y numeric and nullable, color categorical (support/bundle.ts). */
const ROWS: DataRow[] = [
  { x: 1.5, y: 1.2, color: 'red' },
  { x: -1.8, y: null, color: 'blue' },
  { x: 0.25, y: -0.5, color: 'red' },
  // Far outside the training range (about ±2): answered, and flagged.
  { x: 900, y: 0.1, color: 'blue' },
];
const NAMES = ['x', 'y', 'color'] as const;

const columnsOf = (rows: DataRow[]) =>
  Object.fromEntries(NAMES.map((n) => [n, rows.map((r) => r[n] ?? null)]));

const v2Of = (rows: DataRow[], names: readonly string[] = NAMES) => ({
  inputs: names.map((n) => ({
    name: n,
    shape: [rows.length],
    datatype: n === 'color' ? 'BYTES' : 'FP32',
    data: rows.map((r) => r[n] ?? null),
  })),
});

const asRows = (rows: DataRow[]) =>
  postJson(app, '/v1/models/iris:predict?format=platform', { instances: rows });
const asColumns = (inputs: unknown) =>
  postJson(app, '/v1/models/iris:predict?format=platform', { inputs });
const asV2 = (body: unknown) => postJson(app, '/v2/models/iris/infer', body);

/** The same rows with x and y in binary (FP32 unless said), color as JSON: the extension's body. */
function asBinaryV2(rows: DataRow[], opts: { datatype?: 'FP32' | 'FP64' | 'INT32' } = {}) {
  const datatype = opts.datatype ?? 'FP32';
  const Typed =
    datatype === 'FP64' ? Float64Array : datatype === 'INT32' ? Int32Array : Float32Array;
  const blobs = ['x', 'y'].map((n) => new Typed(rows.map((r) => (r[n] as number | null) ?? NaN)));
  const header = {
    inputs: [
      ...blobs.map((b, i) => ({
        name: i === 0 ? 'x' : 'y',
        shape: [rows.length],
        datatype,
        parameters: { binary_data_size: b.byteLength },
      })),
      { name: 'color', shape: [rows.length], datatype: 'BYTES', data: rows.map((r) => r.color) },
    ],
  };
  return binaryV2(header, ...blobs);
}

/** The binary tensor extension: the JSON header, then each binary input's bytes in order. */
function binaryV2(header: object, ...blobs: ArrayBufferView[]) {
  const json = Buffer.from(JSON.stringify(header));
  return app.inject({
    method: 'POST',
    url: '/v2/models/iris/infer',
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(json.length),
    },
    payload: Buffer.concat([
      json,
      ...blobs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    ]),
  });
}

interface PlatformRow {
  label: string;
  probabilities: Record<string, number>;
}
interface V2Answer {
  outputs: Array<{ name: string; data: unknown[] }>;
  parameters: { prediction_ids: string[] };
}

describe('rows, columns and OIP v2 tensors of a tabular model', () => {
  it('answer the same predictions and flags for the same rows', async () => {
    const rows = await asRows(ROWS);
    const columns = await asColumns(columnsOf(ROWS));
    const v2 = await asV2(v2Of(ROWS));
    for (const res of [rows, columns, v2]) expect(res.statusCode).toBe(200);
    const byRow = rows.json<{ predictions: PlatformRow[] }>().predictions;
    const byColumn = columns.json<{ outputs: { label: string[]; probabilities: number[][] } }>()
      .outputs;
    expect(byColumn.label).toEqual(byRow.map((p) => p.label));
    expect(byColumn.probabilities).toEqual(
      byRow.map((p) => [p.probabilities.neg, p.probabilities.pos]),
    );
    const outputs = v2.json<V2Answer>().outputs;
    expect(outputs.find((o) => o.name === 'label')?.data).toEqual(byColumn.label);
    expect(outputs.find((o) => o.name === 'probabilities')?.data).toEqual(
      byColumn.probabilities.flat(),
    );
    expect(rows.headers[OUT_OF_RANGE_HEADER]).toBe('instances[3].x');
    expect(columns.headers[OUT_OF_RANGE_HEADER]).toBe('inputs.x[3]');
    expect(v2.headers[OUT_OF_RANGE_HEADER]).toBe('inputs[x].data[3]');
  });

  it('read a nullable feature left out as null', async () => {
    const nulls = ROWS.map((r) => ({ ...r, y: null }));
    const rows = await asRows(nulls);
    const { y: _y, ...withoutY } = columnsOf(ROWS);
    const columns = await asColumns(withoutY);
    const v2 = await asV2(v2Of(ROWS, ['x', 'color']));
    const labels = rows.json<{ predictions: PlatformRow[] }>().predictions.map((p) => p.label);
    expect(columns.json<{ outputs: { label: string[] } }>().outputs.label).toEqual(labels);
    expect(v2.json<V2Answer>().outputs.find((o) => o.name === 'label')?.data).toEqual(labels);
  });

  it('log the same features whichever way the rows came', async () => {
    const ids: string[][] = [];
    ids.push((await asRows(ROWS)).json<{ predictionIds: string[] }>().predictionIds);
    ids.push((await asColumns(columnsOf(ROWS))).json<{ predictionIds: string[] }>().predictionIds);
    ids.push((await asV2(v2Of(ROWS))).json<V2Answer>().parameters.prediction_ids);
    const logged = await eventually(async () => {
      const stream = await redis.xrangeBuffer(keys.predictions('iris'), '-', '+');
      const entries = stream.flatMap(([, fields]) => parsePredictionLogMessage(fields) ?? []);
      const byId = new Map(entries.map((e) => [e.id, e]));
      const found = ids.map((list) => list.map((id) => byId.get(id)));
      return found.flat().every(Boolean) ? (found as PredictionLogEntry[][]) : undefined;
    }, 'logged');
    const features = logged.map((entries) => entries.map((e) => e.features));
    expect(features[0]).toEqual(ROWS);
    expect(features[1]).toEqual(ROWS);
    expect(features[2]).toEqual(ROWS);
    const quality = logged.map((entries) => entries.map((e) => e.quality ?? null));
    expect(quality[1]).toEqual(quality[0]);
    expect(quality[2]).toEqual(quality[0]);
    expect(quality[0]![3]).toEqual({ outsideTrainingRange: ['x'] });
  });
});

describe('bad columns are refused as bad rows are, naming the feature and the row', () => {
  const good = () => columnsOf(ROWS);

  it('a column of the wrong length', async () => {
    const res = await asColumns({ ...good(), y: [1, 2] });
    expect(res.statusCode).toBe(400);
    expect(tfError(res).message).toContain('"x" has 4, "y" has 2');
    const v2 = await asV2({
      inputs: [
        ...v2Of(ROWS).inputs.filter((t) => t.name !== 'y'),
        { name: 'y', shape: [2], datatype: 'FP32', data: [1, 2] },
      ],
    });
    expect(v2.statusCode).toBe(400);
    expect(v2.json<{ error: string }>().error).toContain('has 2 rows; the other inputs have 4');
  });

  it('a cell that is not a number', async () => {
    const res = await asColumns({ ...good(), x: [1.5, 'high', 0.25, 1] });
    expect(res.statusCode).toBe(400);
    expect(tfError(res).details).toEqual([
      { path: 'inputs.x[1]', message: 'expected a number, got string "high"' },
    ]);
    const body = v2Of(ROWS);
    body.inputs[0]!.data = [1.5, 'high', 0.25, 1];
    const v2 = await asV2(body);
    expect(v2.statusCode).toBe(400);
    expect(v2.json<{ error: string }>().error).toContain(
      'inputs[x].data[1]: expected a number, got string "high"',
    );
  });

  it('null where the feature is not nullable, and a number past float64', async () => {
    const res = await asColumns({ ...good(), x: [1.5, null, 0.25, 1] });
    expect(tfError(res).details).toEqual([
      { path: 'inputs.x[1]', message: 'must not be null (feature "x" is not nullable)' },
    ]);
    // JSON has no NaN: 1e999 is what parses to a non-finite number.
    const text = JSON.stringify({ inputs: { ...good(), x: [1.5, 2, 0.25, 7] } }).replace(
      '7]',
      '1e999]',
    );
    const infinite = await app.inject({
      method: 'POST',
      url: '/v1/models/iris:predict',
      headers: { 'content-type': 'application/json' },
      payload: text,
    });
    expect(infinite.statusCode).toBe(400);
    expect(tfError(infinite).details).toEqual([
      { path: 'inputs.x[3]', message: 'expected a finite number, got Infinity' },
    ]);
    const overflow = await asColumns({ ...good(), x: [1.5, 1e39, 0.25, 1] });
    expect(overflow.statusCode).toBe(400);
    expect(tfError(overflow).details?.[0]?.path).toBe('inputs.x[1]');
    expect(tfError(overflow).message).toContain("does not fit the model's 32-bit floats");
  });

  it('a missing feature', async () => {
    const { x: _x, ...withoutX } = good();
    const res = await asColumns(withoutX);
    expect(res.statusCode).toBe(400);
    expect(tfError(res).details?.slice(0, 2)).toEqual([
      { path: 'inputs.x[0]', message: 'missing feature "x" (expected numeric)' },
      { path: 'inputs.x[1]', message: 'missing feature "x" (expected numeric)' },
    ]);
    const v2 = await asV2(v2Of(ROWS, ['y', 'color']));
    expect(v2.statusCode).toBe(400);
    expect(v2.json<{ error: string }>().error).toContain('Missing input tensor "x"');
  });

  it('an unknown category', async () => {
    const res = await asColumns({ ...good(), color: ['red', 'green', 'red', 'blue'] });
    expect(res.statusCode).toBe(400);
    expect(tfError(res).details?.map((d) => d.path)).toEqual(['inputs.color[1]']);
    expect(tfError(res).message).toContain('unknown category "green"');
  });

  it('no rows', async () => {
    const res = await asColumns({ x: [], y: [], color: [] });
    expect(res.statusCode).toBe(400);
    expect(tfError(res).message).toContain('No rows to predict');
  });
});

describe('OIP v2 binary tensors of a tabular model (numeric features in binary)', () => {
  const nonNull = ROWS.filter((r) => r.y !== null);
  // What FP32 carries: 1.2 arrives as float32's 1.2000000476837158, and is logged as that.
  const asSent = nonNull.map((r) => ({
    ...r,
    x: Math.fround(r.x as number),
    y: Math.fround(r.y as number),
  }));

  it('answer and log as the same values sent as JSON', async () => {
    const json = await asV2(v2Of(asSent));
    const bin = await asBinaryV2(nonNull);
    expect(bin.statusCode).toBe(200);
    const outputs = (res: typeof json) =>
      res.json<V2Answer>().outputs.map((o) => ({ name: o.name, data: o.data }));
    expect(outputs(bin)).toEqual(outputs(json));
    expect(bin.headers[OUT_OF_RANGE_HEADER]).toBe('inputs[x].data[2]');
    for (const datatype of ['FP64', 'INT32'] as const) {
      const whole = nonNull.map((r) => ({
        ...r,
        x: Math.round(r.x as number),
        y: Math.round(r.y as number),
      }));
      const typed = await asBinaryV2(whole, { datatype });
      expect(typed.statusCode).toBe(200);
      const asJson = await asV2(v2Of(whole));
      expect(outputs(typed)).toEqual(outputs(asJson));
    }
    const ids = bin.json<V2Answer>().parameters.prediction_ids;
    const logged = await eventually(async () => {
      const stream = await redis.xrangeBuffer(keys.predictions('iris'), '-', '+');
      const entries = stream.flatMap(([, fields]) => parsePredictionLogMessage(fields) ?? []);
      const byId = new Map(entries.map((e) => [e.id, e]));
      const found = ids.map((id) => byId.get(id));
      return found.every(Boolean) ? (found as PredictionLogEntry[]) : undefined;
    }, 'logged');
    expect(logged.map((e) => e.features)).toEqual(asSent);
  });

  it('refuse a NaN, naming the cell, as the signature refuses a bad JSON cell', async () => {
    const res = await asBinaryV2(ROWS); // ROWS[1].y is null: NaN in binary
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toContain('inputs[y].data[1]');
  });

  it('refuse binary sizes, datatypes and features that do not fit, naming the input', async () => {
    const x = new Float32Array([1, 2, 3]);
    const cases: Array<[object, ArrayBufferView[], string]> = [
      // 3 values for shape [4]
      [
        {
          inputs: [
            { name: 'x', shape: [4], datatype: 'FP32', parameters: { binary_data_size: 12 } },
          ],
        },
        [x],
        'input "x": binary_data_size is 12 bytes; shape [4] of FP32 needs 16',
      ],
      // a 64-bit integer feature: no binary reading of it
      [
        {
          inputs: [
            { name: 'x', shape: [3], datatype: 'INT64', parameters: { binary_data_size: 12 } },
          ],
        },
        [x],
        'input "x": binary data of datatype INT64',
      ],
      // a categorical feature in binary
      [
        {
          inputs: [
            { name: 'x', shape: [3], datatype: 'FP32', data: [1, 2, 3] },
            { name: 'color', shape: [3], datatype: 'BYTES', parameters: { binary_data_size: 12 } },
          ],
        },
        [x],
        'Input "color" is sent in binary; send BYTES features as JSON "data"',
      ],
      // neither data nor binary
      [{ inputs: [{ name: 'x', shape: [3], datatype: 'FP32' }] }, [], 'Input "x" has no "data"'],
    ];
    for (const [header, blobs, message] of cases) {
      const res = await binaryV2(header, ...blobs);
      expect(res.statusCode, message).toBe(400);
      expect(res.json<{ error: string }>().error).toContain(message);
    }
  });
});

describe('the protocols hand a tabular model their columns as sent', () => {
  const signature: Signature = {
    inputs: [...FEATURES],
    output: { task: 'classification', target: 'cls', labels: ['neg', 'pos'] },
  };

  it('TF Serving `inputs`: the signature’s columns, without a copy', () => {
    const sent: Record<string, unknown[]> = columnsOf(ROWS);
    const inputs = { ...sent, extra: [1, 2, 3, 4] };
    const columns = readBody({ inputs }, 'iris').columns(signature);
    expect(columns?.rows).toBe(4);
    expect([...(columns?.cells.keys() ?? [])]).toEqual(['x', 'y', 'color']);
    expect(columns?.cells.get('x')).toBe(sent.x);
    expect(readBody({ instances: ROWS }, 'iris').columns(signature)).toBeNull();
  });

  it('OIP v2: each flat tensor’s data as its column, nested data copied out', () => {
    const body = v2Of(ROWS);
    const columns = tensorsToColumns(jsonTensorRequest(body), signature);
    expect(columns.cells.get('x')).toBe(body.inputs[0]!.data);
    const nested = {
      inputs: [
        { name: 'x', shape: [4, 1], datatype: 'FP32', data: ROWS.map((r) => [r.x]) },
        ...body.inputs.slice(1),
      ],
    };
    const copied = tensorsToColumns(jsonTensorRequest(nested), signature);
    expect(copied.cells.get('x')).toEqual(ROWS.map((r) => r.x));
  });
});
