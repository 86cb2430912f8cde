/**
 * The classifier's two savings, A/B in one process: a forward + backward of one DPO batch (a
 * quarter of each row is prompt, without targets) run three ways, interleaved round by round —
 * every token's row with the logits recomputed in the backward (the old path), only the rows with
 * a target, and those rows with the forward's logits kept. Medians of wall ms per pass (one
 * readback each). Default model: 2 GPT-2 blocks, C 128, vocabulary 50257, 4 rows of 64 tokens,
 * where the classifier is most of the work; pass `V C L rows T` to change it.
 *
 * ```sh
 * deno run -A bench/classifier_rows.ts [--rounds=N] [V C L rows T]
 * ```
 *
 * @module
 */
import { Gpu } from "../kernels/gpu.ts";
import { tinyConfig } from "../model/config.ts";
import { initParams } from "../model/params.ts";
import { releaseBatch, Transformer, uploadBatch } from "../model/transformer.ts";
import { syntheticBatch } from "./train_step.ts";

if (import.meta.main) {
  const dims = Deno.args.filter((a) => !a.startsWith("--")).map(Number);
  const [vocab, C, L, rows, T] = dims.length === 5 ? dims : [50257, 128, 2, 4, 64];
  const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 10);
  const gpu = await Gpu.create();
  const c = tinyConfig("gpt2", {
    vocabSize: vocab,
    hiddenSize: C,
    numLayers: L,
    numHeads: Math.max(1, C / 32),
    intermediateSize: 4 * C,
    maxPositions: T,
    tieEmbeddings: true,
  });
  const params = initParams(c, { seed: 1 });
  const opts = { maxBatch: rows, maxSeqLen: T };
  const recompute = Transformer.create(gpu, c, params, { ...opts, keepLogits: false });
  const kept = Transformer.create(gpu, c, params, { ...opts, keepLogits: true });
  const host = syntheticBatch({ rows, seqLen: T, vocab, dpo: true, seed: 7 });
  const batch = uploadBatch(gpu, { ...host, batch: rows, seqLen: T }, vocab);
  const picked = batch.picked;
  const coef = gpu.upload(host.mask, [host.mask.length], { label: "coef" });
  const ways = [
    { name: "every token, logits recomputed", model: recompute, packed: false },
    { name: "rows with a target, recomputed", model: recompute, packed: true },
    { name: "rows with a target, logits kept", model: kept, packed: true },
  ];
  const ms: number[][] = ways.map(() => []);
  for (let r = 0; r < rounds + 2; r++) {
    for (const [i, w] of ways.entries()) {
      batch.picked = w.packed ? picked : undefined;
      const t0 = performance.now();
      const enc = gpu.encoder();
      w.model.zeroGrads(enc);
      w.model.forward(enc, batch);
      w.model.backward(enc, batch, coef);
      gpu.submit(enc);
      await gpu.read([w.model.logp.view(0, [1])]);
      if (r >= 2) ms[i].push(performance.now() - t0); // two warm-up rounds
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(`adapter: ${gpu.describe()}`);
  console.log(
    `V ${vocab}, C ${C}, ${L} blocks, ${rows}×${T} tokens, ${picked?.count ?? rows * T} with a ` +
      `target; medians of ${rounds} interleaved rounds`,
  );
  console.log("| path | ms | × the old path |");
  console.log("| --- | --- | --- |");
  const base = median(ms[0]);
  ways.forEach((w, i) => {
    const m = median(ms[i]);
    console.log(`| ${w.name} | ${m.toFixed(1)} | ${(m / base).toFixed(3)} |`);
  });
  batch.picked = picked;
  releaseBatch(batch);
  coef.release();
  recompute.release();
  kept.release();
  gpu.destroy();
}
