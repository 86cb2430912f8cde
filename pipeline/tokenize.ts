/**
 * The `tokenize` stage: {@linkcode PreferencePair}s → token ids, plus what training needs to turn
 * them into batches (train/eval split, per-epoch order, length bucketing, padded batches) and an
 * on-disk cache of the result.
 *
 * ## How a pair becomes ids
 *
 * Each pair becomes three id lists: the prompt, and each response with its EOS. The prompt is
 * encoded on its own and each response on its own ({@linkcode encodePromptResponse}), so the
 * prompt's ids are always an exact prefix of `prompt ++ response`: no BPE merge can cross the
 * boundary, and the prompt ids of `chosen` and `rejected` are the same list.
 *
 * - **template** (a chat template renders the text, through {@linkcode renderConversation}): the
 *   prompt is the conversation with the generation prompt; each response is what the whole
 *   conversation adds to it (where the whole does not repeat the generation prompt, e.g. an
 *   opened `<think>` block, the prompt is cut to what they share, as TRL does). Special tokens
 *   come from the template only (no doubled BOS).
 * - **plain** (no template): a pair whose format has its own text (Anthropic HH transcripts) is
 *   that text, cut after the prompt's last `"\n\nAssistant:"`; a single-turn `text` pair is the
 *   prompt's contents, then the
 *   `separator` (default none, as TRL), then the response; a multi-turn or `chat` pair is written as
 *   a transcript: `User: …\n\nAssistant: …` turns, the prompt ending in `Assistant:` and the
 *   response starting with a space.
 * - **ids** (pre-tokenized rows): used exactly as given; no BOS or EOS is added.
 *
 * EOS is appended to each rendered response exactly once (not when the template already ends
 * the turn with it). BOS is added only with `addBos`, and never twice.
 *
 * ## Truncation (the policy of TRL's `truncation_mode="keep_end"` for prompts)
 *
 * 1. A prompt longer than `maxPromptLength` keeps its **last** `maxPromptLength` tokens (the
 *    latest turns and the generation prompt).
 * 2. With `maxCompletionLength` (TRL's `max_completion_length`), each response first keeps its
 *    first `maxCompletionLength` tokens.
 * 3. Each response then gets `maxLength − prompt` tokens and keeps its **start**. A cut response
 *    loses its EOS, as in TRL and LLaMA-Factory (EOS appended, then the response truncated): it
 *    did not end there, and training it to stop mid-sentence would teach the wrong thing.
 * 4. A row is **dropped** when the prompt leaves no room for a response token. Setting
 *    `maxPromptLength` below `maxLength` (the run's default is half of it, as TRL's 512/1024
 *    defaults) guarantees room and avoids drops.
 *
 * That is TRL 1.x's default (`truncation_mode="keep_start"` for the whole sequence, after the
 * prompt's own limit). TRL 0.x's default, `keep_end`, instead cut the sequence's start and kept
 * each response whole; it is not offered, since a pair's two rows here share one prompt.
 *
 * ## Batches
 *
 * See {@linkcode Batch} for the exact layout: rows `[chosen(P); rejected(P)]`, inputs
 * `row[0 .. len−1)`, targets `row[1 .. len)`, mask on the response's targets.
 *
 * @example Tokenize, split, and build the first batch of an epoch
 * ```ts
 * import { ByteTokenizer } from "../model/tokenizer.ts";
 * import { batchOrder, makeBatch, pairLength, splitTrainEval, tokenize } from "./tokenize.ts";
 *
 * const pairs = [1, 2, 3, 4].map((n) => ({
 *   prompt: [{ role: "user", content: `${n}+${n}=` }],
 *   chosen: [{ role: "assistant", content: `${2 * n}` }],
 *   rejected: [{ role: "assistant", content: `${2 * n + 1}` }],
 *   kind: "text" as const,
 *   source: { file: "mem", row: n },
 * }));
 * const data = await tokenize(pairs, { tokenizer: new ByteTokenizer(), template: "plain" });
 * const { train } = splitTrainEval(data.pairs, { evalSize: 1, seed: 0 });
 * const [first] = batchOrder(train.map(pairLength), { pairsPerBatch: 2, seed: 0 });
 * const batch = makeBatch(train, first, { padTokenId: data.padTokenId });
 * console.log(batch.rows, batch.length); // 4 rows (2 chosen, 2 rejected), T = longest input
 * ```
 *
 * @module
 */
import { DataError } from "../datasets/formats.ts";
import type { Message, PreferencePair, RowSource } from "../datasets/types.ts";
import {
  ByteTokenizer,
  encodePromptResponse,
  renderConversation,
  type TextTokenizer,
  TokenizerError,
} from "../model/tokenizer.ts";
import { atomicWrite } from "../model/safetensors.ts";
import { Rng } from "../util/rng.ts";
import { commonPrefixLength } from "../util/text.ts";
import type { StageContext } from "./stage.ts";

// ---------------------------------------------------------------------------------------------
// Types

/**
 * How text pairs are rendered: `"auto"` renders conversational pairs (`kind: "chat"`: TRL's
 * conversational format, ShareGPT, Alpaca, HH) by the tokenizer's chat template when it has one
 * and standard pairs (`kind: "text"`: TRL's string format) as given, as TRL does; `"template"`
 * renders every pair by the template (and requires one); `"plain"` never uses one.
 *
 * @example
 * ```ts
 * import type { TemplateMode } from "./tokenize.ts";
 * const mode: TemplateMode = "auto";
 * ```
 */
export type TemplateMode = "auto" | "template" | "plain";

/**
 * Options of {@linkcode renderPair} and {@linkcode encodePair}: how text becomes ids.
 *
 * @example
 * ```ts
 * import type { RenderOptions } from "./tokenize.ts";
 * const opts: RenderOptions = { template: "plain", separator: "\n" };
 * ```
 */
export interface RenderOptions {
  /** Chat template or plain concatenation. Default `"auto"`. */
  template?: TemplateMode;
  /** Plain single-turn text: what goes between prompt and response. Default `""` (as TRL). */
  separator?: string;
  /** Prepend BOS to the prompt unless it already starts with it. Default `false` (as TRL for
   * decoder-only models: a template that wants BOS writes it). Ignored for `ids` pairs. */
  addBos?: boolean;
}

/**
 * Length limits. All are optional; without them nothing is truncated.
 *
 * @example
 * ```ts
 * import type { TruncationOptions } from "./tokenize.ts";
 * const limits: TruncationOptions = { maxLength: 512, maxPromptLength: 128 };
 * ```
 */
