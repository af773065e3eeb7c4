import type { JsonValue, PipelineRun, PipelineStepRun } from '@mlops/contracts';
import { pageHref } from './route';

/** What the pipeline pages derive from a run: pure, so the tests need no browser. */

export const isRunActive = (run: Pick<PipelineRun, 'status'>) =>
  run.status === 'queued' || run.status === 'running';

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`; `–` when there is nothing to show. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')} min`;
}

/** The recorded duration, or for something still running the time since it started. */
export function elapsedMs(
  item: { durationMs: number | null; startedAt: string | null; finishedAt: string | null },
  now: number,
): number | null {
  if (item.durationMs !== null) return item.durationMs;
  if (!item.startedAt || item.finishedAt) return null;
  return Math.max(0, now - Date.parse(item.startedAt));
}

export function cachedSteps(run: Pick<PipelineRun, 'steps'>): number {
  return run.steps.filter((s) => s.cached).length;
}

export function triggerText(run: Pick<PipelineRun, 'trigger'>): string {
  return run.trigger.detail ? `${run.trigger.kind}: ${run.trigger.detail}` : run.trigger.kind;
}

export interface OutputLink {
  label: string;
  href: string;
}

const str = (v: JsonValue | undefined) =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;

/**
 * Links to what a step's outputs name, by the keys the built-in steps use: `runId` (a training
 * run), `model` + `version` (a model version), `dataset` + `version` (a dataset version). Custom
 * steps returning the same keys get the same links.
 */
export function outputLinks(step: Pick<PipelineStepRun, 'outputs'>): OutputLink[] {
  const out = step.outputs;
  if (!out) return [];
  const links: OutputLink[] = [];
  const runId = str(out.runId);
  const version = str(out.version);
  const model = str(out.model);
  const dataset = str(out.dataset);
  if (runId) links.push({ label: `training run ${runId}`, href: pageHref('runs', { run: runId }) });
  if (model && version) {
    links.push({
      label: `model ${model} v${version}`,
      href: pageHref('models', { model, version }),
    });
  } else if (dataset && version) {
    links.push({
      label: `dataset ${dataset} v${version}`,
      href: pageHref('datasets', { dataset, version }),
    });
  }
  return links;
}
