/**
 * LoRA: low-rank adapters on a frozen model, as PEFT's `LoraConfig` builds them. A targeted linear
 * layer `y = x·W (+ b)` becomes
 *
 *     y = x·W (+ b) + s·(x·Aᵀ)·Bᵀ      A (r, I), B (O, r), s = α/r (rsLoRA: α/√r)
 *
 * and only A and B train. A starts uniform in ±1/√I (PEFT's Kaiming init), B at zero, so the
 * adapted model starts as the base model: with DPO the base model is then also the reference.
 *
 * Layouts: A and B are stored as PEFT stores them, (r, I) and (O, r), in every family (GPT-2's
 * `Conv1D` included, whose own weights are (I, O)). A fused module (GPT-2's `c_attn`, GPT-NeoX's
 * `query_key_value`, Phi-3's `qkv_proj` and `gate_up_proj`) has one A, shared by the internal
 * parts it is split into, and one B whose rows are split as the weight's rows are: each part
 * keeps the block of B rows that produces its outputs (NeoX's interleaved by head, Cohere's q
 * and k rows reordered for its RoPE, as the weights).
 *
 * Internal names: `<module>.lora_A.weight`, and `<module>.lora_B.weight` for a module of one part
 * (`<part>.lora_B.weight` for each part of a fused one), so unfused modules carry PEFT's names
 * under its `base_model.model.` prefix.
 *
 * @module
 */
import type { ModelConfig } from "./config.ts";
import {
  halvesFromPairs,
  internalParams,
  modelNames,
  neoxRows,
  type ParamValues,
  WeightsError,
} from "./params.ts";
import type { FlatParam } from "./flat.ts";
import { type NamedTensor, readSafetensors, writeSafetensors } from "./safetensors.ts";
import { doraColNorms, doraRowNorms } from "../kernels/reference/dora.ts";
import { Rng } from "../util/rng.ts";

/** What is adapted, and how strongly (PEFT's `r`, `lora_alpha`, `target_modules`, `use_rslora`). */
export interface LoraSpec {
  /** Rank r of the adapters. */
  rank: number;
  /** α: the adapters' output is scaled by α/r (α/√r with `rslora`). */
  alpha: number;
  /**
   * The modules adapted: `"all-linear"` (every linear layer of the blocks; not the head), or
   * names matched as PEFT matches them (a module's whole path, or its last parts: `q_proj`,
   * `self_attn.q_proj`).
   */
  targetModules: "all-linear" | readonly string[];
  /** Rank-stabilized scaling α/√r. Default false. */
  rslora?: boolean;
  /**
   * Dropout probability on the adapters' input while training (PEFT's `lora_dropout`): the
   * adapter computes `s·B·A·drop(x)`; the frozen layer still sees x. Default 0.
   */
  dropout?: number;
  /**
   * DoRA (PEFT's `use_dora`): each adapted output row is rescaled to a trained magnitude,
   * `y = b + (m/‖V‖) ⊙ (x·Wᵀ + s·(x·Aᵀ)·Bᵀ)`, `V = W + s·B·A`, the norms a constant to the
   * gradient as PEFT has them; m starts at `‖W‖` per row. Default false.
   */
  dora?: boolean;
}

/** One Hugging Face linear module of the blocks, and the internal weights it is split into. */
export interface LoraModule {
  /** Module path in the Hugging Face model (`model.layers.0.self_attn.q_proj`). */
  module: string;
  /** Input width I. */
  in: number;
  /** How B's rows split into the parts: one part, stacked blocks, or NeoX's per-head interleave. */
  arrange: "single" | "concat" | "neox";
  /** The internal weights, in B's row order, with their output widths. */
  parts: {
    weight: string;
    out: number;
    /** Cohere's q and k: heads whose rows are reordered from pairs to halves. */
    halves?: number;
  }[];
}

/** One adapted internal weight and the adapter tensors it uses. */
export interface LoraTarget {
  /** Internal name of the frozen weight. */
  weight: string;
  /** Its module (see {@linkcode LoraModule}). */
  module: string;
  /** Internal name of A (r, I), shared by a fused module's parts. */
  a: string;
  /** Internal name of this part's B (O, r). */
  b: string;
  /** DoRA: internal name of this part's magnitude m (O,). */
  m?: string;
  /** Input width I. */
  in: number;
  /** Output width O of this part. */
  out: number;
}

