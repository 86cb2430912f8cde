/**
 * The "products" design of causal attention: the scores of each (row, head) pair are
 * materialized, a chunk of pairs at a time, so the matmul kernels do the arithmetic (see
 * `attention_products.wgsl` for the math and layouts). Reached through `attentionForward` and
 * `attentionBackward` with `design: "products"`; it needs an {@linkcode AttentionWorkspace}.
 *
 * @module
 */
import code from "./attention_products.wgsl" with { type: "text" };
import { type Encoder, type Gpu, grid1d, type Tensor, uniforms } from "./gpu.ts";
import { matmul } from "./matmul.ts";

const WG = 256;
const ROW_WG = 64;
const kernel = (entryPoint: string) => ({ label: "attention products", code, entryPoint });
const RELAYOUT = kernel("relayout");
const SOFTMAX = kernel("softmax_rows");
const SOFTMAX_GRAD = kernel("softmax_grad");
const TO_HEADS = 0, FROM_HEADS = 1;

/** Sizes of an {@linkcode AttentionWorkspace}. */
export interface AttentionWorkspaceOptions {
  /** Largest B. */
  batch: number;
  /** Largest T. */
  seqLen: number;
  /** NH, query heads. */
  nHeads: number;
  /** HS, head size. */
  headSize: number;
  /** Also hold the backward's buffers. Default true. */
  backward?: boolean;
  /**
   * Bytes one chunk of (T, T) score matrices may take (two such buffers in the backward). Default
   * {@linkcode SCORE_CHUNK_BYTES} (256 MiB), capped by the binding size.
   */
  scoreBytes?: number;
  /**
   * Query rows per causal block: each block's products stop at its last visible key (or start at
   * its first query), skipping the masked half of the T×T work. Default 128 (a GPU tile).
   */
  causalBlock?: number;
}

/** Default bytes of one chunk of (T, T) score matrices (capped by the binding size). */
export const SCORE_CHUNK_BYTES = 256 * 2 ** 20;

/**
 * The buffers of the products design, allocated once for the largest batch: head-major copies
 * of q, k, v (and, for the backward, dOut and the three gradients), each (B, NH, T, HS), and one
 * or two (Z, T, T) score chunks. Release with {@linkcode AttentionWorkspace.release}.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { AttentionWorkspace } from "./attention_products.ts";
 * const gpu = await Gpu.create();
 * const ws = AttentionWorkspace.create(gpu, { batch: 2, seqLen: 16, nHeads: 4, headSize: 8 });
 * ws.release();
 * ```
 */
export class AttentionWorkspace {
  /** The sizes it was made for. */
  readonly options: Readonly<AttentionWorkspaceOptions>;
  /** (Z, T, T) pairs per score chunk at the largest T. */
  readonly pairsPerChunk: number;
  /** Head-major buffers by name: qh, kh, vh, oh (forward output or dOut), dqh, dkh, dvh. */
  readonly heads: Record<string, Tensor>;
  /** Score chunks: s (S, then P), and dp (dP, then dS) when made for the backward. */
  readonly scores: Tensor[];

  private constructor(gpu: Gpu, o: AttentionWorkspaceOptions) {
    this.options = { ...o };
    const { batch: B, seqLen: T, nHeads: NH, headSize: HS } = o;
    const budget = Math.min(
      o.scoreBytes ?? SCORE_CHUNK_BYTES,
      gpu.limits.maxStorageBufferBindingSize,
    );
    const pair = T * T * 4;
    if (pair > budget) {
      throw new RangeError(
        `AttentionWorkspace: one ${T}×${T} score matrix (${pair} bytes) exceeds the chunk budget ` +
          `of ${budget} bytes; use the flash design for sequences this long`,
      );
    }
    this.pairsPerChunk = Math.max(1, Math.min(B * NH, Math.floor(budget / pair)));
    const backward = o.backward ?? true;
    const names = backward
      ? ["qh", "kh", "vh", "oh", "dqh", "dkh", "dvh"]
      : ["qh", "kh", "vh", "oh"];
    const t = (shape: number[], label: string) => gpu.tensor(shape, { label });
    this.heads = Object.fromEntries(
      names.map((n) => [n, t([B, NH, T, HS], `attention ${n}`)]),
    );
    const chunk = [this.pairsPerChunk, T, T];
    this.scores = backward
      ? [t(chunk, "attention scores"), t(chunk, "attention score grads")]
      : [t(chunk, "attention scores")];
  }

