import { describe, expect, it } from 'vitest';
import { hyperparametersSchema, trainingSpecSchema } from '../src';

const spec = {
  modelName: 'lesions',
  dataset: { name: 'lesions' },
  task: 'classification',
  target: 'label',
};

function issues(transfer: unknown): string[] {
  const parsed = trainingSpecSchema.safeParse({ ...spec, transfer });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('the transfer option of a training spec', () => {
  it('fills in a frozen base, no fine-tuning, no hidden head layers and cached features', () => {
    expect(
      trainingSpecSchema.parse({ ...spec, transfer: { base: { model: 'mobilenet', version: 2 } } })
        .transfer,
    ).toEqual({
      base: { model: 'mobilenet', version: 2 },
      freeze: true,
      unfreezeTopLayers: 0,
      headUnits: [],
      cacheFeatures: true,
    });
  });

  it('takes a base by alias, but not by both or neither', () => {
    expect(issues({ base: { model: 'mobilenet', alias: 'champion' } })).toEqual([]);
    expect(issues({ base: { model: 'mobilenet', alias: 'champion', version: 1 } })).toEqual([
      'transfer.base.version: name exactly one of version or alias',
    ]);
    expect(issues({ base: { model: 'mobilenet' } })).toEqual([
      'transfer.base.version: name exactly one of version or alias',
    ]);
  });

  it('refuses unknown keys and fine-tuning options that would never apply, naming the field', () => {
    const base = { model: 'mobilenet', version: 1 };
    expect(issues({ base, freez: true })).toEqual([
      expect.stringMatching(/^transfer: Unrecognized key/),
    ]);
    expect(issues({ base: { ...base, tag: 'x' } })).toEqual([
      expect.stringMatching(/^transfer\.base: Unrecognized key/),
    ]);
    expect(issues({ base, freeze: false, unfreezeTopLayers: 2 })).toEqual([
      expect.stringMatching(/^transfer\.unfreezeTopLayers: .*needs freeze true/),
    ]);
    expect(issues({ base, fineTuneEpochs: 3 })).toEqual([
      expect.stringMatching(/^transfer\.fineTuneEpochs: .*unfreezeTopLayers > 0/),
    ]);
    expect(issues({ base, unfreezeTopLayers: 2, fineTuneEpochs: 3 })).toEqual([]);
    expect(issues({ base, headUnits: [0] })).toEqual([
      expect.stringMatching(/^transfer\.headUnits\.0: /),
    ]);
  });
});

describe('image augmentation hyperparameters', () => {
  it('bounds the crop padding and the brightness jitter', () => {
    expect(hyperparametersSchema.parse({ randomCrop: 4, brightness: 0.2 })).toMatchObject({
      randomCrop: 4,
      brightness: 0.2,
    });
    expect(hyperparametersSchema.safeParse({ randomCrop: 0 }).success).toBe(false);
    expect(hyperparametersSchema.safeParse({ randomCrop: 1.5 }).success).toBe(false);
    expect(hyperparametersSchema.safeParse({ brightness: 0 }).success).toBe(false);
    expect(hyperparametersSchema.safeParse({ brightness: 1.5 }).success).toBe(false);
  });
});
