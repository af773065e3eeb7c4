import { AppError } from '@mlops/contracts';
import { RetryLaterError } from '../errors';
import type { Target } from '../routing/routes-config';
import { stopwatch, type Logger } from '@mlops/config';
import type { ServingMetrics } from '../metrics';
import { describeError } from './describe-error';
import { loadVersion, type BatchingOptions } from './loader';
import { Preloader } from './preloader';
import { ModelSlot, type LoadedModel } from './slot';
import { VersionCache } from './version-cache';
import type { RuntimeOptions } from './runtime';
import type { ModelSource } from './source';

export interface ModelSetOptions {
  alias: string;
  /** Models to serve; empty = every model that has the alias (discovered from the registry). */
  models: readonly string[];
  source: ModelSource;
  batching: BatchingOptions;
  metrics: ServingMetrics;
  logger: Logger;
  /** Explicitly addressed versions kept loaded (LRU) and how long another alias is trusted. */
  maxExtraVersions: number;
  aliasTtlMs: number;
  /** Serve `/versions/N` of a version no alias points at (SERVING_ALLOW_UNPROMOTED). */
  allowUnpromoted?: boolean;
  /** SERVING_RUNTIME and SERVING_ONNX_THREADS (loader.ts). */
  runtime?: RuntimeOptions;
  /** SERVING_STANDBY_MS: how long a replaced version stays loaded for a move back (slot.ts). */
  standbyMs?: number;
  /** SERVING_PRELOAD: load a followed model's newly registered version ahead (preloader.ts). */
  preload?: boolean;
}

/** Seconds a client should wait before retrying a model that is still loading. */
const LOADING_RETRY_AFTER_S = 5;

/**
 * The models this server serves, one slot each, kept in line with the followed alias. Every
 * change goes through `slot.sync()`, which serializes loads per model; this class decides what
 * a sync does: resolve the alias, load the version if it differs, or unload when it is gone.
 */
export class ModelSet {
  readonly alias: string;
  readonly discovery: boolean;
  private readonly slots = new Map<string, ModelSlot>();
  private discovered = false;
  private closed = false;
  readonly cache: VersionCache;
  private readonly preloader: Preloader | null;

  constructor(private readonly opts: ModelSetOptions) {
    this.alias = opts.alias;
    this.cache = new VersionCache({
      ...opts,
      max: opts.maxExtraVersions,
      aliasTtlMs: opts.aliasTtlMs,
    });
    // A candidate is kept as long as a standby: with none kept, a preload would be freed at once.
    this.preloader =
      (opts.preload ?? false) && (opts.standbyMs ?? 0) > 0 ? new Preloader(opts) : null;
    this.discovery = opts.models.length === 0;
    for (const name of opts.models) this.ensureSlot(name);
  }

  get(name: string): ModelSlot | undefined {
    return this.slots.get(name);
  }

