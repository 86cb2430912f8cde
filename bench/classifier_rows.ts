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
import { interleaved } from "./layers_ab.ts";
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
  const upload = () => uploadBatch(gpu, { ...host, batch: rows, seqLen: T }, vocab);
  const every = upload(), picked = upload();
  const keep = every.picked;
  delete every.picked; // every token through the classifier (and so through every layer)
  console.log(
    `V ${vocab}, C ${C}, ${L} blocks, ${rows}×${T} tokens, ${picked.picked?.count ?? rows * T} ` +
      "with a target",
  );
  const coef = gpu.upload(host.mask, [host.mask.length], { label: "coef" });
  await interleaved(
    gpu,
    [
      { name: "every token, logits recomputed", model: recompute, batch: every },
      { name: "rows with a target, recomputed", model: recompute, batch: picked },
      { name: "rows with a target, logits kept", model: kept, batch: picked },
    ],
    coef,
    rounds,
  );
  every.picked = keep;
  for (const b of [every, picked]) releaseBatch(b);
  coef.release();
  recompute.release();
  kept.release();
  gpu.destroy();
}
