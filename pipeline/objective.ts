/**
 * Training objectives on the GPU, one micro-batch at a time: DPO (every variant of the `dpo`
 * kernel) and SFT cross-entropy. Each encodes the forward, the loss and its metrics, and (when
 * training) the backward into the model's gradients, with nothing read back: the metrics of all
 * micro-batches of a step land in one tensor that the trainer reads once.
 *
 * Shape legend: `P` pairs, `B = 2P` rows `[chosen(P); rejected(P)]`, `T` length, `N = B·T`.
 *
 * @module
 */
import {
  DPO_METRICS,
  dpoLoss,
  type DpoVariant,
  type FDivergence,
  KTO_METRICS,
  KTO_SLOTS,
  ktoMetrics,
  REFERENCE_FREE_VARIANTS,
  UNPAIRED_VARIANTS,
} from "../kernels/dpo.ts";
import type { Encoder, Gpu, Tensor } from "../kernels/gpu.ts";
import { dpoLoss as referenceDpoLoss } from "../kernels/reference/dpo.ts";
import { crossEntropy, maskedRowSums, tokenCoef } from "../kernels/log_softmax.ts";
import {
  type DeviceBatch,
  releaseBatch,
  type Transformer,
  uploadBatch,
} from "../model/transformer.ts";

/** The DPO loss options, with TRL's defaults. */
export interface DpoLossConfig {
  /** Loss variant. Default "sigmoid". */
  variant: DpoVariant;
  /** β. Default 0.1. */
  beta: number;
  /** cDPO label smoothing ε. Default 0. */
  labelSmoothing: number;
  /** SimPO's margin γ. Default 0. */
  gamma: number;
  /** Weight of the chosen NLL term (TRL's rpo_alpha). Default 0. */
  nllAlpha: number;
  /** DiscoPOP's τ (TRL's discopop_tau). Default 0.05 (absent). */
  discopopTau?: number;
  /** TRL's f_divergence_type of the margin. Default reverse KL, DPO's (absent). */
  fDivergence?: FDivergence;
  /** α of the α-divergence (TRL's f_alpha_divergence_coef). Default 1 (absent). */
  fAlpha?: number;
  /** WPO's weighting of each pair's loss (TRL's use_weighting). Default false (absent). */
  useWeighting?: boolean;
  /**
   * LD-DPO's α (TRL's ld_alpha): the policy's log-prob of a response counts its tokens past the
   * pair's shorter response at α (the reference's stays the plain sum). Absent: none.
   */
  ldAlpha?: number;
  /**
   * Several losses with weights (TRL's list of `loss_type`s and `loss_weights`): the loss is
   * Σ weight·loss; `variant` is the first. Absent: `variant` alone.
   */
  combination?: readonly { variant: DpoVariant; weight: number }[];
  /**
   * Compare with a reference that gives every response the same probability (log-probs 0)
   * instead of the reference model: TRL's `reference_free`. Default false (absent).
   */
  referenceFree?: boolean;
  /** `kto`: λ_D, the desirable examples' weight (TRL's desirable_weight). Default 1 (absent). */
  desirableWeight?: number;
  /** `kto`: λ_U, the undesirable examples' weight (TRL's undesirable_weight). Default 1 (absent). */
  undesirableWeight?: number;
}

/**
 * Whether a loss compares with the reference model's log-probs (so a run computes them): not
 * SimPO or ORPO, not reference-free.
 *
 * @example
 * ```ts
 * import { DEFAULT_DPO_LOSS, usesReference } from "./objective.ts";
 * console.log(usesReference(DEFAULT_DPO_LOSS)); // true
 * console.log(usesReference({ ...DEFAULT_DPO_LOSS, variant: "simpo" })); // false
 * ```
 */
export function usesReference(loss: DpoLossConfig): boolean {
  return lossVariants(loss).some((v) => !REFERENCE_FREE_VARIANTS.includes(v)) &&
    !loss.referenceFree;
}

/**
 * The losses a configuration combines: its combination's, or its variant alone.
 *
 * @example
 * ```ts
 * import { DEFAULT_DPO_LOSS, lossVariants } from "./objective.ts";
 * console.log(lossVariants(DEFAULT_DPO_LOSS)); // ["sigmoid"]
 * ```
 */
export function lossVariants(loss: DpoLossConfig): DpoVariant[] {
  return loss.combination?.map((x) => x.variant) ?? [loss.variant];
}

