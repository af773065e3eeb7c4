/**
 * `npm start`: every service on the embedded defaults, kept running until Ctrl-C.
 * State lives in MLOPS_DATA_DIR (default `.mlops/` in the repository), so models, datasets and
 * the admin token survive a restart; the CLI (`npx mlops …`) finds the token there.
 */
import path from 'node:path';
import { DEFAULT_PORTS } from '@mlops/contracts';
import { accessEnv, resolveAdminToken } from '@mlops/config';
import { isPortFree } from '../lib/ports';
import { ensureRedis, type RedisHandle } from '../lib/redis';
import { launchPlatform } from '../lib/platform';
import { REPO_ROOT, ServiceSupervisor } from '../lib/services';

const dataDir = path.resolve(REPO_ROOT, process.env.MLOPS_DATA_DIR ?? '.mlops');
// A crashed service comes back on its own; only Ctrl-C (or repeated crashes) stops everything.
const supervisor = new ServiceSupervisor(path.join(dataDir, 'logs'), {
  restart: true,
  onGiveUp: (service) => {
    process.stderr.write(`${service.name} keeps crashing; stopping the platform.\n`);
    void stop(1);
  },
});
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
  };
  // Each app gets its own service token; only the registry holds the admin token.
  const { registry, trainer, serving, monitor, web } = await launchPlatform({
    supervisor,
    adminToken: token,
    ports,
    apps: ['trainer', 'serving', 'monitor', 'web'],
    env,
  });
  if (!registry || !trainer || !serving || !monitor || !web)
    throw new Error('a service did not start');

  const lines = [
    '',
    'MLOps platform is running (a crashed service is restarted; Ctrl-C stops everything):',
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
    ...signInLines(process.env.MLOPS_TOKEN ? 'the MLOPS_TOKEN you set' : file),
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

/**
 * Reads need a token unless MLOPS_PUBLIC_READS=true (issue #16): say where the admin token is
 * and how the dashboard and the CLI get it, never the token itself.
 */
function signInLines(where: string): string[] {
  const open = accessEnv.MLOPS_PUBLIC_READS.parse(process.env.MLOPS_PUBLIC_READS);
  return [
    open
      ? 'Reads are open to anyone who can reach these ports (MLOPS_PUBLIC_READS=true); writes need the token.'
      : 'Every call, reads included, needs a token (MLOPS_PUBLIC_READS=true opens reads, on a laptop only):',
    `  dashboard: paste the admin token (${where}) into "API token" and Sign in`,
    process.env.MLOPS_TOKEN
      ? '  CLI:       set the same MLOPS_TOKEN (or pass --token)'
      : `  CLI:       npx mlops run from the repository finds it in ${dataDir}; elsewhere pass --token or set MLOPS_TOKEN`,
  ];
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
main().catch(async (err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await stop(1);
});
