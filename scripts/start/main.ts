/**
 * `npm start`: every service on the embedded defaults, kept running until Ctrl-C.
 * State lives in MLOPS_DATA_DIR (default `.mlops/` in the repository), so models, datasets and
 * the admin token survive a restart; the CLI (`npx mlops …`) finds the token there.
 */
import path from 'node:path';
import { DEFAULT_PORTS } from '@mlops/contracts';
import { resolveAdminToken, serviceToken } from '@mlops/config';
import { isPortFree } from '../lib/ports';
import { ensureRedis, type RedisHandle } from '../lib/redis';
import { REPO_ROOT, ServiceSupervisor, tail, type ServiceSpec } from '../lib/services';

const dataDir = path.resolve(REPO_ROOT, process.env.MLOPS_DATA_DIR ?? '.mlops');
const supervisor = new ServiceSupervisor(path.join(dataDir, 'logs'));
let redis: RedisHandle | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    process.stderr.write('\nstopping services…\n');
    await supervisor.stopAll();
    await redis?.stop();
  }
  process.exit(code);
}

async function main(): Promise<void> {
  const ports = {
    registry: Number(process.env.REGISTRY_PORT ?? DEFAULT_PORTS.registry),
    serving: Number(process.env.SERVING_PORT ?? DEFAULT_PORTS.serving),
    monitor: Number(process.env.MONITOR_PORT ?? DEFAULT_PORTS.monitor),
    trainer: Number(process.env.TRAINER_PORT ?? 7604),
    web: Number(process.env.WEB_PORT ?? DEFAULT_PORTS.web),
  };
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isPortFree(port))) {
      throw new Error(
        `port ${port} for ${name} is taken (another "npm start"?). Set ${name.toUpperCase()}_PORT to another port.`,
      );
    }
  }
  redis = await ensureRedis();
  const { token, generated, file } = resolveAdminToken(dataDir, process.env.MLOPS_TOKEN);
  const env = {
    MLOPS_DATA_DIR: dataDir,
    REDIS_URL: redis.url,
    MLOPS_REDIS_PREFIX: process.env.MLOPS_REDIS_PREFIX ?? 'mlops',
    MLOPS_TOKEN: token,
    REGISTRY_URL: `http://127.0.0.1:${ports.registry}`,
  };
  // Serving and the monitor act under their own names (service:<name>): the monitor's automatic
  // promotions are audited as its own, and neither holds the admin token.
  const own = (name: ServiceSpec['name']) =>
    name === 'serving' || name === 'monitor'
      ? { ...env, MLOPS_TOKEN: serviceToken(token, name) }
      : env;
  const start = (name: ServiceSpec['name']) =>
    supervisor.start({ name, port: ports[name], env: own(name) });
  const registry = await start('registry');
  const [trainer, serving, monitor] = await Promise.all([
    start('trainer'),
    start('serving'),
    start('monitor'),
  ]);
  // The dashboard proxies to the others, so the browser needs only its one origin.
  const web = await supervisor.start({
    name: 'web',
    port: ports.web,
    env: { ...env, SERVING_URL: serving.url, MONITOR_URL: monitor.url },
  });

  for (const service of supervisor.list()) {
    service.child.once('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(
        `\n${service.name} stopped unexpectedly (${signal ?? `exit ${code}`}):\n${tail(service.logFile, 15)}\n`,
      );
      void stop(1);
    });
  }

  const lines = [
    '',
    'MLOps platform is running (Ctrl-C stops everything):',
    `  registry  ${registry.url}   (tRPC at /trpc, uploads at /api)`,
    `  serving   ${serving.url}   (POST /v1/models/<name>:predict, follows alias "champion")`,
    `  monitor   ${monitor.url}   (GET /v1/drift/<name>, POST /v1/feedback)`,
    '            serving and the monitor need "Authorization: Bearer <token>" (the CLI sends it;',
    "            clients get narrower tokens from the registry's tokens.create: predict, feedback)",
    `  trainer   ${trainer.url}   (health and metrics; jobs come from Redis)`,
    `  dashboard ${web.url}   (sign in with the token below)`,
    `  redis     ${redis.url}${redis.started ? ' (started for you, not persisted)' : ''}`,
    `  data      ${dataDir}   (logs in ${path.join(dataDir, 'logs')})`,
    `  token     ${generated ? 'generated and stored in' : 'read from'} ${process.env.MLOPS_TOKEN ? 'MLOPS_TOKEN' : file}`,
    '',
    'Try, in another terminal:',
    '  npx mlops ingest scripts/demo/data/iris.csv --name iris',
    '  npx mlops train --dataset iris --target species --model iris',
    '  npx mlops promote iris 1',
    `  npx mlops predict iris --instance '{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}'`,
    '  npx mlops drift iris',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
main().catch(async (err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await stop(1);
});