export interface TruncationOptions {
  /** Most tokens of prompt + longest response. */
  maxLength?: number;
  /** Most tokens of the prompt (it keeps its end). */
  maxPromptLength?: number;
  /** Most tokens of each response (it keeps its start), before `maxLength` applies. */
  maxCompletionLength?: number;
}

/**
 * The prompt limit a run uses when none is given: half of `maxLength` (TRL's 512 of 1024), so a
 * long prompt keeps its end instead of its row being dropped; none without `maxLength`.
 *
 * @example
 * ```ts
 * import { defaultPromptLength } from "./tokenize.ts";
 * console.log(defaultPromptLength(512), defaultPromptLength(undefined)); // 256 undefined
 * ```
 */
export function defaultPromptLength(maxLength: number | undefined): number | undefined {
  return maxLength === undefined ? undefined : Math.max(1, maxLength >> 1);
}

/**
 * Options of the {@linkcode tokenize} stage.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "../model/tokenizer.ts";
 * import type { TokenizeOptions } from "./tokenize.ts";
 * const opts: TokenizeOptions = {
 *   tokenizer: new ByteTokenizer(), // default
 *   template: "auto",               // chat template when there is one
 *   maxLength: 512,                 // prompt + longest response
 *   maxPromptLength: 128,           // the prompt keeps its end
 *   cacheDir: "runs/cache",         // reuse the result when nothing changed
 * };
 * ```
 */
export interface TokenizeOptions extends RenderOptions, TruncationOptions {
  /** The tokenizer. Default: the byte tokenizer (for `ids`-only data: none is needed). */
  tokenizer?: TextTokenizer;
  /** Padding id of the batches. Default: the tokenizer's; `0` for `ids`-only data without one. */
  padTokenId?: number;
  /** The data's EOS id, recorded with the dataset. Default: the tokenizer's; none for `ids`-only
   * data without one (e.g. `2` for Llama-2 vocabularies). */
  eosTokenId?: number | null;
  /** Refuse ids `≥ vocabSize` (the model's vocabulary). Default: no check. */
  vocabSize?: number;
  /** A row that cannot be tokenized (template error, id out of range): `"error"` (default)
   * throws a {@linkcode DataError} naming file and row; `"skip"` drops it and reports why. */
  onError?: "error" | "skip";
  /** A folder for the cache of the result; default none (no cache). */
  cacheDir?: string;
}

/**
 * Which parts of a pair truncation shortened.
 *
 * @example
 * ```ts
 * import type { TruncationFlags } from "./tokenize.ts";
 * const none: TruncationFlags = { prompt: false, chosen: false, rejected: false };
 * ```
 */
export interface TruncationFlags {
  /** The prompt lost its start. */
  prompt: boolean;
  /** The chosen response lost its end, EOS included (as in TRL). */
  chosen: boolean;
  /** The rejected response lost its end, EOS included. */
  rejected: boolean;
}

/**
 * One tokenized pair. `[...prompt, ...chosen]` and `[...prompt, ...rejected]` are the two
 * sequences; each response ends with its EOS (unless an `ids` row gave none).
 *
 * @example
 * ```ts
 * import type { TokenizedPair } from "./tokenize.ts";
 * const pair: TokenizedPair = {
 *   prompt: new Int32Array([81, 58]),
 *   chosen: new Int32Array([65, 257]),
 *   rejected: new Int32Array([66, 257]),
 *   truncated: { prompt: false, chosen: false, rejected: false },
 *   source: { file: "mem", row: 1 },
 * };
 * ```
 */
export interface TokenizedPair {
  /** The prompt's ids (shared by both sequences). */
  prompt: Int32Array;
  /** The chosen response's ids, EOS included. */
  chosen: Int32Array;
  /** The rejected response's ids, EOS included. */
  rejected: Int32Array;
  /** What truncation shortened. */
  truncated: TruncationFlags;
  /** A KTO example's label (`chosen` its response, `rejected` its KL completion); absent: a pair. */
  label?: boolean;
  /** Where the pair came from. */
  source: RowSource;
}

/**
 * A row the tokenize stage left out, and why.
 *
 * @example
 * ```ts
 * import type { DroppedRow } from "./tokenize.ts";
 * const d: DroppedRow = { source: { file: "a.jsonl", row: 3 }, reason: "prompt leaves no room" };
 * ```
 */
export interface DroppedRow {
  /** The row. */
  source: RowSource;
  /** Why it was dropped. */
  reason: string;
}

/**
 * What the tokenize stage did.
 *
 * @example
 * ```ts
 * import type { TokenizeReport } from "./tokenize.ts";
 * const line = (r: TokenizeReport) => `${r.pairs}/${r.rows} pairs, ${r.truncated} truncated`;
 * ```
 */
export interface TokenizeReport {
  /** Input pairs. */
  rows: number;
  /** Output pairs. */
  pairs: number;
  /** Kept pairs that truncation shortened (prompt or a response). */
  truncated: number;
  /** Kept pairs whose prompt lost its start. */
  truncatedPrompts: number;
  /** Kept responses (chosen and rejected counted apart) that lost their end. */
  truncatedResponses: number;
  /** Rows left out (see `droppedRows`). */
  dropped: number;
  /** The rows left out, with reasons. */
  droppedRows: DroppedRow[];
  /** How many pairs went through a chat template, plain concatenation, or as given ids. */
  rendered: { template: number; plain: number; ids: number };
  /** Whether the result came from the cache. */
  cached: boolean;
}

/**
 * The tokenize stage's output.
 *
 * @example
 * ```ts
 * import type { TokenizedDataset } from "./tokenize.ts";
 * const longest = (d: TokenizedDataset) =>
 *   Math.max(...d.pairs.map((p) => p.prompt.length + Math.max(p.chosen.length, p.rejected.length)));
 * ```
 */
export interface TokenizedDataset {
  /** The pairs, in input order (dropped rows left out). */
  pairs: TokenizedPair[];
  /** Counts of truncated and dropped rows. */
  report: TokenizeReport;
  /** Padding id for {@linkcode makeBatch}. */
  padTokenId: number;
  /** The EOS id responses end with, or `null`. */
  eosTokenId: number | null;
  /** The tokenizer's source (`"byte"` or its folder), or `null` for `ids`-only data. */
  tokenizer: string | null;
  /** SHA-256 (hex) of the input pairs, the tokenizer and the options: the cache key, also what
   * later caches (reference log-probs) can key on. */
  key: string;
}

/**
 * The context the stage uses: any {@linkcode StageContext} fits.
 *
 * @example
 * ```ts
 * import type { TokenizeContext } from "./tokenize.ts";
 * const ctx: TokenizeContext = { logger: { info: console.log, warn: console.warn } };
 * ```
 */
export type TokenizeContext = Partial<Pick<StageContext, "logger" | "progress" | "signal">>;