const strip = (weight: string) => weight.replace(/\.weight$/, "");
/** Internal name of a module part's B. */
const bName = (m: LoraModule, weight: string) =>
  m.parts.length === 1 ? `${m.module}.lora_B.weight` : `${strip(weight)}.lora_B.weight`;
/** Internal name of a module part's DoRA magnitude. */
const mName = (m: LoraModule, weight: string) =>
  m.parts.length === 1
    ? `${m.module}.lora_magnitude_vector`
    : `${strip(weight)}.lora_magnitude_vector`;

/**
 * Every linear module of the blocks, in layer order (q, k, v, o, then the MLP's).
 *
 * @example
 * ```ts
 * import { loraModules } from "./lora.ts";
 * import { tinyConfig } from "./config.ts";
 * console.log(loraModules(tinyConfig("gpt2"))[0].module); // transformer.h.0.attn.c_attn
 * ```
 */
export function loraModules(c: ModelConfig): LoraModule[] {
  const names = modelNames(c), shapes = new Map(internalParams(c).map((p) => [p.name, p.shape]));
  const io = (w: string) => {
    const s = shapes.get(w)!;
    return names.layout === "in_out" ? { in: s[0], out: s[1] } : { in: s[1], out: s[0] };
  };
  const cohere = c.family.startsWith("cohere");
  const out: LoraModule[] = [];
  const add = (module: string, weights: string[], arrange: LoraModule["arrange"]) =>
    out.push({
      module,
      in: io(weights[0]).in,
      arrange,
      parts: weights.map((weight) => ({
        weight,
        out: io(weight).out,
        ...(cohere && weight.endsWith(".q_proj.weight") ? { halves: c.numHeads } : {}),
        ...(cohere && weight.endsWith(".k_proj.weight") ? { halves: c.numKvHeads } : {}),
      })),
    });
  names.layers.forEach((ln, l) => {
    const qkv = c.family === "gpt2"
      ? `transformer.h.${l}.attn.c_attn`
      : c.family === "gpt_neox"
      ? `gpt_neox.layers.${l}.attention.query_key_value`
      : c.family === "phi3"
      ? `model.layers.${l}.self_attn.qkv_proj`
      : null;
    if (qkv) add(qkv, [ln.q, ln.k, ln.v], c.family === "gpt_neox" ? "neox" : "concat");
    else for (const w of [ln.q, ln.k, ln.v]) add(strip(w), [w], "single");
    add(strip(ln.o), [ln.o], "single");
    if (c.family === "phi3") {
      add(`model.layers.${l}.mlp.gate_up_proj`, [ln.gate!, ln.up!], "concat");
    } else for (const w of [ln.gate, ln.up, ln.fc]) if (w) add(strip(w), [w], "single");
    const down = ln.down ?? ln.proj!;
    add(strip(down), [down], "single");
  });
  return out;
}

/**
 * The modules a spec adapts. Every name it lists must match some module (an error names the ones
 * that do not, and the names the model has).
 *
 * @example
 * ```ts
 * import { selectModules } from "./lora.ts";
 * import { tinyConfig } from "./config.ts";
 * const spec = { rank: 4, alpha: 8, targetModules: ["q_proj", "v_proj"] };
 * console.log(selectModules(tinyConfig("llama"), spec).length); // 2 per layer
 * ```
 */
export function selectModules(c: ModelConfig, spec: LoraSpec): LoraModule[] {
  checkSpec(spec);
  const all = loraModules(c);
  if (spec.targetModules === "all-linear") return all;
  const wanted = [...spec.targetModules];
  const hits = (m: LoraModule, t: string) => m.module === t || m.module.endsWith(`.${t}`);
  const missing = wanted.filter((t) => !all.some((m) => hits(m, t)));
  if (missing.length) {
    const known = [...new Set(all.map((m) => m.module.split(".").at(-1)))];
    throw new RangeError(
      `LoRA: no ${c.family} module matches ${missing.map((t) => `"${t}"`).join(", ")} ` +
        `(its linear modules: ${known.join(", ")}; or "all-linear")`,
    );
  }
  return all.filter((m) => wanted.some((t) => hits(m, t)));
}

function checkSpec(spec: LoraSpec): void {
  if (!Number.isInteger(spec.rank) || spec.rank < 1) {
    throw new RangeError(`LoRA: the rank must be a positive integer, got ${spec.rank}`);
  }
  if (!Number.isFinite(spec.alpha) || spec.alpha <= 0) {
    throw new RangeError(`LoRA: alpha must be positive, got ${spec.alpha}`);
  }
  const p = spec.dropout ?? 0;
  if (!(p >= 0 && p < 1)) throw new RangeError(`LoRA: dropout must be in [0, 1), got ${p}`);
  if (spec.targetModules !== "all-linear" && spec.targetModules.length === 0) {
    throw new RangeError('LoRA: no target modules (name some, or "all-linear")');
  }
}

