import { AppError, MAX_FEEDBACK_PER_REQUEST, type ErrorCode } from '@mlops/contracts';
import type { FeedbackItem, FeedbackResponse } from '@mlops/contracts';
import type { MonitorMetrics } from './metrics';
import type { QualityTracker, Refusal, RefusalReason } from './quality';
import type { StreamReader } from './stream-reader';

export interface FeedbackDeps {
  reader: StreamReader;
  quality: QualityTracker;
  metrics: MonitorMetrics;
  /** Feedback for a prediction served longer ago than this is refused. */
  maxAgeMs: number;
  /**
   * How long to wait for ids not in the log yet before refusing them: serving hands its log to
   * Redis every 100 ms (LogBuffer), so truth sent right after its prediction may beat it there.
   */
  logGraceMs?: number;
}

/** The status of a refused request: the first refused item's reason decides. */
const CODE_OF: Record<RefusalReason, ErrorCode> = {
  'not-yours': 'FORBIDDEN',
  unknown: 'NOT_FOUND',
  expired: 'CONFLICT',
  duplicate: 'VALIDATION_FAILED',
  mismatch: 'VALIDATION_FAILED',
};

/**
 * Join ground truth to logged predictions by prediction id, from the principal they were served
 * to. The streams are read first, so a label sent right after its prediction joins now. Any item
 * that cannot join (unknown id, someone else's prediction, too old, wrong kind) refuses the whole
 * request with a 4xx naming each item and why; nothing of it is stored.
 */
export async function joinFeedback(
  deps: FeedbackDeps,
  items: readonly FeedbackItem[],
  principal: string,
): Promise<FeedbackResponse> {
  const { reader, quality, metrics } = deps;
  if (items.length > MAX_FEEDBACK_PER_REQUEST) {
    throw new AppError(
      'VALIDATION_FAILED',
      `At most ${MAX_FEEDBACK_PER_REQUEST} items per request`,
    );
  }
  const catchUp = async () => {
    for (const model of await reader.scanStreams()) await reader.catchUp(model);
  };
  await catchUp();
  if (items.some((i) => !quality.has(i.predictionId))) {
    await new Promise((resolve) => setTimeout(resolve, deps.logGraceMs ?? 300));
    await catchUp();
  }
  const outcome = quality.addFeedback(items, { principal, maxAgeMs: deps.maxAgeMs });
  if (outcome.refused.length > 0) {
    for (const r of outcome.refused) metrics.feedbackRefused.inc({ reason: r.reason });
    metrics.feedback.inc({ result: 'rejected' }, items.length);
    const details = outcome.refused.map((r) => ({
      path: pathOf(r, items.length),
      message: r.message,
    }));
    const first = outcome.refused[0]!;
    throw new AppError(
      CODE_OF[first.reason],
      `Feedback refused: ${outcome.refused
        .slice(0, 5)
        .map((r) => `prediction "${r.predictionId}": ${r.message}`)
        .join(
          '; ',
        )}${outcome.refused.length > 5 ? ` (and ${outcome.refused.length - 5} more)` : ''}`,
      details.slice(0, 100),
    );
  }
  metrics.feedback.inc({ result: 'joined' }, outcome.accepted);
  return { accepted: outcome.accepted, pending: [] };
}

function pathOf(r: Refusal, count: number): string {
  const field = r.field ?? 'predictionId';
  return count === 1 ? field : `items[${r.index}].${field}`;
}
