import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { toAppError } from '@mlops/client';
import type { RegistryClient } from '@mlops/client';
import { describeDetails, TERMINAL_RUN_STATUSES } from '@mlops/contracts';
import type { RetrainPolicy, RetrainRecord, Run } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { MonitorMetrics } from './metrics';
import { claimOnce } from './publisher';
import type { EventPublisher } from './publisher';
import type { Joined } from './quality';
import { trainingData } from './retrain-data';
import { RetrainHistory } from './retrain-history';
import {
  driftTriggerKey,
  pipelineParameters,
  TERMINAL_PIPELINE_STATUSES,
} from './retrain-pipeline';

export type RetrainRegistry = Pick<RegistryClient, 'api' | 'uploadDataset' | 'datasetRows'>;

export interface RetrainerDeps {
  redis: Redis;
  /** `${prefix}:monitor` — cooldown and history keys live under it. */
  keyPrefix: string;
  registry: RetrainRegistry;
  policyFor: (model: string) => RetrainPolicy;
  publisher: EventPublisher;
  /** Labeled feedback of a model (appended to the dataset when the policy says so). */
  feedback: (model: string) => Joined[];
  metrics: MonitorMetrics;
  logger: Logger;
  /** How often a started run is polled. */
  pollMs?: number;
  /** Whether a person enabled automatic retraining of a model (retrain-switch.ts). */
  enabledFor: (model: string) => Promise<boolean>;
}

/**
 * Policy → retraining run → gate → alias. One retraining per model per cooldown, whichever
 * replica and however many alerts: the cooldown is a Redis key set with NX PX, and only the
 * replica that set it drives the run. The run repeats the spec of the run that trained the
 * drifting version (found through the manifest's lineage), optionally on a new dataset version
 * with the labeled feedback appended. When it completes, the alias is moved; the registry's
 * promotion gate may refuse (PRECONDITION_FAILED), which is recorded as "not promoted".
 */
export class Retrainer {
  private readonly active = new Set<Promise<void>>();
  private stopped = false;

  private readonly records: RetrainHistory;

  constructor(private readonly deps: RetrainerDeps) {
    this.records = new RetrainHistory(deps.redis, deps.keyPrefix, deps.logger);
  }

  /** Start a retraining unless the policy is off or the cooldown holds; true when started. */
  async maybeRetrain(input: {
    model: string;
    version: number;
    trigger: 'drift' | 'quality';
    reason: string;
  }): Promise<boolean> {
    const policy = this.deps.policyFor(input.model);
    if (!policy.on.includes(input.trigger) || this.stopped) return false;
    // Off until a person enabled it for this model: a trigger alone never retrains.
    if (!(await this.deps.enabledFor(input.model))) return false;
    const key = `${this.deps.keyPrefix}:retrain:cooldown:${input.model}`;
    if (!(await claimOnce(this.deps.redis, key, policy.cooldownMs))) return false;
    const record: RetrainRecord = {
      model: input.model,
      reason: input.reason,
      trigger: input.trigger,
      fromVersion: input.version,
      runId: null,
      pipelineRunId: null,
      dataset: null,
      feedbackRows: 0,
      status: 'requested',
      version: null,
      detail: null,
      requestedAt: new Date().toISOString(),
      finishedAt: null,
    };
    const id = randomUUID();
    const p = (
      policy.pipeline === undefined
        ? this.run(id, record, policy)
        : this.runPipeline(id, record, policy, policy.pipeline)
    )
      .catch((err: unknown) => this.deps.logger.error({ err }, 'retraining crashed'))
      .finally(() => this.active.delete(p));
    this.active.add(p);
    return true;
  }

