/**
 * Log-softmax over the vocabulary fused with the target gather, its backward by row chunks, the
 * per-sequence masked sums, and SFT's mean cross-entropy. See `log_softmax.wgsl` for the math,
 * the layouts and the numerics.
 *
 * The classifier runs over row chunks of the `B·T·V` logits, so every launcher here takes a
 * chunk of R rows; per-row tensors (targets, lse, logp, coef) cover the same R rows.
 *
 * @module
 */
import code from "./log_softmax.wgsl" with { type: "text" };
import { type Encoder, grid1d, type Kernel, type Tensor, uniforms } from "./gpu.ts";

/** Invocations per workgroup of every kernel in this family. */
export const LOG_SOFTMAX_WG = 256;
const WG = LOG_SOFTMAX_WG;
/** Columns each backward invocation handles (strided by WG). */
const BACKWARD_COLS = 8;
const kernel = (entryPoint: string): Kernel => ({ label: "log_softmax", code, entryPoint });
const FORWARD = kernel("forward");
const FORWARD_SUM = kernel("forward_sum");
const FORWARD_SUM_SQ = kernel("forward_sum_sq");
const BACKWARD = kernel("backward");
const BACKWARD_INPLACE = kernel("backward_inplace");
const MASKED_ROW_SUMS = kernel("masked_row_sums");
const TOKEN_COEF = kernel("token_coef");
const CROSS_ENTROPY = kernel("cross_entropy");

/** Options of {@linkcode logSoftmaxGather}. */
export interface LogSoftmaxGatherArgs {
  /** (R, V) logits of a chunk of R token positions. */
  logits: Tensor;
  /** (R,) i32 target token ids; a negative id marks an ignored position (logp = 0). */
  targets: Tensor;
  /** (R,) receives `logits[r, target] − lse[r]`. */
  logp: Tensor;
  /** (R,) receives `log Σ_v exp(logits[r, v])`, kept for the backward. */
  lse: Tensor;
  /** (R,) receives `Σ_v logits[r, v]` when given (TRL's mean-logit metrics). */
  logitSum?: Tensor;
  /** (R,) receives `log Σ_v softmax(logits[r])_v²` when given (WPO's weights); needs `logitSum`. */
  logSumSq?: Tensor;
  /**
   * V, the logits per row, when `logits` is (R, ld) with ld > V padding columns (never read).
   * Default: the last dimension of `logits`.
   */
  vocab?: number;
  /** Largest binding in bytes, below the device's limit (tests force splitting with it). */
  maxBindingBytes?: number;
  /**
   * Soft-cap c > 0 (Gemma 2's `final_logit_softcapping`): each logit x is taken as c·tanh(x/c)
   * (`logp`, `lse` and `logitSum` are of the capped logits). Default: none.
   */
  softcap?: number;
  /** k: every logit is read as k·x first (Granite: 1/`logits_scaling`). Default 1. */
  logitScale?: number;
}

/**
 * Encodes the per-row log-softmax of the target: `lse`, `logp` (and `Σ logits`), one workgroup
 * per row, numerically stable (max subtracted) and deterministic. Chunks larger than one binding
 * are processed in row blocks; a single row larger than a binding is refused.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { logSoftmaxGather } from "./log_softmax.ts";
 * const gpu = await Gpu.create();
 * const logits = gpu.upload(new Float32Array([1, 2, 3, 0, 0, 0]), [2, 3]);
 * const targets = gpu.upload(new Int32Array([2, -1]));
 * const logp = gpu.tensor([2]), lse = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * logSoftmaxGather(enc, { logits, targets, logp, lse });
 * gpu.submit(enc);
 * console.log((await gpu.read([logp]))[0]); // ≈ [-0.4076, 0]
 * ```
 */
