/**
 * The decoder-only transformer on the GPU: parameters and their gradients, activation buffers
 * sized once for the largest batch and reused, a forward pass to per-token log-probs of the
 * targets, and a backward pass to every parameter's gradient.
 *
 * Shape legend: `B` rows, `T` sequence length, `N = B·T` tokens (row-major, token `n = b·T + t`,
 * right padding), `C` channels, `NH`/`NKV` heads, `HS` head size, `F` MLP width, `V` vocabulary,
 * `L` layers, `R` rows of one classifier chunk.
 *
 * The classifier keeps each token's log-prob, logsumexp and logit sum; its backward turns the
 * logits in place into `dlogits = coef·(onehot − softmax)`. A training model whose logits fit
 * (`keepLogits`, up to 1 GiB by default) keeps all of them from the forward, runs the product and
 * log-softmax once over every row and the head's weight gradient as one product; otherwise the
 * classifier never holds all `N·V` logits: it runs over chunks of `R` rows (a multiple of 64, so
 * every chunk's views start on an aligned byte offset) and the backward recomputes each chunk's
 * logits. Either way it runs only on the `S ≤ N` tokens that have a target
 * (a preference batch's prompts and padding have none): their final hidden rows are packed into
 * `(S, C)` first and the results unpacked into token order after (zeros for the other tokens),
 * which saves `(N − S)/N` of the classifier, the largest product of a model with a big vocabulary.
 *
 * Padding-free layers: when at least 1/16 of a batch is padding or repeated prefix, every layer
 * but attention runs on the `N'` tokens it must compute (`PackedTokens`): the valid ones, less the
 * prefix a row repeats from an earlier row (a DPO pair's rejected row repeats its chosen row's
 * prompt, with the same hidden states). The embedding is computed for all tokens and packed; q, k
 * and v are unpacked into (B, T) rows for attention (zeros at padding; a repeated position's keys
 * and values are those of the row it repeats), its output packed again, and the backward mirrors
 * it (a repeated position's key and value gradients add to its lender's). Padding costs nothing
 * but in attention, which already skips it. A prefix is lent to one row at most (a prompt in more
 * than one pair of a batch is computed once per pair).
 *
 * @module
 */
import {
  activationBackward,
  activationForward,
  layerRopeTables,
  linearBackward,
  linearForward,
  normBackward,
  normForward,
  type RopeTables,
} from "./blocks.ts";
import { type FlatParam, FlatTensors } from "./flat.ts";
import { dropout } from "../kernels/dropout.ts";
import {
  doraColNorms,
  doraMagnitudeGrad,
  doraRowNorms,
  doraScaleColumns,
} from "../kernels/dora.ts";
import {
  initLora,
  loraParams,
  loraScale,
  type LoraSpec,
  type LoraTarget,
  loraTargets,
} from "./lora.ts";
import {
  attentionScale,
  embeddingPadRow,
  embeddingScale,
  hasGptBlock,
  hasPreNorms,
  hasQkNorm,
  hasSandwichNorms,
  hasSharedNorm,
  layerRope,
  layerWindow,
  logitScale,
  type ModelConfig,
  residualScale,
  ropeDim,
  ropeLengthRefusal,
} from "./config.ts";
import {
  type InternalParam,
  internalParams,
  type ModelNames,
  modelNames,
  type ParamValues,
} from "./params.ts";
import type { Encoder, Gpu, Tensor } from "../kernels/gpu.ts";
import {
  attentionBackward,
  type AttentionDesign,
  attentionForward,
  AttentionWorkspace,
  flashRefusal,
  SCORE_CHUNK_BYTES,
} from "../kernels/attention.ts";
import {
  buildTokenIndex,
  embeddingBackward,
  embeddingForward,
  type GpuTokenIndex,
  uploadTokenIndex,
} from "../kernels/embedding.ts";
import { logSoftmaxBackward, logSoftmaxGather } from "../kernels/log_softmax.ts";
import { gatherRows } from "../kernels/decode.ts";
import { matmul, splitScratchBytes } from "../kernels/matmul.ts";
import {
  dequantize,
  dequantizeWeight,
  type GpuQuantized,
  quantizedBytes,
  type QuantizedWeight,
  quantizeWeight,
  type QuantKind,
} from "../kernels/quantize.ts";
import { residualForward } from "../kernels/residual.ts";
import { ropeBackward, ropeForward } from "../kernels/rope.ts";

/** A batch on the GPU. */
export interface DeviceBatch {
  /** (N,) i32 input ids. */
  tokens: Tensor;
  /** (N,) i32 target ids; −1 where ignored. */
  targets: Tensor;
  /** (B,) i32 valid tokens per row. */
  lengths: Tensor;
  /** The embedding backward's token index. */
  index: GpuTokenIndex;
  /** B. */
  batch: number;
  /** T. */
  seqLen: number;
  /**
   * The tokens that have a target, when some do not (absent: every token has one). The
   * classifier runs on these `S` rows only.
   */
  picked?: PickedRows;
  /**
   * The valid tokens (`t < lengths[b]`), when at least 1/16 of the batch is padding (and no
   * target lies in it): every layer but attention then runs on these `N'` rows only.
   */
  packed?: PackedTokens;
}

/** The `S` tokens of a batch that have a target (`targets[n] ≥ 0`), in token order. */
export interface PickedRows {
  /** S. */
  count: number;
  /** (max(S, 1),) i32: the token `n` of each picked row. */
  rows: Tensor;
  /** (N,) i32: the picked row of each token, −1 for a token without a target. */
  slots: Tensor;
  /** (max(S, 1),) i32: the picked rows' targets. */
  targets: Tensor;
  /** With {@linkcode PackedTokens}: (max(S, 1),) i32, the packed row of each picked row. */
  packedRows?: Tensor;
  /** With {@linkcode PackedTokens}: (N',) i32, the picked row of each packed row, or −1. */
  packedSlots?: Tensor;
}

/**
 * The `N'` tokens of a batch the layers compute, in token order: the valid ones (`t < length`),
 * less the prefixes a row shares with another (a DPO pair's rejected row repeats its chosen row's
 * prompt, whose hidden states are the same).
 */
export interface PackedTokens {
  /** N'. */
  count: number;
  /** (N',) i32: the token `n = b·T + t` of each packed row. */
  rows: Tensor;
  /** (N,) i32: the packed row of each token, −1 for padding and shared positions. */
  slots: Tensor;
  /**
   * Shared prefixes, when some row has one: `kvSlots` (N,) is `slots` with each shared position
   * pointing at the packed row it repeats (its keys and values are that row's); `twins` (N',)
   * the token repeating each packed row, or −1 (their key and value gradients add up).
   */
  shared?: { kvSlots: Tensor; twins: Tensor; tokens: number };
}

/** A batch on the host, as {@linkcode uploadBatch} takes it. */
export interface HostBatch {
  /** (N,) input ids. */
  tokens: Int32Array;
  /** (N,) target ids; −1 where ignored. */
  targets: Int32Array;
  /** (B,) valid tokens per row. */
  lengths: Int32Array;
  /** B. */
  batch: number;
  /** T. */
  seqLen: number;
}

/**
 * Uploads a batch (and its embedding-gradient index). Release with {@linkcode releaseBatch}. Lists
 * the tokens with a target ({@linkcode PickedRows}) and the tokens the layers compute
 * ({@linkcode PackedTokens}: valid ones, each prefix a row repeats from another counted once;
 * `sharePrefixes: false` computes every row's own).
 *
 * @example
 * ```ts
 * import { uploadBatch } from "./transformer.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const batch = uploadBatch(gpu, {
 *   tokens: new Int32Array([1, 2, 3]), targets: new Int32Array([2, 3, -1]),
 *   lengths: new Int32Array([3]), batch: 1, seqLen: 3,
 * }, 97);
 * ```
 */
export function uploadBatch(
  gpu: Gpu,
  host: HostBatch,
  vocabSize: number,
  options: { sharePrefixes?: boolean } = {},
): DeviceBatch {
  const n = host.batch * host.seqLen;
  if (host.tokens.length !== n || host.targets.length !== n || host.lengths.length !== host.batch) {
    throw new RangeError(
      `uploadBatch: tokens and targets need B·T = ${n} ids and lengths B = ${host.batch}`,
    );
  }
  const batch: DeviceBatch = {
    tokens: gpu.upload(host.tokens, [n], { label: "tokens" }),
    targets: gpu.upload(host.targets, [n], { label: "targets" }),
    lengths: gpu.upload(host.lengths, [host.batch], { label: "lengths" }),
    index: uploadTokenIndex(gpu, buildTokenIndex(host.tokens, vocabSize)),
    batch: host.batch,
    seqLen: host.seqLen,
  };
  // The tokens the layers compute: valid ones (t < length) less shared prefixes, and whether
  // packing them is worth it (≥ 1/16 of the batch saved) and safe (no target left out).
  const T = host.seqLen, B = host.batch;
  const share = options.sharePrefixes === false
    ? { from: new Int32Array(B).fill(-1), length: new Int32Array(B) }
    : sharedPrefixes(host);
  const packedOf = new Int32Array(n).fill(-1);
  let valid = 0, targetLeftOut = false;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(i / T), t = i % T;
    const len = Math.min(Math.max(host.lengths[b], 0), T);
    if (t < len && !(share.from[b] >= 0 && t < share.length[b])) packedOf[i] = valid++;
    else if (host.targets[i] >= 0) targetLeftOut = true;
  }
  const pack = valid > 0 && !targetLeftOut && n - valid >= Math.max(1, n / 16);
  if (pack) {
    const rows = new Int32Array(valid);
    packedOf.forEach((j, i) => {
      if (j >= 0) rows[j] = i;
    });
    batch.packed = {
      count: valid,
      rows: gpu.upload(rows, [valid], { label: "packed rows" }),
      slots: gpu.upload(packedOf, [n], { label: "packed slots" }),
    };
    let sharedTokens = 0;
    const kvSlots = Int32Array.from(packedOf), twins = new Int32Array(valid).fill(-1);
    for (let b = 0; b < B; b++) {
      const a = share.from[b];
      for (let t = 0; a >= 0 && t < share.length[b]; t++) {
        kvSlots[b * T + t] = packedOf[a * T + t];
        twins[packedOf[a * T + t]] = b * T + t;
        sharedTokens++;
      }
    }
    if (sharedTokens > 0) {
      batch.packed.shared = {
        kvSlots: gpu.upload(kvSlots, [n], { label: "packed kv slots" }),
        twins: gpu.upload(twins, [valid], { label: "packed twins" }),
        tokens: sharedTokens,
      };
    }
  }
  let count = 0;
  for (let i = 0; i < n; i++) if (host.targets[i] >= 0) count++;
  if (count < n) {
    const rows = new Int32Array(Math.max(count, 1)), targets = new Int32Array(rows.length);
    const slots = new Int32Array(n).fill(-1);
    const packedRows = new Int32Array(rows.length), packedSlots = new Int32Array(valid).fill(-1);
    for (let i = 0, j = 0; i < n; i++) {
      if (host.targets[i] < 0) continue;
      rows[j] = i;
      targets[j] = host.targets[i];
      if (pack) {
        packedRows[j] = packedOf[i];
        packedSlots[packedOf[i]] = j;
      }
      slots[i] = j++;
    }
    batch.picked = {
      count,
      rows: gpu.upload(rows, [rows.length], { label: "picked rows" }),
      slots: gpu.upload(slots, [n], { label: "picked slots" }),
      targets: gpu.upload(targets, [targets.length], { label: "picked targets" }),
      ...(pack
        ? {
          packedRows: gpu.upload(packedRows, [rows.length], { label: "picked packed rows" }),
          packedSlots: gpu.upload(packedSlots, [valid], { label: "picked packed slots" }),
        }
        : {}),
    };
  }
  return batch;
}

/**
 * Rows whose prefix repeats another row's: `from[b]` is the row whose first `length[b]` tokens row
 * b shares (−1: none), always an earlier row. A prefix counts up to the row's first target and
 * both rows' lengths (no shared position needs its own logits). Each row lends to at most one row
 * and does not also borrow; the longest common prefixes are paired first (so a DPO pair's rows
 * pair up by their prompt, not by a BOS token common to all rows).
 *
 * @example
 * ```ts
 * import { sharedPrefixes } from "./transformer.ts";
 * const tokens = new Int32Array([5, 6, 7, 8, 5, 6, 7, 9]), targets = new Int32Array(8).fill(-1);
 * targets.fill(1, 2, 3).fill(1, 6, 7); // targets from t = 2 in both rows
 * sharedPrefixes({ tokens, targets, lengths: new Int32Array([4, 4]), batch: 2, seqLen: 4 });
 * // { from: [-1, 0], length: [0, 2] }
 * ```
 */
