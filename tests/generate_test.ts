import assert from "node:assert/strict";
import { hasSandwichNorms, type ModelConfig, normOffset, tinyConfig } from "../model/config.ts";
import {
  generate,
  generateDetailed,
  type GenerateOptions,
  greedyToken,
  logSoftmaxAt,
  sampleToken,
  samplingDistribution,
} from "../model/generate.ts";
import { initParams } from "../model/params.ts";
import { ReferenceModel } from "../model/reference_model.ts";
import { Transformer } from "../model/transformer.ts";
import { assertClose } from "../testing/assert_close.ts";
import { gpuTest } from "../testing/gpu_harness.ts";
import type { Gpu } from "../kernels/gpu.ts";
import { Rng } from "../util/rng.ts";

// ---- sampling on the CPU ---------------------------------------------------------------------

Deno.test("greedy picks the largest logit, the lowest index among ties", () => {
  assert.equal(greedyToken([0.5, 2, -1, 2, 1.9]), 1);
  assert.equal(greedyToken([-3]), 0);
  assert.equal(greedyToken(new Float32Array([-1e30, -1e30, -5])), 2);
  assert.throws(() => greedyToken([0, NaN, 1]), /logit 1 is NaN/);
});

Deno.test("temperature scales the softmax; temperature 0 is greedy and draws nothing", () => {
  const logits = [1, 2, 0.5, -1];
  for (const temperature of [0.5, 1, 3]) {
    const d = samplingDistribution(logits, { temperature });
    const e = logits.map((l) => Math.exp(l / temperature)), z = e.reduce((a, b) => a + b);
    assert.deepEqual(d.ids, [1, 0, 2, 3]);
    assertClose(d.probs, [1, 0, 2, 3].map((i) => e[i] / z), { rtol: 1e-12 });
  }
  const rng = new Rng(5), before = rng.state();
  assert.equal(sampleToken(logits, { temperature: 0, topK: 2 }, rng), 1);
  assert.deepEqual(rng.state(), before);
});

Deno.test("top-k keeps the k largest logits, ties by lower id", () => {
  const d = samplingDistribution([3, 1, 3, 2, 1], { temperature: 1, topK: 3 });
  assert.deepEqual(d.ids, [0, 2, 3]);
  assert.ok(Math.abs(d.probs.reduce((a, b) => a + b) - 1) < 1e-12);
  assert.equal(samplingDistribution([1, 2], { temperature: 1, topK: 5 }).ids.length, 2);
});

Deno.test("top-p keeps the smallest most-likely set whose mass reaches p", () => {
  const logits = Array.from({ length: 50 }, (_, i) => Math.sin(i * 1.7) * 3);
  const full = samplingDistribution(logits, { temperature: 1 });
  for (const topP of [0.05, 0.3, 0.5, 0.9, 0.999]) {
    const d = samplingDistribution(logits, { temperature: 1, topP });
    const k = d.ids.length;
    assert.deepEqual(d.ids, full.ids.slice(0, k));
    const mass = full.probs.slice(0, k).reduce((a, b) => a + b, 0);
    const less = mass - full.probs[k - 1];
    assert.ok(mass >= topP - 1e-12 && less < topP, `p ${topP}: ${k} tokens, mass ${mass}`);
    assertClose(d.probs, full.probs.slice(0, k).map((p) => p / mass), { rtol: 1e-12 });
  }
  // A dominant token alone reaches p.
  assert.deepEqual(samplingDistribution([10, 0, 0], { temperature: 1, topP: 0.9 }).ids, [0]);
  assert.throws(() => samplingDistribution([1], { temperature: 1, topP: 0 }), /topP/);
  assert.throws(() => samplingDistribution([1], { temperature: -1 }), /temperature/);
  assert.throws(() => samplingDistribution([1], { temperature: 1, topK: 0 }), /topK/);
});