  /** Allocates a workspace. */
  static create(gpu: Gpu, options: AttentionWorkspaceOptions): AttentionWorkspace {
    for (const k of ["batch", "seqLen", "nHeads", "headSize"] as const) {
      if (!Number.isInteger(options[k]) || options[k] < 1) {
        throw new RangeError(`AttentionWorkspace: ${k} must be a positive integer`);
      }
    }
    return new AttentionWorkspace(gpu, options);
  }

  /** Every buffer it holds. */
  get tensors(): Tensor[] {
    return [...Object.values(this.heads), ...this.scores];
  }

  /** Returns every buffer to the pool. */
  release(): void {
    for (const t of this.tensors) t.release();
  }
}

/** The sizes of one call. */
export interface ProductsShape {
  b: number;
  t: number;
  nh: number;
  nkv: number;
  hs: number;
  scale: number;
  /** Sliding window W, 1 ≤ W ≤ T (W = T: plain causal). */
  window: number;
  /** Soft-cap c of the scaled scores (0: none). */
  softcap: number;
}

/** Checks that a workspace holds a call's shape (and the backward's buffers when needed). */
function fits(name: string, ws: AttentionWorkspace, s: ProductsShape, backward: boolean): void {
  const o = ws.options;
  if (s.b > o.batch || s.t > o.seqLen || s.nh !== o.nHeads || s.hs !== o.headSize) {
    throw new RangeError(
      `${name}: the workspace holds ${o.batch}×${o.seqLen} rows of ${o.nHeads} heads of ` +
        `${o.headSize}, not ${s.b}×${s.t} of ${s.nh} of ${s.hs}`,
    );
  }
  if (backward && ws.scores.length < 2) {
    throw new RangeError(`${name}: the workspace was made without the backward's buffers`);
  }
}

/** Views of a workspace for one call's (B, T): every head-major buffer and score chunk. */
function viewsOf(ws: AttentionWorkspace, s: ProductsShape) {
  const n = s.b * s.nh * s.t * s.hs;
  const h = Object.fromEntries(
    Object.entries(ws.heads).map(([k, t]) => [k, t.view(0, [s.b * s.nh, s.t, s.hs])]),
  ) as Record<string, Tensor>;
  const pairs = Math.min(
    s.b * s.nh,
    Math.floor(ws.pairsPerChunk * ws.options.seqLen ** 2 / s.t ** 2),
  );
  return { h, n, pairs };
}

function params(
  s: ProductsShape,
  f: { heads: number; n: number; z0?: number; rowStride: number; mode?: number },
) {
  return uniforms({
    t: s.t,
    nh: s.nh,
    heads: f.heads,
    group: s.nh / f.heads,
    hs: s.hs,
    n: f.n,
    z0: f.z0 ?? 0,
    row_stride: f.rowStride,
    scale: s.scale,
    mode: f.mode ?? 0,
    window: s.window,
    softcap: s.softcap,
  }, ["scale", "softcap"]);
}

/**
 * `to_heads`: x (B, T, H, HS) → xh (B, NH, T, HS), repeating each of H heads NH/H times;
 * `from_heads`: xh → x, summing the NH/H heads of each group. Padded positions are zeroed.
 */
function relayout(
  enc: Encoder,
  mode: number,
  s: ProductsShape,
  heads: number,
  src: Tensor,
  dst: Tensor,
  len: Tensor,
) {
  const n = dst.size;
  const [gx, gy] = grid1d(n, WG, enc.gpu.limits.maxComputeWorkgroupsPerDimension);
  enc.dispatch({
    kernel: RELAYOUT,
    constants: { WG },
    uniforms: params(s, { heads, n, rowStride: gx * WG, mode }),
    bindings: [len, src, dst],
    workgroups: [gx, gy],
  });
}

/** One workgroup per score row of pairs [z0, z0 + zc). */
function rowLaunch(
  enc: Encoder,
  kernel: typeof SOFTMAX,
  s: ProductsShape,
  z0: number,
  zc: number,
  bindings: Tensor[],
) {
  const rows = zc * s.t;
  const [gx, gy] = grid1d(rows, 1, enc.gpu.limits.maxComputeWorkgroupsPerDimension);
  enc.dispatch({
    kernel,
    constants: { WG: ROW_WG },
    uniforms: params(s, { heads: s.nh, n: rows, z0, rowStride: gx }),
    bindings,
    workgroups: [gx, gy],
  });
}

