/**
 * Random token batches and preference pairs for the tests.
 *
 * @module
 */
import type { ModelConfig } from "../model/config.ts";
import { initParams, internalParams, type ParamValues } from "../model/params.ts";
import type { RefBatch } from "../model/reference_model.ts";
import { type DeviceBatch, uploadBatch } from "../model/transformer.ts";
import type { Gpu } from "../kernels/gpu.ts";
import type { TokenizedPair } from "../pipeline/tokenize.ts";
import { Rng } from "../util/rng.ts";

/**
 * Weights (std 0.2) with norms and biases moved off their initial values, so every gradient path
 * carries signal.
 *
 * @example
 * ```ts
 * import { testParams } from "./model_batches.ts";
 * import { tinyConfig } from "../model/config.ts";
 * const params = testParams(tinyConfig("llama"), 7);
 * ```
 */
export function testParams(c: ModelConfig, seed: number): ParamValues {
  const params = initParams(c, { seed, std: 0.2 });
  const rng = new Rng(seed + 1);
  for (const p of internalParams(c)) {
    if (p.kind === "norm_weight" || p.kind === "bias" || p.kind === "norm_bias") {
      const v = params.get(p.name)!;
      for (let i = 0; i < v.length; i++) v[i] += rng.uniform() - 0.5;
    }
  }
  return params;
}

/**
 * Uploads a {@linkcode randomBatch} (copies of its arrays).
 *
 * @example
 * ```ts
 * import { randomBatch, uploadRandomBatch } from "./model_batches.ts";
 * import { tinyConfig } from "../model/config.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const c = tinyConfig("gpt2");
 * const batch = uploadRandomBatch(await Gpu.create(), randomBatch(c, [5, 3], 5, 1), c.vocabSize);
 * ```
 */
export function uploadRandomBatch(gpu: Gpu, raw: RefBatch, vocab: number): DeviceBatch {
  return uploadBatch(gpu, {
    tokens: Int32Array.from(raw.tokens),
    targets: Int32Array.from(raw.targets),
    lengths: Int32Array.from(raw.lengths),
    batch: raw.batch,
    seqLen: raw.seqLen,
  }, vocab);
}

/**
 * Rows of different lengths, right-padded with token 0; targets are the next token, −1 past each
 * row's end.
 *
 * @example
 * ```ts
 * import { randomBatch } from "./model_batches.ts";
 * import { tinyConfig } from "../model/config.ts";
 * const b = randomBatch(tinyConfig("gpt2"), [5, 3], 5, 1);
 * ```
 */
export function randomBatch(
  c: ModelConfig,
  lengths: number[],
  seqLen: number,
  seed: number,
): RefBatch {
  const rng = new Rng(seed);
  const B = lengths.length, N = B * seqLen;
  const tokens = new Int32Array(N), targets = new Int32Array(N).fill(-1);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]; t++) tokens[b * seqLen + t] = rng.int(c.vocabSize);
    for (let t = 0; t + 1 < lengths[b]; t++) targets[b * seqLen + t] = tokens[b * seqLen + t + 1];
  }
  return { tokens, targets, lengths: Int32Array.from(lengths), batch: B, seqLen };
}

/**
 * `n` tokenized pairs of random ids in [1, vocab): prompts of 2–5 tokens, chosen responses of 1–5,
 * rejected ones of 1–6.
 *
 * @example
 * ```ts
 * import { randomPairs } from "./model_batches.ts";
 * const pairs = randomPairs(4, 97, 1);
 * ```
 */
export function randomPairs(n: number, vocab: number, seed: number): TokenizedPair[] {
  const rng = new Rng(seed);
  const ids = (len: number) => Int32Array.from({ length: len }, () => 1 + rng.int(vocab - 1));
  return Array.from({ length: n }, (_, i) =>
    ({
      prompt: ids(2 + rng.int(4)),
      chosen: ids(1 + rng.int(5)),
      rejected: ids(1 + rng.int(6)),
      truncated: { prompt: false, chosen: false, rejected: false },
      source: { file: "mem", row: i + 1 },
    }) as TokenizedPair);
}