Deno.test("sampling is reproducible from the seed and follows the distribution", () => {
  const logits = [0.3, 1.2, -0.4, 0.9, 0, 2.1];
  const o = { temperature: 0.8, topK: 5, topP: 0.95 };
  const draw = (seed: number, n: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => sampleToken(logits, o, rng));
  };
  assert.deepEqual(draw(11, 200), draw(11, 200));
  assert.notDeepEqual(draw(11, 200), draw(12, 200));
  const n = 20000, counts = new Map<number, number>();
  for (const id of draw(13, n)) counts.set(id, (counts.get(id) ?? 0) + 1);
  const d = samplingDistribution(logits, o);
  assert.ok([...counts.keys()].every((id) => d.ids.includes(id)));
  d.ids.forEach((id, i) => {
    const f = (counts.get(id) ?? 0) / n, sd = Math.sqrt(d.probs[i] * (1 - d.probs[i]) / n);
    assert.ok(Math.abs(f - d.probs[i]) < 5 * sd + 1e-9, `id ${id}: ${f} vs ${d.probs[i]}`);
  });
});

Deno.test("logSoftmaxAt is log softmax", () => {
  assert.ok(Math.abs(logSoftmaxAt([0, 0], 1) + Math.log(2)) < 1e-15);
  assert.ok(Math.abs(logSoftmaxAt([1000, 0], 0)) < 1e-15);
});

// ---- generation on the GPU -------------------------------------------------------------------

/** A tiny model with weights large enough that greedy choices are not near-ties. */
function tinyModel(gpu: Gpu, c: ModelConfig) {
  const params = initParams(c, { seed: 17, std: 0.3 });
  // Norm weights start at 1 (Gemma's at 0, scaling by 1 + w): spread them (q_norm unlike
  // k_norm), so a norm applied to the wrong tensor, or not at all, shows.
  const rng = new Rng(18);
  for (const [name, w] of params) {
    const base = 0.5 - normOffset(c);
    if (/(q|k)_norm\.weight$/.test(name)) w.set(w.map(() => base + rng.uniform()));
    // Gemma 2/3's norms of the block outputs: louder than the √C-scaled embedding they add to,
    // or random tiny models only echo their input token.
    if (/post_(attention|feedforward)_layernorm/.test(name) && hasSandwichNorms(c)) {
      w.set(w.map(() => 2 + 2 * rng.uniform()));
    }
  }
  const model = Transformer.create(gpu, c, params, { maxBatch: 1, maxSeqLen: 1 });
  return { model, params };
}

const PROMPTS = [[5, 9, 3, 44, 12], [7], [60, 2, 2, 8, 31, 90, 15, 4, 33]];

/** The float64 model's log-prob of every generated token, flattened over rows. */
function referenceLogprobs(
  c: ModelConfig,
  params: Map<string, Float32Array>,
  prompts: number[][],
  generated: number[][],
): number[] {
  const seqs = prompts.map((p, b) => [...p, ...generated[b]]);
  const T = Math.max(...seqs.map((s) => s.length)), B = seqs.length;
  const tokens = new Int32Array(B * T), targets = new Int32Array(B * T).fill(-1);
  seqs.forEach((s, b) => {
    tokens.set(s, b * T);
    for (let t = 0; t + 1 < s.length; t++) targets[b * T + t] = s[t + 1];
  });
  const logp = new ReferenceModel(c, params).forward({
    tokens,
    targets,
    lengths: seqs.map((s) => s.length),
    batch: B,
    seqLen: T,
  });
  return seqs.flatMap((_, b) =>
    generated[b].map((_, i) => logp[b * T + prompts[b].length - 1 + i])
  );
}

