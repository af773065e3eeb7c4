import type { z } from 'zod';
import {
  datasetVersionSchema,
  type DatasetUploadQuery,
  type DatasetVersion,
  REGISTRY_REST,
} from '@mlops/contracts';
import { restErrorMessage } from './errors';
import { storedToken } from './session';
import { API } from './urls';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** GET a JSON answer and parse it with a contracts schema: nothing untyped leaves this file. */
export async function getJson<S extends z.ZodType>(
  url: string,
  schema: S,
  signal?: AbortSignal,
): Promise<z.infer<S>> {
  // Serving's and the monitor's reads need the signed-in token too (MLOPS_PUBLIC_READS aside).
  const token = storedToken();
  const res = await fetch(url, {
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(signal ? { signal } : {}),
  });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new HttpError(res.status, restErrorMessage(res.status, body));
  return schema.parse(body);
}

export interface UploadProgress {
  loaded: number;
  total: number | null;
}

/**
 * Upload a dataset file with progress. XMLHttpRequest, because fetch reports no upload
 * progress in browsers; the answer is parsed with contracts' DatasetVersion schema.
 */
export function uploadDataset(
  name: string,
  file: Blob,
  query: DatasetUploadQuery,
  token: string | null,
  onProgress: (p: UploadProgress) => void,
): Promise<DatasetVersion> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (typeof value === 'string') params.set(key, value);
  const qs = params.toString();
  const url = `${API.registry}${REGISTRY_REST.uploadDataset(name)}${qs ? `?${qs}` : ''}`;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', contentTypeOf(query.format));
    xhr.upload.onprogress = (e) =>
      onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : null });
    xhr.onerror = () =>
      reject(new HttpError(0, 'the upload did not reach the registry (network error)'));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: reported by status below
      }
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(new HttpError(xhr.status, restErrorMessage(xhr.status, body)));
        return;
      }
      const parsed = datasetVersionSchema.safeParse(body);
      if (parsed.success) resolve(parsed.data);
      else
        reject(
          new HttpError(
            xhr.status,
            'the registry answered something that is not a dataset version',
          ),
        );
    };
    xhr.send(file);
  });
}

function contentTypeOf(format: DatasetUploadQuery['format']): string {
  if (format === 'json') return 'application/json';
  if (format === 'jsonl') return 'application/x-ndjson';
  return 'text/csv';
}
