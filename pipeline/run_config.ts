/**
 * A run described by one YAML file: every key, its type, default and meaning in one schema, so the
 * YAML, the command-line flags that override it (`--loss.beta 0.05`, or `--beta 0.05` when the
 * leaf name is unique) and `--help` all come from the same place. Unknown keys are errors that
 * name the key; values are checked against their type and choices.
 *
 * @module
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { DEFAULT_DISCOPOP_TAU, DPO_VARIANTS } from "../kernels/dpo.ts";
import { foreignKind, translateConfig } from "./foreign_config.ts";

/** One configurable value. */
export interface FieldSpec {
  /** Value type. */
  type: "int" | "number" | "string" | "bool";
  /** Default (null: unset). */
  default: number | string | boolean | null;
  /** What it does, for `--help` and the annotated YAML. */
  description: string;
  /** Allowed values, for strings (each element's, for a list). */
  choices?: readonly string[];
  /**
   * A string field that holds a list: a YAML list or a comma-separated string, kept as the
   * comma-separated string.
   */
  list?: boolean;
  /** Smallest allowed value, for numbers. */
  min?: number;
  /** Largest allowed value, for numbers. */
  max?: number;
  /** Values must be greater than this. */
  gt?: number;
  /** Values must be less than this. */
  lt?: number;
}

/** The schema: sections of fields. */
export type Schema = Record<string, Record<string, FieldSpec>>;

/** A resolved configuration: section → key → value. */
export type RunConfig = Record<string, Record<string, number | string | boolean | null>>;

/** A configuration problem; the message names the key and the source. */
export class ConfigKeyError extends Error {
  /** The error's name, as shown before its message. */
  override name = "ConfigKeyError";
}

const f = (
  type: FieldSpec["type"],
  def: FieldSpec["default"],
  description: string,
  extra: Partial<FieldSpec> = {},
): FieldSpec => ({ type, default: def, description, ...extra });

