import type { Job } from 'bullmq';
import { z } from 'zod';
import {
  AppError,
  bundleManifestSchema,
  idSchema,
  metricsSchema,
  modelTestsSchema,
  type Run,
  type SweepSpec,
} from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { TrainerRegistry } from './registry';

/** What a finished trial hands up its flow: the parent registers the best trial's bundle. */
export const trialOutcomeSchema = z.object({
  runId: idSchema,
  metrics: metricsSchema,
  manifest: bundleManifestSchema,
  /** The trial's model tests: they become the registered version's if it is the best. */
  modelTests: modelTestsSchema.optional(),
});
export type TrialOutcome = z.infer<typeof trialOutcomeSchema>;

const childValueSchema = z.object({ trials: z.array(trialOutcomeSchema).optional() });

/**
 * The outcomes this job's children passed up. A trial's job is the flow parent of the previous
 * trial of its lane, so every trial forwards what it received: the sweep's job ends up with all.
 */
export async function childTrialOutcomes(job: Job): Promise<TrialOutcome[]> {
  const values: Record<string, unknown> = await job.getChildrenValues();
  return Object.values(values).flatMap((value) => {
    const parsed = childValueSchema.safeParse(value);
    return parsed.success ? (parsed.data.trials ?? []) : [];
  });
}

/** The best trial by the sweep's metric among those that completed with it. */
export function bestTrial(
  sweep: SweepSpec,
  trials: NonNullable<Run['trials']>,
  outcomes: ReadonlyMap<string, TrialOutcome>,
): TrialOutcome | undefined {
  let best: { outcome: TrialOutcome; value: number } | undefined;
  for (const trial of trials) {
    const outcome = outcomes.get(trial.runId);
    const value = outcome?.metrics[sweep.metric];
    if (trial.status !== 'completed' || !outcome || value === undefined) continue;
    if (!Number.isFinite(value)) continue;
    const better = !best || (sweep.greaterIsBetter ? value > best.value : value < best.value);
    if (better) best = { outcome, value };
  }
  return best?.outcome;
}

export interface SweepResult {
  runId: string;
  version: number;
  metrics: Record<string, number>;
  bestTrial: string;
}

/**
 * The sweep's own job runs after every trial (BullMQ flow): register the best trial's bundle as
 * the version of the sweep run (idempotent on its id, so a retry registers nothing new) and
 * complete it with that trial's metrics. The trials themselves stay on the run (`trials`).
 */
export async function finishSweep(
  registry: TrainerRegistry,
  logger: Logger,
  job: Job,
  run: Run,
  sweep: SweepSpec,
): Promise<SweepResult> {
  const outcomes = new Map((await childTrialOutcomes(job)).map((o) => [o.runId, o]));
  const trials = run.trials ?? [];
  const best = bestTrial(sweep, trials, outcomes);
  if (!best) {
    const errors = trials.flatMap((t) => (t.error ? [`${t.runId}: ${t.error}`] : []));
    throw new AppError(
      'VALIDATION_FAILED',
      `no trial of sweep ${run.id} completed with metric "${sweep.metric}" (${trials.length} trials${errors.length > 0 ? `; ${errors.slice(0, 3).join('; ')}` : ''}); check the metric name and the trials' errors`,
    );
  }
  // The first trial to start moved the sweep to running; this covers a registry that did not.
  if (run.status === 'queued') {
    const backend = best.manifest.lineage.backend ?? 'cpu';
    await registry.api.runs.start.mutate({ id: run.id, backend });
  }
  const version = await registry.api.versions.create.mutate({
    model: run.modelName,
    manifest: best.manifest,
    runId: run.id,
  });
  await registry.api.runs.complete.mutate({
    id: run.id,
    metrics: best.metrics,
    version: version.version,
    ...(best.modelTests ? { modelTests: best.modelTests } : {}),
  });
  logger.info(
    { runId: run.id, bestTrial: best.runId, version: version.version, metric: sweep.metric },
    'sweep finished: best trial registered',
  );
  return { runId: run.id, version: version.version, metrics: best.metrics, bestTrial: best.runId };
}
