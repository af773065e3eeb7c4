import { z } from 'zod';
import { aliasSchema } from '../model';
import { aliasNameSchema } from '../names';
import { aliasAuditEntrySchema, gateVerdictSchema } from '../governance';
import { producedBySchema } from '../lineage';
import { modelRef, versionRef, listLimit } from './shared';

export const aliasesApi = {
  list: { mutation: false, input: modelRef, output: z.array(aliasSchema) },
  /**
   * Create or move an alias; publishes `alias.moved`. Scope `promote`. When a promotion policy
   * exists for the alias the gate runs first and a refusal is PRECONDITION_FAILED with the
   * verdict's numbers in `details`; `force` (scope `admin`) moves anyway. Moving `champion` to
   * a version whose input signature breaks the current champion's needs `acknowledgeBreaking`.
   * Every move is audited with actor, time, from, to, verdict and `reason`.
   */
  set: {
    mutation: true,
    input: versionRef.extend({
      alias: aliasNameSchema,
      force: z.boolean().optional(),
      acknowledgeBreaking: z.boolean().optional(),
      reason: z.string().max(500).optional(),
      /** The pipeline step making the move (`set-alias`), recorded with it; see runs.create. */
      producedBy: producedBySchema.optional(),
    }),
    output: aliasSchema.extend({ verdict: gateVerdictSchema.nullable().optional() }),
  },
  delete: {
    mutation: true,
    input: modelRef.extend({ alias: aliasNameSchema, reason: z.string().max(500).optional() }),
    output: z.object({ deleted: z.boolean() }),
  },
  /** Move the alias back to the version it pointed at before its latest move (no gate). */
  rollback: {
    mutation: true,
    input: modelRef.extend({ alias: aliasNameSchema, reason: z.string().max(500).optional() }),
    output: aliasSchema.extend({ from: z.number().int().positive() }),
  },
  /** The audit trail, newest first; pass `nextCursor` back as `cursor` for the next page. */
  history: {
    mutation: false,
    input: modelRef.extend({
      alias: aliasNameSchema.optional(),
      limit: listLimit,
      cursor: z.number().int().positive().optional(),
    }),
    output: z.object({
      items: z.array(aliasAuditEntrySchema),
      nextCursor: z.number().int().nullable(),
    }),
  },
} as const;
