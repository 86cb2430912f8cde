/**
 * Batched text generation from a {@linkcode Transformer}'s weights: prompts of different lengths
 * in one batch, a KV cache per layer, one readback of the new rows' logits per step, and sampling
 * on the CPU with the project's seeded {@linkcode Rng} (greedy, temperature, top-k, top-p).
 *
 * With the cache (the default) the prompts are prefilled by one full forward (right padding,
 * length-aware attention) whose keys and values are copied into the caches; each later step feeds
 * one token per row at that row's own position: embedding → per block: norm, q/k/v, RoPE at the
 * row's position, append k/v, attention over the row's cache, o, residual, norm, MLP, residual →
 * final norm → logits of the B new rows. Without it (`useCache: false`) every step runs the full
 * forward over the grown sequences and takes each row's last position: slow, but it is the
 * definition the cached path must reproduce token for token.
 *
 * The forward here is its own layer loop over the model's public `params`, `names` and `config`
 * (the {@linkcode Transformer}'s forward keeps only per-token log-probs, not logits), built from
 * the same blocks and kernels.
 *
 * @module
 */
import {
  attentionScale,
  embeddingScale,
  hasGptBlock,
  hasQkNorm,
  hasSharedNorm,
  layerWindow,
  logitScale,
  type ModelConfig,
  residualScale,
  ropeDim,
  ropeLengthRefusal,
} from "./config.ts";

import type { Transformer } from "./transformer.ts";
import { activationForward, layerRopeTables, type RopeTables } from "./blocks.ts";
import type { Encoder, Tensor } from "../kernels/gpu.ts";
import { attentionForward, flashLongestOnCpu, flashRefusal } from "../kernels/attention.ts";
import {
  decodeAttention,
  decodeEmbedding,
  decodeRope,
  gatherRows,
  kvAppend,
} from "../kernels/decode.ts";
import { embeddingForward } from "../kernels/embedding.ts";
import { matmul } from "../kernels/matmul.ts";
import { residualForward } from "../kernels/residual.ts";
import { ropeForward } from "../kernels/rope.ts";
import { Rng } from "../util/rng.ts";

/** How the next token is chosen from a row of logits. */
export interface SamplingOptions {
  /** Divides the logits before the softmax; 0 (the default) is greedy decoding. */
  temperature?: number;
  /** Keep only the k most likely tokens (ties broken by the lower id). Default: all. */
  topK?: number;
  /** Keep the smallest most-likely set whose probability is at least p (nucleus). Default 1. */
  topP?: number;
}

/** Options of {@linkcode generate}. */
export interface GenerateOptions extends SamplingOptions {
  /** The most tokens generated per prompt (EOS included). */
  maxNewTokens: number;
  /** Tokens that end a row (kept as its last token). Default: the model config's. */
  eosTokenIds?: number[];
  /**
   * Seed of the sampling: prompt i draws from its own {@linkcode Rng} stream, seeded by (seed, i),
   * so a prompt's sample does not depend on `batchSize` or on the other prompts (up to float
   * rounding on GPUs, where the row count can change how a product splits K). Default 0. Greedy
   * decoding draws nothing.
   */
  seed?: number;
  /** Decode with the KV cache (default) or rerun the full forward every step. */
  useCache?: boolean;
  /** Rows generated together; more prompts run in successive groups. Default: all at once. */
  batchSize?: number;
  /** Stops the generation between steps (throwing the signal's reason). */
  signal?: AbortSignal;
}

/** Why a row stopped. */
export type FinishReason = "eos" | "length";

/** What {@linkcode generateDetailed} returns, one entry per prompt. */
export interface GenerateOutput {
  /** The generated ids (without the prompt), ending with the EOS id when one was produced. */
  tokens: number[][];
  /** Each generated token's log-probability under the model (temperature 1, no filtering). */
  logprobs: number[][];
  /** `eos`, or `length` when the token limit (or the model's last position) was reached. */
  finishReasons: FinishReason[];
}

