import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  AppError,
  datasetFormatSchema,
  scalarColumns,
  type DatasetFormat,
  type DatasetUploadQuery,
} from '@mlops/contracts';
import type { CliContext } from '../context';
import { printJson } from '../output';
import { folderFiles, packFolder, tarSize } from '@mlops/client/image-folder';
import { hintsQuery, type HintOptions } from './hints-query';
import { inferenceLines } from './inference-lines';
import { validationLines } from './validation-lines';
import { uploadProgress } from './upload-progress';

export interface IngestOptions extends HintOptions {
  name?: string;
  format?: string;
  schema?: string;
  categorical?: string;
  imageColumn?: string;
  label?: string;
}

const EXTENSIONS: Array<[string, DatasetFormat]> = [
  ['.csv', 'csv'],
  ['.json', 'json'],
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.zip', 'zip'],
  ['.tar.gz', 'tar.gz'],
  ['.tgz', 'tar.gz'],
  ['.tar', 'tar'],
];

/**
 * Stream a local CSV / JSON / JSON Lines file, an image archive (zip, tar, tar.gz), or a folder
 * of images (packed as a tar on the fly) to the registry as a new dataset version.
 */
export async function ingest(ctx: CliContext, file: string, opts: IngestOptions): Promise<void> {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `file not found: ${file}`);
  const folder = fs.statSync(file).isDirectory();
  const extension = EXTENSIONS.find(([ext]) => file.toLowerCase().endsWith(ext));
  const format = opts.format
    ? datasetFormatSchema.parse(opts.format)
    : folder
      ? 'tar'
      : extension?.[1];
  if (!format)
    throw new AppError(
      'VALIDATION_FAILED',
      `cannot tell the format of ${file} from its extension: pass --format csv|json|jsonl|zip|tar|tar.gz`,
    );
  const base = path.basename(path.resolve(file));
  const name =
    opts.name ??
    (extension ? base.slice(0, -extension[0].length) : base)
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-');
  const query: DatasetUploadQuery = { format };
  if (opts.schema) query.schema = fs.readFileSync(opts.schema, 'utf8');
  if (opts.categorical) query.categorical = opts.categorical;
  const hints = hintsQuery(opts);
  if (hints !== undefined) query.hints = hints;
  if (opts.imageColumn) query.imageColumn = opts.imageColumn;
  if (opts.label) query.label = opts.label;

  let body: Readable;
  let size: number;
  if (folder) {
    const files = folderFiles(file);
    if (files.length === 0)
      throw new AppError('VALIDATION_FAILED', `${file} holds no .jpg, .png or .webp images`);
    body = packFolder(files);
    size = tarSize(files);
  } else {
    body = fs.createReadStream(file);
    size = fs.statSync(file).size;
  }
  const version = await ctx.client.uploadDataset(
    name,
    body.pipe(uploadProgress(size, ctx.json)),
    query,
  );
  if (ctx.json) return printJson(version);
  const images = version.profile.images?.[0];
  if (images) {
    const classes = images.classes;
    process.stdout.write(
      `dataset ${version.name} v${version.version}: ${images.count} images (${images.distinct} distinct), ${classes.length} classes, sha256 ${version.hash}\n` +
        classes.map((c) => `  ${c.label}: ${c.count}`).join('\n') +
        (classes.length > 0 ? '\n' : '') +
        validationLines(version.validation).join('\n') +
        '\n',
    );
    return;
  }
  process.stdout.write(
    `dataset ${version.name} v${version.version}: ${version.rowCount} rows, sha256 ${version.hash}\n` +
      [
        ...inferenceLines(scalarColumns(version.schema.columns), version.profile.inference),
        ...validationLines(version.validation),
      ].join('\n') +
      '\n',
  );
}
