import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { callOptional, optionalProcedure } from '../api/optional';
import { useSession } from '../api/session';

/** "Roll back <alias>": the alias returns to the version it pointed at before its last move. */
export function RollbackButtons({ model }: { model: string }) {
  const { clients, abilities } = useSession();
  const queryClient = useQueryClient();
  const available = optionalProcedure('aliases', 'rollback') !== undefined;
  const aliases = useQuery({
    queryKey: ['aliases.list', model],
    queryFn: () => clients.api.aliases.list.query({ model }),
    enabled: available && abilities.promote,
    refetchInterval: 5_000,
  });
  const rollback = useMutation({
    mutationFn: (alias: string) =>
      callOptional(clients, 'aliases', 'rollback', {
        model,
        alias,
        reason: 'rolled back from the dashboard',
      }),
    onSettled: () =>
      Promise.all(
        [
          ['aliases.list', model],
          ['versions.list', model],
          ['models.list'],
          ['aliases.history', model],
        ].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  });
  if (!available || !abilities.promote || !aliases.data?.length) return null;
  return (
    <div className="inline-form">
      {aliases.data.map((a) => (
        <button
          key={a.alias}
          type="button"
          className="secondary"
          disabled={rollback.isPending}
          onClick={() => rollback.mutate(a.alias)}
        >
          Roll back {a.alias}
        </button>
      ))}
      {rollback.isError ? (
        <span role="alert" className="error">
          {rollback.error.message}
        </span>
      ) : null}
    </div>
  );
}
