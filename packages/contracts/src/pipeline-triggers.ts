import { z } from 'zod';
import { resourceNameSchema } from './names';
import { cronIssue, isTimeZone } from './pipeline-cron';
import { resolvePipelineParameters } from './pipeline-params';
import type { PipelineParameter } from './pipeline';

/**
 * The `on` section of a pipeline definition: what starts a run besides a person. `schedule`
 * ticks on a cron expression (or every N ms); `dataset` fires when a new version of the named
 * dataset is stored. Checked against the definition's parameters when it registers, so a
 * trigger can never start a run the registry would refuse.
 */

// Parameters are scalars (see pipelineParameterSchema): a trigger's params are too.
const triggerParams = z
  .record(z.string().max(64), z.union([z.string().max(1_000), z.number().finite(), z.boolean()]))
  .default({});

export const pipelineScheduleSchema = z
  .object({
    /** 5 fields, or 6 with leading seconds: `0 3 * * *` is 03:00 every day. */
    cron: z
      .string()
      .max(120)
      .superRefine((v, ctx) => {
        const issue = cronIssue(v);
        if (issue) ctx.addIssue({ code: 'custom', message: issue });
      })
      .optional(),
    /** Instead of `cron`: a tick every so many milliseconds (at least a second). */
    every: z
      .number()
      .int()
      .min(1_000)
      .max(366 * 24 * 3600 * 1000)
      .optional(),
    /** IANA zone the cron expression reads in (default UTC). */
    timezone: z
      .string()
      .max(64)
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')
      .optional(),
    params: triggerParams,
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.cron === undefined) === (s.every === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give exactly one of cron, every' });
    }
    if (s.timezone !== undefined && s.cron === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'only applies to cron' });
    }
  });
export type PipelineSchedule = z.infer<typeof pipelineScheduleSchema>;

export const pipelineDatasetTriggerSchema = z
  .object({
    /** A new version of this dataset starts a run (re-uploading stored content does not). */
    name: resourceNameSchema,
    /** A declared number/integer parameter that receives the new version's number. */
    versionParam: z.string().max(64).optional(),
    params: triggerParams,
  })
  .strict();
export type PipelineDatasetTrigger = z.infer<typeof pipelineDatasetTriggerSchema>;

export const pipelineTriggersSchema = z
  .object({
    schedule: z.array(pipelineScheduleSchema).max(10).optional(),
    dataset: z.array(pipelineDatasetTriggerSchema).max(20).optional(),
  })
  .strict();
export type PipelineTriggers = z.infer<typeof pipelineTriggersSchema>;

/** Each trigger's params (and version parameter) against the declared parameters. */
export function checkPipelineTriggers(def: {
  parameters: Record<string, PipelineParameter>;
  on?: PipelineTriggers | undefined;
}): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const check = (at: (string | number)[], params: Record<string, unknown>) => {
    const res = resolvePipelineParameters(def, params);
    if (res.ok) return;
    for (const i of res.issues) {
      const [field = '', ...rest] = i.split(': ');
      issues.push({
        path: [...at, 'params', field.slice('parameters.'.length)],
        message: rest.join(': '),
      });
    }
  };
  (def.on?.schedule ?? []).forEach((s, i) => check(['on', 'schedule', i], s.params));
  (def.on?.dataset ?? []).forEach((d, i) => {
    const at = ['on', 'dataset', i];
    const given: Record<string, unknown> = { ...d.params };
    if (d.versionParam !== undefined) {
      const spec = def.parameters[d.versionParam];
      if (!spec || (spec.type !== 'integer' && spec.type !== 'number')) {
        issues.push({
          path: [...at, 'versionParam'],
          message: `must name a declared integer parameter, got "${d.versionParam}"`,
        });
        return;
      }
      given[d.versionParam] = 1; // the version is only known when the trigger fires
    }
    check(at, given);
  });
  return issues;
}

/** A schedule as the registry keeps it, with the time BullMQ will next tick it. */
export const pipelineScheduleInfoSchema = z.object({
  pipeline: resourceNameSchema,
  /** The pipeline version whose `on.schedule` declared it. */
  version: z.number().int().positive(),
  /** Its position in `on.schedule`. */
  index: z.number().int().nonnegative(),
  cron: z.string().nullable(),
  every: z.number().int().nullable(),
  timezone: z.string().nullable(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Next tick; null when the scheduler is missing (Redis was flushed: re-register). */
  next: z.string().datetime().nullable(),
});
export type PipelineScheduleInfo = z.infer<typeof pipelineScheduleInfoSchema>;

/** Payload of a `pipeline-schedule` job: which schedule of which pipeline ticked. */
export const pipelineScheduleJobSchema = z.object({
  pipeline: resourceNameSchema,
  index: z.number().int().nonnegative(),
});
export type PipelineScheduleJob = z.infer<typeof pipelineScheduleJobSchema>;

/** Scheduler id of `on.schedule[index]`: a dot, because BullMQ builds job ids with `:`. */
export function pipelineSchedulerId(pipeline: string, index: number): string {
  return `${pipeline}.${index}`;
}
