import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export interface ToolResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; input?: string },
): ToolResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) return { ok: false, stdout: '', stderr: r.error.message };
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

export function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * YAML → JSON without an npm YAML parser: Debian's docker-compose is Python and depends on
 * python3-yaml, so the interpreter in its shebang can always parse YAML where this check runs.
 */
export function yamlDocuments(text: string, cwd: string): unknown[] {
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script =
    'import sys,json,yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d is not None], sys.stdout)';
  const r = run(python, ['-c', script], { cwd, input: text });
  if (!r.ok)
    throw new Error(
      `cannot parse YAML with ${python} (apt-get install python3-yaml): ${r.stderr.trim()}`,
    );
  return JSON.parse(r.stdout) as unknown[];
}
