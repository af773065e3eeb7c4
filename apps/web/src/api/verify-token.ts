import { createRegistryClients, type RegistryClients } from './trpc';
import { errorMessage, trpcCode } from './errors';
import type { Abilities } from './session';

export type ProbeResult = 'allowed' | 'forbidden' | 'unauthorized' | 'error';

/**
 * Ask the registry whether this token may call a mutation, without side effects: the call has
 * an empty input, and the registry checks the token and its scope *before* parsing input
 * (401 bad token, 403 missing scope), so an allowed call fails only as BAD_REQUEST.
 */
export async function probe(
  clients: RegistryClients,
  path: string,
): Promise<{ result: ProbeResult; message: string }> {
  try {
    await clients.untyped.mutation(path, {});
    return { result: 'allowed', message: '' };
  } catch (err) {
    const code = trpcCode(err);
    const message = errorMessage(err);
    if (code === 'BAD_REQUEST') return { result: 'allowed', message };
    if (code === 'FORBIDDEN') return { result: 'forbidden', message };
    if (code === 'UNAUTHORIZED') return { result: 'unauthorized', message };
    return { result: 'error', message };
  }
}

/** What the UI offers for the registry's answers (write: datasets and runs; promote: aliases). */
export function abilitiesFromProbes(write: ProbeResult, promote: ProbeResult): Abilities {
  return {
    upload: write === 'allowed',
    train: write === 'allowed',
    cancel: write === 'allowed',
    promote: promote === 'allowed',
  };
}

export async function verifyToken(
  token: string,
): Promise<{ ok: true; abilities: Abilities } | { ok: false; message: string }> {
  const clients = createRegistryClients(() => token);
  const [write, promote] = await Promise.all([
    probe(clients, 'runs.create'),
    probe(clients, 'aliases.set'),
  ]);
  for (const p of [write, promote]) {
    if (p.result === 'unauthorized') return { ok: false, message: p.message };
  }
  if (write.result === 'error' && promote.result === 'error') {
    return { ok: false, message: `could not check the token: ${write.message}` };
  }
  return { ok: true, abilities: abilitiesFromProbes(write.result, promote.result) };
}
