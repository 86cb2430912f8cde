import assert from "node:assert/strict";
import { shoutTask } from "../datasets/synthetic.ts";
import { tinyConfig } from "../model/config.ts";
import { initParams } from "../model/params.ts";
import { ByteTokenizer } from "../model/tokenizer.ts";
import { Transformer } from "../model/transformer.ts";
import { hashParams, refCache, type ReferenceSource } from "../pipeline/ref_cache.ts";
import { scorePairs } from "../pipeline/score.ts";
import { createContext } from "../pipeline/stage.ts";
import { tokenize } from "../pipeline/tokenize.ts";
import { assertClose } from "../testing/assert_close.ts";
import { gpuTest, testGpu } from "../testing/gpu_harness.ts";

function setup() {
  const tok = new ByteTokenizer();
  const config = tinyConfig("llama", { vocabSize: tok.vocabSize, maxPositions: 32 });
  const params = initParams(config, { seed: 3 });
  const task = shoutTask({ seed: 4, trainPairs: 10, evalPairs: 1, sftExamples: 1 });
  return { tok, config, params, task };
}

function recordingContext() {
  const lines: string[] = [];
  const ctx = createContext({
    gpu: testGpu ?? undefined,
    logger: { info: (m) => lines.push(m), warn: (m) => lines.push(`warn: ${m}`) },
  });
  return { ctx, lines };
}

gpuTest(
  "ref-cache: reuses a matching cache, recomputes on any change, survives damage",
  async (gpu) => {
    const { tok, config, params, task } = setup();
    const dir = await Deno.makeTempDir();
    let loads: number = 0;
    const reference: ReferenceSource = {
      config,
      params: () => {
        loads++;
        return Promise.resolve(params);
      },
      weightsHash: await hashParams(params),
    };
    try {
      const data = await tokenize(task.train, { tokenizer: tok });
      const run = async (d = data, ref = reference) => {
        const { ctx, lines } = recordingContext();
        const out = await refCache({ dataset: d, reference: ref }, {
          cacheDir: dir,
          pairsPerBatch: 4,
        }, ctx);
        return { out, lines };
      };
      const first = await run();
      assert.equal(first.out.reused, false);
      assert.equal(loads, 1);
      // The values are the model's own sequence log-probs.
      const model = Transformer.create(gpu, config, params, { maxBatch: 8, maxSeqLen: 32 });
      const direct = await scorePairs(model, data.pairs, { pairsPerBatch: 4 });
      model.release();
      assertClose(first.out.chosen, direct.chosen, { rtol: 1e-6 });
      assertClose(first.out.rejected, direct.rejected, { rtol: 1e-6 });

      // A second run reuses the file without loading the reference model.
      const second = await run();
      assert.equal(second.out.reused, true);
      assert.equal(loads, 1, "the reference was loaded although the cache matched");
      assert.ok(second.lines.some((l) => /reusing/.test(l)));
      assert.deepEqual(second.out.chosen, first.out.chosen);

      // One changed row, another max length, another tokenizer, other weights: recomputed.
      const changed = [...task.train];
      changed[3] = { ...changed[3], chosen: [{ role: "assistant", content: "ZZZZ" }] };
      const variants = [
        await tokenize(changed, { tokenizer: tok }),
        await tokenize(task.train, { tokenizer: tok, maxLength: 11 }),
        await tokenize(task.train, { tokenizer: new ByteTokenizer(), template: "plain" }),
      ];
      for (const d of variants) {
        const before: number = loads;
        const r = await run(d);
        assert.equal(r.out.reused, false);
        assert.equal(loads, before + 1);
      }
      const other = initParams(config, { seed: 99 });
      const r = await run(data, {
        config,
        params: () => Promise.resolve(other),
        weightsHash: await hashParams(other),
      });
      assert.equal(r.out.reused, false);

      // A truncated cache file is caught and recomputed.
      const file = [...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`).find((p) =>
        p.includes(first.out.key.slice(0, 16))
      )!;
      const bytes = await Deno.readFile(file);
      await Deno.writeFile(file, bytes.slice(0, bytes.length - 10));
      const damaged = await run();
      assert.equal(damaged.out.reused, false);
      assert.ok(damaged.lines.some((l) => /warn: .*damaged/.test(l)), damaged.lines.join("\n"));
      assert.deepEqual(damaged.out.chosen, first.out.chosen);
      assert.equal((await run()).out.reused, true, "the recomputed cache is reused again");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("hashParams: tensor by tensor past the size limit, by names, shapes and every value", async () => {
  const a = new Map([["w", new Float32Array([1, 2, 3])], ["b", new Float32Array([4])]]);
  for (const wholeBytes of [undefined, 8]) {
    const h = (p: Map<string, Float32Array>) => hashParams(p, { wholeBytes });
    const base = await h(a);
    assert.equal(await h(new Map([...a].reverse())), base, "insertion order does not matter");
    assert.notEqual(
      await h(new Map([["w", new Float32Array([1, 2, 3.5])], ["b", a.get("b")!]])),
      base,
    );
    assert.notEqual(await h(new Map([["v", a.get("w")!], ["b", a.get("b")!]])), base);
    assert.notEqual(
      await h(new Map([["w", new Float32Array([1, 2])], ["b", new Float32Array([3, 4])]])),
      base,
    );
  }
  // The two ways are different hashes (a model hashes one way for its size, always).
  assert.notEqual(await hashParams(a, { wholeBytes: 8 }), await hashParams(a));
});
