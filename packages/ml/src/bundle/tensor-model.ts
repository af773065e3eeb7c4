import type * as tfTypes from '@tensorflow/tfjs';
import type { BundleManifest, TensorDtype } from '@mlops/contracts';
import { loadTfModel, type TfModel } from './load';

/** A named input or output as the model file states it; -1 where a dimension is unknown. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

/**
 * A model with named tensor inputs and outputs, whatever its serialisation: `run` takes one
 * tensor per input in `inputs` order and answers one per output in `outputs` order.
 */
export interface TensorModel {
  readonly format: TfModel['format'];
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  run(feeds: readonly tfTypes.Tensor[]): tfTypes.Tensor[];
  dispose(): void;
}

/**
 * The TF.js dtype a contract dtype runs as: TF.js has no uint8 tensors (the converter turns a
 * uint8 graph input into int32), so 0–255 values travel as int32.
 */
export function tfDtype(dtype: TensorDtype): 'float32' | 'int32' | 'bool' {
  return dtype === 'uint8' ? 'int32' : dtype;
}

function dims(shape: ReadonlyArray<number | null> | undefined | null): number[] {
  return (shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
}

function layersTensorModel(model: tfTypes.LayersModel): TensorModel {
  return {
    format: 'layers-model',
    inputs: model.inputs.map((t, i) => ({
      name: model.inputNames[i] ?? t.name,
      dtype: t.dtype,
      shape: dims(t.shape),
    })),
    outputs: model.outputs.map((t, i) => ({
      name: model.outputNames[i] ?? t.name,
      dtype: t.dtype,
      shape: dims(t.shape),
    })),
    run(feeds) {
      const y = model.predict(feeds.length === 1 ? feeds[0]! : [...feeds], {
        batchSize: feeds[0]?.shape[0] ?? 1,
      });
      return Array.isArray(y) ? y : [y];
    },
    dispose: () => model.dispose(),
  };
}

/**
 * Graph models are fed by name: `inputNodes` are the names `execute` takes (the converter's
 * signature keys when it wrote a signature, node names otherwise), in the order of `inputs`.
 */
function graphTensorModel(graph: tfTypes.GraphModel): TensorModel {
  const inputNames = graph.inputNodes;
  const outputNames = graph.outputNodes;
  return {
    format: 'graph-model',
    inputs: graph.inputs.map((t, i) => ({
      name: inputNames[i] ?? t.name,
      dtype: t.dtype ?? 'float32',
      shape: dims(t.shape),
    })),
    outputs: graph.outputs.map((t, i) => ({
      name: outputNames[i] ?? t.name,
      dtype: t.dtype ?? 'float32',
      shape: dims(t.shape),
    })),
    run(feeds) {
      const named: tfTypes.NamedTensorMap = {};
      for (const [i, name] of inputNames.entries()) named[name] = feeds[i]!;
      const y = graph.execute(named, outputNames);
      return Array.isArray(y) ? y : [y];
    },
    dispose: () => graph.dispose(),
  };
}

export function tensorModelOf(loaded: TfModel): TensorModel {
  return loaded.format === 'graph-model'
    ? graphTensorModel(loaded.model)
    : layersTensorModel(loaded.model);
}

/** Verify the bundle's files and load its model with named tensor inputs and outputs. */
export async function loadTensorModel(
  manifest: Pick<BundleManifest, 'files'>,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<TensorModel> {
  return tensorModelOf(await loadTfModel(manifest, files));
}
