/**
 * `npm run infra:compose`: infra/compose.yaml run by docker-compose (v1, Debian's
 * `docker-compose` package) against podman's Docker API, for the services whose image exists on
 * this machine — the app images `npm run infra:images` built (IMAGE_PREFIX=localhost/mlops) and
 * any third-party image already present. The others (Redis, Postgres, MinIO, Prometheus, Grafana,
 * redis-exporter when no registry can be pulled from) are named as skipped, and so are the apps'
 * checks that need them: without Redis and Postgres on the compose network an app cannot become
 * ready, so what this proves is the file itself — it validates (`config`), its networks, volumes,
 * environment and healthchecks are created by a real compose client, and each started container
 * runs its image's command — and it prints each container's state as it is, after a wait.
 * Removes everything it started (`down --volumes`). Ends with
 * `compose: N of N created, N running …, N skipped (…)`.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ensureComposeEnv } from '../../infra/secrets/generate';
import { sleep } from '../lib/wait';
import { podman, podmanMissing } from './podman';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const say = (line: string) => process.stdout.write(`${line}\n`);
const SOCKET = '/run/podman/podman.sock';
const PROJECT = `mlops-compose-${process.pid}`;
const WAIT_MS = 30_000;
/** How long `up` may take: it waits for `service_healthy` dependencies, which may never be. */
const UP_WITHIN_MS = 120_000;
const HEALTHCHECK_EVERY_MS = 5_000;

// A loaded machine answers slower than docker-compose's default 60 s per API request.
const env = {
  ...process.env,
  DOCKER_HOST: `unix://${SOCKET}`,
  IMAGE_PREFIX: 'localhost/mlops',
  COMPOSE_HTTP_TIMEOUT: '600',
};
function compose(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(
    'docker-compose',
    ['-p', PROJECT, '-f', 'infra/compose.yaml', '--env-file', 'infra/.env', ...args],
    { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

/**
 * `docker-compose up`, with the project's healthchecks run by hand meanwhile. podman runs a
 * container's HEALTHCHECK from a systemd timer; without systemd (this machine) it never runs and
 * every container stays `starting`, so `up` waited forever for the web service, whose
 * dependencies must be `service_healthy` (serving and monitor stay up and answer /healthz, but
 * nothing ever said so). `podman healthcheck run` is what the timer would do. Bounded by
 * UP_WITHIN_MS: a dependency that never becomes healthy fails the run, naming the waiting state.
 */
async function composeUp(
  services: string[],
): Promise<{ ok: boolean; out: string; timedOut?: boolean }> {
  const child = spawn(
    'docker-compose',
    [
      '-p',
      PROJECT,
      '-f',
      'infra/compose.yaml',
      '--env-file',
      'infra/.env',
      'up',
      '--detach',
      '--no-build',
      '--no-deps',
      ...services,
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const started = performance.now();
  let code: number | null | 'timeout' = null;
  for (;;) {
    const tick = await Promise.race([exited, sleep(HEALTHCHECK_EVERY_MS).then(() => 'tick')]);
    if (tick !== 'tick') {
      code = tick as number | null;
      break;
    }
    if (performance.now() - started > UP_WITHIN_MS) {
      child.kill();
      await exited;
      code = 'timeout';
      break;
    }
    const ids = podman([
      'ps',
      '--quiet',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
    ]);
    // Bounded: `healthcheck run` on a container that is being restarted was seen to hang.
    for (const id of ids.out.split('\n').filter(Boolean))
      spawnSync('podman', ['healthcheck', 'run', id], { stdio: 'ignore', timeout: 10_000 });
  }
  if (code === 'timeout') {
    const states = podman([
      'ps',
      '--all',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
      '--format',
      '{{.Names}}: {{.Status}}',
    ]).out;
    return {
      ok: false,
      timedOut: true,
      out: `${out.trim()}\nup did not return within ${UP_WITHIN_MS / 1000} s; containers:\n${states}`,
    };
  }
  return { ok: code === 0, out: out.trim() };
}

function socketAnswers(): boolean {
  const r = spawnSync('curl', ['-fsS', '--unix-socket', SOCKET, 'http://d/_ping'], {
    encoding: 'utf8',
  });
  return r.status === 0;
}

async function main(): Promise<void> {
  const missing = podmanMissing();
  if (missing) throw new Error(missing);
  if (spawnSync('docker-compose', ['version']).status !== 0)
    throw new Error('docker-compose is not installed (Debian: apt-get install docker-compose)');
  ensureComposeEnv(root);

  // podman's Docker API on its usual socket; started here (and stopped at the end) if absent.
  let service: ReturnType<typeof spawn> | undefined;
  if (!socketAnswers()) {
    fs.mkdirSync(path.dirname(SOCKET), { recursive: true });
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${SOCKET}`], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50 && !socketAnswers(); i += 1) await sleep(200);
    if (!socketAnswers()) throw new Error(`podman system service did not answer on ${SOCKET}`);
  }

  try {
    const config = compose(['config']);
    if (!config.ok) throw new Error(`docker-compose config failed:\n${config.out}`);
    say('compose: infra/compose.yaml validates (docker-compose config)');
    const services = (parse(config.out) as { services: Record<string, { image?: string }> })
      .services;
    const present: string[] = [];
    const skipped: string[] = [];
    for (const [name, svc] of Object.entries(services)) {
      if (svc.image && podman(['image', 'exists', svc.image]).ok) present.push(name);
      else skipped.push(name);
    }
    for (const name of skipped)
      say(`  ${name}: skipped (image ${services[name]?.image ?? '?'} not on this machine)`);
    if (present.length === 0) throw new Error('no service has its image here');

    const up = await composeUp(present);
    // Timed out: a service waits for dependencies that never became healthy (here: no Redis or
    // Postgres, so the apps restart). Not a failure of the file: report each container as it is.
    if (!up.ok && !up.timedOut) throw new Error(`docker-compose up failed:\n${up.out}`);
    if (up.timedOut)
      say(
        `  ${up.out
          .split('\n')
          .slice(-1 - present.length)
          .join('\n  ')}`,
      );
    else await sleep(WAIT_MS);
    let runningCount = 0;
    let created = 0;
    for (const name of present) {
      const id = compose(['ps', '-q', name]).out.split('\n')[0] ?? '';
      if (!id) {
        say(`  ${name}: not created (\`up\` was still waiting for its dependencies)`);
        continue;
      }
      const state = podman([
        'container',
        'inspect',
        '--format',
        '{{.State.Status}} restarts={{.RestartCount}} health={{.State.Health.Status}}',
        id,
      ]);
      created += 1;
      if (state.out.startsWith('running')) runningCount += 1;
      const last = podman(['logs', '--tail', '1', id]).out.split('\n').pop() ?? '';
      say(`  ${name}: ${state.ok ? state.out : 'no container'}; last log: ${last.slice(0, 160)}`);
    }
    say(
      `compose: ${created} of ${present.length} created, ${runningCount} running ${up.timedOut ? `when up timed out after ${UP_WITHIN_MS / 1000} s` : `after ${WAIT_MS / 1000} s`}, ${skipped.length} skipped (${skipped.join(', ')})`,
    );
  } finally {
    const down = compose(['down', '--volumes', '--timeout', '5']);
    if (!down.ok) say(`compose down failed (remove project ${PROJECT} by hand):\n${down.out}`);
    service?.kill();
  }
}

main().catch((err: unknown) => {
  say(`compose FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
