import { AppError } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { loadVersion, type LoaderDeps } from './loader';
import type { LoadedModel } from './slot';

export interface VersionCacheOptions extends LoaderDeps {
  /** Most versions kept loaded; the least recently used is retired beyond it. */
  max: number;
  aliasTtlMs: number;
  /** Serve versions no alias points at (SERVING_ALLOW_UNPROMOTED); off: 404 for those. */
  allowUnpromoted?: boolean;
  logger: Logger;
  now?: () => number;
}

interface Entry {
  promise: Promise<LoadedModel>;
  loaded: LoadedModel | null;
}

/**
 * Versions addressed explicitly (`/versions/3`, `/labels/challenger`, canary and shadow targets)
 * besides the ones the followed alias keeps loaded: loaded on first use through the same
 * verify-and-warm path, kept in an LRU so a burst of odd versions cannot exhaust memory.
 */
export class VersionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly aliases = new Map<string, { version: number; at: number }>();
  /** When each explicitly addressed version was last seen with an alias (rechecked per TTL). */
  private readonly promoted = new Map<string, number>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly opts: VersionCacheOptions) {
    this.now = opts.now ?? (() => Date.now());
  }

  /** The version with a reference taken, loading it first if needed. */
  async acquire(model: string, version: number): Promise<LoadedModel> {
    await this.checkPromoted(model, version);
    for (let attempt = 0; attempt < 3; attempt++) {
      const loaded = await this.entry(model, version).promise;
      if (loaded.acquire()) return loaded;
      // Evicted between load and use: load again.
    }
    throw new Error(`version ${version} of "${model}" was evicted repeatedly`);
  }

  /** Loaded already (no waiting): for shadow traffic, which must never delay a response. */
  peek(model: string, version: number): LoadedModel | null {
    const e = this.entries.get(`${model}@${version}`);
    if (!e) {
      this.entry(model, version).promise.catch(() => undefined);
      return null;
    }
    return e.loaded?.acquire() ? e.loaded : null;
  }

  /** An alias other than the followed one, cached for `aliasTtlMs` (alias events clear it). */
  async resolveAlias(model: string, alias: string): Promise<number> {
    const key = `${model}@${alias}`;
    const hit = this.aliases.get(key);
    if (hit && this.now() - hit.at < this.opts.aliasTtlMs) return hit.version;
    const mv = await this.opts.source.resolve(model, alias);
    this.aliases.set(key, { version: mv.version, at: this.now() });
    return mv.version;
  }

  /**
   * Only versions an alias points at are served (unless allowed): a never-promoted version is
   * an experiment or a rejected candidate, not a service. Rechecked every `aliasTtlMs`, so a
   * version an alias left stops being served within that time.
   */
  private async checkPromoted(model: string, version: number): Promise<void> {
    if (this.opts.allowUnpromoted) return;
    const key = `${model}@${version}`;
    const at = this.promoted.get(key);
    if (at !== undefined && this.now() - at < this.opts.aliasTtlMs) return;
    const mv = await this.opts.source.getVersion(model, version);
    if (mv.aliases.length === 0) {
      this.promoted.delete(key);
      this.opts.metrics.unservedVersions.inc({ model });
      throw new AppError(
        'NOT_FOUND',
        `Version ${version} of "${model}" is not served: no alias points at it. Promote it (mlops promote ${model} ${version} --alias <name>), or set SERVING_ALLOW_UNPROMOTED=true`,
      );
    }
    this.promoted.delete(key);
    this.promoted.set(key, this.now());
    // Bounded: at most a few times the versions kept loaded are remembered.
    while (this.promoted.size > Math.max(64, this.opts.max * 4)) {
      this.promoted.delete(this.promoted.keys().next().value!);
    }
  }

  cachedAlias(model: string, alias: string): number | undefined {
    const hit = this.aliases.get(`${model}@${alias}`);
    return hit && this.now() - hit.at < this.opts.aliasTtlMs ? hit.version : undefined;
  }

  forgetAlias(model: string, alias: string): void {
    this.aliases.delete(`${model}@${alias}`);
  }

  loadedVersions(): Array<{ model: string; version: number }> {
    return [...this.entries.values()]
      .map((e) => e.loaded)
      .filter((l): l is LoadedModel => l !== null)
      .map((l) => ({ model: l.name, version: l.version }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      entries.map((e) =>
        e.promise.then(
          (l) => l.retire(),
          () => undefined,
        ),
      ),
    );
  }

  private entry(model: string, version: number): Entry {
    const key = `${model}@${version}`;
    const e = this.entries.get(key);
    if (e) {
      // Map order is the LRU order: move to the back.
      this.entries.delete(key);
      this.entries.set(key, e);
      return e;
    }
    if (this.closed) {
      return { promise: Promise.reject(new Error('serving is shutting down')), loaded: null };
    }
    const created: Entry = { promise: Promise.resolve(null as never), loaded: null };
    created.promise = this.opts.source
      .getVersion(model, version)
      .then((mv) => loadVersion(this.opts, mv))
      .then((loaded) => {
        created.loaded = loaded;
        this.opts.logger.info(
          { model, version, engine: loaded.predictor.engine },
          'explicitly addressed version loaded',
        );
        return loaded;
      })
      .catch((err: unknown) => {
        // A failed load is not cached: the next request tries again.
        if (this.entries.get(key) === created) this.entries.delete(key);
        this.opts.metrics.loadFailures.inc({ model });
        throw err;
      });
    this.entries.set(key, created);
    this.evict();
    return created;
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.opts.max) return;
      if (!e.loaded) continue; // still loading: its requests are waiting for it
      this.entries.delete(key);
      this.opts.logger.info(
        { model: e.loaded.name, version: e.loaded.version },
        'evicting version',
      );
      void e.loaded.retire();
    }
  }
}
