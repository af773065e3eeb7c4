import { initTRPC } from '@trpc/server';
import { AppError, type TokenScope } from '@mlops/contracts';
import { checkAccess } from '../access';
import { missingToken } from '../auth';
import { asBadInput, asUnavailable } from '../unavailable';
import type { TrpcContext } from './context';
import { appErrorToTrpc, errorData } from './errors';

/**
 * Procedure metadata: what a call needs. The access hook reads it to refuse a request before
 * its body is read; tests enumerate it. A procedure without either is refused to everyone
 * but an admin (see trpc/access.ts).
 */
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
/** Not exported: every procedure declares what it needs (a scope, or any valid token). */
const baseProcedure = t.procedure.use(appErrors);

/**
 * A procedure that needs `scope`: 401 without a valid token, 403 with a token lacking the
 * scope. The access hook checked it already, before the body was read, from this meta; the
 * middleware checks the principal it found again so a call that bypassed the hook (an
 * in-process caller) is held to the same rule.
 */
export function scopedProcedure(scope: Exclude<TokenScope, 'read'>) {
  return baseProcedure.meta({ scope }).use(({ ctx, next }) => {
    const principal = ctx.principal;
    if (!principal) throw appErrorToTrpc(missingToken());
    guard(() => checkAccess({ scope }, principal, false));
    return next({ ctx: { principal } });
  });
}

/**
 * Queries: the `read` scope, or nobody at all when the deployment opted into
 * MLOPS_PUBLIC_READS (then `ctx.principal` is null for an anonymous caller).
 */
export const readProcedure = baseProcedure.meta({ scope: 'read' }).use(({ ctx, next }) => {
  guard(() => checkAccess({ scope: 'read' }, ctx.principal, ctx.deps.publicReads));
  return next({ ctx: { principal: ctx.principal } });
});

/** Any valid token, whatever its scopes: 401 without one. */
export const authenticatedProcedure = baseProcedure
  .meta({ authenticated: true })
  .use(({ ctx, next }) => {
    const principal = ctx.principal;
    if (!principal) throw appErrorToTrpc(missingToken());
    return next({ ctx: { principal } });
  });

/** Mutations that write (datasets, runs, versions): the `write` scope. */
export const protectedProcedure = scopedProcedure('write');
export const promoteProcedure = scopedProcedure('promote');
export const adminProcedure = scopedProcedure('admin');

function guard(check: () => void): void {
  try {
    check();
  } catch (err) {
    throw err instanceof AppError ? appErrorToTrpc(err) : err;
  }
}
