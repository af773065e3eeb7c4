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

/** Every replica's answers under load: the version each answered last, and when it first answered `want`. */
class Load {
  ok = 0;
  failed = 0;
  readonly statuses = new Map<string, number>();
  private readonly firstSeen = new Map<string, number>();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly replicas: RunningService[],
    private readonly token: string,
  ) {}

  start(): void {
    for (const replica of this.replicas)
      for (let i = 0; i < LOOPS; i++) this.loops.push(this.loop(replica, i));
  }

  private async loop(replica: RunningService, seed: number): Promise<void> {
    const url = `${replica.url}/v2/models/${MODEL}/infer`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${this.token}` };
    for (let n = seed; !this.stopped; n += LOOPS) {
      try {
        const res = await fetch(url, { method: 'POST', headers, body: v2Body(n) });
        const body = (await res.json()) as { model_version?: string };
        if (res.ok && body.model_version) {
          this.ok++;
          const key = `${replica.url} ${body.model_version}`;
          if (!this.firstSeen.has(key)) this.firstSeen.set(key, performance.now());
        } else this.fail(String(res.status));
      } catch (err) {
        this.fail(err instanceof Error ? err.message : String(err));
      }
    }
  }

  private fail(why: string): void {
    this.failed++;
    this.statuses.set(why, (this.statuses.get(why) ?? 0) + 1);
  }

  /** Forget what was seen, so the next move's "first answer with v" is measured afresh. */
  reset(): void {
    this.firstSeen.clear();
  }

  /** When every replica first answered `version` since the last reset, or undefined. */
  allAnswered(version: number): number | undefined {
    let last = 0;
    for (const r of this.replicas) {
      const at = this.firstSeen.get(`${r.url} ${version}`);
      if (at === undefined) return undefined;
      last = Math.max(last, at);
    }
    return last;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

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
      if (message.includes('"alias.moved"')) eventAt = performance.now();
    });
    await sub.subscribe(redisKeys(platform.prefix).events);

    load = new Load(replicas, platform.token);
    load.start();
    await waitFor('both replicas to answer v1', () => Promise.resolve(load?.allAnswered(v1)), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await sleep(1_000); // warm: JIT and connections
    const okBefore = load.ok;
    const failedBefore = load.failed;
    load.statuses.clear(); // failures while the replicas first loaded are not the moves'
    const swaps: number[] = [];
    const sets: number[] = [];
    const events: number[] = [];
    for (let i = 0; i < MOVES; i++) {
      const version = i % 2 === 0 ? v2 : v1;
      load.reset();
      eventAt = 0;
      const t0 = performance.now();
      await client.api.aliases.set.mutate({ model: MODEL, version, alias: 'champion' });
      sets.push(performance.now() - t0);
      const done = await waitFor(
        `move ${i + 1} to v${version}`,
        () => Promise.resolve(load?.allAnswered(version)),
        {
          timeoutMs: 30_000,
          intervalMs: 5,
        },
      );
      swaps.push(done - t0);
      events.push(eventAt > 0 ? eventAt - t0 : Number.NaN);
      await sleep(250); // let the old version's last answers land before the next move
    }
    const requests = load.ok - okBefore + (load.failed - failedBefore);
    const failed = load.failed - failedBefore;
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
      failures: Object.fromEntries(load.statuses),
      goal_p99_ms: 500,
    };
  } finally {
    await load?.stop();
    sub.disconnect();
    await platform.close();
  }
}
