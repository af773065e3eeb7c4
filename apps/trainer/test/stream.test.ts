import { describe, expect, it } from 'vitest';
import { scalarColumns, type DataRow } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { PreprocessingBuilder, fitPreprocessing } from '@mlops/ml/preprocessing';
import { FitInterrupted } from '../src/train/fit';
import { decodeCheckpoint } from '../src/train/checkpoint';
import { streamSplit, trainStreaming } from '../src/train/stream';
import { blobRows, blobSchema, spec } from './data';

async function* replay(rows: DataRow[]): AsyncIterable<DataRow> {
  for (const row of rows) {
    await Promise.resolve();
    yield row;
  }
}

describe('streaming training (bounded memory)', () => {
  it('fits the same preprocessing in one streaming pass as in memory', () => {
    const rows = blobRows(500, 3);
    const [x1, x2, color, flag, target] = scalarColumns(blobSchema.columns);
    const features = [x1!, x2!, color!, flag!];
    const builder = new PreprocessingBuilder(features, target!, 'classification');
    for (const r of rows) builder.add(r);
    const streamed = builder.finish();
    const inMemory = fitPreprocessing(features, target!, 'classification', rows);
    expect(streamed.inputWidth).toBe(inMemory.inputWidth);
    expect(streamed.target).toEqual(inMemory.target);
    streamed.features.forEach((f, i) => {
      const m = inMemory.features[i]!;
      expect(f.kind).toBe(m.kind);
      if (f.kind === 'standardize' && m.kind === 'standardize') {
        expect(f.mean).toBeCloseTo(m.mean, 9);
        expect(f.std).toBeCloseTo(m.std, 9);
      } else expect(f).toEqual(m);
    });
  });

  it('splits rows by hash in the requested shares', () => {
    const counts = { train: 0, validation: 0, test: 0 };
    for (let i = 0; i < 20_000; i++) counts[streamSplit(i, 42, 0.2, 0.1)]++;
    expect(counts.test / 20_000).toBeCloseTo(0.2, 1);
    expect(counts.validation / 20_000).toBeCloseTo(0.08, 1);
  });

  it('trains from a stream of rows, re-read every epoch, and frees every tensor', async () => {
    await initBackend('cpu');
    const tf = getTf();
    const baseline = tf.memory().numTensors;
    const rows = blobRows(600, 4);
    let passes = 0;
    const out = await trainStreaming({
      spec: spec({
        task: 'classification',
        target: 'species',
        hyperparameters: { epochs: 8, learningRate: 0.02 },
      }),
      schema: blobSchema,
      rows: () => {
        passes++;
        return replay(rows);
      },
    });
    expect(passes).toBe(1 + out.fit.epochsRun);
    expect(out.metrics.accuracy).toBeGreaterThan(0.9);
    expect(out.sizes.train + out.sizes.validation + out.sizes.test + out.sizes.dropped).toBe(600);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('checkpoints on interrupt and resumes to the same result as an uninterrupted fit', async () => {
    await initBackend('cpu');
    const rows = blobRows(300, 6);
    const s = spec({
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 6, earlyStoppingPatience: 0 },
    });
    const full = await trainStreaming({ spec: s, schema: blobSchema, rows: () => replay(rows) });
    let saved: Uint8Array | undefined;
    await expect(
      trainStreaming({
        spec: s,
        schema: blobSchema,
        rows: () => replay(rows),
        control: {
          checkpoint: {
            runId: 'r1',
            due: () => false,
            save: (b) => Promise.resolve(void (saved = b)),
          },
          interrupt: () => true,
        },
      }),
    ).rejects.toBeInstanceOf(FitInterrupted);
    const resumed = await trainStreaming({
      spec: s,
      schema: blobSchema,
      rows: () => replay(rows),
      control: { resume: decodeCheckpoint(saved!) },
    });
    expect(resumed.fit.resumedFromEpoch).toBe(1);
    expect(resumed.fit.history.map((h) => h.loss)).toEqual(full.fit.history.map((h) => h.loss));
    expect(resumed.metrics).toEqual(full.metrics);
  });
});
