/**
 * Causal multi-head attention with grouped-query heads and right padding, flash-style: the
 * forward saves each query row's logsumexp, the backward recomputes the probabilities from it.
 * See `attention.wgsl` for the math, layouts and numerics.
 *
 * @module
 */
import code from "./attention.wgsl" with { type: "text" };
import { CPU_LOOP_BUDGET, type Encoder, type Gpu, grid1d, type Tensor, uniforms } from "./gpu.ts";
import {
  AttentionWorkspace,
  productsBackward,
  productsForward,
  type ProductsShape,
  SCORE_CHUNK_BYTES,
} from "./attention_products.ts";

export {
  AttentionWorkspace,
  type AttentionWorkspaceOptions,
  SCORE_CHUNK_BYTES,
} from "./attention_products.ts";

/**
 * How attention is computed: `"flash"` (the default) tiles keys through workgroup memory with an
 * online softmax and never holds a T×T matrix; `"products"` materializes each (row, head)'s
 * T×T scores a chunk at a time and leaves the arithmetic to the matmul kernels (memory
 * O(chunk·T²), see `attention_products.wgsl`). Both give the same results within float32
 * rounding; which is faster depends on the device (`bench/attention_tiles.ts` times both).
 */
export type AttentionDesign = "flash" | "products";

/** The largest head size the kernels hold in registers (Gemma's 256 included). */
export const ATTENTION_MAX_HEAD_SIZE = 256;

/** Head sizes up to this use private arrays of 128 floats; larger ones a wide build of 256. */
const NARROW_HEAD_SIZE = 128;

const STATS_WG = 64;
// The wide build: the same shader with private arrays for HS ≤ 256 (WGSL sizes function-scope
// arrays by constants only, so the size is a second module rather than an override).
const NARROW = "const MAX_HS4: u32 = 32u; // HS ≤ 128";
const WIDE = "const MAX_HS4: u32 = 64u; // HS ≤ 256";
if (!code.includes(NARROW)) throw new Error("attention.wgsl: the MAX_HS4 line has changed");
const wideCode = code.replace(NARROW, WIDE);
const kernel = (entryPoint: string) => ({
  narrow: { label: "attention", code, entryPoint },
  wide: { label: "attention (HS ≤ 256)", code: wideCode, entryPoint },
});
const FORWARD = kernel("forward");
const ROW_STATS = kernel("row_stats");
const BACKWARD_DQ = kernel("backward_dq");
const BACKWARD_DKV = kernel("backward_dkv");

/** Tensors and sizes of {@linkcode attentionForward}. */
export interface AttentionForwardArgs {
  /** (B, T, NH, HS) result, overwritten; zero at padded positions. */
  out: Tensor;
  /** (B, NH, T) logsumexp of each query row's scaled scores, kept for the backward; 0 when padded. */
  lse: Tensor;
  /** (B, T, NH, HS) queries; any shape whose first two dimensions are B and T. */
  q: Tensor;
  /** (B, T, NKV, HS) keys. */
  k: Tensor;
  /** (B, T, NKV, HS) values. */
  v: Tensor;
  /** (B,) i32 or u32: valid positions of each row (right padding beyond). */
  lengths: Tensor;
  /** NH, query heads. */
  nHeads: number;
  /** NKV, key/value heads; divides NH (query head h reads kv head h / (NH/NKV)). */
  nKvHeads: number;
  /** Softmax scale. Default 1/√HS. */
  scale?: number;
  /**
   * Sliding window W: query i sees keys i − W < j ≤ i (its W latest, itself included), as
   * transformers' sliding-window layers (Mistral, Qwen2, Gemma 2/3). Default: every earlier key.
   */
  window?: number;
  /**
   * Soft-cap c > 0 (Gemma 2's `attn_logit_softcapping`): each scaled score r becomes c·tanh(r/c)
   * before the softmax. Default: none.
   */
  softcap?: number;
  /**
   * Invocations per workgroup and rows per staged tile (a multiple of 4, at most 64); each
   * workgroup covers `rowsPerLane`·tile rows. Default: the largest of 32 (GPUs only), 16, 8, 4
   * whose tiles fit.
   */
  tile?: number;
  /**
   * Rows (queries; keys for dK/dV) each invocation owns: 2 (the default) shares every staged K/V
   * (or Q/dOut) value between two rows, 1 halves the private arrays (a GPU's registers). Swept
   * by `bench/attention_tiles.ts`.
   */
  rowsPerLane?: 1 | 2;
  /** The design; default `"flash"`. */
  design?: AttentionDesign;
  /**
   * The products design's buffers (see {@linkcode AttentionWorkspace}); when omitted, one is
   * allocated for this call and returned to the pool at the encoder's submit.
   */
  workspace?: AttentionWorkspace;
}

