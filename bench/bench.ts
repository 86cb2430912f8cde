/**
 * `deno task bench [--json] [--quick] [--only=sections] [--no-peers]`: our kernels and training
 * step beside TensorFlow.js 4.22 (`webgpu` on the same adapter, `wasm` on the same CPU), and the
 * limits they are judged against, in one run on one machine.
 *
 * Sections (all by default; `--only=limits,matmul,kernels,train,data` picks some):
 * - `limits`: the adapter's WGSL `vec4f` FMA ceiling; numpy's float32 GEMM (all cores and one).
 * - `matmul`: GFLOP/s at every shape a training step of each config runs (NN, NT, TN) and at
 *   square 256, 512, 1024 — ours, the peers, and ours/peer. The peers stay up for the section and
 *   their samples are interleaved with ours, shape by shape and round by round, so a neighbour
 *   slowing the shared CPUs slows both sides of a ratio; ours/peer is the median of the rounds'
 *   ratios. On a hardware adapter it also times PyTorch's GEMM shapes (`torchGemmShapes`), which
 *   `compare_torch.ts` sets beside `torch_baseline.py` (`device.sh` runs both on a GPU machine).
 * - `kernels`: attention forward/backward, log-softmax over the vocabulary forward/backward,
 *   AdamW — ms, GFLOP/s or GB/s.
 * - `train`: a full SFT and DPO training step per config — ms, tokens/s, peak GPU memory — and the
 *   peers' step of the tiny model with the same objective (SFT and DPO), with ours/peer.
 * - `data`: load + tokenize of 10k synthetic TRL rows, pairs/s.
 *
 * `gpt2-small` runs only where the adapter is not a software fallback. Every time is a median over
 * samples after warm-up (the `n` column); see `measure.ts` for the timing rule. Peers run in
 * their own processes (the matmul peers served, the training-step peers one after another); a
 * peer that fails is reported and skipped.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Gpu } from "../kernels/gpu.ts";
import {
  type BenchConfig,
  CONFIGS,
  type MatmulShape,
  squareShapes,
  stepMatmulShapes,
  TINY,
  torchGemmShapes,
} from "./configs.ts";
import { benchLoadTokenize } from "./data.ts";
import {
  benchAdamW,
  benchAttention,
  benchLogSoftmax,
  type KernelResult,
  prepareMatmul,
} from "./kernels.ts";
import { copyCeiling, fmaCeiling, numpyGemm, syncLatency } from "./limits.ts";
import { gigaPerSecond, median, pairedSpeedup } from "./measure.ts";
import type { PeerMatmulError, PeerMatmulPrepared } from "./peers/tfjs_matmul.ts";
import type { PeerTrainLine } from "./peers/tfjs_train_step.ts";
import { PeerServer, runPeer } from "./peers/run.ts";
import { Reporter } from "./report.ts";
import { benchTrainStep, type TrainStepResult } from "./train_step.ts";
import { DEFAULT_TRAIN } from "../pipeline/train.ts";
import { internalParams } from "../model/params.ts";

/** The sections of a run, in order. */
export const SECTIONS = ["limits", "matmul", "kernels", "train", "data"] as const;

/** Repeats and sample lengths of a full or a `--quick` run. */
export interface BenchPlan {
  /** Samples per kernel measurement. */
  reps: number;
  /** Milliseconds one kernel sample aims at. */
  targetMs: number;
  /** Timed training steps (ours and peers). */
  steps: number;
  /** Repeats of load and tokenize. */
  dataReps: number;
  /** Rows of the load/tokenize file. */
  dataRows: number;
}

/**
 * The plan of a full run, or of a quick one.
 *
 * @example
 * ```ts
 * import { benchPlan } from "./bench.ts";
 * console.log(benchPlan(true).reps < benchPlan(false).reps); // true
 * ```
 */
export function benchPlan(quick: boolean): BenchPlan {
  return quick
    ? { reps: 3, targetMs: 100, steps: 4, dataReps: 1, dataRows: 10_000 }
    : { reps: 5, targetMs: 250, steps: 10, dataReps: 3, dataRows: 10_000 };
}

