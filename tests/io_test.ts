import assert from "node:assert/strict";
import { tinyConfig } from "../model/config.ts";
import { loadModel, saveModel, stopTokenIds } from "../model/io.ts";
import { initParams } from "../model/params.ts";
import { readSafetensors, writeSafetensors } from "../model/safetensors.ts";
import { ByteTokenizer } from "../model/tokenizer.ts";

const STORIES = new URL("../../shared/data/stories260K", import.meta.url).pathname;
const hasStories = await Deno.stat(`${STORIES}/config.json`).then(() => true, () => false);

Deno.test("io: saved GPT-2, Llama, Qwen3, Gemma and Phi-3 models reload bit-identically, with Hugging Face's names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const families = [
      "gpt2",
      "llama",
      "qwen3",
      "gemma2",
      "gemma3",
      "phi3",
      "olmo2",
      "gpt_neox",
      "stablelm",
      "phi",
      "starcoder2",
      "olmo3",
      "cohere",
      "cohere2",
    ] as const;
    for (const family of families) {
      const config = tinyConfig(family, {
        tieEmbeddings: !["llama", "qwen3", "gpt_neox"].includes(family),
      });
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
          : family === "phi3"
          ? names.includes("model.layers.0.self_attn.qkv_proj.weight")
          : family === "gpt_neox"
          ? names.includes("gpt_neox.layers.0.attention.query_key_value.weight") &&
            names.includes("embed_out.weight")
          : names.includes("model.layers.0.self_attn.q_proj.weight"),
      );
      if (family.startsWith("gemma")) {
        assert.ok(names.includes("model.layers.1.post_feedforward_layernorm.weight"));
      }
      if (family === "phi3") {
        // Saved fused: q, k, v rows stacked in that order (and gate, up).
        const file = await readSafetensors(`${dir}/${family}/model.safetensors`);
        const qkv = file.tensors.get("model.layers.1.self_attn.qkv_proj.weight")!;
        const q = params.get("model.layers.1.self_attn.q_proj.weight")!;
        const v = params.get("model.layers.1.self_attn.v_proj.weight")!;
        const data = qkv.data as Float32Array;
        assert.deepEqual(data.subarray(0, q.length), q);
        assert.deepEqual(data.subarray(data.length - v.length), v);
        assert.ok(names.includes("model.layers.0.mlp.gate_up_proj.weight"));
        assert.ok(!names.some((n) => n.includes("q_proj") || n.includes("gate_proj")));
      }
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

Deno.test("io: generation_config.json is read, saved with the model, and its eos ids stop generation", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = tinyConfig("llama", { eosTokenIds: [2] });
    const params = initParams(config, { seed: 3 });
    const text = '{\n  "eos_token_id": [2, 9],\n  "do_sample": true\n}\n';
    await saveModel(`${dir}/a`, { config, params, tokenizer: null, generationConfig: text });
    assert.equal(await Deno.readTextFile(`${dir}/a/generation_config.json`), text);
    const a = await loadModel(`${dir}/a`);
    assert.equal(a.generationConfig, text);
    assert.deepEqual(stopTokenIds(a), [2, 9]);
    // The tokenizer's end-of-sequence token (the byte tokenizer's is 257) joins them.
    assert.deepEqual(stopTokenIds({ ...a, tokenizer: new ByteTokenizer() }), [2, 9, 257]);
    // Saved over a folder with other generation settings: the model's own win; a model without
    // any keeps the folder's.
    const other = '{"eos_token_id": 4}\n';
    await saveModel(`${dir}/b`, { config, params, tokenizer: null, generationConfig: other });
    await saveModel(`${dir}/b`, { config, params, tokenizer: null, generationConfig: text });
    assert.equal(await Deno.readTextFile(`${dir}/b/generation_config.json`), text);
    await saveModel(`${dir}/b`, { config, params, tokenizer: null });
    assert.equal(await Deno.readTextFile(`${dir}/b/generation_config.json`), text);
    // A malformed file is refused by name when the model is loaded.
    for (const bad of ['{"eos_token_id": "x"}', "{oops", "[1]"]) {
      await Deno.writeTextFile(`${dir}/a/generation_config.json`, bad);
      await assert.rejects(() => loadModel(`${dir}/a`), /a\/generation_config\.json: /);
    }
    const none = await loadModel(`${dir}/b`).then((m) => ({ ...m, generationConfig: null }));
    assert.deepEqual(stopTokenIds(none), [2]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("io: a multimodal Gemma 3 checkpoint loads as its language model (v4 and v5 names)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = tinyConfig("gemma3", { eosTokenIds: [1] });
    const params = initParams(config, { seed: 3 });
    await saveModel(`${dir}/text`, { config, params, tokenizer: null });
    const text = JSON.parse(await Deno.readTextFile(`${dir}/text/config.json`));
    delete text.eos_token_id; // (as hub checkpoints leave it to the outer config)
    const { tensors } = await readSafetensors(`${dir}/text/model.safetensors`);
    const vision = { shape: [2, 3], data: new Float32Array(6).fill(0.5), dtype: "F32" };
    for (
      const [style, rename, extra] of [
        [
          "v4",
          (k: string) => k.replace(/^model\./, "language_model.model."),
          "vision_tower.vision_model.post_layernorm.weight",
        ],
        [
          "v5",
          (k: string) => k.replace(/^model\./, "model.language_model."),
          "model.multi_modal_projector.mm_input_projection_weight",
        ],
      ] as const
    ) {
      const at = `${dir}/${style}`;
      await Deno.mkdir(at);
      await Deno.writeTextFile(
        `${at}/config.json`,
        JSON.stringify({
          model_type: "gemma3",
          architectures: ["Gemma3ForConditionalGeneration"],
          eos_token_id: [1, 106],
          text_config: text,
          vision_config: { model_type: "siglip_vision_model", hidden_size: 3 },
        }),
      );
      const weights = new Map([...tensors].map(([k, t]) => [rename(k), t]));
      weights.set(extra, vision);
      await writeSafetensors(`${at}/model.safetensors`, weights);
      const loaded = await loadModel(at);
      assert.equal(loaded.config.family, "gemma3", style);
      // The outer config's eos ids where the text_config gives none.
      assert.deepEqual(loaded.config.eosTokenIds, [1, 106], style);
      assert.deepEqual([...loaded.params.keys()], [...params.keys()], style);
      for (const [k, v] of params) assert.deepEqual(loaded.params.get(k), v, `${style} ${k}`);
    }
    await Deno.writeTextFile(`${dir}/v4/config.json`, JSON.stringify({ model_type: "gemma3" }));
    await assert.rejects(() => loadModel(`${dir}/v4`), /model_type "gemma3" needs its text_config/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
