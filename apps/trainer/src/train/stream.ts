import type * as tfTypes from '@tensorflow/tfjs';
import { AppError, type DataRow, type Preprocessing } from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';
import { buildModel, disposeModel } from '@mlops/ml/presets';
import { PreprocessingBuilder, encodeFeatures, encodeTargets } from '@mlops/ml/preprocessing';
import { ProfileBuilder } from '@mlops/ml/profile';
import { mulberry32, shuffleInPlace } from '@mlops/ml/split';
import { resolveColumns } from './columns';
import { EpochTracker, abortError } from './epoch-loop';
import { packageResult } from './package-result';
import { checkResumable, type TrainInput, type TrainOutput } from './pipeline';
import { MIN_ROWS } from './split';

/** Held-out rows kept in memory: metrics and validation loss use at most this many. */
export const HELD_OUT_CAP = 20_000;
/**
 * Training rows shuffled together: a window of the stream, not the whole dataset. As many rows
 * as WINDOW_BYTES of encoded features hold, between these bounds (see `windowRows`).
 */
export const SHUFFLE_WINDOW = { min: 8_192, max: 65_536 } as const;
/** Memory the encoded shuffle window may take (features and targets, float32). */
const WINDOW_BYTES = 8 * 2 ** 20;
/** Rows encoded into the window at a time: row objects die young, in V8's new space. */
const ENCODE_CHUNK = 256;

/**
 * Rows of the shuffle window for this encoding. Larger windows shuffle better and, since the
 * source's buffered rows (a chunk being read, one prefetched) outlive the training of every
 * window and get promoted to V8's old space, promote fewer rows per row trained.
 */
export function windowRows(inputWidth: number, outputWidth: number): number {
  const rows = Math.floor(WINDOW_BYTES / (4 * (inputWidth + outputWidth)));
  return Math.min(SHUFFLE_WINDOW.max, Math.max(SHUFFLE_WINDOW.min, rows));
}

/**
 * The shuffle window, encoded: `windowRows` rows as two flat Float32Arrays allocated once per
 * fit and reused. Holding the window as row objects kept each row alive across many young-GC
 * cycles, so V8 promoted every training row to the old space, where it died: the old space grew
 * with the rows streamed until a full GC (heap +146 MiB, RSS +144 MiB from 200k to 2M rows).
 * Encoded at most ENCODE_CHUNK rows after they arrive, row objects stay short-lived garbage.
 */
class EncodedWindow {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly capacity: number;
  size = 0;
  private pending: DataRow[] = [];

  constructor(
    private readonly prep: Preprocessing,
    private readonly outputWidth: number,
  ) {
    this.capacity = windowRows(prep.inputWidth, outputWidth);
    this.x = new Float32Array(this.capacity * prep.inputWidth);
    this.y = new Float32Array(this.capacity * outputWidth);
  }

  /** Add a row; true when the window is full and must be trained on. */
  push(row: DataRow): boolean {
    this.pending.push(row);
    if (this.pending.length >= ENCODE_CHUNK || this.size + this.pending.length >= this.capacity) {
      this.flush();
    }
    return this.size >= this.capacity;
  }

  /** Encode the pending rows into the window. */
  flush(): void {
    if (this.pending.length === 0) return;
    this.x.set(encodeFeatures(this.prep, this.pending), this.size * this.prep.inputWidth);
    this.y.set(encodeTargets(this.prep, this.pending), this.size * this.outputWidth);
    this.size += this.pending.length;
    this.pending = [];
  }

  /** Rows `order[at … at+count)` as one batch (fresh arrays: a tensor may keep them). */
  gather(order: readonly number[], at: number, count: number) {
    const rows = Math.min(count, order.length - at);
    const xw = this.prep.inputWidth;
    const yw = this.outputWidth;
    const x = new Float32Array(rows * xw);
    const y = new Float32Array(rows * yw);
    for (let r = 0; r < rows; r++) {
      const i = order[at + r] ?? 0;
      x.set(this.x.subarray(i * xw, (i + 1) * xw), r * xw);
      y.set(this.y.subarray(i * yw, (i + 1) * yw), r * yw);
    }
    return { x, y, rows };
  }