/**
 * Loop iterations one flash-attention invocation runs at most, for sequences of `t` tokens, head
 * size `hs`, `heads` query heads per invocation (the dK/dV pass walks every query head of its KV
 * group; the forward and dQ passes one) and a tile of `tile` rows: ≈ (2.4·HS + 20) per 16 keys
 * with tiles of 12 or more, an upper bound of what llvmpipe counted (165 at HS 64, 307 at HS
 * 128); smaller tiles pay more per key (tile 8 ×1.08, tile 4 ×1.24, measured), counted here as
 * ×1.1 and ×1.3. See {@linkcode CPU_LOOP_BUDGET}.
 *
 * @example
 * ```ts
 * import { CPU_LOOP_BUDGET, flashLoopIterations } from "./attention.ts";
 * // Qwen2.5-0.5B (7 query heads per KV head, HS 64) at T 1024: past the budget.
 * console.log(flashLoopIterations(1024, 64, 7) > CPU_LOOP_BUDGET); // true
 * ```
 */
export function flashLoopIterations(t: number, hs: number, heads: number, tile = 16): number {
  const overhead = tile <= 4 ? 1.3 : tile <= 8 ? 1.1 : 1;
  return overhead * heads * Math.ceil(t / 16) * (2.4 * hs + 20);
}

export { CPU_LOOP_BUDGET } from "./gpu.ts";

/**
 * The longest sequence (a multiple of 16) flash attention runs on a CPU adapter within
 * {@linkcode CPU_LOOP_BUDGET}.
 *
 * @example
 * ```ts
 * import { flashLongestOnCpu } from "./attention.ts";
 * console.log(flashLongestOnCpu(64, 1)); // 4608
 * ```
 */
export function flashLongestOnCpu(hs: number, heads: number, tile = 16): number {
  // flashLoopIterations grows by the same amount every 16 tokens.
  return 16 * Math.floor(CPU_LOOP_BUDGET / flashLoopIterations(16, hs, heads, tile));
}

/**
 * Why flash attention cannot run `t` tokens on this adapter, or null: on a CPU adapter, when an
 * invocation would pass {@linkcode CPU_LOOP_BUDGET} (see {@linkcode flashLoopIterations}). The
 * message names the longest length flash runs there and whether the products design would run
 * this one.
 *
 * @example
 * ```ts ignore
 * const why = flashRefusal(gpu, { t: 4096, hs: 128, heads: 6 });
 * if (why) throw new RangeError(why);
 * ```
 */
export function flashRefusal(
  gpu: Gpu,
  shape: { t: number; hs: number; heads: number; tile?: number },
): string | null {
  const { t, hs, heads, tile = 16 } = shape;
  if (!gpu.isCpu || flashLoopIterations(t, hs, heads, tile) <= CPU_LOOP_BUDGET) return null;
  const longest = flashLongestOnCpu(hs, heads, tile);
  const chunk = Math.min(SCORE_CHUNK_BYTES, gpu.limits.maxStorageBufferBindingSize);
  return `flash attention over ${t} tokens at head size ${hs}` +
    (heads > 1 ? ` with ${heads} query heads per KV head` : "") +
    " would pass this CPU adapter's limit of 65 535 loop iterations per invocation (and stop " +
    `summing silently); it runs at most ${longest} tokens here` +
    (4 * t * t <= chunk
      ? '; the products design runs this length (train.attention "products")'
      : `, and the products design at most ${Math.floor(Math.sqrt(chunk / 4))}: ` +
        "shorten the sequences (tokenize.max_length)");
}

