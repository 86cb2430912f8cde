/**
 * Float64 reference of causal grouped-query attention with right padding (see
 * `../attention.wgsl`): the naive softmax over the whole score row, no tiling.
 *
 * @module
 */
import type { Vec } from "./types.ts";

/** Sizes of an attention call. Layouts: q, out (B, T, NH, HS); k, v (B, T, NKV, HS). */
export interface AttentionShape {
  /** B, rows. */
  batch: number;
  /** T, positions per row. */
  seqLen: number;
  /** NH, query heads. */
  nHeads: number;
  /** NKV, key/value heads; divides NH. */
  nKvHeads: number;
  /** HS, head size. */
  headSize: number;
  /** Softmax scale. Default 1/√HS. */
  scale?: number;
  /** Sliding window W: query i sees keys i − W < j ≤ i. Default: every earlier key. */
  window?: number;
  /** Soft-cap c > 0: scores c·tanh(r/c) of the scaled products r. Default: none. */
  softcap?: number;
}

/** Inputs of {@linkcode attentionForward}. */
export interface AttentionInputs {
  /** (B, T, NH, HS) queries. */
  q: Vec;
  /** (B, T, NKV, HS) keys. */
  k: Vec;
  /** (B, T, NKV, HS) values. */
  v: Vec;
  /** (B,) valid positions of each row; positions t ≥ lengths[b] are padding. */
  lengths: Vec;
}

/** The valid positions of row b, clamped to [0, T] as the kernel does. */
function rowLength(lengths: Vec, b: number, t: number): number {
  return Math.max(0, Math.min(t, lengths[b]));
}

/** The score of a scaled product r: c·tanh(r/c) with a soft-cap c, else r. */
function capOf(shape: AttentionShape): (r: number) => number {
  const c = shape.softcap;
  return c ? (r) => c * Math.tanh(r / c) : (r) => r;
}

/** The first key query i sees: i − W + 1, or 0. */
function firstKey(shape: AttentionShape): (i: number) => number {
  const w = shape.window ?? Infinity;
  return (i) => Math.max(0, i + 1 - w);
}

/**
 * `out_i = Σ_{i − W < j ≤ i, j < len} softmax_j(scale·q_i·k_j) v_j` and
 * `lse_i = log Σ_j exp(scale·q_i·k_j)` per query head (W the window, unlimited by default); padded
 * query rows give `out = 0`, `lse = 0`.
 *
 * @example
 * ```ts
 * import { attentionForward } from "./attention.ts";
 * const shape = { batch: 1, seqLen: 2, nHeads: 1, nKvHeads: 1, headSize: 1 };
 * const { out, lse } = attentionForward({ q: [1, 2], k: [3, 4], v: [5, 6], lengths: [2] }, shape);
 * ```
 */
export function attentionForward(
  inputs: AttentionInputs,
  shape: AttentionShape,
): { out: Float64Array; lse: Float64Array } {
  const { q, k, v, lengths } = inputs;
  const { batch: B, seqLen: T, nHeads: NH, nKvHeads: NKV, headSize: HS } = shape;
  const scale = shape.scale ?? 1 / Math.sqrt(HS);
  const first = firstKey(shape), cap = capOf(shape);
  const group = NH / NKV;
  const out = new Float64Array(B * T * NH * HS);
  const lse = new Float64Array(B * NH * T);
  const s = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    const len = rowLength(lengths, b, T);
    for (let h = 0; h < NH; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < len; i++) {
        const qo = ((b * T + i) * NH + h) * HS;
        let max = -Infinity;
        for (let j = first(i); j <= i; j++) {
          const ko = ((b * T + j) * NKV + kh) * HS;
          let d = 0;
          for (let e = 0; e < HS; e++) d += q[qo + e] * k[ko + e];
          s[j] = cap(scale * d);
          max = Math.max(max, s[j]);
        }
        let sum = 0;
        for (let j = first(i); j <= i; j++) sum += Math.exp(s[j] - max);
        lse[(b * NH + h) * T + i] = max + Math.log(sum);
        for (let j = first(i); j <= i; j++) {
          const pr = Math.exp(s[j] - max) / sum;
          const vo = ((b * T + j) * NKV + kh) * HS;
          for (let e = 0; e < HS; e++) out[qo + e] += pr * v[vo + e];
        }
      }
    }
  }
  return { out, lse };
}

/**
 * The gradients of {@linkcode attentionForward}'s `out` for an upstream `dOut`:
 * `dS_ij = P_ij (dOut_i·v_j − Σ_j' P_ij' dOut_i·v_j')`, `dQ_i = scale Σ_j dS_ij k_j`,
 * `dK_j = scale Σ_i dS_ij q_i` and `dV_j = Σ_i P_ij dOut_i` summed over the query heads of each kv
 * head's group. Padded positions get zero gradient.
 *
 * @example
 * ```ts
 * import { attentionBackward } from "./attention.ts";
 * const shape = { batch: 1, seqLen: 2, nHeads: 1, nKvHeads: 1, headSize: 1 };
 * const inputs = { q: [1, 2], k: [3, 4], v: [5, 6], lengths: [2], dOut: [1, -1] };
 * const { dQ, dK, dV } = attentionBackward(inputs, shape);
 * ```
 */
export function attentionBackward(
  inputs: AttentionInputs & {
    /** (B, T, NH, HS) gradient of the output. */
    dOut: Vec;
  },
  shape: AttentionShape,
): { dQ: Float64Array; dK: Float64Array; dV: Float64Array } {
  const { q, k, v, lengths, dOut } = inputs;
  const { batch: B, seqLen: T, nHeads: NH, nKvHeads: NKV, headSize: HS } = shape;
  const scale = shape.scale ?? 1 / Math.sqrt(HS);
  const first = firstKey(shape), cap = capOf(shape);
  const group = NH / NKV;
  const dQ = new Float64Array(B * T * NH * HS);
  const dK = new Float64Array(B * T * NKV * HS);
  const dV = new Float64Array(B * T * NKV * HS);
  const pr = new Float64Array(T), dp = new Float64Array(T), slope = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    const len = rowLength(lengths, b, T);
    for (let h = 0; h < NH; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < len; i++) {
        const qo = ((b * T + i) * NH + h) * HS;
        let max = -Infinity;
        for (let j = first(i); j <= i; j++) {
          const ko = ((b * T + j) * NKV + kh) * HS;
          let d = 0, g = 0;
          for (let e = 0; e < HS; e++) {
            d += q[qo + e] * k[ko + e];
            g += dOut[qo + e] * v[ko + e];
          }
          pr[j] = cap(scale * d);
          slope[j] = shape.softcap ? 1 - (pr[j] / shape.softcap) ** 2 : 1;
          dp[j] = g;
          max = Math.max(max, pr[j]);
        }
        let sum = 0;
        for (let j = first(i); j <= i; j++) sum += pr[j] = Math.exp(pr[j] - max);
        let mean = 0; // Σ_j P_ij dp_ij, equal to D_i = dOut_i·out_i
        for (let j = first(i); j <= i; j++) mean += (pr[j] /= sum) * dp[j];
        for (let j = first(i); j <= i; j++) {
          const ds = pr[j] * (dp[j] - mean) * slope[j];
          const ko = ((b * T + j) * NKV + kh) * HS;
          for (let e = 0; e < HS; e++) {
            dQ[qo + e] += scale * ds * k[ko + e];
            dK[ko + e] += scale * ds * q[qo + e];
            dV[ko + e] += pr[j] * dOut[qo + e];
          }
        }
      }
    }
  }
  return { dQ, dK, dV };
}