export function logSoftmaxGather(enc: Encoder, args: LogSoftmaxGatherArgs): void {
  const { logits, targets, logp, lse, logitSum } = args;
  const [rows, ld] = rowsAndVocab("logSoftmaxGather", logits);
  const v = vocabOf("logSoftmaxGather", args.vocab, ld);
  const { logSumSq } = args;
  if (logSumSq && !logitSum) {
    throw new TypeError("logSoftmaxGather: logSumSq is computed with logitSum; pass both");
  }
  checkRows(
    "logSoftmaxGather",
    rows,
    targets,
    logp,
    lse,
    ...(logitSum ? [logitSum] : []),
    ...(logSumSq ? [logSumSq] : []),
  );
  checkTargets("logSoftmaxGather", targets);
  const lanes = forwardLanes(v);
  for (const b of rowBlocks(enc, "logSoftmaxGather", logits, rows, ld, args.maxBindingBytes)) {
    enc.dispatch({
      kernel: logSumSq ? FORWARD_SUM_SQ : logitSum ? FORWARD_SUM : FORWARD,
      constants: { WG: lanes },
      uniforms: params({
        rows: b.rows,
        v,
        row0: b.row0,
        base: b.base,
        ld,
        cap: capOf("logSoftmaxGather", args.softcap),
        logit_scale: args.logitScale ?? 1,
      }),
      bindings: [
        b.view(logits),
        targets,
        lse,
        logp,
        ...(logitSum ? [logitSum] : []),
        ...(logSumSq ? [logSumSq] : []),
      ],
      workgroups: [b.rows],
    });
  }
}

/**
 * Lanes of the forward's one-workgroup-per-row reduction: about 16 logits per lane, between 32
 * and 256. A small vocabulary with 256 lanes spends its time in the reductions' barriers (18 per
 * row), which cost more than the arithmetic on a software adapter.
 */
function forwardLanes(v: number): number {
  let lanes = 32;
  while (lanes < WG && lanes * 16 < v) lanes *= 2;
  return lanes;
}

/** Options of {@linkcode logSoftmaxBackward}. */
export interface LogSoftmaxBackwardArgs {
  /** (R, V) the chunk's logits (recomputed or kept); overwritten when `dLogits` is omitted. */
  logits: Tensor;
  /** (R,) the forward's logsumexp. */
  lse: Tensor;
  /** (R,) i32 target ids; negative ids give zero gradient rows. */
  targets: Tensor;
  /** (R,) `dL/dlogp` per token, e.g. from {@linkcode tokenCoef} or {@linkcode crossEntropy}. */
  coef: Tensor;
  /** (R, V) receives `dL/dlogits` (overwritten); omit, or pass `logits`, to work in place. */
  dLogits?: Tensor;
  /** V when `logits` (and `dLogits`) are (R, ld) with padding columns, as in the forward. */
  vocab?: number;
  /** Largest binding in bytes, below the device's limit (tests force splitting with it). */
  maxBindingBytes?: number;
  /** The forward's soft-cap; the gradient is then of the raw logits. Default: none. */
  softcap?: number;
  /** The forward's logit scale k. Default 1. */
  logitScale?: number;
}

/**
 * Encodes `dlogits = coef · (onehot(target) − softmax(logits))` per row, from the saved `lse`
 * (with a soft-cap c: of y = c·tanh(x/c), times dy/dx = 1 − (y/c)²).
 * Without `dLogits` (or with `dLogits === logits`) the logits are overwritten in place, which
 * saves a second `(R, V)` buffer.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { logSoftmaxBackward, logSoftmaxGather } from "./log_softmax.ts";
 * const gpu = await Gpu.create();
 * const logits = gpu.upload(new Float32Array([1, 2, 3]), [1, 3]);
 * const targets = gpu.upload(new Int32Array([2])), coef = gpu.upload(new Float32Array([-1]));
 * const logp = gpu.tensor([1]), lse = gpu.tensor([1]);
 * const enc = gpu.encoder();
 * logSoftmaxGather(enc, { logits, targets, logp, lse });
 * logSoftmaxBackward(enc, { logits, lse, targets, coef }); // logits now hold dL/dlogits
 * gpu.submit(enc);
 * ```
 */
