import type { Column, DataRow } from '@mlops/contracts';
import { driftPolicySchema } from '@mlops/contracts';
import { computeDrift } from '@mlops/ml/drift';
import { mulberry32 } from '@mlops/ml/split';
import { median } from '@mlops/ml/stats';
import { profileRows } from '@mlops/ml/profile';
import { waitFor } from '../../lib/wait';
import { registerVersion } from './bundle';
import { ratio, startPlatform, type Figure, type ScaleOptions } from './harness';

const MODEL = 'bench-drift';
const ROUNDS = Number(process.env.BENCH_SCALE_REPS ?? 5);
const CATEGORIES = ['a', 'b', 'c', 'd', 'e', 'f'];
const COLUMNS: Column[] = [
  ...Array.from({ length: 10 }, (_, i) => ({
    name: `n${i}`,
    type: 'numeric' as const,
    nullable: false,
  })),
  ...Array.from({ length: 10 }, (_, i) => ({
    name: `c${i}`,
    type: 'categorical' as const,
    nullable: false,
    categories: CATEGORIES,
  })),
];

/** Seeded rows of the 20 features; `shift` moves the live numeric means (some drift to find). */
function rows(n: number, seed: number, shift = 0): DataRow[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, (_, r) => {
    const row: DataRow = { cls: r % 2 ? 'p' : 'n' };
    for (let i = 0; i < 10; i++) row[`n${i}`] = rng() * 2 - 1 + (i < 3 ? shift : 0);
    for (let i = 0; i < 10; i++) row[`c${i}`] = CATEGORIES[Math.floor(rng() * CATEGORIES.length)]!;
    return row;
  });
}

/**
 * Drift: rows/s of a window of logged predictions through the monitor (`GET /v1/drift/:model`:
 * the window out of its store, redacted cells, every column's statistic, the report over HTTP)
 * against `computeDrift` alone on the same rows in this process. The window is filled the real
 * way: requests to serving, which logs them to the Redis stream the monitor reads.
 */
export async function drift(opts: ScaleOptions): Promise<Figure> {
  const window = Math.min(200_000, Math.max(1_000, Math.round(opts.rows / 20)));
  const platform = await startPlatform(opts.redis, 'drift');
  try {
    const { client, token } = platform;
    const reference = rows(5_000, 1);
    const shape = { inputs: COLUMNS, rows: reference, profile: true };
    const { version } = await registerVersion(client, MODEL, 8, shape);
    await client.api.aliases.set.mutate({ model: MODEL, version, alias: 'champion' });
    const serving = await platform.start('serving', {
      SERVING_MODELS: MODEL,
      SERVING_LOG_SAMPLE_RATE: '1',
    });
    const monitor = await platform.start('monitor', {
      MONITOR_WINDOW_RETAIN: String(window),
      MONITOR_WINDOW_SIZE: String(window),
      MONITOR_POLL_MS: '200',
    });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };

    const live = rows(window, 2, 0.3);
    const started = performance.now();
    for (let i = 0; i < live.length; i += 256) {
      const batch = live.slice(i, i + 256).map(({ cls: _cls, ...features }) => features);
      const res = await fetch(`${serving.url}/v1/models/${MODEL}:predict`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ instances: batch }),
      });
      if (!res.ok) throw new Error(`serving answered ${res.status}: ${await res.text()}`);
    }
    const served = performance.now() - started;
    await waitFor(
      `the monitor to hold ${window} rows`,
      async () => {
        const res = await fetch(`${monitor.url}/v1/models`, { headers });
        const body = (await res.json()) as {
          models?: Array<{ model: string; rowsConsumed: number }>;
        };
        const m = body.models?.find((x) => x.model === MODEL);
        return m && m.rowsConsumed >= window ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    const consumed = performance.now() - started;

    const profile = profileRows(COLUMNS, reference);
    const policy = driftPolicySchema.parse({ windowSize: window });
    const features = live.map(({ cls: _cls, ...f }) => f);
    const pairs: Array<{ monitor: number; alone: number }> = [];
    let drifted = 0;
    // One untimed pass each: JIT and the monitor's first report (profile download) out of the way.
    computeDrift(profile, features, COLUMNS, policy);
    await (await fetch(`${monitor.url}/v1/drift/${MODEL}?window=${window}`, { headers })).text();
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      const res = await fetch(`${monitor.url}/v1/drift/${MODEL}?window=${window}`, { headers });
      const report = (await res.json()) as { window?: { rows: number }; driftedColumns?: string[] };
      const monitorMs = performance.now() - t0;
      if (!res.ok || report.window?.rows !== window)
        throw new Error(
          `monitor answered ${res.status} with ${JSON.stringify(report).slice(0, 300)}`,
        );
      drifted = report.driftedColumns?.length ?? 0;
      const t1 = performance.now();
      computeDrift(profile, features, COLUMNS, policy);
      const aloneMs = performance.now() - t1;
      pairs.push({ monitor: window / (monitorMs / 1000), alone: window / (aloneMs / 1000) });
    }
    const monitorRate = median(pairs.map((p) => p.monitor));
    const aloneRate = median(pairs.map((p) => p.alone));
    opts.say(
      `drift of a ${window}-row window, 10 numeric + 10 categorical: ${Math.round(monitorRate)} rows/s through ` +
        `the monitor vs ${Math.round(aloneRate)} for the statistics alone ` +
        `(${ratio(median(pairs.map((p) => p.monitor / p.alone)), 1)}); ${drifted} columns drifted; ` +
        `logged and consumed at ${Math.round(window / (consumed / 1000))} rows/s`,
    );
    return {
      window_rows: window,
      features: { numeric: 10, categorical: 10 },
      monitor_rows_per_s: Math.round(monitorRate),
      statistics_rows_per_s: Math.round(aloneRate),
      ratio: ratio(median(pairs.map((p) => p.monitor / p.alone)), 1),
      drifted_columns: drifted,
      served_rows_per_s: Math.round(window / (served / 1000)),
      logged_to_window_rows_per_s: Math.round(window / (consumed / 1000)),
    };
  } finally {
    await platform.close();
  }
}
