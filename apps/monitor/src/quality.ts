import type { FeatureRecord, FeedbackItem, Metrics, Prediction } from '@mlops/contracts';

/** A logged prediction, kept until its ground truth arrives (or it ages out). */
interface Logged {
  model: string;
  version: number;
  /** Who it was served to: only that principal may send its ground truth. */
  principal: string | null;
  /** When it was served (ms since the epoch). */
  at: number;
  features: FeatureRecord;
  prediction: Prediction;
}

/** A prediction joined with its ground truth. */
export interface Joined {
  predictionId: string;
  features: FeatureRecord;
  predicted: string | number;
  truth: string | number;
}

/** Why a feedback item was refused (a label on `monitor_feedback_refused_total`). */
export type RefusalReason = 'unknown' | 'not-yours' | 'expired' | 'mismatch' | 'duplicate';

export interface Refusal {
  index: number;
  predictionId: string;
  reason: RefusalReason;
  /** The field at fault, for a mismatch (`label` or `value`). */
  field?: 'label' | 'value';
  message: string;
}

export interface FeedbackOutcome {
  accepted: number;
  /** Every item refused, with why; nothing of the request was stored when there is one. */
  refused: Refusal[];
}

/** Insertion-ordered map that forgets its oldest keys beyond `capacity`. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.capacity) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

export interface QualityTrackerOptions {
  /** Logged predictions indexed for the join (the oldest are forgotten). */
  indexSize?: number;
  /** Joined rows kept per model version. */
  joinedSize?: number;
}

/**
 * Joins ground truth with logged predictions by prediction id. Feedback is accepted only for a
 * prediction the monitor has read, served to the principal sending it, within the age window:
 * an unknown id is refused rather than parked, so labels cannot be filed in advance for other
 * clients' future predictions (the poisoning of issue #16). Memory stays bounded.
 */
export class QualityTracker {
  private readonly index: BoundedMap<string, Logged>;
  private readonly joined = new Map<string, Map<number, Joined[]>>();
  private readonly joinedSize: number;
  /** Bumped on every join: the background loop re-evaluates quality only when it moved. */
  private readonly generation = new Map<string, number>();

  constructor(opts: QualityTrackerOptions = {}) {
    this.index = new BoundedMap(opts.indexSize ?? 200_000);
    this.joinedSize = opts.joinedSize ?? 5_000;
  }

  addPredictions(
    model: string,
    entries: ReadonlyArray<{
      id: string;
      version: number;
      at: string;
      principal?: string;
      features: FeatureRecord;
      prediction: Prediction;
    }>,
  ): void {
    for (const e of entries) {
      this.index.set(e.id, {
        model,
        version: e.version,
        principal: e.principal ?? null,
        at: Date.parse(e.at),
        features: e.features,
        prediction: e.prediction,
      });
    }
  }

  /** Whether a prediction id is known (read from the log and not joined yet). */
  has(predictionId: string): boolean {
    return this.index.has(predictionId);
  }

