/**
 * Test support for other workspaces: run the real `mlops` command as a child process, the way a
 * user does, and collect what it prints. Exported as `@mlops/cli/testing`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The CLI's entry point (`bin/mlops.js`, which runs the TypeScript sources through tsx). */
export const MLOPS_BIN = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'bin',
  'mlops.js',
);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Passed as `--registry-url` before the arguments; a getter when the URL is known later. */
  registryUrl: string | (() => string);
  /** The working directory; a getter when it is created in `beforeAll`. */
  cwd: string | (() => string);
  /** `MLOPS_TOKEN` of the child. */
  token: string;
  /** More environment for every call (a call's own `env` is added on top). */
  env?: Record<string, string>;
}

const valueOf = (v: string | (() => string)) => (typeof v === 'function' ? v() : v);

/** A function that runs `mlops --registry-url <url> ...args` and resolves when it exits. */
export function cliRunner(opts: CliOptions) {
  return (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [MLOPS_BIN, '--registry-url', valueOf(opts.registryUrl), ...args],
        {
          cwd: valueOf(opts.cwd),
          env: { ...process.env, MLOPS_TOKEN: opts.token, ...opts.env, ...env },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
}
