/**
 * Float64 reference of the matrix multiply and its backward (see `../matmul.wgsl`).
 *
 * Layouts are row-major: `A` is (M, K), or (K, M) with `transA`; `B` is (K, N), or (N, K) with
 * `transB`; `C` and `dC` are (M, N); `bias` is (N,). Batches are stored one after another.
 *
 * @module
 */
import type { Vec } from "./types.ts";

/** Shapes and scalars of {@linkcode matmul} and {@linkcode matmulBackward}. */
export interface MatmulRefOptions {
  /** Rows of C. */
  m: number;
  /** Columns of C. */
  n: number;
  /** The summed dimension. */
  k: number;
  /** A is stored (K, M). Default false. */
  transA?: boolean;
  /** B is stored (N, K). Default false. */
  transB?: boolean;
  /** Scales op(A)·op(B). Default 1. */
  alpha?: number;
  /** Scales the previous C, which must then be given. Default 0. */
  beta?: number;
  /** (N,) added to every row. */
  bias?: Vec;
  /** (batch·M·N) previous C, read when `beta ≠ 0`. */
  c?: Vec;
  /** Independent products, stored one after another. Default 1. */
  batch?: number;
}

/** `op(A)[i, l]` for a batch's A starting at `base`. */
function opA(a: Vec, base: number, i: number, l: number, o: MatmulRefOptions): number {
  return o.transA ? a[base + l * o.m + i] : a[base + i * o.k + l];
}

/** `op(B)[l, j]` for a batch's B starting at `base`. */
function opB(b: Vec, base: number, l: number, j: number, o: MatmulRefOptions): number {
  return o.transB ? b[base + j * o.k + l] : b[base + l * o.n + j];
}

/**
 * `C = α·op(A)·op(B) + bias + β·C` in float64, for each batch.
 *
 * @example
 * ```ts
 * import { matmul } from "./matmul.ts";
 * // (1,2)·(2,1) = 1·3 + 2·4
 * matmul([1, 2], [3, 4], { m: 1, n: 1, k: 2 }); // Float64Array [11]
 * ```
 */
export function matmul(a: Vec, b: Vec, options: MatmulRefOptions): Float64Array {
  const { m, n, k, alpha = 1, beta = 0, bias, c, batch = 1 } = options;
  if (beta !== 0 && !c) throw new TypeError("matmul reference: beta ≠ 0 needs the previous c");
  const out = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) {
          s += opA(a, z * m * k, i, l, options) * opB(b, z * k * n, l, j, options);
        }
        const at = z * m * n + i * n + j;
        out[at] = alpha * s + (bias ? bias[j] : 0) + (beta !== 0 ? beta * c![at] : 0);
      }
    }
  }
  return out;
}

/** Gradients returned by {@linkcode matmulBackward}, each in its operand's stored layout. */
export interface MatmulGrads {
  /** dL/dA, (M, K) or (K, M) with `transA`, per batch. */
  dA: Float64Array;
  /** dL/dB, (K, N) or (N, K) with `transB`, per batch. */
  dB: Float64Array;
  /** dL/dbias (N,): column sums of dC over rows and batches. */
  dBias: Float64Array;
  /** dL/d(previous C) = β·dC. */
  dC: Float64Array;
}

/**
 * The gradients of {@linkcode matmul} given `dC = dL/dC`, in float64:
 * `d op(A) = α·dC·op(B)ᵀ`, `d op(B) = α·op(A)ᵀ·dC`, stored transposed where the operand is.
 *
 * @example
 * ```ts
 * import { matmulBackward } from "./matmul.ts";
 * const g = matmulBackward([1], [1, 2], [3, 4], { m: 1, n: 1, k: 2 });
 * console.log(g.dA, g.dB); // Float64Array [3, 4] Float64Array [1, 2]
 * ```
 */
export function matmulBackward(dC: Vec, a: Vec, b: Vec, options: MatmulRefOptions): MatmulGrads {
  const { m, n, k, alpha = 1, beta = 0, batch = 1 } = options;
  const dA = new Float64Array(batch * m * k), dB = new Float64Array(batch * k * n);
  const dBias = new Float64Array(n), dPrev = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const ba = z * m * k, bb = z * k * n, bc = z * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const g = dC[bc + i * n + j];
        dBias[j] += g;
        dPrev[bc + i * n + j] = beta * g;
        for (let l = 0; l < k; l++) {
          const ai = ba + (options.transA ? l * m + i : i * k + l);
          const bi = bb + (options.transB ? j * k + l : l * n + j);
          dA[ai] += alpha * g * opB(b, bb, l, j, options);
          dB[bi] += alpha * g * opA(a, ba, i, l, options);
        }
      }
    }
  }
  return { dA, dB, dBias, dC: dPrev };
}

/**
 * `dBias += Σ_rows dOut`: column sums of an (M, N) matrix, added to `dBias` when given.
 *
 * @example
 * ```ts
 * import { biasGrad } from "./matmul.ts";
 * biasGrad([1, 2, 3, 4], { m: 2, n: 2 }); // Float64Array [4, 6]
 * ```
 */
export function biasGrad(dOut: Vec, options: { m: number; n: number; dBias?: Vec }): Float64Array {
  const { m, n, dBias } = options;
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = dBias ? dBias[j] : 0;
    for (let i = 0; i < m; i++) s += dOut[i * n + j];
    out[j] = s;
  }
  return out;
}
