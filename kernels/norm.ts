/**
 * LayerNorm (GPT-2) and RMSNorm (Llama, Qwen2): forward saving the row statistics, backward for
 * the input (overwritten) and the parameters (accumulated, by a deterministic two-stage sum).
 * See `norm.wgsl` for the math, layouts and numerics.
 *
 * @module
 */
import code from "./norm.wgsl" with { type: "text" };
import { type Encoder, expectTensor, type Kernel, type Tensor, uniforms } from "./gpu.ts";

const kernel = (entryPoint: string): Kernel => ({ label: "norm", code, entryPoint });
const LN_FORWARD = kernel("layernorm_forward");
const RMS_FORWARD = kernel("rmsnorm_forward");
const LN_BACKWARD = kernel("layernorm_backward");
const RMS_BACKWARD = kernel("rmsnorm_backward");
const LN_PARTIALS = kernel("layernorm_param_partials");
const RMS_PARTIALS = kernel("rmsnorm_param_partials");
const SUM2 = kernel("param_sum2");
const SUM1 = kernel("param_sum1");

/** Invocations per workgroup of the column kernels (parameter-gradient stages). */
const COLUMN_WG = 64;
/** At most this many row blocks in the parameter-gradient partials. */
const MAX_ROW_BLOCKS = 128;
/** Rows per block at least, so small batches do not make needless partials. */
const MIN_ROWS_PER_BLOCK = 16;

/** Launch options shared by the norm launchers. */
export interface NormLaunchOptions {
  /**
   * Workgroups allowed per dispatch dimension; defaults to the device's
   * `maxComputeWorkgroupsPerDimension`. Tests lower it to exercise the x/y split cheaply.
   */
  maxWorkgroupsPerDimension?: number;
}

/** Tensors and options of {@linkcode layerNormForward}. */
export interface LayerNormForwardArgs extends NormLaunchOptions {
  /** (N, C) result. */
  out: Tensor;
  /** (N,) row means, saved for the backward. */
  mean: Tensor;
  /** (N,) row reciprocal standard deviations, saved for the backward. */
  rstd: Tensor;
  /** (N, C) input; C is taken from `weight`. */
  x: Tensor;
  /** (C,) scale. */
  weight: Tensor;
  /** (C,) shift; omit for a LayerNorm without one (Cohere). */
  bias?: Tensor;
  /** Added to the variance. Default 1e-5 (GPT-2). */
  eps?: number;
}

/**
 * Encodes LayerNorm over the last dimension: `out = (x−μ)·rstd·weight + bias`, saving μ and rstd.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { layerNormForward } from "./norm.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 2, 3, 4, 5, 7]), [2, 3]);
 * const weight = gpu.upload(new Float32Array([1, 1, 1])), bias = gpu.upload(new Float32Array(3));
 * const out = gpu.tensor([2, 3]), mean = gpu.tensor([2]), rstd = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * layerNormForward(enc, { out, mean, rstd, x, weight, bias });
 * gpu.submit(enc);
 * ```
 */
export function layerNormForward(enc: Encoder, args: LayerNormForwardArgs): void {
  const name = "layerNormForward";
  const { n, c } = rowsOf(name, args.x, args.weight);
  if (args.bias) expectTensor(name, args.bias, { size: c });
  expectTensor(name, args.out, { size: n * c });
  expectTensor(name, args.mean, { size: n });
  expectTensor(name, args.rstd, { size: n });
  // Without a bias the weight stands in for the unread binding.
  rowLaunch(
    enc,
    LN_FORWARD,
    n,
    c,
    args.eps ?? 1e-5,
    args.maxWorkgroupsPerDimension,
    [args.x, args.weight, args.bias ?? args.weight, args.out, args.mean, args.rstd],
    0,
    { BIAS: args.bias ? 1 : 0 },
  );
}

