import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REDIS_URL, TOKEN, type Harness } from './registry-harness';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface TrainerProcess {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The real trainer (src/server.ts) as its own OS process against the harness's registry,
 * logging JSON lines we collect: what the crash tests kill with SIGKILL and start again.
 */
export function startTrainer(h: Harness): TrainerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: appDir,
    env: {
      ...process.env,
      REGISTRY_URL: h.url,
      MLOPS_TOKEN: TOKEN,
      REDIS_URL,
      MLOPS_REDIS_PREFIX: h.prefix,
      MLOPS_DATA_DIR: h.dir,
      TRAINER_PORT: '0',
      TRAINER_BACKEND: 'cpu',
      // Short lock so a killed worker's job is released quickly; the fit renews it meanwhile.
      TRAINER_LOCK_MS: '2000',
      TRAINER_STALLED_INTERVAL_MS: '1000',
      TRAINER_CHECKPOINT_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs, exited };
}

/** SIGKILL every trainer still running and wait for each to exit. */
export async function killAll(started: readonly TrainerProcess[]): Promise<void> {
  for (const p of started)
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
}
