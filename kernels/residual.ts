/**
 * Residual add and its backward. See `residual.wgsl` for the math and layouts.
 *
 * @module
 */
import code from "./residual.wgsl" with { type: "text" };
import { type Encoder, expectSameSize, grid1d, type Tensor, uniforms } from "./gpu.ts";

const WG = 256;
const FORWARD = { label: "residual", code, entryPoint: "forward" };
const BACKWARD = { label: "residual", code, entryPoint: "backward" };

/** Tensors of {@linkcode residualForward}. */
export interface ResidualForwardArgs {
  /** (N,) result. */
  out: Tensor;
  /** (N,) first input. */
  a: Tensor;
  /** (N,) second input. */
  b: Tensor;
  /** s, the second input's factor (Granite's `residual_multiplier`). Default 1. */
  scale?: number;
}

/**
 * Encodes `out = a + s·b` (s = 1 by default: the plain sum).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { residualForward } from "./residual.ts";
 * const gpu = await Gpu.create();
 * const a = gpu.upload(new Float32Array([1, 2])), b = gpu.upload(new Float32Array([3, 4]));
 * const out = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * residualForward(enc, { out, a, b });
 * gpu.submit(enc);
 * ```
 */
export function residualForward(enc: Encoder, args: ResidualForwardArgs): void {
  const n = expectSameSize("residualForward", args.out, args.a, args.b);
  const scale = args.scale ?? 1;
  if (!Number.isFinite(scale)) throw new RangeError(`residualForward: scale must be finite`);
  launch(enc, FORWARD, n, [args.a, args.b, args.out], scale);
}

/** Tensors of {@linkcode residualBackward}. */
export interface ResidualBackwardArgs {
  /** (N,) gradient of the sum. */
  dOut: Tensor;
  /** (N,) gradient for `a`, overwritten. */
  dA: Tensor;
  /** (N,) gradient for `b`, overwritten. */
  dB: Tensor;
}

/**
 * Encodes `dA = dOut; dB = dOut`.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { residualBackward } from "./residual.ts";
 * const gpu = await Gpu.create();
 * const dOut = gpu.upload(new Float32Array([1, 2]));
 * const dA = gpu.tensor([2]), dB = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * residualBackward(enc, { dOut, dA, dB });
 * gpu.submit(enc);
 * ```
 */
export function residualBackward(enc: Encoder, args: ResidualBackwardArgs): void {
  const n = expectSameSize("residualBackward", args.dOut, args.dA, args.dB);
  launch(enc, BACKWARD, n, [args.dOut, args.dA, args.dB]);
}

function launch(
  enc: Encoder,
  kernel: typeof FORWARD,
  n: number,
  bindings: Tensor[],
  scale = 1,
): void {
  const [gx, gy] = grid1d(n, WG, enc.gpu.limits.maxComputeWorkgroupsPerDimension);
  enc.dispatch({
    kernel,
    constants: { WG },
    uniforms: uniforms({ n, row_stride: gx * WG, scale }, ["scale"]),
    bindings,
    workgroups: [gx, gy],
  });
}
