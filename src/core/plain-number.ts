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
