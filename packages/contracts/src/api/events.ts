import { z } from 'zod';
import { platformEventSchema } from '../events';
import { listLimit } from './shared';

export const eventsApi = {
  recent: {
    mutation: false,
    input: z.object({ limit: listLimit }),
    output: z.array(platformEventSchema),
  },
} as const;
