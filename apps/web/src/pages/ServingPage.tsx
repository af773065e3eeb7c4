import { useQuery } from '@tanstack/react-query';
import { modelStatusSchema } from '@mlops/contracts';
import { getJson } from '../api/rest';
import { servingModelsSchema, type ServingModels } from '../api/schemas';
import { API } from '../api/urls';
import { Card, ErrorNote, Status } from '../components/Status';
import { ServingStatsCard } from './ServingStats';

export function ServingPage() {
  const served = useQuery({
    queryKey: ['serving.models'],
    queryFn: ({ signal }) => getJson(`${API.serving}/v1/models`, servingModelsSchema, signal),
    refetchInterval: 2_000,
  });
  const data = served.data;
  return (
    <>
      <ServedModels data={data} error={served.error} />
      {data?.models.map((m) => (
        <ServingStatsCard key={m.name} model={m.name} />
      ))}
    </>
  );
}

function ServedModels({ data, error }: { data: ServingModels | undefined; error: unknown }) {
  return (
    <Card title="Served models">
      <ErrorNote error={error} />
      {data ? (
        <p className="muted">
          Serving follows the alias <strong>{data.alias}</strong> of each model; moving it is the
          deployment.
        </p>
      ) : null}
      {data && data.models.length === 0 ? (
        <p className="muted">Nothing served yet: promote a version on the Models page.</p>
      ) : null}
      {data && data.models.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Models loaded by serving</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Served version</th>
                <th scope="col">State</th>
                <th scope="col">Loading</th>
                <th scope="col">Loaded at</th>
                <th scope="col">Versions</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {data.models.map((m) => (
                <tr key={m.name}>
                  <th scope="row">{m.name}</th>
                  <td data-testid={`served-version-${m.name}`}>
                    {m.version === null ? '–' : `v${m.version}`}
                  </td>
                  <td>
                    <Status value={m.state} />
                  </td>
                  <td>{m.loadingVersion ? `v${m.loadingVersion}` : '–'}</td>
                  <td>{m.loadedAt ? new Date(m.loadedAt).toLocaleString() : '–'}</td>
                  <td>
                    <VersionStates model={m.name} />
                  </td>
                  <td>{m.lastError ? `${m.lastError.code}: ${m.lastError.message}` : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Card>
  );
}

/** TF Serving's per-model status: every version serving knows of and its state. */
function VersionStates({ model }: { model: string }) {
  const status = useQuery({
    queryKey: ['serving.status', model],
    queryFn: ({ signal }) =>
      getJson(`${API.serving}/v1/models/${encodeURIComponent(model)}`, modelStatusSchema, signal),
    refetchInterval: 2_000,
  });
  if (!status.data) return <span className="muted">–</span>;
  return (
    <>
      {status.data.model_version_status.map((s) => (
        <span key={`${s.version}-${s.state}`} className="tag">
          v{s.version} {s.state}
        </span>
      ))}
    </>
  );
}
