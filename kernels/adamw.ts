/**
 * AdamW with PyTorch's exact formulation and the gradient clip scale folded in. See
 * `adamw.wgsl` for the math and numerics.
 *
 * @module
 */
import code from "./adamw.wgsl" with { type: "text" };
import { type Encoder, grid1d, type Tensor, uniforms } from "./gpu.ts";

const WG = 256;
const STEP = { label: "adamw", code, entryPoint: "step" };
const STEP_CLIPPED = { label: "adamw", code, entryPoint: "step_clipped" };

/** Options of {@linkcode adamw}. */
export interface AdamWArgs {
  /** (N,) parameters, updated in place. */
  param: Tensor;
  /** (N,) gradient of the loss (before clipping). */
  grad: Tensor;
  /** (N,) first moment, updated in place (zeros before step 1). */
  m: Tensor;
  /** (N,) second moment, updated in place (zeros before step 1). */
  v: Tensor;
  /** Learning rate of this step. */
  lr: number;
  /** First-moment decay, e.g. 0.9. */
  beta1: number;
  /** Second-moment decay, e.g. 0.999. */
  beta2: number;
  /** Denominator epsilon, e.g. 1e-8. */
  eps: number;
  /** Decoupled weight decay of this tensor (0 for norms and biases). */
  weightDecay: number;
  /** The 1-based step number `t` (bias correction). */
  step: number;
  /**
   * Multiplies the gradient: a (1,) scale, or the (2,) `[norm, clipScale]` output of
   * `gradNorm` (its element 1 is read). 1 when omitted.
   */
  clipScale?: Tensor;
  /** Largest binding in bytes, below the device's limit (tests force splitting with it). */
  maxBindingBytes?: number;
}

/**
 * Encodes one AdamW step on one tensor, as `torch.optim.AdamW`: decoupled weight decay, both
 * moments, bias correction (factors computed in float64 here), and the gradient multiplied by
 * `clipScale` in the same pass, so clipping needs no readback. Tensors larger than one binding
 * are updated in aligned ranges.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { adamw } from "./adamw.ts";
 * const gpu = await Gpu.create();
 * const param = gpu.upload(new Float32Array([1, 2])), grad = gpu.upload(new Float32Array([0.1, -0.2]));
 * const m = gpu.upload(new Float32Array(2)), v = gpu.upload(new Float32Array(2));
 * const enc = gpu.encoder();
 * adamw(enc, {
 *   param, grad, m, v, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1,
 * });
 * gpu.submit(enc);
 * ```
 */
export function adamw(enc: Encoder, args: AdamWArgs): void {
  const { param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step, clipScale } = args;
  const n = param.size;
  for (const t of [grad, m, v]) {
    if (t.size !== n) {
      throw new RangeError(`adamw: "${t.label}" has ${t.size} elements, "${param.label}" ${n}`);
    }
  }
  for (const t of [param, grad, m, v, ...(clipScale ? [clipScale] : [])]) {
    if (t.dtype !== "f32") throw new TypeError(`adamw: "${t.label}" is ${t.dtype}, expected f32`);
  }
  if (clipScale && clipScale.size !== 1 && clipScale.size !== 2) {
    throw new RangeError(`adamw: clipScale "${clipScale.label}" must hold 1 or 2 elements`);
  }
  if (!Number.isInteger(step) || step < 1) {
    throw new RangeError(`adamw: step must be an integer ≥ 1, got ${step}`);
  }
  for (const [name, x] of Object.entries({ lr, beta1, beta2, eps, weightDecay })) {
    if (!Number.isFinite(x)) throw new RangeError(`adamw: ${name} must be finite, got ${x}`);
  }
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
    throw new RangeError(`adamw: betas must lie in [0, 1), got ${beta1}, ${beta2}`);
  }
  // Bias corrections in float64, as PyTorch computes them in Python floats.
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const fields = {
    decay: 1 - lr * weightDecay,
    beta1,
    beta2,
    one_minus_beta1: 1 - beta1,
    one_minus_beta2: 1 - beta2,
    step_size: stepSize,
    bc2_sqrt: bc2Sqrt,
    eps,
  };
  const clipIndex = clipScale ? clipScale.size - 1 : 0;
  const floats = Object.keys(fields);
  const limits = enc.gpu.limits;
  const limit = Math.min(args.maxBindingBytes ?? Infinity, limits.maxStorageBufferBindingSize);
  const align = limits.minStorageBufferOffsetAlignment / 4;
  const chunk = Math.floor(limit / 4 / align) * align;
  if (chunk < 1) throw new RangeError(`adamw: maxBindingBytes ${limit} is below one aligned range`);
  for (let start = 0; start < n; start += chunk) {
    const len = Math.min(chunk, n - start);
    const part = (t: Tensor) => len === t.size ? t : t.view(start, [len]);
    const [gx, gy] = grid1d(len, WG, limits.maxComputeWorkgroupsPerDimension);
    enc.dispatch({
      kernel: clipScale ? STEP_CLIPPED : STEP,
      constants: { WG },
      uniforms: uniforms({ n: len, row_stride: gx * WG, ...fields, clip_index: clipIndex }, floats),
      bindings: [part(param), part(grad), part(m), part(v), ...(clipScale ? [clipScale] : [])],
      workgroups: [gx, gy],
    });
  }
}