/**
 * Generates continuations of token-id prompts; returns the new ids per prompt.
 * See {@linkcode generateDetailed} for log-probs and finish reasons.
 *
 * @example Greedy continuation of two prompts of different lengths
 * ```ts
 * import { Gpu } from "../kernels/gpu.ts";
 * import { tinyConfig } from "./config.ts";
 * import { initParams } from "./params.ts";
 * import { Transformer } from "./transformer.ts";
 * import { generate } from "./generate.ts";
 * const gpu = await Gpu.create();
 * const config = tinyConfig("llama");
 * const model = Transformer.create(gpu, config, initParams(config, { seed: 1 }), { maxBatch: 1, maxSeqLen: 8 });
 * const out = await generate(model, [[1, 5, 7], [1]], { maxNewTokens: 4, eosTokenIds: [2] });
 * console.log(out); // e.g. [[12, 40, 40, 3], [9, 9, 2]]
 * ```
 */
export async function generate(
  model: Transformer,
  prompts: number[][],
  options: GenerateOptions,
): Promise<number[][]> {
  return (await generateDetailed(model, prompts, options)).tokens;
}

/**
 * Like {@linkcode generate}, also returning each token's log-probability and why each row stopped.
 *
 * @example Seeded sampling
 * ```ts
 * import { Gpu } from "../kernels/gpu.ts";
 * import { tinyConfig } from "./config.ts";
 * import { initParams } from "./params.ts";
 * import { Transformer } from "./transformer.ts";
 * import { generateDetailed } from "./generate.ts";
 * const gpu = await Gpu.create();
 * const config = tinyConfig("gpt2");
 * const model = Transformer.create(gpu, config, initParams(config, { seed: 1 }), { maxBatch: 1, maxSeqLen: 8 });
 * const { tokens, logprobs, finishReasons } = await generateDetailed(model, [[3, 4]], {
 *   maxNewTokens: 5, temperature: 0.8, topP: 0.9, seed: 7,
 * });
 * ```
 */
export async function generateDetailed(
  model: Transformer,
  prompts: number[][],
  options: GenerateOptions,
): Promise<GenerateOutput> {
  const c = model.config;
  const { maxNewTokens, useCache = true, seed = 0 } = options;
  const eos = new Set(options.eosTokenIds ?? c.eosTokenIds);
  checkSampling(options);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new RangeError(
      `generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`,
    );
  }
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new RangeError(`generate: prompt ${i + 1} is empty`);
    if (p.length >= c.maxPositions) {
      throw new RangeError(
        `generate: prompt ${
          i + 1
        } has ${p.length} tokens; the model has ${c.maxPositions} positions`,
      );
    }
    const bad = p.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= c.vocabSize);
    if (bad >= 0) {
      throw new RangeError(
        `generate: prompt ${i + 1} has token ${p[bad]} at ${bad}, outside [0, ${c.vocabSize})`,
      );
    }
  });
  const batchSize = options.batchSize ?? Math.max(1, prompts.length);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`generate: batchSize must be a positive integer, got ${batchSize}`);
  }
  const out: GenerateOutput = { tokens: [], logprobs: [], finishReasons: [] };
  for (let i = 0; i < prompts.length; i += batchSize) {
    const group = prompts.slice(i, i + batchSize);
    const limits = group.map((p) => Math.min(maxNewTokens, c.maxPositions - p.length));
    const rows = group.map((p, b): Row => ({
      prompt: p,
      limit: limits[b],
      tokens: [],
      logprobs: [],
      reason: limits[b] <= 0 ? "length" : null,
      rng: new Rng(rowSeed(seed, i + b)),
    }));
    if (rows.some((r) => r.reason === null)) {
      const run = useCache ? runCached : runFull;
      await run(model, rows, (logits, v) => {
        options.signal?.throwIfAborted();
        pickTokens(rows, logits, v, options, eos);
      });
    }
    for (const r of rows) {
      out.tokens.push(r.tokens);
      out.logprobs.push(r.logprobs);
      out.finishReasons.push(r.reason ?? "length");
    }
  }
  return out;
}

