import { useId, useState, type FormEvent } from 'react';
import { useSession } from '../api/session';
import { verifyToken } from '../api/verify-token';

/** Sign in with an API token (reads work without one; writes need it). */
export function SignIn() {
  const { token, abilities, signIn, signOut } = useSession();
  const inputId = useId();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (token) {
    return (
      <div className="signin">
        <span className="muted">
          {Object.values(abilities).some(Boolean) ? 'Signed in' : 'Signed in (read only)'}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </div>
    );
  }
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = await verifyToken(value.trim());
    setBusy(false);
    if (result.ok) {
      setValue('');
      signIn(value.trim(), result.abilities);
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
