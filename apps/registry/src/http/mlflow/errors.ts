import type { z } from 'zod';
import {
  AppError,
  MLFLOW_ERROR_STATUS,
  type ErrorCode,
  type MlflowErrorBody,
  type MlflowErrorCode,
} from '@mlops/contracts';
import { MlflowError } from '../../domain/mlflow/context';
import { toRestError } from '../errors';

/** Our error codes as MLflow's (mlflow/exceptions.py gives each its HTTP status). */
const MLFLOW_CODE_OF: Record<ErrorCode, MlflowErrorCode> = {
  VALIDATION_FAILED: 'INVALID_PARAMETER_VALUE',
  BAD_DATASET: 'INVALID_PARAMETER_VALUE',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'PERMISSION_DENIED',
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  CONFLICT: 'RESOURCE_CONFLICT',
  // The promotion gate or a breaking signature refused an alias move: the request is valid
  // but cannot be done as asked; MLflow has no 412, its generic client error is BAD_REQUEST.
  PRECONDITION_FAILED: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'INVALID_PARAMETER_VALUE',
  UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  INTERNAL: 'INTERNAL_ERROR',
};

export function toMlflowError(err: unknown): { status: number; body: MlflowErrorBody } {
  const appError = toRestError(err);
  const code =
    appError instanceof MlflowError ? appError.mlflowCode : MLFLOW_CODE_OF[appError.code];
  // A route that does not exist under the prefix: MLflow's ENDPOINT_NOT_FOUND.
  const notFound = appError.code === 'NOT_FOUND' && appError.message.startsWith('no route ');
  const error_code = notFound ? 'ENDPOINT_NOT_FOUND' : code;
  // Too large stays 413 (the body limit answered before any handler ran).
  const status = appError.code === 'PAYLOAD_TOO_LARGE' ? 413 : MLFLOW_ERROR_STATUS[error_code];
  return { status, body: { error_code, message: appError.message } };
}

/**
 * Parse a request message as MLflow's server does: required fields missing read "Missing value
 * for required parameter 'x'", others "Invalid value ... for parameter 'x'".
 */
export function parseMessage<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  const value = fieldValue(raw, issue?.path ?? []);
  throw new AppError(
    'VALIDATION_FAILED',
    value === undefined
      ? `Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`
      : `Invalid value ${JSON.stringify(value).slice(0, 100)} for parameter '${field}' supplied: ${issue?.message ?? 'invalid'}`,
    parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

function fieldValue(raw: unknown, path: PropertyKey[]): unknown {
  let at: unknown = raw;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
