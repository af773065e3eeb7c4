import { describe, expect, it } from 'vitest';
import { registryProfileSource, type RegistryReader } from '../src/profiles';
import { externalLineage } from '@mlops/contracts';
import { tensorSummaryColumns } from '@mlops/ml/summary';

const lineage = externalLineage('imported');
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

/** The tensor version with more bundle files besides model.json. */
function withFiles(files: Array<{ path: string; sha256: string; size: number }>) {
  const manifest = tensorVersion.manifest;
  return { ...tensorVersion, manifest: { ...manifest, files: [...manifest.files, ...files] } };
}

/**
 * A stand-in for the registry client serving one stored version (the wire shape is the
 * contracts' modelVersionSchema, which the source parses). It records blob downloads.
 */
function registryWith(version: unknown, blobs: Record<string, string> = {}) {
  const downloads: string[] = [];
  const reader: RegistryReader = {
    api: {
      models: { list: { query: () => Promise.resolve([]) } },
      versions: { get: { query: () => Promise.resolve(version) } },
    },
    downloadBlob: (sha256) => {
      downloads.push(sha256);
      const blob = blobs[sha256];
      return blob === undefined
        ? Promise.reject(new Error(`no blob ${sha256}`))
        : Promise.resolve(Buffer.from(blob));
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
      'input_1.width',
      'input_1.height',
      // The thumbnail embedding of the image input: 4×4 cells × 3 channels, as one vector.
      'input_1.embedding',
      'meta.mean',
      'meta.std',
    ]);
  });

  it("reads a trained image model's drift-reference.json as its training reference", async () => {
    const reference = { count: 3, columns: ['input_1.mean_c0'], rows: [[10], [20], [30]] };
    const sha = 'b'.repeat(64);
    const trained = withFiles([{ path: 'drift-reference.json', sha256: sha, size: 50 }]);
    const { reader, downloads } = registryWith(trained, { [sha]: JSON.stringify(reference) });
    const got = await registryProfileSource(reader).get('cam', 1);
    expect(got.tensorReference).toEqual(reference);
    expect(downloads).toEqual([sha]);
  });

  it('refuses a drift-reference.json that does not parse, naming the file', async () => {
    const sha = 'c'.repeat(64);
    const trained = withFiles([{ path: 'drift-reference.json', sha256: sha, size: 50 }]);
    const bad = { count: 1, columns: ['a', 'b'], rows: [[1]] };
    const { reader } = registryWith(trained, { [sha]: JSON.stringify(bad) });
    await expect(registryProfileSource(reader).get('cam', 1)).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: expect.stringContaining('drift-reference.json of version 1') as unknown,
    });
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