/**
 * A pair's loss when the policy is the reference (every log-ratio 0), without the NLL term: what
 * the reference model scores on held-out pairs (log 2 for sigmoid, 1/(2β)² for ipo, 1 for hinge).
 *
 * @example
 * ```ts
 * import { DEFAULT_DPO_LOSS, lossAtReference } from "./objective.ts";
 * console.log(lossAtReference(DEFAULT_DPO_LOSS)); // 0.693… (log 2)
 * ```
 */
export function lossAtReference(loss: DpoLossConfig): number {
  const { nllAlpha: _, ...options } = loss;
  return referenceDpoLoss([0, 0], [0, 0], [1, 1], loss.variant, options).loss;
}

/** TRL's defaults for {@linkcode DpoLossConfig}. */
export const DEFAULT_DPO_LOSS: DpoLossConfig = {
  variant: "sigmoid",
  beta: 0.1,
  labelSmoothing: 0,
  gamma: 0,
  nllAlpha: 0,
};

/** Floats per micro-batch slot of the metrics tensor (256 bytes keeps views aligned). */
const SLOT = 64;

/** A micro-batch's extra inputs, uploaded next to the {@linkcode DeviceBatch}. */
export interface ObjectiveInputs {
  /** (N,) f32 response mask. */
  mask: Tensor;
  /**
   * (N,) f32 LD-DPO's token weights of the policy's log-probs: 1 on a response's first
   * `min(c_w, c_l)` tokens, α after, 0 elsewhere ({@linkcode ldWeights}); absent: the mask.
   */
  ldMask?: Tensor;
  /** (B,) reference sequence log-probs (DPO; unused by SFT and SimPO). */
  refLogps?: Tensor;
  /** (P,) KTO examples' labels, 1 desirable, 0 undesirable (the `kto` loss only). */
  labels?: Tensor;
}

/** What every objective offers the trainer. */
export interface Objective {
  /** Metric names, in the order {@linkcode Objective.decode} returns them. */
  readonly names: readonly string[];
  /** (micro-batches × 64) metrics of a step's micro-batches. */
  readonly metrics: Tensor;
  /**
   * Encodes micro-batch `slot`: forward, loss and metrics, and with `backward` the gradients
   * (scaled by `scale`, e.g. 1/k for k accumulated micro-batches).
   */
  encode(
    enc: Encoder,
    batch: DeviceBatch,
    inputs: ObjectiveInputs,
    options: { slot: number; scale: number; backward: boolean },
  ): void;
  /** Averages the first `count` slots of a metrics readback into named values. */
  decode(raw: Float32Array, count: number): Record<string, number>;
  /**
   * Combines the metrics of several forward-only batches (one slot each, `sizes` their pairs)
   * into named values, each batch counting for its size.
   */
  decodeBatches(raws: readonly Float32Array[], sizes: readonly number[]): Record<string, number>;
  /**
   * State the loss carries from step to step, for checkpoints (bco_pair's running reward mean);
   * absent or null when there is none.
   */
  readState?(): Promise<number[] | null>;
  /** Restores what {@linkcode Objective.readState} returned. */
  loadState?(values: number[]): void;
  /** Returns the buffers to the pool. */
  release(): void;
}

/**
 * The DPO objective over `[chosen(P); rejected(P)]` rows.
 *
 * @example
 * ```ts
 * import { DEFAULT_DPO_LOSS, DpoObjective } from "./objective.ts";
 * // const objective = new DpoObjective(model, DEFAULT_DPO_LOSS, { maxRows: 8, slots: 1 });
 * console.log(DEFAULT_DPO_LOSS.beta); // 0.1
 * ```
 */
export class DpoObjective implements Objective {
  readonly names: readonly string[];
  readonly metrics: Tensor;
  readonly #model: Transformer;
  readonly #loss: DpoLossConfig;
  readonly #t: Record<string, Tensor>;
  /** (2,) bco_pair's running reward mean and batch count (null for other losses). */
  readonly #running: Tensor | null;
  readonly #foldForward: boolean;

