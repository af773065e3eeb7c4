import { createHash } from 'node:crypto';
import { tensorSignatureSchema, type FeatureRecord } from '@mlops/contracts';
import { decodeImage, type DecodedImage } from '@mlops/ml/image';
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
export async function lesionPixels(opts: LesionOptions): Promise<DecodedImage[]> {
  const images = await generateLesions(opts);
  return Promise.all(images.map((l) => decodeImage('image', l.data, decoding)));
}

/** What the trainer stores as `drift-reference.json` for these training images. */
export function trainingReference(images: readonly DecodedImage[], seed = 1) {
  const builder = new TensorReferenceBuilder(lesionTensors, { seed });
  for (const d of images) builder.add({ image: d.data }, { image: d.source });
  return builder.finish();
}

/** What serving's payload log holds for each image: a hash, the shape and the summary. */
export function loggedRows(images: readonly DecodedImage[]): FeatureRecord[] {
  return images.map((d) => ({
    'image.sha256': createHash('sha256').update(d.data).digest('hex'),
    'image.shape': '32x32x3',
    ...summarizeExample(lesionTensors, { image: d.data }, { image: d.source }),
  }));
}
