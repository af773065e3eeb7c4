import type { FastifyRequest } from 'fastify';
import type { protocolErrorHandler } from '../errors';
import type { InferDeps } from '../inference/infer';
import { UNKNOWN_MODEL_LABEL } from '../metrics';

/**
 * `serving_requests_total{model, status}`: the predict requests of every protocol, counted where
 * the answer is made — the handler (200) and the protocol's error handler — rather than in an
 * onResponse hook, which made Fastify listen for every response's `finish` event (≈ 1 µs a
 * request at 30k requests/s).
 */
export interface RequestCounter {
  /** One answer about model `name` (as the request named it; '' if it named none) with `status`. */
  count(name: string, status: number): void;
}

export function requestCounter(deps: Pick<InferDeps, 'models' | 'metrics'>): RequestCounter {
  const { models, metrics } = deps;
  /** Key and labels of `model 200`, by model: the answer of nearly every request, made once. */
  const answered = new Map<string, { key: string; labels: { model: string; status: string } }>();
  return {
    count(name, status) {
      const model = models.get(name) ? name : UNKNOWN_MODEL_LABEL;
      if (status !== 200) {
        metrics.requests.tally(`${model} ${status}`, { model, status: String(status) });
        return;
      }
      let ok = answered.get(model);
      if (!ok)
        answered.set(model, (ok = { key: `${model} 200`, labels: { model, status: '200' } }));
      metrics.requests.tally(ok.key, ok.labels);
    },
  };
}

type ErrorHandler = ReturnType<typeof protocolErrorHandler>;

/**
 * A protocol's error handler that also counts the failed predict requests (POST) by the status
 * they were answered with; `modelOf` reads the model a request named.
 */
export function countingErrors(
  answer: ErrorHandler,
  counter: RequestCounter,
  modelOf: (request: FastifyRequest) => string,
): ErrorHandler {
  return (error, request, reply) => {
    const sent = answer(error, request, reply);
    if (request.method === 'POST') counter.count(modelOf(request), reply.statusCode);
    return sent;
  };
}
