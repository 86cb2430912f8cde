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
});
