import { RegistryUnreachableError, isConnectionError } from './errors';

/** global fetch, with connection failures turned into a RegistryUnreachableError naming the URL. */
export function fetchFor(baseUrl: string) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    try {
      return await fetch(input, init);
    } catch (err) {
      if (isConnectionError(err)) throw new RegistryUnreachableError(baseUrl, err);
      throw err;
    }
  };
}
