import assert from "node:assert/strict";
import {
  attentionScale,
  ConfigError,
  configFromHf,
  configToHf,
  embeddingScale,
  hasQkNorm,
  layerRope,
  layerUsesRope,
  layerWindow,
  logitScale,
  type ModelFamily,
  parameterSpecs,
  readConfig,
  residualScale,
  ropeDim,
  ropeLengthRefusal,
  tinyConfig,
  validateConfig,
} from "../model/config.ts";
import { readModelWeights } from "../model/safetensors.ts";
import { configJson } from "../model/io.ts";
import { ropeFrequencies } from "../kernels/rope.ts";

const STORIES = new URL("../../shared/data/stories260K", import.meta.url).pathname;
const hasStories = await Deno.stat(`${STORIES}/config.json`).then(() => true, () => false);

Deno.test("config: each family round-trips through config.json", () => {
  const families = [
    "gpt2",
    "llama",
    "qwen2",
    "mistral",
    "qwen3",
    "gemma",
    "gemma2",
    "gemma3",
    "phi3",
    "smollm3",
    "olmo2",
    "granite",
    "gpt_neox",
    "stablelm",
    "phi",
    "starcoder2",
    "olmo3",
    "cohere",
    "cohere2",
  ];
  for (const family of families as ModelFamily[]) {
    const c = tinyConfig(family, { bosTokenId: 1, eosTokenIds: [2], padTokenId: 0 });
    assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(c)))), c, family);
  }
  // Sliding windows: every layer (mistral) or some (qwen2, qwen3).
  const windows = [
    tinyConfig("mistral", { slidingWindow: 5 }),
    tinyConfig("qwen2", { slidingWindow: 5, slidingLayers: [false, true] }),
    tinyConfig("qwen3", { numLayers: 3, slidingWindow: 7, slidingLayers: [true, false, true] }),
    tinyConfig("qwen2", { slidingWindow: 3 }),
  ];
  for (const c of windows) {
    assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(c)))), c, c.family);
  }
});

Deno.test("config: sliding windows are read as transformers reads them", () => {
  const qwen = {
    ...configToHf(tinyConfig("qwen2", { numLayers: 4 })),
    max_position_embeddings: 64,
  };
  const read = (extra: Record<string, unknown>) => {
    const c = configFromHf({ ...qwen, ...extra });
    return [c.slidingWindow ?? null, c.slidingLayers ?? null];
  };
  // Qwen2: only with use_sliding_window; layers max_window_layers (default 28) and up slide.
  assert.deepEqual(read({ sliding_window: 16, max_window_layers: 1 }), [null, null]);
  const on = { use_sliding_window: true, sliding_window: 16 };
  assert.deepEqual(read({ ...on, max_window_layers: 1 }), [16, [false, true, true, true]]);
  assert.deepEqual(read({ ...on, max_window_layers: 0 }), [16, null]);
  assert.deepEqual(read({ ...on }), [null, null]); // 28 ≥ 4 layers: none slides
  assert.deepEqual(read({ use_sliding_window: true, max_window_layers: 2 }), [null, null]); // 4096 ≥ 64
  // layer_types, when given, says which layers slide (transformers ≥ 4.53).
  const types = ["sliding_attention", "full_attention", "sliding_attention", "full_attention"];
  assert.deepEqual(
    read({ ...on, max_window_layers: 3, layer_types: types }),
    [16, [true, false, true, false]],
  );
  assert.deepEqual(read({ layer_types: types }), [null, null]); // no use_sliding_window: no window
  assert.throws(
    () => configFromHf({ ...qwen, ...on, layer_types: types.slice(1) }, "q/config.json"),
    /q\/config\.json: layer_types must list the 4 layers' attention/,
  );
  assert.throws(
    () => configFromHf({ ...qwen, ...on, layer_types: [...types.slice(1), "chunked_attention"] }),
    /layer_types\[3\] "chunked_attention" for qwen2/,
  );
  assert.throws(
    () => configFromHf({ ...qwen, ...on, sliding_window: 0, max_window_layers: 1 }),
    /sliding_window 0/,
  );
  // A window as long as the positions hides nothing: none is kept.
  assert.deepEqual(read({ ...on, sliding_window: 64, max_window_layers: 1 }), [null, null]);
  // Llama has no window: sliding layer types are refused by name.
  const llama = configToHf(tinyConfig("llama"));
  assert.throws(
    () => configFromHf({ ...llama, layer_types: ["full_attention", "sliding_attention"] }),
    /layer_types\[1\] "sliding_attention" for llama \(full_attention are\)/,
  );
  // Written back with the list and the older max_window_layers.
  const back = configToHf(tinyConfig("qwen2", { slidingWindow: 5, slidingLayers: [false, true] }));
  assert.deepEqual(
    [back.use_sliding_window, back.sliding_window, back.max_window_layers, back.layer_types],
    [true, 5, 1, ["full_attention", "sliding_attention"]],
  );
  assert.throws(
    () => validateConfig(tinyConfig("llama", { slidingWindow: 4 })),
    /llama has no sliding window/,
  );
  assert.throws(
    () => validateConfig(tinyConfig("qwen2", { slidingWindow: 4, slidingLayers: [true] })),
    /slidingLayers must have numLayers \(2\) entries, got 1/,
  );
});

// gemma-3-1b-it's config.json (transformers 4.50).
const GEMMA3_1B = {
  architectures: ["Gemma3ForCausalLM"],
  attention_bias: false,
  attention_dropout: 0.0,
  attn_logit_softcapping: null,
  bos_token_id: 2,
  cache_implementation: "hybrid",
  eos_token_id: [1, 106],
  final_logit_softcapping: null,
  head_dim: 256,
  hidden_activation: "gelu_pytorch_tanh",
  hidden_size: 1152,
  initializer_range: 0.02,
  intermediate_size: 6912,
  max_position_embeddings: 32768,
  model_type: "gemma3_text",
  num_attention_heads: 4,
  num_hidden_layers: 26,
  num_key_value_heads: 1,
  pad_token_id: 0,
  query_pre_attn_scalar: 256,
  rms_norm_eps: 1e-6,
  rope_local_base_freq: 10000,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: 512,
  sliding_window_pattern: 6,
  torch_dtype: "bfloat16",
  use_cache: true,
  vocab_size: 262144,
};

