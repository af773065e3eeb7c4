import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { datasetVersionSchema, type DatasetVersion, type ImageCell } from '@mlops/contracts';
import { generateLesions } from '../../../scripts/demo/lesions';
import { collectGarbage } from '../src/domain/gc';
import { errorOf } from './helpers';
import { tarOf, zipOf } from '../src/testing-archives';
import { files, useImageRegistry } from './image-datasets-setup';

const t = useImageRegistry();

describe('image datasets', () => {
  let zipped: DatasetVersion;
  it('ingests an ImageFolder zip: image cells, labels, profile, thumbnails', async () => {
    const res = await t.upload('lesions', zipOf(files(t.lesions)), 'application/zip');
    expect(res.statusCode, res.body).toBe(201);
    zipped = datasetVersionSchema.parse(res.json());
    expect(zipped).toMatchObject({ format: 'zip', rowCount: 12 });
    expect(zipped.schema.columns).toEqual([
      { name: 'image', type: 'image', nullable: false },
      {
        name: 'label',
        type: 'categorical',
        nullable: false,
        categories: ['keratosis', 'melanoma', 'nevus'],
      },
    ]);
    const profile = zipped.profile.images![0]!;
    expect(profile.classes.map((c) => [c.label, c.count])).toEqual([
      ['keratosis', 4],
      ['melanoma', 4],
      ['nevus', 4],
    ]);
    expect(profile).toMatchObject({ count: 12, distinct: 12, formats: { png: 12 } });
    expect(profile.width).toEqual({ min: 48, median: 48, max: 48 });
    expect(profile.brightness.counts.reduce((a, b) => a + b, 0)).toBe(12 * 48 * 48);

    // Channel statistics as computed directly from the decoded pixels.
    const sums = [0, 0, 0];
    const squares = [0, 0, 0];
    let pixels = 0;
    for (const image of t.lesions) {
      const raw = await sharp(image.data).removeAlpha().raw().toBuffer();
      for (let i = 0; i < raw.length; i += 3)
        for (let c = 0; c < 3; c++) {
          sums[c]! += raw[i + c]!;
          squares[c]! += raw[i + c]! ** 2;
        }
      pixels += raw.length / 3;
    }
    profile.channels.forEach((ch, c) => {
      const mean = sums[c]! / pixels;
      expect(ch.mean).toBeCloseTo(mean, 2);
      expect(ch.std).toBeCloseTo(Math.sqrt(squares[c]! / pixels - mean * mean), 2);
    });
    // The lesion colours differ: the dark melanomas are darker than the skin-tone keratoses.
    expect(profile.channels[0]!.mean).toBeGreaterThan(profile.channels[2]!.mean);

    // Thumbnails are small JPEG blobs anyone with `read` can fetch.
    for (const cls of profile.classes) {
      expect(cls.thumbnails).toHaveLength(3);
      const thumb = await sharp(await t.blob(cls.thumbnails[0]!.sha256)).metadata();
      expect(thumb.format).toBe('jpeg');
      expect(thumb.width).toBe(cls.thumbnails[0]!.width);
    }

    // Rows hold the blob reference; the blob is the image, byte for byte.
    const stored = await t.rows('lesions', 1);
    expect(stored).toHaveLength(12);
    const [cell, label] = stored[0] as [ImageCell, string];
    expect(label).toBe('keratosis');
    expect(cell).toMatchObject({ width: 48, height: 48, format: 'png' });
    expect((await t.blob(cell.sha256)).equals(t.lesions[0]!.data)).toBe(true);
  });

  it('gives the same folder as tar and tar.gz the same version', async () => {
    for (const [gzip, type] of [
      [false, 'application/x-tar'],
      [true, 'application/gzip'],
    ] as const) {
      const res = await t.upload('lesions', await tarOf(files(t.lesions, './'), gzip), type);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<DatasetVersion>()).toMatchObject({ version: 1, hash: zipped.hash });
    }
    const format = await t.upload(
      'lesions-tar',
      await tarOf(files(t.lesions)),
      'application/octet-stream',
      '?format=tar',
    );
    expect(format.statusCode).toBe(201);
    expect(format.json<DatasetVersion>()).toMatchObject({ format: 'tar', hash: zipped.hash });
  });

  it('stores an image that occurs twice once', async () => {
    const before = await t.blobCount();
    const twice = [
      ...files(t.lesions.slice(0, 3)),
      { path: 'lesions/nevus/copy-of-first.png', data: t.lesions[0]!.data },
    ];
    const fresh = await generateLesions({ count: 3, seed: 99, size: 48 });
    const res = await t.upload(
      'dupes',
      zipOf([...twice, ...files(fresh, 'other/')]),
      'application/zip',
    );
    expect(res.statusCode, res.body).toBe(201);
    const ds = res.json<DatasetVersion>();
    expect(ds.rowCount).toBe(7);
    expect(ds.profile.images![0]).toMatchObject({ count: 7, distinct: 6 });
    const shas = (await t.rows('dupes', 1)).map((row) => (row[0] as ImageCell).sha256);
    expect(new Set(shas).size).toBe(6);
    // New blobs: the 3 fresh images, at most 3 thumbnails per class (3 classes), the rows.
    const added = (await t.blobCount()) - before;
    expect(added).toBeLessThanOrEqual(3 + 9 + 1);
    expect(added).toBeGreaterThanOrEqual(3 + 1);
  });

  it('ingests a CSV manifest naming images, labels and scalar features', async () => {
    const manifest =
      'file,label,age\n' +
      t.lesions
        .slice(0, 6)
        .map((img, i) => `images/${i}.png,${img.label},${40 + i}`)
        .join('\n');
    const archive = zipOf([
      { path: 'set/labels.csv', data: manifest },
      ...t.lesions.slice(0, 6).map((img, i) => ({ path: `set/images/${i}.png`, data: img.data })),
    ]);
    const res = await t.upload('manifest', archive, 'application/zip');
    expect(res.statusCode, res.body).toBe(201);
    const ds = res.json<DatasetVersion>();
    expect(ds.schema.columns.map((c) => [c.name, c.type])).toEqual([
      ['file', 'image'],
      ['label', 'categorical'],
      ['age', 'numeric'],
    ]);
    expect(ds.profile.columns.map((c) => c.name)).toEqual(['label', 'age']);
    expect(ds.profile.images![0]!.classes.map((c) => c.count)).toEqual([2, 2, 2]);
    const first = (await t.rows('manifest', 1))[0]!;
    expect(first.slice(1)).toEqual([t.lesions[0]!.label, 40]);

    const two = zipOf([
      { path: 'a.csv', data: 'image,label\n' },
      { path: 'b.jsonl', data: '{}' },
    ]);
    const twice = await t.upload('manifest-two', two, 'application/zip');
    expect(twice.statusCode).toBe(422);
    expect(errorOf(twice).message).toContain('a.csv and b.jsonl');

    const missing = zipOf([{ path: 'labels.csv', data: 'image,label\nnope.png,a\n' }]);
    const bad = await t.upload('manifest-bad', missing, 'application/zip');
    expect(bad.statusCode).toBe(422);
    const details = errorOf(bad).details ?? [];
    expect(details).toHaveLength(1);
    expect(details[0]).toMatchObject({ row: 1, path: 'image' });
    expect(details[0]?.message).toContain('nope.png');
  });

  it('ingests a JSON Lines manifest in a tar.gz, with ?label= naming the class column', async () => {
    const manifest = t.lesions
      .slice(0, 6)
      .map((img, i) => JSON.stringify({ path: img.path, diagnosis: img.label, size_mm: i + 0.5 }))
      .join('\n');
    const archive = await tarOf(
      [{ path: 'meta.jsonl', data: manifest }, ...files(t.lesions.slice(0, 6), '')],
      true,
    );
    const res = await t.upload('manifest-jsonl', archive, 'application/gzip', '?label=diagnosis');
    expect(res.statusCode, res.body).toBe(201);
    const ds = res.json<DatasetVersion>();
    expect(ds.format).toBe('tar.gz');
    expect(ds.schema.columns.map((c) => c.type)).toEqual(['image', 'categorical', 'numeric']);
    expect(ds.profile.images![0]).toMatchObject({ column: 'path', labelColumn: 'diagnosis' });
    expect(ds.profile.images![0]!.classes.map((c) => c.count)).toEqual([2, 2, 2]);
  });

  it('garbage collection keeps the images and thumbnails a dataset names', async () => {
    const before = await t.blobCount();
    const gc = await collectGarbage(t.r.deps, { dryRun: false, minAgeSeconds: 0 });
    expect(gc.deleted).toBe(0);
    expect(await t.blobCount()).toBe(before);
    const [cell] = (await t.rows('lesions', 1))[0] as [ImageCell];
    expect((await t.blob(cell.sha256)).equals(t.lesions[0]!.data)).toBe(true);
  });

  it('needs a token: upload without one is 401, reading rows and blobs without one is 401', async () => {
    const archive = zipOf(files(t.lesions.slice(0, 3)));
    const post = await t.r.app.inject({
      method: 'POST',
      url: '/api/datasets/anon',
      payload: archive,
      headers: { 'content-type': 'application/zip' },
    });
    expect(post.statusCode).toBe(401);
    const read = await t.r.app.inject({
      method: 'GET',
      url: '/api/datasets/lesions/versions/1/rows',
    });
    expect(read.statusCode).toBe(401);
    const thumb = zipped.profile.images![0]!.classes[0]!.thumbnails[0]!.sha256;
    const image = await t.r.app.inject({ method: 'GET', url: `/api/blobs/${thumb}` });
    expect(image.statusCode).toBe(401);
  });

  it('takes a streamed tar.gz over loopback HTTP, and refuses its rows without a token', async () => {
    const url = await t.r.app.listen({ port: 0, host: '127.0.0.1' });
    const archive = await tarOf(files(t.lesions.slice(3, 9)), true);
    // Sent in 4 KiB chunks, as a client streaming a file would.
    const chunks = Array.from({ length: Math.ceil(archive.length / 4096) }, (_, i) =>
      archive.subarray(i * 4096, (i + 1) * 4096),
    );
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await fetch(`${url}/api/datasets/streamed`, {
      method: 'POST',
      headers: { ...t.r.auth, 'content-type': 'application/gzip' },
      body,
      duplex: 'half',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'streamed', format: 'tar.gz', rowCount: 6 });
    const anonymous = await fetch(`${url}/api/datasets/streamed/versions/1/rows`);
    expect(anonymous.status).toBe(401);
    const reader = await fetch(`${url}/api/datasets/streamed/versions/1/rows`, {
      headers: t.r.auth,
    });
    expect((await reader.text()).trim().split('\n')).toHaveLength(6);
  });
});
