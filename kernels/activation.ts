/**
 * Pointwise MLP activations: GELU (tanh form, GPT-2), SwiGLU (Llama, Qwen2) and GeGLU (Gemma),
 * forward and backward. See `activation.wgsl` for the math and the numerics at large |x|.
 *
 * @module
 */
import code from "./activation.wgsl" with { type: "text" };
import { type Encoder, expectSameSize, grid1d, type Kernel, type Tensor, uniforms } from "./gpu.ts";

const WG = 256;
const kernel = (entryPoint: string): Kernel => ({ label: "activation", code, entryPoint });
const GELU_FORWARD = kernel("gelu_forward");
const GELU_BACKWARD = kernel("gelu_backward");
const SWIGLU_FORWARD = kernel("swiglu_forward");
const SWIGLU_BACKWARD = kernel("swiglu_backward");
const GEGLU_FORWARD = kernel("geglu_forward");
const GEGLU_BACKWARD = kernel("geglu_backward");

/** Launch options shared by the activation launchers. */
export interface ActivationLaunchOptions {
  /**
   * Workgroups allowed per dispatch dimension; defaults to the device's
   * `maxComputeWorkgroupsPerDimension`. Tests lower it to exercise the x/y split cheaply.
   */
  maxWorkgroupsPerDimension?: number;
}

/** Tensors of {@linkcode geluForward}. */
export interface GeluForwardArgs extends ActivationLaunchOptions {
  /** (N,) result, any shape of N elements (e.g. (B, T, 4C)). */
  out: Tensor;
  /** (N,) input. */
  x: Tensor;
}

/**
 * Encodes `out = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, GPT-2's GELU (with `exact`,
 * `x·Φ(x)`, GPT-NeoX's).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { geluForward } from "./activation.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([-1, 0, 1])), out = gpu.tensor([3]);
 * const enc = gpu.encoder();
 * geluForward(enc, { out, x });
 * gpu.submit(enc);
 * ```
 */
export function geluForward(enc: Encoder, args: GeluForwardArgs & GegluOptions): void {
  const n = expectSameSize("geluForward", args.x, args.out);
  launch(enc, GELU_FORWARD, n, [args.x, args.out], args.maxWorkgroupsPerDimension, {
    EXACT: args.exact ? 1 : 0,
  });
}

/** Tensors of {@linkcode geluBackward}. */
export interface GeluBackwardArgs extends ActivationLaunchOptions {
  /** (N,) gradient for the input, overwritten. */
  dx: Tensor;
  /** (N,) the forward's input. */
  x: Tensor;
  /** (N,) gradient of the output. */
  dOut: Tensor;
}

/**
 * Encodes `dx = dOut·gelu'(x)` (overwrites `dx`).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { geluBackward } from "./activation.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([-1, 0, 1]));
 * const dOut = gpu.upload(new Float32Array([1, 1, 1])), dx = gpu.tensor([3]);
 * const enc = gpu.encoder();
 * geluBackward(enc, { dx, x, dOut });
 * gpu.submit(enc);
 * ```
 */
export function geluBackward(enc: Encoder, args: GeluBackwardArgs & GegluOptions): void {
  const n = expectSameSize("geluBackward", args.x, args.dOut, args.dx);
  launch(enc, GELU_BACKWARD, n, [args.x, args.dOut, args.dx], args.maxWorkgroupsPerDimension, {
    EXACT: args.exact ? 1 : 0,
  });
}

/** Tensors of {@linkcode swigluForward}. */
export interface SwigluForwardArgs extends ActivationLaunchOptions {
  /** (N, F) result. */
  out: Tensor;
  /** (N, F) gate projection. */
  gate: Tensor;
  /** (N, F) up projection. */
  up: Tensor;
}

/**
 * Encodes `out = silu(gate)·up`, Llama's SwiGLU.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { swigluForward } from "./activation.ts";
 * const gpu = await Gpu.create();
 * const gate = gpu.upload(new Float32Array([-1, 2])), up = gpu.upload(new Float32Array([3, 4]));
 * const out = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * swigluForward(enc, { out, gate, up });
 * gpu.submit(enc);
 * ```
 */
export function swigluForward(enc: Encoder, args: SwigluForwardArgs): void {
  const n = expectSameSize("swigluForward", args.gate, args.up, args.out);
  launch(enc, SWIGLU_FORWARD, n, [args.gate, args.up, args.out], args.maxWorkgroupsPerDimension);
}

