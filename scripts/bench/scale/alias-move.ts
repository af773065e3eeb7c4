import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { redisKeys } from '@mlops/contracts';
import { median, quantile } from '@mlops/ml/stats';
import type { RunningService } from '../../lib/services';
import { sleep, waitFor } from '../../lib/wait';
import { registerVersion, v2Body } from './bundle';
import { ratio, startPlatform, type Figure, type ScaleOptions } from './harness';

const MODEL = 'bench-alias';
const MOVES = Number(process.env.BENCH_SCALE_MOVES ?? 50);
/** Concurrent request loops per replica: continuous load, not a flood (2 shared cores). */
const LOOPS = 4;

/**
 * The request loops, in a worker thread of their own: 8 loops parsing answers keep an event loop
 * busy, and in the thread that calls `aliases.set` and notes the times they delayed both the call
 * and the noting (measured: the bench's own subscriber heard the event ≈ 200 ms after the
 * replicas did). Plain JavaScript (`eval`), so the worker needs no TypeScript loader.
 */
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { urls, token, loops, bodies, model } = workerData;
const now = () => performance.timeOrigin + performance.now();
let stopped = false;
let ok = 0;
let failed = 0;
let statuses = {};
const last = new Map();
function fail(why) {
  failed++;
  statuses[why] = (statuses[why] || 0) + 1;
}
async function loop(url, seed) {
  const headers = { 'content-type': 'application/json', authorization: 'Bearer ' + token };
  for (let n = seed; !stopped; n += loops) {
    try {
      const res = await fetch(url + '/v2/models/' + model + '/infer', {
        method: 'POST', headers, body: bodies[n % bodies.length],
      });
      const body = await res.json();
      if (res.ok && body.model_version) {
        ok++;
        if (last.get(url) !== body.model_version) {
          last.set(url, body.model_version);
          parentPort.postMessage({ kind: 'answer', url, version: body.model_version, at: now() });
        }
      } else fail(String(res.status));
    } catch (err) {
      fail(err && err.message ? err.message : String(err));
    }
  }
}
const running = [];
for (const url of urls) for (let i = 0; i < loops; i++) running.push(loop(url, i));
parentPort.on('message', (m) => {
  if (m === 'counts') parentPort.postMessage({ kind: 'counts', ok, failed, statuses });
  else if (m === 'clear') statuses = {};
  else if (m === 'stop') {
    stopped = true;
    Promise.all(running).then(() => parentPort.postMessage({ kind: 'stopped' }));
  }
});
`;

interface Counts {
  ok: number;
  failed: number;
  statuses: Record<string, number>;
}

/** Every replica's answers under load: when each replica's answers changed version, and to which. */
class Load {
  private readonly worker: Worker;
  /** Per replica, the times its answers turned to a version (wall clock, ms). */
  private readonly turns = new Map<string, Array<{ version: number; at: number }>>();
  private readonly waiting: Array<(m: { kind: string } & Partial<Counts>) => void> = [];

  constructor(
    private readonly replicas: RunningService[],
    token: string,
  ) {
    const bodies = Array.from({ length: 9 }, (_, n) => v2Body(n));
    this.worker = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: { urls: replicas.map((r) => r.url), token, loops: LOOPS, bodies, model: MODEL },
    });
    this.worker.on('message', (m: { kind: string; url: string; version: string; at: number }) => {
      if (m.kind === 'answer') {
        const list = this.turns.get(m.url) ?? [];
        list.push({ version: Number(m.version), at: m.at });
        this.turns.set(m.url, list);
      } else this.waiting.shift()?.(m);
    });
  }

  private ask(what: 'counts' | 'stop'): Promise<{ kind: string } & Partial<Counts>> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.worker.postMessage(what);
    });
  }

  async counts(): Promise<Counts> {
    const m = await this.ask('counts');
    return { ok: m.ok ?? 0, failed: m.failed ?? 0, statuses: m.statuses ?? {} };
  }

  /** Failures while the replicas first loaded are not the moves'. */
  clearStatuses(): void {
    this.worker.postMessage('clear');
  }

  /** When every replica's answers turned to `version` at or after `since`, or undefined. */
  allAnswered(version: number, since = 0): number | undefined {
    let last = 0;
    for (const r of this.replicas) {
      const at = this.turns.get(r.url)?.find((t) => t.version === version && t.at >= since)?.at;
      if (at === undefined) return undefined;
      last = Math.max(last, at);
    }
    return last;
  }

  async stop(): Promise<void> {
    await this.ask('stop');
    await this.worker.terminate();
  }
}

/** Wall clock in ms with sub-millisecond resolution, comparable across threads. */
const now = (): number => performance.timeOrigin + performance.now();

/** How many of `model`'s registered versions a replica preloaded (`serving_preloads_total`). */
async function preloaded(replica: RunningService, model: string): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  const prefix = `serving_preloads_total{model="${model}",outcome="loaded"} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
}

