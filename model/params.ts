/**
 * A model's parameters in our internal layout, and the conversion to and from Hugging Face's.
 *
 * The internal layout is Hugging Face's with fused projections split: GPT-2's `c_attn` (C, 3C) is
 * kept as three (C, C) matrices `attn.q`, `attn.k`, `attn.v` (and three biases), GPT-NeoX's
 * `query_key_value` (3C, C), interleaved by head, as `attention.q`, `.k`, `.v`, and Phi-3's
 * `qkv_proj` and `gate_up_proj` as llama's parts, so every family computes q, k and v the same
 * way. Linear weights keep their stored orientation: GPT-2's `Conv1D` is (in, out), every other
 * family's `Linear` is (out, in); {@linkcode LayerNames} says which.
 *
 * @module
 */
import {
  hasPreNorms,
  hasQkNorm,
  hasSandwichNorms,
  isGemma,
  type ModelConfig,
  parameterSpecs,
  type ParamSpec,
} from "./config.ts";
import type { NamedTensor } from "./safetensors.ts";
import { Rng } from "../util/rng.ts";

/** How a linear weight is stored: (in, out) as GPT-2's Conv1D, or (out, in) as nn.Linear. */
export type WeightLayout = "in_out" | "out_in";

/** The internal names of one block's parameters (absent ones are undefined). */
export interface LayerNames {
  /** Pre-attention norm weight (C,); none for olmo2. */
  norm1?: string;
  /** Pre-attention norm bias (C,), gpt2 only. */
  norm1Bias?: string;
  /** Query projection (C → NH·HS). */
  q: string;
  /** Key projection (C → NKV·HS). */
  k: string;
  /** Value projection (C → NKV·HS). */
  v: string;
  /** Query bias (gpt2, qwen2). */
  qBias?: string;
  /** Key bias (gpt2, qwen2). */
  kBias?: string;
  /** Value bias (gpt2, qwen2). */
  vBias?: string;
  /** RMSNorm weight (HS,) over each query head, before RoPE (qwen3, gemma3; olmo2: (NH·HS,) over
   * the whole projection). */
  qNorm?: string;
  /** RMSNorm weight (HS,) over each key head, before RoPE (qwen3, gemma3; olmo2: (NKV·HS,)). */
  kNorm?: string;
  /** Output projection (NH·HS → C). */
  o: string;
  /** Output projection bias (gpt2). */
  oBias?: string;
  /** Norm (C,) of the attention output before the residual add (gemma2, gemma3). */
  postAttnNorm?: string;
  /** Pre-MLP norm weight (C,); none for olmo2. */
  norm2?: string;
  /** Pre-MLP norm bias (C,), gpt2 only. */
  norm2Bias?: string;
  /** gpt2 MLP input projection (C → F), followed by GELU. */
  fc?: string;
  /** Bias of the gpt2 MLP input projection. */
  fcBias?: string;
  /** gpt2 MLP output projection (F → C). */
  proj?: string;
  /** Bias of the gpt2 MLP output projection. */
  projBias?: string;
  /** llama MLP gate projection (C → F), the SwiGLU gate. */
  gate?: string;
  /** llama MLP up projection (C → F), multiplied by the gated activation. */
  up?: string;
  /** llama MLP down projection (F → C). */
  down?: string;
  /** Norm (C,) of the MLP output before the residual add (gemma2, gemma3). */
  postMlpNorm?: string;
}

/** The internal names of the whole model. */
export interface ModelNames {
  /** Token embedding (V, C). */
  wte: string;
  /** Learned positions (maxPositions, C), gpt2 only. */
  wpe?: string;
  /** Blocks. */
  layers: LayerNames[];
  /** Final norm weight (C,). */
  normF: string;
  /** Final norm bias (C,), gpt2 only. */
  normFBias?: string;
  /** Untied head (V, C), stored (out, in) in every family; undefined when tied to `wte`. */
  head?: string;
  /** The head's bias (V,), phi only. */
  headBias?: string;
  /** How the block's linear weights are stored. */
  layout: WeightLayout;
}

/**
 * The internal names of a model's parameters.
 *
 * @example
 * ```ts
 * import { modelNames } from "./params.ts";
 * import { tinyConfig } from "./config.ts";
 * console.log(modelNames(tinyConfig("gpt2")).layers[0].q); // transformer.h.0.attn.q.weight
 * ```
 */
