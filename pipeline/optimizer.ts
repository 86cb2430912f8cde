/**
 * The optimizer side of training: AdamW moments on the GPU, the learning-rate schedule (linear
 * warmup, then cosine, linear or constant, as transformers' schedulers), global-norm gradient
 * clipping, and saving/restoring the optimizer state exactly.
 *
 * @module
 */
import { adamw } from "../kernels/adamw.ts";
import type { Encoder, Tensor } from "../kernels/gpu.ts";
import { gradNorm, gradNormSlots } from "../kernels/reduce.ts";
import type { Transformer } from "../model/transformer.ts";
import { FlatTensors } from "../model/flat.ts";
import { type NamedTensor, readSafetensors, writeSafetensors } from "../model/safetensors.ts";

/** The optimizer's options, with TRL's defaults. */
export interface OptimizerConfig {
  /** Peak learning rate. Default 1e-6 (TRL's DPO default). */
  lr: number;
  /** Adam β1. Default 0.9. */
  beta1: number;
  /** Adam β2. Default 0.999. */
  beta2: number;
  /** Adam ε. Default 1e-8. */
  eps: number;
  /** Decoupled weight decay, not applied to norms and biases. Default 0. */
  weightDecay: number;
  /** Clip the global gradient norm to this; 0 disables. Default 1. */
  maxGradNorm: number;
  /** Decay after warmup. Default "linear". */
  schedule: "linear" | "cosine" | "constant";
  /** Optimizer steps of linear warmup from 0. Default 0. */
  warmupSteps: number;
  /**
   * Warmup as a share of all optimizer steps, rounded up, where `warmupSteps` is 0
   * (transformers' `warmup_ratio`). Default 0.
   */
  warmupRatio?: number;
}

/** TRL's defaults for {@linkcode OptimizerConfig}. */
export const DEFAULT_OPTIMIZER: OptimizerConfig = {
  lr: 1e-6,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  maxGradNorm: 1,
  schedule: "linear",
  warmupSteps: 0,
};

/**
 * The learning rate of optimizer step `step` (0-based) out of `total`, as transformers'
 * `get_{linear,cosine,constant}_schedule_with_warmup`: `lr·step/warmup` during warmup (`warmupSteps`,
 * or else ⌈`warmupRatio`·total⌉ steps), then linear or cosine decay to 0 at `total` (or constant).
 *
 * @example
 * ```ts
 * import { DEFAULT_OPTIMIZER, learningRate } from "./optimizer.ts";
 * const cfg = { ...DEFAULT_OPTIMIZER, lr: 1e-3, warmupSteps: 10, schedule: "cosine" as const };
 * console.log(learningRate(5, 100, cfg)); // 0.0005
 * ```
 */
export function learningRate(step: number, total: number, cfg: OptimizerConfig): number {
  const warmup = cfg.warmupSteps > 0 ? cfg.warmupSteps : Math.ceil(total * (cfg.warmupRatio ?? 0));
  if (step < warmup) return cfg.lr * step / Math.max(1, warmup);
  if (cfg.schedule === "constant") return cfg.lr;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  if (cfg.schedule === "linear") return cfg.lr * Math.max(0, 1 - progress);
  return cfg.lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}

/**
 * AdamW over all of a model's parameters: moments, clipping by the global gradient norm (no
 * readback: the clip scale stays on the GPU) and the update, encoded in one go.
 *
 * @example
 * ```ts
 * import { AdamW, DEFAULT_OPTIMIZER } from "./optimizer.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * import { tinyConfig } from "../model/config.ts";
 * import { initParams } from "../model/params.ts";
 * import { Transformer } from "../model/transformer.ts";
 * const gpu = await Gpu.create(), config = tinyConfig("gpt2");
 * const model = Transformer.create(gpu, config, initParams(config, { seed: 1 }), { maxBatch: 2, maxSeqLen: 8 });
 * const opt = new AdamW(model, { ...DEFAULT_OPTIMIZER, lr: 1e-3 });
 * const enc = gpu.encoder();
 * model.zeroGrads(enc);
 * opt.step(enc, 1e-3); // with zero gradients only weight decay acts
 * gpu.submit(enc);
 * ```
 */
