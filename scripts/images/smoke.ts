/**
 * `npm run infra:smoke`: runs the images `npm run infra:images` built as containers — hardened as
 * the Kubernetes manifests run them (read-only root, uid 1000, no capabilities, tmpfs where the
 * manifests mount an emptyDir) — against this machine's Redis, a fresh Postgres database and an
 * S3 protocol server (s3rver), waits for each container's own HEALTHCHECK, then drives the
 * demo's loop through them: ingest, train, promote, predict, drift; then imports the trained
 * model's files again as an external TF.js model (the registry's import check, which loads
 * TF.js only on first use). Removes everything it
 * started; on failure prints the containers' logs. Ends with one line
 * `images: N built, N healthy, loop ok` (or `loop FAILED: …`).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient } from '@mlops/client';
import { SERVICE_PORTS } from '@mlops/contracts';
import { resolveAdminToken, serviceToken } from '@mlops/config';
import {
  createTestPostgres,
  startTestS3,
  type TestPostgres,
  type TestS3,
} from '@mlops/storage/testing';
import { runLoop } from '../demo/loop';
import { Reporter } from '../demo/reporter';
import { freePort } from '../lib/ports';
import { deletePrefix, ensureRedis, type RedisHandle } from '../lib/redis';
import { sleep } from '../lib/wait';
import {
  healthy,
  imageExists,
  logs,
  processUid,
  removeContainer,
  removeVolume,
  running,
  startContainer,
} from './containers';
import { IMAGE_APPS, imageName, podmanMissing, type ImageApp } from './podman';
import { reimportVersion } from './reimport';

const say = (line: string) => process.stdout.write(`${line}\n`);
/**
 * Where each app's manifest mounts an emptyDir (infra/k8s/base), the only writable paths:
 * `/tmp` everywhere, and the registry's `/data` (a named volume here, see containers.ts).
 */
const SCRATCH = ['/tmp'];
const STATE: Partial<Record<ImageApp, string>> = { registry: '/data' };
const HEALTHY_WITHIN_MS = 60_000;

const run = randomBytes(4).toString('hex');
const containerOf = (app: ImageApp) => `mlops-smoke-${run}-${app}`;
const volumeOf = (app: ImageApp) => `mlops-smoke-${run}-${app}-data`;
const started: ImageApp[] = [];
let redis: RedisHandle | undefined;
let postgres: TestPostgres | undefined;
let s3: TestS3 | undefined;
const prefix = `smoke-${run}`;
const tokenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-smoke-'));

async function main(): Promise<{ built: number; healthy: number }> {
  const missing = podmanMissing();
  if (missing) throw new Error(missing);
  const absent = IMAGE_APPS.filter((app) => !imageExists(imageName(app)));
  if (absent.length > 0)
    throw new Error(`no image for ${absent.join(', ')}: run npm run infra:images first`);

  redis = await ensureRedis();
  postgres = await createTestPostgres();
  s3 = await startTestS3();
  say(
    `Redis ${redis.url} (prefix ${prefix}), Postgres database ${postgres.name}, S3 bucket ${s3.config.bucket} on :${s3.port}`,
  );

  const { token } = resolveAdminToken(tokenDir, undefined);
  const ports = Object.fromEntries(
    await Promise.all(IMAGE_APPS.map(async (app) => [app, await freePort()] as const)),
  ) as Record<ImageApp, number>;
  const url = (app: ImageApp) => `http://127.0.0.1:${ports[app]}`;
  const shared = {
    NODE_ENV: 'production',
    MLOPS_BIND: '127.0.0.1',
    LOG_LEVEL: 'info',
    REDIS_URL: redis.url,
    MLOPS_REDIS_PREFIX: prefix,
    REGISTRY_URL: url('registry'),
    SERVING_URL: url('serving'),
    MONITOR_URL: url('monitor'),
    TRAINER_URL: url('trainer'),
    SERVING_RECONCILE_MS: '5000',
    MONITOR_POLL_MS: '500',
  };
  const appEnv: Record<ImageApp, Record<string, string>> = {
    registry: {
      MLOPS_DATA_DIR: '/data',
      DATABASE_URL: postgres.url,
      S3_ENDPOINT: s3.config.endpoint,
      S3_BUCKET: s3.config.bucket,
      S3_ACCESS_KEY: s3.config.accessKey,
      S3_SECRET_KEY: s3.config.secretKey,
      S3_REGION: s3.config.region ?? 'us-east-1',
      S3_PATH_STYLE: 'true',
    },
    trainer: {},
    serving: { SERVING_ALIAS: 'champion' },
    monitor: {},
    web: {},
  };

  let healthyCount = 0;
  // One at a time, so each startup time is the image's own and not a share of two cores: the
  // registry first (every other app reads it at start), the web app last (its /readyz waits for
  // the registry, serving and monitor).
  for (const app of IMAGE_APPS) {
    const startedAt = performance.now();
    startContainer({
      name: containerOf(app),
      image: imageName(app),
      tmpfs: SCRATCH,
      volumes: STATE[app] ? { [volumeOf(app)]: STATE[app] } : {},
      env: {
        ...shared,
        ...appEnv[app],
        [SERVICE_PORTS[app].variable]: String(ports[app]),
        MLOPS_TOKEN: app === 'registry' ? token : serviceToken(token, app),
      },
    });
    started.push(app);
    const { ready, healthy: passed } = await waitHealthy(app, url(app), startedAt);
    healthyCount += 1;
    say(
      `  ${app}: /readyz ok after ${ready.toFixed(1)} s, HEALTHCHECK passed after ${passed.toFixed(1)} s, uid ${processUid(containerOf(app))}`,
    );
  }

  const client = createRegistryClient({ url: url('registry'), token });
  const summary = await runLoop(
    client,
    { serving: url('serving'), monitor: url('monitor'), token },
    new Reporter(false),
  );
  const failures: string[] = [];
  if (summary.holdout.accuracy < 0.9)
    failures.push(`held-out accuracy ${summary.holdout.accuracy}`);
  if (summary.drift.heldout) failures.push('drift flagged on held-out traffic');
  if (!summary.drift.shifted) failures.push('no drift flagged on shifted traffic');
  if (failures.length > 0) throw new Error(failures.join('; '));
  say(
    `loop through the containers: ${summary.model.name} v${summary.model.version}, held-out accuracy ${summary.holdout.accuracy}, p50 ${summary.serving.p50_ms} ms, drift on shifted traffic: ${summary.drift.shifted_columns.join(', ')}`,
  );
  const importStarted = performance.now();
  const imported = await reimportVersion(client, summary.model.name, summary.model.version);
  say(
    `model import check (TF.js, loaded on first use): ${imported.model} v${imported.version} registered in ${((performance.now() - importStarted) / 1000).toFixed(1)} s`,
  );
  return { built: IMAGE_APPS.length, healthy: healthyCount };
}

