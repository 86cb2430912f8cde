import assert from "node:assert/strict";
import * as ref from "../kernels/reference.ts";
import { tinyConfig } from "../model/config.ts";
import { initParams, internalParams } from "../model/params.ts";
import { ReferenceModel } from "../model/reference_model.ts";
import { Transformer } from "../model/transformer.ts";
import {
  DEFAULT_DPO_LOSS,
  DpoObjective,
  ldWeights,
  releaseMicroBatch,
  uploadMicroBatch,
} from "../pipeline/objective.ts";
import { listCheckpoints } from "../pipeline/checkpoint.ts";
import { DEFAULT_OPTIMIZER, learningRate } from "../pipeline/optimizer.ts";
import { createContext } from "../pipeline/stage.ts";
import { makeBatch } from "../pipeline/tokenize.ts";
import { DEFAULT_TRAIN, NonFiniteError, sameTraining, train } from "../pipeline/train.ts";
import { assertClose } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, testGpu } from "../testing/gpu_harness.ts";
import { loadAdapter, mergeLora } from "../model/lora.ts";
import { randomPairs } from "../testing/model_batches.ts";
import { Rng } from "../util/rng.ts";

const quiet = () => createContext({ gpu: testGpu ?? undefined, logger: { info() {}, warn() {} } });

// discopop with τ 0.4, not its default: the objective must pass τ on to the kernel.
const STEP_LOSSES = [
  ["sigmoid", {}],
  ["ipo", {}],
  ["discopop", { discopopTau: 0.4 }],
  [
    "sigmoid",
    {
      combination: [
        { variant: "sigmoid" as const, weight: 0.8 },
        { variant: "nca_pair" as const, weight: 0.2 },
      ],
    },
  ],
  // LD-DPO's token weights on the policy's log-probs; WPO's per-pair weights (log Σ p² from the
  // log-softmax pass, on Gemma 2's soft-capped logits).
  ["sigmoid", { ldAlpha: 0.3 }],
  ["hinge", { useWeighting: true }],
] as const;
for (const [variant, extra] of STEP_LOSSES) {
  const what = "combination" in extra
    ? "sigmoid+nca_pair"
    : "ldAlpha" in extra
    ? "LD-DPO sigmoid"
    : "useWeighting" in extra
    ? "WPO hinge"
    : variant;
  gpuTest(
    `dpo step: the ${what} gradient of a whole step matches float64 (tiny GPT-2, padding)`,
    async (gpu) => {
      const c = "useWeighting" in extra
        ? tinyConfig("gemma2", { maxPositions: 16 })
        : tinyConfig("gpt2", { maxPositions: 16 });
      const params = initParams(c, { seed: 11, std: 0.2 });
      const pairs = randomPairs(3, c.vocabSize, 12);
      const batch = makeBatch(pairs, [0, 1, 2], { padTokenId: 0 });
      const rng = new Rng(13);
      const refRows = Float32Array.from({ length: 6 }, () => -5 - 10 * rng.uniform());
      const loss = { ...DEFAULT_DPO_LOSS, variant, beta: 0.5, ...extra };
      // float64: per-token log-probs → sequence sums → DPO → per-token coefficients → backward
      const cpu = new ReferenceModel(c, params);
      const T = batch.length, B = batch.rows;
      const logp = cpu.forward({
        tokens: batch.tokens,
        targets: batch.targets,
        lengths: batch.lengths,
        batch: B,
        seqLen: T,
      });
      const ldAlpha = "ldAlpha" in extra ? extra.ldAlpha : undefined;
      const ldMask = ldAlpha === undefined ? batch.mask : ldWeights(batch.mask, B, T, ldAlpha);
      const { sums } = ref.maskedRowSums(logp, ldMask, T);
      const { counts } = ref.maskedRowSums(logp, batch.mask, T);
      const sq = "useWeighting" in extra
        ? ref.maskedRowSums(cpu.logSumSquares(), batch.mask, T).sums
        : undefined;
      const d = ref.dpoLoss(sums, refRows, counts, variant, {
        beta: loss.beta,
        ...extra,
        wpoSqSums: sq,
      });
      const want = cpu.backward(ref.tokenCoef(d.grad, ldMask, T));
      // GPU
      const model = Transformer.create(gpu, c, params, { maxBatch: B, maxSeqLen: T });
      const objective = new DpoObjective(model, loss, { maxRows: B, slots: 1 });
      const mb = uploadMicroBatch(gpu, batch, c.vocabSize, refRows, { ldAlpha });
      const enc = gpu.encoder();
      model.zeroGrads(enc);
      objective.encode(enc, mb.device, mb.inputs, { slot: 0, scale: 1, backward: true });
      gpu.submit(enc);
      const [metrics] = await gpu.read([objective.metrics.view(0, [10])]);
      const got = await model.readGrads();
      assertClose([metrics[0]], [d.loss], { rtol: 1e-5, label: "loss" });
      for (const p of internalParams(c)) {
        assertClose(got.get(p.name)!, want.get(p.name)!, { rtol: 1e-4, atol: 1e-6, label: p.name });
      }
      releaseMicroBatch(mb);
      objective.release();
      model.release();
    },
  );
}