export class AdamW {
  /** Options. */
  readonly config: OptimizerConfig;
  /** Optimizer steps taken. */
  steps = 0;
  /** (2,) [global gradient norm, clip scale] of the last step. */
  readonly norm: Tensor;
  readonly #model: Transformer;
  readonly #grads: FlatTensors;
  readonly #m: FlatTensors;
  readonly #v: FlatTensors;
  readonly #scratch: Tensor;

  /**
   * Allocates the moment buffers for every tensor the model trains (its parameters, or a LoRA
   * model's adapters), laid out as its trained and gradient buckets, so one update is a few dispatches whatever the number of tensors.
   */
  constructor(model: Transformer, config: OptimizerConfig) {
    if (!model.flatGrads) {
      throw new RangeError("AdamW: the model was created for inference only (no gradients)");
    }
    this.config = config;
    this.#model = model;
    this.#grads = model.flatGrads;
    const gpu = model.gpu;
    this.#m = FlatTensors.create(gpu, model.trainableList, "adam m");
    this.#v = FlatTensors.create(gpu, model.trainableList, "adam v");
    this.norm = gpu.tensor([2], { label: "grad norm" });
    this.#scratch = gpu.tensor([gradNormSlots(gpu, this.#grads.buckets)], {
      label: "grad norm partials",
    });
  }

  /**
   * Encodes one update with learning rate `lr`: the global norm and clip scale over the gradient
   * buckets, then AdamW over each run of tensors sharing a weight decay.
   */
  step(enc: Encoder, lr: number): void {
    const model = this.#model, c = this.config;
    gradNorm(enc, {
      grads: this.#grads.buckets,
      out: this.norm,
      maxNorm: c.maxGradNorm > 0 ? c.maxGradNorm : Infinity,
      scratch: this.#scratch,
    });
    this.steps++;
    for (const run of this.#grads.layout.runs) {
      adamw(enc, {
        param: model.flatTrainable.run(run),
        grad: this.#grads.run(run),
        m: this.#m.run(run),
        v: this.#v.run(run),
        lr,
        beta1: c.beta1,
        beta2: c.beta2,
        eps: c.eps,
        weightDecay: run.decay ? c.weightDecay : 0,
        step: this.steps,
        clipScale: this.norm,
      });
    }
  }

  /** Saves the moments and the step count to a safetensors file (atomically). */
  async save(path: string): Promise<void> {
    const gpu = this.#model.gpu, list = this.#model.trainableList;
    const data = await gpu.read(list.flatMap((p) => [this.#m.get(p.name), this.#v.get(p.name)]));
    const tensors = new Map<string, NamedTensor>();
    list.forEach((p, i) => {
      tensors.set(`${p.name}.exp_avg`, { shape: [...p.shape], data: data[2 * i] as Float32Array });
      tensors.set(`${p.name}.exp_avg_sq`, {
        shape: [...p.shape],
        data: data[2 * i + 1] as Float32Array,
      });
    });
    await writeSafetensors(path, tensors, { metadata: { steps: String(this.steps) } });
  }

  /** Restores what {@linkcode AdamW.save} wrote. */
  async load(path: string): Promise<void> {
    const { tensors, metadata } = await readSafetensors(path);
    const gpu = this.#model.gpu;
    for (const p of this.#model.trainableList) {
      for (const [suffix, map] of [["exp_avg", this.#m], ["exp_avg_sq", this.#v]] as const) {
        const t = tensors.get(`${p.name}.${suffix}`);
        if (!t || t.data.length !== map.get(p.name).size) {
          throw new RangeError(
            `${path}: optimizer state for "${p.name}" (${suffix}) is missing or the wrong size`,
          );
        }
        gpu.write(map.get(p.name), t.data);
      }
    }
    const steps = Number(metadata.steps);
    if (!Number.isInteger(steps) || steps < 0) {
      throw new RangeError(`${path}: metadata "steps" is not a step count`);
    }
    this.steps = steps;
  }

  /** Returns the buffers to the pool. */
  release(): void {
    this.#m.release();
    this.#v.release();
    this.norm.release();
    this.#scratch.release();
  }
}
