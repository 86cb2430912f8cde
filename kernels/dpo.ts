/**
 * DPO-family losses on sequence log-probs: per-pair losses, rewards, `g = dL/dlogπ` per row and
 * the logged metrics, on the GPU. See `dpo.wgsl` for each variant's formula and the numerics.
 *
 * @module
 */
import code from "./dpo.wgsl" with { type: "text" };
import { CPU_LOOP_BUDGET, type Encoder, type Tensor, uniforms } from "./gpu.ts";

/**
 * The loss variants, each a small WGSL function (selected by an override constant), with TRL's
 * `loss_type` names; `sigmoid_norm` is the sigmoid loss on length-averaged log-probs.
 */
export type DpoVariant =
  | "sigmoid"
  | "ipo"
  | "hinge"
  | "sigmoid_norm"
  | "simpo"
  | "robust"
  | "exo_pair"
  | "nca_pair"
  | "sppo_hard"
  | "apo_zero"
  | "apo_down"
  | "discopop"
  | "aot_pair"
  | "aot"
  | "bco_pair"
  | "orpo"
  | "kto_pair"
  | "kto"
  | "apo_zero_unpaired";

/** The WGSL `VARIANT` constant of each loss variant. */
export const DPO_VARIANTS: Readonly<Record<DpoVariant, number>> = Object.freeze({
  sigmoid: 0,
  ipo: 1,
  hinge: 2,
  sigmoid_norm: 3,
  simpo: 4,
  robust: 5,
  exo_pair: 6,
  nca_pair: 7,
  sppo_hard: 8,
  apo_zero: 9,
  apo_down: 10,
  discopop: 11,
  aot_pair: 12,
  aot: 13,
  bco_pair: 14,
  orpo: 15,
  kto_pair: 16,
  kto: 17,
  apo_zero_unpaired: 18,
});

/**
 * The losses on unpaired, labelled examples (TRL's KTOTrainer loss types): rows are each
 * example's response and its KL completion, not a pair; they take `labels`.
 */
export const UNPAIRED_VARIANTS: readonly DpoVariant[] = Object.freeze(
  ["kto", "apo_zero_unpaired"] as DpoVariant[],
);

/** The variants without a reference: SimPO and ORPO compare the policy's own log-probs. */
export const REFERENCE_FREE_VARIANTS: readonly DpoVariant[] = Object.freeze(["simpo", "orpo"]);

/**
 * TRL's `f_divergence_type`: the divergence whose difference between the chosen and rejected
 * responses replaces DPO's log-ratio margin (reverse KL: DPO itself).
 */
export type FDivergence = "reverse_kl" | "js_divergence" | "alpha_divergence";

const F_DIVERGENCES: Readonly<Record<FDivergence, number>> = Object.freeze({
  reverse_kl: 0,
  js_divergence: 1,
  alpha_divergence: 2,
});

/**
 * The variants built on TRL 0.x's `logits` margin h, which an f-divergence other than reverse KL
 * changes (the others ignore it there, discopop included: it recomputes its margin).
 */
export const F_DIVERGENCE_VARIANTS: readonly DpoVariant[] = Object.freeze(
  ["sigmoid", "ipo", "hinge", "robust", "exo_pair"] as DpoVariant[],
);

/** DiscoPOP's τ unless given (TRL's `discopop_tau` default). */
export const DEFAULT_DISCOPOP_TAU = 0.05;

/** The most pairs an `aot` or `aot_pair` loss sorts in one batch (one workgroup's memory). */
export const AOT_MAX_PAIRS = 1024;

/** The variants that take label smoothing ε (cDPO's, robust's, EXO's). */
export const SMOOTHED_VARIANTS: readonly DpoVariant[] = Object.freeze(
  [
    "sigmoid",
    "sigmoid_norm",
    "simpo",
    "robust",
    "exo_pair",
    "aot_pair",
    "aot",
  ] as const,
);

/**
 * The ε a variant runs with: EXO needs ε > 0 and, as TRL does, takes 1e-3 for ε = 0.
 *
 * @example
 * ```ts
 * import { effectiveSmoothing } from "./dpo.ts";
 * console.log(effectiveSmoothing("exo_pair", 0)); // 0.001
 * console.log(effectiveSmoothing("sigmoid", 0)); // 0
 * ```
 */
