import fs from 'node:fs';
import { AppError, answeringVersion, readPredictions, type ReadAnswer } from '@mlops/contracts';
import type { CliContext } from '../context';
import { requestJson } from '../http';
import { printJson, printTable } from '../output';

type ImageType = 'image/jpeg' | 'image/png';

/** The media type from the first bytes: the file name says nothing about what a file holds. */
export function imageTypeOf(bytes: Uint8Array): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return null;
}

/** Every file read and checked before anything is sent, so a typo costs no request. */
export function readImages(files: string[]): { file: string; bytes: Buffer; type: ImageType }[] {
  return files.map((file) => {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`;
      throw new AppError('VALIDATION_FAILED', `--image ${file} ${why}`);
    }
    const type = imageTypeOf(bytes);
    if (!type)
      throw new AppError('VALIDATION_FAILED', `--image ${file} is not a JPEG or PNG image`);
    return { file, bytes, type };
  });
}

/**
 * One image goes as the raw body (`Content-Type: image/jpeg|png`), which serving accepts for a
 * model with a single image input; several go as TF Serving `{"instances":[{"b64": …}]}`.
 */
export async function predictImages(ctx: CliContext, model: string, files: string[]) {
  const images = readImages(files);
  const url = `${ctx.servingUrl}/v1/models/${encodeURIComponent(model)}:predict?format=platform`;
  const [only] = images;
  const init: RequestInit =
    images.length === 1 && only
      ? { method: 'POST', body: only.bytes, headers: { 'content-type': only.type } }
      : {
          method: 'POST',
          body: JSON.stringify({
            instances: images.map((i) => ({ b64: i.bytes.toString('base64') })),
          }),
        };
  const body = await requestJson(url, init, ctx.token);
  // --json prints serving's answer as its protocol defines it (an image model answers its raw
  // outputs); the table reads it with the answering version's signature (labels, output roles).
  if (ctx.json) return printJson(body);
  const version = answeringVersion(body);
  if (version === null)
    throw new AppError('INTERNAL', 'serving answered without naming the model version');
  const { manifest } = await ctx.client.api.versions.get.query({ model, version });
  printImagePredictions(
    readPredictions(body, manifest.signature),
    images.map((i) => i.file),
  );
}

function printImagePredictions(answer: ReadAnswer, files: string[]): void {
  const { model } = answer;
  process.stdout.write(
    `${model.name} v${model.version}${model.alias ? ` (${model.alias})` : ''}\n`,
  );
  printTable(
    answer.predictions.map((p, i) => ({
      image: files[i] ?? `#${i + 1}`,
      ...(p.label !== null
        ? {
            label: p.label,
            probabilities: p.probabilities
              .map(({ label, value }) => `${label} ${value.toFixed(3)}`)
              .join(', '),
          }
        : { value: p.value }),
      id: p.predictionId,
    })),
  );
}
