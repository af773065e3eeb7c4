import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { aliasNameSchema } from '@mlops/contracts';
import { describeVerdict, verdictOf } from '../api/governance';
import { useSession } from '../api/session';

/**
 * Move an alias to this version. The registry decides (and, with a promotion gate, may refuse
 * with a message saying why): its answer — or refusal — is shown as is.
 */
export function PromoteForm({ model, version }: { model: string; version: number }) {
  const { clients } = useSession();
  const queryClient = useQueryClient();
  const aliasId = useId();
  const [alias, setAlias] = useState('champion');
  const promote = useMutation({
    mutationFn: (name: string) => clients.api.aliases.set.mutate({ model, version, alias: name }),
    onSuccess: () =>
      Promise.all(
        [
          ['versions.list', model],
          ['models.list'],
          ['events.recent'],
          ['aliases.history', model],
        ].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = aliasNameSchema.safeParse(alias);
    if (parsed.success) promote.mutate(parsed.data);
  };
  return (
    <form className="inline-form" onSubmit={onSubmit}>
      <label htmlFor={aliasId} className="sr-only">
        Alias for v{version}
      </label>
      <input
        id={aliasId}
        value={alias}
        onChange={(e) => setAlias(e.target.value)}
        size={10}
        autoComplete="off"
      />
      <button type="submit" disabled={promote.isPending}>
        Promote v{version}
      </button>
      {promote.isSuccess ? (
        <span role="status" className="ok">
          {promote.data.alias} → v{promote.data.version}
          {(() => {
            const verdict = verdictOf(promote.data);
            return verdict ? ` (${describeVerdict(verdict)})` : '';
          })()}
        </span>
      ) : null}
      {promote.isError ? (
        <span role="alert" className="error">
          {promote.error.message}
        </span>
      ) : null}
    </form>
  );
}
