import type { FeatureRange } from '../inference/input-ranges';
import type { BundleManifest, ErrorCode, Prediction } from '@mlops/contracts';
import type { Predictor } from '@mlops/ml/bundle';
import type { Batcher } from '../batching/batcher';
import type { RowBlock } from './row-block';
import type { TensorAnswer, TensorExample } from './tensor-batch';
import type { Runtime } from './runtime';

/** What runs a version's batches, as status and logs describe it. */
export type ServingEngine = Pick<Predictor, 'fallbackReason' | 'dispose'> & {
  /** `tensor`: a tensor model's predictor (named tensors in and out); `onnx`: ONNX Runtime. */
  readonly engine: Predictor['engine'] | 'tensor' | 'onnx';
};

/** Which runtime runs a version (runtime.ts chooses), as status and metrics report it. */
export interface VersionRuntime {
  runtime: Runtime;
  /** Why it is not the runtime SERVING_RUNTIME asked for; null when it is. */
  reason: string | null;
  /** ONNX Runtime's intra-op threads for the version's session; null on TF.js. */
  onnxThreads: number | null;
}

/**
 * One loaded model version. Requests hold a reference while they use it; when a newer version
 * replaces it, it is retired and its tensors are freed only once the last request let go, so a
 * swap never fails a request that was already running on the old weights.
 */
export class LoadedModel {
  private refs = 0;
  private retired = false;
  private disposed: Promise<void> | null = null;
  private resolveDisposed: (() => void) | null = null;
  /** Called once the version's tensors are freed (metrics). */
  onDisposed: (() => void) | null = null;
  /** Numeric features' training ranges (bundle `profile.json`): inputs far outside are flagged. */
  ranges: readonly FeatureRange[] = [];
  runtime: VersionRuntime = { runtime: 'tfjs', reason: null, onnxThreads: null };

  constructor(
    readonly name: string,
    readonly version: number,
    readonly manifest: BundleManifest,
    readonly model: { dispose(): void },
    /** How the batches run: the model's compiled dense plan, model.predict or tensors. */
    readonly predictor: ServingEngine,
    /**
     * A tabular model's requests, each one input of all its rows (a tensor model's refuses:
     * infer never reaches it).
     */
    readonly batcher: Batcher<RowBlock, Prediction[]>,
    readonly loadedAt: Date,
    /** Examples of a tensor model (signature.tensors), null for a tabular one. */
    readonly tensorBatcher: Batcher<TensorExample, TensorAnswer> | null = null,
  ) {}

  get references(): number {
    return this.refs;
  }

  /** Retired: handed to no new request, freed once the last one let go. */
  get isRetired(): boolean {
    return this.retired;
  }

  /** Take a reference; false when the model is already retired (take the slot's current one). */
  acquire(): boolean {
    if (this.retired) return false;
    this.refs += 1;
    return true;
  }

  release(): void {
    this.refs -= 1;
    if (this.retired && this.refs === 0) this.dispose();
  }

  /** Stop handing this version out; resolves once in-flight requests finished and it is freed. */
  retire(): Promise<void> {
    if (!this.disposed) {
      this.retired = true;
      this.disposed = new Promise<void>((resolve) => (this.resolveDisposed = resolve));
      if (this.refs === 0) this.dispose();
    }
    return this.disposed;
  }

  private dispose(): void {
    const done = this.resolveDisposed;
    if (!done) return;
    this.resolveDisposed = null;
    // Nobody holds a reference, so the queue is empty: close() only flips it to refusing.
    const closing = Promise.all([this.batcher.close(), this.tensorBatcher?.close()]);
    void closing.finally(() => {
      try {
        this.predictor.dispose();
        this.model.dispose();
      } finally {
        this.onDisposed?.();
        done();
      }
    });
  }
}

export type VersionState = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';

export interface SlotError {
  version: number | null;
  code: ErrorCode;
  message: string;
  at: Date;
}

/**
 * The per-model slot requests read from. `current` changes in one assignment (the atomic swap);
 * loads are serialized by `sync()`: a call while a load runs marks the slot dirty and the loop
 * runs once more afterwards, so the newest target always wins and two loads never overlap.
 */
export class ModelSlot {
  private current: LoadedModel | null = null;
  /**
   * The version the last move replaced, still loaded and warm (not retired) for `standbyMs`:
   * an alias moving back to it (a rollback, a flapping promotion) swaps without a download.
   */
  private standbyModel: LoadedModel | null = null;
  private standbyTimer: NodeJS.Timeout | null = null;
  /**
   * A version registered after the serving one, loaded and warmed ahead of its promotion
   * (preloader.ts) and kept like the standby for `standbyMs`: a move to it swaps at once.
   */
  private candidateModel: LoadedModel | null = null;
  private candidateTimer: NodeJS.Timeout | null = null;
  private loadingVersion: number | null = null;
  private lastErr: SlotError | null = null;
  private removed = false;
  private dirty = false;
  private loop: Promise<void> | null = null;
  /** Latest hint from an event: the alias's new version, or null when it was deleted. */
  private hint: { to: number | null } | undefined;

  constructor(
    readonly name: string,
    private readonly task: (
      slot: ModelSlot,
      hint: { to: number | null } | undefined,
    ) => Promise<void>,
    /** How long a replaced version stays loaded as the standby; 0 retires it at once. */
    private readonly standbyMs = 0,
  ) {}

  /** The serving version with a reference taken, or null while nothing is loaded. */
  acquire(): LoadedModel | null {
    const model = this.current;
    return model?.acquire() ? model : null;
  }

  get loaded(): LoadedModel | null {
    return this.current;
  }

