/**
 * `npm run demo [-- --json] [-- --keep] [-- --retrain | --images | --pipeline]`: the whole loop
 * on embedded defaults — on Iris rows, twice with `--retrain`, on skin-lesion photos with
 * `--images`, or as pipelines/demo.yaml run twice (the re-run from the cache) with `--pipeline`,
 * where drift on shifted traffic then starts pipelines/iris-retrain.yaml through the monitor.
 * Starts Redis (if none answers) and the four services in a throwaway data directory, drives
 * ingest → train → promote → serve → monitor, prints what happened, and stops everything it
 * started — on success, on failure and on Ctrl-C. Exit code 0 only when every step passed.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
import { resolveAdminToken } from '@mlops/config';
import { freePort } from '../lib/ports';
import { deletePrefix, ensureRedis, type RedisHandle } from '../lib/redis';
import { launchPlatform } from '../lib/platform';
import { ServiceSupervisor, tail } from '../lib/services';
import { runImageLoop, type ImageDemoSummary } from './image-loop';
import { runLoop, type DemoSummary } from './loop';
import { runRetrainLap, type RetrainSummary } from './retrain';
import { runPipelineLap } from './pipeline-lap';
import { DRIFT_PIPELINE_MONITOR_ENV } from './drift-pipeline-lap';
import { Reporter } from './reporter';
import type { LoopUrls } from './steps';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const keep = args.has('--keep');
const retrain = args.has('--retrain');
const images = args.has('--images');
const pipeline = args.has('--pipeline');
if ([retrain, images, pipeline].filter(Boolean).length > 1) {
  process.stderr.write('--retrain, --images and --pipeline are different laps: choose one\n');
  process.exit(2);
}
const report = new Reporter(json);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-demo-'));
const prefix = `demo-${randomBytes(4).toString('hex')}`;
// In the data directory's token file (0600), like `npm start`: a kept directory (--keep) can
// be signed in to, and the CLI finds the token there.
const { token, file: tokenFile } = resolveAdminToken(dataDir, undefined);
const supervisor = new ServiceSupervisor(path.join(dataDir, 'logs'));
let redis: RedisHandle | undefined;
let cleaning: Promise<void> | undefined;

async function cleanup(failed: boolean): Promise<void> {
  cleaning ??= (async () => {
    await supervisor.stopAll();
    if (redis && !redis.started) await deletePrefix(redis.url, prefix).catch(() => undefined);
    await redis?.stop();
    if (failed || keep) report.info(`logs and data kept in ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping everything the demo started…\n`);
    void cleanup(true).finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  redis = await ensureRedis();
  report.info(
    `Redis: ${redis.url}${redis.started ? ' (started for the demo)' : ''}, key prefix "${prefix}"`,
  );

  const ports = {
    registry: await freePort(),
    serving: await freePort(),
    monitor: await freePort(),
    trainer: await freePort(),
  };
  const env = {
    MLOPS_DATA_DIR: dataDir,
    REDIS_URL: redis.url,
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_RECONCILE_MS: '5000',
    MONITOR_POLL_MS: '500',
    LOG_LEVEL: 'info',
    // The second lap: the monitor retrains iris when live accuracy drops (labels are needed to
    // append the feedback, so drift alone does not trigger here; it is still reported).
    ...(retrain
      ? {
          MONITOR_RETRAIN_ON: 'quality',
          MONITOR_RETRAIN_MIN_ACCURACY: '0.8',
          MONITOR_RETRAIN_MIN_FEEDBACK: '20',
          MONITOR_RETRAIN_APPEND_FEEDBACK: 'true',
          MONITOR_RETRAIN_COOLDOWN_MS: '600000',
        }
      : {}),
    // --pipeline: drift starts pipelines/iris-retrain.yaml instead (the monitor's policy names it).
    ...(pipeline ? DRIFT_PIPELINE_MONITOR_ENV : {}),
  };
  // Each app gets its own service token; only the registry and the demo's client hold the admin one.
  const { registry, serving, monitor } = await launchPlatform({
    supervisor,
    adminToken: token,
    ports,
    apps: ['trainer', 'serving', 'monitor'],
    env,
  });
  if (!registry || !serving || !monitor) throw new Error('a service did not start');
  report.info(
    `services: registry ${registry.url}, serving ${serving.url}, monitor ${monitor.url} (logs in ${path.join(dataDir, 'logs')})`,
  );
  report.info(
    `every call needs a token, reads included (MLOPS_PUBLIC_READS is off): the admin token is in ${tokenFile}${keep ? '' : ' (removed at the end unless --keep)'}; give it to the dashboard's "API token" or to the CLI with MLOPS_DATA_DIR=${dataDir}`,
  );

  const client = createRegistryClient({ url: registry.url, token });
  const urls = { serving: serving.url, monitor: monitor.url, token };
  const lap = pipeline
    ? await runPipelineLap(client, report, dataDir, urls)
    : images
      ? await imageLap(client, urls)
      : await irisLap(client, urls);
  const seconds = Math.round(((performance.now() - started) / 1000) * 10) / 10;
  if (json)
    process.stdout.write(
      JSON.stringify({ ok: lap.failures.length === 0, seconds, ...lap.summary }) + '\n',
    );
  else {
    report.info('');
    report.info(`loop done in ${seconds.toFixed(1)} s: ${lap.lines[0]}`);
    for (const line of lap.lines.slice(1)) report.info(line);
  }
  const failures = lap.failures;
  if (failures.length > 0) throw new Error(`demo checks failed:\n  - ${failures.join('\n  - ')}`);
}

/** What a lap hands back: its JSON summary, the checks that failed, and lines for a person. */
interface LapResult {
  summary: object;
  failures: string[];
  lines: string[];
}

