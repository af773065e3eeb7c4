import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { auth, READ_ONLY, type Abilities, type AuthState } from './auth';
import { createRegistryClients, type RegistryClients } from './trpc';

export { READ_ONLY, type Abilities } from './auth';

export interface Session {
  state: AuthState;
  token: string | null;
  abilities: Abilities;
  clients: RegistryClients;
  signIn: (token: string, name: string, abilities: Abilities) => void;
  browseAnonymously: () => void;
  signOut: (notice?: string) => void;
}

const SessionContext = createContext<Session | null>(null);

/** React's view of the auth store (api/auth.ts): re-renders on sign-in, sign-out and 401s. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const state = useSyncExternalStore(auth.subscribe, auth.get, auth.get);
  // The clients read the token at call time, so one set serves every session.
  const clients = useMemo(() => createRegistryClients(() => auth.token()), []);
  const value = useMemo<Session>(
    () => ({
      state,
      token: state.kind === 'signed-in' ? state.token : null,
      abilities: state.kind === 'signed-in' ? state.abilities : READ_ONLY,
      clients,
      signIn: auth.signIn,
      browseAnonymously: auth.browseAnonymously,
      signOut: auth.signOut,
    }),
    [state, clients],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