// "llama3": Llama 3's scaled RoPE, which the cache's own RoPE table must apply too. "sliding":
// Qwen2 with its second layer sliding over 6 keys, shorter than the sequences (prompts up to 9,
// 12 new tokens): the cached steps must drop the keys the full forward's mask hides. "phi4":
// Phi-4-mini's partial RoPE (6 of each head's 8 elements), which the cache's RoPE applies too.
const FAMILIES = [
  "gpt2",
  "llama",
  "llama3",
  "qwen3",
  "sliding",
  "gemma",
  "gemma2",
  "gemma3",
  "smollm3",
  "olmo2",
  "granite",
  "phi4",
  "gpt_neox",
  "stablelm",
  "phi",
  "starcoder2",
  "olmo3",
  "cohere",
  "cohere2",
] as const;
for (const family of FAMILIES) {
  gpuTest(`generate ${family}: the KV cache reproduces the full forward, batched`, async (gpu) => {
    const c = family === "llama3"
      ? tinyConfig("llama", {
        ropeTheta: 500,
        ropeScaling: {
          type: "llama3",
          factor: 4,
          lowFreqFactor: 1,
          highFreqFactor: 4,
          originalMaxPositions: 32,
        },
      })
      : family === "sliding"
      ? tinyConfig("qwen2", { slidingWindow: 6, slidingLayers: [false, true] })
      : family === "gemma3"
      ? tinyConfig("gemma3", { slidingLayers: [true, false], ropeTheta: 1e4 })
      : family === "phi4"
      ? tinyConfig("phi3", { rotaryDim: 6, ropeTheta: 100 })
      : family === "starcoder2"
      ? tinyConfig("starcoder2", { slidingWindow: 5 })
      : tinyConfig(family);
    const { model, params } = tinyModel(gpu, c);
    const o: GenerateOptions = { maxNewTokens: 12, eosTokenIds: [] };
    const cached = await generateDetailed(model, PROMPTS, o);
    const full = await generateDetailed(model, PROMPTS, { ...o, useCache: false });
    assert.deepEqual(cached.tokens, full.tokens);
    assert.ok(cached.tokens.every((t) => t.length === 12));
    assert.deepEqual(cached.finishReasons, ["length", "length", "length"]);
    assert.ok(new Set(cached.tokens.flat()).size > 3, `degenerate: ${cached.tokens}`);
    // Both paths' log-probs match the float64 model on the generated sequences.
    const want = referenceLogprobs(c, params, PROMPTS, cached.tokens);
    const a = assertClose(cached.logprobs.flat(), want, { label: `${family} cached logprobs` });
    const b = assertClose(full.logprobs.flat(), want, { label: `${family} full logprobs` });
    console.log(
      `${family}: logprob rel err cached ${a.relError.toExponential(2)}, full ${
        b.relError.toExponential(2)
      }`,
    );
    // One row at a time gives the same greedy tokens as the batch.
    assert.deepEqual(await generate(model, PROMPTS, { ...o, batchSize: 1 }), cached.tokens);
    model.release();
  });
}

