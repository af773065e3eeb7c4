import { describe, expect, it } from 'vitest';
import { registryProfileSource, type RegistryReader } from '../src/profiles';
import { tensorSummaryColumns } from '../src/image-drift';

const lineage = {
  runId: null,
  datasetId: null,
  datasetHash: null,
  codeRevision: 'imported',
  preset: null,
  hyperparameters: null,
  seed: null,
  backend: null,
  tfjsVersion: null,
};
const output = { task: 'classification', target: 'label', labels: ['cat', 'dog'] };
const target = { kind: 'label-encode', column: 'label', labels: ['cat', 'dog'] };

/** An imported image model as the registry returns it: tensor inputs, no profile.json. */
const tensorVersion = {
  model: 'cam',
  version: 1,
  manifest: {
    formatVersion: 1,
    task: 'classification',
    signature: {
      inputs: [],
      output,
      tensors: {
        inputs: [
          {
            kind: 'image',
            name: 'input_1',
            dtype: 'float32',
            shape: [-1, 224, 224, 3],
            decoding: { channels: 3, height: 224, width: 224, scale: 1 / 255 },
          },
          { kind: 'tensor', name: 'meta', dtype: 'int32', shape: [-1, 4] },
        ],
        outputs: [{ name: 'probs', dtype: 'float32', shape: [-1, 2], role: 'probabilities' }],
      },
    },
    preprocessing: { features: [], target, inputWidth: 0 },
    metrics: { accuracy: 0.9 },
    lineage,
    files: [{ path: 'model.json', sha256: 'a'.repeat(64), size: 10 }],
  },
  aliases: [],
  createdAt: new Date().toISOString(),
};

/**
 * A stand-in for the registry client serving one stored version (the wire shape is the
 * contracts' modelVersionSchema, which the source parses). It records blob downloads.
 */
function registryWith(version: unknown) {
  const downloads: string[] = [];
  const reader: RegistryReader = {
    api: {
      models: { list: { query: () => Promise.resolve([]) } },
      versions: { get: { query: () => Promise.resolve(version) } },
    },
    downloadBlob: (sha256) => {
      downloads.push(sha256);
      return Promise.reject(new Error(`no blob ${sha256}`));
    },
  };
  return { reader, downloads };
}

describe('registry references of tensor models', () => {
  it('references a tensor model without profile.json by its tensor signature', async () => {
    const { reader, downloads } = registryWith(tensorVersion);
    const reference = await registryProfileSource(reader).get('cam', 1);
    expect(reference.columns).toEqual([]);
    expect(reference.profile).toEqual({ rowCount: 0, columns: [] });
    expect(reference.task).toBe('classification');
    expect(reference.heldout).toEqual({ accuracy: 0.9 });
    expect(downloads).toEqual([]);
    // The columns its drift report tests: what serving's tensor log writes per input.
    expect(tensorSummaryColumns(reference.tensors!)).toEqual([
      'input_1.mean_c0',
      'input_1.mean_c1',
      'input_1.mean_c2',
      'input_1.std_c0',
      'input_1.std_c1',
      'input_1.std_c2',
      'meta.mean',
      'meta.std',
    ]);
  });

  it('still asks a tabular model for its profile.json', async () => {
    const tabular = {
      ...tensorVersion,
      manifest: {
        ...tensorVersion.manifest,
        signature: { inputs: [{ name: 'x', type: 'numeric', nullable: false }], output },
        preprocessing: {
          features: [{ kind: 'standardize', column: 'x', mean: 0, std: 1, impute: 0 }],
          target,
          inputWidth: 1,
        },
      },
    };
    const { reader } = registryWith(tabular);
    await expect(registryProfileSource(reader).get('cam', 1)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('has no profile.json') as unknown,
    });
  });
});
