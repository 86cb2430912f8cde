/**
 * Padding-free layers, A/B in one process: a forward + backward of a padded DPO-like batch with
 * every layer on all B·T rows (the old path) and on the valid tokens only (`PackedTokens`),
 * interleaved round by round; medians of wall ms (one readback each). Default: 4 GPT-2 blocks,
 * C 256, vocabulary 512, 8 rows of up to 128 tokens whose lengths are spread so that ~40 % of
 * the batch is padding, as in real preference batches (`bench/target_share.ts`).
 *
 * ```sh
 * deno run -A bench/padding_free.ts [--rounds=N]
 * ```
 *
 * @module
 */
import { Gpu } from "../kernels/gpu.ts";
import { tinyConfig } from "../model/config.ts";
import { initParams } from "../model/params.ts";
import { releaseBatch, Transformer, uploadBatch } from "../model/transformer.ts";
import { Rng } from "../util/rng.ts";

if (import.meta.main) {
  const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 8);
  const gpu = await Gpu.create();
  const [B, T] = [8, 128];
  const c = tinyConfig("gpt2", {
    vocabSize: 512,
    hiddenSize: 256,
    numLayers: 4,
    numHeads: 4,
    intermediateSize: 1024,
    maxPositions: T,
  });
  const model = Transformer.create(gpu, c, initParams(c, { seed: 1 }), {
    maxBatch: B,
    maxSeqLen: T,
  });
  const rng = new Rng(3);
  const lengths = Int32Array.from({ length: B }, (_, b) => b === 0 ? T : 24 + rng.int(T - 40));
  const tokens = new Int32Array(B * T), targets = new Int32Array(B * T).fill(-1);
  const coefHost = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]; t++) tokens[b * T + t] = rng.int(c.vocabSize);
    // The last two thirds of each row are the "response": they have targets.
    for (let t = Math.floor(lengths[b] / 3); t + 1 < lengths[b]; t++) {
      targets[b * T + t] = tokens[b * T + t + 1];
      coefHost[b * T + t] = 0.01;
    }
  }
  const batch = uploadBatch(gpu, { tokens, targets, lengths, batch: B, seqLen: T }, c.vocabSize);
  const packed = batch.packed;
  const coef = gpu.upload(coefHost, [B * T], { label: "coef" });
  const ms: number[][] = [[], []];
  for (let r = 0; r < rounds + 2; r++) {
    for (const i of [0, 1]) {
      batch.packed = i === 1 ? packed : undefined;
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
  const valid = lengths.reduce((a, x) => a + x, 0);
  console.log(`adapter: ${gpu.describe()}`);
  console.log(
    `${B}×${T} tokens, ${valid} valid (${(100 * valid / (B * T)).toFixed(1)} %); medians of ` +
      `${rounds} interleaved rounds`,
  );
  console.log("| layers on | ms | × all rows |");
  console.log("| --- | --- | --- |");
  const base = median(ms[0]);
  console.log(`| all B·T rows | ${base.toFixed(1)} | 1.000 |`);
  console.log(
    `| valid tokens | ${median(ms[1]).toFixed(1)} | ${(median(ms[1]) / base).toFixed(3)} |`,
  );
  batch.packed = packed;
  releaseBatch(batch);
  coef.release();
  model.release();
  gpu.destroy();
}
