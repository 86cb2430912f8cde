/**
 * Float64 reference of the log-softmax family (see `../log_softmax.wgsl`): the fused
 * log-softmax + target gather, its backward, per-sequence masked sums, the per-token backward
 * coefficient, and SFT's mean cross-entropy.
 *
 * @module
 */
import type { Vec } from "./types.ts";

/** Logits soft-capped by c > 0 (y = c·tanh(x/c)); the logits themselves without a cap. */
export function softcapLogits(logits: Vec, softcap?: number): Vec {
  if (!softcap) return logits;
  return Float64Array.from(logits, (x) => softcap * Math.tanh(x / softcap));
}

/**
 * Per row of `(R, V)` logits: `lse = log Σ exp`, `logp = logits[target] − lse` (0 for a negative
 * target, NaN for one ≥ V), `logitSum = Σ logits` and `logSumSq = log Σ softmax²` (WPO); with a
 * soft-cap c, of c·tanh(logits/c).
 *
 * @example
 * ```ts
 * import { logSoftmaxGather } from "./log_softmax.ts";
 * const { logp } = logSoftmaxGather([0, 0], [1], 2); // logp ≈ [-0.6931]
 * ```
 */
export function logSoftmaxGather(
  raw: Vec,
  targets: Vec,
  v: number,
  softcap?: number,
): { logp: Float64Array; lse: Float64Array; logitSum: Float64Array; logSumSq: Float64Array } {
  const logits = softcapLogits(raw, softcap);
  const rows = targets.length;
  const out = {
    logp: new Float64Array(rows),
    lse: new Float64Array(rows),
    logitSum: new Float64Array(rows),
    logSumSq: new Float64Array(rows),
  };
  for (let r = 0; r < rows; r++) {
    let m = -Infinity, s = 0, sum = 0;
    for (let j = 0; j < v; j++) m = Math.max(m, logits[r * v + j]);
    for (let j = 0; j < v; j++) {
      s += Math.exp(logits[r * v + j] - m);
      sum += logits[r * v + j];
    }
    const lse = m + Math.log(s), t = targets[r];
    let sq = 0;
    for (let j = 0; j < v; j++) sq += Math.exp(2 * (logits[r * v + j] - lse));
    out.logSumSq[r] = Math.log(sq);
    out.lse[r] = lse;
    out.logitSum[r] = sum;
    out.logp[r] = t < 0 ? 0 : t >= v ? NaN : logits[r * v + t] - lse;
  }
  return out;
}

/**
 * `dL/dlogits` for `L = Σ_r coef[r] · logp[r]`: `coef · (onehot(target) − softmax)`, zero rows
 * for negative targets; with a soft-cap c, of the raw logits (times 1 − tanh²(x/c)).
 *
 * @example
 * ```ts
 * import { logSoftmaxBackward } from "./log_softmax.ts";
 * logSoftmaxBackward([0, 0], [1], [1], 2); // [-0.5, 0.5]
 * ```
 */
export function logSoftmaxBackward(
  raw: Vec,
  targets: Vec,
  coef: Vec,
  v: number,
  softcap?: number,
): Float64Array {
  const logits = softcapLogits(raw, softcap);
  const { lse } = logSoftmaxGather(logits, targets, v);
  const d = new Float64Array(targets.length * v);
  for (let r = 0; r < targets.length; r++) {
    if (targets[r] < 0) continue;
    for (let j = 0; j < v; j++) {
      const onehot = j === targets[r] ? 1 : 0;
      const slope = softcap ? 1 - (logits[r * v + j] / softcap) ** 2 : 1;
      d[r * v + j] = coef[r] * (onehot - Math.exp(logits[r * v + j] - lse[r])) * slope;
    }
  }
  return d;
}

/**
 * Per row of `(B, T)`: `sums = Σ mask·values`, `counts = Σ mask`.
 *
 * @example
 * ```ts
 * import { maskedRowSums } from "./log_softmax.ts";
 * maskedRowSums([-1, -2], [0, 1], 2); // { sums: [-2], counts: [1] }
 * ```
 */
export function maskedRowSums(
  values: Vec,
  mask: Vec,
  t: number,
): { sums: Float64Array; counts: Float64Array } {
  const rows = values.length / t;
  const sums = new Float64Array(rows), counts = new Float64Array(rows);
  for (let b = 0; b < rows; b++) {
    for (let j = 0; j < t; j++) {
      sums[b] += mask[b * t + j] * values[b * t + j];
      counts[b] += mask[b * t + j];
    }
  }
  return { sums, counts };
}

/**
 * `coef[b, t] = rowGrad[b] · mask[b, t]`.
 *
 * @example
 * ```ts
 * import { tokenCoef } from "./log_softmax.ts";
 * tokenCoef([2], [0, 1], 2); // [0, 2]
 * ```
 */
export function tokenCoef(rowGrad: Vec, mask: Vec, t: number): Float64Array {
  return Float64Array.from(mask, (w, i) => rowGrad[Math.floor(i / t)] * w);
}

/**
 * SFT's mean cross-entropy `−Σ mask·logp / Σ mask` and its gradient `−mask / Σ mask` (both 0
 * when no token counts).
 *
 * @example
 * ```ts
 * import { crossEntropy } from "./log_softmax.ts";
 * crossEntropy([-1, -3], [1, 1]); // { loss: 2, coef: [-0.5, -0.5] }
 * ```
 */
export function crossEntropy(logp: Vec, mask: Vec): { loss: number; coef: Float64Array } {
  let s = 0, count = 0;
  for (let i = 0; i < logp.length; i++) {
    s += mask[i] * logp[i];
    count += mask[i];
  }
  const inv = count === 0 ? 0 : -1 / count;
  return { loss: s * inv, coef: Float64Array.from(mask, (w) => w * inv) };
}
