/**
 * HyperLogLog (Flajolet et al. 2007) for distinct counts past the exact limit: 2^14 one-byte
 * registers (16 KB), relative standard error 1.04/√16384 ≈ 0.81%, fed with the 64-bit value hashes of
 * value-hash.ts. Our own 40 lines: the npm sketches hash strings themselves (so cannot reuse the hash
 * computed once per value) and none is both maintained and mergeable by register.
 */

const P = 14;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

/** 2^-r for every rank a register can hold. */
const INVERSE_POWERS = Float64Array.from({ length: 64 }, (_, r) => 2 ** -r);

/** The sketch's relative standard error: 1.04/√m. */
export const HYPERLOGLOG_ERROR = 1.04 / Math.sqrt(M);

/** A mergeable distinct-count sketch. */
export class HyperLogLog {
  registers: Uint8Array = new Uint8Array(M);

  /** Rebuilds a sketch from its registers (as another thread sent them). */
  static restore(registers: Uint8Array): HyperLogLog {
    const sketch = new HyperLogLog();
    sketch.registers = registers;
    return sketch;
  }

  /** Adds one value by its 64-bit hash: the top 14 bits pick a register, the next 50 give the rank. */
  add(low: number, high: number): void {
    const index = low >>> (32 - P);
    const rest = (low << P) | (high >>> (32 - P));
    const rank = rest === 0 ? 33 : Math.clz32(rest) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  /** Takes the other sketch's registers where larger: the sketch of the union. */
  merge(other: HyperLogLog): void {
    const mine = this.registers;
    const theirs = other.registers;
    for (let i = 0; i < M; i++) if (theirs[i]! > mine[i]!) mine[i] = theirs[i]!;
  }

  /** The distinct count estimate, with linear counting for small cardinalities. */
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.registers[i]!;
      sum += INVERSE_POWERS[r]!;
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * M * M) / sum;
    if (raw <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
    return Math.round(raw);
  }
}