export function sharedPrefixes(host: HostBatch): { from: Int32Array; length: Int32Array } {
  const { batch: B, seqLen: T, tokens, targets } = host;
  const len = Int32Array.from(host.lengths, (l) => Math.min(Math.max(l, 0), T));
  const firstTarget = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let t = 0;
    while (t < len[b] && targets[b * T + t] < 0) t++;
    firstTarget[b] = t;
  }
  const candidates: [number, number, number][] = []; // [length, lender, borrower]
  for (let b = 0; b < B; b++) {
    for (let a = 0; a < b; a++) {
      const limit = Math.min(len[a], len[b], firstTarget[b]);
      let l = 0;
      while (l < limit && tokens[a * T + l] === tokens[b * T + l]) l++;
      if (l > 0) candidates.push([l, a, b]);
    }
  }
  // Longest first; ties to the earlier borrower, then the earlier lender (deterministic).
  candidates.sort((x, y) => y[0] - x[0] || x[2] - y[2] || x[1] - y[1]);
  const from = new Int32Array(B).fill(-1), length = new Int32Array(B);
  const lends = new Uint8Array(B);
  for (const [l, a, b] of candidates) {
    if (from[b] >= 0 || lends[b] || lends[a] || from[a] >= 0) continue;
    from[b] = a;
    length[b] = l;
    lends[a] = 1;
  }
  return { from, length };
}

/**
 * Returns a batch's tensors to the pool.
 *
 * @example
 * ```ts
 * import { releaseBatch, uploadBatch } from "./transformer.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const b = uploadBatch(gpu, { tokens: new Int32Array([1]), targets: new Int32Array([-1]), lengths: new Int32Array([1]), batch: 1, seqLen: 1 }, 4);
 * releaseBatch(b);
 * ```
 */
export function releaseBatch(b: DeviceBatch): void {
  for (
    const t of [b.tokens, b.targets, b.lengths, b.index.unique, b.index.offsets, b.index.positions]
  ) {
    t.release();
  }
  const p = b.picked;
  if (p) {
    for (const t of [p.rows, p.slots, p.targets, p.packedRows, p.packedSlots]) {
      t?.release();
    }
  }
  const q = b.packed;
  if (q) { for (const t of [q.rows, q.slots, q.shared?.kvSlots, q.shared?.twins]) t?.release(); }
}

/** Options of {@linkcode Transformer.create}. */
export interface TransformerOptions {
  /** Largest B the activation buffers hold. */
  maxBatch: number;
  /** Largest T the activation buffers hold (≤ the config's maxPositions). */
  maxSeqLen: number;
  /** Bytes one classifier chunk of logits may take. Default 32 MiB (capped by the binding size). */
  logitsChunkBytes?: number;
  /**
   * Forward only (scoring, evaluation, generation): no gradients and no backward buffers, about
   * half the memory. `backward` then throws. Default false.
   */
  inference?: boolean;
  /**
   * Keep every logit of the forward for the backward (`N·V·4` bytes) instead of recomputing
   * them: one product of the classifier's size fewer per training step. Default: on for training
   * models whose logits take at most 1 GiB and one buffer; ignored for inference models.
   */
  keepLogits?: boolean;
  /** How the attention kernels run (defaults: the launchers'). */
  attention?: AttentionOptions;
  /**
   * Gradient checkpointing (transformers' `gradient_checkpointing`): keep only each block's input
   * and run the block's forward again in the backward, just before its backward. One set of block
   * activations instead of one per layer, for one more forward per step; the results are the same
   * bits. Default false.
   */
  checkpointLayers?: boolean;
  /**
   * Train low-rank adapters instead of the model: the parameters given are frozen (no gradients,
   * no optimizer state) and only the adapters of {@linkcode LoraOptions} train.
   */
  lora?: LoraOptions;
  /**
   * Hold the blocks' projection weights (attention and MLP: {@linkcode quantizedNames}) in a
   * compact format and expand each to float32 just before a product reads it (`kernels/
   * quantize.ts`): bf16 or f16 (half the bytes), int8 (a quarter) or nf4 (QLoRA's 4-bit). For
   * weights that do not train: a LoRA model's base or an inference model. Embeddings, the head
   * and norms stay float32. Default: float32 throughout.
   */
  quantize?: QuantKind;
}

/**
 * The weights {@linkcode TransformerOptions.quantize} holds compactly: every block's attention
 * and MLP projections (as bitsandbytes quantizes a model's linear layers but its head).
 *
 * @example
 * ```ts
 * import { quantizedNames } from "./transformer.ts";
 * import { tinyConfig } from "./config.ts";
 * console.log(quantizedNames(tinyConfig("llama")).length); // 14: 7 projections × 2 layers
 * ```
 */
export function quantizedNames(config: ModelConfig): string[] {
  const keys = ["q", "k", "v", "o", "fc", "proj", "gate", "up", "down"] as const;
  return modelNames(config).layers.flatMap((l) =>
    keys.map((k) => l[k]).filter((n): n is string => !!n)
  );
}

/** Bytes `quantize` saves: the projections' float32 less their packed form and one expanded. */
function quantizeSaving(c: ModelConfig, kind: QuantKind | undefined): number {
  if (!kind) return 0;
  const names = new Set(quantizedNames(c));
  const shapes = internalParams(c).filter((p) => names.has(p.name)).map((p) => p.shape);
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  return shapes.reduce((s, shape, i) => s + 4 * sizes[i] - quantizedBytes(kind, shape), 0) -
    4 * Math.max(...sizes);
}

/** The adapters of a LoRA model (see `lora.ts`). */
export interface LoraOptions extends LoraSpec {
  /** Their starting values by internal name; default fresh ones ({@linkcode initLora}). */
  adapters?: ParamValues;
  /** Seed of fresh adapters. Default 0. */
  seed?: number;
}

/** Attention settings of a {@linkcode Transformer} (see `kernels/attention.ts`). */
export interface AttentionOptions {
  /**
   * `"flash"` or `"products"` (the model then holds an `AttentionWorkspace`). Default: products
   * on a GPU when one T×T score matrix fits its 256 MiB chunk (T ≤ 8192) and the model fits with
   * its workspace, else flash (see {@linkcode withAttentionDesign}).
   */
  design?: AttentionDesign;
  /** The flash design's tile. */
  tile?: number;
  /** The flash design's rows per invocation. */
  rowsPerLane?: 1 | 2;
  /** The flash design's dK/dV in two passes. */
  splitDkv?: boolean;
}

/**
 * Options with the attention design filled in: the one asked for, else `"products"` on a GPU when
 * one T×T score matrix fits the products design's chunk ({@linkcode SCORE_CHUNK_BYTES}, or the
 * binding limit) and, given the model's `config`, the model fits the device with that design's
 * workspace; else `"flash"`. Measured on an H200 (gpt2-small DPO step, 8 × 512 tokens): products
 * 26 ms of attention per step against the flash kernels' 50 ms; on CPU adapters (lavapipe) the
 * flash kernels are faster.
 *
 * @example
 * ```ts ignore
 * const o = withAttentionDesign(gpu, { maxBatch: 8, maxSeqLen: 512 }, config);
 * console.log(o.attention?.design); // "products" on a GPU, "flash" on lavapipe
 * ```
 */
export function withAttentionDesign(
  gpu: Gpu,
  options: TransformerOptions,
  config?: ModelConfig,
): TransformerOptions {
  if (options.attention?.design) return options;
  const chunk = Math.min(SCORE_CHUNK_BYTES, gpu.limits.maxStorageBufferBindingSize);
  const design = (d: AttentionDesign) => ({
    ...options,
    attention: { ...options.attention, design: d },
  });
  const products = design("products");
  const fits = (o: TransformerOptions) =>
    !config || Transformer.estimateBytes(config, { ...o, keepLogits: false }) <= memoryLimit(gpu);
  const productsFit = 4 * options.maxSeqLen ** 2 <= chunk && fits(products);
  if (!gpu.isCpu) return productsFit ? products : design("flash");
  // CPU adapters: flash, unless its invocations would pass llvmpipe's loop limit (long sequences,
  // many query heads per KV head), where the products design's short loops still hold.
  const flashFits = !config || flashRefusalFor(gpu, config, options) === null;
  return !flashFits && productsFit ? products : design("flash");
}

/**
 * Why the flash kernels cannot run a model of these options on this adapter (a CPU adapter's loop
 * limit: {@linkcode flashRefusal}), or null: the forward walks one query head per invocation, the
 * backward (training models) every query head of a KV group.
 */
function flashRefusalFor(
  gpu: Gpu,
  config: ModelConfig,
  options: TransformerOptions,
): string | null {
  const { tile } = options.attention ?? {}, t = options.maxSeqLen, hs = config.headDim;
  const group = config.numHeads / config.numKvHeads;
  return flashRefusal(gpu, { t, hs, heads: 1, tile }) ??
    (options.inference ? null : flashRefusal(gpu, { t, hs, heads: group, tile }));
}

/** No memory query in WebGPU: a coarse bound on what a model may hold. */
function memoryLimit(gpu: Gpu): number {
  return gpu.limits.maxBufferSize * 8;
}

/**
 * Whether a model keeps its logits: asked for (`keepLogits: true`, refused earlier when they do
 * not fit one buffer), or by default when `kept` bytes of them fit beside the `base` estimate
 * under the memory `limit`.
 *
 * @example
 * ```ts
 * import { keepsLogits } from "./transformer.ts";
 * keepsLogits({ maxBatch: 1, maxSeqLen: 8 }, 2 ** 20, 15 * 2 ** 30, 16 * 2 ** 30); // true
 * ```
 */
export function keepsLogits(
  options: TransformerOptions,
  kept: number,
  base: number,
  limit: number,
): boolean {
  return kept > 0 && (options.keepLogits === true || base + kept <= limit);
}

/** Bytes of the logits a training model keeps from its forward for its backward (0: none). */
function keptLogitsBytes(config: ModelConfig, options: TransformerOptions, maxBuffer = Infinity) {
  if (options.inference || options.keepLogits === false) return 0;
  const bytes = options.maxBatch * options.maxSeqLen * Math.ceil(config.vocabSize / 4) * 16;
  const limit = options.keepLogits ? maxBuffer : Math.min(2 ** 30, maxBuffer);
  return bytes <= limit ? bytes : 0;
}

/** One block's saved activations (views sized for the current batch). */
interface LayerActs {
  x: Tensor; // (N, C) block input
  h1?: Tensor; // (N, C) normed (none without input norms: olmo2)
  mean1?: Tensor; // (N,)
  rstd1?: Tensor; // (N,)
  q: Tensor; // (N, NH·HS) after RoPE
  k: Tensor; // (N, NKV·HS) after RoPE
  qRaw?: Tensor; // (N, NH·HS) qwen3: q before its per-head norm
  kRaw?: Tensor; // (N, NKV·HS) qwen3: k before its per-head norm
  rstdQ?: Tensor; // (N·NH,) qwen3
  rstdK?: Tensor; // (N·NKV,) qwen3
  v: Tensor; // (N, NKV·HS)
  att: Tensor; // (N, NH·HS)
  lse: Tensor; // (B, NH, T)
  mid: Tensor; // (N, C) after the attention residual
  h2?: Tensor; // (N, C) (none without input norms: olmo2)
  mean2?: Tensor; // (N,)
  rstd2?: Tensor; // (N,)
  a: Tensor; // (N, F) gpt2: fc pre-activation; llama: gate
  b: Tensor; // (N, F) llama: up (gpt2: unused)
  s: Tensor; // (N, F) activation output
  oRaw?: Tensor; // (N, C) gemma2/3: attention's output projection, before its norm
  rstdO?: Tensor; // (N,) gemma2/3
  mRaw?: Tensor; // (N, C) gemma2/3: the MLP's output, before its norm
  rstdM?: Tensor; // (N,) gemma2/3
}

/** A batch's views of the activations (see `#acts`). */
interface Acts {
  layers: LayerActs[];
  xs: Tensor[];
  s: Record<string, Tensor>;
  n: number;
  packed: PackedTokens | null;
  pick: PickedRows | null;
  rows: number;
}