/** Refuses a flash launch whose invocations would pass a CPU adapter's loop limit. */
function checkFlashLoops(enc: Encoder, name: string, s: Shape, heads: number, tile: number): void {
  const why = flashRefusal(enc.gpu, { t: s.t, hs: s.hs, heads, tile });
  if (why) throw new RangeError(`${name}: ${why}`);
}

/**
 * Encodes causal attention `out_i = Σ_{i − W < j ≤ i, j < len} softmax_j(scale·q_i·k_j) v_j` and
 * `lse_i = log Σ_j exp(scale·q_i·k_j)`, tiled over keys with an online softmax (W: the sliding
 * window, unlimited by default).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { attentionForward } from "./attention.ts";
 * const gpu = await Gpu.create();
 * const [B, T, NH, NKV, HS] = [2, 5, 4, 2, 8];
 * const q = gpu.upload(new Float32Array(B * T * NH * HS).fill(0.1), [B, T, NH, HS]);
 * const k = gpu.upload(new Float32Array(B * T * NKV * HS).fill(0.2), [B, T, NKV, HS]);
 * const v = gpu.upload(new Float32Array(B * T * NKV * HS).fill(0.3), [B, T, NKV, HS]);
 * const lengths = gpu.upload(new Int32Array([5, 3]));
 * const out = gpu.tensor([B, T, NH, HS]), lse = gpu.tensor([B, NH, T]);
 * const enc = gpu.encoder();
 * attentionForward(enc, { out, lse, q, k, v, lengths, nHeads: NH, nKvHeads: NKV });
 * gpu.submit(enc);
 * ```
 */
export function attentionForward(enc: Encoder, args: AttentionForwardArgs): void {
  const name = "attentionForward";
  const s = shapeOf(name, args);
  expectSize(name, args.out, s.b * s.t * s.nh * s.hs);
  expectSize(name, args.lse, s.b * s.nh * s.t);
  const { q, k, v, lengths, out, lse } = args;
  checkBindings(enc, name, [q, k, v, lengths, out, lse]);
  if (s.b * s.t === 0) return;
  if (args.design === "products") {
    const ws = args.workspace ?? scratchWorkspace(enc, s, false);
    productsForward(enc, s, { q, k, v, lengths, out, lse }, ws);
    return;
  }
  const tile = pickTile(enc, name, s.hs, 0, args.tile);
  checkFlashLoops(enc, name, s, 1, tile);
  const rows = rowsOf(name, args.rowsPerLane);
  launchTiles(enc, FORWARD, s, tile, rows, s.nh, [q, k, v, lengths, out, lse]);
}

/** Tensors and sizes of {@linkcode attentionBackward}. */
export interface AttentionBackwardArgs {
  /** (B, T, NH, HS) gradient for q, overwritten. */
  dQ: Tensor;
  /** (B, T, NKV, HS) gradient for k, overwritten. */
  dK: Tensor;
  /** (B, T, NKV, HS) gradient for v, overwritten. */
  dV: Tensor;
  /** (B, T, NH, HS) gradient of the output. */
  dOut: Tensor;
  /** (B, T, NH, HS) queries, as given to the forward. */
  q: Tensor;
  /** (B, T, NKV, HS) keys. */
  k: Tensor;
  /** (B, T, NKV, HS) values. */
  v: Tensor;
  /** (B, T, NH, HS) the forward's output. */
  out: Tensor;
  /** (B, NH, T) the forward's logsumexp. */
  lse: Tensor;
  /** (B,) i32 or u32 valid positions of each row. */
  lengths: Tensor;
  /** NH, query heads. */
  nHeads: number;
  /** NKV, key/value heads. */
  nKvHeads: number;
  /** Softmax scale, as in the forward. Default 1/√HS. */
  scale?: number;
  /** Sliding window, as in the forward. Default: none. */
  window?: number;
  /** Soft-cap, as in the forward. Default: none. */
  softcap?: number;
  /** (B, NH, T, 2) f32 scratch for (lse, D) per query row; taken from the pool when omitted. */
  stats?: Tensor;
  /**
   * Invocations per workgroup and rows per staged tile (a multiple of 4, at most 64); each
   * workgroup covers `rowsPerLane`·tile rows. Default: the largest of 32 (GPUs only), 16, 8, 4
   * whose tiles fit.
   */
  tile?: number;
  /**
   * Rows (queries; keys for dK/dV) each invocation owns: 2 (the default) shares every staged K/V
   * (or Q/dOut) value between two rows, 1 halves the private arrays (a GPU's registers). Swept
   * by `bench/attention_tiles.ts`.
   */
  rowsPerLane?: 1 | 2;
  /**
   * Compute dK and dV in two passes over the queries (each invocation then keeps half the
   * arrays — a GPU's registers — at the cost of computing the scores twice). Default false.
   * Swept by `bench/attention_tiles.ts`.
   */
  splitDkv?: boolean;
  /** The design, as in the forward; default `"flash"`. */
  design?: AttentionDesign;
  /** The products design's buffers, made with `backward: true`; as in the forward. */
  workspace?: AttentionWorkspace;
}

