import fs from 'node:fs';
import { once } from 'node:events';
// Seeded, so every benchmark run trains on the same data.
import { mulberry32 } from '@mlops/ml/split';

/**
 * A synthetic 3-class problem: `features` numeric columns f0…, class = argmax of three fixed
 * linear scores plus noise. Written as CSV with a header, streamed to disk (2M rows fit easily).
 */
export async function writeSyntheticCsv(
  file: string,
  rows: number,
  features: number,
  seed = 1,
): Promise<void> {
  const rng = mulberry32(seed);
  const w = Array.from({ length: 3 }, () => Array.from({ length: features }, () => rng() * 2 - 1));
  const out = fs.createWriteStream(file);
  out.write([...Array.from({ length: features }, (_, i) => `f${i}`), 'label'].join(',') + '\n');
  let chunk = '';
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: features }, () => rng() * 4 - 2);
    const scores = w.map(
      (wk) => wk.reduce((s, v, i) => s + v * (x[i] ?? 0), 0) + (rng() - 0.5) * 0.3,
    );
    const label = scores.indexOf(Math.max(...scores));
    chunk += `${x.map((v) => v.toFixed(3)).join(',')},c${label}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