/** Every option of a training run, with its default. */
export const RUN_SCHEMA: Schema = {
  run: {
    name: f("string", null, "Run folder name under out_dir (default: a timestamp)"),
    out_dir: f("string", "runs", "Where run folders go"),
    resume: f("bool", false, "Continue the named run from its newest checkpoint"),
    overwrite: f("bool", false, "Replace an existing run folder of the same name"),
    cache_dir: f("string", "runs/cache", "Tokenized-data and reference log-prob caches"),
    save_to: f("string", null, "Also save the final model to this folder"),
  },
  model: {
    path: f(
      "string",
      null,
      "Hugging Face model folder to start from (default: the built-in demo model)",
    ),
    ref: f("string", null, "Reference model folder (default: the starting model)"),
    adapter: f(
      "string",
      null,
      "PEFT LoRA adapter folder for model.path: the starting model (and default reference) is the " +
        "model with it merged; with lora.rank set, training continues this adapter",
    ),
    quantize: f(
      "string",
      "none",
      "Hold the frozen model's projection weights compactly on the GPU (QLoRA's way: with " +
        "lora.rank only): bf16 or f16 (half the bytes), int8 (a quarter, a scale per row) or nf4 " +
        "(4-bit NormalFloat, a scale per 64 values; LLaMA-Factory's quantization_bit 4); the " +
        "reference is held the same way",
      { choices: ["none", "bf16", "f16", "int8", "nf4"] },
    ),
  },
  data: {
    path: f(
      "string",
      null,
      "Preference data: JSON/JSONL(.gz) file or LLaMA-Factory folder (default: the built-in shout task)",
    ),
    dataset: f("string", null, "Dataset name in a LLaMA-Factory folder's dataset_info.json"),
    format: f("string", null, "Row format (default: detected)", {
      choices: [
        "trl-standard",
        "trl-standard-implicit",
        "trl-conversational",
        "trl-conversational-implicit",
        "alpaca",
        "sharegpt",
        "hh",
        "tokenized",
      ],
    }),
    on_invalid: f("string", "error", "Bad rows: stop with an error, or skip and report them", {
      choices: ["error", "skip"],
    }),
    eval_fraction: f("number", 0.05, "Share of pairs held out for evaluation", { min: 0, lt: 1 }),
    eval_size: f("int", null, "Exact number of held-out pairs (overrides eval_fraction)", {
      min: 0,
    }),
    split_seed: f("int", 0, "Seed of the train/eval split"),
    max_samples: f(
      "int",
      null,
      "Keep only the first N pairs of the data, before the split (LLaMA-Factory's max_samples)",
      { min: 1 },
    ),
  },
  tokenize: {
    template: f("string", "auto", "Chat template use", { choices: ["auto", "template", "plain"] }),
    max_length: f("int", 1024, "Most tokens of prompt + response (TRL's default)", { min: 2 }),
    max_prompt_length: f(
      "int",
      null,
      "Most tokens of a prompt (keeps its end); default half of max_length (TRL's 512 of 1024)",
      { min: 1 },
    ),
    max_completion_length: f(
      "int",
      null,
      "Most tokens of each response (keeps its start; TRL's max_completion_length)",
      { min: 1 },
    ),
  },
  train: {
    objective: f("string", "dpo", "dpo, or sft (cross-entropy on the chosen responses)", {
      choices: ["dpo", "sft"],
    }),
    pairs_per_batch: f("int", 8, "Pairs per micro-batch (rows: 2× for DPO)", { min: 1 }),
    grad_accum_steps: f("int", 1, "Micro-batches per optimizer step", { min: 1 }),
    epochs: f("int", 3, "Passes over the data (when max_steps is 0)", { min: 1 }),
    max_steps: f("int", 0, "Optimizer steps (0: from epochs)", { min: 0 }),
    seed: f("int", 42, "Seed of the data order"),
    bucket_window: f("int", 0, "Length bucketing window in batches (0: off)", { min: 0 }),
    attention: f(
      "string",
      "auto",
      "Attention kernels: flash (tiled, no T×T matrix), products (T×T scores through the matmul kernels) or auto (products on a GPU when one T×T score matrix fits 256 MiB, i.e. T ≤ 8192; else flash)",
      { choices: ["auto", "flash", "products"] },
    ),
    gradient_checkpointing: f(
      "bool",
      false,
      "Keep only each block's input and recompute its activations in the backward " +
        "(transformers' gradient_checkpointing): one set of block activations instead of one per " +
        "layer, for one more forward per step; the same results",
    ),
    lr: f("number", 1e-6, "Peak learning rate", { min: 0 }),
    schedule: f("string", "linear", "Decay after warmup", {
      choices: ["linear", "cosine", "constant"],
    }),
    warmup_steps: f("int", 0, "Linear warmup steps", { min: 0 }),
    warmup_ratio: f("number", 0, "Warmup as a share of all steps, when warmup_steps is 0", {
      min: 0,
      max: 1,
    }),
    weight_decay: f("number", 0, "AdamW decoupled weight decay (not on norms and biases)", {
      min: 0,
    }),
    beta1: f("number", 0.9, "Adam β1", { min: 0, lt: 1 }),
    beta2: f("number", 0.999, "Adam β2", { min: 0, lt: 1 }),
    eps: f("number", 1e-8, "Adam ε", { gt: 0 }),
    max_grad_norm: f("number", 1, "Clip the global gradient norm (0: off)", { min: 0 }),
    log_every: f("int", 1, "Log metrics every N steps (each row their mean, as TRL logs)", {
      min: 1,
    }),
    sync_every: f(
      "int",
      8,
      "Read metrics back every N steps, together (each readback costs ~10 ms); eval, save and " +
        "the last step always sync",
      { min: 1 },
    ),
    eval_every: f("int", 0, "Evaluate every N steps (0: at the end)", { min: 0 }),
    save_every: f("int", 0, "Checkpoint every N steps (0: final model only)", { min: 0 }),
    keep_last: f("int", 2, "Checkpoints kept", { min: 1 }),
  },
  lora: {
    rank: f(
      "int",
      0,
      "LoRA rank r: train low-rank adapters on the frozen model instead of the model (0: off, " +
        "full fine-tuning; LLaMA-Factory's lora_rank, PEFT's r)",
      { min: 0 },
    ),
    alpha: f("number", null, "LoRA α: adapters scaled by α/r (default 2·r, LLaMA-Factory's)", {
      gt: 0,
    }),
    target: f(
      "string",
      "all-linear",
      "Modules adapted: all-linear (every linear layer of the blocks; LLaMA-Factory's `all`), or " +
        "names as PEFT matches them (q_proj,v_proj)",
      { list: true },
    ),
    rslora: f("bool", false, "Rank-stabilized scaling α/√r (PEFT's use_rslora)"),
    save_merged: f(
      "bool",
      true,
      "Save the merged model beside the adapters (run's model/ and run.save_to); false: the " +
        "adapters alone (deno task merge makes the merged model later)",
    ),
    dora: f(
      "bool",
      false,
      "DoRA (PEFT's use_dora): each adapted row rescaled to a trained magnitude",
    ),
    dropout: f("number", 0, "Dropout on the adapters' input while training (PEFT's lora_dropout)", {
      min: 0,
      lt: 1,
    }),
  },
  loss: {
    variant: f(
      "string",
      "sigmoid",
      "DPO loss (TRL's loss_type), or several, comma-separated, summed with loss.weights (sft: " +
        "the chosen responses' NLL)",
      { choices: [...Object.keys(DPO_VARIANTS), "sft"], list: true },
    ),
    weights: f(
      "string",
      null,
      "Weights of the losses in loss.variant, comma-separated (TRL's loss_weights; default 1 each)",
      { list: true },
    ),
    beta: f("number", 0.1, "β: strength of the KL anchor to the reference", { gt: 0 }),
    label_smoothing: f(
      "number",
      0,
      "Label smoothing ε: cDPO's (sigmoid, sigmoid_norm, simpo, aot, aot_pair), robust's, " +
        "exo_pair's (0 means 1e-3 there)",
      { min: 0, lt: 0.5 },
    ),
    gamma: f("number", 0, "SimPO target margin γ"),
    discopop_tau: f(
      "number",
      DEFAULT_DISCOPOP_TAU,
      "DiscoPOP τ: width of the blend of its two losses",
      {
        gt: 0,
      },
    ),
    f_divergence_type: f(
      "string",
      "reverse_kl",
      "Divergence of the margin (TRL's f_divergence_type): reverse_kl (DPO), js_divergence, " +
        "alpha_divergence; for sigmoid, ipo, hinge, robust, exo_pair and discopop",
      { choices: ["reverse_kl", "js_divergence", "alpha_divergence"] },
    ),
    f_alpha_divergence_coef: f(
      "number",
      1,
      "α of the alpha_divergence (TRL's f_alpha_divergence_coef)",
      { gt: 0 },
    ),
    ld_alpha: f(
      "number",
      null,
      "LD-DPO α (TRL's ld_alpha): the policy's log-probs count a response's tokens past the " +
        "pair's shorter response at α",
      { min: 0, max: 1 },
    ),
    use_weighting: f(
      "bool",
      false,
      "WPO: weight each pair's loss by min(exp(w_chosen + w_rejected), 1), w the token mean of " +
        "logπ − log Σ π² (TRL's use_weighting)",
    ),
    reference_free: f(
      "bool",
      false,
      "Compare with a reference giving every response equal probability, not the model",
    ),
    nll_alpha: f("number", 0, "Weight of an NLL term on chosen responses (RPO)", { min: 0 }),
    desirable_weight: f(
      "number",
      1,
      "kto, apo_zero_unpaired: weight λ_D of the desirable examples' losses (TRL's desirable_weight)",
      { gt: 0 },
    ),
    undesirable_weight: f(
      "number",
      1,
      "kto, apo_zero_unpaired: weight λ_U of the undesirable examples' losses (TRL's undesirable_weight)",
      { gt: 0 },
    ),
  },
  eval: {
    generate: f("bool", true, "Generate on held-out prompts with the policy and the reference"),
    curve: f(
      "bool",
      false,
      "Also generate at every train.eval_every step, for the reward-against-KL curve",
    ),
    samples: f("int", 64, "Held-out prompts to generate for", { min: 0 }),
    max_new_tokens: f("int", 32, "Most tokens per generation", { min: 1 }),
    temperature: f("number", 1, "Sampling temperature (0: greedy)", { min: 0 }),
    top_k: f("int", 0, "Top-k sampling (0: off)", { min: 0 }),
    top_p: f("number", 1, "Top-p (nucleus) sampling", { gt: 0, max: 1 }),
    seed: f("int", 0, "Sampling seed"),
  },
};

