/**
 * The benchmark's processes: each server in its own process (announcing its port on stdout),
 * autocannon in another, and the server's CPU time read from /proc around a load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const autocannonBin = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');

/** Start a server script; resolve with its port once it printed `{"port": N}`. */
export async function startServer(
  script: string,
  argv: string[],
  env: Record<string, string> = {},
  /** Node's own flags, e.g. `--cpu-prof` (profile-64.ts). */
  nodeArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(here, 'servers', script), ...argv],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`${script} exited with ${code} before listening`)),
    );
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { port?: number };
        if (parsed.port) resolve(parsed.port);
      } catch {
        // not our line
      }
    });
  });
  return { child, port };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface LoadResult {
  rps: number;
  /** Server CPU time (all threads) per request: robust to other load on the machine. */
  cpuUsPerReq: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** utime + stime of a process in microseconds (Linux /proc; 0 elsewhere). */
export function cpuMicros(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/**
 * What a load phase sends: a body given inline, or read from a file (image requests run to
 * hundreds of kB, past what one command-line argument may hold), POSTed as JSON to `path`.
 */
export interface LoadOptions {
  body?: string;
  bodyFile?: string;
  /** Defaults to the tabular model's TF Serving predict. */
  path?: string;
  /** `bodyFile` holds bytes, sent as they are (autocannon's command line reads it as text). */
  binary?: boolean;
  /** More request headers (the binary tensor extension's header length). */
  headers?: Readonly<Record<string, string>>;
  connections: number;
  seconds: number;
}

/** autocannon in its own process, JSON result on stdout. */
export async function load(
  port: number,
  opts: LoadOptions,
  serverPid?: number,
): Promise<LoadResult> {
  const cpuBefore = cpuMicros(serverPid);
  const url = `http://127.0.0.1:${port}${opts.path ?? '/v1/models/iris:predict'}`;
  const child = spawn(
    process.execPath,
    opts.binary
      ? [
          join(here, 'binary-load.mjs'),
          url,
          String(opts.connections),
          String(opts.seconds),
          opts.bodyFile ?? '',
          JSON.stringify(opts.headers ?? {}),
        ]
      : [
          autocannonBin,
          '-c',
          String(opts.connections),
          '-d',
          String(opts.seconds),
          '-m',
          'POST',
          '-H',
          'content-type=application/json',
          ...Object.entries(opts.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
          ...(opts.bodyFile ? ['-i', opts.bodyFile] : ['-b', opts.body ?? '']),
          '-j',
          url,
        ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const r = JSON.parse(out) as {
    requests: { average: number; total?: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  const total = r.requests.total ?? r.requests.average * opts.seconds;
  const cpuUsPerReq = total > 0 ? (cpuMicros(serverPid) - cpuBefore) / total : 0;
  return {
    cpuUsPerReq,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

export interface Server {
  port: number;
  pid: number | undefined;
}

export async function withServer<T>(
  script: string,
  argv: string[],
  env: Record<string, string>,
  fn: (server: Server) => Promise<T>,
): Promise<T> {
  const { child, port } = await startServer(script, argv, env);
  try {
    return await fn({ port, pid: child.pid });
  } finally {
    await stop(child);
  }
}

export interface ServerSpec {
  script: string;
  argv: string[];
  env: Record<string, string>;
}

/** Several servers up at once (started in order, all stopped at the end, even on failure). */
export async function withServers<T>(
  specs: readonly ServerSpec[],
  fn: (servers: Server[]) => Promise<T>,
  started: Server[] = [],
): Promise<T> {
  const [first, ...rest] = specs;
  if (!first) return fn(started);
  return withServer(first.script, first.argv, first.env, (server) =>
    withServers(rest, fn, [...started, server]),
  );
}

/** The model's cumulative rows and predict calls (Triton's inference and execution counts). */
export async function batchCounts(
  port: number,
  model = 'iris',
): Promise<{ rows: number; execs: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const count = (metric: string) =>
    Number(new RegExp(`${metric}\\{model="${model}",version="1"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return {
    rows: count('serving_inference_count_total'),
    execs: count('serving_inference_exec_count_total'),
  };
}
