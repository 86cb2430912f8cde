/**
 * `ModelConfig`: the shape of a decoder-only transformer, read from and written to Hugging Face
 * `config.json` for the `gpt2`, `gpt_neox`, `llama`, `mistral`, `qwen2`, `qwen3`, `gemma`,
 * `gemma2`, `gemma3_text` (and multimodal `gemma3`'s language model), `phi`, `phi3`, `smollm3`,
 * `olmo2`, `olmo3`, `granite`, `stablelm`, `starcoder2` and `cohere` families, and the list of its
 * parameters with Hugging Face's tensor names and shapes.
 *
 * Shape legend: `C` channels (hidden size), `L` layers, `NH` heads, `NKV` key/value heads, `HS`
 * head size, `F` MLP width, `V` vocabulary.
 *
 * @module
 */

import type { RopeScaling } from "../kernels/rope.ts";

/**
 * The architecture families we train (`gemma3` is transformers' text-only `gemma3_text`, also read
 * from a multimodal `gemma3` checkpoint's language model).
 */
export type ModelFamily =
  | "gpt2"
  | "llama"
  | "qwen2"
  | "mistral"
  | "qwen3"
  | "gemma"
  | "gemma2"
  | "gemma3"
  | "phi3"
  | "smollm3"
  | "olmo2"
  | "olmo3"
  | "granite"
  | "gpt_neox"
  | "stablelm"
  | "phi"
  | "starcoder2"
  | "cohere"
  | "cohere2";

/** The Gemma families. */
export type GemmaFamily = "gemma" | "gemma2" | "gemma3";

/** A decoder-only transformer's hyper-parameters. */
export interface ModelConfig {
  /** Which family's layout and names: gpt2 (LayerNorm, learned positions, GELU), llama or
   * qwen2 (RMSNorm, RoPE, SwiGLU; qwen2 adds q/k/v biases); mistral is llama's layout (with
   * its sliding window, {@linkcode slidingWindow}); qwen3 adds an RMSNorm over each head
   * of q and k before RoPE (`q_norm`, `k_norm`: {@linkcode hasQkNorm}); gemma is llama's layout
   * with GeGLU, RMSNorm weights less one and √C-scaled embeddings ({@linkcode isGemma}); gemma2
   * adds norms after attention and the MLP ({@linkcode hasSandwichNorms}) and sliding layers;
   * gemma3 (`gemma3_text`) also q/k norms and its own RoPE base on sliding layers; phi3 is
   * llama's layout stored with fused `qkv_proj` and `gate_up_proj` weights; smollm3 is llama's
   * layout with no RoPE on some layers ({@linkcode noRopeLayers}); olmo2 normalizes the attention
   * and MLP outputs instead of their inputs, and the whole q and k projections before RoPE (olmo3
   * adds sliding layers with their own RoPE, {@linkcode ropeLocalTheta}); granite
   * is llama's layout with multipliers ({@linkcode graniteMultipliers}); gpt_neox (Pythia) is
   * GPT-2's LayerNorm, biases and GELU MLP with RoPE over part of each head ({@linkcode rotaryDim})
   * instead of learned positions, and by default a parallel residual ({@linkcode
   * parallelResidual}); stablelm is llama's layout with LayerNorms (and biases on them), RoPE
   * over part of each head and optional q/k/v biases; phi (Phi-1.5, Phi-2) is GPT-2's block with
   * RoPE over part of each head, one input norm that attention and MLP share in parallel
   * ({@linkcode hasSharedNorm}) and a bias on the output head; starcoder2 is llama's attention
   * (biases on q, k, v and o by `use_bias`) with LayerNorms and GPT-2's GELU MLP (`c_fc`,
   * `c_proj`); cohere (Command R, Aya) is llama's attention and MLP read in parallel from one
   * LayerNorm without a bias, with logits scaled ({@linkcode logitMultiplier}) and RoPE over
   * interleaved pairs (its q and k rows are permuted on load to rotate as halves); cohere2 (Command
   * R7B) adds sliding layers, its full-attention layers without RoPE. */
  family: ModelFamily;
  /** V, vocabulary size. */
  vocabSize: number;
  /** C, hidden size. */
  hiddenSize: number;
  /** L, number of blocks. */
  numLayers: number;
  /** NH, attention heads. */
  numHeads: number;
  /** NKV, key/value heads (grouped-query attention); equals NH for multi-head attention. */
  numKvHeads: number;
  /** HS, head size. */
  headDim: number;
  /** F, the MLP's inner width. */
  intermediateSize: number;
  /** Longest sequence the model supports (learned positions: the table's size). */
  maxPositions: number;
  /** ε of LayerNorm / RMSNorm. */
  normEps: number;
  /** RoPE base θ (llama, mistral, qwen2). */
  ropeTheta: number;
  /** Scaled RoPE (Llama 3.1 / 3.2's `llama3`, or `linear`); absent or null: plain RoPE. */
  ropeScaling?: RopeScaling | null;
  /**
   * R: RoPE turns only the first R elements of each head (even, < HS), the rest pass through
   * (`partial_rotary_factor`·HS: Phi-4-mini's 3/4). Absent: the whole head. See
   * {@linkcode ropeDim}.
   */
  rotaryDim?: number;
  /**
   * GPT-NeoX's `use_parallel_residual`: a block's MLP reads the norm of the block's input, not of
   * the attention's output, and both outputs add to the input, `x + attn(ln₁(x)) + mlp(ln₂(x))`.
   * Absent or false: one after the other.
   */
  parallelResidual?: boolean;
  /**
   * Sliding-window attention: in a sliding layer each query sees its W latest keys, itself
   * included (Mistral v0.1's `sliding_window`; Qwen2/Qwen3 with `use_sliding_window`). Absent or
   * null: every layer sees every earlier key. See {@linkcode layerWindow}.
   */
  slidingWindow?: number | null;
  /** Which of the L layers slide, with {@linkcode slidingWindow}; absent: all of them. */
  slidingLayers?: boolean[];
  /**
   * Gemma 2/3's `query_pre_attn_scalar` q: attention scores are scaled by 1/√q instead of
   * 1/√HS. Absent: 1/√HS. See {@linkcode attentionScale}.
   */
  queryPreAttnScalar?: number;
  /**
   * The RoPE base θ of the sliding layers, which rotate without the scaling: Gemma 3's
   * `rope_local_base_freq`, OLMo 3's `rope_parameters.sliding_attention`.
   */
  ropeLocalTheta?: number;
  /**
   * Gemma 2/3: GeGLU with the exact GELU x·Φ(x) (`hidden_activation: "gelu"`) instead of the
   * tanh form. Absent: the tanh form (Gemma 1's legacy "gelu" included, as transformers reads it).
   */
  exactGelu?: boolean;
  /** Gemma 2's `attn_logit_softcapping` c: attention scores become c·tanh(s/c). Absent: none. */
  attnSoftcap?: number;
  /** Gemma 2's `final_logit_softcapping` c: logits become c·tanh(x/c). Absent: none. */
  finalSoftcap?: number;
  /**
   * SmolLM3's NoPE layers: true where a layer applies no rotary embedding (its `no_rope_layers`
   * says 0). Absent: every layer rotates.
   */
  noRopeLayers?: boolean[];
  /**
   * Granite's multipliers: token rows ×`embedding`, attention scores ×`attention` (in place of
   * 1/√HS), each block's attention and MLP outputs ×`residual` before the residual adds, logits
   * ÷`logits`. Absent: llama's (1, 1/√HS, 1, 1).
   */
  graniteMultipliers?: { embedding: number; attention: number; residual: number; logits: number };
  /** Cohere's `logit_scale`: logits are multiplied by it. Absent: 1. */
  logitMultiplier?: number;
  /** Whether the output head shares the token embedding. */
  tieEmbeddings: boolean;
  /** Biases on q, k, v projections (gpt2: all linear layers have biases; qwen2: q/k/v only). */
  qkvBias: boolean;
  /** Beginning-of-sequence token id, if any. */
  bosTokenId: number | null;
  /** End-of-sequence token ids (the first is appended to responses). */
  eosTokenIds: number[];
  /** Padding token id, if any. */
  padTokenId: number | null;
}

/**
 * Whether a model normalizes each head of q and k (RMSNorm over the head size, weights `q_norm`
 * and `k_norm`) before RoPE: Qwen3.
 *
 * @example
 * ```ts
 * import { hasQkNorm, tinyConfig } from "./config.ts";
 * console.log(hasQkNorm(tinyConfig("qwen3")), hasQkNorm(tinyConfig("qwen2"))); // true false
 * ```
 */
export function hasQkNorm(c: ModelConfig): boolean {
  return c.family === "qwen3" || c.family === "gemma3" || isOlmo(c);
}

/** OLMo 2 or OLMo 3: norms after attention and the MLP only, q/k norms over whole projections. */
function isOlmo(c: { family: ModelFamily }): boolean {
  return c.family === "olmo2" || c.family === "olmo3";
}

/**
 * Whether a model has GPT-2's block: LayerNorms with biases and a GELU MLP (`fc`, `proj`), not
 * RMSNorm and a gated MLP: gpt2 and gpt_neox.
 *
 * @example
 * ```ts
 * import { hasGptBlock, tinyConfig } from "./config.ts";
 * console.log(hasGptBlock(tinyConfig("gpt_neox")), hasGptBlock(tinyConfig("llama"))); // true false
 * ```
 */
export function hasGptBlock(c: ModelConfig): boolean {
  return GELU_MLP_FAMILIES.includes(c.family);
}

/** The families whose MLP is GPT-2's: `fc`, GELU, `proj` ({@linkcode hasGptBlock}). */
export const GELU_MLP_FAMILIES: readonly ModelFamily[] = ["gpt2", "gpt_neox", "phi", "starcoder2"];

/** Cohere or Cohere 2 (Command R, Aya; Command R7B). */
function isCohere(c: { family: ModelFamily }): boolean {
  return c.family === "cohere" || c.family === "cohere2";
}

/**
 * Whether a block's attention and MLP both read its one input norm, in parallel: Phi-1.5, Phi-2
 * and Cohere (`x + attn(ln(x)) + mlp(ln(x))`; GPT-NeoX's parallel residual has two norms).
 *
 * @example
 * ```ts
 * import { hasSharedNorm, tinyConfig } from "./config.ts";
 * console.log(hasSharedNorm(tinyConfig("phi")), hasSharedNorm(tinyConfig("gpt_neox"))); // true false
 * ```
 */
export function hasSharedNorm(c: ModelConfig): boolean {
  return c.family === "phi" || isCohere(c);
}

/**
 * Whether a model's norms are LayerNorms with biases (gpt2, gpt_neox, stablelm), not RMSNorms.
 *
 * @example
 * ```ts
 * import { hasLayerNorm, tinyConfig } from "./config.ts";
 * console.log(hasLayerNorm(tinyConfig("stablelm")), hasLayerNorm(tinyConfig("llama"))); // true false
 * ```
 */
export function hasLayerNorm(c: ModelConfig): boolean {
  return hasGptBlock(c) || c.family === "stablelm" || isCohere(c);
}

/**
 * Whether the q/k norms ({@linkcode hasQkNorm}) run over each head (Qwen3, Gemma 3: weights of
 * HS) or over the whole projection (OLMo 2: weights of NH·HS and NKV·HS).
 *
 * @example
 * ```ts
 * import { qkNormPerHead, tinyConfig } from "./config.ts";
 * console.log(qkNormPerHead(tinyConfig("qwen3")), qkNormPerHead(tinyConfig("olmo2"))); // true false
 * ```
 */
export function qkNormPerHead(c: ModelConfig): boolean {
  return !isOlmo(c);
}

/**
 * Whether each block normalizes its attention and MLP inputs (every family but OLMo 2, which
 * normalizes their outputs only: {@linkcode hasSandwichNorms}).
 *
 * @example
 * ```ts
 * import { hasPreNorms, tinyConfig } from "./config.ts";
 * console.log(hasPreNorms(tinyConfig("olmo2"))); // false
 * ```
 */
export function hasPreNorms(c: ModelConfig): boolean {
  return !isOlmo(c);
}

/**
 * Whether a config is one of the Gemma families: RMSNorm weights hold the scale less one
 * ({@linkcode normOffset}), token rows are scaled by √C ({@linkcode embeddingScale}), the MLP is
 * GeGLU.
 *
 * @example
 * ```ts
 * import { isGemma, tinyConfig } from "./config.ts";
 * console.log(isGemma(tinyConfig("gemma3")), isGemma(tinyConfig("llama"))); // true false
 * ```
 */
export function isGemma(c: ModelConfig): boolean {
  return c.family === "gemma" || c.family === "gemma2" || c.family === "gemma3";
}

