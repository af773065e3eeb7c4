import path from 'node:path';
import {
  AppError,
  type CellValue,
  type Column,
  type DatasetColumn,
  type DatasetFormat,
  type ErrorDetail,
  type ImageCell,
} from '@mlops/contracts';
import { MAX_REPORTED_PROBLEMS } from '../canonicalize';
import { convertCell } from '../cells';
import type { Hints } from '../hints';
import { SchemaInferrer } from '../infer';
import { emptyDataset, readRecords } from '../records';
import type { StagedImage } from './stage';

/** One row of an image dataset: its cells in column order, its image, its class if any. */
export interface ImageRow {
  cells: Array<CellValue | ImageCell>;
  image: StagedImage;
  label: string | null;
}

export interface ImageTable {
  columns: DatasetColumn[];
  imageColumn: string;
  labelColumn?: string;
  rows: ImageRow[];
}

export function imageCell(image: StagedImage): ImageCell {
  const { width, height, format } = image.probe;
  return { sha256: image.sha256, width, height, format };
}

/**
 * ImageFolder: `<class>/<file>` (under any number of leading folders): the class is the
 * image's parent folder. Rows in path order, so the same folder as zip or tar is one version.
 */
export function imageFolderTable(
  byPath: ReadonlyMap<string, string>,
  staged: ReadonlyMap<string, StagedImage>,
): ImageTable {
  const paths = [...byPath.keys()].sort();
  if (paths.length === 0) throw emptyDataset();
  const rows: ImageRow[] = paths.map((p) => {
    const parts = p.split('/');
    if (parts.length < 2)
      throw new AppError(
        'BAD_DATASET',
        `image ${p} is not in a class folder; put each image under <class>/ or add a manifest (CSV or JSON Lines naming each image and its label)`,
        [{ path: p, message: 'not in a class folder' }],
      );
    const label = parts[parts.length - 2]!;
    const image = staged.get(byPath.get(p)!)!;
    return { cells: [imageCell(image), label], image, label };
  });
  const categories = [...new Set(rows.map((r) => r.label!))].sort();
  return {
    columns: [
      { name: 'image', type: 'image', nullable: false },
      { name: 'label', type: 'categorical', nullable: false, categories },
    ],
    imageColumn: 'image',
    labelColumn: 'label',
    rows,
  };
}

const IMAGE_COLUMN_NAMES = [
  'image',
  'file',
  'filename',
  'file_name',
  'path',
  'image_path',
  'filepath',
];

/**
 * A manifest (CSV or JSON Lines) whose rows name image files, relative to the manifest's folder,
 * plus other columns typed as any tabular upload. Rows keep the manifest's order.
 */
export async function manifestTable(
  manifest: { path: string; file: string; format: DatasetFormat },
  byPath: ReadonlyMap<string, string>,
  staged: ReadonlyMap<string, StagedImage>,
  opts: { imageColumn?: string; label?: string; hints: Hints },
): Promise<ImageTable> {
  // Pass 1: header, image column, scalar schema.
  let header: string[] | null = null;
  let imageIndex = -1;
  let inferrer: SchemaInferrer | null = null;
  for await (const item of readRecords(manifest.file, manifest.format)) {
    if (item.kind === 'header') {
      header = item.columns;
      imageIndex = findImageColumn(header, manifest.path, opts.imageColumn);
      inferrer = new SchemaInferrer(
        header.filter((_, i) => i !== imageIndex),
        opts.hints,
      );
    } else if (item.kind === 'row') inferrer?.add(item.cells.filter((_, i) => i !== imageIndex));
  }
  if (!header || !inferrer) throw emptyDataset();
  const { columns: scalar, missing } = inferrer.infer();
  const imageColumn = header[imageIndex]!;
  const columns: DatasetColumn[] = [...scalar];
  columns.splice(imageIndex, 0, { name: imageColumn, type: 'image', nullable: false });
  const labelName = opts.label ?? 'label';
  const labelColumn = scalar.some((c) => c.name === labelName) ? labelName : undefined;
  if (opts.label !== undefined && !labelColumn)
    throw new AppError('VALIDATION_FAILED', `label column "${opts.label}" is not in the manifest`, [
      { path: 'label', message: 'no such column' },
    ]);

  // Pass 2: rows, images resolved against the archive.
  const dir = path.posix.dirname(manifest.path);
  const rows: ImageRow[] = [];
  const problems: ErrorDetail[] = [];
  let problemCount = 0;
  const report = (d: ErrorDetail) => {
    problemCount += 1;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(d);
  };
  for await (const item of readRecords(manifest.file, manifest.format)) {
    if (item.kind === 'header') continue;
    if (item.kind === 'problem') {
      report({ row: item.row, ...(item.path ? { path: item.path } : {}), message: item.message });
      continue;
    }
    const ref = item.cells[imageIndex];
    const sha =
      typeof ref === 'string' && ref.trim() !== ''
        ? (byPath.get(path.posix.normalize(path.posix.join(dir, ref.trim()))) ??
          byPath.get(path.posix.normalize(ref.trim())))
        : undefined;
    if (!sha) {
      report({
        row: item.row,
        path: imageColumn,
        message:
          typeof ref === 'string' && ref.trim() !== ''
            ? `no image "${ref}" in the archive (paths are relative to the manifest's folder)`
            : 'must name an image file',
      });
      continue;
    }
    const image = staged.get(sha)!;
    const cells: Array<CellValue | ImageCell> = [];
    let label: string | null = null;
    let ok = true;
    let s = 0;
    item.cells.forEach((raw, i) => {
      if (i === imageIndex) {
        cells.push(imageCell(image));
        return;
      }
      const column = scalar[s++] as Column;
      const converted = convertCell(column, raw, missing.get(column.name));
      if ('error' in converted) {
        ok = false;
        report({ row: item.row, path: column.name, message: converted.error });
        return;
      }
      cells.push(converted.value);
      if (column.name === labelColumn && converted.value !== null) label = String(converted.value);
    });
    if (ok) rows.push({ cells, image, label });
  }
  if (problemCount > 0)
    throw new AppError(
      'BAD_DATASET',
      `${problemCount} problem(s) in the manifest ${manifest.path} (rows are 1-based data rows)`,
      problems,
    );
  if (rows.length === 0) throw emptyDataset();
  return { columns, imageColumn, ...(labelColumn ? { labelColumn } : {}), rows };
}

function findImageColumn(header: string[], manifest: string, given?: string): number {
  const index = given
    ? header.indexOf(given)
    : header.findIndex((h) => IMAGE_COLUMN_NAMES.includes(h.toLowerCase()));
  if (index >= 0) return index;
  throw new AppError(
    'BAD_DATASET',
    given
      ? `the manifest ${manifest} has no column "${given}" (columns: ${header.join(', ')})`
      : `the manifest ${manifest} has no image column: name it one of ${IMAGE_COLUMN_NAMES.join(', ')} or pass ?imageColumn=`,
    [{ path: given ? 'imageColumn' : manifest, message: 'no image column' }],
  );
}
