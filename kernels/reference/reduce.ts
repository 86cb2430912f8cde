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

/**
 * The global L2 norm of many gradient tensors and PyTorch's clip coefficient
 * `min(1, maxNorm / (norm + 1e-6))` (1 when `maxNorm ≤ 0` or infinite), in float64. A NaN
 * norm gives a NaN coefficient when clipping; an infinite one gives 0.
 *
 * @example
 * ```ts
 * import { gradNorm } from "./reduce.ts";
 * gradNorm([[3], [4]], 1); // { norm: 5, clipScale: ≈0.2 }
 * ```
 */
export function gradNorm(grads: readonly Vec[], maxNorm: number): {
  norm: number;
  clipScale: number;
} {
  let s = 0;
  for (const g of grads) s += sum(g, { square: true });
  const norm = Math.sqrt(s);
  if (!(maxNorm > 0 && maxNorm < Infinity)) return { norm, clipScale: 1 };
  return { norm, clipScale: Math.min(1, maxNorm / (norm + 1e-6)) };
}
