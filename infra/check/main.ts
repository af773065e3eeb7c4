/**
 * `npm run infra:check`: validates the deployment files offline — compose (docker-compose v1
 * `config`), the kustomize overlays (`kubectl kustomize` + field checks) and the Dockerfiles
 * (a lint of our own: hadolint is in neither Debian nor npm). Exit 1 on any failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployableApps, packageScope } from './apps';
import { checkCompose } from './compose';
import { lintDockerfile } from './dockerfiles';
import { checkOverlay } from './kustomize';
import { checkCommittedSecrets } from './secrets';
import { ensureDevOverlaySecrets } from '../secrets/generate';
import { Report } from './report';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const report = new Report((line) => process.stdout.write(`${line}\n`));
const apps = deployableApps(root);
const scope = packageScope(root);

report.section(`Dockerfiles (apps: ${apps.join(', ')})`);
for (const app of apps) {
  const file = path.join(root, 'infra', 'docker', `${app}.Dockerfile`);
  report.expect(fs.existsSync(file), `infra/docker/${app}.Dockerfile exists`);
  if (fs.existsSync(file)) lintDockerfile(file, app, scope, report);
  // The image runs apps/<app>/dist/server.js: `npm run build` must bundle it (scripts/build/build-app.mjs).
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'apps', app, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const build = pkg.scripts?.build ?? '';
  report.expect(
    /build-app\.mjs\b.*\bsrc\/server\.ts/.test(build),
    `apps/${app} "build" bundles src/server.ts into dist/server.js with scripts/build/build-app.mjs (found "${build}")`,
  );
}

report.section('generated secrets');
// The dev overlay renders only with its generated secrets (gitignored): make them if absent.
for (const { file, created } of ensureDevOverlaySecrets(root))
  if (created) report.note(`generated ${path.relative(root, file)} (npm run infra:secrets)`);
checkCommittedSecrets(root, report);

report.section('compose');
checkCompose(root, apps, scope, report);

for (const overlay of [
  { name: 'dev', externalSecrets: [] },
  {
    name: 'prod',
    externalSecrets: [
      ...['registry', 'trainer', 'serving', 'monitor'].map((app) => `mlops-token-${app}`),
      'mlops-redis',
      'mlops-registry',
    ],
  },
]) {
  report.section(`kustomize overlay ${overlay.name}`);
  checkOverlay(root, overlay, apps, scope, report);
}

process.stdout.write(`\n${report.summary()}\n`);
process.exitCode = report.failures.length > 0 ? 1 : 0;
