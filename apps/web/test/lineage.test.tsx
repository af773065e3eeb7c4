import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { modelVersionSchema, type ModelVersion } from '@mlops/contracts';
import { describeInputs, LineageList } from '../src/components/LineageList';

const SHA = 'a'.repeat(64);
const BASE_SHA = 'b'.repeat(64);

/** A version as the registry answers it (parsed by the contract, so the fixture stays valid). */
function version(overrides: {
  lineage?: Partial<ModelVersion['manifest']['lineage']>;
  tensors?: boolean;
}): ModelVersion {
  const tensors = overrides.tensors ?? false;
  return modelVersionSchema.parse({
    model: 'lesions',
    version: 2,
    manifest: {
      formatVersion: 1,
      task: 'classification',
      signature: tensors
        ? {
            inputs: [],
            output: { task: 'classification', target: 'label', labels: ['a', 'b'] },
            tensors: {
              inputs: [
                {
                  kind: 'image',
                  name: 'image',
                  dtype: 'float32',
                  shape: [-1, 32, 32, 3],
                  decoding: { channels: 3, height: 32, width: 32, resize: 'bilinear', scale: 1 },
                },
              ],
              outputs: [
                { name: 'probabilities', dtype: 'float32', shape: [-1, 2], role: 'probabilities' },
              ],
            },
          }
        : {
            inputs: [{ name: 'x', type: 'numeric', nullable: false }],
            output: { task: 'classification', target: 'label', labels: ['a', 'b'] },
          },
      preprocessing: tensors
        ? {
            features: [],
            target: { kind: 'label-encode', column: 'label', labels: ['a', 'b'] },
            inputWidth: 0,
          }
        : {
            features: [{ kind: 'standardize', column: 'x', mean: 0, std: 1, impute: 0 }],
            target: { kind: 'label-encode', column: 'label', labels: ['a', 'b'] },
            inputWidth: 1,
          },
      metrics: {},
      lineage: {
        runId: null,
        datasetId: null,
        datasetHash: SHA,
        codeRevision: 'c0ffee0123456789',
        preset: 'cnn-small',
        hyperparameters: null,
        seed: 42,
        backend: 'wasm',
        tfjsVersion: '4.22.0',
        ...overrides.lineage,
      },
      files: [{ path: 'model.json', sha256: SHA, size: 1 }],
    },
    aliases: [],
    createdAt: '2026-12-07T12:00:00.000Z',
  });
}

describe('LineageList', () => {
  it('names a transfer base (model, version, files hash) instead of a preset', () => {
    const html = renderToStaticMarkup(
      <LineageList
        v={version({
          tensors: true,
          lineage: { preset: null, base: { model: 'mobilenet', version: 3, sha256: BASE_SHA } },
        })}
      />,
    );
    expect(html).toContain('<dt>base</dt>');
    expect(html).toContain('mobilenet v3');
    expect(html).toContain(`title="${BASE_SHA}"`);
    expect(html).not.toContain('<dt>preset</dt>');
    expect(html).toContain('<dt>inputs</dt><dd>image [-1, 32, 32, 3] image</dd>');
  });

  it('shows the preset, the features, and the columns the run left out with why', () => {
    const html = renderToStaticMarkup(
      <LineageList
        v={version({ lineage: { skippedFeatures: { day: 'dates/timestamps', id: 'identifier' } } })}
      />,
    );
    expect(html).toContain('<dt>preset</dt><dd>cnn-small</dd>');
    expect(html).toContain('<dt>features</dt><dd>x</dd>');
    expect(html).toContain('<span title="dates/timestamps">day</span>');
    expect(html).toContain('<span title="identifier">, id</span>');
  });

  it('omits "left out" when the run skipped nothing', () => {
    const v = version({});
    expect(renderToStaticMarkup(<LineageList v={v} />)).not.toContain('left out');
    expect(describeInputs(v.manifest.signature)).toBe('x');
  });
});
