import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetVersionSchema, excludedColumns, type DatasetVersion } from '@mlops/contracts';
import { errorOf, startTestRegistry, trpc, type TestRegistry } from './helpers';

let r: TestRegistry;
beforeAll(async () => {
  r = await startTestRegistry();
});
afterAll(async () => {
  await r.close();
});

async function upload(name: string, body: string, query = '', contentType = 'text/csv') {
  return r.app.inject({
    method: 'POST',
    url: `/api/datasets/${name}${query}`,
    payload: body,
    headers: { ...r.auth, 'content-type': contentType },
  });
}

async function uploaded(name: string, body: string, query = ''): Promise<DatasetVersion> {
  const res = await upload(name, body, query);
  expect(res.statusCode, res.body).toBe(201);
  return datasetVersionSchema.parse(res.json());
}

function entry(ds: DatasetVersion, name: string) {
  const found = ds.profile.inference?.columns.find((c) => c.name === name);
  if (!found) throw new Error(`no inference for column ${name}`);
  return found;
}

/** Four years of daily weather: the case of issue #19 (1,461 dates, one "n/a", a name per row). */
function weatherCsv(): string {
  const lines = ['date,station,temp_max,wind,weather'];
  for (let i = 0; i < 1461; i += 1) {
    const day = new Date(Date.UTC(2012, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const temp = i === 7 ? 'n/a' : String((i % 30) + 0.5);
    lines.push(`${day},station-${i},${temp},${i % 7},${i % 3 === 0 ? 'rain' : 'sun'}`);
  }
  return lines.join('\n') + '\n';
}

/** Titanic-like rows: PassengerId 1..n, a 0/1 label, float fares, integer ages with repeats. */
function titanicCsv(rows: number): string {
  const lines = ['PassengerId,Survived,Fare,Age'];
  for (let i = 1; i <= rows; i += 1)
    lines.push(`${i},${i % 3 === 0 ? 1 : 0},${((i * 37) % 101) + 0.25},${18 + ((i * 13) % 50)}`);
  return lines.join('\n') + '\n';
}

describe('type inference at ingest', () => {
  it('reads "n/a" as missing in a numeric column, counts it, and excludes dates and ids', async () => {
    const ds = await uploaded('weather', weatherCsv());
    expect(ds.rowCount).toBe(1461);
    expect(ds.schema.columns.map((c) => [c.name, c.type])).toEqual([
      ['date', 'datetime'],
      ['station', 'categorical'],
      ['temp_max', 'numeric'],
      ['wind', 'numeric'],
      ['weather', 'categorical'],
    ]);
    expect(ds.profile.inference?.source).toBe('inferred');
    const temp = entry(ds, 'temp_max');
    expect(temp).toMatchObject({ type: 'numeric', missingTokens: { 'n/a': 1 } });
    expect(temp.reason).toContain('"n/a"');
    expect(temp.excluded).toBeUndefined();
    expect(entry(ds, 'date')).toMatchObject({ kind: 'date', type: 'datetime' });
    expect(entry(ds, 'date').reason).toBe(
      'every value is a date or date-time (1461 ISO 8601): stored as ISO 8601',
    );
    expect(entry(ds, 'date').excluded).toContain('datetime (1461 distinct): never one-hot encoded');
    expect(entry(ds, 'station')).toMatchObject({ kind: 'identifier' });
    expect(entry(ds, 'station').excluded).toContain('1461 distinct values in 1461 (100%');
    expect(entry(ds, 'weather').excluded).toBeUndefined();
    expect([...excludedColumns(ds.profile).keys()]).toEqual(['date', 'station']);

    // The token became null in the stored rows, and the profile counts it as missing.
    const rows = await r.app.inject({
      method: 'GET',
      url: '/api/datasets/weather/versions/1/rows',
      headers: r.auth,
    });
    expect(JSON.parse(rows.body.trim().split('\n')[7] ?? '')).toEqual([
      '2012-01-08',
      'station-7',
      null,
      0,
      'sun',
    ]);
    expect(ds.profile.columns[2]).toMatchObject({ name: 'temp_max', missing: 1 });

    // The report is kept with the version: a later read answers it too.
    const again = await trpc(r.app, 'query', 'datasets.get', { name: 'weather' }, r.auth);
    expect(datasetVersionSchema.parse(again.data).profile.inference).toEqual(ds.profile.inference);
  });

  it('quotes the first value that kept a column from being numeric', async () => {
    const ds = await uploaded('mixed', 'x,y\n1,a\n2,b\n3 kg,c\nabc,d\n');
    expect(entry(ds, 'x').reason).toBe(
      'some values are not numbers or true/false (first: "3 kg" in row 3)',
    );
  });

  it('recognises date-times with a T or a space, with and without offsets', async () => {
    const csv =
      'at,y\n2014-01-01T10:00:00Z,1\n2014-01-01 10:00,2\n2014-01-02T10:00:00.5+01:00,3\n2014-01-03,4\n';
    const ds = await uploaded('datetimes', csv);
    expect(entry(ds, 'at')).toMatchObject({ kind: 'date', type: 'datetime' });
  });

  it('does not call impossible dates dates', async () => {
    const ds = await uploaded('not-dates', 'at,y\n2014-13-01,1\n2014-01-01,2\n');
    expect(entry(ds, 'at').kind).toBeUndefined();
    expect(entry(ds, 'at').excluded).toBeUndefined();
  });

  it('keeps a column categorical when the tokens are more than a small share', async () => {
    const csv = 'x,y\n1,a\n-,b\n-,a\n2,b\n';
    const ds = await uploaded('many-dashes', csv);
    expect(ds.schema.columns[0]).toMatchObject({ name: 'x', type: 'categorical' });
    expect(entry(ds, 'x').reason).toContain('50%');
    expect(entry(ds, 'x').missingTokens).toBeUndefined();
  });

  it('says so when a column holds only tokens', async () => {
    const ds = await uploaded('only-dashes', 'x,y\n-,1\n,2\n-,3\n');
    expect(entry(ds, 'x')).toMatchObject({
      type: 'categorical',
      reason: 'no numbers, only the tokens "-": categorical',
      missingTokens: { '': 1 },
    });
  });

  it('counts blanks and "NA" in every column, and other tokens only in numeric ones', async () => {
    const lines = ['x,c'];
    for (let i = 0; i < 30; i += 1) lines.push(`${i},${i % 2 ? 'a' : '?'}`);
    lines.push(',NA', '?,a', 'NA,');
    const ds = await uploaded('tokens', lines.join('\n') + '\n');
    expect(entry(ds, 'x')).toMatchObject({
      type: 'numeric',
      missingTokens: { '': 1, '?': 1, NA: 1 },
    });
    // "?" is a category of c: 15 of 32 values, far past a small share.
    expect(ds.schema.columns[1]).toMatchObject({ type: 'categorical' });
    expect(entry(ds, 'c').missingTokens).toEqual({ '': 1, NA: 1 });
  });

  it("flags a car's name (305 values in 398 rows) but not a category seen a few times each", async () => {
    const lines = ['name,origin,mpg'];
    for (let i = 0; i < 398; i += 1)
      lines.push(`car ${i % 305},${['usa', 'japan', 'europe'][i % 3]},${20 + (i % 17)}`);
    lines.push(...Array.from({ length: 2 }, (_, i) => `car ${i},,21`));
    const ds = await uploaded('auto-mpg', lines.join('\n') + '\n');
    expect(entry(ds, 'name')).toMatchObject({ kind: 'identifier' });
    expect(entry(ds, 'name').excluded).toContain('305 distinct values in 400');
    expect(entry(ds, 'origin').excluded).toBeUndefined();
    expect(entry(ds, 'mpg').excluded).toBeUndefined();

    // 60 values of 25 categories (2.4 rows each): a category, kept.
    const few = ['c,y', ...Array.from({ length: 60 }, (_, i) => `k${i % 25},${i}`)];
    const kept = await uploaded('few-categories', few.join('\n') + '\n');
    expect(entry(kept, 'c').excluded).toBeUndefined();
  });

  it('flags long free text, but not a small table with one value per row', async () => {
    const long = 'word '.repeat(15).trim();
    const csv = 'note,code,y\n' + [1, 2, 3].map((i) => `${long} ${i},c${i},${i}`).join('\n') + '\n';
    const ds = await uploaded('notes', csv);
    expect(entry(ds, 'note')).toMatchObject({ kind: 'text' });
    expect(entry(ds, 'code').excluded).toBeUndefined();
  });

  it('never excludes a column asked for by ?categorical=', async () => {
    const ds = await uploaded('weather-forced', weatherCsv(), '?categorical=station');
    expect(entry(ds, 'station').excluded).toBeUndefined();
    expect(entry(ds, 'station').reason).toContain('?categorical=');
    expect(entry(ds, 'date').excluded).toBeDefined();
  });

  it('lets ?schema= override inference: no tokens read as missing, nothing excluded', async () => {
    const schema = JSON.stringify({
      columns: [
        { name: 'd', type: 'categorical', nullable: false },
        { name: 'x', type: 'numeric', nullable: true },
      ],
    });
    const q = `?schema=${encodeURIComponent(schema)}`;
    const bad = await upload('given', 'd,x\n2014-01-01,1\n2014-01-02,n/a\n', q);
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details).toEqual([{ row: 2, path: 'x', message: '"n/a" is not a number' }]);
    const ds = await uploaded('given', 'd,x\n2014-01-01,1\n2014-01-02,\n', q);
    expect(ds.profile.inference).toEqual({
      source: 'schema',
      columns: [
        { name: 'd', type: 'categorical', reason: 'given by ?schema=' },
        { name: 'x', type: 'numeric', reason: 'given by ?schema=' },
      ],
    });
  });

  it('flags a numeric row identifier (PassengerId 1..100) but not real numeric features', async () => {
    const ds = await uploaded('titanic', titanicCsv(100));
    expect(ds.schema.columns.map((c) => c.type)).toEqual([
      'numeric',
      'numeric',
      'numeric',
      'numeric',
    ]);
    expect(entry(ds, 'PassengerId')).toMatchObject({ type: 'numeric', kind: 'identifier' });
    expect(entry(ds, 'PassengerId').excluded).toContain('100 distinct integers 1..100, increasing');
    // Floats, and integers with repeats, are quantities.
    for (const name of ['Survived', 'Fare', 'Age']) {
      expect(entry(ds, name).kind).toBeUndefined();
      expect(entry(ds, name).excluded).toBeUndefined();
    }
    expect([...excludedColumns(ds.profile).keys()]).toEqual(['PassengerId']);

    // 49 rows are too few to call 1..49 an identifier.
    const small = await uploaded('titanic-small', titanicCsv(49));
    expect(entry(small, 'PassengerId').excluded).toBeUndefined();
  });

  it('flags shuffled consecutive integers, and distinct integers named like an id', async () => {
    // A permutation of 0..59 in id, user_id and n; 10, 20, … (distinct, gaps) in x and item_id.
    const lines = ['id,user_id,n,x,item_id,paid,y'];
    for (let i = 0; i < 60; i += 1) {
      const shuffled = (i * 7) % 60;
      const gapped = ((i * 7) % 60) * 10;
      lines.push(`${shuffled},${shuffled},${shuffled},${gapped},${gapped},${gapped},${i % 4}`);
    }
    const ds = await uploaded('ids', lines.join('\n') + '\n');
    expect(entry(ds, 'n').excluded).toContain('consecutive');
    expect(entry(ds, 'id').kind).toBe('identifier');
    expect(entry(ds, 'user_id').kind).toBe('identifier');
    expect(entry(ds, 'item_id').excluded).toContain('named like an id ("item_id")');
    // Distinct, with gaps, in no order, and not named like an id: a quantity.
    expect(entry(ds, 'x').excluded).toBeUndefined();
    expect(entry(ds, 'paid').excluded).toBeUndefined();
    expect(entry(ds, 'y').excluded).toBeUndefined();
  });

  it('lets ?categorical= and ?schema= win over a numeric identifier', async () => {
    const forced = await uploaded('titanic-forced', titanicCsv(100), '?categorical=PassengerId');
    expect(entry(forced, 'PassengerId')).toMatchObject({ type: 'categorical' });
    expect(entry(forced, 'PassengerId').excluded).toBeUndefined();
    expect(entry(forced, 'PassengerId').kind).toBeUndefined();

    const schema = JSON.stringify({
      columns: ['PassengerId', 'Survived', 'Fare', 'Age'].map((name) => ({
        name,
        type: 'numeric',
        nullable: false,
      })),
    });
    const given = await uploaded(
      'titanic-given',
      titanicCsv(100),
      `?schema=${encodeURIComponent(schema)}`,
    );
    expect(given.profile.inference?.source).toBe('schema');
    expect(excludedColumns(given.profile).size).toBe(0);
  });

  it('reads JSON strings as tokens but not JSON nulls', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ x: i === 3 ? 'N/A' : i, y: null }));
    const res = await upload('json-tokens', JSON.stringify(rows), '', 'application/json');
    expect(res.statusCode, res.body).toBe(201);
    const ds = datasetVersionSchema.parse(res.json());
    expect(entry(ds, 'x')).toMatchObject({ type: 'numeric', missingTokens: { 'N/A': 1 } });
    expect(entry(ds, 'y').missingTokens).toBeUndefined();
  });
});
