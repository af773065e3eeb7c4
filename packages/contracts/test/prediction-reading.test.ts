import { describe, expect, it } from 'vitest';
import { AnswerShapeError, readPredictions, type Signature } from '../src';

const classifier: Signature = {
  inputs: [{ name: 'x', type: 'numeric', nullable: false }],
  output: { task: 'classification', target: 'y', labels: ['neg', 'pos'] },
};
const regressor: Signature = {
  inputs: [{ name: 'x', type: 'numeric', nullable: false }],
  output: { task: 'regression', target: 'y' },
};
const model = { name: 'm', version: 2, alias: 'champion' };

describe('readPredictions: TF Serving answers of tabular models', () => {
  it('reads the default shape: label with probabilities in the labels order', () => {
    const read = readPredictions(
      {
        predictions: [{ label: 'pos', probabilities: [0.25, 0.75] }],
        model,
        predictionIds: ['p1'],
      },
      classifier,
    );
    expect(read.model).toEqual(model);
    expect(read.predictions).toEqual([
      {
        predictionId: 'p1',
        label: 'pos',
        probabilities: [
          { label: 'pos', value: 0.75 },
          { label: 'neg', value: 0.25 },
        ],
        value: null,
      },
    ]);
  });

  it('reads ?format=platform records and a bare regression value alike', () => {
    const platform = readPredictions(
      {
        predictions: [{ label: 'neg', probabilities: { neg: 0.6, pos: 0.4 } }],
        model,
        predictionIds: ['p1'],
      },
      classifier,
    );
    expect(platform.predictions[0]).toMatchObject({ label: 'neg', predictionId: 'p1' });
    const value = readPredictions(
      { predictions: [3.5, 4], model, predictionIds: ['a', 'b'] },
      regressor,
    );
    expect(value.predictions.map((p) => [p.value, p.predictionId])).toEqual([
      [3.5, 'a'],
      [4, 'b'],
    ]);
  });

  it('refuses an answer it cannot read, saying why', () => {
    expect(() =>
      readPredictions({ predictions: ['x'], model, predictionIds: [] }, classifier),
    ).toThrow(AnswerShapeError);
    expect(() => readPredictions({ error: 'boom' }, classifier)).toThrow(/cannot read/);
  });
});