export function logSoftmaxBackward(enc: Encoder, args: LogSoftmaxBackwardArgs): void {
  const { logits, lse, targets, coef } = args;
  const inPlace = !args.dLogits || sameRange(args.dLogits, logits);
  const [rows, ld] = rowsAndVocab("logSoftmaxBackward", logits);
  const v = vocabOf("logSoftmaxBackward", args.vocab, ld);
  checkRows("logSoftmaxBackward", rows, lse, targets, coef);
  checkTargets("logSoftmaxBackward", targets);
  if (args.dLogits && args.dLogits.size !== logits.size) {
    throw new RangeError(
      `logSoftmaxBackward: "${args.dLogits.label}" has ${args.dLogits.size} elements, ` +
        `"${logits.label}" ${logits.size}`,
    );
  }
  const groupsX = Math.ceil(v / (WG * BACKWARD_COLS));
  for (const b of rowBlocks(enc, "logSoftmaxBackward", logits, rows, ld, args.maxBindingBytes)) {
    enc.dispatch({
      kernel: inPlace ? BACKWARD_INPLACE : BACKWARD,
      constants: { WG, COLS: BACKWARD_COLS },
      uniforms: params({
        rows: b.rows,
        v,
        row0: b.row0,
        base: b.base,
        ld,
        cap: capOf("logSoftmaxBackward", args.softcap),
        logit_scale: args.logitScale ?? 1,
      }),
      bindings: inPlace
        ? [b.view(logits), targets, lse, coef]
        : [b.view(logits), targets, lse, coef, b.view(args.dLogits!)],
      workgroups: [groupsX, b.rows],
    });
  }
}

/** Options of {@linkcode maskedRowSums}. */
export interface MaskedRowSumsArgs {
  /** (B, T) per-token values, e.g. log-probs. */
  values: Tensor;
  /** (B, T) f32 weights, 1 on response tokens and 0 elsewhere. */
  mask: Tensor;
  /** (B,) receives `Σ_t mask·values`. */
  sums: Tensor;
  /** (B,) receives `Σ_t mask` (token counts). */
  counts: Tensor;
}

/**
 * Encodes per-sequence masked sums: sequence log-probs and their token counts.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { maskedRowSums } from "./log_softmax.ts";
 * const gpu = await Gpu.create();
 * const values = gpu.upload(new Float32Array([-1, -2, -3, -4]), [2, 2]);
 * const mask = gpu.upload(new Float32Array([0, 1, 1, 1]), [2, 2]);
 * const sums = gpu.tensor([2]), counts = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * maskedRowSums(enc, { values, mask, sums, counts }); // sums [-2, -7], counts [1, 2]
 * gpu.submit(enc);
 * ```
 */
export function maskedRowSums(enc: Encoder, args: MaskedRowSumsArgs): void {
  const { values, mask, sums, counts } = args;
  const [rows, t] = rowsAndVocab("maskedRowSums", values);
  if (mask.size !== values.size) {
    throw new RangeError(
      `maskedRowSums: "${mask.label}" has ${mask.size} elements, expected ${values.size}`,
    );
  }
  checkRows("maskedRowSums", rows, sums, counts);
  const maxWg = enc.gpu.limits.maxComputeWorkgroupsPerDimension;
  if (rows > maxWg) {
    throw new RangeError(`maskedRowSums: ${rows} rows, more than ${maxWg} workgroups`);
  }
  enc.dispatch({
    kernel: MASKED_ROW_SUMS,
    constants: { WG },
    uniforms: params({ rows, v: t }),
    bindings: [values, mask, sums, counts],
    workgroups: [rows],
  });
}