/**
 * Encodes the attention backward: a pre-pass storing `D_i = dOut_i·out_i` beside the lse, then
 * `dQ` per query tile over keys, and `dK`, `dV` per key tile over the queries of every query head
 * in its group (no atomics: deterministic). Padded positions get zero gradient.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { attentionBackward, attentionForward } from "./attention.ts";
 * const gpu = await Gpu.create();
 * const [B, T, NH, HS] = [1, 3, 2, 4];
 * const x = () => gpu.upload(new Float32Array(B * T * NH * HS).fill(0.5), [B, T, NH, HS]);
 * const q = x(), k = x(), v = x(), dOut = x(), out = x(), dQ = x(), dK = x(), dV = x();
 * const lse = gpu.tensor([B, NH, T]), lengths = gpu.upload(new Int32Array([3]));
 * const enc = gpu.encoder();
 * attentionForward(enc, { out, lse, q, k, v, lengths, nHeads: NH, nKvHeads: NH });
 * attentionBackward(enc, { dQ, dK, dV, dOut, q, k, v, out, lse, lengths, nHeads: NH, nKvHeads: NH });
 * gpu.submit(enc);
 * ```
 */
export function attentionBackward(enc: Encoder, args: AttentionBackwardArgs): void {
  const name = "attentionBackward";
  const s = shapeOf(name, args);
  const nq = s.b * s.t * s.nh * s.hs, nkv = s.b * s.t * s.nkv * s.hs;
  expectSize(name, args.out, nq);
  expectSize(name, args.dOut, nq);
  expectSize(name, args.dQ, nq);
  expectSize(name, args.dK, nkv);
  expectSize(name, args.dV, nkv);
  expectSize(name, args.lse, s.b * s.nh * s.t);
  if (args.stats) expectSize(name, args.stats, 2 * s.b * s.nh * s.t);
  const { q, k, v, lengths, out, lse, dOut, dQ, dK, dV } = args;
  checkBindings(enc, name, [q, k, v, lengths, out, lse, dOut, dQ, dK, dV]);
  if (args.stats) checkBindings(enc, name, [args.stats]);
  else if (2 * s.b * s.nh * s.t * 4 > enc.gpu.limits.maxStorageBufferBindingSize) {
    throw new RangeError(`${name}: the (B, NH, T, 2) statistics exceed the binding size limit`);
  }
  if (s.b * s.t === 0) return;
  if (args.design === "products") {
    const ws = args.workspace ?? scratchWorkspace(enc, s, true);
    productsBackward(enc, s, { q, k, v, lengths, lse, dOut, dQ, dK, dV }, ws);
    return;
  }
  const tileQ = pickTile(enc, name, s.hs, 0, args.tile);
  const tileKv = pickTile(enc, name, s.hs, 8, args.tile);
  checkFlashLoops(enc, name, s, 1, tileQ);
  checkFlashLoops(enc, name, s, s.nh / s.nkv, tileKv);
  const stats = args.stats ?? enc.gpu.tensor([s.b, s.nh, s.t, 2], { label: "attention stats" });

  const nRows = s.b * s.t * s.nh;
  const [gx, gy] = grid1d(nRows, STATS_WG, enc.gpu.limits.maxComputeWorkgroupsPerDimension);
  enc.dispatch({
    kernel: ROW_STATS.narrow, // (no private arrays)
    constants: { WG: STATS_WG, HS: s.hs },
    uniforms: params(s, 1, 0, gx * STATS_WG, nRows),
    bindings: [dOut, out, lse, lengths, stats],
    workgroups: [gx, gy],
  });
  const rows = rowsOf(name, args.rowsPerLane);
  launchTiles(enc, BACKWARD_DQ, s, tileQ, rows, s.nh, [q, k, v, lengths, dOut, stats, dQ]);
  const kvBindings = [q, k, v, lengths, dOut, stats, dK, dV];
  for (const parts of args.splitDkv ? [1, 2] : [3]) {
    launchTiles(enc, BACKWARD_DKV, s, tileKv, rows, s.nkv, kvBindings, { DKV: parts });
  }
  // Back to the pool once this encoder is submitted.
  if (!args.stats) enc.keepUntilSubmit(stats);
}