/**
 * Whether each block also normalizes its attention and MLP outputs before adding them to the
 * residual stream (Gemma 2 and 3: `post_attention_layernorm`, `pre_feedforward_layernorm`,
 * `post_feedforward_layernorm`).
 *
 * @example
 * ```ts
 * import { hasSandwichNorms, tinyConfig } from "./config.ts";
 * console.log(hasSandwichNorms(tinyConfig("gemma2")), hasSandwichNorms(tinyConfig("gemma"))); // true false
 * ```
 */
export function hasSandwichNorms(c: ModelConfig): boolean {
  return c.family === "gemma2" || c.family === "gemma3" || isOlmo(c);
}

/**
 * What RMSNorm adds to each stored weight: 1 for Gemma (its weights hold the scale less one), 0
 * otherwise.
 *
 * @example
 * ```ts
 * import { normOffset, tinyConfig } from "./config.ts";
 * console.log(normOffset(tinyConfig("gemma"))); // 1
 * ```
 */
export function normOffset(c: ModelConfig): number {
  return isGemma(c) ? 1 : 0;
}

/** The families whose transformers model builds its token embedding with `padding_idx`. */
const PADDING_IDX_FAMILIES: readonly ModelFamily[] = [
  "llama",
  "mistral",
  "qwen2",
  "qwen3",
  "gemma",
  "gemma2",
  "gemma3",
  "phi",
  "phi3",
  "olmo2",
  "olmo3",
  "granite",
  "stablelm",
  "starcoder2",
  "cohere",
  "cohere2",
  "smollm3",
];

/**
 * The token embedding row whose lookups give no gradient: `pad_token_id` where transformers
 * builds the family's embedding with `padding_idx` (the row still learns from a tied head), null
 * otherwise (GPT-2, GPT-NeoX, or no pad id in the vocabulary). As in transformers 5.18.
 *
 * @example
 * ```ts
 * import { embeddingPadRow, tinyConfig } from "./config.ts";
 * console.log(embeddingPadRow(tinyConfig("llama", { padTokenId: 3 }))); // 3
 * console.log(embeddingPadRow(tinyConfig("gpt2", { padTokenId: 3 }))); // null
 * ```
 */
export function embeddingPadRow(c: ModelConfig): number | null {
  const pad = c.padTokenId;
  if (!PADDING_IDX_FAMILIES.includes(c.family) || pad === null) return null;
  return Number.isInteger(pad) && pad >= 0 && pad < c.vocabSize ? pad : null;
}

/**
 * The factor token embeddings are multiplied by: √C rounded to float32 for Gemma (as transformers
 * computes it for a float32 model), 1 otherwise.
 *
 * @example
 * ```ts
 * import { embeddingScale, tinyConfig } from "./config.ts";
 * console.log(embeddingScale(tinyConfig("gemma", { hiddenSize: 64 }))); // 8
 * ```
 */
export function embeddingScale(c: ModelConfig): number {
  if (c.graniteMultipliers) return Math.fround(c.graniteMultipliers.embedding);
  return isGemma(c) ? Math.fround(Math.sqrt(c.hiddenSize)) : 1;
}

/**
 * What each block's attention and MLP outputs are multiplied by before the residual adds:
 * Granite's `residual_multiplier`, 1 otherwise.
 *
 * @example
 * ```ts
 * import { residualScale, tinyConfig } from "./config.ts";
 * console.log(residualScale(tinyConfig("llama"))); // 1
 * ```
 */
export function residualScale(c: ModelConfig): number {
  return c.graniteMultipliers ? Math.fround(c.graniteMultipliers.residual) : 1;
}

/**
 * What the logits are multiplied by before the softmax: 1/`logits_scaling` for Granite,
 * `logit_scale` for Cohere, 1 otherwise.
 *
 * @example
 * ```ts
 * import { logitScale, tinyConfig } from "./config.ts";
 * console.log(logitScale(tinyConfig("llama"))); // 1
 * ```
 */
export function logitScale(c: ModelConfig): number {
  return c.graniteMultipliers ? 1 / c.graniteMultipliers.logits : c.logitMultiplier ?? 1;
}

/**
 * The softmax scale of attention scores: 1/√q with Gemma 2/3's `query_pre_attn_scalar` q,
 * otherwise 1/√HS.
 *
 * @example
 * ```ts
 * import { attentionScale, tinyConfig } from "./config.ts";
 * console.log(attentionScale(tinyConfig("llama", { headDim: 16 }))); // 0.25
 * ```
 */
export function attentionScale(c: ModelConfig): number {
  if (c.graniteMultipliers) return c.graniteMultipliers.attention;
  return 1 / Math.sqrt(c.queryPreAttnScalar ?? c.headDim);
}

/**
 * The RoPE base θ and scaling of layer `layer`: the model's, except Gemma 3's sliding layers,
 * which rotate with `rope_local_base_freq` and no scaling.
 *
 * @example
 * ```ts
 * import { layerRope, tinyConfig } from "./config.ts";
 * const c = tinyConfig("gemma3", { ropeTheta: 1e6, ropeLocalTheta: 1e4 });
 * console.log(layerRope(c, 0).theta, layerRope(c, 5).theta); // 10000 1000000
 * ```
 */
export function layerRope(
  c: ModelConfig,
  layer: number,
): { theta: number; scaling: RopeScaling | null } {
  const local = c.family === "gemma3" || c.family === "olmo3";
  if (local && c.ropeLocalTheta !== undefined && isSlidingLayer(c, layer)) {
    return { theta: c.ropeLocalTheta, scaling: null };
  }
  return { theta: c.ropeTheta, scaling: c.ropeScaling ?? null };
}

/**
 * R, how many leading elements of each head RoPE turns: {@linkcode ModelConfig.rotaryDim}, or the
 * head size.
 *
 * @example
 * ```ts
 * import { ropeDim, tinyConfig } from "./config.ts";
 * console.log(ropeDim(tinyConfig("phi3", { rotaryDim: 6 })), ropeDim(tinyConfig("llama"))); // 6 8
 * ```
 */
export function ropeDim(c: ModelConfig): number {
  return c.rotaryDim ?? c.headDim;
}

/**
 * Whether layer `layer` rotates q and k (all but SmolLM3's NoPE layers; gpt2 has learned positions
 * instead).
 *
 * @example
 * ```ts
 * import { layerUsesRope, tinyConfig } from "./config.ts";
 * const c = tinyConfig("smollm3", { noRopeLayers: [false, true] });
 * console.log(layerUsesRope(c, 0), layerUsesRope(c, 1)); // true false
 * ```
 */
export function layerUsesRope(c: ModelConfig, layer: number): boolean {
  return c.family !== "gpt2" && !c.noRopeLayers?.[layer];
}

/**
 * Why sequences of `length` tokens cannot run with this config's RoPE, or null: LongRoPE switches
 * to its long factors past `original_max_position_embeddings`, which is not implemented.
 *
 * @example
 * ```ts
 * import { ropeLengthRefusal, tinyConfig } from "./config.ts";
 * console.log(ropeLengthRefusal(tinyConfig("llama"), 4096)); // null
 * ```
 */
export function ropeLengthRefusal(c: ModelConfig, length: number): string | null {
  const s = c.ropeScaling;
  if (s?.type !== "longrope" || length <= s.originalMaxPositions) return null;
  return `sequences of ${length} tokens pass this model's original_max_position_embeddings ` +
    `(${s.originalMaxPositions}), past which LongRoPE switches to its long factors (not ` +
    `implemented); keep them to ${s.originalMaxPositions} tokens (tokenize.max_length)`;
}

/** Whether layer `layer` is one of the sliding ones (its window may still cover everything). */
function isSlidingLayer(c: ModelConfig, layer: number): boolean {
  return !!c.slidingWindow && (!c.slidingLayers || c.slidingLayers[layer]);
}

/**
 * The sliding window W of layer `layer` (its queries see keys i − W < j ≤ i), or undefined where
 * it sees every earlier key.
 *
 * @example
 * ```ts
 * import { layerWindow, tinyConfig } from "./config.ts";
 * const c = tinyConfig("qwen2", { slidingWindow: 16, slidingLayers: [false, true] });
 * console.log(layerWindow(c, 0), layerWindow(c, 1)); // undefined 16
 * ```
 */
export function layerWindow(c: ModelConfig, layer: number): number | undefined {
  if (!c.slidingWindow) return undefined;
  return c.slidingLayers && !c.slidingLayers[layer] ? undefined : c.slidingWindow;
}

/** A config.json field we cannot honour, or a bad value. Names the field. */
export class ConfigError extends Error {
  /** The error's name, as shown before its message. */
  override name = "ConfigError";
}

/** A parsed JSON object, as read from a `config.json` file. */
export type Json = Record<string, unknown>;

/**
 * Reads a Hugging Face `config.json` object. Unknown `model_type`s and options we do not implement
 * are refused with the field's name.
 *
 * @example
 * ```ts
 * import { configFromHf } from "./config.ts";
 * const c = configFromHf({
 *   model_type: "llama", hidden_size: 64, intermediate_size: 172, num_hidden_layers: 5,
 *   num_attention_heads: 8, num_key_value_heads: 4, vocab_size: 512,
 *   max_position_embeddings: 512, tie_word_embeddings: true,
 * });
 * console.log(c.headDim); // 8
 * ```
 */
export function configFromHf(json: Json, file = "config.json"): ModelConfig {
  const r = new FieldReader(json, file);
  const type = r.str("model_type");
  switch (type) {
    case "gpt2":
      return gpt2FromHf(r);
    case "gpt_neox":
      return neoxFromHf(r);
    case "phi":
      return phiFromHf(r);
    case "llama":
    case "qwen2":
    case "mistral":
    case "qwen3":
    case "phi3":
    case "smollm3":
    case "olmo2":
    case "olmo3":
    case "granite":
    case "stablelm":
    case "starcoder2":
    case "cohere":
    case "cohere2":
      return llamaFromHf(r, type);
    case "gemma":
    case "gemma2":
      return gemmaFromHf(r, type);
    case "gemma3_text":
      return gemmaFromHf(r, "gemma3");
    case "gemma3": {
      // Gemma 3's multimodal checkpoints (4B, 12B, 27B): the language model of `text_config`,
      // with the outer config's bos and eos ids where the inner one has none (its eos lists the
      // end of turn). As transformers 5.18's Gemma3ForConditionalGeneration: the outer config
      // decides the tie, and the logits are never soft-capped.
      const text = json.text_config;
      if (typeof text !== "object" || text === null || Array.isArray(text)) {
        throw new ConfigError(`${file}: model_type "gemma3" needs its text_config`);
      }
      const ids = Object.fromEntries(
        ["bos_token_id", "eos_token_id"].filter((k) => k in json).map((k) => [k, json[k]]),
      );
      const inner: Json = {
        ...ids,
        ...(text as Json),
        model_type: "gemma3_text",
        tie_word_embeddings: json.tie_word_embeddings ?? true,
      };
      delete inner.final_logit_softcapping;
      return gemmaFromHf(new FieldReader(inner, `${file} (text_config)`), "gemma3");
    }
    default:
      throw new ConfigError(
        `${file}: model_type "${type}" is not supported (gpt2, gpt_neox, llama, mistral, qwen2, ` +
          "qwen3, gemma, gemma2, gemma3_text, phi, phi3, smollm3, olmo2, olmo3, granite, stablelm, " +
          "starcoder2, cohere and cohere2 are)",
      );
  }
}

function gpt2FromHf(r: FieldReader): ModelConfig {
  const act = r.optStr("activation_function") ?? "gelu_new";
  if (!["gelu_new", "gelu_pytorch_tanh", "gelu_fast"].includes(act)) {
    r.refuse("activation_function", `"${act}" (only the tanh GELU, gelu_new, is implemented)`);
  }
  for (const flag of ["scale_attn_by_inverse_layer_idx", "add_cross_attention"]) {
    if (r.optBool(flag)) r.refuse(flag, "true");
  }
  if (r.optBool("scale_attn_weights") === false) r.refuse("scale_attn_weights", "false");
  const c = r.int("n_embd");
  const nh = r.int("n_head");
  if (c % nh !== 0) r.refuse("n_head", `${nh} does not divide n_embd ${c}`);
  return {
    family: "gpt2",
    vocabSize: r.int("vocab_size"),
    hiddenSize: c,
    numLayers: r.int("n_layer"),
    numHeads: nh,
    numKvHeads: nh,
    headDim: c / nh,
    intermediateSize: r.optInt("n_inner") ?? 4 * c,
    maxPositions: r.int("n_positions"),
    normEps: r.optNum("layer_norm_epsilon") ?? 1e-5,
    ropeTheta: 10000,
    tieEmbeddings: r.optBool("tie_word_embeddings") ?? true,
    qkvBias: true,
    // transformers' GPT2Config defaults (50256) apply when the key is absent; null means none.
    bosTokenId: "bos_token_id" in r.json ? r.optInt("bos_token_id") : 50256,
    eosTokenIds: "eos_token_id" in r.json ? r.tokenIds("eos_token_id") : [50256],
    padTokenId: r.optInt("pad_token_id"),
  };
}

