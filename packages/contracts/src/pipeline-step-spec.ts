import { z } from 'zod';
import { resourceNameSchema, sha256Schema } from './names';
import { pipelineParamNameSchema, pipelineParameterSchema, pipelineStepSchema } from './pipeline';

/**
 * The one step an Argo pod runs (`--spec`, base64 of its canonical JSON): written by
 * `mlops pipeline compile --target argo`, read by the trainer's step command
 * (apps/trainer/src/pipeline-step.ts). `parameters` declares only those the step reads.
 */
export const pipelineStepSpecSchema = z
  .object({
    pipeline: resourceNameSchema,
    definitionSha256: sha256Schema,
    parameters: z.record(pipelineParamNameSchema, pipelineParameterSchema),
    step: pipelineStepSchema,
  })
  .strict();
export type PipelineStepSpec = z.infer<typeof pipelineStepSpecSchema>;
