/**
 * The eval stage: how the trained policy compares with the reference on held-out data.
 *
 * - Pair metrics (TRL's names with the `eval_` prefix): loss, rewards, accuracy, margins, log-probs
 *   of the held-out chosen/rejected responses.
 * - Generation on held-out prompts by the policy and by the reference (independent sampling
 *   streams, both seeded): the mean task reward where the dataset defines one, the policy's win
 *   rate over the reference (ties count half), and the mean sequence-level KL(π‖π_ref)
 *   estimated from the policy's own samples:
 *   `mean over samples y ~ π of log π(y|x) − log π_ref(y|x)`.
 *
 * @module
 */
import type { ModelConfig } from "../model/config.ts";
import { generateDetailed, generationRowBytes } from "../model/generate.ts";
import type { ParamValues } from "../model/params.ts";
import type { TextTokenizer } from "../model/tokenizer.ts";
import { type LoraOptions, Transformer } from "../model/transformer.ts";
import type { QuantKind } from "../kernels/quantize.ts";
import { settleAll } from "../util/settle.ts";
import { type DpoLossConfig, DpoObjective } from "./objective.ts";
import { longestPair, scorePairs } from "./score.ts";
import type { StageContext } from "./stage.ts";
import { evaluatePairs, type PairSet } from "./train.ts";

/** A model to evaluate. */
export interface EvalModel {
  /** Architecture. */
  config: ModelConfig;
  /** Weights (with `lora`: the frozen base its adapters apply to). */
  params: ParamValues;
  /** LoRA adapters on `params` (a quantized run's policy, evaluated as it trained). */
  lora?: LoraOptions;
  /** Hold the projections compactly (`quantize` of `model/transformer.ts`). */
  quantize?: QuantKind;
}

/** What the eval stage reads. */
export interface EvalInput {
  /** The trained policy. */
  policy: EvalModel;
  /** The reference (the policy's starting point). */
  reference: EvalModel;
  /** Held-out pairs with reference log-probs. */
  pairs: PairSet;
  /** Turns generated ids into text, for the reward and the samples shown. */
  tokenizer: TextTokenizer | null;
  /**
   * The tokens generation stops at (default: the policy config's `eos_token_id`); runs pass the
   * starting model's `stopTokenIds` (model/io.ts).
   */
  stopTokenIds?: number[];
  /** The prompt text of each pair, as the reward function reads it. */
  promptTexts?: string[];
  /** The task's reward of a response, where the dataset defines one. */
  reward?: (prompt: string, response: string) => number;
  /**
   * The policy's `eval_` pair metrics when the caller already has them (the train stage computes
   * them on the same pairs at its last step); they are then not computed again.
   */
  metrics?: Record<string, number>;
}

/** Options of {@linkcode evaluate}. */
export interface EvalOptions {
  /** The DPO loss the pair metrics use. */
  loss: DpoLossConfig;
  /** Pairs per forward batch. */
  pairsPerBatch: number;
  /** Generate at all. */
  generate: boolean;
  /** Prompts to generate for (the first held-out ones). */
  samples: number;
  /** Most new tokens per generation. */
  maxNewTokens: number;
  /** Sampling temperature (0: greedy). */
  temperature: number;
  /** Top-k (0: off). */
  topK: number;
  /** Top-p. */
  topP: number;
  /** Sampling seed. */
  seed: number;
}

/** One prompt's generations. */
export interface Sample {
  /** Prompt text (or ids). */
  prompt: string;
  /** The policy's response. */
  policy: string;
  /** The reference's response. */
  reference: string;
  /** Task reward of the policy's response, where defined. */
  policyReward?: number;
  /** Task reward of the reference's response, where defined. */
  referenceReward?: number;
  /** log π(y|x) − log π_ref(y|x) of the policy's sample. */
  logRatio: number;
}

