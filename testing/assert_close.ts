/**
 * Numerical assertions for the kernel tests: norm-wise relative error, the largest absolute error
 * and where it sits, and central finite differences for checking backward passes.
 *
 * @module
 */

/** Anything indexable as numbers: typed arrays and plain arrays. */
export type Numeric = ArrayLike<number>;

/** Tolerances for {@linkcode assertClose}. */
export interface CloseOptions {
  /** Largest allowed `‖a−e‖/‖e‖`. Default 1e-5. */
  rtol?: number;
  /** Absolute slack added to the bound: pass when `‖a−e‖ ≤ atol + rtol·‖e‖`. Default 0. */
  atol?: number;
  /** Names the compared quantity in the failure message. */
  label?: string;
}

/** What {@linkcode compare} measured. */
export interface Comparison {
  /** `‖a−e‖/‖e‖` (Infinity where `‖e‖ = 0` and `a ≠ e`, 0 where both are 0). */
  relError: number;
  /** `‖a−e‖`, the L2 norm of the difference. */
  absNorm: number;
  /** `‖e‖`. */
  refNorm: number;
  /** The largest `|a[i]−e[i]|`. */
  maxAbsError: number;
  /** The index of the largest absolute error. */
  maxAbsIndex: number;
  /** The first index whose actual value is NaN or infinite while the expected one is finite, else -1. */
  firstNonFinite: number;
}

/**
 * Measures how far `actual` is from `expected`.
 *
 * @example
 * ```ts
 * import { compare } from "./assert_close.ts";
 * const c = compare([1, 2.001], [1, 2]);
 * console.log(c.relError < 1e-3); // true
 * ```
 */
export function compare(actual: Numeric, expected: Numeric): Comparison {
  if (actual.length !== expected.length) {
    throw new RangeError(`Lengths differ: actual ${actual.length}, expected ${expected.length}`);
  }
  let diff2 = 0, ref2 = 0, maxAbs = 0, maxIdx = -1, firstNonFinite = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (!Number.isFinite(a) && !(Object.is(a, e))) {
      if (firstNonFinite < 0) firstNonFinite = i;
      continue;
    }
    const d = Math.abs(a - e);
    if (Number.isFinite(d)) {
      diff2 += d * d;
      if (d > maxAbs || maxIdx < 0) {
        maxAbs = d;
        maxIdx = i;
      }
    }
    if (Number.isFinite(e)) ref2 += e * e;
  }
  const absNorm = Math.sqrt(diff2), refNorm = Math.sqrt(ref2);
  const relError = refNorm > 0 ? absNorm / refNorm : (absNorm > 0 ? Infinity : 0);
  return { relError, absNorm, refNorm, maxAbsError: maxAbs, maxAbsIndex: maxIdx, firstNonFinite };
}

/**
 * Asserts `‖actual−expected‖ ≤ atol + rtol·‖expected‖`. A NaN or infinity in `actual` where
 * `expected` has a finite value always fails, whatever the tolerances. Returns the measurement so a
 * test can print it.
 *
 * @example
 * ```ts
 * import { assertClose } from "./assert_close.ts";
 * assertClose(new Float32Array([1, 2, 3]), [1, 2, 3], { rtol: 1e-6 });
 * ```
 */
export function assertClose(
  actual: Numeric,
  expected: Numeric,
  options: CloseOptions = {},
): Comparison {
  const { rtol = 1e-5, atol = 0, label = "values" } = options;
  const c = compare(actual, expected);
  if (c.firstNonFinite >= 0) {
    const i = c.firstNonFinite;
    throw new AssertionError(
      `${label}: non-finite value ${actual[i]} at index ${i} (expected ${expected[i]})`,
    );
  }
  if (!(c.absNorm <= atol + rtol * c.refNorm)) {
    const i = c.maxAbsIndex;
    throw new AssertionError(
      `${label}: relative error ‖a−e‖/‖e‖ = ${c.relError.toExponential(3)} exceeds rtol ${rtol}` +
        (atol > 0 ? ` (atol ${atol})` : "") +
        `; largest absolute error ${c.maxAbsError.toExponential(3)} at index ${i}` +
        ` (actual ${actual[i]}, expected ${expected[i]})`,
    );
  }
  return c;
}

/** Raised by {@linkcode assertClose} when values differ beyond tolerance. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

/**
 * Central finite differences of a scalar function `f` at `x`, in float64: for each i,
 * `(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`. `x` is restored afterwards.
 *
 * @example
 * ```ts
 * import { finiteDifference } from "./assert_close.ts";
 * const g = finiteDifference((x) => x[0] * x[0], new Float64Array([3])); // ≈ [6]
 * ```
 */
export function finiteDifference(
  f: (x: Float64Array) => number,
  x: Float64Array,
  h = 1e-6,
): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + h;
    const up = f(x);
    x[i] = keep - h;
    const down = f(x);
    x[i] = keep;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/**
 * The float64 dot product `Σ a[i]·b[i]`, used to turn a vector output into a scalar loss for
 * finite-difference checks (`L = Σ out·w` with random `w`, so `dL/dout = w`).
 *
 * @example
 * ```ts
 * import { dot } from "./assert_close.ts";
 * console.log(dot([1, 2], [3, 4])); // 11
 * ```
 */
export function dot(a: Numeric, b: Numeric): number {
  if (a.length !== b.length) throw new RangeError(`dot: lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