async function irisLap(client: RegistryClient, urls: LoopUrls): Promise<LapResult> {
  const summary: DemoSummary = await runLoop(client, urls, report);
  let second: RetrainSummary | undefined;
  if (retrain) {
    report.info('');
    report.info('second lap: the world shifts, labels come back, the monitor retrains');
    second = await runRetrainLap(urls, report, summary.model.version, client);
  }
  const failures: string[] = [];
  if (second) {
    if (!second.drift)
      failures.push('the monitor did not flag drift on the shifted traffic of the second lap');
    if (second.version === null) failures.push('the retraining registered no version');
    if (second.promoted && second.served_version_after !== second.version)
      failures.push('serving did not answer with the retrained version');
  }
  if (summary.holdout.accuracy < 0.9)
    failures.push(`held-out accuracy ${summary.holdout.accuracy} is below 0.9`);
  if (summary.drift.heldout)
    failures.push('the monitor flagged drift on held-out traffic (expected none)');
  if (!summary.drift.shifted) failures.push('the monitor did not flag drift on shifted traffic');
  if (summary.tests.passed + summary.tests.failed === 0)
    failures.push('the trained version has no platform model tests');
  if (!summary.validation.anomalies.some((a) => a.kind === 'out_of_range'))
    failures.push('validation found no out-of-range values in the shifted dataset');
  const lines = [
    `dataset ${summary.dataset.hash.slice(0, 12)}…, ${summary.model.name} v${summary.model.version} is "${summary.alias}",`,
    `held-out accuracy ${summary.holdout.accuracy} over HTTP, p50 ${summary.serving.p50_ms} ms / p99 ${summary.serving.p99_ms} ms,`,
    `drift: held-out ${summary.drift.heldout ? 'DRIFTED' : 'none'}; shifted ${summary.drift.shifted ? `DRIFTED (${summary.drift.shifted_columns.join(', ')})` : 'none'}`,
    `model tests: ${summary.tests.passed} passed, ${summary.tests.failed} failed; lift over the ${summary.baseline.against ?? '?'} baseline ${summary.baseline.lift ?? '?'}`,
    `validation of ${summary.validation.dataset} v${summary.validation.version}: ${summary.validation.anomalies.length} anomalies (${[...new Set(summary.validation.anomalies.map((a) => a.kind))].join(', ')})`,
  ];
  if (second)
    lines.push(
      `retrain: live accuracy ${second.live_accuracy_before ?? '?'} → ${second.trigger} → run ${second.run_id ?? '?'} → v${second.version ?? '?'} ${second.promoted ? `promoted, serving answers with it (accuracy ${second.accuracy_after ?? '?'} on shifted rows)` : `not promoted: ${second.detail ?? ''}`}`,
    );
  return { summary: { ...summary, ...(second ? { retrain: second } : {}) }, failures, lines };
}

async function imageLap(client: RegistryClient, urls: LoopUrls): Promise<LapResult> {
  const summary: ImageDemoSummary = await runImageLoop(client, urls, report, dataDir);
  const failures: string[] = [];
  if (summary.holdout.accuracy < 0.9)
    failures.push(`held-out accuracy ${summary.holdout.accuracy} is below 0.9`);
  if (!summary.serving.v2_ok)
    failures.push(
      `OIP v2 answers differ from the b64 ones (largest difference ${summary.serving.v2_max_abs_diff})`,
    );
  if (summary.drift.heldout)
    failures.push('the monitor flagged image drift on held-out photos (expected none)');
  if (!summary.drift.shifted)
    failures.push('the monitor did not flag image drift on the under-exposed photos');
  const lines = [
    `${summary.dataset.images} photos in ${summary.dataset.classes} classes, ${summary.model.name} v${summary.model.version} is "${summary.alias}" (${summary.run.images_per_s ?? '?'} images/s on ${summary.run.backend ?? '?'}),`,
    `held-out accuracy ${summary.holdout.accuracy} over HTTP (b64 and OIP v2 agree: ${summary.serving.v2_ok ? 'yes' : 'NO'}), p50 ${summary.serving.p50_ms} ms / p99 ${summary.serving.p99_ms} ms,`,
    `image drift: held-out ${summary.drift.heldout ? 'DRIFTED' : 'none'}; under-exposed ${summary.drift.shifted ? `DRIFTED (${summary.drift.shifted_columns.join(', ')})` : 'none'}`,
  ];
  return { summary, failures, lines };
}

main()
  .then(() => cleanup(false))
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    for (const service of supervisor.list()) {
      process.stderr.write(
        `--- last lines of ${service.name} (${service.logFile}) ---\n${tail(service.logFile, 8)}\n`,
      );
    }
    await cleanup(true);
    process.exit(1);
  });
