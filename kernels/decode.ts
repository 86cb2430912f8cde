/**
 * Kernels for decoding one token per row with a KV cache, where every row sits at its own
 * position (batched prompts of different lengths): the embedding and RoPE at per-row positions,
 * appending keys/values into the caches, attention of one query per row over its cached keys,
 * and gathering rows (each row's last valid position). Forward only. See `decode.wgsl` for the
 * math, layouts and numerics.
 *
 * @module
 */
import code from "./decode.wgsl" with { type: "text" };
import { embeddingChunks } from "./embedding.ts";
import {
  CPU_LOOP_BUDGET,
  type Encoder,
  expectTensor,
  grid1d,
  type Kernel,
  type Tensor,
  uniforms,
} from "./gpu.ts";

const WG = 256;
const kernel = (entryPoint: string): Kernel => ({ label: "decode", code, entryPoint });
const EMBED = kernel("embed");
const EMBED_POS = kernel("embed_pos");
const ROPE = kernel("rope");
const APPEND = kernel("append");
const APPEND_PREFIX = kernel("append_prefix");
const ATTEND = kernel("attend");
const GATHER = kernel("gather");
const GATHER_ADD = kernel("gather_add");
const GATHER4 = kernel("gather4");
const GATHER_ADD4 = kernel("gather_add4");

/** The largest head size {@linkcode decodeAttention} handles (one invocation per element). */
export const DECODE_MAX_HEAD_SIZE = 256;

/** Options every decode launcher takes. */
export interface DecodeLaunchOptions {
  /**
   * Workgroups allowed per dispatch dimension; defaults to the device's
   * `maxComputeWorkgroupsPerDimension`. Tests lower it to exercise the x/y split cheaply.
   */
  maxWorkgroupsPerDimension?: number;
}

/** Tensors of {@linkcode decodeEmbedding}. */
export interface DecodeEmbeddingArgs extends DecodeLaunchOptions {
  /** (B, C) result. */
  out: Tensor;
  /** (B,) i32 the new token of each row; an id outside [0, V) gives a row of NaN. */
  tokens: Tensor;
  /** (V, C) token table, bound in vocabulary chunks when larger than one binding. */
  wte: Tensor;
  /** (P, C) learned positions (GPT-2); omit for RoPE models. */
  wpe?: Tensor;
  /** (B,) i32 each row's position, needed with `wpe`; one outside [0, P) gives NaN. */
  positions?: Tensor;
  /** The most bytes of `wte` bound at once (default: the device's limit). For tests. */
  maxBindingBytes?: number;
  /** s, the token rows' scale (Gemma: √C). Default 1. */
  scale?: number;
}

/**
 * Encodes `out[b] = s·wte[tokens[b]] (+ wpe[positions[b]])`: one new token per row.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { decodeEmbedding } from "./decode.ts";
 * const gpu = await Gpu.create();
 * const wte = gpu.upload(new Float32Array([0, 1, 10, 11, 20, 21]), [3, 2]); // V = 3, C = 2
 * const wpe = gpu.upload(new Float32Array([0, 0, 100, 100]), [2, 2]); // P = 2
 * const tokens = gpu.upload(new Int32Array([2, 1])), positions = gpu.upload(new Int32Array([1, 0]));
 * const out = gpu.tensor([2, 2]);
 * const enc = gpu.encoder();
 * decodeEmbedding(enc, { out, tokens, wte, wpe, positions }); // [[120, 121], [10, 11]]
 * gpu.submit(enc);
 * ```
 */
