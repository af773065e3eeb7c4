import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetVersionSchema, excludedColumns, type DatasetVersion } from '@mlops/contracts';
import { errorOf, startTestRegistry, type TestRegistry } from './helpers';

let r: TestRegistry;
beforeAll(async () => {
  r = await startTestRegistry();
});
afterAll(async () => {
  await r.close();
});

async function upload(name: string, body: string, query: Record<string, string> = {}) {
  const q = new URLSearchParams(query).toString();
  return r.app.inject({
    method: 'POST',
    url: `/api/datasets/${name}${q ? `?${q}` : ''}`,
    payload: body,
    headers: { ...r.auth, 'content-type': 'text/csv' },
  });
}

async function uploaded(name: string, body: string, query: Record<string, string> = {}) {
  const res = await upload(name, body, query);
  expect(res.statusCode, res.body).toBe(201);
  return datasetVersionSchema.parse(res.json());
}

async function storedRows(name: string): Promise<unknown[][]> {
  const res = await r.app.inject({
    method: 'GET',
    url: `/api/datasets/${name}/versions/1/rows`,
    headers: r.auth,
  });
  expect(res.statusCode).toBe(200);
  return res.body
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown[]);
}

function entry(ds: DatasetVersion, name: string) {
  const found = ds.profile.inference?.columns.find((c) => c.name === name);
  if (!found) throw new Error(`no inference for column ${name}`);
  return found;
}

const hints = (columns: Record<string, unknown>) => ({ hints: JSON.stringify({ columns }) });

/** 80 rows: a date, a row id, a numeric with one "n/a", a small category, a label. */
function salesCsv(dateOf: (i: number) => string = (i) => `2014/${(i % 12) + 1}/${(i % 28) + 1}`) {
  const lines = ['sold_on,order_id,price,shop,y'];
  for (let i = 0; i < 80; i += 1)
    lines.push(`${dateOf(i)},${1000 + i},${i === 9 ? 'n/a' : i * 1.5},s${i % 3},${i % 2}`);
  return lines.join('\n') + '\n';
}

describe('datetime columns', () => {
  it('reads YYYY/MM/DD and DD.MM.YYYY as datetime, stored as ISO 8601, excluded by default', async () => {
    const ds = await uploaded('sales', salesCsv());
    expect(ds.schema.columns.map((c) => c.type)).toEqual([
      'datetime',
      'numeric',
      'numeric',
      'categorical',
      'numeric',
    ]);
    expect(entry(ds, 'sold_on').reason).toContain('(80 YYYY/MM/DD)');
    expect([...excludedColumns(ds.profile).keys()]).toEqual(['sold_on', 'order_id']);
    expect(entry(ds, 'price').missingTokens).toEqual({ 'n/a': 1 });
    expect((await storedRows('sales'))[0]).toEqual(['2014-01-01', 1000, 0, 's0', 0]);
    expect(ds.profile.columns[0]).toMatchObject({ name: 'sold_on', type: 'datetime' });

    // Ten dates in three forms and one "-" (9% of values, under the 10% read as missing).
    const more = Array.from({ length: 7 }, (_, i) => `2014-03-1${i},${i}`).join('\n');
    const dotted = `at,y\n31.01.2014,1\n1.2.2014 10:30,2\n2014-02-03T08:00:00Z,3\n-,4\n${more}\n`;
    const mixed = await uploaded('dotted', dotted);
    expect(entry(mixed, 'at')).toMatchObject({ type: 'datetime', missingTokens: { '-': 1 } });
    expect(entry(mixed, 'at').reason).toContain('2 DD.MM.YYYY, 8 ISO 8601');
    expect((await storedRows('dotted')).map((row) => row[0]).slice(0, 5)).toEqual([
      '2014-01-31',
      '2014-02-01T10:30',
      '2014-02-03T08:00:00Z',
      null,
      '2014-03-10',
    ]);
  });

  it('does not take ambiguous or impossible days for dates', async () => {
    const ds = await uploaded(
      'not-dates',
      'a,b,c\n01/02/2014,31.02.2014,2014/13/01\n03/04/2014,1.1.2014,2014/1/1\n',
    );
    expect(ds.schema.columns.map((c) => c.type)).toEqual([
      'categorical',
      'categorical',
      'categorical',
    ]);
    expect(entry(ds, 'b').reason).toContain('"31.02.2014"');
  });
});

