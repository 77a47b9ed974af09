/** A finite number without an exponent (`1e-7` → `0.0000001`, `1e21` → `1000000000000000000000`). */
export function plainNumberText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  const e = text.indexOf('e');
  if (e === -1) return text === '-0' ? '0' : text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const [int, frac = ''] = mantissa.split('.') as [string, string?];
  const exponent = Number(text.slice(e + 1));
  const digits = int + frac;
  const point = int.length + exponent;
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${body}` : body;
}

/**
 * The canonical text of a plain decimal (`-?digits[.digits]`, the form databases return), read character
 * by character without a regular expression: leading zeros, trailing fraction zeros and the sign of zero
 * dropped. Undefined for any other shape, which the general parser reads.
 */
export function plainDecimalText(text: string): string | undefined {
  const n = text.length;
  const negative = n > 0 && text.charCodeAt(0) === DASH;
  const first = negative ? 1 : 0;
  let dot = first;
  while (dot < n && digitAt(text, dot) >= 0) dot++;
  if (dot === first) return undefined;
  let end = n;
  if (dot < n) {
    if (text.charCodeAt(dot) !== DOT || dot + 1 === n) return undefined;
    for (let i = dot + 1; i < n; i++) if (digitAt(text, i) < 0) return undefined;
    while (text.charCodeAt(end - 1) === ZERO) end--;
    if (end === dot + 1) end = dot;
  }
  let start = first;
  while (start < dot - 1 && text.charCodeAt(start) === ZERO) start++;
  if (start + 1 === end && text.charCodeAt(start) === ZERO) return '0';
  if (start === first && end === n) return text;
  return negative ? `-${text.slice(start, end)}` : text.slice(start, end);
}

// The digit at `i` of `text`, or -1.
function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

const DASH = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
