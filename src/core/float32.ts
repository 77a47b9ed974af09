/** The shortest decimal that reads back as the 4-byte float `f` (a value `Math.fround` gave), as a number. */
export function shortestFloat32(f: number): number {
  for (let p = 1; p < 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return Number(f.toPrecision(9));
}
