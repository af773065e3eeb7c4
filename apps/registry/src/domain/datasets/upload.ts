import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import {
  AppError,
  isArchiveFormat,
  type Column,
  type DatasetFormat,
  type DatasetSchema,
  type DatasetUploadQuery,
  type DatasetVersion,
} from '@mlops/contracts';
import { findDatasetByHash, insertDatasetVersion } from '@mlops/storage';
import type { RegistryDeps } from '../../deps';
import { canonicalize, type Canonical } from './canonicalize';
import { parseSchemaQuery, resolveFormat } from './format';
import { applyExclusionHint, checkHintColumns, hintPath, parseHints, type Hints } from './hints';
import type { Inference } from './infer';
import { limitScannerFor, UploadLimitError } from './limits';
import { ingestInferred } from './single-pass';
import { TempFiles, receiveTo } from './temp';
import { announceDatasetCreated } from './announce';
import { validateNewVersion } from './validation';

/**
 * Register a dataset version from an uploaded body.
 *
 * The body is first streamed into a temp file (limits refused as the bytes arrive). One pass
 * then infers the schema from every row while it validates, canonicalises, hashes and profiles
 * into a second temp file under the types of the file's first rows (single-pass.ts); when the
 * final types differ, a second pass does that part again under them. With `?schema=` only that
 * pass runs. The canonical file then moves into the artifact store. The new version is validated against the latest version of the name
 * (validation.ts) and stored with its anomalies. Any failure leaves nothing: temp files are removed, a blob stored by this
 * call is deleted if the database insert fails, and no row is written before the blob exists.
 */
export async function uploadDataset(
  deps: RegistryDeps,
  name: string,
  body: Readable,
  query: DatasetUploadQuery,
  contentType: string | undefined,
): Promise<{ dataset: DatasetVersion; created: boolean }> {
  const format = resolveFormat(query.format, contentType);
  if (isArchiveFormat(format)) {
    // Image ingest decodes with sharp (libvips): loaded with the first image dataset, not at start.
    const { uploadImageDataset } = await import('./images/ingest');
    return uploadImageDataset(deps, name, body, query, format);
  }
  const given =
    query.schema !== undefined ? tabularSchema(parseSchemaQuery(query.schema)) : undefined;
  const hints = parseHints(query);
  const temp = new TempFiles(deps.tmpDir);
  try {
    const raw = temp.path('.raw');
    try {
      await receiveTo(body, raw, deps.maxUploadBytes, limitScannerFor(format));
    } catch (err) {
      if (err instanceof UploadLimitError)
        deps.metrics.uploadRefusals.inc({ upload: 'dataset', limit: err.limit });
      throw err;
    }
    const nextFile = () => temp.path('.jsonl');
    const { inference, canonical, canonicalFile } = given
      ? await ingestGiven(raw, format, givenInference(given.columns, hints), nextFile())
      : await ingestInferred(raw, format, hints, nextFile);
    const { columns } = inference;

    const existing = await findDatasetByHash(deps.db, name, canonical.hash);
    if (existing) return { dataset: existing, created: false };

    const profile = { ...canonical.profile, inference: inference.report };
    const validation = await validateNewVersion(deps, name, { schema: { columns }, profile });
    const hadBlob = (await deps.store.has(canonical.hash)) !== null;
    const blob = await deps.store.put(fs.createReadStream(canonicalFile), {
      expectedSha256: canonical.hash,
    });
    let result: { dataset: DatasetVersion; created: boolean };
    try {
      result = await insertDatasetVersion(deps.db, {
        id: randomUUID(),
        name,
        hash: canonical.hash,
        format,
        rowCount: canonical.rowCount,
        sizeBytes: canonical.sizeBytes,
        schema: { columns },
        profile,
        validation,
        blobSha256: blob.sha256,
        createdAt: new Date().toISOString(),
      });
    } catch (err) {
      if (!hadBlob) await deps.store.delete(blob.sha256);
      throw err;
    }
    await announceDatasetCreated(deps, name, result, query.pipelineRunId);
    return result;
  } finally {
    await temp.cleanup();
  }
}

/** A `?schema=` upload: the second pass alone, under the given columns. */
async function ingestGiven(
  raw: string,
  format: DatasetFormat,
  inference: Inference,
  canonicalFile: string,
): Promise<{ inference: Inference; canonical: Canonical; canonicalFile: string }> {
  const { columns, missing } = inference;
  const canonical = await canonicalize(raw, format, columns, canonicalFile, missing);
  return { inference, canonical, canonicalFile };
}

/**
 * An explicit `?schema=` decides every type; the report says so and excludes only what a hint's
 * `exclude` asks for. A type hint beside it would be a second answer to the same question: 400.
 */
function givenInference(columns: Column[], hints: Hints): Inference {
  checkHintColumns(
    columns.map((c) => c.name),
    hints,
  );
  const typed = [...hints].filter(([, h]) => h.hint.type !== undefined);
  if (typed.length > 0)
    throw new AppError(
      'VALIDATION_FAILED',
      'with ?schema= the schema gives every type: hints may only say "exclude"',
      typed.map(([name, { from }]) => ({
        path: hintPath(name, from),
        message: `type hint for "${name}" beside ?schema=`,
      })),
    );
  const report = columns.map((c) => {
    const entry = { name: c.name, type: c.type, reason: 'given by ?schema=' };
    const hinted = hints.get(c.name);
    if (hinted) applyExclusionHint(entry, hinted.hint, hinted.from);
    return entry;
  });
  return { columns, missing: new Map(), report: { source: 'schema', columns: report } };
}

/** A `?schema=` for a CSV / JSON upload: image columns only come from archives of images. */
function tabularSchema(schema: DatasetSchema): { columns: Column[] } {
  const columns = schema.columns.filter((c): c is Column => c.type !== 'image');
  if (columns.length !== schema.columns.length)
    throw new AppError(
      'VALIDATION_FAILED',
      'image columns come from an archive of images (format=zip|tar|tar.gz), not from a CSV or JSON file',
      [{ path: 'schema.columns', message: 'image column in a tabular upload' }],
    );
  return { columns };
}
