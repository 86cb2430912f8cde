/**
 * Float64 reference of dropout's mask and product (see `../dropout.wgsl`).
 *
 * @module
 */
import type { Vec } from "./types.ts";

/** The kernel's 32-bit hash (PCG's output permutation of one LCG step). */
function pcg(v: number): number {
  const s = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const w = Math.imul(((s >>> ((s >>> 28) + 4)) ^ s) >>> 0, 277803737) >>> 0;
  return ((w >>> 22) ^ w) >>> 0;
}

/**
 * Which of n elements dropout keeps for a seed and probability p: element i is kept when
 * `hash(i ^ hash(seed)) ≥ ⌊p · 2³²⌋`.
 *
 * @example
 * ```ts
 * import { dropoutMask } from "./dropout.ts";
 * const keep = dropoutMask(1000, 0.25, 3); // about 750 ones
 * ```
 */
export function dropoutMask(n: number, p: number, seed: number): Uint8Array {
  const threshold = Math.min(Math.floor(p * 2 ** 32), 2 ** 32 - 1), hs = pcg(seed >>> 0);
  return Uint8Array.from({ length: n }, (_, i) => pcg((i ^ hs) >>> 0) >= threshold ? 1 : 0);
}

/**
 * `out = x · keep / (1 − p)` (plus `add` when given).
 *
 * @example
 * ```ts
 * import { dropoutForward } from "./dropout.ts";
 * dropoutForward([1, 2, 3], 0.5, 1); // each 0 or doubled
 * ```
 */
export function dropoutForward(x: Vec, p: number, seed: number, add?: Vec): Float64Array {
  const keep = dropoutMask(x.length, p, seed), out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (add?.[i] ?? 0) + (keep[i] ? x[i] / (1 - p) : 0);
  return out;
}
