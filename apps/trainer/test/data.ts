import type { DataRow, DatasetSchema, TrainingSpec, TrainingSpecInput } from '@mlops/contracts';
import { trainingSpecSchema } from '@mlops/contracts';
import { mulberry32 } from '@mlops/ml/split';

/** Box-Muller normal draws from a seeded uniform generator. */
function normal(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export const blobSchema: DatasetSchema = {
  columns: [
    { name: 'x1', type: 'numeric', nullable: true },
    { name: 'x2', type: 'numeric', nullable: false },
    { name: 'color', type: 'categorical', nullable: true },
    { name: 'flag', type: 'boolean', nullable: false },
    { name: 'species', type: 'categorical', nullable: false },
  ],
};

/**
 * Three well-separated Gaussian blobs (centres 6 standard deviations apart), plus a categorical
 * and a boolean feature that carry some signal, with a few missing values to impute.
 */
export function blobRows(n: number, seed = 1): DataRow[] {
  const rng = mulberry32(seed);
  const centres = [
    [0, 0],
    [6, 0],
    [0, 6],
  ] as const;
  const labels = ['setosa', 'versicolor', 'virginica'];
  return Array.from({ length: n }, (_, i) => {
    const k = i % 3;
    const [cx, cy] = centres[k]!;
    return {
      x1: rng() < 0.03 ? null : cx + normal(rng),
      x2: cy + normal(rng),
      color:
        rng() < 0.05 ? null : ['red', 'green', 'blue'][rng() < 0.7 ? k : Math.floor(rng() * 3)]!,
      flag: rng() < 0.5,
      species: labels[k]!,
    };
  });
}

export const linearSchema: DatasetSchema = {
  columns: [
    { name: 'a', type: 'numeric', nullable: false },
    { name: 'b', type: 'numeric', nullable: false },
    { name: 'y', type: 'numeric', nullable: true },
  ],
};

/** y = 3a - 2b + 10 + small noise (a few targets missing: those rows are dropped). */
export function linearRows(n: number, seed = 2): DataRow[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const a = normal(rng) * 2;
    const b = normal(rng);
    return { a, b, y: rng() < 0.02 ? null : 3 * a - 2 * b + 10 + 0.1 * normal(rng) };
  });
}

export function spec(
  input: Partial<TrainingSpecInput> & Pick<TrainingSpecInput, 'task' | 'target'>,
): TrainingSpec {
  return trainingSpecSchema.parse({
    modelName: 'test-model',
    dataset: { name: 'test-data' },
    ...input,
  });
}
