/**
 * Who the dashboard calls the services as: one store, outside React, because every client
 * (registry and monitor tRPC, REST reads, the upload) needs the token and must report a 401.
 *
 * The token lives in sessionStorage — gone when the tab closes, never in a cookie (so no CSRF),
 * never logged — and is sent as `Authorization: Bearer` on every proxied call. A 401 answered
 * to the token in use means it is wrong, revoked or expired: the person is sent back to the
 * sign-in screen with a message saying so.
 */

/** What the signed-in token may do; the UI hides controls for anything else. */
export interface Abilities {
  upload: boolean;
  train: boolean;
  promote: boolean;
  cancel: boolean;
  /** Run and cancel pipelines: the `train` scope, as the registry asks. */
  pipelines: boolean;
}

export const READ_ONLY: Abilities = {
  upload: false,
  train: false,
  promote: false,
  cancel: false,
  pipelines: false,
};

export type AuthState =
  | { kind: 'signed-out'; notice: string | null }
  /** Only where the platform opens reads to anyone (MLOPS_PUBLIC_READS=true). */
  | { kind: 'anonymous' }
  | { kind: 'signed-in'; token: string; name: string; abilities: Abilities };

export const STORAGE_KEY = 'mlops.token';

export const REFUSED_NOTICE =
  'The services refused your token (401): it is wrong, revoked or expired. Sign in again.';
export const READS_CLOSED_NOTICE =
  'This platform needs a token to read (401). Sign in with an API token.';

/** The part of sessionStorage this uses (a Map-backed one in tests). */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface AuthStore {
  get: () => AuthState;
  /** The bearer token of the current session, if signed in. */
  token: () => string | null;
  signIn: (token: string, name: string, abilities: Abilities) => void;
  browseAnonymously: () => void;
  signOut: (notice?: string) => void;
  /** Report an answer to a call made with `sentToken` (null: no token was sent). */
  answered: (status: number, sentToken: string | null) => void;
  subscribe: (listener: () => void) => () => void;
}

export function createAuthStore(storage: TokenStorage | undefined): AuthStore {
  let state = readStored(storage);
  const listeners = new Set<() => void>();
  const set = (next: AuthState) => {
    state = next;
    for (const l of listeners) l();
  };
  const token = () => (state.kind === 'signed-in' ? state.token : null);
  const signOut = (notice?: string) => {
    storage?.removeItem(STORAGE_KEY);
    set({ kind: 'signed-out', notice: notice ?? null });
  };
  return {
    get: () => state,
    token,
    signIn: (tokenValue, name, abilities) => {
      storage?.setItem(STORAGE_KEY, JSON.stringify({ token: tokenValue, name, abilities }));
      set({ kind: 'signed-in', token: tokenValue, name, abilities });
    },
    browseAnonymously: () => {
      storage?.removeItem(STORAGE_KEY);
      set({ kind: 'anonymous' });
    },
    signOut,
    answered: (status, sentToken) => {
      if (status !== 401) return;
      // A 401 to a token that is no longer the session's (a sign-in attempt, a call from
      // before a sign-out) says nothing about the current session.
      if (sentToken !== null && sentToken === token()) signOut(REFUSED_NOTICE);
      else if (sentToken === null && state.kind === 'anonymous') signOut(READS_CLOSED_NOTICE);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

function readStored(storage: TokenStorage | undefined): AuthState {
  const signedOut: AuthState = { kind: 'signed-out', notice: null };
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return signedOut;
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return signedOut;
    const v = value as { token?: unknown; name?: unknown; abilities?: unknown };
    if (typeof v.token !== 'string' || v.token === '') return signedOut;
    const abilities = typeof v.abilities === 'object' && v.abilities !== null ? v.abilities : {};
    return {
      kind: 'signed-in',
      token: v.token,
      name: typeof v.name === 'string' ? v.name : 'token',
      abilities: { ...READ_ONLY, ...(abilities as Partial<Abilities>) },
    };
  } catch {
    return signedOut;
  }
}

/** The browser's session-wide store (no storage when rendered outside a browser, in tests). */
export const auth: AuthStore = createAuthStore(
  typeof sessionStorage === 'undefined' ? undefined : sessionStorage,
);

/** Headers carrying `token` (the session's by default). */
export function bearer(token: string | null = auth.token()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * `fetch` for the tRPC links and REST reads: it adds the session's token unless the caller set
 * one (a sign-in attempt checks its candidate) and reports every answer to the store.
 */
export const authFetch: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  if (!headers.has('authorization')) {
    for (const [k, v] of Object.entries(bearer())) headers.set(k, v);
  }
  const sent = headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? null;
  const res = await fetch(input, { ...init, headers });
  auth.answered(res.status, sent);
  return res;
};
