import { externalLineage, type BundleManifest } from '@mlops/contracts';

/** A small valid manifest whose single file is `file`. */
export function manifestWith(file: { sha256: string; size: number }): BundleManifest {
  return {
    formatVersion: 1,
    task: 'regression',
    signature: {
      inputs: [{ name: 'x', type: 'numeric', nullable: false }],
      output: { task: 'regression', target: 'y' },
    },
    preprocessing: {
      features: [{ kind: 'standardize', column: 'x', mean: 0, std: 1, impute: 0 }],
      target: { kind: 'standardize', column: 'y', mean: 0, std: 1 },
      inputWidth: 1,
    },
    metrics: { rmse: 0.1 },
    lineage: externalLineage(),
    files: [{ path: 'model.json', ...file }],
  };
}
