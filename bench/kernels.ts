/**
 * Our kernels under the bench's timing rule (`measure.ts`): matmul, attention forward and
 * backward, the vocabulary log-softmax forward and backward, and AdamW. Each function uploads
 * random inputs, checks the work is real where that is cheap, times, and releases its buffers.
 *
 * @module
 */
import { adamw } from "../kernels/adamw.ts";
import { attentionBackward, attentionForward, AttentionWorkspace } from "../kernels/attention.ts";
import type { AttentionOptions } from "../model/transformer.ts";
import type { Gpu, Tensor } from "../kernels/gpu.ts";
import { logSoftmaxBackward, logSoftmaxGather } from "../kernels/log_softmax.ts";
import { matmul, type MatmulArgs } from "../kernels/matmul.ts";
import { Rng } from "../util/rng.ts";
import type { MatmulShape } from "./configs.ts";
import {
  adamwBytes,
  attentionBytes,
  attentionFlops,
  type AttentionShape,
  collect,
  gigaPerSecond,
  logSoftmaxBytes,
  matmulBytes,
  matmulFlops,
  prepareTiming,
  type Sampler,
  timeEncoded,
  type Timing,
} from "./measure.ts";

/** How many samples and how long each. */
export interface KernelBenchOptions {
  /** Timed samples. */
  reps: number;
  /** Milliseconds one sample aims at. Default 40. */
  targetMs?: number;
}

/** A timed kernel with its throughput. */
export interface KernelResult {
  /** Per-launch times. */
  timing: Timing;
  /** FLOPs of one launch (0 where not counted). */
  flops: number;
  /** Bytes one launch must move at least. */
  bytes: number;
  /** Whether a spot check against a CPU computation passed (undefined: not checked). */
  checked?: boolean;
}

/** A matmul ready to be sampled: {@linkcode prepareMatmul}. */
export interface PreparedMatmul {
  /** Takes one more timed sample. */
  sampler: Sampler;
  /** FLOPs of one launch. */
  flops: number;
  /** Bytes one launch must move at least. */
  bytes: number;
  /** Whether the spot check against a CPU computation passed. */
  checked: boolean;
  /** Releases the operands. */
  release(): void;
}

/** The launcher settings a matmul measurement may force (default: the launcher's own). */
export type MatmulLaunch = Pick<
  MatmulArgs,
  "splitK" | "kernel" | "gridOrder" | "tailSplit" | "blockRows" | "blockCols"
>;

/**
 * Uploads random operands for `C = op(A)·op(B)` with our launcher (β = 0, no bias), checks one
 * element of C against a float64 dot product, and calibrates the timing; each sample then ends
 * with the readback of C, as the peers' do. The caller releases it.
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { prepareMatmul } from "./kernels.ts";
 * const gpu = await Gpu.create();
 * const p = await prepareMatmul(gpu, { variant: "NN", m: 64, k: 32, n: 48, role: "test" }, { reps: 3 });
 * console.log(p.checked, (await p.sampler.sample()).wall);
 * p.release();
 * ```
 */
export async function prepareMatmul(
  gpu: Gpu,
  shape: MatmulShape,
  options: KernelBenchOptions,
  launch: MatmulLaunch = {},
): Promise<PreparedMatmul> {
  const { variant, m, k, n, batch = 1 } = shape;
  const transA = variant[0] === "T", transB = variant[1] === "T";
  const rng = new Rng(m * 31 + k * 7 + n);
  const aHost = rng.uniformArray(batch * m * k), bHost = rng.uniformArray(batch * k * n);
  // A stored with its row stride (padded rows hold zeros), C with its own.
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const lda = shape.lda ?? aCols, ldc = shape.ldc ?? n;
  if (batch > 1 && (lda !== aCols || ldc !== n)) {
    throw new RangeError("prepareMatmul: a batched shape takes no padded strides");
  }
  const aStored = new Float32Array(batch * aRows * lda);
  for (let r = 0; r < batch * aRows; r++) {
    aStored.set(aHost.subarray(r * aCols, (r + 1) * aCols), r * lda);
  }
  const a = gpu.upload(aStored, [batch * aRows, lda], { label: "bench A" });
  const b = gpu.upload(bHost, transB ? [batch * n, k] : [batch * k, n], { label: "bench B" });
  const out = gpu.tensor([batch * m, ldc], { label: "bench C" });
  const release = () => {
    for (const t of [a, b, out]) t.release();
  };
  try {
    const encode = (enc: ReturnType<Gpu["encoder"]>) =>
      matmul(enc, { out, a, b, transA, transB, m, n, k, lda, ldc, batch, ...launch });
    const enc = gpu.encoder();
    encode(enc);
    gpu.submit(enc);
    const [c] = await gpu.read([out]);
    const i = 5 % m, j = 9 % n;
    let want = 0, scale = 0;
    for (let p = 0; p < k; p++) {
      const x = aHost[transA ? p * m + i : i * k + p], y = bHost[transB ? j * k + p : p * n + j];
      want += x * y;
      scale += Math.abs(x * y);
    }
    const checked = Math.abs((c as Float32Array)[i * ldc + j] - want) <= 1e-4 * Math.max(1, scale);
    // Samples end with reading C back on CPU adapters, like the TensorFlow.js peers' samples. On
    // GPUs (compared with PyTorch by device time) they end with a sync instead: reading back a
    // 64–411 MB C idles the GPU for 0.1–0.7 s before each single-launch sample, and on an H200
    // such samples timed 1.4× (4096³) and 4.9× (2048×768×50257) the same launcher's time back to
    // back in the same run, most likely clocks dropping while idle; PyTorch's samples only sync.
    const readback = gpu.isCpu ? out : undefined;
    const sampler = await prepareTiming(gpu, encode, { ...options, readback });
    return {
      sampler,
      flops: batch * matmulFlops(m, k, n),
      bytes: batch * matmulBytes(m, k, n),
      checked,
      release,
    };
  } catch (e) {
    release();
    throw e;
  }
}

