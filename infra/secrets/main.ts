/**
 * `npm run infra:secrets`: the secrets compose and the dev Kubernetes overlay need, generated
 * once (random, mode 0600, gitignored) instead of committed placeholders. Existing files are
 * kept: delete one to regenerate it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureComposeEnv, ensureDevOverlaySecrets } from './generate';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
for (const { file, created } of [ensureComposeEnv(root), ...ensureDevOverlaySecrets(root)])
  process.stdout.write(`${created ? 'created' : 'kept   '} ${path.relative(root, file)}\n`);