Deno.test("config: Gemma 3 (gemma3_text) reads with its sliding layers, q/k norms and two RoPEs", () => {
  const c = configFromHf(GEMMA3_1B);
  assert.equal(c.family, "gemma3");
  assert.deepEqual(
    [c.headDim, c.numHeads, c.numKvHeads, c.queryPreAttnScalar, c.tieEmbeddings],
    [256, 4, 1, 256, true],
  );
  assert.deepEqual([c.eosTokenIds, c.bosTokenId, c.padTokenId], [[1, 106], 2, 0]);
  // Every sixth layer (5, 11, …) is global; the others slide over 512 keys with θ 10 000.
  const global = [5, 11, 17, 23];
  for (let l = 0; l < 26; l++) {
    const isGlobal = global.includes(l);
    assert.equal(layerWindow(c, l), isGlobal ? undefined : 512, `layer ${l}`);
    assert.equal(layerRope(c, l).theta, isGlobal ? 1e6 : 1e4, `layer ${l}`);
  }
  assert.ok(hasQkNorm(c));
  const names = parameterSpecs(c).map((p) => p.name);
  for (const n of ["q_norm", "k_norm"]) {
    assert.ok(names.includes(`model.layers.3.self_attn.${n}.weight`));
  }
  for (const n of ["input", "post_attention", "pre_feedforward", "post_feedforward"]) {
    assert.ok(names.includes(`model.layers.25.${n}_layernorm.weight`), n);
  }
  assert.ok(!names.includes("lm_head.weight"));
  // transformers ≥ 4.53 lists the layers instead of the pattern: the same model.
  const types = Array.from(
    { length: 26 },
    (_, l) => global.includes(l) ? "full_attention" : "sliding_attention",
  );
  const { sliding_window_pattern: _, ...noPattern } = GEMMA3_1B;
  assert.deepEqual(configFromHf({ ...noPattern, layer_types: types }), c);
  // Written back, it reads the same, with both the list and the pattern.
  const back = configToHf(c);
  assert.deepEqual([back.model_type, back.architectures], ["gemma3_text", ["Gemma3ForCausalLM"]]);
  assert.deepEqual([back.sliding_window_pattern, back.layer_types], [6, types]);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(back))), c);
  // The multimodal Gemma 3 reads as its language model (text_config; the outer config decides
  // the tie, and its forward never caps the logits), and without one is refused by name; so are a
  // cap that is not positive and an exact GELU.
  const { model_type: _type, ...inner } = GEMMA3_1B;
  const mm = configFromHf({
    model_type: "gemma3",
    eos_token_id: [1, 106],
    tie_word_embeddings: false,
    text_config: { ...inner, final_logit_softcapping: 30 },
  });
  assert.deepEqual(mm, {
    ...configFromHf(GEMMA3_1B),
    eosTokenIds: [1, 106],
    tieEmbeddings: false,
  });
  assert.throws(
    () => configFromHf({ ...GEMMA3_1B, model_type: "gemma3" }),
    /model_type "gemma3" needs its text_config/,
  );
  assert.throws(
    () => configFromHf({ ...GEMMA3_1B, final_logit_softcapping: 0 }, "g/config.json"),
    /g\/config\.json: final_logit_softcapping 0 \(a soft-cap is positive\)/,
  );
  assert.throws(
    () => configFromHf({ ...GEMMA3_1B, hidden_activation: "relu" }),
    /hidden_activation "relu" \(GELU, exact or in its tanh form, is implemented\)/,
  );
  assert.throws(
    () => configFromHf({ ...GEMMA3_1B, sliding_window: null }),
    /sliding_window null \(Gemma 3's sliding layers need a window\)/,
  );
  // transformers' Gemma 3 never applies attn_logit_softcapping: neither do we.
  assert.equal(configFromHf({ ...GEMMA3_1B, attn_logit_softcapping: 50 }).attnSoftcap, undefined);
  // transformers v5 keeps both RoPEs in rope_parameters by layer type (gemma-3-4b's linear 8).
  const { rope_theta: _t, rope_local_base_freq: _l, rope_scaling: _s, ...v5 } = GEMMA3_1B;
  const four = configFromHf({
    ...v5,
    rope_parameters: {
      full_attention: { rope_type: "linear", factor: 8, rope_theta: 1e6 },
      sliding_attention: { rope_type: "default", rope_theta: 1e4 },
    },
  });
  assert.deepEqual(
    [four.ropeTheta, four.ropeScaling, four.ropeLocalTheta],
    [1e6, { type: "linear", factor: 8 }, 1e4],
  );
  assert.deepEqual(layerRope(four, 0), { theta: 1e4, scaling: null });
  assert.deepEqual(layerRope(four, 5), { theta: 1e6, scaling: { type: "linear", factor: 8 } });
  assert.throws(
    () =>
      configFromHf({
        ...v5,
        rope_parameters: { sliding_attention: { rope_type: "linear", factor: 2 } },
      }),
    /rope_parameters\.sliding_attention with a scaling/,
  );
});

Deno.test("config: Gemma 1 and Gemma 2 read as transformers reads them", () => {
  // gemma-2b's config.json: hidden_act "gelu", which transformers runs as the tanh GELU.
  const gemma = {
    architectures: ["GemmaForCausalLM"],
    attention_bias: false,
    bos_token_id: 2,
    eos_token_id: 1,
    head_dim: 256,
    hidden_act: "gelu",
    hidden_size: 2048,
    intermediate_size: 16384,
    max_position_embeddings: 8192,
    model_type: "gemma",
    num_attention_heads: 8,
    num_hidden_layers: 18,
    num_key_value_heads: 1,
    pad_token_id: 0,
    rms_norm_eps: 1e-6,
    rope_scaling: null,
    rope_theta: 10000.0,
    vocab_size: 256000,
  };
  const g = configFromHf(gemma);
  assert.deepEqual([g.family, g.headDim, g.numKvHeads, g.tieEmbeddings], ["gemma", 256, 1, true]);
  // transformers builds Gemma 1's MLP from hidden_act and reads its legacy "gelu" as the tanh
  // form (checked against transformers 5.18); hidden_activation is not read for Gemma 1.
  assert.equal(g.exactGelu, undefined);
  assert.equal(configToHf(g).hidden_act, "gelu_pytorch_tanh");
  const tanh = { ...gemma, hidden_act: "gelu_pytorch_tanh", hidden_activation: "gelu" };
  assert.equal(configFromHf(tanh).exactGelu, undefined);
  assert.throws(() => validateConfig({ ...g, exactGelu: true }), /not gemma's/);
  assert.equal(g.slidingWindow, undefined);
  assert.equal(g.queryPreAttnScalar, undefined);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(g)))), g);
  // Gemma's parameters carry llama's names (no norms after attention and the MLP).
  assert.ok(!parameterSpecs(g).some((p) => p.name.includes("feedforward")));
  // Gemma 2: soft-capping (transformers' defaults 50 and 30 where the keys are absent), every
  // other layer sliding from the first.
  const gemma2 = { ...gemma, model_type: "gemma2", hidden_activation: "gelu_pytorch_tanh" };
  const g2 = configFromHf({ ...gemma2, sliding_window: 4096, query_pre_attn_scalar: 224 });
  assert.deepEqual(
    [g2.attnSoftcap, g2.finalSoftcap, g2.slidingWindow, g2.slidingLayers?.slice(0, 4)],
    [50, 30, 4096, [true, false, true, false]],
  );
  assert.equal(g2.queryPreAttnScalar, 224);
  const back = configToHf(g2);
  assert.deepEqual([back.attn_logit_softcapping, back.final_logit_softcapping], [50, 30]);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(back))), g2);
  const uncapped = configFromHf({
    ...gemma2,
    attn_logit_softcapping: null,
    final_logit_softcapping: null,
  });
  assert.deepEqual([uncapped.attnSoftcap, uncapped.finalSoftcap], [undefined, undefined]);
  // Gemma 2/3 read hidden_activation only (hidden_act "gelu" there is not the MLP's); its
  // "gelu" is the exact GELU.
  assert.equal(g2.exactGelu, undefined);
  assert.equal(configFromHf({ ...gemma2, hidden_activation: undefined }).exactGelu, undefined);
  assert.equal(configFromHf({ ...gemma2, hidden_activation: "gelu" }).exactGelu, true);
  // Whole soft-caps are written as floats: transformers' strict config classes refuse integers.
  const text = configJson(g2);
  assert.match(text, /"attn_logit_softcapping": 50\.0,/);
  assert.match(text, /"final_logit_softcapping": 30\.0,/);
  assert.deepEqual(configFromHf(JSON.parse(text)), g2);
  // No sliding layer: a window is still written (transformers' Gemma 2/3 always build one).
  const allFull = configFromHf({ ...gemma2, layer_types: Array(18).fill("full_attention") });
  assert.equal(allFull.slidingWindow, undefined);
  const written = configToHf(allFull);
  assert.equal(written.sliding_window, 4096);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(written))), allFull);
});

