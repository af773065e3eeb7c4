import { tensorSignatureSchema } from '@mlops/contracts';
import { mmdTest, shareOfDriftedComponents } from '@mlops/ml/drift';
import { summarizeInput, tensorSummaryColumns } from '@mlops/ml/summary';
import { mulberry32 } from '@mlops/ml/split';

/**
 * What image drift costs: the per-image summary serving computes on the request path (mean/std
 * per channel and the 4×4 thumbnail embedding), and one drift report's embedding test at the
 * largest sizes the monitor uses (a 1,000-row training reference against a 500-row window).
 * `npx tsx scripts/bench/image-drift.ts`
 */

function imageInput(size: number) {
  return tensorSignatureSchema.parse({
    inputs: [
      {
        kind: 'image',
        name: 'image',
        dtype: 'float32',
        shape: [-1, size, size, 3],
        decoding: { channels: 3, height: size, width: size, scale: 1 / 255 },
      },
    ],
    outputs: [{ name: 'p', dtype: 'float32', shape: [-1, 2], role: 'probabilities' }],
  });
}

function timeIt(fn: () => void, minMs = 500): number {
  fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}

const random = mulberry32(1);
for (const size of [32, 224]) {
  const signature = imageInput(size);
  const pixels = Uint8Array.from({ length: size * size * 3 }, () => Math.floor(random() * 256));
  const ms = timeIt(() => summarizeInput(signature.inputs[0]!, pixels));
  const columns = tensorSummaryColumns(signature).length;
  console.log(
    `summary of one ${size}×${size}×3 image: ${(ms * 1000).toFixed(1)} µs (${columns} columns)`,
  );
}

const vectors = (n: number, shift: number) =>
  Array.from({ length: n }, () => Array.from({ length: 48 }, () => random() * 50 + shift));
const reference = vectors(1_000, 100);
const live = vectors(500, 100);
for (const permutations of [200, 1_000]) {
  const ms = timeIt(() => mmdTest(reference, live, { permutations, seed: 1 }), 1_000);
  console.log(
    `mmd, 1000 × 500 rows of 48 (300 + 300 used), ${permutations} permutations: ${ms.toFixed(1)} ms`,
  );
}
const share = timeIt(() => shareOfDriftedComponents(reference, live, 0.05), 1_000);
console.log(`share_of_drifted_components, 1000 × 500 rows of 48: ${share.toFixed(1)} ms`);
