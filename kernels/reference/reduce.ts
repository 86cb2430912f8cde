/**
 * Float64 reference of the deterministic reductions (see `../reduce.wgsl`).
 *
 * @module
 */
import type { Vec } from "./types.ts";

/**
 * `Σ x` (or `Σ x²` with `square`), in float64.
 *
 * @example
 * ```ts
 * import { sum } from "./reduce.ts";
 * sum([1, 2, 3]); // 6
 * sum([1, 2, 3], { square: true }); // 14
 * ```
 */
export function sum(x: Vec, options: { square?: boolean } = {}): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += options.square ? x[i] * x[i] : x[i];
  return s;
}
