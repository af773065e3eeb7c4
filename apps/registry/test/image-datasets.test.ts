import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { datasetVersionSchema, type DatasetVersion, type ImageCell } from '@mlops/contracts';
import { countDatasets } from '@mlops/storage';
import { generateLesions, type LesionImage } from '../../../scripts/demo/lesions';
import { collectGarbage } from '../src/domain/gc';
import { errorOf, filesUnder, startTestRegistry, type TestRegistry } from './helpers';
import { tarOf, zipOf, type ArchiveFile } from '../src/testing-archives';

let r: TestRegistry;
let lesions: LesionImage[];
beforeAll(async () => {
  r = await startTestRegistry({
    imageLimits: { images: 40, imageBytes: 200_000, pixels: 300 * 300 },
  });
  lesions = await generateLesions({ count: 12, seed: 11, size: 48 });
});
afterAll(async () => {
  await r.close();
});

function files(images: LesionImage[], root = 'lesions/'): ArchiveFile[] {
  return images.map((i) => ({ path: root + i.path, data: i.data }));
}

async function upload(name: string, body: Buffer, contentType: string, query = '') {
  return r.app.inject({
    method: 'POST',
    url: `/api/datasets/${name}${query}`,
    payload: body,
    headers: { ...r.auth, 'content-type': contentType },
  });
}

async function blob(sha: string): Promise<Buffer> {
  const res = await r.app.inject({ method: 'GET', url: `/api/blobs/${sha}`, headers: r.auth });
  expect(res.statusCode).toBe(200);
  return res.rawPayload;
}

async function rows(name: string, version: number): Promise<unknown[][]> {
  const res = await r.app.inject({
    method: 'GET',
    url: `/api/datasets/${name}/versions/${version}/rows`,
    headers: r.auth,
  });
  expect(res.statusCode).toBe(200);
  return res.body
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown[]);
}

async function blobCount(): Promise<number> {
  let n = 0;
  for await (const _ of r.deps.store.list()) n++;
  return n;
}

