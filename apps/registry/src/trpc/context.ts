import type { RegistryDeps } from '../deps';

export interface TrpcContext {
  deps: RegistryDeps;
  /** Raw `Authorization` header; checked only by protected procedures. */
  authorization: string | undefined;
}
