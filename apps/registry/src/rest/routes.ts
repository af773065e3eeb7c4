import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TRPCError } from '@trpc/server';
import { AppError, registryApi, type TokenScope } from '@mlops/contracts';
import type { Access } from '../access';
import type { RegistryDeps } from '../deps';
import { toRestError } from '../http/errors';
import { procedureAccess } from '../trpc/access';
import { errorData } from '../trpc/errors';
import { createCallerFactory } from '../trpc/init';
import { appRouter } from '../trpc/router';
import { inputDecoder } from './decode';
import { fastifyUrl, REST_ROUTES, type ProcedurePath } from './table';

const createCaller = createCallerFactory(appRouter);
type Call = (input: unknown) => Promise<unknown>;

/**
 * One Fastify route per entry of REST_ROUTES, each calling its tRPC procedure in process
 * (a server-side caller): the same input schema, access middleware, domain function and
 * output schema as `/trpc`, so both faces answer the same data and the same errors. What the
 * route needs is read from the procedure's meta into `config`, so the access hook refuses a
 * caller before the body is read, as it does on `/trpc`.
 */
export function registerRestRoutes(app: FastifyInstance, deps: RegistryDeps): void {
  for (const [procedure, route] of Object.entries(REST_ROUTES) as Array<
    [ProcedurePath, (typeof REST_ROUTES)[ProcedurePath]]
  >) {
    const [group = '', name = ''] = procedure.split('.');
    const api = (registryApi as unknown as Record<string, Record<string, { input: never }>>)[
      group
    ]?.[name];
    if (!api) throw new Error(`REST route for unknown procedure ${procedure}`);
    const fromQuery = route.method === 'GET' || route.method === 'DELETE';
    const decoder = inputDecoder(api.input, route.path, fromQuery);
    app.route({
      method: route.method,
      url: fastifyUrl(route.path),
      config: accessConfig(procedureAccess(procedure)),
      handler: async (request, reply) => {
        const input = decoder.decode(request.params, request.query, request.body);
        const caller = createCaller({ deps, principal: request.principal }) as unknown as Record<
          string,
          Record<string, Call>
        >;
        const call = caller[group]?.[name];
        if (!call) throw new Error(`no procedure ${procedure}`);
        let result: unknown;
        try {
          result = await call(input);
        } catch (err) {
          throw restError(request, err);
        }
        // Serialized here: a procedure may answer `null` (no policy), which is JSON too.
        return reply.type('application/json').send(JSON.stringify(result ?? null));
      },
    });
  }
}

function accessConfig(access: Access): { scope?: TokenScope; authenticated?: true } {
  if (access === 'authenticated') return { authenticated: true };
  if (access === 'public') throw new Error('no registry procedure is public');
  return { scope: access.scope };
}

/** A procedure's failure as the REST error body, with the code and field details tRPC gives. */
function restError(request: FastifyRequest, err: unknown): AppError {
  if (!(err instanceof TRPCError)) return toRestError(err);
  const data = errorData(err);
  if (data.appCode === 'INTERNAL') {
    request.log.error({ err: err.cause ?? err }, 'REST procedure failed');
    return new AppError('INTERNAL', 'internal error; see the registry log');
  }
  return new AppError(data.appCode, data.message ?? err.message, data.details);
}