// ---------------------------------------------------------------------------------------------
// Rendering and encoding

/**
 * The texts a pair is tokenized from, and how they were made.
 *
 * @example
 * ```ts
 * import type { RenderedPair } from "./tokenize.ts";
 * const r: RenderedPair = { mode: "plain", prompt: "2+2=", chosen: "4", rejected: "5" };
 * ```
 */
export interface RenderedPair {
  /** `"template"` or `"plain"`. */
  mode: "template" | "plain";
  /** The prompt text (with the generation prompt under a template). */
  prompt: string;
  /** The chosen response's text (what follows the prompt). */
  chosen: string;
  /** The rejected response's text. */
  rejected: string;
}

/**
 * Renders a text or chat pair to the texts that are tokenized (see the module doc for the rules).
 *
 * @param pair A pair of kind `text` or `chat`.
 * @param tokenizer Supplies the chat template.
 * @param options Template mode and separator.
 * @returns The texts.
 * @throws {TypeError} for an `ids` pair; {@linkcode TokenizerError} when the template fails.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "../model/tokenizer.ts";
 * import { renderPair } from "./tokenize.ts";
 * const pair = {
 *   prompt: [{ role: "user", content: "Hi" }],
 *   chosen: [{ role: "assistant", content: "Hello" }],
 *   rejected: [{ role: "assistant", content: "Go away" }],
 *   kind: "chat" as const,
 *   source: { file: "mem", row: 1 },
 * };
 * renderPair(pair, new ByteTokenizer(), { template: "plain" }).prompt; // "User: Hi\n\nAssistant:"
 * renderPair(pair, new ByteTokenizer()).prompt; // "<|bos|><|user|>Hi<|eos|><|assistant|>"
 * ```
 */
export function renderPair(
  pair: PreferencePair,
  tokenizer: TextTokenizer,
  options: RenderOptions = {},
): RenderedPair {
  if (pair.kind === "ids") throw new TypeError("An ids pair has no text to render");
  const mode = options.template ?? "auto";
  checkChoice("template", mode, ["auto", "template", "plain"]);
  // As TRL's maybe_apply_chat_template: in "auto", only conversational pairs take the template;
  // standard (string) pairs are tokenized as given, whatever they already hold.
  const useTemplate = mode === "template" ||
    (mode === "auto" && pair.kind === "chat" && tokenizer.chatTemplate !== null);
  if (useTemplate) {
    const c = renderConversation(tokenizer, { prompt: pair.prompt, response: pair.chosen });
    // An empty rejected side (a KTO example without KL completion) renders no assistant turn, so
    // its prompt would lack the generation prompt: the chosen side alone gives the prompt then.
    const r = pair.rejected.length === 0
      ? { prompt: c.prompt, response: "" }
      : renderConversation(tokenizer, { prompt: pair.prompt, response: pair.rejected });
    // One prompt for both (they differ only where a template's prompt was cut to the part the
    // whole conversations share).
    const prompt = c.prompt.slice(0, commonPrefixLength(c.prompt, r.prompt));
    return {
      mode: "template",
      prompt,
      chosen: c.prompt.slice(prompt.length) + c.response,
      rejected: r.prompt.slice(prompt.length) + r.response,
    };
  }
  // A format's own text (HH transcripts), as TRL tokenizes such rows without a template.
  if (pair.raw) return { mode: "plain", ...pair.raw };
  const singleTurn = pair.kind === "text" && pair.prompt.every((m) => m.role !== "assistant");
  if (singleTurn) {
    const sep = options.separator ?? "";
    const contents = (ms: Message[]) => ms.map((m) => m.content).join("\n\n");
    return {
      mode: "plain",
      prompt: contents(pair.prompt),
      chosen: sep + contents(pair.chosen),
      rejected: sep + contents(pair.rejected),
    };
  }
  const turns = pair.prompt.map((m) => `${roleLabel(m.role)}: ${m.content}`);
  const prompt = [...turns, "Assistant:"].join("\n\n");
  const response = (ms: Message[]) =>
    ms.map((m, i) => (i === 0 ? " " : `\n\n${roleLabel(m.role)}: `) + m.content).join("");
  return {
    mode: "plain",
    prompt,
    chosen: response(pair.chosen),
    rejected: response(pair.rejected),
  };
}

function roleLabel(role: string): string {
  return role.length === 0 ? "Unknown" : role[0].toUpperCase() + role.slice(1);
}

/**
 * A pair's untruncated ids.
 *
 * @example
 * ```ts
 * import type { PairIds } from "./tokenize.ts";
 * const ids: PairIds = { prompt: [81], chosen: [65, 257], rejected: [66, 257], mode: "plain" };
 * ```
 */
export interface PairIds {
  /** The prompt's ids. */
  prompt: number[];
  /** The chosen response's ids, EOS included. */
  chosen: number[];
  /** The rejected response's ids, EOS included. */
  rejected: number[];
  /** How they were made. */
  mode: "template" | "plain" | "ids";
}

/**
 * Encodes one pair without truncation: `ids` pairs as given, others through
 * {@linkcode renderPair} and {@linkcode encodePromptResponse} (prompt and response encoded apart,
 * EOS once, BOS only with `addBos` and never twice).
 *
 * @param pair The pair.
 * @param tokenizer The tokenizer (unused for `ids` pairs).
 * @param options Template mode, separator, BOS.
 * @returns The three id lists.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "../model/tokenizer.ts";
 * import { encodePair } from "./tokenize.ts";
 * const ids = encodePair({
 *   prompt: [{ role: "user", content: "Q" }],
 *   chosen: [{ role: "assistant", content: "A" }],
 *   rejected: [{ role: "assistant", content: "B" }],
 *   kind: "text",
 *   source: { file: "mem", row: 1 },
 * }, new ByteTokenizer(), { template: "plain" });
 * // { prompt: [81], chosen: [65, 257], rejected: [66, 257], mode: "plain" }
 * ```
 */
export function encodePair(
  pair: PreferencePair,
  tokenizer: TextTokenizer,
  options: RenderOptions = {},
): PairIds {
  if (pair.kind === "ids") {
    if (pair.ids === undefined) throw new TypeError("An ids pair must carry ids");
    const { prompt, chosen, rejected } = pair.ids;
    return { prompt: [...prompt], chosen: [...chosen], rejected: [...rejected], mode: "ids" };
  }
  const text = renderPair(pair, tokenizer, options);
  const opts = { addBos: options.addBos ?? false, addEos: true };
  const c = encodePromptResponse(tokenizer, { prompt: text.prompt, response: text.chosen }, opts);
  // The prompt is encoded apart from the response, so its ids are already known: skip it here.
  const r = encodePromptResponse(tokenizer, { prompt: "", response: text.rejected }, {
    addBos: false,
    addEos: true,
  });
  return { prompt: c.prompt, chosen: c.response, rejected: r.response, mode: text.mode };
}

