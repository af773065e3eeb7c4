import type { Principal } from '@mlops/contracts';
import type { RegistryDeps } from '../deps';

export interface TrpcContext {
  deps: RegistryDeps;
  /**
   * The caller, authenticated by the access hook before the body was read (http/access.ts);
   * null for an anonymous call, which only public reads let through.
   */
  principal: Principal | null;
}