  /** Stop polling runs (they go on in the trainer) and wait for the loops to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.active]);
  }

  history(model: string): Promise<RetrainRecord[]> {
    return this.records.list(model);
  }

  private save(id: string, record: RetrainRecord): Promise<void> {
    return this.records.save(id, record);
  }

  private async finish(
    id: string,
    record: RetrainRecord,
    status: 'succeeded' | 'promoted' | 'rejected' | 'failed',
    detail: string | null,
  ): Promise<void> {
    record.status = status;
    record.detail = detail;
    record.finishedAt = new Date().toISOString();
    await this.save(id, record);
    this.deps.metrics.retrainings.inc({ model: record.model, result: status });
    if (record.runId !== null) {
      await this.deps.publisher.publish({
        type: 'retraining.finished',
        model: record.model,
        runId: record.runId,
        version: record.version,
        promoted: status === 'promoted',
        detail,
      });
    }
    this.deps.logger.info({ record }, `retraining of ${record.model} ${status}`);
  }

  /**
   * The policy names a pipeline: start it with trigger kind `drift` or `quality` (the alert's)
   * and a key of the model and cooldown window. The registry answers an already-used key with its run, so replicas whose
   * cooldown claims raced (or a lost cooldown key) still start one run per window.
   */
  private async runPipeline(
    id: string,
    record: RetrainRecord,
    policy: RetrainPolicy,
    name: string,
  ): Promise<void> {
    let runId: string;
    try {
      const key = driftTriggerKey(record.model, policy.cooldownMs, Date.parse(record.requestedAt));
      const feedback = () => this.deps.feedback(record.model);
      const { registry } = this.deps;
      const started = await registry.api.pipelines.run.mutate({
        name,
        parameters: await pipelineParameters(registry, record, policy, name, key, feedback),
        trigger: {
          // A live-quality drop is `quality`, input drift `drift`; both share the model's
          // window key, as they share its cooldown: one run per window whichever alert came.
          kind: record.trigger === 'quality' ? 'quality' : 'drift',
          detail: record.reason.slice(0, 500),
          key,
        },
      });
      runId = started.id;
      record.pipelineRunId = runId;
      record.status = 'running';
      if (started.createdAt < record.requestedAt) {
        record.detail = 'an earlier alert of this window already started this pipeline run';
      }
      await this.save(id, record);
      this.deps.metrics.retrainings.inc({ model: record.model, result: 'requested' });
    } catch (err) {
      await this.finish(id, record, 'failed', describe(err));
      return;
    }
    const done = await this.poll(async () => {
      const run = await this.deps.registry.api.pipelines.getRun.query({ id: runId });
      return TERMINAL_PIPELINE_STATUSES.has(run.status) ? run : null;
    }, runId);
    if (done === null) return; // monitor stopping; the history keeps "running"
    if (done.status === 'succeeded') await this.finish(id, record, 'succeeded', record.detail);
    else {
      await this.finish(
        id,
        record,
        'failed',
        `pipeline run ${done.id} ended ${done.status}: ${done.error ?? 'no error'}`,
      );
    }
  }

  private async run(id: string, record: RetrainRecord, policy: RetrainPolicy): Promise<void> {
    const { registry } = this.deps;
    let previous: Run;
    try {
      const version = await registry.api.versions.get.query({
        model: record.model,
        version: record.fromVersion,
      });
      const runId = version.manifest.lineage.runId;
      if (runId === null) {
        await this.finish(
          id,
          record,
          'failed',
          `version ${record.fromVersion} has no run in its lineage: nothing to repeat`,
        );
        return;
      }
      previous = await registry.api.runs.get.query({ id: runId });
      const feedback = policy.appendFeedback ? this.deps.feedback(record.model) : [];
      const dataset = await trainingData(this.deps.registry, record, previous, feedback);
      record.dataset = dataset;
      const created = await registry.api.runs.create.mutate({
        ...previous.spec,
        dataset,
      });
      record.runId = created.id;
      record.status = 'running';
      await this.save(id, record);
      this.deps.metrics.retrainings.inc({ model: record.model, result: 'requested' });
      await this.deps.publisher.publish({
        type: 'retraining.requested',
        model: record.model,
        reason: record.reason,
        runId: created.id,
      });
    } catch (err) {
      await this.finish(id, record, 'failed', describe(err));
      return;
    }

    const done = await this.waitForRun(record.runId);
    if (done === null) return; // monitor stopping; the history keeps "running"
    if (done.status !== 'completed' || done.modelVersion === null) {
      await this.finish(
        id,
        record,
        'failed',
        `run ${done.id} ended ${done.status}: ${done.error ?? 'no error'}`,
      );
      return;
    }
    record.version = done.modelVersion;
    try {
      // Audited by the registry as this monitor's own principal (its service token), with why.
      await registry.api.aliases.set.mutate({
        model: record.model,
        version: done.modelVersion,
        alias: policy.alias,
        reason:
          `automatic retraining by the monitor, trigger ${record.trigger}: ${record.reason}`.slice(
            0,
            500,
          ),
      });
      await this.finish(id, record, 'promoted', null);
    } catch (err) {
      const appErr = toAppError(err);
      if (appErr.code === 'PRECONDITION_FAILED') {
        // The registry's gate said no: the new version stays registered, the alias stays put.
        await this.finish(id, record, 'rejected', describe(appErr));
      } else {
        await this.finish(id, record, 'failed', describe(appErr));
      }
    }
  }

  private waitForRun(runId: string): Promise<Run | null> {
    return this.poll(async () => {
      const run = await this.deps.registry.api.runs.get.query({ id: runId });
      return TERMINAL_RUN_STATUSES.includes(run.status) ? run : null;
    }, runId);
  }

  /** `check` until it answers non-null; null when the monitor stops first. */
  private async poll<T>(check: () => Promise<T | null>, runId: string): Promise<T | null> {
    const pollMs = this.deps.pollMs ?? 1_000;
    for (;;) {
      if (this.stopped) return null;
      try {
        const done = await check();
        if (done !== null) return done;
      } catch (err) {
        this.deps.logger.warn({ err, runId }, 'polling the retraining run failed; retrying');
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}

function describe(err: unknown): string {
  const e = toAppError(err);
  const details = e.details && e.details.length > 0 ? ` (${describeDetails(e.details)})` : '';
  return `${e.code}: ${e.message}${details}`;
}