Deno.test("config: Phi-3 reads as llama's layout with fused q/k/v and gate/up tensors", () => {
  // Phi-3-mini-4k-instruct's config.json.
  const json = {
    architectures: ["Phi3ForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 1,
    embd_pdrop: 0.0,
    eos_token_id: 32000,
    hidden_act: "silu",
    hidden_size: 3072,
    initializer_range: 0.02,
    intermediate_size: 8192,
    max_position_embeddings: 4096,
    model_type: "phi3",
    num_attention_heads: 32,
    num_hidden_layers: 32,
    num_key_value_heads: 32,
    original_max_position_embeddings: 4096,
    pad_token_id: 32000,
    resid_pdrop: 0.0,
    rms_norm_eps: 1e-05,
    rope_scaling: null,
    rope_theta: 10000.0,
    sliding_window: 2047,
    tie_word_embeddings: false,
    torch_dtype: "bfloat16",
    use_cache: true,
    vocab_size: 32064,
  };
  const c = configFromHf(json);
  assert.deepEqual(
    [c.family, c.headDim, c.slidingWindow, c.slidingLayers, c.normEps, c.eosTokenIds],
    ["phi3", 96, 2047, undefined, 1e-5, [32000]],
  );
  const specs = parameterSpecs(c);
  const qkv = specs.find((p) => p.name === "model.layers.0.self_attn.qkv_proj.weight")!;
  const gateUp = specs.find((p) => p.name === "model.layers.31.mlp.gate_up_proj.weight")!;
  assert.deepEqual([qkv.shape, gateUp.shape], [[9216, 3072], [16384, 3072]]);
  assert.ok(!specs.some((p) => p.name.includes("q_proj")));
  const back = configToHf(c);
  assert.deepEqual([back.model_type, back.sliding_window], ["phi3", 2047]);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(back))), c);
  // Phi3Config's defaults where keys are absent: no window, ε 1e-5, eos and pad 32000.
  const { sliding_window: _w, rms_norm_eps: _e, eos_token_id: _o, pad_token_id: _p, ...bare } =
    json;
  const d = configFromHf(bare);
  assert.deepEqual(
    [d.slidingWindow, d.normEps, d.eosTokenIds, d.padTokenId],
    [undefined, 1e-5, [32000], 32000],
  );
  // Phi-3.5's longrope: short factors within original_max_position_embeddings, the attention
  // factor √(1 + ln f / ln n) with f = max_position_embeddings / n, as transformers computes them.
  const short = Array.from({ length: 48 }, (_, d) => 1 + d / 10);
  const long = Array.from({ length: 48 }, (_, d) => 2 + d);
  const phi35 = configFromHf({
    ...json,
    max_position_embeddings: 131072,
    original_max_position_embeddings: 4096,
    rope_scaling: { type: "longrope", short_factor: short, long_factor: long },
  });
  const s = phi35.ropeScaling!;
  assert.equal(s.type, "longrope");
  if (s.type === "longrope") {
    assert.ok(Math.abs(s.attentionFactor - Math.sqrt(1 + Math.log(32) / Math.log(4096))) < 1e-15);
    assert.equal(s.originalMaxPositions, 4096);
  }
  const w = ropeFrequencies(96, 10000, s);
  assert.ok(Math.abs(w[5] - Math.pow(10000, -10 / 96) / short[5]) < 1e-18);
  const written = configToHf(phi35);
  assert.equal(written.original_max_position_embeddings, 4096);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(written))), phi35);
  assert.equal(ropeLengthRefusal(phi35, 4096), null);
  assert.match(ropeLengthRefusal(phi35, 4097)!, /long factors \(not implemented\)/);
  assert.throws(
    () => configFromHf({ ...json, rope_scaling: { type: "longrope", short_factor: [1] } }),
    /long_factor must be a list of positive numbers/,
  );
  assert.throws(
    () =>
      configFromHf({
        ...configToHf(tinyConfig("llama")),
        original_max_position_embeddings: 16,
        rope_scaling: { type: "longrope", short_factor: [1, 1], long_factor: [1, 1] },
      }),
    /rope_scaling longrope for llama \(implemented for phi3\)/,
  );
  assert.throws(
    () => configFromHf({ ...json, rope_scaling: { type: "linear", factor: 2 } }),
    /rope_scaling linear for phi3 \(only longrope is Phi-3's\)/,
  );
  // Phi3Config's top-level original_max_position_embeddings (default 4096) wins over the
  // scaling's own; early Phi-3-128k configs call LongRoPE "su".
  const { original_max_position_embeddings: _om, ...noOriginal } = json;
  const su = configFromHf({
    ...noOriginal,
    max_position_embeddings: 131072,
    rope_scaling: {
      type: "su",
      short_factor: short,
      long_factor: long,
      original_max_position_embeddings: 2048,
    },
  }).ropeScaling!;
  assert.ok(su.type === "longrope" && su.originalMaxPositions === 4096);
  // A scaling with its own `factor`: transformers takes it for the attention factor.
  const own = configFromHf({
    ...json,
    max_position_embeddings: 131072,
    original_max_position_embeddings: 4096,
    rope_scaling: { type: "longrope", short_factor: short, long_factor: long, factor: 2 },
  }).ropeScaling!;
  assert.ok(
    own.type === "longrope" &&
      Math.abs(own.attentionFactor - Math.sqrt(1 + Math.log(2) / Math.log(4096))) < 1e-15,
  );
  assert.throws(
    () =>
      configFromHf({
        ...json,
        rope_scaling: { type: "longrope", short_factor: [1, 2], long_factor: [1, 2] },
      }),
    /rope_scaling\.short_factor 2 factors \(RoPE turns 48 pairs of each head's elements\)/,
  );
});

Deno.test("config: GPT-NeoX (Pythia) reads with its defaults, and writes back", () => {
  // EleutherAI/pythia-160m's config.json.
  const json = {
    architectures: ["GPTNeoXForCausalLM"],
    bos_token_id: 0,
    eos_token_id: 0,
    hidden_act: "gelu",
    hidden_size: 768,
    initializer_range: 0.02,
    intermediate_size: 3072,
    layer_norm_eps: 1e-05,
    max_position_embeddings: 2048,
    model_type: "gpt_neox",
    num_attention_heads: 12,
    num_hidden_layers: 12,
    rotary_emb_base: 10000,
    rotary_pct: 0.25,
    tie_word_embeddings: false,
    torch_dtype: "float16",
    transformers_version: "4.24.0",
    use_cache: true,
    use_parallel_residual: true,
    vocab_size: 50304,
  };
  const c = configFromHf(json);
  assert.deepEqual(
    [c.family, c.headDim, c.rotaryDim, c.parallelResidual, c.exactGelu, c.qkvBias],
    ["gpt_neox", 64, 16, true, true, true],
  );
  assert.deepEqual([c.tieEmbeddings, c.bosTokenId, c.eosTokenIds, c.ropeTheta], [
    false,
    0,
    [0],
    10000,
  ]);
  const specs = parameterSpecs(c);
  const qkv = specs.find((p) => p.name === "gpt_neox.layers.0.attention.query_key_value.weight")!;
  assert.deepEqual(qkv.shape, [2304, 768]);
  assert.ok(specs.some((p) => p.name === "embed_out.weight"));
  const back = configToHf(c);
  assert.deepEqual([back.rotary_pct, back.use_parallel_residual], [0.25, true]);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(back))), c);
  // GPTNeoXConfig's defaults where keys are absent; transformers v5's rope_parameters winning.
  const bare = configFromHf({
    model_type: "gpt_neox",
    hidden_size: 64,
    num_attention_heads: 4,
    num_hidden_layers: 2,
    intermediate_size: 96,
    vocab_size: 100,
  });
  assert.deepEqual(
    [bare.rotaryDim, bare.parallelResidual, bare.exactGelu, bare.qkvBias, bare.eosTokenIds],
    [4, true, true, true, [2]],
  );
  const v5 = configFromHf({
    ...json,
    rotary_pct: 0.5,
    rope_parameters: { rope_type: "default", rope_theta: 500, partial_rotary_factor: 1 },
  });
  assert.deepEqual([v5.rotaryDim, v5.ropeTheta], [undefined, 500]);
  const serial = configFromHf({
    ...json,
    use_parallel_residual: false,
    hidden_act: "gelu_new",
    attention_bias: false,
  });
  assert.deepEqual([serial.parallelResidual, serial.exactGelu, serial.qkvBias], [
    false,
    undefined,
    false,
  ]);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(serial)))), serial);
  assert.throws(
    () => configFromHf({ ...json, hidden_act: "relu" }),
    /hidden_act "relu" \(gelu and its tanh form, gelu_new, are implemented\)/,
  );
  assert.throws(
    () => configFromHf({ ...json, rotary_pct: 0.3 }),
    /rotary_pct 0\.3: RoPE would turn 19 of the head's 64 elements/,
  );
  assert.throws(() => tinyConfig("llama", { parallelResidual: true }), /only gpt_neox has one/);
  // GPTNeoXConfig reads θ from rotary_emb_base (or rope_parameters), never a top-level rope_theta.
  assert.equal(configFromHf({ ...json, rope_theta: 500 }).ropeTheta, 10000);
  assert.equal(configFromHf({ ...json, hidden_act: "gelu_python" }).exactGelu, true);
});

