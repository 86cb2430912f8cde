/**
 * One full training step of ours, as `pipeline/train.ts` runs it: zero the gradients, upload the
 * micro-batch, encode forward, loss and backward, the global-norm clip and AdamW, submit once, read
 * the metrics and the gradient norm back in one readback. The step time is wall clock over all of
 * that (upload and readback included), as the peer's is over `minimize` and `loss.data()`; the loop
 * time is the trainer's own rhythm, `syncEvery` steps submitted back to back and read back
 * together.
 *
 * Each measurement opens its own device, so the pool's peak bytes are the step's alone.
 *
 * @module
 */
import { Gpu } from "../kernels/gpu.ts";
import type { AttentionDesign } from "../kernels/attention.ts";
import type { LoraSpec } from "../model/lora.ts";
import type { QuantKind } from "../kernels/quantize.ts";
import { initParams } from "../model/params.ts";
import { type AttentionOptions, Transformer } from "../model/transformer.ts";
import {
  DEFAULT_DPO_LOSS,
  DpoObjective,
  type Objective,
  releaseMicroBatch,
  SftObjective,
  uploadMicroBatch,
} from "../pipeline/objective.ts";
import { AdamW, DEFAULT_OPTIMIZER } from "../pipeline/optimizer.ts";
import { DEFAULT_TRAIN } from "../pipeline/train.ts";
import { Rng } from "../util/rng.ts";
import type { BenchConfig } from "./configs.ts";
import { summarize, type Summary } from "./measure.ts";

/** Options of {@linkcode benchTrainStep}. */
export interface TrainStepOptions {
  /** Timed steps. */
  steps: number;
  /** Untimed steps after the first (which compiles the pipelines). Default 2. */
  warmup?: number;
  /** Rows per step, overriding the config's (tests use fewer). */
  rows?: number;
  /**
   * After the timed steps, run one more with every dispatch in its own timed compute pass (GPU
   * timestamps) and return the GPU time per kernel entry point (`profile`). Needs the device's
   * `timestamp-query`; without it `profile` stays empty.
   */
  profile?: boolean;
  /** The model's attention settings (design, tile, …); default the model's (`withAttentionDesign`). */
  attention?: AttentionOptions;
  /** Train LoRA adapters of this spec instead of the model. */
  lora?: LoraSpec;
  /** Checkpointed layers (the backward recomputes each block's activations). */
  checkpointLayers?: boolean;
  /** With `lora`: the frozen projections held in this format (`model.quantize`). */
  quantize?: QuantKind;
  /**
   * DPO: whether a pair's rows share their prompt, as in real preference data (default true).
   * False gives every row its own random prompt, like the PyTorch peer's batch.
   */
  sharedPrompts?: boolean;
}

/** GPU time of one kernel entry point (or one matmul launch grid) over a profiled step. */
export interface ProfileLine {
  /** `label.entryPoint` of the kernel; in `profileLaunches`, followed by ` x×y×z` workgroups. */
  kernel: string;
  /** Dispatches of it in the step. */
  count: number;
  /** Their GPU milliseconds, summed. */
  ms: number;
}

/** What a training-step measurement gives. */
export interface TrainStepResult {
  /** The attention design the model ran (its default resolved). */
  attentionDesign: AttentionDesign;
  /** "sft" or "dpo". */
  objective: "sft" | "dpo";
  /** Rows per step (DPO: 2 × pairs). */
  rows: number;
  /** Tokens per step (rows × T). */
  tokens: number;
  /** Milliseconds per step after warm-up, each step waited for (its readback) before the next. */
  ms: Summary;
  /**
   * Milliseconds per step as `deno task train` runs: steps submitted back to back, their metrics
   * read back together every `DEFAULT_TRAIN.syncEvery` steps (the host encodes a step while the
   * device runs the last, and Deno's ~10 ms readback is paid once per batch): one sample per
   * batch of steps, divided by its steps.
   */
  loopMs: Summary;
  /** Steps per readback in `loopMs` (the trainer's default `syncEvery`). */
  syncEvery: number;
  /** The first step, pipeline compilation included. */
  firstMs: number;
  /** The buffer pool's peak bytes over the run (parameters, gradients, AdamW moments, activations). */
  peakBytes: number;
  /** Loss after the first and the last step. */
  lossFirst: number;
  lossLast: number;
  /** Submits per step: 1 plus the readback's copy, and on GPUs one per `gpu.flushEvery` dispatches. */
  submitsPerStep: number;
  /** Dispatches encoded per step. */
  dispatchesPerStep: number;
  /** With `profile`: GPU time per kernel of one step, largest first. */
  profile?: ProfileLine[];
  /**
   * With `profile`: the matmul kernels' GPU time per launch grid (x×y×z workgroups, which tells
   * the products apart: the layers', the classifier's, attention's batched ones), largest first.
   */
  profileLaunches?: ProfileLine[];
}