/** Tensors and options of {@linkcode layerNormBackward}. */
export interface LayerNormBackwardArgs extends NormLaunchOptions {
  /** (N, C) gradient for the input, overwritten. */
  dx: Tensor;
  /** (C,) gradient for the scale, accumulated (`+=`). */
  dWeight: Tensor;
  /** (C,) gradient for the shift, accumulated (`+=`); omit without a shift (Cohere). */
  dBias?: Tensor;
  /** (N, C) gradient of the output. */
  dOut: Tensor;
  /** (N, C) the forward's input. */
  x: Tensor;
  /** (C,) scale. */
  weight: Tensor;
  /** (N,) the forward's saved means. */
  mean: Tensor;
  /** (N,) the forward's saved rstd. */
  rstd: Tensor;
  /**
   * Scratch of at least {@linkcode normScratchSize} elements for the parameter-gradient
   * partials; taken from the pool (and returned) when omitted.
   */
  scratch?: Tensor;
}

/**
 * Encodes LayerNorm's backward: `dx` (overwritten), `dWeight += Σ dOut·x̂`, `dBias += Σ dOut`.
 * The row sums are deterministic: partial sums per row block, then a fixed-order sum.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { layerNormBackward, layerNormForward } from "./norm.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 2, 3, 4, 5, 7]), [2, 3]);
 * const weight = gpu.upload(new Float32Array([1, 1, 1])), bias = gpu.upload(new Float32Array(3));
 * const out = gpu.tensor([2, 3]), mean = gpu.tensor([2]), rstd = gpu.tensor([2]);
 * const dOut = gpu.upload(new Float32Array([1, 0, 0, 0, 1, 0]), [2, 3]);
 * const dx = gpu.tensor([2, 3]);
 * const dWeight = gpu.upload(new Float32Array(3)), dBias = gpu.upload(new Float32Array(3));
 * const enc = gpu.encoder();
 * layerNormForward(enc, { out, mean, rstd, x, weight, bias });
 * layerNormBackward(enc, { dx, dWeight, dBias, dOut, x, weight, mean, rstd });
 * gpu.submit(enc);
 * ```
 */
export function layerNormBackward(enc: Encoder, args: LayerNormBackwardArgs): void {
  const name = "layerNormBackward";
  const { n, c } = rowsOf(name, args.x, args.weight);
  expectTensor(name, args.dWeight, { size: c });
  if (args.dBias) expectTensor(name, args.dBias, { size: c });
  expectTensor(name, args.dOut, { size: n * c });
  expectTensor(name, args.dx, { size: n * c });
  expectTensor(name, args.mean, { size: n });
  expectTensor(name, args.rstd, { size: n });
  const maxWg = args.maxWorkgroupsPerDimension;
  rowLaunch(enc, LN_BACKWARD, n, c, 0, maxWg, [
    args.x,
    args.weight,
    args.mean,
    args.rstd,
    args.dOut,
    args.dx,
  ]);
  paramGradients(enc, name, {
    n,
    c,
    rms: false,
    scratch: args.scratch,
    maxWg,
    partialBindings: [args.x, args.mean, args.rstd, args.dOut],
    outputs: args.dBias ? [args.dWeight, args.dBias] : [args.dWeight],
  });
}

/** Tensors and options of {@linkcode rmsNormForward}. */
export interface RmsNormForwardArgs extends NormLaunchOptions {
  /** (N, C) result. */
  out: Tensor;
  /** (N,) row reciprocal root-mean-squares, saved for the backward. */
  rstd: Tensor;
  /** (N, C) input; C is taken from `weight`. */
  x: Tensor;
  /** (C,) scale. */
  weight: Tensor;
  /** Added to the mean square. Default 1e-6 (Llama; Qwen2 also uses 1e-6). */
  eps?: number;
  /** Added to each weight: 1 for Gemma, whose weights hold the scale less one. Default 0. */
  offset?: number;
}

/**
 * Encodes RMSNorm over the last dimension: `out = x·rstd·(weight + offset)`,
 * `rstd = 1/√(mean(x²)+eps)`.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { rmsNormForward } from "./norm.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 2, 3, 4, 5, 7]), [2, 3]);
 * const weight = gpu.upload(new Float32Array([1, 1, 1]));
 * const out = gpu.tensor([2, 3]), rstd = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * rmsNormForward(enc, { out, rstd, x, weight });
 * gpu.submit(enc);
 * ```
 */
