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
  ports: z
    .array(z.union([z.string(), z.looseObject({ host_ip: z.string().optional() })]))
    .optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
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
  const compose = composeSchema.parse(yamlDocuments(r.stdout)[0]);
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
    report.expect(env.MLOPS_BIND === '0.0.0.0', `compose: ${app} listens on 0.0.0.0 (MLOPS_BIND)`);
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
  checkExposure(file, services, apps, report);

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

type Services = z.infer<typeof composeSchema>['services'];

/**
 * What an attacker on the network finds (issue #16): published ports on loopback unless asked
 * otherwise, a Redis that wants a password, and each app with its own token.
 */
function checkExposure(file: string, services: Services, apps: string[], report: Report): void {
  for (const [name, svc] of Object.entries(services))
    for (const port of svc.ports ?? []) {
      const host = typeof port === 'string' ? port.split(':')[0] : port.host_ip;
      report.expect(
        host === '127.0.0.1',
        `compose: ${name} publishes ${JSON.stringify(port)} on 127.0.0.1 only`,
      );
    }
  const raw = fs.readFileSync(file, 'utf8');
  const published = [...raw.matchAll(/ports: \[(.*)\]/g)].map((m) => m[1] ?? '');
  report.expect(
    published.length > 0 &&
      published.every((p) => p.startsWith("'${MLOPS_PUBLISH_ADDRESS:-127.0.0.1}:")),
    'compose.yaml publishes every port on ${MLOPS_PUBLISH_ADDRESS:-127.0.0.1}',
  );
  const redisCommand = [services.redis?.command ?? ''].flat().join(' ');
  report.expect(/--requirepass\b/.test(redisCommand), 'compose: redis requires a password');
  const tokens = new Map<string, string>();
  for (const app of apps) {
    const env = services[app]?.environment ?? {};
    if (app !== 'web')
      report.expect(
        /^rediss?:\/\/[^@/]*:[^@/]+@/.test(String(env.REDIS_URL)),
        `compose: ${app} REDIS_URL carries the password`,
      );
    if (typeof env.MLOPS_TOKEN === 'string') tokens.set(app, env.MLOPS_TOKEN);
  }
  const admin = tokens.get('registry');
  for (const [app, token] of tokens)
    if (app !== 'registry')
      report.expect(token !== admin, `compose: ${app} has its own token, not the admin token`);
  report.expect(!tokens.has('web'), "compose: web holds no token (it forwards its users')");
}