describe('schema hints', () => {
  it('keep an excluded column, exclude another, and force a type, each said in the report', async () => {
    const ds = await uploaded(
      'sales-hinted',
      salesCsv(),
      hints({ sold_on: { exclude: false }, shop: { exclude: true }, y: { type: 'categorical' } }),
    );
    expect(entry(ds, 'sold_on').excluded).toBeUndefined();
    expect(entry(ds, 'sold_on').hint).toEqual({ exclude: false });
    expect(entry(ds, 'sold_on').reason).toContain(
      'kept as a feature as asked by the schema hints (inference would exclude it: datetime (80 distinct)), expanded into year',
    );
    expect(entry(ds, 'shop').excluded).toBe('excluded as asked by the schema hints');
    expect(entry(ds, 'y')).toMatchObject({
      type: 'categorical',
      reason: 'categorical as asked by the schema hints',
    });
    expect([...excludedColumns(ds.profile).keys()]).toEqual(['order_id', 'shop']);
  });

  it('read every token as missing in a column hinted numeric', async () => {
    const csv = 'x,y\n1,a\n-,b\n-,a\n2,b\n';
    const ds = await uploaded('dashes-numeric', csv, hints({ x: { type: 'numeric' } }));
    expect(entry(ds, 'x')).toMatchObject({ type: 'numeric', missingTokens: { '-': 2 } });
    expect((await storedRows('dashes-numeric')).map((row) => row[0])).toEqual([1, null, null, 2]);
  });

  it('answer 400 naming the column for a hint that does not fit', async () => {
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [hints({ nope: { exclude: true } }), 'hints.columns.nope', /"nope", not a column/],
      [hints({ shop: { type: 'numeric' } }), 'hints.columns.shop', /"s0" in row 1/],
      [hints({ price: { type: 'datetime' } }), 'hints.columns.price', /not dates/],
      [hints({ shop: { type: 'boolean' } }), 'hints.columns.shop', /not true or false/],
      [hints({ shop: { type: 'date' } }), 'hints.columns.shop.type', /not valid/],
      [hints({ shop: { exclude: 'yes' } }), 'hints.columns.shop.exclude', /not valid/],
      [hints({ shop: { role: 'id' } }), 'hints.columns.shop', /not valid/],
      [{ hints: '{"columns":' }, 'hints', /must be JSON/],
      [{ categorical: 'nope' }, 'categorical', /"nope", not a column/],
    ];
    for (const [query, path, message] of cases) {
      const res = await upload('sales-bad', salesCsv(), query);
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      const error = errorOf(res);
      expect(error.message).toMatch(message);
      expect(error.details?.map((d) => d.path)).toContain(path);
    }
    // Nothing was stored by any of them.
    const list = await r.app.inject({
      method: 'GET',
      url: '/api/datasets/sales-bad',
      headers: r.auth,
    });
    expect(list.statusCode).toBe(404);
  });

  it('beside ?schema= may exclude but not type', async () => {
    const schema = JSON.stringify({
      columns: [
        { name: 'd', type: 'datetime', nullable: false },
        { name: 'x', type: 'numeric', nullable: false },
      ],
    });
    const csv = 'd,x\n2014-01-01,1\n02.01.2014,2\n';
    const ds = await uploaded('given-hinted', csv, { schema, ...hints({ x: { exclude: true } }) });
    expect(entry(ds, 'x').excluded).toBe('excluded as asked by the schema hints');
    expect((await storedRows('given-hinted')).map((row) => row[0])).toEqual([
      '2014-01-01',
      '2014-01-02',
    ]);
    const typed = await upload('given-typed', csv, {
      schema,
      ...hints({ x: { type: 'numeric' } }),
    });
    expect(typed.statusCode).toBe(400);
    expect(errorOf(typed).details).toEqual([
      { path: 'hints.columns.x', message: 'type hint for "x" beside ?schema=' },
    ]);
  });
});