export function modelNames(c: ModelConfig): ModelNames {
  const head = c.tieEmbeddings ? undefined : "lm_head.weight";
  if (c.family === "phi") {
    const layers = Array.from({ length: c.numLayers }, (_, l): LayerNames => {
      const p = `model.layers.${l}`;
      return {
        norm1: `${p}.input_layernorm.weight`,
        norm1Bias: `${p}.input_layernorm.bias`,
        q: `${p}.self_attn.q_proj.weight`,
        k: `${p}.self_attn.k_proj.weight`,
        v: `${p}.self_attn.v_proj.weight`,
        qBias: `${p}.self_attn.q_proj.bias`,
        kBias: `${p}.self_attn.k_proj.bias`,
        vBias: `${p}.self_attn.v_proj.bias`,
        o: `${p}.self_attn.dense.weight`,
        oBias: `${p}.self_attn.dense.bias`,
        fc: `${p}.mlp.fc1.weight`,
        fcBias: `${p}.mlp.fc1.bias`,
        proj: `${p}.mlp.fc2.weight`,
        projBias: `${p}.mlp.fc2.bias`,
      };
    });
    return {
      wte: "model.embed_tokens.weight",
      layers,
      normF: "model.final_layernorm.weight",
      normFBias: "model.final_layernorm.bias",
      head,
      headBias: "lm_head.bias",
      layout: "out_in",
    };
  }
  if (c.family === "gpt_neox") {
    const layers = Array.from({ length: c.numLayers }, (_, l): LayerNames => {
      const p = `gpt_neox.layers.${l}`;
      const bias = (n: string) => c.qkvBias ? `${p}.attention.${n}.bias` : undefined;
      return {
        norm1: `${p}.input_layernorm.weight`,
        norm1Bias: `${p}.input_layernorm.bias`,
        q: `${p}.attention.q.weight`,
        k: `${p}.attention.k.weight`,
        v: `${p}.attention.v.weight`,
        qBias: bias("q"),
        kBias: bias("k"),
        vBias: bias("v"),
        o: `${p}.attention.dense.weight`,
        oBias: bias("dense"),
        norm2: `${p}.post_attention_layernorm.weight`,
        norm2Bias: `${p}.post_attention_layernorm.bias`,
        fc: `${p}.mlp.dense_h_to_4h.weight`,
        fcBias: `${p}.mlp.dense_h_to_4h.bias`,
        proj: `${p}.mlp.dense_4h_to_h.weight`,
        projBias: `${p}.mlp.dense_4h_to_h.bias`,
      };
    });
    return {
      wte: "gpt_neox.embed_in.weight",
      layers,
      normF: "gpt_neox.final_layer_norm.weight",
      normFBias: "gpt_neox.final_layer_norm.bias",
      head: c.tieEmbeddings ? undefined : "embed_out.weight",
      layout: "out_in",
    };
  }
  if (c.family === "gpt2") {
    const layers = Array.from({ length: c.numLayers }, (_, l): LayerNames => {
      const p = `transformer.h.${l}`;
      return {
        norm1: `${p}.ln_1.weight`,
        norm1Bias: `${p}.ln_1.bias`,
        q: `${p}.attn.q.weight`,
        k: `${p}.attn.k.weight`,
        v: `${p}.attn.v.weight`,
        qBias: `${p}.attn.q.bias`,
        kBias: `${p}.attn.k.bias`,
        vBias: `${p}.attn.v.bias`,
        o: `${p}.attn.c_proj.weight`,
        oBias: `${p}.attn.c_proj.bias`,
        norm2: `${p}.ln_2.weight`,
        norm2Bias: `${p}.ln_2.bias`,
        fc: `${p}.mlp.c_fc.weight`,
        fcBias: `${p}.mlp.c_fc.bias`,
        proj: `${p}.mlp.c_proj.weight`,
        projBias: `${p}.mlp.c_proj.bias`,
      };
    });
    return {
      wte: "transformer.wte.weight",
      wpe: "transformer.wpe.weight",
      layers,
      normF: "transformer.ln_f.weight",
      normFBias: "transformer.ln_f.bias",
      head,
      layout: "in_out",
    };
  }
  const layers = Array.from({ length: c.numLayers }, (_, l): LayerNames => {
    const p = `model.layers.${l}`;
    const bias = (n: string) => c.qkvBias ? `${p}.self_attn.${n}_proj.bias` : undefined;
    // stablelm, starcoder2: LayerNorms, with biases; starcoder2: GPT-2's MLP, and biases on every
    // projection by use_bias.
    const coder = c.family === "starcoder2", cohere = c.family.startsWith("cohere");
    const nb = (n: string) => c.family === "stablelm" || coder ? `${p}.${n}.bias` : undefined;
    const pb = (n: string) => (coder || cohere) && c.qkvBias ? `${p}.${n}.bias` : undefined;
    return {
      ...(hasPreNorms(c) ? { norm1: `${p}.input_layernorm.weight` } : {}),
      norm1Bias: nb("input_layernorm"),
      q: `${p}.self_attn.q_proj.weight`,
      k: `${p}.self_attn.k_proj.weight`,
      v: `${p}.self_attn.v_proj.weight`,
      qBias: bias("q"),
      kBias: bias("k"),
      vBias: bias("v"),
      ...(hasQkNorm(c)
        ? { qNorm: `${p}.self_attn.q_norm.weight`, kNorm: `${p}.self_attn.k_norm.weight` }
        : {}),
      o: `${p}.self_attn.o_proj.weight`,
      oBias: pb("self_attn.o_proj"),
      // Gemma 2/3: post_attention_layernorm normalizes the attention output; the MLP's input
      // norm is pre_feedforward_layernorm.
      ...(hasSandwichNorms(c)
        ? {
          postAttnNorm: `${p}.post_attention_layernorm.weight`,
          ...(hasPreNorms(c) ? { norm2: `${p}.pre_feedforward_layernorm.weight` } : {}),
          postMlpNorm: `${p}.post_feedforward_layernorm.weight`,
        }
        : cohere // (one norm, read by attention and the MLP)
        ? {}
        : {
          norm2: `${p}.post_attention_layernorm.weight`,
          norm2Bias: nb("post_attention_layernorm"),
        }),
      ...(coder
        ? {
          fc: `${p}.mlp.c_fc.weight`,
          fcBias: pb("mlp.c_fc"),
          proj: `${p}.mlp.c_proj.weight`,
          projBias: pb("mlp.c_proj"),
        }
        : {
          gate: `${p}.mlp.gate_proj.weight`,
          up: `${p}.mlp.up_proj.weight`,
          down: `${p}.mlp.down_proj.weight`,
        }),
    };
  });
  return {
    wte: "model.embed_tokens.weight",
    layers,
    normF: "model.norm.weight",
    normFBias: c.family === "stablelm" || c.family === "starcoder2" ? "model.norm.bias" : undefined,
    head,
    layout: "out_in",
  };
}