/**
 * Seconds from `podman run` until the app is ready — GET /readyz, the manifests' readiness
 * probe, answers 200: its database, store, Redis or upstreams answer (the startup time; the host
 * shares the container's network) — and until the image's own
 * HEALTHCHECK passes (which starts a second node process per probe, so it lags). Throws with the
 * logs if either never does.
 */
async function waitHealthy(
  app: ImageApp,
  base: string,
  t0: number,
): Promise<{ ready: number; healthy: number }> {
  const name = containerOf(app);
  const elapsed = () => (performance.now() - t0) / 1000;
  let ready: number | null = null;
  let checkedRunning = 0;
  while (performance.now() - t0 < HEALTHY_WITHIN_MS) {
    // Each check starts a podman process: once a second, not on every probe, or the checks
    // would take the CPU the starting app needs.
    if (performance.now() - checkedRunning > 1000) {
      if (!running(name)) throw new Error(`${app} exited:\n${logs(name)}`);
      checkedRunning = performance.now();
    }
    if (ready === null) {
      const ok = await fetch(`${base}/readyz`, {
        signal: AbortSignal.timeout(1000),
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) ready = elapsed();
      else {
        await sleep(50);
        continue;
      }
    }
    if (healthy(name)) return { ready, healthy: elapsed() };
    await sleep(250);
  }
  throw new Error(`${app} not healthy after ${HEALTHY_WITHIN_MS / 1000} s:\n${logs(name)}`);
}

async function cleanup(): Promise<void> {
  for (const app of started) removeContainer(containerOf(app));
  for (const app of started) if (STATE[app]) removeVolume(volumeOf(app));
  await s3?.close().catch(() => undefined);
  await postgres?.drop().catch(() => undefined);
  if (redis && !redis.started) await deletePrefix(redis.url, prefix).catch(() => undefined);
  await redis?.stop();
  fs.rmSync(tokenDir, { recursive: true, force: true });
}

main()
  .then(async ({ built, healthy: up }) => {
    await cleanup();
    say(`images: ${built} built, ${up} healthy, loop ok`);
  })
  .catch(async (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`\ninfra:smoke failed: ${message}\n`);
    for (const app of started)
      process.stderr.write(`--- last lines of ${app} ---\n${logs(containerOf(app), 20)}\n`);
    await cleanup();
    say(
      `images: ${IMAGE_APPS.filter((a) => imageExists(imageName(a))).length} built, ${started.length} started, loop FAILED: ${message.split('\n')[0]}`,
    );
    process.exit(1);
  });
