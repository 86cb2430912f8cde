import assert from "node:assert/strict";
import { tinyConfig } from "../model/config.ts";
import { initParams } from "../model/params.ts";
import { type EvalOptions, evaluate } from "../pipeline/eval.ts";
import { DEFAULT_DPO_LOSS } from "../pipeline/objective.ts";
import { createContext } from "../pipeline/stage.ts";
import { gpuTest, testGpu } from "../testing/gpu_harness.ts";
import { randomPairs } from "../testing/model_batches.ts";

const quiet = () => createContext({ gpu: testGpu ?? undefined, logger: { info() {}, warn() {} } });

const OPTIONS: EvalOptions = {
  loss: DEFAULT_DPO_LOSS,
  pairsPerBatch: 2,
  generate: true,
  samples: 6,
  maxNewTokens: 4,
  temperature: 1,
  topK: 0,
  topP: 1,
  seed: 9,
};

gpuTest("eval: generates with both models, deterministically", async () => {
  const c = tinyConfig("gpt2", { maxPositions: 16 });
  const set = randomPairs(6, c.vocabSize, 5);
  const input = {
    policy: { config: c, params: initParams(c, { seed: 1 }) },
    reference: { config: c, params: initParams(c, { seed: 2 }) },
    pairs: {
      pairs: set,
      ref: { chosen: new Float32Array(6), rejected: new Float32Array(6) },
      padTokenId: 0,
    },
    tokenizer: null,
  };
  const a = await evaluate(input, OPTIONS, quiet());
  assert.equal(a.generation?.prompts, 6);
  assert.ok(a.generation!.samples.every((s) => s.policy.length > 0 && s.reference.length > 0));
  assert.deepEqual(await evaluate(input, OPTIONS, quiet()), a);
  // Stop tokens beyond the config's (a generation_config.json's, the tokenizer's): with every id
  // a stop token, each response ends at its first token.
  const all = Array.from({ length: c.vocabSize }, (_, i) => i);
  const stopped = await evaluate({ ...input, stopTokenIds: all }, OPTIONS, quiet());
  assert.equal(stopped.generation?.policyLength, 1);
  assert.equal(stopped.generation?.referenceLength, 1);
  // Responses that reach max_new_tokens before an end are counted as cut.
  assert.deepEqual([stopped.generation?.policyCut, stopped.generation?.referenceCut], [0, 0]);
  assert.ok(a.generation!.policyCut > 0 && a.generation!.policyCut <= 1);
  assert.ok(a.generation!.policyLength > 1);
});

gpuTest(
  "eval: a model that fails to generate stops the eval, and nothing runs on after",
  async (gpu) => {
    const c = tinyConfig("gpt2", { maxPositions: 16 });
    const broken = initParams(c, { seed: 1 });
    for (const v of broken.values()) v.fill(NaN);
    const input = {
      policy: { config: c, params: broken },
      reference: { config: c, params: initParams(c, { seed: 2 }) },
      pairs: {
        pairs: randomPairs(6, c.vocabSize, 5),
        ref: { chosen: new Float32Array(6), rejected: new Float32Array(6) },
        padTokenId: 0,
      },
      tokenizer: null,
      metrics: {},
    };
    await assert.rejects(evaluate(input, OPTIONS, quiet()), /NaN/);
    // The reference's generation ran to its end before the error: no work follows it.
    const submits = gpu.stats.submits;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(gpu.stats.submits, submits);
  },
);
