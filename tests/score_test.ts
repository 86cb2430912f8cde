import assert from "node:assert/strict";
import { loadModel, saveModel } from "../model/io.ts";
import { Transformer } from "../model/transformer.ts";
import { hashParams, refCache } from "../pipeline/ref_cache.ts";
import { scoreFromConfig } from "../pipeline/run.ts";
import { applyFlags, defaults } from "../pipeline/run_config.ts";
import { scorePairs } from "../pipeline/score.ts";
import { createContext } from "../pipeline/stage.ts";
import { batchOrder, pairLength, tokenize } from "../pipeline/tokenize.ts";
import { DEFAULT_TRAIN, train } from "../pipeline/train.ts";
import { load } from "../pipeline/load.ts";
import { assertClose } from "../testing/assert_close.ts";
import { gpuTest, testGpu } from "../testing/gpu_harness.ts";
import { writeTinyRun } from "../testing/tiny_run.ts";

const quiet = () => createContext({ gpu: testGpu ?? undefined, logger: { info() {}, warn() {} } });

gpuTest(
  "score: agrees with training's log-probs; a saved model reloads and scores the same",
  async (gpu) => {
    const dir = await Deno.makeTempDir();
    try {
      const run = await writeTinyRun(dir, 16);
      const start = await loadModel(run.model);
      const { pairs } = await load(run.data);
      const data = await tokenize(pairs, { vocabSize: 97, padTokenId: 0, eosTokenId: 2 });
      const ctx = quiet();
      const ref = await refCache(
        {
          dataset: data,
          reference: {
            config: start.config,
            params: () => Promise.resolve(start.params),
            weightsHash: await hashParams(start.params),
          },
        },
        { pairsPerBatch: 4 },
        ctx,
      );
      const config = {
        ...DEFAULT_TRAIN,
        pairsPerBatch: 4,
        maxSteps: 5,
        optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 1e-3 },
      };
      const out = await train(
        { model: start, train: { pairs: data.pairs, ref, padTokenId: 0 } },
        config,
        ctx,
        { runDir: `${dir}/run` },
      );
      // Step 1's metrics are the starting model's, on the first batch of epoch 0.
      const first = batchOrder(data.pairs.map(pairLength), {
        pairsPerBatch: 4,
        seed: config.seed,
        epoch: 0,
      })[0];
      const startModel = Transformer.create(gpu, start.config, start.params, {
        maxBatch: 8,
        maxSeqLen: 32,
      });
      const s = await scorePairs(startModel, first.map((i) => data.pairs[i]), { pairsPerBatch: 4 });
      startModel.release();
      const mean = (x: Float32Array) => x.reduce((a, b) => a + b, 0) / x.length;
      assertClose([out.history[0]["logps/chosen"]], [mean(s.chosen)], { rtol: 1e-6 });
      assertClose([out.history[0]["logps/rejected"]], [mean(s.rejected)], { rtol: 1e-6 });
      // The trained model, saved and loaded again, scores bit-identically to the one in memory.
      await saveModel(`${dir}/trained`, {
        config: start.config,
        params: out.params,
        tokenizer: null,
      });
      const reloaded = await loadModel(`${dir}/trained`);
      const score = async (params: typeof out.params) => {
        const m = Transformer.create(gpu, start.config, params, { maxBatch: 8, maxSeqLen: 32 });
        try {
          return await scorePairs(m, data.pairs, { pairsPerBatch: 4 });
        } finally {
          m.release();
        }
      };
      const [inMemory, fromDisk] = [await score(out.params), await score(reloaded.params)];
      assert.deepEqual(fromDisk.chosen, inMemory.chosen);
      assert.deepEqual(fromDisk.rejected, inMemory.rejected);
      // Batches read back several at a time each keep their own values: one pair per batch (16
      // batches in two reads) scores every pair as it scores alone.
      {
        const m = Transformer.create(gpu, start.config, out.params, { maxBatch: 2, maxSeqLen: 32 });
        try {
          const batched = await scorePairs(m, data.pairs, { pairsPerBatch: 1 });
          for (const [i, pair] of data.pairs.entries()) {
            const alone = await scorePairs(m, [pair], { pairsPerBatch: 1 });
            assert.equal(batched.chosen[i], alone.chosen[0], `pair ${i} chosen`);
            assert.equal(batched.rejected[i], alone.rejected[0], `pair ${i} rejected`);
            assert.equal(batched.rejectedTokens[i], alone.rejectedTokens[0], `pair ${i} tokens`);
          }
        } finally {
          m.release();
        }
      }
      // The score command writes the same values, and rewards against the starting model.
      const file = `${dir}/scores.jsonl`;
      const config2 = applyFlags(defaults(), [
        "--model",
        `${dir}/trained`,
        "--ref",
        run.model,
        "--data",
        run.data,
        "--beta",
        "0.5",
        "--run.cache_dir",
        `${dir}/cache`,
        "--train.pairs_per_batch",
        "4",
      ]);
      assert.equal(await scoreFromConfig(config2, file, ctx), 16);
      const rows = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(rows.map((r) => r.chosen_logp), [...inMemory.chosen]);
      assert.deepEqual(rows.map((r) => r.chosen_tokens), [...inMemory.chosenTokens]);
      rows.forEach((r, i) => {
        assertClose([r.chosen_reward], [0.5 * (inMemory.chosen[i] - ref.chosen[i])], {
          rtol: 1e-6,
          atol: 1e-7,
        });
        assertClose([r.rejected_reward], [0.5 * (inMemory.rejected[i] - ref.rejected[i])], {
          rtol: 1e-6,
          atol: 1e-7,
        });
      });
      assert.deepEqual(Object.keys(rows[0]).sort(), [
        "chosen_logp",
        "chosen_reward",
        "chosen_tokens",
        "id",
        "rejected_logp",
        "rejected_reward",
        "rejected_tokens",
        "source",
        "truncated",
      ]);
      assert.ok(rows.every((r) => Array.isArray(r.truncated)));
      assert.ok(rows.every((r) => r.truncated.length === 0)); // nothing cut at these limits
      // Tight limits: rows say what was cut (the prompt keeps its end, a response its start).
      const tight = applyFlags(config2, ["--tokenize.max_length", "6"]);
      const cutFile = `${dir}/cut.jsonl`;
      await scoreFromConfig(tight, cutFile, ctx);
      const cut = (await Deno.readTextFile(cutFile)).trim().split("\n").map((l) => JSON.parse(l));
      assert.ok(cut.some((r) => r.truncated.length > 0), "some pair was truncated");
      for (const r of cut) {
        assert.ok(r.truncated.every((k: string) => ["prompt", "chosen", "rejected"].includes(k)));
        if (!r.truncated.includes("chosen")) assert.ok(r.chosen_tokens < 6);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
