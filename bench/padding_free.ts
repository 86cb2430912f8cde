/**
 * Padding-free layers, A/B in one process: a forward + backward of a padded batch with every
 * layer on all B·T rows (the old path) and on the valid tokens only (`PackedTokens`), interleaved
 * round by round (`layers_ab.ts`). 8 rows of up to 128 tokens whose lengths are spread so that ~40 %
 * of the batch is padding, as in real preference batches (`bench/target_share.ts`).
 *
 * ```sh
 * deno run -A bench/padding_free.ts [--rounds=N]
 * ```
 *
 * @module
 */
import { Gpu } from "../kernels/gpu.ts";
import { releaseBatch, uploadBatch } from "../model/transformer.ts";
import { Rng } from "../util/rng.ts";
import { abModel, interleaved } from "./layers_ab.ts";

if (import.meta.main) {
  const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 8);
  const gpu = await Gpu.create();
  const [B, T] = [8, 128];
  const model = abModel(gpu, B, T), V = model.config.vocabSize;
  const rng = new Rng(3);
  const lengths = Int32Array.from({ length: B }, (_, b) => b === 0 ? T : 24 + rng.int(T - 40));
  const tokens = new Int32Array(B * T), targets = new Int32Array(B * T).fill(-1);
  const coefHost = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]; t++) tokens[b * T + t] = rng.int(V);
    // The last two thirds of each row are the "response": they have targets.
    for (let t = Math.floor(lengths[b] / 3); t + 1 < lengths[b]; t++) {
      targets[b * T + t] = tokens[b * T + t + 1];
      coefHost[b * T + t] = 0.01;
    }
  }
  const host = { tokens, targets, lengths, batch: B, seqLen: T };
  const padded = uploadBatch(gpu, host, V), packed = uploadBatch(gpu, host, V);
  const keep = padded.packed;
  delete padded.packed;
  const valid = lengths.reduce((a, x) => a + x, 0);
  console.log(`${B}×${T} tokens, ${valid} valid (${(100 * valid / (B * T)).toFixed(1)} %)`);
  const coef = gpu.upload(coefHost, [B * T], { label: "coef" });
  await interleaved(
    gpu,
    [
      { name: "layers on all B·T rows", model, batch: padded },
      { name: "layers on the valid tokens", model, batch: packed },
    ],
    coef,
    rounds,
  );
  padded.packed = keep;
  for (const b of [padded, packed]) releaseBatch(b);
  coef.release();
  model.release();
  gpu.destroy();
}
