import assert from "node:assert/strict";
import { dequantizeWeight, quantizeWeight, type QuantKind } from "../kernels/quantize.ts";
import { type ModelConfig, tinyConfig } from "../model/config.ts";
import { loraParams, type LoraSpec } from "../model/lora.ts";
import { internalParams, type ParamValues } from "../model/params.ts";
import { quantizedNames, releaseBatch, Transformer } from "../model/transformer.ts";
import { assertClose } from "../testing/assert_close.ts";
import { bitEqual, gpuTest } from "../testing/gpu_harness.ts";
import { randomBatch, testParams, uploadRandomBatch } from "../testing/model_batches.ts";
import { Rng } from "../util/rng.ts";

type TestGpu = Parameters<Parameters<typeof gpuTest>[1]>[0];

/** The parameters with every packed projection replaced by what its format expands to. */
function expanded(c: ModelConfig, params: ParamValues, kind: QuantKind): ParamValues {
  const out = new Map(params), shapes = new Map(internalParams(c).map((p) => [p.name, p.shape]));
  for (const n of quantizedNames(c)) {
    out.set(n, dequantizeWeight(quantizeWeight(params.get(n)!, shapes.get(n)!, kind, n)));
  }
  return out;
}

/** Adapters away from zero (DoRA's magnitudes positive), so every gradient path carries signal. */
function adaptersFor(c: ModelConfig, spec: LoraSpec): ParamValues {
  const rng = new Rng(11);
  return new Map(
    loraParams(c, spec).map((p) => {
      const n = p.shape.reduce((a, b) => a * b, 1);
      return [
        p.name,
        p.shape.length === 1 ? rng.uniformArray(n, 1, 3) : rng.uniformArray(n, -0.3, 0.3),
      ];
    }),
  );
}

/**
 * A LoRA model on packed projections against the float32 LoRA model on their expansion: the same
 * values reach the same kernels, so log-probs, adapter gradients and the merged read-back agree
 * bit for bit; an inference model on packed weights likewise.
 */
async function checkPacked(gpu: TestGpu, c: ModelConfig, spec: LoraSpec, kind: QuantKind) {
  const params = testParams(c, 7),
    adapters = adaptersFor(c, spec),
    plain = expanded(c, params, kind);
  const host = randomBatch(c, [13, 9, 4], 13, 8);
  const rng = new Rng(9);
  const coef = Float32Array.from(host.targets, (t) => t < 0 ? 0 : rng.uniform() - 0.5);
  const batch = uploadRandomBatch(gpu, host, c.vocabSize);
  const coefT = gpu.upload(coef, [coef.length]);
  const label = `${c.family} ${kind}${spec.dora ? " DoRA" : ""}`;
  const run = async (values: ParamValues, quantize?: QuantKind) => {
    const lora = { ...spec, adapters };
    const m = Transformer.create(gpu, c, values, { maxBatch: 4, maxSeqLen: 16, lora, quantize });
    const inf = Transformer.create(gpu, c, values, {
      maxBatch: 4,
      maxSeqLen: 16,
      inference: true,
      quantize,
    });
    const enc = gpu.encoder();
    m.zeroGrads(enc);
    m.forward(enc, batch);
    m.backward(enc, batch, coefT);
    inf.forward(enc, batch);
    gpu.submit(enc);
    const [logp, infLogp] = await gpu.read([
      m.logp.view(0, [coef.length]),
      inf.logp.view(0, [coef.length]),
    ]);
    const out = { logp, infLogp, grads: await m.readGrads(), back: await m.readParams() };
    m.release();
    inf.release();
    return out;
  };
  const got = await run(params, kind), want = await run(plain);
  assert.ok(bitEqual(got.logp, want.logp), `${label}: log-probs`);
  assert.ok(bitEqual(got.infLogp, want.infLogp), `${label}: inference log-probs`);
  assert.ok(!bitEqual(got.infLogp, got.logp), `${label}: the adapters change the log-probs`);
  for (const [name, g] of want.grads) {
    assert.ok(bitEqual(got.grads.get(name)!, g), `${label} d${name}`);
  }
  for (const [name, v] of want.back) {
    assert.ok(bitEqual(got.back.get(name)!, v), `${label} ${name}`);
  }
  releaseBatch(batch);
  coefT.release();
}

const all: LoraSpec = { rank: 3, alpha: 5, targetModules: "all-linear" };

gpuTest(
  "quantize: LoRA on packed Llama weights computes as on their expansion, every format",
  async (gpu) => {
    for (const kind of ["bf16", "f16", "int8", "nf4"] as const) {
      await checkPacked(gpu, tinyConfig("llama", { maxPositions: 16 }), all, kind);
    }
  },
);

gpuTest("quantize: GPT-2 (Conv1D), Qwen2 (untargeted packed weights), Phi-3 DoRA", async (gpu) => {
  await checkPacked(gpu, tinyConfig("gpt2", { maxPositions: 16 }), all, "nf4");
  await checkPacked(
    gpu,
    tinyConfig("qwen2", { maxPositions: 16 }),
    { rank: 2, alpha: 4, targetModules: ["q_proj", "v_proj"] },
    "int8",
  );
  await checkPacked(gpu, tinyConfig("phi3", { maxPositions: 16 }), { ...all, dora: true }, "nf4");
});

