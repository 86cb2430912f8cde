import assert from "node:assert/strict";
import { type ModelConfig, tinyConfig } from "../model/config.ts";
import { initParams, internalParams, modelNames } from "../model/params.ts";
import { ReferenceModel } from "../model/reference_model.ts";
import { loraParams } from "../model/lora.ts";
import {
  type AttentionOptions,
  keepsLogits,
  releaseBatch,
  sharedPrefixes,
  Transformer,
  uploadBatch,
  withAttentionDesign,
} from "../model/transformer.ts";
import { assertClose } from "../testing/assert_close.ts";
import { bitEqual, gpuTest } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";
import { randomBatch, testParams, uploadRandomBatch } from "../testing/model_batches.ts";

/** Uploads a `randomBatch` (copies of its arrays). */

/** One forward and backward of `batch` from zeroed gradients: the log-probs and gradients. */
async function step(
  gpu: Parameters<Parameters<typeof gpuTest>[1]>[0],
  model: Transformer,
  batch: ReturnType<typeof uploadBatch>,
  coef: ReturnType<typeof uploadBatch>["tokens"],
) {
  const enc = gpu.encoder();
  model.zeroGrads(enc);
  model.forward(enc, batch);
  model.backward(enc, batch, coef);
  gpu.submit(enc);
  const [logp] = await gpu.read([model.logp.view(0, [coef.size])]);
  return { logp, grads: await model.readGrads() };
}

