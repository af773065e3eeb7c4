import fs from 'node:fs';
import path from 'node:path';
import { SERVICE_PORTS } from '@mlops/contracts';

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
export const APP_PORTS: Record<string, { port: number; variable: string }> = SERVICE_PORTS;

/** The npm scope of the workspace packages (`@mlops` until `npm run fork` renames it). */
export function packageScope(root: string): string {
  const pkg = JSON.parse(
    fs.readFileSync(path.join(root, 'packages', 'contracts', 'package.json'), 'utf8'),
  ) as { name: string };
  return pkg.name.split('/')[0]!.replace(/^@/, '');
}
