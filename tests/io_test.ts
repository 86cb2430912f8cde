import assert from "node:assert/strict";
import { tinyConfig } from "../model/config.ts";
import { loadModel, saveModel } from "../model/io.ts";
import { initParams } from "../model/params.ts";
import { readSafetensors } from "../model/safetensors.ts";
import { ByteTokenizer } from "../model/tokenizer.ts";

const STORIES = new URL("../../shared/data/stories260K", import.meta.url).pathname;
const hasStories = await Deno.stat(`${STORIES}/config.json`).then(() => true, () => false);

Deno.test("io: a saved GPT-2 and Llama reload bit-identically, with Hugging Face's names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const family of ["gpt2", "llama"] as const) {
      const config = tinyConfig(family, { tieEmbeddings: family === "gpt2" });
      const params = initParams(config, { seed: 5 });
      await saveModel(`${dir}/${family}`, { config, params, tokenizer: new ByteTokenizer() });
      const back = await loadModel(`${dir}/${family}`);
      assert.deepEqual(back.config, config);
      for (const [name, v] of params) assert.deepEqual(back.params.get(name), v, name);
      assert.ok(back.tokenizer, "tokenizer saved");
      const names = [
        ...(await readSafetensors(`${dir}/${family}/model.safetensors`)).tensors.keys(),
      ];
      assert.ok(
        family === "gpt2"
          ? names.includes("transformer.h.0.attn.c_attn.weight")
          : names.includes("model.layers.0.self_attn.q_proj.weight"),
      );
      // Saving over an existing folder replaces it whole.
      await saveModel(`${dir}/${family}`, { config, params, tokenizer: null });
      assert.equal((await loadModel(`${dir}/${family}`)).tokenizer, null);
    }
    const leftovers = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.includes(".tmp-") || n.includes(".old-")
    );
    assert.deepEqual(leftovers, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "io: stories260K loads as config + params, load → save → load is bit-identical",
  ignore: !hasStories,
  fn: async () => {
    const m = await loadModel(STORIES);
    assert.equal(m.config.family, "llama");
    assert.equal(m.tokenizer, null);
    const dir = await Deno.makeTempDir();
    try {
      await saveModel(`${dir}/m`, m);
      const again = await loadModel(`${dir}/m`);
      for (const [name, v] of m.params) {
        assert.deepEqual(
          new Uint8Array(again.params.get(name)!.buffer),
          new Uint8Array(v.buffer),
          name,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("io: saving never deletes a user's other files; trailing slashes are fine", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = tinyConfig("gpt2");
    const model = { config, params: initParams(config, { seed: 1 }), tokenizer: null };
    await Deno.mkdir(`${dir}/mine`);
    await Deno.writeTextFile(`${dir}/mine/notes.txt`, "keep me");
    await assert.rejects(() => saveModel(`${dir}/mine`, model), /holds other files \(notes\.txt\)/);
    assert.equal(await Deno.readTextFile(`${dir}/mine/notes.txt`), "keep me");
    await saveModel(`${dir}/out/`, model);
    await saveModel(`${dir}/out/`, model); // over an existing model folder
    assert.deepEqual((await loadModel(`${dir}/out`)).config, config);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["mine", "out"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
