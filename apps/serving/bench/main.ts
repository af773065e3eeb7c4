/**
 * `npm run bench:serve [-- --json] [-- --duration 3] [-- --rounds 5] [-- --log-pairs 200]
 * [-- --model tiny|mlp]`: the serving benchmark of issue 5 (`tiny`, the default, is the one
 * earlier runs report; `mlp` is the NOTES.md anchors' 32 → 64 → 64 → 1, where every row is 32
 * numbers of JSON each way).
 * Every server runs in its own process and autocannon (64 connections) in another:
 *   (a) Fastify hello world, (b) naive per-request model.predict, (c) our server (validation,
 *   preprocessing, batching, metrics, payload log to Redis), (d) raw in-process batched predict,
 *   (e) the bare batching loop of NOTES.md's anchors (no validation, metrics or log): what a
 *   batching server can reach on this machine today, so every run shows the floors' headroom.
 * They are measured in rounds (rounds.ts): every figure once per round, back to back, and each
 * ratio is the median over rounds of the ratio within a round.
 * The payload log's cost is measured in one more server, its log switched on and off every
 * 200 ms under one load (interleaved-log-cost.ts): two separate runs differ by more than the
 * log costs. Then an image model (image-bench.ts): images/s through our server against the
 * in-process predict loop at 1, 8 and 32 images a request (`--image-model cnn`, the default, a
 * [-1, 32, 32, 3] conv net; `mobilenet`, NSFWJS's [-1, 224, 224, 3] MobileNetV2 at 1 and 8;
 * `none` skips it; `--image-batches 1,8`, `--image-connections 16`, `--image-duration 10`
 * (seconds a phase) override). `--images-only` runs the image rounds alone (with `--rounds 1
 * --duration 1`, a quick look in about 40 s).
 * Then the runtimes round (onnx-bench.ts): our server on TF.js and on ONNX Runtime, the same
 * weights, 1 and 64 rows a request (`--runtimes none` skips it, `--runtimes-only` runs it alone).
 * Prints the figures and their ratios; `--json` prints one JSON line. Needs Redis.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Column } from '@mlops/contracts';
import { v2DatatypeOf } from '../src/protocols/tensors';
import {
  benchRows,
  describeBenchModel,
  readBenchBundle,
  writeBenchBundle,
  type BenchModel,
} from './bundle-dir';
import { imageBench, reportImage, type ImageRawFigures } from './image-bench';
import { runtimeBench } from './onnx-bench';
import { interleavedLogCost } from './interleaved-log-cost';
import { withServers, type LoadResult, type ServerSpec } from './processes';
import { v2BinaryBody } from './v2-binary-body';
import { median } from '@mlops/ml/stats';
import {
  runRound,
  warmUp,
  type LoadPhase,
  type RawFigures,
  type Round,
  type RoundSetup,
} from './rounds';

const here = dirname(fileURLToPath(import.meta.url));

const args = process.argv.slice(2);
const json = args.includes('--json');
function numberArg(name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 1) throw new Error(`${name} must be a number ≥ 1`);
  return value;
}
/** Seconds of load per phase (after one second of warm-up per server, once). */
const duration = numberArg('--duration', 3);
const modelIndex = args.indexOf('--model');
const MODEL: BenchModel = modelIndex >= 0 && args[modelIndex + 1] === 'mlp' ? 'mlp' : 'tiny';
/** Rounds of every phase (rounds.ts); figures and ratios are their medians. */
const ROUNDS = Math.round(numberArg('--rounds', 5));
const IMAGES_ONLY = args.includes('--images-only');
/** `--runtimes-only`: only the TF.js vs ONNX Runtime round; `--runtimes none` skips it. */
const RUNTIMES_ONLY = args.includes('--runtimes-only');
const runtimesIndex = args.indexOf('--runtimes');
const RUNTIMES = RUNTIMES_ONLY || !(runtimesIndex >= 0 && args[runtimesIndex + 1] === 'none');
const imageModelIndex = args.indexOf('--image-model');
const imageModelArg = imageModelIndex >= 0 ? args[imageModelIndex + 1] : 'cnn';
if (imageModelArg !== 'cnn' && imageModelArg !== 'mobilenet' && imageModelArg !== 'none')
  throw new Error('--image-model must be cnn, mobilenet or none');
const IMAGE_MODEL = imageModelArg;
if (IMAGES_ONLY && IMAGE_MODEL === 'none') throw new Error('--images-only needs an image model');
/**
 * MobileNetV2 runs ≈ 13 images/s here: 32 images a request would take seconds each, and more
 * than a couple of connections would queue past autocannon's timeout.
 */