/**
 * Whether an adapter is a CPU fallback (lavapipe, SwiftShader, WARP), where the big config is
 * skipped.
 *
 * @example
 * ```ts ignore
 * import { Gpu } from "../kernels/gpu.ts";
 * import { isSoftwareAdapter } from "./bench.ts";
 * console.log(isSoftwareAdapter(await Gpu.create()));
 * ```
 */
export function isSoftwareAdapter(gpu: Gpu): boolean {
  return gpu.isCpu || /software fallback/.test(gpu.describe());
}

const PEERS = [
  { name: "tfjs-webgpu", backend: "webgpu" },
  { name: "tfjs-wasm", backend: "wasm" },
] as const;

const MATMUL_PEER = new URL("./peers/tfjs_matmul.ts", import.meta.url);
const TRAIN_PEER = new URL("./peers/tfjs_train_step.ts", import.meta.url);
const GPT2_DIR = new URL("../../shared/data/gpt2", import.meta.url).pathname;

/** A matmul shape with the config it comes from. */
type BenchShape = MatmulShape & { config: string };

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    args: Deno.args,
    options: {
      json: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      "no-peers": { type: "boolean", default: false },
      only: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (args.help) {
    console.log(
      "deno task bench [--json] [--quick] [--only=limits,matmul,kernels,train,data] [--no-peers]",
    );
    return;
  }
  const only = args.only ? new Set(args.only.split(",")) : new Set<string>(SECTIONS);
  for (const s of only) {
    if (!(SECTIONS as readonly string[]).includes(s)) {
      throw new RangeError(`Unknown section "${s}": choose from ${SECTIONS.join(", ")}`);
    }
  }
  const plan = benchPlan(args.quick);
  const peers = !args["no-peers"];
  const rep = new Reporter({ json: args.json });
  const t0 = performance.now();

  const gpu = await Gpu.create();
  const software = isSoftwareAdapter(gpu);
  const commit = await gitCommit();
  rep.line({
    kind: "adapter",
    adapter: gpu.describe(),
    software,
    deno: Deno.version.deno,
    date: new Date().toISOString(),
    commit,
    quick: args.quick,
    load_average: await loadAverage(),
    command: `deno task bench ${Deno.args.join(" ")}`.trim(),
    limits: {
      maxStorageBufferBindingSize: gpu.limits.maxStorageBufferBindingSize,
      maxBufferSize: gpu.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: gpu.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: gpu.limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  rep.note(`# Benchmark\n\nadapter: ${gpu.describe()}`);
  rep.note(
    `limits: binding ${gpu.limits.maxStorageBufferBindingSize} B, buffer ` +
      `${gpu.limits.maxBufferSize} B, workgroup memory ${gpu.limits.maxComputeWorkgroupStorageSize} B`,
  );
  rep.note(`deno ${Deno.version.deno}, commit ${commit}, ${new Date().toISOString()}`);
  rep.note(`load average (1, 5, 15 min) at the start: ${(await loadAverage()) ?? "unknown"}`);
  rep.note(
    `mode: ${args.quick ? "quick" : "full"} (kernel samples ${plan.reps}, steps ${plan.steps})\n`,
  );

  const configs = CONFIGS.filter((c) => c.software || !software);
  for (const c of CONFIGS.filter((c) => !configs.includes(c))) {
    rep.line({ kind: "skip", config: c.name, reason: "software adapter" });
    rep.note(`${c.name}: skipped — this adapter is a software fallback (GPU machines only)\n`);
  }

  if (only.has("limits")) await limitsSection(gpu, rep, plan);
  if (only.has("matmul")) await matmulSection(gpu, rep, plan, configs, peers, software);
  if (only.has("kernels")) await kernelsSection(gpu, rep, plan, configs);
  if (only.has("train")) await trainSection(rep, plan, configs, peers);
  if (only.has("data")) await dataSection(rep, plan);
  if (software) targetsSection(rep);
  else {
    rep.note(
      "NVIDIA targets (≥ 50 % of PyTorch's fp32 GEMM, ≥ half its gpt2-small DPO tokens/s) need " +
        "PyTorch in the same run: see ../shared/device/torch_baseline.py.",
    );
  }
  const seconds = (performance.now() - t0) / 1000, load = await loadAverage();
  rep.line({ kind: "done", seconds, load_average: load });
  rep.note(`\ntotal ${seconds.toFixed(0)} s; load average at the end ${load ?? "unknown"}`);
  gpu.destroy();
}

async function limitsSection(gpu: Gpu, rep: Reporter, plan: BenchPlan): Promise<void> {
  const fma = await fmaCeiling(gpu, { reps: plan.reps });
  const fmaLine = {
    kind: "limit",
    impl: "wgsl-fma",
    name: "vec4f FMA, 8 chains",
    n: fma.timing.wall.n,
    ms: fma.timing.wall.median,
    gflops: gigaPerSecond(fma.flops, fma.timing.wall.median),
    gpu_gflops: fma.timing.gpu ? gigaPerSecond(fma.flops, fma.timing.gpu.median) : undefined,
  };
  rep.line(fmaLine);
  const rows: unknown[][] = [[
    "WGSL vec4f FMA ceiling",
    "65536 × 1024 iters",
    fmaLine.n,
    fmaLine.ms,
    fmaLine.gflops,
    fmaLine.gpu_gflops,
  ]];
  const copy = await copyCeiling(gpu, { reps: plan.reps });
  const copyLine = {
    kind: "limit",
    impl: "wgsl-copy",
    name: "vec4f copy, 64 MiB",
    n: copy.timing.wall.n,
    ms: copy.timing.wall.median,
    gbs: gigaPerSecond(copy.bytes, copy.timing.wall.median),
    gpu_gbs: copy.timing.gpu ? gigaPerSecond(copy.bytes, copy.timing.gpu.median) : undefined,
  };
  rep.line(copyLine);
  rows.push([
    "WGSL vec4f copy ceiling (GB/s)",
    "64 MiB → 64 MiB",
    copyLine.n,
    copyLine.ms,
    `${copyLine.gbs.toFixed(2)} GB/s`,
    copyLine.gpu_gbs === undefined ? undefined : `${copyLine.gpu_gbs.toFixed(2)} GB/s`,
  ]);
  const sync = await syncLatency(gpu, plan.reps);
  rep.line({
    kind: "limit",
    impl: "runtime",
    name: "empty submit + readback",
    n: sync.n,
    ms: sync.median,
  });
  rows.push([
    "empty submit + 4-byte readback (fixed cost)",
    "–",
    sync.n,
    sync.median,
    undefined,
    undefined,
  ]);
  for (const threads of [undefined, 1]) {
    const np = await numpyGemm([256, 512, 1024, 2048], plan.reps, threads);
    if (np.error) {
      rep.line({ kind: "limit", impl: "numpy", error: np.error });
      rows.push([`numpy (${np.info.threads} threads)`, np.error]);
      break;
    }
    for (const s of np.sizes) {
      const gflops = gigaPerSecond(2 * s.n ** 3, s.ms.median);
      rep.line({
        kind: "limit",
        impl: "numpy",
        name: `sgemm ${s.n}`,
        threads: np.info.threads,
        blas: np.info.blas,
        n: s.ms.n,
        ms: s.ms.median,
        gflops,
      });
      rows.push([
        `numpy ${np.info.numpy} sgemm (${np.info.blas}, ${np.info.threads} threads)`,
        `${s.n}³`,
        s.ms.n,
        s.ms.median,
        gflops,
        undefined,
      ]);
    }
  }
  rep.table("Limits", ["what", "size", "n", "ms", "GFLOP/s", "GPU-ts GFLOP/s"], rows);
}

async function matmulSection(
  gpu: Gpu,
  rep: Reporter,
  plan: BenchPlan,
  configs: readonly BenchConfig[],
  peers: boolean,
  software: boolean,
): Promise<void> {
  const maxBinding = gpu.limits.maxStorageBufferBindingSize;
  const shapes: BenchShape[] = [
    ...configs.flatMap((c) =>
      stepMatmulShapes(c, maxBinding).map((s) => ({ ...s, config: c.name }))
    ),
    ...squareShapes().map((s) => ({ ...s, config: "square" })),
    // PyTorch's GEMM shapes, so a GPU run puts ours beside `torch_baseline.py matmul`.
    ...(software ? [] : torchGemmShapes().map((s) => ({ ...s, config: "torch-gemm" }))),
  ];
  const key = (s: { variant: string; m: number; k: number; n: number }) =>
    `${s.variant} ${s.m}x${s.k}x${s.n}`;
  // Each peer stays up for the whole section, and every round takes one sample of ours and then
  // one of each peer at the same shape, so both sides see the same load on a shared machine; the
  // ratio is the median of the rounds' ratios.
  const servers: { name: string; backend: string; server: PeerServer }[] = [];
  if (peers) {
    for (const p of PEERS) {
      try {
        const server = await PeerServer.start(MATMUL_PEER, [p.backend, "--serve"], {
          timeoutSeconds: 600,
        });
        servers.push({ ...p, server });
      } catch (e) {
        const error = (e as Error).message;
        rep.line({ kind: "peer_error", impl: p.name, section: "matmul", error });
        rep.note(`${p.name} matmul peer failed: ${error}\n`);
      }
    }
  }
  const rows: unknown[][] = [];
  for (const s of shapes) {
    const item = `matmul ${s.config} ${key(s)}`;
    const ours = await attempt(rep, item, () => prepareMatmul(gpu, s, plan));
    if (!ours) continue;
    try {
      const active: { name: string; server: PeerServer; batch: number; samples: number[] }[] = [];
      for (const p of servers) {
        // The wasm peer on the big shapes would take minutes; it runs the small ones.
        if (p.backend === "wasm" && (s.config === "gpt2-small" || s.config === "torch-gemm")) {
          continue;
        }
        const { variant, m, k, n } = s;
        try {
          const r = await p.server.request<PeerMatmulPrepared | PeerMatmulError>({
            op: "prepare",
            shape: { variant, m, k, n },
            targetMs: plan.targetMs,
          });
          if (r.kind === "prepared" && r.checked) {
            active.push({ name: p.name, server: p.server, batch: r.batch, samples: [] });
          } else {
            const error = r.kind === "matmul_error" ? r.error : "wrong product (spot check)";
            rep.line({ kind: "peer_error", impl: p.name, section: "matmul", item, error });
            rep.note(`${p.name}: ${key(s)} failed: ${error}\n`);
          }
        } catch (e) {
          rep.note(`${p.name}: ${key(s)} failed: ${(e as Error).message}\n`);
        }
      }
      const walls: number[] = [], gpus: number[] = [];
      for (let r = 0; r < plan.reps; r++) {
        const o = await ours.sampler.sample();
        walls.push(o.wall);
        if (o.gpu !== undefined) gpus.push(o.gpu);
        for (const a of active) {
          try {
            a.samples.push((await a.server.request<{ ms: number }>({ op: "sample" })).ms);
          } catch (e) {
            rep.note(`${a.name}: ${key(s)} failed: ${(e as Error).message}\n`);
          }
        }
      }
      for (const a of active) await a.server.request({ op: "release" }).catch(() => {});
      const wall = median(walls), gf = gigaPerSecond(ours.flops, wall);
      const gpuMs = gpus.length === walls.length ? median(gpus) : undefined;
      rep.line({
        kind: "matmul",
        impl: "ours",
        config: s.config,
        role: s.role,
        variant: s.variant,
        m: s.m,
        k: s.k,
        n: s.n,
        samples: walls.length,
        batch: ours.sampler.batch,
        ms: wall,
        gpu_ms: gpuMs,
        gflops: gf,
        gpu_gflops: gpuMs ? gigaPerSecond(ours.flops, gpuMs) : undefined,
        checked: ours.checked,
      });
      const row: unknown[] = [
        s.config,
        s.role,
        s.variant,
        `${s.m}×${s.k}×${s.n}`,
        walls.length,
        wall,
        gf,
        gpuMs ? gigaPerSecond(ours.flops, gpuMs) : undefined,
      ];
      for (const p of PEERS) {
        const a = active.find((x) => x.name === p.name);
        if (!a || a.samples.length !== walls.length) {
          row.push(undefined, undefined);
          continue;
        }
        const ms = median(a.samples);
        const speedup = pairedSpeedup(walls, a.samples);
        rep.line({
          kind: "matmul",
          impl: p.name,
          variant: s.variant,
          m: s.m,
          k: s.k,
          n: s.n,
          samples: a.samples.length,
          batch: a.batch,
          ms,
          gflops: gigaPerSecond(ours.flops, ms),
          checked: true,
        });
        rep.line({ kind: "ratio", item, vs: p.name, speedup });
        row.push(gigaPerSecond(ours.flops, ms), `${speedup.toFixed(2)}×`);
      }
      rows.push(row);
    } finally {
      ours.release();
    }
  }
  for (const p of servers) await p.server.close();
  rep.table(
    "Matmul (GFLOP/s; ours/peer = median over rounds of peer ms ÷ our ms, interleaved)",
    [
      "config",
      "role",
      "op",
      "M×K×N",
      "n",
      "ours ms",
      "ours GFLOP/s",
      "ours GPU-ts GFLOP/s",
      "tfjs-webgpu GFLOP/s",
      "ours/webgpu",
      "tfjs-wasm GFLOP/s",
      "ours/wasm",
    ],
    rows,
  );
}

async function kernelsSection(
  gpu: Gpu,
  rep: Reporter,
  plan: BenchPlan,
  configs: readonly BenchConfig[],
): Promise<void> {
  const rows: unknown[][] = [];
  const add = (
    config: string,
    kernel: string,
    shape: string,
    r: KernelResult,
  ) => {
    const line = {
      kind: "kernel",
      impl: "ours",
      config,
      kernel,
      shape,
      samples: r.timing.wall.n,
      batch: r.timing.batch,
      ms: r.timing.wall.median,
      gpu_ms: r.timing.gpu?.median,
      gflops: r.flops ? gigaPerSecond(r.flops, r.timing.wall.median) : undefined,
      gbs: gigaPerSecond(r.bytes, r.timing.wall.median),
      gpu_gbs: r.timing.gpu ? gigaPerSecond(r.bytes, r.timing.gpu.median) : undefined,
    };
    rep.line(line);
    rows.push([
      config,
      kernel,
      shape,
      line.samples,
      line.ms,
      line.gpu_ms,
      line.gflops,
      line.gbs,
      line.gpu_gbs,
    ]);
  };
  for (const c of configs) {
    await attempt(rep, `kernels ${c.name}`, async () => {
      const m = c.model, B = 2 * c.pairs, T = c.seqLen;
      const att = {
        batch: B,
        seqLen: T,
        heads: m.numHeads,
        kvHeads: m.numKvHeads,
        headSize: m.headDim,
      };
      const a = await benchAttention(gpu, att, plan);
      const shape = `B${B} T${T} NH${m.numHeads} HS${m.headDim}`;
      add(c.name, "attention fwd", shape, a.forward);
      add(c.name, "attention bwd", shape, a.backward);
      const rows0 = Math.min(B * T, c.name === "tiny" ? B * T : 128);
      const ls = await benchLogSoftmax(gpu, rows0, m.vocabSize, plan);
      add(c.name, "log-softmax fwd", `R${rows0} V${m.vocabSize}`, ls.forward);
      add(c.name, "log-softmax bwd", `R${rows0} V${m.vocabSize}`, ls.backward);
      const nParams = internalParams(m).reduce((s, p) => s + p.shape.reduce((x, y) => x * y, 1), 0);
      add(c.name, "adamw", `N ${nParams}`, await benchAdamW(gpu, nParams, plan));
    });
  }
  if (!configs.some((c) => c.name === "gpt2-small")) {
    // The big vocabulary and a bandwidth-sized AdamW, affordable on a software adapter.
    const ls = await benchLogSoftmax(gpu, 128, 50257, plan);
    add("gpt2 vocab", "log-softmax fwd", "R128 V50257", ls.forward);
    add("gpt2 vocab", "log-softmax bwd", "R128 V50257", ls.backward);
    add("4M params", "adamw", `N ${1 << 22}`, await benchAdamW(gpu, 1 << 22, plan));
  }
  rep.table(
    "Attention, log-softmax, AdamW (ours)",
    ["config", "kernel", "shape", "n", "ms", "GPU-ts ms", "GFLOP/s", "GB/s", "GPU-ts GB/s"],
    rows,
  );
  rep.note(
    "Attention FLOPs count the causal half only (fwd 4·HS, bwd 10·HS per kept query–key pair); " +
      "bytes are the least each kernel must move (inputs read once, outputs written once).\n",
  );
}

async function trainSection(
  rep: Reporter,
  plan: BenchPlan,
  configs: readonly BenchConfig[],
  peers: boolean,
): Promise<void> {
  const rows: unknown[][] = [];
  const ours = new Map<string, TrainStepResult>();
  for (const c of configs) {
    // DPO with a pair's rows sharing their prompt (real preference data), and for the GPU config
    // also with every row's own prompt, as in the PyTorch peer's random batch (which computes
    // every row either way).
    // Also DPO training LoRA adapters (r 8 on every linear layer; on float32 and on nf4 frozen
    // projections) and with checkpointed layers: what each costs in time and saves in memory.
    const lora = { rank: 8, alpha: 16, targetModules: "all-linear" as const };
    const runs = [
      { objective: "sft" as const, sharedPrompts: true },
      { objective: "dpo" as const, sharedPrompts: true },
      ...(c.name === "tiny" ? [] : [{ objective: "dpo" as const, sharedPrompts: false }]),
      { objective: "dpo" as const, sharedPrompts: true, lora, label: "LoRA r 8" },
      {
        objective: "dpo" as const,
        sharedPrompts: true,
        lora,
        quantize: "nf4" as const,
        label: "LoRA r 8, nf4 base",
      },
      {
        objective: "dpo" as const,
        sharedPrompts: true,
        checkpointLayers: true,
        label: "checkpointed",
      },
    ];
    for (const run of runs) {
      const { objective, sharedPrompts } = run;
      const steps = c.name === "tiny" ? plan.steps : Math.max(3, Math.floor(plan.steps / 2));
      const what = "label" in run
        ? `${objective}, ${run.label}`
        : sharedPrompts
        ? objective
        : `${objective}, prompts not shared`;
      const r = await attempt(
        rep,
        `train_step ${c.name} ${what}`,
        () =>
          benchTrainStep(c, objective, {
            steps,
            sharedPrompts,
            lora: "lora" in run ? run.lora : undefined,
            checkpointLayers: "checkpointLayers" in run,
            quantize: "quantize" in run ? run.quantize : undefined,
          }),
      );
      if (!r) continue;
      if (sharedPrompts && !("label" in run)) ours.set(`${c.name} ${objective}`, r);
      const tokensPerS = r.tokens / r.ms.median * 1000;
      rep.line({
        kind: "train_step",
        impl: "ours",
        config: c.name,
        objective,
        ...(objective === "dpo" ? { shared_prompts: sharedPrompts } : {}),
        ...("lora" in run && run.lora ? { lora_rank: run.lora.rank } : {}),
        ...("checkpointLayers" in run ? { checkpointed: true } : {}),
        ...("quantize" in run ? { quantize: run.quantize } : {}),
        rows: r.rows,
        tokens: r.tokens,
        samples: r.ms.n,
        ms: r.ms.median,
        min_ms: r.ms.min,
        first_ms: r.firstMs,
        tokens_per_s: tokensPerS,
        loop_ms: r.loopMs.median,
        loop_tokens_per_s: r.tokens / r.loopMs.median * 1000,
        sync_every: r.syncEvery,
        peak_mb: r.peakBytes / 2 ** 20,
        loss_first: r.lossFirst,
        loss_last: r.lossLast,
        dispatches: r.dispatchesPerStep,
      });
      rows.push([
        c.name,
        "ours",
        what,
        `${r.rows}×${c.seqLen}`,
        r.ms.n,
        r.ms.median,
        tokensPerS,
        r.loopMs.median,
        r.peakBytes / 2 ** 20,
        r.firstMs,
        `${r.lossFirst.toFixed(3)} → ${r.lossLast.toFixed(3)}`,
      ]);
    }
  }
  // The peers' step of the same model and objective: `sft` (token cross-entropy) and `dpo`.
  const peerMs = new Map<string, number>();
  if (peers) {
    for (const p of PEERS) {
      for (const objective of ["sft", "dpo"] as const) {
        const run = await runPeer<PeerTrainLine>(
          TRAIN_PEER,
          [p.backend, String(plan.steps), "3", objective],
          { timeoutSeconds: 300 },
        );
        const line = run.lines.find((l) => l.kind === "train_step");
        if (!line) {
          const error = run.error ?? "printed no result";
          rep.line({ kind: "peer_error", impl: p.name, section: "train", objective, error });
          rep.note(`${p.name} ${objective} training-step peer failed: ${error}\n`);
          continue;
        }
        const ms = median(line.samples);
        peerMs.set(`${p.name} ${objective}`, ms);
        const peerRows = objective === "dpo" ? 2 * TINY.pairs : TINY.sftRows;
        rep.line({
          kind: "train_step",
          impl: p.name,
          config: "tiny",
          objective,
          rows: peerRows,
          tokens: line.tokens,
          samples: line.samples.length,
          ms,
          min_ms: Math.min(...line.samples),
          first_ms: line.first_ms,
          tokens_per_s: line.tokens / ms * 1000,
          loss_first: line.loss_first,
          loss_last: line.loss_last,
          params: line.params,
        });
        rows.push([
          "tiny",
          p.name,
          objective === "sft" ? "sft (CE, Adam)" : "dpo (sigmoid, Adam)",
          `${peerRows}×${TINY.seqLen}`,
          line.samples.length,
          ms,
          line.tokens / ms * 1000,
          undefined,
          undefined,
          line.first_ms,
          `${line.loss_first.toFixed(3)} → ${line.loss_last.toFixed(3)}`,
        ]);
      }
    }
  }
  rep.table(
    "Training step (forward + backward + optimizer, readback included)",
    [
      "config",
      "impl",
      "objective",
      "rows×T",
      "n",
      "ms",
      "tokens/s",
      "loop ms",
      "peak MiB",
      "first ms",
      "loss",
    ],
    rows,
  );
  rep.note(
    "ms: each step waited for (its readback) before the next, as the peers' steps; loop ms: " +
      "ours as `deno task train` runs, steps submitted back to back and read back together every " +
      `${DEFAULT_TRAIN.syncEvery} (\`train.sync_every\`), per step.\n`,
  );
  const ratioRows: unknown[][] = [];
  for (const objective of ["sft", "dpo"] as const) {
    const r = ours.get(`tiny ${objective}`);
    if (!r) continue;
    for (const p of PEERS) {
      const ms = peerMs.get(`${p.name} ${objective}`);
      if (ms === undefined) continue;
      const speedup = ms / r.ms.median;
      rep.line({ kind: "ratio", item: `train_step tiny ${objective}`, vs: p.name, speedup });
      ratioRows.push([`tiny ${objective}`, p.name, r.ms.median, ms, `${speedup.toFixed(2)}×`]);
    }
  }
  if (ratioRows.length) {
    rep.table(
      "Training step, ours/peer (peer ms ÷ our ms)",
      ["ours", "peer", "ours ms", "peer ms", "ours/peer"],
      ratioRows,
    );
  }
}

async function dataSection(rep: Reporter, plan: BenchPlan): Promise<void> {
  const r = await benchLoadTokenize({
    rows: plan.dataRows,
    reps: plan.dataReps,
    gpt2Dir: GPT2_DIR,
  });
  const pps = (ms: number) => r.rows / ms * 1000;
  const rows: unknown[][] = [[
    "load (JSONL, TRL standard)",
    r.loadMs.n,
    r.loadMs.median,
    pps(r.loadMs.median),
    undefined,
  ]];
  rep.line({
    kind: "data",
    stage: "load",
    rows: r.rows,
    mb: r.bytes / 2 ** 20,
    samples: r.loadMs.n,
    ms: r.loadMs.median,
    pairs_per_s: pps(r.loadMs.median),
  });
  for (const t of r.tokenize) {
    const both = r.loadMs.median + t.ms.median;
    rep.line({
      kind: "data",
      stage: "tokenize",
      tokenizer: t.tokenizer,
      rows: r.rows,
      samples: t.ms.n,
      ms: t.ms.median,
      pairs_per_s: pps(t.ms.median),
      load_tokenize_pairs_per_s: pps(both),
      tokens_per_s: t.tokens / t.ms.median * 1000,
    });
    rows.push([`tokenize (${t.tokenizer})`, t.ms.n, t.ms.median, pps(t.ms.median), pps(both)]);
  }
  for (const s of r.skipped) {
    rep.line({ kind: "skip", section: "data", tokenizer: s.tokenizer, reason: s.reason });
    rows.push([`tokenize (${s.tokenizer})`, `skipped: ${s.reason}`]);
  }
  rep.table(
    `Load + tokenize, ${r.rows} pairs (${(r.bytes / 2 ** 20).toFixed(1)} MiB)`,
    ["stage", "n", "ms", "pairs/s", "load + tokenize pairs/s"],
    rows,
  );
}

/** The software-adapter targets of issue 8, judged from this run's ratio lines. */
function targetsSection(rep: Reporter): void {
  const ratios = rep.lines.filter((l) => l.kind === "ratio") as unknown as {
    item: string;
    vs: string;
    speedup: number;
  }[];
  const mm = ratios.filter((r) => r.item.startsWith("matmul ") && r.vs === "tfjs-webgpu");
  const rows: unknown[][] = [];
  if (mm.length) {
    const worst = mm.reduce((a, b) => (b.speedup < a.speedup ? b : a));
    const below = mm.filter((r) => r.speedup < 3);
    const met = below.length === 0;
    rows.push([
      "every matmul shape ≥ 3× tfjs-webgpu",
      met ? "met" : "not met",
      `min ${worst.speedup.toFixed(2)}× (${
        worst.item.slice(7)
      }); ${below.length} of ${mm.length} below 3×`,
    ]);
    rep.line({
      kind: "target",
      target: "matmul ≥ 3× tfjs-webgpu",
      met,
      min_speedup: worst.speedup,
    });
  }
  for (const objective of ["sft", "dpo"]) {
    const w = ratios.find((r) =>
      r.item === `train_step tiny ${objective}` && r.vs === "tfjs-webgpu"
    );
    const c = ratios.find((r) => r.item === `train_step tiny ${objective}` && r.vs === "tfjs-wasm");
    if (!w || !c) continue;
    const met = w.speedup >= 3 && c.speedup > 1;
    rows.push([
      `tiny ${objective} step ≥ 3× tfjs-webgpu and faster than tfjs-wasm`,
      met ? "met" : "not met",
      `${w.speedup.toFixed(2)}× webgpu, ${c.speedup.toFixed(2)}× wasm`,
    ]);
    rep.line({
      kind: "target",
      target: `tiny ${objective} step`,
      met,
      vs_webgpu: w.speedup,
      vs_wasm: c.speedup,
    });
  }
  if (rows.length) {
    rep.table("Targets on this software adapter", ["target", "status", "evidence"], rows);
  }
}

/** Runs a measurement; a failure becomes an `error` line and the bench goes on. */
async function attempt<T>(rep: Reporter, item: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    const error = (e as Error).message.split("\n")[0];
    rep.line({ kind: "error", item, error });
    rep.note(`${item} failed: ${error}\n`);
    return null;
  }
}

/** The 1-, 5- and 15-minute load averages (Linux), to judge how disturbed a run was. */
async function loadAverage(): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  } catch {
    return undefined;
  }
}

async function gitCommit(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "--short", "HEAD"],
      cwd: new URL("..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "unknown";
  } catch {
    return "unknown";
  }
}

if (import.meta.main) await main();
