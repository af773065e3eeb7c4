import { z } from 'zod';
import { lineageGraphSchema } from '../lineage';

export const lineageApi = {
  /**
   * The graph around one artifact, both ways: what it came from (run, dataset versions, the
   * pipeline steps that made them) and what came of it (versions, aliases, alias moves,
   * evaluations). `uri`: see `parseLineageUri`. Bounded by `depth` hops each way and
   * MAX_LINEAGE_NODES nodes (`truncated` says when). Scope `read`.
   */
  get: {
    mutation: false,
    input: z.object({
      uri: z.string().min(1).max(200),
      depth: z.number().int().min(1).max(8).default(4),
    }),
    output: lineageGraphSchema,
  },
} as const;