  /**
   * Validate the whole batch first (all or nothing), then join each item. `principal` is who
   * sends it; predictions served more than `maxAgeMs` before `now` are refused.
   */
  addFeedback(
    items: readonly FeedbackItem[],
    caller: { principal: string; maxAgeMs: number; now?: number },
  ): FeedbackOutcome {
    const now = caller.now ?? Date.now();
    const refused: Refusal[] = [];
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const predictionId = item.predictionId;
      const logged = this.index.get(predictionId);
      if (seen.has(predictionId)) {
        refused.push({
          index,
          predictionId,
          reason: 'duplicate',
          message: 'sent twice in this request: one truth per prediction',
        });
        return;
      }
      seen.add(predictionId);
      if (!logged) {
        refused.push({
          index,
          predictionId,
          reason: 'unknown',
          message:
            'no such prediction: never served, not logged (sampled out), no longer kept, or it already has feedback',
        });
      } else if (logged.principal !== caller.principal) {
        refused.push({
          index,
          predictionId,
          reason: 'not-yours',
          message: `it was not served to ${caller.principal}: feedback comes from the client that asked`,
        });
      } else if (!(now - logged.at <= caller.maxAgeMs)) {
        refused.push({
          index,
          predictionId,
          reason: 'expired',
          message: `it was served more than ${caller.maxAgeMs} ms ago (MONITOR_FEEDBACK_MAX_AGE_MS)`,
        });
      } else {
        const problem = fits(logged.prediction, item);
        if (problem) refused.push({ index, predictionId, reason: 'mismatch', ...problem });
      }
    });
    if (refused.length > 0) return { accepted: 0, refused };
    for (const item of items)
      this.join(item.predictionId, this.index.get(item.predictionId)!, item);
    return { accepted: items.length, refused };
  }

  private join(id: string, logged: Logged, item: FeedbackItem): void {
    // One truth per prediction: a second feedback for the same id replaces nothing.
    this.index.delete(id);
    const truth = 'label' in item ? item.label : item.value;
    const predicted =
      'label' in logged.prediction ? logged.prediction.label : logged.prediction.value;
    let versions = this.joined.get(logged.model);
    if (!versions) this.joined.set(logged.model, (versions = new Map<number, Joined[]>()));
    let rows = versions.get(logged.version);
    if (!rows) versions.set(logged.version, (rows = []));
    rows.push({ predictionId: id, features: logged.features, predicted, truth });
    if (rows.length > this.joinedSize) rows.splice(0, rows.length - this.joinedSize);
    this.generation.set(logged.model, (this.generation.get(logged.model) ?? 0) + 1);
  }

  generationOf(model: string): number {
    return this.generation.get(model) ?? 0;
  }

  models(): string[] {
    return [...this.joined.keys()].sort();
  }

  versions(model: string): number[] {
    return [...(this.joined.get(model)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** The last `size` joined rows of a version. */
  rows(model: string, version: number, size = Infinity): Joined[] {
    const rows = this.joined.get(model)?.get(version) ?? [];
    return rows.slice(Math.max(0, rows.length - size));
  }

  /** Every joined row of the model, all versions (the labeled data a retraining appends). */
  allRows(model: string): Joined[] {
    return [...(this.joined.get(model)?.values() ?? [])].flat();
  }
}

function fits(
  prediction: Prediction,
  item: FeedbackItem,
): { field: 'label' | 'value'; message: string } | null {
  const classification = 'label' in prediction;
  if (classification && !('label' in item)) {
    return { field: 'label', message: 'the prediction is a classification: send `label`' };
  }
  if (!classification && !('value' in item)) {
    return { field: 'value', message: 'the prediction is a regression: send `value`' };
  }
  return null;
}

/** accuracy and macro-F1 over the labels seen in truth or prediction. */
export function classificationMetrics(rows: readonly Joined[]): Metrics {
  if (rows.length === 0) return {};
  const labels = new Set<string>();
  let correct = 0;
  for (const r of rows) {
    labels.add(String(r.truth));
    labels.add(String(r.predicted));
    if (String(r.truth) === String(r.predicted)) correct++;
  }
  let f1Sum = 0;
  for (const label of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const r of rows) {
      const t = String(r.truth) === label;
      const p = String(r.predicted) === label;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    // sklearn's zero_division=0: a label never predicted nor true scores 0 (cannot happen here).
    f1Sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return { accuracy: correct / rows.length, macro_f1: f1Sum / labels.size };
}

/** rmse and mae of numeric predictions. */
export function regressionMetrics(rows: readonly Joined[]): Metrics {
  const pairs = rows.filter(
    (r): r is Joined & { truth: number; predicted: number } =>
      typeof r.truth === 'number' && typeof r.predicted === 'number',
  );
  if (pairs.length === 0) return {};
  let se = 0;
  let ae = 0;
  for (const r of pairs) {
    se += (r.truth - r.predicted) ** 2;
    ae += Math.abs(r.truth - r.predicted);
  }
  return { rmse: Math.sqrt(se / pairs.length), mae: ae / pairs.length };
}
