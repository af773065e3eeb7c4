import { AppError, type Alias } from '@mlops/contracts';
import { deleteAlias, listAliases, setAlias } from '@mlops/storage';
import type { RegistryDeps } from '../deps';
import { publishEvent } from './events';
import { getVersionOrThrow } from './versions';

/** The only principal for now is the admin token. */
const ACTOR = 'admin';

export async function moveAlias(
  deps: RegistryDeps,
  input: { model: string; alias: string; version: number },
): Promise<Alias> {
  await getVersionOrThrow(deps, input.model, input.version);
  const move = await setAlias(deps.db, { ...input, actor: ACTOR, now: new Date().toISOString() });
  if (!move.alias) throw new AppError('INTERNAL', 'alias was not stored');
  if (move.changed) {
    await publishEvent(deps, {
      type: 'alias.moved',
      model: input.model,
      alias: input.alias,
      from: move.from,
      to: move.to,
    });
  }
  return move.alias;
}

export async function removeAlias(
  deps: RegistryDeps,
  input: { model: string; alias: string },
): Promise<{ deleted: boolean }> {
  const move = await deleteAlias(deps.db, {
    ...input,
    actor: ACTOR,
    now: new Date().toISOString(),
  });
  if (move.changed) {
    await publishEvent(deps, {
      type: 'alias.moved',
      model: input.model,
      alias: input.alias,
      from: move.from,
      to: null,
    });
  }
  return { deleted: move.changed };
}

export function aliasesOf(deps: RegistryDeps, model: string): Promise<Alias[]> {
  return listAliases(deps.db, model);
}