/**
 * A deterministic batch of `rows` full rows of length T: next-token targets over pseudo-random
 * ids; SFT trains on every token, DPO on all but the first quarter (the "prompt", shared by a
 * pair's rows unless `sharedPrompts` is false), with the rejected rows' responses different from
 * the chosen ones'. As in the tokenize stage's batches, prompt positions have no target (−1), so
 * the classifier runs on the response tokens only.
 *
 * @example
 * ```ts
 * import { syntheticBatch } from "./train_step.ts";
 * const b = syntheticBatch({ rows: 4, seqLen: 8, vocab: 50, dpo: true, seed: 1 });
 * console.log(b.tokens.length, b.mask[0], b.targets[0], b.mask[7]); // 32 0 -1 1
 * ```
 */
export function syntheticBatch(
  o: {
    rows: number;
    seqLen: number;
    vocab: number;
    dpo: boolean;
    seed: number;
    sharedPrompts?: boolean;
  },
): {
  rows: number;
  length: number;
  tokens: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
  lengths: Int32Array;
} {
  const { rows, seqLen: T, vocab, dpo } = o;
  const rng = new Rng(o.seed);
  const prompt = dpo ? Math.floor(T / 4) : 0;
  const P = rows / 2;
  const seqs: Int32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const s = new Int32Array(T + 1);
    for (let t = 0; t <= T; t++) {
      // DPO: a rejected row repeats its chosen row's prompt.
      const shared = dpo && o.sharedPrompts !== false && r >= P && t < prompt;
      s[t] = shared ? seqs[r - P][t] : rng.int(vocab);
    }
    seqs.push(s);
  }
  const tokens = new Int32Array(rows * T), targets = new Int32Array(rows * T);
  const mask = new Float32Array(rows * T);
  seqs.forEach((s, r) => {
    tokens.set(s.subarray(0, T), r * T);
    targets.set(s.subarray(1), r * T);
    targets.fill(-1, r * T, r * T + prompt);
    mask.fill(1, r * T + prompt, (r + 1) * T);
  });
  return { rows, length: T, tokens, targets, mask, lengths: new Int32Array(rows).fill(T) };
}

/**
 * Measures our training step of a config: SFT (mean cross-entropy) or DPO (sigmoid loss, β 0.1,
 * with synthetic reference log-probs), AdamW with lr 1e-3 and clipping at norm 1.
 *
 * @example
 * ```ts ignore
 * import { TINY } from "./configs.ts";
 * import { benchTrainStep } from "./train_step.ts";
 * const r = await benchTrainStep(TINY, "dpo", { steps: 5 });
 * console.log(r.ms.median, r.tokens / r.ms.median * 1000, "tokens/s");
 * ```
 */
