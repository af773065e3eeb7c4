import type { FeatureRecord } from '@mlops/contracts';
import { authFetch } from './auth';
import { restErrorMessage } from './errors';
import { HttpError } from './rest';
import { API } from './urls';
import { imageMediaType, oversized, predictPath, type TryTarget } from '../lib/try-it';

/** Serving's answer as sent, and how long the round trip through the proxy took. */
export interface Answered {
  body: unknown;
  latencyMs: number;
}

async function post(path: string, init: RequestInit): Promise<Answered> {
  const started = performance.now();
  let res: Response;
  try {
    res = await authFetch(`${API.serving}${path}`, { method: 'POST', ...init });
  } catch (err) {
    throw new HttpError(0, `the request did not reach serving (${(err as Error).message})`);
  }
  const body: unknown = await res.json().catch(() => null);
  const latencyMs = performance.now() - started;
  // Serving's message says what was wrong (a field, a size, an undecodable image): shown as is.
  if (!res.ok) throw new HttpError(res.status, restErrorMessage(res.status, body));
  return { body, latencyMs };
}

function base64(bytes: Uint8Array): string {
  let text = '';
  // In slices: String.fromCharCode with millions of arguments overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * One image file to serving. A JPEG or PNG goes as the raw body with its media type, as curl
 * would send it; anything else goes as TF Serving's `{"b64": …}` so that serving, which decodes
 * images, is the one that says what is wrong with it (this page never relabels bytes).
 */
export async function predictImage(
  model: string,
  target: TryTarget,
  file: File,
  maxBodyBytes?: number,
): Promise<Answered> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = imageMediaType(bytes);
  const body = type ? bytes : JSON.stringify({ instances: [{ b64: base64(bytes) }] });
  const size = typeof body === 'string' ? new TextEncoder().encode(body).length : body.length;
  const tooLarge = oversized({ name: file.name, size }, maxBodyBytes);
  if (tooLarge) throw new HttpError(413, tooLarge);
  return post(predictPath(model, target), {
    body,
    headers: { 'content-type': type ?? 'application/json' },
  });
}

/** One feature record to serving, TF Serving's row format. */
export function predictRecord(
  model: string,
  target: TryTarget,
  record: FeatureRecord,
): Promise<Answered> {
  return post(predictPath(model, target), {
    body: JSON.stringify({ instances: [record] }),
    headers: { 'content-type': 'application/json' },
  });
}