export function decodeEmbedding(enc: Encoder, args: DecodeEmbeddingArgs): void {
  const name = "decodeEmbedding";
  const { out, tokens, wte, wpe, positions } = args;
  if (wte.shape.length !== 2 || wte.dtype !== "f32") {
    throw new RangeError(`${name}: "${wte.label}" must be an f32 (V, C) table, got [${wte.shape}]`);
  }
  const [v, c] = wte.shape;
  const b = tokens.size;
  expectTensor(name, tokens, { dtype: "i32" });
  expectTensor(name, out, { size: b * c });
  let p = 0;
  if (wpe) {
    if (!positions) throw new TypeError(`${name}: a position table needs "positions"`);
    expectTensor(name, positions, { dtype: "i32", size: b });
    if (wpe.dtype !== "f32" || wpe.size % c !== 0) {
      throw new RangeError(`${name}: "${wpe.label}" must be an f32 (P, ${c}) table`);
    }
    p = wpe.size / c;
  }
  if (args.scale !== undefined && !Number.isFinite(args.scale)) {
    throw new RangeError(`${name}: scale must be finite, got ${args.scale}`);
  }
  if (b === 0) return;
  const [gx, gy] = grid(enc, b * c, args);
  let chunks: [number, number][];
  try {
    chunks = embeddingChunks(enc.gpu, {
      vocabSize: v,
      channels: c,
      maxBindingBytes: args.maxBindingBytes,
      byteOffset: wte.byteOffset,
    });
  } catch (e) {
    throw new RangeError(`${name}: "${wte.label}": ${(e as Error).message}`);
  }
  chunks.forEach(([v0, v1], k) => {
    const table = wte.view(v0 * c, [v1 - v0, c], `${wte.label}[${v0}:${v1}]`);
    enc.dispatch({
      kernel: wpe ? EMBED_POS : EMBED,
      constants: { WG },
      uniforms: params({
        total: b * c,
        c,
        t_max: p,
        v_begin: v0,
        v_end: v1,
        vocab: v,
        first: k === 0 ? 1 : 0,
        row_stride: gx * WG,
        scale: args.scale ?? 1,
      }),
      bindings: wpe ? [tokens, table, positions!, wpe, out] : [tokens, table, out],
      workgroups: [gx, gy],
    });
  });
}

/** Tensors and sizes of {@linkcode decodeRope}. */
export interface DecodeRopeArgs extends DecodeLaunchOptions {
  /** (B, NHx, HS) q or k of one token per row, rotated in place. */
  x: Tensor;
  /** (B,) i32 each row's position; one outside the table gives NaN. */
  positions: Tensor;
  /** (P, R/2) cosines from `ropeTable` (kernels/rope.ts). */
  cos: Tensor;
  /** (P, R/2) sines from `ropeTable`. */
  sin: Tensor;
  /** NHx, the heads of `x`. */
  nHeads: number;
  /** HS. */
  headSize: number;
  /**
   * R, the rotated leading elements of each head (even, ≤ HS; the rest pass through): Phi-4-mini's
   * and GPT-NeoX's partial rotary. Default HS.
   */
  rotaryDim?: number;
}

/**
 * Encodes RoPE (`rotate_half`) of one token per row, row b at position `positions[b]`, in place.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { ropeTable } from "./rope.ts";
 * import { decodeRope } from "./decode.ts";
 * const gpu = await Gpu.create();
 * const t = ropeTable({ maxPositions: 16, headSize: 4 });
 * const cos = gpu.upload(t.cos, [16, 2]), sin = gpu.upload(t.sin, [16, 2]);
 * const q = gpu.upload(new Float32Array(2 * 3 * 4).fill(1), [2, 3, 4]); // B NH HS
 * const positions = gpu.upload(new Int32Array([5, 9]));
 * const enc = gpu.encoder();
 * decodeRope(enc, { x: q, positions, cos, sin, nHeads: 3, headSize: 4 });
 * gpu.submit(enc);
 * ```
 */
export function decodeRope(enc: Encoder, args: DecodeRopeArgs): void {
  const name = "decodeRope";
  const { x, positions, cos, sin, nHeads, headSize, rotaryDim = headSize } = args;
  positive(name, { nHeads, headSize, rotaryDim });
  if (rotaryDim % 2 !== 0 || rotaryDim > headSize) {
    throw new RangeError(
      `${name}: rotaryDim must be even and at most headSize ${headSize}, got ${rotaryDim}`,
    );
  }
  const b = positions.size, half = rotaryDim / 2;
  expectTensor(name, positions, { dtype: "i32" });
  expectTensor(name, x, { size: b * nHeads * headSize });
  if (cos.dtype !== "f32" || sin.dtype !== "f32" || cos.size !== sin.size || cos.size % half) {
    throw new RangeError(
      `${name}: tables "${cos.label}" and "${sin.label}" must both be f32 (P, ${half})`,
    );
  }
  if (b === 0) return;
  const pairs = b * nHeads * half;
  const [gx, gy] = grid(enc, pairs, args);
  enc.dispatch({
    kernel: ROPE,
    constants: { WG },
    uniforms: params({
      total: pairs,
      c: half,
      t: nHeads,
      t_max: cos.size / half,
      row_stride: gx * WG,
      head: headSize,
    }),
    bindings: [cos, sin, positions, x],
    workgroups: [gx, gy],
  });
}