export function effectiveSmoothing(variant: DpoVariant, labelSmoothing: number): number {
  return variant === "exo_pair" && labelSmoothing === 0 ? 1e-3 : labelSmoothing;
}

/**
 * The order of the values {@linkcode dpoLoss} writes to `metrics`, with TRL's names: means over
 * the pairs of the batch. The last two need `logitSums`.
 */
export const DPO_METRICS: readonly [
  "loss",
  "rewards/chosen",
  "rewards/rejected",
  "rewards/accuracies",
  "rewards/margins",
  "logps/chosen",
  "logps/rejected",
  "nll_loss",
  "logits/chosen",
  "logits/rejected",
] = Object.freeze(
  [
    "loss",
    "rewards/chosen",
    "rewards/rejected",
    "rewards/accuracies",
    "rewards/margins",
    "logps/chosen",
    "logps/rejected",
    "nll_loss",
    "logits/chosen",
    "logits/rejected",
  ] as const,
);

/**
 * The values the `kto` loss writes to `metrics` (12): sums over the batch where TRL logs
 * sum ÷ count, so that micro-batches combine exactly ({@linkcode ktoMetrics} turns them into
 * TRL's names). "desirable" and "undesirable" are the examples' labels.
 */
export const KTO_SLOTS: readonly string[] = Object.freeze([
  "loss",
  "Σ rewards desirable",
  "Σ logps desirable",
  "kl",
  "Σ rewards undesirable",
  "Σ logps undesirable",
  "count desirable",
  "count undesirable",
  "Σ logit sums desirable",
  "Σ logit sums undesirable",
  "Σ tokens desirable",
  "Σ tokens undesirable",
]);

/**
 * The metrics a `kto` run logs (TRL's KTOTrainer names), the keys {@linkcode ktoMetrics} gives:
 * `rewards`, `logps` and `logits` of the desirable (`chosen`) and undesirable (`rejected`)
 * examples, their counts, and `kl`, z0.
 */
export const KTO_METRICS: readonly string[] = Object.freeze([
  "loss",
  "rewards/chosen",
  "rewards/rejected",
  "rewards/margins",
  "logps/chosen",
  "logps/rejected",
  "logits/chosen",
  "logits/rejected",
  "count/chosen",
  "count/rejected",
  "kl",
]);

/**
 * TRL's KTO metrics from {@linkcode KTO_SLOTS} sums (one batch's, or several batches' added):
 * `loss` and `kl` as given (means), `rewards/chosen`, `logps/chosen`, `logits/chosen` the means
 * over desirable examples, the `rejected` ones over undesirable examples, `rewards/margins` their
 * difference, and `count/chosen`, `count/rejected`. A mean over no example is left out; logits
 * need `vocabSize`.
 *
 * @example
 * ```ts
 * import { ktoMetrics } from "./dpo.ts";
 * const m = ktoMetrics([0.5, 0.3, -20, 0.1, -0.2, -30, 2, 1, 0, 0, 10, 6]);
 * console.log(m["rewards/chosen"], m["rewards/margins"]); // 0.15 0.35
 * ```
 */
export function ktoMetrics(slots: ArrayLike<number>, vocabSize?: number): Record<string, number> {
  const out: Record<string, number> = { loss: slots[0] };
  const sides = [["chosen", 1, 2, 6, 8, 10], ["rejected", 4, 5, 7, 9, 11]] as const;
  for (const [side, rewards, logps, count, logits, tokens] of sides) {
    const n = slots[count];
    if (n > 0) {
      out[`rewards/${side}`] = slots[rewards] / n;
      out[`logps/${side}`] = slots[logps] / n;
      if (vocabSize && slots[tokens] > 0) {
        out[`logits/${side}`] = slots[logits] / (vocabSize * slots[tokens]);
      }
    }
    out[`count/${side}`] = n;
  }
  if (out["rewards/chosen"] !== undefined && out["rewards/rejected"] !== undefined) {
    out["rewards/margins"] = out["rewards/chosen"] - out["rewards/rejected"];
  }
  out.kl = slots[3];
  return out;
}

const WG = 64;
const PAIRS = { label: "dpo", code, entryPoint: "pairs" };
const AOT_PAIRS = { label: "dpo", code, entryPoint: "aot_pairs" };
const BCO_PAIRS = { label: "dpo", code, entryPoint: "bco_pairs" };
const KTO_PAIRS = { label: "dpo", code, entryPoint: "kto_pairs" };
const KTO_EXAMPLES = { label: "dpo", code, entryPoint: "kto_examples" };
const METRICS = { label: "dpo", code, entryPoint: "metrics_mean" };