/**
 * The defaults of a schema as a configuration.
 *
 * @example
 * ```ts
 * import { defaults, RUN_SCHEMA } from "./run_config.ts";
 * console.log(defaults(RUN_SCHEMA).loss.beta); // 0.1
 * ```
 */
export function defaults(schema: Schema = RUN_SCHEMA): RunConfig {
  return Object.fromEntries(
    Object.entries(schema).map(([s, fields]) => [
      s,
      Object.fromEntries(Object.entries(fields).map(([k, spec]) => [k, spec.default])),
    ]),
  );
}

/**
 * Overlays a parsed YAML object on a configuration. Unknown sections or keys, and values of the
 * wrong type, are errors naming `source` and the key.
 *
 * @example
 * ```ts
 * import { applyObject, defaults } from "./run_config.ts";
 * const c = applyObject(defaults(), { loss: { beta: 0.05 } }, "run.yaml");
 * ```
 */
export function applyObject(
  base: RunConfig,
  object: unknown,
  source: string,
  schema: Schema = RUN_SCHEMA,
): RunConfig {
  const out = structuredClone(base);
  if (object === null || object === undefined) return out;
  if (typeof object !== "object" || Array.isArray(object)) {
    throw new ConfigKeyError(
      `${source}: must be a mapping of sections (${Object.keys(schema).join(", ")})`,
    );
  }
  for (const [section, values] of Object.entries(object as Record<string, unknown>)) {
    const fields = schema[section];
    if (!fields) {
      throw new ConfigKeyError(
        `${source}: unknown section "${section}" (known: ${Object.keys(schema).join(", ")})`,
      );
    }
    if (values === null) continue;
    if (typeof values !== "object" || Array.isArray(values)) {
      throw new ConfigKeyError(`${source}: section "${section}" must be a mapping`);
    }
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      const spec = fields[key];
      if (!spec) {
        throw new ConfigKeyError(
          `${source}: unknown key "${section}.${key}" (known: ${Object.keys(fields).join(", ")})`,
        );
      }
      out[section][key] = checkValue(spec, value, `${source}: ${section}.${key}`);
    }
  }
  return out;
}

