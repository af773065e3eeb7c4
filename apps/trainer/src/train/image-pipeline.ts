import type * as tfTypes from '@tensorflow/tfjs';
import type { DataRow, ImageDecoding, Preprocessing, Signature } from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';
import { loadTensorModel, serializeModel, sha256Hex } from '@mlops/ml/bundle';
import { classificationMetrics } from '@mlops/ml/metrics';
import { disposeModel } from '@mlops/ml/presets';
import { imageAugmentation } from './augment';
import type { PixelScaling } from './augment-jitter';
import type { Matrix } from './fit';
import { fitImageModel } from './image-fit';
import { imageDriftReference } from './image-reference';
import { exportOnnx } from './onnx';
import type { ImageExamples } from './images';
import { checkResumable, since, type TrainInput, type TrainOutput } from './pipeline';
import { splitRows } from './split';
import type { TransferBaseBundle } from './transfer-base';

/** Pixels are fed as v/255: the scale the model's image input declares to serving. */
export const PIXEL_SCALE = 1 / 255;

export interface ImageTrainInput extends Omit<TrainInput, 'rows' | 'schema'> {
  images: ImageExamples;
  /** A transfer run's base (spec.transfer): the model starts from it instead of a preset. */
  base?: TransferBaseBundle;
}

/** The scaling of a decoding as `matrix` and the augmentations apply it. */
function scalingOf(decoding: Pick<ImageDecoding, 'scale' | 'mean' | 'std'>): PixelScaling {
  return { scale: decoding.scale, mean: decoding.mean ?? [], std: decoding.std ?? [] };
}

/**
 * The examples at `indices` as a matrix: pixels scaled as the model's input declares, one-hot
 * labels.
 */
function matrix(
  images: ImageExamples,
  indices: readonly number[],
  labels: string[],
  scaling: PixelScaling,
): Matrix {
  const { height, width, channels } = images.image;
  const size = height * width * channels;
  const x = new Float32Array(indices.length * size);
  const y = new Float32Array(indices.length * labels.length);
  const mean = Array.from({ length: channels }, (_, c) => scaling.mean[c] ?? 0);
  const std = Array.from({ length: channels }, (_, c) => scaling.std[c] ?? 1);
  indices.forEach((example, row) => {
    const from = images.pixels.subarray(example * size, (example + 1) * size);
    for (let k = 0; k < size; k++) {
      const c = k % channels;
      x[row * size + k] = (from[k]! * scaling.scale - mean[c]!) / std[c]!;
    }
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
  const shape: [number, number, number] = [height, width, channels];
  // A transfer run feeds pixels as its base was trained on them; a CNN from scratch in [0, 1].
  const decoding: ImageDecoding = input.base?.decoding ?? {
    channels,
    height,
    width,
    resize: 'bilinear',
    scale: PIXEL_SCALE,
  };
  const scaling = scalingOf(decoding);
  const augment = imageAugmentation(hp, spec.seed, scaling);
  const train = matrix(images, split.train.map(index), labels, scaling);
  const validationRows = split.validation.filter(known).map(index);
  const validation =
    validationRows.length > 0 ? matrix(images, validationRows, labels, scaling) : null;
  const prepare = since(started);
  const fitStarted = performance.now();
  const { model, fit, cachedFeatures } = await fitImageModel({
    spec,
    ...(input.base ? { base: input.base } : {}),
    classes: labels.length,
    shape,
    train,
    validation,
    ...(augment ? { augment } : {}),
    ...(input.onEpochEnd ? { onEpochEnd: input.onEpochEnd } : {}),
    ...(input.control ? { control: input.control } : {}),
  });
  try {
    const fitSeconds = since(fitStarted);
    const packageStarted = performance.now();
    // A class only the holdout has cannot be predicted; it still counts against accuracy.
    const test = split.test.map(index);
    const testSet = matrix(
      images,
      test.filter((i) => labels.includes(images.labels[i]!)),
      labels,
      scaling,
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
    // Named as the signature names the TF.js tensors, so either engine answers the same request.
    const exported = await exportOnnx({
      model,
      x: testSet.x,
      rows: testSet.rows,
      inputName: names.input,
      outputName: names.output,
    });
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
            decoding,
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
        ...(exported.file ? [exported.file] : []),
      ],
      onnx: exported.onnx,
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
      ...(cachedFeatures ? { cachedFeatures } : {}),
    };
  } finally {
    disposeModel(model);
  }
}
