/** What `npm run bench:scale -- …` was asked for. */
export interface ScaleArgs {
  json: boolean;
  /** The one figure to run; every figure when undefined. */
  only: string | undefined;
  /** Rows of the ingest CSV (the drift window is a twentieth of it). */
  rows: number;
}

/** Parse `--json`, `--only <figure>`, `--rows <n>`; throws naming the flag that is wrong. */
export function parseScaleArgs(argv: readonly string[], figures: readonly string[]): ScaleArgs {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag}: needs a value`);
    return v;
  };
  for (const a of argv)
    if (a.startsWith('--') && !['--json', '--only', '--rows'].includes(a))
      throw new Error(`${a}: unknown flag; use --json, --only <figure>, --rows <n>`);
  const only = value('--only');
  if (only !== undefined && !figures.includes(only))
    throw new Error(`--only: unknown figure "${only}"; one of ${figures.join(', ')}`);
  const rawRows = value('--rows');
  const rows = rawRows === undefined ? 1_000_000 : Number(rawRows.replace(/_/g, ''));
  if (!Number.isInteger(rows) || rows < 1_000 || rows > 100_000_000)
    throw new Error(`--rows: an integer from 1000 to 100000000, not "${rawRows}"`);
  return { json: argv.includes('--json'), only, rows };
}
