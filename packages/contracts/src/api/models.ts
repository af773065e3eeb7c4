import { z } from 'zod';
import { modelSchema } from '../model';
import { aliasNameSchema, resourceNameSchema } from '../names';
import { listLimit, searchText } from './shared';

export const modelsApi = {
  list: { mutation: false, input: z.object({ limit: listLimit }), output: z.array(modelSchema) },
  /** Filter by name substring and/or alias; pass `nextCursor` back as `cursor`. */
  search: {
    mutation: false,
    input: z.object({
      nameContains: searchText.optional(),
      alias: aliasNameSchema.optional(),
      cursor: resourceNameSchema.optional(),
      limit: listLimit,
    }),
    output: z.object({ items: z.array(modelSchema), nextCursor: resourceNameSchema.nullable() }),
  },
  get: { mutation: false, input: z.object({ name: resourceNameSchema }), output: modelSchema },
} as const;
