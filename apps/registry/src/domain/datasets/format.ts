import {
  AppError,
  datasetSchemaSchema,
  zodIssuesToDetails,
  type DatasetFormat,
  type DatasetSchema,
} from '@mlops/contracts';

/** Exported for the OpenAPI document, which lists what an upload may be sent as. */
export const BY_CONTENT_TYPE: Record<string, DatasetFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/zip': 'zip',
  'application/x-zip-compressed': 'zip',
  'application/x-tar': 'tar',
  'application/gzip': 'tar.gz',
  'application/x-gzip': 'tar.gz',
  'application/x-gtar': 'tar.gz',
};

/** `?format=` wins; else the content type; octet-stream needs `?format=`. */
export function resolveFormat(
  format: DatasetFormat | undefined,
  contentType: string | undefined,
): DatasetFormat {
  if (format) return format;
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const found = BY_CONTENT_TYPE[mime];
  if (found) return found;
  throw new AppError(
    'VALIDATION_FAILED',
    `cannot tell the dataset format from content type "${mime || '(none)'}": pass ?format=csv|json|jsonl|zip|tar|tar.gz or send text/csv, application/json, application/x-ndjson, application/zip, application/x-tar or application/gzip`,
    [{ path: 'format', message: 'unknown format' }],
  );
}

/** The `?schema=` query: JSON of a DatasetSchema. */
export function parseSchemaQuery(text: string): DatasetSchema {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError(
      'VALIDATION_FAILED',
      'schema must be JSON of {"columns":[{name,type,nullable}]}',
      [{ path: 'schema', message: 'not valid JSON' }],
    );
  }
  const parsed = datasetSchemaSchema.safeParse(value);
  if (!parsed.success) {
    const details = zodIssuesToDetails(parsed.error.issues).map((d) => ({
      ...d,
      path: `schema.${d.path ?? ''}`,
    }));
    throw new AppError('VALIDATION_FAILED', 'schema is not a valid dataset schema', details);
  }
  return parsed.data;
}
