import type { Redis } from 'ioredis';
import { parsePredictionLogMessage, redisKeys, type PredictionLogEntry } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { compareStreamIds } from './windows';
import type { WindowEntry, WindowStore } from './windows';

/** Messages are read as bytes: serving's `columns` messages are binary (contracts). */
/**
 * Messages per read. A message holds up to 1,024 rows (serving's LogBuffer), so a read of this
 * many is at most ≈ 100k rows — tens of MB at the widest, never the whole stream.
 */
const PAGE = 100;
type RawEntry = [id: Buffer, fields: Buffer[]];
/** A stream message with its rows parsed (null: not a prediction log message). */
interface ParsedMessage {
  id: string;
  entries: PredictionLogEntry[] | null;
}

function parseMessages(raw: readonly RawEntry[]): ParsedMessage[] {
  return raw.map(([id, fields]) => ({
    id: id.toString(),
    entries: parsePredictionLogMessage(fields),
  }));
}
type XReadReply = Array<[key: Buffer, entries: RawEntry[]]> | null;

export interface StreamReaderOptions {
  prefix: string;
  /** Entries backfilled when a model is first seen (the store keeps no more than this). */
  retain: number;
  /** How long one XREAD blocks: new streams join the read within this delay. */
  blockMs: number;
  logger: Logger;
  onRows?: (model: string, rows: number) => void;
  onInvalid?: (model: string) => void;
  /** Every new entry, in stream order (the feedback join indexes predictions here). */
  onEntries?: (model: string, entries: ReadonlyArray<WindowEntry & { version: number }>) => void;
}

/**
 * Consumes the per-model prediction streams into the window store.
 *
 * Why XREAD BLOCK on a dedicated connection (rather than XRANGE polling): one round trip covers
 * every stream, entries arrive as soon as serving writes them, and an idle monitor costs one
 * blocked command per `blockMs`. A blocked connection can do nothing else, hence its own
 * connection; the BLOCK timeout bounds how long a newly discovered stream waits to join.
 * Reports also call `catchUp(model)` (XRANGE from the last id) so a report always includes
 * every entry written before the request — both paths append through the store, which drops
 * ids it has already seen, so they never double count.
 */
export class StreamReader {
  private readonly keys;
  private readonly streamPrefix: string;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly blocking: Redis,
    private readonly redis: Redis,
    private readonly store: WindowStore,
    private readonly opts: StreamReaderOptions,
  ) {
    this.keys = redisKeys(opts.prefix);
    this.streamPrefix = `${this.keys.prefix}:predictions:`;
  }

  /** Model names that have a prediction stream (SCAN, so it never blocks Redis). */
  async scanStreams(): Promise<string[]> {
    const names: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.streamPrefix}*`,
        'COUNT',
        500,
      );
      cursor = next;
      for (const key of keys) names.push(key.slice(this.streamPrefix.length));
    } while (cursor !== '0');
    return names;
  }

  /**
   * Start following a model: backfill its most recent rows (about `retain`; a message may hold
   * a batch of rows, so messages are read newest first until enough rows came), then XREAD
   * picks it up.
   */
  async follow(model: string): Promise<void> {
    if (this.store.has(model)) return;
    this.store.track(model);
    const key = this.keys.predictions(model);
    const newestFirst: ParsedMessage[] = [];
    let rows = 0;
    let end = '+';
    while (rows < this.opts.retain) {
      const page = (await this.redis.xrevrangeBuffer(key, end, '-', 'COUNT', PAGE)) as RawEntry[];
      const messages = parseMessages(page);
      for (const message of messages) {
        if (rows >= this.opts.retain) break;
        newestFirst.push(message);
        rows += message.entries?.length ?? 1;
      }
      if (page.length < PAGE) break;
      end = `(${messages[messages.length - 1]!.id}`;
    }
    this.ingest(model, newestFirst.reverse());
  }

  /** Read everything written since the last consumed id (used before each report). */
  async catchUp(model: string): Promise<void> {
    if (!this.store.has(model)) {
      await this.follow(model);
      return;
    }
    const key = this.keys.predictions(model);
    for (;;) {
      const last = this.store.lastId(model);
      // `(id` is an exclusive start (Redis ≥ 6.2).
      const start = last === null ? '-' : `(${last}`;
      const batch = (await this.redis.xrangeBuffer(key, start, '+', 'COUNT', PAGE)) as RawEntry[];
      this.ingest(model, parseMessages(batch));
      if (batch.length < PAGE) return;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stop the loop; the caller then closes the blocking connection, which ends a pending XREAD. */
  async stop(): Promise<void> {
    this.running = false;
    this.blocking.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const models = this.store.modelNames();
      if (models.length === 0) {
        await sleep(Math.min(this.opts.blockMs, 200));
        continue;
      }
      const keys = models.map((m) => this.keys.predictions(m));
      const ids = models.map((m) => this.store.lastId(m) ?? '0');
      try {
        const reply: XReadReply = await this.blocking.xreadBuffer(
          'COUNT',
          PAGE,
          'BLOCK',
          this.opts.blockMs,
          'STREAMS',
          ...keys,
          ...ids,
        );
        for (const [key, entries] of reply ?? []) {
          this.ingest(key.toString().slice(this.streamPrefix.length), parseMessages(entries));
        }
      } catch (err) {
        if (!this.running) return;
        this.opts.logger.warn({ err }, 'reading prediction streams failed; retrying');
        await sleep(Math.min(this.opts.blockMs, 1_000));
      }
    }
  }

  private ingest(model: string, messages: readonly ParsedMessage[]): void {
    const parsed: Array<WindowEntry & { version: number }> = [];
    let lastSkipped: string | null = null;
    for (const { id, entries } of messages) {
      if (!entries || entries.some((e) => e.model !== model)) {
        this.opts.onInvalid?.(model);
        this.opts.logger.warn(
          { model, id },
          'skipping a prediction log message that is neither an entry nor a batch',
        );
        lastSkipped = id;
        continue;
      }
      // The rows of one batch message share its stream id: the store keeps or drops them together.
      for (const entry of entries) {
        parsed.push({
          streamId: id,
          at: entry.at,
          id: entry.id,
          ...(entry.principal ? { principal: entry.principal } : {}),
          features: entry.features,
          prediction: entry.prediction,
          ...(entry.quality ? { quality: entry.quality } : {}),
          version: entry.version,
        });
      }
    }
    const before = this.store.lastId(model);
    const added = this.store.append(model, parsed);
    if (added > 0 && this.opts.onEntries) {
      const fresh =
        before === null ? parsed : parsed.filter((e) => compareStreamIds(e.streamId, before) > 0);
      this.opts.onEntries(model, fresh);
    }
    if (lastSkipped !== null) this.store.skipTo(model, lastSkipped);
    if (added > 0) this.opts.onRows?.(model, added);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
