import type { RegistryClient } from '@mlops/client';
import {
  driftReportSchema,
  TERMINAL_RUN_STATUSES,
  type DriftReport,
  type Run,
} from '@mlops/contracts';
import { round } from '../lib/stats';
import { waitFor } from '../lib/wait';
import type { Reporter } from './reporter';

/** Steps both demo laps (Iris rows, lesion images) take against running services. */

export interface LoopUrls {
  serving: string;
  monitor: string;
  /** Sent to serving and the monitor, which check it (predict, feedback, read). */
  token: string;
}

/** The Bearer header of the demo's token. */
export function bearer(urls: LoopUrls): Record<string, string> {
  return { authorization: `Bearer ${urls.token}` };
}

/** Poll the run until it ends, showing its epochs; the run as it ended. */
export async function waitForRun(
  client: RegistryClient,
  id: string,
  report: Reporter,
  timeoutMs = 180_000,
): Promise<Run> {
  return waitFor(
    `run ${id} to finish`,
    async () => {
      const run = await client.api.runs.get.query({ id });
      if (run.progress) report.progress(run.progress.epoch, run.progress.epochs, run.progress.loss);
      return TERMINAL_RUN_STATUSES.includes(run.status) ? run : undefined;
    },
    { timeoutMs, intervalMs: 300 },
  );
}

/** Wait until serving reports `model` v`version` AVAILABLE (it follows the alias by itself). */
export async function waitForServing(urls: LoopUrls, model: string, version: number) {
  await waitFor(`serving to load ${model} v${version}`, async () => {
    const res = await fetch(`${urls.serving}/v1/models/${model}`, { headers: bearer(urls) });
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
}

/**
 * The engine serving runs a model's loaded version on (`onnx` for a verified ONNX export under
 * SERVING_RUNTIME=auto, else `tfjs`), from serving's own status; null when it says nothing.
 */
export async function servedRuntime(urls: LoopUrls, model: string): Promise<string | null> {
  const res = await fetch(`${urls.serving}/v1/models`, { headers: bearer(urls) });
  if (!res.ok) return null;
  const body = (await res.json()) as {
    models?: Array<{ name: string; runtime: { runtime?: string } | null }>;
  };
  return body.models?.find((m) => m.name === model)?.runtime?.runtime ?? null;
}

/** The monitor's report over exactly the last `rows` served rows, all sent after `since`. */
export async function driftOfLast(
  urls: LoopUrls,
  model: string,
  rows: number,
  since: string,
): Promise<DriftReport> {
  return waitFor(`the monitor to see ${rows} new rows`, async () => {
    const res = await fetch(`${urls.monitor}/v1/drift/${model}?window=${rows}`, {
      headers: bearer(urls),
    });
    if (!res.ok) return undefined;
    const report = driftReportSchema.parse(await res.json());
    const from = report.window.from;
    return report.window.rows === rows && from !== null && from >= since && !report.insufficientData
      ? report
      : undefined;
  });
}

export function describeDrift(drift: DriftReport): string {
  const cols = drift.columns
    .map((c) => `${c.column} ${c.method}=${round(c.score, 4)}${c.drifted ? '*' : ''}`)
    .join(', ');
  return `dataset drift ${drift.datasetDrift ? 'YES' : 'no'} (${drift.driftedColumns.length}/${drift.columns.length} columns: ${cols})`;
}