/** Tensors of {@linkcode kvAppend}. */
export interface KvAppendArgs extends DecodeLaunchOptions {
  /** (B, Tmax, W) cache, W = NKV·HS; only the appended rows are written. */
  cache: Tensor;
  /** (B, T, W) new rows (T = 1 when decoding, the prompt length when prefilling). */
  src: Tensor;
  /**
   * (B,) i32 where row b's first new entry goes; omit for the prefill (all rows at 0). Entries
   * that would land at or past Tmax are dropped.
   */
  positions?: Tensor;
}

/**
 * Encodes `cache[b, positions[b] + t] = src[b, t]` for t < T (or `cache[b, t] = src[b, t]`
 * without positions).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { kvAppend } from "./decode.ts";
 * const gpu = await Gpu.create();
 * const cache = gpu.tensor([2, 8, 4]); // B, Tmax, W
 * const prompt = gpu.upload(new Float32Array(2 * 3 * 4).fill(1), [2, 3, 4]);
 * const step = gpu.upload(new Float32Array(2 * 4).fill(2), [2, 1, 4]);
 * const positions = gpu.upload(new Int32Array([3, 1]));
 * const enc = gpu.encoder();
 * kvAppend(enc, { cache, src: prompt }); // rows 0…2
 * kvAppend(enc, { cache, src: step, positions }); // row 0 at 3, row 1 at 1
 * gpu.submit(enc);
 * ```
 */
export function kvAppend(enc: Encoder, args: KvAppendArgs): void {
  const name = "kvAppend";
  const { cache, src, positions } = args;
  if (cache.shape.length !== 3 || src.shape.length !== 3) {
    throw new RangeError(
      `${name}: "${cache.label}" must be (B, Tmax, W) and "${src.label}" (B, T, W), got ` +
        `[${cache.shape}] and [${src.shape}]`,
    );
  }
  const [b, tMax, w] = cache.shape, [sb, t, sw] = src.shape;
  if (sb !== b || sw !== w) {
    throw new RangeError(
      `${name}: "${src.label}" [${src.shape}] does not match "${cache.label}" [${cache.shape}]`,
    );
  }
  expectTensor(name, cache, { size: b * tMax * w });
  expectTensor(name, src, { size: b * t * w });
  if (positions) expectTensor(name, positions, { dtype: "i32", size: b });
  else if (t > tMax) {
    throw new RangeError(`${name}: ${t} rows do not fit "${cache.label}" of ${tMax} positions`);
  }
  const total = b * t * w;
  if (total === 0) return;
  const [gx, gy] = grid(enc, total, args);
  enc.dispatch({
    kernel: positions ? APPEND : APPEND_PREFIX,
    constants: { WG },
    uniforms: params({ total, c: w, t, t_max: tMax, row_stride: gx * WG }),
    bindings: positions ? [src, positions, cache] : [src, cache],
    workgroups: [gx, gy],
  });
}

/** Tensors and sizes of {@linkcode decodeAttention}. */
export interface DecodeAttentionArgs extends DecodeLaunchOptions {
  /** (B, NH, HS) result. */
  out: Tensor;
  /** (B, NH, HS) one query per row (after RoPE). */
  q: Tensor;
  /** (B, Tmax, NKV, HS) cached keys, this step's already appended. */
  kCache: Tensor;
  /** (B, Tmax, NKV, HS) cached values. */
  vCache: Tensor;
  /** (B,) i32 each row's position: it attends keys 0 … positions[b]. */
  positions: Tensor;
  /** NH. */
  nHeads: number;
  /** NKV, dividing NH. */
  nKvHeads: number;
  /** Softmax scale. Default 1/√HS. */
  scale?: number;
  /** Sliding window W: row b attends keys positions[b] − W < j ≤ positions[b]. Default: all. */
  window?: number;
  /** Soft-cap c > 0 of the scaled scores (c·tanh(s/c)), as in attention. Default: none. */
  softcap?: number;
}

