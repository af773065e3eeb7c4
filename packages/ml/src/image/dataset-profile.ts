import type { ImageCell, ImageProfile } from '@mlops/contracts';
import { median } from '../stats/quantile';
import { BRIGHTNESS_BINS, type ProbedDatasetImage } from './dataset-probe';

/**
 * Builds the profile of one `image` column row by row. A row's image counts as often as rows
 * name it (the distribution the model trains on), `distinct` counts blobs.
 */
export class ImageProfileBuilder {
  private count = 0;
  private readonly blobs = new Set<string>();
  private readonly formats: Record<string, number> = {};
  private readonly widths: number[] = [];
  private readonly heights: number[] = [];
  private pixels = 0;
  private readonly sums = [0, 0, 0];
  private readonly squares = [0, 0, 0];
  private readonly brightness = new Array<number>(BRIGHTNESS_BINS).fill(0);
  private readonly classes = new Map<string, number>();

  constructor(
    private readonly column: string,
    private readonly labelColumn?: string,
  ) {}

  add(cell: ImageCell, image: ProbedDatasetImage, label?: string | null): void {
    this.count += 1;
    this.blobs.add(cell.sha256);
    this.formats[image.format] = (this.formats[image.format] ?? 0) + 1;
    this.widths.push(image.width);
    this.heights.push(image.height);
    this.pixels += image.pixels;
    for (let c = 0; c < 3; c++) {
      this.sums[c]! += image.sums[c]!;
      this.squares[c]! += image.squares[c]!;
    }
    image.brightness.forEach((n, i) => (this.brightness[i]! += n));
    if (this.labelColumn !== undefined && label !== undefined && label !== null)
      this.classes.set(label, (this.classes.get(label) ?? 0) + 1);
  }

  /** Labels by count (descending, then by name): the order thumbnails are wanted in. */
  labels(): string[] {
    return [...this.classes.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([label]) => label);
  }

  finish(thumbnails: ReadonlyMap<string, ImageCell[]> = new Map()): ImageProfile {
    const names = ['red', 'green', 'blue'] as const;
    const binWidth = 256 / BRIGHTNESS_BINS;
    return {
      column: this.column,
      count: this.count,
      distinct: this.blobs.size,
      formats: this.formats,
      width: sizeStats(this.widths),
      height: sizeStats(this.heights),
      channels: names.map((channel, c) => {
        const mean = this.pixels > 0 ? this.sums[c]! / this.pixels : 0;
        const variance = this.pixels > 0 ? this.squares[c]! / this.pixels - mean * mean : 0;
        return { channel, mean: round(mean), std: round(Math.sqrt(Math.max(0, variance))) };
      }),
      brightness: {
        edges: Array.from({ length: BRIGHTNESS_BINS + 1 }, (_, i) => i * binWidth),
        counts: [...this.brightness],
      },
      ...(this.labelColumn !== undefined ? { labelColumn: this.labelColumn } : {}),
      classes: this.labels().map((label) => ({
        label,
        count: this.classes.get(label)!,
        thumbnails: thumbnails.get(label) ?? [],
      })),
    };
  }
}

function sizeStats(values: number[]): ImageProfile['width'] {
  if (values.length === 0) return { min: 0, median: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: median(sorted), max: sorted[sorted.length - 1]! };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