Deno.test("config: StableLM 2 reads as llama's layout with LayerNorms and partial RoPE", () => {
  // stabilityai/stablelm-2-zephyr-1_6b's config.json.
  const json = {
    architectures: ["StableLmForCausalLM"],
    bos_token_id: 100257,
    eos_token_id: 100257,
    hidden_act: "silu",
    hidden_dropout: 0.0,
    hidden_size: 2048,
    initializer_range: 0.02,
    intermediate_size: 5632,
    layer_norm_eps: 1e-05,
    max_position_embeddings: 4096,
    model_type: "stablelm",
    num_attention_heads: 32,
    num_hidden_layers: 24,
    num_key_value_heads: 32,
    partial_rotary_factor: 0.25,
    qk_layernorm: false,
    rope_scaling: null,
    rope_theta: 10000,
    tie_word_embeddings: false,
    torch_dtype: "bfloat16",
    use_cache: true,
    use_parallel_residual: false,
    use_qkv_bias: true,
    vocab_size: 100352,
  };
  const c = configFromHf(json);
  assert.deepEqual(
    [c.family, c.headDim, c.rotaryDim, c.qkvBias, c.normEps, c.eosTokenIds],
    ["stablelm", 64, 16, true, 1e-5, [100257]],
  );
  const names = parameterSpecs(c).map((p) => p.name);
  assert.ok(names.includes("model.layers.3.input_layernorm.bias"));
  assert.ok(
    names.includes("model.norm.bias") && names.includes("model.layers.0.self_attn.k_proj.bias"),
  );
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(c)))), c);
  // StableLmConfig's quarter of each head when the factor is absent; refused: the parallel
  // residual (one shared norm) and per-head q/k LayerNorms.
  const { partial_rotary_factor: _f, ...bare } = json;
  assert.equal(configFromHf(bare).rotaryDim, 16);
  assert.throws(
    () => configFromHf({ ...json, use_parallel_residual: true }),
    /use_parallel_residual true for stablelm is not supported/,
  );
  assert.throws(() => configFromHf({ ...json, qk_layernorm: true }), /qk_layernorm true/);
  // Keys StableLM's model never reads are not refused; a head_dim it would not use is.
  assert.equal(configFromHf({ ...json, mlp_bias: true, pretraining_tp: 2 }).family, "stablelm");
  assert.throws(() => configFromHf({ ...json, head_dim: 128 }), /head_dim 128 for stablelm/);
  const { rotaryDim: _r, ...full } = tinyConfig("stablelm"); // (RoPE over whole heads)
  assert.equal(configToHf(full).partial_rotary_factor, 1);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(full)))), full);
});

Deno.test("config: Phi-2 reads with its shared norm, head bias and partial RoPE", () => {
  // microsoft/phi-2's config.json.
  const json = {
    architectures: ["PhiForCausalLM"],
    attention_dropout: 0.0,
    bos_token_id: 50256,
    embd_pdrop: 0.0,
    eos_token_id: 50256,
    hidden_act: "gelu_new",
    hidden_size: 2560,
    initializer_range: 0.02,
    intermediate_size: 10240,
    layer_norm_eps: 1e-05,
    max_position_embeddings: 2048,
    model_type: "phi",
    num_attention_heads: 32,
    num_hidden_layers: 32,
    num_key_value_heads: 32,
    partial_rotary_factor: 0.4,
    qk_layernorm: false,
    resid_pdrop: 0.1,
    rope_scaling: null,
    rope_theta: 10000.0,
    tie_word_embeddings: false,
    torch_dtype: "float16",
    use_cache: true,
    vocab_size: 51200,
  };
  const c = configFromHf(json);
  assert.deepEqual(
    [c.family, c.headDim, c.rotaryDim, c.exactGelu, c.qkvBias, c.eosTokenIds],
    ["phi", 80, 32, undefined, true, [50256]],
  );
  const names = parameterSpecs(c).map((p) => p.name);
  assert.ok(names.includes("lm_head.bias") && names.includes("model.final_layernorm.bias"));
  assert.ok(names.includes("model.layers.0.self_attn.dense.bias"));
  assert.ok(!names.some((n) => n.includes("post_attention_layernorm")));
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(c)))), c);
  // PhiConfig's defaults: half of each head rotated, NKV = NH, bos 1, eos 2.
  const { partial_rotary_factor: _f, num_key_value_heads: _k, bos_token_id: _b, ...bare } = json;
  const d = configFromHf({ ...bare, eos_token_id: undefined });
  assert.deepEqual([d.rotaryDim, d.numKvHeads, d.bosTokenId], [40, 32, 1]);
  assert.throws(() => configFromHf({ ...json, qk_layernorm: true }), /qk_layernorm true/);
  assert.throws(
    () => configFromHf({ ...json, model_type: "phi-msft" }),
    /model_type "phi-msft" is not supported/,
  );
});

Deno.test("config: StarCoder2 reads with its biases, LayerNorms, GELU MLP and window", () => {
  // bigcode/starcoder2-3b's config.json.
  const json = {
    architectures: ["Starcoder2ForCausalLM"],
    attention_dropout: 0.1,
    residual_dropout: 0.1,
    embedding_dropout: 0.1,
    bos_token_id: 0,
    eos_token_id: 0,
    hidden_act: "gelu_pytorch_tanh",
    hidden_size: 3072,
    initializer_range: 0.018042,
    intermediate_size: 12288,
    max_position_embeddings: 16384,
    mlp_type: "default",
    model_type: "starcoder2",
    norm_epsilon: 1e-05,
    norm_type: "layer_norm",
    num_attention_heads: 24,
    num_hidden_layers: 30,
    num_key_value_heads: 2,
    rope_theta: 999999.4420358813,
    sliding_window: 4096,
    torch_dtype: "bfloat16",
    use_bias: true,
    use_cache: true,
    vocab_size: 49152,
  };
  const c = configFromHf(json);
  assert.deepEqual(
    [c.family, c.headDim, c.numKvHeads, c.slidingWindow, c.qkvBias, c.tieEmbeddings, c.exactGelu],
    ["starcoder2", 128, 2, 4096, true, true, undefined],
  );
  const names = parameterSpecs(c).map((p) => p.name);
  for (
    const n of [
      "self_attn.o_proj.bias",
      "mlp.c_fc.bias",
      "mlp.c_proj.weight",
      "input_layernorm.bias",
    ]
  ) {
    assert.ok(names.includes(`model.layers.7.${n}`), n);
  }
  assert.ok(!names.some((n) => n.includes("gate_proj")) && !names.includes("lm_head.weight"));
  const back = configToHf(c);
  assert.deepEqual([back.norm_epsilon, back.use_bias, back.hidden_act], [
    1e-5,
    true,
    "gelu_pytorch_tanh",
  ]);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(back))), c);
  // use_bias false: no biases on the projections (the LayerNorms keep theirs).
  const plain = configFromHf({ ...json, use_bias: false });
  const plainNames = parameterSpecs(plain).map((p) => p.name);
  assert.ok(!plainNames.some((n) => n.endsWith("proj.bias") || n.endsWith("c_fc.bias")));
  assert.ok(plainNames.includes("model.norm.bias"));
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(plain)))), plain);
  assert.throws(() => configFromHf({ ...json, hidden_act: "silu" }), /hidden_act "silu"/);
});

Deno.test("config: OLMo 3 reads its sliding layers and its two RoPEs, as transformers does", () => {
  // allenai/Olmo-3-1025-7B's config.json, as transformers 4.57 wrote it (its layers shortened).
  const json = {
    architectures: ["Olmo3ForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    eos_token_id: 100257,
    hidden_act: "silu",
    hidden_size: 4096,
    intermediate_size: 11008,
    layer_types: ["sliding_attention", "sliding_attention", "sliding_attention", "full_attention"],
    max_position_embeddings: 65536,
    model_type: "olmo3",
    num_attention_heads: 32,
    num_hidden_layers: 4,
    num_key_value_heads: 32,
    pad_token_id: 100277,
    rms_norm_eps: 1e-06,
    rope_scaling: {
      attention_factor: 1.2079441541679836,
      beta_fast: 32,
      beta_slow: 1,
      factor: 8.0,
      original_max_position_embeddings: 8192,
      rope_type: "yarn",
    },
    rope_theta: 500000,
    sliding_window: 4096,
    tie_word_embeddings: false,
    vocab_size: 100278,
  };
  const c = configFromHf(json);
  assert.deepEqual(
    [c.family, c.slidingWindow, c.slidingLayers, c.ropeTheta, c.ropeLocalTheta, c.bosTokenId],
    ["olmo3", 4096, [true, true, true, false], 500000, 500000, null],
  );
  assert.equal(c.ropeScaling?.type, "yarn");
  // The scaling applies to the full layer only.
  assert.deepEqual(layerRope(c, 0), { theta: 500000, scaling: null });
  assert.equal(layerRope(c, 3).scaling?.type, "yarn");
  const back = configToHf(c);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(back))), c);
  // transformers v5's nested rope_parameters; a legacy rope_theta goes to the full layers only,
  // the sliding ones keeping 500000; without layer_types three layers of four slide.
  const { rope_scaling: _s, rope_theta: _t, layer_types: _l, ...bare } = json;
  const v5 = configFromHf({
    ...bare,
    num_hidden_layers: 8,
    rope_parameters: {
      full_attention: { rope_type: "linear", factor: 2, rope_theta: 1e6 },
      sliding_attention: { rope_type: "default", rope_theta: 1e4 },
    },
  });
  assert.deepEqual([v5.ropeTheta, v5.ropeLocalTheta, v5.ropeScaling], [1e6, 1e4, {
    type: "linear",
    factor: 2,
  }]);
  assert.deepEqual(v5.slidingLayers, [true, true, true, false, true, true, true, false]);
  const legacy = configFromHf({ ...bare, rope_theta: 300 });
  assert.deepEqual([legacy.ropeTheta, legacy.ropeLocalTheta], [300, 500000]);
  assert.throws(
    () =>
      configFromHf({
        ...bare,
        rope_parameters: { sliding_attention: { rope_type: "linear", factor: 2 } },
      }),
    /rope_parameters\.sliding_attention with a scaling/,
  );
  // A window covering every position still marks the sliding layers (their own RoPE); without a
  // window transformers cannot build their masks; a saved model always names one.
  const wide = configFromHf({ ...json, sliding_window: 65536 });
  assert.deepEqual([wide.slidingWindow, layerRope(wide, 0).scaling], [65536, null]);
  assert.throws(
    () => configFromHf({ ...json, sliding_window: null }),
    /sliding_window null with sliding_attention layers/,
  );
  const full = configFromHf({ ...json, layer_types: Array(4).fill("full_attention") });
  assert.equal(configToHf(full).sliding_window, 4096);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(full)))), full);
  // Nested parameters: a top-level original length does not apply; per-type `truncate` and
  // unkeyed rope_parameters (which Olmo3Config ignores) are refused.
  const nested = (full: Record<string, unknown>) =>
    configFromHf({
      ...bare,
      original_max_position_embeddings: 1024,
      rope_parameters: { full_attention: full, sliding_attention: { rope_type: "default" } },
    });
  const y = nested({ rope_type: "yarn", factor: 4 }).ropeScaling!;
  assert.ok(y.type === "yarn" && y.originalMaxPositions === 65536);
  assert.throws(
    () => nested({ rope_type: "yarn", factor: 4, truncate: false }),
    /rope_parameters\.full_attention\.truncate false/,
  );
  assert.throws(
    () => configFromHf({ ...bare, rope_parameters: { rope_type: "default", rope_theta: 1e4 } }),
    /rope_parameters not keyed by layer type/,
  );
});

