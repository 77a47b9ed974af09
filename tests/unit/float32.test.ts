import { describe, expect, it } from 'vitest';
import { shortestFloat32 } from '../../src/core/float32.ts';

/** Significant digits of a number's shortest text (`1.2621775e-29` has 8). */
const digits = (x: number) => x.toExponential().split('e')[0]!.replace(/^-/, '').replace('.', '').length;

describe('shortestFloat32', () => {
  it('gives the shortest decimal of a float, at a power of two too', () => {
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(Math.fround(-3.14))).toBe(-3.14);
    expect(shortestFloat32(Math.fround(3.4028235e38))).toBe(3.4028235e38);
    // At 2^-96 the nearest 8-digit decimal (1.2621774e-29) reads back as another float; its neighbour
    // 1.2621775e-29 does not, and is 8 digits where toPrecision alone needed 9.
    expect(shortestFloat32(Math.fround(2 ** -96))).toBe(1.2621775e-29);
    expect(shortestFloat32(Math.fround(1.5474251e26))).toBe(1.5474251e26);
    expect(shortestFloat32(0)).toBe(0);
  });

  it('reads back as the same float, in no more digits than the nearest decimal needs, for every power of two and random floats', () => {
    const floats: number[] = [];
    for (let e = -149; e <= 127; e++) floats.push(Math.fround(2 ** e));
    const bits = new Uint32Array(1);
    const view = new Float32Array(bits.buffer);
    let seed = 12345;
    for (let i = 0; i < 20_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      bits[0] = seed % 0x7f800000;
      floats.push(view[0]!);
    }
    for (const f of floats) {
      const shortest = shortestFloat32(f);
      expect(Math.fround(shortest)).toBe(f);
      let p = 1;
      while (Math.fround(Number(f.toPrecision(p))) !== f) p++;
      expect(digits(shortest)).toBeLessThanOrEqual(p);
    }
  });
});