type Shape = ProductsShape;

function shapeOf(
  name: string,
  args: {
    q: Tensor;
    k: Tensor;
    v: Tensor;
    lengths: Tensor;
    nHeads: number;
    nKvHeads: number;
    scale?: number;
    window?: number;
    softcap?: number;
  },
): Shape {
  const { q, k, v, lengths, nHeads: nh, nKvHeads: nkv } = args;
  if (!Number.isInteger(nh) || nh < 1 || !Number.isInteger(nkv) || nkv < 1 || nh % nkv !== 0) {
    throw new RangeError(
      `${name}: nKvHeads (${nkv}) must be a positive integer dividing nHeads (${nh})`,
    );
  }
  if (q.shape.length < 3) {
    throw new RangeError(`${name}: "${q.label}" must be (B, T, NH, HS), got [${q.shape}]`);
  }
  const [b, t] = q.shape;
  const hs = b * t === 0 ? 1 : q.size / (b * t * nh);
  if (!Number.isInteger(hs) || hs < 1) {
    throw new RangeError(
      `${name}: "${q.label}" of shape [${q.shape}] does not split into ${nh} heads`,
    );
  }
  if (hs > ATTENTION_MAX_HEAD_SIZE) {
    throw new RangeError(
      `${name}: head size ${hs} exceeds the largest supported (${ATTENTION_MAX_HEAD_SIZE})`,
    );
  }
  expectSize(name, k, b * t * nkv * hs);
  expectSize(name, v, b * t * nkv * hs);
  expectSize(name, lengths, b);
  if (lengths.dtype !== "i32" && lengths.dtype !== "u32") {
    throw new TypeError(`${name}: "${lengths.label}" must be i32 or u32, got ${lengths.dtype}`);
  }
  for (const x of [q, k, v]) {
    if (x.dtype !== "f32") throw new TypeError(`${name}: "${x.label}" must be f32, got ${x.dtype}`);
  }
  const scale = args.scale ?? 1 / Math.sqrt(hs);
  if (!Number.isFinite(scale)) throw new RangeError(`${name}: scale must be finite, got ${scale}`);
  const w = args.window;
  if (w !== undefined && (!Number.isInteger(w) || w < 1)) {
    throw new RangeError(`${name}: window must be a positive integer, got ${w}`);
  }
  const cap = args.softcap;
  if (cap !== undefined && cap !== null && (!(cap > 0) || !Number.isFinite(cap))) {
    throw new RangeError(`${name}: softcap must be a positive number, got ${cap}`);
  }
  const window = Math.max(1, Math.min(w ?? t, t));
  return { b, t, nh, nkv, hs, scale, window, softcap: cap ?? 0 };
}

/** A workspace for one call, back to the pool at the encoder's submit. */
function scratchWorkspace(enc: Encoder, s: Shape, backward: boolean): AttentionWorkspace {
  const ws = AttentionWorkspace.create(enc.gpu, {
    batch: s.b,
    seqLen: s.t,
    nHeads: s.nh,
    headSize: s.hs,
    backward,
  });
  for (const t of ws.tensors) enc.keepUntilSubmit(t);
  return ws;
}