/**
 * Encodes attention of one query per row over its cached keys 0 … positions[b] (causal by
 * construction; the last W of them with a sliding window), grouped-query heads, online softmax.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { decodeAttention } from "./decode.ts";
 * const gpu = await Gpu.create();
 * const [B, Tmax, NH, NKV, HS] = [2, 8, 4, 2, 8];
 * const q = gpu.upload(new Float32Array(B * NH * HS).fill(0.1), [B, NH, HS]);
 * const kCache = gpu.upload(new Float32Array(B * Tmax * NKV * HS).fill(0.2), [B, Tmax, NKV, HS]);
 * const vCache = gpu.upload(new Float32Array(B * Tmax * NKV * HS).fill(0.3), [B, Tmax, NKV, HS]);
 * const positions = gpu.upload(new Int32Array([4, 7]));
 * const out = gpu.tensor([B, NH, HS]);
 * const enc = gpu.encoder();
 * decodeAttention(enc, { out, q, kCache, vCache, positions, nHeads: NH, nKvHeads: NKV });
 * gpu.submit(enc);
 * ```
 */
export function decodeAttention(enc: Encoder, args: DecodeAttentionArgs): void {
  const name = "decodeAttention";
  const { out, q, kCache, vCache, positions, nHeads: nh, nKvHeads: nkv } = args;
  positive(name, { nHeads: nh, nKvHeads: nkv });
  if (nh % nkv !== 0) {
    throw new RangeError(`${name}: nKvHeads (${nkv}) must divide nHeads (${nh})`);
  }
  const b = positions.size;
  expectTensor(name, positions, { dtype: "i32" });
  if (b === 0) return;
  const hs = q.size / (b * nh);
  if (!Number.isInteger(hs) || hs < 1) {
    throw new RangeError(
      `${name}: "${q.label}" [${q.shape}] does not split into (${b}, ${nh}, HS)`,
    );
  }
  if (hs > DECODE_MAX_HEAD_SIZE) {
    throw new RangeError(`${name}: head size ${hs} exceeds ${DECODE_MAX_HEAD_SIZE}`);
  }
  expectTensor(name, q, { size: b * nh * hs });
  expectTensor(name, out, { size: b * nh * hs });
  const row = nkv * hs;
  const tMax = kCache.size / (b * row);
  if (!Number.isInteger(tMax) || tMax < 1) {
    throw new RangeError(
      `${name}: "${kCache.label}" [${kCache.shape}] is not (${b}, Tmax, ${nkv}, ${hs})`,
    );
  }
  expectTensor(name, kCache, { size: b * tMax * row });
  expectTensor(name, vCache, { size: b * tMax * row });
  const scale = args.scale ?? 1 / Math.sqrt(hs);
  if (!Number.isFinite(scale)) throw new RangeError(`${name}: scale must be finite, got ${scale}`);
  if (args.window !== undefined) positive(name, { window: args.window });
  const softcap = args.softcap ?? 0;
  if (args.softcap !== undefined && (!(softcap > 0) || !Number.isFinite(softcap))) {
    throw new RangeError(`${name}: softcap must be a positive number, got ${args.softcap}`);
  }
  const window = Math.min(args.window ?? tMax, tMax);
  // Invocations: enough for one per head element, at least 64 keys per chunk.
  let wg = 64;
  while (wg < hs) wg *= 2;
  // Each invocation walks the cache in chunks of WG keys, ≈ 1 + HS + 3·WG loop iterations a
  // chunk; llvmpipe stops an invocation after 65 535 in all, silently.
  const iterations = Math.ceil(window / wg) * (1 + hs + 3 * wg);
  if (enc.gpu.isCpu && iterations > CPU_LOOP_BUDGET) {
    throw new RangeError(
      `${name}: ${window < tMax ? `a window of ${window}` : `a KV cache of ${tMax}`} ` +
        `positions at head size ${hs} would pass this CPU ` +
        "adapter's limit of 65 535 loop iterations per invocation (and stop summing silently); " +
        `generate with at most ${Math.floor(CPU_LOOP_BUDGET / (1 + hs + 3 * wg)) * wg} positions`,
    );
  }
  const max = args.maxWorkgroupsPerDimension ?? enc.gpu.limits.maxComputeWorkgroupsPerDimension;
  const [gx, gy] = grid1d(b * nh, 1, max);
  enc.dispatch({
    kernel: ATTEND,
    constants: { WG: wg },
    uniforms: params({
      total: b * nh,
      c: hs,
      t: nh,
      t_max: tMax,
      row_stride: gx,
      nkv,
      scale,
      window,
      softcap,
    }),
    bindings: [q, kCache, vCache, positions, out],
    workgroups: [gx, gy],
  });
}