/** Generation results. */
export interface GenerationReport {
  /** Prompts generated for. */
  prompts: number;
  /** Mean task reward of the policy's responses (when defined). */
  policyReward?: number;
  /** Mean task reward of the reference's responses (when defined). */
  referenceReward?: number;
  /** Share of prompts where the policy's reward beats the reference's (ties: half). */
  winRate?: number;
  /**
   * Mean of `log π(y|x) − log π_ref(y|x)` over the policy's samples: an unbiased estimate of the
   * sequence-level KL(π‖π_ref) when sampling is unmodified (temperature 1, no top-k/top-p).
   */
  kl: number;
  /** Whether `kl` estimates the KL (unmodified sampling) or is only a log-ratio on the samples. */
  klIsEstimate: boolean;
  /** Mean length in tokens of the policy's responses. */
  policyLength: number;
  /** Mean length in tokens of the reference's responses. */
  referenceLength: number;
  /**
   * Share of the policy's responses cut by `max_new_tokens` or the model's positions before an
   * end-of-sequence token: their rewards see no ending, and the log-ratio is that of the prefix.
   */
  policyCut: number;
  /** The same share for the reference's responses. */
  referenceCut: number;
  /** Every sample. */
  samples: Sample[];
}

/** What the eval stage returns (and `eval.json` holds). */
export interface EvalReport {
  /** `eval_`-prefixed pair metrics. */
  metrics: Record<string, number>;
  /** Generation results, when generating. */
  generation?: GenerationReport;
}

/**
 * Evaluates a policy against its reference on held-out pairs.
 *
 * @example
 * ```ts
 * import { evaluate } from "./eval.ts";
 * // const report = await evaluate({ policy, reference, pairs, tokenizer, reward }, options, ctx);
 * // console.log(report.metrics["eval_rewards/accuracies"], report.generation?.winRate);
 * ```
 */
export async function evaluate(
  input: EvalInput,
  options: EvalOptions,
  ctx: StageContext,
): Promise<EvalReport> {
  const gpu = await ctx.gpu();
  const { pairs } = input;
  const samples = options.generate ? Math.min(options.samples, pairs.pairs.length) : 0;
  const promptMax = Math.max(1, ...pairs.pairs.slice(0, samples).map((p) => p.prompt.length));
  const maxSeqLen = Math.min(
    input.policy.config.maxPositions,
    Math.max(longestPair(pairs.pairs), promptMax + options.maxNewTokens),
  );
  const P = options.pairsPerBatch;
  const sizes = { maxBatch: 2 * P, maxSeqLen, inference: true };
  const modelOf = (m: EvalModel) =>
    Transformer.create(gpu, m.config, m.params, { ...sizes, lora: m.lora, quantize: m.quantize });
  const policy = modelOf(input.policy);
  try {
    const report: EvalReport = {
      metrics: input.metrics ?? await pairMetrics(policy, pairs, options),
    };
    if (samples === 0) return report;
    const reference = modelOf(input.reference);
    try {
      report.generation = await generation(input, options, ctx, policy, reference, samples);
    } finally {
      reference.release();
    }
    return report;
  } finally {
    policy.release();
    gpu.pool.trim();
  }
}

/** The policy's `eval_` metrics on the held-out pairs (forward only). */
async function pairMetrics(
  policy: Transformer,
  pairs: PairSet,
  options: EvalOptions,
): Promise<Record<string, number>> {
  const P = options.pairsPerBatch;
  // A standalone evaluation has no training's bco_pair running mean: its batches build one.
  const objective = new DpoObjective(policy, options.loss, {
    maxRows: 2 * P,
    slots: 1,
    foldForward: true,
  });
  try {
    const m = await evaluatePairs(policy.gpu, policy, objective, pairs, {
      objective: "dpo",
      pairsPerBatch: P,
      padToMultiple: 1,
      loss: options.loss,
    });
    return Object.fromEntries(Object.entries(m).map(([k, v]) => [`eval_${k}`, v]));
  } finally {
    objective.release();
  }
}

/**
 * Device memory the policy's and the reference's generation groups may take together (activations,
 * KV caches, logits).
 */
const GENERATE_BYTES = 256 * 2 ** 20;
/** Mixed into the eval seed for the reference's sampling streams. */
const REFERENCE_SEED = 0x2545f491;

