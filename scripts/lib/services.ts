import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServiceSpec {
  name: 'registry' | 'trainer' | 'serving' | 'monitor' | 'web';
  port: number;
  env: Record<string, string>;
  /** Tells replicas of one app apart: logs go to `<name>-<instance>.log`. */
  instance?: string;
}

export interface RunningService {
  name: string;
  url: string;
  logFile: string;
  child: ChildProcess;
}

const ENTRY: Record<ServiceSpec['name'], string> = {
  registry: 'apps/registry/src/server.ts',
  trainer: 'apps/trainer/src/server.ts',
  serving: 'apps/serving/src/server.ts',
  monitor: 'apps/monitor/src/server.ts',
  web: 'apps/web/src/server.ts',
};

const PORT_VAR: Record<ServiceSpec['name'], string> = {
  registry: 'REGISTRY_PORT',
  trainer: 'TRAINER_PORT',
  serving: 'SERVING_PORT',
  monitor: 'MONITOR_PORT',
  web: 'WEB_PORT',
};

/**
 * Starts and stops the platform's services as child processes (TypeScript run through tsx),
 * each logging JSON to `<logDir>/<name>.log`. Everything started is stopped by `stopAll`,
 * which the callers run on success, failure and Ctrl-C alike.
 */
export class ServiceSupervisor {
  private readonly running: RunningService[] = [];

  constructor(private readonly logDir: string) {
    // Logs name datasets, models and principals: owner-only, like the rest of the data dir.
    fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(logDir, 0o700);
  }

  async start(spec: ServiceSpec): Promise<RunningService> {
    const logFile = path.join(
      this.logDir,
      `${spec.name}${spec.instance ? `-${spec.instance}` : ''}.log`,
    );
    const log = fs.openSync(logFile, 'a', 0o600);
    fs.fchmodSync(log, 0o600);
    const child = spawn(process.execPath, [...profileArgs(), '--import', 'tsx', ENTRY[spec.name]], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...spec.env,
        [PORT_VAR[spec.name]]: String(spec.port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const url = `http://127.0.0.1:${spec.port}`;
    const service: RunningService = { name: spec.name, url, logFile, child };
    this.running.push(service);
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(
      `${spec.name} to answer ${url}/healthz`,
      async () => {
        if (exited) throw new Error(`${spec.name} exited early:\n${tail(logFile)}`);
        const res = await fetch(`${url}/healthz`);
        return res.ok ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    ).catch((err: unknown) => {
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\n--- ${logFile} ---\n${tail(logFile)}`,
      );
    });
    return service;
  }

  list(): readonly RunningService[] {
    return this.running;
  }

  /** SIGTERM every service (graceful shutdown), SIGKILL what is still there after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    const alive = this.running.filter(
      (s) => s.child.exitCode === null && s.child.signalCode === null,
    );
    await Promise.all(
      alive.map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => s.child.kill('SIGKILL'), graceMs);
            s.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            s.child.kill('SIGTERM');
          }),
      ),
    );
    this.running.length = 0;
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * `MLOPS_CPU_PROF=<dir>`: every service started here (and the benchmarks' own child processes)
 * writes a V8 CPU profile per thread into <dir> when it exits — Node refuses `--cpu-prof` in
 * NODE_OPTIONS, so it has to be passed on each command line.
 */
export function profileArgs(): string[] {
  const dir = process.env.MLOPS_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
