import { resolveObjectURL } from 'node:buffer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageProfile } from '@mlops/contracts';
import { READ_ONLY, auth } from '../src/api/auth';
import { fetchImageUrl } from '../src/api/blobs';
import { ImageProfileView } from '../src/components/ImageProfileView';

const sha = (c: string) => c.repeat(64);
const profile: ImageProfile = {
  column: 'image',
  count: 9,
  distinct: 8,
  formats: { png: 9 },
  width: { min: 28, median: 32, max: 64 },
  height: { min: 32, median: 32, max: 32 },
  channels: [
    { channel: 'red', mean: 201.25, std: 30.5 },
    { channel: 'green', mean: 150.125, std: 22 },
    { channel: 'blue', mean: 120, std: 18.75 },
  ],
  brightness: { edges: [0, 128, 255], counts: [2, 7] },
  labelColumn: 'label',
  classes: [
    {
      label: 'melanoma',
      count: 5,
      thumbnails: [
        { sha256: sha('a'), width: 32, height: 32, format: 'jpeg' },
        { sha256: sha('b'), width: 32, height: 28, format: 'jpeg' },
      ],
    },
    {
      label: 'nevus',
      count: 4,
      thumbnails: [{ sha256: sha('c'), width: 32, height: 32, format: 'jpeg' }],
    },
  ],
};

describe('ImageProfileView', () => {
  it('shows classes with counts, the size range, channel mean ± std and a box per thumbnail', () => {
    const html = renderToStaticMarkup(<ImageProfileView profile={profile} />);
    expect(html).toContain('9 images (8 distinct), classes from label');
    expect(html).toContain('28–64 (median 32)');
    expect(html).toContain('<dd>32</dd>'); // one height: no range
    expect(html).toContain('red mean ± std</dt><dd>201 ± 30.5</dd>');
    expect(html).toContain('aria-label="Images per class in image"');
    expect(html).toMatch(/melanoma<\/span>.*?<span class="category-value">5<\/span>/);
    expect(html).toContain('aria-label="Examples of nevus"');
    // Blobs need a token, so nothing is an <img src> until fetched with it (after mount).
    expect(html).not.toContain('<img');
    expect(html.match(/class="thumbnail placeholder"/g)).toHaveLength(3);
    expect(html).toContain('aria-label="melanoma example 2 (loading)"');
  });
});

describe('fetchImageUrl against a real HTTP server', () => {
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
  const seen: { url: string; authorization: string | undefined }[] = [];
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      if (req.headers.authorization !== 'Bearer reader-token') {
        res.statusCode = 401;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'a read token is needed' } }),
        );
        return;
      }
      res.setHeader('content-type', 'application/octet-stream');
      res.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/registry`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches the blob with the session token into an object URL typed by the cell format', async () => {
    auth.signIn('reader-token', 'token:reader', READ_ONLY);
    const url = await fetchImageUrl({ sha256: sha('a'), format: 'jpeg' }, undefined, base);
    expect(seen.at(-1)).toEqual({
      url: `/registry/api/blobs/${sha('a')}`,
      authorization: 'Bearer reader-token',
    });
    const blob = resolveObjectURL(url);
    expect(blob?.type).toBe('image/jpeg');
    expect(Buffer.from(await blob!.arrayBuffer()).equals(bytes)).toBe(true);
    URL.revokeObjectURL(url);
  });

  it('turns a refusal into an error that says why', async () => {
    auth.signIn('stale-token', 'token:reader', READ_ONLY);
    await expect(
      fetchImageUrl({ sha256: sha('b'), format: 'png' }, undefined, base),
    ).rejects.toThrow(/read token/);
    // Like every other read: a refused token sends the person back to sign in.
    expect(auth.get().kind).toBe('signed-out');
  });
});
