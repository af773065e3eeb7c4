import { AppError, readErrorBody } from '@mlops/contracts';

/**
 * JSON over HTTP to serving and the monitor, with the token as a Bearer header (both check it).
 * Error bodies of our services become AppErrors (code, message, details); anything else says
 * which URL answered what.
 */
export async function requestJson(
  url: string,
  init: RequestInit = {},
  token?: string,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...init.headers,
      },
    });
  } catch (err) {
    throw new AppError(
      'UNAVAILABLE',
      `nothing answers at ${new URL(url).origin} — is the service running? (${(err as Error).message})`,
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body;
  const byStatus = res.status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED';
  const parsed = readErrorBody(body);
  if (parsed) throw new AppError(parsed.code ?? byStatus, parsed.message, parsed.details);
  throw new AppError(byStatus, `${url} answered ${res.status}: ${text.slice(0, 300)}`);
}
