import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, initBackend } from '../../src/backend';
import { buildModel, disposeModel, layerSeed, PRESET_HIDDEN_UNITS } from '../../src/presets';

const hp = { learningRate: 0.01, dropout: 0, l2: 0 };

function denseUnits(model: ReturnType<typeof buildModel>): number[] {
  return model.layers
    .filter((l) => l.getClassName() === 'Dense')
    .map((l) => (l.getConfig() as { units: number }).units);
}

describe('presets', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('mlp-small, mlp-medium and linear have their hidden layers; classification ends in softmax', () => {
    for (const preset of ['mlp-small', 'mlp-medium', 'linear'] as const) {
      const model = buildModel({
        preset,
        task: 'classification',
        inputWidth: 5,
        outputWidth: 3,
        hyperparameters: hp,
        seed: 1,
      });
      expect(denseUnits(model)).toEqual([...PRESET_HIDDEN_UNITS[preset], 3]);
      const last = model.layers.at(-1)!.getConfig() as { activation: string };
      expect(last.activation).toBe('softmax');
      expect(model.loss).toBe('categoricalCrossentropy');
      model.dispose();
    }
  });

  it('regression is linear with MSE; hiddenUnits, dropout and l2 apply', () => {
    const model = buildModel({
      preset: 'mlp-small',
      task: 'regression',
      inputWidth: 2,
      outputWidth: 1,
      hyperparameters: { ...hp, hiddenUnits: [8], dropout: 0.2, l2: 0.01 },
      seed: 1,
    });
    expect(denseUnits(model)).toEqual([8, 1]);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dropout', 'Dense']);
    expect((model.layers.at(-1)!.getConfig() as { activation: string }).activation).toBe('linear');
    expect(model.loss).toBe('meanSquaredError');
    expect(
      (model.layers[0]!.getConfig() as { kernelRegularizer: unknown }).kernelRegularizer,
    ).toBeTruthy();
    model.dispose();
  });

  it('same seed → same initial weights; another seed → different ones', () => {
    const tf = getTf();
    const weights = (seed: number) => {
      const model = buildModel({
        preset: 'mlp-small',
        task: 'classification',
        inputWidth: 4,
        outputWidth: 2,
        hyperparameters: hp,
        seed,
      });
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      disposeModel(model);
      return values;
    };
    const before = tf.memory().numTensors;
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
    expect(tf.memory().numTensors).toBe(before);
    expect(layerSeed(7, 0)).not.toBe(layerSeed(7, 1));
  });
});
