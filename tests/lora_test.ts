import assert from "node:assert/strict";
import { type ModelConfig, tinyConfig } from "../model/config.ts";
import {
  fromPeft,
  initLora,
  loadAdapter,
  loraParams,
  loraScale,
  type LoraSpec,
  loraTargets,
  mergeLora,
  peftConfig,
  saveAdapter,
  selectModules,
  specFromPeft,
  toPeft,
} from "../model/lora.ts";
import { internalParams, modelNames, type ParamValues } from "../model/params.ts";
import { ReferenceModel } from "../model/reference_model.ts";
import { releaseBatch, Transformer } from "../model/transformer.ts";
import { AdamW, DEFAULT_OPTIMIZER } from "../pipeline/optimizer.ts";
import { assertClose } from "../testing/assert_close.ts";
import { bitEqual, gpuTest } from "../testing/gpu_harness.ts";
import { randomBatch, testParams, uploadRandomBatch } from "../testing/model_batches.ts";
import { Rng } from "../util/rng.ts";
import type { Tensor } from "../kernels/gpu.ts";

/** Adapters with B away from zero too, so every path of the adapters' gradients carries signal. */
function randomAdapters(c: ModelConfig, spec: LoraSpec, seed: number): ParamValues {
  const rng = new Rng(seed), out: ParamValues = new Map();
  for (const p of loraParams(c, spec)) {
    // (DoRA's magnitudes: positive, near the rows' norms of these weights)
    const n = p.shape.reduce((a, b) => a * b, 1);
    out.set(
      p.name,
      p.shape.length === 1 ? rng.uniformArray(n, 1, 3) : rng.uniformArray(n, -0.3, 0.3),
    );
  }
  return out;
}

/**
 * The adapters' gradients from the float64 model's gradient G of each merged weight (as (O, I)):
 * dA = s·Bᵀ·G (summed over a fused module's parts, which share A), dB = s·G·Aᵀ. DoRA's merged
 * weight is diag(m/‖V‖)·V with V = W + s·B·A and ‖V‖ held constant: dm = Σ_i G⊙V / ‖V‖ per row,
 * and V's gradient, diag(m/‖V‖)·G, takes G's place above.
 */
function chainRule(
  c: ModelConfig,
  spec: LoraSpec,
  adapters: ParamValues,
  weightGrads: Map<string, Float64Array>,
  base: ParamValues,
): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>(), s = loraScale(spec), r = spec.rank;
  const inOut = modelNames(c).layout === "in_out";
  for (const t of loraTargets(c, spec)) {
    const g = weightGrads.get(t.weight)!, A = adapters.get(t.a)!, B = adapters.get(t.b)!;
    let scale = (_o: number) => 1;
    if (t.m) {
      const W = base.get(t.weight)!, m = adapters.get(t.m)!;
      const V = (o: number, i: number) => {
        let v = W[inOut ? i * t.out + o : o * t.in + i];
        for (let j = 0; j < r; j++) v += s * B[o * r + j] * A[j * t.in + i];
        return v;
      };
      const norms = new Float64Array(t.out), dm = new Float64Array(t.out);
      for (let o = 0; o < t.out; o++) {
        let nn = 0, d = 0;
        for (let i = 0; i < t.in; i++) nn += V(o, i) ** 2;
        norms[o] = Math.sqrt(nn);
        for (let i = 0; i < t.in; i++) d += g[inOut ? i * t.out + o : o * t.in + i] * V(o, i);
        dm[o] = d / norms[o];
      }
      out.set(t.m, dm);
      scale = (o) => m[o] / norms[o];
    }
    const G = (o: number, i: number) => scale(o) * (inOut ? g[i * t.out + o] : g[o * t.in + i]);
    const dA = out.get(t.a) ?? new Float64Array(r * t.in), dB = new Float64Array(t.out * r);
    for (let o = 0; o < t.out; o++) {
      for (let i = 0; i < t.in; i++) {
        const gi = s * G(o, i);
        for (let j = 0; j < r; j++) {
          dA[j * t.in + i] += B[o * r + j] * gi;
          dB[o * r + j] += gi * A[j * t.in + i];
        }
      }
    }
    out.set(t.a, dA);
    out.set(t.b, dB);
  }
  return out;
}

