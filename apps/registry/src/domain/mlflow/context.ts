import {
  AppError,
  resourceNameSchema,
  type ErrorCode,
  type MlflowErrorCode,
  type Principal,
  type mlflowApi,
} from '@mlops/contracts';
import type { z } from 'zod';
import type { RegistryDeps } from '../../deps';

/** What every MLflow call gets: the registry and who is calling (null: an anonymous read). */
export interface MlflowCall {
  deps: RegistryDeps;
  principal: Principal | null;
}

/** The caller of a change; the access hook let nobody anonymous reach one. */
export function actor(call: MlflowCall): Principal {
  if (!call.principal) throw new AppError('UNAUTHORIZED', 'this call needs a token');
  return call.principal;
}

/**
 * MLflow accepts any name; ours end up in URLs and Redis keys (see contracts names.ts), so a
 * name outside that alphabet is a 400 naming the parameter rather than a model that cannot exist.
 */
export function checkName(value: string, field = 'name'): string {
  const parsed = resourceNameSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AppError(
    'VALIDATION_FAILED',
    `Invalid value ${JSON.stringify(value.slice(0, 100))} for parameter '${field}': ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    [{ path: field, message: 'invalid name' }],
  );
}

export function versionNumber(value: string): number {
  return Number(value);
}

/** What the MLflow API changed besides aliases (those are audited in alias_history). */
export function logChange(call: MlflowCall, what: string, fields: Record<string, unknown>): void {
  call.deps.logger.info({ actor: call.principal?.name ?? null, api: 'mlflow', ...fields }, what);
}

/** An error whose MLflow code is not the one our code maps to (RESOURCE_ALREADY_EXISTS). */
export class MlflowError extends AppError {
  readonly mlflowCode: MlflowErrorCode;
  constructor(mlflowCode: MlflowErrorCode, code: ErrorCode, message: string) {
    super(code, message);
    this.mlflowCode = mlflowCode;
  }
}

/** The request and response of MLflow rpc K, from its schemas in contracts. */
export type In<K extends keyof typeof mlflowApi> = z.infer<(typeof mlflowApi)[K]['request']>;
export type Out<K extends keyof typeof mlflowApi> = z.infer<(typeof mlflowApi)[K]['response']>;
