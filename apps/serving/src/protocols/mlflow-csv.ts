import { AppError } from '@mlops/contracts';

/**
 * MLflow's scoring server reads a `text/csv` body with `pandas.read_csv`: a header row naming
 * the columns, then one row per record, each column's type inferred from all its cells. This
 * does the same for the cells a signature can take: a column whose every non-empty cell is a
 * number is numeric, one of only True/False is boolean, anything else stays text; an empty
 * unquoted cell is missing (pandas' NaN), so a nullable feature accepts it.
 */
export function csvToRecords(text: string): Array<Record<string, unknown>> {
  const rows = splitCsv(text);
  const header = rows.shift();
  if (!header || header.every((c) => c.text === ''))
    throw bad('The CSV body has no header row naming the columns');
  const names = header.map((c) => c.text);
  rows.forEach((row, i) => {
    if (row.length !== names.length)
      throw bad(`CSV row ${i + 1} has ${row.length} values for ${names.length} columns`);
  });
  const columns = names.map((_, j) => typed(rows.map((r) => r[j]!)));
  return rows.map((_, i) => Object.fromEntries(names.map((n, j) => [n, columns[j]![i]])));
}

interface Cell {
  text: string;
  quoted: boolean;
}

function bad(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ path: 'body', message }]);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|Infinity)$|^NaN$/;
const BOOLEAN = new Map([
  ['True', true],
  ['TRUE', true],
  ['true', true],
  ['False', false],
  ['FALSE', false],
  ['false', false],
]);

function typed(cells: Cell[]): unknown[] {
  const missing = (c: Cell) => !c.quoted && c.text === '';
  const present = cells.filter((c) => !missing(c));
  if (present.length > 0 && present.every((c) => NUMBER.test(c.text)))
    return cells.map((c) =>
      missing(c) ? null : Number(c.text.replace(/^([+-]?)inf$/, '$1Infinity')),
    );
  if (present.length > 0 && present.every((c) => BOOLEAN.has(c.text)))
    return cells.map((c) => (missing(c) ? null : BOOLEAN.get(c.text)));
  return cells.map((c) => (missing(c) ? null : c.text));
}

/** RFC 4180 rows: `,` between cells, `"…"` quoting with `""` for a quote, CRLF or LF. */
function splitCsv(text: string): Cell[][] {
  const rows: Cell[][] = [];
  let row: Cell[] = [];
  let cell = '';
  let quoted = false;
  let inQuotes = false;
  const endCell = () => {
    row.push({ text: cell, quoted });
    cell = '';
    quoted = false;
  };
  const endRow = () => {
    endCell();
    // A blank line (pandas skips them) is no record.
    if (!(row.length === 1 && row[0]!.text === '' && !row[0]!.quoted)) rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch !== '"') cell += ch;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else inQuotes = false;
    } else if (ch === '"' && cell === '') {
      inQuotes = true;
      quoted = true;
    } else if (ch === ',') endCell();
    else if (ch === '\n') endRow();
    else if (ch !== '\r') cell += ch;
  }
  if (inQuotes) throw bad('The CSV body ends inside a quoted value');
  if (cell !== '' || quoted || row.length > 0) endRow();
  return rows;
}
