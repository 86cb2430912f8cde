import assert from "node:assert/strict";
import { type ModelConfig, tinyConfig } from "../model/config.ts";
import { fromHf, initParams, internalParams, toHf } from "../model/params.ts";
import { ReferenceModel } from "../model/reference_model.ts";
import { parseSafetensors } from "../model/safetensors.ts";
import { dot } from "../testing/assert_close.ts";
import { randomBatch } from "../testing/model_batches.ts";
import { Rng } from "../util/rng.ts";

function checkAgainstFiniteDifferences(c: ModelConfig) {
  const params = new Map(
    [...initParams(c, { seed: 3, std: 0.3 })].map(([k, v]) => [k, Float64Array.from(v)]),
  );
  // Norm weights away from 1 and non-zero biases, so every gradient path is exercised.
  const rng = new Rng(4);
  for (const p of internalParams(c)) {
    if (p.kind === "norm_weight" || p.kind === "bias" || p.kind === "norm_bias") {
      const v = params.get(p.name)!;
      for (let i = 0; i < v.length; i++) v[i] += rng.uniform() - 0.5;
    }
  }
  const batch = randomBatch(c, [13, 9, 5], 13, 5);
  const coef = Float64Array.from(batch.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
  const model = new ReferenceModel(c, params);
  model.forward(batch);
  const grads = model.backward(coef);
  const loss = () => dot(coef, model.forward(batch));
  const h = 1e-5;
  for (const p of internalParams(c)) {
    const v = params.get(p.name)!, g = grads.get(p.name);
    assert.ok(g, `no gradient for ${p.name}`);
    let num2 = 0, diff2 = 0;
    for (let s = 0; s < 6; s++) {
      const i = rng.int(v.length), keep = v[i];
      v[i] = keep + h;
      const up = loss();
      v[i] = keep - h;
      const down = loss();
      v[i] = keep;
      const fd = (up - down) / (2 * h);
      num2 += fd * fd;
      diff2 += (fd - g[i]) ** 2;
    }
    const rel = Math.sqrt(diff2) / Math.max(Math.sqrt(num2), 1e-12);
    assert.ok(rel < 1e-6 || Math.sqrt(diff2) < 1e-9, `${p.name}: relative error ${rel}`);
  }
}

Deno.test("reference model: tiny GPT-2 gradients match finite differences", () => {
  checkAgainstFiniteDifferences(tinyConfig("gpt2", { numLayers: 2, maxPositions: 16 }));
});

Deno.test("reference model: tiny Llama (GQA, untied head) gradients match finite differences", () => {
  checkAgainstFiniteDifferences(tinyConfig("llama", { tieEmbeddings: false }));
});

Deno.test("reference model: tiny Qwen2 (q/k/v biases, tied) gradients match finite differences", () => {
  checkAgainstFiniteDifferences(tinyConfig("qwen2", { tieEmbeddings: true, numLayers: 1 }));
});

Deno.test("reference model: tiny GPT-NeoX (partial RoPE, parallel residual) gradients match finite differences", () => {
  // Pythia's block: a quarter of each head rotated (here 2 of 8), the exact GELU, untied head.
  checkAgainstFiniteDifferences(tinyConfig("gpt_neox", { rotaryDim: 2, maxPositions: 16 }));
  // use_parallel_residual false, without biases on the attention, the tanh GELU.
  checkAgainstFiniteDifferences(
    tinyConfig("gpt_neox", { parallelResidual: false, qkvBias: false, exactGelu: undefined }),
  );
});

Deno.test("reference model: tiny StableLM (LayerNorms, partial RoPE, q/k/v biases) gradients match finite differences", () => {
  checkAgainstFiniteDifferences(tinyConfig("stablelm", { rotaryDim: 2, numLayers: 1 }));
});

Deno.test("reference model: tiny Phi-2 (one shared norm, head bias, partial RoPE) gradients match finite differences", () => {
  checkAgainstFiniteDifferences(tinyConfig("phi", { maxPositions: 16 }));
  checkAgainstFiniteDifferences(
    tinyConfig("phi", { tieEmbeddings: true, numKvHeads: 2, numLayers: 1 }),
  );
});

Deno.test("reference model: tiny StarCoder2 (LayerNorms, biases, GELU MLP, window) gradients match finite differences", () => {
  checkAgainstFiniteDifferences(tinyConfig("starcoder2", { slidingWindow: 4, numLayers: 1 }));
});

Deno.test("reference model: tiny OLMo 3 (sliding layers, two RoPEs) gradients match finite differences", () => {
  checkAgainstFiniteDifferences(tinyConfig("olmo3", { slidingWindow: 3 }));
});

Deno.test("reference model: tiny Cohere (one bias-free LayerNorm, parallel block, logit scale) gradients match finite differences", () => {
  checkAgainstFiniteDifferences(tinyConfig("cohere", { qkvBias: true, numLayers: 1 }));
});

Deno.test("reference model: tiny Cohere 2 (sliding layers with RoPE, full ones without) gradients match finite differences", () => {
  checkAgainstFiniteDifferences(tinyConfig("cohere2", { slidingWindow: 3 }));
});

Deno.test("params: Cohere's q and k rows turn interleaved RoPE pairs into halves, and back", () => {
  const c = tinyConfig("cohere", { qkvBias: true });
  const params = initParams(c, { seed: 4 });
  const rng = new Rng(5);
  for (const v of params.values()) v.set(rng.uniformArray(v.length));
  const hf = toHf(c, params);
  // Head 1's pair 2 (rows 4, 5 of the head in the file) is rows 2 and 2 + HS/2 internally.
  const HS = 8, C = 32, q = params.get("model.layers.0.self_attn.q_proj.weight")!;
  const fileQ = hf.get("model.layers.0.self_attn.q_proj.weight")!.data;
  const row = (a: ArrayLike<number>, r: number) => Array.from(a).slice(r * C, (r + 1) * C);
  assert.deepEqual(row(fileQ, HS + 4), row(q, HS + 2));
  assert.deepEqual(row(fileQ, HS + 5), row(q, HS + 2 + HS / 2));
  // v and o keep their order; everything round-trips exactly.
  const v = params.get("model.layers.0.self_attn.v_proj.weight")!;
  assert.deepEqual(hf.get("model.layers.0.self_attn.v_proj.weight")!.data, v);
  const back = fromHf(c, hf, "test");
  for (const [name, value] of params) assert.deepEqual(back.get(name), value, name);
});

Deno.test("params: GPT-NeoX query_key_value splits by head into q/k/v and merges back exactly", () => {
  const c = tinyConfig("gpt_neox", { tieEmbeddings: false });
  const params = initParams(c, { seed: 9 });
  const rng = new Rng(2);
  for (const v of params.values()) v.set(rng.uniformArray(v.length));
  const hf = toHf(c, params);
  const C = 32, HS = 8;
  const qkv = hf.get("gpt_neox.layers.1.attention.query_key_value.weight")!;
  const bias = hf.get("gpt_neox.layers.1.attention.query_key_value.bias")!;
  assert.deepEqual([qkv.shape, bias.shape], [[3 * C, C], [3 * C]]);
  // Rows (h·3 + j)·HS + d hold part j's row h·HS + d: head 2's keys, head 3's values.
  const k = params.get("gpt_neox.layers.1.attention.k.weight")!;
  const vb = params.get("gpt_neox.layers.1.attention.v.bias")!;
  assert.deepEqual(
    qkv.data.subarray((2 * 3 + 1) * HS * C, (2 * 3 + 2) * HS * C),
    k.subarray(2 * HS * C, 3 * HS * C),
  );
  assert.deepEqual(
    bias.data.subarray((3 * 3 + 2) * HS, (3 * 3 + 3) * HS),
    vb.subarray(3 * HS, 4 * HS),
  );
  assert.ok(hf.has("embed_out.weight") && !hf.has("lm_head.weight"));
  const back = fromHf(c, hf, "test");
  for (const [name, v] of params) assert.deepEqual(back.get(name), v, name);
  // transformers v5's in-memory name for the head, and older checkpoints' attention buffers.
  const renamed = new Map(
    [...hf].map(([n, t]) => [n === "embed_out.weight" ? "lm_head.weight" : n, t]),
  );
  renamed.set("gpt_neox.layers.0.attention.masked_bias", { shape: [1], data: new Float32Array(1) });
  renamed.set("gpt_neox.layers.0.attention.rotary_emb.inv_freq", {
    shape: [2],
    data: new Float32Array(2),
  });
  const again = fromHf(c, renamed, "test");
  for (const [name, v] of params) assert.deepEqual(again.get(name), v, name);
});

Deno.test("params: GPT-2 c_attn splits into q/k/v and merges back exactly", () => {
  const c = tinyConfig("gpt2");
  const params = initParams(c, { seed: 9 });
  const hf = toHf(c, params);
  assert.deepEqual(hf.get("transformer.h.0.attn.c_attn.weight")!.shape, [32, 96]);
  const back = fromHf(c, hf, "test");
  for (const [name, v] of params) assert.deepEqual(back.get(name), v, name);
  // Copies by default; with adopt, the tensors' own arrays (all but the split c_attn parts).
  const adopted = fromHf(c, hf, "test", { adopt: true });
  const wte = hf.get("transformer.wte.weight")!.data;
  assert.notEqual(back.get("transformer.wte.weight"), wte);
  assert.equal(adopted.get("transformer.wte.weight"), wte);
  for (const [name, v] of params) assert.deepEqual(adopted.get(name), v, name);
  // Buffers older GPT-2 checkpoints saved, in dtypes a weight never has (BOOL, U8), are skipped
  // unread; a weight in such a dtype is refused by name.
  const header = JSON.stringify({
    "h.0.attn.bias": { dtype: "BOOL", shape: [4, 4], data_offsets: [0, 16] },
    "h.0.attn.masked_bias": { dtype: "U8", shape: [1], data_offsets: [16, 17] },
    "h.0.ln_1.weight": { dtype: "BOOL", shape: [32], data_offsets: [17, 49] },
  });
  const bytes = new Uint8Array(8 + header.length + 49);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(new TextEncoder().encode(header), 8);
  const odd = parseSafetensors(bytes, "old.safetensors").tensors;
  const withBuffers = new Map([...hf, ...[...odd].filter(([k]) => k.includes("attn"))]);
  const again = fromHf(c, withBuffers, "test");
  for (const [name, v] of params) assert.deepEqual(again.get(name), v, name);
  const badWeight = new Map([...hf].filter(([k]) => k !== "transformer.h.0.ln_1.weight"));
  badWeight.set("h.0.ln_1.weight", odd.get("h.0.ln_1.weight")!);
  assert.throws(() => fromHf(c, badWeight, "test"), /tensor "h\.0\.ln_1\.weight": dtype BOOL/);
  // A tied model's file may repeat the embedding as lm_head.weight; a different head is refused
  // (transformers would use it, so ignoring it would train another model).
  const wteT = hf.get("transformer.wte.weight")!;
  const same = new Map(hf).set("lm_head.weight", { shape: wteT.shape, data: wteT.data.slice() });
  for (const [name, v] of fromHf(c, same, "test")) assert.deepEqual(v, params.get(name), name);
  const other = wteT.data.slice();
  other[5] += 1;
  const differs = new Map(hf).set("lm_head.weight", { shape: wteT.shape, data: other });
  assert.throws(() => fromHf(c, differs, "test"), /stored head "lm_head\.weight" differs/);
});
