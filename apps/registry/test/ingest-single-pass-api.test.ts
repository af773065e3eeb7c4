import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetVersionSchema, type DatasetVersion } from '@mlops/contracts';
import { PREFIX_ROWS } from '../src/domain/datasets/single-pass';
import { errorOf, startTestRegistry, type TestRegistry } from './helpers';

/**
 * The upload route over files whose types change past the prefix the single pass speculates on
 * (single-pass.ts): the answer is the one of inferring every row first, and a `?schema=` upload
 * of the same rows under the inferred schema (the second pass alone) stores the same bytes.
 */
let r: TestRegistry;
beforeAll(async () => {
  r = await startTestRegistry();
});
afterAll(async () => {
  await r.close();
});

async function upload(name: string, body: string, query = '') {
  return r.app.inject({
    method: 'POST',
    url: `/api/datasets/${name}${query}`,
    payload: body,
    headers: { ...r.auth, 'content-type': 'text/csv' },
  });
}

async function stored(name: string, body: string, query = ''): Promise<DatasetVersion> {
  const res = await upload(name, body, query);
  expect(res.statusCode, res.body).toBe(201);
  return datasetVersionSchema.parse(res.json());
}

const PAST = PREFIX_ROWS + 700;

/** `size` numeric until row PAST, where it says "large"; `shop` a category. */
function laterText(rows = PREFIX_ROWS + 1_000): string {
  const lines = ['size,shop'];
  for (let i = 1; i <= rows; i++) lines.push(`${i === PAST ? 'large' : (i % 50) / 4},s${i % 6}`);
  return lines.join('\n') + '\n';
}

describe('single-pass ingest through the route', () => {
  it('types a column from all its values when one past the prefix is text', async () => {
    const ds = await stored('later-text', laterText());
    const size = ds.schema.columns.find((c) => c.name === 'size');
    expect(size?.type).toBe('categorical');
    const reason = ds.profile.inference?.columns.find((c) => c.name === 'size')?.reason;
    expect(reason).toContain(`"large" in row ${PAST}`);
    expect(ds.rowCount).toBe(PREFIX_ROWS + 1_000);

    const schema = encodeURIComponent(JSON.stringify(ds.schema));
    const given = await stored('later-text-given', laterText(), `?schema=${schema}`);
    expect(given.hash).toBe(ds.hash);
    expect(given.sizeBytes).toBe(ds.sizeBytes);
    expect(given.profile.columns).toEqual(ds.profile.columns);
    expect(given.profile.duplicateRows).toBe(ds.profile.duplicateRows);
  });

  it('answers 400 naming the column for a hint a value past the prefix contradicts', async () => {
    const hints = encodeURIComponent(JSON.stringify({ columns: { size: { type: 'numeric' } } }));
    const res = await upload('later-hint', laterText(), `?hints=${hints}`);
    expect(res.statusCode).toBe(400);
    const error = errorOf(res);
    expect(error.message).toContain(`"large" in row ${PAST}`);
    expect(error.details?.map((d) => d.path)).toContain('hints.columns.size');
  });

  it('answers 422 naming the row and the field for bad rows past the prefix', async () => {
    const lines = laterText().split('\n');
    lines[PAST + 1] = '1,2,3';
    const res = await upload('later-row', lines.join('\n'));
    expect(res.statusCode, res.body).toBe(422);
    expect(errorOf(res).details).toContainEqual(
      expect.objectContaining({ row: PAST + 1, message: 'expected 2 columns, found 3' }),
    );
    // Under a given schema the text cell is the problem, named by row and column.
    const schema = {
      columns: [
        { name: 'size', type: 'numeric', nullable: false },
        { name: 'shop', type: 'categorical', nullable: false },
      ],
    };
    const given = await upload(
      'later-row',
      laterText(),
      `?schema=${encodeURIComponent(JSON.stringify(schema))}`,
    );
    expect(given.statusCode, given.body).toBe(422);
    expect(errorOf(given).details).toEqual([
      { row: PAST, path: 'size', message: '"large" is not a number' },
    ]);
    const list = await r.app.inject({
      method: 'GET',
      url: '/api/datasets/later-row',
      headers: r.auth,
    });
    expect(list.statusCode).toBe(404);
  });
});
