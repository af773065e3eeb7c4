import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  AppError,
  scalarColumns,
  type ArchiveFormat,
  type DataRow,
  type DatasetFormat,
  type DatasetProfile,
  type DatasetUploadQuery,
  type DatasetVersion,
  type ImageCell,
} from '@mlops/contracts';
import { ImageProfileBuilder, datasetThumbnail } from '@mlops/ml/image/dataset';
import { ProfileBuilder } from '@mlops/ml/profile';
import { findDatasetByHash, insertDatasetVersion, PRIVATE_FILE_MODE } from '@mlops/storage';
import type { RegistryDeps } from '../../../deps';
import { parseHints } from '../hints';
import { limitScannerFor, UploadLimitError } from '../limits';
import { receiveTo, TempFiles } from '../temp';
import { forEachArchiveEntry } from './archive';
import { tooManyImages } from './limits';
import { stageImage, type StagedImage } from './stage';
import { imageFolderTable, manifestTable, type ImageTable } from './table';
import { announceDatasetCreated } from '../announce';
import { validateNewVersion } from '../validation';

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp)$/i;
const MANIFESTS: Record<string, DatasetFormat> = { csv: 'csv', jsonl: 'jsonl', ndjson: 'jsonl' };
/**
 * An archive's files may add up to this many times REGISTRY_MAX_UPLOAD_BYTES: images barely
 * compress, so a real set is far below it, while a gzip bomb is refused at its first headers.
 */
export const EXPANSION_FACTOR = 4;

function archiveTooLarge(max: number): UploadLimitError {
  return new UploadLimitError(
    'size',
    `the archive's files add up to more than ${max} bytes (${EXPANSION_FACTOR} × REGISTRY_MAX_UPLOAD_BYTES); split the set`,
    [{ path: 'body', message: `expands past ${max} bytes` }],
  );
}

/** Thumbnails kept per class in the profile. */
export const THUMBNAILS_PER_CLASS = 3;

/**
 * Register an image dataset from an archive (zip, tar, tar.gz): ImageFolder or a manifest.
 *
 * The body is spooled to a temp file (zip's directory is at its end), then read one entry at a
 * time: each image is bounded, hashed, decoded once to prove it is an image and measured; its
 * bytes wait in a temp file. Only when every image and row is good are the images, thumbnails
 * and rows stored and the version inserted; any failure deletes the blobs this call added, and
 * the temp files go whatever happens.
 */
export async function uploadImageDataset(
  deps: RegistryDeps,
  name: string,
  body: Readable,
  query: DatasetUploadQuery,
  format: ArchiveFormat,
): Promise<{ dataset: DatasetVersion; created: boolean }> {
  const temp = new TempFiles(deps.tmpDir);
  try {
    const raw = temp.path('.archive');
    await receiveTo(body, raw, deps.maxUploadBytes);
    const table = await readArchive(deps, raw, format, query, temp);
    return await storeImageDataset(deps, name, format, table, temp, query.pipelineRunId);
  } catch (err) {
    if (err instanceof UploadLimitError)
      deps.metrics.uploadRefusals.inc({ upload: 'image_dataset', limit: err.limit });
    throw err;
  } finally {
    await temp.cleanup();
  }
}

async function readArchive(
  deps: RegistryDeps,
  raw: string,
  format: ArchiveFormat,
  query: DatasetUploadQuery,
  temp: TempFiles,
): Promise<ImageTable> {
  const limits = deps.imageLimits;
  const staged = new Map<string, StagedImage>();
  const byPath = new Map<string, string>();
  let manifest: { path: string; file: string; format: DatasetFormat } | null = null;
  const maxExpanded = EXPANSION_FACTOR * deps.maxUploadBytes;
  let expanded = 0;
  await forEachArchiveEntry(raw, format, async (entry) => {
    // Declared sizes are what the readers deliver (tar reads exactly them, yauzl checks them),
    // so a compression bomb is refused at its header, before it is inflated or even skipped.
    expanded += entry.size;
    if (expanded > maxExpanded) throw archiveTooLarge(maxExpanded);
    const base = entry.path.split('/').pop() ?? '';
    // macOS resource forks and hidden files travel in many archives; they are not data.
    if (base.startsWith('.') || entry.path.startsWith('__MACOSX/')) return;
    const ext = base.split('.').pop()?.toLowerCase() ?? '';
    const manifestFormat = MANIFESTS[ext];
    if (manifestFormat) {
      if (manifest)
        throw new AppError(
          'BAD_DATASET',
          `the archive has two manifests, ${(manifest as { path: string }).path} and ${entry.path}; keep one`,
          [{ path: entry.path, message: 'second manifest' }],
        );
      const file = temp.path(`.${ext}`);
      await receiveTo(
        await entry.open(),
        file,
        deps.maxUploadBytes,
        limitScannerFor(manifestFormat),
      );
      manifest = { path: entry.path, file, format: manifestFormat };
      return;
    }
    if (!IMAGE_EXTENSIONS.test(base)) return;
    if (!byPath.has(entry.path) && byPath.size >= limits.images) throw tooManyImages(limits.images);
    byPath.set(entry.path, await stageImage(entry.path, await entry.open(), staged, temp, limits));
  });
  const hints = parseHints(query);
  if (manifest)
    return manifestTable(manifest, byPath, staged, {
      hints,
      ...(query.imageColumn ? { imageColumn: query.imageColumn } : {}),
      ...(query.label ? { label: query.label } : {}),
    });
  return imageFolderTable(byPath, staged);
}

