/**
 * The bench's arithmetic: medians, FLOP and byte counts per kernel, and the timing loop shared by
 * every GPU measurement.
 *
 * Timing rule: a sample is wall clock from the first encode to the end of a sync (a readback or
 * `onSubmittedWorkDone`) of one submit holding `batch` launches of the same work, divided by
 * `batch`; `batch` is chosen once from a warm-up so the launches fill about `targetMs`
 * ({@linkcode batchFor}). Where the
 * device has `timestamp-query`, the launches also run inside one timed compute pass and the GPU
 * time per launch is reported beside the wall clock.
 *
 * @module
 */
import type { Encoder, Gpu, Tensor } from "../kernels/gpu.ts";

/** Median, extremes and count of samples. */
export interface Summary {
  /** The median (the mean of the two middle samples for an even count). */
  median: number;
  /** The smallest sample. */
  min: number;
  /** The largest sample. */
  max: number;
  /** How many samples. */
  n: number;
}

/**
 * The median of a non-empty list.
 *
 * @example
 * ```ts
 * import { median } from "./measure.ts";
 * console.log(median([5, 1, 3]), median([4, 1, 3, 2])); // 3 2.5
 * ```
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median: no samples");
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Median, min, max and count of samples.
 *
 * @example
 * ```ts
 * import { summarize } from "./measure.ts";
 * console.log(summarize([3, 1, 2])); // { median: 2, min: 1, max: 3, n: 3 }
 * ```
 */
export function summarize(xs: readonly number[]): Summary {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/**
 * How many times faster ours is than a peer from samples taken in pairs (round `i` of each side
 * ran back to back): the median over rounds of `peer[i] ÷ ours[i]`, so a slow minute that hit both
 * sides of a round cancels out. Both lists hold ms per launch, in round order.
 *
 * @example
 * ```ts
 * import { pairedSpeedup } from "./measure.ts";
 * console.log(pairedSpeedup([1, 2, 1], [3, 6, 30])); // ratios 3, 3, 30 → 3
 * ```
 */
export function pairedSpeedup(ours: readonly number[], peer: readonly number[]): number {
  if (ours.length === 0 || ours.length !== peer.length) {
    throw new RangeError(`pairedSpeedup: ${ours.length} and ${peer.length} samples do not pair up`);
  }
  return median(ours.map((o, i) => peer[i] / o));
}

/**
 * FLOPs of `C = op(A)·op(B)` with C (M, N) and K summed: one multiply and one add per term.
 *
 * @example
 * ```ts
 * import { matmulFlops } from "./measure.ts";
 * console.log(matmulFlops(256, 128, 512)); // 33554432
 * ```
 */
export function matmulFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}

/**
 * The fewest bytes a matmul must move: read A and B once, write C once (f32).
 *
 * @example
 * ```ts
 * import { matmulBytes } from "./measure.ts";
 * console.log(matmulBytes(2, 3, 4)); // 4·(6 + 12 + 8) = 104
 * ```
 */
export function matmulBytes(m: number, k: number, n: number): number {
  return 4 * (m * k + k * n + m * n);
}

/** The sizes of an attention launch. */
export interface AttentionShape {
  /** B, rows. */
  batch: number;
  /** T, sequence length (every row full). */
  seqLen: number;
  /** NH, query heads. */
  heads: number;
  /** NKV, key/value heads. */
  kvHeads: number;
  /** HS, head size. */
  headSize: number;
}

/**
 * Useful FLOPs of causal attention, counting only the `T(T+1)/2` (query, key) pairs the mask
 * keeps: forward `QKᵀ` and `PV` (4·HS per pair); backward `QKᵀ` recomputed, `dV = PᵀdO`,
 * `dP = dO·Vᵀ`, `dQ = dS·K`, `dK = dSᵀ·Q` (10·HS per pair, 2.5× the forward). Softmax arithmetic
 * is not counted. Kernels that recompute more do more work than this.
 *
 * @example
 * ```ts
 * import { attentionFlops } from "./measure.ts";
 * const s = { batch: 4, seqLen: 64, heads: 4, kvHeads: 4, headSize: 32 };
 * console.log(attentionFlops(s, "forward"), attentionFlops(s, "backward")); // 4259840 10649600
 * ```
 */
