/**
 * Deterministic reductions: the sum and the sum of squares of a vector. See `reduce.wgsl`.
 *
 * @module
 */
import code from "./reduce.wgsl" with { type: "text" };
import type { Encoder, Tensor } from "./gpu.ts";
import { uniforms } from "./gpu.ts";

/** Invocations per workgroup of the reductions. */
export const REDUCE_WG = 256;
const PARTIALS = { label: "reduce", code, entryPoint: "partial_sums" };

/** Options of {@linkcode partialSums}. */
export interface PartialSumsArgs {
  /** (≥ outOffset + groups,) receives one partial per workgroup. */
  out: Tensor;
  /** (N,) input. */
  x: Tensor;
  /** Number of workgroups (partials), 1 … 65535. */
  groups: number;
  /** First element of `out` written. Default 0. */
  outOffset?: number;
  /** Sum squares instead of values. Default false. */
  square?: boolean;
}

/**
 * Encodes the first stage of a deterministic sum: `groups` partial sums of `x` (or of `x²`).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { partialSums } from "./reduce.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array(1000).fill(1)), parts = gpu.tensor([4]);
 * const enc = gpu.encoder();
 * partialSums(enc, { out: parts, x, groups: 4 }); // four partials adding up to 1000
 * gpu.submit(enc);
 * ```
 */
export function partialSums(enc: Encoder, args: PartialSumsArgs): void {
  const { out, x, groups, outOffset = 0, square = false } = args;
  if (!Number.isInteger(groups) || groups < 1) {
    throw new RangeError(`partialSums: groups must be a positive integer, got ${groups}`);
  }
  if (outOffset + groups > out.size) {
    throw new RangeError(
      `partialSums: "${out.label}" holds ${out.size} elements, needs ${outOffset + groups}`,
    );
  }
  enc.dispatch({
    kernel: PARTIALS,
    constants: { WG: REDUCE_WG, SQUARE: square ? 1 : 0 },
    uniforms: uniforms({ n: x.size, out_offset: outOffset, groups }),
    bindings: [x, out],
    workgroups: [groups],
  });
}

/** Options of {@linkcode sum}. */
export interface SumArgs {
  /** (≥ 1,) receives the sum at `outOffset`. */
  out: Tensor;
  /** (N,) input. */
  x: Tensor;
  /** Element of `out` written. Default 0. */
  outOffset?: number;
  /** Sum squares instead of values. Default false. */
  square?: boolean;
  /** (≥ 256,) scratch for the partials; taken from the pool (and returned) when omitted. */
  scratch?: Tensor;
}

/**
 * Encodes a deterministic `Σx` (or `Σx²`) of any length into one element: a partial sum per
 * workgroup, then one workgroup over the partials. The same input gives the same bits.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { sum } from "./reduce.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 2, 3])), s = gpu.tensor([1]);
 * const enc = gpu.encoder();
 * sum(enc, { out: s, x });
 * gpu.submit(enc);
 * ```
 */
export function sum(enc: Encoder, args: SumArgs): void {
  const { out, x, outOffset = 0, square = false } = args;
  const groups = Math.max(1, Math.min(REDUCE_WG, Math.ceil(x.size / (REDUCE_WG * 4))));
  const scratch = args.scratch ?? enc.gpu.tensor([REDUCE_WG], { label: "sum partials" });
  if (scratch.size < groups) {
    throw new RangeError(`sum: scratch "${scratch.label}" needs ${groups} elements`);
  }
  partialSums(enc, { out: scratch, x, groups, square });
  partialSums(enc, { out, x: scratch.view(0, [groups]), groups: 1, outOffset });
  // Pool buffers are only handed out again for later encoding, which runs after this one.
  if (!args.scratch) scratch.release();
}
