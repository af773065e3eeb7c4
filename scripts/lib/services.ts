import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_PORTS } from '@mlops/contracts';
import { DEFAULT_RESTART_POLICY, decideRestart, seconds, type RestartPolicy } from './restart';
import { sleep } from './wait';

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
  /** The current process: replaced when the supervisor restarts a crashed service. */
  child: ChildProcess;
  /** How many times the supervisor restarted it. */
  restarts: number;
}

export interface SupervisorOptions {
  /**
   * Restart a service that exits on its own (crash, `kill -9`) with exponential backoff, as
   * `npm start` does; off by default, where a crash is a failure the caller reports.
   */
  restart?: Partial<RestartPolicy> | boolean;
  /** Where restarts are told (default stderr). */
  log?: (line: string) => void;
  /** Called once when a service crashed too often in a row and is left stopped. */
  onGiveUp?: (service: RunningService, message: string) => void;
}

const ENTRY: Record<ServiceSpec['name'], string> = {
  registry: 'apps/registry/src/server.ts',
  trainer: 'apps/trainer/src/server.ts',
  serving: 'apps/serving/src/server.ts',
  monitor: 'apps/monitor/src/server.ts',
  web: 'apps/web/src/server.ts',
};

interface Supervised {
  spec: ServiceSpec;
  service: RunningService;
  startedAt: number;
  fastCrashes: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

/**
 * Starts and stops the platform's services as child processes (TypeScript run through tsx),
 * each logging JSON to `<logDir>/<name>.log`. Everything started is stopped by `stopAll`,
 * which the callers run on success, failure and Ctrl-C alike. With `restart`, a service that
 * dies on its own is started again (after 1 s, 2 s, 4 s… up to 30 s; the count starts over once
 * it stayed up a minute) until it crashes too often in a row; only `stopAll` stops it for good.
 */
export class ServiceSupervisor {
  private readonly supervised: Supervised[] = [];
  private readonly policy: RestartPolicy | undefined;
  private readonly log: (line: string) => void;

  constructor(
    private readonly logDir: string,
    private readonly options: SupervisorOptions = {},
  ) {
    // Logs name datasets, models and principals: owner-only, like the rest of the data dir.
    fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(logDir, 0o700);
    const { restart } = options;
    this.policy = restart
      ? { ...DEFAULT_RESTART_POLICY, ...(restart === true ? {} : restart) }
      : undefined;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  async start(spec: ServiceSpec): Promise<RunningService> {
    const logFile = path.join(
      this.logDir,
      `${spec.name}${spec.instance ? `-${spec.instance}` : ''}.log`,
    );
    const url = `http://127.0.0.1:${spec.port}`;
    const service: RunningService = {
      name: spec.name,
      url,
      logFile,
      child: this.spawn(spec, logFile),
      restarts: 0,
    };
    const entry: Supervised = {
      spec,
      service,
      startedAt: Date.now(),
      fastCrashes: 0,
      stopped: false,
    };
    this.supervised.push(entry);
    // A service that cannot start at all is a configuration error: fail now, never restart it.
    await waitHealthy(service).catch((err: unknown) => {
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\n--- ${logFile} ---\n${tail(logFile)}`,
      );
    });
    if (this.policy) this.watch(entry, this.policy);
    return service;
  }

  list(): readonly RunningService[] {
    return this.supervised.map((s) => s.service);
  }

  /** SIGTERM every service (graceful shutdown), SIGKILL what is still there after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    const entries = this.supervised.splice(0);
    for (const entry of entries) {
      entry.stopped = true;
      clearTimeout(entry.timer);
    }
    const alive = entries
      .map((e) => e.service.child)
      .filter((child) => child.exitCode === null && child.signalCode === null);
    await Promise.all(
      alive.map(
        (child) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  private spawn(spec: ServiceSpec, logFile: string): ChildProcess {
    const log = fs.openSync(logFile, 'a', 0o600);
    fs.fchmodSync(log, 0o600);
    const child = spawn(process.execPath, [...profileArgs(), '--import', 'tsx', ENTRY[spec.name]], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...spec.env,
        [SERVICE_PORTS[spec.name].variable]: String(spec.port),
        MLOPS_BIND: '127.0.0.1',
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    return child;
  }

  private watch(entry: Supervised, policy: RestartPolicy): void {
    const { service } = entry;
    const { child } = service;
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (entry.stopped) return;
      const how = signal ? `with signal ${signal}` : `with code ${code}`;
      const decision = decideRestart(policy, entry.fastCrashes, Date.now() - entry.startedAt);
      entry.fastCrashes = decision.fastCrashes;
      if (decision.action === 'give-up') {
        entry.stopped = true;
        const message =
          `${service.name} exited ${how}, its ${ordinal(decision.fastCrashes)} crash in a row within ` +
          `${seconds(policy.stableAfterMs)} of starting; giving up on it. ` +
          `Last lines of ${service.logFile}:\n${tail(service.logFile, 15)}`;
        this.log(message);
        this.options.onGiveUp?.(service, message);
        return;
      }
      service.restarts += 1;
      this.log(
        `${service.name} exited ${how}; restarting in ${seconds(decision.delayMs)} (restart ${service.restarts})`,
      );
      entry.timer = setTimeout(() => this.restart(entry, policy), decision.delayMs);
    };
    // It may have died between answering /healthz and now, when 'exit' has already fired.
    if (child.exitCode !== null || child.signalCode !== null)
      onExit(child.exitCode, child.signalCode);
    else child.once('exit', onExit);
  }

  private restart(entry: Supervised, policy: RestartPolicy): void {
    if (entry.stopped) return;
    const { service } = entry;
    service.child = this.spawn(entry.spec, service.logFile);
    entry.startedAt = Date.now();
    this.watch(entry, policy);
    const child = service.child;
    waitHealthy(service).then(
      () => this.log(`${service.name} is back: healthy at ${service.url} (pid ${child.pid})`),
      // Exited again: the exit handler above already said so and decides what comes next.
      (err: unknown) => {
        if (child.exitCode === null && child.signalCode === null && !entry.stopped)
          this.log(`${service.name} restarted but is not healthy: ${String(err)}`);
      },
    );
  }
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Wait until the service's current process answers /healthz; fail at once if it exits first. */
/** `BENCH_START_TIMEOUT_MS` raises it on a machine loaded enough that an app takes longer to start. */
async function waitHealthy(
  service: RunningService,
  timeoutMs = Number(process.env.BENCH_START_TIMEOUT_MS ?? 60_000),
): Promise<void> {
  const { child, url, name } = service;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (!exited()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${seconds(timeoutMs)} waiting for ${name} to answer ${url}/healthz${lastError}`,
      );
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch (err) {
      lastError = ` (last error: ${err instanceof Error ? err.message : String(err)})`;
    }
    await sleep(250);
  }
  throw new Error(`${name} exited early (${child.signalCode ?? `code ${child.exitCode}`})`);
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
