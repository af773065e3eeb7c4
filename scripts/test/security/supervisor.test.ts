import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideRestart, DEFAULT_RESTART_POLICY } from '../../lib/restart';
import { startStack, type Stack } from '../../lib/stack';
import type { RunningService } from '../../lib/services';
import { waitFor } from '../../lib/wait';

/**
 * Issue #16, item 8: under `npm start`, `kill -9` of the registry or the trainer stopped every
 * service and nothing restarted them. Replayed on the platform started through the same code
 * (`launchPlatform` with a restarting supervisor), with a short first backoff.
 */
let stack: Stack;
const lines: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    label: 'sec-supervisor',
    apps: ['trainer', 'monitor'],
    // The supervisor's messages, as `npm start` prints them.
    supervisor: { restart: { initialDelayMs: 200 }, log: (line) => lines.push(line) },
  });
}, 180_000);
afterAll(() => stack?.close());

const alive = (pid: number | undefined) => {
  try {
    return pid !== undefined && process.kill(pid, 0);
  } catch {
    return false;
  }
};
const healthy = async (service: RunningService) =>
  (await fetch(`${service.url}/healthz`).catch(() => undefined))?.ok === true;

describe('a supervisor that keeps the platform up', () => {
  it('restarts the registry and the trainer after kill -9 while the others keep running', async () => {
    const { registry, trainer, monitor } = stack.services;
    if (!registry || !trainer || !monitor) throw new Error('stack did not start');
    const monitorPid = monitor.child.pid;
    const killed = [registry, trainer].map((service) => {
      const pid = service.child.pid;
      if (pid === undefined) throw new Error(`${service.name} has no pid`);
      process.kill(pid, 'SIGKILL');
      return { service, pid };
    });

    for (const { service, pid } of killed) {
      await waitFor(
        `${service.name} to come back`,
        async () => (service.child.pid !== pid && (await healthy(service)) ? true : undefined),
        { timeoutMs: 90_000, intervalMs: 250 },
      );
      expect(alive(pid)).toBe(false);
      expect(service.restarts).toBe(1);
      expect(lines).toContain(
        `${service.name} exited with signal SIGKILL; restarting in 0.2 s (restart 1)`,
      );
    }
    expect(monitor.child.pid).toBe(monitorPid);
    expect(monitor.restarts).toBe(0);
    expect(await healthy(monitor)).toBe(true);
    // The restarted registry still knows the apps' service tokens: the trainer is served.
    const res = await fetch(`${registry.url}/trpc/auth.whoami`, {
      headers: { authorization: `Bearer ${stack.tokenOf('trainer')}` },
    });
    expect(res.status).toBe(200);
  }, 120_000);

  it('stops everything, for good, when the supervisor is stopped', async () => {
    const services = [...stack.supervisor.list()];
    const pids = services.map((s) => s.child.pid);
    expect(pids.every(alive)).toBe(true);
    await stack.supervisor.stopAll();
    expect(pids.some(alive)).toBe(false);
    // Nothing comes back after the backoff a crash would have waited.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(services.map((s) => s.child.pid)).toEqual(pids);
    for (const service of services) expect(await healthy(service)).toBe(false);
  }, 60_000);
});

describe('a service that keeps crashing', () => {
  it('is given up on after the allowed fast crashes, with a message that says so', async () => {
    const said: string[] = [];
    const gaveUp: string[] = [];
    const crashing = await startStack({
      label: 'sec-supervisor-loop',
      supervisor: {
        restart: { initialDelayMs: 100, maxFastCrashes: 2 },
        log: (line) => said.push(line),
        onGiveUp: (service, message) => gaveUp.push(`${service.name}: ${message}`),
      },
    });
    try {
      const registry = crashing.services.registry;
      if (!registry) throw new Error('stack did not start');
      // Three kills, each as soon as the supervisor has started a new process.
      for (let kill = 1; kill <= 3; kill++) {
        const pid = registry.child.pid;
        if (pid === undefined) throw new Error('registry has no pid');
        process.kill(pid, 'SIGKILL');
        if (kill < 3)
          await waitFor('a new registry process', () =>
            Promise.resolve(
              registry.child.pid !== pid && registry.child.pid !== undefined ? true : undefined,
            ),
          );
      }
      await waitFor('the supervisor to give up', () =>
        Promise.resolve(gaveUp.length ? true : undefined),
      );
      expect(said.filter((line) => line.includes('restarting in'))).toHaveLength(2);
      expect(gaveUp).toHaveLength(1);
      expect(gaveUp[0]).toMatch(
        /^registry: registry exited with signal SIGKILL, its 3rd crash in a row within 60 s of starting; giving up on it/,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(registry.child.signalCode).toBe('SIGKILL');
    } finally {
      await crashing.close();
    }
  }, 120_000);
});

describe('the backoff', () => {
  const policy = DEFAULT_RESTART_POLICY;
  it('doubles per crash in a row, starts over after a stable run, and gives up after five', () => {
    let crashes = 0;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const d = decideRestart(policy, crashes, 1_000);
      if (d.action !== 'restart') throw new Error('gave up too early');
      delays.push(d.delayMs);
      crashes = d.fastCrashes;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(decideRestart(policy, crashes, 1_000)).toEqual({ action: 'give-up', fastCrashes: 6 });
    expect(decideRestart(policy, crashes, 120_000)).toEqual({
      action: 'restart',
      delayMs: 1_000,
      fastCrashes: 1,
    });
  });
});
