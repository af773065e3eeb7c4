import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { BarChart } from '../src/components/BarChart';
import { CancelButton } from '../src/components/CancelButton';
import { CategoryBars } from '../src/components/CategoryBars';
import { LineChart } from '../src/components/LineChart';
import { PagedTable } from '../src/components/PagedTable';
import { Pagination } from '../src/components/Pagination';
import { paginate } from '../src/lib/paginate';
import { ErrorNote, Status } from '../src/components/Status';
import { VersionMetrics } from '../src/components/VersionMetrics';
import { describeVerdict } from '../src/api/governance';

describe('components', () => {
  it('BarChart is an image named by its title and values, one rect per bar', () => {
    const html = renderToStaticMarkup(
      <BarChart
        title="Histogram of x"
        items={[
          { label: '0 – 1', value: 2 },
          { label: '1 – 2', value: 4 },
        ]}
      />,
    );
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Histogram of x. 0 – 1: 2, 1 – 2: 4"');
    expect(html.match(/<rect/g)).toHaveLength(2);
  });

  it('CancelButton is a danger button, disabled while the cancel is pending', () => {
    const idle = renderToStaticMarkup(<CancelButton onCancel={() => undefined} pending={false} />);
    expect(idle).toBe('<button type="button" class="danger">Cancel run</button>');
    const pending = renderToStaticMarkup(<CancelButton onCancel={() => undefined} pending />);
    expect(pending).toContain('disabled=""');
  });

  it('CategoryBars lists every category with its count', () => {
    const html = renderToStaticMarkup(
      <CategoryBars
        title="Counts"
        items={[
          { label: 'setosa', value: 50 },
          { label: 'virginica', value: 25 },
        ]}
      />,
    );
    expect(html).toContain('aria-label="Counts"');
    expect(html).toContain('width:50%');
    expect(html).toContain('virginica');
  });

  it('LineChart says so when there is nothing to draw, else draws a path per series', () => {
    expect(
      renderToStaticMarkup(
        <LineChart
          title="Loss curve"
          xLabel="epoch"
          series={[{ name: 'loss', points: [], className: 's1' }]}
        />,
      ),
    ).toContain('No loss curve yet');
    const html = renderToStaticMarkup(
      <LineChart
        title="Loss curve"
        xLabel="epoch"
        series={[
          {
            name: 'loss',
            points: [
              { x: 1, y: 1 },
              { x: 2, y: 0.5 },
            ],
            className: 's1',
          },
        ]}
      />,
    );
    expect(html).toContain('aria-label="Loss curve: loss 0.5 at epoch 2"');
    expect(html).toMatch(/<path d="M0 0 L/);
  });

  it('Pagination hides itself for one page and disables the ends', () => {
    expect(
      renderToStaticMarkup(
        <Pagination label="Runs" page={1} pages={1} total={3} onPage={() => undefined} />,
      ),
    ).toBe('');
    const html = renderToStaticMarkup(
      <Pagination label="Runs" page={1} pages={3} total={25} onPage={() => undefined} />,
    );
    expect(html).toContain('aria-label="Runs pages"');
    expect(html).toMatch(/<button type="button" disabled="">Previous/);
    expect(html).toContain('Page 1 of 3 (25)');
  });

  it('PagedTable renders one page of rows under captioned headers, with its pager', () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, n: i }));
    const html = renderToStaticMarkup(
      <PagedTable
        caption="Things, newest first"
        columns={['Id', 'N']}
        page={paginate(items, 2, 5)}
        pagerLabel="Things"
        onPage={() => undefined}
        row={(t) => (
          <tr key={t.id}>
            <td>{t.id}</td>
            <td>{t.n}</td>
          </tr>
        )}
      />,
    );
    expect(html).toContain('<caption class="sr-only">Things, newest first</caption>');
    expect(html.match(/<th scope="col">/g)).toHaveLength(2);
    // Page 2 of 5-row pages: items 5–9, nothing else.
    expect(html.match(/<tr><td>/g)).toHaveLength(5);
    expect(html).toContain('<td>r5</td>');
    expect(html).not.toContain('<td>r4</td>');
    expect(html).toContain('Page 2 of 3 (12)');
    // An empty list shows neither an empty table nor a pager.
    const empty = renderToStaticMarkup(
      <PagedTable
        caption="Nothing"
        columns={['Id']}
        page={paginate([], 1, 5)}
        pagerLabel="Nothing"
        onPage={() => undefined}
        row={() => null}
      />,
    );
    expect(empty).toBe('');
  });

  it('Status carries text as well as colour; ErrorNote is an alert', () => {
    expect(renderToStaticMarkup(<Status value="failed" />)).toBe(
      '<span class="status status-bad">failed</span>',
    );
    expect(renderToStaticMarkup(<ErrorNote error={new Error('boom')} />)).toContain('role="alert"');
    expect(renderToStaticMarkup(<ErrorNote error={null} />)).toBe('');
  });

  it('VersionMetrics shows platform metrics with their source and the claim apart, labelled', () => {
    const measured = renderToStaticMarkup(
      <VersionMetrics
        v={{
          claimedMetrics: { accuracy: 0.999 },
          platformMetrics: {
            metrics: { accuracy: 0.9 },
            source: { kind: 'run', runId: 'run-0001' },
            recordedAt: '2026-01-01T00:00:00.000Z',
            recordedBy: 'service:trainer',
          },
        }}
      />,
    );
    expect(measured).toContain('aria-label="Platform metrics"');
    expect(measured).toContain('held-out split of run run-0001');
    expect(measured).toContain('Claimed by the client (not verified)');
    expect(measured).toContain('aria-label="Claimed metrics"');
    const claimedOnly = renderToStaticMarkup(
      <VersionMetrics v={{ claimedMetrics: { accuracy: 0.999 }, platformMetrics: null }} />,
    );
    expect(claimedOnly).toContain('No platform metrics');
    expect(claimedOnly).not.toContain('aria-label="Platform metrics"');
  });

  it('describeVerdict says where the gate read the candidate metric', () => {
    const v = { passed: false, metric: 'accuracy', baseline: null, baselineVersion: null };
    expect(describeVerdict({ ...v, candidate: null, source: 'none', claimed: 0.999 })).toBe(
      'gate refused: accuracy – (no platform value; claimed 0.999) vs no baseline',
    );
    expect(describeVerdict({ ...v, candidate: 0.8, source: 'platform', claimed: 0.999 })).toBe(
      'gate refused: accuracy 0.8 (platform; claimed 0.999) vs no baseline',
    );
    expect(describeVerdict({ ...v, candidate: 0.8 })).toBe(
      'gate refused: accuracy 0.8 vs no baseline',
    );
  });
});
