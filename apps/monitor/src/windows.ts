import type { FeatureRecord, Prediction, PredictionDataQuality } from '@mlops/contracts';

/** One logged prediction as the monitor keeps it: only what drift needs. */
export interface WindowEntry {
  /** Redis stream id, `<ms>-<seq>`. */
  streamId: string;
  at: string;
  /** Prediction id serving returned (feedback refers to it). */
  id: string;
  /** The principal the prediction was served to (only it may send feedback). */
  principal?: string;
  features: FeatureRecord;
  prediction: Prediction;
  /** What serving flagged about the row's inputs (data-quality.ts), when it flagged any. */
  quality?: PredictionDataQuality;
}

/** Compare two Redis stream ids (`ms-seq`) numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

/** Fixed-capacity ring buffer: memory stays bounded however long the monitor runs. */
class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    const end = (this.start + this.size) % this.capacity;
    this.items[end] = item;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  get length(): number {
    return this.size;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.start + i) % this.capacity]!);
    return out;
  }
}

interface ModelWindows {
  /** Last stream id consumed: entries at or before it are duplicates and dropped. */
  lastId: string | null;
  consumed: number;
  latestVersion: number | null;
  versions: Map<number, Ring<WindowEntry>>;
}

export interface ModelSummary {
  model: string;
  rowsConsumed: number;
  latestVersion: number | null;
  lastId: string | null;
  versions: Array<{ version: number; rows: number }>;
}

/** Per model, per version: the most recent `retain` entries. */
export class WindowStore {
  private readonly models = new Map<string, ModelWindows>();

  constructor(private readonly retain: number) {}

  track(model: string): void {
    if (!this.models.has(model)) {
      this.models.set(model, {
        lastId: null,
        consumed: 0,
        latestVersion: null,
        versions: new Map(),
      });
    }
  }

  has(model: string): boolean {
    return this.models.has(model);
  }

  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  lastId(model: string): string | null {
    return this.models.get(model)?.lastId ?? null;
  }

  /** Append entries in stream order; returns how many were new (not seen before). */
  append(model: string, entries: ReadonlyArray<WindowEntry & { version: number }>): number {
    this.track(model);
    const w = this.models.get(model)!;
    let added = 0;
    // Duplicates are judged against the position before this call: the rows of one batch
    // message share a stream id and arrive in one call, so all of them count.
    const before = w.lastId;
    for (const e of entries) {
      if (before !== null && compareStreamIds(e.streamId, before) <= 0) continue;
      let ring = w.versions.get(e.version);
      if (!ring) {
        ring = new Ring<WindowEntry>(this.retain);
        w.versions.set(e.version, ring);
      }
      ring.push({
        streamId: e.streamId,
        at: e.at,
        id: e.id,
        features: e.features,
        prediction: e.prediction,
        ...(e.quality ? { quality: e.quality } : {}),
      });
      w.lastId = e.streamId;
      w.latestVersion = e.version;
      w.consumed++;
      added++;
    }
    return added;
  }

  /** Advance the read position past entries that were skipped (unparseable). */
  skipTo(model: string, streamId: string): void {
    this.track(model);
    const w = this.models.get(model)!;
    if (w.lastId === null || compareStreamIds(streamId, w.lastId) > 0) w.lastId = streamId;
  }

  latestVersion(model: string): number | null {
    return this.models.get(model)?.latestVersion ?? null;
  }

  /** The last `size` entries of a version, optionally only those after `since`. */
  window(
    model: string,
    version: number,
    size: number,
    since?: { streamId?: string; at?: number },
  ): WindowEntry[] {
    let entries = this.models.get(model)?.versions.get(version)?.toArray() ?? [];
    if (since?.streamId !== undefined) {
      const id = since.streamId;
      entries = entries.filter((e) => compareStreamIds(e.streamId, id) > 0);
    }
    if (since?.at !== undefined) {
      const at = since.at;
      entries = entries.filter((e) => Date.parse(e.at) > at);
    }
    return entries.slice(Math.max(0, entries.length - size));
  }

  summary(model: string): ModelSummary | null {
    const w = this.models.get(model);
    if (!w) return null;
    return {
      model,
      rowsConsumed: w.consumed,
      latestVersion: w.latestVersion,
      lastId: w.lastId,
      versions: [...w.versions.entries()]
        .map(([version, ring]) => ({ version, rows: ring.length }))
        .sort((a, b) => a.version - b.version),
    };
  }
}
