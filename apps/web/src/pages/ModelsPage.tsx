import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ModelVersion } from '@mlops/contracts';
import { useSession } from '../api/session';
import { LineageList } from '../components/LineageList';
import { Pagination } from '../components/Pagination';
import { Card, ErrorNote, Status } from '../components/Status';
import { ModelTestsPanel } from '../components/ModelTestsPanel';
import { VersionMetrics } from '../components/VersionMetrics';
import { paginate } from '../lib/paginate';
import { initialHashParam } from '../lib/route';
import { AliasHistory } from './AliasHistory';
import { PromoteForm } from './PromoteForm';
import { TryIt } from './TryIt';

const PAGE_SIZE = 5;

export function ModelsPage() {
  const { clients } = useSession();
  const [selected, setSelected] = useState<string | null>(() => initialHashParam('model'));
  const models = useQuery({
    queryKey: ['models.list'],
    queryFn: () => clients.api.models.list.query({ limit: 500 }),
    refetchInterval: 5_000,
  });
  const list = models.data ?? [];
  const current = selected ?? list[0]?.name ?? null;
  return (
    <>
      <Card title="Models">
        <ErrorNote error={models.error} />
        {list.length === 0 && models.isSuccess ? (
          <p className="muted">No models yet: train one on the Runs page.</p>
        ) : null}
        {list.length > 0 ? (
          <ul className="pill-list" aria-label="Models">
            {list.map((m) => (
              <li key={m.name}>
                <button
                  type="button"
                  className="pill"
                  aria-pressed={m.name === current}
                  onClick={() => setSelected(m.name)}
                >
                  {m.name} <span className="muted">v{m.latestVersion}</span>
                  {Object.entries(m.aliases).map(([alias, v]) => (
                    <span key={alias} className="tag">
                      {alias} → v{v}
                    </span>
                  ))}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </Card>
      {current ? <ModelVersions model={current} /> : null}
    </>
  );
}

function ModelVersions({ model }: { model: string }) {
  const { clients } = useSession();
  const [page, setPage] = useState(1);
  const versions = useQuery({
    queryKey: ['versions.list', model],
    queryFn: () => clients.api.versions.list.query({ model, limit: 500 }),
    refetchInterval: 5_000,
  });
  const sorted = [...(versions.data ?? [])].sort((a, b) => b.version - a.version);
  const shown = paginate(sorted, page, PAGE_SIZE);
  return (
    <>
      <TryIt key={model} model={model} versions={sorted} />
      <Card title={`${model}: versions`}>
        <ErrorNote error={versions.error} />
        {shown.items.map((v) => (
          <VersionCard key={v.version} v={v} />
        ))}
        <Pagination
          label={`${model} versions`}
          page={shown.page}
          pages={shown.pages}
          total={shown.total}
          onPage={setPage}
        />
      </Card>
      <AliasHistory model={model} />
    </>
  );
}

function VersionCard({ v }: { v: ModelVersion }) {
  const { abilities } = useSession();
  return (
    <article className="version" aria-label={`${v.model} version ${v.version}`}>
      <header className="card-head">
        <h3>
          v{v.version}{' '}
          {v.aliases.map((a) => (
            <Status key={a} value={a} tone="ok" />
          ))}
        </h3>
        {abilities.promote ? <PromoteForm model={v.model} version={v.version} /> : null}
      </header>
      <div className="two-col">
        <VersionMetrics v={v} />
        <LineageList v={v} />
      </div>
      <ModelTestsPanel v={v} />
    </article>
  );
}
