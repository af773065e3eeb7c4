import type { RegistryClient } from '@mlops/client';
import {
  driftReportSchema,
  feedbackResponseSchema,
  monitorHistorySchema,
  predictResponseSchema,
  qualityReportSchema,
  type QualityReport,
  type RetrainRecord,
} from '@mlops/contracts';
import { round } from '../lib/stats';
import { waitFor } from '../lib/wait';
import { features, readIris, shift, splitHoldout, type IrisRow } from './iris';
import { bearer, type LoopUrls } from './steps';
import type { Reporter } from './reporter';

const MODEL = 'iris';

/** What the second lap adds to the demo's JSON summary. */
export interface RetrainSummary {
  /** The version the monitor's retraining registered (null if none was). */
  version: number | null;
  /** The alias moved to it (the registry's gate let it through). */
  promoted: boolean;
  from_version: number;
  trigger: string;
  reason: string;
  run_id: string | null;
  dataset_version: number | null;
  feedback_rows: number;
  drift: boolean;
  live_accuracy_before: number | null;
  /** Accuracy of serving on the shifted held-out rows after the swap. */
  accuracy_after: number | null;
  served_version_after: number | null;
  detail: string | null;
}

/**
 * The second lap: the world shifts and labels come back. Shifted traffic is served by the
 * champion, its ground truth is sent to the monitor, which sees drift and a drop in live
 * accuracy, asks the registry for a retraining run on the dataset plus the labeled feedback,
 * and moves the alias when the run completes and the gate passes. Serving then swaps, and the
 * shifted held-out rows are answered by the new version.
 */