  list(): ModelSlot[] {
    return [...this.slots.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  names(): string[] {
    return this.list().map((s) => s.name);
  }

  /** With discovery: whether the model list was read from the registry at least once. */
  get listed(): boolean {
    return !this.discovery || this.discovered;
  }

  /** Every served model is loaded (and, with discovery, the model list was read at least once). */
  ready(): boolean {
    if (this.discovery && !this.discovered) return false;
    return this.list().every((s) => s.loaded !== null);
  }

  /** Bring every slot in line with the registry; resolves when all loads are done. */
  async reconcile(): Promise<void> {
    if (this.closed) return;
    if (this.discovery) {
      try {
        const names = await this.opts.source.listModelsWithAlias(this.alias);
        for (const name of names) this.ensureSlot(name);
        this.discovered = true;
      } catch (err) {
        this.opts.logger.warn(
          { err: describeError(err) },
          'could not list models from the registry; keeping the current set',
        );
      }
    }
    const started = Date.now();
    await Promise.all(
      this.list().map(async (slot) => {
        await slot.sync();
        // Only once the alias's version serves: a sync that failed now is the next one's business.
        if ((slot.lastError?.at.getTime() ?? -1) < started) await this.preloadNewest(slot);
      }),
    );
  }

  /**
   * The reconcile's catch-up for `version.created` events this replica never saw (it started or
   * reconnected after them): preload the model's newest version when it is newer than the one
   * the alias serves. The preloader skips one served, warm, being loaded or asked for before
   * (a failed or expired one is not loaded again at every reconcile).
   */
  private async preloadNewest(slot: ModelSlot): Promise<void> {
    const preloader = this.preloader;
    if (!preloader || this.closed || !slot.loaded || slot.syncQueued) return;
    let newest: number | null;
    try {
      newest = await this.opts.source.newestVersion(slot.name);
    } catch (err) {
      const { code, message } = describeError(err);
      this.opts.logger.warn(
        { model: slot.name, code, err: message },
        'could not read the newest version to preload; serving is unaffected',
      );
      return;
    }
    const serving = slot.loaded?.version;
    if (newest === null || serving === undefined || newest <= serving) return;
    if (!this.closed && !slot.unloaded) preloader.registered(slot, newest);
  }

  /** An `alias.moved` event for our alias: follow it now instead of at the next reconcile. */
  aliasMoved(model: string, to: number | null): Promise<void> {
    if (this.closed) return Promise.resolve();
    let slot = this.slots.get(model);
    if (!slot) {
      if (!this.discovery || to === null) return Promise.resolve();
      slot = this.ensureSlot(model);
    }
    // A warm version is swapped in here, in the event's own tick, unless a load is running
    // (its swap comes after and the pass below decides): a pass still waiting for the
    // registry's answer to an earlier event would otherwise hold this swap back.
    const warm = to === null ? null : slot.warm(to);
    if (warm && slot.loading === null && slot.loaded?.version !== to) {
      this.serveWarm(slot, warm, this.opts.logger.child({ model, alias: this.alias }), 'event');
    }
    return slot.sync({ to });
  }

  /**
   * A `version.created` event: a model this server follows has a new version, which an alias
   * move may name next. Preloaded (when SERVING_PRELOAD is on); other models are not ours.
   */
  versionCreated(model: string, version: number): void {
    if (this.closed) return;
    const slot = this.slots.get(model);
    // A configured model whose alias was deleted waits for it to come back: nothing to preload.
    if (slot && !slot.unloaded) this.preloader?.registered(slot, version);
  }

  /**
   * The followed alias's loaded version with a reference taken, when that is what `target`
   * names (no version, no other alias) and it is loaded; null otherwise. The hot path of every
   * prediction: no promise, no await. `acquire` answers every other case.
   */
  acquireFollowed(target: Target): LoadedModel | null {
    if (target.version !== undefined) return null;
    if (target.alias !== undefined && target.alias !== this.alias) return null;
    return this.slots.get(target.model)?.acquire() ?? null;
  }

  /**
   * The version a request names, with a reference taken (the caller releases it). The followed
   * alias is answered from its slot without waiting; other versions and aliases load on demand.
   */
  async acquire(target: Target): Promise<LoadedModel> {
    const slot = this.slots.get(target.model);
    if (!slot && !this.discovery) throw this.unknownModel(target.model);
    let version = target.version;
    if (target.alias !== undefined && target.alias !== this.alias) {
      version = this.cache.cachedAlias(target.model, target.alias);
      version ??= await this.cache.resolveAlias(target.model, target.alias);
    }
    if (version === undefined || (slot?.loaded && slot.loaded.version === version)) {
      if (!slot) throw this.unknownModel(target.model);
      const loaded = slot.acquire();
      if (loaded && (version === undefined || loaded.version === version)) return loaded;
      if (loaded)
        loaded.release(); // swapped meanwhile: take the explicit path below
      else if (version === undefined) {
        const why = slot.lastError ? ` (last error: ${slot.lastError.message})` : '';
        throw new RetryLaterError(
          `Model "${target.model}" is not loaded yet (state ${slot.state})${why}: retry shortly`,
          LOADING_RETRY_AFTER_S,
        );
      }
    }
    if (this.closed)
      throw new RetryLaterError('Serving is shutting down: retry on another replica', 1);
    return this.cache.acquire(target.model, version!);
  }

  otherAliasMoved(model: string, alias: string): void {
    this.cache.forgetAlias(model, alias);
  }

  unknownModel(name: string): AppError {
    const served = this.names();
    const list = served.length > 0 ? served.map((n) => `"${n}"`).join(', ') : 'none yet';
    return new AppError(
      'NOT_FOUND',
      `Model "${name}" is not served here (alias "${this.alias}"); models served: ${list}`,
    );
  }

  /** Wait for running loads, then retire every model once its in-flight requests finished. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.list();
    await Promise.all([...slots.map((s) => s.idle()), this.preloader?.close()]);
    await Promise.all([...slots.map((s) => s.unload()), this.cache.close()]);
  }

  private ensureSlot(name: string): ModelSlot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = new ModelSlot(name, (s, hint) => this.syncSlot(s, hint), this.opts.standbyMs ?? 0);
      this.slots.set(name, slot);
      this.opts.metrics.modelVersion.set({ model: name }, 0);
    }
    return slot;
  }

  private async syncSlot(slot: ModelSlot, hint: { to: number | null } | undefined): Promise<void> {
    if (this.closed) return;
    const { logger, metrics, source } = this.opts;
    const log = logger.child({ model: slot.name, alias: this.alias });
    const took = stopwatch();
    if (hint?.to === null) {
      await this.remove(slot, `alias "${this.alias}" was deleted`);
      return;
    }
    // The event names a version kept warm (or being preloaded: wait for it rather than load it
    // twice): serve it now, then check with the registry below (an event that arrived out of
    // order is corrected by the resolve that follows).
    const to = hint?.to;
    if (to != null && slot.loaded?.version !== to) {
      const preloaded = await this.preloader?.pending(slot.name, to);
      // The alias may have moved on while the preload finished (a rollback): not `to` then.
      if (slot.syncQueued) return this.keepPreloaded(slot, preloaded);
      const warm = preloaded ?? slot.warm(to);
      if (warm) this.serveWarm(slot, warm, log, 'event');
    }

    let target;
    try {
      target = await source.resolve(slot.name, this.alias);
    } catch (err) {
      const { code, message } = describeError(err);
      if (code === 'NOT_FOUND') {
        await this.remove(slot, message);
        return;
      }
      // Registry unreachable or failing: whatever is loaded keeps serving.
      slot.recordError(null, code, `could not resolve alias "${this.alias}": ${message}`);
      metrics.loadFailures.inc({ model: slot.name });
      log.warn({ code, err: message }, 'alias resolution failed; keeping the current version');
      return;
    }

    took.mark('resolveMs');
    if (slot.loaded?.version === target.version) return;
    // An event that arrived during the resolve already put its (warm) version in service; this
    // answer may predate it, and the next pass asks again: no swap back and forth meanwhile.
    const newer = slot.pendingHint;
    if (newer != null && newer === slot.loaded?.version) return;
    const preloaded = await this.preloader?.pending(slot.name, target.version);
    // An event during the wait: its pass decides.
    if (slot.syncQueued) return this.keepPreloaded(slot, preloaded);
    const warm = preloaded ?? slot.warm(target.version);
    if (warm) {
      this.serveWarm(slot, warm, log, 'registry');
      return;
    }
    slot.beginLoading(target.version);
    log.info({ version: target.version, from: slot.loaded?.version ?? null }, 'loading version');
    try {
      const loaded = await loadVersion(this.opts, target, took.mark);
      if (this.closed) {
        await loaded.retire();
        return;
      }
      // The old version is freed in the background once its last request finished.
      void slot.swap(loaded);
      took.mark('swapMs');
      log.debug({ version: loaded.version, ...took.marks }, 'version load timings');
      metrics.modelVersion.set({ model: slot.name }, loaded.version);
      log.info(
        {
          version: loaded.version,
          engine: loaded.predictor.engine,
          runtime: loaded.runtime.runtime,
          ...(loaded.runtime.reason ? { runtimeReason: loaded.runtime.reason } : {}),
          ...(loaded.predictor.fallbackReason ? { why: loaded.predictor.fallbackReason } : {}),
        },
        'version in service',
      );
    } catch (err) {
      const { code, message } = describeError(err);
      slot.recordError(target.version, code, message);
      metrics.loadFailures.inc({ model: slot.name });
      log.error(
        { version: target.version, code, err: message, serving: slot.loaded?.version ?? null },
        'loading version failed; the previous version keeps serving',
      );
    }
  }

  /**
   * A preload handed to a pass that no longer serves it (an event came during the wait): the
   * candidate, for the next pass or a later move, unless a newer one is there already. This
   * may keep it while a newer registration's preload loads (the one case of three versions
   * and a load): dropped, it would be downloaded again if the next pass moves to it.
   */
  private keepPreloaded(slot: ModelSlot, preloaded: LoadedModel | null | undefined): void {
    if (!preloaded) return;
    const newer = (slot.candidate?.version ?? 0) > preloaded.version;
    if (this.closed || newer || !slot.offerCandidate(preloaded)) void preloaded.retire();
  }

  /** Swap the standby, the candidate or a preload handed over (loaded, warm) into service. */
  private serveWarm(
    slot: ModelSlot,
    warm: LoadedModel,
    log: Logger,
    via: 'event' | 'registry',
  ): void {
    const from = slot.loaded?.version ?? null;
    const kept = warm === slot.standby ? 'standby' : 'preloaded';
    void slot.swap(warm);
    this.opts.metrics.modelVersion.set({ model: slot.name }, warm.version);
    log.info({ version: warm.version, from, via, kept }, 'warm version in service');
  }

  /** The alias is gone: stop serving; with discovery forget the model altogether. */
  private async remove(slot: ModelSlot, reason: string): Promise<void> {
    const had = slot.loaded?.version ?? null;
    if (had !== null) {
      this.opts.logger.info({ model: slot.name, version: had, reason }, 'unloading model');
    }
    slot.recordError(null, 'NOT_FOUND', reason);
    this.opts.metrics.modelVersion.set({ model: slot.name }, 0);
    if (this.discovery && this.slots.get(slot.name) === slot) this.slots.delete(slot.name);
    // A configured model that never had the alias stays START (not END) in its status; a
    // version preloaded for it meanwhile is freed now, not when its standby time runs out.
    if (had !== null) await slot.unload();
    else slot.dropCandidate();
  }
}
