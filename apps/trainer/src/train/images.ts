import {
  AppError,
  DEFAULT_TRAINING_IMAGE,
  isImageCell,
  isImageColumn,
  type CellValue,
  type DatasetSchema,
  type ImageCell,
  type ResizeMethod,
  type TrainingImage,
  type TrainingSpec,
} from '@mlops/contracts';
import { decodeImage } from '@mlops/ml/image';

/**
 * The examples of an image run, decoded on the host (the I/O side) and handed to the training
 * thread as one buffer: `pixels` holds every image [height, width, channels] (0–255) one after
 * the other, `labels[i]` is image i's class (null when the row has none), and `sizes[2i]`,
 * `sizes[2i+1]` its width and height before the resize (for the drift reference).
 */
export interface ImageExamples {
  column: string;
  target: string;
  image: TrainingImage;
  pixels: Uint8Array<ArrayBuffer>;
  labels: Array<string | null>;
  sizes?: Uint32Array;
}

/** Images downloaded and decoded at once: enough to hide latency, few enough for a small host. */
export const IMAGE_DOWNLOAD_CONCURRENCY = 8;

/** The image column and the label column of an image run, checked against the schema. */
export function resolveImageColumns(
  spec: TrainingSpec,
  schema: DatasetSchema,
): { column: string; target: string } | null {
  const images = schema.columns.filter(isImageColumn);
  if (images.length === 0) return null;
  const fail = (message: string) => new AppError('BAD_DATASET', message);
  if (images.length > 1)
    throw fail(
      `dataset "${spec.dataset.name}" has ${images.length} image columns; training takes one`,
    );
  // Checked here too (buildImageModel refuses it) so a wrong preset fails before any download.
  // A transfer run has no preset: its model is the base plus a new head.
  if (!spec.transfer && spec.preset !== 'cnn-small')
    throw new AppError(
      'VALIDATION_FAILED',
      `preset "${spec.preset}" trains on scalar columns; image datasets train with preset "cnn-small"`,
      [{ path: 'preset', message: 'must be "cnn-small" for an image dataset' }],
    );
  if (spec.task !== 'classification')
    throw fail(`image datasets train classifiers only; set task "classification"`);
  const target = schema.columns.find((c) => c.name === spec.target);
  if (!target || isImageColumn(target) || target.type === 'numeric')
    throw fail(
      `target "${spec.target}" must be a label column of dataset "${spec.dataset.name}" (columns: ${schema.columns.map((c) => c.name).join(', ')})`,
    );
  const column = images[0]!.name;
  if (spec.features && spec.features.join(',') !== column)
    throw fail(`an image run's only feature is its image column "${column}"`);
  return { column, target: target.name };
}

export interface ImageSource {
  datasetImageRows(name: string, version: number): AsyncIterable<Array<CellValue | ImageCell>>;
  downloadBlob(sha256: string): Promise<Buffer>;
}

/**
 * Every image of the dataset version, downloaded (at most IMAGE_DOWNLOAD_CONCURRENCY at a time)
 * and decoded to the run's size. Rows without an image cell are skipped; a blob that is not a
 * decodable image fails the run naming its row.
 */
export async function loadImageExamples(
  source: ImageSource,
  dataset: { name: string; version: number; schema: DatasetSchema },
  columns: { column: string; target: string },
  image: TrainingImage = DEFAULT_TRAINING_IMAGE,
  /** A transfer run resizes as its base declares. */
  resize: ResizeMethod = 'bilinear',
): Promise<ImageExamples> {
  const names = dataset.schema.columns.map((c) => c.name);
  const at = names.indexOf(columns.column);
  const labelAt = names.indexOf(columns.target);
  const wanted: Array<{ cell: ImageCell; label: string | null; row: number }> = [];
  let row = 0;
  for await (const cells of source.datasetImageRows(dataset.name, dataset.version)) {
    row++;
    const cell = cells[at];
    if (!isImageCell(cell)) continue;
    const label = cells[labelAt];
    wanted.push({
      cell,
      label: typeof label === 'string' || typeof label === 'number' ? String(label) : null,
      row,
    });
  }
  const size = image.height * image.width * image.channels;
  const pixels = new Uint8Array(new ArrayBuffer(wanted.length * size));
  const sizes = new Uint32Array(wanted.length * 2);
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const i = next++;
      const item = wanted[i]!;
      const bytes = await source.downloadBlob(item.cell.sha256);
      const decoded = await decodeImage(`row ${item.row}`, bytes, {
        ...image,
        resize,
      }).catch((err: unknown) => {
        throw new AppError(
          'BAD_DATASET',
          `image of row ${item.row} (${item.cell.sha256}) does not decode: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
      pixels.set(decoded.data, i * size);
      sizes[2 * i] = decoded.source.width;
      sizes[2 * i + 1] = decoded.source.height;
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(IMAGE_DOWNLOAD_CONCURRENCY, wanted.length) }, worker),
  );
  return { ...columns, image, pixels, labels: wanted.map((w) => w.label), sizes };
}
