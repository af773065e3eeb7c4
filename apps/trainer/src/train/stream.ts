import type * as tfTypes from '@tensorflow/tfjs';
import { AppError, type DataRow, type Signature } from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import { buildModel, disposeModel } from '@mlops/ml/presets';
import { PreprocessingBuilder, encodeFeatures, encodeTargets } from '@mlops/ml/preprocessing';
import { ProfileBuilder } from '@mlops/ml/profile';
import { mulberry32, shuffleInPlace } from '@mlops/ml/split';
import { encodeCheckpoint, restoreFit, type FitState } from './checkpoint';
import { resolveColumns } from './columns';
import { evaluateModel } from './evaluate';
import { FitInterrupted, type FitResult } from './fit';
import { PROFILE_JSON, type TrainInput, type TrainOutput } from './pipeline';
import { MIN_ROWS } from './split';

/** Held-out rows kept in memory: metrics and validation loss use at most this many. */
export const HELD_OUT_CAP = 20_000;
/** Training rows shuffled together: a window of the stream, not the whole dataset. */
export const SHUFFLE_WINDOW = 8_192;

export interface StreamInput extends Omit<TrainInput, 'rows'> {
  /** A fresh pass over the dataset's rows each call (one per epoch, plus one to fit). */
  rows: () => AsyncIterable<DataRow>;
}