Deno.test("config: Cohere (Command R, Aya) reads with its logit scale and one bias-free norm", () => {
  // CohereForAI/aya-expanse-8b's config.json.
  const json = {
    architectures: ["CohereForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 5,
    eos_token_id: 255001,
    hidden_act: "silu",
    hidden_size: 4096,
    initializer_range: 0.02,
    intermediate_size: 14336,
    layer_norm_eps: 1e-05,
    logit_scale: 0.125,
    max_position_embeddings: 8192,
    model_type: "cohere",
    num_attention_heads: 32,
    num_hidden_layers: 32,
    num_key_value_heads: 8,
    pad_token_id: 0,
    rope_theta: 10000,
    torch_dtype: "float16",
    use_cache: true,
    use_qk_norm: false,
    vocab_size: 256000,
  };
  const c = configFromHf(json);
  assert.deepEqual(
    [c.family, c.headDim, c.logitMultiplier, logitScale(c), c.tieEmbeddings, c.qkvBias],
    ["cohere", 128, 0.125, 0.125, true, false],
  );
  const names = parameterSpecs(c).map((p) => p.name);
  assert.ok(names.includes("model.layers.0.input_layernorm.weight"));
  assert.ok(!names.some((n) => n.includes("post_attention_layernorm") || n.endsWith("norm.bias")));
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(c)))), c);
  const biased = configFromHf({ ...json, attention_bias: true });
  assert.ok(parameterSpecs(biased).some((p) => p.name === "model.layers.1.self_attn.o_proj.bias"));
  assert.equal(configToHf(biased).attention_bias, true);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(biased)))), biased);
  // CohereConfig's defaults; q/k LayerNorms (Command R+) refused.
  const { logit_scale: _l, pad_token_id: _p, bos_token_id: _b, ...bare } = json;
  const d = configFromHf(bare);
  assert.deepEqual([d.logitMultiplier, d.padTokenId, d.bosTokenId], [0.0625, 0, 5]);
  // CohereConfig's θ where absent is 500000 (Cohere2Config keeps 10000).
  const { rope_theta: _t, ...noTheta } = json;
  assert.equal(configFromHf(noTheta).ropeTheta, 500000);
  assert.equal(configFromHf({ ...noTheta, model_type: "cohere2" }).ropeTheta, 10000);
  assert.throws(() => configFromHf({ ...json, use_qk_norm: true }), /use_qk_norm true/);
  assert.throws(() => configFromHf({ ...json, logit_scale: null }), /logit_scale null/);
  // Cohere 2 (c4ai-command-r7b's keys): three of four layers slide, with RoPE; the fourth
  // attends fully, without; sliding_window_pattern where layer_types is absent.
  const r7b = configFromHf({
    ...json,
    model_type: "cohere2",
    num_hidden_layers: 8,
    sliding_window: 4096,
    sliding_window_pattern: 4,
  });
  assert.deepEqual(r7b.slidingLayers, [true, true, true, false, true, true, true, false]);
  assert.deepEqual(r7b.noRopeLayers, [false, false, false, true, false, false, false, true]);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(r7b)))), r7b);
  assert.throws(
    () => configFromHf({ ...json, model_type: "cohere2", sliding_window: null }),
    /sliding_window null with sliding_attention layers \(cohere2 needs a window\)/,
  );
  assert.throws(
    () => tinyConfig("cohere2", { noRopeLayers: [true, true] }),
    /cohere2's must be exactly its layers without a window/,
  );
});

Deno.test("config: Phi-4-mini's partial RoPE (3/4 of each head) reads and writes back", () => {
  // Phi-4-mini-instruct's config.json (its longrope lists shortened: 48 = 96/2 pairs).
  const short = Array.from({ length: 48 }, (_, d) => 1 + d / 20);
  const long = Array.from({ length: 48 }, (_, d) => 2 + d);
  const json = {
    architectures: ["Phi3ForCausalLM"],
    attention_bias: false,
    bos_token_id: 199999,
    eos_token_id: 199999,
    full_attn_mod: 1,
    hidden_act: "silu",
    hidden_size: 3072,
    intermediate_size: 8192,
    max_position_embeddings: 131072,
    model_type: "phi3",
    num_attention_heads: 24,
    num_hidden_layers: 32,
    num_key_value_heads: 8,
    original_max_position_embeddings: 4096,
    pad_token_id: 199999,
    partial_rotary_factor: 0.75,
    rms_norm_eps: 1e-05,
    rope_scaling: { long_factor: long, short_factor: short, type: "longrope" },
    rope_theta: 10000.0,
    sliding_window: 262144,
    tie_word_embeddings: true,
    vocab_size: 200064,
  };
  const c = configFromHf(json);
  assert.deepEqual([c.headDim, c.rotaryDim, ropeDim(c)], [128, 96, 96]);
  const w = ropeFrequencies(96, 10000, c.ropeScaling);
  assert.ok(Math.abs(w[47] - Math.pow(10000, -94 / 96) / short[47]) < 1e-18);
  const back = configToHf(c);
  assert.equal(back.partial_rotary_factor, 0.75);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(back))), c);
  // transformers v5 keeps the factor in rope_parameters, where it wins over the top-level key.
  const { rope_scaling: _s, ...v5 } = json;
  const inner = configFromHf({
    ...v5,
    partial_rotary_factor: 0.5,
    rope_parameters: {
      rope_type: "longrope",
      short_factor: short,
      long_factor: long,
      partial_rotary_factor: 0.75,
    },
  });
  assert.equal(inner.rotaryDim, 96);
  // A factor whose R/HS rounds below R in float64 is written so that ⌊HS·f⌋ = R again.
  for (const [hs, r] of [[80, 58], [96, 70], [112, 82], [128, 2]]) {
    const t = tinyConfig("phi3", { headDim: hs, hiddenSize: hs * 4, rotaryDim: r });
    const f = configToHf(t).partial_rotary_factor as number;
    assert.equal(Math.trunc(hs * f), r, `HS ${hs}, R ${r}`);
    assert.equal(configFromHf(configToHf(t)).rotaryDim, r);
  }
  // Refused: an odd R, a factor past 1, partial RoPE outside phi3.
  assert.throws(
    () => configFromHf({ ...json, partial_rotary_factor: 0.7 }),
    /partial_rotary_factor 0\.7: RoPE would turn 89 of the head's 128 elements/,
  );
  assert.throws(
    () => configFromHf({ ...json, partial_rotary_factor: 1.5 }),
    /partial_rotary_factor 1\.5: RoPE would turn 192/,
  );
  assert.throws(
    () => configFromHf({ ...configToHf(tinyConfig("llama")), partial_rotary_factor: 0.5 }),
    /partial_rotary_factor 0\.5 \(partial RoPE is implemented for phi, phi3, gpt_neox and stablelm\)/,
  );
  assert.throws(
    () =>
      configFromHf({
        ...configToHf(tinyConfig("qwen2")),
        rope_parameters: { rope_type: "default", partial_rotary_factor: 0.5 },
      }),
    /rope_parameters\.partial_rotary_factor 0\.5 \(partial RoPE is implemented for phi, phi3, gpt_neox and stablelm\)/,
  );
  assert.throws(
    () => tinyConfig("llama", { rotaryDim: 4 }),
    /partial RoPE is implemented for phi, phi3/,
  );
  assert.throws(() => tinyConfig("phi3", { rotaryDim: 5 }), /rotaryDim must be even/);
});