const IMAGE_MOBILENET = IMAGE_MODEL === 'mobilenet';
const batchesIndex = args.indexOf('--image-batches');
const IMAGE_BATCHES = (
  batchesIndex >= 0 ? (args[batchesIndex + 1] ?? '') : IMAGE_MOBILENET ? '1,8' : '1,8,32'
)
  .split(',')
  .map(Number);
if (!IMAGE_BATCHES.every((n) => Number.isInteger(n) && n >= 1))
  throw new Error('--image-batches must be a list of whole numbers ≥ 1, e.g. 1,8,32');
const IMAGE_CONNECTIONS = Math.round(numberArg('--image-connections', IMAGE_MOBILENET ? 2 : 16));
/**
 * Seconds of each image phase. MobileNetV2's requests of 8 images take 1–3 s on a busy machine
 * (two joined in one predict call, longer): 3 s phases ended with no answer at all.
 */
const IMAGE_DURATION = numberArg(
  '--image-duration',
  IMAGE_MOBILENET ? Math.max(duration, 10) : duration,
);
const CONNECTIONS = 64;
/**
 * The interleaved log-cost measure: pairs of log-on and log-off phases of this many ms. One
 * pair's cost spreads over about ±16% (quartiles) on this machine; 100 pairs left the median
 * about ±2% wide, and runs of the same code read 2% to 6.5% on the MLP. 200 take 80 s.
 */
const LOG_PAIRS = Math.round(numberArg('--log-pairs', 200));
const LOG_PHASE_MS = 200;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function say(line: string): void {
  if (!json) process.stderr.write(`${line}\n`);
}

/** The benchmark model's inputs, read once its bundle is written. */
let inputs: readonly Column[] = [];

/** A TF Serving predict body of `rows` rows fitting the benchmark model's signature. */
function body(rows: number): string {
  return JSON.stringify({ instances: benchRows(inputs, rows) });
}

/** The same 64 rows as TF Serving columns: `{"inputs": {"feature": [v0, …]}}`. */
function columnsBody(rows: number): string {
  const records = benchRows(inputs, rows);
  return JSON.stringify({
    inputs: Object.fromEntries(inputs.map((c) => [c.name, records.map((r) => r[c.name])])),
  });
}

/** The same rows as OIP v2 binary tensors (v2-binary-body.ts), in a file autocannon sends. */
async function v2BinaryFile(rows: number): Promise<{ file: string; headerLength: number }> {
  const { body, headerLength } = v2BinaryBody(inputs, benchRows(inputs, rows));
  const file = join(dir, `body-${rows}-v2.bin`);
  await writeFile(file, body);
  return { file, headerLength };
}

/** The same rows as OIP v2 tensors: one `[n]` tensor per feature (README's v2 mapping). */
function v2Body(rows: number): string {
  const records = benchRows(inputs, rows);
  return JSON.stringify({
    inputs: inputs.map((c) => ({
      name: c.name,
      shape: [rows],
      datatype: v2DatatypeOf(c),
      data: records.map((r) => r[c.name]),
    })),
  });
}

const PHASE_NAMES: Record<LoadPhase, string> = {
  hello: '(a) hello world, 1 row',
  naive: '(b) naive predict, 1 row',
  bare: '(e) bare batching loop, 1 row',
  ours: '(c) ours, 1 row (log on)',
  ours64: '(c) ours, 64 rows (log on)',
  ours64col: '(c) ours, 64 rows as columns',
  ours64v2: '(c) ours, 64 rows as OIP v2 tensors',
  ours64v2bin: '(c) ours, 64 rows as OIP v2 binary tensors',
};

function reportPhase(phase: LoadPhase, rows: number, r: LoadResult): void {
  const rps = Math.round(r.rps).toString().padStart(7);
  const rowsPerS = Math.round(r.rps * rows)
    .toString()
    .padStart(8);
  say(
    `  ${PHASE_NAMES[phase].padEnd(34)} ${rps} req/s  ${rowsPerS} rows/s  p50 ${r.p50} ms  p99 ${r.p99} ms  cpu ${Math.round(r.cpuUsPerReq)} µs/req  non-2xx ${r.non2xx}  errors ${r.errors}`,
  );
}

