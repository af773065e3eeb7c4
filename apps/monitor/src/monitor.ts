import { computeDrift } from '@mlops/ml/drift';
import { AppError } from '@mlops/contracts';
import type { DriftPolicy, DriftReport } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import type { DriftAlerts } from './alerts';
import type { MonitorMetrics } from './metrics';
import type { ModelSource, ProfileSource } from './profiles';
import type { StreamReader } from './stream-reader';
import type { ModelSummary, WindowStore } from './windows';

export interface ReportQuery {
  version?: number;
  /** Last N entries; default the policy window. */
  window?: number;
  /** Only entries after this point: a stream id or an ISO time. */
  since?: { streamId?: string; at?: number };
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
}

/** Ties streams, windows, references and alerts together; routes only call into this. */
export class DriftMonitor {
  /** Models the registry knows, whether or not they have served traffic yet. */
  private registryModels = new Set<string>();
  /** Rows consumed at the last background evaluation, per model. */
  private readonly evaluatedAt = new Map<string, number>();
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
    } catch (err) {
      this.deps.logger.warn({ err }, 'monitor tick failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
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
    const entries = store.window(model, version, size, query.since);
    const result = computeDrift(
      reference.profile,
      entries.map((e) => e.features),
      reference.columns,
      policy,
    );
    const report: DriftReport = {
      model,
      version,
      window: {
        rows: entries.length,
        from: entries[0]?.at ?? null,
        to: entries.at(-1)?.at ?? null,
      },
      ...result,
      computedAt: new Date().toISOString(),
    };
    metrics.observe(report);
    try {
      if (await alerts.maybePublish(report)) metrics.alerts.inc({ model });
    } catch (err) {
      logger.warn({ err, model }, 'publishing drift.detected failed');
    }
    return report;
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
