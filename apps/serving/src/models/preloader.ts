import type { Logger } from '@mlops/config';
import { describeError } from './describe-error';
import { loadVersion, type LoaderDeps } from './loader';
import type { LoadedModel, ModelSlot } from './slot';

export interface PreloaderOptions extends LoaderDeps {
  logger: Logger;
}

/** One model's preloads: the newest version asked for, and the load running (one at a time). */
interface ModelPreloads {
  /** The model's slot as of the newest event (discovery may replace a dropped model's slot). */
  slot: ModelSlot;
  /** The newest version asked for; never lowered, so a failed or expired one is not retried. */
  wanted: number;
  running: RunningPreload | null;
}

interface RunningPreload {
  version: number;
  /** The loaded version when it was handed to a waiter (`pending`), else null. */
  done: Promise<LoadedModel | null>;
  /** A sync pass waits for it: the result goes to that pass, not to the candidate place. */
  awaited: boolean;
}

/**
 * Loads a version registered for a followed model before any alias points at it, as the slot's
 * candidate (slot.ts): when the alias moves to it, the swap needs no download, load or warm-up.
 * Only the newest registration of a model is loaded: one arriving during a load waits for it
 * and supersedes it, unless a move already waits for that load (`pending`), which then gets it.
 * A failure is logged and counted and never touches what the slot serves; the move to that
 * version, if it comes, loads it the usual way and reports its error there.
 */
export class Preloader {
  private readonly models = new Map<string, ModelPreloads>();
  private closed = false;

  constructor(private readonly opts: PreloaderOptions) {}

  /**
   * `version` of `slot`'s model was registered (its `version.created` event, or the reconcile
   * finding it newer than the served one): preload it unless it is served or warm already.
   */
  registered(slot: ModelSlot, version: number): void {
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

  /**
   * The preload of `version` still running for `model`, to wait for instead of loading twice.
   * It resolves to the loaded version, handed to the caller (who serves it, offers it as the
   * candidate or retires it), or to null when it failed. Handed rather than offered: a newer
   * registration starts its preload in the very tick this one ends, and that start drops the
   * older candidate before the waiter could take it.
   */
  pending(model: string, version: number): Promise<LoadedModel | null> | null {
    const running = this.models.get(model)?.running;
    if (running?.version !== version) return null;
    running.awaited = true;
    return running.done;
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
    const running: RunningPreload = { version, done: Promise.resolve(null), awaited: false };
    running.done = this.preload(slot, running, state)
      .catch((err: unknown) => {
        // preload() handles its own failures; this only keeps a bug from becoming an
        // unhandled rejection that would take the process (and every model) down.
        const { message } = describeError(err);
        this.opts.logger.error({ model: slot.name, version, err: message }, 'preload failed');
        return null;
      })
      .finally(() => {
        state.running = null;
        if (state.wanted > version && !this.closed) this.run(state);
      });
    state.running = running;
  }

  private async preload(
    slot: ModelSlot,
    running: RunningPreload,
    state: ModelPreloads,
  ): Promise<LoadedModel | null> {
    const { version } = running;
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
      const { message } = describeError(err);
      log.warn({ err: message }, 'preloading a registered version failed; serving is unaffected');
      return null;
    }
    if (!this.closed && running.awaited) {
      // A move to it waits: even superseded, it is that move's version.
      metrics.preloads.inc({ model: slot.name, outcome: 'loaded' });
      log.info({ serving: slot.loaded?.version ?? null }, 'preloaded version handed to a move');
      return loaded;
    }
    const superseded = state.wanted > version;
    if (this.closed || superseded || !slot.offerCandidate(loaded)) {
      if (superseded) metrics.preloads.inc({ model: slot.name, outcome: 'superseded' });
      await loaded.retire();
      return null;
    }
    metrics.preloads.inc({ model: slot.name, outcome: 'loaded' });
    log.info({ serving: slot.loaded?.version ?? null }, 'registered version preloaded');
    return null;
  }
}