// ---------------------------------------------------------------------------------------------
// Truncation

/**
 * The result of {@linkcode truncatePair}: the kept ids and flags, or why the row is dropped.
 *
 * @example
 * ```ts
 * import type { Truncated } from "./tokenize.ts";
 * const why = (t: Truncated) => t.dropped ?? "kept";
 * ```
 */
export interface Truncated {
  /** The prompt's kept ids (its end). */
  prompt: number[];
  /** The chosen response's kept ids (its start, EOS last). */
  chosen: number[];
  /** The rejected response's kept ids. */
  rejected: number[];
  /** What was shortened. */
  truncated: TruncationFlags;
  /** Set when the row must be dropped: the reason. */
  dropped?: string;
}

/**
 * Applies the truncation policy of the module doc to one pair's ids.
 *
 * @param ids The untruncated ids.
 * @param options The limits.
 * @returns The kept ids, flags, and a reason when the row is dropped.
 *
 * @example
 * ```ts
 * import { truncatePair } from "./tokenize.ts";
 * const t = truncatePair(
 *   { prompt: [1, 2, 3, 4], chosen: [5, 6, 7, 9], rejected: [8, 9] },
 *   { maxLength: 5, maxPromptLength: 2 },
 * );
 * // t.prompt = [3, 4], t.chosen = [5, 6, 7] (cut: no EOS 9), t.rejected = [8, 9]
 * ```
 */
export function truncatePair(
  ids: { prompt: readonly number[]; chosen: readonly number[]; rejected: readonly number[] },
  options: TruncationOptions = {},
): Truncated {
  const { maxLength, maxPromptLength, maxCompletionLength } = options;
  checkLimit("maxLength", maxLength);
  checkLimit("maxPromptLength", maxPromptLength);
  checkLimit("maxCompletionLength", maxCompletionLength);
  const truncated = { prompt: false, chosen: false, rejected: false };
  let prompt = ids.prompt.slice();
  if (maxPromptLength !== undefined && prompt.length > maxPromptLength) {
    prompt = prompt.slice(prompt.length - maxPromptLength);
    truncated.prompt = true;
  }
  const budget = Math.min(
    maxLength === undefined ? Infinity : maxLength - prompt.length,
    maxCompletionLength ?? Infinity,
  );
  let dropped: string | undefined;
  const cut = (response: readonly number[], which: "chosen" | "rejected"): number[] => {
    if (response.length <= budget) return response.slice();
    truncated[which] = true;
    if (budget < 1) {
      dropped ??= `the prompt (${prompt.length} tokens after truncation) leaves no room for the ` +
        `${which} response within maxLength ${maxLength}`;
    }
    return response.slice(0, Math.max(0, budget));
  };
  const chosen = cut(ids.chosen, "chosen");
  const rejected = cut(ids.rejected, "rejected");
  return { prompt, chosen, rejected, truncated, ...(dropped ? { dropped } : {}) };
}

