import { TRPCError, initTRPC } from '@trpc/server';
import { AppError, type TokenScope } from '@mlops/contracts';
import { authenticate, authorize } from '../auth';
import { asBadInput, asUnavailable } from '../unavailable';
import type { TrpcContext } from './context';
import { appErrorToTrpc, errorData } from './errors';

/** Procedure metadata: the scope a call needs (absent = open read). Tests enumerate it. */
export interface ProcedureMeta {
  scope?: TokenScope;
  /** Needs a valid token, whatever its scopes (`auth.whoami`). */
  authenticated?: boolean;
}

const t = initTRPC
  .context<TrpcContext>()
  .meta<ProcedureMeta>()
  .create({
    // Stacks never leave the process.
    isDev: false,
    errorFormatter({ shape, error }) {
      const data = errorData(error);
      const internal = data.appCode === 'INTERNAL';
      return {
        ...shape,
        message:
          data.message ?? (internal ? 'internal error; see the registry log' : shape.message),
        data: { ...shape.data, appCode: data.appCode, details: data.details },
      };
    },
  });

/**
 * Domain code throws AppError; turn it into the matching TRPCError (cause kept for the
 * formatter). A database that is down becomes UNAVAILABLE (503) instead of a 500.
 */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof AppError) throw appErrorToTrpc(cause);
  const mapped = asUnavailable(cause) ?? asBadInput(cause);
  if (mapped) throw appErrorToTrpc(mapped);
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(appErrors);

/**
 * A procedure that needs `scope`: 401 without a valid token, 403 with a token lacking the
 * scope. Runs before input parsing, so an unauthorised caller learns nothing about the input.
 */
export function scopedProcedure(scope: TokenScope) {
  return publicProcedure.meta({ scope }).use(async ({ ctx, next }) => {
    try {
      const principal = await authorize(ctx.deps, ctx.authorization, scope);
      return await next({ ctx: { principal } });
    } catch (err) {
      if (err instanceof TRPCError) throw err;
      if (err instanceof AppError) throw appErrorToTrpc(err);
      const down = asUnavailable(err);
      if (down) throw appErrorToTrpc(down);
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: err });
    }
  });
}

/** Any valid token, whatever its scopes: 401 without one. */
export const authenticatedProcedure = publicProcedure
  .meta({ authenticated: true })
  .use(async ({ ctx, next }) => {
    try {
      return await next({ ctx: { principal: await authenticate(ctx.deps, ctx.authorization) } });
    } catch (err) {
      if (err instanceof AppError) throw appErrorToTrpc(err);
      throw err;
    }
  });

/** Mutations that write (datasets, runs, versions): the `write` scope. */
export const protectedProcedure = scopedProcedure('write');
export const promoteProcedure = scopedProcedure('promote');
export const adminProcedure = scopedProcedure('admin');
