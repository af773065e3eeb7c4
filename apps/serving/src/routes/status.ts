import type { FastifyInstance } from 'fastify';
import type { ErrorCode, ModelStatus } from '@mlops/contracts';
import type { ModelSet } from '../models/model-set';
import type { ModelSlot } from '../models/slot';

/** TF Serving reports gRPC status names. */
const GRPC_CODES: Partial<Record<ErrorCode, string>> = {
  NOT_FOUND: 'NOT_FOUND',
  PRECONDITION_FAILED: 'FAILED_PRECONDITION',
  UNAVAILABLE: 'UNAVAILABLE',
  VALIDATION_FAILED: 'INVALID_ARGUMENT',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'PERMISSION_DENIED',
};

const OK = { error_code: 'OK', error_message: '' };

/** TF Serving's `GET /v1/models/<name>/versions/<v>` body: one version, loaded. */
export function availableStatus(version: number): ModelStatus {
  return { model_version_status: [{ version: String(version), state: 'AVAILABLE', status: OK }] };
}

/**
 * TF Serving's `GET /v1/models/<name>` body for one slot: "status for all versions" (its REST
 * API documentation) — the followed version, and `extra`, the other versions in memory (pinned
 * by version or label), each AVAILABLE, highest version first.
 */
export function modelStatus(slot: ModelSlot, extra: readonly number[] = []): ModelStatus {
  const out: ModelStatus['model_version_status'] = [];
  const err = slot.lastError;
  const available = new Set(extra);
  if (slot.loaded) available.add(slot.loaded.version);
  if (slot.loading !== null && !available.has(slot.loading)) {
    out.push({ version: String(slot.loading), state: 'LOADING', status: OK });
  }
  for (const v of [...available].sort((a, b) => b - a))
    out.push({ version: String(v), state: 'AVAILABLE', status: OK });
  if (err && err.version !== null && !available.has(err.version)) {
    out.push({
      version: String(err.version),
      state: 'END',
      status: { error_code: GRPC_CODES[err.code] ?? 'UNKNOWN', error_message: err.message },
    });
  }
  if (out.length === 0) {
    out.push({
      version: '0',
      state: slot.state,
      status: err
        ? { error_code: GRPC_CODES[err.code] ?? 'UNKNOWN', error_message: err.message }
        : OK,
    });
  }
  return { model_version_status: out };
}

/** What a client may send, so a dashboard can refuse a file before uploading it for nothing. */
export interface ServingLimits {
  /** SERVING_MAX_BODY_BYTES: the largest request body (JSON or an image) serving reads. */
  maxBodyBytes: number;
}

export function statusRoutes(app: FastifyInstance, models: ModelSet, limits: ServingLimits): void {
  app.get('/v1/models', () => ({
    alias: models.alias,
    discovery: models.discovery,
    limits,
    models: models.list().map((slot) => ({
      name: slot.name,
      version: slot.loaded?.version ?? null,
      alias: models.alias,
      state: slot.state,
      loadingVersion: slot.loading,
      loadedAt: slot.loaded?.loadedAt.toISOString() ?? null,
      // tfjs or onnx, the engine inside it, and ONNX Runtime's threads (SERVING_ONNX_THREADS).
      runtime: slot.loaded
        ? {
            ...slot.loaded.runtime,
            engine: slot.loaded.predictor.engine,
          }
        : null,
      lastError: slot.lastError
        ? {
            version: slot.lastError.version,
            code: slot.lastError.code,
            message: slot.lastError.message,
            at: slot.lastError.at.toISOString(),
          }
        : null,
    })),
  }));
}
