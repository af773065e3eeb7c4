import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys, type PlatformEvent } from '@mlops/contracts';
import type { ServingApp } from '../../src/app';
import type { MemoryModelSource } from '../../src/models/memory-source';
import { eventually, startApp, testPrefix } from './app';

/**
 * The follow, standby and preload suites' common setting: one server following `champion` of
 * `iris` from an in-memory registry, moved by `alias.moved` events published on Redis.
 */

/** The `alias.moved` event of iris's champion. */
export function aliasMoved(from: number | null, to: number | null): PlatformEvent {
  const at = new Date().toISOString();
  return { id: randomUUID(), at, type: 'alias.moved', model: 'iris', alias: 'champion', from, to };
}

export function slotOf(app: ServingApp) {
  const slot = app.serving.models.get('iris');
  if (!slot) throw new Error('iris has no slot');
  return slot;
}

/** Servers started by a suite and their Redis prefixes (for tearDownAllAfter), and the helpers. */
export function followIris(redis: Redis) {
  const prefixes: string[] = [];
  const apps: ServingApp[] = [];

  /** Publish an event (or any text: a malformed one) on the prefix's event channel. */
  async function emit(prefix: string, event: PlatformEvent | string): Promise<void> {
    const message = typeof event === 'string' ? event : JSON.stringify(event);
    await redis.publish(redisKeys(prefix).events, message);
  }

  /** Serving iris v1 (alias champion) from `source`, following events only. */
  async function started(source: MemoryModelSource, env: Record<string, string> = {}) {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const app = await startApp(source, {
      MLOPS_REDIS_PREFIX: prefix,
      SERVING_MODELS: 'iris',
      ...env,
    });
    apps.push(app);
    await eventually(() => (slotOf(app).loaded?.version === 1 ? true : undefined), 'v1 loaded');
    // The start's reconcile done (it preloads a newer version already registered): a version a
    // test registers from here on is known by its event only.
    await app.serving.follower.reconcile();
    return { app, prefix };
  }

  /** Move the alias in the registry and announce it, then wait for `to` in service. */
  async function move(
    app: ServingApp,
    source: MemoryModelSource,
    prefix: string,
    from: number,
    to: number,
  ): Promise<void> {
    source.setAlias('iris', 'champion', to);
    await emit(prefix, aliasMoved(from, to));
    await eventually(() => (slotOf(app).loaded?.version === to ? true : undefined), `v${to}`);
    await slotOf(app).idle();
  }

  return { prefixes, apps, emit, started, move };
}
