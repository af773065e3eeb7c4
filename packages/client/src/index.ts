import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@mlops/registry/router';
import {
  AppError,
  CONTENT_SHA256_HEADER,
  REGISTRY_REST,
  blobRefSchema,
  datasetVersionSchema,
  type BlobRef,
  type CellValue,
  type ImageCell,
  type DatasetUploadQuery,
  type DatasetVersion,
} from '@mlops/contracts';
import { restError, toAppError } from './errors';
import { fetchFor } from './http';
import { lineBlocks, parseDatasetRows, parseRows } from './rows';

export { toAppError, RegistryUnreachableError } from './errors';
export type { AppRouter };

export interface RegistryClient {
  /** tRPC v11 proxy client typed by the registry's AppRouter: e.g. client.api.runs.get.query({id}). */
  api: TRPCClient<AppRouter>;
  uploadDataset(
    name: string,
    body: Buffer | string | NodeJS.ReadableStream,
    query: DatasetUploadQuery,
  ): Promise<DatasetVersion>;
  /** Canonical rows: one array of cells per row, in `schema.columns` order. Streamed. */
  datasetRows(name: string, version: number): AsyncIterable<CellValue[]>;
  /** Rows of an image dataset: its `image` columns hold `ImageCell`s (fetch with downloadBlob). */
  datasetImageRows(name: string, version: number): AsyncIterable<Array<CellValue | ImageCell>>;
  /**
   * The same rows as the registry serves them — canonical JSON Lines, one row's cell array per
   * line — in blocks of whole lines, neither parsed nor checked: for a consumer that parses each
   * row itself anyway (the trainer's training thread), which saves a parse and re-encode.
   */
  datasetLines(name: string, version: number): AsyncIterable<Uint8Array>;
  uploadBlob(body: Buffer | Uint8Array): Promise<BlobRef>;
  downloadBlob(sha256: string): Promise<Buffer>;
  health(): Promise<boolean>;
}

const CONTENT_TYPES = {
  csv: 'text/csv',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  zip: 'application/zip',
  tar: 'application/x-tar',
  'tar.gz': 'application/gzip',
} as const;

export function createRegistryClient(opts: { url: string; token?: string }): RegistryClient {
  const base = opts.url.replace(/\/+$/, '');
  const doFetch = fetchFor(base);
  const authHeaders = (): Record<string, string> =>
    opts.token ? { authorization: `Bearer ${opts.token}` } : {};

  const api = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({ url: `${base}${REGISTRY_REST.trpc}`, headers: authHeaders, fetch: doFetch }),
    ],
  });

  /** REST call with the token (reads need the `read` scope too); every failure becomes an AppError. */
  async function rest(
    path: string,
    init: RequestInit & { duplex?: 'half' } = {},
  ): Promise<Response> {
    let res: Response;
    try {
      const headers = { ...authHeaders(), ...(init.headers as Record<string, string> | undefined) };
      res = await doFetch(`${base}${path}`, { ...init, headers });
    } catch (err) {
      throw toAppError(err);
    }
    if (!res.ok) throw await restError(res);
    return res;
  }

  return {
    api,

    async uploadDataset(name, body, query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (typeof v === 'string') params.set(k, v);
      const qs = params.size > 0 ? `?${params.toString()}` : '';
      const streamed = typeof body !== 'string' && !Buffer.isBuffer(body);
      const res = await rest(REGISTRY_REST.uploadDataset(name) + qs, {
        method: 'POST',
        headers: {
          'content-type': query.format ? CONTENT_TYPES[query.format] : 'application/octet-stream',
        },
        // Streams go out chunk by chunk (half duplex), never buffered in memory.
        // Typed for both lib setups (Node's fetch, and DOM's when a browser app type-checks this).
        body: streamed ? toWebStream(body) : (body as string | Uint8Array<ArrayBuffer>),
        ...(streamed ? { duplex: 'half' as const } : {}),
      });
      return datasetVersionSchema.parse(await res.json());
    },

    async *datasetRows(name, version) {
      const res = await rest(REGISTRY_REST.datasetRows(name, version));
      if (!res.body) return;
      yield* parseRows(res.body);
    },

    async *datasetImageRows(name, version) {
      const res = await rest(REGISTRY_REST.datasetRows(name, version));
      if (!res.body) return;
      yield* parseDatasetRows(res.body);
    },

    async *datasetLines(name, version) {
      const res = await rest(REGISTRY_REST.datasetRows(name, version));
      if (!res.body) return;
      yield* lineBlocks(res.body);
    },

    async uploadBlob(body) {
      const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const res = await rest(REGISTRY_REST.uploadBlob(), {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          [CONTENT_SHA256_HEADER]: sha256Hex(bytes),
        },
        body: bytes as Uint8Array<ArrayBuffer>,
      });
      return blobRefSchema.parse(await res.json());
    },

    async downloadBlob(sha256) {
      const res = await rest(REGISTRY_REST.blob(sha256));
      const bytes = Buffer.from(await res.arrayBuffer());
      const actual = sha256Hex(bytes);
      if (actual !== sha256) {
        throw new AppError(
          'INTERNAL',
          `blob ${sha256} arrived with sha256 ${actual}: corrupted in transit or in the store; retry, and check the registry's artifacts if it persists`,
        );
      }
      return bytes;
    },

    async health() {
      try {
        return (await doFetch(`${base}/healthz`)).ok;
      } catch {
        return false;
      }
    },
  };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function toWebStream(body: NodeJS.ReadableStream): ReadableStream<Uint8Array> {
  const readable =
    body instanceof Readable ? body : Readable.from(body as AsyncIterable<Uint8Array>);
  return Readable.toWeb(readable) as ReadableStream<Uint8Array>;
}
export { installCallerAuth, type CallerAuthOptions } from './caller-auth';
export {
  createTokenVerifier,
  type RouteAccess,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier';