export function rmsNormForward(enc: Encoder, args: RmsNormForwardArgs): void {
  const name = "rmsNormForward";
  const { n, c } = rowsOf(name, args.x, args.weight);
  expectTensor(name, args.out, { size: n * c });
  expectTensor(name, args.rstd, { size: n });
  rowLaunch(enc, RMS_FORWARD, n, c, args.eps ?? 1e-6, args.maxWorkgroupsPerDimension, [
    args.x,
    args.weight,
    args.out,
    args.rstd,
  ], offsetOf(name, args.offset));
}

/** Tensors and options of {@linkcode rmsNormBackward}. */
export interface RmsNormBackwardArgs extends NormLaunchOptions {
  /** (N, C) gradient for the input, overwritten. */
  dx: Tensor;
  /** (C,) gradient for the scale, accumulated (`+=`). */
  dWeight: Tensor;
  /** (N, C) gradient of the output. */
  dOut: Tensor;
  /** (N, C) the forward's input. */
  x: Tensor;
  /** (C,) scale. */
  weight: Tensor;
  /** Added to each weight, as in the forward. Default 0. */
  offset?: number;
  /** (N,) the forward's saved rstd. */
  rstd: Tensor;
  /**
   * Scratch of at least {@linkcode normScratchSize} elements; taken from the pool (and
   * returned) when omitted.
   */
  scratch?: Tensor;
}

/**
 * Encodes RMSNorm's backward: `dx` (overwritten) and `dWeight += Σ dOut·x̂` (deterministic).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { rmsNormBackward, rmsNormForward } from "./norm.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 2, 3, 4, 5, 7]), [2, 3]);
 * const weight = gpu.upload(new Float32Array([1, 1, 1]));
 * const out = gpu.tensor([2, 3]), rstd = gpu.tensor([2]), dx = gpu.tensor([2, 3]);
 * const dOut = gpu.upload(new Float32Array([1, 0, 0, 0, 1, 0]), [2, 3]);
 * const dWeight = gpu.upload(new Float32Array(3));
 * const enc = gpu.encoder();
 * rmsNormForward(enc, { out, rstd, x, weight });
 * rmsNormBackward(enc, { dx, dWeight, dOut, x, weight, rstd });
 * gpu.submit(enc);
 * ```
 */
export function rmsNormBackward(enc: Encoder, args: RmsNormBackwardArgs): void {
  const name = "rmsNormBackward";
  const { n, c } = rowsOf(name, args.x, args.weight);
  expectTensor(name, args.dWeight, { size: c });
  expectTensor(name, args.dOut, { size: n * c });
  expectTensor(name, args.dx, { size: n * c });
  expectTensor(name, args.rstd, { size: n });
  const maxWg = args.maxWorkgroupsPerDimension;
  rowLaunch(enc, RMS_BACKWARD, n, c, 0, maxWg, [
    args.x,
    args.weight,
    args.rstd,
    args.dOut,
    args.dx,
  ], offsetOf(name, args.offset));
  paramGradients(enc, name, {
    n,
    c,
    rms: true,
    scratch: args.scratch,
    maxWg,
    partialBindings: [args.x, args.rstd, args.dOut],
    outputs: [args.dWeight],
  });
}

/**
 * Elements of scratch the backward launchers need for N rows of C channels: `(R, C)` partials
 * for RMSNorm, `(2R, C)` for LayerNorm, with at most 128 row blocks R.
 *
 * @example
 * ```ts
 * import { normScratchSize } from "./norm.ts";
 * normScratchSize(8192, 768, { rms: false }); // 196608 (128 row blocks × 2 × 768)
 * ```
 */
export function normScratchSize(n: number, c: number, options: { rms: boolean }): number {
  return rowBlocks(n).blocks * c * (options.rms ? 1 : 2);
}

function rowBlocks(n: number): { blocks: number; rowsPerBlock: number } {
  const rowsPerBlock = Math.max(MIN_ROWS_PER_BLOCK, Math.ceil(n / MAX_ROW_BLOCKS));
  return { blocks: Math.max(1, Math.ceil(n / rowsPerBlock)), rowsPerBlock };
}

