import { z } from 'zod';
import { aliasNameSchema } from '@mlops/contracts';

/*
 * The registry's alias audit and promotion gate are newer than this dashboard's baseline: their
 * procedures are found through contracts' `registryApi` (optional.ts), whose schemas parse the
 * answers in full. These are the few fields the page shows, read from that parsed answer.
 */
export const verdictView = z.looseObject({
  passed: z.boolean(),
  metric: z.string(),
  candidate: z.number().nullable(),
  baseline: z.number().nullable(),
  baselineVersion: z.number().int().nullable(),
  /** Where the gate read `candidate` (absent on verdicts recorded before sources existed). */
  source: z.enum(['platform', 'claimed', 'none']).optional(),
  claimed: z.number().nullable().optional(),
});
export type VerdictView = z.infer<typeof verdictView>;

export const auditPageView = z.looseObject({
  items: z.array(
    z.looseObject({
      id: z.number().int(),
      alias: aliasNameSchema,
      from: z.number().int().nullable(),
      to: z.number().int().nullable(),
      actor: z.string(),
      at: z.string(),
      reason: z.string().nullable(),
      forced: z.boolean(),
      verdict: verdictView.nullable(),
    }),
  ),
  nextCursor: z.number().int().nullable(),
});
export type AuditPageView = z.infer<typeof auditPageView>;

/** The verdict the registry attached to an alias move, when it has a gate. */
export function verdictOf(answer: unknown): VerdictView | null {
  if (typeof answer !== 'object' || answer === null || !('verdict' in answer)) return null;
  const parsed = verdictView.safeParse(answer.verdict);
  return parsed.success ? parsed.data : null;
}

export function describeVerdict(v: VerdictView): string {
  const vs =
    v.baselineVersion === null ? 'no baseline' : `v${v.baselineVersion} ${v.baseline ?? '–'}`;
  const from =
    v.source === undefined
      ? ''
      : v.source === 'claimed'
        ? ' (claimed)'
        : ` (${v.source === 'platform' ? 'platform' : 'no platform value'}${
            v.claimed === null || v.claimed === undefined ? '' : `; claimed ${v.claimed}`
          })`;
  return `gate ${v.passed ? 'passed' : 'refused'}: ${v.metric} ${v.candidate ?? '–'}${from} vs ${vs}`;
}
