import { REGISTRY_REST, type ImageCell } from '@mlops/contracts';
import { authFetch } from './auth';
import { HttpError } from './rest';
import { restErrorMessage } from './errors';
import { API } from './urls';

const MEDIA_TYPES: Record<ImageCell['format'], string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

/**
 * An image blob as an object URL, fetched through the proxy with the session's token: blobs need
 * `read`, so a plain `<img src>` (no Authorization header) would be refused. The registry answers
 * octet-stream; the cell's format gives the blob its media type. The caller revokes the URL.
 */
export async function fetchImageUrl(
  image: Pick<ImageCell, 'sha256' | 'format'>,
  signal?: AbortSignal,
  base: string = API.registry,
): Promise<string> {
  const res = await authFetch(`${base}${REGISTRY_REST.blob(image.sha256)}`, {
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) {
    const body: unknown = await res.json().catch(() => null);
    throw new HttpError(res.status, restErrorMessage(res.status, body));
  }
  const bytes = await res.arrayBuffer();
  return URL.createObjectURL(new Blob([bytes], { type: MEDIA_TYPES[image.format] }));
}
