import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { VersionModelTests } from '@mlops/contracts';
import { ModelTestsPanel } from '../src/components/ModelTestsPanel';

const tests: VersionModelTests = {
  results: [
    {
      name: 'baseline:majority',
      kind: 'baseline',
      passed: true,
      value: 0.6,
      threshold: 0,
      detail: 'ok',
    },
    {
      name: 'typical_flowers',
      kind: 'minimum_functionality',
      passed: false,
      value: 0.67,
      threshold: 1,
      detail: '2/3 cases predicted as declared',
    },
  ],
  baselineLift: -0.0333,
  baselines: [
    { name: 'majority', metric: 'accuracy', value: 0.3333, lift: 0.6, logLoss: 1.1 },
    { name: 'logistic', metric: 'accuracy', value: 0.9667, lift: -0.0333, logLoss: 0.2 },
  ],
  slices: [
    { feature: 'petal_width', slice: '[0.1, 0.3)', rows: 8, score: 1, flagged: false },
    { feature: 'petal_width', slice: '[1.3, 1.8)', rows: 11, score: 0.7273, flagged: true },
  ],
  calibration: { ece: 0.0421, bins: [] },
  rows: 30,
  source: { kind: 'run', runId: 'run-00000001' },
  recordedAt: '2026-01-01T00:00:00.000Z',
  recordedBy: 'service:trainer',
};

describe('ModelTestsPanel', () => {
  it('counts the tests, lists the failed ones and sums up baselines, ECE and the worst slice', () => {
    const html = renderToStaticMarkup(<ModelTestsPanel v={{ modelTests: tests }} />);
    expect(html).toContain('Model tests on 30 held-out rows: 1 passed, 1 failed');
    expect(html).toContain(
      '<li class="error"><code>typical_flowers</code> (minimum_functionality): 2/3 cases',
    );
    expect(html).not.toContain('<code>baseline:majority</code>');
    expect(html).toContain('<dt>baseline lift</dt><dd>-0.0333</dd>');
    expect(html).toContain('<dt>ECE</dt><dd>0.0421</dd>');
    expect(html).toContain('petal_width=[1.3, 1.8) 0.727 (11 rows) flagged');
  });

  it('says when a version has none, and lists nothing when all passed', () => {
    expect(renderToStaticMarkup(<ModelTestsPanel v={{ modelTests: null }} />)).toContain(
      'No model tests',
    );
    const green = renderToStaticMarkup(
      <ModelTestsPanel
        v={{ modelTests: { ...tests, results: tests.results.slice(0, 1), calibration: null } }}
      />,
    );
    expect(green).toContain('1 passed, 0 failed');
    expect(green).not.toContain('<ul>');
    expect(green).not.toContain('ECE');
  });
});
