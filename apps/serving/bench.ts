/**
 * Load check of the serving path over real HTTP: trains a small model, serves it from an
 * in-memory source and drives it with concurrent keep-alive clients.
 *   npx tsx bench.ts [connections=64] [seconds=5] [rowsPerRequest=1]
 * Prints requests/s, rows/s, p50/p99 latency and the mean batch size. Needs Redis.
 */
import http from 'node:http';
import { Redis } from 'ioredis';
import { createLogger } from '@mlops/config';
import { redisKeys } from '@mlops/contracts';
import { buildApp } from './src/app';
import { loadServingEnv } from './src/env';
import { MemoryModelSource } from './src/models/memory-source';
import { BundleFactory, publish } from './test/support/bundle';

const [connections = 64, seconds = 5, rowsPerRequest = 1] = process.argv.slice(2).map(Number);
const prefix = `bench-${process.pid}`;
const env = loadServingEnv({ ...process.env, MLOPS_REDIS_PREFIX: prefix, SERVING_MODELS: 'iris', LOG_LEVEL: 'warn' });
const factory = new BundleFactory();
const source = new MemoryModelSource();
publish(source, 'iris', 1, await factory.next(5));
source.setAlias('iris', 'champion', 1);
const redis = new Redis(env.REDIS_URL);
const app = await buildApp({ env, source, redis, logger: createLogger('bench', 'warn') });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
while (!app.serving.models.get('iris')?.loaded) await new Promise((r) => setTimeout(r, 20));

const url = new URL(`${address}/v1/models/iris:predict`);
const body = JSON.stringify({
  instances: Array.from({ length: rowsPerRequest }, (_, i) => ({ x: i / 10, y: 0.5, color: 'red' })),
});
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies: number[] = [];
let errors = 0;
const end = performance.now() + seconds * 1000;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const start = performance.now();
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - start);
          else errors++;
          resolve();
        });
      },
    );
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });
}

await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < end) await once();
  }),
);
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
const text = await (await fetch(`${address}/metrics`)).text();
const rows = Number(/serving_inference_rows_total\{model="iris"\} (\d+)/.exec(text)?.[1] ?? 0);
const batches = Number(/serving_batch_executions_total\{model="iris"\} (\d+)/.exec(text)?.[1] ?? 1);
process.stdout.write(
  `${connections} connections, ${rowsPerRequest} rows/request, ${seconds}s: ` +
    `${Math.round(latencies.length / seconds)} req/s, ${Math.round((latencies.length * rowsPerRequest) / seconds)} rows/s, ` +
    `p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, errors ${errors}, mean batch ${(rows / batches).toFixed(1)} rows\n`,
);
agent.destroy();
await app.close();
factory.dispose();
const cleanup = new Redis(env.REDIS_URL);
await cleanup.del(redisKeys(prefix).predictions('iris'));
await cleanup.quit();