Deno.test("ldWeights: a response's tokens past the pair's shorter response weigh α", () => {
  // Two pairs, T = 5: (chosen 4, rejected 2) and (chosen 1, rejected 1).
  const mask = new Float32Array([
    0,
    1,
    1,
    1,
    1, // chosen 0
    0,
    0,
    0,
    1,
    0, // chosen 1
    0,
    1,
    1,
    0,
    0, // rejected 0
    0,
    0,
    1,
    0,
    0, // rejected 1
  ]);
  assert.deepEqual(
    Array.from(ldWeights(mask, 4, 5, 0.25)),
    [0, 1, 1, 0.25, 0.25, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0],
  );
  assert.deepEqual(ldWeights(mask, 4, 5, 1), mask);
});

gpuTest("train: DPO moves rewards the right way and is seeded (tiny Llama)", async (gpu) => {
  const c = tinyConfig("llama");
  const params = initParams(c, { seed: 21 });
  const pairs = randomPairs(8, c.vocabSize, 22);
  const refLogps = { chosen: new Float32Array(8), rejected: new Float32Array(8) };
  // The policy starts as the reference: compute its log-probs the slow way.
  const cpu = new ReferenceModel(c, params);
  pairs.forEach((_, i) => {
    const b = makeBatch(pairs, [i], { padTokenId: 0 });
    const lp = cpu.forward({
      tokens: b.tokens,
      targets: b.targets,
      lengths: b.lengths,
      batch: 2,
      seqLen: b.length,
    });
    const s = ref.maskedRowSums(lp, b.mask, b.length).sums;
    refLogps.chosen[i] = s[0];
    refLogps.rejected[i] = s[1];
  });
  const config = {
    ...DEFAULT_TRAIN,
    pairsPerBatch: 4,
    gradAccumSteps: 2,
    maxSteps: 6,
    optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 3e-3, warmupSteps: 1 },
  };
  const run = async () =>
    await train(
      {
        model: { config: c, params, tokenizer: null },
        train: { pairs, ref: refLogps, padTokenId: 0 },
      },
      config,
      quiet(),
      { runDir: await Deno.makeTempDir() },
    );
  const a = await run();
  assert.equal(a.steps, 6);
  const first = a.history[0], last = a.history.at(-1)!;
  assert.ok(Math.abs(first.loss - Math.log(2)) < 1e-4, `step 1 loss ${first.loss} should be log 2`);
  assert.ok(last.loss < first.loss, `loss ${first.loss} → ${last.loss}`);
  assert.ok(last["rewards/margins"] > 0);
  assert.equal(first.learning_rate, 0); // warmup starts at 0, as transformers does
  const b = await run();
  assert.deepEqual(b.history.map((r) => r.loss), a.history.map((r) => r.loss));
  for (const [k, v] of a.params) assert.deepEqual(b.params.get(k), v, k);
  void gpu;
});