/**
 * A transformer's parameters, gradients and activations on the GPU, with forward and backward.
 *
 * @example One forward and backward
 * ```ts
 * import { Gpu } from "../kernels/gpu.ts";
 * import { tinyConfig } from "./config.ts";
 * import { initParams } from "./params.ts";
 * import { Transformer, uploadBatch } from "./transformer.ts";
 * const gpu = await Gpu.create();
 * const config = tinyConfig("llama");
 * const model = Transformer.create(gpu, config, initParams(config, { seed: 1 }), { maxBatch: 2, maxSeqLen: 8 });
 * const batch = uploadBatch(gpu, {
 *   tokens: new Int32Array(16).fill(5), targets: new Int32Array(16).fill(6),
 *   lengths: new Int32Array([8, 8]), batch: 2, seqLen: 8,
 * }, config.vocabSize);
 * const enc = gpu.encoder();
 * model.zeroGrads(enc);
 * model.forward(enc, batch);
 * model.backward(enc, batch, model.logp.view(0, [16])); // L = Σ logp·logp, say
 * gpu.submit(enc);
 * ```
 */
export class Transformer {
  /** The architecture. */
  readonly config: ModelConfig;
  /** The runtime. */
  readonly gpu: Gpu;
  /** Internal parameter names. */
  readonly names: ModelNames;
  /** Parameters in a fixed order (the model's own; a LoRA model's adapters are not among them). */
  readonly paramList: readonly InternalParam[];
  /** Parameter tensors by internal name (a LoRA model's adapters included). */
  readonly params: Map<string, Tensor>;
  /**
   * Gradient tensors of the trained tensors by internal name (accumulated with `+=`; zero with
   * `zeroGrads`): every parameter's, or a LoRA model's adapters' only.
   */
  readonly grads: Map<string, Tensor>;
  /** The buckets behind `params` (views into them; see `flat.ts`). */
  readonly flatParams: FlatTensors;
  /** The tensors that train, in order: `paramList`, or a LoRA model's adapters. */
  readonly trainableList: readonly FlatParam[];
  /** The buckets behind the trained tensors: `flatParams`, or a LoRA model's adapters. */
  readonly flatTrainable: FlatTensors;
  /** The buckets behind `grads`, laid out as `flatTrainable`; null for inference-only models. */
  readonly flatGrads: FlatTensors | null;
  /** A LoRA model's adapters: their spec, scale and the adapted weights; null otherwise. */
  readonly lora: { spec: LoraSpec; scale: number; targets: Map<string, LoraTarget> } | null;
  /** (maxN,) per-token log-prob of the target (0 where ignored), for the last forward. */
  readonly logp: Tensor;
  /** (maxN,) per-token logsumexp of the logits. */
  readonly lse: Tensor;
  /** (maxN,) per-token sum of the logits (for TRL's logits metrics). */
  readonly logitSum: Tensor;
  /**
   * (maxN,) per-token `log Σ_v p_v²` of the predicted distribution (WPO's weights), written by a
   * forward with `logSumSquares` only.
   */
  readonly logSumSq: Tensor;
  /** Largest batch size B the buffers hold. */
  readonly maxBatch: number;
  /** Largest sequence length T the buffers hold. */
  readonly maxSeqLen: number;
  /** Whether the backward recomputes each block's activations (`checkpointLayers`). */
  readonly checkpointLayers: boolean;
  #store: Record<string, Tensor>;
  #layerStore: LayerActs[];
  #xs: Tensor[]; // (L+1) residual streams, (maxN, C)
  /** Each layer's RoPE tables (null for gpt2). */
  #ropes: { layers: (RopeTables | null)[]; all: Tensor[] } | null;
  #chunkRows: number;
  #keepLogits: boolean;
  /** (maxN,) ones: the head bias's gradient sums dLogits' rows as ones·dLogits (phi). */
  #ones: Tensor | null = null;
  /** (C,) the pad row's embedding gradient before the embedding's backward (padding_idx). */
  #padRowSaved: Tensor | null = null;
  /**
   * A LoRA model's scratch: x·Aᵀ and its gradient (maxN, r) each, and the frozen norms' weight
   * and bias gradients, which the norm kernels write and nothing reads.
   */
  #loraScratch:
    | { u: Tensor; du: Tensor; normW: Tensor; normB: Tensor; xd?: Tensor; v?: Tensor; z?: Tensor }
    | null = null;
  /** DoRA: each adapted weight's row norms ‖W + s·B·A‖ of the last forward (views of one). */
  #doraNorms = new Map<string, Tensor>();
  #doraNormStore: Tensor | null = null;
  #flatAdapters: FlatTensors | null = null;
  /** The adapters' dropout seed for the forwards that follow (null: none; see setDropoutSeed). */
  #dropoutSeed: number | null = null;
  /** The seed the last forward dropped with, which its backward uses again. */
  #forwardSeed: number | null = null;
  /** The seed of the forward or backward being encoded (null outside them: generation). */
  #activeSeed: number | null = null;
  /** Each adapted weight's module number: its dropout mask's site (a fused module's parts share). */
  #loraSites = new Map<string, number>();
  /** Compactly held weights by internal name (`quantize`), and the float32 each expands into. */
  #quant = new Map<string, GpuQuantized>();
  #quantScratch: Tensor | null = null;
  /** The batch whose logits the last forward kept (null: none, or already used). */
  #keptFor: DeviceBatch | null = null;
  /** The batch of the last forward: the activations (and picked hidden rows) the backward uses. */
  #lastForward: DeviceBatch | null = null;
  #picked: { logp: Tensor; lse: Tensor; logitSum: Tensor; logSumSq: Tensor; coef: Tensor };
  #attention: AttentionOptions & { workspace?: AttentionWorkspace };
  /** Elements between rows of the logits chunk: V rounded up to a multiple of 4. */
  #vocabStride: number;