/**
 * Applies `--section.key value` (or `--key value` for a unique leaf, or `--key` for a boolean)
 * flags. Values are parsed by the key's type.
 *
 * @example
 * ```ts
 * import { applyFlags, defaults } from "./run_config.ts";
 * const c = applyFlags(defaults(), ["--beta", "0.05", "--train.lr", "1e-5"]);
 * console.log(c.loss.beta, c.train.lr); // 0.05 0.00001
 * ```
 */
export function applyFlags(
  base: RunConfig,
  args: string[],
  schema: Schema = RUN_SCHEMA,
): RunConfig {
  const out = structuredClone(base);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new ConfigKeyError(`Unexpected argument "${arg}"`);
    let name = arg.slice(2), inline: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) [name, inline] = [name.slice(0, eq), name.slice(eq + 1)];
    const [section, key] = resolveFlag(name.replaceAll("-", "_"), schema);
    const spec = schema[section][key];
    let raw: string;
    if (inline !== undefined) raw = inline;
    else if (spec.type === "bool" && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
      raw = "true";
    } else if (i + 1 < args.length) raw = args[++i];
    else throw new ConfigKeyError(`--${name} needs a value`);
    out[section][key] = checkValue(spec, parseScalar(spec, raw), `--${name}`);
  }
  return out;
}

/** Finds the section and key a flag names: `section.key`, or a leaf name unique in the schema. */
function resolveFlag(name: string, schema: Schema): [string, string] {
  if (name.includes(".")) {
    const [section, key] = name.split(".", 2);
    if (!schema[section]?.[key]) throw new ConfigKeyError(`Unknown option --${name}`);
    return [section, key];
  }
  const hits = Object.entries(schema).filter(([, fields]) => name in fields).map(([s]) => s);
  // A section name alone means its main path (e.g. --model DIR, --data FILE).
  if (hits.length === 0 && schema[name]?.path) return [name, "path"];
  if (hits.length === 1) return [hits[0], name];
  if (hits.length > 1) {
    throw new ConfigKeyError(
      `--${name} is ambiguous: use ${hits.map((s) => `--${s}.${name}`).join(" or ")}`,
    );
  }
  throw new ConfigKeyError(`Unknown option --${name}`);
}

function parseScalar(spec: FieldSpec, raw: string): unknown {
  if (raw === "null") return null;
  if (spec.type === "bool") {
    if (raw === "true" || raw === "false") return raw === "true";
    return raw;
  }
  if (spec.type === "int" || spec.type === "number") {
    const n = Number(raw);
    return raw.trim() === "" || Number.isNaN(n) ? raw : n;
  }
  return raw;
}

