import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipOf } from '@mlops/registry/testing/archives';
import { writeLesions } from '../../../scripts/demo/lesions';
import { FLOWERS_CSV, useCliRegistry } from './cli-registry';

const { mlops, write, dir } = useCliRegistry('cli-ingest');

describe('mlops ingest and datasets against a real registry', () => {
  it('ingests a CSV and infers its schema', async () => {
    const file = write('flowers.csv', FLOWERS_CSV);
    const { code, stdout, stderr } = await mlops(['ingest', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/dataset flowers v1: 3 rows, sha256 [a-f0-9]{64}/);
    expect(stdout).toContain('size: numeric');
    expect(stdout).toContain('colour: categorical');

    const listed = await mlops(['datasets', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'flowers', version: 1, rowCount: 3 }),
    ]);
  });

  it('ingests a folder of images (packed as tar on the fly) and a zip of it', async () => {
    const images = path.join(dir(), 'lesions');
    const written = await writeLesions(images, { count: 9, seed: 4, size: 32 });
    fs.writeFileSync(path.join(images, 'README.txt'), 'not an image, left out');
    const { code, stdout, stderr } = await mlops(['ingest', images, '--name', 'lesions']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /dataset lesions v1: 9 images \(9 distinct\), 3 classes, sha256 [a-f0-9]{64}/,
    );
    expect(stdout).toContain('  melanoma: 3');
    expect(stdout).toContain('validation (first version of the name): none');

    const zip = path.join(dir(), 'lesions.zip');
    fs.writeFileSync(zip, zipOf(written.map((w) => ({ path: w.path, data: w.data }))));
    const again = await mlops(['ingest', zip, '--json']);
    expect(again.code).toBe(0);
    // Same images, same labels: the same version whichever way they travelled.
    expect(JSON.parse(again.stdout)).toMatchObject({ name: 'lesions', version: 1, format: 'tar' });
  });

  it('shows each inference decision and its reason at ingest', async () => {
    const lines = ['day,name,price,kind'];
    for (let i = 0; i < 60; i += 1)
      lines.push(
        `2014-02-${String((i % 28) + 1).padStart(2, '0')},car ${i},${i === 5 ? 'n/a' : i * 10},${i % 2 ? 'a' : 'b'}`,
      );
    const file = write('cars.csv', lines.join('\n') + '\n');
    const { code, stdout, stderr } = await mlops(['ingest', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('price: numeric (nullable) — every value is a number except 1');
    expect(stdout).toContain('missing: "n/a" ×1');
    expect(stdout).toMatch(
      /day: datetime — every value is a date or date-time \(60 ISO 8601\).*\n {4}not a default feature: datetime \(28 distinct\): never one-hot/,
    );
    expect(stdout).toMatch(
      /name: categorical — .*\n {4}not a default feature: identifier or name: 60 distinct values in 60 /,
    );
    expect(stdout).not.toMatch(/kind: categorical[^\n]*\n {4}not a default feature/);

    // A hint file and flags override it; a hint naming no column is refused, naming it.
    const hints = write('hints.json', JSON.stringify({ columns: { day: { exclude: false } } }));
    const hinted = await mlops([
      'ingest',
      file,
      '--name',
      'cars-hinted',
      '--schema-hints',
      hints,
      '--exclude',
      'kind',
    ]);
    expect(hinted.stderr).toBe('');
    expect(hinted.stdout).toMatch(
      /day: datetime — .*kept as a feature as asked by the schema hints/,
    );
    expect(hinted.stdout).toMatch(
      /kind: categorical[^\n]*\n {4}not a default feature: excluded as asked/,
    );
    const bad = await mlops(['ingest', file, '--name', 'cars-bad', '--include', 'nope']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('"nope", not a column of the dataset');
  });

  // Ten CLI processes, each starting tsx: slow on a loaded machine, hence the longer timeout.
  it(
    'lists the anomalies of a second version and refuses training on it by policy',
    { timeout: 300_000 },
    async () => {
      const rows = (n: number, f: (i: number) => string) =>
        Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n';
      const kinds = ['Adelie', 'Chinstrap', 'Gentoo'];
      const v1 = write(
        'penguins-1.csv',
        'bill,island,sex,species\n' +
          rows(
            90,
            (i) =>
              `${30 + (i % 17)},${i % 2 ? 'Dream' : 'Biscoe'},${i % 2 ? 'm' : 'f'},${kinds[i % 3]}`,
          ),
      );
      // A new island, no `sex`, 80% Adelie.
      const v2 = write(
        'penguins-2.csv',
        'bill,island,species\n' +
          rows(
            90,
            (i) =>
              `${30 + (i % 17)},${i % 10 === 0 ? 'Torgersen' : i % 2 ? 'Dream' : 'Biscoe'},${i % 5 === 0 ? kinds[1 + (i % 2)] : 'Adelie'}`,
          ),
      );
      const first = await mlops(['ingest', v1, '--name', 'penguins']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain('validation (first version of the name): none');
      const second = await mlops(['ingest', v2, '--name', 'penguins']);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('validation (against v1): 1 error, 3 warnings');
      expect(second.stdout).toMatch(/ERROR column_missing sex: /);
      expect(second.stdout).toMatch(/WARNING new_category island: .*"Torgersen"/);
      expect(second.stdout).toMatch(/WARNING distribution_shift species: .*Adelie 80\.0%/);
      const shown = await mlops(['dataset', 'penguins', '2']);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('dataset penguins v2: 90 rows');
      expect(shown.stdout).toMatch(/ERROR column_missing sex/);
      const listed = await mlops(['datasets', 'penguins']);
      expect(listed.stdout).toMatch(/penguins\s+2\s+90\s+3\s+\w+\s+1 error, 3 warnings/);
      const bad = await mlops(['dataset-policy', 'penguins', 'sometimes']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('off, warning or error');
      const set = await mlops(['dataset-policy', 'penguins', 'error']);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain('blockTrainingOnAnomalies=error');
      const train = (version: string) =>
        mlops([
          'train',
          ...['--dataset', 'penguins', '--dataset-version', version, '--target', 'species'],
          ...['--model', 'penguin-clf', '--task', 'classification', '--no-wait'],
        ]);
      const refused = await train('2');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('column_missing "sex"');
      expect(refused.stderr).toContain('blockTrainingOnAnomalies: error');
      const queued = await train('1');
      expect(queued.code, queued.stderr).toBe(0);
    },
  );

  it('names the broken row of a bad CSV and exits 1', async () => {
    const file = write('broken.csv', 'a,b\n1,2\n3\n5,6\n');
    const { code, stderr } = await mlops(['ingest', file, '--name', 'broken']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: /);
    expect(stderr).toMatch(/row 2/);
  });

  it('refuses a mutation without a token', async () => {
    const file = write('other.csv', 'x,y\n1,2\n');
    const { code, stderr } = await mlops(['ingest', file], {
      MLOPS_TOKEN: '',
      MLOPS_DATA_DIR: path.join(dir(), 'nowhere'),
    });
    expect(code).toBe(1);
    expect(stderr.toLowerCase()).toContain('token');
  });
});
