import assert from "node:assert/strict";
import { type ModelConfig, tinyConfig } from "../model/config.ts";
import { initParams, internalParams } from "../model/params.ts";
import { ReferenceModel } from "../model/reference_model.ts";
import { releaseBatch, Transformer, uploadBatch } from "../model/transformer.ts";
import { assertClose } from "../testing/assert_close.ts";
import { bitEqual, gpuTest } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";
import { randomBatch } from "../testing/model_batches.ts";

/** Parameters with non-trivial norms and biases, so every gradient path carries signal. */
function testParams(c: ModelConfig, seed: number) {
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

async function checkModel(gpu: Parameters<Parameters<typeof gpuTest>[1]>[0], c: ModelConfig) {
  const T = 13, lengths = [13, 9, 4];
  const params = testParams(c, 7);
  const host = randomBatch(c, lengths, T, 8);
  const rng = new Rng(9);
  const coef = Float32Array.from(host.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
  const cpu = new ReferenceModel(c, params);
  const wantLogp = cpu.forward(host);
  const wantGrads = cpu.backward(coef);

  const model = Transformer.create(gpu, c, params, { maxBatch: 4, maxSeqLen: 16 });
  const batch = uploadBatch(gpu, {
    tokens: Int32Array.from(host.tokens),
    targets: Int32Array.from(host.targets),
    lengths: Int32Array.from(host.lengths),
    batch: host.batch,
    seqLen: T,
  }, c.vocabSize);
  const coefT = gpu.upload(coef, [coef.length], { label: "coef" });
  const runs = [];
  const flushEvery = gpu.flushEvery;
  // The rerun submits every 3 dispatches (as GPUs do every 64): the same bits.
  for (const every of [0, 3]) {
    gpu.flushEvery = every;
    const submits = gpu.stats.submits;
    const enc = gpu.encoder();
    model.zeroGrads(enc);
    model.forward(enc, batch);
    model.backward(enc, batch, coefT);
    gpu.submit(enc);
    if (every) assert.ok(gpu.stats.submits - submits > 10, "the rerun flushed");
    const [logp] = await gpu.read([model.logp.view(0, [coef.length])]);
    runs.push({ logp, grads: await model.readGrads() });
  }
  gpu.flushEvery = flushEvery;
  assertClose(runs[0].logp, wantLogp, { rtol: 1e-5, label: `${c.family} logp` });
  for (const p of internalParams(c)) {
    const got = runs[0].grads.get(p.name)!;
    // atol: the key bias's gradient is exactly zero in exact arithmetic (adding a constant to
    // every key score of a row leaves its softmax unchanged), so only rounding noise is there.
    assertClose(got, wantGrads.get(p.name)!, {
      rtol: 1e-4,
      atol: 1e-6,
      label: `${c.family} d${p.name}`,
    });
    assert.ok(bitEqual(got, runs[1].grads.get(p.name)!), `${p.name}: the flushed rerun differs`);
  }
  assert.ok(bitEqual(runs[0].logp, runs[1].logp));
  releaseBatch(batch);
  coefT.release();
  model.release();
}

gpuTest(
  "transformer: tiny GPT-2 log-probs and every gradient match the float64 model",
  async (gpu) => {
    await checkModel(gpu, tinyConfig("gpt2", { maxPositions: 16 }));
  },
);

gpuTest("transformer: tiny Llama (GQA, untied) log-probs and every gradient match", async (gpu) => {
  await checkModel(
    gpu,
    tinyConfig("llama", { tieEmbeddings: false, hiddenSize: 48, numHeads: 6, numKvHeads: 2 }),
  );
});

gpuTest(
  "transformer: tiny Qwen2 (q/k/v biases, tied) log-probs and every gradient match",
  async (gpu) => {
    await checkModel(gpu, tinyConfig("qwen2", { tieEmbeddings: true }));
  },
);

gpuTest("transformer: a model too large for the device is refused in one sentence", (gpu) => {
  const huge = tinyConfig("llama", {
    vocabSize: 50_000,
    hiddenSize: 8192,
    numHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 28_672,
    numLayers: 80,
    maxPositions: 4096,
  });
  assert.throws(
    () => Transformer.create(gpu, huge, new Map(), { maxBatch: 8, maxSeqLen: 4096 }),
    (e: unknown) =>
      e instanceof RangeError &&
      /^This model needs about [\d.]+ GiB of GPU memory/.test(e.message) &&
      /more than this device can hold/.test(e.message),
  );
  // A single tensor beyond the largest buffer is refused by name before anything is allocated.
  assert.throws(
    () => gpu.tensor([gpu.limits.maxBufferSize / 4 + 1], { label: "too big" }),
    /"too big" needs \d+ bytes, more than this device's largest buffer/,
  );
});
