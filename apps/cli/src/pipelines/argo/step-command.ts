/**
 * What an Argo pod runs for one pipeline step: the contract between `mlops pipeline compile
 * --target argo` and the worker image. The image must provide this entrypoint; it runs exactly
 * one step against the registry (`REGISTRY_URL`, `MLOPS_TOKEN`), resolving the step's `with`
 * from the parameters and the upstream steps' outputs it is given, consulting and filling the
 * registry's step cache under the same cache key as the BullMQ executor (unless `--no-cache`),
 * and writing the step's outputs as one JSON object to the `--outputs` file.
 *
 * Kept in one place so the compiler and the worker agree on it.
 */
export const ARGO_STEP_COMMAND = [
  'node',
  '--enable-source-maps',
  'apps/trainer/dist/pipeline-step.js',
] as const;

/** Where the step writes its outputs; Argo reads it into the `outputs` parameter. */
export const ARGO_OUTPUTS_PATH = '/tmp/mlops/outputs.json';

/** The output parameter every step template declares (its value: the outputs as JSON). */
export const ARGO_OUTPUTS_PARAMETER = 'outputs';

export interface StepCommandArgs {
  /** base64 of the canonical JSON of the step spec (see `compile.ts`). */
  spec: string;
  /** Pipeline parameter name → Argo reference of its value. */
  params: Record<string, string>;
  /** Upstream step id → Argo reference of its outputs JSON. */
  upstream: Record<string, string>;
  cache: boolean;
}

/**
 * The arguments after the command. The spec travels base64-encoded because Argo substitutes
 * every `{{…}}` in a template and would refuse the definition's own `${{ … }}` expressions.
 */
export function stepArgs(a: StepCommandArgs): string[] {
  return [
    '--spec',
    a.spec,
    ...Object.entries(a.params).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
    ...Object.entries(a.upstream).flatMap(([k, v]) => ['--upstream', `${k}=${v}`]),
    // One Argo workflow is one pipeline run: its uid names it in cache entries and alias reasons.
    '--run-key',
    'argo-{{workflow.uid}}',
    '--outputs',
    ARGO_OUTPUTS_PATH,
    ...(a.cache ? [] : ['--no-cache']),
  ];
}
