import type * as tfTypes from '@tensorflow/tfjs';
import type { DataRow, Preprocessing, Signature } from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';
import { loadTensorModel, serializeModel, sha256Hex } from '@mlops/ml/bundle';
import { classificationMetrics } from '@mlops/ml/metrics';
import { buildImageModel, disposeModel } from '@mlops/ml/presets';
import { flipHorizontally } from './augment';
import { fitModel, type Matrix } from './fit';
import { imageDriftReference } from './image-reference';
import type { ImageExamples } from './images';
import { checkResumable, since, type TrainInput, type TrainOutput } from './pipeline';
import { splitRows } from './split';

/** Pixels are fed as v/255: the scale the model's image input declares to serving. */
export const PIXEL_SCALE = 1 / 255;

export interface ImageTrainInput extends Omit<TrainInput, 'rows' | 'schema'> {
  images: ImageExamples;
}

/** The examples at `indices` as a matrix: pixels scaled to [0, 1], one-hot labels. */
function matrix(images: ImageExamples, indices: readonly number[], labels: string[]): Matrix {
  const { height, width, channels } = images.image;
  const size = height * width * channels;
  const x = new Float32Array(indices.length * size);
  const y = new Float32Array(indices.length * labels.length);
  indices.forEach((example, row) => {
    const from = images.pixels.subarray(example * size, (example + 1) * size);
    for (let k = 0; k < size; k++) x[row * size + k] = from[k]! * PIXEL_SCALE;
    y[row * labels.length + labels.indexOf(images.labels[example]!)] = 1;
  });
  return { x, y, rows: indices.length };
}

function predict(model: tfTypes.LayersModel, data: Matrix, shape: number[]) {
  const tf = getTf();
  return tf.tidy(() => model.predict(tf.tensor(data.x, [data.rows, ...shape])) as tfTypes.Tensor);
}

/**
 * The input and output names of the serialized model as serving will load it (the signature
 * must name them exactly); loading the files back also proves the bundle loads as a tensor model.
 */
async function servedNames(
  files: Array<{ path: string; bytes: Uint8Array }>,
): Promise<{ input: string; output: string }> {
  const refs = files.map((f) => ({
    path: f.path,
    sha256: sha256Hex(f.bytes),
    size: f.bytes.byteLength,
  }));
  const served = await loadTensorModel(
    { files: refs },
    new Map(files.map((f) => [f.path, f.bytes])),
  );
  try {
    return { input: served.inputs[0]!.name, output: served.outputs[0]!.name };
  } finally {
    served.dispose();
  }
}

/**
 * The training of an image run: the same seeded, stratified split as a tabular run, a model
 * taking [height, width, channels] tensors, holdout metrics, and a bundle whose signature
 * declares the image decoding (so serving takes raw JPEG/PNG) and the class probabilities.
 */
export async function trainImagePipeline(input: ImageTrainInput): Promise<TrainOutput> {
  const { spec, images } = input;
  const hp = spec.hyperparameters;
  const started = performance.now();
  const target = { name: images.target, type: 'categorical' as const, nullable: true };
  // Rows carry their example's index; splitRows drops the unlabelled ones and stratifies.
  const rows: DataRow[] = images.labels.map((label, i) => ({ [target.name]: label, __i: i }));
  const split = splitRows(rows, target, 'classification', hp, spec.seed);
  const index = (r: DataRow) => r.__i as number;
  const labels = [...new Set(split.train.map((r) => String(r[target.name])))].sort();
  const known = (r: DataRow) => labels.includes(String(r[target.name]));
  if (input.control?.resume) checkResumable(input.control.resume.state.samples, split.train.length);
  const { height, width, channels } = images.image;
  const shape = [height, width, channels];
  const model = buildImageModel({
    preset: spec.preset,
    imageShape: [height, width, channels],
    classes: labels.length,
    hyperparameters: hp,
    seed: spec.seed,
  });
  try {
    const train = matrix(images, split.train.map(index), labels);
    const validationRows = split.validation.filter(known).map(index);
    const validation = validationRows.length > 0 ? matrix(images, validationRows, labels) : null;
    const prepare = since(started);
    const fitStarted = performance.now();
    const fit = await fitModel(model, train, validation, {
      inputWidth: height * width * channels,
      exampleShape: shape,
      outputWidth: labels.length,
      epochs: hp.epochs,
      batchSize: hp.batchSize,
      patience: hp.earlyStoppingPatience,
      seed: spec.seed,
      ...(hp.horizontalFlip
        ? { augment: (xs: tfTypes.Tensor, epoch: number) => flipHorizontally(xs, spec.seed, epoch) }
        : {}),
      ...(input.onEpochEnd ? { onEpochEnd: input.onEpochEnd } : {}),
      ...input.control,
    });
    const fitSeconds = since(fitStarted);
    const packageStarted = performance.now();
    // A class only the holdout has cannot be predicted; it still counts against accuracy.
    const test = split.test.map(index);
    const testSet = matrix(
      images,
      test.filter((i) => labels.includes(images.labels[i]!)),
      labels,
    );
    const y = predict(model, testSet, shape);
    const probs = (await y.data()) as Float32Array;
    y.dispose();
    const truth = Array.from({ length: testSet.rows }, (_, r) =>
      testSet.y.subarray(r * labels.length, (r + 1) * labels.length).indexOf(1),
    );
    const metrics = classificationMetrics(truth, probs, labels.length);
    const files = await serializeModel(model);
    const names = await servedNames(files);
    const preprocessing: Preprocessing = {
      features: [],
      target: { kind: 'label-encode', column: target.name, labels },
      inputWidth: 0,
    };
    const signature: Signature = {
      inputs: [],
      output: { task: 'classification', target: target.name, labels },
      tensors: {
        inputs: [
          {
            kind: 'image',
            name: names.input,
            dtype: 'float32',
            shape: [-1, height, width, channels],
            decoding: { channels, height, width, resize: 'bilinear', scale: PIXEL_SCALE },
          },
        ],
        outputs: [
          {
            name: names.output,
            dtype: 'float32',
            shape: [-1, labels.length],
            role: 'probabilities',
          },
        ],
      },
    };
    return {
      files: [
        ...files,
        imageDriftReference(images, split.train.map(index), signature.tensors!, spec.seed),
      ],
      preprocessing,
      signature,
      metrics,
      fit,
      sizes: {
        train: split.train.length,
        validation: split.validation.length,
        test: split.test.length,
        dropped: split.droppedRows,
      },
      seconds: { prepare, fit: fitSeconds, package: since(packageStarted) },
    };
  } finally {
    disposeModel(model);
  }
}