export function attentionFlops(s: AttentionShape, pass: "forward" | "backward"): number {
  const pairs = s.batch * s.heads * s.seqLen * (s.seqLen + 1) / 2;
  return (pass === "forward" ? 4 : 10) * s.headSize * pairs;
}

/**
 * The fewest bytes attention must move (f32): forward reads q, k, v and writes the output and
 * the logsumexp; backward reads q, k, v, the output, its gradient and the logsumexp and writes
 * dq, dk, dv.
 *
 * @example
 * ```ts
 * import { attentionBytes } from "./measure.ts";
 * const s = { batch: 1, seqLen: 2, heads: 1, kvHeads: 1, headSize: 4 };
 * console.log(attentionBytes(s, "forward")); // 4·(8·3 + 8 + 2) = 136
 * ```
 */
export function attentionBytes(s: AttentionShape, pass: "forward" | "backward"): number {
  const bt = s.batch * s.seqLen;
  const q = bt * s.heads * s.headSize, kv = bt * s.kvHeads * s.headSize;
  const lse = s.batch * s.heads * s.seqLen;
  const words = pass === "forward"
    ? q + 2 * kv + q + lse
    : (q + 2 * kv + 2 * q + lse) + (q + 2 * kv);
  return 4 * words;
}

/**
 * The fewest bytes of the vocabulary log-softmax over R rows of V logits (f32): the forward reads
 * the logits once (plus ids, writes lse and logp); the backward reads them and writes the gradient
 * in place.
 *
 * @example
 * ```ts
 * import { logSoftmaxBytes } from "./measure.ts";
 * console.log(logSoftmaxBytes(2, 10, "forward")); // 4·(20 + 2 + 4) = 104
 * ```
 */
export function logSoftmaxBytes(rows: number, vocab: number, pass: "forward" | "backward"): number {
  return 4 * (pass === "forward" ? rows * vocab + 3 * rows : 2 * rows * vocab + 3 * rows);
}

/**
 * Bytes one AdamW step moves over N parameters: reads param, grad, m, v and writes param, m, v.
 *
 * @example
 * ```ts
 * import { adamwBytes } from "./measure.ts";
 * console.log(adamwBytes(1000)); // 28000
 * ```
 */
export function adamwBytes(n: number): number {
  return 28 * n;
}

/**
 * Giga-units per second from a count and milliseconds (`gigaPerSecond(flops, ms)` is GFLOP/s).
 *
 * @example
 * ```ts
 * import { gigaPerSecond } from "./measure.ts";
 * console.log(gigaPerSecond(2e9, 100)); // 20
 * ```
 */
export function gigaPerSecond(count: number, ms: number): number {
  return count / ms / 1e6;
}

/**
 * Launches per sample so the work, not the fixed cost of a submit and sync (about 11 ms on
 * lavapipe under Deno), fills about `targetMs`: from the time of one launch and of four in one
 * submit, the marginal cost of a launch is `(four − one) / 3`.
 *
 * @example
 * ```ts
 * import { batchFor } from "./measure.ts";
 * console.log(batchFor(40, 12, 15, 64)); // marginal 1 ms → 40
 * ```
 */
export function batchFor(
  targetMs: number,
  oneMs: number,
  fourMs: number,
  maxBatch: number,
): number {
  const marginal = Math.max((fourMs - oneMs) / 3, oneMs / 64, 1e-3);
  return Math.max(1, Math.min(maxBatch, Math.ceil(targetMs / marginal)));
}

/** Options of {@linkcode timeEncoded}. */
export interface TimeOptions {
  /** Timed samples after the warm-up. */
  reps: number;
  /** Milliseconds one sample aims at (sets the launches per sample). Default 40. */
  targetMs?: number;
  /** Most launches per sample. Default {@linkcode MAX_BATCH}. */
  maxBatch?: number;
  /** Read this tensor back to end a sample (else `gpu.sync()`). */
  readback?: Tensor;
  /** Wrap the launches in a GPU-timestamped pass when the device can. Default true. */
  gpuTimestamps?: boolean;
}

/** Per-launch times of a work item. */
export interface Timing {
  /** Wall-clock ms per launch. */
  wall: Summary;
  /** GPU-timestamp ms per launch, when measured. */
  gpu?: Summary;
  /** Launches per sample. */
  batch: number;
}

