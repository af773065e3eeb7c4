import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

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
 * Every non-null document of a YAML stream, parsed in process. YAML 1.1, as docker-compose v1
 * (PyYAML) writes it, so `yes`, `on` and `0755` keep that meaning. A syntax error throws,
 * naming its position.
 */
export function yamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`cannot parse YAML: ${doc.errors[0]!.message}`);
      return doc.toJS() as unknown;
    })
    .filter((value) => value !== null && value !== undefined);
}
