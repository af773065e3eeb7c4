import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ColumnInferenceNote } from '../src/components/ColumnInferenceNote';

describe('ColumnInferenceNote', () => {
  it('shows the reason, the tokens read as missing and why a column is not a feature', () => {
    const html = renderToStaticMarkup(
      <ColumnInferenceNote
        decision={{
          name: 'temp',
          type: 'numeric',
          reason: 'every value is a number except 1 missing-value token(s)',
          missingTokens: { 'n/a': 1, '': 2 },
        }}
      />,
    );
    expect(html).toContain('every value is a number except 1');
    expect(html).toContain('read as missing: &quot;n/a&quot; ×1, &quot;&quot; ×2');
    expect(html).not.toContain('Not a default feature');
  });

  it('marks an excluded column with its reason', () => {
    const html = renderToStaticMarkup(
      <ColumnInferenceNote
        decision={{
          name: 'date',
          type: 'categorical',
          reason: 'every value is an ISO 8601 date',
          kind: 'date',
          excluded: 'dates/timestamps (1461 distinct)',
        }}
      />,
    );
    expect(html).toContain('role="note">Not a default feature: dates/timestamps (1461 distinct)');
    expect(html).not.toContain('read as missing');
  });

  it('shows a datetime column kept by a schema hint, and the hint', () => {
    const html = renderToStaticMarkup(
      <ColumnInferenceNote
        decision={{
          name: 'day',
          type: 'datetime',
          reason:
            'every value is a date or date-time (60 ISO 8601): stored as ISO 8601; kept as a feature as asked by the schema hints',
          kind: 'date',
          hint: { exclude: false },
        }}
      />,
    );
    expect(html).toContain('kept as a feature as asked by the schema hints');
    expect(html).toContain('schema hint: exclude false');
    expect(html).not.toContain('Not a default feature');
  });
});