/**
 * Times `C = op(A)·op(B)` with our launcher: {@linkcode prepareMatmul}, then `reps` samples.
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { benchMatmul } from "./kernels.ts";
 * const gpu = await Gpu.create();
 * const r = await benchMatmul(gpu, { variant: "NT", m: 64, k: 32, n: 48, role: "test" }, { reps: 3 });
 * console.log(r.checked, r.flops / r.timing.wall.median / 1e6, "GFLOP/s");
 * ```
 */
export async function benchMatmul(
  gpu: Gpu,
  shape: MatmulShape,
  options: KernelBenchOptions,
  launch: MatmulLaunch = {},
): Promise<KernelResult> {
  const p = await prepareMatmul(gpu, shape, options, launch);
  try {
    const timing = await collect(p.sampler, options.reps);
    return { timing, flops: p.flops, bytes: p.bytes, checked: p.checked };
  } finally {
    p.release();
  }
}

/** Forward and backward timings of one attention shape. */
export interface AttentionResult {
  /** `attentionForward`. */
  forward: KernelResult;
  /** `attentionBackward` (its row-statistics pre-pass included). */
  backward: KernelResult;
}

/**
 * Times causal attention forward and backward on full rows (no padding), with the launcher's
 * default tile and rows per invocation, or those of `launch`.
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { benchAttention } from "./kernels.ts";
 * const gpu = await Gpu.create();
 * const shape = { batch: 2, seqLen: 16, heads: 2, kvHeads: 2, headSize: 8 };
 * const r = await benchAttention(gpu, shape, { reps: 3 });
 * console.log(r.forward.timing.wall.median, r.backward.timing.wall.median);
 * ```
 */
export async function benchAttention(
  gpu: Gpu,
  s: AttentionShape,
  options: KernelBenchOptions,
  launch: AttentionOptions = {},
): Promise<AttentionResult> {
  const { tile, rowsPerLane, splitDkv, design } = launch;
  const { batch: B, seqLen: T, heads: NH, kvHeads: NKV, headSize: HS } = s;
  const rng = new Rng(B * T + NH);
  const qShape = [B, T, NH, HS], kvShape = [B, T, NKV, HS];
  const up = (shape: number[], label: string) =>
    gpu.upload(rng.uniformArray(shape.reduce((x, y) => x * y, 1)), shape, { label });
  const q = up(qShape, "q"), k = up(kvShape, "k"), v = up(kvShape, "v");
  const dOut = up(qShape, "dOut");
  const out = gpu.tensor(qShape, { label: "att out" }), lse = gpu.tensor([B, NH, T]);
  const dQ = gpu.tensor(qShape), dK = gpu.tensor(kvShape), dV = gpu.tensor(kvShape);
  const stats = gpu.tensor([B, NH, T, 2], { label: "att stats" });
  const lengths = gpu.upload(new Int32Array(B).fill(T), [B], { label: "lengths" });
  const workspace = design === "products"
    ? AttentionWorkspace.create(gpu, { batch: B, seqLen: T, nHeads: NH, headSize: HS })
    : undefined;
  const heads = { nHeads: NH, nKvHeads: NKV, design, workspace };
  try {
    const fwd = await timeEncoded(
      gpu,
      (enc) => attentionForward(enc, { out, lse, q, k, v, lengths, tile, rowsPerLane, ...heads }),
      options,
    );
    const bwd = await timeEncoded(
      gpu,
      (enc) =>
        attentionBackward(enc, {
          dQ,
          dK,
          dV,
          dOut,
          q,
          k,
          v,
          out,
          lse,
          lengths,
          stats,
          tile,
          rowsPerLane,
          splitDkv,
          ...heads,
        }),
      options,
    );
    return {
      forward: {
        timing: fwd,
        flops: attentionFlops(s, "forward"),
        bytes: attentionBytes(s, "forward"),
      },
      backward: {
        timing: bwd,
        flops: attentionFlops(s, "backward"),
        bytes: attentionBytes(s, "backward"),
      },
    };
  } finally {
    for (const t of [q, k, v, dOut, out, lse, dQ, dK, dV, stats, lengths]) t.release();
    workspace?.release();
  }
}