  /** Empty the window (every slot is overwritten whole by the next flush). */
  clear(): void {
    this.size = 0;
  }
}

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
  const tracker = new EpochTracker(model, {
    ...control,
    ...(input.onEpochEnd ? { onEpochEnd: input.onEpochEnd } : {}),
    epochs: hp.epochs,
    patience: hp.earlyStoppingPatience,
    samples: sizes.train,
    hasValidation: valX !== null,
  });

  const window = new EncodedWindow(prep, outputWidth);

  /** Train on the window's rows in a shuffled order, batch by batch; empties the window. */
  async function trainWindow(rng: () => number): Promise<{ loss: number; n: number }> {
    // The same permutation shuffleInPlace gave the rows themselves before the window was encoded.
    const order = shuffleInPlace(
      Array.from({ length: window.size }, (_, i) => i),
      rng,
    );
    let sum = 0;
    let n = 0;
    for (let at = 0; at < order.length; at += hp.batchSize) {
      if (control.signal?.aborted) throw abortError(control.signal);
      const batch = window.gather(order, at, hp.batchSize);
      const x = tf.tensor2d(batch.x, [batch.rows, prep.inputWidth]);
      const y = tf.tensor2d(batch.y, [batch.rows, outputWidth]);
      try {
        const loss = await model.trainOnBatch(x, y);
        sum += (Array.isArray(loss) ? (loss[0] ?? 0) : loss) * batch.rows;
        n += batch.rows;
      } finally {
        tf.dispose([x, y]);
      }
      // A macrotask turn per batch: BullMQ's lock renewal timer must get to run.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    window.clear();
    return { loss: sum, n };
  }

  try {
    if (control.resume) {
      checkResumable(control.resume.state.samples, sizes.train);
      await tracker.resume(control.resume);
    }
    for (let epoch = tracker.startEpoch; epoch < hp.epochs; epoch++) {
      const started = performance.now();
      const rng = mulberry32((spec.seed ^ 0x5bd1e995) + Math.imul(epoch, 0x9e3779b9));
      let lossSum = 0;
      let seen = 0;
      let i = 0;
      for await (const row of input.rows()) {
        const at = i++;
        if (!labelled(row, target.name, regression) || splitOf(at) !== 'train') continue;
        if (window.push(row)) {
          const r = await trainWindow(rng);
          lossSum += r.loss;
          seen += r.n;
        }
      }
      window.flush();
      if (window.size > 0) {
        const r = await trainWindow(rng);
        lossSum += r.loss;
        seen += r.n;
      }
      const seconds = (performance.now() - started) / 1000;
      const loss = seen > 0 ? lossSum / seen : null;
      let valLoss: number | null = null;
      if (valX) {
        const ev = model.evaluate(valX[0] as tfTypes.Tensor, valX[1] as tfTypes.Tensor, {
          batchSize: 1024,
        }) as tfTypes.Scalar;
        valLoss = (await ev.data())[0] ?? null;
        ev.dispose();
      }
      if (await tracker.endEpoch(epoch, { loss, valLoss, seconds, samples: seen })) break;
    }
    const done = tracker.finish();
    const { history, totalSeconds, startEpoch } = tracker;
    const packaged = await packageResult({
      model,
      prep,
      features,
      target,
      test,
      profile: () => profile.finish(),
    });
    return {
      ...packaged,
      fit: {
        ...done,
        history,
        samplesPerSecond:
          totalSeconds > 0 ? (sizes.train * (done.epochsRun - startEpoch)) / totalSeconds : null,
        resumedFromEpoch: startEpoch,
      },
      sizes,
    };
  } finally {
    tf.dispose(valX ?? []);
    tracker.dispose();
    disposeModel(model);
  }
}
