/**
 * Float64 reference of DoRA's per-output pieces (see `../dora.wgsl`).
 *
 * @module
 */
import type { Vec } from "./types.ts";

/**
 * Row norms `‖v[o, :]‖` of a (rows, cols) matrix.
 *
 * @example
 * ```ts
 * import { doraRowNorms } from "./dora.ts";
 * doraRowNorms([3, 4, 0, 1], 2, 2); // Float64Array [5, 1]
 * ```
 */
export function doraRowNorms(v: Vec, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let o = 0; o < rows; o++) {
    let s = 0;
    for (let i = 0; i < cols; i++) s += v[o * cols + i] ** 2;
    out[o] = Math.sqrt(s);
  }
  return out;
}

/**
 * Column norms `‖v[:, o]‖` of a (rows, cols) matrix.
 *
 * @example
 * ```ts
 * import { doraColNorms } from "./dora.ts";
 * doraColNorms([3, 0, 4, 1], 2, 2); // Float64Array [5, 1]
 * ```
 */
export function doraColNorms(v: Vec, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let o = 0; o < cols; o++) out[o] += v[r * cols + o] ** 2;
  return out.map(Math.sqrt);
}

/**
 * `α·x[n, o]·m[o]/nrm[o] (+ bias[o])` over a (N, O) matrix.
 *
 * @example
 * ```ts
 * import { doraScaleColumns } from "./dora.ts";
 * doraScaleColumns([1, 1, 2, 2], [2, 3], [1, 3]); // Float64Array [2, 1, 4, 2]
 * ```
 */
export function doraScaleColumns(x: Vec, m: Vec, nrm: Vec, bias?: Vec, alpha = 1): Float64Array {
  const o = m.length;
  return Float64Array.from(
    { length: x.length },
    (_, i) => alpha * x[i] * m[i % o] / nrm[i % o] + (bias?.[i % o] ?? 0),
  );
}

/**
 * `α·Σ_n dy[n, o]·z[n, o] / nrm[o]` for each column o.
 *
 * @example
 * ```ts
 * import { doraMagnitudeGrad } from "./dora.ts";
 * doraMagnitudeGrad([1, 2], [3, 4], [1, 2]); // Float64Array [3, 4]
 * ```
 */
export function doraMagnitudeGrad(dy: Vec, z: Vec, nrm: Vec, alpha = 1): Float64Array {
  const o = nrm.length, out = new Float64Array(o);
  for (let i = 0; i < dy.length; i++) out[i % o] += dy[i] * z[i];
  for (let c = 0; c < o; c++) out[c] = alpha * out[c] / nrm[c];
  return out;
}