interface Blob {
  sha256: string;
  file: string;
}

async function storeImageDataset(
  deps: RegistryDeps,
  name: string,
  format: ArchiveFormat,
  table: ImageTable,
  temp: TempFiles,
  producedByRun: string | undefined,
): Promise<{ dataset: DatasetVersion; created: boolean }> {
  const { profile, thumbnails } = await profileTable(table, temp);
  const canonical = await writeCanonical(table, temp.path('.jsonl'));
  const existing = await findDatasetByHash(deps.db, name, canonical.sha256);
  if (existing) return { dataset: existing, created: false };

  const images = new Map<string, Blob>();
  for (const row of table.rows) images.set(row.image.sha256, row.image);
  const blobs: Blob[] = [...images.values(), ...thumbnails, canonical];
  const added: string[] = [];
  let result: { dataset: DatasetVersion; created: boolean };
  try {
    for (const blob of blobs) {
      if ((await deps.store.has(blob.sha256)) !== null) continue;
      await deps.store.put(fs.createReadStream(blob.file), { expectedSha256: blob.sha256 });
      added.push(blob.sha256);
    }
    // Scalar columns (the manifest's) are checked like a table's; image columns for presence.
    const validation = await validateNewVersion(deps, name, {
      schema: { columns: table.columns },
      profile,
    });
    result = await insertDatasetVersion(deps.db, {
      id: randomUUID(),
      name,
      hash: canonical.sha256,
      format,
      rowCount: table.rows.length,
      sizeBytes: canonical.size,
      schema: { columns: table.columns },
      profile,
      validation,
      blobSha256: canonical.sha256,
      createdAt: new Date().toISOString(),
    });
  } catch (err) {
    await Promise.all(added.map((sha) => deps.store.delete(sha).catch(() => false)));
    throw err;
  }
  await announceDatasetCreated(deps, name, result, producedByRun);
  return result;
}

/** Scalar columns profiled as any dataset's; the image column by `ImageProfileBuilder`. */
async function profileTable(
  table: ImageTable,
  temp: TempFiles,
): Promise<{ profile: DatasetProfile; thumbnails: Blob[] }> {
  const scalar = scalarColumns(table.columns);
  const scalarBuilder = new ProfileBuilder(scalar);
  const images = new ImageProfileBuilder(table.imageColumn, table.labelColumn);
  const imageAt = table.columns.findIndex((c) => c.name === table.imageColumn);
  for (const row of table.rows) {
    const data: DataRow = {};
    table.columns.forEach((c, i) => {
      if (i !== imageAt) data[c.name] = row.cells[i] as DataRow[string];
    });
    scalarBuilder.add(data);
    images.add(row.cells[imageAt] as ImageCell, row.image.probe, row.label);
  }
  const thumbnails: Blob[] = [];
  const byLabel = new Map<string, ImageCell[]>();
  for (const label of images.labels()) {
    const chosen: StagedImage[] = [];
    for (const row of table.rows) {
      if (chosen.length >= THUMBNAILS_PER_CLASS) break;
      if (row.label === label && !chosen.includes(row.image)) chosen.push(row.image);
    }
    const cells: ImageCell[] = [];
    for (const image of chosen) {
      const thumb = await datasetThumbnail(await fsp.readFile(image.file));
      const sha256 = createHash('sha256').update(thumb.data).digest('hex');
      const file = temp.path('.thumb.jpg');
      await fsp.writeFile(file, thumb.data, { flag: 'wx', mode: PRIVATE_FILE_MODE });
      thumbnails.push({ sha256, file });
      cells.push({ sha256, width: thumb.width, height: thumb.height, format: 'jpeg' });
    }
    byLabel.set(label, cells);
  }
  return {
    profile: { ...scalarBuilder.finish(), images: [images.finish(byLabel)] },
    thumbnails,
  };
}

/** The canonical JSON Lines (one array of cells per row, image cells as objects), hashed. */
async function writeCanonical(table: ImageTable, file: string): Promise<Blob & { size: number }> {
  const hash = createHash('sha256');
  const out = fs.createWriteStream(file, { flags: 'wx', mode: PRIVATE_FILE_MODE });
  let size = 0;
  for (const row of table.rows) {
    const line = JSON.stringify(row.cells) + '\n';
    hash.update(line);
    size += Buffer.byteLength(line);
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return { sha256: hash.digest('hex'), file, size };
}