  private constructor(
    gpu: Gpu,
    config: ModelConfig,
    values: ParamValues,
    options: TransformerOptions,
  ) {
    options = withAttentionDesign(gpu, options, config);
    this.gpu = gpu;
    this.config = config;
    this.names = modelNames(config);
    this.paramList = internalParams(config);
    this.maxBatch = options.maxBatch;
    this.maxSeqLen = options.maxSeqLen;
    this.checkpointLayers = !options.inference && (options.checkpointLayers ?? false);
    if (options.maxSeqLen > config.maxPositions) {
      throw new RangeError(
        `Transformer: maxSeqLen ${options.maxSeqLen} exceeds the model's ${config.maxPositions} positions`,
      );
    }
    // Kept logits: chunk r0's rows live at row r0 of one (maxN, Vp) tensor instead of all at 0.
    // By default only when they fit one buffer and the model fits with them.
    const kept = keptLogitsBytes(config, options, gpu.limits.maxBufferSize);
    if (options.keepLogits && kept === 0 && !options.inference) {
      throw new RangeError(
        `Transformer: keepLogits needs ${options.maxBatch * options.maxSeqLen}×` +
          `${Math.ceil(config.vocabSize / 4) * 4} logits in one buffer, more than this device's ` +
          `${gpu.limits.maxBufferSize} bytes`,
      );
    }
    const base = this.#checkFits({ ...options, keepLogits: false }, options.keepLogits ? kept : 0);
    this.#keepLogits = keepsLogits(options, kept, base, memoryLimit(this.gpu));
    const ropeWhy = ropeLengthRefusal(config, options.maxSeqLen);
    if (ropeWhy) throw new RangeError(`Transformer: ${ropeWhy}`);
    if (options.attention?.design === "flash") {
      // CPU adapters' loop limit: refused here, after the memory check, not at the first backward.
      const why = flashRefusalFor(gpu, config, options);
      if (why) throw new RangeError(`Transformer: ${why}`);
    }
    for (const p of this.paramList) {
      const v = values.get(p.name);
      const size = p.shape.reduce((a, b) => a * b, 1);
      if (!v || v.length !== size) {
        throw new RangeError(
          `Transformer: parameter "${p.name}" needs ${size} values, got ${v?.length ?? "none"}`,
        );
      }
    }
    // The products design's buffers first: it refuses sequences too long for its score chunks
    // before anything else is allocated.
    const workspace = options.attention?.design === "products"
      ? AttentionWorkspace.create(gpu, {
        batch: options.maxBatch,
        seqLen: options.maxSeqLen,
        nHeads: config.numHeads,
        headSize: config.headDim,
        backward: !options.inference,
      })
      : undefined;
    this.#attention = { ...options.attention, workspace };
    // Parameters and gradients are views into a few flat buckets (one dispatch per bucket for
    // zeroing, the gradient norm and AdamW).
    // (quantize: the projections are held apart, packed; see #weight)
    const packed = new Set(options.quantize ? quantizedNames(config) : []);
    if (packed.size && !options.inference && !options.lora) {
      throw new RangeError(
        `Transformer: quantize (${options.quantize}) holds weights that cannot train: train ` +
          "LoRA adapters on them (lora) or build an inference model",
      );
    }
    const full = this.paramList.filter((p) => !packed.has(p.name));
    this.flatParams = FlatTensors.create(gpu, full, "param");
    this.params = new Map(this.flatParams.views);
    for (const p of full) gpu.write(this.params.get(p.name)!, values.get(p.name)!);
    const hostPacked = new Map<string, QuantizedWeight>();
    if (packed.size) {
      const kind = options.quantize!;
      for (const p of this.paramList.filter((p) => packed.has(p.name))) {
        const q = quantizeWeight(values.get(p.name)!, p.shape, kind, p.name);
        hostPacked.set(p.name, q);
        this.#quant.set(p.name, {
          kind,
          shape: q.shape,
          words: gpu.upload(q.words, [q.words.length], { label: `${p.name} (${kind})` }),
          scales: q.scales
            ? gpu.upload(q.scales, [q.scales.length], { label: `${p.name} (${kind} scales)` })
            : null,
        });
      }
      const most = Math.max(...[...this.#quant.values()].map((q) => q.shape[0] * q.shape[1]));
      this.#quantScratch = gpu.tensor([most], { label: "expanded weight" });
    }
    const c = config, maxN = options.maxBatch * options.maxSeqLen;
    this.lora = null;
    this.trainableList = this.paramList;
    this.flatTrainable = this.flatParams;
    if (options.lora) {
      const { adapters, seed = 0, ...spec } = options.lora;
      const list = loraParams(config, spec);
      // (DoRA's magnitudes start as the norms of the weights the model computes with)
      const base = spec.dora && hostPacked.size
        ? new Map([
          ...values,
          ...[...hostPacked].map(([n, q]) => [n, dequantizeWeight(q)] as const),
        ])
        : values;
      const start = adapters ?? initLora(config, spec, { seed, base });
      for (const p of list) {
        const v = start.get(p.name), size = p.shape.reduce((a, b) => a * b, 1);
        if (!v || v.length !== size) {
          throw new RangeError(
            `Transformer: adapter "${p.name}" needs ${size} values, got ${v?.length ?? "none"}`,
          );
        }
      }
      const flat = this.#flatAdapters = FlatTensors.create(gpu, list, "lora");
      for (const [name, view] of flat.views) {
        this.params.set(name, view);
        gpu.write(view, start.get(name)!);
      }
      this.trainableList = list;
      this.flatTrainable = flat;
      const targets = loraTargets(config, spec);
      this.lora = {
        spec,
        scale: loraScale(spec),
        targets: new Map(targets.map((t) => [t.weight, t])),
      };
      const modules = [...new Set(targets.map((t) => t.module))];
      for (const t of targets) this.#loraSites.set(t.weight, modules.indexOf(t.module));
      const normSize = Math.max(
        ...this.paramList.filter((p) => p.shape.length === 1).map((p) => p.shape[0]),
      );
      this.#loraScratch = {
        u: gpu.tensor([maxN, spec.rank], { label: "lora x·Aᵀ" }),
        du: gpu.tensor([maxN, spec.rank], { label: "lora dU" }),
        normW: gpu.tensor([normSize], { label: "frozen norm dWeight" }),
        normB: gpu.tensor([normSize], { label: "frozen norm dBias" }),
        // Dropout: the adapters' dropped input (N, I), and in the backward its gradient.
        ...((spec.dropout ?? 0) > 0 && !options.inference
          ? {
            xd: gpu.tensor([maxN, Math.max(...targets.map((t) => t.in))], {
              label: "lora dropped x",
            }),
          }
          : {}),
        // DoRA: one adapted weight V = W + s·B·A at a time, and z = x·Wᵀ + s·U·Bᵀ (N, O).
        ...(spec.dora
          ? {
            v: gpu.tensor([Math.max(...targets.map((t) => t.out * t.in))], { label: "dora V" }),
            z: gpu.tensor([maxN * Math.max(...targets.map((t) => t.out))], { label: "dora z" }),
          }
          : {}),
      };
      if (spec.dora) {
        // Each target's norms at an offset a binding may start at.
        const align = gpu.limits.minStorageBufferOffsetAlignment / 4;
        const starts = targets.map((_, k) =>
          targets.slice(0, k).reduce((n, t) => n + Math.ceil(t.out / align) * align, 0)
        );
        const total = starts.at(-1)! + targets.at(-1)!.out;
        const store = this.#doraNormStore = gpu.tensor([total], { label: "dora norms" });
        targets.forEach((t, k) => this.#doraNorms.set(t.weight, store.view(starts[k], [t.out])));
      }
    }
    this.flatGrads = options.inference ? null : FlatTensors.create(gpu, this.trainableList, "grad");
    this.grads = new Map(this.flatGrads?.views ?? []);
    const C = c.hiddenSize, Q = c.numHeads * c.headDim, KV = c.numKvHeads * c.headDim;
    const F = c.intermediateSize, V = c.vocabSize, B = options.maxBatch, T = options.maxSeqLen;
    const t = (shape: number[], label: string) => gpu.tensor(shape, { label });
    const qkNorm = hasQkNorm(c), sandwich = hasSandwichNorms(c), preNorms = hasPreNorms(c);
    // phi: one input norm per block, which the MLP reads too (no h2 or its statistics).
    const norms2 = preNorms && !hasSharedNorm(c);
    if (embeddingPadRow(c) !== null && !options.inference && !options.lora) {
      this.#padRowSaved = gpu.tensor([C], { label: "pad row gradient" });
    }
    if (this.names.headBias && !options.inference) {
      this.#ones = gpu.upload(new Float32Array(maxN).fill(1), [maxN], { label: "ones" });
    }
    const budget = Math.min(
      options.logitsChunkBytes ?? 32 * 2 ** 20,
      gpu.limits.maxStorageBufferBindingSize,
    );
    // Logits rows padded to a multiple of 4 (GPT-2: 50257 → 50260), so the classifier's products
    // read them as vec4f on GPUs; the padding is never read.
    const Vp = this.#vocabStride = Math.ceil(V / 4) * 4;
    this.#chunkRows = Math.max(64, Math.floor(budget / (Vp * 4) / 64) * 64);
    const chunk = Math.min(this.#chunkRows, Math.ceil(maxN / 64) * 64);
    this.logp = t([maxN], "logp");
    this.lse = t([maxN], "lse");
    this.logitSum = t([maxN], "logit sums");
    this.logSumSq = t([maxN], "log sums of squared probs");
    // The picked rows' per-token results (see `PickedRows`); their hidden rows are packed into
    // "proj out" and their dH rows into "dX", both free while the classifier runs.
    this.#picked = {
      logp: t([maxN, 1], "picked logp"),
      lse: t([maxN, 1], "picked lse"),
      logitSum: t([maxN, 1], "picked logit sums"),
      logSumSq: t([maxN, 1], "picked log sums of squared probs"),
      coef: t([maxN, 1], "picked coef"),
    };
    this.#xs = Array.from({ length: c.numLayers + 1 }, (_, l) => t([maxN, C], `x${l}`));
    // One set of a block's activations per layer; or one set for all of them, where no backward
    // needs them kept (inference) or the backward recomputes each block's (checkpointed layers).
    const blockActs = (l: number | string): Omit<LayerActs, "x"> => ({
      ...(preNorms
        ? {
          h1: t([maxN, C], `h1.${l}`),
          mean1: t([maxN], `mean1.${l}`),
          rstd1: t([maxN], `rstd1.${l}`),
        }
        : {}),
      q: t([maxN, Q], `q.${l}`),
      k: t([maxN, KV], `k.${l}`),
      ...(qkNorm
        ? {
          qRaw: t([maxN, Q], `q raw.${l}`),
          kRaw: t([maxN, KV], `k raw.${l}`),
          rstdQ: t([maxN * c.numHeads], `rstd q.${l}`),
          rstdK: t([maxN * c.numKvHeads], `rstd k.${l}`),
        }
        : {}),
      v: t([maxN, KV], `v.${l}`),
      att: t([maxN, Q], `att.${l}`),
      lse: t([B * c.numHeads * T], `att lse.${l}`),
      mid: t([maxN, C], `mid.${l}`),
      ...(norms2
        ? {
          h2: t([maxN, C], `h2.${l}`),
          mean2: t([maxN], `mean2.${l}`),
          rstd2: t([maxN], `rstd2.${l}`),
        }
        : {}),
      a: t([maxN, F], `a.${l}`),
      b: t([maxN, F], `b.${l}`),
      s: t([maxN, F], `s.${l}`),
      ...(sandwich
        ? {
          oRaw: t([maxN, C], `o raw.${l}`),
          rstdO: t([maxN], `rstd o.${l}`),
          mRaw: t([maxN, C], `mlp raw.${l}`),
          rstdM: t([maxN], `rstd mlp.${l}`),
        }
        : {}),
    });
    const shared = options.inference || this.checkpointLayers ? blockActs("all") : null;
    this.#layerStore = Array.from({ length: c.numLayers }, (_, l) => ({
      x: this.#xs[l],
      ...(shared ?? blockActs(l)),
    }));
    this.#store = {
      hF: t([maxN, C], "hF"),
      meanF: t([maxN], "meanF"),
      rstdF: t([maxN], "rstdF"),
      o: t([maxN, C], "proj out"),
      // Packed q, k, v (padding-free batches): the linears' outputs before they are unpacked
      // for attention, and in the backward their gradients after they are packed again.
      pq: t([maxN, Q], "packed q"),
      pk: t([maxN, KV], "packed k"),
      pv: t([maxN, KV], "packed v"),
      logits: this.#keepLogits ? t([maxN, Vp], "logits") : t([chunk, Vp], "logits chunk"),
      ...(options.inference ? {} : {
        dX: t([maxN, C], "dX"),
        dMid: t([maxN, C], "dMid"),
        dH: t([maxN, C], "dH"),
        dN: t([maxN, C], "dNorm"),
        dQ: t([maxN, Q], "dQ"),
        dK: t([maxN, KV], "dK"),
        ...(qkNorm ? { dQRaw: t([maxN, Q], "dQ raw"), dKRaw: t([maxN, KV], "dK raw") } : {}),
        dV: t([maxN, KV], "dV"),
        dAtt: t([maxN, Q], "dAtt"),
        ...(sandwich ? { dP: t([maxN, C], "dPost") } : {}),
        dF1: t([maxN, F], "dF1"),
        dF2: t([maxN, F], "dF2"),
        dF3: t([maxN, F], "dF3"),
      }),
    };
    this.#ropes = layerRopeTables(gpu, c, c.maxPositions);
  }

  /**
   * Uploads parameters and allocates gradients and activations.
   * Refuses a model whose buffers do not fit the device, in one sentence.
   */
  static create(
    gpu: Gpu,
    config: ModelConfig,
    values: ParamValues,
    options: TransformerOptions,
  ): Transformer {
    return new Transformer(gpu, config, values, options);
  }

  /**
   * The attention design this model runs (its default resolved: {@linkcode withAttentionDesign}).
   */
  get attentionDesign(): AttentionDesign {
    return this.#attention.design ?? "flash";
  }

  /** Bytes this model holds on the GPU (parameters, gradients, activations), estimated. */
  static estimateBytes(config: ModelConfig, options: TransformerOptions): number {
    const params = internalParams(config).reduce(
      (s, p) => s + p.shape.reduce((a, b) => a * b, 1),
      0,
    );
    const c = config, n = options.maxBatch * options.maxSeqLen;
    // qwen3: q and k before their norms, and a statistic per head.
    const qkNorm = hasQkNorm(c) ? (c.numHeads + c.numKvHeads) * (c.headDim + 1) : 0;
    // gemma2/3: the attention and MLP outputs before their norms, and their statistics.
    const sandwich = hasSandwichNorms(c) ? 2 * c.hiddenSize + 2 : 0;
    // olmo2: no input norms, so no normed copies or statistics of them; phi: one per block.
    const preNorms = hasPreNorms(c)
      ? (hasSharedNorm(c) ? -(c.hiddenSize + 2) : 0)
      : -(2 * c.hiddenSize + 4);
    const perLayer =
      n * (5 * c.hiddenSize + 2 * c.numHeads * c.headDim + 2 * c.numKvHeads * c.headDim +
          3 * c.intermediateSize + 4 + qkNorm + sandwich + preNorms) +
      options.maxBatch * c.numHeads * options.maxSeqLen;
    // The products design's workspace: head-major copies and one or two score chunks.
    const products = options.attention?.design === "products";
    const copies = options.inference ? 4 : 7, chunks = options.inference ? 1 : 2;
    const workspace = !products ? 0 : 4 * copies * n * c.numHeads * c.headDim +
      chunks *
        Math.min(SCORE_CHUNK_BYTES, 4 * options.maxBatch * c.numHeads * options.maxSeqLen ** 2);
    // Packed q, k, v (padding-free batches), in every model; RoPE's cos and sin tables.
    const ropeKinds = c.family === "gpt2"
      ? 0
      : new Set(Array.from({ length: c.numLayers }, (_, l) => JSON.stringify(layerRope(c, l))))
        .size;
    const packedQkv = n * (c.numHeads + 2 * c.numKvHeads) * c.headDim +
      ropeKinds * c.maxPositions * c.headDim;
    // Split-K partial products on a GPU (none on a CPU adapter): an encoder keeps its largest,
    // and the one it outgrew, until it is submitted. Forward, input- and weight-gradient products
    // of every (in, out) projection, the classifier's included.
    const C = c.hiddenSize, Q = c.numHeads * c.headDim, KV = c.numKvHeads * c.headDim;
    const F = c.intermediateSize, V = c.vocabSize;
    let split = 0;
    for (const [i, o] of [[C, Q], [C, KV], [Q, C], [C, F], [F, C], [C, V]]) {
      const shapes = options.inference ? [[n, i, o]] : [[n, i, o], [n, o, i], [o, n, i]];
      for (const [m, k, nn] of shapes) split = Math.max(split, splitScratchBytes(m, nn, k));
    }
    // One set of block activations for every layer (inference, checkpointed layers): the
    // layers' inputs are still one each.
    const layers = options.inference || options.checkpointLayers
      ? perLayer + (c.numLayers - 1) * n * c.hiddenSize
      : c.numLayers * perLayer;
    if (options.inference) {
      // The classifier's logits chunk (training: in keptLogitsBytes when kept, else in scratch).
      const Vp = Math.ceil(V / 4) * 4;
      const budget = options.logitsChunkBytes ?? 32 * 2 ** 20;
      const rows = Math.min(
        Math.max(64, Math.floor(budget / (Vp * 4) / 64) * 64),
        Math.ceil(n / 64) * 64,
      );
      return 4 * (params + layers + n * 2 * c.hiddenSize + packedQkv + rows * Vp) + workspace +
        2 * split - quantizeSaving(c, options.quantize);
    }
    const scratch = n * (8 * c.hiddenSize + 3 * c.intermediateSize + 4 * c.numHeads * c.headDim +
          (hasQkNorm(c) ? (c.numHeads + c.numKvHeads) * c.headDim : 0) +
          (sandwich ? c.hiddenSize : 0)) + packedQkv;
    // Parameters, gradients and the two AdamW moments (LoRA: the frozen parameters once, the
    // adapters four times, and their scratch).
    const lora = options.lora;
    const targets = lora ? loraTargets(c, lora) : [];
    const most = (f: (t: LoraTarget) => number) => Math.max(0, ...targets.map(f));
    // DoRA: one adapted weight, z (N, O) and every target's row norms.
    const dora = lora?.dora
      ? most((t) => t.in * t.out) + n * most((t) => t.out) + targets.reduce((s, t) => s + t.out, 0)
      : 0;
    // Dropout: the adapters' dropped input (training only).
    const dropped = (lora?.dropout ?? 0) > 0 && !options.inference ? n * most((t) => t.in) : 0;
    // The frozen norms' two gradient scratches: the largest 1-D parameter each.
    const norms = lora
      ? 2 *
        Math.max(...internalParams(c).filter((p) => p.shape.length === 1).map((p) => p.shape[0]))
      : 0;
    const trained = lora
      ? params +
        4 * loraParams(c, lora).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0) +
        2 * n * lora.rank + norms + dora + dropped
      : 4 * params;
    return 4 * (trained + layers + scratch) + keptLogitsBytes(c, options) +
      workspace + 2 * split - quantizeSaving(c, options.quantize);
  }

  /** Refuses a model that needs more than the bound (plus `extra` bytes); returns the estimate. */
  #checkFits(options: TransformerOptions, extra = 0): number {
    const need = Transformer.estimateBytes(this.config, options) + extra;
    if (need > memoryLimit(this.gpu)) {
      throw new RangeError(
        `This model needs about ${(need / 2 ** 30).toFixed(1)} GiB of GPU memory for batches of ` +
          `${options.maxBatch}×${options.maxSeqLen}, more than this device can hold: use a smaller batch or sequence length` +
          (options.inference || options.checkpointLayers ? "" : ", or checkpointed layers") +
          (options.inference || options.lora ? "" : ", or LoRA adapters (lora.rank)") +
          (options.lora && !options.quantize
            ? ", or packed frozen weights (model.quantize nf4)"
            : "") +
          (options.inference ? "" : " (deno task memory compares them)"),
      );
    }
    return need;
  }

  /** Zeroes every gradient (encoded). */
  zeroGrads(enc: Encoder): void {
    for (const g of this.flatGrads?.buckets ?? []) enc.zero(g);
    if (this.#loraScratch && this.flatGrads) {
      enc.zero(this.#loraScratch.normW);
      enc.zero(this.#loraScratch.normB);
    }
  }

  /**
   * Reads all parameters back (a quantized model's projections as they expand: the values it
   * computes with): a LoRA model's with its adapters merged in (`W + s·B·A`, computed on
   * the GPU a layer at a time), as a model of `paramList` that needs no adapters.
   */
  async readParams(): Promise<ParamValues> {
    const names = this.paramList.map((p) => p.name);
    const merged = new Set(this.lora?.targets.keys() ?? []);
    const computed = new Set([...merged, ...this.#quant.keys()]);
    if (!computed.size) {
      const data = await this.gpu.read(names.map((n) => this.params.get(n)!));
      return new Map(names.map((n, i) => [n, data[i] as Float32Array]));
    }
    const out: ParamValues = new Map();
    const plain = names.filter((n) => !computed.has(n));
    const data = await this.gpu.read(plain.map((n) => this.params.get(n)!));
    plain.forEach((n, i) => out.set(n, data[i] as Float32Array));
    for (const ln of this.names.layers) {
      const layer = Object.values(ln).filter((n): n is string => !!n && computed.has(n));
      if (!layer.length) continue;
      const enc = this.gpu.encoder("lora merge");
      // Merged adapters, or a compactly held weight expanded (the values the model computes with).
      const copies = layer.map((n) => {
        if (merged.has(n)) return this.#merged(enc, n);
        const q = this.#quant.get(n)!,
          t = this.gpu.tensor([...q.shape], { label: `expanded ${n}` });
        dequantize(enc, { out: t, w: q });
        return t;
      });
      const later = this.gpu.readAfter(enc, copies);
      this.gpu.submit(enc);
      const back = await later();
      layer.forEach((n, i) => out.set(n, back[i] as Float32Array));
      for (const t of copies) t.release();
    }
    return new Map(names.map((n) => [n, out.get(n)!]));
  }

  /** Encodes a copy of weight `name` with its adapter merged in (the caller releases it). */
  #merged(enc: Encoder, name: string): Tensor {
    const t = this.lora!.targets.get(name)!;
    const shape = this.#quant.get(name)?.shape ?? this.param(name).shape;
    const out = this.#adaptedWeight(
      enc,
      t,
      this.gpu.tensor([...shape], { label: `merged ${name}` }),
    );
    if (t.m) {
      // DoRA: W' = diag(m/‖V‖)·V (the norms of this V, which are the forward's); stored (in,
      // out), V's columns are the output rows.
      const nrm = this.#doraNorms.get(t.weight)!;
      this.#outputNorms(enc, out, nrm);
      doraScaleColumns(enc, {
        x: out,
        m: this.param(t.m),
        nrm,
        perRow: this.names.layout !== "in_out",
      });
    }
    return out;
  }

  /** Reads a LoRA model's adapters back (one readback); an empty map for any other model. */
  async readAdapters(): Promise<ParamValues> {
    const names = this.lora ? this.trainableList.map((p) => p.name) : [];
    const data = await this.gpu.read(names.map((n) => this.params.get(n)!));
    return new Map(names.map((n, i) => [n, data[i] as Float32Array]));
  }

  /** Overwrites a LoRA model's adapters from host values. */
  writeAdapters(values: ParamValues): void {
    if (!this.lora) throw new RangeError("Transformer.writeAdapters: this model has no adapters");
    for (const p of this.trainableList) {
      const v = values.get(p.name);
      if (!v) throw new RangeError(`Transformer.writeAdapters: adapter "${p.name}" is missing`);
      this.gpu.write(this.params.get(p.name)!, v);
    }
  }

  /** Reads the trained tensors' gradients back (one readback): every parameter's, or the adapters'. */
  async readGrads(): Promise<ParamValues> {
    const names = this.trainableList.map((p) => p.name);
    const data = await this.gpu.read(names.map((n) => this.grads.get(n)!));
    return new Map(names.map((n, i) => [n, data[i] as Float32Array]));
  }

  /** Overwrites all parameters of `paramList` from host values (a LoRA model's frozen base). */
  writeParams(values: ParamValues): void {
    for (const p of this.paramList) {
      const q = this.#quant.get(p.name), v = values.get(p.name)!;
      if (!q) {
        this.gpu.write(this.params.get(p.name)!, v);
        continue;
      }
      const packed = quantizeWeight(v, q.shape, q.kind, p.name);
      this.gpu.write(q.words, packed.words);
      if (q.scales) this.gpu.write(q.scales, packed.scales!);
    }
  }

  /** Returns every buffer to the pool. */
  release(): void {
    this.flatParams.release();
    this.flatGrads?.release();
    this.#flatAdapters?.release();
    for (const t of Object.values(this.#loraScratch ?? {})) t.release();
    this.#doraNormStore?.release();
    for (const q of this.#quant.values()) [q.words, q.scales].forEach((t) => t?.release());
    this.#quantScratch?.release();
    const all = [
      this.logp,
      this.lse,
      this.logitSum,
      this.logSumSq,
      ...this.#xs,
      // (a set shared by every layer once)
      ...new Set(
        this.#layerStore.flatMap((l) =>
          Object.entries(l).filter(([k]) => k !== "x").map(([, t]) => t)
        ),
      ),
      ...Object.values(this.#store),
      ...Object.values(this.#picked),
    ];
    all.push(...this.#ropes?.all ?? []);
    if (this.#ones) all.push(this.#ones);
    if (this.#padRowSaved) all.push(this.#padRowSaved);
    for (const t of all) t.release();
    this.#attention.workspace?.release();
  }

  /**
   * The parameter tensor of an internal name; throws naming it when the model has none.
   *
   * @example
   * ```ts
   * // const wte = model.param(model.names.wte);
   * ```
   */
  param(name: string | undefined): Tensor {
    const t = name ? this.params.get(name) : undefined;
    if (!t && name && this.#quant.has(name)) {
      throw new RangeError(
        `Transformer: "${name}" is held as ${this.#quant.get(name)!.kind} (quantize), not float32`,
      );
    }
    if (!t) throw new RangeError(`Transformer: no parameter "${name}"`);
    return t;
  }

  /**
   * The float32 weight of an internal name: its parameter, or a compactly held one expanded into
   * the shared scratch (valid until the next expansion encoded).
   */
  #weight(enc: Encoder, name: string | undefined): Tensor {
    const q = name ? this.#quant.get(name) : undefined;
    if (!q) return this.param(name);
    const out = this.#quantScratch!.view(0, [...q.shape]);
    dequantize(enc, { out, w: q });
    return out;
  }

  #g(name: string | undefined): Tensor | undefined {
    return name ? this.grads.get(name) : undefined;
  }

  #acts(batch: DeviceBatch): Acts {
    const { batch: B, seqLen: T } = batch;
    if (B > this.maxBatch || T > this.maxSeqLen) {
      throw new RangeError(
        `Transformer: batch ${B}×${T} exceeds the buffers' ${this.maxBatch}×${this.maxSeqLen}`,
      );
    }
    const n = B * T, c = this.config;
    // The gathers bind whole (N, C) and (N, NH·HS) tensors: packing and picking need them to fit.
    const bind = this.gpu.limits.maxStorageBufferBindingSize;
    const fits = (width: number) => n * width * 4 <= bind;
    const pick = batch.picked && fits(c.hiddenSize) ? batch.picked : null;
    // Packed layers hand the classifier packed rows, which only the picked path reads.
    const packed = batch.packed && pick?.packedRows &&
        fits(Math.max(c.hiddenSize, c.numHeads * c.headDim))
      ? batch.packed
      : null;
    // Rows of the layers: the packed tokens, or every token. Attention's q, k, v, out and their
    // gradients stay (B, T)-shaped.
    const m = packed?.count ?? n;
    const view = (t: Tensor, r: number) => t.view(0, t.shape.length === 2 ? [r, t.shape[1]] : [r]);
    const padded = new Set([
      "q",
      "k",
      "v",
      "att",
      "dQ",
      "dK",
      "dV",
      "dAtt",
      "qRaw",
      "kRaw",
      "dQRaw",
      "dKRaw",
    ]);
    // Per-row statistics of attention's (B, T)-shaped tensors, one per head.
    const perHead: Partial<Record<keyof LayerActs, number>> = {
      lse: c.numHeads,
      rstdQ: c.numHeads,
      rstdK: c.numKvHeads,
    };
    const layers = this.#layerStore.map((l) => {
      const out = {} as LayerActs;
      for (const [k, t] of Object.entries(l) as [keyof LayerActs, Tensor][]) {
        const heads = perHead[k];
        out[k] = heads ? t.view(0, [n * heads]) : view(t, padded.has(k) ? n : m);
      }
      return out;
    });
    const s: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(this.#store)) {
      s[k] = k === "logits" ? t : view(t, padded.has(k) ? n : m);
    }
    return { layers, xs: this.#xs.map((t) => view(t, m)), s, n, packed, pick, rows: m };
  }

  /** Packed rows ← tokens: `out (N', W) = x (N, W)` at the packed tokens (`+` their twins'). */
  #pack(enc: Encoder, packed: PackedTokens, x: Tensor, out: Tensor, twins?: Tensor): void {
    gatherRows(enc, { out, x, indices: packed.rows, plus: twins });
  }

  /** Tokens ← packed rows: `out (N, W)`, zeros for padding (`slots`: another map). */
  #unpack(enc: Encoder, packed: PackedTokens, x: Tensor, out: Tensor, slots?: Tensor): void {
    gatherRows(enc, {
      out,
      x: x.view(0, [Math.max(packed.count, 1), x.shape[1]]),
      indices: slots ?? packed.slots,
    });
  }

  /**
   * Encodes the forward pass: per-token log-probs of `batch.targets` into `logp` (and `lse`,
   * `logitSum`; with `logSumSquares`, `logSumSq`), keeping what the backward needs.
   */
  forward(enc: Encoder, batch: DeviceBatch, options: { logSumSquares?: boolean } = {}): void {
    this.#forwardSeed = this.#activeSeed = this.#dropoutSeed;
    try {
      this.#forward(enc, batch, options);
    } finally {
      this.#activeSeed = null;
    }
  }

  #forward(enc: Encoder, batch: DeviceBatch, options: { logSumSquares?: boolean }): void {
    const c = this.config, names = this.names, T = batch.seqLen;
    const acts = this.#acts(batch), { xs, s, n, packed, pick } = acts;
    const C = c.hiddenSize;
    // Padding-free: the embedding of every token goes to "proj out", then the valid ones are
    // packed into the residual stream.
    const embedded = packed ? this.#store.o.view(0, [n, C]) : xs[0];
    embeddingForward(enc, {
      out: embedded,
      tokens: batch.tokens,
      wte: this.param(names.wte),
      wpe: names.wpe ? this.param(names.wpe) : undefined,
      seqLen: T,
      scale: embeddingScale(c),
    });
    if (packed) this.#pack(enc, packed, embedded, xs[0]);
    for (let l = 0; l < c.numLayers; l++) this.#layerForward(enc, batch, acts, l);
    this.norm(enc, xs[c.numLayers], s.hF, s.meanF, s.rstdF, names.normF, names.normFBias);
    this.#pickRows(enc, pick, packed, s);
    const out = pick
      ? {
        logp: this.#picked.logp,
        lse: this.#picked.lse,
        logitSum: this.#picked.logitSum,
        logSumSq: this.#picked.logSumSq,
      }
      : { logp: this.logp, lse: this.lse, logitSum: this.logitSum, logSumSq: this.logSumSq };
    const squares = options.logSumSquares ?? false;
    // Kept logits: every row in one product and one log-softmax (the launchers split what exceeds
    // a binding); otherwise chunks of R rows.
    this.#classifierChunks(pick?.count ?? n, this.#keepLogits, (r0, rows) => {
      const logits = this.#headLogits(enc, s, r0, (pick ? s.o : s.hF).view(r0 * C, [rows, C]));
      logSoftmaxGather(enc, {
        logits,
        vocab: c.vocabSize,
        softcap: c.finalSoftcap,
        logitScale: logitScale(c),
        targets: (pick?.targets ?? batch.targets).view(r0, [rows]),
        logp: out.logp.view(r0, [rows]),
        lse: out.lse.view(r0, [rows]),
        logitSum: out.logitSum.view(r0, [rows]),
        logSumSq: squares ? out.logSumSq.view(r0, [rows]) : undefined,
      });
    });
    this.#keptFor = this.#keepLogits ? batch : null;
    this.#lastForward = batch;
    if (pick) {
      // Back to token order: zeros for the tokens without a target.
      const rows = Math.max(pick.count, 1);
      const back = [[this.logp, out.logp], [this.lse, out.lse], [this.logitSum, out.logitSum]];
      if (squares) back.push([this.logSumSq, out.logSumSq]);
      for (const [to, from] of back) {
        gatherRows(enc, {
          out: to.view(0, [n, 1]),
          x: from.view(0, [rows, 1]),
          indices: pick.slots,
        });
      }
    }
  }

  /**
   * Encodes block l's forward from its input `xs[l]` into `xs[l + 1]`, keeping its activations for
   * the backward (which, with checkpointed layers, runs it again first).
   */
  #layerForward(
    enc: Encoder,
    batch: DeviceBatch,
    acts: Acts,
    l: number,
  ): void {
    const c = this.config, T = batch.seqLen, ln = this.names.layers[l];
    const { layers, xs, s, packed } = acts;
    const a = layers[l];
    // (olmo2: no input norm, attention reads the residual stream itself)
    const h1 = a.h1 ?? a.x;
    if (ln.norm1 && a.h1 && a.mean1 && a.rstd1) {
      this.norm(enc, a.x, a.h1, a.mean1, a.rstd1, ln.norm1, ln.norm1Bias);
    }
    // qwen3: q and k land in qRaw, kRaw, then an RMSNorm per head writes q, k.
    const [qOut, kOut] = a.qRaw && a.kRaw ? [a.qRaw, a.kRaw] : [a.q, a.k];
    const [q, k, v] = packed ? [s.pq, s.pk, s.pv] : [qOut, kOut, a.v];
    this.linear(enc, h1, q, ln.q, ln.qBias);
    this.linear(enc, h1, k, ln.k, ln.kBias);
    this.linear(enc, h1, v, ln.v, ln.vBias);
    if (packed) {
      // Keys and values of shared positions are those of the row they repeat.
      const kv = packed.shared?.kvSlots ?? packed.slots;
      this.#unpack(enc, packed, q, qOut);
      this.#unpack(enc, packed, k, kOut, kv);
      this.#unpack(enc, packed, v, a.v, kv);
    }
    if (a.qRaw && a.kRaw && a.rstdQ && a.rstdK && ln.qNorm && ln.kNorm) {
      this.headNorm(enc, a.qRaw, a.q, a.rstdQ, ln.qNorm);
      this.headNorm(enc, a.kRaw, a.k, a.rstdK, ln.kNorm);
    }
    const rope = this.#ropes?.layers[l];
    if (rope) {
      const common = { ...rope, seqLen: T, headSize: c.headDim, rotaryDim: ropeDim(c) };
      ropeForward(enc, { ...common, x: a.q, nHeads: c.numHeads });
      ropeForward(enc, { ...common, x: a.k, nHeads: c.numKvHeads });
    }
    const bt = (t: Tensor) => t.view(0, [batch.batch, T, t.shape[1]]);
    attentionForward(enc, {
      ...this.#attention,
      out: bt(a.att),
      lse: a.lse,
      q: bt(a.q),
      k: bt(a.k),
      v: bt(a.v),
      ...this.#attentionOf(batch, l),
    });
    if (packed) this.#pack(enc, packed, a.att, s.pq);
    // gemma2/3: the projection is normalized (its own RMSNorm) before the residual add.
    const post = (raw: Tensor | undefined, rstd: Tensor | undefined, w: string | undefined) => {
      if (raw && rstd && w) this.norm(enc, raw, s.o, rstd, rstd, w, undefined);
    };
    this.linear(enc, packed ? s.pq : a.att, a.oRaw ?? s.o, ln.o, ln.oBias);
    post(a.oRaw, a.rstdO, ln.postAttnNorm);
    residualForward(enc, { out: a.mid, a: a.x, b: s.o, scale: residualScale(c) });
    // (gpt_neox's parallel residual: the MLP reads the norm of the block's input; phi's: the
    // attention's own input norm)
    const mlpIn = c.parallelResidual ? a.x : a.mid;
    const h2 = hasSharedNorm(c) ? h1 : a.h2 ?? mlpIn;
    if (ln.norm2 && a.h2 && a.mean2 && a.rstd2) {
      this.norm(enc, mlpIn, a.h2, a.mean2, a.rstd2, ln.norm2, ln.norm2Bias);
    }
    if (hasGptBlock(c)) {
      this.linear(enc, h2, a.a, ln.fc, ln.fcBias);
    } else {
      this.linear(enc, h2, a.a, ln.gate);
      this.linear(enc, h2, a.b, ln.up);
    }
    activationForward(enc, c.family, { out: a.s, a: a.a, b: a.b, exact: c.exactGelu });
    this.linear(enc, a.s, a.mRaw ?? s.o, hasGptBlock(c) ? ln.proj : ln.down, ln.projBias);
    post(a.mRaw, a.rstdM, ln.postMlpNorm);
    residualForward(enc, { out: xs[l + 1], a: a.mid, b: s.o, scale: residualScale(c) });
  }

  /** Block l's attention settings, the same for its forward and backward. */
  #attentionOf(batch: DeviceBatch, l: number) {
    const c = this.config;
    return {
      lengths: batch.lengths,
      nHeads: c.numHeads,
      nKvHeads: c.numKvHeads,
      scale: attentionScale(c),
      window: layerWindow(c, l),
      softcap: c.attnSoftcap,
    };
  }

  /** Gathers the picked rows' final hidden rows (from the layers' rows) into "proj out". */
  #pickRows(
    enc: Encoder,
    pick: PickedRows | null,
    packed: PackedTokens | null,
    s: Record<string, Tensor>,
  ): void {
    if (!pick || pick.count === 0) return;
    gatherRows(enc, {
      out: s.o.view(0, [pick.count, this.config.hiddenSize]),
      x: s.hF,
      indices: (packed ? pick.packedRows! : pick.rows).view(0, [pick.count]),
    });
  }

  /**
   * Encodes the backward of `L = Σₙ coef[n]·logp[n]` for the last forward's batch, accumulating
   * (`+=`) into every parameter's gradient. `coef` is (N,), zero where tokens do not count.
   */
  backward(enc: Encoder, batch: DeviceBatch, coef: Tensor): void {
    this.#activeSeed = this.#forwardSeed;
    try {
      this.#backward(enc, batch, coef);
    } finally {
      this.#activeSeed = null;
    }
  }

  /**
   * Seeds the adapters' dropout (a LoRA model's `dropout`) for the forwards that follow, each
   * backward dropping as its forward did; null (the default) turns it off, as for evaluation. The
   * mask is a function of the seed, so a seed per micro-batch makes training reproducible.
   *
   * @example
   * ```ts
   * // model.setDropoutSeed(step); model.forward(enc, batch); model.backward(enc, batch, coef);
   * // model.setDropoutSeed(null); // evaluation
   * ```
   */
  setDropoutSeed(seed: number | null): void {
    if (seed !== null && !Number.isInteger(seed)) {
      throw new RangeError(`Transformer.setDropoutSeed: ${seed} is not an integer`);
    }
    this.#dropoutSeed = seed;
  }

  /** The dropout seed of one adapted weight in the pass being encoded; null: no dropout. */
  #siteSeed(weight: string): number | null {
    const p = this.lora?.spec.dropout ?? 0;
    if (p === 0 || this.#activeSeed === null || !this.#loraScratch?.xd) return null;
    const site = this.#loraSites.get(weight)!;
    return (Math.imul(this.#activeSeed ^ 0x5bd1e995, 0x9e3779b1) +
      Math.imul(site + 1, 0x85ebca77)) | 0;
  }

  #backward(enc: Encoder, batch: DeviceBatch, coef: Tensor): void {
    const c = this.config, names = this.names, T = batch.seqLen;
    if (this.grads.size === 0) {
      throw new RangeError("Transformer.backward: this model was created for inference only");
    }
    if (this.#lastForward !== batch) {
      throw new RangeError(
        "Transformer.backward: the last forward was of another batch; its activations are the " +
          "ones kept, so run the forward of this batch again first",
      );
    }
    const acts = this.#acts(batch), { layers, xs, s, n, packed, pick } = acts;
    if (coef.size !== n) {
      throw new RangeError(`Transformer.backward: coef has ${coef.size} values, needs ${n}`);
    }
    // The picked rows' hidden states are still in "proj out" from that forward.
    const head = names.head ?? names.wte, Vp = this.#vocabStride, C = c.hiddenSize;
    if (pick && pick.count > 0) {
      gatherRows(enc, {
        out: this.#picked.coef.view(0, [pick.count, 1]),
        x: coef.view(0, [n, 1]),
        indices: pick.rows.view(0, [pick.count]),
      });
    }
    // With picked rows: hidden rows packed in "proj out", their dH rows packed in "dX".
    const hIn = pick ? s.o : s.hF, dHOut = pick ? s.dX : s.dH;
    const rowCoef = pick ? this.#picked.coef : coef, rowTargets = pick?.targets ?? batch.targets;
    const rowLse = pick ? this.#picked.lse : this.lse;
    // The forward's logits, when it kept them for this batch (the backward overwrites them).
    const kept = this.#keptFor === batch;
    this.#keptFor = null;
    const total = pick?.count ?? n;
    // dLogits in place of the logits (recomputed unless kept), dH rows = dLogits·W per chunk
    // (split K on GPUs: few workgroups over K = V), and dW += dLogitsᵀ·H: per chunk, or with kept
    // logits once over every row (K = all rows instead of R: one pass over dW).
    const grad = (r0: number, rows: number) => {
      const logits = this.#headLogits(enc, s, r0, hIn.view(r0 * C, [rows, C]), kept);
      logSoftmaxBackward(enc, {
        logits,
        vocab: c.vocabSize,
        softcap: c.finalSoftcap,
        logitScale: logitScale(c),
        lse: rowLse.view(r0, [rows]),
        targets: rowTargets.view(r0, [rows]),
        coef: rowCoef.view(r0, [rows]),
      });
      return logits;
    };
    const weightGrad = (logits: Tensor, r0: number, rows: number) => {
      if (!this.#g(head)) return; // (frozen: LoRA)
      matmul(enc, {
        out: this.#g(head)!,
        a: logits,
        b: hIn.view(r0 * C, [rows, C]),
        transA: true,
        beta: 1,
        m: c.vocabSize,
        n: C,
        k: rows,
        lda: Vp,
        batch: 1,
      });
      // phi's head bias: dB (1, V) += ones (1, rows) · dLogits (rows, V).
      if (names.headBias && this.#ones && this.#g(names.headBias)) {
        matmul(enc, {
          out: this.#g(names.headBias)!.view(0, [1, c.vocabSize]),
          a: this.#ones.view(0, [1, rows]),
          b: logits,
          beta: 1,
          m: 1,
          n: c.vocabSize,
          k: rows,
          ldb: Vp,
          batch: 1,
        });
      }
    };
    const all = kept && total > 0 ? grad(0, total) : null;
    this.#classifierChunks(total, false, (r0, rows) => {
      const logits = all ? s.logits.view(r0 * Vp, [rows, Vp]) : grad(r0, rows);
      matmul(enc, {
        out: dHOut.view(r0 * C, [rows, C]),
        a: logits,
        b: this.param(head),
        m: rows,
        n: C,
        k: c.vocabSize,
        lda: Vp,
        batch: 1,
      });
      if (!all) weightGrad(logits, r0, rows);
    });
    if (all) weightGrad(all, 0, total);
    if (pick) {
      // Back to the layers' rows (packed tokens, or every token): zeros where no target.
      gatherRows(enc, {
        out: s.dH,
        x: s.dX.view(0, [Math.max(pick.count, 1), C]),
        indices: packed ? pick.packedSlots! : pick.slots,
      });
    }
    // dX: the gradient of the current block's output, then (overwritten) of its input.
    const dX = s.dX, dMid = s.dMid;
    this.#normBackward(
      enc,
      xs[c.numLayers],
      s.dH,
      dX,
      s.meanF,
      s.rstdF,
      names.normF,
      names.normFBias,
    );
    for (let l = c.numLayers - 1; l >= 0; l--) {
      // Checkpointed: the block's activations again, from its kept input (the same bits).
      // (The last block's are still there from the forward.)
      if (this.checkpointLayers && l < c.numLayers - 1) this.#layerForward(enc, batch, acts, l);
      const ln = names.layers[l], a = layers[l];
      // granite: the attention and MLP outputs entered the residual stream ×rs.
      const rs = residualScale(c);
      // gemma2/3: back through the norm of an output (dP: the gradient of its input).
      const postBack = (dOut: Tensor, raw?: Tensor, rstd?: Tensor, w?: string): Tensor => {
        if (!raw || !rstd || !w || !s.dP) return dOut;
        this.#normBackward(enc, raw, dOut, s.dP, rstd, rstd, w, undefined);
        return s.dP;
      };
      // MLP: dX is the gradient of this block's output.
      const dMlp = postBack(dX, a.mRaw, a.rstdM, ln.postMlpNorm);
      if (hasGptBlock(c)) {
        this.#linearBackward(enc, dMlp, a.s, s.dF1, ln.proj, ln.projBias, false, rs);
      } else {
        this.#linearBackward(enc, dMlp, a.s, s.dF1, ln.down, undefined, false, rs);
      }
      activationBackward(enc, c.family, {
        dOut: s.dF1,
        a: a.a,
        b: a.b,
        dA: s.dF2,
        dB: s.dF3,
        exact: c.exactGelu,
      });
      const mlpIn = c.parallelResidual ? a.x : a.mid, shared = hasSharedNorm(c);
      const h2 = shared ? a.h1 ?? a.x : a.h2 ?? mlpIn;
      if (hasGptBlock(c)) {
        this.#linearBackward(enc, s.dF2, h2, s.dH, ln.fc, ln.fcBias);
      } else {
        this.#linearBackward(enc, s.dF2, h2, s.dH, ln.gate);
        this.#linearBackward(enc, s.dF3, h2, s.dH, ln.up, undefined, true);
      }
      const norm2 = ln.norm2 && a.mean2 && a.rstd2;
      if (norm2) {
        this.#normBackward(enc, mlpIn, s.dH, s.dN, a.mean2!, a.rstd2!, ln.norm2!, ln.norm2Bias);
      }
      // dMid: the gradient of the attention's output and residual (with a parallel residual, of
      // the residual alone: the MLP's part goes to the block's input, the attention's is dX).
      // phi: dH (the MLP's part of the input norm's gradient) stays for q, k, v to add to.
      if (shared) enc.copy(dX, dMid);
      else residualForward(enc, { out: dMid, a: norm2 ? s.dN : s.dH, b: dX });
      // Attention. Padding-free: the output projection's input is packed again, and its input
      // gradient (packed in "dQ", free until attention writes it) unpacked for attention.
      const parallel = c.parallelResidual || shared;
      const dO = postBack(parallel ? dX : dMid, a.oRaw, a.rstdO, ln.postAttnNorm);
      if (packed) {
        const dAtt = s.dQ.view(0, [packed.count, s.dQ.shape[1]]);
        this.#pack(enc, packed, a.att, s.pq);
        this.#linearBackward(enc, dO, s.pq, dAtt, ln.o, ln.oBias, false, rs);
        this.#unpack(enc, packed, dAtt, s.dAtt);
      } else {
        this.#linearBackward(enc, dO, a.att, s.dAtt, ln.o, ln.oBias, false, rs);
      }
      const bt = (t: Tensor) => t.view(0, [batch.batch, T, t.shape[1]]);
      attentionBackward(enc, {
        ...this.#attention,
        dQ: bt(s.dQ),
        dK: bt(s.dK),
        dV: bt(s.dV),
        dOut: bt(s.dAtt),
        q: bt(a.q),
        k: bt(a.k),
        v: bt(a.v),
        out: bt(a.att),
        lse: a.lse,
        ...this.#attentionOf(batch, l),
      });
      const rope = this.#ropes?.layers[l];
      if (rope) {
        const common = { ...rope, seqLen: T, headSize: c.headDim, rotaryDim: ropeDim(c) };
        ropeBackward(enc, { ...common, dOut: s.dQ, nHeads: c.numHeads });
        ropeBackward(enc, { ...common, dOut: s.dK, nHeads: c.numKvHeads });
      }
      let [dq, dk, dv] = [s.dQ, s.dK, s.dV];
      if (a.qRaw && a.kRaw && a.rstdQ && a.rstdK && ln.qNorm && ln.kNorm) {
        // qwen3, gemma3: back through the per-head norms of q and k (olmo2: whole-row norms).
        const { dQRaw, dKRaw } = s;
        const parts: [Tensor, Tensor, Tensor, Tensor, string][] = [
          [a.qRaw, s.dQ, dQRaw, a.rstdQ, ln.qNorm],
          [a.kRaw, s.dK, dKRaw, a.rstdK, ln.kNorm],
        ];
        for (const [x, dOut, dx, rstd, weight] of parts) {
          const w = this.param(weight).size, rows = (t: Tensor) => t.view(0, [t.size / w, w]);
          const r = rstd.view(0, [x.size / w]);
          this.#normBackward(enc, rows(x), rows(dOut), rows(dx), r, r, weight, undefined);
        }
        [dq, dk] = [dQRaw, dKRaw];
      }
      if (packed) {
        // A shared position's key and value gradients add to the row it repeats.
        const twins = packed.shared?.twins;
        this.#pack(enc, packed, dq, s.pq);
        this.#pack(enc, packed, dk, s.pk, twins);
        this.#pack(enc, packed, dv, s.pv, twins);
        [dq, dk, dv] = [s.pq, s.pk, s.pv];
      }
      const h1 = a.h1 ?? a.x;
      this.#linearBackward(enc, dq, h1, s.dH, ln.q, ln.qBias, shared);
      this.#linearBackward(enc, dk, h1, s.dH, ln.k, ln.kBias, true);
      this.#linearBackward(enc, dv, h1, s.dH, ln.v, ln.vBias, true);
      const norm1 = ln.norm1 && a.mean1 && a.rstd1;
      if (norm1) {
        this.#normBackward(enc, a.x, s.dH, s.dN, a.mean1!, a.rstd1!, ln.norm1!, ln.norm1Bias);
      }
      residualForward(enc, { out: dX, a: norm1 ? s.dN : s.dH, b: dMid });
    }
    // Padding-free: the embedding's gradient for every token (zeros for padding), in "dMid".
    if (!this.#g(names.wte)) return; // (frozen: LoRA)
    const dEmbedded = packed ? this.#store.dMid.view(0, [n, C]) : dX;
    if (packed) this.#unpack(enc, packed, dX, dEmbedded);
    // padding_idx: the pad row keeps what it held (a tied head's part, earlier micro-batches'),
    // its lookups adding nothing.
    const pad = embeddingPadRow(c),
      padRow = pad === null ? null : this.#g(names.wte)!.view(pad * C, [C]);
    if (padRow) enc.copy(padRow, this.#padRowSaved!);
    embeddingBackward(enc, {
      dWte: this.#g(names.wte)!,
      dWpe: names.wpe ? this.#g(names.wpe) : undefined,
      dOut: dEmbedded,
      index: batch.index,
      seqLen: T,
      scale: embeddingScale(c),
    });
    if (padRow) enc.copy(this.#padRowSaved!, padRow);
  }

  /**
   * The logits of classifier rows r0 … r0 + R − 1 (R = `hRows`' rows), (R, Vp): encodes
   * `hRows·Wᵀ` into them unless `kept` (the forward's are still there).
   */
  #headLogits(
    enc: Encoder,
    s: Record<string, Tensor>,
    r0: number,
    hRows: Tensor,
    kept = false,
  ): Tensor {
    const [rows, C] = hRows.shape, Vp = this.#vocabStride, names = this.names;
    const logits = s.logits.view(this.#keepLogits ? r0 * Vp : 0, [rows, Vp]);
    if (!kept) {
      matmul(enc, {
        out: logits,
        a: hRows,
        b: this.param(names.head ?? names.wte),
        bias: names.headBias ? this.param(names.headBias) : undefined,
        transB: true,
        m: rows,
        n: this.config.vocabSize,
        k: C,
        ldc: Vp,
        batch: 1,
      });
    }
    return logits;
  }

  /** Runs `fn(firstRow, rows)` over classifier chunks of at most `#chunkRows` rows (or all). */
  #classifierChunks(n: number, whole: boolean, fn: (r0: number, rows: number) => void): void {
    const step = whole ? Math.max(n, 1) : this.#chunkRows;
    for (let r0 = 0; r0 < n; r0 += step) fn(r0, Math.min(step, n - r0));
  }

  /**
   * Encodes `y = x·W (+ b)` for the weight and bias of these internal names, in the model's layout
   * (the forward's linear layers; generation reuses it).
   *
   * @example
   * ```ts
   * // model.linear(enc, h, q, model.names.layers[0].q, model.names.layers[0].qBias);
   * ```
   */
  linear(enc: Encoder, x: Tensor, y: Tensor, w: string | undefined, b?: string): void {
    const t = w ? this.lora?.targets.get(w) : undefined;
    if (t?.m && this.#siteSeed(w!) !== null) {
      this.#doraDroppedForward(enc, x, y, t, b);
      return;
    }
    linearForward(enc, {
      x,
      y,
      w: this.#weight(enc, w),
      // (DoRA: the bias comes after the rows' scale)
      bias: b && !t?.m ? this.param(b) : undefined,
      layout: this.names.layout,
    });
    if (!t) return;
    // LoRA (training with dropout: on drop(x)).
    this.#loraAdd(enc, this.#dropped(enc, x, w!), y, t);
    if (t.m) {
      // DoRA: y = b + (m/‖V‖) ⊙ y, V = W + s·B·A (its norms kept for the backward).
      const nrm = this.#doraNorms.get(t.weight)!;
      this.#outputNorms(enc, this.#adaptedWeight(enc, t), nrm);
      doraScaleColumns(enc, {
        x: y,
        m: this.param(t.m),
        nrm,
        bias: b ? this.param(b) : undefined,
      });
    }
  }

  /** Encodes each output row's norm of an adapted weight V in the model's layout: ‖V[o, :]‖. */
  #outputNorms(enc: Encoder, v: Tensor, nrm: Tensor): void {
    if (this.names.layout === "in_out") doraColNorms(enc, { v, nrm });
    else doraRowNorms(enc, { v, nrm });
  }

  /** Encodes y (N, O) = α·x·W (in the model's layout) + β·y: a base product, bias-free. */
  #product(enc: Encoder, x: Tensor, y: Tensor, W: Tensor, alpha = 1, beta = 0): void {
    const inOut = this.names.layout === "in_out";
    matmul(enc, {
      out: y,
      a: x,
      b: W,
      transB: !inOut,
      alpha,
      beta,
      m: x.shape[0],
      n: y.shape[1],
      k: x.shape[1],
    });
  }

  /**
   * DoRA while training with dropout, as PEFT computes it: with x' = drop(x), g = m/‖V‖ and
   * z' = x'·Wᵀ + s·(x'·Aᵀ)·Bᵀ, y = x·Wᵀ + b + g ⊙ z' − x'·Wᵀ (the base output, plus the
   * adapted rows' change on the dropped input: (g − 1)·x'·Wᵀ + g·s·x'·Aᵀ·Bᵀ). Encoded as
   * y = b + g ⊙ z', then y += x·Wᵀ and y −= x'·Wᵀ (no scratch beyond x').
   */
  #doraDroppedForward(enc: Encoder, x: Tensor, y: Tensor, t: LoraTarget, b?: string): void {
    const xd = this.#dropped(enc, x, t.weight), W = this.#weight(enc, t.weight);
    this.#product(enc, xd, y, W);
    this.#loraAdd(enc, xd, y, t);
    const nrm = this.#doraNorms.get(t.weight)!;
    this.#outputNorms(enc, this.#adaptedWeight(enc, t), nrm);
    doraScaleColumns(enc, { x: y, m: this.param(t.m!), nrm, bias: b ? this.param(b) : undefined });
    this.#product(enc, x, y, W, 1, 1);
    this.#product(enc, xd, y, W, -1, 1);
  }

  /**
   * The backward of {@linkcode #doraDroppedForward} for output gradient α·dy (‖V‖ a constant):
   * dm += α·Σ_n dy ⊙ z' / ‖V‖; dx = α·dy·W + drop(dx'), where with dy' = α·g ⊙ dy:
   * dB += s·dy'ᵀ·U, dU = s·dy'·B, dA += dUᵀ·x', dx' = dy'·W − α·dy·W + dU·A (U = x'·Aᵀ).
   */
  #doraDroppedBackward(
    enc: Encoder,
    dy: Tensor,
    x: Tensor,
    dx: Tensor,
    t: LoraTarget,
    accumulateDx: boolean,
    alpha: number,
  ): void {
    const n = x.shape[0], r = this.lora!.spec.rank, s = this.lora!.scale;
    const seed = this.#siteSeed(t.weight)!, xd = this.#dropped(enc, x, t.weight);
    const W = this.#weight(enc, t.weight), A = this.param(t.a);
    const z = this.#loraScratch!.z!.view(0, [n, t.out]), nrm = this.#doraNorms.get(t.weight)!;
    const inOut = this.names.layout === "in_out";
    this.#product(enc, xd, z, W);
    this.#loraAdd(enc, xd, z, t);
    doraMagnitudeGrad(enc, { dy, z, nrm, dm: this.#g(t.m)!, alpha });
    linearBackward(enc, { dy, x, dx, w: W, layout: this.names.layout, accumulateDx, alpha });
    enc.copy(dy, z);
    doraScaleColumns(enc, { x: z, m: this.param(t.m!), nrm, alpha });
    const du = this.#adapterGrads(enc, z, xd, t, s);
    // x' is used up: its scratch takes dx'.
    matmul(enc, { out: xd, a: z, b: W, transB: inOut, m: n, n: t.in, k: t.out });
    matmul(enc, {
      out: xd,
      a: dy,
      b: W,
      transB: inOut,
      alpha: -alpha,
      beta: 1,
      m: n,
      n: t.in,
      k: t.out,
    });
    matmul(enc, { out: xd, a: du, b: A, beta: 1, m: n, n: t.in, k: r });
    dropout(enc, { out: dx, x: xd, p: this.lora!.spec.dropout!, seed, accumulate: true });
  }

  /**
   * Encodes an adapter's gradients from its output's gradient `dy` (N, O), times `g`, with the
   * adapter's input x' (N, I) and U = x'·Aᵀ already in the LoRA scratch: dB (O, r) += g·dyᵀ·U,
   * dU (N, r) = g·dy·B (returned, in the scratch), dA (r, I) += dUᵀ·x'.
   */
  #adapterGrads(enc: Encoder, dy: Tensor, xa: Tensor, t: LoraTarget, g: number): Tensor {
    const n = xa.shape[0], r = this.lora!.spec.rank;
    const u = this.#loraU(enc, n), du = this.#loraU(enc, n, "du");
    matmul(enc, {
      out: this.#g(t.b)!,
      a: dy,
      b: u,
      transA: true,
      alpha: g,
      beta: 1,
      m: t.out,
      n: r,
      k: n,
    });
    matmul(enc, { out: du, a: dy, b: this.param(t.b), alpha: g, m: n, n: r, k: t.out });
    matmul(enc, { out: this.#g(t.a)!, a: du, b: xa, transA: true, beta: 1, m: r, n: t.in, k: n });
    return du;
  }

  /** Encodes U (N, r) = x·Aᵀ (in the LoRA scratch), then y (N, O) += s·U·Bᵀ. */
  #loraAdd(enc: Encoder, x: Tensor, y: Tensor, t: LoraTarget): void {
    const n = x.shape[0], r = this.lora!.spec.rank, u = this.#loraU(enc, n);
    matmul(enc, { out: u, a: x, b: this.param(t.a), transB: true, m: n, n: r, k: t.in });
    matmul(enc, {
      out: y,
      a: u,
      b: this.param(t.b),
      transB: true,
      alpha: this.lora!.scale,
      beta: 1,
      m: n,
      n: t.out,
      k: r,
    });
  }

  /**
   * Encodes V = W + s·B·A of an adapted weight (O, I) into `out` (default: the DoRA scratch).
   * The (I, O) layout (GPT-2's Conv1D) takes Vᵀ = W + s·Aᵀ·Bᵀ.
   */
  #adaptedWeight(enc: Encoder, t: LoraTarget, out?: Tensor): Tensor {
    const r = this.lora!.spec.rank, inOut = this.names.layout === "in_out";
    const v = out ?? this.#loraScratch!.v!.view(0, inOut ? [t.in, t.out] : [t.out, t.in]);
    const q = this.#quant.get(t.weight);
    if (q) dequantize(enc, { out: v.view(0, [...q.shape]), w: q });
    else enc.copy(this.param(t.weight), v.view(0, [...this.param(t.weight).shape]));
    const [A, B] = [this.param(t.a), this.param(t.b)];
    matmul(enc, {
      out: v,
      a: inOut ? A : B,
      b: inOut ? B : A,
      transA: inOut,
      transB: inOut,
      alpha: this.lora!.scale,
      beta: 1,
      m: inOut ? t.in : t.out,
      n: inOut ? t.out : t.in,
      k: r,
      batch: 1,
    });
    return v;
  }

  /** x, or drop(x) in the dropout scratch while a training pass drops for this weight. */
  #dropped(enc: Encoder, x: Tensor, weight: string): Tensor {
    const seed = this.#siteSeed(weight);
    if (seed === null) return x;
    const xd = this.#loraScratch!.xd!.view(0, [...x.shape]);
    dropout(enc, { out: xd, x, p: this.lora!.spec.dropout!, seed });
    return xd;
  }

  /**
   * The first n rows of the LoRA scratch U, (n, r); grown when a caller runs more rows than the
   * batch holds (generation's prompt groups). The old buffer goes back to the pool when this
   * encoder is submitted, so work already encoded with it stays valid.
   */
  #loraU(enc: Encoder, n: number, which: "u" | "du" = "u"): Tensor {
    const s = this.#loraScratch!, r = this.lora!.spec.rank;
    if (s[which].size < n * r) {
      enc.keepUntilSubmit(s[which]);
      s[which] = this.gpu.tensor([n, r], { label: which === "u" ? "lora x·Aᵀ" : "lora dU" });
    }
    return s[which].view(0, [n, r]);
  }

  #linearBackward(
    enc: Encoder,
    dy: Tensor,
    x: Tensor,
    dx: Tensor,
    w: string | undefined,
    b?: string,
    accumulateDx = false,
    alpha = 1,
  ): void {
    const t = w ? this.lora?.targets.get(w) : undefined;
    if (t?.m && this.#siteSeed(w!) !== null) {
      this.#doraDroppedBackward(enc, dy, x, dx, t, accumulateDx, alpha);
      return;
    }
    // (a compactly held weight: expanded once for both products below)
    const W = this.#weight(enc, w);
    if (t?.m) {
      // DoRA (‖V‖ a constant): with z = x·Wᵀ + s·U·Bᵀ recomputed, dm += α·Σ_n dy ⊙ z / ‖V‖;
      // then everything below takes dz = α·(m/‖V‖) ⊙ dy in place of α·dy.
      const z = this.#loraScratch!.z!.view(0, [x.shape[0], t.out]);
      const nrm = this.#doraNorms.get(t.weight)!;
      linearForward(enc, { x, y: z, w: W, layout: this.names.layout });
      this.#loraAdd(enc, x, z, t);
      doraMagnitudeGrad(enc, { dy, z, nrm, dm: this.#g(t.m)!, alpha });
      enc.copy(dy, z);
      doraScaleColumns(enc, { x: z, m: this.param(t.m), nrm, alpha });
      [dy, alpha] = [z, 1];
    }
    linearBackward(enc, {
      dy,
      x,
      dx,
      w: W,
      dW: this.#g(w),
      dBias: this.#g(b),
      layout: this.names.layout,
      accumulateDx,
      alpha,
    });
    if (!t) return;
    // LoRA, with g = α·s (α: the output's gradient scale), x' = x (or drop(x), recomputed from
    // the forward's seed) and U = x'·Aᵀ recomputed: dB (O, r) += g·dyᵀ·U; dU (N, r) = g·dy·B;
    // dA (r, I) += dUᵀ·x'; dx (N, I) += dU·A (with dropout: dx += drop(dU·A), same mask).
    const n = x.shape[0], r = this.lora!.spec.rank, g = alpha * this.lora!.scale;
    const u = this.#loraU(enc, n), A = this.param(t.a);
    const xa = this.#dropped(enc, x, w!), seed = xa === x ? null : this.#siteSeed(w!);
    // (DoRA's z above left x·Aᵀ in U: DoRA runs without dropout.)
    if (!t.m) matmul(enc, { out: u, a: xa, b: A, transB: true, m: n, n: r, k: t.in });
    const du = this.#adapterGrads(enc, dy, xa, t, g);
    if (seed === null) {
      matmul(enc, { out: dx, a: du, b: A, m: n, n: t.in, k: r, beta: 1 });
      return;
    }
    // x' is used up: its scratch takes dx' = dU·A, dropped into dx with the forward's mask.
    matmul(enc, { out: xa, a: du, b: A, m: n, n: t.in, k: r });
    dropout(enc, { out: dx, x: xa, p: this.lora!.spec.dropout!, seed, accumulate: true });
  }

  /**
   * Encodes the family's norm with the weight and bias of these internal names (LayerNorm saves
   * `mean`; both save `rstd`).
   *
   * @example
   * ```ts
   * // model.norm(enc, x, h, mean, rstd, model.names.normF, model.names.normFBias);
   * ```
   */
  norm(
    enc: Encoder,
    x: Tensor,
    out: Tensor,
    mean: Tensor,
    rstd: Tensor,
    weight: string,
    bias: string | undefined,
  ): void {
    normForward(enc, this.config, {
      x,
      out,
      mean,
      rstd,
      weight: this.param(weight),
      bias: bias ? this.param(bias) : undefined,
    });
  }

  /**
   * The family's norm over each head of `x` (rows, heads·HS) into `out`, statistics in `rstd`
   * (rows·heads,): qwen3's q and k norms.
   */
  headNorm(enc: Encoder, x: Tensor, out: Tensor, rstd: Tensor, weight: string): void {
    // Rows of the weight's width: HS per head (qwen3, gemma3), or the whole projection (olmo2).
    const w = this.param(weight).size, rows = (t: Tensor) => t.view(0, [t.size / w, w]);
    const r = rstd.view(0, [x.size / w]);
    this.norm(enc, rows(x), rows(out), r, r, weight, undefined);
  }

  #normBackward(
    enc: Encoder,
    x: Tensor,
    dOut: Tensor,
    dx: Tensor,
    mean: Tensor,
    rstd: Tensor,
    weight: string,
    bias: string | undefined,
  ): void {
    // A LoRA model's norms are frozen: their weight gradients go to scratch nothing reads.
    const frozen = this.#loraScratch, size = this.param(weight).size;
    normBackward(enc, this.config, {
      x,
      dOut,
      dx,
      mean,
      rstd,
      weight: this.param(weight),
      dWeight: this.#g(weight) ?? frozen!.normW.view(0, [size]),
      dBias: this.#g(bias) ?? (bias ? frozen!.normB.view(0, [size]) : undefined),
    });
  }
}
