/**
 * Float64 reference of RoPE in Hugging Face's `rotate_half` convention (see `../rope.wgsl`).
 * Angles are formed directly in float64, independently of the GPU's table.
 *
 * @module
 */
import type { Vec } from "./types.ts";

/** Sizes of the reference RoPE. */
export interface RopeReferenceOptions {
  /** T: the input is (B, T, nHeads, headSize). */
  seqLen: number;
  /** NH. */
  nHeads: number;
  /** HS. */
  headSize: number;
  /** R, the rotated leading elements of each head (even; the rest pass through). Default HS. */
  rotaryDim?: number;
  /** θ. Default 10000. */
  theta?: number;
  /** The R/2 inverse frequencies, when not `θ^(−2d/R)` (scaled RoPE). */
  frequencies?: ArrayLike<number>;
  /** Position of t = 0. Default 0. */
  positionOffset?: number;
  /** The factor cos and sin are multiplied by (LongRoPE's attention factor). Default 1. */
  attentionFactor?: number;
}

function rotate(x: Vec, o: RopeReferenceOptions, sign: number): Float64Array {
  const { seqLen, nHeads, headSize, theta = 10000, positionOffset = 0, frequencies } = o;
  const m = o.attentionFactor ?? 1;
  const R = o.rotaryDim ?? headSize;
  const half = R / 2, rows = x.length / headSize;
  const out = Float64Array.from(x);
  for (let row = 0; row < rows; row++) {
    const pos = (Math.floor(row / nHeads) % seqLen) + positionOffset;
    for (let d = 0; d < half; d++) {
      const angle = pos * (frequencies ? frequencies[d] : Math.pow(theta, (-2 * d) / R));
      const c = m * Math.cos(angle), s = m * sign * Math.sin(angle);
      const a = x[row * headSize + d], b = x[row * headSize + d + half];
      out[row * headSize + d] = a * c - b * s;
      out[row * headSize + d + half] = b * c + a * s;
    }
  }
  return out;
}

/**
 * RoPE forward on x (B, T, NH, HS).
 *
 * @example
 * ```ts
 * import { ropeForward } from "./rope.ts";
 * const out = ropeForward([1, 0, 0, 1], { seqLen: 1, nHeads: 1, headSize: 4, positionOffset: 3 });
 * ```
 */
export function ropeForward(x: Vec, options: RopeReferenceOptions): Float64Array {
  return rotate(x, options, 1);
}

/**
 * RoPE backward: dx from dOut by the inverse rotation.
 *
 * @example
 * ```ts
 * import { ropeBackward } from "./rope.ts";
 * const dx = ropeBackward([1, 0, 0, 1], { seqLen: 1, nHeads: 1, headSize: 4 });
 * ```
 */
export function ropeBackward(dOut: Vec, options: RopeReferenceOptions): Float64Array {
  return rotate(dOut, options, -1);
}
