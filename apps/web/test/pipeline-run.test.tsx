import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { pipelineDefinitionSchema, type PipelineRun, type PipelineStepRun } from '@mlops/contracts';
import { PipelineGraph } from '../src/components/PipelineGraph';
import {
  cachedSteps,
  elapsedMs,
  formatDuration,
  outputLinks,
  triggerText,
} from '../src/lib/pipeline-run';
import { hashParam, pageFromHash, pageHref } from '../src/lib/route';

const step = (over: Partial<PipelineStepRun>): PipelineStepRun => ({
  runId: 'run1',
  stepId: 'a',
  uses: 'custom/echo',
  status: 'queued',
  cached: false,
  cacheKey: null,
  inputs: null,
  outputs: null,
  state: null,
  attempts: 0,
  error: null,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  ...over,
});

describe('pipeline run helpers', () => {
  it('formats durations from milliseconds to hours', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(-1)).toBe('–');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(7_380_000)).toBe('2 h 03 min');
  });

  it('counts a running step from its start and keeps a finished one’s record', () => {
    const t = Date.parse('2026-12-07T10:00:00.000Z');
    const running = { durationMs: null, startedAt: '2026-12-07T10:00:00.000Z', finishedAt: null };
    expect(elapsedMs(running, t + 2_500)).toBe(2_500);
    expect(elapsedMs({ ...running, durationMs: 40 }, t + 2_500)).toBe(40);
    expect(elapsedMs({ ...running, startedAt: null }, t)).toBeNull();
  });

  it('counts cached steps and names the trigger', () => {
    const run = {
      steps: [step({ cached: true }), step({ stepId: 'b' })],
      trigger: { kind: 'drift' as const, detail: 'drift: 3 of 4 features' },
    } satisfies Pick<PipelineRun, 'steps' | 'trigger'>;
    expect(cachedSteps(run)).toBe(1);
    expect(triggerText(run)).toBe('drift: drift: 3 of 4 features');
    expect(triggerText({ trigger: { kind: 'manual' } })).toBe('manual');
  });

  it('links outputs that name a training run, a model version or a dataset version', () => {
    expect(outputLinks(step({ outputs: { runId: 'r1', model: 'iris', version: 3 } }))).toEqual([
      { label: 'training run r1', href: '#/runs?run=r1' },
      { label: 'model iris v3', href: '#/models?model=iris&version=3' },
    ]);
    expect(outputLinks(step({ outputs: { dataset: 'iris', version: 2, rows: 150 } }))).toEqual([
      { label: 'dataset iris v2', href: '#/datasets?dataset=iris&version=2' },
    ]);
    // Nothing named, or names of the wrong type: no link rather than a broken one.
    expect(outputLinks(step({ outputs: { passed: true } }))).toEqual([]);
    expect(outputLinks(step({ outputs: { model: { x: 1 }, version: 1 } }))).toEqual([]);
    expect(outputLinks(step({ outputs: null }))).toEqual([]);
  });

  it('round-trips page links through the hash, escaping what it carries', () => {
    const href = pageHref('pipelines', { run: 'a&b=c' });
    expect(pageFromHash(href)).toBe('pipelines');
    expect(hashParam(href, 'run')).toBe('a&b=c');
    expect(hashParam('#/pipelines', 'run')).toBeNull();
  });
});

describe('PipelineGraph', () => {
  const definition = pipelineDefinitionSchema.parse({
    name: 'p',
    steps: [
      { id: 'first', uses: 'custom/echo' },
      { id: 'second', uses: 'custom/sleep', with: { ms: 10 }, dependsOn: ['first'] },
    ],
  });

  it('names each step’s state in words as well as colour, with the cache badge', () => {
    const html = renderToStaticMarkup(
      <PipelineGraph
        definition={definition}
        steps={[
          step({ stepId: 'first', status: 'succeeded', cached: true, durationMs: 3 }),
          step({ stepId: 'second', uses: 'custom/sleep', status: 'failed', attempts: 2 }),
        ]}
        selected="second"
        onSelect={() => undefined}
        now={0}
      />,
    );
    expect(html).toContain('aria-label="step first, uses custom/echo, succeeded, 3 ms, cached"');
    expect(html).toContain('aria-label="step second, uses custom/sleep, failed, 2 attempts"');
    expect(html).toMatch(/class="node node-ok"[^>]*data-status="succeeded"/);
    expect(html).toMatch(/class="node node-bad node-selected"[^>]*aria-pressed="true"/);
    expect(html.match(/class="node-cached"/g)).toHaveLength(1);
    expect(html.match(/class="edge"/g)).toHaveLength(1);
    expect(html).toContain('2 attempts');
  });
});