describe('image datasets', () => {
  let zipped: DatasetVersion;

  it('ingests an ImageFolder zip: image cells, labels, profile, thumbnails', async () => {
    const res = await upload('lesions', zipOf(files(lesions)), 'application/zip');
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
    for (const image of lesions) {
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
      const thumb = await sharp(await blob(cls.thumbnails[0]!.sha256)).metadata();
      expect(thumb.format).toBe('jpeg');
      expect(thumb.width).toBe(cls.thumbnails[0]!.width);
    }

    // Rows hold the blob reference; the blob is the image, byte for byte.
    const stored = await rows('lesions', 1);
    expect(stored).toHaveLength(12);
    const [cell, label] = stored[0] as [ImageCell, string];
    expect(label).toBe('keratosis');
    expect(cell).toMatchObject({ width: 48, height: 48, format: 'png' });
    expect((await blob(cell.sha256)).equals(lesions[0]!.data)).toBe(true);
  });

  it('gives the same folder as tar and tar.gz the same version', async () => {
    for (const [gzip, type] of [
      [false, 'application/x-tar'],
      [true, 'application/gzip'],
    ] as const) {
      const res = await upload('lesions', await tarOf(files(lesions, './'), gzip), type);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<DatasetVersion>()).toMatchObject({ version: 1, hash: zipped.hash });
    }
    const format = await upload(
      'lesions-tar',
      await tarOf(files(lesions)),
      'application/octet-stream',
      '?format=tar',
    );
    expect(format.statusCode).toBe(201);
    expect(format.json<DatasetVersion>()).toMatchObject({ format: 'tar', hash: zipped.hash });
  });

  it('stores an image that occurs twice once', async () => {
    const before = await blobCount();
    const twice = [
      ...files(lesions.slice(0, 3)),
      { path: 'lesions/nevus/copy-of-first.png', data: lesions[0]!.data },
    ];
    const fresh = await generateLesions({ count: 3, seed: 99, size: 48 });
    const res = await upload(
      'dupes',
      zipOf([...twice, ...files(fresh, 'other/')]),
      'application/zip',
    );
    expect(res.statusCode, res.body).toBe(201);
    const ds = res.json<DatasetVersion>();
    expect(ds.rowCount).toBe(7);
    expect(ds.profile.images![0]).toMatchObject({ count: 7, distinct: 6 });
    const shas = (await rows('dupes', 1)).map((row) => (row[0] as ImageCell).sha256);
    expect(new Set(shas).size).toBe(6);
    // New blobs: the 3 fresh images, at most 3 thumbnails per class (3 classes), the rows.
    const added = (await blobCount()) - before;
    expect(added).toBeLessThanOrEqual(3 + 9 + 1);
    expect(added).toBeGreaterThanOrEqual(3 + 1);
  });

  it('ingests a CSV manifest naming images, labels and scalar features', async () => {
    const manifest =
      'file,label,age\n' +
      lesions
        .slice(0, 6)
        .map((img, i) => `images/${i}.png,${img.label},${40 + i}`)
        .join('\n');
    const archive = zipOf([
      { path: 'set/labels.csv', data: manifest },
      ...lesions.slice(0, 6).map((img, i) => ({ path: `set/images/${i}.png`, data: img.data })),
    ]);
    const res = await upload('manifest', archive, 'application/zip');
    expect(res.statusCode, res.body).toBe(201);
    const ds = res.json<DatasetVersion>();
    expect(ds.schema.columns.map((c) => [c.name, c.type])).toEqual([
      ['file', 'image'],
      ['label', 'categorical'],
      ['age', 'numeric'],
    ]);
    expect(ds.profile.columns.map((c) => c.name)).toEqual(['label', 'age']);
    expect(ds.profile.images![0]!.classes.map((c) => c.count)).toEqual([2, 2, 2]);
    const first = (await rows('manifest', 1))[0]!;
    expect(first.slice(1)).toEqual([lesions[0]!.label, 40]);

    const two = zipOf([
      { path: 'a.csv', data: 'image,label\n' },
      { path: 'b.jsonl', data: '{}' },
    ]);
    const twice = await upload('manifest-two', two, 'application/zip');
    expect(twice.statusCode).toBe(422);
    expect(errorOf(twice).message).toContain('a.csv and b.jsonl');

    const missing = zipOf([{ path: 'labels.csv', data: 'image,label\nnope.png,a\n' }]);
    const bad = await upload('manifest-bad', missing, 'application/zip');
    expect(bad.statusCode).toBe(422);
    const details = errorOf(bad).details ?? [];
    expect(details).toHaveLength(1);
    expect(details[0]).toMatchObject({ row: 1, path: 'image' });
    expect(details[0]?.message).toContain('nope.png');
  });

  it('ingests a JSON Lines manifest in a tar.gz, with ?label= naming the class column', async () => {
    const manifest = lesions
      .slice(0, 6)
      .map((img, i) => JSON.stringify({ path: img.path, diagnosis: img.label, size_mm: i + 0.5 }))
      .join('\n');
    const archive = await tarOf(
      [{ path: 'meta.jsonl', data: manifest }, ...files(lesions.slice(0, 6), '')],
      true,
    );
    const res = await upload('manifest-jsonl', archive, 'application/gzip', '?label=diagnosis');
    expect(res.statusCode, res.body).toBe(201);
    const ds = res.json<DatasetVersion>();
    expect(ds.format).toBe('tar.gz');
    expect(ds.schema.columns.map((c) => c.type)).toEqual(['image', 'categorical', 'numeric']);
    expect(ds.profile.images![0]).toMatchObject({ column: 'path', labelColumn: 'diagnosis' });
    expect(ds.profile.images![0]!.classes.map((c) => c.count)).toEqual([2, 2, 2]);
  });

  it('refuses a corrupt image, naming its path, and stores nothing', async () => {
    const datasets = await countDatasets(r.deps.db);
    const blobs = await blobCount();
    const fresh = await generateLesions({ count: 6, seed: 5, size: 48, format: 'jpeg' });
    const broken = fresh[4]!.data.subarray(0, Math.floor(fresh[4]!.data.length / 2));
    const archive = await tarOf([
      ...files(fresh.slice(0, 4)),
      { path: 'lesions/nevus/broken.jpg', data: broken },
      { path: 'lesions/nevus/text.png', data: 'not an image' },
    ]);
    const res = await upload('corrupt', archive, 'application/x-tar');
    expect(res.statusCode).toBe(422);
    expect(errorOf(res).message).toContain('lesions/nevus/broken.jpg');
    expect(errorOf(res).details?.[0]).toMatchObject({ path: 'lesions/nevus/broken.jpg' });
    expect(await countDatasets(r.deps.db)).toBe(datasets);
    expect(await blobCount()).toBe(blobs);
    expect(filesUnder(r.deps.tmpDir)).toEqual([]);
  });

  it('refuses too many images, too large a file and too many pixels with 413', async () => {
    const blobs = await blobCount();
    const many = await generateLesions({ count: 41, seed: 3, size: 16 });
    const tooMany = await upload('many', zipOf(files(many)), 'application/zip');
    expect(tooMany.statusCode).toBe(413);
    expect(errorOf(tooMany).message).toContain('more than 40 images');

    const noisy = await sharp(
      Buffer.alloc(280 * 280 * 3).map((_, i) => (i * 7919) % 251),
      {
        raw: { width: 280, height: 280, channels: 3 },
      },
    )
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(200_000);
    const big = await upload('big', zipOf([{ path: 'a/big.png', data: noisy }]), 'application/zip');
    expect(big.statusCode).toBe(413);
    expect(errorOf(big).message).toContain('a/big.png');

    const wide = await sharp({
      create: { width: 400, height: 300, channels: 3, background: '#888' },
    })
      .png()
      .toBuffer();
    const pixels = await upload(
      'wide',
      await tarOf([{ path: 'a/wide.png', data: wide }]),
      'application/x-tar',
    );
    expect(pixels.statusCode).toBe(413);
    expect(errorOf(pixels).details?.[0]).toMatchObject({ path: 'a/wide.png' });

    expect(await blobCount()).toBe(blobs);
    expect(filesUnder(r.deps.tmpDir)).toEqual([]);
  });

  it('garbage collection keeps the images and thumbnails a dataset names', async () => {
    const before = await blobCount();
    const gc = await collectGarbage(r.deps, { dryRun: false, minAgeSeconds: 0 });
    expect(gc.deleted).toBe(0);
    expect(await blobCount()).toBe(before);
    const [cell] = (await rows('lesions', 1))[0] as [ImageCell];
    expect((await blob(cell.sha256)).equals(lesions[0]!.data)).toBe(true);
  });

  it('refuses a gzip bomb at its headers (413), however few bytes it sends', async () => {
    // 41 MiB of zeros (4 × the test's 10 MiB upload limit, plus one) gzip to ~40 KB.
    const bomb = await tarOf(
      [{ path: 'a/zeros.bin', data: Buffer.alloc(41 * 1024 ** 2) }, ...files(lesions.slice(0, 1))],
      true,
    );
    expect(bomb.length).toBeLessThan(1024 ** 2);
    const res = await upload('bomb', bomb, 'application/gzip');
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).message).toContain('add up to more than');
    expect(filesUnder(r.deps.tmpDir)).toEqual([]);
  });

  it('refuses something that is not an archive with 400', async () => {
    const res = await upload('junk', Buffer.from('not a zip at all'), 'application/zip');
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain('zip');
  });

  it('needs a token: upload without one is 401, reading rows and blobs without one is 401', async () => {
    const archive = zipOf(files(lesions.slice(0, 3)));
    const post = await r.app.inject({
      method: 'POST',
      url: '/api/datasets/anon',
      payload: archive,
      headers: { 'content-type': 'application/zip' },
    });
    expect(post.statusCode).toBe(401);
    const read = await r.app.inject({
      method: 'GET',
      url: '/api/datasets/lesions/versions/1/rows',
    });
    expect(read.statusCode).toBe(401);
    const thumb = zipped.profile.images![0]!.classes[0]!.thumbnails[0]!.sha256;
    const image = await r.app.inject({ method: 'GET', url: `/api/blobs/${thumb}` });
    expect(image.statusCode).toBe(401);
  });

  it('takes a streamed tar.gz over loopback HTTP, and refuses its rows without a token', async () => {
    const url = await r.app.listen({ port: 0, host: '127.0.0.1' });
    const archive = await tarOf(files(lesions.slice(3, 9)), true);
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
      headers: { ...r.auth, 'content-type': 'application/gzip' },
      body,
      duplex: 'half',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'streamed', format: 'tar.gz', rowCount: 6 });
    const anonymous = await fetch(`${url}/api/datasets/streamed/versions/1/rows`);
    expect(anonymous.status).toBe(401);
    const reader = await fetch(`${url}/api/datasets/streamed/versions/1/rows`, { headers: r.auth });
    expect((await reader.text()).trim().split('\n')).toHaveLength(6);
  });
});
