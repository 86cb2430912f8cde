/**
 * The limits our kernels are judged against: the adapter's arithmetic ceiling for WGSL (a kernel
 * of nothing but `vec4f` FMAs), its bandwidth ceiling (a `vec4f` copy kernel), the fixed cost of a
 * submit and sync, and numpy's float32 GEMM on the same CPU.
 *
 * @module
 */
import copyCode from "./copy_ceiling.wgsl" with { type: "text" };
import fmaCode from "./fma_ceiling.wgsl" with { type: "text" };
import { type Gpu, grid1d, uniforms } from "../kernels/gpu.ts";
import { summarize, type Summary, timeEncoded, type Timing } from "./measure.ts";
import { runJsonProcess } from "./peers/run.ts";

const FMA = { label: "fma ceiling", code: fmaCode, entryPoint: "main" };
const COPY = { label: "copy ceiling", code: copyCode, entryPoint: "main" };
const FMA_WG = 64;

/** The FMA kernel's timing and its FLOPs per launch. */
export interface FmaCeiling {
  /** Per-launch times. */
  timing: Timing;
  /** FLOPs of one launch. */
  flops: number;
}

/**
 * Times the FMA-only kernel (`fma_ceiling.wgsl`) over `invocations` invocations of `iters`
 * iterations: 8 chains × 4 lanes × 2 FLOPs per iteration.
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { fmaCeiling } from "./limits.ts";
 * const gpu = await Gpu.create();
 * const r = await fmaCeiling(gpu, { reps: 5 });
 * console.log(r.flops / r.timing.wall.median / 1e6, "GFLOP/s");
 * ```
 */
export async function fmaCeiling(
  gpu: Gpu,
  options: { reps: number; invocations?: number; iters?: number; targetMs?: number },
): Promise<FmaCeiling> {
  const { reps, invocations = 1 << 16, iters = 1024 } = options;
  const out = gpu.tensor([invocations * 4], { label: "fma out" });
  const [gx, gy] = grid1d(invocations, FMA_WG, gpu.limits.maxComputeWorkgroupsPerDimension);
  try {
    const timing = await timeEncoded(
      gpu,
      (enc) =>
        enc.dispatch({
          kernel: FMA,
          constants: { WG: FMA_WG },
          uniforms: uniforms({ iters, row_stride: gx * FMA_WG, mul: 0.9999, add: 1e-4 }, [
            "mul",
            "add",
          ]),
          bindings: [out],
          workgroups: [gx, gy],
        }),
      { reps, targetMs: options.targetMs ?? 100 },
    );
    return { timing, flops: invocations * iters * 8 * 4 * 2 };
  } finally {
    out.release();
  }
}

/** The copy kernel's timing and its bytes per launch. */
export interface CopyCeiling {
  /** Per-launch times. */
  timing: Timing;
  /** Bytes one launch reads and writes. */
  bytes: number;
}

/**
 * Times a `vec4f` copy of `floats` floats (default 16 Mi: 64 MiB each way, beyond the caches).
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { copyCeiling } from "./limits.ts";
 * const gpu = await Gpu.create();
 * const r = await copyCeiling(gpu, { reps: 5 });
 * console.log(r.bytes / r.timing.wall.median / 1e6, "GB/s");
 * ```
 */
export async function copyCeiling(
  gpu: Gpu,
  options: { reps: number; floats?: number; targetMs?: number },
): Promise<CopyCeiling> {
  const floats = Math.ceil((options.floats ?? 1 << 24) / 4) * 4, n = floats / 4;
  const src = gpu.tensor([floats], { label: "copy src" });
  const dst = gpu.tensor([floats], { label: "copy dst" });
  const [gx, gy] = grid1d(n, FMA_WG, gpu.limits.maxComputeWorkgroupsPerDimension);
  try {
    const enc = gpu.encoder();
    enc.zero(src);
    gpu.submit(enc);
    const timing = await timeEncoded(
      gpu,
      (e) =>
        e.dispatch({
          kernel: COPY,
          constants: { WG: FMA_WG },
          uniforms: uniforms({ n, row_stride: gx * FMA_WG }),
          bindings: [src, dst],
          workgroups: [gx, gy],
        }),
      { reps: options.reps, targetMs: options.targetMs ?? 100 },
    );
    return { timing, bytes: 8 * floats };
  } finally {
    src.release();
    dst.release();
  }
}

/**
 * Milliseconds of an empty submit followed by a 4-byte readback: the fixed cost every wall-clock
 * sample here pays once (and a training step pays per readback).
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { syncLatency } from "./limits.ts";
 * console.log((await syncLatency(await Gpu.create(), 5)).median);
 * ```
 */
export async function syncLatency(gpu: Gpu, reps: number): Promise<Summary> {
  const t = gpu.tensor([1], { label: "sync probe" });
  try {
    const samples: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const t0 = performance.now();
      gpu.submit(gpu.encoder("empty"));
      await gpu.read([t]);
      if (r > 0) samples.push(performance.now() - t0);
    }
    return summarize(samples);
  } finally {
    t.release();
  }
}

/** numpy's square float32 GEMM times. */
export interface NumpyGemm {
  /** numpy's version, its BLAS and the CPUs, or `error` when numpy could not run. */
  info: { numpy?: string; blas?: string; cpus?: number; threads: string };
  /** Per size: milliseconds per product. */
  sizes: { n: number; ms: Summary }[];
  /** Why there are no numbers, when there are none. */
  error?: string;
}

/**
 * Runs `bench/numpy_gemm.py` with python3 (all cores, or `threads` BLAS threads).
 *
 * @example
 * ```ts ignore
 * import { numpyGemm } from "./limits.ts";
 * const r = await numpyGemm([256, 1024], 5);
 * console.log(r.error ?? r.sizes);
 * ```
 */
export async function numpyGemm(
  sizes: readonly number[],
  reps: number,
  threads?: number,
): Promise<NumpyGemm> {
  const script = new URL("./numpy_gemm.py", import.meta.url).pathname;
  const env = threads
    ? { OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) }
    : undefined;
  const run = await runJsonProcess<Record<string, unknown>>(
    "python3",
    [script, sizes.join(","), String(reps)],
    { timeoutSeconds: 120, env },
  );
  const label = threads ? `${threads}` : "all";
  const info = run.lines.find((l) => l.kind === "info") ?? {};
  const result: NumpyGemm = {
    info: {
      numpy: info.numpy as string | undefined,
      blas: info.blas as string | undefined,
      cpus: info.cpus as number | undefined,
      threads: label,
    },
    sizes: run.lines.filter((l) => l.kind === "numpy_gemm").map((l) => ({
      n: l.n as number,
      ms: summarize(l.samples_ms as number[]),
    })),
  };
  if (run.error) {
    result.error = /No module named/.test(run.error)
      ? "numpy is not installed for python3 (and pip cannot install it here)"
      : `python3/numpy failed: ${run.error}`;
  }
  return result;
}