/** One internal parameter. */
export interface InternalParam {
  /** Internal name. */
  name: string;
  /** Internal shape. */
  shape: number[];
  /** Role, for initialisation. */
  kind: ParamSpec["kind"];
  /** Whether AdamW decays it. */
  decay: boolean;
}

/**
 * The internal parameters, in a fixed order (the order gradients are reduced and saved in).
 *
 * @example
 * ```ts
 * import { internalParams } from "./params.ts";
 * import { tinyConfig } from "./config.ts";
 * const total = internalParams(tinyConfig("llama")).reduce((s, p) => s + p.shape.reduce((a, b) => a * b), 0);
 * ```
 */
export function internalParams(c: ModelConfig): InternalParam[] {
  const out: InternalParam[] = [];
  for (const p of parameterSpecs(c)) {
    const rows = rowParts(c, p.name);
    if (rows) {
      for (const part of rows) out.push({ ...p, name: part.name, shape: [part.rows, p.shape[1]] });
      continue;
    }
    const byHead = neoxQkv(c, p.name);
    if (byHead) {
      const C = c.hiddenSize;
      for (const part of byHead) {
        out.push({ ...p, name: part, shape: p.shape.length === 2 ? [C, C] : [C] });
      }
      continue;
    }
    const fused = p.name.match(/^(transformer\.h\.\d+\.attn)\.c_attn\.(weight|bias)$/);
    if (!fused) {
      out.push({ ...p });
      continue;
    }
    const C = c.hiddenSize;
    for (const part of ["q", "k", "v"]) {
      out.push({
        name: `${fused[1]}.${part}.${fused[2]}`,
        shape: fused[2] === "weight" ? [C, C] : [C],
        kind: p.kind,
        decay: p.decay,
      });
    }
  }
  return out;
}

/**
 * Phi-3's fused (out, in) matrices as the internal ones they stack, in row order: `qkv_proj` is
 * q (Q rows), k, v (KV rows each); `gate_up_proj` is gate then up (F rows each). Null for any
 * other tensor.
 */
