import fs from 'node:fs';
import path from 'node:path';

/** The deployable apps: every apps/<name> with a src/server.ts (the CLI is not a service). */
export function deployableApps(root: string): string[] {
  return fs
    .readdirSync(path.join(root, 'apps'), { withFileTypes: true })
    .filter(
      (d) => d.isDirectory() && fs.existsSync(path.join(root, 'apps', d.name, 'src', 'server.ts')),
    )
    .map((d) => d.name)
    .sort();
}

/** Listen port of each app, as the images, compose and the manifests must agree on. */
export const APP_PORTS: Record<string, { port: number; variable: string }> = {
  registry: { port: 7600, variable: 'REGISTRY_PORT' },
  serving: { port: 7601, variable: 'SERVING_PORT' },
  monitor: { port: 7602, variable: 'MONITOR_PORT' },
  web: { port: 7603, variable: 'WEB_PORT' },
  trainer: { port: 7604, variable: 'TRAINER_PORT' },
};

/** The npm scope of the workspace packages (`@mlops` until `npm run fork` renames it). */
export function packageScope(root: string): string {
  const pkg = JSON.parse(
    fs.readFileSync(path.join(root, 'packages', 'contracts', 'package.json'), 'utf8'),
  ) as { name: string };
  return pkg.name.split('/')[0]!.replace(/^@/, '');
}
