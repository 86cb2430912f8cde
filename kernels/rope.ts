/**
 * Rotary position embedding in Hugging Face's `rotate_half` convention, forward and backward,
 * in place or out of place, with the cos/sin table computed on the CPU in float64. See
 * `rope.wgsl` for the math and layouts.
 *
 * @module
 */
import code from "./rope.wgsl" with { type: "text" };
import { type Encoder, grid1d, type Kernel, type Tensor, uniforms } from "./gpu.ts";

const WG = 256;
const ROTATE: Kernel = { label: "rope", code, entryPoint: "rotate" };
const ROTATE_INPLACE: Kernel = { label: "rope", code, entryPoint: "rotate_inplace" };

/**
 * Scaled RoPE, as transformers computes its inverse frequencies: `linear` divides every
 * frequency by `factor`; `llama3` (Llama 3.1 / 3.2) divides the low frequencies (wavelengths past
 * `originalMaxPositions / lowFreqFactor`) by `factor`, keeps the high ones (wavelengths under
 * `originalMaxPositions / highFreqFactor`) and blends between the two; `dynamic` (NTK) raises θ
 * only for sequences past the model's positions, so up to them it is plain RoPE.
 */
export type RopeScaling =
  | { type: "linear"; factor: number }
  | { type: "dynamic"; factor: number }
  | {
    /**
     * LongRoPE (Phi-3.5, Phi-4-mini): each frequency divided by its `shortFactor` (the
     * `longFactor`s apply only past `originalMaxPositions`, refused here), cos and sin multiplied
     * by `attentionFactor`.
     */
    type: "longrope";
    shortFactor: number[];
    longFactor: number[];
    originalMaxPositions: number;
    attentionFactor: number;
    /** The config's own `factor` and `attention_factor`, kept to write back. */
    given?: { factor?: number; attentionFactor?: number };
  }
  | {
    type: "llama3";
    factor: number;
    lowFreqFactor: number;
    highFreqFactor: number;
    originalMaxPositions: number;
  }
  | {
    /**
     * YaRN (Qwen2.5/Qwen3 long context, OLMo 3, DeepSeek): each frequency blended between itself
     * (fast ones, past `betaFast` turns in `originalMaxPositions`) and itself ÷ `factor` (slow
     * ones, under `betaSlow` turns) along a linear ramp over the dimensions between; cos and sin
     * multiplied by `attentionFactor`.
     */
    type: "yarn";
    factor: number;
    originalMaxPositions: number;
    attentionFactor: number;
    betaFast: number;
    betaSlow: number;
    /** Whether the ramp's ends are rounded to whole dimensions (transformers' default). */
    truncate: boolean;
    /** The config's own optional keys, kept to write back. */
    given?: Record<string, number | boolean>;
  };

/**
 * RoPE's inverse frequencies `ω_d = θ^(−2d/HS)` for d < HS/2, scaled by `scaling` when given, in
 * float64.
 *
 * @example
 * ```ts
 * import { ropeFrequencies } from "./rope.ts";
 * const w = ropeFrequencies(4, 10000, { type: "linear", factor: 2 }); // [0.5, 0.005]
 * ```
 */
