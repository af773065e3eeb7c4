import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { mulberry32 } from '@mlops/ml/split';

/**
 * A deterministic skin-lesion-like image set for tests and the image demo: a blob on a
 * skin-tone background, one look per class (colour, size, border, texture), all drawn from a
 * seeded generator so the same options give the same bytes. `brightness` scales every pixel:
 * 1 is the training look, e.g. 0.6 a darker "shifted" set for drift.
 */
export const LESION_CLASSES = ['keratosis', 'melanoma', 'nevus'] as const;
export type LesionClass = (typeof LESION_CLASSES)[number];

export interface LesionOptions {
  /** Images in all (spread over the classes in turn). */
  count: number;
  seed?: number;
  /** Width and height in pixels (default 64). */
  size?: number;
  format?: 'png' | 'jpeg';
  brightness?: number;
}

export interface LesionImage {
  /** ImageFolder path: `<class>/<class>-<index>.<ext>`. */
  path: string;
  label: LesionClass;
  data: Buffer;
}

interface Look {
  colour: [number, number, number];
  radius: [number, number];
  /** How far the border wanders from a circle (fraction of the radius). */
  irregular: number;
  /** Amplitude of per-pixel speckle inside the lesion. */
  texture: number;
}

const LOOKS: Record<LesionClass, Look> = {
  keratosis: { colour: [150, 105, 60], radius: [0.22, 0.3], irregular: 0.1, texture: 40 },
  melanoma: { colour: [55, 30, 30], radius: [0.3, 0.4], irregular: 0.3, texture: 25 },
  nevus: { colour: [95, 60, 35], radius: [0.12, 0.18], irregular: 0.03, texture: 6 },
};

export async function generateLesions(opts: LesionOptions): Promise<LesionImage[]> {
  const size = opts.size ?? 64;
  const format = opts.format ?? 'png';
  const brightness = opts.brightness ?? 1;
  const random = mulberry32(opts.seed ?? 7);
  const out: LesionImage[] = [];
  for (let i = 0; i < opts.count; i++) {
    const label = LESION_CLASSES[i % LESION_CLASSES.length]!;
    const pixels = drawLesion(LOOKS[label], size, brightness, random);
    const image = sharp(pixels, { raw: { width: size, height: size, channels: 3 } });
    const data = await (format === 'png' ? image.png() : image.jpeg({ quality: 90 })).toBuffer();
    const ext = format === 'png' ? 'png' : 'jpg';
    out.push({ path: `${label}/${label}-${String(i).padStart(4, '0')}.${ext}`, label, data });
  }
  return out;
}

/** Write the set as an ImageFolder under `dir`; returns the images written. */
export async function writeLesions(dir: string, opts: LesionOptions): Promise<LesionImage[]> {
  const images = await generateLesions(opts);
  for (const image of images) {
    const file = path.join(dir, image.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, image.data);
  }
  return images;
}

function drawLesion(look: Look, size: number, brightness: number, random: () => number): Buffer {
  const skin = [225 + 20 * random(), 180 + 25 * random(), 150 + 25 * random()];
  const cx = size * (0.4 + 0.2 * random());
  const cy = size * (0.4 + 0.2 * random());
  const radius = size * (look.radius[0] + (look.radius[1] - look.radius[0]) * random());
  const phases = [random(), random(), random()].map((p) => p * 2 * Math.PI);
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const angle = Math.atan2(y - cy, x - cx);
      const wobble =
        1 +
        look.irregular *
          (Math.sin(3 * angle + phases[0]!) * 0.5 +
            Math.sin(5 * angle + phases[1]!) * 0.3 +
            Math.sin(7 * angle + phases[2]!) * 0.2);
      const inside = Math.hypot(x - cx, y - cy) < radius * wobble;
      const noise = (random() - 0.5) * 2;
      for (let c = 0; c < 3; c++) {
        const base = inside ? look.colour[c]! + noise * look.texture : skin[c]! + noise * 6;
        pixels[(y * size + x) * 3 + c] = clamp(base * brightness);
      }
    }
  }
  return pixels;
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

// `tsx scripts/demo/lesions.ts --out ./images --count 90 [--seed 7] [--brightness 0.6]`
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      count: { type: 'string', default: '90' },
      seed: { type: 'string', default: '7' },
      size: { type: 'string', default: '64' },
      format: { type: 'string', default: 'png' },
      brightness: { type: 'string', default: '1' },
    },
  });
  if (!values.out) throw new Error('--out <dir> is required');
  const images = await writeLesions(values.out, {
    count: Number(values.count),
    seed: Number(values.seed),
    size: Number(values.size),
    format: values.format === 'jpeg' ? 'jpeg' : 'png',
    brightness: Number(values.brightness),
  });
  process.stdout.write(`${images.length} images written under ${values.out}\n`);
}
