import { registryApi } from '@mlops/contracts';
import { listRecentEvents } from '../../../domain/events';
import { publicProcedure } from '../../init';

const api = registryApi.events.recent;

export const eventsRecent = publicProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => listRecentEvents(ctx.deps, input.limit));
