import type { RegistryClient } from '@mlops/client';
import type { JsonValue } from '@mlops/contracts';
import type { Logger } from '@mlops/config';

export type StepOutputs = Record<string, JsonValue>;

/** What a step gets: its resolved inputs and the platform, through the registry client. */
export interface StepContext {
  client: RegistryClient;
  inputs: StepOutputs;
  /** What this step saved on an earlier attempt (null on the first). */
  state: StepOutputs | null;
  /** Saves resume state in the registry (the train step: the run it started). */
  saveState(state: StepOutputs): Promise<void>;
  /** True once the pipeline run was cancelled: long steps check it while they wait. */
  cancelled(): Promise<boolean>;
  /** The worker's data directory: `ingest` reads files only under it. */
  dataDir: string;
  logger: Logger;
  runId: string;
  stepId: string;
  /**
   * The registry pipeline run step this execution is, named to the registry as the producer of
   * what the step makes (lineage, the dataset-trigger loop guard). Null outside a registry run —
   * the Argo step command, whose `runId` is only a name for its cache entries.
   */
  producer: { pipelineRunId: string; stepId: string } | null;
}

/**
 * A step kind. `contentHashes` names the content its inputs point at (a dataset version's
 * sha256, a model version's bundle digest, a file's bytes): they enter the cache key, so a
 * re-uploaded file or a new version under the same name is a cache miss.
 */
export interface StepImpl {
  run(ctx: StepContext): Promise<StepOutputs>;
  contentHashes?(ctx: Pick<StepContext, 'client' | 'inputs' | 'dataDir'>): Promise<string[]>;
}

/** A step failure that retrying cannot fix (bad inputs): no further attempts. */
export class StepInputError extends Error {}

/** Polls `check` until it answers a value, checking for cancellation between polls. */
export async function waitFor<T>(
  ctx: Pick<StepContext, 'cancelled'>,
  check: () => Promise<T | undefined>,
  intervalMs = 300,
): Promise<T> {
  let n = 0;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (++n % 5 === 0 && (await ctx.cancelled())) throw new StepCancelledError();
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export class StepCancelledError extends Error {
  constructor() {
    super('pipeline run cancelled');
  }
}

export function parseInputs<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  inputs: unknown,
): T {
  const r = schema.safeParse(inputs);
  if (r.success) return r.data;
  const msg = r.error.issues
    .map((i) => `with.${i.path.map(String).join('.')}: ${i.message}`)
    .join('; ');
  throw new StepInputError(`bad step inputs: ${msg}`);
}