/** Tensors of {@linkcode gatherRows}. */
export interface GatherRowsArgs extends DecodeLaunchOptions {
  /** (B, C) result. */
  out: Tensor;
  /** (N, C) rows to pick from. */
  x: Tensor;
  /** (B,) i32 row of `x` for each output row; −1 gives a zero row, any other outside [0, N) NaN. */
  indices: Tensor;
  /** (B,) i32 a second row of `x` added to each output row, by the same rule (−1: none). */
  plus?: Tensor;
}

/**
 * Encodes `out[b] = x[indices[b]]` (a zero row where `indices[b] = −1`), e.g. each sequence's
 * last valid position before the head, or the tokens that have a target.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { gatherRows } from "./decode.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([0, 1, 10, 11, 20, 21]), [3, 2]);
 * const indices = gpu.upload(new Int32Array([2, 0]));
 * const out = gpu.tensor([2, 2]);
 * const enc = gpu.encoder();
 * gatherRows(enc, { out, x, indices }); // [[20, 21], [0, 1]]
 * gpu.submit(enc);
 * ```
 */
export function gatherRows(enc: Encoder, args: GatherRowsArgs): void {
  const name = "gatherRows";
  const { out, x, indices } = args;
  if (x.shape.length !== 2) {
    throw new RangeError(`${name}: "${x.label}" must be (N, C), got [${x.shape}]`);
  }
  const [n, c] = x.shape, b = indices.size;
  expectTensor(name, indices, { dtype: "i32" });
  if (args.plus) expectTensor(name, args.plus, { size: b, dtype: "i32" });
  expectTensor(name, x, { size: n * c });
  expectTensor(name, out, { size: b * c });
  if (b * c === 0) return;
  // Four elements per invocation where rows are whole vec4s (C a multiple of 4, 16-byte starts).
  const q = c % 4 === 0 && x.byteOffset % 16 === 0 && out.byteOffset % 16 === 0 ? 4 : 1;
  const [gx, gy] = grid(enc, b * c / q, args);
  enc.dispatch({
    kernel: q === 4 ? (args.plus ? GATHER_ADD4 : GATHER4) : args.plus ? GATHER_ADD : GATHER,
    constants: { WG },
    uniforms: params({ total: b * c / q, c: c / q, t_max: n, row_stride: gx * WG }),
    bindings: args.plus ? [x, indices, out, args.plus] : [x, indices, out],
    workgroups: [gx, gy],
  });
}

function params(f: {
  total: number;
  c: number;
  t?: number;
  t_max?: number;
  v_begin?: number;
  v_end?: number;
  vocab?: number;
  first?: number;
  row_stride: number;
  nkv?: number;
  scale?: number;
  window?: number;
  softcap?: number;
  head?: number;
}): Uint32Array {
  // Field order is the WGSL struct's.
  return uniforms({
    total: f.total,
    c: f.c,
    t: f.t ?? 1,
    t_max: f.t_max ?? 0,
    v_begin: f.v_begin ?? 0,
    v_end: f.v_end ?? 0,
    vocab: f.vocab ?? 0,
    first: f.first ?? 0,
    row_stride: f.row_stride,
    nkv: f.nkv ?? 1,
    scale: f.scale ?? 1,
    window: f.window ?? 1,
    softcap: f.softcap ?? 0,
    head: f.head ?? 0,
  }, ["scale", "softcap"]);
}

function grid(enc: Encoder, n: number, o: DecodeLaunchOptions): [number, number] {
  const max = o.maxWorkgroupsPerDimension ?? enc.gpu.limits.maxComputeWorkgroupsPerDimension;
  return grid1d(n, WG, max);
}

function positive(name: string, values: Record<string, number>): void {
  for (const [what, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${name}: ${what} must be a positive integer, got ${v}`);
    }
  }
}
