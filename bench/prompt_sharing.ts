/**
 * Padding-free layers and shared prompts, A/B/C in one process: a forward + backward of a DPO
 * batch (4 pairs, each prompt in both its chosen and its rejected row) with every layer on all B·T
 * rows, on the valid tokens, and on the valid tokens with each prompt computed once
 * (`sharePrefixes`), interleaved round by round (`layers_ab.ts`). T 128, prompts of 40–80 tokens
 * and responses of 10–40.
 *
 * ```sh
 * deno run -A bench/prompt_sharing.ts [--rounds=N]
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
  const P = 4, B = 2 * P, T = 128;
  const model = abModel(gpu, B, T), V = model.config.vocabSize;
  const rng = new Rng(5);
  const tokens = new Int32Array(B * T), targets = new Int32Array(B * T).fill(-1);
  const lengths = new Int32Array(B), coefHost = new Float32Array(B * T);
  for (let j = 0; j < P; j++) {
    const prompt = Array.from({ length: 40 + rng.int(41) }, () => rng.int(V));
    for (const row of [j, P + j]) {
      const response = Array.from({ length: 10 + rng.int(31) }, () => rng.int(V));
      const seq = [...prompt, ...response].slice(0, T + 1);
      tokens.set(seq.slice(0, -1), row * T);
      for (let t = prompt.length - 1; t < seq.length - 1; t++) {
        targets[row * T + t] = seq[t + 1];
        coefHost[row * T + t] = 0.01;
      }
      lengths[row] = seq.length - 1;
    }
  }
  const host = { tokens, targets, lengths, batch: B, seqLen: T };
  const padded = uploadBatch(gpu, host, V);
  const keep = padded.packed;
  delete padded.packed; // every row through every layer
  const ways = [
    { name: "layers on all B·T rows", model, batch: padded },
    {
      name: "layers on the valid tokens",
      model,
      batch: uploadBatch(gpu, host, V, { sharePrefixes: false }),
    },
    { name: "the valid tokens, prompts shared", model, batch: uploadBatch(gpu, host, V) },
  ];
  const valid = lengths.reduce((a, x) => a + x, 0);
  console.log(
    `${B}×${T} tokens, ${valid} valid, ${ways[2].batch.packed?.count} computed with shared prompts`,
  );
  const coef = gpu.upload(coefHost, [B * T], { label: "coef" });
  await interleaved(gpu, ways, coef, rounds);
  padded.packed = keep;
  for (const w of ways) releaseBatch(w.batch);
  coef.release();
  model.release();
  gpu.destroy();
}
