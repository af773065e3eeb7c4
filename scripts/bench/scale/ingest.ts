import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '@mlops/ml/stats';
import { mulberry32 } from '@mlops/ml/split';
import { peakRssMb, settle } from '../../lib/measure';
import { profileArgs } from '../../lib/services';
import { ratio, rssMb, startPlatform, type Figure, type ScaleOptions } from './harness';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env.BENCH_SCALE_REPS ?? 3);
/** `BENCH_SCALE_REGISTRY_HEAP_MB`: the registry's --max-old-space-size (unset: V8's default). */
const HEAP_MB = Number(process.env.BENCH_SCALE_REGISTRY_HEAP_MB ?? 0);
const CITIES = ['paris', 'lyon', 'nice', 'lille', 'brest', 'metz', 'pau', 'caen'];

/** 10 columns, 6 numeric and 4 categorical (one with missing values), seeded: `rows` data rows. */
export async function writeIngestCsv(file: string, rows: number, seed = 1): Promise<number> {
  const rng = mulberry32(seed);
  const out = fs.createWriteStream(file);
  out.write('n0,n1,n2,n3,n4,n5,city,tier,flag,label\n');
  let chunk = '';
  for (let r = 0; r < rows; r++) {
    const n = Array.from({ length: 6 }, () => (rng() * 200 - 100).toFixed(3));
    const city = CITIES[Math.floor(rng() * CITIES.length)];
    const tier = rng() < 0.05 ? '' : `t${Math.floor(rng() * 4)}`;
    chunk += `${n.join(',')},${city},${tier},${rng() < 0.5 ? 'yes' : 'no'},c${r % 3}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return fs.statSync(file).size;
}

async function parserAlone(
  file: string,
): Promise<{ rows: number; seconds: number; peak_rss_mb: number }> {
  const child = spawn(
    process.execPath,
    [...profileArgs(), '--import', 'tsx', path.join(here, 'ingest-parser.ts'), file],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error('ingest-parser.ts failed');
  return JSON.parse(out.trim()) as { rows: number; seconds: number; peak_rss_mb: number };
}

/**
 * One size: a fresh registry (so its peak RSS is this upload's), then `REPS` pairs back to back —
 * the upload through the registry (`POST /api/datasets/:name`, streamed, answered once stored
 * and profiled) and `csv-parse` alone on the same file — and the median of the pairs' ratios.
 */
interface IngestSize {
  rows: number;
  mb: number;
  registry_rows_per_s: number;
  parser_rows_per_s: number;
  ratio: number;
  registry_idle_rss_mb: number;
  registry_peak_rss_mb: number;
  parser_peak_rss_mb: number;
}

async function oneSize(opts: ScaleOptions, rows: number): Promise<IngestSize> {
  const platform = await startPlatform(opts.redis, 'ingest', {
    REGISTRY_MAX_UPLOAD_BYTES: String(4 * 1024 ** 3),
    // Caps the registry's V8 old space: tells memory it keeps from garbage V8 let accumulate.
    ...(HEAP_MB ? { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } : {}),
  });
  try {
    const file = path.join(platform.dataDir, `ingest-${rows}.csv`);
    const bytes = await writeIngestCsv(file, rows);
    const pid = platform.registry.child.pid ?? 0;
    const idle = rssMb(pid);
    const pairs: Array<{ registry: number; parser: number }> = [];
    let parserRss = 0;
    for (let rep = 0; rep < REPS; rep++) {
      await settle([pid]);
      const started = performance.now();
      // A new seed each rep would cost a rewrite; the same bytes under a new name are a new dataset.
      const version = await platform.client.uploadDataset(
        `ingest-${rep}`,
        fs.createReadStream(file),
        {
          format: 'csv',
        },
      );
      const seconds = (performance.now() - started) / 1000;
      if (version.rowCount !== rows)
        throw new Error(`registry stored ${version.rowCount} rows, not ${rows}`);
      const parser = await parserAlone(file);
      parserRss = Math.max(parserRss, parser.peak_rss_mb);
      pairs.push({ registry: rows / seconds, parser: parser.rows / parser.seconds });
      opts.say(
        `  ${rows} rows: registry ${Math.round(rows / seconds)} rows/s, csv-parse ${Math.round(parser.rows / parser.seconds)} rows/s`,
      );
    }
    return {
      rows,
      mb: Math.round(bytes / 1024 ** 2),
      registry_rows_per_s: Math.round(median(pairs.map((p) => p.registry))),
      parser_rows_per_s: Math.round(median(pairs.map((p) => p.parser))),
      ratio: ratio(median(pairs.map((p) => p.registry / p.parser)), 1),
      registry_idle_rss_mb: idle,
      registry_peak_rss_mb: peakRssMb(pid),
      parser_peak_rss_mb: parserRss,
    };
  } finally {
    await platform.close();
  }
}

/**
 * Ingest: rows/s of a CSV through the registry against `csv-parse` alone on the same file (goal
 * ≥ 0.5), and the registry's peak RSS at a quarter of the size and at the full size (goal: flat).
 */
export async function ingest(opts: ScaleOptions): Promise<Figure> {
  const quarter = await oneSize(opts, Math.round(opts.rows / 4));
  const full = await oneSize(opts, opts.rows);
  opts.say(
    `ingest ${full.rows} rows: ${full.registry_rows_per_s} rows/s through the registry vs ` +
      `${full.parser_rows_per_s} for csv-parse alone (${full.ratio}, goal ≥ 0.5); registry peak RSS ` +
      `${quarter.registry_peak_rss_mb} MiB at ${quarter.rows} rows, ${full.registry_peak_rss_mb} MiB at ${full.rows}`,
  );
  return { quarter, full, goal_ratio: 0.5, registry_heap_mb: HEAP_MB || null };
}