export function ropeFrequencies(
  headSize: number,
  theta: number,
  scaling?: RopeScaling | null,
): Float64Array {
  const half = headSize / 2;
  const out = Float64Array.from({ length: half }, (_, d) => Math.pow(theta, (-2 * d) / headSize));
  if (!scaling) return out;
  if (scaling.type === "longrope") {
    if (scaling.shortFactor.length !== half) {
      throw new RangeError(
        `ropeFrequencies: longrope needs ${half} short factors, got ${scaling.shortFactor.length}`,
      );
    }
    return out.map((w, d) => w / scaling.shortFactor[d]);
  }
  if (!(scaling.factor > 0)) {
    throw new RangeError(`ropeFrequencies: factor must be positive, got ${scaling.factor}`);
  }
  if (scaling.type === "yarn") return yarnFrequencies(out, headSize, theta, scaling);
  if (scaling.type === "linear") return out.map((w) => w / scaling.factor);
  if (scaling.type === "dynamic") return out; // (within max_position_embeddings)
  const { factor, lowFreqFactor: lo, highFreqFactor: hi, originalMaxPositions: n } = scaling;
  if (!(hi > lo && lo > 0 && n > 0)) {
    throw new RangeError(
      `ropeFrequencies: llama3 scaling needs highFreqFactor > lowFreqFactor > 0 and ` +
        `originalMaxPositions > 0, got ${hi}, ${lo}, ${n}`,
    );
  }
  return out.map((w) => {
    const wavelength = 2 * Math.PI / w;
    if (wavelength < n / hi) return w; // high frequencies: as they are
    if (wavelength > n / lo) return w / factor; // low frequencies: interpolated
    const smooth = (n / wavelength - lo) / (hi - lo);
    return (1 - smooth) * w / factor + smooth * w;
  });
}

/**
 * What the RoPE tables' cos and sin are multiplied by: LongRoPE's attention factor, 1 otherwise.
 *
 * @example
 * ```ts
 * import { ropeAttentionFactor } from "./rope.ts";
 * console.log(ropeAttentionFactor(null)); // 1
 * ```
 */
export function ropeAttentionFactor(scaling?: RopeScaling | null): number {
  return scaling?.type === "longrope" || scaling?.type === "yarn" ? scaling.attentionFactor : 1;
}

/**
 * YaRN's frequencies as transformers computes them: with d(n) = R·ln(P / (2π·n)) / (2·ln θ) the
 * dimension turning n times in the P original positions, the ramp runs from ⌊d(β_fast)⌋ to
 * ⌈d(β_slow)⌉ (clamped to [0, R − 1]); r_d = clamp((d − lo)/(hi − lo), 0, 1) weighs ω_d/factor
 * against ω_d.
 */
function yarnFrequencies(
  omegas: Float64Array,
  dim: number,
  theta: number,
  s: Extract<RopeScaling, { type: "yarn" }>,
): Float64Array {
  const at = (turns: number) =>
    dim * Math.log(s.originalMaxPositions / (turns * 2 * Math.PI)) / (2 * Math.log(theta));
  let lo = at(s.betaFast), hi = at(s.betaSlow);
  if (s.truncate) [lo, hi] = [Math.floor(lo), Math.ceil(hi)];
  lo = Math.max(lo, 0);
  hi = Math.min(hi, dim - 1);
  if (lo === hi) hi += 0.001;
  return omegas.map((w, d) => {
    const ramp = Math.min(Math.max((d - lo) / (hi - lo), 0), 1);
    return (w / s.factor) * ramp + w * (1 - ramp);
  });
}

/** Options of {@linkcode ropeTable}. */
export interface RopeTableOptions {
  /** Rows of the table: positions 0 … maxPositions−1 (e.g. `max_position_embeddings`). */
  maxPositions: number;
  /** HS, the head size (even). */
  headSize: number;
  /** The base θ: 10000 (Llama 2, default), 500000 (Llama 3), 1000000 (Qwen2). */
  theta?: number;
  /** Scaled RoPE (Llama 3.1 / 3.2's `llama3`, or `linear`). Default none. */
  scaling?: RopeScaling | null;
}

/**
 * The RoPE tables `cos[pos, d] = cos(pos·ω_d)`, `ω_d = θ^(−2d/HS)` (scaled: {@linkcode
 * ropeFrequencies}), and the matching `sin`, each
 * (maxPositions, HS/2), computed in float64 and rounded to f32 once, ready to upload.
 *
 * @example
 * ```ts
 * import { ropeTable } from "./rope.ts";
 * const { cos, sin } = ropeTable({ maxPositions: 2048, headSize: 64, theta: 10000 });
 * console.log(cos.length); // 65536 = 2048 × 32
 * ```
 */
