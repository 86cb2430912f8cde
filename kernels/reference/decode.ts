/**
 * Float64 references of the single-token decoding kernels (see `../decode.wgsl`): per-row
 * positions for the embedding and RoPE, KV-cache appends, attention of one query per row over
 * its cache (the naive softmax over the whole score row), and row gathers.
 *
 * @module
 */
import type { Vec } from "./types.ts";

/** Sizes of {@linkcode decodeEmbedding}. */
export interface DecodeEmbeddingReferenceOptions {
  /** C, channels. */
  channels: number;
  /** (P, C) position table (GPT-2); omit for token-only embeddings. */
  wpe?: Vec;
  /** (B,) each row's position, needed with `wpe`. */
  positions?: Vec;
  /** s, the token rows' scale. Default 1. */
  scale?: number;
}

/**
 * `out[b] = s·wte[tokens[b]] (+ wpe[positions[b]])`, out (B, C).
 *
 * @example
 * ```ts
 * import { decodeEmbedding } from "./decode.ts";
 * decodeEmbedding([1], [0, 1, 10, 11], { channels: 2, wpe: [0, 0, 5, 5], positions: [1] });
 * // [15, 16]
 * ```
 */
export function decodeEmbedding(
  tokens: Vec,
  wte: Vec,
  options: DecodeEmbeddingReferenceOptions,
): Float64Array {
  const { channels: c, wpe, positions } = options;
  const out = new Float64Array(tokens.length * c);
  for (let b = 0; b < tokens.length; b++) {
    for (let j = 0; j < c; j++) {
      const pos = wpe ? wpe[positions![b] * c + j] : 0;
      out[b * c + j] = (options.scale ?? 1) * wte[tokens[b] * c + j] + pos;
    }
  }
  return out;
}

/** Sizes of {@linkcode decodeRope}. */
export interface DecodeRopeReferenceOptions {
  /** NHx, heads of x. */
  nHeads: number;
  /** HS. */
  headSize: number;
  /** R, the rotated leading elements of each head (even; the rest pass through). Default HS. */
  rotaryDim?: number;
  /** θ. Default 10000. */
  theta?: number;
}

/**
 * RoPE (`rotate_half`) of x (B, NHx, HS), row b at position `positions[b]`; angles in float64.
 *
 * @example
 * ```ts
 * import { decodeRope } from "./decode.ts";
 * const y = decodeRope([1, 0, 0, 1], [3], { nHeads: 1, headSize: 4 });
 * ```
 */
export function decodeRope(
  x: Vec,
  positions: Vec,
  options: DecodeRopeReferenceOptions,
): Float64Array {
  const { nHeads, headSize, theta = 10000, rotaryDim = headSize } = options;
  const half = rotaryDim / 2, out = Float64Array.from(x);
  for (let row = 0; row < x.length / headSize; row++) {
    const pos = positions[Math.floor(row / nHeads)];
    const o = row * headSize;
    for (let d = 0; d < half; d++) {
      const angle = pos * Math.pow(theta, (-2 * d) / rotaryDim);
      const c = Math.cos(angle), s = Math.sin(angle);
      out[o + d] = x[o + d] * c - x[o + d + half] * s;
      out[o + d + half] = x[o + d + half] * c + x[o + d] * s;
    }
  }
  return out;
}

/** Sizes of {@linkcode kvAppend}. */
export interface KvAppendReferenceOptions {
  /** B. */
  batch: number;
  /** Tmax, positions of the cache. */
  maxLen: number;
  /** W, values per position. */
  width: number;
  /** (B,) where row b's first new entry goes; omit for 0 (the prefill). */
  positions?: Vec;
}

/**
 * A copy of `cache` (B, Tmax, W) with `src` (B, T, W) written at rows positions[b] + t; entries
 * past Tmax are dropped.
 *
 * @example
 * ```ts
 * import { kvAppend } from "./decode.ts";
 * kvAppend([0, 0, 0, 0], [7], { batch: 1, maxLen: 4, width: 1, positions: [2] }); // [0, 0, 7, 0]
 * ```
 */
