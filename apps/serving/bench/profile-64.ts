/**
 * `npx tsx apps/serving/bench/profile-64.ts [--model mlp|tiny] [--format rows|columns|v2|v2bin]
 * [--seconds 10] [--out DIR]`: where our server's time goes under 64-row requests. Starts the
 * benchmark's server (servers/ours.ts, payload log on) under `node --cpu-prof`, drives it with
 * autocannon (64 connections) in one body format, stops it, and prints the functions taking the
 * most self time and the most total time (the project's own, by file and line) from the V8 CPU
 * profile it wrote (kept in DIR, to open in Chrome DevTools).
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v2DatatypeOf } from '../src/protocols/tensors';
import { benchRows, readBenchBundle, writeBenchBundle, type BenchModel } from './bundle-dir';
import { load, startServer, stop } from './processes';
import { v2BinaryBody } from './v2-binary-body';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const MODEL: BenchModel = arg('--model', 'mlp') === 'tiny' ? 'tiny' : 'mlp';
const FORMAT = arg('--format', 'columns');
if (FORMAT !== 'rows' && FORMAT !== 'columns' && FORMAT !== 'v2' && FORMAT !== 'v2bin')
  throw new Error('--format must be rows, columns, v2 or v2bin (v2 binary tensors)');
const SECONDS = Number(arg('--seconds', '10'));
const TOP = 30;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** CLOCK_MONOTONIC in µs: the clock of `--cpu-prof` timestamps, in every process. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

const dir = await mkdtemp(join(tmpdir(), 'profile-64-'));
const out = arg('--out', join(dir, 'profiles'));
await writeBenchBundle(dir, MODEL);
const inputs = (await readBenchBundle(dir)).manifest.signature.inputs;
const records = benchRows(inputs, 64);
const body =
  FORMAT === 'rows'
    ? JSON.stringify({ instances: records })
    : FORMAT === 'columns'
      ? JSON.stringify({
          inputs: Object.fromEntries(inputs.map((c) => [c.name, records.map((r) => r[c.name])])),
        })
      : JSON.stringify({
          inputs: inputs.map((c) => ({
            name: c.name,
            shape: [64],
            datatype: v2DatatypeOf(c),
            data: records.map((r) => r[c.name]),
          })),
        });
const path = FORMAT.startsWith('v2') ? '/v2/models/iris/infer' : '/v1/models/iris:predict';
// v2bin: the binary tensor extension's body, from a file (autocannon sends its bytes as they are).
const binary = FORMAT === 'v2bin' ? v2BinaryBody(inputs, records) : null;
const bodyFile = join(dir, 'body.bin');
if (binary) await writeFile(bodyFile, binary.body);

const { child, port } = await startServer('ours.ts', [dir], { SERVING_LOG_SAMPLE_RATE: '1' }, [
  '--cpu-prof',
  `--cpu-prof-dir=${out}`,
]);
const options = binary
  ? {
      bodyFile,
      binary: true,
      path,
      headers: { 'inference-header-content-length': String(binary.headerLength) },
      connections: 64,
    }
  : { body, path, connections: 64 };
let window = { from: 0, to: 0 };
try {
  await load(port, { ...options, seconds: 2 }); // warm-up
  const from = monotonicUs();
  const r = await load(port, { ...options, seconds: SECONDS }, child.pid);
  window = { from, to: monotonicUs() };
  process.stdout.write(
    `${MODEL}, 64 rows as ${FORMAT}: ${Math.round(r.rps)} req/s, ${Math.round(r.cpuUsPerReq)} µs CPU a request, non-2xx ${r.non2xx}\n`,
  );
} finally {
  await stop(child);
}

const file = (await readdir(out)).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written to ${out}`);
const profile = JSON.parse(await readFile(join(out, file), 'utf8')) as Profile;
const label = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const at = url.replace(/^.*\/(apps|packages|node_modules)\//, '$1/');
  return `${functionName || '(anonymous)'} ${at ? `${at}:${lineNumber + 1}` : ''}`.trim();
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
// Only the samples of the measured load: not start-up, warm-up or shutdown.
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at < window.from || at > window.to) return;
  const leaf = label(byId.get(id)!);
  if (leaf === '(idle)') return void idle++;
  total++;
  self.set(leaf, (self.get(leaf) ?? 0) + 1);
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const key = label(byId.get(n)!);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + 1);
  }
});
const show = (title: string, m: Map<string, number>, keep: (k: string) => boolean) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, hits] of [...m]
    .filter(([k]) => keep(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP))
    process.stdout.write(`${((100 * hits) / total).toFixed(1).padStart(5)} %  ${k}\n`);
};
process.stdout.write(
  `${total + idle} samples in the load, ${((100 * idle) / (total + idle)).toFixed(1)} % idle; shares below are of the busy ones`,
);
show('self time', self, () => true);
show('total time (the project, fastify, tfjs)', inclusive, (k) =>
  /apps\/|packages\/|fastify|tfjs|\(garbage collector\)/.test(k),
);
process.stdout.write(`\nprofile: ${join(out, file)}\n`);