/**
 * GPT-NeoX (Pythia): GPTNeoXConfig's defaults where keys are absent (a quarter of each head
 * rotated, θ 10000, parallel residual, biases, untied head, the exact GELU, bos 0, eos 2). RoPE's
 * factor and θ from `rope_parameters` win over the older `rotary_pct` and `rotary_emb_base`.
 */
function neoxFromHf(r: FieldReader): ModelConfig {
  const act = r.optStr("hidden_act") ?? "gelu";
  const exact = gelusOf(r, act);
  // (GPTNeoXConfig never reads a top-level rope_theta: rotary_emb_base, or rope_parameters')
  const noTheta = new FieldReader({ ...r.json, rope_theta: null }, r.file);
  const rope = ropeOf(noTheta, r.optNum("rotary_emb_base") ?? 10000);
  if (rope.scaling?.type === "longrope") r.refuse("rope_scaling", "longrope for gpt_neox");
  // (GPTNeoXConfig reads rotary_pct, not a top-level partial_rotary_factor)
  const inner = rope.partialField !== "partial_rotary_factor";
  const pct = inner ? rope.partial : r.optNum("rotary_pct") ?? 0.25;
  const c = r.int("hidden_size");
  const nh = r.int("num_attention_heads");
  if (c % nh !== 0) r.refuse("num_attention_heads", `${nh} does not divide hidden_size ${c}`);
  const headDim = c / nh;
  const rotaryDim = rotaryDimOf(
    r,
    { partial: pct, partialField: inner ? rope.partialField : "rotary_pct" },
    headDim,
    true,
  );
  return {
    ...gptLikeFields(r, { family: "gpt_neox", c, nh, nkv: nh, headDim, rope, rotaryDim, exact }),
    parallelResidual: r.optBool("use_parallel_residual") ?? true,
    qkvBias: r.optBool("attention_bias") ?? true,
    bosTokenId: "bos_token_id" in r.json ? r.optInt("bos_token_id") : 0,
  };
}

/**
 * The fields GPT-NeoX and Phi read alike (LayerNorm ε, 2048 positions and an untied head by
 * default, eos 2 where the key is absent).
 */
function gptLikeFields(
  r: FieldReader,
  o: {
    family: ModelFamily;
    c: number;
    nh: number;
    nkv: number;
    headDim: number;
    rope: ReturnType<typeof ropeOf>;
    rotaryDim: number | undefined;
    exact: boolean;
  },
): Omit<ModelConfig, "qkvBias" | "bosTokenId"> {
  return {
    family: o.family,
    vocabSize: r.int("vocab_size"),
    hiddenSize: o.c,
    numLayers: r.int("num_hidden_layers"),
    numHeads: o.nh,
    numKvHeads: o.nkv,
    headDim: o.headDim,
    intermediateSize: r.int("intermediate_size"),
    maxPositions: r.optInt("max_position_embeddings") ?? 2048,
    normEps: r.optNum("layer_norm_eps") ?? 1e-5,
    ropeTheta: o.rope.theta,
    ...(o.rope.scaling ? { ropeScaling: o.rope.scaling } : {}),
    ...(o.rotaryDim !== undefined ? { rotaryDim: o.rotaryDim } : {}),
    ...(o.exact ? { exactGelu: true } : {}),
    tieEmbeddings: r.optBool("tie_word_embeddings") ?? false,
    eosTokenIds: "eos_token_id" in r.json ? r.tokenIds("eos_token_id") : [2],
    padTokenId: r.optInt("pad_token_id"),
  };
}

/**
 * Whether a GELU `hidden_act` is the exact one (`gelu`, `gelu_python`) rather than the tanh form
 * (`gelu_new`, `gelu_pytorch_tanh`, `gelu_fast`); any other activation is refused.
 */
function gelusOf(r: FieldReader, act: string): boolean {
  const exact = ["gelu", "gelu_python"], tanh = ["gelu_new", "gelu_pytorch_tanh", "gelu_fast"];
  if (!exact.includes(act) && !tanh.includes(act)) {
    r.refuse("hidden_act", `"${act}" (gelu and its tanh form, gelu_new, are implemented)`);
  }
  return exact.includes(act);
}

/**
 * Phi-1.5 / Phi-2 (`phi`): PhiConfig's defaults where keys are absent (half of each head rotated,
 * the tanh GELU, untied head, bos 1, eos 2).
 */
function phiFromHf(r: FieldReader): ModelConfig {
  const exact = gelusOf(r, r.optStr("hidden_act") ?? "gelu_new");
  if (r.optBool("qk_layernorm")) r.refuse("qk_layernorm", "true (LayerNorms of q and k)");
  const rope = ropeOf(r, 1e4);
  if (rope.scaling?.type === "longrope") r.refuse("rope_scaling", "longrope for phi");
  const given = rope.partialField !== "partial_rotary_factor" ||
    r.optNum("partial_rotary_factor") !== null;
  const c = r.int("hidden_size");
  const nh = r.int("num_attention_heads");
  const nkv = r.optInt("num_key_value_heads") ?? nh;
  if (nh % nkv !== 0) {
    r.refuse("num_key_value_heads", `${nkv} does not divide num_attention_heads ${nh}`);
  }
  const headDim = r.optInt("head_dim") ?? c / nh;
  if (!Number.isInteger(headDim)) r.refuse("num_attention_heads", `${nh} does not divide ${c}`);
  const rotaryDim = rotaryDimOf(r, given ? rope : { ...rope, partial: 0.5 }, headDim, true);
  return {
    ...gptLikeFields(r, { family: "phi", c, nh, nkv, headDim, rope, rotaryDim, exact }),
    qkvBias: true,
    bosTokenId: "bos_token_id" in r.json ? r.optInt("bos_token_id") : 1,
  };
}

/** The families stored in llama's layout (phi3 with fused projections). */
type LlamaLike =
  | "llama"
  | "qwen2"
  | "mistral"
  | "qwen3"
  | "phi3"
  | "smollm3"
  | "olmo2"
  | "olmo3"
  | "granite"
  | "stablelm"
  | "starcoder2"
  | "cohere"
  | "cohere2";

/** Each config class's `max_position_embeddings` where the key is absent. */
const DEFAULT_POSITIONS: Record<LlamaLike, number> = {
  llama: 2048,
  qwen2: 32768,
  mistral: 131072,
  qwen3: 32768,
  phi3: 4096,
  smollm3: 32768,
  olmo2: 2048,
  olmo3: 2048,
  granite: 2048,
  stablelm: 4096,
  starcoder2: 4096,
  cohere: 8192,
  cohere2: 8192,
};

