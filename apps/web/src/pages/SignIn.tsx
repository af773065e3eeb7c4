import { useId, useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { API } from '../api/urls';
import { useSession } from '../api/session';
import { verifyToken } from '../api/verify-token';

/**
 * The first screen when signed out: reads need a token with the `read` scope, so the dashboard
 * shows nothing of the platform until one is pasted here. Where the platform opens reads to
 * anyone (MLOPS_PUBLIC_READS=true, for a laptop) it also offers to browse without one.
 */
export function SignInScreen() {
  const { state, browseAnonymously } = useSession();
  const notice = state.kind === 'signed-out' ? state.notice : null;
  // Without a token: does a read succeed? Only then is browsing anonymously offered.
  const publicReads = useQuery({
    queryKey: ['public-reads'],
    queryFn: async () => (await fetch(`${API.registry}/trpc/models.list?input=%7B%7D`)).ok,
    retry: false,
    staleTime: 30_000,
  });
  return (
    <section className="signin-screen" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      {notice ? (
        <p role="alert" className="error">
          {notice}
        </p>
      ) : null}
      <p>
        Paste an API token with at least the <code>read</code> scope. <code>npm start</code> and the
        demo print where the admin token is (<code>.mlops/admin-token</code>); an admin makes scoped
        ones with <code>tokens.create</code>. The token stays in this tab only and is sent with
        every call the dashboard makes.
      </p>
      <TokenForm />
      {publicReads.data ? (
        <p>
          <button type="button" className="secondary" onClick={browseAnonymously}>
            Browse without a token
          </button>{' '}
          <span className="muted">this platform allows reads without a token</span>
        </p>
      ) : null}
    </section>
  );
}

function TokenForm() {
  const { signIn } = useSession();
  const inputId = useId();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const token = value.trim();
    setBusy(true);
    setError(null);
    const result = await verifyToken(token);
    setBusy(false);
    if (result.ok) {
      setValue('');
      signIn(token, result.name, result.abilities);
    } else setError(result.message);
  };
  return (
    <form
      className="signin"
      onSubmit={(e) => void onSubmit(e)}
      aria-describedby={error ? `${inputId}-error` : undefined}
    >
      <label htmlFor={inputId}>API token</label>
      <input
        id={inputId}
        type="password"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        autoComplete="current-password"
        required
      />
      <button type="submit" disabled={busy || value.trim() === ''}>
        {busy ? 'Checking…' : 'Sign in'}
      </button>
      {error ? (
        <span id={`${inputId}-error`} role="alert" className="error">
          {error}
        </span>
      ) : null}
    </form>
  );
}

/** In the header: who the dashboard acts as, and the way out. */
export function SessionBadge() {
  const { state, abilities, signOut } = useSession();
  if (state.kind === 'signed-out') return null;
  const who =
    state.kind === 'anonymous'
      ? 'Browsing without a token'
      : `Signed in as ${state.name}${Object.values(abilities).some(Boolean) ? '' : ' (read only)'}`;
  return (
    <div className="signin">
      <span className="muted">{who}</span>
      <button type="button" onClick={() => signOut()}>
        {state.kind === 'anonymous' ? 'Sign in' : 'Sign out'}
      </button>
    </div>
  );
}
