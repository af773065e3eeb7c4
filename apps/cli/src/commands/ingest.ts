import fs from 'node:fs';
import path from 'node:path';
import {
  AppError,
  datasetFormatSchema,
  type DatasetFormat,
  type DatasetUploadQuery,
} from '@mlops/contracts';
import type { CliContext } from '../context';
import { printJson } from '../output';

export interface IngestOptions {
  name?: string;
  format?: string;
  schema?: string;
  categorical?: string;
}

const EXTENSIONS: Record<string, DatasetFormat> = {
  '.csv': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** Stream a local CSV / JSON / JSON Lines file to the registry as a new dataset version. */
export async function ingest(ctx: CliContext, file: string, opts: IngestOptions): Promise<void> {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `file not found: ${file}`);
  const format = opts.format
    ? datasetFormatSchema.parse(opts.format)
    : EXTENSIONS[path.extname(file).toLowerCase()];
  if (!format)
    throw new AppError(
      'VALIDATION_FAILED',
      `cannot tell the format of ${file} from its extension: pass --format csv|json|jsonl`,
    );
  const name =
    opts.name ??
    path
      .basename(file, path.extname(file))
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-');
  const query: DatasetUploadQuery = { format };
  if (opts.schema) query.schema = fs.readFileSync(opts.schema, 'utf8');
  if (opts.categorical) query.categorical = opts.categorical;

  const version = await ctx.client.uploadDataset(name, fs.createReadStream(file), query);
  if (ctx.json) return printJson(version);
  process.stdout.write(
    `dataset ${version.name} v${version.version}: ${version.rowCount} rows, sha256 ${version.hash}\n` +
      version.schema.columns
        .map((c) => `  ${c.name}: ${c.type}${c.nullable ? ' (nullable)' : ''}`)
        .join('\n') +
      '\n',
  );
}
