import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { APP_PORTS } from './apps';
import type { Report } from './report';
import { has, run, yamlDocuments } from './tools';

const serviceSchema = z.looseObject({
  image: z.string().optional(),
  build: z.looseObject({ dockerfile: z.string().optional() }).optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
  healthcheck: z.looseObject({ test: z.array(z.string()).or(z.string()) }).optional(),
  depends_on: z.record(z.string(), z.looseObject({ condition: z.string() })).optional(),
});
const composeSchema = z.looseObject({ services: z.record(z.string(), serviceSchema) });

const INFRA = ['redis', 'postgres', 'minio', 'minio-init', 'prometheus', 'grafana'];
const REGISTRY_STORAGE_ENV = [
  'DATABASE_URL',
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_ACCESS_KEY',
  'S3_SECRET_KEY',
  'S3_REGION',
  'S3_PATH_STYLE',
];
const DASHBOARD_METRICS = [
  ':bull:train:wait', // queue depth
  'trainer_jobs_completed_total', // training progress
  'serving_requests_total', // request rate
  'serving_queue_seconds_bucket', // latency
  'serving_inference_exec_count_total', // batch size
  'monitor_dataset_drift', // drift
];

/** `docker-compose config` (v1, Debian) validates the file; then the platform's own rules. */
export function checkCompose(root: string, apps: string[], scope: string, report: Report): void {
  const file = path.join(root, 'infra', 'compose.yaml');
  const envFile = path.join(root, 'infra', '.env.example');
  if (!has('docker-compose')) {
    report.expect(false, 'docker-compose is installed (apt-get install docker-compose)');
    return;
  }
  const r = run('docker-compose', ['-f', file, '--env-file', envFile, 'config'], { cwd: root });
  report.expect(
    r.ok,
    `docker-compose config accepts infra/compose.yaml with infra/.env.example${r.ok ? '' : `:\n${r.stderr}`}`,
  );
  if (!r.ok) return;
  const compose = composeSchema.parse(yamlDocuments(r.stdout, root)[0]);
  const services = compose.services;

  for (const name of [...INFRA, ...apps])
    report.expect(name in services, `compose: service ${name}`);
  for (const name of ['redis', 'postgres', 'minio'])
    report.expect(!!services[name]?.healthcheck, `compose: ${name} has a healthcheck`);
  for (const [name, svc] of Object.entries(services)) {
    if (svc.image)
      report.expect(
        /:[^/]+$/.test(svc.image) && !svc.image.endsWith(':latest'),
        `compose: ${name} image ${svc.image} has a pinned tag`,
      );
    for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
      report.expect(dep in services, `compose: ${name} depends on existing service ${dep}`);
      if (apps.includes(name))
        report.expect(
          cond.condition !== 'service_started',
          `compose: ${name} waits for ${dep} to be ${cond.condition} (not just started)`,
        );
    }
  }
  for (const app of apps) {
    const svc = services[app];
    if (!svc) continue;
    const env = svc.environment ?? {};
    report.expect(
      svc.build?.dockerfile === `infra/docker/${app}.Dockerfile`,
      `compose: ${app} builds infra/docker/${app}.Dockerfile`,
    );
    report.expect(
      svc.image?.startsWith(`${scope}/${app}:`) ?? false,
      `compose: ${app} image is ${scope}/${app}:<tag>`,
    );
    report.expect(!!svc.healthcheck, `compose: ${app} has a healthcheck`);
    report.expect(env.HOST === '0.0.0.0', `compose: ${app} listens on 0.0.0.0`);
    const port = APP_PORTS[app];
    if (port)
      report.expect(
        String(env[port.variable]) === String(port.port),
        `compose: ${app} ${port.variable}=${port.port}`,
      );
    if (app !== 'web')
      report.expect(
        typeof env.REDIS_URL === 'string' && typeof env.MLOPS_TOKEN === 'string',
        `compose: ${app} has REDIS_URL and MLOPS_TOKEN`,
      );
  }
  const registryEnv = services.registry?.environment ?? {};
  for (const v of REGISTRY_STORAGE_ENV)
    report.expect(
      typeof registryEnv[v] === 'string' && registryEnv[v] !== '',
      `compose: registry ${v} is set`,
    );
  report.expect(
    services.registry?.depends_on?.['minio-init']?.condition === 'service_completed_successfully',
    'compose: registry waits for the bucket (minio-init completed)',
  );

  // Every variable compose.yaml interpolates is documented in .env.example.
  const vars = new Set(
    [...fs.readFileSync(file, 'utf8').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!),
  );
  const documented = new Set(
    [...fs.readFileSync(envFile, 'utf8').matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]!),
  );
  for (const v of vars) report.expect(documented.has(v), `.env.example documents ${v}`);

  const prometheus = fs.readFileSync(
    path.join(root, 'infra', 'prometheus', 'prometheus.yml'),
    'utf8',
  );
  for (const app of apps) {
    const port = APP_PORTS[app]?.port;
    report.expect(
      new RegExp(`job_name: ${app}\\b`).test(prometheus) &&
        (port === undefined || prometheus.includes(String(port))),
      `prometheus scrapes ${app}${port ? ` on :${port}` : ''}`,
    );
  }
  const dashboard = fs.readFileSync(
    path.join(root, 'infra', 'grafana', 'dashboards', 'mlops-loop.json'),
    'utf8',
  );
  z.looseObject({ uid: z.string(), panels: z.array(z.unknown()).min(1) }).parse(
    JSON.parse(dashboard),
  );
  for (const metric of DASHBOARD_METRICS)
    report.expect(dashboard.includes(metric), `grafana dashboard plots ${metric}`);
}