/** One row's state during generation. */
interface Row {
  prompt: number[];
  /** Tokens this row may still produce in total. */
  limit: number;
  tokens: number[];
  logprobs: number[];
  /** Set once the row is finished. */
  reason: FinishReason | null;
  /** This prompt's own sampling stream. */
  rng: Rng;
}

/** The seed of prompt `index`'s sampling stream under `seed` (a 32-bit mix of the two). */
function rowSeed(seed: number, index: number): number {
  let h = Math.imul((seed | 0) ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35);
  return (h ^ (h >>> 13)) | 0;
}

/** Chooses the next token of every unfinished row from (B, V) logits. */
function pickTokens(
  rows: Row[],
  logits: Float32Array,
  v: number,
  sampling: SamplingOptions,
  eos: Set<number>,
): void {
  rows.forEach((r, b) => {
    if (r.reason) return;
    const row = logits.subarray(b * v, (b + 1) * v);
    const id = sampleToken(row, sampling, r.rng);
    r.tokens.push(id);
    r.logprobs.push(logSoftmaxAt(row, id));
    if (eos.has(id)) r.reason = "eos";
    else if (r.tokens.length >= r.limit) r.reason = "length";
  });
}

/** Prefill, then one cached decoding step per token. */
async function runCached(
  model: Transformer,
  rows: Row[],
  pick: (logits: Float32Array, v: number) => void,
): Promise<void> {
  const B = rows.length, t0 = Math.max(...rows.map((r) => r.prompt.length));
  const tMax = Math.max(...rows.map((r) => r.prompt.length + r.limit));
  const fwd = new Forward(model, { batch: B, rows: B * t0, maxLen: tMax, cache: true });
  try {
    let logits = await fwd.full(rows.map((r) => r.prompt), t0);
    pick(logits, model.config.vocabSize);
    const tokens = new Int32Array(B), positions = new Int32Array(B);
    while (rows.some((r) => !r.reason)) {
      rows.forEach((r, b) => {
        // Finished rows keep feeding their last token at a frozen position; their output is unused.
        tokens[b] = r.tokens.at(-1) ?? r.prompt.at(-1)!;
        positions[b] = Math.min(r.prompt.length + r.tokens.length - 1, tMax - 1);
      });
      logits = await fwd.step(tokens, positions);
      pick(logits, model.config.vocabSize);
    }
  } finally {
    fwd.release();
  }
}

/** The full forward over every row's whole sequence at every step. */
async function runFull(
  model: Transformer,
  rows: Row[],
  pick: (logits: Float32Array, v: number) => void,
): Promise<void> {
  const B = rows.length;
  const tMax = Math.max(...rows.map((r) => r.prompt.length + r.limit - 1));
  const fwd = new Forward(model, { batch: B, rows: B * tMax, maxLen: tMax, cache: false });
  try {
    while (rows.some((r) => !r.reason)) {
      // A finished row's last token is never fed (its output is unused): every sequence fits
      // its row's prompt + limit − 1 positions.
      const seqs = rows.map((r) =>
        [...r.prompt, ...r.tokens].slice(0, r.prompt.length + r.limit - 1)
      );
      pick(await fwd.full(seqs, Math.max(...seqs.map((s) => s.length))), model.config.vocabSize);
    }
  } finally {
    fwd.release();
  }
}

/**
 * Bytes of device memory one row of a cached generation takes (its share of the prefill
 * activations over `promptLen` positions, its KV caches over `maxLen`, its logits), for sizing
 * `batchSize` to a memory budget.
 *
 * @example
 * ```ts
 * import { tinyConfig } from "./config.ts";
 * import { generationRowBytes } from "./generate.ts";
 * const perRow = generationRowBytes(tinyConfig("gpt2"), 16, 32);
 * console.log(Math.floor(256 * 2 ** 20 / perRow), "rows fit 256 MiB");
 * ```
 */