  /** The replaced version kept warm, if any (not handed to requests until swapped back in). */
  get standby(): LoadedModel | null {
    return this.standbyModel?.isRetired ? null : this.standbyModel;
  }

  /** The preloaded version waiting for a move to it, if any (not handed to requests). */
  get candidate(): LoadedModel | null {
    return this.candidateModel?.isRetired ? null : this.candidateModel;
  }

  /** The standby or the candidate when it is `version`: loaded, warm, ready to swap in. */
  warm(version: number): LoadedModel | null {
    if (this.standby?.version === version) return this.standby;
    if (this.candidate?.version === version) return this.candidate;
    return null;
  }

  /**
   * Keep `model` as the candidate for `standbyMs` (a previous candidate is retired). Refused —
   * false, the caller retires it — once the alias is gone or when the slot keeps nothing warm.
   */
  offerCandidate(model: LoadedModel): boolean {
    if (this.removed || this.standbyMs === 0 || this.current?.version === model.version) {
      return false;
    }
    this.dropCandidate();
    this.candidateModel = model;
    this.candidateTimer = setTimeout(() => {
      if (this.candidateModel === model) this.dropCandidate();
    }, this.standbyMs);
    this.candidateTimer.unref();
    return true;
  }

  /** Retire the candidate (a newer one is on its way, or it expired). */
  dropCandidate(): void {
    const candidate = this.candidateModel;
    this.clearCandidate();
    void candidate?.retire();
  }

  private clearCandidate(): void {
    if (this.candidateTimer) clearTimeout(this.candidateTimer);
    this.candidateTimer = null;
    this.candidateModel = null;
  }

  get loading(): number | null {
    return this.loadingVersion;
  }

  get lastError(): SlotError | null {
    return this.lastErr;
  }

  /** True once the alias was removed from this model (the slot serves nothing and waits). */
  get unloaded(): boolean {
    return this.removed;
  }

  /** Ask for the slot to match the alias; resolves when this (or a newer) request is applied. */
  sync(hint?: { to: number | null }): Promise<void> {
    this.dirty = true;
    this.hint = hint;
    this.loop ??= this.runLoop();
    return this.loop;
  }

  /**
   * The version an event named after the running pass began, when it did (undefined: none).
   * A pass whose registry answer predates that event leaves the decision to the next pass.
   */
  get pendingHint(): number | null | undefined {
    return this.dirty ? this.hint?.to : undefined;
  }

  /**
   * True when a sync was asked for after the running pass began: that pass's view (an event's
   * version, a registry answer) may be stale, and the next pass decides.
   */
  get syncQueued(): boolean {
    return this.dirty;
  }

  /** Resolves when no load is running. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async runLoop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const hint = this.hint;
        this.hint = undefined;
        try {
          await this.task(this, hint);
        } catch (err) {
          // The task records its own failures; this only keeps the loop alive on a bug.
          this.recordError(null, 'INTERNAL', err instanceof Error ? err.message : String(err));
        }
      }
    } finally {
      // Cleared in the same tick the loop sees `dirty` false, so a sync() arriving later
      // always starts a new loop instead of joining one that already finished.
      this.loop = null;
    }
  }

  beginLoading(version: number): void {
    this.loadingVersion = version;
  }

  /**
   * Put `next` in service (`next` may be the standby or the candidate). The previous version
   * becomes the standby when one is kept, else it is retired; whatever is retired is freed once
   * its requests finish. A candidate other than `next` stays, unless it is `next`'s version.
   */
  swap(next: LoadedModel): Promise<void> {
    const previous = this.current;
    const standby = this.standbyModel;
    const candidate = this.candidateModel;
    this.current = next;
    this.loadingVersion = null;
    this.removed = false;
    this.lastErr = null;
    this.clearStandby();
    const retiring: Promise<void>[] = [];
    if (candidate === next) this.clearCandidate();
    else if (candidate && candidate.version === next.version) {
      this.clearCandidate();
      retiring.push(candidate.retire());
    }
    if (standby && standby !== next) retiring.push(standby.retire());
    if (previous && previous !== next) {
      if (this.standbyMs > 0 && previous.version !== next.version) this.keepStandby(previous);
      else retiring.push(previous.retire());
    }
    return Promise.all(retiring).then(() => undefined);
  }

  /** Take the model out of service (alias deleted, or shutdown), its standby and candidate too. */
  unload(): Promise<void> {
    const previous = this.current;
    const standby = this.standbyModel;
    const candidate = this.candidateModel;
    this.current = null;
    this.loadingVersion = null;
    this.removed = true;
    this.clearStandby();
    this.clearCandidate();
    return Promise.all([previous?.retire(), standby?.retire(), candidate?.retire()]).then(
      () => undefined,
    );
  }

  private keepStandby(model: LoadedModel): void {
    this.standbyModel = model;
    this.standbyTimer = setTimeout(() => {
      if (this.standbyModel !== model) return;
      this.clearStandby();
      void model.retire();
    }, this.standbyMs);
    this.standbyTimer.unref();
  }

  private clearStandby(): void {
    if (this.standbyTimer) clearTimeout(this.standbyTimer);
    this.standbyTimer = null;
    this.standbyModel = null;
  }

  recordError(version: number | null, code: ErrorCode, message: string): void {
    this.loadingVersion = null;
    this.lastErr = { version, code, message, at: new Date() };
  }

  /** The state of the version a client would reach (TF Serving's vocabulary). */
  get state(): VersionState {
    if (this.current) return 'AVAILABLE';
    if (this.loadingVersion !== null) return 'LOADING';
    if (this.removed) return 'END';
    return 'START';
  }
}
