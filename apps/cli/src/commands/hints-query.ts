import fs from 'node:fs';
import { AppError } from '@mlops/contracts';

export interface HintOptions {
  schemaHints?: string;
  exclude?: string;
  include?: string;
}

function names(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The `hints` query of an upload: the `--schema-hints` file, then `--exclude a,b` and `--include
 * c` as `exclude: true|false` on those columns (a flag wins over the file). The registry checks
 * the result and answers 400 naming a bad column, so the rules live in one place; only a file
 * that is not JSON is caught here, to name the file.
 */
export function hintsQuery(opts: HintOptions): string | undefined {
  let hints: { columns: Record<string, Record<string, unknown>> } = { columns: {} };
  if (opts.schemaHints) {
    const text = fs.readFileSync(opts.schemaHints, 'utf8');
    try {
      hints = JSON.parse(text) as typeof hints;
    } catch {
      throw new AppError(
        'VALIDATION_FAILED',
        `${opts.schemaHints} is not JSON: a schema hint file is {"columns": {"<column>": {"type": "datetime", "exclude": false}}}`,
      );
    }
    if (typeof hints !== 'object' || hints === null || typeof hints.columns !== 'object')
      return text; // The registry says what is wrong with it.
  }
  const flags: Array<[string[], boolean]> = [
    [names(opts.exclude), true],
    [names(opts.include), false],
  ];
  for (const [columns, exclude] of flags)
    for (const name of columns) hints.columns[name] = { ...hints.columns[name], exclude };
  return Object.keys(hints.columns).length > 0 || opts.schemaHints
    ? JSON.stringify(hints)
    : undefined;
}