export function generationRowBytes(c: ModelConfig, promptLen: number, maxLen: number): number {
  // One row's share: the buffers of a one-row Forward over the prompt (the RoPE table is per
  // group, not per row).
  const buffers = forwardBuffers(c, { batch: 1, rows: promptLen, maxLen, cache: true });
  return 4 * buffers.reduce((sum, b) => sum + b.shape.reduce((x, y) => x * y, 1), 0);
}

/** One buffer a {@linkcode Forward} allocates (4-byte elements). */
interface ForwardBuffer {
  label: string;
  shape: number[];
  dtype: "f32" | "i32";
  /** A layer's KV cache. */
  cache?: "k" | "v";
}

/** The activation buffers and KV caches of a {@linkcode Forward} of these sizes. */
function forwardBuffers(c: ModelConfig, sizes: ForwardSizes): ForwardBuffer[] {
  const n = sizes.rows, B = sizes.batch;
  const C = c.hiddenSize, Q = c.numHeads * c.headDim, KV = c.numKvHeads * c.headDim;
  const F = c.intermediateSize;
  const out: ForwardBuffer[] = [];
  const t = (shape: number[], label: string, dtype: "f32" | "i32" = "f32") =>
    out.push({ label, shape, dtype });
  for (const name of ["x", "mid", "h", "o"]) t([n, C], name);
  for (const name of ["q", "att"]) t([n, Q], name);
  for (const name of ["k", "v"]) t([n, KV], name);
  if (hasQkNorm(c)) {
    // qwen3: q and k before their per-head norms, and a statistic per head.
    t([n, Q], "qRaw");
    t([n, KV], "kRaw");
    t([n * c.numHeads], "rstdQ");
    t([n * c.numKvHeads], "rstdK");
  }
  for (const name of ["fa", "fb", "fs"]) t([n, F], name);
  for (const name of ["mean", "rstd"]) t([n], name);
  t([B * c.numHeads * Math.ceil(n / B)], "lse");
  t([B, C], "last");
  t([B, C], "lastNorm");
  t([B, c.vocabSize], "logits");
  t([n], "tokens", "i32");
  t([B], "lengths", "i32");
  t([B], "lastIndex", "i32");
  t([B], "positions", "i32");
  if (sizes.cache) {
    for (let l = 0; l < c.numLayers; l++) {
      out.push({ label: `k cache ${l}`, shape: [B, sizes.maxLen, KV], dtype: "f32", cache: "k" });
      out.push({ label: `v cache ${l}`, shape: [B, sizes.maxLen, KV], dtype: "f32", cache: "v" });
    }
  }
  return out;
}

/** Sizes of a {@linkcode Forward}'s buffers. */
interface ForwardSizes {
  /** B rows. */
  batch: number;
  /** Rows of the full-forward activations (B·T of the longest full pass). */
  rows: number;
  /** Tmax: positions of the caches and of the RoPE table. */
  maxLen: number;
  /** Whether to keep KV caches. */
  cache: boolean;
}

/**
 * Activation buffers and KV caches for inference, and the two ways through the model: a full
 * forward of (B, T) right-padded sequences, and one cached step of a token per row.
 */
class Forward {
  #m: Transformer;
  #s: Record<string, Tensor> = {};
  #kCache: Tensor[] = [];
  #vCache: Tensor[] = [];
  #ropes: { layers: (RopeTables | null)[]; all: Tensor[] } | null = null;
  #batch: number;
  #rows: number;