/** Options of {@linkcode dpoLoss}. */
export interface DpoLossArgs {
  /**
   * (2P,) policy sequence log-probs `logπ(y|x)`, rows `[chosen(P); rejected(P)]`. For `kto`,
   * row i is example i's response and row P + i its KL completion.
   */
  policyLogps: Tensor;
  /** (2P,) reference sequence log-probs; may be omitted for `simpo` (reference-free). */
  refLogps?: Tensor;
  /** (2P,) response token counts (values below 1 count as 1). */
  counts: Tensor;
  /** (P,) receives each pair's loss (with its share of the NLL term). */
  losses: Tensor;
  /** (P,) receives the chosen rewards. */
  rewardsChosen: Tensor;
  /** (P,) receives the rejected rewards. */
  rewardsRejected: Tensor;
  /** (2P,) receives `dL/dlogπ` per row for L = the mean of the pair losses. */
  grad: Tensor;
  /**
   * (≥ 8,) receives the means of {@linkcode DPO_METRICS}; (≥ 10,) with `logitSums`; for `kto`
   * (≥ 12,) the sums of {@linkcode KTO_SLOTS}.
   */
  metrics: Tensor;
  /** The loss variant. */
  variant: DpoVariant;
  /** β, the inverse temperature (> 0). */
  beta: number;
  /**
   * Label smoothing ε in [0, 0.5) ({@linkcode SMOOTHED_VARIANTS}: cDPO's for sigmoid,
   * sigmoid_norm, simpo, aot and aot_pair; robust's and exo_pair's ε, where exo_pair takes 1e-3
   * for 0). Default 0.
   */
  labelSmoothing?: number;
  /** SimPO's target margin γ. Default 0. */
  gamma?: number;
  /** DiscoPOP's τ (> 0), the width of the blend between its two losses. Default 0.05. */
  discopopTau?: number;
  /**
   * (2,) bco_pair's running reward mean δ and the number of batches in it (start at zeros);
   * required for bco_pair, which reads it and (with `updateRunning`) folds this batch's mean
   * reward into it first.
   */
  bcoRunning?: Tensor;
  /** Whether bco_pair folds this batch into `bcoRunning` (training) or only reads it. Default true. */
  updateRunning?: boolean;
  /**
   * Several losses at once (TRL's list of `loss_type`s with `loss_weights`): the loss is
   * Σ weight·loss over them, and so are its gradient and, as TRL logs them, the rewards; the NLL
   * term comes once; the logged log-probs follow the first loss. Replaces `variant` when given.
   */
  combination?: readonly { variant: DpoVariant; weight: number }[];
  /** Weight α of the NLL term `α·Σ(−logπ_w) / Σc_w` (chosen tokens; TRL's rpo_alpha). Default 0. */
  nllAlpha?: number;
  /**
   * The f-divergence of the margin ({@linkcode F_DIVERGENCE_VARIANTS} only; TRL's
   * `f_divergence_type`). Default `"reverse_kl"` (DPO).
   */
  fDivergence?: FDivergence;
  /** α of the α-divergence (> 0; TRL's `f_alpha_divergence_coef`). Default 1. */
  fAlpha?: number;
  /**
   * (2P,) per row, Σ over response tokens of `log Σ_v π_v²` (the transformer's `logSumSq`
   * summed like the log-probs): when given, WPO's weight ω = min(exp(w_w + w_l), 1), w = (logπ −
   * this) / c, multiplies each pair's loss and gradient (TRL's `use_weighting`).
   */
  wpoSqSums?: Tensor;
  /** (2P,) per row, Σ over response tokens of Σ_v logits: gives metrics 8 and 9. */
  logitSums?: Tensor;
  /** V, the vocabulary size (needed with `logitSums`). */
  vocabSize?: number;
  /** (P,) `kto`: each example's label, 1 desirable, 0 undesirable. */
  labels?: Tensor;
  /** `kto`: λ_D, the desirable examples' weight (TRL's desirable_weight). Default 1. */
  desirableWeight?: number;
  /** `kto`: λ_U, the undesirable examples' weight (TRL's undesirable_weight). Default 1. */
  undesirableWeight?: number;
}

