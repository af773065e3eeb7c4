import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
// The real registry in this process; the CLI runs as a real child process against it.
import { graphModelFiles, graphTensorModelFiles } from '@mlops/ml/testing';
import { writeLesions } from '../../../scripts/demo/lesions';
import { zipOf } from '@mlops/registry/testing/archives';
import { cliRunner } from '@mlops/cli/testing';

const TOKEN = 'cli-test-token-0123456789abcdef';
let dir: string;
let registry: TestRegistry;
let url: string;

const mlops = cliRunner({
  registryUrl: () => url,
  cwd: () => dir,
  token: TOKEN,
  env: { SERVING_URL: 'http://127.0.0.1:9' },
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
  registry = await startTestRegistry({
    token: TOKEN,
    maxUploadBytes: 1024 ** 2,
    name: 'cli-registry',
  });
  url = registry.url;
});

afterAll(async () => {
  await registry?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mlops CLI against a real registry', () => {
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

  it('ingests a CSV and infers its schema', async () => {
    const file = write('flowers.csv', 'size,colour,kind\n1.5,red,a\n2.5,blue,b\n3.5,red,a\n');
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
    const images = path.join(dir, 'lesions');
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

    const zip = path.join(dir, 'lesions.zip');
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

  it('refuses a mutation without a token', async () => {
    const file = write('other.csv', 'x,y\n1,2\n');
    const { code, stderr } = await mlops(['ingest', file], {
      MLOPS_TOKEN: '',
      MLOPS_DATA_DIR: path.join(dir, 'nowhere'),
    });
    expect(code).toBe(1);
    expect(stderr.toLowerCase()).toContain('token');
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

  it('imports a TF.js model directory with a declared signature', async () => {
    const modelDir = path.join(dir, 'byo');
    fs.mkdirSync(modelDir);
    for (const f of graphModelFiles()) fs.writeFileSync(path.join(modelDir, f.path), f.bytes);
    const signature = {
      task: 'regression',
      target: 'y',
      inputs: [
        { name: 'a', type: 'numeric', nullable: false },
        { name: 'b', type: 'numeric', nullable: false },
      ],
    };
    const sig = write('signature.json', JSON.stringify(signature));
    const ok = await mlops(['import', modelDir, '--model', 'byo', '--signature', sig]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('imported byo v1 (regression, 2 files, input width 2)\n');
    const versions = await mlops(['versions', 'byo', '--json']);
    const listed = JSON.parse(versions.stdout) as Array<{
      version: number;
      manifest: { lineage: { codeRevision: string } };
    }>;
    expect(listed.map((v) => [v.version, v.manifest.lineage.codeRevision])).toEqual([
      [1, 'imported'],
    ]);

    const wide = write(
      'wide.json',
      JSON.stringify({
        ...signature,
        inputs: [...signature.inputs, { name: 'c', type: 'numeric', nullable: true }],
      }),
    );
    const bad = await mlops(['import', modelDir, '--model', 'byo', '--signature', wide]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: /);
    expect(bad.stderr).toContain('inputs');

    fs.rmSync(path.join(modelDir, 'group1-shard1of1.bin'));
    const missing = await mlops(['import', modelDir, '--model', 'byo', '--signature', sig]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('group1-shard1of1.bin');
  });

  it('queues a platform evaluation of an imported version and labels its metrics as claimed', async () => {
    const data = write('byo-eval.csv', 'a,b,y\n1,2,3\n2,3,5\n3,4,7\n');
    expect((await mlops(['ingest', data, '--name', 'byo-eval'])).code).toBe(0);
    const queued = await mlops(['evaluate', 'byo', '1', '--dataset', 'byo-eval:1', '--no-wait']);
    expect(queued.stderr).toBe('');
    expect(queued.stdout).toMatch(/^evaluation \S+ of byo v1 on byo-eval v1 is queued\n$/);
    const json = await mlops([
      'evaluate',
      'byo',
      '1',
      '--dataset',
      'byo-eval',
      '--no-wait',
      '--json',
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      model: 'byo',
      version: 1,
      status: 'queued',
      dataset: { name: 'byo-eval', version: 1 },
    });
    const missing = await mlops(['evaluate', 'byo', '1', '--dataset', 'flowers', '--no-wait']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('"a"');
    const table = await mlops(['versions', 'byo']);
    expect(table.stdout).toMatch(/ PLATFORM +CLAIMED /);
  });

  it('imports a tensor model with --image, --scale and --labels, its inputs read from model.json', async () => {
    const modelDir = path.join(dir, 'tensors');
    fs.mkdirSync(modelDir);
    for (const f of graphTensorModelFiles()) fs.writeFileSync(path.join(modelDir, f.path), f.bytes);
    const labels = write('labels.txt', 'left\nright\n');
    const args = ['import', modelDir, '--model', 'tensors', '--labels', labels, '--scale', '1/255'];
    const ok = await mlops([...args, '--image', 'image=4x4x3']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      'imported tensors v1 (classification, 2 files, inputs image [-1, 4, 4, 3] image, bias [-1, 2])\n',
    );
    const version = await mlops(['versions', 'tensors', '--json']);
    const [v1] = JSON.parse(version.stdout) as Array<{
      manifest: { signature: { output: unknown; tensors: { inputs: unknown[] } } };
    }>;
    expect(v1?.manifest.signature.output).toEqual({
      task: 'classification',
      target: 'label',
      labels: ['left', 'right'],
    });
    expect(v1?.manifest.signature.tensors.inputs[0]).toMatchObject({
      kind: 'image',
      decoding: { channels: 3, height: 4, width: 4, scale: 1 / 255 },
    });

    const wrongSize = await mlops([...args, '--image', 'image=8x8x3']);
    expect(wrongSize.code).toBe(1);
    expect(wrongSize.stderr).toContain('tensorInputs[0].image');
    expect(wrongSize.stderr).toContain('the model expects [-1, 4, 4, 3], declared [-1, 8, 8, 3]');
    const badScale = await mlops([...args, '--image', 'image=4x4x3', '--scale', 'a/b']);
    expect(badScale.code).toBe(1);
    expect(badScale.stderr).toContain('--scale');
  });
});