function expectSize(name: string, t: Tensor, n: number): void {
  if (t.size !== n) {
    throw new RangeError(`${name}: "${t.label}" has ${t.size} elements, expected ${n}`);
  }
}

/** Refuses, before encoding anything, tensors the device cannot bind whole. */
function checkBindings(enc: Encoder, name: string, ts: Tensor[]): void {
  const max = enc.gpu.limits.maxStorageBufferBindingSize;
  for (const t of ts) {
    if (t.byteLength > max) {
      throw new RangeError(
        `${name}: "${t.label}" is ${t.byteLength} bytes, more than this device binds at once ` +
          `(maxStorageBufferBindingSize ${max}); run fewer rows per call`,
      );
    }
  }
}

/** Rows per invocation: 1 or 2 (default 2). */
function rowsOf(name: string, rows: number | undefined): number {
  if (rows === undefined) return 2;
  if (rows !== 1 && rows !== 2) {
    throw new RangeError(`${name}: rowsPerLane must be 1 or 2, got ${rows}`);
  }
  return rows;
}

/** The largest tile whose two (TILE, HS) vec4 tiles plus `extra` bytes per row fit. */
function pickTile(
  enc: Encoder,
  name: string,
  hs: number,
  extra: number,
  wanted?: number,
): number {
  const limits = enc.gpu.limits;
  const bytes = (tile: number) => 2 * tile * Math.ceil(hs / 4) * 16 + tile * extra;
  const fits = (tile: number) =>
    bytes(tile) <= limits.maxComputeWorkgroupStorageSize &&
    tile <= limits.maxComputeInvocationsPerWorkgroup && tile <= limits.maxComputeWorkgroupSizeX;
  if (wanted !== undefined) {
    if (!Number.isInteger(wanted) || wanted < 4 || wanted > 64 || wanted % 4 !== 0) {
      throw new RangeError(`${name}: tile must be a multiple of 4 in [4, 64], got ${wanted}`);
    }
    if (!fits(wanted)) {
      throw new RangeError(
        `${name}: a tile of ${wanted} rows at head size ${hs} needs ${bytes(wanted)} bytes of ` +
          `workgroup memory; this device has ${limits.maxComputeWorkgroupStorageSize}`,
      );
    }
    return wanted;
  }
  // GPUs: 32 (an H200 at gpt2-small's shape: forward 1.4×, backward 2.1× faster than 16, and
  // 64 slower again; bench/attention_tiles.ts). CPU adapters: 16.
  for (const tile of enc.gpu.isCpu ? [16, 8, 4] : [32, 16, 8, 4]) if (fits(tile)) return tile;
  throw new RangeError(
    `${name}: head size ${hs} needs ${bytes(4)} bytes of workgroup memory; this device has ` +
      `${limits.maxComputeWorkgroupStorageSize}`,
  );
}

function params(s: Shape, nTiles: number, nGroups: number, rowStride: number, nRows = 0) {
  return uniforms({
    t: s.t,
    nh: s.nh,
    nkv: s.nkv,
    group: s.nh / s.nkv,
    n_tiles: nTiles,
    n_groups: nGroups,
    row_stride: rowStride,
    scale: s.scale,
    n_rows: nRows,
    window: s.window,
    softcap: s.softcap,
  }, ["scale", "softcap"]);
}

/** One workgroup per (block of 2·tile rows, head, row), numbered linearly, split over x and y. */
function launchTiles(
  enc: Encoder,
  kernels: typeof FORWARD,
  s: Shape,
  tile: number,
  rows: number,
  heads: number,
  bindings: Tensor[],
  extra: Record<string, number> = {},
): void {
  const nTiles = Math.ceil(s.t / (rows * tile)); // blocks of ROWS·TILE rows
  const nGroups = nTiles * heads * s.b;
  const [gx, gy] = grid1d(nGroups, 1, enc.gpu.limits.maxComputeWorkgroupsPerDimension);
  enc.dispatch({
    kernel: s.hs > NARROW_HEAD_SIZE ? kernels.wide : kernels.narrow,
    constants: { TILE: tile, HS: s.hs, ROWS: rows, ...extra },
    uniforms: params(s, nTiles, nGroups, gx),
    bindings,
    workgroups: [gx, gy],
  });
}
