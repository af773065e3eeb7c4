/**
 * Decimal cells read without a regular expression: what `toNumber` (cells.ts) gives for a
 * trimmed string, and whether the string is already the number's JSON text, so the canonical
 * line can copy it instead of printing the number again.
 */

/** 10^0 … 10^22: exact doubles, so an integer below 2^53 divided by one is correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Set by `scanNumber`: the scanned string when it is the JSON text of its number, else null. */
export const scanned: { text: string | null } = { text: null };

/**
 * The finite number `s` (already trimmed) spells as `[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`,
 * or NaN. At most 15 digits without an exponent are read here (the digits as an integer below
 * 2^53 over an exact power of ten: the correctly rounded value `Number` gives); the rest by
 * `Number`. Sets `scanned.text`.
 */
export function scanNumber(s: string): number {
  scanned.text = null;
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  const negative = c === 0x2d;
  if (negative || c === 0x2b) c = s.charCodeAt(++i);
  const intStart = i;
  let mantissa = 0;
  while (c >= 0x30 && c <= 0x39) {
    mantissa = mantissa * 10 + (c - 0x30);
    c = s.charCodeAt(++i);
  }
  const intDigits = i - intStart;
  let fracDigits = -1;
  if (c === 0x2e) {
    const fracStart = ++i;
    c = s.charCodeAt(i);
    while (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      c = s.charCodeAt(++i);
    }
    fracDigits = i - fracStart;
  }
  const digits = intDigits + Math.max(fracDigits, 0);
  if (digits === 0) return NaN;
  if (i < n) {
    if (c !== 0x65 && c !== 0x45) return NaN;
    c = s.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++i);
    const expStart = i;
    while (c >= 0x30 && c <= 0x39) c = s.charCodeAt(++i);
    if (i === expStart || i < n) return NaN;
    const value = Number(s);
    return Number.isFinite(value) ? value : NaN;
  }
  if (digits > 15) {
    const value = Number(s);
    return Number.isFinite(value) ? value : NaN;
  }
  const magnitude = fracDigits > 0 ? mantissa / (POW10[fracDigits] ?? NaN) : mantissa;
  const value = negative ? -magnitude : magnitude;
  if (isJsonText(s, negative, intStart, intDigits, fracDigits, magnitude)) scanned.text = s;
  return value;
}

/**
 * Whether `s`, a decimal of at most 15 digits without exponent, is what JSON.stringify prints
 * for its value: those digits are then the shortest that read back to it, so it is when it is
 * written as the shortest digits are — no plus sign, no "-0", no leading zero before another
 * digit, no trailing zero or bare point after the fraction, and not below 1e-6 (exponent form).
 */
function isJsonText(
  s: string,
  negative: boolean,
  intStart: number,
  intDigits: number,
  fracDigits: number,
  magnitude: number,
): boolean {
  if (intStart !== (negative ? 1 : 0) || intDigits === 0 || fracDigits === 0) return false;
  if (negative && magnitude === 0) return false;
  const lead = s.charCodeAt(intStart) === 0x30;
  if (lead && intDigits > 1) return false;
  if (fracDigits < 0) return true;
  if (s.charCodeAt(s.length - 1) === 0x30) return false;
  // 0.000001 prints as is; 0.0000001 as 1e-7.
  return !lead || magnitude >= 1e-6;
}
