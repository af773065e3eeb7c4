import type * as tfTypes from '@tensorflow/tfjs';
import { getTf } from '../backend/backend';
import { MODEL_JSON } from './model-json';

export { MODEL_JSON };
export const WEIGHTS_BIN = 'weights.bin';

/**
 * Serialize a Layers model into the two bundle files, in the layout `tf.loadLayersModel` reads:
 * `model.json` (topology + a weights manifest naming `weights.bin`) and the weights themselves.
 */
export async function serializeModel(
  model: tfTypes.LayersModel,
): Promise<Array<{ path: string; bytes: Uint8Array }>> {
  const tf = getTf();
  let captured: tfTypes.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      captured = artifacts;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
      });
    }),
  );
  if (!captured?.modelTopology || !captured.weightSpecs) {
    throw new Error('model.save produced no topology or weights');
  }
  const weights = new Uint8Array(
    tf.io.CompositeArrayBuffer.join(captured.weightData ?? new ArrayBuffer(0)),
  );
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: captured.weightSpecs }],
  };
  return [
    { path: MODEL_JSON, bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
    { path: WEIGHTS_BIN, bytes: weights },
  ];
}