export async function benchTrainStep(
  config: BenchConfig,
  objective: "sft" | "dpo",
  options: TrainStepOptions,
): Promise<TrainStepResult> {
  const dpo = objective === "dpo";
  const rows = options.rows ?? (dpo ? 2 * config.pairs : config.sftRows);
  const T = config.seqLen, c = config.model;
  const gpu = await Gpu.create();
  const model = Transformer.create(gpu, c, initParams(c, { seed: 1 }), {
    maxBatch: rows,
    maxSeqLen: T,
    attention: options.attention,
    ...(options.lora ? { lora: options.lora } : {}),
    checkpointLayers: options.checkpointLayers,
    quantize: options.quantize,
  });
  const obj: Objective = dpo
    ? new DpoObjective(model, DEFAULT_DPO_LOSS, { maxRows: rows, slots: 1 })
    : new SftObjective(model, { slots: 1 });
  const optimizer = new AdamW(model, {
    ...DEFAULT_OPTIMIZER,
    lr: 1e-3,
    schedule: "constant",
  });
  const batch = syntheticBatch({
    rows,
    seqLen: T,
    vocab: c.vocabSize,
    dpo,
    seed: 7,
    sharedPrompts: options.sharedPrompts,
  });
  // Reference log-probs a little below what a fresh model gives (−log V per response token).
  const responseTokens = T - (dpo ? Math.floor(T / 4) : 0);
  const ref = dpo
    ? new Float32Array(rows).map((_, i) => -responseTokens * Math.log(c.vocabSize) - 1 - i % 3)
    : undefined;
  try {
    let stamps: { label: string; ms: number }[] | null = null;
    /** Encodes and submits one step; the returned function waits for its loss. */
    const launch = (profile = false): () => Promise<number> => {
      const enc = gpu.encoder("bench step");
      if (profile) {
        const dispatch = enc.dispatch.bind(enc);
        enc.dispatch = (d) => {
          const [x, y = 1, z = 1] = d.workgroups;
          enc.timed(`${d.kernel.label}.${d.kernel.entryPoint} ${x}×${y}×${z}`, () => dispatch(d));
        };
      }
      model.zeroGrads(enc);
      const mb = uploadMicroBatch(gpu, batch, c.vocabSize, ref);
      obj.encode(enc, mb.device, mb.inputs, { slot: 0, scale: 1, backward: true });
      optimizer.step(enc, 1e-3);
      const readback = gpu.readAfter(enc, [obj.metrics.view(0, [64]), optimizer.norm]);
      gpu.submit(enc);
      releaseMicroBatch(mb);
      return async () => {
        const [metrics] = await readback();
        if (profile) stamps = await enc.readTimings();
        return obj.decode(metrics as Float32Array, 1).loss;
      };
    };
    const step = (profile = false): Promise<number> => launch(profile)();
    const t0 = performance.now();
    const lossFirst = await step();
    const firstMs = performance.now() - t0;
    for (let i = 0; i < (options.warmup ?? 2); i++) await step();
    const before = { ...gpu.stats };
    const samples: number[] = [];
    let lossLast = lossFirst;
    for (let i = 0; i < options.steps; i++) {
      const s0 = performance.now();
      lossLast = await step();
      samples.push(performance.now() - s0);
    }
    const per = (k: "submits" | "dispatches") => (gpu.stats[k] - before[k]) / options.steps;
    const submitsPerStep = per("submits"), dispatchesPerStep = per("dispatches");
    // The same steps as the trainer runs them: `syncEvery` submitted back to back, then read
    // back together (their waits overlap). A sample per batch, per step.
    const syncEvery = DEFAULT_TRAIN.syncEvery!;
    const loop: number[] = [];
    for (let i = 0; i < Math.max(3, Math.ceil(options.steps / syncEvery)); i++) {
      const s0 = performance.now();
      const waiting = Array.from({ length: syncEvery }, () => launch());
      lossLast = (await Promise.all(waiting.map((w) => w()))).at(-1)!;
      loop.push((performance.now() - s0) / syncEvery);
    }
    let profile: ProfileLine[] | undefined, profileLaunches: ProfileLine[] | undefined;
    if (options.profile) {
      await step(true);
      const byKernel = new Map<string, ProfileLine>(), byLaunch = new Map<string, ProfileLine>();
      const add = (map: Map<string, ProfileLine>, kernel: string, ms: number) => {
        const line = map.get(kernel) ?? { kernel, count: 0, ms: 0 };
        line.count++;
        line.ms += ms;
        map.set(kernel, line);
      };
      // (Assigned in launch's closure, which the type checker does not follow.)
      const timings = stamps as { label: string; ms: number }[] | null;
      for (const { label, ms } of timings ?? []) {
        const kernel = label.slice(0, label.lastIndexOf(" "));
        add(byKernel, kernel, ms);
        if (kernel.startsWith("matmul.matmul")) add(byLaunch, label, ms);
      }
      const sorted = (map: Map<string, ProfileLine>) =>
        [...map.values()].sort((a, b) => b.ms - a.ms);
      profile = sorted(byKernel);
      profileLaunches = sorted(byLaunch);
    }
    return {
      attentionDesign: model.attentionDesign,
      profile,
      profileLaunches,
      objective,
      rows,
      tokens: rows * T,
      ms: summarize(samples),
      loopMs: summarize(loop),
      syncEvery,
      firstMs,
      peakBytes: gpu.pool.peakBytes,
      lossFirst,
      lossLast,
      submitsPerStep,
      dispatchesPerStep,
    };
  } finally {
    optimizer.release();
    obj.release();
    model.release();
    gpu.destroy();
  }
}