/**
 * The adapted internal weights, each with its A and B.
 *
 * @example
 * ```ts
 * import { loraTargets } from "./lora.ts";
 * import { tinyConfig } from "./config.ts";
 * const t = loraTargets(tinyConfig("gpt2"), { rank: 2, alpha: 4, targetModules: ["c_attn"] });
 * console.log(t[0].a, t[0].b); // transformer.h.0.attn.c_attn.lora_A.weight transformer.h.0.attn.q.lora_B.weight
 * ```
 */
export function loraTargets(c: ModelConfig, spec: LoraSpec): LoraTarget[] {
  return selectModules(c, spec).flatMap((m) =>
    m.parts.map((p) => ({
      weight: p.weight,
      module: m.module,
      a: `${m.module}.lora_A.weight`,
      b: bName(m, p.weight),
      ...(spec.dora ? { m: mName(m, p.weight) } : {}),
      in: m.in,
      out: p.out,
    }))
  );
}

/**
 * The adapter tensors (every A, then its module's Bs), laid out for AdamW: all decayed, as
 * transformers' Trainer decays every weight that is not a norm or a bias.
 *
 * @example
 * ```ts
 * import { loraParams } from "./lora.ts";
 * import { tinyConfig } from "./config.ts";
 * const p = loraParams(tinyConfig("llama"), { rank: 2, alpha: 4, targetModules: "all-linear" });
 * ```
 */
export function loraParams(c: ModelConfig, spec: LoraSpec): FlatParam[] {
  const r = spec.rank;
  return selectModules(c, spec).flatMap((m) => [
    { name: `${m.module}.lora_A.weight`, shape: [r, m.in], decay: true },
    ...m.parts.map((p) => ({ name: bName(m, p.weight), shape: [p.out, r], decay: true })),
    // (1-D, but not a bias or a norm: transformers' Trainer decays it)
    ...(spec.dora
      ? m.parts.map((p) => ({ name: mName(m, p.weight), shape: [p.out], decay: true }))
      : []),
  ]);
}

/**
 * The scale s of the adapters' output: α/r, or α/√r with rsLoRA.
 *
 * @example
 * ```ts
 * import { loraScale } from "./lora.ts";
 * console.log(loraScale({ rank: 8, alpha: 16, targetModules: "all-linear" })); // 2
 * ```
 */
export function loraScale(spec: LoraSpec): number {
  return spec.rslora ? spec.alpha / Math.sqrt(spec.rank) : spec.alpha / spec.rank;
}

/**
 * Fresh adapters as PEFT initialises them: A uniform in ±1/√I, B zero (the adapted model is the
 * base model until B moves), and DoRA's magnitudes the output rows' norms `‖W[o, :]‖` of `base`, the
 * weights they adapt (required with DoRA).
 *
 * @example
 * ```ts
 * import { initLora } from "./lora.ts";
 * import { tinyConfig } from "./config.ts";
 * const a = initLora(tinyConfig("llama"), { rank: 4, alpha: 8, targetModules: "all-linear" }, { seed: 1 });
 * ```
 */