/** Tensors of {@linkcode swigluBackward}. */
export interface SwigluBackwardArgs extends ActivationLaunchOptions {
  /** (N, F) gradient for the gate, overwritten. */
  dGate: Tensor;
  /** (N, F) gradient for up, overwritten. */
  dUp: Tensor;
  /** (N, F) the forward's gate input. */
  gate: Tensor;
  /** (N, F) the forward's up input. */
  up: Tensor;
  /** (N, F) gradient of the output. */
  dOut: Tensor;
}

/**
 * Encodes `dGate = dOut·up·silu'(gate)` and `dUp = dOut·silu(gate)` (both overwritten).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { swigluBackward } from "./activation.ts";
 * const gpu = await Gpu.create();
 * const gate = gpu.upload(new Float32Array([-1, 2])), up = gpu.upload(new Float32Array([3, 4]));
 * const dOut = gpu.upload(new Float32Array([1, 1]));
 * const dGate = gpu.tensor([2]), dUp = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * swigluBackward(enc, { dGate, dUp, gate, up, dOut });
 * gpu.submit(enc);
 * ```
 */
export function swigluBackward(enc: Encoder, args: SwigluBackwardArgs): void {
  const { gate, up, dOut, dGate, dUp } = args;
  const n = expectSameSize("swigluBackward", gate, up, dOut, dGate, dUp);
  launch(enc, SWIGLU_BACKWARD, n, [gate, up, dOut, dGate, dUp], args.maxWorkgroupsPerDimension);
}

/**
 * Encodes `out = gelu(gate)·up` with GELU's tanh form, Gemma's GeGLU (`gelu_pytorch_tanh`), or
 * with `exact` the erf GELU `x·Φ(x)` (transformers' `gelu`).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { gegluForward } from "./activation.ts";
 * const gpu = await Gpu.create();
 * const gate = gpu.upload(new Float32Array([-1, 2])), up = gpu.upload(new Float32Array([3, 4]));
 * const out = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * gegluForward(enc, { out, gate, up });
 * gpu.submit(enc);
 * ```
 */
export function gegluForward(enc: Encoder, args: SwigluForwardArgs & GegluOptions): void {
  const n = expectSameSize("gegluForward", args.gate, args.up, args.out);
  launch(enc, GEGLU_FORWARD, n, [args.gate, args.up, args.out], args.maxWorkgroupsPerDimension, {
    EXACT: args.exact ? 1 : 0,
  });
}

/** The GELU of {@linkcode geluForward}, {@linkcode gegluForward} and their backwards. */
export interface GegluOptions {
  /** The exact GELU `x·Φ(x)` (transformers' `gelu`) instead of the tanh form. Default false. */
  exact?: boolean;
}

/**
 * Encodes `dGate = dOut·up·gelu'(gate)` and `dUp = dOut·gelu(gate)` (both overwritten).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { gegluBackward } from "./activation.ts";
 * const gpu = await Gpu.create();
 * const gate = gpu.upload(new Float32Array([-1, 2])), up = gpu.upload(new Float32Array([3, 4]));
 * const dOut = gpu.upload(new Float32Array([1, 1]));
 * const dGate = gpu.tensor([2]), dUp = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * gegluBackward(enc, { dGate, dUp, gate, up, dOut });
 * gpu.submit(enc);
 * ```
 */
export function gegluBackward(enc: Encoder, args: SwigluBackwardArgs & GegluOptions): void {
  const { gate, up, dOut, dGate, dUp } = args;
  const n = expectSameSize("gegluBackward", gate, up, dOut, dGate, dUp);
  launch(enc, GEGLU_BACKWARD, n, [gate, up, dOut, dGate, dUp], args.maxWorkgroupsPerDimension, {
    EXACT: args.exact ? 1 : 0,
  });
}

function launch(
  enc: Encoder,
  kernel: Kernel,
  n: number,
  bindings: Tensor[],
  maxWorkgroups?: number,
  constants: Record<string, number> = {},
): void {
  const max = maxWorkgroups ?? enc.gpu.limits.maxComputeWorkgroupsPerDimension;
  const [gx, gy] = grid1d(n, WG, max);
  enc.dispatch({
    kernel,
    constants: { WG, ...constants },
    uniforms: uniforms({ n, row_stride: gx * WG }),
    bindings,
    workgroups: [gx, gy],
  });
}
