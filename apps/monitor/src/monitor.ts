import { AppError } from '@mlops/contracts';
import type {
  DriftPolicy,
  DriftReport,
  FeedbackItem,
  FeedbackResponse,
  MonitorHistory,
  PredictionDrift,
  QualityReport,
  RetrainPolicy,
} from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { DriftAlerts } from './alerts';
import { buildDriftReport } from './drift-report';
import { joinFeedback } from './feedback';
import type { MonitorMetrics } from './metrics';
import type { TensorBaselines } from './image-drift';
import type { PredictionBaselines } from './prediction-drift';
import type { ModelSource, ProfileSource } from './profiles';
import type { QualityTracker } from './quality';
import { actOnQualityDecay, liveQualityReport } from './quality-evaluation';
import { remember } from './report-history';
import type { Retrainer } from './retrain';
import type { StreamReader } from './stream-reader';
import type { ModelSummary, WindowStore } from './windows';

export interface ReportQuery {
  version?: number;
  /** Last N entries; default the policy window. */
  window?: number;
  /** Only entries after this point: a stream id or an ISO time. */
  since?: { streamId?: string; at?: number };
  /** Only entries of the last N milliseconds (a time window; combines with `window`). */
  windowMs?: number;
}

export interface DriftMonitorDeps {
  store: WindowStore;
  reader: StreamReader;
  profiles: ProfileSource;
  models?: ModelSource;
  alerts: DriftAlerts;
  metrics: MonitorMetrics;
  policy: DriftPolicy;
  pollMs: number;
  logger: Logger;
  quality: QualityTracker;
  baselines: PredictionBaselines;
  /**
   * Tensor-model input drift: against the bundle's training reference, or the version's first
   * window when it has none.
   */
  tensorBaselines: TensorBaselines;
  retrainer: Retrainer;
  retrainPolicy: (model: string) => RetrainPolicy;
  /** Joined feedback rows a quality report is computed on (the most recent). */
  qualityWindow: number;
  /** Feedback for predictions served longer ago than this is refused. */
  maxAgeMs: number;
}

/** Ties streams, windows, references and alerts together; routes only call into this. */
export class DriftMonitor {
  /** Models the registry knows, whether or not they have served traffic yet. */
  private registryModels = new Set<string>();
  /** Rows consumed at the last background evaluation, per model. */
  private readonly evaluatedAt = new Map<string, number>();
  /** Quality generation at the last background evaluation, per model. */
  private readonly qualityAt = new Map<string, number>();
  private readonly driftHistory = new Map<string, DriftReport[]>();
  private readonly qualityHistory = new Map<string, QualityReport[]>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;

  constructor(private readonly deps: DriftMonitorDeps) {}

  /** Find models from the registry and from existing streams; follow each stream. */
  async discover(): Promise<void> {
    const { reader, models, logger } = this.deps;
    if (models) {
      try {
        this.registryModels = new Set(await models.listModels());
      } catch (err) {
        logger.warn({ err }, 'listing models from the registry failed; using streams only');
      }
    }
    for (const model of await reader.scanStreams()) await reader.follow(model);
  }