function llamaFromHf(
  r: FieldReader,
  family: LlamaLike,
): ModelConfig {
  // (StarCoder2: GPT-2's GELU MLP, the tanh form by default)
  const coder = family === "starcoder2";
  const act = r.optStr("hidden_act") ?? (coder ? "gelu_pytorch_tanh" : "silu");
  const exact = coder && gelusOf(r, act);
  if (!coder && act !== "silu") {
    r.refuse("hidden_act", `"${act}" (only silu, for SwiGLU, is implemented)`);
  }
  // (SmolLM3Config's θ defaults to 2·10⁶)
  // OLMo 3: rope_parameters by layer type, or a legacy rope_theta and rope_scaling that apply to
  // its full layers only (its sliding layers then rotate with θ 500000, as transformers reads it).
  const olmo3 = family === "olmo3";
  const perType = olmo3
    ? ropeByLayerType(r, { full: r.optNum("rope_theta") ?? 5e5, sliding: 5e5, legacy: true })
    : null;
  const flat = r.json["rope_parameters"];
  if (olmo3 && !perType && flat !== undefined && flat !== null) {
    // (Olmo3Config ignores rope_parameters that are not keyed by layer type)
    r.refuse("rope_parameters", "not keyed by layer type (full_attention, sliding_attention)");
  }
  // (θ where absent: SmolLM3Config's 2·10⁶, Olmo3Config's and CohereConfig's 500000)
  const defaultTheta = family === "smollm3" ? 2e6 : olmo3 || family === "cohere" ? 5e5 : 1e4;
  const rope = perType?.full ?? ropeOf(r, defaultTheta);
  const { theta: ropeTheta, scaling: ropeScaling } = rope;
  if (family === "phi3" && ropeScaling && ropeScaling.type !== "longrope") {
    // (Phi3Config takes only longrope; a config with another scaling would not load in
    // transformers)
    r.refuse("rope_scaling", `${ropeScaling.type} for phi3 (only longrope is Phi-3's)`);
  }
  if (ropeScaling?.type === "longrope" && family !== "phi3") {
    r.refuse("rope_scaling", `longrope for ${family} (implemented for phi3)`);
  }
  // (StableLM's, StarCoder2's and Cohere's models read none of these llama keys)
  const cohere = isCohere({ family });
  const llamaKeys = family !== "stablelm" && !coder && !cohere;
  if (cohere && r.optBool("use_qk_norm")) r.refuse("use_qk_norm", "true (q/k LayerNorms)");
  if (llamaKeys && r.optBool("mlp_bias")) r.refuse("mlp_bias", "true");
  if (llamaKeys && r.optNum("clip_qkv") !== null) {
    r.refuse("clip_qkv", `${r.optNum("clip_qkv")}`);
  }
  // (SmolLM3's modeling never reads pretraining_tp; its checkpoints say 2)
  if (llamaKeys && family !== "smollm3" && (r.optInt("pretraining_tp") ?? 1) !== 1) {
    r.refuse("pretraining_tp", "other than 1");
  }
  // (Cohere 2: RoPE on its sliding layers only)
  const noRope = family === "smollm3"
    ? noRopeOf(r)
    : family === "cohere2"
    ? (layerTypesOf(r, r.int("num_hidden_layers"), family) ??
      defaultSlides(r, family, r.int("num_hidden_layers"))).map((x) => !x)
    : null;
  const sliding = slidingOf(r, family, noRope);
  const attentionBias = r.optBool("attention_bias") ?? false;
  if (llamaKeys && family !== "qwen2" && attentionBias) {
    r.refuse("attention_bias", `true for ${family} (o_proj bias is not implemented)`);
  }
  const c = r.int("hidden_size");
  const nh = r.int("num_attention_heads");
  // transformers: an absent key takes the config class's default (Qwen2Config and Qwen3Config
  // 32, MistralConfig 8, LlamaConfig NH); null means NH.
  const absent = !("num_key_value_heads" in r.json);
  const nkv = r.optInt("num_key_value_heads") ??
    (absent
      ? {
        llama: nh,
        qwen2: 32,
        mistral: 8,
        qwen3: 32,
        phi3: nh,
        smollm3: 4,
        olmo2: nh,
        olmo3: nh,
        granite: nh,
        stablelm: 32,
        starcoder2: 2,
        cohere: nh,
        cohere2: nh,
      }[
        family
      ]
      : nh);
  if (nh % nkv !== 0) {
    r.refuse(
      "num_key_value_heads",
      `${nkv}${absent ? ` (${family}'s default, the key being absent)` : ""} does not divide ` +
        `num_attention_heads ${nh}`,
    );
  }
  // (Qwen3Config's head_dim defaults to 128, not C / NH; transformers cannot build one of null.)
  if (family === "qwen3" && "head_dim" in r.json && r.json["head_dim"] === null) {
    r.refuse("head_dim", "null (Qwen3 needs a head size)");
  }
  const headDim = r.optInt("head_dim") ?? (family === "qwen3" ? 128 : c / nh);
  if (family === "stablelm" && headDim !== c / nh) {
    // (StableLmAttention always uses hidden_size / num_attention_heads)
    r.refuse("head_dim", `${headDim} for stablelm (its attention uses ${c / nh})`);
  }
  if (!Number.isInteger(headDim)) r.refuse("num_attention_heads", `${nh} does not divide ${c}`);
  if (headDim % 2 !== 0) r.refuse("head_dim", `${headDim} is odd; RoPE needs an even head size`);
  // (StableLmConfig rotates a quarter of each head unless told otherwise)
  const given = rope.partialField !== "partial_rotary_factor" ||
    r.optNum("partial_rotary_factor") !== null;
  const rotaryDim = rotaryDimOf(
    r,
    family === "stablelm" && !given ? { ...rope, partial: 0.25 } : rope,
    headDim,
    family === "phi3" || family === "stablelm",
  );
  if (family === "stablelm") {
    if (r.optBool("use_parallel_residual")) r.refuse("use_parallel_residual", "true for stablelm");
    if (r.optBool("qk_layernorm")) r.refuse("qk_layernorm", "true (per-head LayerNorms of q, k)");
  }
  if (ropeScaling?.type === "longrope") {
    const want = (rotaryDim ?? headDim) / 2;
    const lists = [["short", ropeScaling.shortFactor], ["long", ropeScaling.longFactor]] as const;
    for (const [key, list] of lists) {
      if (list.length !== want) {
        r.refuse(
          `rope_scaling.${key}_factor`,
          `${list.length} factors (RoPE turns ${want} pairs of each head's elements)`,
        );
      }
    }
  }
  return {
    family,
    vocabSize: r.int("vocab_size"),
    hiddenSize: c,
    numLayers: r.int("num_hidden_layers"),
    numHeads: nh,
    numKvHeads: nkv,
    headDim,
    intermediateSize: r.int("intermediate_size"),
    // transformers' defaults where a key is absent: LlamaConfig 2048 positions, bos 1, eos 2;
    // Qwen2Config 32768 positions and no bos or eos. A key present as null means none.
    maxPositions: r.optInt("max_position_embeddings") ?? DEFAULT_POSITIONS[family],
    normEps: family === "stablelm" || cohere
      ? r.optNum("layer_norm_eps") ?? 1e-5
      : coder
      ? r.optNum("norm_epsilon") ?? 1e-5
      : r.optNum("rms_norm_eps") ?? (family === "phi3" || isOlmo({ family }) ? 1e-5 : 1e-6),
    ...(exact ? { exactGelu: true } : {}),
    ropeTheta,
    ...(ropeScaling ? { ropeScaling } : {}),
    ...(rotaryDim !== undefined ? { rotaryDim } : {}),
    ...(olmo3 ? { ropeLocalTheta: perType?.localTheta ?? 5e5 } : {}),
    ...sliding,
    ...(noRope && noRope.some((x) => x) ? { noRopeLayers: noRope } : {}),
    ...(family === "granite" ? { graniteMultipliers: multipliersOf(r) } : {}),
    tieEmbeddings: r.optBool("tie_word_embeddings") ?? (family === "smollm3" || coder || cohere),
    ...(cohere ? { logitMultiplier: logitMultiplierOf(r) } : {}),
    qkvBias: family === "qwen2" || (family === "stablelm" && !!r.optBool("use_qkv_bias")) ||
      (coder && (r.optBool("use_bias") ?? true)) || (cohere && !!r.optBool("attention_bias")),
    // Phi3Config's defaults: bos 1, eos and pad 32000; SmolLM3Config's 128000, 128001, 128004.
    bosTokenId: "bos_token_id" in r.json || family.startsWith("qwen") || isOlmo({ family })
      ? r.optInt("bos_token_id")
      : family === "smollm3"
      ? 128000
      : family === "stablelm"
      ? 0
      : coder
      ? 50256
      : cohere
      ? 5
      : 1,
    eosTokenIds: "eos_token_id" in r.json || family.startsWith("qwen")
      ? r.tokenIds("eos_token_id")
      : [
        {
          phi3: 32000,
          smollm3: 128001,
          olmo2: 50279,
          olmo3: 50279,
          stablelm: 0,
          starcoder2: 50256,
          cohere: 255001,
          cohere2: 255001,
        }[
          family as string
        ] ?? 2,
      ],
    // (Olmo2Config: pad 1, no bos)
    padTokenId: "pad_token_id" in r.json ||
        (family !== "phi3" && family !== "smollm3" && !isOlmo({ family }) && !cohere)
      ? r.optInt("pad_token_id")
      : {
        phi3: 32000,
        smollm3: 128004,
        olmo2: 1,
        olmo3: 1,
        cohere: 0,
        cohere2: 0,
      }[family as string] ?? null,
  };
}

/** Cohere's `logit_scale` (CohereConfig's 0.0625 where absent), positive. */
function logitMultiplierOf(r: FieldReader): number {
  const v = "logit_scale" in r.json ? r.optNum("logit_scale") : 0.0625;
  if (v === null || !(v > 0)) r.refuse("logit_scale", `${v} (a positive scale)`);
  return v;
}

/** Granite's four multipliers (GraniteConfig's defaults 1 where absent), each positive. */
function multipliersOf(
  r: FieldReader,
): { embedding: number; attention: number; residual: number; logits: number } {
  const get = (field: string) => {
    const v = r.optNum(field) ?? 1;
    if (!(v > 0)) r.refuse(field, `${v} (a multiplier is positive)`);
    return v;
  };
  return {
    embedding: get("embedding_multiplier"),
    attention: get("attention_multiplier"),
    residual: get("residual_multiplier"),
    logits: get("logits_scaling"),
  };
}

/**
 * SmolLM3's NoPE layers from `no_rope_layers` (1: RoPE, 0: none), or without it every
 * `no_rope_layer_interval`-th layer (default 4), as SmolLM3Config fills it in.
 */
function noRopeOf(r: FieldReader): boolean[] {
  const layers = r.int("num_hidden_layers");
  const list = r.json["no_rope_layers"];
  if (list === undefined || list === null) {
    const every = r.optInt("no_rope_layer_interval") ?? 4;
    if (every < 1) r.refuse("no_rope_layer_interval", `${every}`);
    return Array.from({ length: layers }, (_, l) => (l + 1) % every === 0);
  }
  // (At least one entry per layer, as SmolLM3Config asks; the model reads the first ones.)
  if (!Array.isArray(list) || list.length < layers || list.some((x) => x !== 0 && x !== 1)) {
    throw new ConfigError(
      `${r.file}: no_rope_layers must list 0 or 1 for each of the ${layers} layers, got ` +
        JSON.stringify(list),
    );
  }
  return list.slice(0, layers).map((x) => x === 0);
}

/**
 * A Gemma config (`gemma`, `gemma2`, `gemma3_text`), with transformers' defaults where a key is
 * absent (Gemma 2's soft-capping: attention scores 50, final logits 30; Gemma 3: none).
 */
function gemmaFromHf(r: FieldReader, family: GemmaFamily): ModelConfig {
  // Gemma's MLP is GeGLU. transformers builds Gemma 1's from `hidden_act`, whose legacy "gelu"
  // (Gemma 1 checkpoints' value) it rewrites to the tanh form, and Gemma 2/3's from
  // `hidden_activation` (default gelu_pytorch_tanh; "gelu" there is the exact erf GELU), each
  // ignoring the other key (checked against transformers 5.18's log-probs).
  const actField = family === "gemma" ? "hidden_act" : "hidden_activation";
  const act = r.optStr(actField) ?? "gelu_pytorch_tanh";
  if (!["gelu_pytorch_tanh", "gelu_new", "gelu_fast", "gelu"].includes(act)) {
    r.refuse(actField, `"${act}" (GELU, exact or in its tanh form, is implemented)`);
  }
  const exactGelu = act === "gelu" && family !== "gemma";
  const d = {
    gemma: { nh: 16, nkv: 16, positions: 8192, theta: 10000, softcaps: [null, null] },
    gemma2: { nh: 8, nkv: 4, positions: 8192, theta: 10000, softcaps: [50, 30] },
    gemma3: { nh: 8, nkv: 4, positions: 131072, theta: 1e6, softcaps: [null, null] },
  }[family];
  // (Gemma 3's attention never applies attn_logit_softcapping in transformers: ignored here too.)
  const [attnSoftcap, finalSoftcap] = ["attn_logit_softcapping", "final_logit_softcapping"].map(
    (field, i) => {
      const ignored = family === "gemma" || (family === "gemma3" && i === 0);
      const v = ignored ? null : field in r.json ? r.optNum(field) : d.softcaps[i];
      if (v !== null && !(v > 0)) r.refuse(field, `${v} (a soft-cap is positive)`);
      return v;
    },
  );
  if (r.optBool("attention_bias")) r.refuse("attention_bias", "true");
  if (r.optBool("use_bidirectional_attention")) r.refuse("use_bidirectional_attention", "true");
  // transformers v5 saves Gemma 3's two RoPEs as rope_parameters.{full_attention,
  // sliding_attention} (without rope_theta or rope_local_base_freq).
  const perType = family === "gemma3" ? ropeByLayerType(r) : null;
  const rope = perType?.full ?? ropeOf(r, d.theta);
  rotaryDimOf(r, rope, 2, false); // (refuses any partial factor)
  const { theta: ropeTheta, scaling: ropeScaling } = rope;
  // (Gemma3TextConfig's defaults: a multimodal checkpoint's text_config leaves them out.)
  const sizes = family === "gemma3" ? { vocab: 262208, hidden: 2304, mlp: 9216, layers: 26 } : null;
  const sized = (field: string, fallback?: number) =>
    fallback !== undefined && !(field in r.json) ? fallback : r.int(field);
  const c = sized("hidden_size", sizes?.hidden);
  const nh = r.optInt("num_attention_heads") ?? d.nh;
  const nkv = "num_key_value_heads" in r.json ? r.optInt("num_key_value_heads") ?? nh : d.nkv;
  if (nh % nkv !== 0) {
    r.refuse("num_key_value_heads", `${nkv} does not divide num_attention_heads ${nh}`);
  }
  const headDim = r.optInt("head_dim") ?? 256;
  if (headDim % 2 !== 0) r.refuse("head_dim", `${headDim} is odd; RoPE needs an even head size`);
  const layers = sized("num_hidden_layers", sizes?.layers);
  const maxPositions = r.optInt("max_position_embeddings") ?? d.positions;
  const sliding: Partial<ModelConfig> = {};
  if (family !== "gemma") {
    const window = "sliding_window" in r.json ? r.optInt("sliding_window") : 4096;
    const types = layerTypesOf(r, layers, family);
    // transformers' patterns: Gemma 2 slides every other layer from the first; Gemma 3 all but
    // every `sliding_window_pattern`-th (default 6).
    const pattern = family === "gemma2" ? 2 : r.optInt("sliding_window_pattern") ?? 6;
    const slides = types ?? Array.from({ length: layers }, (_, l) => (l + 1) % pattern !== 0);
    if (window === null && family === "gemma3") {
      // (transformers cannot build Gemma 3's sliding masks without one)
      r.refuse("sliding_window", "null (Gemma 3's sliding layers need a window)");
    }
    if (window !== null && slides.some((x) => x)) {
      if (window < 1) r.refuse("sliding_window", `${window} (a window holds at least one key)`);
      // Kept even where it covers every position: Gemma 3's sliding layers have their own RoPE.
      sliding.slidingWindow = window;
      if (!slides.every((x) => x)) sliding.slidingLayers = slides;
    }
  } else layerTypesOf(r, layers, family);
  const scalar = family === "gemma" ? null : r.optNum("query_pre_attn_scalar") ?? 256;
  if (scalar !== null && !(scalar > 0)) r.refuse("query_pre_attn_scalar", `${scalar}`);
  const local = family === "gemma3"
    ? perType?.localTheta ?? r.optNum("rope_local_base_freq") ?? 10000
    : null;
  if (local !== null && !(local > 0)) r.refuse("rope_local_base_freq", `${local}`);
  return {
    family,
    vocabSize: sized("vocab_size", sizes?.vocab),
    hiddenSize: c,
    numLayers: layers,
    numHeads: nh,
    numKvHeads: nkv,
    headDim,
    intermediateSize: sized("intermediate_size", sizes?.mlp),
    maxPositions,
    normEps: r.optNum("rms_norm_eps") ?? 1e-6,
    ropeTheta,
    ...(ropeScaling ? { ropeScaling } : {}),
    ...sliding,
    ...(scalar !== null ? { queryPreAttnScalar: scalar } : {}),
    ...(local !== null ? { ropeLocalTheta: local } : {}),
    ...(exactGelu ? { exactGelu } : {}),
    ...(attnSoftcap !== null ? { attnSoftcap } : {}),
    ...(finalSoftcap !== null ? { finalSoftcap } : {}),
    tieEmbeddings: r.optBool("tie_word_embeddings") ?? true,
    qkvBias: false,
    // GemmaConfig's defaults: pad 0, eos 1, bos 2.
    bosTokenId: "bos_token_id" in r.json ? r.optInt("bos_token_id") : 2,
    eosTokenIds: "eos_token_id" in r.json ? r.tokenIds("eos_token_id") : [1],
    padTokenId: "pad_token_id" in r.json ? r.optInt("pad_token_id") : 0,
  };
}

/**
 * Gemma 3's RoPEs as transformers v5 saves them, `rope_parameters: {full_attention: {...},
 * sliding_attention: {...}}`: the global layers' θ and scaling and the sliding layers' θ (their
 * scaling must be plain); null where `rope_parameters` is not keyed by layer type.
 */
function ropeByLayerType(
  r: FieldReader,
  defaults: { full: number; sliding: number; legacy?: boolean } = { full: 1e6, sliding: 1e4 },
): { full: ReturnType<typeof ropeOf>; localTheta: number } | null {
  const rp = r.json["rope_parameters"];
  if (typeof rp !== "object" || rp === null || Array.isArray(rp)) return null;
  const keyed = rp as Json;
  if (!("full_attention" in keyed) && !("sliding_attention" in keyed)) return null;
  const sub = (key: string, theta: number) => {
    // A reader over this layer type's parameters alone, errors naming them (OLMo 3: a legacy
    // rope_scaling updates the full layers' parameters, as transformers merges it).
    const legacy = defaults.legacy && key === "full_attention" ? r.json["rope_scaling"] : null;
    const own = keyed[key] ?? null;
    const params = legacy && typeof legacy === "object"
      ? { ...(own as Json ?? {}), ...(legacy as Json) }
      : own;
    const json: Json = { ...r.json, rope_parameters: params, rope_scaling: null };
    // (nested parameters take neither top-level key: θ has its default, the original length is
    // the nested one or max_position_embeddings)
    delete json["rope_theta"];
    delete json["original_max_position_embeddings"];
    const truncate = (params as Json | null)?.["truncate"];
    if (truncate === false) {
      // (transformers reads `truncate` from the outer rope_parameters only: always on here)
      r.refuse(
        `rope_parameters.${key}.truncate`,
        "false (per layer type, transformers ignores it)",
      );
    }
    const sr = new FieldReader(json, `${r.file} (rope_parameters.${key})`);
    const got = ropeOf(sr, theta);
    rotaryDimOf(sr, got, 2, false); // (refuses any partial factor)
    return got;
  };
  const full = sub("full_attention", defaults.full);
  const local = sub("sliding_attention", defaults.sliding);
  if (local.scaling) {
    r.refuse("rope_parameters.sliding_attention", "with a scaling (plain RoPE only there)");
  }
  return { full, localTheta: local.theta };
}

/**
 * The sliding layers where `layer_types` is absent: three of four (OLMo 3; Cohere 2 by its
 * `sliding_window_pattern`, default 4: every P-th layer attends fully).
 */
function defaultSlides(r: FieldReader, family: ModelFamily, layers: number): boolean[] {
  const pattern = family === "cohere2" ? r.optInt("sliding_window_pattern") ?? 4 : 4;
  if (!(pattern >= 1)) r.refuse("sliding_window_pattern", `${pattern}`);
  return Array.from({ length: layers }, (_, l) => (l + 1) % pattern !== 0);
}

/**
 * `layer_types` as a per-layer "slides" list, or null where absent; only the families with
 * sliding layers (qwen2, qwen3, gemma2, gemma3) may name `sliding_attention`; other entries are
 * refused by index.
 */
function layerTypesOf(r: FieldReader, layers: number, family: ModelFamily): boolean[] | null {
  const types = r.json["layer_types"];
  if (types === undefined || types === null) return null;
  if (!Array.isArray(types) || types.length !== layers) {
    throw new ConfigError(
      `${r.file}: layer_types must list the ${layers} layers' attention, got ` +
        JSON.stringify(types),
    );
  }
  const known =
    ["qwen2", "qwen3", "gemma2", "gemma3", "smollm3", "olmo3", "cohere2"].includes(family)
      ? ["full_attention", "sliding_attention"]
      : ["full_attention"];
  return types.map((t, l) => {
    if (!known.includes(t)) {
      r.refuse(`layer_types[${l}]`, `${JSON.stringify(t)} for ${family} (${known.join(", ")} are)`);
    }
    return t === "sliding_attention";
  });
}

/**
 * The sliding window and its layers, as transformers reads them:
 * - mistral: `sliding_window` on every layer (MistralConfig's default 4096 when the key is
 *   absent; null: none);
 * - qwen2, qwen3: only with `use_sliding_window`, `sliding_window` (default 4096) on the layers
 *   `layer_types` marks `sliding_attention`, or without it on layers `max_window_layers`
 *   (default 28) and up;
 * - llama: none (`layer_types` may only say `full_attention`).
 * A window at least as long as `max_position_embeddings` never hides a key: none is kept.
 */
function slidingOf(
  r: FieldReader,
  family: LlamaLike,
  noRope: boolean[] | null = null,
): { slidingWindow?: number; slidingLayers?: boolean[] } {
  const layers = r.int("num_hidden_layers");
  const typed = layerTypesOf(r, layers, family); // sliding per layer, from layer_types
  let window: number | null = null;
  let slides: boolean[] = [];
  if (family === "olmo3" || family === "cohere2") {
    // Olmo3Config, Cohere2Config: a 4096-token window on three layers of four (Cohere 2:
    // `sliding_window_pattern`), unless layer_types says otherwise.
    window = "sliding_window" in r.json ? r.optInt("sliding_window") : 4096;
    slides = typed ?? defaultSlides(r, family, layers);
  } else if (family === "mistral" || family === "phi3" || family === "starcoder2") {
    // MistralConfig's default window is 4096, Phi3Config's and Starcoder2Config's none.
    const fallback = family === "mistral" ? 4096 : null;
    window = "sliding_window" in r.json ? r.optInt("sliding_window") : fallback;
    slides = Array(layers).fill(true);
  } else if ((family === "qwen2" || family === "qwen3") && r.optBool("use_sliding_window")) {
    window = "sliding_window" in r.json ? r.optInt("sliding_window") : 4096;
    const deepest = r.optInt("max_window_layers") ?? 28;
    slides = typed ?? Array.from({ length: layers }, (_, l) => l >= deepest);
  } else if (family === "smollm3" && r.optBool("use_sliding_window")) {
    // SmolLM3Config: without layer_types, its NoPE layers slide (when a window is set).
    window = r.optInt("sliding_window");
    slides = typed ?? (noRope ?? []).slice();
  } else if (family === "smollm3" && typed?.some((x) => x) && r.optInt("sliding_window") !== null) {
    // transformers' SmolLM3 masks these layers' windows in eager and sdpa attention but not in
    // flash attention, whose window follows use_sliding_window: no single meaning to follow.
    r.refuse(
      "layer_types",
      "with sliding_attention and a sliding_window but use_sliding_window false (transformers' " +
        "attention implementations disagree on it)",
    );
  }
  if ((family === "olmo3" || family === "cohere2") && window === null && slides.some((x) => x)) {
    // (transformers builds their sliding masks from it, and cannot without one; Cohere 2 would
    // also drop RoPE from every layer)
    r.refuse("sliding_window", `null with sliding_attention layers (${family} needs a window)`);
  }
  if (window === null || !slides.some((x) => x)) return {};
  if (window < 1) r.refuse("sliding_window", `${window} (a window holds at least one key)`);
  const positions = r.optInt("max_position_embeddings") ?? DEFAULT_POSITIONS[family];
  // (kept for OLMo 3 and Cohere 2 even where it covers every position: their sliding layers
  // rotate differently)
  if (window >= positions && family !== "olmo3" && family !== "cohere2") return {};
  return slides.every((x) => x)
    ? { slidingWindow: window }
    : { slidingWindow: window, slidingLayers: slides };
}

/**
 * RoPE's base θ from `rope_theta`, or from `rope_parameters` (transformers v5 keeps θ and the
 * scaling there) or `rope_scaling` (earlier versions), and its scaling: `linear` and `llama3`
 * (Llama 3.1 / 3.2) are implemented, any other kind is refused with the field named. Default θ
 * 10000, no scaling.
 */
function ropeOf(
  r: FieldReader,
  defaultTheta = 10000,
): { theta: number; scaling: RopeScaling | null; partial: number; partialField: string } {
  let theta = r.optNum("rope_theta");
  let scaling: RopeScaling | null = null;
  // (transformers v5: a factor inside rope_parameters wins over the top-level key)
  let partial = r.optNum("partial_rotary_factor"), partialField = "partial_rotary_factor";
  for (const field of ["rope_parameters", "rope_scaling"]) {
    const v = r.json[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== "object" || Array.isArray(v)) {
      throw new ConfigError(`${r.file}: ${field} must be an object, got ${JSON.stringify(v)}`);
    }
  }
  // transformers takes `rope_scaling or rope_parameters`: a non-empty rope_scaling replaces
  // rope_parameters whole.
  const legacy = r.json["rope_scaling"] as Json | null | undefined;
  const fields = legacy && Object.keys(legacy).length ? ["rope_scaling"] : ["rope_parameters"];
  for (const field of fields) {
    const v = r.json[field];
    if (v === undefined || v === null) continue;
    const params = v as Json;
    // ("su": the name early Phi-3-128k configs give LongRoPE, which transformers renames)
    const named = params["rope_type"] ?? params["type"] ?? "default";
    const type = named === "su" ? "longrope" : named;
    const keys: Record<string, string[]> = {
      default: [],
      linear: ["factor"],
      llama3: ["factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"],
      // Dynamic NTK changes θ only past max_position_embeddings, which no sequence here reaches.
      dynamic: ["factor", "original_max_position_embeddings"],
      longrope: [
        "short_factor",
        "long_factor",
        "factor",
        "attention_factor",
        "original_max_position_embeddings",
      ],
      yarn: [
        "finetuned", // (NousResearch's YaRN checkpoints; transformers does not read it)
        "factor",
        "original_max_position_embeddings",
        "attention_factor",
        "beta_fast",
        "beta_slow",
        "mscale",
        "mscale_all_dim",
        "truncate",
      ],
    };
    if (typeof type !== "string" || !(type in keys)) {
      r.refuse(
        `${field}.rope_type`,
        `${
          JSON.stringify(type)
        } (plain, linear, llama3, dynamic, yarn and longrope RoPE are implemented)`,
      );
    }
    const wanted = keys[type as string];
    for (const [key, value] of Object.entries(params)) {
      if (["rope_type", "type", "rope_theta"].includes(key) || value === null) continue;
      if (key === "partial_rotary_factor") {
        if (typeof value !== "number") {
          throw new ConfigError(
            `${r.file}: ${field}.${key} must be a number, got ${JSON.stringify(value)}`,
          );
        }
        [partial, partialField] = [value, `${field}.${key}`];
        continue;
      }
      if (key === "attention_factor" && value === 1) continue;
      if (!wanted.includes(key)) {
        r.refuse(`${field}.${key}`, `${JSON.stringify(value)} (not part of ${type} RoPE here)`);
      }
    }
    // transformers v5: a top-level original_max_position_embeddings wins, and without any the
    // model's max_position_embeddings stands in.
    const fallback: Json = {
      original_max_position_embeddings: r.json["original_max_position_embeddings"] ??
        params["original_max_position_embeddings"] ?? r.json["max_position_embeddings"],
    };
    const num = (key: string) => {
      const x = key in fallback ? fallback[key] : params[key];
      if (typeof x !== "number" || !Number.isFinite(x) || x <= 0) {
        throw new ConfigError(
          `${r.file}: ${field}.${key} must be a positive number, got ${JSON.stringify(x)}`,
        );
      }
      return x;
    };
    if (type === "linear") scaling = { type: "linear", factor: num("factor") };
    if (type === "dynamic") scaling = { type: "dynamic", factor: num("factor") };
    if (type === "longrope") scaling = longropeOf(r, field, params);
    if (type === "yarn") {
      scaling = yarnOf(r, field, params, num("original_max_position_embeddings"));
    }
    if (type === "llama3") {
      scaling = {
        type: "llama3",
        factor: num("factor"),
        lowFreqFactor: num("low_freq_factor"),
        highFreqFactor: num("high_freq_factor"),
        originalMaxPositions: num("original_max_position_embeddings"),
      };
      if (!(scaling.highFreqFactor > scaling.lowFreqFactor)) {
        r.refuse(`${field}.high_freq_factor`, "not above low_freq_factor");
      }
    }
    const inner = params["rope_theta"];
    if (inner !== undefined && inner !== null) {
      if (typeof inner !== "number" || !Number.isFinite(inner) || inner <= 0) {
        throw new ConfigError(
          `${r.file}: ${field}.rope_theta must be a positive number, got ${JSON.stringify(inner)}`,
        );
      }
      theta = inner; // (transformers v5: the value inside rope_parameters wins)
    }
  }
  return { theta: theta ?? defaultTheta, scaling, partial: partial ?? 1, partialField };
}

/**
 * R from a `partial_rotary_factor` f as transformers computes it, ⌊HS·f⌋; refused unless even and
 * positive, or anywhere but where `allowed` (the families whose attention rotates part of a head).
 */
function rotaryDimOf(
  r: FieldReader,
  rope: { partial: number; partialField: string },
  headDim: number,
  allowed: boolean,
): number | undefined {
  const { partial, partialField } = rope;
  if (partial === 1) return undefined;
  if (!allowed) {
    r.refuse(
      partialField,
      `${partial} (partial RoPE is implemented for phi, phi3, gpt_neox and stablelm)`,
    );
  }
  const R = Math.trunc(headDim * partial);
  if (!(partial > 0 && partial < 1) || R < 2 || R % 2 !== 0) {
    r.refuse(
      partialField,
      `${partial}: RoPE would turn ${R} of the head's ${headDim} elements; a factor in (0, 1] ` +
        "turning an even number of them is implemented",
    );
  }
  return R;
}

/**
 * LongRoPE's parameters as transformers computes them: `factor` (the scaling's own, or else
 * max_position_embeddings / original_max_position_embeddings, the top-level key or the
 * scaling's), the attention factor `attention_factor` or √(1 + ln factor / ln original) for
 * factor > 1.
 */
function longropeOf(r: FieldReader, field: string, params: Json): RopeScaling {
  const list = (key: string) => {
    const v = params[key];
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "number" || !(x > 0))) {
      throw new ConfigError(
        `${r.file}: ${field}.${key} must be a list of positive numbers, got ${JSON.stringify(v)}`,
      );
    }
    return v as number[];
  };
  // Phi3Config's top-level key (default 4096) overrides any inside the scaling.
  const original = r.optInt("original_max_position_embeddings") ?? 4096;
  if (!(original > 0)) {
    r.refuse("original_max_position_embeddings", `${original} (LongRoPE needs a positive length)`);
  }
  // transformers: the scaling's own `factor` when given, else the ratio of the two lengths.
  const positions = r.int("max_position_embeddings");
  const own = params["factor"];
  if (own !== undefined && own !== null && !(typeof own === "number" && own > 0)) {
    throw new ConfigError(`${r.file}: ${field}.factor must be positive, got ${own}`);
  }
  const factor = typeof own === "number" ? own : positions / original;
  const given = params["attention_factor"];
  if (given !== undefined && given !== null && !(typeof given === "number" && given > 0)) {
    throw new ConfigError(`${r.file}: ${field}.attention_factor must be positive, got ${given}`);
  }
  const attentionFactor = typeof given === "number"
    ? given
    : factor <= 1
    ? 1
    : Math.sqrt(1 + Math.log(factor) / Math.log(original));
  const keep: { factor?: number; attentionFactor?: number } = {};
  if (typeof params["factor"] === "number") keep.factor = params["factor"] as number;
  if (typeof given === "number") keep.attentionFactor = given;
  return {
    type: "longrope",
    shortFactor: list("short_factor"),
    longFactor: list("long_factor"),
    originalMaxPositions: original,
    attentionFactor,
    ...(Object.keys(keep).length ? { given: keep } : {}),
  };
}

