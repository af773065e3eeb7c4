import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { VersionModelTests } from '@mlops/contracts';
import { sampleModelTests } from '@mlops/contracts/testing';
import { ModelTestsPanel } from '../src/components/ModelTestsPanel';

const tests: VersionModelTests = {
  ...sampleModelTests(),
  source: { kind: 'run', runId: 'run-00000001' },
  recordedAt: '2026-01-01T00:00:00.000Z',
  recordedBy: 'service:trainer',
};

describe('ModelTestsPanel', () => {
  it('counts the tests, lists the failed ones and sums up baselines, ECE and the worst slice', () => {
    const html = renderToStaticMarkup(<ModelTestsPanel v={{ modelTests: tests }} />);
    expect(html).toContain('Model tests on 30 held-out rows: 2 passed, 1 failed');
    expect(html).toContain(
      '<li class="error"><code>island_invariant</code> (invariance): 5/10</li>',
    );
    expect(html).not.toContain('<code>baseline:majority</code>');
    expect(html).toContain('<dt>baseline lift</dt><dd>-0.02</dd>');
    expect(html).toContain('<dt>ECE</dt><dd>0.042</dd>');
    expect(html).toContain('island=Dream 0.75 (12 rows) flagged');
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
