import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { anomalyCount, ValidationPanel } from '../src/components/ValidationPanel';

const validation = {
  against: { version: 1 },
  checkedAt: '2026-01-01T00:00:00.000Z',
  anomalies: [
    {
      kind: 'column_missing' as const,
      severity: 'error' as const,
      column: 'sex',
      message: 'column "sex" of the previous version is missing',
      observed: null,
      expected: null,
    },
    {
      kind: 'new_category' as const,
      severity: 'warning' as const,
      column: 'island',
      message: '1 category the previous version did not have (15 rows): "Torgersen"',
      observed: 1,
      expected: 0,
      values: ['Torgersen'],
    },
  ],
};

describe('ValidationPanel', () => {
  it('lists each anomaly with its severity, kind and column', () => {
    const html = renderToStaticMarkup(<ValidationPanel validation={validation} />);
    expect(html).toContain('Validation (compared with v1): 1 error, 1 warning');
    expect(html).toContain('<li class="error"><strong>error</strong> <code>column_missing</code>');
    expect(html).toContain('on <code>island</code>: 1 category the previous version did not have');
  });

  it('says when there is nothing, and when a version was never checked', () => {
    expect(anomalyCount({ ...validation, anomalies: [] })).toBe('none');
    expect(renderToStaticMarkup(<ValidationPanel validation={null} />)).toContain('not checked');
    const first = renderToStaticMarkup(
      <ValidationPanel validation={{ ...validation, against: null, anomalies: [] }} />,
    );
    expect(first).toContain('first version of this name): none');
    expect(first).not.toContain('<ul>');
  });
});
