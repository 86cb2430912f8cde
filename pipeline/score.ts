/**
 * Sequence log-probs of responses under a model, batched and forward-only: what the ref-cache
 * stage stores, what `deno task score` prints, and what the KL estimate of the eval stage uses.
 *
 * @module
 */
import { readInBatches } from "../kernels/gpu.ts";
import { maskedRowSums } from "../kernels/log_softmax.ts";
import type { Transformer } from "../model/transformer.ts";
import { releaseMicroBatch, uploadMicroBatch } from "./objective.ts";
import { makeBatch, type TokenizedPair } from "./tokenize.ts";

/**
 * Batches submitted before their readbacks are awaited together ({@linkcode readInBatches}):
 * Deno's ~10 ms per readback is then paid once per this many batches.
 */
export const READ_DEPTH = 8;

/** Sequence log-probs and response token counts of pairs. */
export interface PairScores {
  /** (n,) log π(chosen | prompt). */
  chosen: Float32Array;
  /** (n,) log π(rejected | prompt). */
  rejected: Float32Array;
  /** (n,) response tokens of chosen (EOS included). */
  chosenTokens: Int32Array;
  /** (n,) response tokens of rejected. */
  rejectedTokens: Int32Array;
}

/** Options of {@linkcode scorePairs}. */
export interface ScoreOptions {
  /** Pairs per forward batch (at most the model's maxBatch / 2). */
  pairsPerBatch: number;
  /** Padding id. Default 0. */
  padTokenId?: number;
  /** Called after each batch with the pairs done. */
  onProgress?: (done: number) => void;
  /** Checked between batches. */
  signal?: AbortSignal;
}

/**
 * Scores every pair's chosen and rejected response under `model`: one forward per batch, read
 * back {@linkcode READ_DEPTH} batches at a time.
 *
 * @example
 * ```ts
 * import { scorePairs } from "./score.ts";
 * // const s = await scorePairs(model, dataset.pairs, { pairsPerBatch: 8 });
 * // console.log(s.chosen[0], s.rejected[0]);
 * ```
 */
export async function scorePairs(
  model: Transformer,
  pairs: readonly Pick<TokenizedPair, "prompt" | "chosen" | "rejected">[],
  options: ScoreOptions,
): Promise<PairScores> {
  const gpu = model.gpu, n = pairs.length, P = options.pairsPerBatch;
  if (2 * P > model.maxBatch) {
    throw new RangeError(
      `scorePairs: ${P} pairs need ${2 * P} rows; the model holds ${model.maxBatch}`,
    );
  }
  const sums = gpu.tensor([2 * P], { label: "scored logps" });
  const counts = gpu.tensor([2 * P], { label: "scored counts" });
  const out: PairScores = {
    chosen: new Float32Array(n),
    rejected: new Float32Array(n),
    chosenTokens: new Int32Array(n),
    rejectedTokens: new Int32Array(n),
  };
  const batches = Math.ceil(n / P);
  try {
    await readInBatches(batches, READ_DEPTH, (b) => {
      options.signal?.throwIfAborted();
      const i0 = b * P;
      const indices = Array.from({ length: Math.min(P, n - i0) }, (_, j) => i0 + j);
      const batch = makeBatch(pairs, indices, { padTokenId: options.padTokenId ?? 0 });
      if (batch.length > model.maxSeqLen) {
        throw new RangeError(
          `scorePairs: pair ${
            i0 + 1
          }… needs ${batch.length} positions; the model holds ${model.maxSeqLen}`,
        );
      }
      const mb = uploadMicroBatch(gpu, batch, model.config.vocabSize);
      const B = batch.rows, T = batch.length;
      const enc = gpu.encoder("score");
      model.forward(enc, mb.device);
      maskedRowSums(enc, {
        values: model.logp.view(0, [B, T]),
        mask: mb.inputs.mask.view(0, [B, T]),
        sums: sums.view(0, [B]),
        counts: counts.view(0, [B]),
      });
      // Copied out as part of this batch's commands: the next batches reuse sums and counts.
      const read = gpu.readAfter(enc, [sums.view(0, [B]), counts.view(0, [B])]);
      gpu.submit(enc);
      releaseMicroBatch(mb);
      return read;
    }, (b, [s, c]) => {
      const i0 = b * P, p = Math.min(P, n - i0);
      for (let j = 0; j < p; j++) {
        out.chosen[i0 + j] = s[j];
        out.rejected[i0 + j] = s[p + j];
        out.chosenTokens[i0 + j] = c[j];
        out.rejectedTokens[i0 + j] = c[p + j];
      }
      options.onProgress?.(i0 + p);
    });
  } finally {
    sums.release();
    counts.release();
  }
  return out;
}

/**
 * The longest prompt + response of a set of pairs, for sizing a model's buffers.
 *
 * @example
 * ```ts
 * import { longestPair } from "./score.ts";
 * console.log(longestPair([{ prompt: new Int32Array(3), chosen: new Int32Array(2), rejected: new Int32Array(4) }])); // 7
 * ```
 */
export function longestPair(
  pairs: readonly Pick<TokenizedPair, "prompt" | "chosen" | "rejected">[],
): number {
  let max = 1;
  for (const p of pairs) {
    max = Math.max(max, p.prompt.length + Math.max(p.chosen.length, p.rejected.length));
  }
  return max;
}
