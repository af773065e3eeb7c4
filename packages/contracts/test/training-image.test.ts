import { describe, expect, it } from 'vitest';
import { trainingSpecSchema } from '../src';

const base = {
  modelName: 'lesions',
  dataset: { name: 'lesions' },
  task: 'classification',
  target: 'label',
  preset: 'cnn-small',
};

function issues(image: unknown): string[] {
  const parsed = trainingSpecSchema.safeParse({ ...base, image });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('the image decoding of a training spec', () => {
  it('is optional and keeps what it is given', () => {
    expect(trainingSpecSchema.parse(base).image).toBeUndefined();
    expect(
      trainingSpecSchema.parse({ ...base, image: { height: 28, width: 28, channels: 1 } }).image,
    ).toEqual({ height: 28, width: 28, channels: 1 });
  });

  it('refuses unknown keys, 2 or 4 channels and sizes out of bounds, naming the field', () => {
    expect(issues({ height: 32, width: 32, channels: 3, scale: 1 })).toEqual([
      expect.stringMatching(/^image: Unrecognized key/),
    ]);
    expect(issues({ height: 32, width: 32, channels: 2 })).toEqual([
      expect.stringMatching(/^image\.channels: /),
    ]);
    expect(issues({ height: 32, width: 32, channels: 4 })).toHaveLength(1);
    expect(issues({ height: 512, width: 32, channels: 3 })).toEqual([
      expect.stringMatching(/^image\.height: /),
    ]);
    expect(issues({ height: 32, width: 2, channels: 3 })).toEqual([
      expect.stringMatching(/^image\.width: /),
    ]);
  });
});
