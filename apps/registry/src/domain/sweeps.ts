import { randomUUID } from 'node:crypto';
import type { FlowJob } from 'bullmq';
import {
  AppError,
  QUEUE_NAMES,
  TRAIN_JOB_OPTIONS,
  hyperparametersSchema,
  type ErrorDetail,
  type Hyperparameters,
  type Run,
  type SweepDimension,
  type SweepSpec,
  type TrainingSpec,
} from '@mlops/contracts';
import { mulberry32 } from '@mlops/ml/split';
import { deleteRun, insertRun } from '@mlops/storage';
import type { RegistryDeps } from '../deps';

/** Hyperparameters the schema declares as integers: random draws are rounded for them. */
const INTEGER_HYPERPARAMETERS = new Set(['epochs', 'batchSize', 'earlyStoppingPatience']);

type Point = Record<string, number>;

/** Every point of a grid (all value lists combined), or `trials` random draws. */
export function sweepPoints(sweep: SweepSpec, seed: number): Point[] {
  const dims = Object.entries(sweep.space).filter(
    (e): e is [string, SweepDimension] => e[1] !== undefined,
  );
  if (sweep.strategy === 'grid') {
    const ranges = dims.filter(([, d]) => !Array.isArray(d)).map(([name]) => name);
    if (ranges.length > 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        `a grid sweep needs value lists, not ranges (${ranges.join(', ')}); list the values or use strategy "random"`,
        ranges.map((name) => ({ path: `sweep.space.${name}`, message: 'is a range' })),
      );
    }
    let points: Point[] = [{}];
    for (const [name, values] of dims as Array<[string, number[]]>) {
      points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
    }
    if (points.length > sweep.trials) {
      throw new AppError(
        'VALIDATION_FAILED',
        `the grid has ${points.length} combinations but sweep.trials is ${sweep.trials}; raise trials (max 100) or list fewer values`,
        [{ path: 'sweep.trials', message: `less than ${points.length} grid combinations` }],
      );
    }
    return points;
  }
  const rng = mulberry32(seed);
  return Array.from({ length: sweep.trials }, () => {
    const point: Point = {};
    for (const [name, dim] of dims) {
      let value: number;
      if (Array.isArray(dim)) value = dim[Math.floor(rng() * dim.length)] ?? dim[0]!;
      else if (dim.log)
        value = Math.exp(Math.log(dim.min) + rng() * (Math.log(dim.max) - Math.log(dim.min)));
      else value = dim.min + rng() * (dim.max - dim.min);
      point[name] = INTEGER_HYPERPARAMETERS.has(name) ? Math.round(value) : value;
    }
    return point;
  });
}

/** The hyperparameters of each trial, checked like any run's; bad values name their dimension. */
export function trialHyperparameters(spec: TrainingSpec, sweep: SweepSpec): Hyperparameters[] {
  const details: ErrorDetail[] = [];
  const out = sweepPoints(sweep, spec.seed).map((point, i) => {
    const parsed = hyperparametersSchema.safeParse({ ...spec.hyperparameters, ...point });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      details.push({
        path: `sweep.space.${issue.path.join('.')}`,
        message: `trial ${i + 1}: ${issue.message}`,
      });
    }
    return spec.hyperparameters;
  });
  if (details.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'the sweep space has invalid hyperparameters', details);
  }
  return out;
}

/**
 * The flow of a sweep. Bounded parallelism without a global limiter: the trials are split into
 * `parallelism` lanes, and inside a lane each trial is the BullMQ parent of the previous one, so
 * a lane trains one trial at a time (a flow parent runs only after its children). The sweep's
 * job is the parent of the lanes' last trials: it runs once every trial has finished. A failed
 * trial does not block its lane or the sweep (`ignoreDependencyOnFailure`).
 */
export function sweepFlow(parentId: string, trialIds: string[], parallelism: number): FlowJob {
  const job = (runId: string, children?: FlowJob[]): FlowJob => ({
    name: QUEUE_NAMES.train,
    queueName: QUEUE_NAMES.train,
    data: { runId },
    opts: { ...TRAIN_JOB_OPTIONS, jobId: runId },
    ...(children ? { children } : {}),
  });
  const lanes: FlowJob[] = [];
  for (let lane = 0; lane < Math.min(parallelism, trialIds.length); lane++) {
    let node: FlowJob | undefined;
    for (let i = lane; i < trialIds.length; i += parallelism) {
      const trial = job(trialIds[i]!, node ? [node] : undefined);
      trial.opts = { ...trial.opts, ignoreDependencyOnFailure: true };
      node = trial;
    }
    if (node) lanes.push(node);
  }
  return job(parentId, lanes);
}

/** Insert the sweep's parent run and one queued trial run per point, then enqueue the flow. */
export async function createSweepRuns(
  deps: RegistryDeps,
  parent: Run,
  sweep: SweepSpec,
): Promise<Run> {
  const { sweep: _sweep, ...base } = parent.spec;
  const hyperparameters = trialHyperparameters(parent.spec, sweep);
  const inserted = [await insertRun(deps.db, parent)];
  try {
    for (const hp of hyperparameters) {
      inserted.push(
        await insertRun(deps.db, {
          ...parent,
          id: randomUUID(),
          spec: { ...base, hyperparameters: hp },
          parentRunId: parent.id,
        }),
      );
    }
    const trialIds = inserted.slice(1).map((r) => r.id);
    await deps.flows.add(sweepFlow(parent.id, trialIds, sweep.parallelism));
  } catch (err) {
    // Runs no worker will ever see would sit in "queued" forever: undo them.
    for (const run of inserted) await deleteRun(deps.db, run.id);
    if (err instanceof AppError) throw err;
    deps.logger.error({ err, runId: parent.id }, 'could not enqueue the sweep');
    throw new AppError('UNAVAILABLE', 'could not enqueue the sweep: is Redis reachable? Try again');
  }
  return inserted[0]!;
}