/** One wall-clock sample (and its GPU-timestamp time when measured), per launch. */
export interface Sample {
  /** Wall-clock ms per launch. */
  wall: number;
  /** GPU-timestamp ms per launch, when the device can time. */
  gpu?: number;
}

/** A calibrated work item: its batch size and a function that takes one more sample. */
export interface Sampler {
  /** Launches per sample. */
  batch: number;
  /** Encodes, submits and syncs one sample of `batch` launches. */
  sample(): Promise<Sample>;
}

/**
 * Most launches in one sample, ours and the peers' alike. A sample ends with one sync, which costs
 * ~11 ms in Deno whatever the work (its `mapAsync` sleeps 10 ms), so a side whose samples the cap
 * cuts short of `targetMs` pays more of it per launch: with a cap of 256, a 0.4 ms product filled
 * 100 ms against the 250 ms a slower peer's samples filled.
 */
export const MAX_BATCH = 1024;

/**
 * Warms `encode` up (compiling its pipelines) and sizes its batch by the rule in this module's
 * header, then hands back a sampler, so a caller can interleave samples of ours with a peer's.
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { prepareTiming } from "./measure.ts";
 * const gpu = await Gpu.create();
 * const s = await prepareTiming(gpu, (enc) => { … }, { reps: 5 });
 * console.log(s.batch, (await s.sample()).wall);
 * ```
 */
export async function prepareTiming(
  gpu: Gpu,
  encode: (enc: Encoder) => void,
  options: TimeOptions,
): Promise<Sampler> {
  const { targetMs = 40, maxBatch = MAX_BATCH, readback, gpuTimestamps = true } = options;
  const stamps = gpuTimestamps && gpu.hasFeature("timestamp-query");
  const sample = async (batch: number): Promise<Sample> => {
    const t0 = performance.now();
    const enc = gpu.encoder("bench");
    const run = () => {
      for (let i = 0; i < batch; i++) encode(enc);
    };
    if (stamps) enc.timed("bench", run);
    else run();
    gpu.submit(enc);
    if (readback) await gpu.read([readback]);
    else await gpu.sync();
    const wall = (performance.now() - t0) / batch;
    const gpuMs = stamps ? (await enc.readTimings())[0]?.ms : undefined;
    return { wall, gpu: gpuMs !== undefined && gpuMs > 0 ? gpuMs / batch : undefined };
  };
  // Calibration: the faster of two tries each, so one disturbed sample does not set the batch.
  await sample(1);
  const once = Math.min((await sample(1)).wall, (await sample(1)).wall);
  const four = once >= targetMs ? 0 : 4 * Math.min((await sample(4)).wall, (await sample(4)).wall);
  const batch = once >= targetMs ? 1 : batchFor(targetMs, once, four, maxBatch);
  return { batch, sample: () => sample(batch) };
}

/**
 * Times `encode` (one launch of some kernels, encoded into the encoder given) by the rule in
 * this module's header: {@linkcode prepareTiming}, then `reps` samples.
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { timeEncoded } from "./measure.ts";
 * const gpu = await Gpu.create();
 * const t = await timeEncoded(gpu, (enc) => { … }, { reps: 5 });
 * console.log(t.wall.median, t.gpu?.median);
 * ```
 */
export async function timeEncoded(
  gpu: Gpu,
  encode: (enc: Encoder) => void,
  options: TimeOptions,
): Promise<Timing> {
  return collect(await prepareTiming(gpu, encode, options), options.reps);
}

/**
 * Takes `reps` samples of a calibrated work item and summarises them.
 *
 * @example
 * ```ts
 * import { collect } from "./measure.ts";
 * let i = 0;
 * const t = await collect({ batch: 1, sample: () => Promise.resolve({ wall: ++i }) }, 3);
 * console.log(t.wall.median, t.gpu); // 2 undefined
 * ```
 */
export async function collect(sampler: Sampler, reps: number): Promise<Timing> {
  const walls: number[] = [], gpus: number[] = [];
  for (let r = 0; r < reps; r++) {
    const s = await sampler.sample();
    walls.push(s.wall);
    if (s.gpu !== undefined) gpus.push(s.gpu);
  }
  return {
    wall: summarize(walls),
    gpu: gpus.length === reps ? summarize(gpus) : undefined,
    batch: sampler.batch,
  };
}
