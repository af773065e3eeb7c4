import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { createRegistryClients, type RegistryClients } from './trpc';

const STORAGE_KEY = 'mlops.token';

/** What the signed-in token may do; the UI hides controls for anything else. */
export interface Abilities {
  upload: boolean;
  train: boolean;
  promote: boolean;
  cancel: boolean;
}

export const READ_ONLY: Abilities = { upload: false, train: false, promote: false, cancel: false };

export interface Session {
  token: string | null;
  abilities: Abilities;
  clients: RegistryClients;
  signIn: (token: string, abilities: Abilities) => void;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

function readStored(): { token: string; abilities: Abilities } | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const value: unknown = JSON.parse(raw);
    if (
      typeof value !== 'object' ||
      value === null ||
      !('token' in value) ||
      typeof value.token !== 'string'
    )
      return null;
    const stored =
      'abilities' in value && typeof value.abilities === 'object' ? value.abilities : {};
    return { token: value.token, abilities: { ...READ_ONLY, ...(stored as Partial<Abilities>) } };
  } catch {
    return null;
  }
}

/**
 * The signed-in token, for calls made outside React (serving and the monitor through the proxy,
 * which need it since every read there needs a token).
 */
export function storedToken(): string | null {
  return readStored()?.token ?? null;
}

/**
 * The API token lives in sessionStorage (gone when the tab closes, never in a cookie, so no
 * CSRF) and is sent as a Bearer header on every registry call.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState(readStored);
  const tokenRef = useMemo(() => ({ current: state?.token ?? null }), [state]);
  const clients = useMemo(() => createRegistryClients(() => tokenRef.current), [tokenRef]);
  const signIn = useCallback((token: string, abilities: Abilities) => {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token, abilities }));
    setState({ token, abilities });
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setState(null);
  }, []);
  const value = useMemo<Session>(
    () => ({
      token: state?.token ?? null,
      abilities: state?.abilities ?? READ_ONLY,
      clients,
      signIn,
      signOut,
    }),
    [state, clients, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
