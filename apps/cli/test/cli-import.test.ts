import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphModelFiles, graphTensorModelFiles } from '@mlops/ml/testing';
import { FLOWERS_CSV, useCliRegistry } from './cli-registry';

const { mlops, write, dir } = useCliRegistry('cli-import');

beforeAll(async () => {
  const ingested = await mlops(['ingest', write('flowers.csv', FLOWERS_CSV)]);
  expect(ingested.code, ingested.stderr).toBe(0);
});

describe('mlops import and evaluate against a real registry', () => {
  it('imports a TF.js model directory with a declared signature', async () => {
    const modelDir = path.join(dir(), 'byo');
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
    const modelDir = path.join(dir(), 'tensors');
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
