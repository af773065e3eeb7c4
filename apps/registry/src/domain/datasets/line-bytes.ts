import type { CellValue } from '@mlops/contracts';

/**
 * A row's canonical line (`JSON.stringify(values)`) encoded straight into a byte buffer: no line
 * string to build, encode and collect a row. Numbers' texts come from `texts` where given (the
 * file already wrote them as JSON prints them), strings that need no escape are copied between
 * quotes, and only a string that needs one is printed by JSON.stringify.
 */

/** Set by `writeLine`: whether every byte of the line it wrote is below 0x80. */
export const lineBytes = { ascii: true };

/** The most bytes a JSON number prints as ("-1.2345678901234567e-308" is 24). */
const NUMBER_ROOM = 32;

/**
 * Bytes enough for `writeLine(values)`: a UTF-16 unit of a string is at most 6 bytes once
 * encoded (`\u001f`; 3 as UTF-8), plus quotes, separators and brackets.
 */
export function lineRoom(values: readonly CellValue[]): number {
  let room = 2 + values.length;
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    room += typeof v === 'string' ? 6 * v.length + 2 : NUMBER_ROOM;
  }
  return room;
}

/**
 * Write the line of `values` into `buf` from `at` (room: `lineRoom`); answers where it ends.
 * `texts[j]`, when given, is the JSON text of number `values[j]`.
 */
export function writeLine(
  buf: Buffer,
  at: number,
  values: readonly CellValue[],
  texts?: ReadonlyArray<string | null>,
): number {
  let ascii = true;
  let p = at;
  buf[p++] = 0x5b; // [
  for (let j = 0; j < values.length; j++) {
    if (j > 0) buf[p++] = 0x2c; // ,
    const v = values[j] ?? null;
    if (typeof v === 'string') {
      const end = writeAsciiString(buf, p, v);
      if (end >= 0) p = end;
      else {
        // Beyond ASCII, or an escape to print: Buffer's encoder, as the line string had.
        ascii = false;
        p += buf.write(plain(v) ? `"${v}"` : JSON.stringify(v), p, 'utf8');
      }
    } else if (typeof v === 'number') {
      p = writeAscii(buf, p, texts?.[j] ?? JSON.stringify(v));
    } else if (v === null) p = writeAscii(buf, p, 'null');
    else p = writeAscii(buf, p, v ? 'true' : 'false');
  }
  buf[p++] = 0x5d; // ]
  lineBytes.ascii = ascii;
  return p;
}

/** `JSON.stringify(values)` by way of `writeLine`: the line as a string. */
export function rowLine(
  values: readonly CellValue[],
  texts?: ReadonlyArray<string | null>,
): string {
  const buf = Buffer.alloc(lineRoom(values));
  return buf.toString('utf8', 0, writeLine(buf, 0, values, texts));
}

/** `s`, known to be ASCII (a number's text, a literal), one byte a character. */
function writeAscii(buf: Buffer, at: number, s: string): number {
  let p = at;
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  return p;
}

/**
 * `s` between quotes when it is printable ASCII without quote or backslash (JSON prints it as it
 * is); else -1, and what was written is left to be overwritten.
 */
function writeAsciiString(buf: Buffer, at: number, s: string): number {
  let p = at;
  buf[p++] = 0x22;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x80 || c === 0x22 || c === 0x5c) return -1;
    buf[p++] = c;
  }
  buf[p++] = 0x22;
  return p;
}

/** Whether JSON.stringify writes `s` as it is between quotes: no quote, backslash, control or surrogate. */
function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}