/** Options of {@linkcode tokenCoef}. */
export interface TokenCoefArgs {
  /** (B,) `dL/dlogπ` per sequence, e.g. the DPO kernel's `grad`. */
  rowGrad: Tensor;
  /** (B, T) f32 response mask. */
  mask: Tensor;
  /** (B, T) receives `scale · rowGrad[b] · mask[b, t]`, the backward's per-token coefficient. */
  coef: Tensor;
  /** Multiplies the coefficients, e.g. 1/k over k accumulated micro-batches. Default 1. */
  scale?: number;
}

/**
 * Encodes the per-token coefficient of the log-softmax backward from per-sequence gradients:
 * `coef[b, t] = rowGrad[b] · mask[b, t]` (a sequence log-prob is the masked sum of its tokens').
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { tokenCoef } from "./log_softmax.ts";
 * const gpu = await Gpu.create();
 * const rowGrad = gpu.upload(new Float32Array([0.5, -0.5]));
 * const mask = gpu.upload(new Float32Array([0, 1, 1, 1]), [2, 2]), coef = gpu.tensor([2, 2]);
 * const enc = gpu.encoder();
 * tokenCoef(enc, { rowGrad, mask, coef }); // [0, 0.5, -0.5, -0.5]
 * gpu.submit(enc);
 * ```
 */
export function tokenCoef(enc: Encoder, args: TokenCoefArgs): void {
  const { rowGrad, mask, coef, scale = 1 } = args;
  const [rows, t] = rowsAndVocab("tokenCoef", mask);
  checkRows("tokenCoef", rows, rowGrad);
  if (coef.size !== mask.size) {
    throw new RangeError(
      `tokenCoef: "${coef.label}" has ${coef.size} elements, expected ${mask.size}`,
    );
  }
  const n = mask.size;
  const [gx, gy] = grid1d(n, WG, enc.gpu.limits.maxComputeWorkgroupsPerDimension);
  enc.dispatch({
    kernel: TOKEN_COEF,
    constants: { WG },
    uniforms: params({ rows, v: t, n, row_stride: gx * WG, scale }),
    bindings: [rowGrad, mask, coef],
    workgroups: [gx, gy],
  });
}

/** Options of {@linkcode crossEntropy}. */
export interface CrossEntropyArgs {
  /** (N,) token log-probs of the targets (N = B·T), from {@linkcode logSoftmaxGather}. */
  logp: Tensor;
  /** (N,) f32 mask of the tokens that count (response tokens). */
  mask: Tensor;
  /** (1,) receives `−Σ mask·logp / Σ mask` (0 when no token counts). */
  loss: Tensor;
  /** (N,) receives `scale · dloss/dlogp = −scale · mask / Σ mask`, the backward's coefficient. */
  coef: Tensor;
  /** Multiplies the coefficients (not the loss), e.g. 1/k over k micro-batches. Default 1. */
  scale?: number;
}

/**
 * Encodes SFT's mean cross-entropy over unmasked tokens and its per-token backward coefficient,
 * on the GPU in one workgroup (no readback). With no unmasked token both are 0.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { crossEntropy } from "./log_softmax.ts";
 * const gpu = await Gpu.create();
 * const logp = gpu.upload(new Float32Array([-1, -3])), mask = gpu.upload(new Float32Array([1, 1]));
 * const loss = gpu.tensor([1]), coef = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * crossEntropy(enc, { logp, mask, loss, coef }); // loss 2, coef [-0.5, -0.5]
 * gpu.submit(enc);
 * ```
 */
export function crossEntropy(enc: Encoder, args: CrossEntropyArgs): void {
  const { logp, mask, loss, coef, scale = 1 } = args;
  const n = logp.size;
  for (const t of [mask, coef]) {
    if (t.size !== n) {
      throw new RangeError(`crossEntropy: "${t.label}" has ${t.size} elements, expected ${n}`);
    }
  }
  if (loss.size < 1) throw new RangeError(`crossEntropy: "${loss.label}" is empty`);
  enc.dispatch({
    kernel: CROSS_ENTROPY,
    constants: { WG },
    uniforms: params({ n, scale }),
    bindings: [logp, mask, coef, loss],
    workgroups: [1],
  });
}

