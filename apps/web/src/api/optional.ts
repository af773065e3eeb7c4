import type { z } from 'zod';
import { registryApi } from '@mlops/contracts';
import type { RegistryClients } from './trpc';
import { trpcCode } from './errors';

interface ProcedureSpec {
  mutation: boolean;
  input: z.ZodType;
  output: z.ZodType;
}

/**
 * The registry grows while the dashboard is deployed (run cancel, token scopes, promotion gate…).
 * A feature is shown only when contracts' `registryApi` declares its procedure; the call's input
 * and output are parsed with that declaration's schemas, so it stays typed at runtime.
 */
export function optionalProcedure(group: string, name: string): ProcedureSpec | undefined {
  const groups: Record<string, Record<string, ProcedureSpec> | undefined> = registryApi;
  return groups[group]?.[name];
}

export class ProcedureUnavailable extends Error {
  constructor(path: string) {
    super(`the registry has no "${path}" procedure (older registry?)`);
    this.name = 'ProcedureUnavailable';
  }
}

export async function callOptional(
  clients: RegistryClients,
  group: string,
  name: string,
  input: unknown,
): Promise<unknown> {
  const spec = optionalProcedure(group, name);
  const path = `${group}.${name}`;
  if (!spec) throw new ProcedureUnavailable(path);
  const parsedInput: unknown = spec.input.parse(input);
  try {
    const out: unknown = spec.mutation
      ? await clients.untyped.mutation(path, parsedInput)
      : await clients.untyped.query(path, parsedInput);
    return spec.output.parse(out);
  } catch (err) {
    // tRPC answers NOT_FOUND for an unknown path: the deployed registry predates the contract.
    if (trpcCode(err) === 'NOT_FOUND' && /no procedure/i.test(String((err as Error).message))) {
      throw new ProcedureUnavailable(path);
    }
    throw err;
  }
}
