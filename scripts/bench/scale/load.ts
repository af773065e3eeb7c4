/**
 * A load phase in its own process (autocannon), so the load generator never shares an event
 * loop with the benchmark's bookkeeping: `load.ts '<json options>'` prints one JSON line.
 * The requests cycle over `paths` (one per model in the many-models figure).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface LoadSpec {
  url: string;
  paths: string[];
  body: string;
  token: string;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

/** Run one load phase in a child process. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(spec)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`load.ts exited with ${code}`);
  return JSON.parse(out.trim()) as LoadResult;
}

async function child(spec: LoadSpec): Promise<void> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${spec.token}` };
  const r = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    requests: spec.paths.map((path) => ({ method: 'POST', path, headers, body: spec.body })),
  });
  const result: LoadResult = {
    rps: r.requests.total / spec.seconds,
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  await child(JSON.parse(process.argv[2] ?? '{}') as LoadSpec);
