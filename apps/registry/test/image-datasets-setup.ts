import { afterAll, beforeAll, expect } from 'vitest';
import { generateLesions, type LesionImage } from '../../../scripts/demo/lesions';
import { startTestRegistry, type TestRegistry } from './helpers';
import type { ArchiveFile } from '../src/testing-archives';

export interface ImageRegistry {
  /** A registry with small image limits: 40 images, 200 KB a file, 300×300 pixels. */
  r: TestRegistry;
  /** 12 generated 48×48 lesion images in three classes. */
  lesions: LesionImage[];
  /** POST /api/datasets/<name><query> with the registry's token. */
  upload: (
    name: string,
    body: Buffer,
    contentType: string,
    query?: string,
  ) => ReturnType<TestRegistry['app']['inject']>;
  /** A stored blob's bytes (200 expected). */
  blob: (sha: string) => Promise<Buffer>;
  /** The JSON rows of a dataset version (200 expected). */
  rows: (name: string, version: number) => Promise<unknown[][]>;
  /** How many blobs the artifact store holds. */
  blobCount: () => Promise<number>;
}

/** Images as archive entries under `root`. */
export function files(images: LesionImage[], root = 'lesions/'): ArchiveFile[] {
  return images.map((i) => ({ path: root + i.path, data: i.data }));
}

/** The registry and lesion images of one test file of image datasets (beforeAll/afterAll). */
export function useImageRegistry(): ImageRegistry {
  const img = {
    upload: (name, body, contentType, query = '') =>
      img.r.app.inject({
        method: 'POST',
        url: `/api/datasets/${name}${query}`,
        payload: body,
        headers: { ...img.r.auth, 'content-type': contentType },
      }),
    blob: async (sha) => {
      const res = await img.r.app.inject({
        method: 'GET',
        url: `/api/blobs/${sha}`,
        headers: img.r.auth,
      });
      expect(res.statusCode).toBe(200);
      return res.rawPayload;
    },
    rows: async (name, version) => {
      const res = await img.r.app.inject({
        method: 'GET',
        url: `/api/datasets/${name}/versions/${version}/rows`,
        headers: img.r.auth,
      });
      expect(res.statusCode).toBe(200);
      return res.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown[]);
    },
    blobCount: async () => {
      let n = 0;
      for await (const _ of img.r.deps.store.list()) n++;
      return n;
    },
  } as ImageRegistry;
  beforeAll(async () => {
    img.r = await startTestRegistry({
      imageLimits: { images: 40, imageBytes: 200_000, pixels: 300 * 300 },
    });
    img.lesions = await generateLesions({ count: 12, seed: 11, size: 48 });
  });
  afterAll(async () => {
    await img.r?.close();
  });
  return img;
}