  constructor(model: Transformer, sizes: ForwardSizes) {
    this.#m = model;
    this.#batch = sizes.batch;
    this.#rows = sizes.rows;
    const c = model.config, gpu = model.gpu;
    const ropeWhy = ropeLengthRefusal(c, sizes.maxLen);
    if (ropeWhy) throw new RangeError(`generate: ${ropeWhy}`);
    // The full forward runs the flash kernels over whole rows: on a CPU adapter, only as long as
    // an invocation stays within llvmpipe's loop limit.
    const t = sizes.rows / sizes.batch;
    if (flashRefusal(gpu, { t, hs: c.headDim, heads: 1 })) {
      throw new RangeError(
        `generate: a full forward over ${t} tokens at head size ${c.headDim} would pass this CPU ` +
          "adapter's limit of 65 535 loop iterations per invocation; prompts (and, without the " +
          `cache, whole generations) of at most ${flashLongestOnCpu(c.headDim, 1)} tokens run here`,
      );
    }
    for (const { label, shape, dtype, cache } of forwardBuffers(c, sizes)) {
      const tensor = gpu.tensor(shape, { label, dtype });
      if (cache === "k") this.#kCache.push(tensor);
      else if (cache === "v") this.#vCache.push(tensor);
      else this.#s[label] = tensor;
    }
    this.#ropes = layerRopeTables(gpu, c, sizes.maxLen);
  }