/** Runs `fn(z0, zc)` over chunks of (row, head) pairs. */
function chunks(total: number, per: number, fn: (z0: number, zc: number) => void): void {
  for (let z0 = 0; z0 < total; z0 += per) fn(z0, Math.min(per, total - z0));
}

/** Causal blocks of query rows: [first row, rows] pairs covering 0 … T − 1. */
function causalBlocks(t: number, block = 128): [number, number][] {
  if (!Number.isInteger(block) || block < 1) {
    throw new RangeError(
      `AttentionWorkspace: causalBlock must be a positive integer, got ${block}`,
    );
  }
  const out: [number, number][] = [];
  for (let r0 = 0; r0 < t; r0 += block) out.push([r0, Math.min(block, t - r0)]);
  return out;
}

/**
 * One chunk's operands as functions of an element offset inside a pair's matrix: score chunks
 * (Z, T, T) and head-major (Z, T, HS) views starting at the pair z0, each holding everything from
 * that offset to the chunk's end (the products address pairs by their batch strides). A view is
 * made only when asked for.
 */
function chunkViews(
  ws: AttentionWorkspace,
  s: ProductsShape,
  h: Record<string, Tensor>,
  z0: number,
  zc: number,
) {
  const T = s.t, HS = s.hs, pair = T * HS, square = T * T;
  const from = (x: Tensor, base: number, size: number) => (o: number) =>
    x.view(base + o, [size - o]);
  const heads = (x: Tensor) => from(x, z0 * pair, zc * pair);
  return {
    s,
    zc,
    pair,
    square,
    sc: from(ws.scores[0], 0, zc * square),
    // The backward's buffers (absent from a forward-only workspace; the forward never asks).
    dp: from(ws.scores[1], 0, zc * square),
    qh: heads(h.qh),
    kh: heads(h.kh),
    vh: heads(h.vh),
    oh: heads(h.oh),
    dqh: heads(h.dqh),
    dkh: heads(h.dkh),
    dvh: heads(h.dvh),
  };
}

type Views = ReturnType<typeof chunkViews>;
type At = (offset: number) => Tensor;

/** The first key row r0's window holds (0 without a window). */
function firstKey(s: ProductsShape, r0: number): number {
  return Math.max(0, r0 + 1 - s.window);
}

/**
 * out[i, j] = x_i·y_j for every block of rows i and the keys j from the block's first row's
 * window up to its last row (entries outside are left as they are: the softmaxes never read them).
 */
function lowerScores(enc: Encoder, c: Views, blocks: [number, number][], out: At, x: At, y: At) {
  const { s, zc, pair, square } = c;
  for (const [r0, rows] of blocks) {
    const j0 = firstKey(s, r0);
    matmul(enc, {
      out: out(r0 * s.t + j0),
      a: x(r0 * s.hs),
      b: y(j0 * s.hs),
      transB: true,
      m: rows,
      n: r0 + rows - j0,
      k: s.hs,
      ldc: s.t,
      batch: zc,
      strideA: pair,
      strideB: pair,
      strideC: square,
    });
  }
}

/**
 * Per causal block, with w a (T, T) lower-triangular matrix of the pair, zero outside the window
 * (i − W < j ≤ i; the softmaxes write those zeros), so the sums skip the keys (rows) that no
 * row (key) of the block sees:
 * `"rows"`: out_i = alpha·Σ_{j ≤ i} w[i, j]·y_j for the block's rows i (P·V, or dS·K);
 * `"columns"`: out_j = alpha·Σ_{i ≥ j} w[i, j]·y_i for the block's keys j (Pᵀ·dOut, or dSᵀ·Q).
 */
function triangleTimesHeads(
  enc: Encoder,
  c: Views,
  blocks: [number, number][],
  by: "rows" | "columns",
  out: At,
  w: At,
  y: At,
  alpha = 1,
) {
  const { s, zc, pair, square } = c;
  for (const [b0, size] of blocks) {
    const rows = by === "rows";
    const j0 = firstKey(s, b0); // rows: the first key any row of the block sees
    const iEnd = Math.min(s.t, b0 + size - 1 + s.window); // columns: past the last row that sees
    matmul(enc, {
      out: out(b0 * s.hs),
      a: rows ? w(b0 * s.t + j0) : w(b0 * s.t + b0),
      transA: !rows,
      b: y(rows ? j0 * s.hs : b0 * s.hs),
      alpha,
      m: size,
      n: s.hs,
      k: rows ? b0 + size - j0 : iEnd - b0,
      lda: s.t,
      batch: zc,
      strideA: square,
      strideB: pair,
      strideC: pair,
    });
  }
}

