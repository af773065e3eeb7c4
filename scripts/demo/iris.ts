import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Seeded: the demo's split must be the same on every machine.
import { mulberry32 } from '@mlops/ml/split';

export type IrisRow = {
  sepal_length: number;
  sepal_width: number;
  petal_length: number;
  petal_width: number;
  species: string;
};

export const IRIS_CSV = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', 'iris.csv');
const HEADER = 'sepal_length,sepal_width,petal_length,petal_width,species';

export function readIris(file = IRIS_CSV): IrisRow[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  if (header !== HEADER) throw new Error(`${file}: unexpected header "${header}"`);
  return lines.map((line) => {
    const [a, b, c, d, species] = line.split(',');
    return {
      sepal_length: Number(a),
      sepal_width: Number(b),
      petal_length: Number(c),
      petal_width: Number(d),
      species: species!,
    };
  });
}

export function toCsv(rows: readonly IrisRow[]): string {
  const body = rows.map((r) =>
    [r.sepal_length, r.sepal_width, r.petal_length, r.petal_width, r.species].join(','),
  );
  return [HEADER, ...body].join('\n') + '\n';
}

/**
 * Stratified split: `perClass` rows of each species are held out from everything the platform
 * sees, so the accuracy the demo reports is measured on rows the model never trained on.
 */
export function splitHoldout(
  rows: readonly IrisRow[],
  perClass: number,
  seed = 7,
): { train: IrisRow[]; holdout: IrisRow[] } {
  const random = mulberry32(seed);
  const bySpecies = new Map<string, IrisRow[]>();
  for (const row of rows) bySpecies.set(row.species, [...(bySpecies.get(row.species) ?? []), row]);
  const train: IrisRow[] = [];
  const holdout: IrisRow[] = [];
  for (const group of bySpecies.values()) {
    const shuffled = [...group];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    holdout.push(...shuffled.slice(0, perClass));
    train.push(...shuffled.slice(perClass));
  }
  return { train, holdout };
}

/** Traffic from a world that changed: flowers measured in another unit, a new cultivar. */
export function shift(row: IrisRow): IrisRow {
  return {
    ...row,
    sepal_length: row.sepal_length * 1.6,
    sepal_width: row.sepal_width + 1.5,
    petal_length: row.petal_length + 3,
    petal_width: row.petal_width * 2 + 1,
  };
}

export function features(row: IrisRow): Omit<IrisRow, 'species'> {
  const { species: _species, ...rest } = row;
  return rest;
}
