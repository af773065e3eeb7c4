import { afterAll, beforeAll } from 'vitest';
// The real registry, in process, listening on port 0 (tests only; apps use the type alone).
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
import { createRegistryClient, type RegistryClient } from '../src';

export interface RegistryUnderTest {
  registry: TestRegistry;
  url: string;
  /** A client holding the admin token. */
  client: RegistryClient;
}

/**
 * Start a real registry (1 MiB upload limit, admin `token`) before the file's tests and close
 * it after them. The fields are set once the tests run: read them inside tests, not at load.
 */
export function useTestRegistry(name: string, token: string): RegistryUnderTest {
  const t = {} as RegistryUnderTest;
  beforeAll(async () => {
    t.registry = await startTestRegistry({ token, maxUploadBytes: 1024 ** 2, name });
    t.url = t.registry.url;
    t.client = createRegistryClient({ url: t.url, token });
  });
  afterAll(async () => {
    await t.registry?.close();
  });
  return t;
}
