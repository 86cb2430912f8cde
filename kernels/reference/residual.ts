/**
 * Float64 reference of the residual add (see `../residual.wgsl`).
 *
 * @module
 */
import type { Vec } from "./types.ts";

/**
 * `out = a + b`.
 *
 * @example
 * ```ts
 * import { residualForward } from "./residual.ts";
 * residualForward([1, 2], [3, 4]); // Float64Array [4, 6]
 * ```
 */
export function residualForward(a: Vec, b: Vec, scale = 1): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + scale * b[i];
  return out;
}

/**
 * The gradients of `a + b`: both equal `dOut`.
 *
 * @example
 * ```ts
 * import { residualBackward } from "./residual.ts";
 * const { dA, dB } = residualBackward([1, 2]);
 * ```
 */
export function residualBackward(dOut: Vec): { dA: Float64Array; dB: Float64Array } {
  return { dA: Float64Array.from(dOut), dB: Float64Array.from(dOut) };
}