export function ropeTable(options: RopeTableOptions): { cos: Float32Array; sin: Float32Array } {
  const { maxPositions, headSize, theta = 10000, scaling } = options;
  if (!Number.isInteger(headSize) || headSize < 2 || headSize % 2 !== 0) {
    throw new RangeError(`ropeTable: headSize must be a positive even integer, got ${headSize}`);
  }
  if (!Number.isInteger(maxPositions) || maxPositions < 1) {
    throw new RangeError(`ropeTable: maxPositions must be a positive integer, got ${maxPositions}`);
  }
  if (!(theta > 0)) throw new RangeError(`ropeTable: theta must be positive, got ${theta}`);
  const half = headSize / 2;
  const cos = new Float32Array(maxPositions * half), sin = new Float32Array(maxPositions * half);
  const omegas = ropeFrequencies(headSize, theta, scaling);
  const m = ropeAttentionFactor(scaling);
  for (let d = 0; d < half; d++) {
    const omega = omegas[d];
    for (let pos = 0; pos < maxPositions; pos++) {
      cos[pos * half + d] = m * Math.cos(pos * omega);
      sin[pos * half + d] = m * Math.sin(pos * omega);
    }
  }
  return { cos, sin };
}

/** What the RoPE launchers share. */
export interface RopeCommonArgs {
  /** (maxPositions, R/2) cosines from {@linkcode ropeTable}. */
  cos: Tensor;
  /** (maxPositions, R/2) sines from {@linkcode ropeTable}. */
  sin: Tensor;
  /** T, the sequence length: the input is (B, T, nHeads, headSize). */
  seqLen: number;
  /** NH of this tensor (q and k may differ under grouped-query attention). */
  nHeads: number;
  /** HS, the head size. */
  headSize: number;
  /**
   * R, the rotated leading elements of each head (even, ≤ HS; the other HS − R pass through):
   * Phi-4-mini's and GPT-NeoX's partial rotary. The tables are then (maxPositions, R/2), built
   * with `headSize` R. Default HS.
   */
  rotaryDim?: number;
  /** Position of t = 0, e.g. the tokens already in a KV cache. Default 0. */
  positionOffset?: number;
  /**
   * Workgroups allowed per dispatch dimension; defaults to the device's
   * `maxComputeWorkgroupsPerDimension`. Tests lower it to exercise the x/y split cheaply.
   */
  maxWorkgroupsPerDimension?: number;
}

/** Tensors and sizes of {@linkcode ropeForward}. */
export interface RopeForwardArgs extends RopeCommonArgs {
  /** (B, T, nHeads, headSize) input, rotated in place when `out` is omitted. */
  x: Tensor;
  /** (B, T, nHeads, headSize) result; omit to rotate `x` in place. */
  out?: Tensor;
}

/**
 * Encodes the rotation of every head vector by its position's angles (`rotate_half` form).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { ropeForward, ropeTable } from "./rope.ts";
 * const gpu = await Gpu.create();
 * const table = ropeTable({ maxPositions: 16, headSize: 4 });
 * const cos = gpu.upload(table.cos, [16, 2]), sin = gpu.upload(table.sin, [16, 2]);
 * const q = gpu.upload(new Float32Array(1 * 3 * 2 * 4).fill(1), [1, 3, 2, 4]); // B T NH HS
 * const enc = gpu.encoder();
 * ropeForward(enc, { x: q, cos, sin, seqLen: 3, nHeads: 2, headSize: 4 }); // in place
 * gpu.submit(enc);
 * ```
 */
export function ropeForward(enc: Encoder, args: RopeForwardArgs): void {
  launch(enc, "ropeForward", args, args.x, args.out, 1);
}

/** Tensors and sizes of {@linkcode ropeBackward}. */
export interface RopeBackwardArgs extends RopeCommonArgs {
  /** (B, T, nHeads, headSize) gradient of the output; turned into dx in place without `dx`. */
  dOut: Tensor;
  /** (B, T, nHeads, headSize) gradient of the input, overwritten; omit to work in place. */
  dx?: Tensor;
}

