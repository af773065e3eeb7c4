import { registryApi } from '@mlops/contracts';
import { listRecentEvents } from '../../../domain/events';
import { readProcedure } from '../../init';

const api = registryApi.events.recent;

export const eventsRecent = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => listRecentEvents(ctx.deps, input.limit));
