import { median } from '@mlops/ml/stats';
import type { RunningService } from '../../lib/services';
import { waitFor } from '../../lib/wait';
import { registerVersion, v2Body } from './bundle';
import {
  ratio,
  rssMb,
  startPlatform,
  type Figure,
  type Platform,
  type ScaleOptions,
} from './harness';
import { runLoad } from './load';

const COUNTS = [1, 10, 50];
const ROUNDS = Number(process.env.BENCH_SCALE_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 4);
/** Hidden units of the two model sizes: ≈ 1 kB and ≈ 0.9 MB of weights (4 inputs → h → 2). */
const SIZES = { small: 32, large: 32_768 } as const;

async function register(platform: Platform, size: keyof typeof SIZES, n: number) {
  const names = Array.from({ length: n }, (_, i) => `bench-${size}-${i}`);
  let bytes = 0;
  for (const model of names) {
    const v = await registerVersion(platform.client, model, SIZES[size]);
    bytes = v.bytes;
    await platform.client.api.aliases.set.mutate({ model, version: v.version, alias: 'champion' });
  }
  return { names, bytes };
}

/** A serving process holding `names` (all loaded and answering), its RSS measured after load. */
async function serve(platform: Platform, names: string[]): Promise<RunningService> {
  const serving = await platform.start('serving', {
    SERVING_MODELS: names.join(','),
    SERVING_LOG_SAMPLE_RATE: '0',
  });
  const headers = { authorization: `Bearer ${platform.token}` };
  await waitFor(
    `${names.length} models loaded`,
    async () => {
      for (const name of names) {
        const res = await fetch(`${serving.url}/v1/models/${name}`, { headers });
        if (!res.ok) return undefined;
      }
      return true;
    },
    { timeoutMs: 300_000, intervalMs: 500 },
  );
  return serving;
}

const loadOf = (platform: Platform, serving: RunningService, names: string[], seconds: number) =>
  runLoad({
    url: serving.url,
    paths: names.map((n) => `/v2/models/${n}/infer`),
    body: v2Body(),
    token: platform.token,
    connections: 8,
    seconds,
  });

/**
 * Many models in one serving process: requests/s with 1, 10 and 50 models loaded (requests
 * cycling over all of them; baseline: the 1-model server, in the same rounds), and the RSS each
 * loaded model adds, for a ≈ 1 kB and a ≈ 0.9 MB model (goal: flat throughput, memory linear in
 * model size). Each count is its own serving process, all up together, phases rotated per round.
 */
export async function manyModels(opts: ScaleOptions): Promise<Figure> {
  const platform = await startPlatform(opts.redis, 'models');
  try {
    const max = Math.max(...COUNTS);
    const small = await register(platform, 'small', max);
    const servers = [];
    for (const n of COUNTS)
      servers.push({
        n,
        names: small.names.slice(0, n),
        serving: await serve(platform, small.names.slice(0, n)),
      });
    for (const s of servers) await loadOf(platform, s.serving, s.names, 1); // warm
    const rps = new Map<number, number[]>(COUNTS.map((n) => [n, []]));
    let failed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const order = [
        ...servers.slice(round % servers.length),
        ...servers.slice(0, round % servers.length),
      ];
      for (const s of order) {
        const r = await loadOf(platform, s.serving, s.names, SECONDS);
        failed += r.non2xx + r.errors;
        rps.get(s.n)?.push(r.rps);
        opts.say(`  ${s.n} models: ${Math.round(r.rps)} req/s (p99 ${r.p99_ms} ms)`);
      }
    }
    const smallRss = servers.map((s) => rssMb(s.serving.child.pid));
    const batchRows = await Promise.all(servers.map((s) => meanBatchRows(s.serving)));
    await Promise.all(servers.map((s) => stopService(s.serving)));

    const large = await register(platform, 'large', max);
    const largeOne = await serve(platform, large.names.slice(0, 1));
    const largeMax = await serve(platform, large.names);
    for (const s of [largeOne, largeMax])
      await loadOf(platform, s, s === largeOne ? large.names.slice(0, 1) : large.names, 1);
    const largeRss = [rssMb(largeOne.child.pid), rssMb(largeMax.child.pid)];

    // Each round measures every count back to back: its ratios share the machine's load of the
    // moment, which swings 2× between rounds here; the median of the rounds' ratios is the figure.
    const roundRatio = (n: number) =>
      median((rps.get(n) ?? []).map((v, i) => v / (rps.get(1)?.[i] ?? NaN)));
    const perModel = (rss: number[]) => ((rss.at(-1) ?? 0) - (rss[0] ?? 0)) / (max - 1);
    const figure: Figure = {
      counts: COUNTS,
      rps: Object.fromEntries(COUNTS.map((n) => [n, Math.round(median(rps.get(n) ?? []))])),
      rps_vs_1_model: Object.fromEntries(COUNTS.map((n) => [n, ratio(roundRatio(n), 1)])),
      rps_vs_1_model_by_round: Object.fromEntries(
        COUNTS.map((n) => [n, (rps.get(n) ?? []).map((v, i) => ratio(v, rps.get(1)?.[i] ?? NaN))]),
      ),
      failed_requests: failed,
      mean_batch_rows: Object.fromEntries(COUNTS.map((n, i) => [n, batchRows[i]])),
      small_model_kb: Math.round(small.bytes / 1024),
      small_rss_mb: Object.fromEntries(COUNTS.map((n, i) => [n, smallRss[i]])),
      small_mb_per_model: Math.round(perModel(smallRss) * 100) / 100,
      large_model_kb: Math.round(large.bytes / 1024),
      large_rss_mb: { 1: largeRss[0], [max]: largeRss[1] },
      large_mb_per_model: Math.round(perModel(largeRss) * 100) / 100,
    };
    opts.say(
      `many models: ${JSON.stringify(figure.rps)} req/s (vs 1 model: ${JSON.stringify(figure.rps_vs_1_model)}); ` +
        `${String(figure.small_mb_per_model)} MiB per ${String(figure.small_model_kb)} kB model, ` +
        `${String(figure.large_mb_per_model)} MiB per ${String(figure.large_model_kb)} kB model`,
    );
    return figure;
  } finally {
    await platform.close();
  }
}

/** Rows per batched predict call over the server's life (the warm-up phase included). */
async function meanBatchRows(serving: RunningService): Promise<number> {
  const text = await (await fetch(`${serving.url}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`))
      .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const batches = sum('serving_inference_exec_count_total');
  return batches ? Math.round((sum('serving_inference_count_total') / batches) * 100) / 100 : 0;
}

async function stopService(service: RunningService): Promise<void> {
  if (service.child.exitCode !== null) return;
  const exited = new Promise((r) => service.child.once('exit', r));
  service.child.kill('SIGTERM');
  await exited;
}