function rowParts(c: ModelConfig, name: string): { name: string; rows: number }[] | null {
  if (c.family !== "phi3") return null;
  const m = name.match(/^(model\.layers\.\d+)\.(self_attn\.qkv_proj|mlp\.gate_up_proj)\.weight$/);
  if (!m) return null;
  const Q = c.numHeads * c.headDim, KV = c.numKvHeads * c.headDim, F = c.intermediateSize;
  return m[2] === "self_attn.qkv_proj"
    ? [["q", Q], ["k", KV], ["v", KV]].map(([p, rows]) => ({
      name: `${m[1]}.self_attn.${p}_proj.weight`,
      rows: rows as number,
    }))
    : [["gate", F], ["up", F]].map(([p, rows]) => ({
      name: `${m[1]}.mlp.${p}_proj.weight`,
      rows: rows as number,
    }));
}

/**
 * GPT-NeoX's fused `query_key_value` weight (3C, C) or bias (3C,) as the internal q, k, v names it
 * holds, interleaved by head: rows (h·3 + j)·HS + d are part j's rows h·HS + d. Null for any other
 * tensor.
 */
function neoxQkv(c: ModelConfig, name: string): string[] | null {
  if (c.family !== "gpt_neox") return null;
  const m = name.match(/^(gpt_neox\.layers\.\d+\.attention)\.query_key_value\.(weight|bias)$/);
  return m ? ["q", "k", "v"].map((p) => `${m[1]}.${p}.${m[2]}`) : null;
}

/**
 * Moves rows between GPT-NeoX's head-interleaved (3C, W) block and three (C, W) parts (W = C for
 * the weight, 1 for the bias, r for a LoRA B): `split` reads `fused` into `parts`, otherwise the
 * reverse.
 *
 * @example
 * ```ts
 * // neoxRows(config, fusedB, [qB, kB, vB], rank, true);
 * ```
 */
export function neoxRows(
  c: ModelConfig,
  fused: Float32Array,
  parts: Float32Array[],
  width: number,
  split: boolean,
): void {
  const HS = c.headDim, run = HS * width;
  for (let h = 0; h < c.numHeads; h++) {
    for (let j = 0; j < 3; j++) {
      const at = ((h * 3 + j) * HS) * width, to = h * run;
      if (split) parts[j].set(fused.subarray(at, at + run), to);
      else fused.set(parts[j].subarray(to, to + run), at);
    }
  }
}

/** Float32 parameter values by internal name. */
export type ParamValues = Map<string, Float32Array>;

/** A checkpoint's tensors do not match the model. Names the file and the tensor. */
export class WeightsError extends Error {
  /** The error's name, as shown before its message. */
  override name = "WeightsError";
}

/**
 * Converts Hugging Face tensors (from `model.safetensors`) to internal parameters, checking that
 * every expected tensor is present with the expected shape. Accepts GPT-2 files without the
 * `transformer.` prefix and ignores their attention-mask buffers; ignores a saved `lm_head.weight`
 * of a tied model. With `adopt`, the parameters take the tensors' arrays instead of copies (the
 * caller gives them up: loading a model then holds one float32 copy of its weights, not two).
 *
 * @example
 * ```ts
 * import { fromHf } from "./params.ts";
 * import { readConfig } from "./config.ts";
 * import { readModelWeights } from "./safetensors.ts";
 * const dir = "../shared/data/stories260K";
 * const params = fromHf(await readConfig(dir), await readModelWeights(dir), dir);
 * ```
 */
