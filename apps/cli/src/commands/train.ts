import fs from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import {
  AppError,
  TERMINAL_RUN_STATUSES,
  modelPresetSchema,
  sweepSpecSchema,
  zodIssuesToDetails,
  taskSchema,
  type Run,
  type TrainingSpecInput,
} from '@mlops/contracts';
import type { CliContext } from '../context';
import { formatMetrics, printJson } from '../output';
import { readModelTestsFile } from './model-tests-file';
import { parseTransferFrom } from './transfer-flag';

export interface TrainOptions {
  dataset: string;
  datasetVersion?: string;
  target: string;
  model: string;
  task?: string;
  features?: string;
  preset?: string;
  epochs?: string;
  batchSize?: string;
  learningRate?: string;
  seed?: string;
  /** JSON file with a sweep spec (contracts `sweepSpecSchema`). */
  sweep?: string;
  /** `<model>@<version|alias>`: transfer learning from that registered image model. */
  transferFrom?: string;
  /** With --transfer-from: fine-tune the base's top N weighted layers in a second phase. */
  unfreezeTop?: string;
  /** JSON file with the model's tests (contracts `modelTestsSpecSchema`). */
  tests?: string;
  wait: boolean;
}

/** Create a run; unless --no-wait, show a live progress bar until its version is registered. */
export async function train(ctx: CliContext, opts: TrainOptions): Promise<void> {
  const spec: TrainingSpecInput = {
    modelName: opts.model,
    dataset: {
      name: opts.dataset,
      ...(opts.datasetVersion ? { version: toInt('--dataset-version', opts.datasetVersion) } : {}),
    },
    task: await resolveTask(ctx, opts),
    target: opts.target,
    ...(opts.features ? { features: opts.features.split(',').map((f) => f.trim()) } : {}),
    ...(opts.preset ? { preset: modelPresetSchema.parse(opts.preset) } : {}),
    hyperparameters: {
      ...(opts.epochs ? { epochs: toInt('--epochs', opts.epochs) } : {}),
      ...(opts.batchSize ? { batchSize: toInt('--batch-size', opts.batchSize) } : {}),
      ...(opts.learningRate ? { learningRate: Number(opts.learningRate) } : {}),
    },
    ...(opts.seed ? { seed: toInt('--seed', opts.seed) } : {}),
    ...(opts.sweep ? { sweep: readSweep(opts.sweep) } : {}),
    ...(opts.tests ? { tests: readModelTestsFile(opts.tests) } : {}),
    ...(opts.transferFrom
      ? {
          transfer: {
            base: parseTransferFrom(opts.transferFrom),
            ...(opts.unfreezeTop
              ? { unfreezeTopLayers: toInt('--unfreeze-top', opts.unfreezeTop) }
              : {}),
          },
        }
      : {}),
  };
  if (opts.unfreezeTop && !opts.transferFrom)
    throw new AppError('VALIDATION_FAILED', '--unfreeze-top needs --transfer-from');
  const run = await ctx.client.api.runs.create.mutate(spec);
  if (!opts.wait) {
    if (ctx.json) return printJson(run);
    process.stdout.write(`run ${run.id} queued for model ${run.modelName}\n`);
    return;
  }
  if (!ctx.json) {
    const trials = run.trials ? ` (sweep of ${run.trials.length} trials)` : '';
    process.stdout.write(`run ${run.id} queued for model ${run.modelName}${trials}\n`);
  }
  const done = await follow(ctx, run);
  if (ctx.json) printJson(done);
  else if (done.status === 'completed') {
    process.stdout.write(
      `✓ ${done.modelName} v${done.modelVersion} registered (backend ${done.backend}): ${formatMetrics(done.metrics)}\n`,
    );
    process.stdout.write(`  promote it: mlops promote ${done.modelName} ${done.modelVersion}\n`);
  }
  if (done.status !== 'completed') {
    throw new AppError(
      'PRECONDITION_FAILED',
      `run ${done.id} ${done.status}: ${done.error ?? 'no reason recorded'}`,
    );
  }
}

/** Classification unless the target column is numeric with many values. */
async function resolveTask(
  ctx: CliContext,
  opts: TrainOptions,
): Promise<'classification' | 'regression'> {
  if (opts.task) return taskSchema.parse(opts.task);
  const dataset = await ctx.client.api.datasets.get.query({ name: opts.dataset });
  const column = dataset.profile.columns.find((c) => c.name === opts.target);
  if (column?.type === 'numeric' && column.distinct > 20) return 'regression';
  return 'classification';
}

async function follow(ctx: CliContext, run: Run): Promise<Run> {
  const bar =
    ctx.json || !process.stderr.isTTY
      ? undefined
      : new SingleBar(
          {
            format: '  {bar} epoch {value}/{total} | loss {loss} | val {valLoss} | {status}',
            hideCursor: true,
          },
          Presets.shades_classic,
        );
  bar?.start(run.spec.hyperparameters.epochs, 0, { loss: '-', valLoss: '-', status: run.status });
  let lastEpoch = -1;
  for (;;) {
    const current = await ctx.client.api.runs.get.query({ id: run.id });
    const p = current.progress;
    if (p) {
      bar?.setTotal(p.epochs);
      bar?.update(p.epoch, {
        loss: p.loss?.toFixed(4) ?? '-',
        valLoss: p.valLoss?.toFixed(4) ?? '-',
        status: current.status,
      });
      if (!bar && !ctx.json && p.epoch !== lastEpoch && p.epoch % 10 === 0)
        process.stderr.write(`  epoch ${p.epoch}/${p.epochs} loss ${p.loss?.toFixed(4) ?? '-'}\n`);
      lastEpoch = p.epoch;
    } else bar?.update(0, { status: current.status });
    if (TERMINAL_RUN_STATUSES.includes(current.status)) {
      bar?.stop();
      return current;
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

/** The sweep spec of `--sweep <file>`, checked here so a typo is reported with its field. */
function readSweep(file: string) {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `sweep file not found: ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = sweepSpecSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${file} is not a valid sweep`,
      zodIssuesToDetails(parsed.error.issues),
    );
  }
  return parsed.data;
}

function toInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new AppError('VALIDATION_FAILED', `${flag} must be an integer, got "${value}"`);
  return n;
}
