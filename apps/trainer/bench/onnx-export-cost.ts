/**
 * `npx tsx apps/trainer/bench/onnx-export-cost.ts`: what the ONNX export (export + both engines
 * on the held-out rows) adds to the demo's two runs, trained in-process as the training thread
 * does: mlp-small on iris with the demo's spec, and cnn-small on the demo's 240 lesion images
 * decoded to 32×32×3 (BENCH_CNN_EPOCHS epochs, default 5: the export does not depend on them).
 * Backend: TRAINER_BACKEND or auto, as the trainer picks it.
 */
import { initBackend, type BackendRequest } from '@mlops/ml/backend';
import { decodeImage } from '@mlops/ml/image';
import type { DatasetSchema } from '@mlops/contracts';
import { splitHoldout, readIris } from '../../../scripts/demo/iris';
import { generateLesions } from '../../../scripts/demo/lesions';
import { spec } from '../test/data';
import { trainImagePipeline } from '../src/train/image-pipeline';
import { trainPipeline, type TrainOutput } from '../src/train/pipeline';

const say = (line: string) => process.stdout.write(`${line}\n`);
const CNN_EPOCHS = Number(process.env.BENCH_CNN_EPOCHS ?? 5);

function line(name: string, out: TrainOutput, wall: number) {
  const onnx = out.onnx;
  const seconds = onnx && 'seconds' in onnx ? (onnx.seconds ?? 0) : 0;
  const verified = onnx && 'artifact' in onnx ? onnx.artifact.verification : undefined;
  say(
    `| ${name} | ${wall.toFixed(2)} | ${out.seconds?.fit ?? '—'} | ${seconds.toFixed(3)} | ${((100 * seconds) / wall).toFixed(1)}% | ${verified ? `${verified.rows} rows, max ${verified.maxAbsDiff.toExponential(1)}` : JSON.stringify(onnx)} |`,
  );
}

async function main() {
  const backend = await initBackend((process.env.TRAINER_BACKEND ?? 'auto') as BackendRequest);
  say(`backend ${backend}`);
  say('| run | run s | fit s | ONNX export + verification s | share | verified on |');
  say('|---|---|---|---|---|---|');

  const iris = splitHoldout(readIris(), 10).train;
  const irisSchema: DatasetSchema = {
    columns: [
      ...['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((name) => ({
        name,
        type: 'numeric' as const,
        nullable: false,
      })),
      { name: 'species', type: 'categorical', nullable: false },
    ],
  };
  const mlpSpec = spec({
    task: 'classification',
    target: 'species',
    preset: 'mlp-small',
    seed: 42,
    hyperparameters: { epochs: 150, batchSize: 16, learningRate: 0.01, earlyStoppingPatience: 15 },
  });
  let started = performance.now();
  const mlp = await trainPipeline({ spec: mlpSpec, schema: irisSchema, rows: iris });
  line('mlp-small, iris (demo spec)', mlp, (performance.now() - started) / 1000);

  const lesions = await generateLesions({ count: 240, seed: 7, size: 48 });
  const image = { height: 32, width: 32, channels: 3 as const };
  const pixels = new Uint8Array(lesions.length * 32 * 32 * 3);
  for (const [i, l] of lesions.entries()) {
    const d = await decodeImage('image', l.data, { ...image, resize: 'bilinear' });
    pixels.set(d.data, i * d.data.length);
  }
  const cnnSpec = spec({
    task: 'classification',
    target: 'label',
    preset: 'cnn-small',
    seed: 42,
    image,
    hyperparameters: { epochs: CNN_EPOCHS, batchSize: 16, learningRate: 0.005 },
  });
  started = performance.now();
  const cnn = await trainImagePipeline({
    spec: cnnSpec,
    images: {
      column: 'image',
      target: 'label',
      image,
      pixels,
      labels: lesions.map((l) => l.label),
    },
  });
  line(
    `cnn-small, 240 lesions 32×32×3, ${CNN_EPOCHS} epochs`,
    cnn,
    (performance.now() - started) / 1000,
  );
}

await main();