/**
 * Encodes the forward with the products design (see `attentionForward` for the arguments).
 *
 * @example
 * ```ts
 * // attentionForward(enc, { ...args, design: "products", workspace });
 * ```
 */
export function productsForward(
  enc: Encoder,
  s: ProductsShape,
  t: { q: Tensor; k: Tensor; v: Tensor; lengths: Tensor; out: Tensor; lse: Tensor },
  ws: AttentionWorkspace,
): void {
  const name = "attentionForward";
  fits(name, ws, s, false);
  const { h, pairs } = viewsOf(ws, s);
  relayout(enc, TO_HEADS, s, s.nh, t.q, h.qh, t.lengths);
  relayout(enc, TO_HEADS, s, s.nkv, t.k, h.kh, t.lengths);
  relayout(enc, TO_HEADS, s, s.nkv, t.v, h.vh, t.lengths);
  const blocks = causalBlocks(s.t, ws.options.causalBlock);
  chunks(s.b * s.nh, pairs, (z0, zc) => {
    const c = chunkViews(ws, s, h, z0, zc);
    lowerScores(enc, c, blocks, c.sc, c.qh, c.kh);
    rowLaunch(enc, SOFTMAX, s, z0, zc, [t.lengths, c.sc(0), t.lse]);
    triangleTimesHeads(enc, c, blocks, "rows", c.oh, c.sc, c.vh);
  });
  relayout(enc, FROM_HEADS, s, s.nh, h.oh, t.out, t.lengths);
}

/**
 * Encodes the backward with the products design (see `attentionBackward` for the arguments).
 *
 * @example
 * ```ts
 * // attentionBackward(enc, { ...args, design: "products", workspace });
 * ```
 */
export function productsBackward(
  enc: Encoder,
  s: ProductsShape,
  t: {
    q: Tensor;
    k: Tensor;
    v: Tensor;
    lengths: Tensor;
    lse: Tensor;
    dOut: Tensor;
    dQ: Tensor;
    dK: Tensor;
    dV: Tensor;
  },
  ws: AttentionWorkspace,
): void {
  const name = "attentionBackward";
  fits(name, ws, s, true);
  const { h, pairs } = viewsOf(ws, s);
  const pairs4: [Tensor, number, Tensor][] = [
    [t.q, s.nh, h.qh],
    [t.k, s.nkv, h.kh],
    [t.v, s.nkv, h.vh],
    [t.dOut, s.nh, h.oh],
  ];
  for (const [x, heads, xh] of pairs4) relayout(enc, TO_HEADS, s, heads, x, xh, t.lengths);
  const blocks = causalBlocks(s.t, ws.options.causalBlock);
  chunks(s.b * s.nh, pairs, (z0, zc) => {
    const c = chunkViews(ws, s, h, z0, zc);
    lowerScores(enc, c, blocks, c.sc, c.qh, c.kh);
    lowerScores(enc, c, blocks, c.dp, c.oh, c.vh); // dP = dOut·Vᵀ
    rowLaunch(enc, SOFTMAX_GRAD, s, z0, zc, [t.lengths, c.sc(0), c.dp(0), t.lse]);
    // dQ = scale·dS·K; dV = Pᵀ·dOut; dK = scale·dSᵀ·Q (all per pair).
    triangleTimesHeads(enc, c, blocks, "rows", c.dqh, c.dp, c.kh, s.scale);
    triangleTimesHeads(enc, c, blocks, "columns", c.dvh, c.sc, c.oh);
    triangleTimesHeads(enc, c, blocks, "columns", c.dkh, c.dp, c.qh, s.scale);
  });
  const back: [Tensor, number, Tensor][] = [
    [h.dqh, s.nh, t.dQ],
    [h.dkh, s.nkv, t.dK],
    [h.dvh, s.nkv, t.dV],
  ];
  for (const [xh, heads, x] of back) relayout(enc, FROM_HEADS, s, heads, xh, x, t.lengths);
}