async function checkModel(
  gpu: Parameters<Parameters<typeof gpuTest>[1]>[0],
  c: ModelConfig,
  attention?: AttentionOptions,
) {
  const T = 13, lengths = [13, 9, 4];
  const params = testParams(c, 7);
  const host = randomBatch(c, lengths, T, 8);
  const rng = new Rng(9);
  const coef = Float32Array.from(host.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
  const cpu = new ReferenceModel(c, params);
  const wantLogp = cpu.forward(host);
  const wantGrads = cpu.backward(coef);

  const model = Transformer.create(gpu, c, params, { maxBatch: 4, maxSeqLen: 16, attention });
  const batch = uploadRandomBatch(gpu, host, c.vocabSize);
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

gpuTest(
  "transformer: tiny GPT-NeoX (partial RoPE, parallel residual, exact GELU) matches float64",
  async (gpu) => {
    const c = tinyConfig("gpt_neox", { maxPositions: 16 });
    await checkModel(gpu, c);
    await checkModel(gpu, c, { design: "products" });
    await checkModel(gpu, tinyConfig("gpt_neox", { parallelResidual: false, qkvBias: false }));
    // The parallel residual matters: the sequential block gives other log-probs.
    const host = randomBatch(c, [13], 13, 8), params = testParams(c, 7);
    const parallel = new ReferenceModel(c, params).forward(host);
    const serial = new ReferenceModel({ ...c, parallelResidual: false }, params).forward(host);
    assert.ok(parallel.some((x, i) => Math.abs(x - serial[i]) > 1e-3));
  },
);

gpuTest(
  "transformer: tiny StableLM (LayerNorms in llama's layout, partial RoPE) matches float64",
  async (gpu) => {
    await checkModel(gpu, tinyConfig("stablelm", { tieEmbeddings: false }));
    await checkModel(gpu, tinyConfig("stablelm", { qkvBias: false, rotaryDim: 2 }), {
      design: "products",
    });
  },
);

gpuTest(
  "transformer: tiny Phi-2 (one norm for attention and MLP, head bias) matches float64",
  async (gpu) => {
    const c = tinyConfig("phi");
    await checkModel(gpu, c);
    await checkModel(gpu, tinyConfig("phi", { tieEmbeddings: true, numKvHeads: 2 }), {
      design: "products",
    });
    // The head bias counts: without it the log-probs move.
    const host = randomBatch(c, [13], 13, 8), params = testParams(c, 7);
    const want = new ReferenceModel(c, params).forward(host);
    const bias = params.get("lm_head.bias")!;
    const zeroed = new Map(params).set("lm_head.bias", new Float32Array(bias.length));
    const without = new ReferenceModel(c, zeroed).forward(host);
    assert.ok(want.some((x, i) => Math.abs(x - without[i]) > 1e-3));
  },
);

gpuTest(
  "transformer: tiny StarCoder2 (llama's attention with biases, GELU MLP, window) matches float64",
  async (gpu) => {
    await checkModel(gpu, tinyConfig("starcoder2", { slidingWindow: 5 }));
    await checkModel(gpu, tinyConfig("starcoder2", { qkvBias: false, tieEmbeddings: false }), {
      design: "products",
    });
  },
);

gpuTest(
  "transformer: tiny Cohere (bias-free LayerNorm, parallel block, logit scale) matches float64",
  async (gpu) => {
    await checkModel(gpu, tinyConfig("cohere"));
    await checkModel(gpu, tinyConfig("cohere", { qkvBias: true, tieEmbeddings: false }), {
      design: "products",
    });
    // Cohere 2: a sliding layer with RoPE, a full one without.
    await checkModel(gpu, tinyConfig("cohere2"));
    await checkModel(gpu, tinyConfig("cohere2", { slidingWindow: 3 }), { design: "products" });
  },
);

gpuTest("transformer: tiny Llama (GQA, untied) log-probs and every gradient match", async (gpu) => {
  await checkModel(
    gpu,
    tinyConfig("llama", { tieEmbeddings: false, hiddenSize: 48, numHeads: 6, numKvHeads: 2 }),
  );
});

gpuTest(
  "transformer: tiny Llama (GQA) with the products attention design matches the float64 model",
  async (gpu) => {
    await checkModel(
      gpu,
      tinyConfig("llama", { tieEmbeddings: false, hiddenSize: 48, numHeads: 6, numKvHeads: 2 }),
      { design: "products" },
    );
  },
);

gpuTest(
  "transformer: tiny Qwen3 (per-head q/k norms, GQA) log-probs and every gradient match",
  async (gpu) => {
    const c = tinyConfig("qwen3", { numHeads: 4, numKvHeads: 2, headDim: 12 });
    await checkModel(gpu, c);
    await checkModel(gpu, c, { design: "products" });
  },
);

gpuTest(
  "transformer: tiny Mistral (llama's layout) log-probs and every gradient match",
  async (gpu) => {
    await checkModel(gpu, tinyConfig("mistral", { numHeads: 4, numKvHeads: 1 }));
  },
);

gpuTest(
  "transformer: tiny Gemma, Gemma 2 and Gemma 3 log-probs and every gradient match, both designs",
  async (gpu) => {
    // GeGLU, norms scaling by 1 + w, √C-scaled embeddings, head size 16 over C 32; Gemma 2/3's
    // norms after attention and the MLP, 1/√q scores, sliding layers (window 6 < 13 positions);
    // Gemma 2's soft-capped scores (3) and logits (2); Gemma 3's q/k norms and the local RoPE
    // base of its sliding layers (here layer 0 only).
    const wide = { hiddenSize: 32, numHeads: 2, numKvHeads: 1, headDim: 16 };
    await checkModel(gpu, tinyConfig("gemma", wide));
    await checkModel(gpu, tinyConfig("gemma2", { ...wide, exactGelu: true })); // the erf GELU
    const g2 = tinyConfig("gemma2", wide);
    await checkModel(gpu, g2);
    await checkModel(gpu, g2, { design: "products" });
    // The caps are live at these weights: without them the log-probs differ.
    const host = randomBatch(g2, [13], 13, 8), p2 = testParams(g2, 7);
    const capped = new ReferenceModel(g2, p2).forward(host);
    for (const off of [{ attnSoftcap: undefined }, { finalSoftcap: undefined }]) {
      const plain = new ReferenceModel({ ...g2, ...off }, p2).forward(host);
      assert.ok(capped.some((x, i) => Math.abs(x - plain[i]) > 1e-3), JSON.stringify(off));
    }
    const g3 = tinyConfig("gemma3", { ...wide, slidingLayers: [true, false], ropeTheta: 1e4 });
    await checkModel(gpu, g3);
    await checkModel(gpu, g3, { design: "products" });
  },
);

gpuTest(
  "transformer: WPO's per-token log Σ p² matches float64, packed and picked rows included",
  async (gpu) => {
    const c = tinyConfig("gemma2", { hiddenSize: 32, numHeads: 2, numKvHeads: 1, headDim: 16 });
    const T = 13, lengths = [13, 9, 4];
    const params = testParams(c, 7);
    const host = randomBatch(c, lengths, T, 8);
    const cpu = new ReferenceModel(c, params);
    cpu.forward(host);
    const want = cpu.logSumSquares();
    const model = Transformer.create(gpu, c, params, { maxBatch: 4, maxSeqLen: 16 });
    const batch = uploadRandomBatch(gpu, host, c.vocabSize);
    const enc = gpu.encoder();
    model.forward(enc, batch, { logSumSquares: true });
    gpu.submit(enc);
    const [got] = await gpu.read([model.logSumSq.view(0, [host.targets.length])]);
    // Tokens with a target (the classifier's rows); each in [−log V, 0].
    const keep = Array.from(host.targets, (_, i) => i).filter((i) => host.targets[i] >= 0);
    assertClose(keep.map((i) => got[i]), keep.map((i) => want[i]), { label: "log Σ p²" });
    assert.ok(keep.every((i) => want[i] <= 0 && want[i] >= -Math.log(c.vocabSize) - 1e-9));
    releaseBatch(batch);
    model.release();
  },
);

gpuTest(
  "transformer: tiny OLMo 2 (output norms only, whole-projection q/k norms) matches, both designs",
  async (gpu) => {
    const c = tinyConfig("olmo2", { numHeads: 4, numKvHeads: 2, headDim: 12 });
    await checkModel(gpu, c);
    await checkModel(gpu, c, { design: "products" });
  },
);

gpuTest(
  "transformer: tiny Granite (embedding, attention, residual and logit multipliers) matches",
  async (gpu) => {
    const c = tinyConfig("granite");
    await checkModel(gpu, c);
    await checkModel(gpu, c, { design: "products" });
    // The multipliers matter: without them the log-probs differ.
    const host = randomBatch(c, [13], 13, 8), params = testParams(c, 7);
    const with_ = new ReferenceModel(c, params).forward(host);
    const without = new ReferenceModel({ ...c, graniteMultipliers: undefined }, params)
      .forward(host);
    assert.ok(with_.some((x, i) => Math.abs(x - without[i]) > 1e-3));
  },
);

gpuTest(
  "transformer: tiny SmolLM3 (a layer without RoPE, sliding) matches float64, both designs",
  async (gpu) => {
    const c = tinyConfig("smollm3", { slidingWindow: 5, slidingLayers: [false, true] });
    await checkModel(gpu, c);
    await checkModel(gpu, c, { design: "products" });
    // The NoPE layer matters: rotating it too changes the log-probs.
    const host = randomBatch(c, [13], 13, 8), params = testParams(c, 7);
    const nope = new ReferenceModel(c, params).forward(host);
    const rotated = new ReferenceModel({ ...c, noRopeLayers: undefined }, params).forward(host);
    assert.ok(nope.some((x, i) => Math.abs(x - rotated[i]) > 1e-3));
  },
);

gpuTest(
  "transformer: tiny Phi-3 (fused tensors split on load, sliding window, LongRoPE) matches float64",
  async (gpu) => {
    await checkModel(gpu, tinyConfig("phi3", { slidingWindow: 5 }));
    // Phi-3.5's LongRoPE within its original positions: short factors, cos/sin ×√1.5.
    const longrope = {
      type: "longrope" as const,
      shortFactor: [1, 1.5, 3, 7],
      longFactor: [2, 4, 8, 16],
      originalMaxPositions: 16,
      attentionFactor: Math.sqrt(1 + Math.log(4) / Math.log(16)),
    };
    const c = tinyConfig("phi3", { ropeScaling: longrope });
    await checkModel(gpu, c);
    // Past the original positions (the long factors): refused, by name.
    assert.throws(
      () => Transformer.create(gpu, c, testParams(c, 7), { maxBatch: 1, maxSeqLen: 17 }),
      /sequences of 17 tokens pass this model's original_max_position_embeddings \(16\)/,
    );
    // Phi-4-mini's partial RoPE: 3/4 of each head turns (LongRoPE over those 6: 3 factors), the
    // rest passes through.
    const partial = tinyConfig("phi3", {
      rotaryDim: 6,
      ropeScaling: { ...longrope, shortFactor: [1, 2, 5], longFactor: [2, 4, 8] },
    });
    await checkModel(gpu, partial);
    await checkModel(gpu, partial, { design: "products" });
  },
);

gpuTest(
  "transformer: sliding-window layers (Mistral v0.1, Qwen2's deeper layers) match, both designs",
  async (gpu) => {
    // Windows shorter than the 13 positions, so they hide keys: the float64 model slides the
    // same layers, and a model that ignored the window would miss its log-probs.
    const qwen = tinyConfig("qwen2", { slidingWindow: 4, slidingLayers: [false, true] });
    await checkModel(gpu, qwen);
    await checkModel(gpu, qwen, { design: "products" });
    await checkModel(gpu, tinyConfig("mistral", { numHeads: 4, numKvHeads: 1, slidingWindow: 3 }));
    const host = randomBatch(qwen, [13], 13, 8);
    const params = testParams(qwen, 7);
    const slid = new ReferenceModel(qwen, params).forward(host);
    const plain = new ReferenceModel({ ...qwen, slidingWindow: null }, params).forward(host);
    assert.ok(slid.some((x, i) => Math.abs(x - plain[i]) > 1e-3), "the window changes log-probs");
  },
);

// YaRN at tiny sizes: with θ ≤ 1000 and 16 original positions its ramp falls inside the 4
// frequencies of HS 8.
const TINY_YARN = {
  type: "yarn" as const,
  factor: 4,
  originalMaxPositions: 16,
  attentionFactor: 0.1 * Math.log(4) + 1,
  betaFast: 8,
  betaSlow: 1,
  truncate: true,
};

gpuTest(
  "transformer: tiny OLMo 3 (sliding layers with their own RoPE, YaRN on full ones) matches float64",
  async (gpu) => {
    const c = tinyConfig("olmo3", { ropeTheta: 1000, ropeScaling: TINY_YARN });
    await checkModel(gpu, c);
    await checkModel(gpu, c, { design: "products" });
    // The sliding layer's own base matters: sharing the full layers' gives other log-probs.
    const host = randomBatch(c, [13], 13, 8), params = testParams(c, 7);
    const own = new ReferenceModel(c, params).forward(host);
    const shared = new ReferenceModel({ ...c, ropeLocalTheta: undefined }, params).forward(host);
    assert.ok(own.some((x, i) => Math.abs(x - shared[i]) > 1e-3));
  },
);

gpuTest(
  "transformer: tiny Qwen2 with YaRN (a ramp inside the head, cos and sin scaled) matches float64",
  async (gpu) => {
    const yarn = { ...TINY_YARN, truncate: false };
    await checkModel(gpu, tinyConfig("qwen2", { ropeTheta: 100, ropeScaling: yarn }));
  },
);

gpuTest(
  "transformer: tiny Llama with Llama 3's scaled RoPE matches the float64 model",
  async (gpu) => {
    // Original context 32 and factor 4 at HS 8: the four frequencies fall in all three bands.
    const ropeScaling = {
      type: "llama3" as const,
      factor: 4,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositions: 32,
    };
    await checkModel(gpu, tinyConfig("llama", { ropeScaling, ropeTheta: 500 }));
  },
);

gpuTest(
  "transformer: tiny Qwen2 (q/k/v biases, tied) log-probs and every gradient match",
  async (gpu) => {
    await checkModel(gpu, tinyConfig("qwen2", { tieEmbeddings: true }));
  },
);

gpuTest(
  "transformer: flash past a CPU adapter's loop limit is refused at creation, with the way out",
  (gpu) => {
    if (!gpu.isCpu) return; // GPUs have no such limit
    // Head size 128, 8 query heads per KV head: the flash backward passes llvmpipe's 65 535 loop
    // iterations per invocation from ~300 tokens; the products design runs 1024, nothing runs 6000.
    const c = tinyConfig("llama", {
      hiddenSize: 128,
      numHeads: 8,
      numKvHeads: 1,
      headDim: 128,
      maxPositions: 8192,
    });
    const params = initParams(c, { seed: 1 });
    const create = (maxSeqLen: number, design?: "flash") =>
      Transformer.create(gpu, c, params, { maxBatch: 1, maxSeqLen, attention: { design } });
    assert.throws(
      () => create(1024, "flash"),
      /Transformer: flash attention over 1024 tokens .* 8 query heads .* the products design runs this length/,
    );
    const auto = create(1024);
    assert.equal(auto.attentionDesign, "products");
    auto.release();
    assert.throws(() => create(6000), /products design at most 5792: shorten the sequences/);
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
      /more than this device can hold/.test(e.message) &&
      // The ways to need less that this run does not use yet.
      /or checkpointed layers, or LoRA adapters \(lora\.rank\) \(deno task memory/.test(e.message),
  );
  assert.throws(
    () =>
      Transformer.create(gpu, huge, new Map(), {
        maxBatch: 8,
        maxSeqLen: 4096,
        checkpointLayers: true,
        lora: { rank: 8, alpha: 16, targetModules: "all-linear" },
      }),
    /sequence length, or packed frozen weights \(model\.quantize nf4\) \(deno task memory/,
  );
  // A single tensor beyond the largest buffer is refused by name before anything is allocated.
  assert.throws(
    () => gpu.tensor([gpu.limits.maxBufferSize / 4 + 1], { label: "too big" }),
    /"too big" needs \d+ bytes, more than this device's largest buffer/,
  );
});

gpuTest(
  "transformer: the classifier on the tokens with a target matches it on every token",
  async (gpu) => {
    // Chunks of 64 rows (a 64-row logits budget) so the picked rows span several chunks; prompts
    // (first 5 positions) and padding have no target; one batch has none at all.
    const c = tinyConfig("gpt2", { maxPositions: 64, vocabSize: 97 });
    const T = 60, lengths = [60, 41, 7, 55];
    const params = testParams(c, 3);
    const model = Transformer.create(gpu, c, params, {
      maxBatch: 4,
      maxSeqLen: T,
      logitsChunkBytes: 64 * 100 * 4,
    });
    const raw = randomBatch(c, lengths, T, 4);
    const host = {
      tokens: Int32Array.from(raw.tokens),
      targets: Int32Array.from(raw.targets),
      lengths: Int32Array.from(raw.lengths),
      batch: raw.batch,
    };
    for (let b = 0; b < lengths.length; b++) host.targets.fill(-1, b * T, b * T + 5);
    const none = { ...host, targets: new Int32Array(host.targets.length).fill(-1) };
    for (const [name, h] of [["prompts and padding", host], ["no targets", none]] as const) {
      const rng = new Rng(5);
      const coef = Float32Array.from(h.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
      const coefT = gpu.upload(coef, [coef.length], { label: "coef" });
      const runs = [];
      for (const packed of [true, false]) {
        const batch = uploadBatch(gpu, { ...h, seqLen: T }, c.vocabSize);
        const count = h.targets.filter((t) => t >= 0).length;
        assert.equal(batch.picked?.count, count, `${name}: ${count} tokens have a target`);
        const picked = batch.picked!;
        if (!packed) delete batch.picked; // the same batch through the every-token path
        const enc = gpu.encoder();
        model.zeroGrads(enc);
        model.forward(enc, batch);
        model.backward(enc, batch, coefT);
        gpu.submit(enc);
        const n = coef.length;
        const [logp, lse, sums] = await gpu.read(
          [model.logp, model.lse, model.logitSum].map((t) => t.view(0, [n])),
        );
        runs.push({ logp, lse, sums, grads: await model.readGrads() });
        batch.picked = picked;
        releaseBatch(batch);
      }
      const [packed, every] = runs;
      assertClose(packed.logp, every.logp, { rtol: 1e-6, label: `${name}: logp` });
      h.targets.forEach((t, i) => {
        // Tokens without a target: every output 0 when packed (the every-token path still
        // computes their lse and logit sums, which nothing reads).
        if (t < 0) assert.ok(packed.lse[i] === 0 && packed.sums[i] === 0 && packed.logp[i] === 0);
        else {
          assertClose([packed.lse[i], packed.sums[i]], [every.lse[i], every.sums[i]], {
            rtol: 1e-6,
            label: `${name}: lse and logit sum of token ${i}`,
          });
        }
      });
      for (const p of internalParams(c)) {
        assertClose(packed.grads.get(p.name)!, every.grads.get(p.name)!, {
          rtol: 1e-5,
          atol: 1e-7,
          label: `${name}: d${p.name}`,
        });
      }
      if (name === "no targets") {
        for (const g of packed.grads.values()) assert.ok(g.every((x) => x === 0));
      }
      coefT.release();
    }
    model.release();
  },
);

gpuTest(
  "transformer: logits kept from the forward give the backward's results of recomputed ones",
  async (gpu) => {
    const c = tinyConfig("llama", { maxPositions: 32, vocabSize: 101 });
    const T = 30, lengths = [30, 17, 25];
    const params = testParams(c, 11);
    const raw = randomBatch(c, lengths, T, 12);
    const rng = new Rng(13);
    const coef = Float32Array.from(raw.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
    const coefT = gpu.upload(coef, [coef.length], { label: "coef" });
    const runs = [];
    for (const keepLogits of [false, true]) {
      // 64-row chunks: the kept logits span two.
      const model = Transformer.create(gpu, c, params, {
        maxBatch: 3,
        maxSeqLen: T,
        logitsChunkBytes: 64 * 104 * 4,
        keepLogits,
      });
      const batch = uploadRandomBatch(gpu, raw, c.vocabSize);
      const grads = [];
      // A backward right after its forward (kept logits), then a second one (recomputed: the
      // first turned the kept logits into their gradient).
      for (const second of [false, true]) {
        const enc = gpu.encoder();
        if (!second) {
          model.zeroGrads(enc);
          model.forward(enc, batch);
        }
        model.backward(enc, batch, coefT);
        gpu.submit(enc);
        grads.push(await model.readGrads());
      }
      runs.push(grads);
      releaseBatch(batch);
      model.release();
    }
    const head = modelNames(c).head!;
    for (const p of internalParams(c)) {
      for (const i of [0, 1]) {
        const a = runs[0][i].get(p.name)!, b = runs[1][i].get(p.name)!;
        const label = `d${p.name} after backward ${i + 1}: kept ≠ recomputed`;
        // With kept logits the head's weight gradient is one product over every row instead of
        // one per chunk: the same sum in another grouping. Everything else: the same bits.
        if (p.name === head) assertClose(a, b, { rtol: 1e-6, atol: 1e-9, label });
        else assert.ok(bitEqual(a, b), label);
      }
      // The second backward added the same gradient again.
      const once = runs[1][0].get(p.name)!, twice = runs[1][1].get(p.name)!;
      assertClose(twice, once.map((x) => 2 * x), { rtol: 1e-6, atol: 1e-9, label: `2·d${p.name}` });
    }
    coefT.release();
  },
);

gpuTest("transformer: keepLogits beyond one buffer is refused, naming the sizes", (gpu) => {
  const c = tinyConfig("gpt2", { vocabSize: 50257, maxPositions: 1024 });
  const rows = Math.ceil(gpu.limits.maxBufferSize / (50260 * 4) / 1024) + 1;
  assert.throws(
    () =>
      Transformer.create(gpu, c, new Map(), { maxBatch: rows, maxSeqLen: 1024, keepLogits: true }),
    /keepLogits needs \d+×50260 logits in one buffer/,
  );
});

Deno.test("transformer: logits are kept by default only where the model fits with them", () => {
  const o = { maxBatch: 4, maxSeqLen: 512 }, GiB = 2 ** 30;
  assert.equal(keepsLogits(o, 0.8 * GiB, 4 * GiB, 16 * GiB), true);
  // 15.5 GiB without them fits a 16 GiB bound; with 0.8 GiB more it would not: not kept.
  assert.equal(keepsLogits(o, 0.8 * GiB, 15.5 * GiB, 16 * GiB), false);
  // Asked for: kept (the fit check then counts them and refuses the model if need be).
  assert.equal(keepsLogits({ ...o, keepLogits: true }, 0.8 * GiB, 15.5 * GiB, 16 * GiB), true);
  // None to keep (too big for a buffer, inference, or keepLogits: false).
  assert.equal(keepsLogits(o, 0, 1, 16 * GiB), false);
});

gpuTest("transformer: a products model refused for its sequence length leaks nothing", (gpu) => {
  const T = Math.ceil(Math.sqrt(gpu.limits.maxStorageBufferBindingSize / 4)) + 1;
  const c = tinyConfig("llama", { maxPositions: T });
  gpu.pool.trim();
  const before = gpu.pool.bytesAllocated;
  assert.throws(
    () =>
      Transformer.create(gpu, c, initParams(c, { seed: 1 }), {
        maxBatch: 1,
        maxSeqLen: T,
        attention: { design: "products" },
      }),
    /score matrix .* exceeds the chunk budget/,
  );
  gpu.pool.trim();
  assert.equal(gpu.pool.bytesAllocated, before);
});

gpuTest(
  "transformer: padding-free layers (packed tokens) match the padded ones, both attention designs",
  async (gpu) => {
    const T = 20, lengths = [20, 3, 0, 14];
    for (
      const [c, design] of [
        [tinyConfig("gpt2", { maxPositions: 32 }), "flash"],
        [tinyConfig("llama", { numHeads: 4, numKvHeads: 2, maxPositions: 32 }), "products"],
        [tinyConfig("qwen3", { numHeads: 4, numKvHeads: 2, maxPositions: 32 }), "flash"],
      ] as const
    ) {
      const params = testParams(c, 5);
      const raw = randomBatch(c, lengths, T, 6);
      const rng = new Rng(7);
      const coef = Float32Array.from(raw.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
      const coefT = gpu.upload(coef, [coef.length], { label: "coef" });
      const model = Transformer.create(gpu, c, params, {
        maxBatch: lengths.length,
        maxSeqLen: T,
        attention: { design },
      });
      const runs = [];
      for (const packedRun of [true, false]) {
        const batch = uploadRandomBatch(gpu, raw, c.vocabSize);
        assert.equal(batch.packed?.count, 37, "37 valid tokens of 80 are packed");
        const packed = batch.packed;
        if (!packedRun) delete batch.packed;
        runs.push(await step(gpu, model, batch, coefT));
        batch.packed = packed;
        releaseBatch(batch);
      }
      const label = `${c.family} ${design}`;
      assertClose(runs[0].logp, runs[1].logp, { rtol: 1e-6, label: `${label} logp` });
      for (const p of internalParams(c)) {
        assertClose(runs[0].grads.get(p.name)!, runs[1].grads.get(p.name)!, {
          rtol: 1e-5,
          atol: 1e-7,
          label: `${label} d${p.name}`,
        });
      }
      coefT.release();
      model.release();
    }
  },
);

gpuTest("transformer: batches are packed only with enough padding and no target in it", (gpu) => {
  const c = tinyConfig("gpt2", { maxPositions: 32 });
  const up = (lengths: number[], T: number, targetAt?: number) => {
    const raw = randomBatch(c, lengths, T, 1);
    const targets = Int32Array.from(raw.targets);
    if (targetAt !== undefined) targets[targetAt] = 3;
    return uploadBatch(gpu, {
      tokens: Int32Array.from(raw.tokens),
      targets,
      lengths: Int32Array.from(raw.lengths),
      batch: raw.batch,
      seqLen: T,
    }, c.vocabSize);
  };
  const cases: [string, ReturnType<typeof up>, number | undefined][] = [
    ["no padding", up([16, 16], 16), undefined],
    ["1 of 32 tokens padding (< 1/16)", up([16, 15], 16), undefined],
    ["2 of 32 tokens padding", up([16, 14], 16), 30],
    ["a target in the padding", up([16, 14], 16, 31), undefined],
    ["every row empty", up([0, 0], 16), undefined],
  ];
  for (const [what, batch, packed] of cases) {
    assert.equal(batch.packed?.count, packed, what);
    if (packed) assert.ok(batch.picked?.packedRows && batch.picked.packedSlots, what);
    releaseBatch(batch);
  }
});

gpuTest("transformer: the memory estimate is within 15 % of what a model allocates", (gpu) => {
  // New buffers must be counted in estimateBytes, which decides whether a model fits.
  const configs = [
    tinyConfig("llama", { hiddenSize: 64, numHeads: 8, headDim: 16, numLayers: 2 }),
    tinyConfig("gpt2", { hiddenSize: 96, numLayers: 3, vocabSize: 1000 }),
    tinyConfig("qwen3", { hiddenSize: 64, numHeads: 8, numKvHeads: 2, headDim: 16, numLayers: 2 }),
  ];
  for (const c of configs) {
    for (
      const options of [
        { inference: true },
        {},
        { attention: { design: "products" as const } },
        { inference: true, attention: { design: "products" as const } },
        { attention: { design: "flash" as const } },
        { checkpointLayers: true },
        { lora: { rank: 4, alpha: 8, targetModules: "all-linear" as const } },
        {
          checkpointLayers: true,
          lora: { rank: 2, alpha: 8, targetModules: "all-linear" as const },
        },
        ...(c.family === "gpt2"
          ? []
          : [{ lora: { rank: 3, alpha: 8, targetModules: "all-linear" as const, dora: true } }]),
        { lora: { rank: 4, alpha: 8, targetModules: "all-linear" as const, dropout: 0.1 } },
      ]
    ) {
      const o = { maxBatch: 4, maxSeqLen: Math.min(64, c.maxPositions), ...options };
      gpu.pool.trim();
      const before = gpu.pool.bytesAllocated;
      const model = Transformer.create(gpu, c, initParams(c, { seed: 1 }), o);
      // A training estimate also counts AdamW's two moments, which the optimizer allocates.
      const trained = "lora" in o && o.lora ? loraParams(c, o.lora) : internalParams(c);
      const params = trained.reduce((n, p) => n + p.shape.reduce((a, b) => a * b), 0);
      const moments = "inference" in o ? 0 : 2 * 4 * params;
      const got = gpu.pool.bytesAllocated - before;
      // The estimate counts the design asked for: the model's default depends on the adapter.
      const want = Transformer.estimateBytes(c, withAttentionDesign(gpu, o, c)) - moments;
      assert.ok(
        Math.abs(got - want) <= 0.15 * got,
        `${c.family} ${JSON.stringify(options)}: estimate ${want} B, allocated ${got} B`,
      );
      model.release();
    }
  }
});

Deno.test("sharedPrefixes pairs rows by their longest common prefix, up to the first target", () => {
  // Rows 0, 1 chosen and 2, 3 rejected of two pairs; every row starts with BOS 1. Pair 0's prompt
  // is 1 5 6 7, pair 1's 1 8 9; targets start at the prompt's last token.
  const T = 7;
  const rows = [[1, 5, 6, 7, 20, 21, 2], [1, 8, 9, 30, 31, 2, 0], [1, 5, 6, 7, 22, 2, 0], [
    1,
    8,
    9,
    32,
    2,
    0,
    0,
  ]];
  const tokens = Int32Array.from(rows.flat()), targets = new Int32Array(4 * T).fill(-1);
  const prompts = [4, 3, 4, 3], lengths = Int32Array.from([7, 6, 6, 5]);
  rows.forEach((_, b) => targets.fill(9, b * T + prompts[b] - 1, b * T + lengths[b] - 1));
  const s = sharedPrefixes({ tokens, targets, lengths, batch: 4, seqLen: T });
  assert.deepEqual([...s.from], [-1, -1, 0, 1]);
  assert.deepEqual([...s.length], [0, 0, 3, 2]); // the prompt less its last token
});

gpuTest(
  "transformer: prompts shared by a DPO pair's rows match the float64 model and the unshared path",
  async (gpu) => {
    for (
      const [c, design] of [
        [tinyConfig("gpt2", { maxPositions: 32 }), "flash"],
        [tinyConfig("llama", { numHeads: 4, numKvHeads: 2, maxPositions: 32 }), "products"],
        [tinyConfig("qwen3", { numHeads: 4, numKvHeads: 2, maxPositions: 32 }), "flash"],
      ] as const
    ) {
      // Two pairs: prompts of 9 and 5 tokens, responses of different lengths, right padding.
      const rng = new Rng(21);
      const T = 16, P = 2, prompts = [9, 5], responses = [[6, 3], [4, 7]];
      const tokens = new Int32Array(2 * P * T), targets = new Int32Array(2 * P * T).fill(-1);
      const lengths = new Int32Array(2 * P);
      for (let j = 0; j < P; j++) {
        const prompt = Array.from({ length: prompts[j] }, () => rng.int(c.vocabSize));
        for (const [side, row] of [[0, j], [1, P + j]]) {
          const seq = [
            ...prompt,
            ...Array.from({ length: responses[j][side] }, () => rng.int(c.vocabSize)),
          ];
          tokens.set(seq.slice(0, -1), row * T);
          for (let t = prompts[j] - 1; t < seq.length - 1; t++) targets[row * T + t] = seq[t + 1];
          lengths[row] = seq.length - 1;
        }
      }
      const host = { tokens, targets, lengths, batch: 2 * P, seqLen: T };
      const params = testParams(c, 22);
      const coef = Float32Array.from(targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
      const coefT = gpu.upload(coef, [coef.length], { label: "coef" });
      const cpu = new ReferenceModel(c, params);
      const wantLogp = cpu.forward(host);
      const wantGrads = cpu.backward(coef);
      const model = Transformer.create(gpu, c, params, {
        maxBatch: 2 * P,
        maxSeqLen: T,
        attention: { design },
      });
      const runs = [];
      for (const sharePrefixes of [true, false]) {
        const batch = uploadBatch(gpu, host, c.vocabSize, { sharePrefixes });
        assert.equal(batch.packed?.shared?.tokens, sharePrefixes ? 8 + 4 : undefined);
        runs.push(await step(gpu, model, batch, coefT));
        releaseBatch(batch);
      }
      const label = `${c.family} ${design}`;
      assertClose(runs[0].logp, wantLogp, { rtol: 1e-5, label: `${label} logp vs float64` });
      assertClose(runs[0].logp, runs[1].logp, { rtol: 1e-6, label: `${label} logp vs unshared` });
      for (const p of internalParams(c)) {
        const got = runs[0].grads.get(p.name)!;
        assertClose(got, wantGrads.get(p.name)!, {
          rtol: 1e-4,
          atol: 1e-6,
          label: `${label} d${p.name} vs float64`,
        });
        assertClose(got, runs[1].grads.get(p.name)!, {
          rtol: 1e-5,
          atol: 1e-7,
          label: `${label} d${p.name} vs unshared`,
        });
      }
      coefT.release();
      model.release();
    }
  },
);

gpuTest("transformer: a backward of another batch than the last forward's is refused", (gpu) => {
  const c = tinyConfig("llama", { maxPositions: 16 });
  const model = Transformer.create(gpu, c, testParams(c, 31), { maxBatch: 3, maxSeqLen: 13 });
  const a = uploadRandomBatch(gpu, randomBatch(c, [13, 9, 4], 13, 32), c.vocabSize);
  const b = uploadRandomBatch(gpu, randomBatch(c, [6, 13, 11], 13, 33), c.vocabSize);
  const coef = gpu.upload(new Float32Array(39).fill(0.1), [39]);
  const enc = gpu.encoder();
  // The layers keep one batch's activations: B's forward replaced A's.
  model.forward(enc, a);
  model.forward(enc, b);
  assert.throws(() => model.backward(enc, a, coef), /the last forward was of another batch/);
  model.backward(enc, b, coef);
  gpu.submit(enc);
  for (const x of [a, b]) releaseBatch(x);
  coef.release();
  model.release();
});

gpuTest(
  "transformer: the attention design defaults to products on GPUs, flash on CPU adapters",
  (gpu) => {
    const o = { maxBatch: 2, maxSeqLen: 512 };
    // This adapter as it is (lavapipe in CI), then the same limits on a GPU.
    assert.equal(withAttentionDesign(gpu, o).attention?.design, gpu.isCpu ? "flash" : "products");
    const fake = (isCpu: boolean, binding = 2 ** 31) =>
      ({
        isCpu,
        limits: { maxStorageBufferBindingSize: binding, maxBufferSize: 2 ** 32 },
      }) as unknown as typeof gpu;
    assert.equal(withAttentionDesign(fake(false), o).attention?.design, "products");
    assert.equal(withAttentionDesign(fake(true), o).attention?.design, "flash");
    // One T×T score matrix must fit the products design's chunk (256 MiB, or the binding limit).
    const long = { maxBatch: 1, maxSeqLen: 8193 };
    assert.equal(withAttentionDesign(fake(false), long).attention?.design, "flash");
    assert.equal(withAttentionDesign(fake(false), o).attention?.design, "products");
    assert.equal(withAttentionDesign(fake(false, 2 ** 19), o).attention?.design, "flash");
    // CPU adapters: products where the flash kernels' loops would pass llvmpipe's limit of 65 535
    // iterations per invocation (Qwen2.5-0.5B: 7 query heads per KV head, head size 64).
    const gqa = { ...tinyConfig("llama"), numHeads: 14, numKvHeads: 2, headDim: 64 };
    const at = (maxSeqLen: number) =>
      withAttentionDesign(fake(true), { maxBatch: 1, maxSeqLen }, gqa).attention?.design;
    assert.equal(at(64), "flash");
    assert.equal(at(1024), "products");
    // Asked for: kept, with the other settings.
    const asked = { ...o, attention: { design: "flash" as const, tile: 8 } };
    assert.deepEqual(withAttentionDesign(fake(false), asked).attention, asked.attention);
    assert.equal(
      withAttentionDesign(fake(false), { ...o, attention: { tile: 8 } }).attention?.tile,
      8,
    );
    // A model reports the design it resolved.
    const c = tinyConfig("gpt2", { numLayers: 1 });
    for (const design of [undefined, "flash", "products"] as const) {
      const model = Transformer.create(gpu, c, initParams(c, { seed: 1 }), {
        maxBatch: 2,
        maxSeqLen: 16,
        attention: { design },
      });
      assert.equal(model.attentionDesign, design ?? (gpu.isCpu ? "flash" : "products"));
      model.release();
    }
    // As a GPU whose memory bound (8 × maxBufferSize) holds the model with the flash design but
    // not with the products workspace: the default falls back to flash; asked for, it is refused.
    const real = gpu.limits;
    const o2 = { maxBatch: 4, maxSeqLen: 64 };
    const need = (design: "flash" | "products") =>
      Transformer.estimateBytes(c, { ...o2, keepLogits: false, attention: { design } });
    const bound = (need("flash") + need("products")) / 2;
    assert.ok(need("products") > need("flash"));
    Object.defineProperty(gpu, "isCpu", { get: () => false, configurable: true });
    const limits = new Proxy(real, {
      get: (t, k) => k === "maxBufferSize" ? Math.floor(bound / 8) : Reflect.get(t, k, t),
    });
    Object.defineProperty(gpu, "limits", { get: () => limits, configurable: true });
    try {
      const model = Transformer.create(gpu, c, initParams(c, { seed: 1 }), o2);
      assert.equal(model.attentionDesign, "flash");
      model.release();
      assert.throws(
        () =>
          Transformer.create(gpu, c, initParams(c, { seed: 1 }), {
            ...o2,
            attention: { design: "products" },
          }),
        /more than this device can hold/,
      );
    } finally {
      delete (gpu as unknown as { isCpu?: boolean }).isCpu;
      delete (gpu as unknown as { limits?: unknown }).limits;
    }
    assert.equal(gpu.limits, real);
  },
);

gpuTest(
  "transformer: checkpointed layers give the same bits, and inference shares one set of activations",
  async (gpu) => {
    const cases: [ModelConfig, number[], number][] = [
      [tinyConfig("llama", { maxPositions: 16 }), [13, 9, 4], 13], // padding-free (packed)
      [tinyConfig("gpt2", { maxPositions: 16 }), [12, 12], 12], // every token real
      [tinyConfig("gemma2", { maxPositions: 16 }), [13, 9, 4], 13], // sandwich norms, windows
      [tinyConfig("qwen3", { maxPositions: 16 }), [11, 6], 11], // q/k norms
    ];
    for (const [c, lengths, T] of cases) {
      const params = testParams(c, 7), host = randomBatch(c, lengths, T, 8);
      const rng = new Rng(9);
      const coef = Float32Array.from(host.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
      const coefT = gpu.upload(coef, [coef.length]);
      const runs = [];
      for (const checkpointLayers of [false, true]) {
        const model = Transformer.create(gpu, c, params, {
          maxBatch: 4,
          maxSeqLen: 16,
          checkpointLayers,
        });
        assert.equal(model.checkpointLayers, checkpointLayers);
        const batch = uploadRandomBatch(gpu, host, c.vocabSize);
        runs.push(await step(gpu, model, batch, coefT));
        releaseBatch(batch);
        model.release();
      }
      assert.ok(bitEqual(runs[0].logp, runs[1].logp), `${c.family} logp`);
      for (const [k, g] of runs[0].grads) {
        assert.ok(bitEqual(g, runs[1].grads.get(k)!), `${c.family} d${k}`);
      }
      // An inference model (one set of activations for all layers) gives the same log-probs.
      const inf = Transformer.create(gpu, c, params, {
        maxBatch: 4,
        maxSeqLen: 16,
        inference: true,
      });
      const batch = uploadRandomBatch(gpu, host, c.vocabSize);
      const enc = gpu.encoder();
      inf.forward(enc, batch);
      gpu.submit(enc);
      const [logp] = await gpu.read([inf.logp.view(0, [coef.length])]);
      assert.ok(bitEqual(logp, runs[0].logp), `${c.family} inference logp`);
      releaseBatch(batch);
      inf.release();
      coefT.release();
    }
    // Fewer bytes: one set of block activations, not one per layer.
    const c = tinyConfig("llama", { numLayers: 8 });
    const o = { maxBatch: 8, maxSeqLen: 64 };
    assert.ok(
      Transformer.estimateBytes(c, { ...o, checkpointLayers: true }) <
        0.6 * Transformer.estimateBytes(c, o),
    );
  },
);

gpuTest(
  "transformer: the pad token's embedding row learns nothing from its lookups (padding_idx)",
  async (gpu) => {
    for (const tie of [false, true]) {
      const c = tinyConfig("llama", { maxPositions: 16, padTokenId: 3, tieEmbeddings: tie });
      const params = testParams(c, 5), raw = randomBatch(c, [12, 9], 12, 6);
      // The pad id as a real token (Phi-3's pad is its EOS), several times.
      const tokens = Int32Array.from(raw.tokens), targets = Int32Array.from(raw.targets);
      for (const i of [2, 5, 13, 17]) tokens[i] = 3;
      for (let i = 0; i + 1 < tokens.length; i++) if (targets[i] >= 0) targets[i] = tokens[i + 1];
      const host = { ...raw, tokens, targets };
      const rng = new Rng(7);
      const coef = Float32Array.from(host.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
      const cpu = new ReferenceModel(c, params);
      cpu.forward(host);
      const want = cpu.backward(coef).get(modelNames(c).wte)!;
      const C = c.hiddenSize, row = (v: ArrayLike<number>) => Array.from(v).slice(3 * C, 4 * C);
      // Untied, the row's gradient is exactly zero; tied, only the head's part is left.
      if (!tie) assert.ok(row(want).every((v) => v === 0));
      else assert.ok(row(want).some((v) => v !== 0));
      const model = Transformer.create(gpu, c, params, { maxBatch: 2, maxSeqLen: 16 });
      const batch = uploadRandomBatch(gpu, host, c.vocabSize);
      const coefT = gpu.upload(coef, [coef.length]);
      // Two micro-batches accumulated: the row keeps what the first gave it.
      const enc = gpu.encoder();
      model.zeroGrads(enc);
      for (let k = 0; k < 2; k++) {
        model.forward(enc, batch);
        model.backward(enc, batch, coefT);
      }
      gpu.submit(enc);
      const got = (await model.readGrads()).get(modelNames(c).wte)!;
      assertClose(got, want.map((v) => 2 * v), { rtol: 1e-4, atol: 1e-6, label: `tied ${tie}` });
      if (!tie) assert.ok(row(got).every((v) => v === 0));
      releaseBatch(batch);
      coefT.release();
      model.release();
    }
  },
);
