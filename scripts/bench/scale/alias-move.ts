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

/**
 * Alias move → both serving replicas answering with the new version, under continuous predict
 * load, over `MOVES` moves back and forth. Baselines from the same moves: the `aliases.set` call
 * alone, and the registry's `alias.moved` event reaching a Redis subscriber (what the replicas
 * react to) — the rest of the swap is the replicas' download, load, warm and swap.
 */
export async function aliasMove(opts: ScaleOptions): Promise<Figure> {
  const platform = await startPlatform(opts.redis, 'alias');
  const sub = new Redis(opts.redis.url);
  let load: Load | undefined;
  try {
    const { client } = platform;
    const v1 = (await registerVersion(client, MODEL)).version;
    const v2 = (await registerVersion(client, MODEL)).version;
    await client.api.aliases.set.mutate({ model: MODEL, version: v1, alias: 'champion' });
    const env = { SERVING_MODELS: MODEL, SERVING_RECONCILE_MS: '600000' };
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
    const requests = after.ok - before.ok + (after.failed - before.failed);
    const failed = after.failed - before.failed;
    const p50 = median(swaps);
    const p99 = quantile(swaps, 0.99);
    const setP50 = median(sets);
    const eventP50 = median(events.filter((e) => !Number.isNaN(e)));
    opts.say(
      `alias move → 2 replicas on the new version: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms ` +
        `(goal ≤ 500); aliases.set ${setP50.toFixed(0)} ms, event at subscriber ${eventP50.toFixed(0)} ms; ` +
        `${failed} of ${requests} requests failed during ${MOVES} moves`,
    );
    return {
      moves: MOVES,
      replicas: replicas.length,
      swap_p50_ms: Math.round(p50),
      swap_p99_ms: Math.round(p99),
      swap_max_ms: Math.round(Math.max(...swaps)),
      set_p50_ms: Math.round(setP50),
      event_p50_ms: Math.round(eventP50),
      /** From the event reaching a subscriber to both replicas answering: the replicas' own part. */
      after_event_p50_ms: Math.round(
        median(swaps.map((s, i) => s - (events[i] ?? Number.NaN)).filter((d) => !Number.isNaN(d))),
      ),
      swap_vs_set: ratio(p50, setP50),
      swap_vs_event: ratio(p50, eventP50),
      requests,
      failed_requests: failed,
      failures: after.statuses,
      goal_p99_ms: 500,
    };
  } finally {
    await load?.stop();
    sub.disconnect();
    await platform.close();
  }
}