async function generation(
  input: EvalInput,
  options: EvalOptions,
  ctx: StageContext,
  policy: Transformer,
  reference: Transformer,
  samples: number,
): Promise<GenerationReport> {
  const pairs = input.pairs.pairs.slice(0, samples);
  const prompts = pairs.map((p) => [...p.prompt]);
  const promptMax = Math.max(...prompts.map((p) => p.length));
  const gen = {
    eosTokenIds: input.stopTokenIds,
    maxNewTokens: options.maxNewTokens,
    temperature: options.temperature,
    topK: options.topK > 0 ? options.topK : undefined,
    topP: options.topP,
    seed: options.seed,
    signal: ctx.signal,
    // As many prompts per group as fit GENERATE_BYTES with both generations running (each step
    // of a group is one readback, ~10 ms in Deno), at least the pair batch. The samples do not
    // depend on it (up to float rounding on GPUs, where the row count can change a product's K
    // split).
    batchSize: Math.max(
      policy.maxBatch,
      Math.floor(
        GENERATE_BYTES / [policy, reference].reduce(
          (sum, m) => sum + generationRowBytes(m.config, promptMax, m.maxSeqLen),
          0,
        ),
      ),
    ),
  };
  ctx.logger.info(`eval: generating for ${samples} held-out prompts (policy and reference)`);
  // Side by side: while one waits for its readback, the other encodes its next step. Both run to
  // their end before an error of either is thrown (the caller then releases the models).
  const [fromPolicy, fromReference] = await settleAll([
    generateDetailed(policy, prompts, gen),
    // Its own streams: a win rate compares independent samples, not ones drawn with the same
    // random numbers.
    generateDetailed(reference, prompts, { ...gen, seed: (gen.seed ^ REFERENCE_SEED) >>> 0 }),
  ]);
  // log π_ref of the policy's samples, for the KL estimate.
  const asPairs = pairs.map((p, i) => {
    const y = Int32Array.from(fromPolicy.tokens[i]);
    return { prompt: p.prompt, chosen: y, rejected: y };
  });
  const refScores = await scorePairs(reference, asPairs, {
    pairsPerBatch: Math.max(1, Math.floor(reference.maxBatch / 2)),
    padTokenId: input.pairs.padTokenId,
  });
  const text = (ids: number[]) =>
    input.tokenizer ? input.tokenizer.decode(ids, { skipSpecialTokens: true }) : ids.join(" ");
  const out: Sample[] = pairs.map((p, i) => {
    const logPolicy = fromPolicy.logprobs[i].reduce((a, b) => a + b, 0);
    const prompt = input.promptTexts?.[i] ?? text([...p.prompt]);
    const s: Sample = {
      prompt,
      policy: text(fromPolicy.tokens[i]),
      reference: text(fromReference.tokens[i]),
      logRatio: fromPolicy.tokens[i].length ? logPolicy - refScores.chosen[i] : 0,
    };
    if (input.reward) {
      s.policyReward = input.reward(prompt, s.policy);
      s.referenceReward = input.reward(prompt, s.reference);
    }
    return s;
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const report: GenerationReport = {
    prompts: samples,
    kl: mean(out.map((s) => s.logRatio)),
    klIsEstimate: options.temperature === 1 && options.topK <= 0 && options.topP >= 1,
    policyLength: mean(fromPolicy.tokens.map((t) => t.length)),
    referenceLength: mean(fromReference.tokens.map((t) => t.length)),
    policyCut: mean(fromPolicy.finishReasons.map((r) => r === "length" ? 1 : 0)),
    referenceCut: mean(fromReference.finishReasons.map((r) => r === "length" ? 1 : 0)),
    samples: out,
  };
  if (input.reward) {
    report.policyReward = mean(out.map((s) => s.policyReward!));
    report.referenceReward = mean(out.map((s) => s.referenceReward!));
    report.winRate = mean(
      out.map((s) =>
        s.policyReward! > s.referenceReward! ? 1 : s.policyReward === s.referenceReward ? 0.5 : 0
      ),
    );
  }
  return report;
}
