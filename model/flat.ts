/**
 * Flat storage for per-parameter tensors: every parameter (or its gradient, or an optimizer
 * moment) is a view into a few large buffers ("buckets"), so the work that touches all of them
 * (zeroing gradients, the global gradient norm, AdamW) is a handful of dispatches instead of one
 * per tensor.
 *
 * Layout (the same for parameters, gradients and both moments, so one range addresses all four):
 * parameters AdamW decays come first, then the rest, each at an element offset aligned to the
 * device's `minStorageBufferOffsetAlignment` (so each view can be bound on its own). A bucket is
 * filled until the next tensor would pass the largest storage binding (or buffer); a tensor larger
 * than that gets a bucket of its own (kernels split such tensors into aligned ranges). The gaps between
 * tensors are zero in every bucket and stay zero: their gradient is zero, so AdamW leaves them at
 * zero, and they add nothing to the gradient norm.
 *
 * @module
 */
import type { Gpu, Tensor } from "../kernels/gpu.ts";

/** What the layout needs of a parameter. */
export interface FlatParam {
  /** Name, unique. */
  name: string;
  /** Shape. */
  shape: readonly number[];
  /** Whether AdamW decays it. */
  decay: boolean;
}

/** Where one tensor lives. */
export interface FlatSlot {
  /** Index of its bucket. */
  bucket: number;
  /** Element offset inside the bucket. */
  offset: number;
  /** Elements. */
  size: number;
}

/** A contiguous range of one bucket whose tensors share their weight decay. */
export interface FlatRun {
  /** Index of the bucket. */
  bucket: number;
  /** First element. */
  offset: number;
  /** Elements, gaps between tensors included. */
  length: number;
  /** Whether AdamW decays these tensors. */
  decay: boolean;
}

/** Buckets, slots and decay runs of a parameter list. */
export interface FlatLayout {
  /** Elements per bucket. */
  buckets: number[];
  /** Slot of each tensor by name. */
  slots: Map<string, FlatSlot>;
  /** The decay runs, in bucket order. */
  runs: FlatRun[];
}

/**
 * Lays parameters out in buckets (see the module header).
 *
 * @example
 * ```ts
 * import { flatLayout } from "./flat.ts";
 * const l = flatLayout(
 *   [{ name: "w", shape: [3, 5], decay: true }, { name: "b", shape: [5], decay: false }],
 *   { alignElements: 8, maxElements: 1024 },
 * );
 * console.log(l.buckets, l.slots.get("b"), l.runs.length); // [ 21 ] { bucket: 0, offset: 16, size: 5 } 2
 * ```
 */
export function flatLayout(
  params: readonly FlatParam[],
  options: { alignElements: number; maxElements: number },
): FlatLayout {
  const { alignElements: align, maxElements } = options;
  const ordered = [...params.filter((p) => p.decay), ...params.filter((p) => !p.decay)];
  const buckets: number[] = [];
  const slots = new Map<string, FlatSlot>();
  const runs: FlatRun[] = [];
  let used = Infinity; // elements used in the newest bucket
  for (const p of ordered) {
    if (slots.has(p.name)) throw new RangeError(`flatLayout: "${p.name}" appears twice`);
    const size = p.shape.reduce((a, b) => a * b, 1);
    let offset = Math.ceil(used / align) * align;
    if (offset + size > maxElements || buckets.length === 0) {
      buckets.push(0);
      offset = 0;
    }
    const bucket = buckets.length - 1;
    slots.set(p.name, { bucket, offset, size });
    used = offset + size;
    buckets[bucket] = used;
    const last = runs[runs.length - 1];
    if (last && last.bucket === bucket && last.decay === p.decay) {
      last.length = used - last.offset;
    } else runs.push({ bucket, offset, length: size, decay: p.decay });
  }
  return { buckets, slots, runs };
}

/**
 * One set of buckets (parameters, gradients or a moment) with a zeroed view per tensor.
 *
 * @example
 * ```ts
 * import { Gpu } from "../kernels/gpu.ts";
 * import { FlatTensors } from "./flat.ts";
 * const gpu = await Gpu.create();
 * const flat = FlatTensors.create(gpu, [{ name: "w", shape: [2, 3], decay: true }], "grad");
 * console.log(flat.get("w").shape); // [2, 3]
 * flat.release();
 * ```
 */
export class FlatTensors {
  /** The layout shared by every set made from the same parameters on the same device. */
  readonly layout: FlatLayout;
  /** The buckets, whole. */
  readonly buckets: readonly Tensor[];
  readonly #views: Map<string, Tensor>;

  private constructor(layout: FlatLayout, buckets: Tensor[], views: Map<string, Tensor>) {
    this.layout = layout;
    this.buckets = buckets;
    this.#views = views;
  }

  /** Allocates zeroed buckets for `params` on `gpu`, labelled `label`. */
  static create(gpu: Gpu, params: readonly FlatParam[], label: string): FlatTensors {
    const limits = gpu.limits;
    const layout = flatLayout(params, {
      alignElements: Math.max(1, limits.minStorageBufferOffsetAlignment / 4),
      maxElements: Math.floor(
        Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / 4,
      ),
    });
    const buckets: Tensor[] = [];
    try {
      for (const [i, n] of layout.buckets.entries()) {
        const t = gpu.tensor([n], { label: `${label} bucket ${i}` });
        gpu.write(t, new Float32Array(n));
        buckets.push(t);
      }
    } catch (e) {
      for (const t of buckets) t.release();
      throw e;
    }
    const views = new Map<string, Tensor>();
    for (const p of params) {
      const s = layout.slots.get(p.name)!;
      views.set(p.name, buckets[s.bucket].view(s.offset, p.shape, `${label} ${p.name}`));
    }
    return new FlatTensors(layout, buckets, views);
  }

  /** The view of one tensor; throws naming it when there is none. */
  get(name: string): Tensor {
    const v = this.#views.get(name);
    if (!v) throw new RangeError(`No tensor named "${name}"`);
    return v;
  }

  /** The views by name, in the order the parameters were given. */
  get views(): ReadonlyMap<string, Tensor> {
    return this.#views;
  }

  /** One run of every bucket (see {@linkcode FlatRun}) as a view. */
  run(r: FlatRun): Tensor {
    return this.buckets[r.bucket].view(r.offset, [r.length]);
  }

  /** Returns the buckets to the pool. */
  release(): void {
    for (const t of this.buckets) t.release();
  }
}