function checkLimit(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The stage

/**
 * The tokenize stage: encodes every pair ({@linkcode encodePair}), truncates it
 * ({@linkcode truncatePair}) and reports truncated and dropped rows. With `cacheDir`, the result
 * is read from the cache when the key (input pairs, tokenizer files and options) matches, and
 * written there atomically otherwise; a corrupt cache file is reported and recomputed.
 *
 * @param pairs The loaded pairs.
 * @param options Tokenizer, rendering, limits, cache.
 * @param ctx Logger (info: summary; warn: dropped rows, cache problems), progress, abort signal.
 * @returns The tokenized dataset.
 * @throws {DataError} for a row that cannot be tokenized (unless `onError: "skip"`), or when
 * every row is dropped.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "../model/tokenizer.ts";
 * import { tokenize } from "./tokenize.ts";
 * const data = await tokenize([{
 *   prompt: [{ role: "user", content: "Hi" }],
 *   chosen: [{ role: "assistant", content: "Hello" }],
 *   rejected: [{ role: "assistant", content: "Bye" }],
 *   kind: "chat",
 *   source: { file: "mem", row: 1 },
 * }], { tokenizer: new ByteTokenizer(), maxLength: 64 });
 * console.log(data.pairs[0].chosen.at(-1)); // 257: EOS
 * ```
 */
export async function tokenize(
  pairs: readonly PreferencePair[],
  options: TokenizeOptions = {},
  ctx: TokenizeContext = {},
): Promise<TokenizedDataset> {
  const onError = options.onError ?? "error";
  checkChoice("onError", onError, ["error", "skip"]);
  checkChoice("template", options.template ?? "auto", ["auto", "template", "plain"]);
  checkLimit("maxLength", options.maxLength);
  checkLimit("maxPromptLength", options.maxPromptLength);
  checkLimit("maxCompletionLength", options.maxCompletionLength);
  const idsOnly = pairs.length > 0 && pairs.every((p) => p.kind === "ids");
  const tokenizer = options.tokenizer ?? (idsOnly ? null : new ByteTokenizer());
  const padTokenId = options.padTokenId ?? tokenizer?.padTokenId ?? 0;
  const eosTokenId = options.eosTokenId !== undefined
    ? options.eosTokenId
    : tokenizer?.eosTokenId ?? null;
  const key = await tokenizeKey(pairs, tokenizer, { ...options, padTokenId, eosTokenId });

  const cachePath = options.cacheDir === undefined
    ? null
    : `${options.cacheDir}/tokenized-${key.slice(0, 16)}.bin`;
  if (cachePath !== null) {
    const hit = await readCache(cachePath, key, ctx);
    if (hit !== null) {
      ctx.logger?.info(`tokenize: ${hit.pairs.length} pairs from the cache ${cachePath}`);
      return hit;
    }
  }

  const report: TokenizeReport = {
    rows: pairs.length,
    pairs: 0,
    truncated: 0,
    truncatedPrompts: 0,
    truncatedResponses: 0,
    dropped: 0,
    droppedRows: [],
    rendered: { template: 0, plain: 0, ids: 0 },
    cached: false,
  };
  const out: TokenizedPair[] = [];
  const progress = ctx.progress?.("tokenize", pairs.length);
  const tok = tokenizer ?? new ByteTokenizer();
  const fail = (source: RowSource, reason: string) => {
    if (onError === "error") throw new DataError({ ...source, reason });
    report.dropped++;
    report.droppedRows.push({ source, reason });
  };
  for (let i = 0; i < pairs.length; i++) {
    if (i % 256 === 0) {
      ctx.signal?.throwIfAborted();
      progress?.update(i);
    }
    const pair = pairs[i];
    let ids: PairIds;
    try {
      ids = encodePair(pair, tok, options);
    } catch (e) {
      if (!(e instanceof TokenizerError || e instanceof TypeError)) throw e;
      fail(pair.source, `cannot tokenize: ${e.message}`);
      continue;
    }
    if (options.vocabSize !== undefined) {
      const bad = firstOutOfRange(ids, options.vocabSize);
      if (bad !== null) {
        fail(
          pair.source,
          `${bad.field} id ${bad.id} is outside the vocabulary 0..` +
            `${options.vocabSize - 1}`,
        );
        continue;
      }
    }
    const t = truncatePair(ids, options);
    if (t.dropped !== undefined) {
      report.dropped++;
      report.droppedRows.push({ source: pair.source, reason: t.dropped });
      continue;
    }
    report.rendered[ids.mode]++;
    const { truncated } = t;
    if (truncated.prompt || truncated.chosen || truncated.rejected) report.truncated++;
    if (truncated.prompt) report.truncatedPrompts++;
    report.truncatedResponses += Number(truncated.chosen) + Number(truncated.rejected);
    out.push({
      prompt: Int32Array.from(t.prompt),
      chosen: Int32Array.from(t.chosen),
      rejected: Int32Array.from(t.rejected),
      truncated,
      ...(pair.label === undefined ? {} : { label: pair.label }),
      source: pair.source,
    });
  }
  progress?.update(pairs.length);
  progress?.end();
  report.pairs = out.length;
  if (out.length === 0 && pairs.length > 0) {
    const why = report.droppedRows[0]?.reason ?? "no rows";
    throw new DataError({
      file: pairs[0].source.file,
      reason: `tokenizing left no pairs of ${pairs.length} (first reason: ${why})`,
    });
  }
  ctx.logger?.info(
    `tokenize: ${out.length} pairs` +
      (report.truncated ? `, ${report.truncated} truncated` : "") +
      (report.dropped ? `, ${report.dropped} dropped` : ""),
  );
  for (const d of report.droppedRows.slice(0, 5)) {
    ctx.logger?.warn(`${d.source.file} row ${d.source.row}: dropped: ${d.reason}`);
  }
  if (report.dropped > 5) ctx.logger?.warn(`… and ${report.dropped - 5} more dropped rows`);

  const dataset: TokenizedDataset = {
    pairs: out,
    report,
    padTokenId,
    eosTokenId,
    tokenizer: tokenizer?.source ?? null,
    key,
  };
  if (cachePath !== null) {
    await Deno.mkdir(options.cacheDir!, { recursive: true });
    await atomicWrite(cachePath, await encodeCache(dataset));
  }
  return dataset;
}

function firstOutOfRange(
  ids: PairIds,
  vocabSize: number,
): { field: string; id: number } | null {
  for (const field of ["prompt", "chosen", "rejected"] as const) {
    for (const id of ids[field]) {
      if (!(id >= 0 && id < vocabSize)) return { field, id };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Split, order, bucketing

/**
 * Options of {@linkcode splitTrainEval}. Give `evalFraction` or `evalSize` (not both).
 *
 * @example
 * ```ts
 * import type { SplitOptions } from "./tokenize.ts";
 * const opts: SplitOptions = { evalFraction: 0.05, seed: 1234 };
 * ```
 */
export interface SplitOptions {
  /** Share of items held out, in [0, 1): rounded to the nearest count. */
  evalFraction?: number;
  /** Exact number of items held out. */
  evalSize?: number;
  /** Seed of the draw. Default `0`. */
  seed?: number;
}

/**
 * A train/eval split: the items, and their indices in the input.
 *
 * @example
 * ```ts
 * import type { Split } from "./tokenize.ts";
 * const sizes = (s: Split<unknown>) => [s.train.length, s.eval.length];
 * ```
 */
export interface Split<T> {
  /** Training items, in input order. */
  train: T[];
  /** Held-out items, in input order. */
  eval: T[];
  /** Input indices of `train`. */
  trainIndices: number[];
  /** Input indices of `eval`. */
  evalIndices: number[];
}

/**
 * A deterministic split: the same seed and item count always hold out the same positions. The
 * two parts are disjoint, cover the input, and keep input order.
 *
 * @param items Pairs (before or after tokenizing).
 * @param options How many to hold out and the seed.
 * @returns The split.
 *
 * @example
 * ```ts
 * import { splitTrainEval } from "./tokenize.ts";
 * const { train, eval: held } = splitTrainEval([..."abcdefghij"], { evalSize: 2, seed: 7 });
 * console.log(train.length, held.length); // 8 2
 * ```
 */
export function splitTrainEval<T>(items: readonly T[], options: SplitOptions = {}): Split<T> {
  const n = items.length;
  if (options.evalFraction !== undefined && options.evalSize !== undefined) {
    throw new TypeError("Give evalFraction or evalSize, not both");
  }
  let k = 0;
  if (options.evalFraction !== undefined) {
    const f = options.evalFraction;
    if (!(f >= 0 && f < 1)) throw new RangeError(`evalFraction must be in [0, 1), got ${f}`);
    k = Math.round(f * n);
  } else if (options.evalSize !== undefined) {
    const s = options.evalSize;
    if (!Number.isInteger(s) || s < 0 || s > n) {
      throw new RangeError(`evalSize must be an integer in [0, ${n}], got ${s}`);
    }
    k = s;
  }
  // A fixed salt keeps this draw apart from the epoch orders made from the same seed.
  const perm = new Rng((options.seed ?? 0) ^ 0x51_17_5e_ed).shuffle(range(n));
  const held = new Uint8Array(n);
  for (let i = 0; i < k; i++) held[perm[i]] = 1;
  const trainIndices: number[] = [];
  const evalIndices: number[] = [];
  for (let i = 0; i < n; i++) (held[i] ? evalIndices : trainIndices).push(i);
  return {
    train: trainIndices.map((i) => items[i]),
    eval: evalIndices.map((i) => items[i]),
    trainIndices,
    evalIndices,
  };
}

/**
 * The order of `n` items in one epoch: a permutation drawn from `(seed, epoch)`. Each epoch has
 * its own order, and the same `(seed, epoch)` always gives the same one, so resuming at an epoch
 * needs only the seed.
 *
 * @param n Item count.
 * @param seed Run seed.
 * @param epoch 0-based epoch.
 * @returns A permutation of `0..n`.
 *
 * @example
 * ```ts
 * import { epochOrder } from "./tokenize.ts";
 * const a = epochOrder(5, 42, 0), b = epochOrder(5, 42, 1);
 * console.log(a.toString() === epochOrder(5, 42, 0).toString()); // true
 * ```
 */
export function epochOrder(n: number, seed: number, epoch: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be an integer ≥ 0, got ${n}`);
  return epochRng(seed, epoch).shuffle(range(n));
}

/** A generator for one epoch: the epoch-th draw of a generator seeded with `seed`. */
function epochRng(seed: number, epoch: number): Rng {
  if (!Number.isInteger(epoch) || epoch < 0) {
    throw new RangeError(`epoch must be an integer ≥ 0, got ${epoch}`);
  }
  const seeds = new Rng(seed);
  let s = 0;
  for (let e = 0; e <= epoch; e++) s = seeds.nextU32();
  return new Rng(s);
}

/**
 * Options of {@linkcode batchOrder}.
 *
 * @example
 * ```ts
 * import type { BatchOrderOptions } from "./tokenize.ts";
 * const opts: BatchOrderOptions = { pairsPerBatch: 8, seed: 0, epoch: 3, bucketWindow: 16 };
 * ```
 */
export interface BatchOrderOptions {
  /** P: pairs per batch. */
  pairsPerBatch: number;
  /** Run seed. Default `0`. */
  seed?: number;
  /** 0-based epoch. Default `0`. */
  epoch?: number;
  /**
   * Length bucketing: the epoch order is cut into windows of `bucketWindow · P` pairs, each
   * window is sorted by length (ties keep the shuffled order) and cut into batches, and the
   * batches are shuffled (seeded). Pairs of a batch then have similar lengths, which cuts
   * padding. Default `0`: off.
   */
  bucketWindow?: number;
  /** Leave out a last batch with fewer than P pairs. Default `false`. */
  dropLast?: boolean;
}

/**
 * The batches of one epoch, as lists of pair indices.
 *
 * @param lengths Each pair's length (e.g. {@linkcode pairLength}); only bucketing reads the
 *   values, the count is the number of pairs.
 * @param options Batch size, seed, epoch, bucketing.
 * @returns One index list per batch.
 *
 * @example
 * ```ts
 * import { batchOrder } from "./tokenize.ts";
 * const batches = batchOrder([5, 50, 6, 51], { pairsPerBatch: 2, bucketWindow: 2 });
 * // two batches: {0, 2} (short) and {1, 3} (long), in a seeded order
 * ```
 */
export function batchOrder(lengths: ArrayLike<number>, options: BatchOrderOptions): number[][] {
  const p = options.pairsPerBatch;
  if (!Number.isInteger(p) || p < 1) {
    throw new RangeError(`pairsPerBatch must be a positive integer, got ${p}`);
  }
  const window = options.bucketWindow ?? 0;
  if (!Number.isInteger(window) || window < 0) {
    throw new RangeError(`bucketWindow must be an integer ≥ 0, got ${window}`);
  }
  const rng = epochRng(options.seed ?? 0, options.epoch ?? 0);
  const order = rng.shuffle(range(lengths.length));
  let batches: number[][] = [];
  if (window === 0) {
    for (let i = 0; i < order.length; i += p) batches.push(order.slice(i, i + p));
  } else {
    for (let w = 0; w < order.length; w += window * p) {
      // Array.prototype.sort is stable: equal lengths keep their shuffled order.
      const chunk = order.slice(w, w + window * p).sort((a, b) => lengths[a] - lengths[b]);
      for (let i = 0; i < chunk.length; i += p) batches.push(chunk.slice(i, i + p));
    }
    // The short last batch of each window would otherwise be mid-epoch; keep full ones apart.
    const full = batches.filter((b) => b.length === p);
    const partial = batches.filter((b) => b.length < p).flat();
    batches = rng.shuffle(full);
    for (let i = 0; i < partial.length; i += p) batches.push(partial.slice(i, i + p));
  }
  if (options.dropLast && batches.length > 0 && batches.at(-1)!.length < p) batches.pop();
  return batches;
}

/**
 * A pair's longest sequence: prompt + the longer response (what bucketing sorts by).
 *
 * @example
 * ```ts
 * import { pairLength } from "./tokenize.ts";
 * pairLength({ prompt: new Int32Array(3), chosen: new Int32Array(2), rejected: new Int32Array(5) }); // 8
 * ```
 */
export function pairLength(pair: Pick<TokenizedPair, "prompt" | "chosen" | "rejected">): number {
  return pair.prompt.length + Math.max(pair.chosen.length, pair.rejected.length);
}

// ---------------------------------------------------------------------------------------------
// Batches

/**
 * One training batch of P pairs: B = 2P rows, `[chosen(P); rejected(P)]`, padded on the right to
 * T. Row-major (B, T) arrays: element `[b, t]` is at `b·T + t`.
 *
 * For pair `i = indices[j]` row `b` is `j` (chosen) or `P + j` (rejected), and its sequence is
 * `seq = prompt ++ response` with `len = |seq|`. Then, for `t < len − 1`:
 *
 * - `tokens[b, t] = seq[t]` (the inputs are `seq[0 .. len−1)`),
 * - `targets[b, t] = seq[t + 1]` when `t + 1 ≥ |prompt|` (the target is a response token,
 *   its EOS included), else `−1`,
 * - `mask[b, t] = 1` exactly where `targets[b, t] ≥ 0`, i.e. `|prompt| − 1 ≤ t < len − 1`;
 *
 * and for `t ≥ len − 1` (padding): `tokens = padTokenId`, `targets = −1`, `mask = 0`.
 * `lengths[b] = len − 1` (the valid input positions). So the sum of a row's mask is
 * `|response|`, and `Σ_t mask·logp(targets)` is the response's log-probability given the prompt.
 * (With an empty prompt nothing predicts the first response token; its mask sum is one less.)
 * T is the largest `len − 1` of the batch, rounded up to `padToMultiple` (but not past `maxLength`).
 *
 * @example
 * ```ts
 * import type { Batch } from "./tokenize.ts";
 * const at = (b: Batch, row: number, t: number) => b.tokens[row * b.length + t];
 * ```
 */
export interface Batch {
  /** P: pairs in the batch. */
  pairs: number;
  /** B = 2P: rows. */
  rows: number;
  /** T: padded row length. */
  length: number;
  /** (B, T) input token ids. */
  tokens: Int32Array;
  /** (B, T) next-token targets; `−1` where ignored (prompt and padding). */
  targets: Int32Array;
  /** (B, T) `1` on response targets (EOS included), else `0`. */
  mask: Float32Array;
  /** (B,) valid input positions of each row (`len − 1`). */
  lengths: Int32Array;
  /** (B,) prompt tokens of each row. */
  promptLengths: Int32Array;
  /** (P,) the pair indices (into the array given to {@linkcode makeBatch}). */
  indices: number[];
  /** (P,) KTO examples' labels (1 desirable, 0 undesirable); absent for pairs. */
  labels?: Float32Array;
}

/**
 * Options of {@linkcode makeBatch}.
 *
 * @example
 * ```ts
 * import type { BatchOptions } from "./tokenize.ts";
 * const opts: BatchOptions = { padTokenId: 50256, padToMultiple: 8 };
 * ```
 */
export interface BatchOptions {
  /** The id written on padded positions (masked; any valid id). */
  padTokenId: number;
  /** Round T up to a multiple of this. Default `1`. */
  padToMultiple?: number;
  /**
   * Never pad T past this (e.g. the model's positions): the rounding stops here, though T is never
   * less than the longest row. Default: no cap.
   */
  maxLength?: number;
}

/**
 * Builds the {@linkcode Batch} of the given pairs (layout documented there).
 *
 * @param pairs The dataset's pairs.
 * @param indices The pairs of this batch (P of them).
 * @param options Padding id and T rounding.
 * @returns The batch.
 *
 * @example
 * ```ts
 * import { makeBatch } from "./tokenize.ts";
 * const pair = {
 *   prompt: new Int32Array([10, 11]),
 *   chosen: new Int32Array([20, 2]),
 *   rejected: new Int32Array([30, 31, 2]),
 *   truncated: { prompt: false, chosen: false, rejected: false },
 *   source: { file: "mem", row: 1 },
 * };
 * const b = makeBatch([pair], [0], { padTokenId: 0 });
 * // b.length = 4; row 0: tokens [10, 11, 20, 0], targets [-1, 20, 2, -1], mask [0, 1, 1, 0]
 * // row 1: tokens [10, 11, 30, 31], targets [-1, 30, 31, 2], mask [0, 1, 1, 1]
 * ```
 */
export function makeBatch(
  pairs: readonly Pick<TokenizedPair, "prompt" | "chosen" | "rejected" | "label">[],
  indices: readonly number[],
  options: BatchOptions,
): Batch {
  const p = indices.length;
  if (p === 0) throw new RangeError("A batch needs at least one pair");
  const multiple = options.padToMultiple ?? 1;
  if (!Number.isInteger(multiple) || multiple < 1) {
    throw new RangeError(`padToMultiple must be a positive integer, got ${multiple}`);
  }
  const rows = 2 * p;
  const seqs: { prompt: Int32Array; response: Int32Array }[] = new Array(rows);
  for (let j = 0; j < p; j++) {
    const pair = pairs[indices[j]];
    if (pair === undefined) throw new RangeError(`Pair index ${indices[j]} is out of range`);
    seqs[j] = { prompt: pair.prompt, response: pair.chosen };
    seqs[p + j] = { prompt: pair.prompt, response: pair.rejected };
  }
  let longest = 1;
  for (const s of seqs) longest = Math.max(longest, s.prompt.length + s.response.length - 1);
  const T = Math.max(
    longest,
    Math.min(Math.ceil(longest / multiple) * multiple, options.maxLength ?? Infinity),
  );
  const tokens = new Int32Array(rows * T).fill(options.padTokenId);
  const targets = new Int32Array(rows * T).fill(-1);
  const mask = new Float32Array(rows * T);
  const lengths = new Int32Array(rows);
  const promptLengths = new Int32Array(rows);
  for (let b = 0; b < rows; b++) {
    const { prompt, response } = seqs[b];
    const np = prompt.length;
    const len = np + response.length;
    const at = (t: number) => (t < np ? prompt[t] : response[t - np]);
    const base = b * T;
    for (let t = 0; t < len - 1; t++) {
      tokens[base + t] = at(t);
      if (t + 1 >= np) {
        targets[base + t] = at(t + 1);
        mask[base + t] = 1;
      }
    }
    lengths[b] = Math.max(0, len - 1);
    promptLengths[b] = np;
  }
  const labelled = indices.map((i) => pairs[i].label);
  const kto = labelled.some((l) => l !== undefined);
  if (kto && labelled.some((l) => l === undefined)) {
    throw new RangeError("A batch mixes KTO examples (labelled) and preference pairs");
  }
  return {
    pairs: p,
    rows,
    length: T,
    tokens,
    targets,
    mask,
    lengths,
    promptLengths,
    indices: [...indices],
    ...(kto ? { labels: Float32Array.from(labelled, (l) => (l ? 1 : 0)) } : {}),
  };
}

/**
 * Options of {@linkcode batches}.
 *
 * @example
 * ```ts
 * import type { BatchesOptions } from "./tokenize.ts";
 * const opts: BatchesOptions = { pairsPerBatch: 4, epoch: 0, bucketWindow: 8, padToMultiple: 8 };
 * ```
 */
export interface BatchesOptions
  extends Omit<BatchOrderOptions, "pairsPerBatch">, Partial<BatchOptions> {
  /** P: pairs per batch. */
  pairsPerBatch: number;
}

/**
 * The batches of one epoch of a tokenized dataset: {@linkcode batchOrder} then
 * {@linkcode makeBatch}, built lazily.
 *
 * @param dataset The tokenized dataset (or a split of its pairs with its padding id).
 * @param options Batch size, seed, epoch, bucketing, padding.
 * @returns The batches, in order.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "../model/tokenizer.ts";
 * import { batches, tokenize } from "./tokenize.ts";
 * const data = await tokenize([{
 *   prompt: [{ role: "user", content: "Hi" }],
 *   chosen: [{ role: "assistant", content: "Hello" }],
 *   rejected: [{ role: "assistant", content: "Bye" }],
 *   kind: "chat",
 *   source: { file: "mem", row: 1 },
 * }], { tokenizer: new ByteTokenizer() });
 * for (const batch of batches(data, { pairsPerBatch: 1, epoch: 0 })) console.log(batch.rows); // 2
 * ```
 */
export function* batches(
  dataset: Pick<TokenizedDataset, "pairs" | "padTokenId">,
  options: BatchesOptions,
): Generator<Batch> {
  const order = batchOrder(dataset.pairs.map(pairLength), options);
  const padTokenId = options.padTokenId ?? dataset.padTokenId;
  for (const indices of order) {
    yield makeBatch(dataset.pairs, indices, { padTokenId, padToMultiple: options.padToMultiple });
  }
}

// ---------------------------------------------------------------------------------------------
// Cache

/** Bump when the cache layout or the tokenization rules change. */
// 2: standard rows as given in auto mode, cut responses lose EOS; 3: HH text kept; 4: an empty
// rejected side (KTO examples without KL completion) no longer shortens a templated prompt
const CACHE_VERSION = 4;
const MAGIC = new TextEncoder().encode("DPOTOKv1");

/**
 * The cache key: SHA-256 (hex) of the input pairs, the tokenizer (its files, chat template and
 * special ids) and every option that changes the result.
 *
 * @param pairs The input pairs.
 * @param tokenizer The tokenizer, or `null` for ids-only data.
 * @param options The tokenize options.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "../model/tokenizer.ts";
 * import { tokenizeKey } from "./tokenize.ts";
 * const key = await tokenizeKey([], new ByteTokenizer(), { maxLength: 512 });
 * console.log(key.length); // 64
 * ```
 */
export async function tokenizeKey(
  pairs: readonly PreferencePair[],
  tokenizer: TextTokenizer | null,
  options: TokenizeOptions,
): Promise<string> {
  const tok = tokenizer === null ? null : {
    source: tokenizer.source,
    files: Object.entries(tokenizer.files()).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    chatTemplate: tokenizer.chatTemplate,
    special: [tokenizer.bosTokenId, tokenizer.eosTokenId, tokenizer.padTokenId],
  };
  const opts = {
    template: options.template ?? "auto",
    separator: options.separator ?? "",
    addBos: options.addBos ?? false,
    maxLength: options.maxLength ?? null,
    maxPromptLength: options.maxPromptLength ?? null,
    // Only when set: caches written before the option existed keep their keys.
    ...(options.maxCompletionLength ? { maxCompletionLength: options.maxCompletionLength } : {}),
    padTokenId: options.padTokenId ?? null,
    eosTokenId: options.eosTokenId ?? null,
    vocabSize: options.vocabSize ?? null,
    onError: options.onError ?? "error",
  };
  // Hash the three parts apart, then together: no one giant string of everything.
  const parts = await Promise.all([
    sha256(JSON.stringify({ version: CACHE_VERSION, opts })),
    sha256(JSON.stringify(tok)),
    sha256(JSON.stringify(pairs)),
  ]);
  return await sha256(parts.join(":"));
}

async function sha256(text: string | Uint8Array): Promise<string> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

interface CacheHeader {
  version: number;
  key: string;
  padTokenId: number;
  eosTokenId: number | null;
  tokenizer: string | null;
  report: TokenizeReport;
  files: string[];
  /**
   * Per pair: [file index, row, prompt length, chosen length, rejected length, flag bits]: 1, 2, 4
   * truncated prompt, chosen, rejected; 8 a KTO example, 16 its label.
   */
  rows: [number, number, number, number, number, number][];
}

/**
 * Layout: `"DPOTOKv1"`, u32 LE header length H, H bytes of header JSON, zero padding to a
 * multiple of 4, the ids as i32 LE (per pair: prompt, chosen, rejected), then the SHA-256 of all
 * the bytes before it (to detect a corrupt or cut file).
 */
async function encodeCache(d: TokenizedDataset): Promise<Uint8Array> {
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  let total = 0;
  const rows = d.pairs.map((p): CacheHeader["rows"][number] => {
    let f = fileIndex.get(p.source.file);
    if (f === undefined) {
      f = files.push(p.source.file) - 1;
      fileIndex.set(p.source.file, f);
    }
    total += p.prompt.length + p.chosen.length + p.rejected.length;
    const flags = Number(p.truncated.prompt) | Number(p.truncated.chosen) << 1 |
      Number(p.truncated.rejected) << 2 | Number(p.label !== undefined) << 3 |
      Number(p.label === true) << 4;
    return [f, p.source.row, p.prompt.length, p.chosen.length, p.rejected.length, flags];
  });
  const header: CacheHeader = {
    version: CACHE_VERSION,
    key: d.key,
    padTokenId: d.padTokenId,
    eosTokenId: d.eosTokenId,
    tokenizer: d.tokenizer,
    report: { ...d.report, cached: false },
    files,
    rows,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const idsOffset = align4(MAGIC.length + 4 + json.length);
  const size = idsOffset + 4 * total + 32;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(MAGIC.length, json.length, true);
  bytes.set(json, MAGIC.length + 4);
  let o = idsOffset;
  for (const p of d.pairs) {
    for (const part of [p.prompt, p.chosen, p.rejected]) {
      for (let i = 0; i < part.length; i++, o += 4) view.setInt32(o, part[i], true);
    }
  }
  const digest = await crypto.subtle.digest("SHA-256", bytes.subarray(0, size - 32));
  bytes.set(new Uint8Array(digest), size - 32);
  return bytes;
}

/** The cached dataset, or `null` (missing, another key, or corrupt: then a warning). */
async function readCache(
  path: string,
  key: string,
  ctx: TokenizeContext,
): Promise<TokenizedDataset | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    return await decodeCache(bytes, key);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    ctx.logger?.warn(`${path}: the tokenize cache is unusable (${why}); recomputing`);
    return null;
  }
}

async function decodeCache(bytes: Uint8Array, key: string): Promise<TokenizedDataset> {
  const size = bytes.length;
  if (size < MAGIC.length + 4 + 32 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error("not a tokenize cache file");
  }
  const body = bytes.subarray(0, size - 32);
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>),
  );
  if (digest.some((b, i) => bytes[size - 32 + i] !== b)) throw new Error("checksum mismatch");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength)),
  ) as CacheHeader;
  if (header.version !== CACHE_VERSION) throw new Error(`version ${header.version}`);
  if (header.key !== key) throw new Error("key mismatch");
  let o = align4(MAGIC.length + 4 + headerLength);
  const read = (n: number) => {
    if (o + 4 * n > size - 32) throw new Error("ids cut short");
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++, o += 4) out[i] = view.getInt32(o, true);
    return out;
  };
  const pairs: TokenizedPair[] = header.rows.map(([f, row, np, nc, nr, flags]) => ({
    prompt: read(np),
    chosen: read(nc),
    rejected: read(nr),
    truncated: {
      prompt: (flags & 1) !== 0,
      chosen: (flags & 2) !== 0,
      rejected: (flags & 4) !== 0,
    },
    ...((flags & 8) !== 0 ? { label: (flags & 16) !== 0 } : {}),
    source: { file: header.files[f], row },
  }));
  if (o !== size - 32) throw new Error("unexpected trailing bytes");
  return {
    pairs,
    report: { ...header.report, cached: true },
    padTokenId: header.padTokenId,
    eosTokenId: header.eosTokenId,
    tokenizer: header.tokenizer,
    key,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function align4(n: number): number {
  return (n + 3) & ~3;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function checkChoice(name: string, value: string, choices: readonly string[]): void {
  if (!choices.includes(value)) {
    throw new RangeError(
      `${name} must be one of ${choices.map((c) => `"${c}"`).join(", ")}, got "${value}"`,
    );
  }
}