export function initLora(
  c: ModelConfig,
  spec: LoraSpec,
  options: { seed: number; base?: ParamValues },
): ParamValues {
  const rng = new Rng(options.seed), out: ParamValues = new Map();
  for (const p of loraParams(c, spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (p.name.endsWith(".lora_A.weight")) {
      const bound = 1 / Math.sqrt(p.shape[1]);
      out.set(p.name, rng.uniformArray(n, -bound, bound));
    } else out.set(p.name, new Float32Array(n));
  }
  for (const t of spec.dora ? loraTargets(c, spec) : []) {
    const w = options.base?.get(t.weight);
    if (!w) throw new RangeError(`LoRA: DoRA's magnitudes need the weight "${t.weight}"`);
    // (GPT-2's Conv1D stores the weight (in, out): its columns are the output rows)
    const norms = modelNames(c).layout === "in_out"
      ? doraColNorms(w, t.in, t.out)
      : doraRowNorms(w, t.out, t.in);
    out.set(t.m!, Float32Array.from(norms));
  }
  return out;
}

/**
 * The base weights with the adapters merged in (`W + s·B·A`, summed in float64), for every
 * adapted weight; the other parameters are passed through. The GPU model merges the same way
 * (`Transformer.readParams`); this is its reference and the host's way for small models.
 *
 * @example
 * ```ts
 * import { initLora, mergeLora } from "./lora.ts";
 * import { initParams } from "./params.ts";
 * import { tinyConfig } from "./config.ts";
 * const c = tinyConfig("llama"), spec = { rank: 2, alpha: 4, targetModules: "all-linear" as const };
 * const merged = mergeLora(c, spec, initParams(c, { seed: 1 }), initLora(c, spec, { seed: 2 }));
 * ```
 */
export function mergeLora(
  c: ModelConfig,
  spec: LoraSpec,
  base: ParamValues,
  adapters: ParamValues,
): ParamValues {
  const out: ParamValues = new Map(base), s = loraScale(spec), r = spec.rank;
  const inOut = modelNames(c).layout === "in_out";
  for (const t of loraTargets(c, spec)) {
    const W = base.get(t.weight)!, A = adapters.get(t.a)!, B = adapters.get(t.b)!;
    const m = t.m ? adapters.get(t.m)! : null, w = new Float32Array(W.length);
    const row = new Float64Array(t.in);
    for (let o = 0; o < t.out; o++) {
      // V[o, :] = W[o, :] + s·B[o, :]·A, in float64; DoRA scales it to m[o]/‖V[o, :]‖.
      for (let i = 0; i < t.in; i++) row[i] = W[inOut ? i * t.out + o : o * t.in + i];
      for (let j = 0; j < r; j++) {
        const b = s * B[o * r + j];
        for (let i = 0; i < t.in; i++) row[i] += b * A[j * t.in + i];
      }
      const g = m ? m[o] / Math.sqrt(row.reduce((a, v) => a + v * v, 0)) : 1;
      for (let i = 0; i < t.in; i++) w[inOut ? i * t.out + o : o * t.in + i] = g * row[i];
    }
    out.set(t.weight, w);
  }
  return out;
}

/** Where PEFT files keep an adapter tensor. */
const peftKey = (module: string, which: "A" | "B") =>
  `base_model.model.${module}.lora_${which}.weight`;
/**
 * Where PEFT files keep a DoRA magnitude (no `.weight`; a raw state dict's `.weight` form is read
 * too).
 */
const peftMagnitude = (module: string) => `base_model.model.${module}.lora_magnitude_vector`;

/** A module's parts' rows (`width` values each) as its fused rows, in the file's order. */
function fuseRows(c: ModelConfig, m: LoraModule, parts: Float32Array[], width: number) {
  const ordered = m.parts.map((p, i) =>
    p.halves ? halvesFromPairs(parts[i], p.halves, c.headDim, width, false) : parts[i]
  );
  const data = new Float32Array(m.parts.reduce((n, p) => n + p.out, 0) * width);
  if (m.arrange === "neox") neoxRows(c, data, ordered, width, false);
  else {
    let at = 0;
    for (const p of ordered) {
      data.set(p, at);
      at += p.length;
    }
  }
  return data;
}

/** The inverse of {@linkcode fuseRows}: a module's fused rows as its parts'. */
function splitRows(c: ModelConfig, m: LoraModule, data: Float32Array, width: number) {
  const parts = m.parts.map((p) => new Float32Array(p.out * width));
  if (m.arrange === "neox") neoxRows(c, data, parts, width, true);
  else {
    let at = 0;
    for (const p of parts) {
      p.set(data.subarray(at, at + p.length));
      at += p.length;
    }
  }
  return parts.map((v, i) => {
    const h = m.parts[i].halves;
    return h ? halvesFromPairs(v, h, c.headDim, width, true) : v;
  });
}

/**
 * The adapters as PEFT saves them (`adapter_model.safetensors`): `base_model.model.<module>.lora_A
 * .weight` (r, I) and `.lora_B.weight` (O, r), a fused module's B rebuilt from its parts.
 *
 * @example
 * ```ts
 * import { initLora, toPeft } from "./lora.ts";
 * import { tinyConfig } from "./config.ts";
 * const c = tinyConfig("gpt2"), spec = { rank: 2, alpha: 4, targetModules: "all-linear" as const };
 * const tensors = toPeft(c, spec, initLora(c, spec, { seed: 1 }));
 * ```
 */
export function toPeft(
  c: ModelConfig,
  spec: LoraSpec,
  values: ParamValues,
): Map<string, NamedTensor> {
  const r = spec.rank, out = new Map<string, NamedTensor>();
  const take = (name: string) => {
    const v = values.get(name);
    if (!v) throw new WeightsError(`LoRA: adapter "${name}" is missing`);
    return v;
  };
  for (const m of selectModules(c, spec)) {
    out.set(peftKey(m.module, "A"), { shape: [r, m.in], data: take(`${m.module}.lora_A.weight`) });
    const rows = m.parts.reduce((n, p) => n + p.out, 0);
    const B = fuseRows(c, m, m.parts.map((p) => take(bName(m, p.weight))), r);
    out.set(peftKey(m.module, "B"), { shape: [rows, r], data: B });
    if (spec.dora) {
      const data = fuseRows(c, m, m.parts.map((p) => take(mName(m, p.weight))), 1);
      out.set(peftMagnitude(m.module), { shape: [rows], data });
    }
  }
  return out;
}

/**
 * Reads PEFT's tensors back into internal adapters, checking that each one the spec needs is
 * there with its shape and that none is left over (the file's name in every error).
 *
 * @example
 * ```ts
 * import { fromPeft, initLora, toPeft } from "./lora.ts";
 * import { tinyConfig } from "./config.ts";
 * const c = tinyConfig("gpt2"), spec = { rank: 2, alpha: 4, targetModules: "all-linear" as const };
 * const back = fromPeft(c, spec, toPeft(c, spec, initLora(c, spec, { seed: 1 })));
 * ```
 */
export function fromPeft(
  c: ModelConfig,
  spec: LoraSpec,
  tensors: Map<string, NamedTensor>,
  source = "adapter",
): ParamValues {
  const r = spec.rank, out: ParamValues = new Map(), used = new Set<string>();
  const get = (key: string, shape: number[], alias?: string) => {
    if (!tensors.has(key) && alias && tensors.has(alias)) key = alias;
    const t = tensors.get(key);
    if (!t) throw new WeightsError(`${source}: tensor "${key}" is missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new WeightsError(
        `${source}: tensor "${key}" has shape [${t.shape}], the adapter needs [${shape}]`,
      );
    }
    used.add(key);
    return t.data;
  };
  for (const m of selectModules(c, spec)) {
    out.set(`${m.module}.lora_A.weight`, Float32Array.from(get(peftKey(m.module, "A"), [r, m.in])));
    const rows = m.parts.reduce((n, p) => n + p.out, 0);
    const B = splitRows(c, m, get(peftKey(m.module, "B"), [rows, r]), r);
    m.parts.forEach((p, i) => out.set(bName(m, p.weight), B[i]));
    if (spec.dora) {
      const key = peftMagnitude(m.module);
      const M = splitRows(c, m, get(key, [rows], `${key}.weight`), 1);
      m.parts.forEach((p, i) => out.set(mName(m, p.weight), M[i]));
    }
  }
  const extra = [...tensors.keys()].find((k) => !used.has(k));
  if (extra) {
    throw new WeightsError(`${source}: unexpected tensor "${extra}" for this adapter's modules`);
  }
  return out;
}

/** File names of a PEFT adapter folder. */
export const ADAPTER_CONFIG = "adapter_config.json", ADAPTER_WEIGHTS = "adapter_model.safetensors";

/**
 * PEFT's `adapter_config.json` for a spec: its target names as given (`"all-linear"` resolved to
 * the leaf names of every linear module, as PEFT saves it), and `base` as
 * `base_model_name_or_path` (null when the base is not a folder).
 *
 * @example
 * ```ts
 * import { peftConfig } from "./lora.ts";
 * import { tinyConfig } from "./config.ts";
 * const json = peftConfig(tinyConfig("llama"), { rank: 8, alpha: 16, targetModules: "all-linear" }, null);
 * console.log(json.r, json.target_modules); // 8 [ "q_proj", "k_proj", ... ]
 * ```
 */
export function peftConfig(
  c: ModelConfig,
  spec: LoraSpec,
  base: string | null,
): Record<string, unknown> {
  const names = spec.targetModules === "all-linear"
    ? [...new Set(selectModules(c, spec).map((m) => m.module.split(".").at(-1)!))]
    : [...spec.targetModules];
  return {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: base,
    r: spec.rank,
    lora_alpha: spec.alpha,
    lora_dropout: spec.dropout ?? 0,
    target_modules: names,
    bias: "none",
    fan_in_fan_out: modelNames(c).layout === "in_out",
    use_rslora: spec.rslora ?? false,
    use_dora: spec.dora ?? false,
    init_lora_weights: true,
    inference_mode: true,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
  };
}

/**
 * The spec of a PEFT `adapter_config.json` (DoRA's `use_dora` included). Refuses what this
 * trainer's adapters cannot express (trained biases, per-module ranks, extra trained modules, some
 * layers only), naming the file and the key.
 *
 * @example
 * ```ts
 * import { specFromPeft } from "./lora.ts";
 * const spec = specFromPeft({ peft_type: "LORA", r: 8, lora_alpha: 16, target_modules: ["q_proj"] });
 * ```
 */
export function specFromPeft(json: Record<string, unknown>, source = ADAPTER_CONFIG): LoraSpec {
  const refuse = (key: string, why: string) => {
    throw new RangeError(`${source}: "${key}" ${why}; this trainer's LoRA cannot load it`);
  };
  if (json.peft_type !== "LORA") refuse("peft_type", `is ${JSON.stringify(json.peft_type)}`);
  const empty = (v: unknown) =>
    v === undefined || v === null || v === false ||
    (typeof v === "object" && Object.keys(v as object).length === 0);
  for (const key of ["modules_to_save", "layers_to_transform", "rank_pattern"]) {
    if (!empty(json[key])) refuse(key, `is set (${JSON.stringify(json[key])})`);
  }
  if (!empty(json.alpha_pattern)) refuse("alpha_pattern", "is set");
  if (json.bias !== undefined && json.bias !== "none") refuse("bias", `is "${json.bias}"`);
  const t = json.target_modules;
  let targetModules: LoraSpec["targetModules"];
  if (t === "all-linear") targetModules = "all-linear";
  else if (Array.isArray(t) && t.every((x) => typeof x === "string")) targetModules = t;
  else refuse("target_modules", `is ${JSON.stringify(t)} (a list of names, or "all-linear")`);
  const rank = json.r, alpha = json.lora_alpha ?? 8, dropout = json.lora_dropout ?? 0;
  if (typeof rank !== "number") refuse("r", "is not a number");
  if (typeof alpha !== "number") refuse("lora_alpha", "is not a number");
  if (typeof dropout !== "number") refuse("lora_dropout", "is not a number");
  const spec = {
    rank: rank as number,
    alpha: alpha as number,
    targetModules: targetModules!,
    rslora: json.use_rslora === true,
    ...(dropout ? { dropout: dropout as number } : {}),
    ...(json.use_dora === true ? { dora: true } : {}),
  };
  checkSpec(spec);
  return spec;
}

/**
 * Saves adapters as a PEFT folder (`adapter_config.json`, `adapter_model.safetensors`), each file
 * written atomically.
 *
 * @example
 * ```ts ignore
 * await saveAdapter("out/adapter", config, spec, adapters, { base: "models/qwen" });
 * ```
 */
export async function saveAdapter(
  dir: string,
  c: ModelConfig,
  spec: LoraSpec,
  values: ParamValues,
  options: { base?: string | null } = {},
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await writeSafetensors(`${dir}/${ADAPTER_WEIGHTS}`, toPeft(c, spec, values));
  const json = JSON.stringify(peftConfig(c, spec, options.base ?? null), null, 2) + "\n";
  const tmp = `${dir}/.${ADAPTER_CONFIG}.tmp`;
  await Deno.writeTextFile(tmp, json);
  await Deno.rename(tmp, `${dir}/${ADAPTER_CONFIG}`);
}

/**
 * Loads a PEFT adapter folder for a model of this config: its spec and internal adapters.
 *
 * @example
 * ```ts ignore
 * const { spec, values } = await loadAdapter("out/adapter", config);
 * ```
 */
export async function loadAdapter(
  dir: string,
  c: ModelConfig,
): Promise<{ spec: LoraSpec; values: ParamValues }> {
  const path = `${dir}/${ADAPTER_CONFIG}`;
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new RangeError(`${path}: cannot read the adapter config (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RangeError(`${path}: not a JSON object`);
  }
  const spec = specFromPeft(json as Record<string, unknown>, path);
  const file = `${dir}/${ADAPTER_WEIGHTS}`;
  const { tensors } = await readSafetensors(file);
  return { spec, values: fromPeft(c, spec, tensors, file) };
}
