/**
 * Deterministic reductions: the sum and the sum of squares of a vector, and the global L2 norm
 * of many gradient tensors with its clip coefficient. See `reduce.wgsl`.
 *
 * @module
 */
import code from "./reduce.wgsl" with { type: "text" };
import type { Encoder, Tensor } from "./gpu.ts";
import { uniforms } from "./gpu.ts";

/** Invocations per workgroup of the reductions. */
export const REDUCE_WG = 256;
const PARTIALS = { label: "reduce", code, entryPoint: "partial_sums" };
const NORM_CLIP = { label: "reduce", code, entryPoint: "norm_clip" };

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
  if (!args.scratch) enc.keepUntilSubmit(scratch);
}

/** Options of {@linkcode gradNorm}. */
export interface GradNormArgs {
  /** Every gradient tensor (any shapes, f32); each may be larger than one binding. */
  grads: readonly Tensor[];
  /** (2,) receives `[‖g‖, clipScale]`, with `clipScale = min(1, maxNorm / (‖g‖ + 1e-6))`. */
  out: Tensor;
  /** The clipping threshold; `≤ 0` or `Infinity` turn clipping off (`clipScale = 1`). */
  maxNorm: number;
  /** (≥ {@linkcode gradNormSlots},) scratch for the partial sums; pooled when omitted. */
  scratch?: Tensor;
  /** Largest binding in bytes, below the device's limit (tests force splitting with it). */
  maxBindingBytes?: number;
}

/** One range of a gradient tensor that fits a binding, and its first slot in the scratch. */
interface NormRange {
  x: Tensor;
  slot: number;
  groups: number;
}

function normRanges(
  grads: readonly Tensor[],
  maxBindingBytes: number,
  alignBytes: number,
  maxGroups: number,
): { ranges: NormRange[]; slots: number } {
  // Ranges start at multiples of the binding alignment; a tensor's own offset must be aligned.
  const alignElems = Math.max(1, alignBytes / 4);
  const maxElems = Math.floor(maxBindingBytes / 4 / alignElems) * alignElems;
  if (maxElems < 1) {
    throw new RangeError(`gradNorm: maxBindingBytes ${maxBindingBytes} is below one aligned range`);
  }
  const ranges: NormRange[] = [];
  let slots = 0;
  for (const g of grads) {
    if (g.dtype !== "f32") {
      throw new TypeError(`gradNorm: "${g.label}" is ${g.dtype}, expected f32`);
    }
    for (let start = 0; start < g.size; start += maxElems) {
      const n = Math.min(maxElems, g.size - start);
      const x = start === 0 && n === g.size ? g : g.view(start, [n], `${g.label}[${start}:]`);
      const groups = Math.max(1, Math.min(maxGroups, Math.ceil(n / (REDUCE_WG * 4))));
      ranges.push({ x, slot: slots, groups });
      slots += groups;
    }
  }
  return { ranges, slots };
}

/**
 * Most partial sums (workgroups) per gradient range: on a CPU adapter each workgroup's barrier
 * tree costs lane switches, so 8 workgroups with long serial sums (a 470 k-element bucket: 2.3 →
 * 0.8 ms on lavapipe; 4 or 16 groups the same, 32 slower); on a GPU, 256 to fill it.
 */
function normGroups(gpu: Encoder["gpu"]): number {
  return gpu.isCpu ? 8 : REDUCE_WG;
}

/**
 * The number of scratch elements {@linkcode gradNorm} needs for these tensors.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { gradNormSlots } from "./reduce.ts";
 * const gpu = await Gpu.create();
 * console.log(gradNormSlots(gpu, [gpu.tensor([1000]), gpu.tensor([3])])); // 2
 * ```
 */
export function gradNormSlots(
  gpu: Encoder["gpu"],
  grads: readonly Tensor[],
  maxBindingBytes?: number,
): number {
  const limit = Math.min(maxBindingBytes ?? Infinity, gpu.limits.maxStorageBufferBindingSize);
  return normRanges(grads, limit, gpu.limits.minStorageBufferOffsetAlignment, normGroups(gpu))
    .slots;
}

/**
 * Encodes the global L2 norm of many gradient tensors and PyTorch's clip coefficient, on the GPU
 * (no readback): every tensor's partial sums of squares go to their own slots of one scratch
 * tensor, then one workgroup adds all slots in a fixed order and writes `[‖g‖, clipScale]`.
 * Tensors larger than one binding are reduced in aligned ranges. A NaN anywhere gives a NaN
 * norm (and clip scale, when clipping), so the trainer can stop.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { gradNorm } from "./reduce.ts";
 * const gpu = await Gpu.create();
 * const a = gpu.upload(new Float32Array([3])), b = gpu.upload(new Float32Array([4]));
 * const out = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * gradNorm(enc, { grads: [a, b], out, maxNorm: 1 });
 * gpu.submit(enc);
 * console.log((await gpu.read([out]))[0]); // ≈ [5, 0.2]
 * ```
 */
export function gradNorm(enc: Encoder, args: GradNormArgs): void {
  const { grads, out, maxNorm } = args;
  const limits = enc.gpu.limits;
  if (out.size < 2) {
    throw new RangeError(`gradNorm: "${out.label}" holds ${out.size} elements, needs 2`);
  }
  if (Number.isNaN(maxNorm)) throw new RangeError("gradNorm: maxNorm is NaN");
  const limit = Math.min(args.maxBindingBytes ?? Infinity, limits.maxStorageBufferBindingSize);
  const { ranges, slots } = normRanges(
    grads,
    limit,
    limits.minStorageBufferOffsetAlignment,
    normGroups(enc.gpu),
  );
  const total = Math.max(1, slots);
  const scratch = args.scratch ?? enc.gpu.tensor([total], { label: "grad norm partials" });
  if (scratch.size < total) {
    throw new RangeError(`gradNorm: scratch "${scratch.label}" needs ${total} elements`);
  }
  if (slots === 0) enc.zero(scratch.view(0, [1]));
  for (const r of ranges) {
    partialSums(enc, { out: scratch, x: r.x, groups: r.groups, outOffset: r.slot, square: true });
  }
  enc.dispatch({
    kernel: NORM_CLIP,
    constants: { WG: REDUCE_WG },
    uniforms: uniforms(
      {
        n: total,
        out_offset: 0,
        groups: 1,
        max_norm: maxNorm > 0 && maxNorm < Infinity ? maxNorm : 0,
      },
      ["max_norm"],
    ),
    bindings: [scratch.view(0, [total]), out],
    workgroups: [1],
  });
  if (!args.scratch) enc.keepUntilSubmit(scratch);
}
