/**
 * Small pieces the transformer composes per family: the MLP activation (GELU for gpt2, SwiGLU
 * for llama/qwen2) behind one signature.
 *
 * @module
 */
import type { ModelFamily } from "./config.ts";
import type { Encoder, Tensor } from "../kernels/gpu.ts";
import { geluBackward, geluForward, swigluBackward, swigluForward } from "../kernels/activation.ts";

/** Tensors of {@linkcode activationForward}: (N, F) each. */
export interface ActivationForwardArgs {
  /** Result. */
  out: Tensor;
  /** gpt2: the pre-activation; llama: the gate. */
  a: Tensor;
  /** llama: the up projection (unused by gpt2). */
  b: Tensor;
}

/**
 * `out = gelu(a)` (gpt2) or `out = silu(a)·b` (llama, qwen2).
 *
 * @example
 * ```ts
 * import { activationForward } from "./blocks.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const a = gpu.upload(new Float32Array([1, -1])), b = gpu.upload(new Float32Array([2, 2]));
 * const out = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * activationForward(enc, "llama", { out, a, b });
 * gpu.submit(enc);
 * ```
 */
export function activationForward(
  enc: Encoder,
  family: ModelFamily,
  args: ActivationForwardArgs,
): void {
  if (family === "gpt2") geluForward(enc, { out: args.out, x: args.a });
  else swigluForward(enc, { out: args.out, gate: args.a, up: args.b });
}

/** Tensors of {@linkcode activationBackward}: (N, F) each. */
export interface ActivationBackwardArgs {
  /** Gradient of the output. */
  dOut: Tensor;
  /** The forward's `a`. */
  a: Tensor;
  /** The forward's `b`. */
  b: Tensor;
  /** Gradient for `a`, overwritten. */
  dA: Tensor;
  /** Gradient for `b`, overwritten (llama only). */
  dB: Tensor;
}

/**
 * The backward of {@linkcode activationForward}.
 *
 * @example
 * ```ts
 * import { activationBackward } from "./blocks.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const t = () => gpu.upload(new Float32Array([1, -1]));
 * const enc = gpu.encoder();
 * activationBackward(enc, "gpt2", { dOut: t(), a: t(), b: t(), dA: gpu.tensor([2]), dB: gpu.tensor([2]) });
 * gpu.submit(enc);
 * ```
 */
export function activationBackward(
  enc: Encoder,
  family: ModelFamily,
  args: ActivationBackwardArgs,
): void {
  if (family === "gpt2") geluBackward(enc, { dx: args.dA, x: args.a, dOut: args.dOut });
  else {
    swigluBackward(enc, {
      dGate: args.dA,
      dUp: args.dB,
      gate: args.a,
      up: args.b,
      dOut: args.dOut,
    });
  }
}
