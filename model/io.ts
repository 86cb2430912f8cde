/**
 * A model folder as one thing: `loadModel(dir)` gives the config, the parameters and the tokenizer
 * (when the folder has one); `saveModel(dir, model)` writes a Hugging Face model folder
 * (`config.json`, `model.safetensors`, tokenizer files) that transformers loads unchanged.
 * Saving is atomic: everything goes to a temporary folder beside `dir`, which is then renamed.
 *
 * @module
 */
import { configToHf, type ModelConfig, readConfig } from "./config.ts";
import { fromHf, type ParamValues, toHf } from "./params.ts";
import { readModelWeights, writeModelWeights } from "./safetensors.ts";
import { loadTokenizer, saveTokenizer, type TextTokenizer } from "./tokenizer.ts";
import { exists } from "../util/fs.ts";

/** A loaded model. */
export interface LoadedModel {
  /** The architecture. */
  config: ModelConfig;
  /** Float32 parameters by internal name. */
  params: ParamValues;
  /** The folder's tokenizer, or null when it has none (token-id models such as stories260K). */
  tokenizer: TextTokenizer | null;
  /** Where it came from. */
  dir: string;
  /**
   * The folder's `generation_config.json` as written (null or absent: none). Saves copy it, and
   * generation stops at its `eos_token_id` too ({@linkcode stopTokenIds}).
   */
  generationConfig?: string | null;
}

const TOKENIZER_FILES = ["tokenizer.json", "vocab.json"];

/**
 * Loads a Hugging Face model folder: `config.json`, the safetensors weights (sharded or not) and
 * the tokenizer when present.
 *
 * @example
 * ```ts
 * import { loadModel } from "./io.ts";
 * const { config, params, tokenizer } = await loadModel("../shared/data/stories260K");
 * console.log(config.family, params.size, tokenizer); // llama 47 null
 * ```
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const config = await readConfig(dir);
  let weights = await readModelWeights(dir);
  if (await isMultimodalGemma3(dir)) weights = gemma3LanguageWeights(weights);
  // The weights were decoded for this load alone: the parameters take their arrays.
  const params = fromHf(config, weights, dir, { adopt: true });
  let tokenizer: TextTokenizer | null = null;
  for (const f of TOKENIZER_FILES) {
    if (await exists(`${dir}/${f}`)) {
      tokenizer = await loadTokenizer(dir);
      break;
    }
  }
  let generationConfig: string | null = null;
  const generationFile = `${dir}/${GENERATION_CONFIG}`;
  if (await exists(generationFile)) {
    generationConfig = await Deno.readTextFile(generationFile);
    generationEos(generationConfig, generationFile); // refuses a malformed file now
  }
  return { config, params, tokenizer, dir, generationConfig };
}

const GENERATION_CONFIG = "generation_config.json";

/** Whether a folder's `config.json` is Gemma 3's multimodal one (`model_type` "gemma3"). */
async function isMultimodalGemma3(dir: string): Promise<boolean> {
  const json = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  return json?.model_type === "gemma3";
}

/**
 * A multimodal Gemma 3 checkpoint's language model under `Gemma3ForCausalLM`'s names: transformers
 * v4's `language_model.model.*` and v5's `model.language_model.*` become `model.*`, the head
 * `lm_head.weight`; the vision tower and projector are left out (a saved model is text-only).
 *
 * @example
 * ```ts
 * import { gemma3LanguageWeights } from "./io.ts";
 * const t = { shape: [1], data: new Float32Array(1) };
 * const w = gemma3LanguageWeights(new Map([["language_model.model.norm.weight", t]]));
 * console.log([...w.keys()]); // ["model.norm.weight"]
 * ```
 */
