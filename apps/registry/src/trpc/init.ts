import { TRPCError, initTRPC } from '@trpc/server';
import { AppError } from '@mlops/contracts';
import { checkBearer } from '../auth';
import type { TrpcContext } from './context';
import { appErrorToTrpc, errorData } from './errors';

const t = initTRPC.context<TrpcContext>().create({
  // Stacks never leave the process.
  isDev: false,
  errorFormatter({ shape, error }) {
    const data = errorData(error);
    const internal = data.appCode === 'INTERNAL';
    return {
      ...shape,
      message: data.message ?? (internal ? 'internal error; see the registry log' : shape.message),
      data: { ...shape.data, appCode: data.appCode, details: data.details },
    };
  },
});

/** Domain code throws AppError; turn it into the matching TRPCError (cause kept for the formatter). */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError)
    throw appErrorToTrpc(result.error.cause);
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(appErrors);

/** Mutations: the admin bearer token, compared in constant time. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  try {
    checkBearer(ctx.authorization, ctx.deps.adminToken);
  } catch (err) {
    if (err instanceof AppError) throw appErrorToTrpc(err);
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: err });
  }
  return next();
});