gpuTest("train: the products attention design trains like the flash design", async () => {
  const c = tinyConfig("llama");
  const params = initParams(c, { seed: 31 });
  const pairs = randomPairs(8, c.vocabSize, 32);
  const ref = { chosen: new Float32Array(8).fill(-20), rejected: new Float32Array(8).fill(-20) };
  const config = {
    ...DEFAULT_TRAIN,
    pairsPerBatch: 4,
    maxSteps: 4,
    optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 3e-3 },
  };
  const runs = [];
  for (const attention of ["flash", "products"] as const) {
    runs.push(
      await train(
        { model: { config: c, params, tokenizer: null }, train: { pairs, ref, padTokenId: 0 } },
        { ...config, attention },
        quiet(),
        { runDir: await Deno.makeTempDir() },
      ),
    );
  }
  const [flash, products] = runs;
  assert.equal(products.steps, 4);
  assertClose(products.history.map((r) => r.loss), flash.history.map((r) => r.loss), {
    rtol: 1e-4,
    label: "loss per step",
  });
  for (const [k, v] of flash.params) {
    assertClose(products.params.get(k)!, v, { rtol: 1e-4, atol: 1e-6, label: k });
  }
});

gpuTest("train: an absurd learning rate stops on non-finite values, naming the step", async () => {
  const c = tinyConfig("gpt2", { maxPositions: 16 });
  const pairs = randomPairs(4, c.vocabSize, 31);
  const refLogps = {
    chosen: new Float32Array(4).fill(-20),
    rejected: new Float32Array(4).fill(-20),
  };
  await assert.rejects(
    () =>
      train(
        {
          model: { config: c, params: initParams(c, { seed: 1 }), tokenizer: null },
          train: { pairs, ref: refLogps, padTokenId: 0 },
        },
        {
          ...DEFAULT_TRAIN,
          pairsPerBatch: 2,
          maxSteps: 20,
          optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 1e30, maxGradNorm: 0 },
        },
        quiet(),
        { runDir: "/nonexistent" },
      ),
    (e: unknown) => e instanceof NonFiniteError && /^Step \d+: /.test(e.message),
  );
});

