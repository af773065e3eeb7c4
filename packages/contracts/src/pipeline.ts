import { z } from 'zod';
import { resourceNameSchema } from './names';
import { checkPipelineGraph } from './pipeline-graph';
import { checkPipelineTriggers, pipelineTriggersSchema } from './pipeline-triggers';

/**
 * A pipeline: a declared DAG of steps over the platform's own operations (ingest, validate,
 * train, evaluate, gate, set an alias) and custom steps registered in a worker. The same
 * definition is written in YAML/JSON (`parsePipelineText`) or TypeScript (`definePipeline`).
 *
 * Inputs (`with`) are JSON values; a string may hold expressions `${{ params.epochs }}` or
 * `${{ steps.train.outputs.version }}`. A string that is exactly one expression takes the
 * referenced value's type (a number stays a number); one embedded in text is interpolated.
 * A step depends on every step its inputs or `when` reference, plus its `dependsOn`.
 */

export const PIPELINE_STEP_KINDS = [
  'ingest',
  'validate',
  'train',
  'evaluate',
  'gate',
  'set-alias',
] as const;
export const pipelineStepKindSchema = z.enum(PIPELINE_STEP_KINDS);
export type PipelineStepKind = z.infer<typeof pipelineStepKindSchema>;

/** Steps that change what is served: never answered from the cache. */
export const NEVER_CACHED_STEP_KINDS: ReadonlySet<string> = new Set(['set-alias']);

const CUSTOM_PREFIX = 'custom/';
/** `uses`: a built-in kind, or `custom/<name>` for a function registered in a worker. */
export const pipelineUsesSchema = z.union([
  pipelineStepKindSchema,
  z
    .string()
    .regex(
      /^custom\/[a-z0-9][a-z0-9_-]{0,62}$/,
      `must be one of ${PIPELINE_STEP_KINDS.join(', ')} or custom/<name>`,
    ),
]);
export type PipelineUses = z.infer<typeof pipelineUsesSchema>;

export function customStepName(uses: string): string | null {
  return uses.startsWith(CUSTOM_PREFIX) ? uses.slice(CUSTOM_PREFIX.length) : null;
}

/** Step ids and parameter names: no dots (they separate a BullMQ job id) and no spaces. */
export const pipelineStepIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be 1-63 of a-z, 0-9, "_" or "-", starting with a letter');
export const pipelineParamNameSchema = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/, 'must be 1-63 letters, digits or "_"');

const description = z.string().max(500).optional();
/** A pipeline parameter: its type, default and bounds. No default means it must be given. */
export const pipelineParameterSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('string'),
      default: z.string().max(1_000).optional(),
      enum: z.array(z.string().max(200)).min(1).max(100).optional(),
      description,
    })
    .strict(),
  z
    .object({
      type: z.enum(['number', 'integer']),
      default: z.number().optional(),
      min: z.number().optional(),
      max: z.number().optional(),
      description,
    })
    .strict(),
  z.object({ type: z.literal('boolean'), default: z.boolean().optional(), description }).strict(),
]);
export type PipelineParameter = z.infer<typeof pipelineParameterSchema>;

/** Any JSON value, bounded in depth by the body limit of the API. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string().max(10_000),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema).max(1_000),
    z.record(z.string().max(128), jsonValueSchema),
  ]),
);

export const pipelineConditionOpSchema = z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']);
/** `left op right`, each side a value or an expression, e.g. `${{ steps.gate.outputs.passed }} eq true`. */
export const pipelineConditionSchema = z
  .object({ left: jsonValueSchema, op: pipelineConditionOpSchema, right: jsonValueSchema })
  .strict();
export type PipelineCondition = z.infer<typeof pipelineConditionSchema>;

export const pipelineStepSchema = z
  .object({
    id: pipelineStepIdSchema,
    uses: pipelineUsesSchema,
    name: z.string().max(200).optional(),
    /** The step's inputs; their shape is checked per kind when the step runs. */
    with: z.record(z.string().min(1).max(64), jsonValueSchema).default({}),
    /** Extra ordering where no input references the other step. */
    dependsOn: z.array(pipelineStepIdSchema).max(50).optional(),
    /** Every condition must hold or the step (and what depends on it) is skipped. */
    when: z.union([pipelineConditionSchema, z.array(pipelineConditionSchema).max(20)]).optional(),
    /** Further attempts after a failure (BullMQ attempts = retries + 1, exponential backoff). */
    retries: z.number().int().min(0).max(10).default(0),
    /** false: always run. `set-alias` steps are never cached whatever this says. */
    cache: z.boolean().default(true),
  })
  .strict();
export type PipelineStep = z.infer<typeof pipelineStepSchema>;
export type PipelineStepInput = z.input<typeof pipelineStepSchema>;

const pipelineDefinitionObject = z
  .object({
    name: resourceNameSchema,
    description,
    parameters: z.record(pipelineParamNameSchema, pipelineParameterSchema).default({}),
    steps: z.array(pipelineStepSchema).min(1, 'a pipeline needs at least one step').max(50),
    /** Schedules and dataset triggers (pipeline-triggers.ts); none: runs start by hand. */
    on: pipelineTriggersSchema.optional(),
  })
  .strict();

/** A pipeline definition, checked as a graph: unique ids, known references, no cycle. */
export const pipelineDefinitionSchema = pipelineDefinitionObject.superRefine((def, ctx) => {
  for (const issue of [...checkPipelineGraph(def), ...checkPipelineTriggers(def)]) {
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }
});
export type PipelineDefinition = z.infer<typeof pipelineDefinitionSchema>;
export type PipelineDefinitionInput = z.input<typeof pipelineDefinitionSchema>;

/**
 * The TypeScript form: checks the definition when the module loads (a bad one throws naming
 * the field) and returns it typed, with defaults filled in.
 */
export function definePipeline(def: PipelineDefinitionInput): PipelineDefinition {
  const parsed = pipelineDefinitionSchema.safeParse(def);
  if (!parsed.success) throw new Error(`pipeline definition: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Expression helpers for TypeScript definitions: `ref.step('train', 'version')`. */
export const ref = {
  param: (name: string) => `\${{ params.${name} }}`,
  step: (id: string, output: string) => `\${{ steps.${id}.outputs.${output} }}`,
};

/** `steps.3.with.dataset: unknown step "x"; ...` — one line naming every bad field. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