Deno.test("config: OLMo 2 reads with its output norms and whole-projection q/k norms", () => {
  // OLMo-2-0425-1B's config.json.
  const json = {
    architectures: ["Olmo2ForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    eos_token_id: 100257,
    hidden_act: "silu",
    hidden_size: 2048,
    initializer_range: 0.02,
    intermediate_size: 8192,
    max_position_embeddings: 4096,
    model_type: "olmo2",
    num_attention_heads: 16,
    num_hidden_layers: 16,
    num_key_value_heads: 16,
    pad_token_id: 100277,
    rms_norm_eps: 1e-06,
    rope_scaling: null,
    rope_theta: 500000,
    tie_word_embeddings: false,
    torch_dtype: "float32",
    use_cache: true,
    vocab_size: 100352,
  };
  const c = configFromHf(json);
  assert.deepEqual([c.family, c.headDim, c.bosTokenId, c.eosTokenIds], ["olmo2", 128, null, [
    100257,
  ]]);
  const specs = parameterSpecs(c);
  const shape = (n: string) => specs.find((p) => p.name === `model.layers.3.${n}.weight`)?.shape;
  assert.deepEqual(shape("self_attn.q_norm"), [2048]); // the whole projection, not a head
  assert.deepEqual(shape("post_feedforward_layernorm"), [2048]);
  assert.equal(shape("input_layernorm"), undefined);
  assert.equal(shape("pre_feedforward_layernorm"), undefined);
  const back = configToHf(c);
  assert.deepEqual(back.architectures, ["Olmo2ForCausalLM"]);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(back))), c);
});

Deno.test("config: Granite reads as llama's layout with its four multipliers", () => {
  // granite-3.3-2b-instruct's config.json.
  const json = {
    architectures: ["GraniteForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.1,
    attention_multiplier: 0.015625,
    bos_token_id: 0,
    embedding_multiplier: 12.0,
    eos_token_id: 0,
    hidden_act: "silu",
    hidden_size: 2048,
    initializer_range: 0.02,
    intermediate_size: 8192,
    logits_scaling: 8.0,
    max_position_embeddings: 131072,
    mlp_bias: false,
    model_type: "granite",
    num_attention_heads: 32,
    num_hidden_layers: 40,
    num_key_value_heads: 8,
    pad_token_id: 0,
    residual_multiplier: 0.22,
    rms_norm_eps: 1e-05,
    rope_scaling: null,
    rope_theta: 10000000.0,
    tie_word_embeddings: true,
    vocab_size: 49159,
  };
  const c = configFromHf(json);
  assert.deepEqual(c.graniteMultipliers, {
    embedding: 12,
    attention: 0.015625,
    residual: 0.22,
    logits: 8,
  });
  assert.equal(attentionScale(c), 0.015625); // in place of 1/√HS
  assert.equal(residualScale(c), Math.fround(0.22));
  assert.equal(logitScale(c), 1 / 8);
  assert.equal(embeddingScale(c), 12);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(c)))), c);
  assert.throws(() => configFromHf({ ...json, logits_scaling: 0 }), /logits_scaling 0/);
});

Deno.test("config: SmolLM3 reads as llama's layout with its NoPE layers", () => {
  // SmolLM3-3B's config.json (less tokenizer-side keys).
  const json = {
    architectures: ["SmolLM3ForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: null,
    eos_token_id: 128012,
    hidden_act: "silu",
    hidden_size: 2048,
    initializer_range: 0.02,
    intermediate_size: 11008,
    max_position_embeddings: 65536,
    max_window_layers: 28,
    mlp_bias: false,
    model_type: "smollm3",
    no_rope_layer_interval: 4,
    no_rope_layers: Array.from({ length: 36 }, (_, l) => (l + 1) % 4 === 0 ? 0 : 1),
    num_attention_heads: 16,
    num_hidden_layers: 36,
    num_key_value_heads: 4,
    pad_token_id: 128004,
    pretraining_tp: 2,
    rms_norm_eps: 1e-06,
    rope_scaling: null,
    rope_theta: 5000000.0,
    sliding_window: null,
    use_cache: false,
    use_sliding_window: false,
    vocab_size: 128256,
  };
  // (pretraining_tp is not read by SmolLM3's modeling)
  const c = configFromHf(json);
  assert.deepEqual([c.family, c.headDim, c.numKvHeads, c.tieEmbeddings], ["smollm3", 128, 4, true]);
  assert.deepEqual(
    Array.from({ length: 8 }, (_, l) => layerUsesRope(c, l)),
    [true, true, true, false, true, true, true, false],
  );
  assert.equal(c.slidingWindow, undefined);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(c)))), c);
  // Without the list, every no_rope_layer_interval-th layer has no RoPE (SmolLM3Config's rule).
  const { no_rope_layers: _, ...bare } = json;
  assert.deepEqual(configFromHf(bare).noRopeLayers, c.noRopeLayers);
  // A window slides the NoPE layers unless layer_types says otherwise.
  const sw = configFromHf({
    ...json,
    pretraining_tp: 1,
    use_sliding_window: true,
    sliding_window: 8,
  });
  assert.deepEqual(sw.slidingLayers, c.noRopeLayers);
  assert.throws(
    () => configFromHf({ ...json, no_rope_layers: [1, 0] }),
    /no_rope_layers must list 0 or 1 for each of the 36 layers/,
  );
  // A longer list is fine (the model reads one entry per layer).
  const longer = configFromHf({ ...json, no_rope_layers: [...json.no_rope_layers, 0, 0] });
  assert.deepEqual(longer.noRopeLayers, c.noRopeLayers);
  // Sliding layer types with a window but use_sliding_window false mean different things to
  // transformers' attention implementations: refused.
  const types = Array.from(
    { length: 36 },
    (_, l) => l === 3 ? "sliding_attention" : "full_attention",
  );
  assert.throws(
    () => configFromHf({ ...json, layer_types: types, sliding_window: 8 }),
    /layer_types with sliding_attention and a sliding_window but use_sliding_window false/,
  );
});

Deno.test("config: Mistral reads as llama's layout, with its sliding window", () => {
  // Mistral-7B-v0.3's config.json (less the sizes).
  const json = {
    ...configToHf(tinyConfig("llama")),
    architectures: ["MistralForCausalLM"],
    model_type: "mistral",
    attention_bias: undefined,
    max_position_embeddings: 32768,
    rope_theta: 1000000,
    sliding_window: null,
  };
  const c = configFromHf(json);
  assert.equal(c.family, "mistral");
  assert.equal(c.qkvBias, false);
  const back = configToHf(c);
  assert.deepEqual(back.architectures, ["MistralForCausalLM"]);
  assert.equal(back.sliding_window, null); // MistralConfig would otherwise take 4096
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(back))), c);
  // A window as long as the positions hides no key; a shorter one (or the default 4096, Mistral
  // 7B v0.1's) slides every layer.
  assert.equal(configFromHf({ ...json, sliding_window: 32768 }).slidingWindow, undefined);
  for (const extra of [{ sliding_window: 4096 }, { sliding_window: undefined }]) {
    const j: Record<string, unknown> = { ...json, ...extra };
    if (extra.sliding_window === undefined) delete j.sliding_window;
    const v1 = configFromHf(j);
    assert.deepEqual([v1.slidingWindow, v1.slidingLayers], [4096, undefined]);
    assert.equal(configToHf(v1).sliding_window, 4096);
  }
});