/**
 * Encodes RoPE's backward: the inverse rotation of `dOut` (a rotation's transpose).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { ropeBackward, ropeTable } from "./rope.ts";
 * const gpu = await Gpu.create();
 * const table = ropeTable({ maxPositions: 16, headSize: 4 });
 * const cos = gpu.upload(table.cos, [16, 2]), sin = gpu.upload(table.sin, [16, 2]);
 * const dOut = gpu.upload(new Float32Array(24).fill(1), [1, 3, 2, 4]);
 * const dx = gpu.tensor([1, 3, 2, 4]);
 * const enc = gpu.encoder();
 * ropeBackward(enc, { dOut, dx, cos, sin, seqLen: 3, nHeads: 2, headSize: 4 });
 * gpu.submit(enc);
 * ```
 */
export function ropeBackward(enc: Encoder, args: RopeBackwardArgs): void {
  launch(enc, "ropeBackward", args, args.dOut, args.dx, -1);
}

function launch(
  enc: Encoder,
  name: string,
  args: RopeCommonArgs,
  src: Tensor,
  dst: Tensor | undefined,
  sign: number,
): void {
  const { cos, sin, seqLen, nHeads, headSize, positionOffset = 0 } = args;
  const rotaryDim = args.rotaryDim ?? headSize;
  const sizes = { seqLen, nHeads, headSize, rotaryDim };
  for (const [what, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${name}: ${what} must be a positive integer, got ${v}`);
    }
  }
  if (rotaryDim % 2 !== 0 || rotaryDim > headSize) {
    throw new RangeError(
      `${name}: ${
        args.rotaryDim === undefined ? "headSize" : "rotaryDim"
      } must be even and at most headSize ${headSize}, got ${rotaryDim}`,
    );
  }
  if (!Number.isInteger(positionOffset) || positionOffset < 0) {
    throw new RangeError(`${name}: positionOffset must be a non-negative integer`);
  }
  const half = rotaryDim / 2, rowSize = seqLen * nHeads * headSize;
  for (const t of [src, dst ?? src, cos, sin]) {
    if (t.dtype !== "f32") throw new TypeError(`${name}: "${t.label}" is ${t.dtype}, expected f32`);
  }
  if (src.size % rowSize !== 0) {
    throw new RangeError(
      `${name}: "${src.label}" has ${src.size} elements, not a multiple of ` +
        `T·NH·HS = ${seqLen}·${nHeads}·${headSize}`,
    );
  }
  if (dst && dst.size !== src.size) {
    throw new RangeError(`${name}: "${dst.label}" has ${dst.size} elements, expected ${src.size}`);
  }
  if (cos.size !== sin.size || cos.size % half !== 0) {
    throw new RangeError(
      `${name}: tables "${cos.label}" and "${sin.label}" must both be (maxPositions, ${half})`,
    );
  }
  const maxPositions = cos.size / half;
  if (positionOffset + seqLen > maxPositions) {
    throw new RangeError(
      `${name}: positions up to ${positionOffset + seqLen - 1} need a RoPE table of at least ` +
        `${positionOffset + seqLen} rows; "${cos.label}" has ${maxPositions}`,
    );
  }
  const pairs = (src.size / headSize) * half;
  // Out of place with a pass-through part: a copy, then the rotation in place.
  const copied = dst !== undefined && rotaryDim < headSize;
  if (copied) enc.copy(src, dst);
  const out = copied ? undefined : dst, from = copied ? dst : src;
  if (pairs === 0) return;
  const max = args.maxWorkgroupsPerDimension ?? enc.gpu.limits.maxComputeWorkgroupsPerDimension;
  const [gx, gy] = grid1d(pairs, WG, max);
  enc.dispatch({
    kernel: out ? ROTATE : ROTATE_INPLACE,
    constants: { WG },
    uniforms: uniforms({
      pairs,
      half,
      head: headSize,
      n_heads: nHeads,
      seq_len: seqLen,
      pos_offset: positionOffset,
      sign,
      row_stride: gx * WG,
    }, ["sign"]),
    bindings: out ? [cos, sin, from, out] : [cos, sin, from],
    workgroups: [gx, gy],
  });
}