/**
 * The `partial_rotary_factor` f to write for R: R/HS, nudged up where float rounding would make
 * transformers' ⌊HS·f⌋ one short of R.
 */
function rotaryFactor(c: ModelConfig): number {
  const R = ropeDim(c);
  let f = R / c.headDim;
  while (Math.trunc(c.headDim * f) < R) f += Number.EPSILON * f;
  return f;
}

/**
 * YaRN's parameters as transformers reads them: `factor` (else max_position_embeddings over the
 * original length), the attention factor `attention_factor`, or mscale / mscale_all_dim's ratio of
 * 0.1·m·ln(factor) + 1, or 0.1·ln(factor) + 1 (1 for factor ≤ 1); β_fast 32 and β_slow 1 where
 * absent (or 0); truncation on unless `truncate` is false.
 */
function yarnOf(r: FieldReader, field: string, params: Json, original: number): RopeScaling {
  const opt = (key: string) => {
    const v = params[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ConfigError(
        `${r.file}: ${field}.${key} must be a number, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const factor = opt("factor") ?? r.int("max_position_embeddings") / original;
  if (!(factor > 0)) throw new ConfigError(`${r.file}: ${field}.factor must be positive`);
  const mscale = (m: number) => factor <= 1 ? 1 : 0.1 * m * Math.log(factor) + 1;
  const [m, mAll] = [opt("mscale"), opt("mscale_all_dim")];
  const attentionFactor = opt("attention_factor") ??
    (m && mAll ? mscale(m) / mscale(mAll) : mscale(1));
  const truncate = params["truncate"];
  if (truncate !== undefined && truncate !== null && typeof truncate !== "boolean") {
    throw new ConfigError(`${r.file}: ${field}.truncate must be true or false`);
  }
  const given: Record<string, number | boolean> = {};
  for (const key of ["attention_factor", "beta_fast", "beta_slow", "mscale", "mscale_all_dim"]) {
    const v = opt(key);
    if (v !== undefined) given[key] = v;
  }
  if (typeof truncate === "boolean") given.truncate = truncate;
  return {
    type: "yarn",
    factor,
    originalMaxPositions: original,
    attentionFactor,
    betaFast: opt("beta_fast") || 32,
    betaSlow: opt("beta_slow") || 1,
    truncate: truncate !== false,
    ...(Object.keys(given).length ? { given } : {}),
  };
}

/** The `rope_scaling` object transformers reads back for a scaling. */
function ropeScalingToHf(s: RopeScaling): Json {
  if (s.type === "dynamic") return { rope_type: "dynamic", factor: s.factor };
  if (s.type === "yarn") {
    return {
      rope_type: "yarn",
      factor: s.factor,
      original_max_position_embeddings: s.originalMaxPositions,
      ...s.given,
    };
  }
  if (s.type === "longrope") {
    return {
      rope_type: "longrope",
      short_factor: s.shortFactor,
      long_factor: s.longFactor,
      ...(s.given?.factor !== undefined ? { factor: s.given.factor } : {}),
      ...(s.given?.attentionFactor !== undefined
        ? { attention_factor: s.given.attentionFactor }
        : {}),
    };
  }
  return s.type === "linear" ? { rope_type: "linear", factor: s.factor } : {
    rope_type: "llama3",
    factor: s.factor,
    low_freq_factor: s.lowFreqFactor,
    high_freq_factor: s.highFreqFactor,
    original_max_position_embeddings: s.originalMaxPositions,
  };
}

/**
 * A Hugging Face `config.json` object for a config, loadable by transformers'
 * `AutoModelForCausalLM` unchanged.
 *
 * @example
 * ```ts
 * import { configToHf, tinyConfig } from "./config.ts";
 * const json = configToHf(tinyConfig("gpt2"));
 * console.log(json.architectures); // ["GPT2LMHeadModel"]
 * ```
 */
export function configToHf(c: ModelConfig): Json {
  const eos = c.eosTokenIds.length === 0
    ? null
    : c.eosTokenIds.length === 1
    ? c.eosTokenIds[0]
    : c.eosTokenIds;
  // (in the order transformers writes them)
  const tokens = {
    tie_word_embeddings: c.tieEmbeddings,
    bos_token_id: c.bosTokenId,
    eos_token_id: eos,
    pad_token_id: c.padTokenId,
  };
  if (c.family === "gpt2") {
    return {
      architectures: ["GPT2LMHeadModel"],
      model_type: "gpt2",
      vocab_size: c.vocabSize,
      n_embd: c.hiddenSize,
      n_layer: c.numLayers,
      n_head: c.numHeads,
      n_inner: c.intermediateSize,
      n_positions: c.maxPositions,
      n_ctx: c.maxPositions,
      activation_function: "gelu_new",
      layer_norm_epsilon: c.normEps,
      ...tokens,
      resid_pdrop: 0,
      embd_pdrop: 0,
      attn_pdrop: 0,
      torch_dtype: "float32",
    };
  }
  if (c.family === "gemma" || c.family === "gemma2" || c.family === "gemma3") {
    return gemmaToHf(c, c.family, eos);
  }
  if (c.family === "phi") {
    return {
      architectures: ["PhiForCausalLM"],
      model_type: "phi",
      vocab_size: c.vocabSize,
      hidden_size: c.hiddenSize,
      num_hidden_layers: c.numLayers,
      num_attention_heads: c.numHeads,
      num_key_value_heads: c.numKvHeads,
      ...(c.headDim * c.numHeads !== c.hiddenSize ? { head_dim: c.headDim } : {}),
      intermediate_size: c.intermediateSize,
      hidden_act: c.exactGelu ? "gelu" : "gelu_new",
      max_position_embeddings: c.maxPositions,
      rope_theta: c.ropeTheta,
      ...(c.ropeScaling ? { rope_scaling: ropeScalingToHf(c.ropeScaling) } : {}),
      partial_rotary_factor: c.rotaryDim === undefined ? 1 : rotaryFactor(c),
      layer_norm_eps: c.normEps,
      qk_layernorm: false,
      ...tokens,
      resid_pdrop: 0,
      embd_pdrop: 0,
      attention_dropout: 0,
      torch_dtype: "float32",
    };
  }
  if (c.family === "gpt_neox") {
    return {
      architectures: ["GPTNeoXForCausalLM"],
      model_type: "gpt_neox",
      vocab_size: c.vocabSize,
      hidden_size: c.hiddenSize,
      num_hidden_layers: c.numLayers,
      num_attention_heads: c.numHeads,
      intermediate_size: c.intermediateSize,
      hidden_act: c.exactGelu ? "gelu" : "gelu_new",
      max_position_embeddings: c.maxPositions,
      rotary_pct: c.rotaryDim === undefined ? 1 : rotaryFactor(c),
      rotary_emb_base: c.ropeTheta,
      ...(c.ropeScaling ? { rope_scaling: ropeScalingToHf(c.ropeScaling) } : {}),
      layer_norm_eps: c.normEps,
      use_parallel_residual: c.parallelResidual ?? false,
      attention_bias: c.qkvBias,
      ...tokens,
      hidden_dropout: 0,
      attention_dropout: 0,
      torch_dtype: "float32",
    };
  }
  return {
    architectures: [
      {
        llama: "LlamaForCausalLM",
        qwen2: "Qwen2ForCausalLM",
        mistral: "MistralForCausalLM",
        qwen3: "Qwen3ForCausalLM",
        phi3: "Phi3ForCausalLM",
        smollm3: "SmolLM3ForCausalLM",
        olmo2: "Olmo2ForCausalLM",
        olmo3: "Olmo3ForCausalLM",
        granite: "GraniteForCausalLM",
        stablelm: "StableLmForCausalLM",
        starcoder2: "Starcoder2ForCausalLM",
        cohere: "CohereForCausalLM",
        cohere2: "Cohere2ForCausalLM",
      }[c.family],
    ],
    model_type: c.family,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    max_position_embeddings: c.maxPositions,
    ...(c.family === "starcoder2"
      ? { norm_epsilon: c.normEps, use_bias: c.qkvBias }
      : isCohere(c)
      ? {
        layer_norm_eps: c.normEps,
        logit_scale: c.logitMultiplier ?? 1,
        use_qk_norm: false,
      }
      : { rms_norm_eps: c.normEps }),
    rope_theta: c.ropeTheta,
    ...(c.ropeScaling ? { rope_scaling: ropeScalingToHf(c.ropeScaling) } : {}),
    ...(c.ropeScaling?.type === "longrope"
      ? { original_max_position_embeddings: c.ropeScaling.originalMaxPositions }
      : {}),
    // OLMo 3: both layer types' RoPE, as transformers v5 saves them (the legacy keys above hold the
    // full layers' for earlier versions).
    ...(c.family === "olmo3"
      ? {
        rope_parameters: {
          full_attention: {
            ...(c.ropeScaling ? ropeScalingToHf(c.ropeScaling) : { rope_type: "default" }),
            rope_theta: c.ropeTheta,
          },
          sliding_attention: { rope_type: "default", rope_theta: c.ropeLocalTheta ?? 5e5 },
        },
      }
      : {}),
    ...(c.rotaryDim !== undefined || c.family === "stablelm"
      ? { partial_rotary_factor: c.rotaryDim === undefined ? 1 : rotaryFactor(c) }
      : {}),
    ...(c.family === "stablelm"
      ? {
        layer_norm_eps: c.normEps,
        use_qkv_bias: c.qkvBias,
        use_parallel_residual: false,
        qk_layernorm: false,
      }
      : {}),
    tie_word_embeddings: c.tieEmbeddings,
    hidden_act: c.family !== "starcoder2" ? "silu" : c.exactGelu ? "gelu" : "gelu_pytorch_tanh",
    attention_bias: c.family === "llama" || c.family === "qwen3"
      ? false
      : isCohere(c)
      ? c.qkvBias
      : undefined,
    ...slidingToHf(c),
    ...(c.graniteMultipliers
      ? {
        embedding_multiplier: c.graniteMultipliers.embedding,
        attention_multiplier: c.graniteMultipliers.attention,
        residual_multiplier: c.graniteMultipliers.residual,
        logits_scaling: c.graniteMultipliers.logits,
      }
      : {}),
    ...(!["starcoder2", "stablelm", "cohere", "cohere2"].includes(c.family)
      ? { mlp_bias: false }
      : {}),
    bos_token_id: c.bosTokenId,
    eos_token_id: eos,
    pad_token_id: c.padTokenId,
    attention_dropout: 0,
    torch_dtype: "float32",
  };
}

/** A Gemma config.json (see `gemmaFromHf`). */
function gemmaToHf(c: ModelConfig, family: GemmaFamily, eos: number | number[] | null): Json {
  const L = c.numLayers;
  const slides = Array.from({ length: L }, (_, l) => isSlidingLayer(c, l));
  // Transformers before `layer_types` read Gemma 3's pattern: every P-th layer is global.
  const pattern = [...Array(L + 1).keys()].map((p) => p + 2).find((p) =>
    slides.every((x, l) => x === ((l + 1) % p !== 0))
  );
  return {
    architectures: [
      { gemma: "GemmaForCausalLM", gemma2: "Gemma2ForCausalLM", gemma3: "Gemma3ForCausalLM" }[
        family
      ],
    ],
    model_type: family === "gemma3" ? "gemma3_text" : family,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: L,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    max_position_embeddings: c.maxPositions,
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    ...(c.ropeScaling ? { rope_scaling: ropeScalingToHf(c.ropeScaling) } : {}),
    tie_word_embeddings: c.tieEmbeddings,
    hidden_act: c.exactGelu ? "gelu" : "gelu_pytorch_tanh",
    hidden_activation: c.exactGelu ? "gelu" : "gelu_pytorch_tanh",
    attention_bias: false,
    ...(family === "gemma" ? {} : {
      query_pre_attn_scalar: c.queryPreAttnScalar ?? c.headDim,
      // (transformers' Gemma 2/3 always build sliding masks, so some window is written even where
      // no layer slides)
      sliding_window: c.slidingWindow ?? 4096,
      layer_types: slides.map((x) => x ? "sliding_attention" : "full_attention"),
      attn_logit_softcapping: c.attnSoftcap ?? null,
      final_logit_softcapping: c.finalSoftcap ?? null,
    }),
    ...(family === "gemma3"
      ? {
        rope_local_base_freq: c.ropeLocalTheta ?? 10000,
        ...(pattern !== undefined ? { sliding_window_pattern: pattern } : {}),
      }
      : {}),
    bos_token_id: c.bosTokenId,
    eos_token_id: eos,
    pad_token_id: c.padTokenId,
    attention_dropout: 0,
    torch_dtype: "float32",
  };
}

/** config.json's sliding-window fields for a config (see `slidingOf`). */
function slidingToHf(c: ModelConfig): Json {
  const w = c.slidingWindow ?? null;
  // MistralConfig's default is a 4096-token window: say so when there is none.
  if (c.family === "mistral" || c.family === "phi3" || c.family === "starcoder2") {
    return { sliding_window: w };
  }
  if (c.family === "olmo3" || c.family === "cohere2") {
    const slides = Array.from({ length: c.numLayers }, (_, l) => layerWindow(c, l) !== undefined);
    return {
      // (transformers needs one even where no layer slides)
      sliding_window: w ?? 4096,
      layer_types: slides.map((x) => x ? "sliding_attention" : "full_attention"),
    };
  }
  if (c.family === "smollm3") {
    const rope = Array.from({ length: c.numLayers }, (_, l) => layerUsesRope(c, l) ? 1 : 0);
    const slides = Array.from({ length: c.numLayers }, (_, l) => layerWindow(c, l) !== undefined);
    return {
      no_rope_layers: rope,
      use_sliding_window: w !== null,
      sliding_window: w,
      layer_types: slides.map((x) => x ? "sliding_attention" : "full_attention"),
    };
  }
  if (w === null) return {};
  const slides = Array.from({ length: c.numLayers }, (_, l) => layerWindow(c, l) !== undefined);
  const firstSliding = slides.indexOf(true);
  return {
    use_sliding_window: true,
    sliding_window: w,
    // Older transformers read only max_window_layers; newer ones the list.
    max_window_layers: firstSliding,
    layer_types: slides.map((x) => x ? "sliding_attention" : "full_attention"),
  };
}

/** One parameter tensor of a model. */
export interface ParamSpec {
  /** Hugging Face's tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  /** Hugging Face's shape for it. */
  shape: number[];
  /** What it is, for initialisation and weight decay. */
  kind:
    | "embedding"
    | "position"
    | "linear"
    | "residual_linear"
    | "bias"
    | "norm_weight"
    | "norm_bias";
  /** Whether AdamW decays it (not norms and biases). */
  decay: boolean;
}

/**
 * The parameters of a model with Hugging Face's names and shapes, in a fixed order. A tied head
 * has no tensor of its own (transformers saves none). GPT-2's linear layers are `Conv1D`, stored
 * (in, out); llama/qwen2's are `Linear`, stored (out, in).
 *
 * @example
 * ```ts
 * import { parameterSpecs, tinyConfig } from "./config.ts";
 * const names = parameterSpecs(tinyConfig("llama")).map((p) => p.name);
 * ```
 */
export function parameterSpecs(c: ModelConfig): ParamSpec[] {
  const C = c.hiddenSize, F = c.intermediateSize, V = c.vocabSize;
  const specs: ParamSpec[] = [];
  const add = (name: string, shape: number[], kind: ParamSpec["kind"]) =>
    specs.push({
      name,
      shape,
      kind,
      decay: kind === "linear" || kind === "residual_linear" || kind === "embedding" ||
        kind === "position",
    });
  if (c.family === "gpt2") {
    add("transformer.wte.weight", [V, C], "embedding");
    add("transformer.wpe.weight", [c.maxPositions, C], "position");
    for (let l = 0; l < c.numLayers; l++) {
      const p = `transformer.h.${l}`;
      add(`${p}.ln_1.weight`, [C], "norm_weight");
      add(`${p}.ln_1.bias`, [C], "norm_bias");
      add(`${p}.attn.c_attn.weight`, [C, 3 * C], "linear");
      add(`${p}.attn.c_attn.bias`, [3 * C], "bias");
      add(`${p}.attn.c_proj.weight`, [C, C], "residual_linear");
      add(`${p}.attn.c_proj.bias`, [C], "bias");
      add(`${p}.ln_2.weight`, [C], "norm_weight");
      add(`${p}.ln_2.bias`, [C], "norm_bias");
      add(`${p}.mlp.c_fc.weight`, [C, F], "linear");
      add(`${p}.mlp.c_fc.bias`, [F], "bias");
      add(`${p}.mlp.c_proj.weight`, [F, C], "residual_linear");
      add(`${p}.mlp.c_proj.bias`, [C], "bias");
    }
    add("transformer.ln_f.weight", [C], "norm_weight");
    add("transformer.ln_f.bias", [C], "norm_bias");
    if (!c.tieEmbeddings) add("lm_head.weight", [V, C], "linear");
    return specs;
  }
  // A LayerNorm's weight and bias; an (out, in) linear weight with its bias when `bias`.
  const layerNorm = (p: string) => {
    add(`${p}.weight`, [C], "norm_weight");
    add(`${p}.bias`, [C], "norm_bias");
  };
  const linear = (p: string, out: number, inp: number, residual: boolean, bias: boolean) => {
    add(`${p}.weight`, [out, inp], residual ? "residual_linear" : "linear");
    if (bias) add(`${p}.bias`, [out], "bias");
  };
  if (c.family === "phi" || c.family === "gpt_neox") {
    const phi = c.family === "phi", Q = c.numHeads * c.headDim, KV = c.numKvHeads * c.headDim;
    add(phi ? "model.embed_tokens.weight" : "gpt_neox.embed_in.weight", [V, C], "embedding");
    for (let l = 0; l < c.numLayers; l++) {
      const p = phi ? `model.layers.${l}` : `gpt_neox.layers.${l}`;
      layerNorm(`${p}.input_layernorm`);
      if (phi) {
        // phi: one input norm per block; q, k, v apart, all with biases.
        for (const [n, rows] of [["q", Q], ["k", KV], ["v", KV]] as const) {
          linear(`${p}.self_attn.${n}_proj`, rows, C, false, true);
        }
        linear(`${p}.self_attn.dense`, C, Q, true, true);
        linear(`${p}.mlp.fc1`, F, C, false, true);
        linear(`${p}.mlp.fc2`, C, F, true, true);
        continue;
      }
      // gpt_neox: q, k, v in one (3C, C) matrix, interleaved by head: rows [q₀ k₀ v₀ q₁ k₁ v₁ …],
      // HS each.
      layerNorm(`${p}.post_attention_layernorm`);
      linear(`${p}.attention.query_key_value`, 3 * C, C, false, c.qkvBias);
      linear(`${p}.attention.dense`, C, C, true, c.qkvBias);
      linear(`${p}.mlp.dense_h_to_4h`, F, C, false, true);
      linear(`${p}.mlp.dense_4h_to_h`, C, F, true, true);
    }
    layerNorm(phi ? "model.final_layernorm" : "gpt_neox.final_layer_norm");
    if (!c.tieEmbeddings) add(phi ? "lm_head.weight" : "embed_out.weight", [V, C], "linear");
    if (phi) add("lm_head.bias", [V], "bias"); // (phi's head has a bias)
    return specs;
  }
  const Q = c.numHeads * c.headDim, KV = c.numKvHeads * c.headDim;
  add("model.embed_tokens.weight", [V, C], "embedding");
  if (c.family === "phi3") {
    // Phi-3 stores q, k, v as one (Q + 2·KV, C) matrix and gate, up as one (2F, C).
    for (let l = 0; l < c.numLayers; l++) {
      const p = `model.layers.${l}`;
      add(`${p}.input_layernorm.weight`, [C], "norm_weight");
      add(`${p}.self_attn.qkv_proj.weight`, [Q + 2 * KV, C], "linear");
      add(`${p}.self_attn.o_proj.weight`, [C, Q], "residual_linear");
      add(`${p}.post_attention_layernorm.weight`, [C], "norm_weight");
      add(`${p}.mlp.gate_up_proj.weight`, [2 * F, C], "linear");
      add(`${p}.mlp.down_proj.weight`, [C, F], "residual_linear");
    }
    add("model.norm.weight", [C], "norm_weight");
    if (!c.tieEmbeddings) add("lm_head.weight", [V, C], "linear");
    return specs;
  }
  if (isOlmo(c)) {
    // OLMo 2/3: no input norms; q and k normed whole; the attention and MLP outputs normed.
    for (let l = 0; l < c.numLayers; l++) {
      const p = `model.layers.${l}`;
      add(`${p}.self_attn.q_proj.weight`, [Q, C], "linear");
      add(`${p}.self_attn.k_proj.weight`, [KV, C], "linear");
      add(`${p}.self_attn.v_proj.weight`, [KV, C], "linear");
      add(`${p}.self_attn.o_proj.weight`, [C, Q], "residual_linear");
      add(`${p}.self_attn.q_norm.weight`, [Q], "norm_weight");
      add(`${p}.self_attn.k_norm.weight`, [KV], "norm_weight");
      add(`${p}.post_attention_layernorm.weight`, [C], "norm_weight");
      add(`${p}.mlp.gate_proj.weight`, [F, C], "linear");
      add(`${p}.mlp.up_proj.weight`, [F, C], "linear");
      add(`${p}.mlp.down_proj.weight`, [C, F], "residual_linear");
      add(`${p}.post_feedforward_layernorm.weight`, [C], "norm_weight");
    }
    add("model.norm.weight", [C], "norm_weight");
    if (!c.tieEmbeddings) add("lm_head.weight", [V, C], "linear");
    return specs;
  }
  // stablelm, starcoder2: LayerNorms, a bias beside each weight; starcoder2: biases on every
  // projection (by use_bias) and GPT-2's MLP.
  const ln = c.family === "stablelm" || c.family === "starcoder2";
  const coder = c.family === "starcoder2";
  const allBias = (coder || isCohere(c)) && c.qkvBias; // (o_proj's too)
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [C], "norm_weight");
    if (ln) add(`${p}.input_layernorm.bias`, [C], "norm_bias");
    add(`${p}.self_attn.q_proj.weight`, [Q, C], "linear");
    if (c.qkvBias) add(`${p}.self_attn.q_proj.bias`, [Q], "bias");
    add(`${p}.self_attn.k_proj.weight`, [KV, C], "linear");
    if (c.qkvBias) add(`${p}.self_attn.k_proj.bias`, [KV], "bias");
    add(`${p}.self_attn.v_proj.weight`, [KV, C], "linear");
    if (c.qkvBias) add(`${p}.self_attn.v_proj.bias`, [KV], "bias");
    add(`${p}.self_attn.o_proj.weight`, [C, Q], "residual_linear");
    if (allBias) add(`${p}.self_attn.o_proj.bias`, [C], "bias");
    if (hasQkNorm(c)) {
      add(`${p}.self_attn.q_norm.weight`, [c.headDim], "norm_weight");
      add(`${p}.self_attn.k_norm.weight`, [c.headDim], "norm_weight");
    }
    if (!isCohere(c)) { // (Cohere: one norm, read by attention and the MLP)
      add(`${p}.post_attention_layernorm.weight`, [C], "norm_weight");
      if (ln) add(`${p}.post_attention_layernorm.bias`, [C], "norm_bias");
    }
    if (hasSandwichNorms(c)) {
      add(`${p}.pre_feedforward_layernorm.weight`, [C], "norm_weight");
      add(`${p}.post_feedforward_layernorm.weight`, [C], "norm_weight");
    }
    if (coder) {
      linear(`${p}.mlp.c_fc`, F, C, false, allBias);
      linear(`${p}.mlp.c_proj`, C, F, true, allBias);
      continue;
    }
    add(`${p}.mlp.gate_proj.weight`, [F, C], "linear");
    add(`${p}.mlp.up_proj.weight`, [F, C], "linear");
    add(`${p}.mlp.down_proj.weight`, [C, F], "residual_linear");
  }
  add("model.norm.weight", [C], "norm_weight");
  if (ln) add("model.norm.bias", [C], "norm_bias");
  if (!c.tieEmbeddings) add("lm_head.weight", [V, C], "linear");
  return specs;
}

/**
 * A small config of a family, for tests and the built-in demo. Override any field.
 *
 * @example
 * ```ts
 * import { tinyConfig } from "./config.ts";
 * const c = tinyConfig("llama", { vocabSize: 97, numKvHeads: 2 });
 * ```
 */
export function tinyConfig(family: ModelFamily, overrides: Partial<ModelConfig> = {}): ModelConfig {
  const base: ModelConfig = {
    family,
    vocabSize: 97,
    hiddenSize: 32,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: family === "gpt2" || family === "gpt_neox" || family === "phi" ? 4 : 2,
    headDim: 8,
    intermediateSize: hasGptBlock({ family } as ModelConfig) ? 128 : 88,
    maxPositions: 64,
    normEps:
      ["gpt2", "gpt_neox", "stablelm", "phi", "starcoder2", "cohere", "cohere2"].includes(family)
        ? 1e-5
        : 1e-6,
    ropeTheta: 10000,
    tieEmbeddings: family === "gpt2" || family.startsWith("gemma") || family === "starcoder2",
    qkvBias: ["gpt2", "qwen2", "gpt_neox", "stablelm", "phi", "starcoder2"].includes(family),
    // GPT-NeoX: half of each head rotated, a parallel residual, the exact GELU.
    ...(family === "gpt_neox" ? { rotaryDim: 4, parallelResidual: true, exactGelu: true } : {}),
    // StableLM, Phi: half of each head rotated.
    ...(family === "stablelm" || family === "phi" ? { rotaryDim: 4 } : {}),
    // Cohere: logits scaled down.
    ...(isCohere({ family }) ? { logitMultiplier: 0.5 } : {}),
    // Cohere 2: its first layer slides (with RoPE), its second attends fully without.
    ...(family === "cohere2"
      ? { slidingWindow: 5, slidingLayers: [true, false], noRopeLayers: [false, true] }
      : {}),
    bosTokenId: null,
    eosTokenIds: [],
    padTokenId: null,
    // Gemma 2/3: scores scaled by 1/√q; Gemma 2 slides every other layer from the first,
    // Gemma 3 (two layers here) both, its sliding layers with their own RoPE base.
    ...(family === "gemma2" || family === "gemma3" ? { queryPreAttnScalar: 16 } : {}),
    ...(family === "gemma2"
      ? { slidingWindow: 6, slidingLayers: [true, false], attnSoftcap: 3, finalSoftcap: 2 }
      : {}),
    ...(family === "gemma3" ? { slidingWindow: 6, ropeLocalTheta: 100 } : {}),
    // OLMo 3: its first layer slides, with its own RoPE base.
    ...(family === "olmo3"
      ? { slidingWindow: 5, slidingLayers: [true, false], ropeLocalTheta: 100 }
      : {}),
    // SmolLM3: its second layer without RoPE.
    ...(family === "smollm3" ? { noRopeLayers: [false, true] } : {}),
    // Granite: multipliers other than 1 (and an attention scale other than 1/√HS).
    ...(family === "granite"
      ? { graniteMultipliers: { embedding: 3, attention: 0.25, residual: 0.5, logits: 2 } }
      : {}),
  };
  const c = { ...base, ...overrides };
  if (family === "gpt2" || family === "gpt_neox") {
    // GPT-2 has no grouped-query attention and its head size follows from C and NH.
    c.numKvHeads = overrides.numKvHeads ?? c.numHeads;
    c.headDim = overrides.headDim ?? c.hiddenSize / c.numHeads;
  }
  return validateConfig(c);
}

/**
 * Checks a config's internal consistency; returns it unchanged or throws {@linkcode ConfigError}.
 *
 * @example
 * ```ts
 * import { tinyConfig, validateConfig } from "./config.ts";
 * validateConfig(tinyConfig("gpt2"));
 * ```
 */
export function validateConfig(c: ModelConfig): ModelConfig {
  const positive: (keyof ModelConfig)[] = [
    "vocabSize",
    "hiddenSize",
    "numLayers",
    "numHeads",
    "numKvHeads",
    "headDim",
    "intermediateSize",
    "maxPositions",
  ];
  for (const k of positive) {
    const v = c[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      throw new ConfigError(`ModelConfig.${k} must be a positive integer, got ${v}`);
    }
  }
  if (c.numHeads % c.numKvHeads !== 0) {
    throw new ConfigError(
      `ModelConfig.numKvHeads ${c.numKvHeads} must divide numHeads ${c.numHeads}`,
    );
  }
  if (
    (c.family === "gpt2" || c.family === "gpt_neox") &&
    (c.numKvHeads !== c.numHeads || c.headDim * c.numHeads !== c.hiddenSize)
  ) {
    throw new ConfigError(
      `ModelConfig: ${c.family} needs numKvHeads = numHeads and headDim·numHeads = hiddenSize`,
    );
  }
  if (c.parallelResidual && c.family !== "gpt_neox") {
    throw new ConfigError(
      `ModelConfig.parallelResidual: only gpt_neox has one to choose, not ${c.family}`,
    );
  }
  if (c.family !== "gpt2" && c.headDim % 2 !== 0) {
    throw new ConfigError(`ModelConfig.headDim ${c.headDim} must be even for RoPE`);
  }
  const w = c.slidingWindow;
  if (w !== undefined && w !== null) {
    if (!Number.isInteger(w) || w < 1) {
      throw new ConfigError(`ModelConfig.slidingWindow must be a positive integer, got ${w}`);
    }
    const none = ["gpt2", "llama", "gemma", "olmo2", "gpt_neox", "stablelm", "phi", "cohere"];
    if (none.includes(c.family)) {
      throw new ConfigError(`ModelConfig.slidingWindow: ${c.family} has no sliding window`);
    }
    if (
      (c.family === "mistral" || c.family === "phi3" || c.family === "starcoder2") &&
      c.slidingLayers &&
      !c.slidingLayers.every((x) => x)
    ) {
      throw new ConfigError(`ModelConfig.slidingLayers: ${c.family} slides every layer`);
    }
  }
  if (c.queryPreAttnScalar !== undefined && !(c.queryPreAttnScalar > 0)) {
    throw new ConfigError(
      `ModelConfig.queryPreAttnScalar must be positive, got ${c.queryPreAttnScalar}`,
    );
  }
  for (const k of ["attnSoftcap", "finalSoftcap"] as const) {
    const v = c[k];
    const has = k === "attnSoftcap" ? c.family === "gemma2" : c.family.match(/^gemma[23]$/);
    if (v !== undefined && (!has || !(v > 0))) {
      throw new ConfigError(
        `ModelConfig.${k}: ${
          k === "attnSoftcap" ? "only gemma2 has one" : "only gemma2 and gemma3 have one"
        }, and it must be positive (got ${v} for ${c.family})`,
      );
    }
  }
  if (c.rotaryDim !== undefined) {
    const R = c.rotaryDim;
    if (!["phi3", "gpt_neox", "stablelm", "phi"].includes(c.family)) {
      throw new ConfigError(
        `ModelConfig.rotaryDim: partial RoPE is implemented for phi, phi3, gpt_neox and stablelm`,
      );
    }
    if (!Number.isInteger(R) || R < 2 || R % 2 !== 0 || R > c.headDim) {
      throw new ConfigError(
        `ModelConfig.rotaryDim must be even, from 2 to headDim ${c.headDim}, got ${R}`,
      );
    }
  }
  if (c.logitMultiplier !== undefined && (!isCohere(c) || !(c.logitMultiplier > 0))) {
    throw new ConfigError(
      `ModelConfig.logitMultiplier: only cohere and cohere2 have one, and it must be positive (got ` +
        `${c.logitMultiplier} for ${c.family})`,
    );
  }
  if (c.graniteMultipliers && c.family !== "granite") {
    throw new ConfigError(`ModelConfig.graniteMultipliers: ${c.family} has none`);
  }
  const biased = [
    "gpt2",
    "qwen2",
    "gpt_neox",
    "stablelm",
    "phi",
    "starcoder2",
    "cohere",
    "cohere2",
  ];
  if (c.qkvBias && !biased.includes(c.family)) {
    throw new ConfigError(
      `ModelConfig.qkvBias: only ${biased.join(", ")} have q/k/v biases, not ${c.family}`,
    );
  }
  if (c.family === "phi" && !c.qkvBias) {
    throw new ConfigError("ModelConfig.qkvBias: phi's projections always have biases");
  }
  if (c.exactGelu && !["gemma2", "gemma3", "gpt_neox", "phi", "starcoder2"].includes(c.family)) {
    // (Gemma 1's "gelu" is read as the tanh form by transformers: no way to save an exact one)
    throw new ConfigError(
      `ModelConfig.exactGelu: only Gemma 2/3's GeGLU and GPT-NeoX's MLP take the exact GELU, ` +
        `not ${c.family}'s`,
    );
  }
  if (c.slidingWindow && c.slidingLayers && !c.slidingLayers.some((x) => x)) {
    throw new ConfigError("ModelConfig.slidingLayers: a sliding window needs a sliding layer");
  }
  const locals = c.family === "gemma3" || c.family === "olmo3";
  if (c.ropeLocalTheta !== undefined && (!locals || !(c.ropeLocalTheta > 0))) {
    throw new ConfigError(
      `ModelConfig.ropeLocalTheta: only gemma3 and olmo3 have one, and it must be positive (got ` +
        `${c.ropeLocalTheta} for ${c.family})`,
    );
  }
  if (c.family === "cohere2") {
    // (its RoPE follows the layer types: the sliding layers rotate, the full ones do not)
    const ok = Array.from(
      { length: c.numLayers },
      (_, l) => !!c.noRopeLayers?.[l] === (layerWindow(c, l) === undefined),
    );
    if (!ok.every((x) => x)) {
      throw new ConfigError(
        "ModelConfig.noRopeLayers: cohere2's must be exactly its layers without a window",
      );
    }
  }
  const nope = c.family === "smollm3" || c.family === "cohere2";
  if (c.noRopeLayers && (!nope || c.noRopeLayers.length !== c.numLayers)) {
    throw new ConfigError(
      `ModelConfig.noRopeLayers: only smollm3 and cohere2 have NoPE layers, one entry per layer (got ` +
        `${c.noRopeLayers.length} for ${c.family} with ${c.numLayers} layers)`,
    );
  }
  if (c.slidingLayers && c.slidingLayers.length !== c.numLayers) {
    throw new ConfigError(
      `ModelConfig.slidingLayers must have numLayers (${c.numLayers}) entries, got ` +
        c.slidingLayers.length,
    );
  }
  return c;
}

/**
 * Reads `config.json` from a model folder.
 *
 * @example
 * ```ts
 * import { readConfig } from "./config.ts";
 * const c = await readConfig("../shared/data/stories260K");
 * ```
 */
export async function readConfig(dir: string): Promise<ModelConfig> {
  const file = `${dir}/config.json`;
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(file));
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError(`${file}: must hold a JSON object`);
  }
  return validateConfig(configFromHf(json as Json, file));
}

