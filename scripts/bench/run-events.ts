import { Redis } from 'ioredis';
import { platformEventSchema, redisKeys } from '@mlops/contracts';

type EndEvent = 'run.completed' | 'run.failed' | 'run.cancelled';
const END_EVENTS: ReadonlySet<string> = new Set<EndEvent>([
  'run.completed',
  'run.failed',
  'run.cancelled',
]);

/**
 * The end of runs as the registry announces them on the platform's events channel: a
 * benchmark learns that a run ended the moment it does, without asking the registry anything.
 * An event that arrives before anyone waits for it is kept.
 */
export class RunEvents {
  private readonly ends = new Map<string, EndEvent>();
  private readonly waiting = new Map<string, (event: EndEvent) => void>();

  private constructor(private readonly subscriber: Redis) {}

  static async open(redisUrl: string, prefix: string): Promise<RunEvents> {
    const subscriber = new Redis(redisUrl);
    // Subscribe once connected: a SUBSCRIBE sent during ioredis's ready check breaks the check.
    if (subscriber.status !== 'ready') await new Promise((r) => subscriber.once('ready', r));
    const events = new RunEvents(subscriber);
    subscriber.on('message', (_channel: string, message: string) => events.onMessage(message));
    await subscriber.subscribe(redisKeys(prefix).events);
    return events;
  }

  private onMessage(message: string): void {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return;
    }
    const parsed = platformEventSchema.safeParse(json);
    if (!parsed.success || !END_EVENTS.has(parsed.data.type) || !('runId' in parsed.data)) return;
    const { runId } = parsed.data;
    if (!runId) return;
    const type = parsed.data.type as EndEvent;
    const resolve = this.waiting.get(runId);
    if (resolve) {
      this.waiting.delete(runId);
      resolve(type);
    } else this.ends.set(runId, type);
  }

  /** The event that ended run `runId`; rejects after `timeoutMs`. */
  ended(runId: string, timeoutMs: number): Promise<EndEvent> {
    const known = this.ends.get(runId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(runId);
        reject(new Error(`run ${runId} did not end within ${timeoutMs / 60_000} minutes`));
      }, timeoutMs);
      this.waiting.set(runId, (event) => {
        clearTimeout(timer);
        resolve(event);
      });
    });
  }

  async close(): Promise<void> {
    await this.subscriber.quit();
  }
}