gpuTest("generate: rows stop at EOS (kept) and at the model's last position", async (gpu) => {
  const c = tinyConfig("llama");
  const { model } = tinyModel(gpu, c);
  const free = await generate(model, PROMPTS, { maxNewTokens: 8, eosTokenIds: [] });
  const eos = free[0][2]; // row 0's third token
  const got = await generateDetailed(model, PROMPTS, { maxNewTokens: 8, eosTokenIds: [eos] });
  free.forEach((row, b) => {
    const at = row.indexOf(eos);
    assert.deepEqual(got.tokens[b], at < 0 ? row : row.slice(0, at + 1), `row ${b}`);
    assert.equal(got.finishReasons[b], at < 0 ? "length" : "eos");
  });
  assert.equal(got.tokens[0].length, 3);
  // The config's EOS ids are the default.
  const model2 = Transformer.create(
    gpu,
    { ...c, eosTokenIds: [eos] },
    initParams(c, { seed: 17, std: 0.3 }),
    {
      maxBatch: 1,
      maxSeqLen: 1,
    },
  );
  assert.deepEqual(await generate(model2, PROMPTS, { maxNewTokens: 8 }), got.tokens);
  model2.release();
  // A 60-token prompt of a 64-position model gets 4 tokens, whatever maxNewTokens says.
  const long = Array.from({ length: 60 }, (_, i) => (i * 7) % c.vocabSize);
  const near = await generateDetailed(model, [long, [1]], { maxNewTokens: 10, eosTokenIds: [] });
  assert.equal(near.tokens[0].length, 4);
  assert.equal(near.tokens[1].length, 10);
  assert.deepEqual(near.finishReasons, ["length", "length"]);
  // The same without the cache (the long row finishes first and keeps being fed).
  const nearFull = await generateDetailed(model, [long, [1]], {
    maxNewTokens: 10,
    eosTokenIds: [],
    useCache: false,
  });
  assert.deepEqual(nearFull.tokens, near.tokens);
  assert.deepEqual((await generate(model, [[1]], { maxNewTokens: 0 }))[0], []);
  await assert.rejects(() => generate(model, [[]], { maxNewTokens: 1 }), /prompt 1 is empty/);
  await assert.rejects(() => generate(model, [[1, 97]], { maxNewTokens: 1 }), /token 97 at 1/);
  // An abort stops it between steps, with the signal's reason; the model stays usable.
  let steps = 0;
  const counting = {
    throwIfAborted() {
      if (++steps === 3) throw new Error("stop here");
    },
  } as unknown as AbortSignal;
  await assert.rejects(
    () => generate(model, PROMPTS, { maxNewTokens: 8, eosTokenIds: [], signal: counting }),
    /stop here/,
  );
  assert.equal(steps, 3);
  assert.deepEqual(await generate(model, PROMPTS, { maxNewTokens: 8, eosTokenIds: [] }), free);
  model.release();
});

gpuTest("generate: seeded sampling is reproducible, with or without the cache", async (gpu) => {
  const c = tinyConfig("gpt2");
  const { model } = tinyModel(gpu, c);
  const o: GenerateOptions = {
    maxNewTokens: 10,
    eosTokenIds: [],
    temperature: 1.2,
    topK: 40,
    topP: 0.95,
    seed: 3,
  };
  const a = await generate(model, PROMPTS, o);
  assert.deepEqual(await generate(model, PROMPTS, o), a);
  assert.deepEqual(await generate(model, PROMPTS, { ...o, useCache: false }), a);
  // Prompt i draws from its own stream: groups of one, or the first prompt alone, sample the same
  // continuations as the whole batch.
  assert.deepEqual(await generate(model, PROMPTS, { ...o, batchSize: 1 }), a);
  assert.deepEqual(await generate(model, PROMPTS.slice(0, 1), o), a.slice(0, 1));
  const other = await generate(model, PROMPTS, { ...o, seed: 4 });
  assert.notDeepEqual(other, a);
  const greedy = await generate(model, PROMPTS, { ...o, temperature: 0 });
  assert.notDeepEqual(greedy, a);
  model.release();
});

gpuTest(
  "generate: a prompt past a CPU adapter's flash loop limit is refused by length",
  async (gpu) => {
    if (!gpu.isCpu) return; // GPUs have no such limit
    const c = tinyConfig("llama", {
      hiddenSize: 128,
      numHeads: 1,
      numKvHeads: 1,
      headDim: 128,
      maxPositions: 4096,
    });
    const model = Transformer.create(gpu, c, initParams(c, { seed: 1 }), {
      maxBatch: 1,
      maxSeqLen: 16,
      inference: true,
    });
    const prompt = Array.from({ length: 2500 }, (_, i) => 3 + (i % 50));
    await assert.rejects(
      generate(model, [prompt], { maxNewTokens: 2, eosTokenIds: [] }),
      /generate: a full forward over 2500 tokens at head size 128 .* at most 2432 tokens run here/,
    );
    model.release();
  },
);
