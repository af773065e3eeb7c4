import fs from 'node:fs';
import type { Command } from 'commander';
import { parsePipelineText, resourceNameSchema, type PipelineRun } from '@mlops/contracts';
import type { CliContext } from '../context';
import { printJson, printTable } from '../output';

export interface PipelineRunOptions {
  param?: string[];
  cache?: boolean;
  watch?: boolean;
}

/** `k=v` pairs; values stay strings (the registry coerces them to the declared types). */
function params(pairs: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new Error(`--param ${p}: expected name=value`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** A file path registers the definition first; a name runs the registered pipeline. */
async function pipelineName(ctx: CliContext, target: string): Promise<string> {
  const isName = resourceNameSchema.safeParse(target).success && !fs.existsSync(target);
  if (isName) return target;
  const definition = parsePipelineText(fs.readFileSync(target, 'utf8'));
  const stored = await ctx.client.api.pipelines.register.mutate({ definition });
  if (!ctx.json) process.stderr.write(`registered ${stored.name} v${stored.version}\n`);
  return stored.name;
}

function stepRows(run: PipelineRun) {
  return run.steps.map((s) => ({
    step: s.stepId,
    uses: s.uses,
    status: s.status,
    cached: s.cached,
    attempts: s.attempts,
    ms: s.durationMs,
    error: s.error,
  }));
}

/** Polls the run, printing each step's status as it changes, until the run ends. */
async function watch(ctx: CliContext, id: string): Promise<PipelineRun> {
  const seen = new Map<string, string>();
  for (;;) {
    const run = await ctx.client.api.pipelines.getRun.query({ id });
    for (const s of run.steps) {
      const label = `${s.status}${s.cached ? ' (cached)' : ''}`;
      if (seen.get(s.stepId) !== label && !ctx.json) {
        process.stderr.write(`  ${s.stepId.padEnd(16)} ${label}\n`);
      }
      seen.set(s.stepId, label);
    }
    if (run.status !== 'queued' && run.status !== 'running') return run;
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function runPipeline(
  ctx: CliContext,
  target: string,
  opts: PipelineRunOptions,
): Promise<number> {
  const name = await pipelineName(ctx, target);
  let run = await ctx.client.api.pipelines.run.mutate({
    name,
    parameters: params(opts.param),
    noCache: opts.cache === false,
  });
  if (!ctx.json) process.stderr.write(`pipeline run ${run.id} ${run.status}\n`);
  if (opts.watch) run = await watch(ctx, run.id);
  if (ctx.json) printJson(run);
  else if (opts.watch) process.stdout.write(`pipeline run ${run.id} ${run.status}\n`);
  else process.stdout.write(`${run.id}\n`);
  return run.status === 'failed' || run.status === 'cancelled' ? 1 : 0;
}

/** The `pipeline` command group (run, list, show, cancel); returned so others can add to it. */
export function addPipelineCommands(program: Command, ctx: (cmd: Command) => CliContext): Command {
  const pipeline = program.command('pipeline').description('declared DAGs of platform steps');
  pipeline
    .command('run <fileOrName>')
    .description('register a YAML/JSON definition (or take a registered name) and start a run')
    .option('-p, --param <name=value...>', 'a parameter (repeatable)')
    .option('--no-cache', 'run every step even when the cache holds its outputs')
    .option('-w, --watch', 'follow the steps until the run ends')
    .action(async (target: string, opts: PipelineRunOptions, cmd: Command) => {
      process.exitCode = await runPipeline(ctx(cmd), target, opts);
    });
  pipeline
    .command('list')
    .description('registered pipelines')
    .action(async (_opts: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const list = await c.client.api.pipelines.list.query({ limit: 100 });
      if (c.json) return printJson(list);
      printTable(
        list.map((p) => ({
          name: p.name,
          version: p.version,
          steps: p.definition.steps.length,
          updated: p.updatedAt,
        })),
      );
    });
  pipeline
    .command('show <runIdOrName>')
    .description('a run with its steps, or the runs of a pipeline')
    .action(async (target: string, _opts: unknown, cmd: Command) => {
      const c = ctx(cmd);
      if (resourceNameSchema.safeParse(target).success && !/^[0-9a-f-]{36}$/.test(target)) {
        const runs = await c.client.api.pipelines.runs.query({ pipeline: target, limit: 20 });
        if (c.json) return printJson(runs);
        return printTable(
          runs.map((r) => ({
            run: r.id,
            status: r.status,
            trigger: r.trigger.kind,
            ms: r.durationMs,
            created: r.createdAt,
          })),
        );
      }
      const run = await c.client.api.pipelines.getRun.query({ id: target });
      if (c.json) return printJson(run);
      process.stdout.write(
        `pipeline ${run.pipeline} v${run.pipelineVersion} run ${run.id} ${run.status}\n`,
      );
      printTable(stepRows(run));
    });
  pipeline
    .command('schedules [name]')
    .description("the pipelines' schedules (on.schedule) with their next tick")
    .action(async (name: string | undefined, _opts: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const list = await c.client.api.pipelines.schedules.query(name ? { pipeline: name } : {});
      if (c.json) return printJson(list);
      printTable(
        list.map((s) => ({
          pipeline: s.pipeline,
          version: s.version,
          schedule: s.cron ?? `every ${s.every} ms`,
          timezone: s.timezone ?? 'UTC',
          params: JSON.stringify(s.params),
          next: s.next ?? '(missing: re-register)',
        })),
      );
    });
  pipeline
    .command('cancel <runId>')
    .description('cancel a queued or running pipeline run')
    .option('--reason <text>', 'recorded on the run')
    .action(async (id: string, opts: { reason?: string }, cmd: Command) => {
      const c = ctx(cmd);
      const run = await c.client.api.pipelines.cancel.mutate({
        id,
        ...(opts.reason ? { reason: opts.reason } : {}),
      });
      if (c.json) return printJson(run);
      process.stdout.write(`pipeline run ${run.id} ${run.status}\n`);
    });
  return pipeline;
}
