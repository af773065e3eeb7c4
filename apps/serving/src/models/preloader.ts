import { isAppError } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { loadVersion, type LoaderDeps } from './loader';
import type { LoadedModel, ModelSlot } from './slot';

export interface PreloaderOptions extends LoaderDeps {
  logger: Logger;
}

/** One model's preloads: the newest version asked for, and the load running (one at a time). */
interface ModelPreloads {
  /** The model's slot as of the newest event (discovery may replace a dropped model's slot). */
  slot: ModelSlot;
  wanted: number;
  running: { version: number; done: Promise<void> } | null;
}

/**
 * Loads a version registered for a followed model before any alias points at it, as the slot's
 * candidate (slot.ts): when the alias moves to it, the swap needs no download, load or warm-up.
 * Only the newest registration of a model is loaded: one arriving during a load waits for it
 * and supersedes it. A failure is logged and counted and never touches what the slot serves;
 * the move to that version, if it comes, loads it the usual way and reports its error there.
 */
export class Preloader {
  private readonly models = new Map<string, ModelPreloads>();
  private closed = false;

  constructor(private readonly opts: PreloaderOptions) {}

  /** `version.created` for `slot`'s model: preload it unless it is served or warm already. */
  versionCreated(slot: ModelSlot, version: number): void {
    if (this.closed) return;
    if (slot.loaded?.version === version || slot.warm(version)) return;
    const state = this.models.get(slot.name) ?? { slot, wanted: 0, running: null };
    state.slot = slot;
    this.models.set(slot.name, state);
    // Versions only grow: an older number arriving late (a replayed event) is no candidate.
    if (version <= state.wanted) return;
    state.wanted = version;
    if (!state.running) this.run(state);
  }

  /** The preload of `version` still running for `model`, to wait for instead of loading twice. */
  pending(model: string, version: number): Promise<void> | null {
    const running = this.models.get(model)?.running;
    return running?.version === version ? running.done : null;
  }

  /** Stop starting preloads and wait for the running ones (their result is retired). */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.models.values()].flatMap((s) => (s.running ? [s.running.done] : []));
    await Promise.all(running);
  }

  private run(state: ModelPreloads): void {
    const version = state.wanted;
    const slot = state.slot;
    const done = this.preload(slot, version, state)
      .catch((err: unknown) => {
        // preload() handles its own failures; this only keeps a bug from becoming an
        // unhandled rejection that would take the process (and every model) down.
        const message = err instanceof Error ? err.message : String(err);
        this.opts.logger.error({ model: slot.name, version, err: message }, 'preload failed');
      })
      .finally(() => {
        state.running = null;
        if (state.wanted > version && !this.closed) this.run(state);
      });
    state.running = { version, done };
  }

  private async preload(slot: ModelSlot, version: number, state: ModelPreloads): Promise<void> {
    const { logger, metrics, source } = this.opts;
    const log = logger.child({ model: slot.name, version });
    // Memory: the older candidate goes before the newer one is loaded, not after.
    if (slot.candidate && slot.candidate.version < version) slot.dropCandidate();
    let loaded: LoadedModel;
    try {
      const mv = await source.getVersion(slot.name, version);
      loaded = await loadVersion(this.opts, mv);
    } catch (err) {
      metrics.preloads.inc({ model: slot.name, outcome: 'failed' });
      const message = isAppError(err) || err instanceof Error ? err.message : String(err);
      log.warn({ err: message }, 'preloading a registered version failed; serving is unaffected');
      return;
    }
    const superseded = state.wanted > version;
    if (this.closed || superseded || !slot.offerCandidate(loaded)) {
      if (superseded) metrics.preloads.inc({ model: slot.name, outcome: 'superseded' });
      await loaded.retire();
      return;
    }
    metrics.preloads.inc({ model: slot.name, outcome: 'loaded' });
    log.info({ serving: slot.loaded?.version ?? null }, 'registered version preloaded');
  }
}
