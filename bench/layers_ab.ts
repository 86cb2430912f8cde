/**
 * Shared pieces of the A/B scripts (`padding_free.ts`, `prompt_sharing.ts`, `classifier_rows.ts`):
 * their model and an interleaved timing of forward + backward over several ways of running a
 * batch.
 *
 * @module
 */
import type { Gpu, Tensor } from "../kernels/gpu.ts";
import { tinyConfig } from "../model/config.ts";
import { initParams } from "../model/params.ts";
import { type DeviceBatch, Transformer } from "../model/transformer.ts";

/**
 * 4 GPT-2 blocks, C 256, 4 heads, vocabulary 512, T up to `seqLen`, for `rows` rows.
 *
 * @example
 * ```ts ignore
 * import { abModel } from "./layers_ab.ts";
 * const model = abModel(gpu, 8, 128);
 * ```
 */
export function abModel(gpu: Gpu, rows: number, seqLen: number): Transformer {
  const c = tinyConfig("gpt2", {
    vocabSize: 512,
    hiddenSize: 256,
    numLayers: 4,
    numHeads: 4,
    intermediateSize: 1024,
    maxPositions: seqLen,
  });
  return Transformer.create(gpu, c, initParams(c, { seed: 1 }), {
    maxBatch: rows,
    maxSeqLen: seqLen,
  });
}

/**
 * Times forward + backward of each way (a model and a batch as uploaded, or changed), interleaved
 * round by round after two warm-up rounds, and prints a table of medians relative to the first.
 *
 * @example
 * ```ts ignore
 * import { interleaved } from "./layers_ab.ts";
 * await interleaved(gpu, [{ name: "a", model, batch }], coef, 8);
 * ```
 */
export async function interleaved(
  gpu: Gpu,
  ways: { name: string; model: Transformer; batch: DeviceBatch }[],
  coef: Tensor,
  rounds: number,
): Promise<void> {
  const ms: number[][] = ways.map(() => []);
  for (let r = 0; r < rounds + 2; r++) {
    for (const [i, { model, batch }] of ways.entries()) {
      const t0 = performance.now();
      const enc = gpu.encoder();
      model.zeroGrads(enc);
      model.forward(enc, batch);
      model.backward(enc, batch, coef);
      gpu.submit(enc);
      await gpu.read([model.logp.view(0, [1])]);
      if (r >= 2) ms[i].push(performance.now() - t0);
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(`adapter: ${gpu.describe()}; medians of ${rounds} interleaved rounds`);
  console.log("| way | ms | × the first |");
  console.log("| --- | --- | --- |");
  const base = median(ms[0]);
  ways.forEach((w, i) => {
    const m = median(ms[i]);
    console.log(`| ${w.name} | ${m.toFixed(1)} | ${(m / base).toFixed(3)} |`);
  });
}
