import assert from "node:assert/strict";
import { loadModel } from "../model/io.ts";
import { hashParams, refCache } from "../pipeline/ref_cache.ts";
import { createContext } from "../pipeline/stage.ts";
import { splitTrainEval, tokenize } from "../pipeline/tokenize.ts";
import { DEFAULT_TRAIN, train, type TrainConfig } from "../pipeline/train.ts";
import type { PreferencePair } from "../datasets/types.ts";
import { ktoExamples } from "../datasets/kto.ts";
import { testGpu } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";
import type { QuantKind } from "../kernels/quantize.ts";

const STORIES = new URL("../../shared/data/stories260K", import.meta.url).pathname;
const hasStories = await Deno.stat(`${STORIES}/model.safetensors`).then(() => true, () => false);

/** Token-id pairs: chosen responses use ids 100–199, rejected ones 300–399; both end in EOS (2). */
function idPairs(n: number, seed: number): PreferencePair[] {
  const rng = new Rng(seed);
  const ids = (len: number, lo: number) => Array.from({ length: len }, () => lo + rng.int(100));
  return Array.from({ length: n }, (_, i) => ({
    prompt: [],
    chosen: [],
    rejected: [],
    kind: "ids" as const,
    ids: {
      prompt: [1, ...ids(3 + rng.int(6), 3)],
      chosen: [...ids(3 + rng.int(5), 100), 2],
      rejected: [...ids(3 + rng.int(5), 300), 2],
    },
    source: { file: "ids", row: i + 1 },
  }));
}

/**
 * The model, and 50 DPO steps on 80 training pairs (4 a batch) from it under `extra`, evaluated on
 * 16 held-out ones.
 */
async function prepared(quantize?: QuantKind, kto = false) {
  const start = await loadModel(STORIES);
  const ctx = createContext({ gpu: testGpu!, logger: { info() {}, warn() {} } });
  // KTO: the pairs unpaired into examples, each with a KL completion from its batch of 4.
  const rows = kto ? ktoExamples(idPairs(48, 5), 4) : idPairs(96, 5);
  const data = await tokenize(rows, { vocabSize: 512, padTokenId: 0, eosTokenId: 2 });
  const split = splitTrainEval(data.pairs, { evalSize: 16, seed: 1 });
  const reference = {
    config: start.config,
    params: () => Promise.resolve(start.params),
    weightsHash: await hashParams(start.params),
    quantize,
  };
  const trainSet = { ...data, pairs: split.train, key: `${data.key}:train` };
  const evalSet = { ...data, pairs: split.eval, key: `${data.key}:eval` };
  const trainRef = await refCache({ dataset: trainSet, reference }, { pairsPerBatch: 8 }, ctx);
  const evalRef = await refCache({ dataset: evalSet, reference }, { pairsPerBatch: 8 }, ctx);
  const run = (extra: Partial<TrainConfig>) =>
    train(
      {
        model: start,
        train: { pairs: split.train, ref: trainRef, padTokenId: 0 },
        eval: { pairs: split.eval, ref: evalRef, padTokenId: 0 },
      },
      { ...DEFAULT_TRAIN, pairsPerBatch: 4, maxSteps: 50, quantize, ...extra },
      ctx,
      { runDir: "/nonexistent" },
    );
  return { start, run };
}

Deno.test({
  name: "stories260K: 50 DPO steps on token-id preferences raise held-out accuracy and margins",
  ignore: !hasStories || testGpu === null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { run } = await prepared();
    const out = await run({
      evalEvery: 25,
      optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 5e-4, warmupSteps: 5 },
    });
    assert.equal(out.steps, 50);
    const evals = out.history.filter((r) => r["eval_rewards/accuracies"] !== undefined);
    const [mid, end] = [evals[0], evals.at(-1)!];
    // At step 0 the policy is the reference: every reward is 0, so accuracy and margin are 0.
    assert.ok(end["eval_rewards/accuracies"] >= 0.9, `accuracy ${end["eval_rewards/accuracies"]}`);
    assert.ok(
      end["eval_rewards/margins"] > mid["eval_rewards/margins"] && mid["eval_rewards/margins"] > 0,
    );
    assert.ok(end.eval_loss < Math.log(2));
  },
});

Deno.test({
  name: "stories260K: LoRA and DoRA adapters on the real model learn the preferences too",
  ignore: !hasStories || testGpu === null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { start, run } = await prepared();
    for (const dora of [false, true]) {
      const out = await run({
        optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 1e-2, warmupSteps: 5 },
        // (DoRA with dropout, as PEFT trains it)
        lora: { rank: 8, alpha: 16, targetModules: "all-linear", dora, dropout: dora ? 0.05 : 0 },
        checkpointLayers: dora,
      });
      const end = out.history.at(-1)!;
      const what = dora ? "DoRA with dropout, checkpointed" : "LoRA";
      assert.ok(
        end["eval_rewards/accuracies"] >= 0.9,
        `${what}: ${end["eval_rewards/accuracies"]}`,
      );
      assert.ok(end.eval_loss < 0.5, `${what}: eval loss ${end.eval_loss}`);
      // Only the adapters trained: the merged weights differ from the model's, the rest is its own.
      assert.ok(out.adapters);
      const names = [...start.params.keys()];
      const q = names.find((n) => n.endsWith("layers.0.self_attn.q_proj.weight"))!;
      const norm = names.find((n) => n.endsWith("layers.0.input_layernorm.weight"))!;
      assert.notDeepEqual(out.params.get(q), start.params.get(q));
      assert.deepEqual(out.params.get(norm), start.params.get(norm));
    }
  },
});

Deno.test({
  name:
    "stories260K: LoRA on the nf4-packed model (QLoRA's way) learns them against its nf4 reference",
  ignore: !hasStories || testGpu === null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { run } = await prepared("nf4");
    const out = await run({
      optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 1e-2, warmupSteps: 5 },
      lora: { rank: 8, alpha: 16, targetModules: "all-linear", dropout: 0.05 },
    });
    // The packed reference: fresh adapters start exactly on it (the first step's loss is ln 2).
    assert.ok(Math.abs(out.history[0].loss - Math.LN2) < 1e-6, `first loss ${out.history[0].loss}`);
    const end = out.history.at(-1)!;
    assert.ok(end["eval_rewards/accuracies"] >= 0.9, `accuracy ${end["eval_rewards/accuracies"]}`);
    assert.ok(end.eval_loss < 0.5, `eval loss ${end.eval_loss}`);
  },
});

Deno.test({
  name: "stories260K: KTO on the unpaired examples of those preferences separates their rewards",
  ignore: !hasStories || testGpu === null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { run } = await prepared(undefined, true);
    const out = await run({
      loss: { ...DEFAULT_TRAIN.loss, variant: "kto" },
      optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 5e-4, warmupSteps: 5 },
    });
    // At the reference every reward and z0 are 0: each example's loss is ½.
    assert.ok(Math.abs(out.history[0].loss - 0.5) < 1e-6, `first loss ${out.history[0].loss}`);
    const end = out.history.at(-1)!;
    const [good, bad] = [end["eval_rewards/chosen"], end["eval_rewards/rejected"]];
    assert.ok(good > 0 && bad < 0 && good - bad > 1, `rewards ${good} / ${bad}`);
    assert.ok(end.eval_loss < 0.4, `eval loss ${end.eval_loss}`);
    assert.ok(end["eval_count/chosen"] > 0 && end["eval_count/rejected"] > 0);
  },
});
