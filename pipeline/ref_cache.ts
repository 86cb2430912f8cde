/**
 * The ref-cache stage: the frozen reference model's sequence log-probs of every pair's chosen and
 * rejected response, computed once (forward only, batched) and cached on disk, so training holds
 * one model.
 *
 * The cache is a safetensors file (`chosen_logps`, `rejected_logps`, both (n,) f32) whose
 * metadata holds its key: a SHA-256 of the reference weights, the tokenized data (which covers the
 * tokenizer and the truncation options) and the batch shape. A matching cache is reused; any change
 * to those inputs recomputes; a corrupt or truncated file is detected and recomputed.
 *
 * @module
 */
import type { ModelConfig } from "../model/config.ts";
import type { QuantKind } from "../kernels/quantize.ts";
import type { ParamValues } from "../model/params.ts";
import { readSafetensors, SafetensorsError, writeSafetensors } from "../model/safetensors.ts";
import { type LoraOptions, Transformer } from "../model/transformer.ts";
import { loraScale } from "../model/lora.ts";
import { longestPair, scorePairs } from "./score.ts";
import type { StageContext } from "./stage.ts";
import type { TokenizedDataset } from "./tokenize.ts";

/** Reference log-probs aligned with a dataset's pairs. */
export interface RefLogps {
  /** (n,) log π_ref(chosen | prompt) of each pair. */
  chosen: Float32Array;
  /** (n,) log π_ref(rejected | prompt). */
  rejected: Float32Array;
  /** The cache key. */
  key: string;
  /** Whether it came from the cache. */
  reused: boolean;
}

/** A model to compute reference log-probs with, and the hash of its weights. */
export interface ReferenceSource {
  /** Architecture. */
  config: ModelConfig;
  /** Weights, loaded only when the cache cannot serve (a thunk keeps the cache path free). */
  params: () => Promise<ParamValues>;
  /** SHA-256 (hex) of the weights: see {@linkcode hashParams} and {@linkcode hashModelDir}. */
  weightsHash: string;
  /** Hold its projections compactly, as a quantized run's frozen base is (part of the key). */
  quantize?: QuantKind;
  /** LoRA adapters on `params` (inference; their values are part of the key). */
  lora?: LoraOptions;
}

/** Options of {@linkcode refCache}. */
export interface RefCacheOptions {
  /** Folder of cache files; no caching when absent. */
  cacheDir?: string;
  /** Pairs per forward batch. Default 8. */
  pairsPerBatch?: number;
}

/**
 * Computes (or reads from the cache) the reference log-probs of every pair of a dataset.
 *
 * @example
 * ```ts
 * import { hashParams, refCache } from "./ref_cache.ts";
 * // const ref = await refCache({ dataset, reference: { config, params: async () => params,
 * //   weightsHash: await hashParams(params) } }, { cacheDir: "runs/cache" }, ctx);
 * ```
 */
export async function refCache(
  input: { dataset: TokenizedDataset; reference: ReferenceSource },
  options: RefCacheOptions,
  ctx: StageContext,
): Promise<RefLogps> {
  const { dataset, reference } = input;
  const pairsPerBatch = options.pairsPerBatch ?? 8;
  const n = dataset.pairs.length;
  const key = await sha256Hex(
    JSON.stringify({
      v: 2,
      weights: reference.weightsHash,
      ...(reference.quantize ? { quantize: reference.quantize } : {}),
      // (its scale and kind too: the same tensors under another α give another model)
      ...(reference.lora
        ? {
          adapter: await hashParams(reference.lora.adapters ?? new Map()),
          scale: loraScale(reference.lora),
          dora: reference.lora.dora ?? false,
        }
        : {}),
      config: reference.config,
      data: dataset.key,
      pairsPerBatch,
    }),
  );
  const file = options.cacheDir
    ? `${options.cacheDir}/ref-logps-${key.slice(0, 16)}.safetensors`
    : null;
  if (file) {
    const cached = await readCache(file, key, n, ctx);
    if (cached) {
      ctx.logger.info(`ref-cache: reusing ${file} (${n} pairs)`);
      return { ...cached, key, reused: true };
    }
  }
  ctx.logger.info(`ref-cache: computing reference log-probs of ${n} pairs`);
  const gpu = await ctx.gpu();
  const params = await reference.params();
  const model = Transformer.create(gpu, reference.config, params, {
    maxBatch: 2 * pairsPerBatch,
    maxSeqLen: Math.min(reference.config.maxPositions, longestPair(dataset.pairs)),
    inference: true,
    quantize: reference.quantize,
    lora: reference.lora,
  });
  const progress = ctx.progress("ref-cache", n);
  let chosen: Float32Array, rejected: Float32Array;
  try {
    ({ chosen, rejected } = await scorePairs(model, dataset.pairs, {
      pairsPerBatch,
      padTokenId: dataset.padTokenId,
      onProgress: (done) => progress.update(done),
      signal: ctx.signal,
    }));
  } finally {
    progress.end();
    model.release();
    gpu.pool.trim();
  }
  const bad = [...chosen, ...rejected].findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) {
    const pair = dataset.pairs[bad % n];
    throw new RangeError(
      `ref-cache: the reference gives a non-finite log-prob for ${pair.source.file} row ${pair.source.row}`,
    );
  }
  if (file) {
    await Deno.mkdir(options.cacheDir!, { recursive: true });
    await writeSafetensors(file, {
      chosen_logps: { shape: [n], data: chosen },
      rejected_logps: { shape: [n], data: rejected },
    }, { metadata: { key, pairs: String(n) } });
    ctx.logger.info(`ref-cache: wrote ${file}`);
  }
  return { chosen, rejected, key, reused: false };
}

