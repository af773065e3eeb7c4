import { Command, Option } from 'commander';
import { modelPresetSchema } from '@mlops/contracts';
import { resolveContext, type GlobalOptions } from './context';
import { datasetPolicy, showDataset } from './commands/dataset';
import { drift } from './commands/drift';
import { feedback, type FeedbackOptions } from './commands/feedback';
import { retraining, type RetrainingOptions } from './commands/retraining';
import { importModel, type ImportOptions } from './commands/import';
import { ingest, type IngestOptions } from './commands/ingest';
import { listDatasets, listModels, listRuns, listVersions } from './commands/listing';
import { predict, type PredictOptions } from './commands/predict';
import { history, promote, rollback, type PromoteOptions } from './commands/promote';
import { evaluate, type EvaluateOptions } from './commands/evaluate';
import { cancel } from './commands/cancel';
import { train, type TrainOptions } from './commands/train';
import { addPipelineCommands } from './commands/pipeline';
import { addPipelineCompile } from './commands/pipeline-compile';
import { lineage, type LineageOptions } from './commands/lineage';

/** Builds the `mlops` command tree. Each action resolves its context from flags and env. */
export function buildProgram(): Command {
  const program = new Command('mlops')
    .description('Drive the MLOps platform: ingest data, train, promote, predict, watch drift.')
    .option(
      '--registry-url <url>',
      'registry URL (env REGISTRY_URL, default http://127.0.0.1:7600)',
    )
    .option('--serving-url <url>', 'serving URL (env SERVING_URL, default http://127.0.0.1:7601)')
    .option('--monitor-url <url>', 'monitor URL (env MONITOR_URL, default http://127.0.0.1:7602)')
    .option('--token <token>', 'API token (env MLOPS_TOKEN, else the file in MLOPS_DATA_DIR)')
    .option('--json', 'print JSON instead of tables')
    .showHelpAfterError();

  const ctx = (cmd: Command) => resolveContext(cmd.optsWithGlobals<GlobalOptions>());

  program
    .command('ingest <file>')
    .description(
      'upload a CSV, JSON array or JSON Lines file, an image archive (zip, tar, tar.gz) or a folder of images (<class>/<image>, or with a manifest) as a new dataset version',
    )
    .option('-n, --name <name>', 'dataset name (default: the file or folder name)')
    .addOption(
      new Option(
        '-f, --format <format>',
        'file format (default: from the extension; a folder is sent as tar)',
      ).choices(['csv', 'json', 'jsonl', 'zip', 'tar', 'tar.gz']),
    )
    .option('--image-column <column>', 'manifest column naming each image file (default: detected)')
    .option('--label <column>', 'manifest column of the classes (default: label)')
    .option(
      '--schema <file>',
      'JSON schema file ({"columns":[…]}) to check rows against instead of inferring',
    )
    .option('--categorical <columns>', 'comma-separated columns to treat as categorical')
    .option(
      '--schema-hints <file>',
      'JSON file overriding inference per column: {"columns":{"<column>":{"type":"datetime","exclude":false}}}',
    )
    .option('--exclude <columns>', 'comma-separated columns to leave out of default features')
    .option(
      '--include <columns>',
      'comma-separated columns to keep as features though inference excludes them (a datetime column is expanded into date features)',
    )
    .action((file: string, opts: IngestOptions, cmd: Command) => ingest(ctx(cmd), file, opts));

  program
    .command('datasets [name]')
    .description('list dataset versions')
    .action((name: string | undefined, _opts: unknown, cmd: Command) =>
      listDatasets(ctx(cmd), name),
    );

  program
    .command('dataset <name> [version]')
    .description('show a dataset version: columns, type decisions, validation anomalies')
    .action((name: string, version: string | undefined, _opts: unknown, cmd: Command) =>
      showDataset(ctx(cmd), name, version),
    );

  program
    .command('dataset-policy <name> [level]')
    .description(
      'show or set (admin) when training on a dataset is refused: off | warning (any anomaly) | error',
    )
    .action((name: string, level: string | undefined, _opts: unknown, cmd: Command) =>
      datasetPolicy(ctx(cmd), name, level),
    );

  program
    .command('train')
    .description('train a model on a dataset and wait until its version is registered')
    .requiredOption('-d, --dataset <name>', 'dataset name')
    .option('--dataset-version <n>', 'dataset version (default: latest)')
    .requiredOption('-t, --target <column>', 'column to predict')
    .requiredOption('-m, --model <name>', 'model name to register the version under')
    .addOption(
      new Option('--task <task>', 'default: inferred from the target column').choices([
        'classification',
        'regression',
      ]),
    )
    .option('--features <columns>', 'comma-separated feature columns (default: all but the target)')
    .addOption(new Option('--preset <preset>').choices(modelPresetSchema.options))
    .option('--epochs <n>', 'maximum epochs')
    .option('--batch-size <n>', 'batch size')
    .option('--learning-rate <x>', 'learning rate')
    .option('--seed <n>', 'random seed')
    .option(
      '--sweep <file>',
      'JSON sweep spec ({strategy, trials, parallelism, metric, greaterIsBetter, space}): trains one trial per point, registers the best',
    )
    .option(
      '--tests <file>',
      'JSON model tests ({behavioural:[invariance|directional|minimum_functionality], bounds}): run on the held-out split at registration',
    )
    .option(
      '--transfer-from <model@ref>',
      'image datasets: start from a registered image model (<model>@<version|alias>), freeze it and train a new head',
    )
    .option(
      '--unfreeze-top <n>',
      'with --transfer-from: then fine-tune the top n weighted layers of the base at a tenth of the learning rate',
    )
    .option('--no-wait', 'return once the run is queued')
    .action((opts: TrainOptions, cmd: Command) => train(ctx(cmd), opts));

  program
    .command('import <dir|file.onnx>')
    .description(
      'register a model trained elsewhere: a TF.js directory (model.json + weight files) or an ONNX file',
    )
    .requiredOption('-m, --model <name>', 'model name to register the version under')
    .option(
      '-s, --signature <file>',
      'JSON {task, target, inputs:[{name,type,nullable,categories?}] | tensorInputs, labels?}; without it a tensor model, its inputs read from model.json',
    )
    .option('--task <task>', 'classification (default) or regression')
    .option('--target <name>', 'name of what the model predicts (default label)')
    .option('--image <[name=]HxWxC>', 'the input is an image decoded to HxWxC, e.g. 224x224x3')
    .option('--scale <factor>', 'with --image: multiply pixels (0-255) by this, e.g. 1/255')
    .option('--mean <m1,m2,m3>', 'with --image: subtract per channel after scaling')
    .option('--std <s1,s2,s3>', 'with --image: divide per channel after the mean')
    .option('--resize <method>', 'with --image: bilinear (default) or nearest')
    .option('--labels <file>', 'class labels, one per line, in output order')
    .action((dir: string, opts: ImportOptions, cmd: Command) => importModel(ctx(cmd), dir, opts));

  addPipelineCompile(addPipelineCommands(program, ctx));

  program
    .command('lineage <uri>')
    .description(
      'where an artifact came from and what came of it: models:/<name>@<alias>, models:/<name>/<version>, <dataset>@<version> or a run id',
    )
    .option('--depth <n>', 'hops each way (1-8)', '4')
    .action((uri: string, opts: LineageOptions, cmd: Command) => lineage(ctx(cmd), uri, opts));

  program
    .command('cancel <runId>')
    .description('cancel a queued or running training run')
    .option('--reason <text>', 'recorded on the run')
    .action((runId: string, opts: { reason?: string }, cmd: Command) =>
      cancel(ctx(cmd), runId, opts.reason),
    );

  program
    .command('runs')
    .description('list training runs')
    .option('-m, --model <name>', 'only runs of this model')
    .action((opts: { model?: string }, cmd: Command) => listRuns(ctx(cmd), opts.model));

  program
    .command('models')
    .description('list models and their aliases')
    .action((_opts: unknown, cmd: Command) => listModels(ctx(cmd)));

  program
    .command('versions <model>')
    .description('list the versions of a model with lineage and metrics')
    .action((model: string, _opts: unknown, cmd: Command) => listVersions(ctx(cmd), model));

  program
    .command('evaluate <model> [version]')
    .description(
      'measure a version on a registered dataset: platform metrics, what promotion gates read',
    )
    .requiredOption('-d, --dataset <name[:version]>', 'registered dataset to evaluate on')
    .option('--no-wait', 'return once queued instead of waiting for the trainer')
    .option('--timeout <seconds>', 'how long to wait for the trainer', '600')
    .action((model: string, version: string | undefined, opts: EvaluateOptions, cmd: Command) =>
      evaluate(ctx(cmd), model, version, opts),
    );

  program
    .command('promote <model> [version]')
    .description(
      'point an alias at a version (serving follows "champion"): promote iris 3, or promote models:/iris@challenger champion',
    )
    .option('-a, --alias <alias>', 'alias to move', 'champion')
    .option('--force', 'move even if the promotion gate refuses (needs the admin scope)')
    .option(
      '--acknowledge-breaking',
      "accept a version whose input signature breaks the champion's",
    )
    .option('--reason <text>', 'why, for the audit trail')
    .action((model: string, version: string | undefined, opts: PromoteOptions, cmd: Command) =>
      promote(ctx(cmd), model, version, opts),
    );

  program
    .command('rollback <model>')
    .description('move an alias back to the version it pointed at before its latest move')
    .option('-a, --alias <alias>', 'alias to roll back', 'champion')
    .option('--reason <text>', 'why, for the audit trail')
    .action((model: string, opts: { alias: string; reason?: string }, cmd: Command) =>
      rollback(ctx(cmd), model, opts),
    );

  program
    .command('history <model>')
    .description('audit trail of alias moves: who, when, from, to, gate verdict, reason')
    .option('-a, --alias <alias>', 'only this alias')
    .action((model: string, opts: { alias?: string }, cmd: Command) =>
      history(ctx(cmd), model, opts),
    );

  program
    .command('predict <model>')
    .description('predict raw feature records or images with the served model')
    .option('-i, --instance <json...>', 'one record as JSON (repeatable)')
    .option('--file <file>', 'records as a JSON array or JSON Lines')
    .option('--image <file...>', 'a JPEG or PNG image (repeatable) for an image model')
    .action((model: string, opts: PredictOptions, cmd: Command) => predict(ctx(cmd), model, opts));

  program
    .command('feedback <predictionId>')
    .description('send the ground truth of a prediction you made to the monitor')
    .option('-l, --label <class>', 'the true class (classification)')
    .option('-v, --value <number>', 'the true value (regression)')
    .action((predictionId: string, opts: FeedbackOptions, cmd: Command) =>
      feedback(ctx(cmd), predictionId, opts),
    );

  program
    .command('retraining <model>')
    .description("show or switch the monitor's automatic retraining of a model (off by default)")
    .option('--enable', 'let the monitor retrain and promote it on drift or decay')
    .option('--disable', 'stop automatic retraining')
    .option('--reason <text>', 'why, kept with the switch')
    .option('--history', 'what automatic retraining did: each retraining and its outcome')
    .action((model: string, opts: RetrainingOptions, cmd: Command) =>
      retraining(ctx(cmd), model, opts),
    );

  program
    .command('drift <model>')
    .description("show the monitor's drift report for a model")
    .option('-w, --window <rows>', 'compare the last N served rows')
    .action((model: string, opts: { window?: string }, cmd: Command) =>
      drift(ctx(cmd), model, opts.window),
    );

  return program;
}
