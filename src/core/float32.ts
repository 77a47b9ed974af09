/** The largest 4-byte float, as a double. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The shortest decimal that reads back as the 4-byte float `f` (a value `Math.fround` gave), as a number.
 * At each length the nearest decimal is tried, then its neighbours one unit in the last digit away: at a
 * power of two the float's lower half-interval is narrower, and the nearest p-digit decimal can fall
 * outside it while a neighbour does not (2^-96 is `1.2621775e-29`, not the 9 digits of `1.26217745e-29`).
 */
export function shortestFloat32(f: number): number {
  if (!Number.isFinite(f) || f === 0) return f;
  const sign = f < 0 ? -1 : 1;
  const magnitude = Math.abs(f);
  for (let p = 1; p < 9; p++) {
    const [mantissa, exponent] = magnitude.toExponential(p - 1).split('e') as [string, string];
    const digits = Number(mantissa.replace('.', ''));
    const scale = Number(exponent) - (p - 1);
    let best: number | undefined;
    for (const delta of [0, -1, 1]) {
      const candidate = Number(`${digits + delta}e${scale}`);
      if (Math.fround(candidate) !== magnitude) continue;
      if (best === undefined || Math.abs(candidate - magnitude) < Math.abs(best - magnitude))
        best = candidate;
    }
    if (best !== undefined) return sign * best;
  }
  return sign * Number(magnitude.toPrecision(9));
}

/** True when a float column stores 4-byte floats: PostgreSQL and SQL Server `real`, MySQL `float` (p ≤ 24). */
export function isSinglePrecision(column: { readonly nativeType: string }, targetKind?: string): boolean {
  const native = column.nativeType.toLowerCase();
  if (targetKind === 'sqlite') return false;
  if (/^(real|float4)\b/.test(native)) return targetKind !== 'mysql' && targetKind !== 'mariadb';
  if (targetKind === 'mysql' || targetKind === 'mariadb') {
    const p = /^float\s*\((\d+)/.exec(native);
    return p ? Number(p[1]) <= 24 : /^float\b/.test(native);
  }
  return false;
}
