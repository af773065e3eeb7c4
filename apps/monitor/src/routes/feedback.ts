import type { FastifyInstance } from 'fastify';
import { AppError, parseFeedbackRequest, zodIssuesToDetails } from '@mlops/contracts';
import type { DriftMonitor } from '../monitor';

/**
 * `POST /v1/feedback` (scope `feedback`): ground truth by prediction id, one item
 * `{predictionId, label|value}` or `{items: [...]}`, for predictions served to the caller's own
 * principal within MONITOR_FEEDBACK_MAX_AGE_MS. Anything else refuses the request (4xx naming
 * each id and why); `pending` stays in the response for older clients and is always empty.
 */
export function feedbackRoutes(app: FastifyInstance, monitor: DriftMonitor): void {
  app.post('/v1/feedback', async (request, reply) => {
    const parsed = parseFeedbackRequest(request.body);
    if (!parsed.success) {
      const details = zodIssuesToDetails(parsed.error.issues);
      throw new AppError(
        'VALIDATION_FAILED',
        `Invalid feedback: send {predictionId, label} or {predictionId, value}, or {items: [...]} (${details
          .slice(0, 5)
          .map((d) => `${d.path || '(body)'}: ${d.message}`)
          .join('; ')})`,
        details,
      );
    }
    const items = parsed.data.items;
    // The auth hook let only a `feedback` token through: the principal is set.
    const result = await monitor.feedback(items, request.principal?.name ?? '');
    return reply.status(result.pending.length > 0 ? 202 : 200).send(result);
  });
}
