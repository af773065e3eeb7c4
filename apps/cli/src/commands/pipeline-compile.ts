import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option, type Command } from 'commander';
import { Document } from 'yaml';
import {
  AppError,
  formatIssues,
  parsePipelineText,
  pipelineDefinitionSchema,
  type PipelineDefinition,
} from '@mlops/contracts';
import { checkArgoWorkflow } from '../pipelines/argo/check';
import { ARGO_DEFAULTS, compileArgoWorkflow } from '../pipelines/argo/compile';
import { ARGO_STEP_COMMAND } from '../pipelines/argo/step-command';

export interface PipelineCompileOptions {
  target: 'argo';
  output?: string;
  image: string;
  configMap: string;
  tokenSecret: string;
}

/** A definition from YAML/JSON, or the default (or `pipeline`) export of a TypeScript module. */
export async function loadPipelineFile(file: string): Promise<PipelineDefinition> {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `file not found: ${file}`);
  const fail = (message: string) => new AppError('VALIDATION_FAILED', `${file}: ${message}`);
  if (/\.(m?[jt]s)$/.test(file)) {
    const mod = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
    const parsed = pipelineDefinitionSchema.safeParse(mod.default ?? mod.pipeline);
    if (!parsed.success) throw fail(`pipeline definition: ${formatIssues(parsed.error)}`);
    return parsed.data;
  }
  try {
    return parsePipelineText(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw fail((err as Error).message);
  }
}

/** The compiled workflow as YAML, headed by what it needs to run. */
export function argoYaml(def: PipelineDefinition, opts: Omit<PipelineCompileOptions, 'target'>) {
  const wf = compileArgoWorkflow(def, opts);
  const issues = checkArgoWorkflow(wf);
  if (issues.length) {
    // A compiler bug, not the user's: say where rather than write a workflow Argo refuses.
    throw new AppError(
      'INTERNAL',
      `compiled workflow does not resolve: ${issues[0]!.path}: ${issues[0]!.message}`,
    );
  }
  // No anchors: every template spells out its own settings, as a reader of the YAML expects.
  const doc = new Document(wf, { aliasDuplicateObjects: false });
  doc.commentBefore = [
    ` Pipeline "${def.name}" compiled by \`mlops pipeline compile --target argo\`.`,
    ` Submit: argo submit -n <namespace> <this file> [-p name=value ...]`,
    ` Each step runs \`${ARGO_STEP_COMMAND.join(' ')}\` in ${opts.image} against REGISTRY_URL`,
    ` (ConfigMap ${opts.configMap}) with MLOPS_TOKEN (Secret ${opts.tokenSecret}).`,
  ].join('\n');
  return { workflow: wf, text: doc.toString({ lineWidth: 0 }) };
}

export async function pipelineCompile(
  file: string,
  opts: PipelineCompileOptions,
  json: boolean,
): Promise<void> {
  const def = await loadPipelineFile(file);
  const { workflow, text } = argoYaml(def, opts);
  const out = json ? JSON.stringify(workflow, null, 2) + '\n' : text;
  if (!opts.output) {
    process.stdout.write(out);
    return;
  }
  fs.writeFileSync(opts.output, out);
  process.stderr.write(
    `wrote ${opts.output}: Argo Workflow of ${def.steps.length} steps from pipeline ${def.name}\n`,
  );
}

/** `mlops pipeline compile`: added to the `pipeline` command group. */
export function addPipelineCompile(pipeline: Command): void {
  pipeline
    .command('compile <file>')
    .description(
      'write a pipeline definition (YAML, JSON or TypeScript) as a workflow for another engine',
    )
    .addOption(new Option('--target <engine>', 'engine').choices(['argo']).makeOptionMandatory())
    .option('-o, --output <file>', 'write here instead of stdout')
    .option('--image <image>', 'image every step runs', ARGO_DEFAULTS.image)
    .option('--config-map <name>', 'ConfigMap with REGISTRY_URL etc.', ARGO_DEFAULTS.configMap)
    .option('--token-secret <name>', 'Secret with MLOPS_TOKEN', ARGO_DEFAULTS.tokenSecret)
    .action((file: string, opts: PipelineCompileOptions, cmd: Command) =>
      pipelineCompile(file, opts, cmd.optsWithGlobals<{ json?: boolean }>().json ?? false),
    );
}