/**
 * Encodes a DPO-family loss over P pairs: per-pair losses and rewards, `grad = dL/dlogπ` per row
 * (L the mean pair loss) for the log-softmax backward, and the metrics in
 * {@linkcode DPO_METRICS} order — everything on the GPU, nothing read back.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { dpoLoss } from "./dpo.ts";
 * const gpu = await Gpu.create();
 * const policyLogps = gpu.upload(new Float32Array([-10, -12]));
 * const refLogps = gpu.upload(new Float32Array([-11, -11]));
 * const counts = gpu.upload(new Float32Array([5, 6]));
 * const [losses, rewardsChosen, rewardsRejected] = [1, 1, 1].map((n) => gpu.tensor([n]));
 * const grad = gpu.tensor([2]), metrics = gpu.tensor([8]);
 * const enc = gpu.encoder();
 * dpoLoss(enc, {
 *   policyLogps, refLogps, counts, losses, rewardsChosen, rewardsRejected, grad, metrics,
 *   variant: "sigmoid", beta: 0.1,
 * });
 * gpu.submit(enc);
 * ```
 */
export function dpoLoss(enc: Encoder, args: DpoLossArgs): void {
  const { policyLogps, counts, losses, rewardsChosen, rewardsRejected, grad, metrics } = args;
  const { beta, labelSmoothing = 0, gamma = 0, nllAlpha = 0, logitSums } = args;
  const { discopopTau = DEFAULT_DISCOPOP_TAU, bcoRunning, updateRunning = true } = args;
  const parts = args.combination ?? [{ variant: args.variant, weight: 1 }];
  if (parts.length === 0) throw new RangeError("dpoLoss: a combination needs at least one loss");
  for (const { variant, weight } of parts) {
    if (DPO_VARIANTS[variant] === undefined) {
      throw new RangeError(
        `dpoLoss: unknown variant "${variant}"; one of ${Object.keys(DPO_VARIANTS).join(", ")}`,
      );
    }
    if (!(weight >= 0 && weight < Infinity)) {
      throw new RangeError(`dpoLoss: the ${variant} loss's weight must be ≥ 0, got ${weight}`);
    }
  }
  const variants = parts.map((x) => x.variant);
  const has = (...vs: DpoVariant[]) => variants.some((v) => vs.includes(v));
  const rows = policyLogps.size;
  if (rows < 2 || rows % 2 !== 0) {
    throw new RangeError(
      `dpoLoss: "${policyLogps.label}" must hold 2P rows [chosen; rejected], got ${rows}`,
    );
  }
  const pairs = rows / 2;
  const free = (v: DpoVariant) => REFERENCE_FREE_VARIANTS.includes(v);
  const refLogps = args.refLogps ?? (variants.every(free) ? policyLogps : undefined);
  if (!refLogps) {
    throw new RangeError(`dpoLoss: variant "${variants.find((v) => !free(v))}" needs refLogps`);
  }
  const { labels, desirableWeight = 1, undesirableWeight = 1 } = args;
  const unpaired = variants.find((v) => UNPAIRED_VARIANTS.includes(v));
  if (unpaired) {
    if (parts.length > 1) {
      throw new RangeError(
        `dpoLoss: ${unpaired} (on unpaired examples) does not combine with other losses`,
      );
    }
    if (!labels || labels.size !== pairs) {
      throw new RangeError(`dpoLoss: ${unpaired} needs labels, a (${pairs},) tensor of 1 or 0`);
    }
    for (const [name, w] of [["desirable", desirableWeight], ["undesirable", undesirableWeight]]) {
      if (!((w as number) > 0 && (w as number) < Infinity)) {
        throw new RangeError(
          `dpoLoss: ${unpaired}'s ${name} weight must be positive and finite, got ${w}`,
        );
      }
    }
    if (nllAlpha !== 0) {
      throw new RangeError(`dpoLoss: ${unpaired} with the NLL term (nllAlpha) is not implemented`);
    }
  } else if (labels) {
    throw new RangeError(
      `dpoLoss: labels apply to the ${
        UNPAIRED_VARIANTS.join(" and ")
      } losses only, not ${variants}`,
    );
  }
  if (has("orpo") && parts.length > 1) {
    throw new RangeError(
      "dpoLoss: orpo (with its own NLL term) does not combine with other losses",
    );
  }
  // ORPO's own NLL term: the chosen tokens' mean cross-entropy, weight 1 (plus nllAlpha's).
  const nllWeight = nllAlpha + (has("orpo") ? 1 : 0);
  const sized: [Tensor | undefined, number][] = [
    [refLogps, rows],
    [counts, rows],
    [grad, rows],
    [logitSums, rows],
    [args.wpoSqSums, rows],
    [losses, pairs],
    [rewardsChosen, pairs],
    [rewardsRejected, pairs],
  ];
  for (const [t, n] of sized) {
    if (t && t.size !== n) {
      throw new RangeError(`dpoLoss: "${t.label}" has ${t.size} elements, expected ${n}`);
    }
  }
  const needMetrics = unpaired ? KTO_SLOTS.length : logitSums ? 10 : 8;
  if (metrics.size < needMetrics) {
    throw new RangeError(
      `dpoLoss: "${metrics.label}" has ${metrics.size} elements, needs ${needMetrics}`,
    );
  }
  if (!(beta > 0 && beta < Infinity)) {
    throw new RangeError(`dpoLoss: beta must be positive and finite, got ${beta}`);
  }
  if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
    throw new RangeError(`dpoLoss: labelSmoothing must lie in [0, 0.5), got ${labelSmoothing}`);
  }
  if (labelSmoothing > 0 && !has(...SMOOTHED_VARIANTS)) {
    throw new RangeError(`dpoLoss: labelSmoothing does not apply to the ${variants} loss`);
  }
  if (gamma !== 0 && !has("simpo")) {
    throw new RangeError(`dpoLoss: gamma applies to simpo only, not ${variants}`);
  }
  if (!Number.isFinite(gamma) || !(nllAlpha >= 0 && nllAlpha < Infinity)) {
    throw new RangeError(`dpoLoss: gamma must be finite and nllAlpha ≥ 0 (${gamma}, ${nllAlpha})`);
  }
  if (!(discopopTau > 0 && discopopTau < Infinity)) {
    throw new RangeError(`dpoLoss: discopopTau must be positive and finite, got ${discopopTau}`);
  }
  const { fDivergence = "reverse_kl", fAlpha = 1 } = args;
  if (F_DIVERGENCES[fDivergence] === undefined) {
    throw new RangeError(
      `dpoLoss: unknown fDivergence "${fDivergence}"; one of ${
        Object.keys(F_DIVERGENCES).join(", ")
      }`,
    );
  }
  if (fDivergence !== "reverse_kl" && !has(...F_DIVERGENCE_VARIANTS)) {
    throw new RangeError(
      `dpoLoss: fDivergence ${fDivergence} does not apply to the ${variants} loss (only to ` +
        `${F_DIVERGENCE_VARIANTS.join(", ")})`,
    );
  }
  const sortedWpo = variants.find((v) => v === "aot" || v === "aot_pair");
  if (args.wpoSqSums && sortedWpo) {
    throw new RangeError(
      `dpoLoss: WPO weighting of the ${sortedWpo} loss is not implemented (its sorted positions ` +
        "mix pairs)",
    );
  }
  for (const kto of ["kto_pair" as DpoVariant, ...UNPAIRED_VARIANTS]) {
    if (args.wpoSqSums && has(kto)) {
      throw new RangeError(
        `dpoLoss: WPO weighting of the ${kto} loss is not implemented (its batch means mix pairs)`,
      );
    }
  }
  if (args.wpoSqSums && nllWeight !== 0) {
    throw new RangeError(
      "dpoLoss: WPO weighting with the NLL term is not implemented (TRL weights the batch's " +
        "mean NLL per pair)",
    );
  }
  if (!(fAlpha > 0 && fAlpha < Infinity)) {
    throw new RangeError(`dpoLoss: fAlpha must be positive and finite, got ${fAlpha}`);
  }
  const vocab = args.vocabSize ?? 0;
  if (logitSums && !(Number.isInteger(vocab) && vocab > 0)) {
    throw new RangeError("dpoLoss: logitSums needs vocabSize, the vocabulary size");
  }
  if (has("bco_pair") && bcoRunning?.size !== 2) {
    throw new RangeError("dpoLoss: the bco_pair loss needs bcoRunning, a (2,) tensor");
  }
  // The per-pair kernel's NLL term has each invocation sum the P counts: llvmpipe stops an
  // invocation after 65 535 loop iterations, so a CPU adapter takes at most CPU_LOOP_BUDGET.
  const first = parts[0].variant;
  const perPairFirst = !["aot", "aot_pair", "bco_pair", "kto_pair", ...UNPAIRED_VARIANTS]
    .includes(first);
  if (nllWeight !== 0 && perPairFirst && enc.gpu.isCpu && pairs > CPU_LOOP_BUDGET) {
    throw new RangeError(
      `dpoLoss: with nllAlpha, a CPU adapter takes at most ${CPU_LOOP_BUDGET} pairs per batch, ` +
        `got ${pairs}`,
    );
  }
  const maxWg = enc.gpu.limits.maxComputeWorkgroupsPerDimension;
  if (Math.ceil(pairs / WG) > maxWg) {
    throw new RangeError(`dpoLoss: ${pairs} pairs exceed ${maxWg * WG}`);
  }
  const sortedOne = variants.find((v) => v === "aot" || v === "aot_pair");
  if (sortedOne && pairs > AOT_MAX_PAIRS) {
    throw new RangeError(
      `dpoLoss: the ${sortedOne} loss sorts at most ${AOT_MAX_PAIRS} pairs per batch, got ${pairs}`,
    );
  }
  const uniformsFor = (variant: DpoVariant, k: number, weight: number) =>
    uniforms(
      {
        pairs,
        has_logits: logitSums ? 1 : 0,
        beta,
        label_smoothing: effectiveSmoothing(variant, labelSmoothing),
        gamma,
        // The NLL term comes once, with the first loss.
        nll_alpha: k === 0 ? nllWeight : 0,
        vocab,
        tau: discopopTau,
        update: updateRunning ? 1 : 0,
        weight,
        accumulate: k === 0 ? 0 : 1,
        f_div: F_DIVERGENCES[fDivergence],
        f_alpha: fAlpha,
        use_weighting: args.wpoSqSums ? 1 : 0,
        desirable: desirableWeight,
        undesirable: undesirableWeight,
      },
      [
        "beta",
        "label_smoothing",
        "gamma",
        "nll_alpha",
        "vocab",
        "tau",
        "weight",
        "f_alpha",
        "desirable",
        "undesirable",
      ],
    );
  // Bindings 1–7 of every loss kernel.
  const common = [policyLogps, refLogps, counts, losses, rewardsChosen, rewardsRejected, grad];
  if (unpaired) {
    // One workgroup: the batch's KL mean (kto), then each example; it writes its own metrics.
    enc.dispatch({
      kernel: KTO_EXAMPLES,
      constants: { WG: 256, VARIANT: DPO_VARIANTS[unpaired] },
      uniforms: uniformsFor(unpaired, 0, 1),
      // (logit sums read only with has_logits)
      bindings: [...common, labels!, logitSums ?? counts, metrics],
      workgroups: [1],
    });
    return;
  }
  // One launch per loss of a combination, in order, the later ones adding into the outputs.
  parts.forEach(({ variant, weight }, k) => {
    const sorted = variant === "aot" || variant === "aot_pair", bco = variant === "bco_pair";
    const kto = variant === "kto_pair", one = sorted || bco || kto;
    enc.dispatch({
      kernel: bco ? BCO_PAIRS : kto ? KTO_PAIRS : sorted ? AOT_PAIRS : PAIRS,
      // The one-workgroup losses (aot, bco_pair, kto_pair) run 256 lanes.
      constants: { WG: one ? 256 : WG, VARIANT: DPO_VARIANTS[variant] },
      uniforms: uniformsFor(variant, k, weight),
      bindings: [
        ...common,
        args.wpoSqSums ?? counts, // (read only with use_weighting)
        ...(bco ? [bcoRunning!] : []),
      ],
      workgroups: [one ? 1 : Math.ceil(pairs / WG)],
    });
  });
  const u = uniformsFor(parts[0].variant, 0, parts[0].weight);
  const variantId = DPO_VARIANTS[parts[0].variant];
  enc.dispatch({
    kernel: METRICS,
    constants: { WG, VARIANT: variantId },
    uniforms: u,
    // Without logitSums the kernel reads nothing at binding 2; counts stands in.
    bindings: [
      policyLogps,
      logitSums ?? counts,
      counts,
      losses,
      rewardsChosen,
      rewardsRejected,
      metrics,
    ],
    workgroups: [1],
  });
}
