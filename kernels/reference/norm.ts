/**
 * Float64 reference of LayerNorm and RMSNorm (see `../norm.wgsl`). Rows of `C = weight.length`
 * channels; `x` holds N·C values.
 *
 * @module
 */
import type { Vec } from "./types.ts";

/**
 * LayerNorm forward: `out = (x−μ)·rstd·weight + bias` per row, with the saved μ and rstd.
 *
 * @example
 * ```ts
 * import { layerNormForward } from "./norm.ts";
 * const { out, mean, rstd } = layerNormForward([1, 2, 3], [1, 1, 1], [0, 0, 0], { eps: 1e-5 });
 * ```
 */
export function layerNormForward(
  x: Vec,
  weight: Vec,
  bias: Vec,
  options: { eps?: number } = {},
): { out: Float64Array; mean: Float64Array; rstd: Float64Array } {
  const eps = options.eps ?? 1e-5, c = weight.length, n = x.length / c;
  const out = new Float64Array(n * c), mean = new Float64Array(n), rstd = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += x[r * c + j];
    const mu = s / c;
    let v = 0;
    for (let j = 0; j < c; j++) v += (x[r * c + j] - mu) ** 2;
    const rs = 1 / Math.sqrt(v / c + eps);
    for (let j = 0; j < c; j++) out[r * c + j] = (x[r * c + j] - mu) * rs * weight[j] + bias[j];
    mean[r] = mu;
    rstd[r] = rs;
  }
  return { out, mean, rstd };
}

/**
 * LayerNorm backward: `dx`, and this batch's `dWeight`, `dBias` (the GPU adds them to its
 * accumulators). Recomputes μ and rstd from `x`.
 *
 * @example
 * ```ts
 * import { layerNormBackward } from "./norm.ts";
 * const { dx, dWeight, dBias } = layerNormBackward([1, 2, 4], [1, 1, 1], [1, 0, 0]);
 * ```
 */
export function layerNormBackward(
  x: Vec,
  weight: Vec,
  dOut: Vec,
  options: { eps?: number } = {},
): { dx: Float64Array; dWeight: Float64Array; dBias: Float64Array } {
  const c = weight.length, n = x.length / c;
  const { mean, rstd } = layerNormForward(x, weight, new Float64Array(c), options);
  const dx = new Float64Array(n * c), dWeight = new Float64Array(c), dBias = new Float64Array(c);
  for (let r = 0; r < n; r++) {
    let sg = 0, sgx = 0;
    for (let j = 0; j < c; j++) {
      const i = r * c + j, xh = (x[i] - mean[r]) * rstd[r], g = dOut[i] * weight[j];
      sg += g;
      sgx += g * xh;
      dWeight[j] += dOut[i] * xh;
      dBias[j] += dOut[i];
    }
    for (let j = 0; j < c; j++) {
      const i = r * c + j, xh = (x[i] - mean[r]) * rstd[r], g = dOut[i] * weight[j];
      dx[i] = rstd[r] * (g - sg / c - xh * sgx / c);
    }
  }
  return { dx, dWeight, dBias };
}

/**
 * RMSNorm forward: `out = x·rstd·(weight + offset)` per row, `rstd = 1/√(mean(x²)+eps)`.
 *
 * @example
 * ```ts
 * import { rmsNormForward } from "./norm.ts";
 * const { out, rstd } = rmsNormForward([1, 2, 3], [1, 1, 1], { eps: 1e-6 });
 * ```
 */
export function rmsNormForward(
  x: Vec,
  weight: Vec,
  options: { eps?: number; offset?: number } = {},
): { out: Float64Array; rstd: Float64Array } {
  const eps = options.eps ?? 1e-6, c = weight.length, n = x.length / c, o = options.offset ?? 0;
  const out = new Float64Array(n * c), rstd = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let ss = 0;
    for (let j = 0; j < c; j++) ss += x[r * c + j] ** 2;
    const rs = 1 / Math.sqrt(ss / c + eps);
    for (let j = 0; j < c; j++) out[r * c + j] = x[r * c + j] * rs * (weight[j] + o);
    rstd[r] = rs;
  }
  return { out, rstd };
}

/**
 * RMSNorm backward: `dx` and this batch's `dWeight`. Recomputes rstd from `x`.
 *
 * @example
 * ```ts
 * import { rmsNormBackward } from "./norm.ts";
 * const { dx, dWeight } = rmsNormBackward([1, 2, 4], [1, 1, 1], [1, 0, 0]);
 * ```
 */
export function rmsNormBackward(
  x: Vec,
  weight: Vec,
  dOut: Vec,
  options: { eps?: number; offset?: number } = {},
): { dx: Float64Array; dWeight: Float64Array } {
  const c = weight.length, n = x.length / c, o = options.offset ?? 0;
  const { rstd } = rmsNormForward(x, weight, options);
  const dx = new Float64Array(n * c), dWeight = new Float64Array(c);
  for (let r = 0; r < n; r++) {
    let sgx = 0;
    for (let j = 0; j < c; j++) {
      const i = r * c + j, xh = x[i] * rstd[r];
      sgx += dOut[i] * (weight[j] + o) * xh;
      dWeight[j] += dOut[i] * xh;
    }
    for (let j = 0; j < c; j++) {
      const i = r * c + j;
      dx[i] = rstd[r] * (dOut[i] * (weight[j] + o) - x[i] * rstd[r] * sgx / c);
    }
  }
  return { dx, dWeight };
}
