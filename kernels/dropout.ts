/**
 * Dropout with a mask recomputed from a seed (LoRA's `lora_dropout`). See `dropout.wgsl` for the
 * math: the forward and the backward are the same launch.
 *
 * @module
 */
import code from "./dropout.wgsl" with { type: "text" };
import { type Encoder, expectSameSize, grid1d, type Tensor, uniforms } from "./gpu.ts";

const WG = 256;
const KERNEL = { label: "dropout", code, entryPoint: "main" };

/** Tensors and settings of {@linkcode dropout}. */
export interface DropoutArgs {
  /** (N,) result: overwritten, or added to with `accumulate`. */
  out: Tensor;
  /** (N,) input (the backward: the gradient of the dropped values). */
  x: Tensor;
  /** Drop probability p, in [0, 1). */
  p: number;
  /** Seed of the mask (any 32-bit integer): the same seed and shape give the same mask. */
  seed: number;
  /** Add to `out` instead of overwriting it. Default false. */
  accumulate?: boolean;
}

/** `⌊p · 2³²⌋`, the drop threshold of a probability. */
export function dropoutThreshold(p: number): number {
  return Math.min(Math.floor(p * 2 ** 32), 2 ** 32 - 1);
}

/**
 * Encodes `out (+)= x · keep / (1 − p)`, keep(i) drawn from (seed, i) (see `dropout.wgsl`); with
 * the forward's seed it is also the backward.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { dropout } from "./dropout.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 2, 3, 4])), out = gpu.tensor([4]);
 * const enc = gpu.encoder();
 * dropout(enc, { out, x, p: 0.5, seed: 7 }); // each value 0 or doubled
 * gpu.submit(enc);
 * ```
 */
export function dropout(enc: Encoder, args: DropoutArgs): void {
  const n = expectSameSize("dropout", args.out, args.x);
  const { p, seed } = args;
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!Number.isInteger(seed)) throw new RangeError(`dropout: the seed must be an integer`);
  const [gx, gy] = grid1d(n, WG, enc.gpu.limits.maxComputeWorkgroupsPerDimension);
  enc.dispatch({
    kernel: KERNEL,
    constants: { WG },
    uniforms: uniforms({
      n,
      row_stride: gx * WG,
      seed: seed >>> 0,
      threshold: dropoutThreshold(p),
      scale: 1 / (1 - p),
      acc: args.accumulate ? 1 : 0,
    }, ["scale"]),
    bindings: [args.x, args.out],
    workgroups: [gx, gy],
  });
}