  /** Discovery, then a background report per model that has new rows (for alerts and metrics). */
  start(): void {
    this.deps.reader.start();
    const run = () => {
      if (this.ticking) return; // the previous tick is still running: skip, don't pile up
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
      });
    };
    run();
    this.timer = setInterval(run, this.deps.pollMs);
  }

  private async tick(): Promise<void> {
    try {
      await this.discover();
      await this.evaluateChanged();
      await this.evaluateQuality();
    } catch (err) {
      this.deps.logger.warn({ err }, 'monitor tick failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await this.deps.retrainer.stop();
    await this.deps.reader.stop();
  }

  private async evaluateChanged(): Promise<void> {
    for (const model of this.deps.store.modelNames()) {
      const consumed = this.deps.store.summary(model)?.rowsConsumed ?? 0;
      if (consumed === 0 || this.evaluatedAt.get(model) === consumed) continue;
      this.evaluatedAt.set(model, consumed);
      try {
        await this.report(model, {});
      } catch (err) {
        this.deps.logger.debug({ err, model }, 'background drift report skipped');
      }
    }
  }

  /** Is the model known (a stream exists or the registry lists it)? Starts following it. */
  private async ensureKnown(model: string): Promise<boolean> {
    const { store, reader } = this.deps;
    if (store.has(model)) return true;
    const names = await reader.scanStreams();
    if (names.includes(model)) {
      await reader.follow(model);
      return true;
    }
    if (!this.registryModels.has(model)) await this.discover();
    return this.registryModels.has(model) || store.has(model);
  }

  async report(model: string, query: ReportQuery): Promise<DriftReport> {
    const { store, reader, profiles, policy, metrics, alerts, logger } = this.deps;
    if (!(await this.ensureKnown(model))) {
      throw new AppError(
        'NOT_FOUND',
        `Model "${model}" is not monitored: it has no prediction stream and the registry does not list it`,
      );
    }
    if (store.has(model)) await reader.catchUp(model);
    const version = query.version ?? store.latestVersion(model);
    if (version === null) {
      throw new AppError(
        'NOT_FOUND',
        `Model "${model}" has no logged predictions yet; send traffic through serving or pass ?version=`,
      );
    }
    const reference = await profiles.get(model, version);
    const size = query.window ?? policy.windowSize;
    const since = { ...query.since };
    if (query.windowMs !== undefined) {
      const from = Date.now() - query.windowMs;
      since.at = Math.max(since.at ?? -Infinity, from);
    }
    const entries = store.window(model, version, size, since);
    const computedAt = new Date().toISOString();
    const report = reference.tensors
      ? this.deps.tensorBaselines.compute({
          model,
          version,
          tensors: reference.tensors,
          reference: reference.tensorReference,
          window: entries,
          policy,
          computedAt,
        })
      : buildDriftReport({ model, version, entries, reference, policy, computedAt });
    metrics.observe(report);
    if (!report.insufficientData) remember(this.driftHistory, model, report);
    try {
      if (await alerts.maybePublish(report)) metrics.alerts.inc({ model });
      if (report.datasetDrift) {
        await this.deps.retrainer.maybeRetrain({
          model,
          version,
          trigger: 'drift',
          reason: `dataset drift: ${report.driftedColumns.length}/${report.columns.length} columns drifted (${report.driftedColumns.join(', ')})`,
        });
      }
    } catch (err) {
      logger.warn({ err, model }, 'acting on the drift report failed');
    }
    return report;
  }

  /** Ground truth by prediction id, from the principal the predictions were served to. */
  feedback(items: readonly FeedbackItem[], principal: string): Promise<FeedbackResponse> {
    return joinFeedback(this.deps, items, principal);
  }

  /** Live quality of a version (default: the latest with feedback, else the latest served). */
  async qualityReport(model: string, version?: number): Promise<QualityReport> {
    const { quality } = this.deps;
    if (!(await this.ensureKnown(model)) && quality.versions(model).length === 0) {
      throw new AppError('NOT_FOUND', `Model "${model}" is not monitored and has no feedback`);
    }
    const v = version ?? quality.versions(model).at(-1) ?? this.deps.store.latestVersion(model);
    if (v === null || v === undefined) {
      throw new AppError('NOT_FOUND', `Model "${model}" has no logged predictions or feedback yet`);
    }
    return liveQualityReport(this.deps, model, v);
  }

  /** Outputs now vs. the version's first window (null report until that baseline is full). */
  async predictionDrift(model: string, version?: number): Promise<PredictionDrift> {
    const { store, reader, baselines, policy, metrics } = this.deps;
    if (!(await this.ensureKnown(model))) {
      throw new AppError('NOT_FOUND', `Model "${model}" is not monitored`);
    }
    if (store.has(model)) await reader.catchUp(model);
    const v = version ?? store.latestVersion(model);
    if (v === null)
      throw new AppError('NOT_FOUND', `Model "${model}" has no logged predictions yet`);
    const window = store.window(model, v, policy.windowSize);
    const report = baselines.compute(model, v, window, policy);
    const column = report?.columns[0];
    if (report && !report.insufficientData && column) {
      metrics.predictionDrift.set(
        { model, version: String(v), method: column.method },
        column.score,
      );
    }
    return { model, version: v, report, referenceRows: baselines.referenceRows(model, v) };
  }

  async history(model: string): Promise<MonitorHistory> {
    return {
      model,
      drift: [...(this.driftHistory.get(model) ?? [])].reverse(),
      quality: [...(this.qualityHistory.get(model) ?? [])].reverse(),
      retraining: await this.deps.retrainer.history(model),
    };
  }

  /** Quality of every model whose feedback changed; alerts and retraining on decay. */
  private async evaluateQuality(): Promise<void> {
    const { quality, logger } = this.deps;
    for (const model of quality.models()) {
      const generation = quality.generationOf(model);
      if (this.qualityAt.get(model) === generation) continue;
      this.qualityAt.set(model, generation);
      try {
        const report = await this.qualityReport(model);
        remember(this.qualityHistory, model, report);
        await actOnQualityDecay(this.deps, report);
      } catch (err) {
        logger.warn({ err, model }, 'quality evaluation failed');
      }
    }
  }

  summaries(): ModelSummary[] {
    const names = new Set([...this.deps.store.modelNames(), ...this.registryModels]);
    return [...names].sort().map(
      (model) =>
        this.deps.store.summary(model) ?? {
          model,
          rowsConsumed: 0,
          latestVersion: null,
          lastId: null,
          versions: [],
        },
    );
  }
}
