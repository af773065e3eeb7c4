import { spawn, spawnSync } from 'node:child_process';

/** The apps with an image, each from infra/docker/<app>.Dockerfile (the CLI is not a service). */
export const IMAGE_APPS = ['registry', 'trainer', 'serving', 'monitor', 'web'] as const;
export type ImageApp = (typeof IMAGE_APPS)[number];

/** The name `npm run infra:images` tags each app's image with (compose: `mlops/<app>:dev`). */
export function imageName(app: string): string {
  return `localhost/mlops/${app}:dev`;
}

export interface PodmanResult {
  ok: boolean;
  /** stdout and stderr, trimmed. */
  out: string;
}

/** One podman command, waited for. */
export function podman(args: string[]): PodmanResult {
  const r = spawnSync('podman', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

/**
 * A long podman command (a build) with its output streamed line by line, at the lowest CPU
 * priority: a build on a shared 2-core machine must not starve the services beside it.
 */
export function podmanStreamed(args: string[], onLine: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '19', 'podman', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    const feed = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending) onLine(pending);
      resolve(code ?? 1);
    });
  });
}

/** Why podman cannot be used here, or null when it is installed. */
export function podmanMissing(): string | null {
  return podman(['--version']).ok
    ? null
    : 'podman is not installed (Debian: apt-get install podman runc)';
}

/** Size in bytes of a local image, or null when there is no such image. */
export function imageSize(image: string): number | null {
  const r = podman(['image', 'inspect', '--format', '{{.Size}}', image]);
  return r.ok ? Number(r.out) : null;
}

export function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1e6)} MB`;
}
