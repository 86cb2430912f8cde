/**
 * The tests' oracle: a plain float64 CPU version of every kernel, written for clarity, not speed.
 * Each function mirrors one GPU launcher's math (see the `.wgsl` headers); backward functions are
 * themselves checked against finite differences in the tests.
 *
 * Inputs are any numeric arrays; outputs are `Float64Array`s.
 *
 * @module
 */

/** Numeric input: typed arrays or plain arrays. */
export type Vec = ArrayLike<number>;

/**
 * `out = a + b`.
 *
 * @example
 * ```ts
 * import { residualForward } from "./reference.ts";
 * residualForward([1, 2], [3, 4]); // Float64Array [4, 6]
 * ```
 */
export function residualForward(a: Vec, b: Vec): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/**
 * The gradients of `a + b`: both equal `dOut`.
 *
 * @example
 * ```ts
 * import { residualBackward } from "./reference.ts";
 * const { dA, dB } = residualBackward([1, 2]);
 * ```
 */
export function residualBackward(dOut: Vec): { dA: Float64Array; dB: Float64Array } {
  return { dA: Float64Array.from(dOut), dB: Float64Array.from(dOut) };
}

/**
 * `Σ x` (or `Σ x²` with `square`), in float64.
 *
 * @example
 * ```ts
 * import { sum } from "./reference.ts";
 * sum([1, 2, 3]); // 6
 * sum([1, 2, 3], { square: true }); // 14
 * ```
 */
export function sum(x: Vec, options: { square?: boolean } = {}): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += options.square ? x[i] * x[i] : x[i];
  return s;
}
