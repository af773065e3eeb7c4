/**
 * `npm run infra:images [-- app…]`: builds the local base image when it is missing (cached by
 * its recipe), then every app image from its real Dockerfile in infra/docker — the files users
 * build with Docker, unchanged — with podman. Prints each image's size and build time, and ends
 * with `images: N built, N failed`. The GPU trainer's image is not built: its CUDA base cannot be
 * pulled or assembled here.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  IMAGE_APPS,
  imageName,
  imageSize,
  megabytes,
  podmanMissing,
  podmanStreamed,
} from './podman';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const here = path.dirname(fileURLToPath(import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);
const verbose = process.argv.includes('--verbose');
const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const apps: string[] = asked.length > 0 ? asked : [...IMAGE_APPS];

const missing = podmanMissing();
if (missing) {
  say(`${missing}: no image built`);
  say(`images: 0 built, ${apps.length} failed`);
  process.exit(1);
}

const base = spawnSync('bash', [path.join(here, 'base-image.sh')], {
  stdio: 'inherit',
});
if (base.status !== 0) {
  say('the base image could not be built: no app image built');
  say(`images: 0 built, ${apps.length} failed`);
  process.exit(1);
}

// Which lockfile each image's dependencies came from: .ci/run builds the images only when they
// exist from this lockfile (its npm ci layers are then in podman's cache: minutes, not the half
// hour of a cold build).
const lockfile = createHash('sha256')
  .update(fs.readFileSync(path.join(root, 'package-lock.json')))
  .digest('hex');

let built = 0;
const failed: string[] = [];
for (const app of apps) {
  const dockerfile = path.join('infra', 'docker', `${app}.Dockerfile`);
  const started = performance.now();
  const tail: string[] = [];
  say(`build ${imageName(app)} from ${dockerfile}`);
  const code = await podmanStreamed(
    [
      'build',
      // Docker's image format keeps HEALTHCHECK (OCI images drop it), which infra:smoke waits on.
      '--format',
      'docker',
      '--network',
      'host',
      '--label',
      `org.mlops.lockfile=${lockfile}`,
      // BuildKit reads <name>.Dockerfile.dockerignore beside the Dockerfile; podman needs it named.
      '--ignorefile',
      `${dockerfile}.dockerignore`,
      '--file',
      dockerfile,
      '--tag',
      imageName(app),
      root,
    ],
    (line) => {
      if (verbose) say(`  ${line}`);
      tail.push(line);
      if (tail.length > 30) tail.shift();
    },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const size = imageSize(imageName(app));
  if (code === 0 && size !== null) {
    built += 1;
    say(`  ${app}: ${megabytes(size)}, built in ${seconds} s`);
  } else {
    failed.push(app);
    say(`  ${app}: FAILED after ${seconds} s — last lines:\n    ${tail.join('\n    ')}`);
  }
}
if (!apps.includes('trainer-gpu'))
  say('  trainer-gpu: skipped (its CUDA base image cannot be pulled or assembled here)');
say(
  `images: ${built} built, ${failed.length} failed${failed.length ? ` (${failed.join(', ')})` : ''}`,
);
if (failed.length > 0) process.exitCode = 1;