async function checkLora(
  gpu: Parameters<Parameters<typeof gpuTest>[1]>[0],
  c: ModelConfig,
  spec: LoraSpec,
) {
  const T = 13, lengths = [13, 9, 4];
  const params = testParams(c, 7), adapters = randomAdapters(c, spec, 11);
  const host = randomBatch(c, lengths, T, 8);
  const rng = new Rng(9);
  const coef = Float32Array.from(host.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
  const merged = mergeLora(c, spec, params, adapters);
  const cpu = new ReferenceModel(c, merged);
  const wantLogp = cpu.forward(host);
  const want = chainRule(
    c,
    spec,
    adapters,
    cpu.backward(coef) as Map<string, Float64Array>,
    params,
  );

  const model = Transformer.create(gpu, c, params, {
    maxBatch: 4,
    maxSeqLen: 16,
    lora: { ...spec, adapters },
  });
  const batch = uploadRandomBatch(gpu, host, c.vocabSize);
  const coefT = gpu.upload(coef, [coef.length], { label: "coef" });
  const enc = gpu.encoder();
  model.zeroGrads(enc);
  model.forward(enc, batch);
  model.backward(enc, batch, coefT);
  gpu.submit(enc);
  const [logp] = await gpu.read([model.logp.view(0, [coef.length])]);
  const grads = await model.readGrads();
  const label = `${c.family} ${JSON.stringify(spec.targetModules)}`;
  assertClose(logp, wantLogp, { rtol: 1e-5, label: `${label} logp` });
  // Only the adapters have gradients; each matches the chain rule through the merged weight.
  assert.deepEqual([...grads.keys()].sort(), [...want.keys()].sort());
  for (const [name, g] of want) {
    assertClose(grads.get(name)!, g, { rtol: 1e-4, atol: 1e-6, label: `${label} d${name}` });
  }
  // The merged parameters the model reads back are the host's merge.
  const back = await model.readParams();
  assert.deepEqual([...back.keys()], internalParams(c).map((p) => p.name));
  for (const [name, v] of merged) {
    assertClose(back.get(name)!, v, { rtol: 1e-6, label: `${label} merged ${name}` });
  }
  releaseBatch(batch);
  coefT.release();
  model.release();
}

gpuTest("lora: tiny Llama, every linear adapted, matches the float64 model", async (gpu) => {
  await checkLora(gpu, tinyConfig("llama", { maxPositions: 16 }), {
    rank: 3,
    alpha: 5,
    targetModules: "all-linear",
  });
});

gpuTest("lora: tiny GPT-2 (Conv1D, fused c_attn) matches the float64 model", async (gpu) => {
  await checkLora(gpu, tinyConfig("gpt2", { maxPositions: 16 }), {
    rank: 2,
    alpha: 3,
    targetModules: "all-linear",
  });
});

gpuTest("lora: tiny GPT-NeoX and Phi-3 (fused by head and by rows) match float64", async (gpu) => {
  await checkLora(gpu, tinyConfig("gpt_neox", { maxPositions: 16 }), {
    rank: 2,
    alpha: 4,
    targetModules: ["query_key_value", "dense_4h_to_h"],
  });
  await checkLora(gpu, tinyConfig("phi3", { maxPositions: 16 }), {
    rank: 3,
    alpha: 2,
    targetModules: ["qkv_proj", "gate_up_proj"],
    rslora: true,
  });
});

gpuTest("lora: tiny Qwen2 (biases) and Cohere (reordered q, k) match float64", async (gpu) => {
  await checkLora(gpu, tinyConfig("qwen2", { maxPositions: 16 }), {
    rank: 2,
    alpha: 4,
    targetModules: ["q_proj", "v_proj"],
  });
  await checkLora(gpu, tinyConfig("cohere", { maxPositions: 16 }), {
    rank: 2,
    alpha: 4,
    targetModules: ["self_attn.q_proj", "k_proj", "down_proj"],
  });
});

gpuTest("lora: AdamW trains the adapters only; the base stays bit for bit", async (gpu) => {
  const c = tinyConfig("llama", { maxPositions: 16 });
  const spec: LoraSpec = { rank: 4, alpha: 8, targetModules: "all-linear" };
  const params = testParams(c, 3);
  const model = Transformer.create(gpu, c, params, {
    maxBatch: 2,
    maxSeqLen: 16,
    lora: { ...spec, seed: 5 },
  });
  // Fresh adapters: B is zero, so the model starts as the base model.
  const plain = Transformer.create(gpu, c, params, { maxBatch: 2, maxSeqLen: 16 });
  const host = randomBatch(c, [12, 7], 12, 4);
  const batch = uploadRandomBatch(gpu, host, c.vocabSize);
  const n = host.tokens.length;
  // Loss = −mean log p: coef = −1/targets on target tokens.
  const count = Array.from(host.targets).filter((t) => t >= 0).length;
  const coef = gpu.upload(Float32Array.from(host.targets, (t) => t < 0 ? 0 : -1 / count), [n]);
  const nll = async (m: Transformer) => {
    const enc = gpu.encoder();
    m.forward(enc, batch);
    gpu.submit(enc);
    const [logp] = await gpu.read([m.logp.view(0, [n])]);
    return -Array.from(logp as Float32Array).reduce((a, b) => a + b, 0) / count;
  };
  const start = await nll(model);
  assert.equal(start, await nll(plain), "fresh adapters change nothing");
  const opt = new AdamW(model, { ...DEFAULT_OPTIMIZER, lr: 1e-2, weightDecay: 0.01 });
  const frozen = await gpu.read(model.paramList.map((p) => model.param(p.name)));
  const a0 = await model.readAdapters();
  for (let i = 0; i < 8; i++) {
    const enc = gpu.encoder();
    model.zeroGrads(enc);
    model.forward(enc, batch);
    model.backward(enc, batch, coef);
    opt.step(enc, 1e-2);
    gpu.submit(enc);
  }
  const end = await nll(model);
  assert.ok(end < start - 0.05, `the loss falls: ${start} → ${end}`);
  const after = await gpu.read(model.paramList.map((p) => model.param(p.name)));
  frozen.forEach((v, i) => assert.ok(bitEqual(v, after[i]), model.paramList[i].name));
  const a1 = await model.readAdapters();
  assert.ok([...a0.keys()].every((k) => !bitEqual(a0.get(k)!, a1.get(k)!)), "every adapter moved");
  // The merged model alone gives the adapted model's log-probs.
  plain.writeParams(await model.readParams());
  assertClose(Float64Array.of(await nll(plain)), Float64Array.of(end), { rtol: 1e-5 });
  releaseBatch(batch);
  coef.release();
  opt.release();
  model.release();
  plain.release();
});

gpuTest("lora: DoRA matches the float64 model, fused modules and biases included", async (gpu) => {
  const dora = (targetModules: LoraSpec["targetModules"]): LoraSpec => ({
    rank: 2,
    alpha: 4,
    targetModules,
    dora: true,
  });
  await checkLora(gpu, tinyConfig("llama", { maxPositions: 16 }), dora("all-linear"));
  await checkLora(
    gpu,
    tinyConfig("qwen2", { maxPositions: 16 }),
    dora(["q_proj", "v_proj", "o_proj"]),
  );
  await checkLora(gpu, tinyConfig("phi3", { maxPositions: 16 }), dora("all-linear"));
  await checkLora(gpu, tinyConfig("gpt_neox", { maxPositions: 16 }), dora("all-linear"));
  await checkLora(gpu, tinyConfig("cohere", { maxPositions: 16 }), dora(["q_proj", "k_proj"]));
  // GPT-2's Conv1D stores (in, out): the output rows are its columns (fused c_attn included).
  await checkLora(gpu, tinyConfig("gpt2", { maxPositions: 16 }), dora("all-linear"));
});

Deno.test("lora: PEFT files round-trip for every way a module is fused", () => {
  const cases: [string, LoraSpec][] = [
    ["llama", { rank: 3, alpha: 6, targetModules: "all-linear" }],
    ["gpt2", { rank: 2, alpha: 4, targetModules: "all-linear" }],
    ["gpt_neox", { rank: 2, alpha: 4, targetModules: "all-linear" }],
    ["phi3", { rank: 2, alpha: 4, targetModules: "all-linear" }],
    ["cohere", { rank: 2, alpha: 4, targetModules: ["q_proj", "k_proj"] }],
    ["gpt_neox", { rank: 2, alpha: 4, targetModules: "all-linear", dora: true }],
    ["phi3", { rank: 2, alpha: 4, targetModules: "all-linear", dora: true }],
    ["cohere", { rank: 2, alpha: 4, targetModules: ["q_proj"], dora: true }],
    ["gpt2", { rank: 2, alpha: 4, targetModules: "all-linear", dora: true }],
  ];
  for (const [family, spec] of cases) {
    const c = tinyConfig(family as ModelConfig["family"]);
    const values = randomAdapters(c, spec, 4);
    const file = toPeft(c, spec, values);
    const back = fromPeft(c, spec, file);
    assert.deepEqual([...back.keys()].sort(), [...values.keys()].sort(), family);
    for (const [k, v] of values) assert.ok(bitEqual(back.get(k)!, v), `${family} ${k}`);
    // One A and one B per module (and DoRA's magnitude), under PEFT's prefix, B's rows the
    // module's outputs.
    const modules = selectModules(c, spec);
    assert.equal(file.size, (spec.dora ? 3 : 2) * modules.length);
    for (const m of modules) {
      assert.deepEqual(file.get(`base_model.model.${m.module}.lora_A.weight`)?.shape, [
        spec.rank,
        m.in,
      ]);
      const rows = m.parts.reduce((n, p) => n + p.out, 0);
      assert.deepEqual(file.get(`base_model.model.${m.module}.lora_B.weight`)?.shape, [
        rows,
        spec.rank,
      ]);
    }
  }
});

Deno.test("lora: a fused module's B rows sit where the fused weight's rows are", () => {
  // GPT-NeoX's query_key_value interleaves q, k, v by head: B row (h·3 + j)·HS + d is part j's
  // row h·HS + d, as for the weight.
  const c = tinyConfig("gpt_neox"),
    spec: LoraSpec = {
      rank: 1,
      alpha: 1,
      targetModules: ["query_key_value"],
    };
  const HS = c.headDim, C = c.hiddenSize, values = new Map<string, Float32Array>();
  const [q, k, v] = loraTargets(c, spec).slice(0, 3);
  values.set(q.a, new Float32Array(C));
  [q, k, v].forEach((t, j) =>
    values.set(t.b, Float32Array.from({ length: C }, (_, i) => j * C + i))
  );
  for (const t of loraTargets(c, spec).slice(3)) {
    values.set(t.a, new Float32Array(C));
    values.set(t.b, new Float32Array(C));
  }
  const B = toPeft(c, spec, values).get(
    "base_model.model.gpt_neox.layers.0.attention.query_key_value.lora_B.weight",
  )!.data;
  for (let h = 0; h < c.numHeads; h++) {
    for (let j = 0; j < 3; j++) {
      for (let d = 0; d < HS; d++) assert.equal(B[(h * 3 + j) * HS + d], j * C + h * HS + d);
    }
  }
});

Deno.test("lora: target names are checked, and PEFT configs this trainer cannot load refused", () => {
  const c = tinyConfig("llama");
  assert.equal(selectModules(c, { rank: 2, alpha: 2, targetModules: ["q_proj"] }).length, 2);
  assert.throws(
    () => selectModules(c, { rank: 2, alpha: 2, targetModules: ["q_proj", "c_attn"] }),
    /no llama module matches "c_attn" \(its linear modules: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj/,
  );
  assert.throws(
    () => selectModules(c, { rank: 0, alpha: 2, targetModules: "all-linear" }),
    /rank must be a positive integer/,
  );
  const base = { peft_type: "LORA", r: 4, lora_alpha: 8, target_modules: ["q_proj"] };
  assert.deepEqual(specFromPeft(base), {
    rank: 4,
    alpha: 8,
    targetModules: ["q_proj"],
    rslora: false,
  });
  assert.equal(specFromPeft({ ...base, use_dora: true }).dora, true);
  // A DoRA adapter trained with dropout (TRL's default 0.05) loads: merging needs no dropout.
  const doraDrop = specFromPeft({ ...base, use_dora: true, lora_dropout: 0.05 });
  assert.deepEqual([doraDrop.dora, doraDrop.dropout, selectModules(c, doraDrop).length], [
    true,
    0.05,
    2,
  ]);
  assert.throws(() => specFromPeft({ ...base, bias: "all" }), /"bias" is "all"/);
  assert.throws(() => specFromPeft({ ...base, rank_pattern: { q_proj: 2 } }), /"rank_pattern"/);
  assert.throws(
    () => specFromPeft({ ...base, target_modules: ".*q_proj" }),
    /"target_modules" is ".\*q_proj"/,
  );
  assert.throws(() => specFromPeft({ ...base, peft_type: "IA3" }), /"peft_type" is "IA3"/);
  // A file missing a tensor, or with one too many, names it.
  const spec = specFromPeft(base), tensors = toPeft(c, spec, initLora(c, spec, { seed: 1 }));
  const key = "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight";
  const missing = new Map(tensors);
  missing.delete(key);
  assert.throws(
    () => fromPeft(c, spec, missing, "f.safetensors"),
    /f.safetensors: tensor ".*" is missing/,
  );
  const extra = new Map(tensors).set("base_model.model.lm_head.lora_A.weight", tensors.get(key)!);
  assert.throws(() => fromPeft(c, spec, extra), /unexpected tensor "base_model.model.lm_head/);
});

Deno.test("lora: an adapter folder saves and loads as PEFT writes it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const c = tinyConfig("qwen2"),
      spec: LoraSpec = {
        rank: 2,
        alpha: 16,
        targetModules: "all-linear",
        rslora: true,
      };
    const values = randomAdapters(c, spec, 2);
    await saveAdapter(dir, c, spec, values, { base: "models/base" });
    const json = JSON.parse(await Deno.readTextFile(`${dir}/adapter_config.json`));
    assert.equal(json.peft_type, "LORA");
    assert.equal(json.base_model_name_or_path, "models/base");
    assert.deepEqual(json.target_modules, [
      "q_proj",
      "k_proj",
      "v_proj",
      "o_proj",
      "gate_proj",
      "up_proj",
      "down_proj",
    ]);
    assert.equal(json.use_rslora, true);
    const back = await loadAdapter(dir, c);
    assert.deepEqual(back.spec, { ...spec, targetModules: json.target_modules });
    for (const [k, v] of values) assert.ok(bitEqual(back.values.get(k)!, v), k);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lora: a config's target names select what was trained, partial paths included", () => {
  const c = tinyConfig("gpt2");
  for (const targets of [["attn.c_proj"], ["h.1.attn.c_attn", "mlp.c_fc"]]) {
    const spec: LoraSpec = { rank: 2, alpha: 4, targetModules: targets };
    const again = specFromPeft(peftConfig(c, spec, null));
    assert.deepEqual(
      selectModules(c, again).map((m) => m.module),
      selectModules(c, spec).map((m) => m.module),
    );
  }
});

/**
 * Directional derivatives of the adapters' loss along two random directions: the gradient's
 * (plus `extra(direction)`, a part the gradient holds constant) against central differences of
 * `lossAt` with step 1e-3, within 2e-3 relative plus `atol`.
 */
async function checkDirections(
  model: Transformer,
  adapters: ParamValues,
  grads: ParamValues,
  lossAt: (m: Transformer) => Promise<number>,
  options: { atol: number; label: string; extra?: (dir: Map<string, Float32Array>) => number },
): Promise<void> {
  const h = 1e-3;
  for (const dirSeed of [21, 22]) {
    const r = new Rng(dirSeed), dir = new Map<string, Float32Array>();
    let analytic = 0;
    for (const [k, g] of grads) {
      const v = r.uniformArray(g.length, -1, 1);
      dir.set(k, v);
      for (let i = 0; i < g.length; i++) analytic += g[i] * v[i];
    }
    analytic += options.extra?.(dir) ?? 0;
    const shifted = (sign: number) =>
      new Map([...adapters].map(([k, a]) => [k, a.map((x, i) => x + sign * h * dir.get(k)![i])]));
    model.writeAdapters(shifted(1));
    const up = await lossAt(model);
    model.writeAdapters(shifted(-1));
    const down = await lossAt(model);
    model.writeAdapters(adapters);
    const numeric = (up - down) / (2 * h);
    assert.ok(
      Math.abs(numeric - analytic) <= 2e-3 * Math.abs(analytic) + options.atol,
      `${options.label} direction ${dirSeed}: ${analytic} analytic, ${numeric} by differences`,
    );
  }
}

/**
 * L = Σ coef·logp of one forward of a model dropping with `seed` (null: not at all), and its
 * gradients with `grads`.
 */
function seededLoss(
  gpu: Parameters<Parameters<typeof gpuTest>[1]>[0],
  batch: ReturnType<typeof uploadRandomBatch>,
  coef: Float32Array,
  coefT: Tensor,
) {
  const n = coef.length;
  return async (m: Transformer, seed: number | null, grads = false) => {
    m.setDropoutSeed(seed);
    const enc = gpu.encoder();
    m.zeroGrads(enc);
    m.forward(enc, batch);
    if (grads) m.backward(enc, batch, coefT);
    gpu.submit(enc);
    const [logp] = await gpu.read([m.logp.view(0, [n])]);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += coef[i] * logp[i];
    return { sum, logp, grads: grads ? await m.readGrads() : null };
  };
}

gpuTest(
  "lora: dropout's gradients match finite differences, and it is off unless seeded",
  async (gpu) => {
    const c = tinyConfig("llama", { maxPositions: 16 });
    const spec: LoraSpec = { rank: 2, alpha: 4, targetModules: "all-linear", dropout: 0.3 };
    const params = testParams(c, 7), adapters = randomAdapters(c, spec, 11);
    const host = randomBatch(c, [13, 9, 4], 13, 8);
    const rng = new Rng(9);
    const coef = Float32Array.from(host.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
    const make = (s: LoraSpec, checkpointLayers = false) =>
      Transformer.create(gpu, c, params, {
        maxBatch: 4,
        maxSeqLen: 16,
        lora: { ...s, adapters },
        checkpointLayers,
      });
    const model = make(spec), plain = make({ ...spec, dropout: 0 });
    const batch = uploadRandomBatch(gpu, host, c.vocabSize);
    const coefT = gpu.upload(coef, [coef.length], { label: "coef" });
    const loss = seededLoss(gpu, batch, coef, coefT);
    // Unseeded (evaluation), the model is the one without dropout, bit for bit; seeded, it is not,
    // and two seeds drop differently.
    const [off, none, s1, s1again, s2] = [
      await loss(model, null),
      await loss(plain, 5),
      await loss(model, 1),
      await loss(model, 1),
      await loss(model, 2),
    ];
    assert.ok(bitEqual(off.logp, none.logp), "no seed: no dropout");
    assert.ok(!bitEqual(s1.logp, off.logp) && !bitEqual(s1.logp, s2.logp));
    assert.ok(bitEqual(s1.logp, s1again.logp), "a seed repeats its mask");
    // The backward drops as its forward did: directional derivatives along random directions of all
    // the adapters match central differences of the loss with the same seed.
    const { grads } = await loss(model, 1, true);
    // Checkpointed layers recompute the forward with the same masks: the same bits.
    const again = make(spec, true);
    const recomputed = (await loss(again, 1, true)).grads!;
    for (const [k, g] of grads!) assert.ok(bitEqual(g, recomputed.get(k)!), `checkpointed ${k}`);
    again.release();
    await checkDirections(model, adapters, grads!, async (m) => (await loss(m, 1)).sum, {
      atol: 1e-4,
      label: "LoRA dropout",
    });
    releaseBatch(batch);
    coefT.release();
    model.release();
    plain.release();
  },
);

gpuTest(
  "lora: tiny Granite (residual multiplier), Gemma 2, Qwen3, OLMo 2 and Phi-2 match float64",
  async (gpu) => {
    const spec: LoraSpec = { rank: 2, alpha: 4, targetModules: "all-linear" };
    for (const family of ["granite", "gemma2", "qwen3", "olmo2", "phi"] as const) {
      await checkLora(gpu, tinyConfig(family, { maxPositions: 16 }), spec);
    }
  },
);

gpuTest(
  "lora: DoRA with dropout computes as PEFT does; gradients match differences with ‖V‖ held",
  async (gpu) => {
    for (const family of ["llama", "gpt2"] as const) await doraDropout(gpu, family);
  },
);

/** The DoRA-with-dropout checks on one family (GPT-2: Conv1D, fused c_attn). */
async function doraDropout(
  gpu: Parameters<Parameters<typeof gpuTest>[1]>[0],
  family: "llama" | "gpt2",
) {
  const c = tinyConfig(family, { maxPositions: 16 });
  const inOut = modelNames(c).layout === "in_out";
  const spec: LoraSpec = { rank: 2, alpha: 4, targetModules: "all-linear", dora: true };
  const params = testParams(c, 7), adapters = randomAdapters(c, spec, 11);
  const host = randomBatch(c, [13, 9, 4], 13, 8), n = host.tokens.length;
  const rng = new Rng(9);
  const coef = Float32Array.from(host.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
  const make = (dropout: number, extra: { checkpointLayers?: boolean; lora?: boolean } = {}) =>
    Transformer.create(gpu, c, params, {
      maxBatch: 4,
      maxSeqLen: 16,
      ...(extra.lora === false ? {} : { lora: { ...spec, dropout, adapters } }),
      checkpointLayers: extra.checkpointLayers,
    });
  const batch = uploadRandomBatch(gpu, host, c.vocabSize);
  const coefT = gpu.upload(coef, [n], { label: "coef" });
  const loss = seededLoss(gpu, batch, coef, coefT);
  // PEFT's form, y = x·Wᵀ + b + (g − 1)·x'·Wᵀ + g·s·x'·Aᵀ·Bᵀ: with every input dropped it is the
  // base model (a form scaling the whole output by g would not be); with none dropped, DoRA.
  const base = make(0, { lora: false }), all = make(1 - 2 ** -30), none = make(1e-9);
  assertClose((await loss(all, 3)).logp, (await loss(base, null)).logp, {
    rtol: 1e-6,
    label: "all dropped",
  });
  const plain = make(0);
  assertClose((await loss(none, 3)).logp, (await loss(plain, null)).logp, {
    rtol: 1e-6,
    label: "none dropped",
  });
  for (const m of [base, all, none, plain]) m.release();
  const model = make(0.3);
  const { grads } = await loss(model, 1, true);
  // Checkpointed layers recompute the forward with the same masks: the same bits.
  const again = make(0.3, { checkpointLayers: true });
  const recomputed = (await loss(again, 1, true)).grads!;
  for (const [k, g] of grads!) assert.ok(bitEqual(g, recomputed.get(k)!), `checkpointed ${k}`);
  again.release();
  // The gradient holds ‖V‖ constant, as PEFT's does; differences of the loss see ‖V‖ move too.
  // Adding that part on the host, ∂L/∂‖V_o‖ = −dm_o·m_o/‖V_o‖ times d‖V_o‖ = V_o·dV_o/‖V_o‖ with
  // dV = s·(dB·A + B·dA), the total matches central differences along random directions.
  const s = loraScale(spec), r = spec.rank;
  const normPart = (dir: Map<string, Float32Array>) => {
    let sum = 0;
    for (const t of loraTargets(c, spec)) {
      const W = params.get(t.weight)!, A = adapters.get(t.a)!, B = adapters.get(t.b)!;
      const m = adapters.get(t.m!)!,
        dm = grads!.get(t.m!)!,
        dA = dir.get(t.a)!,
        dB = dir.get(t.b)!;
      for (let o = 0; o < t.out; o++) {
        let norm2 = 0, dot = 0;
        for (let i = 0; i < t.in; i++) {
          let v = W[inOut ? i * t.out + o : o * t.in + i], dv = 0;
          for (let j = 0; j < r; j++) {
            v += s * B[o * r + j] * A[j * t.in + i];
            dv += s * (dB[o * r + j] * A[j * t.in + i] + B[o * r + j] * dA[j * t.in + i]);
          }
          norm2 += v * v;
          dot += v * dv;
        }
        const norm = Math.sqrt(norm2);
        sum += (-dm[o] * m[o] / norm) * (dot / norm);
      }
    }
    return sum;
  };
  // (1e-2 absolute: the float32 loss's rounding over 2h, where a direction's slope is small)
  await checkDirections(model, adapters, grads!, async (m) => (await loss(m, 1)).sum, {
    atol: 1e-2,
    label: family,
    extra: normPart,
  });
  releaseBatch(batch);
  coefT.release();
  model.release();
}
