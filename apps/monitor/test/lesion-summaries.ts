import { createHash } from 'node:crypto';
import { tensorSignatureSchema, type FeatureRecord } from '@mlops/contracts';
import { decodeImage } from '@mlops/ml/image';
import { summarizeExample, TensorReferenceBuilder } from '@mlops/ml/summary';
import { generateLesions, type LesionOptions } from '../../../scripts/demo/lesions';

/** A lesion classifier's image input as the trainer declares it: 64 px lesions seen at 32×32. */
export const lesionTensors = tensorSignatureSchema.parse({
  inputs: [
    {
      kind: 'image',
      name: 'image',
      dtype: 'float32',
      shape: [-1, 32, 32, 3],
      decoding: { channels: 3, height: 32, width: 32, resize: 'bilinear', scale: 1 / 255 },
    },
  ],
  outputs: [{ name: 'probs', dtype: 'float32', shape: [-1, 3], role: 'probabilities' }],
});

const input = lesionTensors.inputs[0]!;
if (input.kind !== 'image') throw new Error('the lesion input is an image');
const decoding = input.decoding;

/** The demo's lesion images, decoded as serving and the trainer decode them (sharp, 32×32). */
export async function lesionPixels(opts: LesionOptions): Promise<Uint8Array[]> {
  const images = await generateLesions(opts);
  return Promise.all(images.map(async (l) => (await decodeImage('image', l.data, decoding)).data));
}

/** What the trainer stores as `drift-reference.json` for these training images. */
export function trainingReference(pixels: readonly Uint8Array[], seed = 1) {
  const builder = new TensorReferenceBuilder(lesionTensors, { seed });
  for (const p of pixels) builder.add({ image: p });
  return builder.finish();
}

/** What serving's payload log holds for each image: a hash, the shape and the summary. */
export function loggedRows(pixels: readonly Uint8Array[]): FeatureRecord[] {
  return pixels.map((p) => ({
    'image.sha256': createHash('sha256').update(p).digest('hex'),
    'image.shape': '32x32x3',
    ...summarizeExample(lesionTensors, { image: p }),
  }));
}
