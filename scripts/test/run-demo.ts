import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../lib/services';

export interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real demo, as a user runs it (`npm run demo -- <args> --json`): every service a real
 * process on real Redis and SQLite. Its last stdout line is the JSON summary.
 */
export function runDemo(args: readonly string[]): Promise<DemoRun> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join('scripts', 'demo', 'main.ts'), ...args, '--json'],
      { cwd: REPO_ROOT, env: process.env },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
