import type { ReactNode } from 'react';

const TONE: Record<string, string> = {
  completed: 'ok',
  succeeded: 'ok',
  skipped: 'muted',
  AVAILABLE: 'ok',
  ready: 'ok',
  running: 'busy',
  queued: 'busy',
  LOADING: 'busy',
  loading: 'busy',
  failed: 'bad',
  cancelled: 'muted',
  drift: 'bad',
  'no drift': 'ok',
};

/** `ok`, `busy`, `bad` or `muted`: the colour family a status word is drawn in. */
export function toneOf(value: string): string {
  return TONE[value] ?? 'muted';
}

/** A status word with colour *and* text, so it reads without colour too. */
export function Status({ value, tone }: { value: string; tone?: string }) {
  return <span className={`status status-${tone ?? toneOf(value)}`}>{value}</span>;
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message =
    error instanceof Error
      ? error.message
      : typeof error === 'string'
        ? error
        : JSON.stringify(error);
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}

export function Card({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
