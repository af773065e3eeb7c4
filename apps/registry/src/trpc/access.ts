import type { FastifyReply, FastifyRequest } from 'fastify';
import { getErrorShape } from '@trpc/server';
import type { AppError } from '@mlops/contracts';
import type { Access } from '../access';
import type { TrpcAccess } from '../http/access';
import { appErrorToTrpc } from './errors';
import type { ProcedureMeta } from './init';
import { appRouter } from './router';

interface ProcedureDef {
  _def: { type: 'query' | 'mutation' | 'subscription'; meta?: ProcedureMeta };
}
const procedures = (appRouter as unknown as { _def: { procedures: Record<string, ProcedureDef> } })
  ._def.procedures;

/**
 * What calling procedure `path` needs, from its meta. A path that names no procedure needs a
 * valid token (tRPC then answers 404): an anonymous caller cannot make the registry read a
 * body for a procedure that does not exist. A procedure without meta fails closed (admin).
 */
export function procedureAccess(path: string): Access {
  if (!Object.hasOwn(procedures, path)) return 'authenticated';
  const meta = procedures[path]?._def.meta;
  if (meta?.authenticated) return 'authenticated';
  return { scope: meta?.scope ?? 'admin' };
}

/** The refusal as the tRPC client expects it: one error per call of a batch, formatted as ours. */
export function refuseTrpc(
  request: FastifyRequest,
  reply: FastifyReply,
  error: AppError,
  paths: string[],
): FastifyReply {
  const trpcError = appErrorToTrpc(error);
  const type = request.method === 'GET' ? 'query' : 'mutation';
  const shapes = paths.map((path) => ({
    error: getErrorShape({
      config: appRouter._def._config,
      error: trpcError,
      type,
      path,
      input: undefined,
      ctx: undefined,
    }),
  }));
  const batch = (request.query as { batch?: unknown }).batch === '1';
  return reply
    .status(error.httpStatus)
    .type('application/json')
    .send(batch ? shapes : shapes[0]);
}

export const TRPC_ACCESS = (prefix: string): TrpcAccess => ({
  url: `${prefix}/:path`,
  accessOf: procedureAccess,
  refuse: refuseTrpc,
});