Deno.test("config: Qwen3-0.6B's config.json reads with its head size and q/k norms", () => {
  const json = {
    architectures: ["Qwen3ForCausalLM"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 151643,
    eos_token_id: 151645,
    head_dim: 128,
    hidden_act: "silu",
    hidden_size: 1024,
    initializer_range: 0.02,
    intermediate_size: 3072,
    max_position_embeddings: 40960,
    max_window_layers: 28,
    model_type: "qwen3",
    num_attention_heads: 16,
    num_hidden_layers: 28,
    num_key_value_heads: 8,
    rms_norm_eps: 1e-06,
    rope_scaling: null,
    rope_theta: 1000000,
    sliding_window: null,
    tie_word_embeddings: true,
    torch_dtype: "bfloat16",
    use_cache: true,
    use_sliding_window: false,
    vocab_size: 151936,
  };
  const c = configFromHf(json);
  assert.equal(c.family, "qwen3");
  assert.equal(c.headDim, 128); // not 1024 / 16
  assert.equal(c.qkvBias, false);
  assert.ok(hasQkNorm(c));
  const names = parameterSpecs(c).map((p) => p.name);
  assert.ok(names.includes("model.layers.27.self_attn.q_norm.weight"));
  assert.ok(names.includes("model.layers.0.self_attn.k_norm.weight"));
  const norm = parameterSpecs(c).find((p) => p.name.endsWith("0.self_attn.q_norm.weight"))!;
  assert.deepEqual([norm.shape, norm.decay], [[128], false]);
  // Qwen3Config's head_dim defaults to 128.
  assert.equal(configFromHf({ ...json, head_dim: undefined }).headDim, 128);
  assert.throws(() => configFromHf({ ...json, head_dim: null }), /head_dim null/);
  // All-full layer types are plain attention; with use_sliding_window, layers 20 and up slide.
  const full = Array(28).fill("full_attention");
  assert.equal(configFromHf({ ...json, layer_types: full }).slidingWindow, undefined);
  const sliding = { ...json, use_sliding_window: true, sliding_window: 4096 };
  assert.equal(configFromHf({ ...sliding, max_window_layers: 28 }).slidingWindow, undefined);
  const deep = configFromHf({ ...sliding, max_window_layers: 20 });
  assert.equal(deep.slidingWindow, 4096);
  assert.deepEqual(deep.slidingLayers, Array.from({ length: 28 }, (_, l) => l >= 20));
  // transformers' num_key_value_heads defaults: 32 for Qwen3 (and Qwen2), not NH.
  const { num_key_value_heads: _, ...noKv } = json;
  assert.equal(configFromHf({ ...noKv, num_attention_heads: 64 }).numKvHeads, 32);
  // null means NH, as transformers' __post_init__ reads it; an absent key's default is named.
  assert.equal(configFromHf({ ...json, num_key_value_heads: null }).numKvHeads, 16);
  assert.throws(
    () => configFromHf({ ...noKv, num_attention_heads: 14 }),
    /num_key_value_heads 32 \(qwen3's default, the key being absent\) does not divide/,
  );
  assert.deepEqual(configToHf(c).architectures, ["Qwen3ForCausalLM"]);
});

Deno.test("config: unknown model types and unsupported options are refused by field", () => {
  const llama = configToHf(tinyConfig("llama"));
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...llama, model_type: "mamba" }, /model_type "mamba" is not supported/],
    [{ ...llama, model_type: undefined }, /model_type is missing/],
    [{ ...llama, rope_scaling: { type: "longrope", factor: 2 } }, /rope_scaling/],
    [{ ...llama, hidden_act: "gelu" }, /hidden_act "gelu"/],
    [{ ...llama, mlp_bias: true }, /mlp_bias/],
    [{ ...llama, num_key_value_heads: 3 }, /num_key_value_heads 3 does not divide/],
    [{ ...llama, hidden_size: "64" }, /hidden_size must be a non-negative integer/],
    [{ ...llama, vocab_size: undefined }, /vocab_size is missing/],
    [{ ...configToHf(tinyConfig("gpt2")), activation_function: "relu" }, /activation_function/],
    [{ ...configToHf(tinyConfig("gpt2")), add_cross_attention: true }, /add_cross_attention/],
  ];
  for (const [json, pattern] of cases) {
    assert.throws(() => configFromHf(json, "m/config.json"), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^m\/config\.json: /);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

Deno.test("config: Llama 3.2's llama3 RoPE scaling is read, and written back for transformers", () => {
  // Llama-3.2-1B's config.json (transformers v4: rope_scaling; v5: rope_parameters).
  const scaling = {
    factor: 32,
    high_freq_factor: 4,
    low_freq_factor: 1,
    original_max_position_embeddings: 8192,
    rope_type: "llama3",
  };
  const base = configToHf(tinyConfig("llama"));
  const want = {
    type: "llama3",
    factor: 32,
    lowFreqFactor: 1,
    highFreqFactor: 4,
    originalMaxPositions: 8192,
  };
  for (const field of ["rope_scaling", "rope_parameters"]) {
    const c = configFromHf({ ...base, rope_theta: 500000, [field]: scaling });
    assert.deepEqual(c.ropeScaling, want, field);
    assert.equal(c.ropeTheta, 500000);
    assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(c)))), c);
  }
  const linear = configFromHf({ ...base, rope_scaling: { type: "linear", factor: 4 } });
  assert.deepEqual(linear.ropeScaling, { type: "linear", factor: 4 });
  assert.equal(configFromHf(base).ropeScaling, undefined);
});

Deno.test("config: RoPE fields as transformers reads them: rope_scaling wins, fallbacks, partial", () => {
  const base = configToHf(tinyConfig("llama"));
  const llama3 = { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4 };
  // No original_max_position_embeddings: max_position_embeddings stands in; a top-level one wins.
  const c = configFromHf({ ...base, max_position_embeddings: 8192, rope_scaling: llama3 });
  assert.deepEqual(c.ropeScaling, {
    type: "llama3",
    factor: 8,
    lowFreqFactor: 1,
    highFreqFactor: 4,
    originalMaxPositions: 8192,
  });
  const top = configFromHf({
    ...base,
    original_max_position_embeddings: 4096,
    rope_scaling: llama3,
  });
  assert.equal(top.ropeScaling?.type === "llama3" && top.ropeScaling.originalMaxPositions, 4096);
  // A non-empty rope_scaling replaces rope_parameters whole (θ from rope_theta then), as
  // transformers' `rope_scaling or rope_parameters`; an empty one does not.
  const both = configFromHf({
    ...base,
    rope_parameters: { ...llama3, rope_theta: 5e5 },
    rope_scaling: { rope_type: "default" },
  });
  assert.equal(both.ropeScaling, undefined);
  assert.equal(both.ropeTheta, base.rope_theta);
  const empty = configFromHf({
    ...base,
    rope_parameters: { rope_type: "linear", factor: 2, rope_theta: 5e5 },
    rope_scaling: {},
  });
  assert.deepEqual([empty.ropeScaling, empty.ropeTheta], [{ type: "linear", factor: 2 }, 5e5]);
  assert.throws(
    () => configFromHf({ ...base, partial_rotary_factor: 0.5 }),
    /partial_rotary_factor 0\.5/,
  );
  assert.equal(configFromHf({ ...base, partial_rotary_factor: 1 }).family, "llama");
  // YaRN as Qwen2.5 suggests adding it: factor 4 over 32768 positions, attention ×(0.1 ln 4 + 1).
  const qwen = configToHf(tinyConfig("qwen2", { maxPositions: 131072 }));
  const yarn = configFromHf({
    ...qwen,
    rope_scaling: { type: "yarn", factor: 4, original_max_position_embeddings: 32768 },
  });
  const s = yarn.ropeScaling!;
  assert.ok(s.type === "yarn");
  if (s.type === "yarn") {
    assert.deepEqual([s.factor, s.originalMaxPositions, s.betaFast, s.betaSlow, s.truncate], [
      4,
      32768,
      32,
      1,
      true,
    ]);
    assert.ok(Math.abs(s.attentionFactor - (0.1 * Math.log(4) + 1)) < 1e-15);
  }
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(yarn)))), yarn);
  // DeepSeek's mscale / mscale_all_dim ratio, the factor from the lengths, no truncation; kept.
  const ds = configFromHf({
    ...qwen,
    rope_scaling: {
      rope_type: "yarn",
      original_max_position_embeddings: 4096,
      mscale: 0.707,
      mscale_all_dim: 1,
      beta_fast: 16,
      truncate: false,
    },
  }).ropeScaling!;
  const m = (k: number) => 0.1 * k * Math.log(32) + 1;
  assert.ok(ds.type === "yarn" && ds.factor === 32 && !ds.truncate && ds.betaFast === 16);
  assert.ok(ds.type === "yarn" && Math.abs(ds.attentionFactor - m(0.707) / m(1)) < 1e-15);
  // NousResearch's YaRN configs carry `finetuned`, which transformers does not read.
  const nous = { rope_type: "yarn", factor: 4, original_max_position_embeddings: 32768 };
  assert.equal(
    configFromHf({ ...qwen, rope_scaling: { ...nous, finetuned: true } }).ropeScaling?.type,
    "yarn",
  );
  assert.throws(
    () => configFromHf({ ...qwen, rope_scaling: { rope_type: "yarn", factor: 4, foo: 1 } }),
    /rope_scaling\.foo 1 \(not part of yarn RoPE here\)/,
  );
});