export function gemma3LanguageWeights<T>(weights: Map<string, T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [name, t] of weights) {
    const m = name.match(/^(?:language_model\.model\.|model\.language_model\.)(.*)$/);
    if (m) out.set(`model.${m[1]}`, t);
    else if (name === "language_model.lm_head.weight" || name === "lm_head.weight") {
      out.set("lm_head.weight", t);
    } else if (!/^(model\.)?(vision_tower|multi_modal_projector)\./.test(name)) {
      out.set(name, t); // (anything else: fromHf names it if unexpected)
    }
  }
  return out;
}

/**
 * The `eos_token_id` of a `generation_config.json` text: an id, a list of ids, or none. `file`
 * names it in errors.
 */
function generationEos(text: string, file: string): number[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`${file}: ${(e as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RangeError(`${file}: must hold a JSON object`);
  }
  const v = (json as Record<string, unknown>).eos_token_id;
  if (v === undefined || v === null) return [];
  const ids = Array.isArray(v) ? v : [v];
  if (!ids.every((id) => Number.isInteger(id) && id >= 0)) {
    throw new RangeError(
      `${file}: eos_token_id must be a token id or a list of them, got ${JSON.stringify(v)}`,
    );
  }
  return ids as number[];
}

/**
 * The tokens generation stops at: the config's `eos_token_id`, the folder's
 * `generation_config.json` ones (chat models often list their end-of-turn token only there, as
 * transformers' `generate` reads it) and the tokenizer's end-of-sequence token (the one a
 * response ends with in training), without repeats.
 *
 * @example
 * ```ts
 * import { loadModel, stopTokenIds } from "./io.ts";
 * const model = await loadModel("../shared/data/stories260K");
 * console.log(stopTokenIds(model)); // [2]
 * ```
 */
export function stopTokenIds(
  model: Pick<LoadedModel, "config" | "tokenizer" | "generationConfig" | "dir">,
): number[] {
  const ids = [...model.config.eosTokenIds];
  if (model.generationConfig) {
    ids.push(...generationEos(model.generationConfig, `${model.dir}/${GENERATION_CONFIG}`));
  }
  const tok = model.tokenizer?.eosTokenId;
  if (tok !== undefined && tok !== null) ids.push(tok);
  return [...new Set(ids)];
}

/** What {@linkcode saveModel} writes. */
export interface SaveModelOptions {
  /** Extra files to write into the folder (name → text), e.g. a training summary. */
  extraFiles?: Record<string, string>;
  /** Shard the weights beyond this many bytes. Default 5 GB, as transformers does. */
  maxShardBytes?: number;
  /**
   * Writes more into the new folder (its path given) before it replaces the old one, so they
   * appear together or not at all: a LoRA run's `adapter/`.
   */
  also?: (dir: string) => Promise<void>;
  /**
   * Write the weights. Default true; false leaves a folder of the config, tokenizer and what
   * `also` writes (a LoRA run's adapters without a merged copy of the model).
   */
  weights?: boolean;
}

/**
 * Writes a model folder atomically: into `<dir>.tmp-…`, then renamed over `dir` (an existing
 * folder is replaced only once the new one is complete).
 *
 * @example
 * ```ts
 * import { saveModel } from "./io.ts";
 * import { tinyConfig } from "./config.ts";
 * import { initParams } from "./params.ts";
 * const config = tinyConfig("gpt2");
 * await saveModel("out/model", { config, params: initParams(config, { seed: 1 }), tokenizer: null });
 * ```
 */
export async function saveModel(
  dir: string,
  model: Pick<LoadedModel, "config" | "params" | "tokenizer" | "generationConfig">,
  options: SaveModelOptions = {},
): Promise<void> {
  dir = dir.replace(/[\\/]+$/, "") || dir;
  await checkModelFolder(dir);
  const tmp = `${dir}.tmp-${Deno.pid}-${Date.now()}`;
  await Deno.mkdir(tmp, { recursive: true });
  try {
    await Deno.writeTextFile(`${tmp}/config.json`, configJson(model.config));
    if (options.weights ?? true) {
      await writeModelWeights(tmp, toHf(model.config, model.params), {
        maxShardBytes: options.maxShardBytes,
      });
    }
    if (model.tokenizer) await saveTokenizer(model.tokenizer, tmp);
    if (model.generationConfig) {
      await Deno.writeTextFile(`${tmp}/${GENERATION_CONFIG}`, model.generationConfig);
    }
    for (const [name, text] of Object.entries(options.extraFiles ?? {})) {
      await Deno.writeTextFile(`${tmp}/${name}`, text);
    }
    await options.also?.(tmp);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  // Files about the model that this save does not write (a model card; generation settings
  // when the model brought none) carry over from the folder it replaces.
  for (const name of KEPT_FILES) {
    if (!(await exists(`${tmp}/${name}`)) && (await exists(`${dir}/${name}`))) {
      await Deno.copyFile(`${dir}/${name}`, `${tmp}/${name}`);
    }
  }
  // Swap the complete new folder in; if that fails, put the old one back.
  const old = `${dir}.old-${Deno.pid}-${Date.now()}`;
  const hadOld = await exists(dir);
  if (hadOld) await Deno.rename(dir, old);
  try {
    await Deno.rename(tmp, dir);
  } catch (e) {
    if (hadOld) await Deno.rename(old, dir).catch(() => {});
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  if (hadOld) await Deno.remove(old, { recursive: true });
}

/** Files of a replaced model folder that a save keeps when it does not write them itself. */
const KEPT_FILES = ["README.md", "generation_config.json"];

/** Files a model folder may hold; saving over a folder with anything else is refused. */
const MODEL_FILE = new RegExp(
  "^(config\\.json|generation_config\\.json|model(-\\d+-of-\\d+)?\\.safetensors|" +
    "model\\.safetensors\\.index\\.json|tokenizer\\.json|tokenizer_config\\.json|" +
    "special_tokens_map\\.json|vocab\\.json|merges\\.txt|added_tokens\\.json|" +
    "chat_template\\.jinja|optimizer\\.safetensors|trainer_state\\.json|README\\.md|adapter)$",
);

/**
 * Refuses, with a RangeError naming the folder, a place {@linkcode saveModel} must not write: a
 * file, or a folder holding anything but a model's files. An absent or empty folder is fine.
 *
 * @example
 * ```ts
 * import { checkModelFolder } from "./io.ts";
 * await checkModelFolder("out/new-model"); // absent: fine
 * ```
 */
export async function checkModelFolder(dir: string): Promise<void> {
  let names: string[];
  try {
    names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    if (e instanceof Deno.errors.NotADirectory) {
      throw new RangeError(`Cannot save a model to ${dir}: it is a file, not a folder`);
    }
    throw e;
  }
  const foreign = names.filter((n) => !MODEL_FILE.test(n));
  if (foreign.length) {
    throw new RangeError(
      `Cannot save a model to ${dir}: it holds other files (${foreign.slice(0, 3).join(", ")}` +
        `${foreign.length > 3 ? ", …" : ""}); choose an empty folder or an existing model folder`,
    );
  }
}

/**
 * Keys transformers types as floats strictly (huggingface_hub's strict dataclasses refuse an
 * integer there): a whole value is written with a decimal point (`30.0`, not `30`).
 */
const FLOAT_KEYS = ["attn_logit_softcapping", "final_logit_softcapping"];

/**
 * A config's `config.json` text, as transformers loads it (see `FLOAT_KEYS`).
 *
 * @example
 * ```ts
 * import { configJson } from "./io.ts";
 * import { tinyConfig } from "./config.ts";
 * console.log(configJson(tinyConfig("gemma2")).includes('"final_logit_softcapping": 2.0')); // true
 * ```
 */
export function configJson(config: ModelConfig): string {
  let text = JSON.stringify(configToHf(config), null, 2) + "\n";
  for (const key of FLOAT_KEYS) {
    text = text.replace(new RegExp(`("${key}": )(-?\\d+)(?=,?\\n)`, "g"), "$1$2.0");
  }
  return text;
}