gpuTest(
  "train: a non-finite step read late is named as read early, and no checkpoint follows it",
  async () => {
    const c = tinyConfig("gpt2", { maxPositions: 16 });
    const pairs = randomPairs(4, c.vocabSize, 31);
    const ref = { chosen: new Float32Array(4).fill(-20), rejected: new Float32Array(4).fill(-20) };
    const run = async (syncEvery: number, saveEvery: number, runDir: string) => {
      try {
        await train(
          {
            model: { config: c, params: initParams(c, { seed: 1 }), tokenizer: null },
            train: { pairs, ref, padTokenId: 0 },
          },
          {
            ...DEFAULT_TRAIN,
            pairsPerBatch: 2,
            maxSteps: 20,
            syncEvery,
            saveEvery,
            optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 1e30, maxGradNorm: 0 },
          },
          quiet(),
          { runDir },
        );
      } catch (e) {
        if (e instanceof NonFiniteError) return Number(/^Step (\d+):/.exec(e.message)![1]);
        throw e;
      }
      assert.fail("training should stop");
    };
    const early = await run(1, 0, "/nonexistent");
    assert.equal(await run(8, 0, "/nonexistent"), early);
    const dir = await Deno.makeTempDir();
    try {
      // Saving at the non-finite step itself (a save syncs): it is checked before it is saved.
      assert.equal(await run(8, early, dir), early);
      assert.deepEqual(await listCheckpoints(dir), []);
      // Saving every step: the last two before it are kept, nothing after.
      assert.equal(await run(8, 1, dir), early);
      const saved = (await listCheckpoints(dir)).map((k) => k.step);
      assert.deepEqual(saved, [early - 2, early - 1].filter((n) => n > 0));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

gpuTest("train: an abort lets the submitted steps finish and be logged", async () => {
  // Metrics are read back every 2 steps here; aborting while step 3 is logged (step 4 submitted
  // and read with it) stops after step 4 is logged too: every step that ran is in the metrics.
  const c = tinyConfig("gpt2", { maxPositions: 16 });
  const pairs = randomPairs(8, c.vocabSize, 33);
  const ref = { chosen: new Float32Array(8).fill(-20), rejected: new Float32Array(8).fill(-20) };
  const controller = new AbortController();
  const logged: number[] = [];
  const metrics = {
    append(row: { step: number }) {
      logged.push(row.step);
      if (row.step === 3) controller.abort(new Error("stopped by the user"));
    },
  };
  await assert.rejects(
    () =>
      train(
        {
          model: { config: c, params: initParams(c, { seed: 2 }), tokenizer: null },
          train: { pairs, ref, padTokenId: 0 },
        },
        { ...DEFAULT_TRAIN, pairsPerBatch: 1, maxSteps: 8, logEvery: 1, syncEvery: 2 },
        createContext({
          gpu: testGpu ?? undefined,
          logger: { info() {}, warn() {} },
          signal: controller.signal,
        }),
        { runDir: "/nonexistent", metrics },
      ),
    /stopped by the user/,
  );
  assert.deepEqual(logged, [1, 2, 3, 4]);
});

gpuTest(
  "train: steps are read back every syncEvery steps; the training does not change",
  async (gpu) => {
    const c = tinyConfig("gpt2", { maxPositions: 16 });
    const pairs = randomPairs(8, c.vocabSize, 35);
    const ref = { chosen: new Float32Array(8).fill(-20), rejected: new Float32Array(8).fill(-20) };
    // What the device sees: each step's submit, and when its readback is awaited.
    const events: string[] = [];
    const labels = new WeakMap<object, string>();
    const { encoder, submit, readAfter } = gpu;
    gpu.encoder = (label?: string) => {
      const enc = encoder.call(gpu, label);
      labels.set(enc, label ?? "");
      return enc;
    };
    gpu.submit = (enc) => {
      const label = labels.get(enc) ?? "";
      if (label.startsWith("step") && events.at(-1) !== `submit ${label}`) {
        events.push(`submit ${label}`);
      }
      submit.call(gpu, enc);
    };
    gpu.readAfter = (enc, tensors) => {
      const read = readAfter.call(gpu, enc, tensors);
      // Logged when the readback has finished, not when it is asked for.
      return () =>
        read().then((data) => {
          events.push(`read ${labels.get(enc)}`);
          return data;
        });
    };
    const run = async (syncEvery: number, saveEvery = 0) => {
      events.length = 0;
      const out = await train(
        {
          model: { config: c, params: initParams(c, { seed: 3 }), tokenizer: null },
          train: { pairs, ref, padTokenId: 0 },
        },
        { ...DEFAULT_TRAIN, pairsPerBatch: 2, maxSteps: 7, syncEvery, saveEvery },
        quiet(),
        { runDir: await Deno.makeTempDir() },
      );
      return { out, events: [...events] };
    };
    try {
      const each = await run(1), three = await run(3), saved = await run(3, 2);
      const steps = (ns: number[], what: string) => ns.map((n) => `${what} step ${n}`);
      assert.deepEqual(
        each.events,
        [1, 2, 3, 4, 5, 6, 7].flatMap((n) => [`submit step ${n}`, `read step ${n}`]),
      );
      assert.deepEqual(three.events, [
        ...steps([1, 2, 3], "submit"),
        ...steps([1, 2, 3], "read"),
        ...steps([4, 5, 6], "submit"),
        ...steps([4, 5, 6], "read"),
        ...steps([7], "submit"),
        ...steps([7], "read"),
      ]);
      // A step that saves is read (and the checkpoint written) before the next is submitted.
      assert.deepEqual(saved.events, [
        ...steps([1, 2], "submit"),
        ...steps([1, 2], "read"),
        ...steps([3, 4], "submit"),
        ...steps([3, 4], "read"),
        ...steps([5, 6], "submit"),
        ...steps([5, 6], "read"),
        ...steps([7], "submit"),
        ...steps([7], "read"),
      ]);
      // Every step logged, with the same metrics, and the same parameters after.
      const metrics = (h: typeof each.out.history) =>
        h.map(({ tokens_per_second: _, ...row }) => row);
      assert.equal(each.out.history.length, 7);
      for (const other of [three, saved]) {
        assert.deepEqual(metrics(other.out.history), metrics(each.out.history));
        for (const [k, v] of each.out.params) assert.deepEqual(other.out.params.get(k), v, k);
      }
      // log_every 3: each logged row holds the mean of its window's metrics (steps 1–3, 4–6, 7),
      // with the step, learning rate and gradient norm of the window's last step.
      const windowed = await train(
        {
          model: { config: c, params: initParams(c, { seed: 3 }), tokenizer: null },
          train: { pairs, ref, padTokenId: 0 },
        },
        { ...DEFAULT_TRAIN, pairsPerBatch: 2, maxSteps: 7, logEvery: 3 },
        quiet(),
        { runDir: await Deno.makeTempDir() },
      );
      const rows = metrics(each.out.history);
      assert.deepEqual(windowed.history.map((r) => r.step), [3, 6, 7]);
      for (const [w, [from, to]] of [[0, 3], [3, 6], [6, 7]].entries()) {
        const got = windowed.history[w], last = rows[to - 1];
        for (const key of ["loss", "rewards/margins", "rewards/accuracies"]) {
          const mean = rows.slice(from, to).reduce((sum, r) => sum + r[key], 0) / (to - from);
          assert.ok(Math.abs(got[key] - mean) < 1e-12, `${key} at step ${got.step}`);
        }
        for (const key of ["grad_norm", "learning_rate", "epoch"]) {
          assert.equal(got[key], last[key]);
        }
      }
      // A step that fails to submit ends the run with its error, after the readbacks of the
      // steps submitted before it have finished (none left mapping in the background).
      const failing = gpu.submit;
      gpu.submit = (enc) => {
        if (labels.get(enc) === "step 3") throw new Error("lost the device");
        failing.call(gpu, enc);
      };
      await assert.rejects(() => run(5), /lost the device/);
      assert.deepEqual(events, [...steps([1, 2], "submit"), ...steps([1, 2], "read")]);
    } finally {
      Object.assign(gpu, { encoder, submit, readAfter });
    }
    // A step that evaluates is read before the next is submitted: evaluation sees exactly its
    // parameters, whatever syncEvery says.
    const evalParams = async (syncEvery: number) => {
      const seen: Map<string, Float32Array>[] = [];
      await train(
        {
          model: { config: c, params: initParams(c, { seed: 3 }), tokenizer: null },
          train: { pairs, ref, padTokenId: 0 },
          eval: { pairs: pairs.slice(0, 2), ref, padTokenId: 0 },
        },
        { ...DEFAULT_TRAIN, pairsPerBatch: 2, maxSteps: 7, syncEvery, evalEvery: 3 },
        quiet(),
        {
          runDir: "/nonexistent",
          onEval: async (_step, params) => void seen.push(await params()),
        },
      );
      return seen;
    };
    const [e1, e8] = [await evalParams(1), await evalParams(8)];
    assert.equal(e1.length, 2); // steps 3 and 6
    for (const [i, params] of e8.entries()) {
      for (const [k, v] of params) assert.deepEqual(v, e1[i].get(k), `eval ${i} ${k}`);
    }
    // How often metrics are read back does not stop a resume.
    assert.ok(sameTraining({ ...DEFAULT_TRAIN, syncEvery: 1 }, DEFAULT_TRAIN));
    const { syncEvery: _, ...older } = DEFAULT_TRAIN;
    assert.ok(sameTraining(older, DEFAULT_TRAIN));
    await assert.rejects(
      () =>
        train(
          {
            model: { config: c, params: initParams(c, { seed: 3 }), tokenizer: null },
            train: { pairs, ref, padTokenId: 0 },
          },
          { ...DEFAULT_TRAIN, syncEvery: 0 },
          quiet(),
          { runDir: "/nonexistent" },
        ),
      /syncEvery must be a positive integer/,
    );
  },
);

gpuTest(
  "train: rows are never padded past the model's positions (maxPositions 13, multiple 8)",
  async () => {
    const c = tinyConfig("llama", { maxPositions: 13 });
    const pairs = randomPairs(4, c.vocabSize, 41).map((p) => ({
      ...p,
      prompt: Int32Array.from([1, 2, 3, 4, 5, 6]),
      chosen: Int32Array.from([7, 8, 9, 2]),
      rejected: Int32Array.from([10, 11, 12, 13, 2]),
    }));
    const out = await train(
      {
        model: { config: c, params: initParams(c, { seed: 1 }), tokenizer: null },
        train: {
          pairs,
          ref: { chosen: new Float32Array(4), rejected: new Float32Array(4) },
          padTokenId: 0,
        },
      },
      { ...DEFAULT_TRAIN, pairsPerBatch: 2, maxSteps: 2, padToMultiple: 8 },
      quiet(),
      { runDir: "/nonexistent" },
    );
    assert.equal(out.steps, 2);
    assert.ok(out.history.every((r) => Number.isFinite(r.loss)));
  },
);

Deno.test("learningRate: warmup_ratio as transformers resolves it (⌈ratio·total⌉ steps)", () => {
  const cfg = { ...DEFAULT_OPTIMIZER, lr: 0.3, warmupRatio: 0.1 };
  // 25 steps: ⌈2.5⌉ = 3 steps of warmup, then linear decay to 0 over the other 22.
  for (const [step, lr] of [[0, 0], [1, 0.1], [2, 0.2]]) {
    assert.ok(Math.abs(learningRate(step, 25, cfg) - lr) < 1e-15, `step ${step}`);
  }
  assert.equal(learningRate(3, 25, cfg), 0.3);
  assert.ok(Math.abs(learningRate(14, 25, cfg) - 0.3 * (1 - 11 / 22)) < 1e-15);
  assert.equal(learningRate(25, 25, cfg), 0);
  // warmup_steps, when set, wins over the ratio.
  assert.equal(learningRate(1, 25, { ...cfg, warmupSteps: 2 }), 0.15);
  assert.equal(learningRate(0, 25, { ...cfg, warmupRatio: 0 }), 0.3);
});

gpuTest("train: reference_free compares with log-probs of 0, without a reference", async () => {
  const c = tinyConfig("gpt2", { maxPositions: 16 });
  const pairs = randomPairs(4, c.vocabSize, 21);
  const run = (referenceFree: boolean) =>
    train(
      {
        model: { config: c, params: initParams(c, { seed: 3 }), tokenizer: null },
        train: { pairs, ref: null, padTokenId: 0 },
      },
      {
        ...DEFAULT_TRAIN,
        pairsPerBatch: 2,
        maxSteps: 2,
        loss: { ...DEFAULT_TRAIN.loss, referenceFree },
      },
      quiet(),
      { runDir: "/nonexistent" },
    );
  await assert.rejects(() => run(false), /needs reference log-probs/);
  const out = await run(true);
  for (const row of out.history) {
    // rewards = β·(logπ − 0)
    const beta = DEFAULT_TRAIN.loss.beta;
    assert.ok(Math.abs(row["rewards/chosen"] - beta * row["logps/chosen"]) < 1e-4);
    assert.ok(Math.abs(row["rewards/rejected"] - beta * row["logps/rejected"]) < 1e-4);
  }
});

gpuTest(
  "train: gradient accumulation steps stay within an epoch, as transformers counts them",
  async () => {
    const c = tinyConfig("gpt2", { maxPositions: 16 });
    const pairs = randomPairs(6, c.vocabSize, 23); // 3 micro-batches of 2 pairs per epoch
    const ref = { chosen: new Float32Array(6).fill(-20), rejected: new Float32Array(6).fill(-20) };
    const out = await train(
      {
        model: { config: c, params: initParams(c, { seed: 3 }), tokenizer: null },
        train: { pairs, ref, padTokenId: 0 },
      },
      { ...DEFAULT_TRAIN, pairsPerBatch: 2, gradAccumSteps: 2, epochs: 2 },
      quiet(),
      { runDir: "/nonexistent" },
    );
    // Each epoch: a step of 2 micro-batches, then one of the 1 left (not 3 steps over 6 in all).
    assert.deepEqual(out.history.map((r) => r.step), [1, 2, 3, 4]);
    assert.deepEqual(out.history.map((r) => r.epoch * 3), [2, 3, 5, 6]);
    // A checkpoint whose data position disagrees with this mapping (as older versions numbered
    // steps across epochs) is not resumed from.
    const runDir = await Deno.makeTempDir();
    try {
      const config = {
        ...DEFAULT_TRAIN,
        pairsPerBatch: 2,
        gradAccumSteps: 2,
        epochs: 2,
        saveEvery: 1,
        keepLast: 1,
      };
      const generationConfig = '{"eos_token_id": [5, 6]}\n';
      const input = {
        model: { config: c, params: initParams(c, { seed: 3 }), tokenizer: null, generationConfig },
        train: { pairs, ref, padTokenId: 0 },
      };
      await train(input, config, quiet(), { runDir });
      const last = (await listCheckpoints(runDir)).at(-1)!;
      // Checkpoints carry the model's generation settings.
      assert.equal(await Deno.readTextFile(`${last.dir}/generation_config.json`), generationConfig);
      const statePath = `${last.dir}/trainer_state.json`;
      const state = JSON.parse(await Deno.readTextFile(statePath));
      assert.deepEqual([state.step, state.microBatches], [3, 5]);
      const resumed = await train(input, config, quiet(), { runDir, resume: true });
      assert.deepEqual(resumed.history.map((r) => r.step), [4]);
      await Deno.writeTextFile(statePath, JSON.stringify({ ...state, microBatches: 6 }));
      await assert.rejects(
        () => train(input, config, quiet(), { runDir, resume: true }),
        /ends at micro-batch 6, where this version's step 3 ends at 5/,
      );
      await Deno.writeTextFile(statePath, JSON.stringify({ ...state, totalSteps: 5 }));
      await assert.rejects(
        () => train(input, config, quiet(), { runDir, resume: true }),
        /written for 5 steps, this run has 4/,
      );
    } finally {
      await Deno.remove(runDir, { recursive: true });
    }
  },
);

gpuTest("train: LoRA trains adapters, checkpoints them as PEFT and resumes exactly", async () => {
  const c = tinyConfig("llama", { maxPositions: 16 });
  const pairs = randomPairs(4, c.vocabSize, 41);
  const ref = { chosen: new Float32Array(4).fill(-20), rejected: new Float32Array(4).fill(-20) };
  const base = initParams(c, { seed: 5, std: 0.2 });
  const input = {
    model: { config: c, params: base, tokenizer: null },
    train: { pairs, ref, padTokenId: 0 },
  };
  const lora = {
    rank: 2,
    alpha: 4,
    targetModules: ["q_proj", "v_proj", "down_proj"],
    dropout: 0.1,
  };
  const config = {
    ...DEFAULT_TRAIN,
    pairsPerBatch: 2,
    maxSteps: 6,
    saveEvery: 3,
    optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 1e-2 },
    lora,
  };
  const [dirA, dirB] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    const whole = await train(input, config, quiet(), { runDir: dirA, baseModel: "models/base" });
    assert.ok(whole.adapters, "the adapters come back");
    // The merged weights are the base plus the adapters; untargeted weights are the base's.
    const merged = mergeLora(c, lora, base, whole.adapters.values);
    for (const [k, v] of merged) {
      assertClose(whole.params.get(k)!, v, { rtol: 1e-6, label: k });
    }
    assert.deepEqual(
      whole.params.get("model.layers.0.mlp.up_proj.weight"),
      base.get("model.layers.0.mlp.up_proj.weight"),
    );
    assert.ok(
      !bitEqual(
        whole.params.get("model.layers.0.self_attn.q_proj.weight")!,
        base.get("model.layers.0.self_attn.q_proj.weight")!,
      ),
      "a targeted weight moved",
    );
    // Each checkpoint: the adapters as a PEFT folder, with the optimizer and trainer state (as
    // TRL's PEFT checkpoints: no merged copy of the model).
    const ckpt = (await listCheckpoints(dirA))[0].dir;
    const files = [...Deno.readDirSync(ckpt)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "adapter",
      "config.json",
      "optimizer.safetensors",
      "trainer_state.json",
    ]);
    const adapter = await loadAdapter(`${ckpt}/adapter`, c);
    assert.deepEqual(adapter.spec.targetModules, ["q_proj", "v_proj", "down_proj"]);
    const json = JSON.parse(await Deno.readTextFile(`${ckpt}/adapter/adapter_config.json`));
    assert.equal(json.base_model_name_or_path, "models/base");
    // Stopped after its first checkpoint and resumed: the same adapters, bit for bit.
    await assert.rejects(() =>
      train(input, config, quiet(), {
        runDir: dirB,
        onCheckpoint: () => {
          throw new Error("stop");
        },
      }), /stop/);
    const resumed = await train(input, config, quiet(), { runDir: dirB, resume: true });
    for (const [k, v] of whole.adapters.values) {
      assert.ok(bitEqual(resumed.adapters!.values.get(k)!, v), `resumed ${k}`);
    }
    // Another LoRA spec is another training: no resume from these checkpoints.
    await assert.rejects(
      () =>
        train(input, { ...config, lora: { ...lora, rank: 3 } }, quiet(), {
          runDir: dirB,
          resume: true,
        }),
      /another training configuration/,
    );
  } finally {
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  }
});