/**
 * Workgroup size of the row kernels. One 32-lane workgroup per row: on lavapipe every
 * workgroup barrier of the tree sums costs more than the lanes save (measured for LayerNorm
 * forward at N = 1024: C = 128, 8 ms with 32 lanes, 15 with 64, 41 with 128; C = 768, 28, 34
 * and 48 ms), and on GPUs a warp-sized row group is the usual choice for C up to a few
 * thousand. Rows of at most 256 channels take 8 lanes (one lavapipe SIMD group, so no lane
 * switches at the barriers: LayerNorm at N 256, C 128, forward 0.41–0.45 ms against 0.59–0.91
 * with 32 lanes, backward 0.65–0.68 against 0.72–1.09); wider rows than 4096 take 64.
 */
function offsetOf(name: string, offset: number | undefined): number {
  if (offset !== undefined && !Number.isFinite(offset)) {
    throw new RangeError(`${name}: offset must be finite, got ${offset}`);
  }
  return offset ?? 0;
}

function rowWorkgroup(c: number): number {
  return c <= 256 ? 8 : c > 4096 ? 64 : 32;
}

function maxPerDim(enc: Encoder, override?: number): number {
  return override ?? enc.gpu.limits.maxComputeWorkgroupsPerDimension;
}

function rowLaunch(
  enc: Encoder,
  kernel: Kernel,
  n: number,
  c: number,
  eps: number,
  maxWg: number | undefined,
  bindings: Tensor[],
  offset = 0,
  constants: Record<string, number> = {},
): void {
  const max = maxPerDim(enc, maxWg);
  const gy = Math.ceil(n / max);
  if (gy > max) {
    throw new RangeError(`${kernel.entryPoint}: ${n} rows exceed the device's dispatch limits`);
  }
  const gx = Math.ceil(n / gy);
  enc.dispatch({
    kernel,
    constants: { WG: rowWorkgroup(c), ...constants },
    uniforms: uniforms({ n, c, eps, groups_x: gx, rows_per_block: 0, offset }, ["eps", "offset"]),
    bindings,
    workgroups: [gx, gy],
  });
}

function paramGradients(
  enc: Encoder,
  name: string,
  o: {
    n: number;
    c: number;
    rms: boolean;
    scratch?: Tensor;
    maxWg?: number;
    partialBindings: Tensor[];
    outputs: Tensor[];
  },
): void {
  const { n, c, rms } = o;
  const { blocks, rowsPerBlock } = rowBlocks(n);
  const need = normScratchSize(n, c, { rms });
  const scratch = o.scratch ?? enc.gpu.tensor([need], { label: `${name} partials` });
  if (scratch.size < need) {
    throw new RangeError(`${name}: scratch "${scratch.label}" needs ${need} elements`);
  }
  const partials = scratch.view(0, [need], scratch.label);
  const columnGroups = Math.ceil(c / COLUMN_WG);
  const max = maxPerDim(enc, o.maxWg);
  if (columnGroups > max) {
    throw new RangeError(`${name}: ${c} channels exceed the device's dispatch limits`);
  }
  const params = uniforms({ n, c, eps: 0, groups_x: blocks, rows_per_block: rowsPerBlock }, [
    "eps",
  ]);
  enc.dispatch({
    kernel: rms ? RMS_PARTIALS : LN_PARTIALS,
    constants: { WG: COLUMN_WG },
    uniforms: params,
    bindings: [...o.partialBindings, partials],
    workgroups: [columnGroups, blocks],
  });
  // (a LayerNorm without a bias sums only the weight's partials, the first R rows)
  enc.dispatch({
    kernel: rms || o.outputs.length === 1 ? SUM1 : SUM2,
    constants: { WG: COLUMN_WG },
    uniforms: params,
    bindings: [partials, ...o.outputs],
    workgroups: [columnGroups],
  });
  // Pool buffers are only handed out again for later encoding, which runs after this one.
  if (!o.scratch) enc.keepUntilSubmit(scratch);
}

function rowsOf(name: string, x: Tensor, weight: Tensor): { n: number; c: number } {
  const c = weight.size;
  if (c < 1 || x.size % c !== 0) {
    throw new RangeError(
      `${name}: "${x.label}" has ${x.size} elements, not a whole number of rows of ` +
        `C = ${c} ("${weight.label}")`,
    );
  }
  for (const t of [x, weight]) {
    if (t.dtype !== "f32") throw new TypeError(`${name}: "${t.label}" is ${t.dtype}, expected f32`);
  }
  return { n: x.size / c, c };
}
