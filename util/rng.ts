/**
 * The project's one seeded random number generator: xoshiro128** seeded through SplitMix32.
 *
 * Everything random in the project (weight initialisation, data shuffling, sampling, the tests'
 * random inputs) draws from this class, so a seed fully determines a run. Its state is four
 * 32-bit words that can be saved and restored exactly, which is what exact resume needs.
 *
 * @module
 */

/** The saved state of an {@linkcode Rng}: four unsigned 32-bit words. */
export type RngState = [number, number, number, number];

/**
 * A small, fast, seeded generator with uniform, normal, integer and shuffle helpers.
 *
 * @example Draw reproducible numbers
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(42), b = new Rng(42);
 * console.log(a.uniform() === b.uniform()); // true
 * ```
 */
export class Rng {
  #s: Uint32Array = new Uint32Array(4);
  #spareNormal: number | null = null;

  /** Seeds the generator; any integer (negative ones included) is a valid seed. */
  constructor(seed = 0) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // SplitMix32 spreads one seed over the four state words, never all zero.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /**
   * The next unsigned 32-bit integer.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const n = new Rng(1).nextU32(); // 0 ≤ n < 2^32
   * ```
   */
  nextU32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * A float uniform in [0, 1) with 53 random bits.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const u = new Rng(7).uniform();
   * ```
   */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A normal draw with the given mean and standard deviation (Box–Muller).
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const w = new Rng(3).normal(0, 0.02);
   * ```
   */
  normal(mean = 0, std = 1): number {
    if (this.#spareNormal !== null) {
      const z = this.#spareNormal;
      this.#spareNormal = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /**
   * An integer uniform in [0, n), without modulo bias.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const die = new Rng(5).int(6) + 1;
   * ```
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new RangeError(`Rng.int needs an integer bound in [1, 2^32], got ${n}`);
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /**
   * Shuffles an array in place (Fisher–Yates) and returns it.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const order = new Rng(0).shuffle([0, 1, 2, 3]);
   * ```
   */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /**
   * A Float32Array of `n` uniform draws in [lo, hi).
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const x = new Rng(9).uniformArray(16, -1, 1);
   * ```
   */
  uniformArray(n: number, lo = -1, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /**
   * A Float32Array of `n` normal draws.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const w = new Rng(9).normalArray(16, 0, 0.02);
   * ```
   */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /**
   * The generator's state, for checkpoints. A pending spare normal draw is discarded, so save
   * state only at step boundaries.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const r = new Rng(1);
   * const saved = r.state();
   * const a = r.nextU32();
   * r.setState(saved);
   * console.log(r.nextU32() === a); // true
   * ```
   */
  state(): RngState {
    return [this.#s[0], this.#s[1], this.#s[2], this.#s[3]];
  }

  /**
   * Restores a state returned by {@linkcode Rng.state}.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const r = new Rng(1);
   * r.setState(new Rng(2).state());
   * ```
   */
  setState(state: RngState): void {
    if (state.length !== 4 || state.every((w) => w === 0)) {
      throw new RangeError("Rng state must be four 32-bit words, not all zero");
    }
    for (let i = 0; i < 4; i++) this.#s[i] = state[i] >>> 0;
    this.#spareNormal = null;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
