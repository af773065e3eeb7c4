import fs from 'node:fs';
import path from 'node:path';
import { DEV_SECRETS_DIR } from '../secrets/generate';
import type { Report } from './report';
import { run } from './tools';

/**
 * No secret in the repository (issue #16: the dev overlay committed a token): the generated
 * files are ignored and untracked, and no kustomization carries a secret literal.
 */
export function checkCommittedSecrets(root: string, report: Report): void {
  const ignored = run('git', ['check-ignore', '-q', path.join(DEV_SECRETS_DIR, 'x.env')], {
    cwd: root,
  });
  report.expect(ignored.ok, `git ignores ${DEV_SECRETS_DIR}/`);
  report.expect(
    run('git', ['check-ignore', '-q', 'infra/.env'], { cwd: root }).ok,
    'git ignores infra/.env',
  );
  const tracked = run('git', ['ls-files', '--', DEV_SECRETS_DIR, 'infra/.env'], { cwd: root });
  report.expect(
    tracked.ok && tracked.stdout.trim() === '',
    `no generated secret is committed${tracked.stdout.trim() ? ` (found ${tracked.stdout.trim()})` : ''}`,
  );
  for (const overlay of ['dev', 'prod']) {
    const file = path.join(root, 'infra', 'k8s', 'overlays', overlay, 'kustomization.yaml');
    const literals = [
      ...fs
        .readFileSync(file, 'utf8')
        .matchAll(/^\s*- ([A-Z0-9_]*(?:TOKEN|PASSWORD|SECRET|_KEY|_URL))=(.+)$/gm),
    ];
    report.expect(
      literals.length === 0,
      `overlay ${overlay} has no secret literal${literals.length ? ` (found ${literals.map((m) => m[1]).join(', ')})` : ''}`,
    );
  }
}
