import { describe, expect, it } from 'vitest';
import { AppError } from '@mlops/contracts';
import { activeBackend, getTf, initBackend, tfjsVersion } from '../../src/backend';

describe('initBackend', () => {
  it('auto picks wasm here (tfjs-node is not installed) and is idempotent', async () => {
    const first = await initBackend();
    expect(first).toBe('wasm');
    expect(await initBackend('auto')).toBe('wasm');
    expect(getTf().getBackend()).toBe('wasm');
    expect(activeBackend()).toBe('wasm');
  });

  it('concurrent calls agree', async () => {
    const all = await Promise.all([initBackend(), initBackend(), initBackend('auto')]);
    expect(new Set(all).size).toBe(1);
  });

  it('switches to an explicitly requested backend', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(getTf().getBackend()).toBe('cpu');
    // auto after an explicit choice keeps it
    expect(await initBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
  });

  it('throws a clear UNAVAILABLE error for tensorflow when tfjs-node is absent, keeping the old backend', async () => {
    await initBackend('wasm');
    const err = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('UNAVAILABLE');
    expect((err as AppError).message).toMatch(/tfjs-node/);
    expect(getTf().getBackend()).toBe('wasm');
    expect(await initBackend()).toBe('wasm');
  });

  it('computes on the active backend and reports the tfjs version', async () => {
    await initBackend();
    const tf = getTf();
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).arraySync());
    expect(sum).toEqual([4, 6]);
    expect(tfjsVersion()).toBe('4.22.0');
  });
});