function params(fields: Partial<Record<string, number>>): Uint32Array {
  const { rows = 0, v = 0, row0 = 0, base = 0, n = 0, row_stride = 0, scale = 1 } = fields;
  const ld = fields.ld ?? v, cap = fields.cap ?? 0, logit_scale = fields.logit_scale ?? 1;
  return uniforms(
    { rows, v, row0, base, n, row_stride, scale, ld, cap, logit_scale },
    ["scale", "cap", "logit_scale"],
  );
}

/** A soft-cap: undefined or null for none (0), else a positive finite number. */
function capOf(name: string, cap: number | null | undefined): number {
  if (cap === undefined || cap === null) return 0;
  if (!(cap > 0) || !Number.isFinite(cap)) {
    throw new RangeError(`${name}: softcap must be a positive number, got ${cap}`);
  }
  return cap;
}

/** V: `vocab` when given (1 … the row stride `ld`), else `ld`. */
function vocabOf(name: string, vocab: number | undefined, ld: number): number {
  if (vocab === undefined) return ld;
  if (!Number.isInteger(vocab) || vocab < 1 || vocab > ld) {
    throw new RangeError(
      `${name}: vocab must be an integer in 1 … ${ld} (the row stride), got ${vocab}`,
    );
  }
  return vocab;
}

/** A block of rows bound as one range of the logits. */
interface RowBlock {
  row0: number;
  rows: number;
  base: number;
  view: (t: Tensor) => Tensor;
}

/**
 * Splits R rows `v` elements apart (the row stride) into blocks whose logits range fits one
 * binding (and whose count fits one dispatch dimension). Each range starts at the aligned element
 * at or before its first row.
 */
function rowBlocks(
  enc: Encoder,
  name: string,
  logits: Tensor,
  rows: number,
  v: number,
  maxBindingBytes?: number,
): RowBlock[] {
  const limits = enc.gpu.limits;
  const limitElems = Math.floor(
    Math.min(maxBindingBytes ?? Infinity, limits.maxStorageBufferBindingSize) / 4,
  );
  const align = limits.minStorageBufferOffsetAlignment / 4;
  const perBlock = Math.min(
    limits.maxComputeWorkgroupsPerDimension,
    Math.floor((limitElems - (align - 1)) / v),
  );
  if (perBlock < 1) {
    throw new RangeError(
      `${name}: one row of "${logits.label}" (V = ${v}, ${v * 4} bytes) does not fit one ` +
        `binding of ${limitElems * 4} bytes; the vocabulary is too large for this device`,
    );
  }
  const blocks: RowBlock[] = [];
  for (let row0 = 0; row0 < rows; row0 += perBlock) {
    const n = Math.min(perBlock, rows - row0);
    const first = row0 * v, start = Math.floor(first / align) * align;
    const len = first + n * v - start;
    const whole = start === 0 && len === logits.size;
    blocks.push({
      row0,
      rows: n,
      base: first - start,
      view: (t) => whole ? t : t.view(start, [len], `${t.label}[rows ${row0}…${row0 + n - 1}]`),
    });
  }
  return blocks;
}

function rowsAndVocab(name: string, t: Tensor): [number, number] {
  if (t.shape.length < 2) {
    throw new RangeError(`${name}: "${t.label}" must be (rows, columns), got [${t.shape}]`);
  }
  const v = t.shape[t.shape.length - 1];
  return [t.size / v, v];
}

function checkRows(name: string, rows: number, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (t.size !== rows) {
      throw new RangeError(
        `${name}: "${t.label}" has ${t.size} elements, expected ${rows} (one per row)`,
      );
    }
  }
}

function checkTargets(name: string, t: Tensor): void {
  if (t.dtype !== "i32") throw new TypeError(`${name}: "${t.label}" must be i32, got ${t.dtype}`);
}

function sameRange(a: Tensor, b: Tensor): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset;
}