export async function runRetrainLap(
  urls: LoopUrls,
  report: Reporter,
  fromVersion: number,
  client: RegistryClient,
): Promise<RetrainSummary> {
  const { train, holdout } = splitHoldout(readIris(), 10);
  const traffic = train.map(shift);

  await report.step(
    'enable automatic retraining of iris (off until a person says so)',
    async () => {
      const res = await fetch(`${urls.monitor}/v1/models/${MODEL}/retraining`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...bearer(urls) },
        body: JSON.stringify({
          enabled: true,
          reason: 'demo: the second lap retrains on feedback',
        }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`enabling retraining answered ${res.status}: ${text}`);
      return { value: undefined, detail: `PUT /v1/models/${MODEL}/retraining {"enabled": true}` };
    },
  );
  const shiftedHoldout = holdout.map(shift);

  const served = await report.step(`serve ${traffic.length} rows of shifted traffic`, async () => {
    const result = await predictBatch(urls, traffic);
    return {
      value: result,
      detail: `answered by v${result.version}, accuracy ${round(result.accuracy)} (the world changed)`,
    };
  });

  const drift = await report.step('drift report on the shifted traffic', async () => {
    const drift = await waitFor('the monitor to read the shifted traffic', async () => {
      const res = await fetch(`${urls.monitor}/v1/drift/${MODEL}?window=${traffic.length}`, {
        headers: bearer(urls),
      });
      if (!res.ok) return undefined;
      const r = driftReportSchema.parse(await res.json());
      return r.window.rows === traffic.length && !r.insufficientData ? r : undefined;
    });
    return {
      value: drift,
      detail: `dataset drift ${drift.datasetDrift ? 'YES' : 'no'} (${drift.driftedColumns.join(', ') || 'no column'})`,
    };
  });

  await report.step(
    `send the ground truth of ${traffic.length} predictions to the monitor`,
    async () => {
      const body = await sendFeedback(urls, served.ids, traffic);
      return { value: body, detail: `${body.accepted} joined` };
    },
  );

  const quality = await report.step('live quality vs. held-out metrics', async () => {
    const q = await waitFor('the monitor to join the feedback', async () => {
      const r = await trpcQuery(
        urls,
        'quality',
        { model: MODEL, version: fromVersion },
        qualityReportSchema,
      );
      return r.samples >= traffic.length ? r : undefined;
    });
    return { value: q, detail: describeQuality(q) };
  });

  const record = await report.step('monitor retrains: run → gate → alias', async () => {
    const r = await waitFor(
      'the monitor’s retraining to finish',
      async () => {
        const h = await trpcQuery(urls, 'history', { model: MODEL }, monitorHistorySchema);
        const latest = h.retraining[0];
        return latest && ['promoted', 'rejected', 'failed'].includes(latest.status)
          ? latest
          : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    if (r.status === 'failed') throw new Error(`retraining failed: ${r.detail ?? 'no detail'}`);
    return { value: r, detail: describeRecord(r) };
  });

  let after: { version: number; accuracy: number } | null = null;
  if (record.status === 'promoted' && record.version !== null) {
    const version = record.version;
    after = await report.step(
      `serving swaps to v${version}; predict the shifted held-out rows`,
      async () => {
        await waitFor(`serving to answer with ${MODEL} v${version}`, async () => {
          const res = await fetch(`${urls.serving}/v1/models/${MODEL}`, {
            headers: bearer(urls),
          });
          if (!res.ok) return undefined;
          const body = (await res.json()) as {
            model_version_status?: Array<{ version: string; state: string }>;
          };
          return body.model_version_status?.some(
            (s) => s.version === String(version) && s.state === 'AVAILABLE',
          )
            ? true
            : undefined;
        });
        const result = await predictBatch(urls, shiftedHoldout);
        if (result.version !== version)
          throw new Error(`serving answered with v${result.version}, expected v${version}`);
        return {
          value: { version: result.version, accuracy: result.accuracy },
          detail: `v${result.version} answers, accuracy ${round(result.accuracy)} on ${shiftedHoldout.length} unseen shifted rows`,
        };
      },
    );
  } else {
    const aliases = await client.api.aliases.list.query({ model: MODEL });
    report.info(`  alias stays on v${aliases.find((a) => a.alias === 'champion')?.version ?? '?'}`);
  }

  return {
    version: record.version,
    promoted: record.status === 'promoted',
    from_version: fromVersion,
    trigger: record.trigger,
    reason: record.reason,
    run_id: record.runId,
    dataset_version: record.dataset?.version ?? null,
    feedback_rows: record.feedbackRows,
    drift: drift.datasetDrift,
    live_accuracy_before:
      quality.live.accuracy === undefined ? null : round(quality.live.accuracy, 4),
    accuracy_after: after ? round(after.accuracy, 4) : null,
    served_version_after: after?.version ?? null,
    detail: record.detail,
  };
}

/** One request with every row: the ids come back in order, one per instance. */
export async function predictBatch(urls: LoopUrls, rows: readonly IrisRow[]) {
  const res = await fetch(`${urls.serving}/v1/models/${MODEL}:predict?format=platform`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(urls) },
    body: JSON.stringify({ instances: rows.map(features) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`predict answered ${res.status}: ${text}`);
  const body = predictResponseSchema.parse(JSON.parse(text));
  let correct = 0;
  body.predictions.forEach((p, i) => {
    if ('label' in p && p.label === rows[i]!.species) correct++;
  });
  return { ids: body.predictionIds, version: body.model.version, accuracy: correct / rows.length };
}

/**
 * The true species of served rows, by prediction id, to the monitor. The same token that asked
 * for the predictions: the monitor takes truth only from it.
 */
export async function sendFeedback(
  urls: LoopUrls,
  predictionIds: readonly string[],
  rows: readonly IrisRow[],
) {
  const items = predictionIds.map((predictionId, i) => ({ predictionId, label: rows[i]!.species }));
  const res = await fetch(`${urls.monitor}/v1/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(urls) },
    body: JSON.stringify({ items }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`feedback answered ${res.status}: ${text}`);
  return feedbackResponseSchema.parse(JSON.parse(text));
}

/** A query of the monitor's tRPC router over plain HTTP (`GET /trpc/<path>?input=`). */
export async function trpcQuery<T>(
  urls: LoopUrls,
  path: string,
  input: unknown,
  schema: { parse(data: unknown): T },
): Promise<T> {
  const res = await fetch(
    `${urls.monitor}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`,
    { headers: bearer(urls) },
  );
  const text = await res.text();
  if (!res.ok) throw new Error(`monitor ${path} answered ${res.status}: ${text}`);
  const body = JSON.parse(text) as { result?: { data?: unknown } };
  return schema.parse(body.result?.data);
}

function describeQuality(q: QualityReport): string {
  const live = Object.entries(q.live)
    .map(([k, v]) => `${k} ${round(v)}`)
    .join(', ');
  const held = Object.entries(q.heldout)
    .filter(([k]) => k === 'accuracy' || k === 'macro_f1')
    .map(([k, v]) => `${k} ${round(v)}`)
    .join(', ');
  const w = q.watched;
  return `v${q.version} live ${live} on ${q.samples} labels (held-out ${held})${w ? `; ${w.metric} floor ${w.threshold}: ${w.degraded ? 'DEGRADED' : 'ok'}` : ''}`;
}

function describeRecord(r: RetrainRecord): string {
  const data = r.dataset
    ? `${r.dataset.name} v${r.dataset.version} (+${r.feedbackRows} labeled rows)`
    : '?';
  const outcome =
    r.status === 'promoted'
      ? `champion → v${r.version}`
      : `v${r.version ?? '?'} not promoted: ${r.detail ?? ''}`;
  return `on ${r.trigger} (${r.reason}); run ${r.runId ?? '?'} on ${data}; ${outcome}`;
}