  release(): void {
    const all = [...Object.values(this.#s), ...this.#kCache, ...this.#vCache];
    all.push(...this.#ropes?.all ?? []);
    for (const t of all) t.release();
  }

  /**
   * Runs (B, T) right-padded sequences through the model (appending their keys and values to the
   * caches, when kept) and returns the logits (B, V) of each row's last token. One readback.
   */
  async full(seqs: number[][], T: number): Promise<Float32Array> {
    const m = this.#m, c = m.config, names = m.names, gpu = m.gpu, s = this.#s;
    const B = this.#batch, n = B * T;
    if (seqs.length !== B || n > this.#rows) {
      throw new RangeError(`generate: ${seqs.length}×${T} tokens exceed the inference buffers`);
    }
    const tokens = new Int32Array(n), lengths = new Int32Array(B), last = new Int32Array(B);
    seqs.forEach((seq, b) => {
      tokens.set(seq, b * T);
      lengths[b] = seq.length;
      last[b] = b * T + seq.length - 1;
    });
    const tok = s.tokens.view(0, [n]);
    gpu.write(tok, tokens);
    gpu.write(s.lengths, lengths);
    gpu.write(s.lastIndex, last);
    const r = (name: string) => {
      const x = s[name];
      return x.view(0, x.shape.length === 2 ? [n, x.shape[1]] : [n]);
    };
    const x = r("x"), mid = r("mid"), h = r("h"), o = r("o"), q = r("q"), att = r("att");
    const k = r("k"), v = r("v"), mean = r("mean"), rstd = r("rstd");
    const enc = gpu.encoder("generate full forward");
    embeddingForward(enc, {
      out: x,
      tokens: tok,
      wte: this.#m.param(names.wte),
      wpe: names.wpe ? this.#m.param(names.wpe) : undefined,
      seqLen: T,
      scale: embeddingScale(c),
    });
    const bt = (t: Tensor) => t.view(0, [B, T, t.shape[1]]);
    names.layers.forEach((ln, l) => {
      // (olmo2: no input norm)
      if (ln.norm1) this.#m.norm(enc, x, h, mean, rstd, ln.norm1, ln.norm1Bias);
      this.#qkv(enc, l, ln.norm1 ? h : x, q, k, v, n);
      const rope = this.#ropes?.layers[l];
      if (rope) {
        const common = { ...rope, seqLen: T, headSize: c.headDim, rotaryDim: ropeDim(c) };
        ropeForward(enc, { ...common, x: q, nHeads: c.numHeads });
        ropeForward(enc, { ...common, x: k, nHeads: c.numKvHeads });
      }
      if (this.#kCache.length) {
        kvAppend(enc, { cache: this.#kCache[l], src: bt(k) });
        kvAppend(enc, { cache: this.#vCache[l], src: bt(v) });
      }
      attentionForward(enc, {
        out: bt(att),
        lse: s.lse.view(0, [B * c.numHeads * T]),
        q: bt(q),
        k: bt(k),
        v: bt(v),
        lengths: s.lengths,
        nHeads: c.numHeads,
        nKvHeads: c.numKvHeads,
        scale: attentionScale(c),
        window: layerWindow(c, l),
        softcap: c.attnSoftcap,
      });
      this.#rest(enc, l, { x, mid, h, o, att, mean, rstd, n });
    });
    gatherRows(enc, { out: s.last, x, indices: s.lastIndex });
    return await this.#head(enc);
  }

  /**
   * One cached step: row b's token `tokens[b]` at position `positions[b]` (its keys and values
   * appended there). Returns the (B, V) logits. One readback.
   */
  async step(tokens: Int32Array, positions: Int32Array): Promise<Float32Array> {
    const m = this.#m, c = m.config, names = m.names, gpu = m.gpu, s = this.#s;
    const B = this.#batch, HS = c.headDim;
    const tok = s.tokens.view(0, [B]);
    gpu.write(tok, tokens);
    gpu.write(s.positions, positions);
    const r = (name: string) => s[name].view(0, [B, s[name].shape[1]]);
    const x = r("x"), mid = r("mid"), h = r("h"), o = r("o"), q = r("q"), att = r("att");
    const k = r("k"), v = r("v");
    const mean = s.mean.view(0, [B]), rstd = s.rstd.view(0, [B]);
    const enc = gpu.encoder("generate step");
    decodeEmbedding(enc, {
      out: x,
      tokens: tok,
      wte: this.#m.param(names.wte),
      wpe: names.wpe ? this.#m.param(names.wpe) : undefined,
      positions: s.positions,
      scale: embeddingScale(c),
    });
    names.layers.forEach((ln, l) => {
      if (ln.norm1) this.#m.norm(enc, x, h, mean, rstd, ln.norm1, ln.norm1Bias);
      this.#qkv(enc, l, ln.norm1 ? h : x, q, k, v, B);
      const rope = this.#ropes?.layers[l];
      if (rope) {
        const common = { ...rope, positions: s.positions, headSize: HS, rotaryDim: ropeDim(c) };
        decodeRope(enc, { ...common, x: q, nHeads: c.numHeads });
        decodeRope(enc, { ...common, x: k, nHeads: c.numKvHeads });
      }
      const one = (t: Tensor) => t.view(0, [B, 1, t.shape[1]]);
      kvAppend(enc, { cache: this.#kCache[l], src: one(k), positions: s.positions });
      kvAppend(enc, { cache: this.#vCache[l], src: one(v), positions: s.positions });
      decodeAttention(enc, {
        out: att,
        q,
        kCache: this.#kCache[l],
        vCache: this.#vCache[l],
        positions: s.positions,
        nHeads: c.numHeads,
        nKvHeads: c.numKvHeads,
        scale: attentionScale(c),
        window: layerWindow(c, l),
        softcap: c.attnSoftcap,
      });
      this.#rest(enc, l, { x, mid, h, o, att, mean, rstd, n: B });
    });
    enc.copy(x, s.last);
    return await this.#head(enc);
  }

  /** The q, k, v projections of `rows` rows of h (qwen3: q and k then normed per head). */
  #qkv(enc: Encoder, l: number, h: Tensor, q: Tensor, k: Tensor, v: Tensor, rows: number): void {
    const m = this.#m, c = m.config, ln = m.names.layers[l], s = this.#s;
    const qkNorm = ln.qNorm && ln.kNorm;
    const raw = (name: string, width: number) => s[name].view(0, [rows, width]);
    const qOut = qkNorm ? raw("qRaw", q.shape[1]) : q;
    const kOut = qkNorm ? raw("kRaw", k.shape[1]) : k;
    m.linear(enc, h, qOut, ln.q, ln.qBias);
    m.linear(enc, h, kOut, ln.k, ln.kBias);
    m.linear(enc, h, v, ln.v, ln.vBias);
    if (!ln.qNorm || !ln.kNorm) return;
    const stat = (name: string, nh: number) => s[name].view(0, [rows * nh]);
    m.headNorm(enc, qOut, q, stat("rstdQ", c.numHeads), ln.qNorm);
    m.headNorm(enc, kOut, k, stat("rstdK", c.numKvHeads), ln.kNorm);
  }

  /** The block after attention: o projection, residual, norm, MLP, residual (back into x). */
  #rest(
    enc: Encoder,
    l: number,
    a: {
      x: Tensor;
      mid: Tensor;
      h: Tensor;
      o: Tensor;
      att: Tensor;
      mean: Tensor;
      rstd: Tensor;
      n: number;
    },
  ): void {
    const c = this.#m.config, ln = this.#m.names.layers[l], s = this.#s;
    const f = (name: string) => s[name].view(0, [a.n, c.intermediateSize]);
    const fa = f("fa"), fb = f("fb"), fs = f("fs");
    // gemma2/3: the attention and MLP outputs are normalized (into h) before the residual adds.
    const post = (w: string | undefined) => {
      if (!w) return a.o;
      this.#m.norm(enc, a.o, a.h, a.mean, a.rstd, w, undefined);
      return a.h;
    };
    this.#m.linear(enc, a.att, a.o, ln.o, ln.oBias);
    const rs = residualScale(c); // (granite's residual multiplier)
    residualForward(enc, { out: a.mid, a: a.x, b: post(ln.postAttnNorm), scale: rs });
    // (gpt_neox's parallel residual: the MLP reads the norm of the block's input)
    const mlpIn = c.parallelResidual ? a.x : a.mid;
    if (ln.norm2) this.#m.norm(enc, mlpIn, a.h, a.mean, a.rstd, ln.norm2, ln.norm2Bias);
    // (phi: the MLP reads the attention's input norm, still in h)
    const h2 = ln.norm2 || hasSharedNorm(c) ? a.h : mlpIn;
    if (hasGptBlock(c)) {
      this.#m.linear(enc, h2, fa, ln.fc, ln.fcBias);
    } else {
      this.#m.linear(enc, h2, fa, ln.gate);
      this.#m.linear(enc, h2, fb, ln.up);
    }
    activationForward(enc, c.family, { out: fs, a: fa, b: fb, exact: c.exactGelu });
    this.#m.linear(enc, fs, a.o, hasGptBlock(c) ? ln.proj : ln.down, ln.projBias);
    residualForward(enc, { out: a.x, a: a.mid, b: post(ln.postMlpNorm), scale: rs });
  }

  /** Final norm of the B gathered rows in `last`, the head, submit, and one readback. */
  async #head(enc: Encoder): Promise<Float32Array> {
    const m = this.#m, c = m.config, names = m.names, s = this.#s, B = this.#batch;
    const mean = s.mean.view(0, [B]), rstd = s.rstd.view(0, [B]);
    this.#m.norm(enc, s.last, s.lastNorm, mean, rstd, names.normF, names.normFBias);
    matmul(enc, {
      out: s.logits,
      a: s.lastNorm,
      b: this.#m.param(names.head ?? names.wte),
      bias: names.headBias ? this.#m.param(names.headBias) : undefined,
      transB: true,
      m: B,
      n: c.vocabSize,
      k: c.hiddenSize,
    });
    m.gpu.submit(enc);
    const [logits] = await m.gpu.read([s.logits]) as Float32Array[];
    // Granite's logit scale and Gemma 2's final soft-cap, as the training forward's log-softmax
    // applies them.
    const k = logitScale(c), cap = c.finalSoftcap;
    if (k !== 1) { for (let i = 0; i < logits.length; i++) logits[i] *= k; }
    if (cap) {
      for (let i = 0; i < logits.length; i++) {
        logits[i] = cap * Math.tanh(logits[i] / cap);
      }
    }
    return logits;
  }
}

function checkSampling(o: SamplingOptions): void {
  const { temperature = 0, topK, topP = 1 } = o;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new RangeError(`generate: temperature must be a finite number ≥ 0, got ${temperature}`);
  }
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1)) {
    throw new RangeError(`generate: topK must be a positive integer, got ${topK}`);
  }
  if (!(topP > 0 && topP <= 1)) {
    throw new RangeError(`generate: topP must be in (0, 1], got ${topP}`);
  }
}

/**
 * The index of the largest logit, the lowest index among ties. Refuses non-finite logits.
 *
 * @example
 * ```ts
 * import { greedyToken } from "./generate.ts";
 * console.log(greedyToken([0.1, 3, -1, 3])); // 1
 * ```
 */
export function greedyToken(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i];
    if (!Number.isFinite(x)) {
      throw new RangeError(`greedyToken: logit ${i} is ${x}; the model produced non-finite values`);
    }
    if (x > logits[best]) best = i;
  }
  return best;
}

/** The candidates {@linkcode sampleToken} draws from. */
export interface SamplingDistribution {
  /** Token ids, most likely first (ties: lower id first). */
  ids: number[];
  /** Their probabilities after temperature, top-k and top-p, summing to 1. */
  probs: number[];
}

/**
 * The distribution a sampled token is drawn from: softmax(logits / temperature) restricted to the
 * top-k tokens, then to the smallest most-likely prefix whose mass is at least top-p, renormalised.
 * Computed in float64. Temperature 0 gives the greedy token with probability 1.
 *
 * @example
 * ```ts
 * import { samplingDistribution } from "./generate.ts";
 * const d = samplingDistribution([2, 1, 0, -5], { temperature: 1, topP: 0.9 });
 * console.log(d.ids); // [0, 1, 2]: the first two hold 0.88 of the mass, three hold 0.997
 * ```
 */
export function samplingDistribution(
  logits: ArrayLike<number>,
  options: SamplingOptions,
): SamplingDistribution {
  checkSampling(options);
  const { temperature = 0, topK, topP = 1 } = options;
  if (temperature === 0) return { ids: [greedyToken(logits)], probs: [1] };
  const ids: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i])) {
      throw new RangeError(`samplingDistribution: logit ${i} is ${logits[i]}; non-finite values`);
    }
    ids.push(i);
  }
  ids.sort((a, b) => logits[b] - logits[a] || a - b);
  if (topK !== undefined && topK < ids.length) ids.length = topK;
  const top = logits[ids[0]];
  let probs = ids.map((i) => Math.exp((logits[i] - top) / temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / total);
  if (topP < 1) {
    let mass = 0, keep = 0;
    while (keep < probs.length && mass < topP) mass += probs[keep++];
    ids.length = probs.length = keep;
    total = mass;
    probs = probs.map((p) => p / total);
  }
  return { ids, probs };
}

/**
 * Draws the next token from a row of logits: greedy at temperature 0 (no random draw), else one
 * uniform draw from `rng` against {@linkcode samplingDistribution}. The same seed gives the same
 * tokens.
 *
 * @example
 * ```ts
 * import { sampleToken } from "./generate.ts";
 * import { Rng } from "../util/rng.ts";
 * const rng = new Rng(42);
 * const id = sampleToken([1.5, 0.2, 3.1, -2], { temperature: 0.7, topK: 3 }, rng);
 * ```
 */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, rng: Rng): number {
  if (!options.temperature) return greedyToken(logits);
  const { ids, probs } = samplingDistribution(logits, options);
  const u = rng.uniform();
  let cum = 0;
  for (let i = 0; i < ids.length; i++) {
    cum += probs[i];
    if (u < cum) return ids[i];
  }
  return ids[ids.length - 1]; // u within rounding of 1
}

/**
 * `log softmax(logits)[id]` in float64.
 *
 * @example
 * ```ts
 * import { logSoftmaxAt } from "./generate.ts";
 * console.log(logSoftmaxAt([0, 0], 1)); // −log 2
 * ```
 */
export function logSoftmaxAt(logits: ArrayLike<number>, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return logits[id] - max - Math.log(sum);
}