class FieldReader {
  constructor(readonly json: Json, readonly file: string) {}

  refuse(field: string, what: string): never {
    throw new ConfigError(`${this.file}: ${field} ${what} is not supported`);
  }

  #get(field: string): unknown {
    return this.json[field];
  }

  checkInt(field: string, v: unknown): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new ConfigError(
        `${this.file}: ${field} must be a non-negative integer, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  }

  /** A token id or a list of them (null or absent: none). */
  tokenIds(field: string): number[] {
    const v = this.#get(field);
    if (v === undefined || v === null) return [];
    return Array.isArray(v)
      ? v.map((e, i) => this.checkInt(`${field}[${i}]`, e))
      : [this.checkInt(field, v)];
  }

  int(field: string): number {
    const v = this.#get(field);
    if (v === undefined || v === null) throw new ConfigError(`${this.file}: ${field} is missing`);
    return this.checkInt(field, v);
  }

  optInt(field: string): number | null {
    const v = this.#get(field);
    return v === undefined || v === null ? null : this.checkInt(field, v);
  }

  optNum(field: string): number | null {
    const v = this.#get(field);
    if (v === undefined || v === null) return null;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ConfigError(`${this.file}: ${field} must be a number, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  optBool(field: string): boolean | null {
    const v = this.#get(field);
    if (v === undefined || v === null) return null;
    if (typeof v !== "boolean") {
      throw new ConfigError(
        `${this.file}: ${field} must be true or false, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  }

  str(field: string): string {
    const v = this.optStr(field);
    if (v === null) throw new ConfigError(`${this.file}: ${field} is missing`);
    return v;
  }

  optStr(field: string): string | null {
    const v = this.#get(field);
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") {
      throw new ConfigError(`${this.file}: ${field} must be a string, got ${JSON.stringify(v)}`);
    }
    return v;
  }
}
