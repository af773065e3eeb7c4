/**
 * The headline figures, measured in rounds. Hello, naive, bare and ours stay up for the whole
 * benchmark; a round runs one phase per figure back to back — hello, naive, bare and ours under
 * 1-row requests, ours under 64-row requests, and the raw in-process loop — in an order that rotates
 * from round to round, so no figure is always taken first or always right after another's load.
 * Ratios are taken within a round, between phases seconds apart, and main.ts reports their
 * median over rounds.
 *
 * Why: on two shared cores a process's speed drifts by ±30% within seconds. Run one after the
 * other, each started afresh, one rep's phases were about 25 s apart and its ours/naive swung
 * from 2.3 to 4.4 between reps of the same run.
 */
import { batchCounts, load, type LoadOptions, type LoadResult, type Server } from './processes';

/** raw.ts's line: TF.js predict with its defaults, with the whole batch, and our compiled plan. */
export interface RawFigures {
  rows_per_s: number;
  whole_batch_rows_per_s: number;
  compiled_rows_per_s: number;
}

export interface Round {
  hello: LoadResult;
  naive: LoadResult;
  bare: LoadResult;
  ours: LoadResult;
  ours64: LoadResult;
  /** 64 rows a request as TF Serving columns (`inputs`) and as OIP v2 typed tensors. */
  ours64col: LoadResult;
  ours64v2: LoadResult;
  /** The same as OIP v2 binary tensors (the extension's bytes, numeric features in FP32). */
  ours64v2bin: LoadResult;
  /** Rows per predict call during ours' 1-row phase. */
  meanBatch: number;
  raw: RawFigures;
}

export interface RoundSetup {
  hello: Server;
  naive: Server;
  bare: Server;
  ours: Server;
  /** Request bodies of 1 and 64 rows: TF Serving rows, TF Serving columns, OIP v2 tensors. */
  body1: string;
  body64: string;
  body64col: string;
  body64v2: string;
  /** A file holding the 64 rows as an OIP v2 binary-extension body, and its header's length. */
  body64v2bin: { file: string; headerLength: number };
  /** The OIP v2 infer path of the benchmark model. */
  v2Path: string;
  connections: number;
  seconds: number;
  /** Runs the raw loop in its own process for `seconds`. */
  runRaw: () => Promise<RawFigures>;
  /** Told each load phase's result as it ends (for the human-readable report). */
  report?: (phase: LoadPhase, rows: number, result: LoadResult) => void;
}

export type LoadPhase =
  'hello' | 'naive' | 'bare' | 'ours' | 'ours64' | 'ours64col' | 'ours64v2' | 'ours64v2bin';
type Phase = LoadPhase | 'raw';
const PHASES: readonly Phase[] = [
  'hello',
  'naive',
  'bare',
  'ours',
  'ours64',
  'ours64col',
  'ours64v2',
  'ours64v2bin',
  'raw',
];

/** The body and path of a phase on our server (the 1-row body for the other servers). */
function request(
  setup: RoundSetup,
  phase: LoadPhase,
): Omit<LoadOptions, 'connections' | 'seconds'> {
  if (phase === 'ours64') return { body: setup.body64 };
  if (phase === 'ours64col') return { body: setup.body64col };
  if (phase === 'ours64v2') return { body: setup.body64v2, path: setup.v2Path };
  if (phase === 'ours64v2bin') {
    const { file, headerLength } = setup.body64v2bin;
    return {
      bodyFile: file,
      binary: true,
      path: setup.v2Path,
      headers: { 'inference-header-content-length': String(headerLength) },
    };
  }
  return { body: setup.body1 };
}

/** The phase order of round `index` (0-based): PHASES rotated by `index`. */
export function phaseOrder(index: number): Phase[] {
  const k = index % PHASES.length;
  return [...PHASES.slice(k), ...PHASES.slice(0, k)];
}

/** A second of load on every server: JIT, kernels and connections warm before round one. */
export async function warmUp(setup: RoundSetup): Promise<void> {
  const { connections } = setup;
  for (const server of [setup.hello, setup.naive, setup.bare, setup.ours])
    await load(server.port, { body: setup.body1, connections, seconds: 1 });
  for (const phase of ['ours64', 'ours64col', 'ours64v2', 'ours64v2bin'] as const)
    await load(setup.ours.port, { ...request(setup, phase), connections, seconds: 1 });
}

export async function runRound(index: number, setup: RoundSetup): Promise<Round> {
  const { connections, seconds } = setup;
  const partial: Partial<Round> = {};
  const loadPhase = async (phase: LoadPhase): Promise<LoadResult> => {
    const server =
      phase === 'hello' || phase === 'naive' || phase === 'bare' ? setup[phase] : setup.ours;
    const rows = phase.startsWith('ours64') ? 64 : 1;
    const result = await load(
      server.port,
      { ...request(setup, phase), connections, seconds },
      server.pid,
    );
    setup.report?.(phase, rows, result);
    return result;
  };
  for (const phase of phaseOrder(index)) {
    if (phase === 'raw') {
      partial.raw = await setup.runRaw();
    } else if (phase === 'ours') {
      const before = await batchCounts(setup.ours.port);
      partial.ours = await loadPhase('ours');
      const after = await batchCounts(setup.ours.port);
      partial.meanBatch = (after.rows - before.rows) / Math.max(1, after.execs - before.execs);
    } else {
      partial[phase] = await loadPhase(phase);
    }
  }
  const { hello, naive, bare, ours, ours64, ours64col, ours64v2, ours64v2bin, meanBatch, raw } =
    partial;
  if (!hello || !naive || !bare || !ours || !ours64 || !ours64col || !ours64v2 || !ours64v2bin)
    throw new Error(`round ${index + 1} missed a phase`);
  if (meanBatch === undefined || !raw) throw new Error(`round ${index + 1} missed a phase`);
  return { hello, naive, bare, ours, ours64, ours64col, ours64v2, ours64v2bin, meanBatch, raw };
}
