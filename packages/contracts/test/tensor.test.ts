import { describe, expect, it } from 'vitest';
import {
  MAX_TENSOR_ELEMENTS,
  bundleManifestSchema,
  externalLineage,
  signatureSchema,
  tensorInputSchema,
  tensorSignatureSchema,
} from '../src';

const lineage = externalLineage('imported');
const files = [{ path: 'model.json', sha256: 'a'.repeat(64), size: 10 }];
const target = { kind: 'label-encode', column: 'label', labels: ['cat', 'dog'] };
const output = { task: 'classification', target: 'label', labels: ['cat', 'dog'] };

/** A manifest as the registry stored it before tensor features existed. */
const tabular = {
  formatVersion: 1,
  task: 'classification',
  signature: { inputs: [{ name: 'x', type: 'numeric', nullable: false }], output },
  preprocessing: {
    features: [{ kind: 'standardize', column: 'x', mean: 0, std: 1, impute: 0 }],
    target,
    inputWidth: 1,
  },
  metrics: {},
  lineage,
  files,
};

const image = {
  kind: 'image',
  name: 'input_1',
  dtype: 'float32',
  shape: [-1, 224, 224, 3],
  decoding: { channels: 3, height: 224, width: 224, scale: 1 / 255 },
};
const tensorManifest = {
  ...tabular,
  signature: {
    inputs: [],
    output,
    tensors: {
      inputs: [image, { kind: 'tensor', name: 'meta', dtype: 'int32', shape: [-1, 4] }],
      outputs: [
        { name: 'probs', dtype: 'float32', shape: [-1, 2], role: 'probabilities' },
        { name: 'emb', dtype: 'float32', shape: [-1, 128], role: 'embedding' },
      ],
    },
  },
  preprocessing: { features: [], target, inputWidth: 0 },
};

function messages(result: {
  error?: { issues: ReadonlyArray<{ message: string; path: PropertyKey[] }> } | undefined;
}): string[] {
  return (result.error?.issues ?? []).map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}

describe('tensor features in the contracts', () => {
  it('still parses a stored tabular manifest unchanged', () => {
    const parsed = bundleManifestSchema.parse(tabular);
    expect(parsed).toEqual(tabular);
    expect(parsed.signature.tensors).toBeUndefined();
  });

  it('parses a tensor manifest with an image and a tensor input and two outputs', () => {
    const parsed = bundleManifestSchema.parse(tensorManifest);
    const decoded = parsed.signature.tensors?.inputs[0];
    expect(decoded?.kind === 'image' && decoded.decoding).toEqual({
      channels: 3,
      height: 224,
      width: 224,
      resize: 'bilinear',
      scale: 1 / 255,
    });
  });

  it('refuses a signature with neither scalar nor tensor inputs, and a tabular one without features', () => {
    expect(messages(signatureSchema.safeParse({ inputs: [], output }))).toEqual([
      'inputs: a model needs scalar inputs or tensor inputs (tensors.inputs)',
    ]);
    const noFeatures = { ...tabular, preprocessing: { features: [], target, inputWidth: 0 } };
    expect(messages(bundleManifestSchema.safeParse(noFeatures))[0]).toContain(
      'preprocessing.features',
    );
  });

  it('names the input when a shape is over the limits', () => {
    const tooDeep = {
      kind: 'tensor',
      name: 'deep',
      dtype: 'float32',
      shape: [-1, 1, 1, 1, 1, 1, 1],
    };
    expect(messages(tensorInputSchema.safeParse(tooDeep))).toEqual([
      'shape: input "deep" has rank 7; at most 6 dimensions are supported',
    ]);
    const tooBig = { kind: 'tensor', name: 'big', dtype: 'uint8', shape: [-1, 4096, 4096, 3] };
    expect(messages(tensorInputSchema.safeParse(tooBig))[0]).toContain(
      `input "big" has ${4096 * 4096 * 3} elements per example ([-1, 4096, 4096, 3]); at most ${MAX_TENSOR_ELEMENTS}`,
    );
    const noBatch = { kind: 'tensor', name: 'nb', dtype: 'float32', shape: [1, 3] };
    expect(messages(tensorInputSchema.safeParse(noBatch))[0]).toContain(
      'input "nb" must start with the batch dimension -1',
    );
    const openDim = { kind: 'tensor', name: 'open', dtype: 'float32', shape: [-1, -1, 3] };
    expect(messages(tensorInputSchema.safeParse(openDim))[0]).toContain(
      'input "open" dimension 1 is -1',
    );
  });

  it('checks an image shape against its decoding and mean/std per channel', () => {
    const wrong = { ...image, shape: [-1, 224, 224, 1] };
    expect(messages(tensorInputSchema.safeParse(wrong))).toEqual([
      'shape: image input "input_1" decodes to [-1, 224, 224, 3], its shape says [-1, 224, 224, 1]',
    ]);
    const badMean = { ...image, decoding: { ...image.decoding, mean: [0.5] } };
    expect(messages(tensorInputSchema.safeParse(badMean))).toEqual([
      'decoding.mean: needs one value per channel (3), got 1',
    ]);
  });

  it('refuses duplicate input names', () => {
    const dup = tensorSignatureSchema.safeParse({
      inputs: [image, image],
      outputs: tensorManifest.signature.tensors.outputs,
    });
    expect(messages(dup)).toEqual(['inputs.1.name: input "input_1" is declared twice']);
  });
});