function checkValue(
  spec: FieldSpec,
  value: unknown,
  where: string,
): number | string | boolean | null {
  if (value === null) {
    if (spec.default !== null) throw new ConfigKeyError(`${where} cannot be null`);
    return null;
  }
  switch (spec.type) {
    case "bool":
      if (typeof value !== "boolean") {
        throw new ConfigKeyError(`${where} must be true or false, got ${JSON.stringify(value)}`);
      }
      return value;
    case "int":
    case "number": {
      if (
        typeof value !== "number" || !Number.isFinite(value) ||
        (spec.type === "int" && !Number.isInteger(value))
      ) {
        throw new ConfigKeyError(
          `${where} must be ${spec.type === "int" ? "an integer" : "a number"}, got ${
            JSON.stringify(value)
          }`,
        );
      }
      const bounds: [boolean, string][] = [
        [spec.min !== undefined && value < spec.min, `≥ ${spec.min}`],
        [spec.max !== undefined && value > spec.max, `≤ ${spec.max}`],
        [spec.gt !== undefined && value <= spec.gt, `> ${spec.gt}`],
        [spec.lt !== undefined && value >= spec.lt, `< ${spec.lt}`],
      ];
      for (const [broken, want] of bounds) {
        if (broken) throw new ConfigKeyError(`${where} must be ${want}, got ${value}`);
      }
      return value;
    }
    case "string":
      if (spec.list) {
        const items = Array.isArray(value)
          ? value.map(String)
          : typeof value === "string" || typeof value === "number"
          ? String(value).split(",")
          : null;
        if (!items || items.length === 0 || items.some((x) => x.trim() === "")) {
          throw new ConfigKeyError(`${where} must be a list, got ${JSON.stringify(value)}`);
        }
        const trimmed = items.map((x) => x.trim());
        const bad = spec.choices && trimmed.find((x) => !spec.choices!.includes(x));
        if (bad) {
          throw new ConfigKeyError(
            `${where} must be one of ${spec.choices!.join(", ")} (or several), got "${bad}"`,
          );
        }
        return trimmed.join(",");
      }
      if (typeof value !== "string") {
        throw new ConfigKeyError(`${where} must be a string, got ${JSON.stringify(value)}`);
      }
      if (spec.choices && !spec.choices.includes(value)) {
        throw new ConfigKeyError(
          `${where} must be one of ${spec.choices.join(", ")}, got "${value}"`,
        );
      }
      return value;
  }
}

/**
 * Reads a YAML run file over the defaults: this trainer's sections, or a LLaMA-Factory or TRL
 * training YAML, translated (see `foreign_config.ts`; what the translation notes goes to
 * `onNote`).
 *
 * @example
 * ```ts
 * import { readRunConfig } from "./run_config.ts";
 * // const config = await readRunConfig("configs/default.yaml");
 * ```
 */
export async function readRunConfig(
  path: string,
  base: RunConfig = defaults(),
  options: { onNote?: (message: string) => void } = {},
): Promise<RunConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ConfigKeyError(`${path}: cannot read (${(e as Error).message})`);
  }
  let object: unknown;
  try {
    object = parseYaml(text);
  } catch (e) {
    throw new ConfigKeyError(`${path}: not valid YAML (${(e as Error).message.split("\n")[0]})`);
  }
  const kind = foreignKind(object, Object.keys(RUN_SCHEMA));
  if (kind) {
    const t = translateConfig(object as Record<string, unknown>, path);
    const tool = kind === "llamafactory" ? "LLaMA-Factory" : "TRL";
    options.onNote?.(`${path}: read as a ${tool} run file`);
    for (const note of t.notes) options.onNote?.(`${path}: ${note}`);
    object = t.config;
  }
  return applyObject(base, object, path);
}

/**
 * The configuration as YAML, each key commented with its meaning.
 *
 * @example
 * ```ts
 * import { defaults, toYaml } from "./run_config.ts";
 * console.log(toYaml(defaults()));
 * ```
 */
export function toYaml(config: RunConfig, schema: Schema = RUN_SCHEMA): string {
  const lines: string[] = [];
  for (const [section, fields] of Object.entries(schema)) {
    lines.push(`${section}:`);
    for (const [key, spec] of Object.entries(fields)) {
      // lineWidth 0: one line per value (a long path with spaces must not be folded).
      const value = stringifyYaml(config[section]?.[key] ?? null, { lineWidth: 0 }).trim();
      lines.push(`  ${key}: ${value}`.padEnd(34) + ` # ${spec.description}`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * `--help` text: every key as a flag with its default.
 *
 * @example
 * ```ts
 * import { flagsHelp } from "./run_config.ts";
 * console.log(flagsHelp());
 * ```
 */
export function flagsHelp(schema: Schema = RUN_SCHEMA, base: RunConfig = defaults(schema)): string {
  const rows: [string, string][] = [];
  for (const [section, fields] of Object.entries(schema)) {
    for (const [key, spec] of Object.entries(fields)) {
      const v = base[section][key];
      const choices = spec.choices ? ` [${spec.choices.join("|")}]` : "";
      rows.push([
        `--${section}.${key}`,
        `${spec.description}${choices} (default: ${v === null ? "unset" : v})`,
      ]);
    }
  }
  const width = Math.max(...rows.map(([n]) => n.length));
  return rows.map(([n, d]) => `  ${n.padEnd(width)}  ${d}`).join("\n") + "\n";
}