  /**
   * Allocates the DPO loss buffers for the given batch sizes. bco_pair's running reward mean
   * takes in the training batches; with `foldForward`, forward-only batches too (a standalone
   * evaluation, as a fresh TRL trainer's evaluate() does), while by default evaluation only reads
   * the mean that training left.
   */
  constructor(
    model: Transformer,
    loss: DpoLossConfig,
    sizes: { maxRows: number; slots: number; foldForward?: boolean },
  ) {
    this.#model = model;
    this.#loss = loss;
    this.names = UNPAIRED_VARIANTS.includes(loss.variant) ? KTO_METRICS : DPO_METRICS;
    const gpu = model.gpu, B = sizes.maxRows, N = B * model.maxSeqLen;
    const t = (n: number, label: string) => gpu.tensor([n], { label });
    this.metrics = t(sizes.slots * SLOT, "dpo metrics");
    this.#t = {
      logps: t(B, "policy logps"),
      counts: t(B, "response tokens"),
      logitSums: t(B, "logit sums"),
      losses: t(B / 2, "pair losses"),
      rewardsChosen: t(B / 2, "rewards chosen"),
      rewardsRejected: t(B / 2, "rewards rejected"),
      grad: t(B, "dL/dlogp"),
      coef: t(N, "token coef"),
      sqSums: t(B, "log sums of squared probs"),
    };
    this.#foldForward = sizes.foldForward ?? false;
    this.#running = lossVariants(loss).includes("bco_pair")
      ? gpu.upload(new Float32Array(2), [2], { label: "bco running mean" })
      : null;
  }

  encode(
    enc: Encoder,
    batch: DeviceBatch,
    inputs: ObjectiveInputs,
    options: { slot: number; scale: number; backward: boolean },
  ): void {
    const model = this.#model, B = batch.batch, T = batch.seqLen, P = B / 2, t = this.#t;
    if (B % 2 !== 0) {
      throw new RangeError(`DpoObjective: rows must be [chosen; rejected], got B = ${B}`);
    }
    const rows = (x: Tensor, n: number) => x.view(0, [n]);
    const mask = inputs.mask.view(0, [B, T]);
    const l = this.#loss;
    model.forward(enc, batch, { logSumSquares: l.useWeighting });
    if (l.useWeighting) {
      maskedRowSums(enc, {
        values: model.logSumSq.view(0, [B, T]),
        mask,
        sums: rows(t.sqSums, B),
        counts: rows(t.counts, B),
      });
    }
    // LD-DPO: the policy's log-probs weigh the tokens past the shorter response by α (their
    // "counts" are overwritten by the plain mask's just below).
    const policyMask = inputs.ldMask?.view(0, [B, T]) ?? mask;
    maskedRowSums(enc, {
      values: model.logp.view(0, [B, T]),
      mask: policyMask,
      sums: rows(t.logps, B),
      counts: rows(t.counts, B),
    });
    maskedRowSums(enc, {
      values: model.logitSum.view(0, [B, T]),
      mask,
      sums: rows(t.logitSums, B),
      counts: rows(t.counts, B),
    });
    dpoLoss(enc, {
      policyLogps: rows(t.logps, B),
      refLogps: inputs.refLogps ? rows(inputs.refLogps, B) : undefined,
      counts: rows(t.counts, B),
      losses: rows(t.losses, P),
      rewardsChosen: rows(t.rewardsChosen, P),
      rewardsRejected: rows(t.rewardsRejected, P),
      grad: rows(t.grad, B),
      metrics: this.metrics.view(options.slot * SLOT, [SLOT]),
      variant: l.variant,
      combination: l.combination,
      beta: l.beta,
      labelSmoothing: l.labelSmoothing,
      gamma: l.gamma,
      nllAlpha: l.nllAlpha,
      discopopTau: l.discopopTau,
      fDivergence: l.fDivergence,
      fAlpha: l.fAlpha,
      wpoSqSums: l.useWeighting ? rows(t.sqSums, B) : undefined,
      // bco_pair: training batches fold into the running mean; evaluation reads it (see the
      // constructor).
      bcoRunning: this.#running ?? undefined,
      updateRunning: options.backward || this.#foldForward,
      logitSums: rows(t.logitSums, B),
      vocabSize: model.config.vocabSize,
      labels: inputs.labels?.view(0, [P]),
      desirableWeight: l.desirableWeight,
      undesirableWeight: l.undesirableWeight,
    });
    if (!options.backward) return;
    const coef = rows(t.coef, B * T);
    tokenCoef(enc, {
      rowGrad: rows(t.grad, B),
      mask: policyMask,
      coef: coef.view(0, [B, T]),
      scale: options.scale,
    });
    model.backward(enc, batch, coef);
  }

  decode(raw: Float32Array, count: number): Record<string, number> {
    if (!UNPAIRED_VARIANTS.includes(this.#loss.variant)) {
      return averageSlots(raw, count, this.names);
    }
    // KTO's slots hold sums: add them up, as TRL does its sums and counts (the loss and z0 are
    // per-batch means: averaged, as TRL averages its gathered kl).
    const slots = Array.from({ length: count }, (_, i) => raw.subarray(i * SLOT, (i + 1) * SLOT));
    return this.decodeBatches(slots, slots.map(() => 1));
  }

  decodeBatches(raws: readonly Float32Array[], sizes: readonly number[]): Record<string, number> {
    if (!UNPAIRED_VARIANTS.includes(this.#loss.variant)) {
      return weightedSlots(raws, sizes, this.names);
    }
    const total = sizes.reduce((s, n) => s + n, 0);
    const acc = new Float64Array(KTO_SLOTS.length);
    raws.forEach((raw, b) => {
      for (let k = 0; k < acc.length; k++) {
        // loss and kl (slots 0 and 3) are means: weighted by the batch's size.
        acc[k] += k === 0 || k === 3 ? raw[k] * sizes[b] / total : raw[k];
      }
    });
    return ktoMetrics(acc, this.#model.config.vocabSize);
  }

  async readState(): Promise<number[] | null> {
    if (!this.#running) return null;
    const [v] = await this.#model.gpu.read([this.#running]);
    return Array.from(v);
  }

  loadState(values: number[]): void {
    if (!this.#running || values.length !== 2) {
      throw new RangeError(
        `DpoObjective: no loss state of ${values.length} values for the ` +
          `${lossVariants(this.#loss).join("+")} loss`,
      );
    }
    this.#model.gpu.write(this.#running, new Float32Array(values));
  }

  /** (B,) the policy's sequence log-probs of the last micro-batch (for scoring). */
  get sequenceLogps(): Tensor {
    return this.#t.logps;
  }

  /** (B,) response token counts of the last micro-batch. */
  get tokenCounts(): Tensor {
    return this.#t.counts;
  }

  release(): void {
    for (const x of [this.metrics, ...Object.values(this.#t)]) x.release();
    this.#running?.release();
  }
}

/**
 * Supervised fine-tuning: mean cross-entropy over response tokens.
 *
 * @example
 * ```ts
 * import { SftObjective } from "./objective.ts";
 * // const objective = new SftObjective(model, { slots: 1 });
 * ```
 */
export class SftObjective implements Objective {
  readonly names: readonly string[] = ["loss"];
  readonly metrics: Tensor;
  readonly #model: Transformer;
  readonly #coef: Tensor;

  /** Allocates the cross-entropy buffers for the given number of slots. */
  constructor(model: Transformer, sizes: { slots: number }) {
    this.#model = model;
    const gpu: Gpu = model.gpu;
    this.metrics = gpu.tensor([sizes.slots * SLOT], { label: "sft metrics" });
    this.#coef = gpu.tensor([model.maxBatch * model.maxSeqLen], { label: "sft coef" });
  }

  encode(
    enc: Encoder,
    batch: DeviceBatch,
    inputs: ObjectiveInputs,
    options: { slot: number; scale: number; backward: boolean },
  ): void {
    const model = this.#model, n = batch.batch * batch.seqLen;
    model.forward(enc, batch);
    const coef = this.#coef.view(0, [n]);
    crossEntropy(enc, {
      logp: model.logp.view(0, [n]),
      mask: inputs.mask.view(0, [n]),
      loss: this.metrics.view(options.slot * SLOT, [1]),
      coef,
      scale: options.scale,
    });
    if (options.backward) model.backward(enc, batch, coef);
  }

  decode(raw: Float32Array, count: number): Record<string, number> {
    return averageSlots(raw, count, this.names);
  }

  decodeBatches(raws: readonly Float32Array[], sizes: readonly number[]): Record<string, number> {
    return weightedSlots(raws, sizes, this.names);
  }

  release(): void {
    this.metrics.release();
    this.#coef.release();
  }
}

/** The first slot of each batch's readback, averaged with the batches' sizes as weights. */
function weightedSlots(
  raws: readonly Float32Array[],
  sizes: readonly number[],
  names: readonly string[],
): Record<string, number> {
  const total = sizes.reduce((s, n) => s + n, 0);
  return Object.fromEntries(
    names.map((name, j) => [name, raws.reduce((s, raw, b) => s + raw[j] * sizes[b], 0) / total]),
  );
}

function averageSlots(
  raw: Float32Array,
  count: number,
  names: readonly string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((name, j) => {
    let s = 0;
    for (let i = 0; i < count; i++) s += raw[i * SLOT + j];
    out[name] = s / count;
  });
  return out;
}

/** A tokenized batch on the GPU: the model's inputs plus the objective's. */
export interface MicroBatch {
  /** Tokens, targets, lengths and the embedding index. */
  device: DeviceBatch;
  /** The objective's inputs. */
  inputs: ObjectiveInputs;
}

/**
 * Uploads a host batch (`pipeline/tokenize.ts`'s `Batch`) and, for DPO, its rows' reference
 * log-probs `[chosen(P); rejected(P)]`.
 *
 * @example
 * ```ts
 * import { releaseMicroBatch, uploadMicroBatch } from "./objective.ts";
 * // const mb = uploadMicroBatch(gpu, batch, config.vocabSize, refRows);
 * // …
 * // releaseMicroBatch(mb);
 * ```
 */
export function uploadMicroBatch(
  gpu: Gpu,
  batch: {
    rows: number;
    length: number;
    tokens: Int32Array;
    targets: Int32Array;
    mask: Float32Array;
    lengths: Int32Array;
    labels?: Float32Array;
  },
  vocabSize: number,
  refRows?: Float32Array,
  options: { ldAlpha?: number } = {},
): MicroBatch {
  const device = uploadBatch(gpu, {
    tokens: batch.tokens,
    targets: batch.targets,
    lengths: batch.lengths,
    batch: batch.rows,
    seqLen: batch.length,
  }, vocabSize);
  const mask = gpu.upload(batch.mask, [batch.mask.length], { label: "response mask" });
  const refLogps = refRows
    ? gpu.upload(refRows, [refRows.length], { label: "ref logps" })
    : undefined;
  const ldMask = options.ldAlpha === undefined ? undefined : gpu.upload(
    ldWeights(batch.mask, batch.rows, batch.length, options.ldAlpha),
    [batch.mask.length],
    { label: "LD-DPO token weights" },
  );
  const labels = batch.labels
    ? gpu.upload(batch.labels, [batch.labels.length], { label: "KTO labels" })
    : undefined;
  return {
    device,
    inputs: { mask, refLogps, ...(ldMask ? { ldMask } : {}), ...(labels ? { labels } : {}) },
  };
}

/**
 * LD-DPO's token weights (TRL's `ld_alpha`) for a (B, T) response mask of rows
 * `[chosen(P); rejected(P)]`: a response's first `l_p = min(c_w, c_l)` tokens (c the pair's two
 * response lengths) weigh 1, its later ones α, everything else 0.
 *
 * @example
 * ```ts
 * import { ldWeights } from "./objective.ts";
 * // One pair: chosen 3 tokens, rejected 1 (T = 4): [0, 1, 0.5, 0.5, 1, 0, 0, 0]
 * ldWeights(new Float32Array([0, 1, 1, 1, 1, 0, 0, 0]), 2, 4, 0.5);
 * ```
 */
export function ldWeights(
  mask: Float32Array,
  rows: number,
  t: number,
  alpha: number,
): Float32Array {
  const p = rows / 2, out = new Float32Array(mask.length);
  const count = (b: number) => {
    let c = 0;
    for (let j = 0; j < t; j++) c += mask[b * t + j] > 0 ? 1 : 0;
    return c;
  };
  const counts = Array.from({ length: rows }, (_, b) => count(b));
  for (let b = 0; b < rows; b++) {
    const lp = Math.min(counts[b % p], counts[(b % p) + p]);
    let k = 0;
    for (let j = 0; j < t; j++) {
      if (!(mask[b * t + j] > 0)) continue;
      out[b * t + j] = mask[b * t + j] * (k < lp ? 1 : alpha);
      k++;
    }
  }
  return out;
}

/**
 * Returns a micro-batch's tensors to the pool.
 *
 * @example
 * ```ts
 * import { releaseMicroBatch } from "./objective.ts";
 * // releaseMicroBatch(mb);
 * ```
 */
export function releaseMicroBatch(mb: MicroBatch): void {
  releaseBatch(mb.device);
  mb.inputs.mask.release();
  mb.inputs.refLogps?.release();
  mb.inputs.ldMask?.release();
  mb.inputs.labels?.release();
}
