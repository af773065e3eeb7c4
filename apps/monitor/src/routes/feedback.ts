import type { FastifyInstance } from 'fastify';
import { AppError, parseFeedbackRequest, zodIssuesToDetails } from '@mlops/contracts';
import type { DriftMonitor } from '../monitor';

/**
 * `POST /v1/feedback`: ground truth by prediction id, one item `{predictionId, label|value}` or
 * `{items: [...]}`. Known ids are joined now (`accepted`); ids the monitor has not read yet are
 * kept and joined when the prediction arrives (`pending`) — serving logs asynchronously, so
 * truth may legitimately arrive first. 202 when anything is pending, else 200.
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
    const result = await monitor.feedback(items);
    return reply.status(result.pending.length > 0 ? 202 : 200).send(result);
  });
}