interface Phase {
  swaps: number[];
  sets: number[];
  events: number[];
  requests: number;
  failed: number;
  statuses: Record<string, number>;
}

/**
 * One platform, two replicas following `champion`, `MOVES` moves under load. v2 is registered
 * once the replicas serve v1, as a trained version is in production, so its `version.created`
 * reaches them; with `preload` the moves start once both replicas preloaded it.
 */
async function measureMoves(opts: ScaleOptions, preload: boolean): Promise<Phase> {
  const platform = await startPlatform(opts.redis, preload ? 'alias' : 'alias-cold');
  const sub = new Redis(opts.redis.url);
  let load: Load | undefined;
  try {
    const { client } = platform;
    const v1 = (await registerVersion(client, MODEL)).version;
    await client.api.aliases.set.mutate({ model: MODEL, version: v1, alias: 'champion' });
    const env = {
      SERVING_MODELS: MODEL,
      SERVING_RECONCILE_MS: '600000',
      SERVING_PRELOAD: preload ? '1' : '0',
    };
    const replicas = [await platform.start('serving', env), await platform.start('serving', env)];

    if (sub.status !== 'ready') await new Promise((r) => sub.once('ready', r));
    let eventAt = 0;
    sub.on('message', (_c: string, message: string) => {
      if (message.includes('"alias.moved"')) eventAt = now();
    });
    await sub.subscribe(redisKeys(platform.prefix).events);

    load = new Load(replicas, platform.token);
    await waitFor('both replicas to answer v1', () => Promise.resolve(load?.allAnswered(v1)), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    const v2 = (await registerVersion(client, MODEL)).version;
    // SERVING_STANDBY_MS=0 in the bench's environment keeps nothing warm: no preload to wait for.
    if (preload && process.env.SERVING_STANDBY_MS !== '0') {
      await waitFor(
        'both replicas to preload v2',
        async () => {
          const counts = await Promise.all(replicas.map((r) => preloaded(r, MODEL)));
          return counts.every((n) => n >= 1) ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 50 },
      );
    }
    await sleep(1_000); // warm: JIT and connections
    const before = await load.counts();
    load.clearStatuses();
    const swaps: number[] = [];
    const sets: number[] = [];
    const events: number[] = [];
    for (let i = 0; i < MOVES; i++) {
      const version = i % 2 === 0 ? v2 : v1;
      eventAt = 0;
      const t0 = now();
      await client.api.aliases.set.mutate({ model: MODEL, version, alias: 'champion' });
      sets.push(now() - t0);
      const done = await waitFor(
        `move ${i + 1} to v${version}`,
        () => Promise.resolve(load?.allAnswered(version, t0)),
        {
          timeoutMs: 30_000,
          intervalMs: 5,
        },
      );
      swaps.push(done - t0);
      events.push(eventAt > 0 ? eventAt - t0 : Number.NaN);
      await sleep(250); // let the old version's last answers land before the next move
    }
    const after = await load.counts();
    return {
      swaps,
      sets,
      events,
      requests: after.ok - before.ok + (after.failed - before.failed),
      failed: after.failed - before.failed,
      statuses: after.statuses,
    };
  } finally {
    await load?.stop();
    sub.disconnect();
    await platform.close();
  }
}

/** From the `alias.moved` event reaching a subscriber to both replicas answering, median. */
function afterEventP50(phase: Phase): number {
  const gaps = phase.swaps.map((s, i) => s - (phase.events[i] ?? Number.NaN));
  return median(gaps.filter((d) => !Number.isNaN(d)));
}

/** The three slowest moves (1-based), with their `aliases.set` call and event times: what set the p99. */
function slowest(
  phase: Phase,
): Array<{ move: number; ms: number; set_ms: number; event_ms: number }> {
  return phase.swaps
    .map((ms, i) => ({
      move: i + 1,
      ms: Math.round(ms),
      set_ms: Math.round(phase.sets[i] ?? Number.NaN),
      event_ms: Math.round(phase.events[i] ?? Number.NaN),
    }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3);
}

/**
 * Alias move → both serving replicas answering with the new version, under continuous predict
 * load, over `MOVES` moves back and forth; measured with SERVING_PRELOAD on (the default) and,
 * as the baseline in the same run, off (the first move then loads v2 cold, as before preloads).
 * Beside them: the `aliases.set` call alone, and the registry's `alias.moved` event reaching a
 * Redis subscriber (what the replicas react to).
 */
export async function aliasMove(opts: ScaleOptions): Promise<Figure> {
  const on = await measureMoves(opts, true);
  const off = await measureMoves(opts, false);
  const p50 = median(on.swaps);
  const p99 = quantile(on.swaps, 0.99);
  const offP50 = median(off.swaps);
  const offP99 = quantile(off.swaps, 0.99);
  const setP50 = median(on.sets);
  const eventP50 = median(on.events.filter((e) => !Number.isNaN(e)));
  opts.say(
    `alias move → 2 replicas on the new version: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms ` +
      `(goal ≤ 500; preload off: p50 ${offP50.toFixed(0)}, p99 ${offP99.toFixed(0)}); ` +
      `aliases.set ${setP50.toFixed(0)} ms, event at subscriber ${eventP50.toFixed(0)} ms; ` +
      `${on.failed} of ${on.requests} requests failed during ${MOVES} moves (preload off: ${off.failed} of ${off.requests})`,
  );
  return {
    moves: MOVES,
    replicas: 2,
    swap_p50_ms: Math.round(p50),
    swap_p99_ms: Math.round(p99),
    swap_max_ms: Math.round(Math.max(...on.swaps)),
    first_move_ms: Math.round(on.swaps[0] ?? Number.NaN),
    set_p50_ms: Math.round(setP50),
    event_p50_ms: Math.round(eventP50),
    /** From the event reaching a subscriber to both replicas answering: the replicas' own part. */
    after_event_p50_ms: Math.round(afterEventP50(on)),
    swap_vs_set: ratio(p50, setP50),
    swap_vs_event: ratio(p50, eventP50),
    requests: on.requests,
    failed_requests: on.failed,
    failures: on.statuses,
    slowest_moves: slowest(on),
    baseline_preload_off: {
      swap_p50_ms: Math.round(offP50),
      swap_p99_ms: Math.round(offP99),
      swap_max_ms: Math.round(Math.max(...off.swaps)),
      first_move_ms: Math.round(off.swaps[0] ?? Number.NaN),
      after_event_p50_ms: Math.round(afterEventP50(off)),
      requests: off.requests,
      failed_requests: off.failed,
      failures: off.statuses,
      slowest_moves: slowest(off),
    },
    p99_vs_preload_off: ratio(p99, offP99),
    goal_p99_ms: 500,
  };
}
