import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ColumnProfile, DatasetVersionSummary } from '@mlops/contracts';
import { useSession } from '../api/session';
import { BarChart } from '../components/BarChart';
import { CategoryBars } from '../components/CategoryBars';
import { ColumnInferenceNote } from '../components/ColumnInferenceNote';
import { anomalyCount, ValidationPanel } from '../components/ValidationPanel';
import { ImageProfileView } from '../components/ImageProfileView';
import { PagedTable } from '../components/PagedTable';
import { Card, ErrorNote } from '../components/Status';
import { formatNumber, histogramItems } from '../lib/chart';
import { paginate } from '../lib/paginate';
import { initialHashParam } from '../lib/route';
import { UploadForm } from './UploadForm';

const PAGE_SIZE = 10;

/** `#/datasets?dataset=iris&version=2` (a pipeline step's output links here). */
function linkedDatasetVersion(): { name: string; version: number } | null {
  const name = initialHashParam('dataset');
  const version = Number(initialHashParam('version'));
  return name && Number.isInteger(version) && version > 0 ? { name, version } : null;
}

export function DatasetsPage() {
  const { clients, abilities } = useSession();
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<{ name: string; version: number } | null>(
    linkedDatasetVersion,
  );
  const list = useQuery({
    queryKey: ['datasets.list'],
    queryFn: () => clients.api.datasets.list.query({ limit: 500 }),
  });
  const versions = list.data ?? [];
  const shown = paginate(versions, page, PAGE_SIZE);
  const current =
    selected ?? (versions[0] ? { name: versions[0].name, version: versions[0].version } : null);

  return (
    <>
      {abilities.upload ? (
        <UploadForm onUploaded={(d) => setSelected({ name: d.name, version: d.version })} />
      ) : (
        <p className="muted">Sign in with a token that may write datasets to upload one.</p>
      )}
      <Card title="Dataset versions">
        <ErrorNote error={list.error} />
        {list.isPending ? <p className="muted">Loading…</p> : null}
        {versions.length === 0 && list.isSuccess ? <p className="muted">No datasets yet.</p> : null}
        <PagedTable
          caption="Dataset versions, newest first"
          columns={['Name', 'Version', 'Rows', 'Columns', 'Format', 'Hash', 'Anomalies', 'Created']}
          page={shown}
          pagerLabel="Dataset versions"
          onPage={setPage}
          row={(d) => (
            <DatasetRow
              key={d.id}
              d={d}
              active={current?.name === d.name && current.version === d.version}
              onOpen={() => setSelected({ name: d.name, version: d.version })}
            />
          )}
        />
      </Card>
      {current ? <DatasetDetail name={current.name} version={current.version} /> : null}
    </>
  );
}

function DatasetRow({
  d,
  active,
  onOpen,
}: {
  d: DatasetVersionSummary;
  active: boolean;
  onOpen: () => void;
}) {
  return (
    <tr aria-current={active ? 'true' : undefined}>
      <td>
        <button
          type="button"
          className="link"
          onClick={onOpen}
          aria-label={`Show ${d.name} v${d.version}`}
        >
          {d.name}
        </button>
      </td>
      <td>v{d.version}</td>
      <td>{d.rowCount}</td>
      <td>{d.schema.columns.length}</td>
      <td>{d.format}</td>
      <td>
        <code title={d.hash}>{d.hash.slice(0, 12)}…</code>
      </td>
      <td>{anomalyCount(d.validation)}</td>
      <td>{new Date(d.createdAt).toLocaleString()}</td>
    </tr>
  );
}

function DatasetDetail({ name, version }: { name: string; version: number }) {
  const { clients } = useSession();
  const detail = useQuery({
    queryKey: ['datasets.get', name, version],
    queryFn: () => clients.api.datasets.get.query({ name, version }),
  });
  const d = detail.data;
  return (
    <Card title={`${name} v${version}: schema and profile`}>
      <ErrorNote error={detail.error} />
      {d ? <ValidationPanel validation={d.validation} /> : null}
      {d ? (
        <div className="profile-grid">
          {d.schema.columns.map((col) => {
            const profile = d.profile.columns.find((p) => p.name === col.name);
            const decision = d.profile.inference?.columns.find((c) => c.name === col.name);
            return (
              <article key={col.name} className="column-card" aria-label={`Column ${col.name}`}>
                <h3>{col.name}</h3>
                <p className="muted">
                  {col.type}
                  {col.nullable ? ', nullable' : ''}
                  {'categories' in col && col.categories
                    ? `, ${col.categories.length} categories`
                    : ''}
                </p>
                {decision ? <ColumnInferenceNote decision={decision} /> : null}
                {profile ? <ColumnProfileView profile={profile} /> : null}
              </article>
            );
          })}
        </div>
      ) : null}
      {d?.profile.images?.map((p) => (
        <ImageProfileView key={p.column} profile={p} />
      ))}
    </Card>
  );
}

function ColumnProfileView({ profile }: { profile: ColumnProfile }) {
  if (profile.type === 'numeric') {
    return (
      <>
        <BarChart
          title={`Histogram of ${profile.name}`}
          items={histogramItems(profile.histogram.edges, profile.histogram.counts)}
        />
        <dl className="stats">
          <dt>min</dt>
          <dd>{formatNumber(profile.min)}</dd>
          <dt>mean</dt>
          <dd>{formatNumber(profile.mean)}</dd>
          <dt>max</dt>
          <dd>{formatNumber(profile.max)}</dd>
          <dt>std</dt>
          <dd>{formatNumber(profile.std)}</dd>
          <dt>missing</dt>
          <dd>{profile.missing}</dd>
        </dl>
      </>
    );
  }
  const items = Object.entries(profile.frequencies)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([label, value]) => ({ label, value }));
  return (
    <>
      <CategoryBars title={`Category counts of ${profile.name}`} items={items} />
      <dl className="stats">
        <dt>distinct</dt>
        <dd>{profile.distinct}</dd>
        <dt>top</dt>
        <dd>{items[0]?.label ?? '–'}</dd>
        <dt>missing</dt>
        <dd>{profile.missing}</dd>
      </dl>
    </>
  );
}