export function kvAppend(cache: Vec, src: Vec, options: KvAppendReferenceOptions): Float64Array {
  const { batch: B, maxLen, width: W, positions } = options;
  const out = Float64Array.from(cache);
  const T = src.length / (B * W);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const at = (positions ? positions[b] : 0) + t;
      if (at < 0 || at >= maxLen) continue;
      for (let e = 0; e < W; e++) out[(b * maxLen + at) * W + e] = src[(b * T + t) * W + e];
    }
  }
  return out;
}

/** Sizes of {@linkcode decodeAttention}. */
export interface DecodeAttentionShape {
  /** B. */
  batch: number;
  /** Tmax, positions of the caches. */
  maxLen: number;
  /** NH. */
  nHeads: number;
  /** NKV, dividing NH. */
  nKvHeads: number;
  /** HS. */
  headSize: number;
  /** Softmax scale. Default 1/√HS. */
  scale?: number;
  /** Sliding window W: keys positions[b] − W < j ≤ positions[b]. Default: all. */
  window?: number;
  /** Soft-cap c > 0 of the scaled scores. Default: none. */
  softcap?: number;
}

/**
 * `out[b, h] = Σ_{positions[b] − W < j ≤ positions[b]} softmax_j(scale·q[b,h]·k[b,j,kvh]) v[b,j,kvh]`, out (B, NH, HS).
 *
 * @example
 * ```ts
 * import { decodeAttention } from "./decode.ts";
 * const shape = { batch: 1, maxLen: 2, nHeads: 1, nKvHeads: 1, headSize: 1 };
 * decodeAttention({ q: [1], kCache: [3, 4], vCache: [5, 6], positions: [1] }, shape);
 * ```
 */
export function decodeAttention(
  inputs: { q: Vec; kCache: Vec; vCache: Vec; positions: Vec },
  shape: DecodeAttentionShape,
): Float64Array {
  const { q, kCache, vCache, positions } = inputs;
  const { batch: B, maxLen: T, nHeads: NH, nKvHeads: NKV, headSize: HS } = shape;
  const scale = shape.scale ?? 1 / Math.sqrt(HS);
  const group = NH / NKV;
  const out = new Float64Array(B * NH * HS);
  for (let b = 0; b < B; b++) {
    const last = Math.min(positions[b], T - 1);
    const first = Math.max(0, last + 1 - (shape.window ?? Infinity));
    const s = new Float64Array(last + 1);
    for (let h = 0; h < NH; h++) {
      const kh = Math.floor(h / group), qo = (b * NH + h) * HS;
      let max = -Infinity;
      for (let j = first; j <= last; j++) {
        const ko = ((b * T + j) * NKV + kh) * HS;
        let d = 0;
        for (let e = 0; e < HS; e++) d += q[qo + e] * kCache[ko + e];
        const c = shape.softcap;
        s[j] = c ? c * Math.tanh(scale * d / c) : scale * d;
        max = Math.max(max, s[j]);
      }
      let sum = 0;
      for (let j = first; j <= last; j++) sum += Math.exp(s[j] - max);
      for (let j = first; j <= last; j++) {
        const p = Math.exp(s[j] - max) / sum, vo = ((b * T + j) * NKV + kh) * HS;
        for (let e = 0; e < HS; e++) out[qo + e] += p * vCache[vo + e];
      }
    }
  }
  return out;
}

/**
 * `out[b] = x[indices[b]]` (`+ x[plus[b]]` when given), x (N, C), out (B, C); a zero row where an
 * index is −1, a NaN row for any other index outside [0, N).
 *
 * @example
 * ```ts
 * import { gatherRows } from "./decode.ts";
 * gatherRows([0, 1, 10, 11], [1], 2); // [10, 11]
 * ```
 */
export function gatherRows(
  x: Vec,
  indices: Vec,
  channels: number,
  plus?: Vec,
): Float64Array {
  const out = new Float64Array(indices.length * channels);
  const n = x.length / channels;
  const row = (r: number, j: number) => r >= 0 && r < n ? x[r * channels + j] : r === -1 ? 0 : NaN;
  for (let b = 0; b < indices.length; b++) {
    for (let j = 0; j < channels; j++) {
      out[b * channels + j] = row(indices[b], j) + (plus ? row(plus[b], j) : 0);
    }
  }
  return out;
}