async function readCache(
  file: string,
  key: string,
  n: number,
  ctx: StageContext,
): Promise<{ chosen: Float32Array; rejected: Float32Array } | null> {
  try {
    await Deno.stat(file);
  } catch {
    return null;
  }
  try {
    const { tensors, metadata } = await readSafetensors(file);
    const chosen = tensors.get("chosen_logps")?.data,
      rejected = tensors.get("rejected_logps")?.data;
    if (
      metadata.key !== key || !chosen || !rejected || chosen.length !== n || rejected.length !== n
    ) {
      ctx.logger.warn(`ref-cache: ${file} does not match this run; recomputing`);
      return null;
    }
    if (![...chosen, ...rejected].every(Number.isFinite)) {
      ctx.logger.warn(`ref-cache: ${file} holds non-finite values; recomputing`);
      return null;
    }
    return { chosen, rejected };
  } catch (e) {
    if (!(e instanceof SafetensorsError)) throw e;
    ctx.logger.warn(`ref-cache: ${file} is damaged (${e.message}); recomputing`);
    return null;
  }
}

/** Models past this many bytes hash tensor by tensor (see {@linkcode hashParams}). */
const WHOLE_HASH_BYTES = 2 ** 31;

/**
 * SHA-256 (hex) of a model's parameters (names, shapes and bytes, in name order). Up to 2 GiB:
 * of all of them in one buffer; past that (a copy that size would not fit beside the model) of
 * the names and each tensor's own SHA-256, so no copy is made.
 *
 * @example
 * ```ts
 * import { hashParams } from "./ref_cache.ts";
 * const h = await hashParams(new Map([["w", new Float32Array([1, 2])]]));
 * ```
 */
export async function hashParams(
  params: ParamValues,
  options: { wholeBytes?: number } = {},
): Promise<string> {
  const names = [...params.keys()].sort();
  const header = new TextEncoder().encode(
    JSON.stringify(names.map((k) => [k, params.get(k)!.length])),
  );
  let total = header.length;
  for (const k of names) total += params.get(k)!.byteLength;
  if (total > (options.wholeBytes ?? WHOLE_HASH_BYTES)) {
    const parts = await Promise.all(
      names.map((k) =>
        crypto.subtle.digest("SHA-256", params.get(k)! as Float32Array<ArrayBuffer>)
      ),
    );
    const all = new Uint8Array(header.length + 32 * parts.length);
    all.set(header);
    parts.forEach((p, i) => all.set(new Uint8Array(p), header.length + 32 * i));
    return toHex(await crypto.subtle.digest("SHA-256", all));
  }
  const all = new Uint8Array(total);
  all.set(header);
  let at = header.length;
  for (const k of names) {
    const d = params.get(k)!;
    all.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return toHex(await crypto.subtle.digest("SHA-256", all));
}

/**
 * SHA-256 (hex) of a model folder's `config.json` and weight files, without loading the model.
 *
 * @example
 * ```ts
 * import { hashModelDir } from "./ref_cache.ts";
 * const h = await hashModelDir("../shared/data/stories260K");
 * ```
 */
export async function hashModelDir(dir: string): Promise<string> {
  const names = [...Deno.readDirSync(dir)]
    .map((e) => e.name)
    .filter((n) =>
      n === "config.json" || n.endsWith(".safetensors") || n === "model.safetensors.index.json"
    )
    .sort();
  const parts: string[] = [];
  for (const name of names) {
    parts.push(
      `${name}:${
        toHex(await crypto.subtle.digest("SHA-256", await Deno.readFile(`${dir}/${name}`)))
      }`,
    );
  }
  return await sha256Hex(parts.join("\n"));
}

async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function toHex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