Deno.test("config: RoPE θ from rope_theta, rope_parameters (transformers v5) or rope_scaling", () => {
  const base = configToHf(tinyConfig("llama", { ropeTheta: 10000 }));
  const theta = (extra: Record<string, unknown>) =>
    configFromHf({ ...base, rope_theta: undefined, ...extra }).ropeTheta;
  assert.equal(theta({}), 10000);
  assert.equal(theta({ rope_theta: 500000 }), 500000);
  assert.equal(theta({ rope_parameters: { rope_type: "default", rope_theta: 1e6 } }), 1e6);
  // v5 keeps θ inside rope_parameters; it wins over a stale top-level value.
  assert.equal(theta({ rope_theta: 10000, rope_parameters: { rope_theta: 5e5 } }), 5e5);
  assert.equal(theta({ rope_scaling: { rope_type: "default" }, rope_theta: 2e5 }), 2e5);
  assert.equal(theta({ rope_scaling: { type: "default" } }), 10000);
  const refused: [Record<string, unknown>, RegExp][] = [
    [
      { rope_parameters: { rope_type: "llama3", rope_theta: 5e5, factor: 32 } },
      /rope_parameters\.low_freq_factor must be a positive number/,
    ],
    [
      { rope_scaling: { rope_type: "linear", factor: 2, low_freq_factor: 1 } },
      /rope_scaling\.low_freq_factor 1 \(not part of linear RoPE here\)/,
    ],
    [
      { rope_parameters: { rope_type: "default", partial_rotary_factor: 0.5 } },
      /rope_parameters\.partial_rotary_factor/,
    ],
    [
      { rope_parameters: { rope_type: "default", rope_theta: -1 } },
      /rope_theta must be a positive number/,
    ],
    [
      { rope_scaling: { type: "ntk-by-parts", factor: 4 } },
      /rope_scaling\.rope_type "ntk-by-parts"/,
    ],
    [{ rope_parameters: [1] }, /rope_parameters must be an object/],
  ];
  // Dynamic NTK: plain RoPE up to the model's positions (θ grows only past them), written back.
  const dyn = configFromHf({ ...base, rope_scaling: { type: "dynamic", factor: 2 } });
  assert.deepEqual(dyn.ropeScaling, { type: "dynamic", factor: 2 });
  assert.deepEqual(ropeFrequencies(8, 1e4, dyn.ropeScaling), ropeFrequencies(8, 1e4));
  assert.deepEqual(configToHf(dyn).rope_scaling, { rope_type: "dynamic", factor: 2 });
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(configToHf(dyn)))), dyn);
  for (const [extra, pattern] of refused) {
    assert.throws(() => configFromHf({ ...base, ...extra }, "m/config.json"), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^m\/config\.json: /);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

Deno.test("config: absent keys take transformers' defaults for each family; null means none", () => {
  const drop = (json: Record<string, unknown>, ...keys: string[]) =>
    Object.fromEntries(Object.entries(json).filter(([k]) => !keys.includes(k)));
  const keys = ["bos_token_id", "eos_token_id", "max_position_embeddings"];
  const llama = configFromHf(drop(configToHf(tinyConfig("llama")), ...keys));
  assert.deepEqual([llama.bosTokenId, llama.eosTokenIds, llama.maxPositions], [1, [2], 2048]);
  const qwen2 = configFromHf(drop(configToHf(tinyConfig("qwen2")), ...keys));
  assert.deepEqual([qwen2.bosTokenId, qwen2.eosTokenIds, qwen2.maxPositions], [null, [], 32768]);
  const gpt2 = configFromHf(drop(configToHf(tinyConfig("gpt2")), "bos_token_id", "eos_token_id"));
  assert.deepEqual([gpt2.bosTokenId, gpt2.eosTokenIds], [50256, [50256]]);
  const none = configFromHf({
    ...configToHf(tinyConfig("llama")),
    bos_token_id: null,
    eos_token_id: null,
  });
  assert.deepEqual([none.bosTokenId, none.eosTokenIds], [null, []]);
});

Deno.test("config: GPT-2 parameters carry Hugging Face's names and shapes", () => {
  const c = tinyConfig("gpt2", {
    numLayers: 1,
    hiddenSize: 8,
    numHeads: 2,
    headDim: 4,
    vocabSize: 11,
    intermediateSize: 32,
    maxPositions: 16,
  });
  const got = parameterSpecs(c).map((p) => [p.name, p.shape]);
  assert.deepEqual(got, [
    ["transformer.wte.weight", [11, 8]],
    ["transformer.wpe.weight", [16, 8]],
    ["transformer.h.0.ln_1.weight", [8]],
    ["transformer.h.0.ln_1.bias", [8]],
    ["transformer.h.0.attn.c_attn.weight", [8, 24]],
    ["transformer.h.0.attn.c_attn.bias", [24]],
    ["transformer.h.0.attn.c_proj.weight", [8, 8]],
    ["transformer.h.0.attn.c_proj.bias", [8]],
    ["transformer.h.0.ln_2.weight", [8]],
    ["transformer.h.0.ln_2.bias", [8]],
    ["transformer.h.0.mlp.c_fc.weight", [8, 32]],
    ["transformer.h.0.mlp.c_fc.bias", [32]],
    ["transformer.h.0.mlp.c_proj.weight", [32, 8]],
    ["transformer.h.0.mlp.c_proj.bias", [8]],
    ["transformer.ln_f.weight", [8]],
    ["transformer.ln_f.bias", [8]],
  ]);
});

Deno.test("config: Llama and Qwen2 parameters carry Hugging Face's names and shapes", () => {
  const c = tinyConfig("llama", {
    numLayers: 1,
    hiddenSize: 8,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 2,
    vocabSize: 11,
    intermediateSize: 20,
    tieEmbeddings: false,
  });
  assert.deepEqual(parameterSpecs(c).map((p) => [p.name, p.shape]), [
    ["model.embed_tokens.weight", [11, 8]],
    ["model.layers.0.input_layernorm.weight", [8]],
    ["model.layers.0.self_attn.q_proj.weight", [8, 8]],
    ["model.layers.0.self_attn.k_proj.weight", [4, 8]],
    ["model.layers.0.self_attn.v_proj.weight", [4, 8]],
    ["model.layers.0.self_attn.o_proj.weight", [8, 8]],
    ["model.layers.0.post_attention_layernorm.weight", [8]],
    ["model.layers.0.mlp.gate_proj.weight", [20, 8]],
    ["model.layers.0.mlp.up_proj.weight", [20, 8]],
    ["model.layers.0.mlp.down_proj.weight", [8, 20]],
    ["model.norm.weight", [8]],
    ["lm_head.weight", [11, 8]],
  ]);
  const q = parameterSpecs({ ...c, family: "qwen2", qkvBias: true }).map((p) => p.name);
  for (const n of ["q_proj", "k_proj", "v_proj"]) {
    assert.ok(q.includes(`model.layers.0.self_attn.${n}.bias`));
  }
  assert.ok(!q.includes("model.layers.0.self_attn.o_proj.bias"));
  const decayed = parameterSpecs(c).filter((p) => p.decay).map((p) => p.name);
  assert.ok(!decayed.some((n) => n.includes("norm")), "norms must not be decayed");
});

Deno.test({
  name: "config: stories260K reads, and its tensors are exactly the parameter list",
  ignore: !hasStories,
  fn: async () => {
    const c = await readConfig(STORIES);
    assert.equal(c.family, "llama");
    assert.equal(c.numKvHeads, 4);
    assert.equal(c.headDim, 8);
    assert.deepEqual(c.eosTokenIds, [2]);
    const weights = await readModelWeights(STORIES);
    const specs = parameterSpecs(c);
    assert.deepEqual([...weights.keys()].sort(), specs.map((p) => p.name).sort());
    for (const p of specs) assert.deepEqual(weights.get(p.name)!.shape, p.shape, p.name);
  },
});