/** Forward and backward timings of the vocabulary log-softmax. */
export interface LogSoftmaxResult {
  /** `logSoftmaxGather` with the logit sums (as the DPO forward runs it). */
  forward: KernelResult;
  /** `logSoftmaxBackward` in place (as the model runs it). */
  backward: KernelResult;
}

/**
 * Times the fused log-softmax + target gather over R rows of V logits, and its in-place backward.
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { benchLogSoftmax } from "./kernels.ts";
 * const gpu = await Gpu.create();
 * const r = await benchLogSoftmax(gpu, 8, 1000, { reps: 3 });
 * console.log(r.forward.bytes / r.forward.timing.wall.median / 1e6, "GB/s");
 * ```
 */
export async function benchLogSoftmax(
  gpu: Gpu,
  rows: number,
  vocab: number,
  options: KernelBenchOptions,
): Promise<LogSoftmaxResult> {
  const rng = new Rng(rows + vocab);
  const logits = gpu.upload(rng.uniformArray(rows * vocab, -4, 4), [rows, vocab], {
    label: "logits",
  });
  const ids = new Int32Array(rows).map((_, i) => (i * 7919) % vocab);
  const targets = gpu.upload(ids, [rows], { label: "targets" });
  const coef = gpu.upload(new Float32Array(rows).fill(-1 / rows), [rows], { label: "coef" });
  const logp = gpu.tensor([rows]), lse = gpu.tensor([rows]), logitSum = gpu.tensor([rows]);
  try {
    const fwd = await timeEncoded(
      gpu,
      (enc) => logSoftmaxGather(enc, { logits, targets, logp, lse, logitSum }),
      options,
    );
    const bwd = await timeEncoded(
      gpu,
      (enc) => logSoftmaxBackward(enc, { logits, lse, targets, coef }),
      options,
    );
    return {
      forward: { timing: fwd, flops: 0, bytes: logSoftmaxBytes(rows, vocab, "forward") },
      backward: { timing: bwd, flops: 0, bytes: logSoftmaxBytes(rows, vocab, "backward") },
    };
  } finally {
    for (const t of [logits, targets, coef, logp, lse, logitSum]) t.release();
  }
}

/**
 * Times one AdamW step over a flat tensor of N parameters (with a clip-scale tensor, as the
 * optimizer runs it).
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { benchAdamW } from "./kernels.ts";
 * const gpu = await Gpu.create();
 * const r = await benchAdamW(gpu, 1 << 16, { reps: 3 });
 * console.log(r.bytes / r.timing.wall.median / 1e6, "GB/s");
 * ```
 */
export async function benchAdamW(
  gpu: Gpu,
  n: number,
  options: KernelBenchOptions,
): Promise<KernelResult> {
  const rng = new Rng(n);
  const make = (lo: number, hi: number, label: string): Tensor =>
    gpu.upload(rng.uniformArray(n, lo, hi), [n], { label });
  const param = make(-1, 1, "param"), grad = make(-1, 1, "grad");
  const m = make(-0.1, 0.1, "m"), v = make(1e-4, 1e-2, "v");
  const clipScale = gpu.upload(new Float32Array([1, 0.5]), [2], { label: "clip" });
  let step = 1;
  try {
    const timing = await timeEncoded(
      gpu,
      (enc) =>
        adamw(enc, {
          param,
          grad,
          m,
          v,
          lr: 1e-4,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0.01,
          step: step++,
          clipScale,
        }),
      options,
    );
    return { timing, flops: 0, bytes: adamwBytes(n) };
  } finally {
    for (const t of [param, grad, m, v, clipScale]) t.release();
  }
}

/**
 * GFLOP/s (or GB/s, given bytes) of a result's wall-clock and GPU-timestamp medians.
 *
 * @example
 * ```ts ignore
 * import { throughput } from "./kernels.ts";
 * const { wall, gpu } = throughput(result, result.flops);
 * ```
 */
export function throughput(r: KernelResult, count: number): { wall: number; gpu?: number } {
  return {
    wall: gigaPerSecond(count, r.timing.wall.median),
    gpu: r.timing.gpu ? gigaPerSecond(count, r.timing.gpu.median) : undefined,
  };
}