/** Run a bench script in its own process; it prints one JSON line. */
function runJson<T>(script: string, argv: string[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...argv], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', () => {
      try {
        resolve(JSON.parse(out) as T);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

/** The tabular figures: the rounds of (a)–(e) and the payload log's cost. */
async function rowsBench(dir: string) {
  say(
    `bench:serve — ${CONNECTIONS} connections, ${ROUNDS} rounds of ${duration} s phases, ${describeBenchModel(MODEL)}`,
  );
  await writeBenchBundle(dir, MODEL);
  inputs = (await readBenchBundle(dir)).manifest.signature.inputs;
  const servers: ServerSpec[] = [
    { script: 'hello.ts', argv: [], env: {} },
    { script: 'naive.ts', argv: [dir], env: {} },
    { script: 'bare.ts', argv: [dir], env: {} },
    { script: 'ours.ts', argv: [dir], env: { SERVING_LOG_SAMPLE_RATE: '1' } },
  ];
  const rounds = await withServers(servers, async ([hello, naive, bare, ours]) => {
    if (!hello || !naive || !bare || !ours) throw new Error('a server did not start');
    const setup: RoundSetup = {
      hello,
      naive,
      bare,
      ours,
      body1: body(1),
      body64: body(64),
      body64col: columnsBody(64),
      body64v2: v2Body(64),
      body64v2bin: await v2BinaryFile(64),
      v2Path: '/v2/models/iris/infer',
      connections: CONNECTIONS,
      seconds: duration,
      runRaw: () =>
        runJson<RawFigures>(join(here, 'servers', 'raw.ts'), [dir, String(duration), '256']),
      report: reportPhase,
    };
    await warmUp(setup);
    const done: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      say(`round ${i + 1} of ${ROUNDS}`);
      const round = await runRound(i, setup);
      say(
        `  (d) raw batched predict (256 rows)        ${round.raw.rows_per_s} rows/s (model.predict), ${round.raw.whole_batch_rows_per_s} (whole batch), ${round.raw.compiled_rows_per_s} (our compiled dense plan)`,
      );
      done.push(round);
    }
    return done;
  });
  const med = (pick: (r: Round) => number) => median(rounds.map(pick));
  const oursVsNaive = (r: Round) => r.ours.rps / r.naive.rps;
  const oursVsHello = (r: Round) => r.ours.rps / r.hello.rps;
  const helloVsNaive = (r: Round) => r.hello.rps / r.naive.rps;
  const bareVsNaive = (r: Round) => r.bare.rps / r.naive.rps;
  const oursVsBare = (r: Round) => r.ours.rps / r.bare.rps;
  say(`  (c) ours, 1 row, log switched on and off every ${LOG_PHASE_MS} ms (${LOG_PAIRS} pairs)…`);
  const interleaved = await interleavedLogCost({
    bundleDir: dir,
    body: body(1),
    connections: CONNECTIONS,
    pairs: LOG_PAIRS,
    phaseMs: LOG_PHASE_MS,
  });
  say(
    `      logging cost ${pct(interleaved.cost)} of rows/s (one pair's quartiles ${pct(interleaved.costQuartiles[0])} … ${pct(interleaved.costQuartiles[1])}), ${pct(interleaved.costCpu)} of CPU per row`,
  );
  // The log's own CPU per row, in-process against the JSON format (log-cost.ts): steadier than
  // the difference of two HTTP runs, which on shared cores is often inside their noise.
  const logCost = await runJson<Record<'tiny' | 'mlp', { columns_us_per_row: number }>>(
    join(here, 'log-cost.ts'),
    ['--json'],
  );
  const logUsPerRow = logCost[MODEL].columns_us_per_row;
  const ratio = (x: number) => Number(x.toFixed(2));
  const oursCpuUs = med((r) => r.ours.cpuUsPerReq);
  const result = {
    // Each figure is the median over rounds.
    hello_rps: Math.round(med((r) => r.hello.rps)),
    naive_rps: Math.round(med((r) => r.naive.rps)),
    bare_rps: Math.round(med((r) => r.bare.rps)),
    ours_rps: Math.round(med((r) => r.ours.rps)),
    raw_rows_per_s: Math.round(med((r) => r.raw.rows_per_s)),
    raw_whole_batch_rows_per_s: Math.round(med((r) => r.raw.whole_batch_rows_per_s)),
    raw_compiled_rows_per_s: Math.round(med((r) => r.raw.compiled_rows_per_s)),
    ours_rows_per_s_64: Math.round(med((r) => r.ours64.rps * 64)),
    ours_rows_per_s_64_columns: Math.round(med((r) => r.ours64col.rps * 64)),
    ours_rows_per_s_64_v2: Math.round(med((r) => r.ours64v2.rps * 64)),
    ours_rows_per_s_64_v2_binary: Math.round(med((r) => r.ours64v2bin.rps * 64)),
    p99_ms: med((r) => r.ours.p99),
    p99_ms_max: Math.max(...rounds.map((r) => r.ours.p99)),
    p99_ms_64: med((r) => r.ours64.p99),
    mean_batch_rows: Number(med((r) => r.meanBatch).toFixed(1)),
    // Interleaved in one server process (interleaved-log-cost.ts): the median over pairs of
    // log-on and log-off phases of 1 − rows/s on / rows/s off, and the same from CPU per row.
    logging_cost: Number(interleaved.cost.toFixed(3)),
    logging_cost_quartiles: interleaved.costQuartiles.map((q) => Number(q.toFixed(3))),
    logging_cost_cpu: Number(interleaved.costCpu.toFixed(3)),
    logging_cost_pairs: interleaved.pairs.length,
    // The log's CPU per row (in-process, log-cost.ts) over the server's CPU per 1-row request.
    log_us_per_row: logUsPerRow,
    logging_cost_by_parts: Number((logUsPerRow / oursCpuUs).toFixed(3)),
    cpu_us_per_req: {
      hello: Math.round(med((r) => r.hello.cpuUsPerReq)),
      naive: Math.round(med((r) => r.naive.cpuUsPerReq)),
      bare: Math.round(med((r) => r.bare.cpuUsPerReq)),
      ours: Math.round(oursCpuUs),
      ours_64: Math.round(med((r) => r.ours64.cpuUsPerReq)),
      ours_64_columns: Math.round(med((r) => r.ours64col.cpuUsPerReq)),
      ours_64_v2: Math.round(med((r) => r.ours64v2.cpuUsPerReq)),
      ours_64_v2_binary: Math.round(med((r) => r.ours64v2bin.cpuUsPerReq)),
    },
    load_average_1m: Number(loadavg()[0]!.toFixed(1)),
    // Ratios: the median over rounds of the ratio within a round.
    ours_vs_naive: ratio(med(oursVsNaive)),
    ours_vs_hello: ratio(med(oursVsHello)),
    // The ceiling of ours_vs_naive: a server doing nothing but answer. On a busy machine, where
    // every syscall costs several times more, it falls, and ours/naive with it.
    hello_vs_naive: ratio(med(helloVsNaive)),
    // What a batching loop doing nothing else reaches (NOTES.md: ≈ 4.9× when the floors were
    // set), and how much of it ours keeps with validation, metrics and the payload log on.
    bare_vs_naive: ratio(med(bareVsNaive)),
    ours_vs_bare: ratio(med(oursVsBare)),
    rows64_vs_raw: ratio(med((r) => (r.ours64.rps * 64) / r.raw.rows_per_s)),
    rows64_vs_raw_whole_batch: ratio(
      med((r) => (r.ours64.rps * 64) / r.raw.whole_batch_rows_per_s),
    ),
    // Issue 23's goal (≥ 0.5): 64 rows as columns and as OIP v2 tensors, no per-row objects.
    rows64_columns_vs_raw_whole_batch: ratio(
      med((r) => (r.ours64col.rps * 64) / r.raw.whole_batch_rows_per_s),
    ),
    rows64_v2_vs_raw_whole_batch: ratio(
      med((r) => (r.ours64v2.rps * 64) / r.raw.whole_batch_rows_per_s),
    ),
    rows64_v2_binary_vs_raw_whole_batch: ratio(
      med((r) => (r.ours64v2bin.rps * 64) / r.raw.whole_batch_rows_per_s),
    ),
    // Against our own compiled predict the model's arithmetic is nearly free: what is left is
    // HTTP, JSON and validation per row, so this ratio says how much of that there is.
    rows64_vs_raw_compiled: ratio(med((r) => (r.ours64.rps * 64) / r.raw.compiled_rows_per_s)),
    per_round: rounds.map((r) => ({
      ours_vs_naive: ratio(oursVsNaive(r)),
      ours_vs_hello: ratio(oursVsHello(r)),
      hello_vs_naive: ratio(helloVsNaive(r)),
      bare_vs_naive: ratio(bareVsNaive(r)),
      ours_vs_bare: ratio(oursVsBare(r)),
      rows64_vs_raw: ratio((r.ours64.rps * 64) / r.raw.rows_per_s),
    })),
    failed_requests: rounds.reduce(
      (sum, r) =>
        sum +
        [r.hello, r.naive, r.bare, r.ours, r.ours64, r.ours64col, r.ours64v2, r.ours64v2bin].reduce(
          (a, l) => a + l.non2xx + l.errors,
          0,
        ),
      0,
    ),
    model: MODEL,
    connections: CONNECTIONS,
    duration_s: duration,
    rounds: ROUNDS,
  };
  return result;
}

type RowsResult = Awaited<ReturnType<typeof rowsBench>>;

function reportRows(result: RowsResult): void {
  say(
    `ours/naive ${result.ours_vs_naive}× (goal ≥ 4; hello/naive ${result.hello_vs_naive}×, bare loop/naive ${result.bare_vs_naive}×, ours/bare ${result.ours_vs_bare})   ours/hello ${result.ours_vs_hello} (goal ≥ 0.5)   64-row rows/s vs raw ${result.rows64_vs_raw} (goal ≥ 0.5; ${result.rows64_vs_raw_whole_batch} vs whole-batch predict, ${result.rows64_vs_raw_compiled} vs the compiled plan)`,
  );
  say(
    `64 rows vs whole-batch predict: rows ${result.rows64_vs_raw_whole_batch}, columns ${result.rows64_columns_vs_raw_whole_batch}, OIP v2 ${result.rows64_v2_vs_raw_whole_batch}, OIP v2 binary ${result.rows64_v2_binary_vs_raw_whole_batch} (goal ≥ 0.5); server CPU per 64-row request ${result.cpu_us_per_req.ours_64} / ${result.cpu_us_per_req.ours_64_columns} / ${result.cpu_us_per_req.ours_64_v2} / ${result.cpu_us_per_req.ours_64_v2_binary} µs`,
  );
  say(
    `p99 ${result.p99_ms} ms (1 row; worst round ${result.p99_ms_max} ms), ${result.p99_ms_64} ms (64 rows)   logging cost ${pct(result.logging_cost)} of rows/s, ${pct(result.logging_cost_cpu)} of CPU per row (interleaved), ${pct(result.logging_cost_by_parts)} by parts (${result.log_us_per_row} µs a row in-process; goal ≤ 5%)   mean batch ${result.mean_batch_rows} rows`,
  );
  say(
    `server CPU per 1-row request: hello ${result.cpu_us_per_req.hello} µs, naive ${result.cpu_us_per_req.naive} µs, bare ${result.cpu_us_per_req.bare} µs, ours ${result.cpu_us_per_req.ours} µs; load average ${result.load_average_1m}`,
  );
}

const dir = await mkdtemp(join(tmpdir(), 'bench-serve-'));
try {
  const rows = IMAGES_ONLY || RUNTIMES_ONLY ? undefined : await rowsBench(dir);
  if (RUNTIMES_ONLY) {
    await writeBenchBundle(dir, MODEL);
    inputs = (await readBenchBundle(dir)).manifest.signature.inputs;
  }
  const runtimes =
    RUNTIMES && !IMAGES_ONLY
      ? await runtimeBench({
          dir,
          body1: body(1),
          body64: body(64),
          connections: CONNECTIONS,
          seconds: duration,
          rounds: ROUNDS,
          say,
        })
      : undefined;
  const image =
    IMAGE_MODEL === 'none' || RUNTIMES_ONLY
      ? undefined
      : await imageBench({
          model: IMAGE_MODEL,
          batches: IMAGE_BATCHES,
          connections: IMAGE_CONNECTIONS,
          seconds: IMAGE_DURATION,
          rounds: ROUNDS,
          dir: join(dir, 'image'),
          runRaw: (imageDir, seconds, batches) =>
            runJson<ImageRawFigures>(join(here, 'servers', 'image-raw.ts'), [
              imageDir,
              String(seconds),
              batches.join(','),
            ]),
          say,
        });
  if (json)
    process.stdout.write(
      `${JSON.stringify({ ...rows, ...(runtimes ? { runtimes } : {}), ...(image ? { image } : {}) })}\n`,
    );
  else {
    if (rows) reportRows(rows);
    if (runtimes)
      say(
        `ONNX Runtime / TF.js through serving (${describeBenchModel(MODEL)}, same weights, max |diff| ${runtimes.max_abs_diff}): 1 row ${runtimes.onnx_vs_tfjs_1}× (${runtimes.onnx_rows_per_s_1} vs ${runtimes.tfjs_rows_per_s_1} rows/s), 64 rows ${runtimes.onnx_vs_tfjs_64}× (${runtimes.onnx_rows_per_s_64} vs ${runtimes.tfjs_rows_per_s_64} rows/s); failed requests ${runtimes.failed_requests}`,
      );
    if (image) reportImage(image, say);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
