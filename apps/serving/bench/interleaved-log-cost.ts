/**
 * The payload log's cost measured interleaved: one server (BENCH_LOG_SWITCH=1) under one
 * continuous 1-row load, its log switched on and off in short phases, ABBA-ordered. The switch
 * acts when LogBuffer hands rows over (every LOG_FLUSH_MS), so the first LOG_FLUSH_MS of a phase
 * are skipped: rows collected before the switch are handed over then, outside the measure. The
 * cost is the median over pairs of 1 − rows/s with the log / rows/s without, and the same from
 * CPU µs per row.
 *
 * Why short phases: on two shared cores the speed of the same process drifts by ±30% from one
 * second to the next. Phases of 200 ms put the two sides of a pair within a second of each
 * other; a single pair is still noisy (its interquartile range is printed), the median of many
 * is not.
 */
import { LOG_FLUSH_MS } from '../src/inference/log-buffer';
import { load, withServer } from './processes';
import { quantile } from '@mlops/ml/stats';
import type { LogSwitchSnapshot } from './log-switch';

export interface InterleavedLogCost {
  /** Median over pairs of 1 − (rows/s log on) / (rows/s log off). */
  cost: number;
  /** Median over pairs of 1 − (CPU µs per row log off) / (CPU µs per row log on). */
  costCpu: number;
  /** The 25th and 75th percentiles of the pairs' `cost`: how noisy one pair is. */
  costQuartiles: [number, number];
  pairs: Array<{ rpsOn: number; rpsOff: number; cpuUsOn: number; cpuUsOff: number }>;
}

const SETTLE_MS = LOG_FLUSH_MS;
const WARM_UP_MS = 1_500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function interleavedLogCost(opts: {
  bundleDir: string;
  body: string;
  connections: number;
  pairs: number;
  phaseMs: number;
}): Promise<InterleavedLogCost> {
  const env = { SERVING_LOG_SAMPLE_RATE: '1', BENCH_LOG_SWITCH: '1' };
  return withServer('ours.ts', [opts.bundleDir], env, async (server) => {
    const url = `http://127.0.0.1:${server.port}/bench/log-switch`;
    const snapshot = async (on?: boolean): Promise<LogSwitchSnapshot> => {
      const res = await fetch(on === undefined ? url : `${url}?on=${on ? 1 : 0}`);
      return (await res.json()) as LogSwitchSnapshot;
    };
    // Switching and snapshots take a few ms each under load: the load runs with a margin, and
    // no pair is started once it has ended.
    const plannedMs = WARM_UP_MS + opts.pairs * 2 * (SETTLE_MS + opts.phaseMs);
    let loaded = true;
    const running = load(server.port, {
      body: opts.body,
      connections: opts.connections,
      seconds: Math.ceil((plannedMs * 1.3) / 1_000) + 2,
    }).finally(() => (loaded = false));
    await sleep(WARM_UP_MS);
    const phase = async (on: boolean) => {
      await snapshot(on);
      await sleep(SETTLE_MS);
      const a = await snapshot();
      await sleep(opts.phaseMs);
      const b = await snapshot();
      const rows = Math.max(1, b.rows - a.rows);
      return { rps: (rows * 1_000) / (b.atMs - a.atMs), cpuUs: (b.cpuUs - a.cpuUs) / rows };
    };
    const pairs: InterleavedLogCost['pairs'] = [];
    for (let i = 0; i < opts.pairs && loaded; i++) {
      // ABBA: on-off, off-on, … so a drift in the machine's speed favours neither side.
      const first = i % 2 === 0;
      const p1 = await phase(first);
      const p2 = await phase(!first);
      const [on, off] = first ? [p1, p2] : [p2, p1];
      pairs.push({ rpsOn: on.rps, rpsOff: off.rps, cpuUsOn: on.cpuUs, cpuUsOff: off.cpuUs });
    }
    await running;
    const costs = pairs.map((p) => 1 - p.rpsOn / p.rpsOff);
    return {
      cost: quantile(costs, 0.5),
      costCpu: quantile(
        pairs.map((p) => 1 - p.cpuUsOff / p.cpuUsOn),
        0.5,
      ),
      costQuartiles: [quantile(costs, 0.25), quantile(costs, 0.75)],
      pairs,
    };
  });
}
