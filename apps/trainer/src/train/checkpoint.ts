import type * as tfTypes from '@tensorflow/tfjs';
import { z } from 'zod';
import { AppError } from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';

interface NamedTensor {
  name: string;
  tensor: tfTypes.Tensor;
}

/** What `fitModel` needs besides the weights to continue where it stopped. */
export const fitStateSchema = z.object({
  /** Epochs completed. */
  epoch: z.number().int().nonnegative(),
  history: z.array(z.object({ loss: z.number().nullable(), valLoss: z.number().nullable() })),
  bestLoss: z.number().nullable(),
  bestEpoch: z.number().int().nonnegative(),
  sinceBest: z.number().int().nonnegative(),
  totalSeconds: z.number().nonnegative(),
  samples: z.number().int().nonnegative(),
});
export type FitState = z.infer<typeof fitStateSchema>;

const headerSchema = z.object({
  format: z.literal('mlops-checkpoint/1'),
  runId: z.string(),
  state: fitStateSchema,
  modelWeights: z.number().int().nonnegative(),
  bestWeights: z.number().int().nonnegative(),
  specs: z.array(
    z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: z.string() }),
  ),
});

export interface Checkpoint {
  runId: string;
  state: FitState;
  model: tfTypes.Tensor[];
  /** Weights of the best epoch so far (early stopping restores them), possibly empty. */
  best: tfTypes.Tensor[];
  optimizer: NamedTensor[];
}

/**
 * One self-describing blob: a 4-byte header length, a JSON header (fit state and the tensor
 * specs of tf.io.encodeWeights) and the raw tensor data. Optimizer state (Adam's moments and
 * iteration count) is included so a resumed fit continues the same optimisation.
 */
export async function encodeCheckpoint(
  model: tfTypes.LayersModel,
  runId: string,
  state: FitState,
  best: readonly tfTypes.Tensor[],
): Promise<Uint8Array> {
  const tf = getTf();
  const optimizer = model.optimizer as tfTypes.Optimizer | undefined;
  const optWeights = optimizer ? await optimizer.getWeights() : [];
  const modelWeights = model.getWeights();
  const named: NamedTensor[] = [
    ...modelWeights.map((tensor, i) => ({ name: `model/${i}`, tensor })),
    ...best.map((tensor, i) => ({ name: `best/${i}`, tensor })),
    ...optWeights.map((w) => ({ name: `opt/${w.name}`, tensor: w.tensor })),
  ];
  let encoded: Awaited<ReturnType<typeof tf.io.encodeWeights>>;
  try {
    encoded = await tf.io.encodeWeights(named);
  } finally {
    // getWeights() makes a fresh scalar for the iteration count; the rest are live variables.
    tf.dispose(optWeights.filter((w) => w.name === 'iter').map((w) => w.tensor));
  }
  const { data, specs } = encoded;
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: 'mlops-checkpoint/1',
      runId,
      state,
      modelWeights: modelWeights.length,
      bestWeights: best.length,
      specs: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })),
    }),
  );
  const out = new Uint8Array(4 + header.byteLength + data.byteLength);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  out.set(new Uint8Array(data), 4 + header.byteLength);
  return out;
}

/** Parse a checkpoint blob; the caller owns (and must dispose) every returned tensor. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const tf = getTf();
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const length = view.getUint32(0, true);
    const header = headerSchema.parse(
      JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))),
    );
    const data = bytes.slice(4 + length).buffer;
    const specs = header.specs.map((s) => ({
      name: s.name,
      shape: s.shape,
      dtype: s.dtype as tfTypes.DataType,
    }));
    const map = tf.io.decodeWeights(data, specs);
    const pick = (name: string) => map[name] as tfTypes.Tensor;
    const model = Array.from({ length: header.modelWeights }, (_, i) => pick(`model/${i}`));
    const best = Array.from({ length: header.bestWeights }, (_, i) => pick(`best/${i}`));
    const optimizer = specs
      .filter((s) => s.name.startsWith('opt/'))
      .map((s) => ({ name: s.name.slice(4), tensor: pick(s.name) }));
    return { runId: header.runId, state: header.state, model, best, optimizer };
  } catch (err) {
    throw new AppError(
      'INTERNAL',
      `Checkpoint is unreadable (${err instanceof Error ? err.message : String(err)}); cancel the run and start a new one`,
    );
  }
}

export function disposeCheckpoint(cp: Checkpoint): void {
  getTf().dispose([...cp.model, ...cp.best, ...cp.optimizer.map((w) => w.tensor)]);
}

export interface RestoredFit {
  startEpoch: number;
  history: FitState['history'];
  totalSeconds: number;
  sinceBest: number;
  best: { loss: number; epoch: number; weights: tfTypes.Tensor[] | null };
}

/** Put a checkpoint's weights and optimizer state into `model`; disposes the checkpoint. */
export async function restoreFit(model: tfTypes.LayersModel, cp: Checkpoint): Promise<RestoredFit> {
  try {
    model.setWeights(cp.model);
    const optimizer = model.optimizer as tfTypes.Optimizer | undefined;
    if (optimizer && cp.optimizer.length > 0) await optimizer.setWeights(cp.optimizer);
    return {
      startEpoch: cp.state.epoch,
      history: [...cp.state.history],
      totalSeconds: cp.state.totalSeconds,
      sinceBest: cp.state.sinceBest,
      best: {
        loss: cp.state.bestLoss ?? Infinity,
        epoch: cp.state.bestEpoch,
        weights: cp.best.length > 0 ? cp.best.map((w) => w.clone()) : null,
      },
    };
  } finally {
    disposeCheckpoint(cp);
  }
}
