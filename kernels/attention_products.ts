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
   * 256 MiB, capped by the binding size.
   */
  scoreBytes?: number;
}

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
    const budget = Math.min(o.scoreBytes ?? 256 * 2 ** 20, gpu.limits.maxStorageBufferBindingSize);
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
  }, ["scale"]);
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
  const T = s.t, HS = s.hs, pair = T * HS;
  chunks(s.b * s.nh, pairs, (z0, zc) => {
    const sc = ws.scores[0].view(0, [zc, T, T]);
    const at = (x: Tensor) => x.view(z0 * pair, [zc, T, HS]);
    matmul(enc, { out: sc, a: at(h.qh), b: at(h.kh), transB: true, m: T, n: T, k: HS, batch: zc });
    rowLaunch(enc, SOFTMAX, s, z0, zc, [t.lengths, sc, t.lse]);
    matmul(enc, { out: at(h.oh), a: sc, b: at(h.vh), m: T, n: HS, k: T, batch: zc });
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
  const T = s.t, HS = s.hs, pair = T * HS;
  chunks(s.b * s.nh, pairs, (z0, zc) => {
    const sc = ws.scores[0].view(0, [zc, T, T]), dp = ws.scores[1].view(0, [zc, T, T]);
    const at = (x: Tensor) => x.view(z0 * pair, [zc, T, HS]);
    const qh = at(h.qh), kh = at(h.kh), vh = at(h.vh), doh = at(h.oh);
    matmul(enc, { out: sc, a: qh, b: kh, transB: true, m: T, n: T, k: HS, batch: zc });
    matmul(enc, { out: dp, a: doh, b: vh, transB: true, m: T, n: T, k: HS, batch: zc });
    rowLaunch(enc, SOFTMAX_GRAD, s, z0, zc, [t.lengths, sc, dp, t.lse]);
    // dV = Pᵀ·dOut; dQ = scale·dS·K; dK = scale·dSᵀ·Q (all per pair).
    const common = { m: T, n: HS, k: T, batch: zc };
    matmul(enc, { out: at(h.dvh), a: sc, b: doh, transA: true, ...common });
    matmul(enc, { out: at(h.dqh), a: dp, b: kh, alpha: s.scale, ...common });
    matmul(enc, { out: at(h.dkh), a: dp, b: qh, transA: true, alpha: s.scale, ...common });
  });
  const back: [Tensor, number, Tensor][] = [
    [h.dqh, s.nh, t.dQ],
    [h.dkh, s.nkv, t.dK],
    [h.dvh, s.nkv, t.dV],
  ];
  for (const [xh, heads, x] of back) relayout(enc, FROM_HEADS, s, heads, xh, x, t.lengths);
}
