/**
 * One ingest pass in this process, for a CPU profile without the HTTP server around it:
 * `node --cpu-prof --cpu-prof-dir=<dir> --import tsx bench/ingest-pass.ts [rows]` writes a
 * seeded CSV shaped as the scale benchmark's (6 numeric, 4 categorical columns), runs
 * `ingestInferred` on it and prints rows/s (wall and CPU) and digests of the outputs, which a
 * change must keep.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { mulberry32 } from '@mlops/ml/split';
import { ingestInferred } from '../src/domain/datasets/single-pass';

const CITIES = ['paris', 'lyon', 'nice', 'lille', 'brest', 'metz', 'pau', 'caen'];

function writeCsv(file: string, rows: number): void {
  const rng = mulberry32(1);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'n0,n1,n2,n3,n4,n5,city,tier,flag,label\n');
  let chunk = '';
  for (let r = 0; r < rows; r++) {
    const n = Array.from({ length: 6 }, () => (rng() * 200 - 100).toFixed(3));
    const city = CITIES[Math.floor(rng() * CITIES.length)];
    const tier = rng() < 0.05 ? '' : `t${Math.floor(rng() * 4)}`;
    chunk += `${n.join(',')},${city},${tier},${rng() < 0.5 ? 'yes' : 'no'},c${r % 3}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

const rows = Number(process.argv[2] ?? 400_000);
const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ingest-pass-'));
try {
  const csv = path.join(dir, 'in.csv');
  writeCsv(csv, rows);
  let n = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const got = await ingestInferred(csv, 'csv', new Map(), () => path.join(dir, `out-${++n}.jsonl`));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const report = {
    rows,
    rows_per_s: Math.round(rows / seconds),
    // CPU time of the pass (all threads): steadier than wall time on a loaded machine.
    rows_per_cpu_s: Math.round(rows / cpuSeconds),
    one_pass: got.onePass,
    hash: got.canonical.hash,
    duplicates: got.canonical.profile.duplicateRows,
    // Profile and inference as one digest: a change must keep them too.
    outputs: createHash('sha256')
      .update(JSON.stringify([got.canonical, got.inference.columns, got.inference.report]))
      .digest('hex')
      .slice(0, 16),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await fsp.rm(dir, { recursive: true, force: true });
}