gpuTest(
  "quantize: fresh adapters start as the packed base; writeParams packs again",
  async (gpu) => {
    const c = tinyConfig("llama", { maxPositions: 16 }), params = testParams(c, 3);
    const host = randomBatch(c, [12, 7], 12, 4), n = host.tokens.length;
    const batch = uploadRandomBatch(gpu, host, c.vocabSize);
    const logp = async (m: Transformer) => {
      const enc = gpu.encoder();
      m.forward(enc, batch);
      gpu.submit(enc);
      return (await gpu.read([m.logp.view(0, [n])]))[0] as Float32Array;
    };
    const base = Transformer.create(gpu, c, params, {
      maxBatch: 2,
      maxSeqLen: 16,
      inference: true,
      quantize: "nf4",
    });
    const want = await logp(base);
    for (const dora of [false, true]) {
      const m = Transformer.create(gpu, c, params, {
        maxBatch: 2,
        maxSeqLen: 16,
        lora: { ...all, dora, seed: 1 },
        quantize: "nf4",
      });
      // B = 0: LoRA adds nothing; DoRA's magnitudes are the packed rows' norms (scale ≈ 1).
      const got = await logp(m);
      if (dora) assertClose(got, want, { rtol: 1e-5, label: "fresh DoRA" });
      else assert.ok(bitEqual(got, want), "fresh LoRA");
      m.release();
    }
    // Overwriting packs the new values: the read-back is their expansion.
    const other = testParams(c, 4);
    base.writeParams(other);
    const back = await base.readParams(), wantBack = expanded(c, other, "nf4");
    for (const [name, v] of wantBack) assert.ok(bitEqual(back.get(name)!, v), name);
    assert.ok(!bitEqual(back.get(quantizedNames(c)[0])!, other.get(quantizedNames(c)[0])!));
    base.release();
    releaseBatch(batch);
  },
);

gpuTest(
  "quantize: refused for a model that trains its weights; the packed ones are named",
  (gpu) => {
    const c = tinyConfig("llama", { maxPositions: 16 }), params = testParams(c, 1);
    assert.throws(
      () => Transformer.create(gpu, c, params, { maxBatch: 1, maxSeqLen: 8, quantize: "int8" }),
      /quantize \(int8\) holds weights that cannot train: train LoRA adapters on them \(lora\)/,
    );
    const m = Transformer.create(gpu, c, params, {
      maxBatch: 1,
      maxSeqLen: 8,
      inference: true,
      quantize: "int8",
    });
    assert.throws(
      () => m.param(m.names.layers[1].down!),
      /is held as int8 \(quantize\), not float32/,
    );
    m.release();
    // The projections: 7 per Llama layer, 4 per GPT-2 layer (c_attn's q, k, v apart).
    assert.equal(quantizedNames(c).length, 14);
    assert.equal(quantizedNames(tinyConfig("gpt2")).length, 12);
  },
);

gpuTest("quantize: the memory estimate and the buffers shrink as the formats do", (gpu) => {
  // Wide enough that the projections dominate: C 256, F 704, 4 layers.
  const c = tinyConfig("llama", {
    hiddenSize: 256,
    intermediateSize: 704,
    numLayers: 4,
    headDim: 64,
  });
  const params = testParams(c, 2);
  const opts = {
    maxBatch: 1,
    maxSeqLen: 8,
    lora: { rank: 4, alpha: 8, targetModules: "all-linear" as const },
  };
  const held = (quantize?: QuantKind) => {
    gpu.pool.trim();
    const before = gpu.pool.bytesAllocated;
    const m = Transformer.create(gpu, c, params, { ...opts, quantize });
    const bytes = gpu.pool.bytesAllocated - before;
    m.release();
    return bytes;
  };
  const plainEstimate = Transformer.estimateBytes(c, opts), plainHeld = held();
  const projections = internalParams(c).filter((p) => quantizedNames(c).includes(p.name))
    .reduce((s, p) => s + p.shape[0] * p.shape[1], 0);
  let smaller = 0;
  for (const kind of ["bf16", "int8", "nf4"] as const) {
    const saved = plainEstimate - Transformer.estimateBytes(c, { ...opts, quantize: kind });
    const savedHeld = plainHeld - held(kind);
    // What the buffers really shrink by is what the estimate says (within 2 %), and it grows as
    // the format shrinks: at least 2, 3 and 3.5 of every 4 bytes, less one expanded weight.
    assert.ok(
      Math.abs(savedHeld - saved) <= 0.02 * saved,
      `${kind}: held ${savedHeld}, estimated ${saved}`,
    );
    const per = { bf16: 2, int8: 3, nf4: 3.5 }[kind];
    assert.ok(
      saved >= per * projections - 4 * 256 * 704 - 4 * projections / 16,
      `${kind}: ${saved}`,
    );
    assert.ok(saved > smaller, `${kind} saves more than the format before it`);
    smaller = saved;
  }
});