/** Split of row `index`, from a hash of (seed, index): no row needs to be held to split. */
export function streamSplit(
  index: number,
  seed: number,
  testFraction: number,
  validationFraction: number,
): 'train' | 'validation' | 'test' {
  let h = Math.imul(index ^ 0x27d4eb2d, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  const u = ((h ^ (h >>> 16)) >>> 0) / 4_294_967_296;
  if (u < testFraction) return 'test';
  return u < testFraction + (1 - testFraction) * validationFraction ? 'validation' : 'train';
}

function labelled(row: DataRow, target: string, regression: boolean): boolean {
  const v = row[target];
  return regression ? typeof v === 'number' && Number.isFinite(v) : v !== null && v !== undefined;
}

/**
 * Training with memory bounded independently of the dataset's size: one streaming pass fits the
 * preprocessing and the profile and keeps capped held-out samples; then each epoch streams the
 * rows again and trains on shuffled windows, batch by batch. Splits are by row hash (not
 * stratified); metrics are on at most HELD_OUT_CAP test rows. Checkpoints, resume, cancel and
 * interrupt behave as in `fitModel`.
 */
export async function trainStreaming(input: StreamInput): Promise<TrainOutput> {
  const tf = getTf();
  const { spec } = input;
  const hp = spec.hyperparameters;
  const { features, target } = resolveColumns(spec, input.schema);
  const regression = spec.task === 'regression';
  const prepBuilder = new PreprocessingBuilder(features, target, spec.task);
  const profile = new ProfileBuilder(features, { seed: spec.seed });
  const validation: DataRow[] = [];
  const test: DataRow[] = [];
  const sizes = { train: 0, validation: 0, test: 0, dropped: 0 };
  const splitOf = (i: number) => streamSplit(i, spec.seed, hp.testFraction, hp.validationFraction);

  let index = 0;
  for await (const row of input.rows()) {
    const i = index++;
    if (!labelled(row, target.name, regression)) {
      sizes.dropped++;
      continue;
    }
    const split = splitOf(i);
    sizes[split]++;
    if (split === 'train') {
      prepBuilder.add(row);
      profile.add(row);
    } else if (split === 'validation' && validation.length < HELD_OUT_CAP) validation.push(row);
    else if (split === 'test' && test.length < HELD_OUT_CAP) test.push(row);
  }
  if (
    sizes.train + sizes.validation + sizes.test < MIN_ROWS ||
    sizes.train === 0 ||
    sizes.test === 0
  ) {
    throw new AppError(
      'BAD_DATASET',
      `Splitting ${index} rows (${sizes.dropped} without target) left train ${sizes.train}, test ${sizes.test}; training needs at least ${MIN_ROWS} labelled rows in both`,
    );
  }
  const prep = prepBuilder.finish();
  const outputWidth = prep.target.kind === 'label-encode' ? prep.target.labels.length : 1;
  const model = buildModel({
    preset: spec.preset,
    task: spec.task,
    inputWidth: prep.inputWidth,
    outputWidth,
    hyperparameters: hp,
    seed: spec.seed,
  });
  const control = input.control ?? {};
  const valX =
    validation.length > 0
      ? [
          tf.tensor2d(encodeFeatures(prep, validation), [validation.length, prep.inputWidth]),
          tf.tensor2d(encodeTargets(prep, validation), [validation.length, outputWidth]),
        ]
      : null;
  let best = { loss: Infinity, epoch: 0, weights: null as tfTypes.Tensor[] | null };
  const history: FitResult['history'] = [];
  let sinceBest = 0;
  let totalSeconds = 0;
  let startEpoch = 0;
  let stoppedEarly = false;

  async function trainWindow(
    rows: DataRow[],
    rng: () => number,
  ): Promise<{ loss: number; n: number }> {
    shuffleInPlace(rows, rng);
    let sum = 0;
    let n = 0;
    for (let at = 0; at < rows.length; at += hp.batchSize) {
      if (control.signal?.aborted) throw abortReason(control.signal);
      const batch = rows.slice(at, at + hp.batchSize);
      const x = tf.tensor2d(encodeFeatures(prep, batch), [batch.length, prep.inputWidth]);
      const y = tf.tensor2d(encodeTargets(prep, batch), [batch.length, outputWidth]);
      try {
        const loss = await model.trainOnBatch(x, y);
        sum += (Array.isArray(loss) ? (loss[0] ?? 0) : loss) * batch.length;
        n += batch.length;
      } finally {
        tf.dispose([x, y]);
      }
      // A macrotask turn per batch: BullMQ's lock renewal timer must get to run.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { loss: sum, n };
  }

  try {
    if (control.resume) {
      if (control.resume.state.samples !== sizes.train) {
        throw new AppError(
          'VALIDATION_FAILED',
          `The run's checkpoint was taken on ${control.resume.state.samples} training rows but the split now has ${sizes.train}; cancel the run and start a new one`,
        );
      }
      const restored = await restoreFit(model, control.resume);
      ({ startEpoch, totalSeconds, sinceBest, best } = restored);
      history.push(...restored.history);
    }
    for (let epoch = startEpoch; epoch < hp.epochs; epoch++) {
      const started = performance.now();
      const rng = mulberry32((spec.seed ^ 0x5bd1e995) + Math.imul(epoch, 0x9e3779b9));
      let window: DataRow[] = [];
      let lossSum = 0;
      let seen = 0;
      let i = 0;
      for await (const row of input.rows()) {
        const at = i++;
        if (!labelled(row, target.name, regression) || splitOf(at) !== 'train') continue;
        window.push(row);
        if (window.length >= SHUFFLE_WINDOW) {
          const r = await trainWindow(window, rng);
          lossSum += r.loss;
          seen += r.n;
          window = [];
        }
      }
      if (window.length > 0) {
        const r = await trainWindow(window, rng);
        lossSum += r.loss;
        seen += r.n;
      }
      const seconds = (performance.now() - started) / 1000;
      totalSeconds += seconds;
      const loss = seen > 0 ? lossSum / seen : null;
      let valLoss: number | null = null;
      if (valX) {
        const ev = model.evaluate(valX[0] as tfTypes.Tensor, valX[1] as tfTypes.Tensor, {
          batchSize: 1024,
        }) as tfTypes.Scalar;
        valLoss = (await ev.data())[0] ?? null;
        ev.dispose();
      }
      history.push({ loss, valLoss });
      let stop = false;
      if (hp.earlyStoppingPatience > 0) {
        const monitored = (valX ? valLoss : loss) ?? Infinity;
        if (monitored < best.loss) {
          tf.dispose(best.weights ?? []);
          best = {
            loss: monitored,
            epoch: epoch + 1,
            weights: model.getWeights().map((w) => w.clone()),
          };
          sinceBest = 0;
        } else if (++sinceBest >= hp.earlyStoppingPatience) stop = true;
      }
      const interrupt = control.interrupt?.() ?? false;
      if (control.checkpoint && (interrupt || control.checkpoint.due(epoch + 1))) {
        const state: FitState = {
          epoch: epoch + 1,
          history,
          bestLoss: Number.isFinite(best.loss) ? best.loss : null,
          bestEpoch: best.epoch,
          sinceBest,
          totalSeconds,
          samples: sizes.train,
        };
        const bytes = await encodeCheckpoint(
          model,
          control.checkpoint.runId,
          state,
          best.weights ?? [],
        );
        await control.checkpoint.save(bytes, epoch + 1);
      }
      await input.onEpochEnd?.({
        epoch: epoch + 1,
        epochs: hp.epochs,
        loss,
        valLoss,
        samplesPerSecond: seconds > 0 ? seen / seconds : null,
      });
      if (interrupt) throw new FitInterrupted(epoch + 1);
      if (stop) {
        stoppedEarly = true;
        break;
      }
    }
    const epochsRun = history.length;
    const restoredBest = best.weights !== null && best.epoch !== epochsRun;
    if (restoredBest && best.weights) model.setWeights(best.weights);
    const metrics = await evaluateModel(model, prep, test);
    const modelFiles = await serializeModel(model);
    const trainingProfile = profile.finish();
    const signature: Signature = {
      inputs: features,
      output:
        prep.target.kind === 'label-encode'
          ? { task: 'classification', target: target.name, labels: prep.target.labels }
          : { task: 'regression', target: target.name },
    };
    return {
      files: [
        ...modelFiles,
        { path: PROFILE_JSON, bytes: new TextEncoder().encode(JSON.stringify(trainingProfile)) },
      ],
      preprocessing: prep,
      signature,
      metrics,
      profile: trainingProfile,
      fit: {
        epochsRun,
        bestEpoch: best.weights ? best.epoch : epochsRun,
        stoppedEarly,
        restoredBest,
        history,
        samplesPerSecond:
          totalSeconds > 0 ? (sizes.train * (epochsRun - startEpoch)) / totalSeconds : null,
        resumedFromEpoch: startEpoch,
      },
      sizes,
    };
  } finally {
    tf.dispose([...(valX ?? []), ...(best.weights ?? [])]);
    disposeModel(model);
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('training aborted');
}