export function fromHf(
  c: ModelConfig,
  weights: Map<string, NamedTensor>,
  source = "model",
  options: { adopt?: boolean } = {},
): ParamValues {
  const get = (name: string, shape: number[]): Float32Array => {
    let t = weights.get(name);
    if (!t && name.startsWith("transformer.")) t = weights.get(name.slice("transformer.".length));
    // (transformers v5 names GPT-NeoX's head lm_head in memory; files say embed_out)
    if (!t && name === "embed_out.weight") t = weights.get("lm_head.weight");
    if (!t) throw new WeightsError(`${source}: tensor "${name}" is missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new WeightsError(
        `${source}: tensor "${name}" has shape [${t.shape}], the config needs [${shape}]`,
      );
    }
    return t.data;
  };
  const known = new Set<string>();
  const out: ParamValues = new Map();
  for (const spec of parameterSpecs(c)) {
    known.add(spec.name);
    const data = get(spec.name, spec.shape);
    const rows = rowParts(c, spec.name);
    if (rows) {
      // Consecutive row blocks of the (out, in) matrix: each part a contiguous slice.
      let at = 0;
      for (const part of rows) {
        const n = part.rows * spec.shape[1];
        out.set(part.name, data.slice(at, at + n));
        at += n;
      }
      continue;
    }
    const byHead = neoxQkv(c, spec.name);
    if (byHead) {
      const width = spec.shape.length === 2 ? c.hiddenSize : 1;
      const parts = byHead.map(() => new Float32Array(c.hiddenSize * width));
      neoxRows(c, data, parts, width, true);
      byHead.forEach((name, j) => out.set(name, parts[j]));
      continue;
    }
    const fused = spec.name.match(/^(transformer\.h\.\d+\.attn)\.c_attn\.(weight|bias)$/);
    if (!fused) {
      out.set(spec.name, options.adopt ? data : Float32Array.from(data));
      continue;
    }
    const C = c.hiddenSize;
    ["q", "k", "v"].forEach((part, i) => {
      const name = `${fused[1]}.${part}.${fused[2]}`;
      if (fused[2] === "bias") out.set(name, data.slice(i * C, (i + 1) * C));
      else {
        const w = new Float32Array(C * C); // columns [i·C, (i+1)·C) of the (C, 3C) matrix
        for (let r = 0; r < C; r++) {
          w.set(data.subarray(r * 3 * C + i * C, r * 3 * C + (i + 1) * C), r * C);
        }
        out.set(name, w);
      }
    });
  }
  // Cohere: q and k rows reordered so that its interleaved RoPE pairs rotate as halves.
  for (const [name, heads, width] of interleavedRope(c)) {
    const v = out.get(name);
    if (v) out.set(name, halvesFromPairs(v, heads, c.headDim, width, true));
  }
  // A tied config whose file stores a head of its own: transformers would use that head, so
  // ignoring it would train another model than the one saved.
  const stored = c.tieEmbeddings
    ? weights.get("lm_head.weight") ?? weights.get("embed_out.weight")
    : undefined;
  const wte = out.get(modelNames(c).wte);
  if (stored && wte && !sameValues(stored.data, wte)) {
    throw new WeightsError(
      `${source}: the stored head "lm_head.weight" differs from the token embedding, but ` +
        "config.json ties them (tie_word_embeddings); set it to false to train the stored head",
    );
  }
  for (const name of weights.keys()) {
    const bare = name.startsWith("transformer.") ? name : `transformer.${name}`;
    // Buffers older checkpoints saved: GPT-2's causal masks, Llama's RoPE frequencies.
    const ignorable = /\.attn\.(masked_)?bias$/.test(name) ||
      (c.family === "gpt_neox" && /\.attention\.(masked_)?bias$/.test(name)) ||
      /\.rotary_emb\.inv_freq$/.test(name) ||
      name === "lm_head.weight" || (name === "embed_out.weight" && c.tieEmbeddings);
    if (!known.has(name) && !known.has(bare) && !ignorable) {
      throw new WeightsError(`${source}: unexpected tensor "${name}" for a ${c.family} model`);
    }
  }
  return out;
}

/**
 * Cohere's q and k weights and biases: [internal name, heads, row width]. Its RoPE turns the
 * interleaved pairs (2i, 2i + 1) of each head; our kernels turn (i, i + HS/2). Attention scores are
 * dot products within a head, so reordering the rows of q and k alike (pair i's two rows to
 * positions i and i + HS/2) changes nothing else. Empty for every other family.
 */
function interleavedRope(c: ModelConfig): [string, number, number][] {
  if (!c.family.startsWith("cohere")) return [];
  const names = modelNames(c);
  return names.layers.flatMap((ln) =>
    [
      [ln.q, c.numHeads, c.hiddenSize],
      [ln.k, c.numKvHeads, c.hiddenSize],
      ...(ln.qBias ? [[ln.qBias, c.numHeads, 1]] : []),
      ...(ln.kBias ? [[ln.kBias, c.numKvHeads, 1]] : []),
    ] as [string, number, number][]
  );
}

/**
 * Reorders each head's HS rows (of `width` values): `toHalves` puts row 2j at j and row 2j + 1 at
 * j + HS/2 (interleaved pairs → halves); otherwise the inverse.
 *
 * @example
 * ```ts
 * import { halvesFromPairs } from "./params.ts";
 * console.log(halvesFromPairs(new Float32Array([0, 1, 2, 3]), 1, 4, 1, true)); // 0, 2, 1, 3
 * ```
 */
export function halvesFromPairs(
  data: Float32Array,
  heads: number,
  hs: number,
  width: number,
  toHalves: boolean,
): Float32Array {
  const out = new Float32Array(data.length), half = hs / 2;
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < hs; j++) {
      const pairs = h * hs + (j < half ? 2 * j : 2 * (j - half) + 1), halves = h * hs + j;
      const [from, to] = toHalves ? [pairs, halves] : [halves, pairs];
      out.set(data.subarray(from * width, (from + 1) * width), to * width);
    }
  }
  return out;
}

/** Whether two arrays hold the same values (sizes included). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Converts internal parameters back to Hugging Face's tensor names, shapes and layouts.
 *
 * @example
 * ```ts
 * import { initParams, toHf } from "./params.ts";
 * import { tinyConfig } from "./config.ts";
 * const c = tinyConfig("gpt2");
 * const tensors = toHf(c, initParams(c, { seed: 1 })); // includes transformer.h.0.attn.c_attn.weight
 * ```
 */
export function toHf(c: ModelConfig, params: ParamValues): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  const interleaved = new Map(interleavedRope(c).map(([n, heads, width]) => [n, { heads, width }]));
  const take = (name: string) => {
    const d = params.get(name);
    if (!d) throw new WeightsError(`Parameter "${name}" is missing`);
    const back = interleaved.get(name); // (Cohere: rows back in interleaved order)
    return back ? halvesFromPairs(d, back.heads, c.headDim, back.width, false) : d;
  };
  for (const spec of parameterSpecs(c)) {
    const rows = rowParts(c, spec.name);
    if (rows) {
      const data = new Float32Array(spec.shape[0] * spec.shape[1]);
      let at = 0;
      for (const part of rows) {
        data.set(take(part.name), at);
        at += part.rows * spec.shape[1];
      }
      out.set(spec.name, { shape: spec.shape, data });
      continue;
    }
    const byHead = neoxQkv(c, spec.name);
    if (byHead) {
      const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
      neoxRows(c, data, byHead.map(take), spec.shape.length === 2 ? c.hiddenSize : 1, false);
      out.set(spec.name, { shape: spec.shape, data });
      continue;
    }
    const fused = spec.name.match(/^(transformer\.h\.\d+\.attn)\.c_attn\.(weight|bias)$/);
    if (!fused) {
      out.set(spec.name, { shape: spec.shape, data: take(spec.name) });
      continue;
    }
    const C = c.hiddenSize;
    const parts = ["q", "k", "v"].map((p) => take(`${fused[1]}.${p}.${fused[2]}`));
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    if (fused[2] === "bias") parts.forEach((p, i) => data.set(p, i * C));
    else {
      for (let r = 0; r < C; r++) {
        parts.forEach((p, i) => data.set(p.subarray(r * C, (r + 1) * C), r * 3 * C + i * C));
      }
    }
    out.set(spec.name, { shape: spec.shape, data });
  }
  return out;
}

/** Options of {@linkcode initParams}. */
export interface InitOptions {
  /** Seed of the initialisation. */
  seed: number;
  /** Standard deviation of weights. Default 0.02 (GPT-2). */
  std?: number;
}

/**
 * Fresh weights for training from scratch, as GPT-2 initialises them: linear and embedding
 * weights normal(0, std), residual projections normal(0, std/√(2L)), biases 0, norm weights 1
 * (Gemma's stored 0: its norms scale by 1 + w).
 *
 * @example
 * ```ts
 * import { initParams } from "./params.ts";
 * import { tinyConfig } from "./config.ts";
 * const params = initParams(tinyConfig("llama"), { seed: 42 });
 * ```
 */
export function initParams(c: ModelConfig, options: InitOptions): ParamValues {
  const { seed, std = 0.02 } = options;
  const rng = new Rng(seed);
  const out: ParamValues = new Map();
  for (const p of internalParams(c)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    switch (p.kind) {
      case "norm_weight":
        out.set(p.name, new Float32Array(n).fill(isGemma(c) ? 0 : 1));
        break;
      case "bias":
      case "norm_bias":
        out.set(p.name, new Float32Array(n));
        break;
      case "residual_linear":
        out.set(p.name, rng.normalArray(n, 0, std / Math.sqrt(2 * c.numLayers)));
        break;
      default:
        out.set(p.name, rng.normalArray(n, 0, std));
    }
  }
  return out;
}
