/**
 * `npm run fork -- --scope @acme [--dry-run]`: make the repository yours. Renames the npm scope
 * of every workspace everywhere it appears — package names, dependencies, imports, the
 * lockfile, turbo filters, image names in Dockerfiles, compose and the Kubernetes manifests.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { forkRepository } from './rename';

const { values } = parseArgs({
  options: {
    scope: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    dir: { type: 'string' },
  },
});

if (!values.scope) {
  process.stderr.write(
    'usage: npm run fork -- --scope @your-org [--dry-run] [--dir <repository>]\n',
  );
  process.exit(2);
}

const root = values.dir
  ? path.resolve(values.dir)
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
try {
  const result = forkRepository(root, values.scope, { dryRun: values['dry-run'] });
  const verb = values['dry-run'] ? 'would change' : 'changed';
  process.stdout.write(`${result.from} → ${result.to}: ${verb} ${result.changed.length} files\n`);
  for (const file of result.changed) process.stdout.write(`  ${file}\n`);
  if (result.relinked)
    process.stdout.write(`node_modules/${result.from} moved to node_modules/${result.to}\n`);
  if (!values['dry-run'] && result.changed.length > 0) {
    process.stdout.write(
      'next: npm install (refreshes the lockfile), npm run typecheck, npm test, then commit\n',
    );
  }
} catch (err) {
  process.stderr.write(`fork failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
