import fs from 'node:fs';
import {
  AppError,
  featureRecordSchema,
  predictResponseSchema,
  type FeatureRecord,
} from '@mlops/contracts';
import type { CliContext } from '../context';
import { requestJson } from '../http';
import { printJson, printTable } from '../output';
import { predictImages } from './predict-images';

export interface PredictOptions {
  instance?: string[];
  file?: string;
  image?: string[];
}

/**
 * Send raw feature records (or, with --image, image files) to serving (TF Serving REST); print
 * labels and probabilities.
 */
export async function predict(ctx: CliContext, model: string, opts: PredictOptions): Promise<void> {
  if (opts.image?.length) {
    if (opts.instance?.length || opts.file)
      throw new AppError('VALIDATION_FAILED', 'give --image or --instance/--file, not both');
    return predictImages(ctx, model, opts.image);
  }
  const instances = [
    ...(opts.instance ?? []).map((text, i) => parseRecord(text, `--instance #${i + 1}`)),
    ...readFile(opts.file),
  ];
  if (instances.length === 0)
    throw new AppError(
      'VALIDATION_FAILED',
      'give at least one --instance \'{"feature": value}\' or --file records.jsonl',
    );
  const body = await requestJson(
    `${ctx.servingUrl}/v1/models/${encodeURIComponent(model)}:predict?format=platform`,
    {
      method: 'POST',
      body: JSON.stringify({ instances }),
    },
    ctx.token,
  );
  const response = predictResponseSchema.parse(body);
  if (ctx.json) return printJson(response);
  process.stdout.write(
    `${response.model.name} v${response.model.version}${response.model.alias ? ` (${response.model.alias})` : ''}\n`,
  );
  printTable(
    response.predictions.map((p, i) =>
      'label' in p
        ? {
            row: i + 1,
            label: p.label,
            confidence: p.probabilities[p.label] ?? null,
            id: response.predictionIds[i] ?? null,
          }
        : { row: i + 1, value: p.value, id: response.predictionIds[i] ?? null },
    ),
  );
}

function parseRecord(text: string, where: string): FeatureRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `${where} is not JSON: ${(err as Error).message}`);
  }
  const parsed = featureRecordSchema.safeParse(value);
  if (!parsed.success)
    throw new AppError('VALIDATION_FAILED', `${where} must be a JSON object of feature values`);
  return parsed.data;
}

/** A JSON array of records or JSON Lines. */
function readFile(file: string | undefined): FeatureRecord[] {
  if (!file) return [];
  const text = fs.readFileSync(file, 'utf8').trim();
  if (text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed))
      throw new AppError('VALIDATION_FAILED', `${file} must hold a JSON array`);
    return parsed.map((v, i) => parseRecord(JSON.stringify(v), `${file} record ${i + 1}`));
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => parseRecord(line, `${file} line ${i + 1}`));
}
