import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { auditPageView, describeVerdict } from '../api/governance';
import { callOptional, optionalProcedure } from '../api/optional';
import { useSession } from '../api/session';
import { Card, ErrorNote } from '../components/Status';
import { RollbackButtons } from './RollbackButtons';

/**
 * Alias moves of one model: the registry's audit trail (actor, reason, gate verdict; paged with
 * its cursor) where it has one, else the `alias.moved` events it keeps.
 */
export function AliasHistory({ model }: { model: string }) {
  return optionalProcedure('aliases', 'history') ? (
    <AuditTrail model={model} />
  ) : (
    <AliasEvents model={model} />
  );
}

function AuditTrail({ model }: { model: string }) {
  const { clients } = useSession();
  const [cursors, setCursors] = useState<number[]>([]);
  const cursor = cursors.at(-1);
  const audit = useQuery({
    queryKey: ['aliases.history', model, cursor ?? null],
    queryFn: async () =>
      auditPageView.parse(
        await callOptional(clients, 'aliases', 'history', {
          model,
          limit: 20,
          ...(cursor ? { cursor } : {}),
        }),
      ),
    refetchInterval: 5_000,
  });
  if (audit.error?.name === 'ProcedureUnavailable') return <AliasEvents model={model} />;
  const page = audit.data;
  return (
    <Card title={`${model}: alias audit`} actions={<RollbackButtons model={model} />}>
      <ErrorNote error={audit.error} />
      {page && page.items.length === 0 ? <p className="muted">No alias moves yet.</p> : null}
      <ol className="timeline">
        {page?.items.map((e) => (
          <li key={e.id}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>{' '}
            <strong>{e.alias}</strong>: {e.from === null ? 'created' : `v${e.from}`} →{' '}
            {e.to === null ? 'deleted' : `v${e.to}`} by {e.actor}
            {e.forced ? ' (forced)' : ''}
            {e.reason ? ` — ${e.reason}` : ''}
            {e.verdict ? <span className="muted"> ({describeVerdict(e.verdict)})</span> : null}
          </li>
        ))}
      </ol>
      {cursors.length === 0 && !page?.nextCursor ? null : (
        <nav className="pagination" aria-label={`${model} alias audit pages`}>
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Newer
          </button>
          <button
            type="button"
            disabled={!page?.nextCursor}
            onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
          >
            Older
          </button>
        </nav>
      )}
    </Card>
  );
}

function AliasEvents({ model }: { model: string }) {
  const { clients } = useSession();
  const events = useQuery({
    queryKey: ['events.recent'],
    queryFn: () => clients.api.events.recent.query({ limit: 500 }),
    refetchInterval: 5_000,
  });
  const moves = (events.data ?? []).flatMap((e) =>
    e.type === 'alias.moved' && e.model === model ? [e] : [],
  );
  return (
    <Card title={`${model}: alias history`} actions={<RollbackButtons model={model} />}>
      <ErrorNote error={events.error} />
      {moves.length === 0 ? <p className="muted">No alias moves in the recent events.</p> : null}
      <ol className="timeline">
        {moves.map((e) => (
          <li key={e.id}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>{' '}
            <strong>{e.alias}</strong>: {e.from === null ? 'created' : `v${e.from}`} →{' '}
            {e.to === null ? 'deleted' : `v${e.to}`}
          </li>
        ))}
      </ol>
    </Card>
  );
}
