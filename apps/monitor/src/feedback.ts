import { AppError, MAX_FEEDBACK_PER_REQUEST } from '@mlops/contracts';
import type { FeedbackItem, FeedbackResponse } from '@mlops/contracts';
import type { MonitorMetrics } from './metrics';
import type { QualityTracker } from './quality';
import type { StreamReader } from './stream-reader';

export interface FeedbackDeps {
  reader: StreamReader;
  quality: QualityTracker;
  metrics: MonitorMetrics;
}

/**
 * Join ground truth to logged predictions by prediction id. The streams are read first, so a
 * label sent right after its prediction joins now rather than waiting as pending. An item that
 * does not fit its prediction (a `value` for a classification, a `label` for a regression)
 * refuses the whole request with a 400 naming each such item; nothing of it is stored.
 */
export async function joinFeedback(
  deps: FeedbackDeps,
  items: readonly FeedbackItem[],
): Promise<FeedbackResponse> {
  const { reader, quality, metrics } = deps;
  if (items.length > MAX_FEEDBACK_PER_REQUEST) {
    throw new AppError(
      'VALIDATION_FAILED',
      `At most ${MAX_FEEDBACK_PER_REQUEST} items per request`,
    );
  }
  for (const model of await reader.scanStreams()) await reader.catchUp(model);
  const outcome = quality.addFeedback(items);
  if (outcome.mismatched.length > 0) {
    metrics.feedback.inc({ result: 'rejected' }, items.length);
    const details = outcome.mismatched.map((m) => ({
      path: items.length === 1 ? m.field : `items[${m.index}].${m.field}`,
      message: m.message,
    }));
    throw new AppError(
      'VALIDATION_FAILED',
      `Feedback does not fit the logged prediction: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  metrics.feedback.inc({ result: 'joined' }, outcome.accepted);
  metrics.feedback.inc({ result: 'pending' }, outcome.pending.length);
  return { accepted: outcome.accepted, pending: outcome.pending };
}
