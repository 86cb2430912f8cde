/**
 * Run files written for other trainers, read as this trainer's: a LLaMA-Factory training YAML
 * (`llamafactory-cli train x.yaml`, `stage: dpo`) or a TRL one (`trl dpo --config x.yaml`: DPOConfig,
 * ModelConfig and ScriptArguments keys). Both are flat mappings of those tools' argument names;
 * each key is translated to this trainer's sections (`train.lr`, `lora.rank`, …), those tools'
 * defaults where they differ from this trainer's are filled in (LLaMA-Factory trains LoRA with
 * learning rate 5e-5 and gradient checkpointing unless told otherwise), keys that change nothing
 * here (precision, logging back-ends, worker counts) are noted, and any key whose meaning this
 * trainer cannot honour is refused with the file and the key, never silently dropped.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import { ConfigKeyError } from "./run_config.ts";

/** Which trainer a run file was written for. */
export type ForeignKind = "llamafactory" | "trl";

/** A translated run file: this trainer's sections, and what the user should know. */
export interface Translated {
  /** The trainer the file was written for. */
  kind: ForeignKind;
  /** `section → key → value`, to apply over the defaults. */
  config: Record<string, Record<string, unknown>>;
  /** Keys read as something close but not the same, or not needed here, one line each. */
  notes: string[];
}

const LLAMAFACTORY_MARKERS = [
  "stage",
  "finetuning_type",
  "dataset_dir",
  "template",
  "cutoff_len",
  "pref_beta",
  "pref_loss",
  "pref_ftx",
  "lora_target",
  "lora_rank",
];
const TRL_MARKERS = [
  "loss_type",
  "dataset_name",
  "use_peft",
  "lora_r",
  "lora_target_modules",
  "rpo_alpha",
  "max_prompt_length",
  "precompute_ref_log_probs",
  "beta",
  "desirable_weight",
  "undesirable_weight",
];

/**
 * The trainer a parsed run file was written for: null for this trainer's own sectioned files
 * (and anything that is not a mapping).
 *
 * @example
 * ```ts
 * import { foreignKind } from "./foreign_config.ts";
 * console.log(foreignKind({ stage: "dpo", pref_beta: 0.1 })); // llamafactory
 * console.log(foreignKind({ loss: { beta: 0.1 } })); // null
 * ```
 */
export function foreignKind(object: unknown, sections: readonly string[] = []): ForeignKind | null {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return null;
  const keys = Object.keys(object);
  if (keys.length === 0 || keys.every((k) => sections.includes(k))) return null;
  if (keys.some((k) => LLAMAFACTORY_MARKERS.includes(k))) return "llamafactory";
  if (keys.some((k) => TRL_MARKERS.includes(k))) return "trl";
  return null;
}

/** What a key's handler may do. */
interface Ctx {
  /** Sets this trainer's `section.key`. */
  set(section: string, key: string, value: unknown): void;
  /** Notes something the user should know. */
  note(message: string): void;
  /** The whole file (for keys read together). */
  raw: Record<string, unknown>;
}

type Handler = (value: unknown, ctx: Ctx, key: string, source: string) => void;

const fail = (source: string, key: string, why: string): never => {
  throw new ConfigKeyError(`${source}: ${key}: ${why}`);
};

const asNumber = (v: unknown, source: string, key: string): number =>
  typeof v === "number" && Number.isFinite(v)
    ? v
    : fail(source, key, `${JSON.stringify(v)} is not a number`);
const asInt = (v: unknown, source: string, key: string): number =>
  Number.isInteger(v) ? v as number : fail(source, key, `${JSON.stringify(v)} is not an integer`);
const asBool = (v: unknown, source: string, key: string): boolean =>
  typeof v === "boolean" ? v : fail(source, key, `${JSON.stringify(v)} is not true or false`);
const asString = (v: unknown, source: string, key: string): string =>
  typeof v === "string" ? v : fail(source, key, `${JSON.stringify(v)} is not a string`);
/** A list given as a YAML list or a comma-separated string. */
const asList = (v: unknown, source: string, key: string): string[] =>
  Array.isArray(v) && v.every((x) => typeof x === "string")
    ? v
    : typeof v === "string"
    ? v.split(",").map((s) => s.trim()).filter((s) => s)
    : fail(source, key, `${JSON.stringify(v)} is not a list of names`);

/** A handler setting one key of ours from a value of a type. */
const to = (
  section: string,
  key: string,
  kind: "number" | "int" | "bool" | "string",
): Handler =>
(v, ctx, k, source) =>
  ctx.set(
    section,
    key,
    kind === "number"
      ? asNumber(v, source, k)
      : kind === "int"
      ? asInt(v, source, k)
      : kind === "bool"
      ? asBool(v, source, k)
      : asString(v, source, k),
  );

/** Keys that change nothing in this trainer (why, in the note). */
const noted = (why: string): Handler => (v, ctx, k) => {
  if (v !== null && v !== false) ctx.note(`${k}: ${why}`);
};
/** Keys whose only accepted values are their tools' defaults. */
const only = (allowed: unknown[], why: string): Handler => (v, _ctx, k, source) => {
  if (v !== null && v !== undefined && !allowed.includes(v)) {
    fail(source, k, `${JSON.stringify(v)}: ${why}`);
  }
};
const refused = (why: string): Handler => only([null, false, undefined, ""], why);

/** The 4-bit data type, read only when 4-bit weights are asked for (as those tools do). */
const fourBitType = only(["nf4"], "4-bit weights are nf4 here (model.quantize nf4)");

/** TRL quantizes only a model it trains through PEFT adapters. */
function peftOnly(ctx: Ctx, k: string, source: string): void {
  if (ctx.raw.use_peft !== true) {
    fail(source, k, "quantized weights train through LoRA adapters only (use_peft: true)");
  }
}

/** bitsandbytes' nested quantization: the note for the keys that ask for it. */
const nestedNote = (k: string) =>
  `${k}: nf4's block scales stay float32 here (4.5 bits a weight, bitsandbytes' nested ` +
  "quantization about 4.127): the same values, a little more memory";

/** The adapted modules: names, or `all` / `all-linear` (which `lora.target` reads alike). */
const loraTargets: Handler = (v, ctx, k, source) => {
  if (v !== null) ctx.set("lora", "target", asList(v, source, k).join(","));
};

/** transformers' TrainingArguments keys both tools take. */
const TRAINING_ARGS: Record<string, Handler> = {
  output_dir: (v, ctx, k, source) => {
    const dir = asString(v, source, k).replace(/[\\/]+$/, "");
    ctx.set("run", "out_dir", dirname(dir));
    ctx.set("run", "name", basename(dir));
  },
  overwrite_output_dir: to("run", "overwrite", "bool"),
  resume_from_checkpoint: (v, ctx, k, source) => {
    if (v === null || v === false) return;
    if (v !== true) fail(source, k, "only true (the newest checkpoint of output_dir) is read here");
    ctx.set("run", "resume", true);
  },
  per_device_train_batch_size: to("train", "pairs_per_batch", "int"),
  gradient_accumulation_steps: to("train", "grad_accum_steps", "int"),
  learning_rate: to("train", "lr", "number"),
  num_train_epochs: (v, ctx, k, source) => {
    const n = asNumber(v, source, k);
    if (!Number.isInteger(n)) {
      fail(source, k, `${n}: only whole epochs are trained here (or max_steps)`);
    }
    ctx.set("train", "epochs", n);
  },
  max_steps: (v, ctx, k, source) => ctx.set("train", "max_steps", Math.max(0, asInt(v, source, k))),
  lr_scheduler_type: (v, ctx, k, source) => {
    const s = asString(v, source, k);
    const ours = {
      linear: "linear",
      cosine: "cosine",
      constant: "constant",
      constant_with_warmup: "constant",
    }[s];
    if (!ours) {
      fail(source, k, `"${s}": linear, cosine, constant and constant_with_warmup are read here`);
    }
    ctx.set("train", "schedule", ours);
  },
  warmup_ratio: to("train", "warmup_ratio", "number"),
  warmup_steps: (v, ctx, k, source) => {
    // (transformers ≥ 4.56 reads a float < 1 as a ratio)
    const n = asNumber(v, source, k);
    if (n > 0 && n < 1) ctx.set("train", "warmup_ratio", n);
    else ctx.set("train", "warmup_steps", asInt(v, source, k));
  },
  weight_decay: to("train", "weight_decay", "number"),
  max_grad_norm: to("train", "max_grad_norm", "number"),
  adam_beta1: to("train", "beta1", "number"),
  adam_beta2: to("train", "beta2", "number"),
  adam_epsilon: to("train", "eps", "number"),
  optim: only(["adamw_torch", "adamw_torch_fused", "adamw_hf"], "only AdamW is implemented here"),
  seed: (v, ctx, k, source) => {
    ctx.set("train", "seed", asInt(v, source, k));
    ctx.set("data", "split_seed", asInt(v, source, k));
  },
  data_seed: to("data", "split_seed", "int"),
  logging_steps: (v, ctx, k, source) =>
    ctx.set("train", "log_every", Math.max(1, Math.round(asNumber(v, source, k)))),
  save_steps: (v, ctx, k, source) => {
    if (ctx.raw.save_strategy === "no" || ctx.raw.save_strategy === "epoch") return;
    ctx.set("train", "save_every", Math.max(0, Math.round(asNumber(v, source, k))));
  },
  save_strategy: only(["steps", "no"], 'only "steps" (save_steps) and "no" are read here'),
  save_total_limit: (v, ctx, k, source) => {
    if (v !== null) ctx.set("train", "keep_last", asInt(v, source, k));
  },
  eval_steps: (v, ctx, k, source) => {
    const strategy = ctx.raw.eval_strategy ?? ctx.raw.evaluation_strategy;
    if (strategy === "steps") ctx.set("train", "eval_every", Math.round(asNumber(v, source, k)));
  },
  eval_strategy: only(["no", "steps"], 'only "no" and "steps" (eval_steps) are read here'),
  evaluation_strategy: only(["no", "steps"], 'only "no" and "steps" (eval_steps) are read here'),
  gradient_checkpointing: to("train", "gradient_checkpointing", "bool"),
  bf16: noted("training here is float32 throughout"),
  fp16: noted("training here is float32 throughout"),
  tf32: noted("training here is float32 throughout"),
  do_train: only([true], "this trainer trains"),
  do_eval: noted("held-out pairs are evaluated when the split has any"),
  per_device_eval_batch_size: noted("evaluation batches are train.pairs_per_batch"),
  report_to: noted("metrics go to the run folder's metrics.jsonl and charts"),
  run_name: noted("the run folder's name comes from output_dir"),
  logging_dir: noted("metrics go to the run folder"),
  logging_first_step: noted("every logged step is written"),
  save_only_model: noted("checkpoints hold the optimizer too, for exact resume"),
  ddp_timeout: noted("one device"),
  ddp_find_unused_parameters: noted("one device"),
  deepspeed: refused("one device; ZeRO is not needed nor read here"),
  dataloader_num_workers: noted("data are prepared before training"),
  remove_unused_columns: noted("rows are read by their format"),
  push_to_hub: refused("the Hub is not reached from here"),
  hub_model_id: refused("the Hub is not reached from here"),
};

/** Names of losses both tools call alike and this trainer implements. */
const LF_LOSSES: Record<string, string> = {
  sigmoid: "sigmoid",
  hinge: "hinge",
  ipo: "ipo",
  simpo: "simpo",
  orpo: "orpo",
  kto_pair: "kto_pair",
};

/**
 * TRL's KTOConfig weights: keys of no other trainer's config, so a file with them and no
 * `loss_type` is a KTOConfig, whose loss_type defaults to kto (not DPOConfig's sigmoid).
 */
function ktoWeight(key: "desirable_weight" | "undesirable_weight"): Handler {
  return (v, ctx, k, source) => {
    ctx.set("loss", key, asNumber(v, source, k));
    if (ctx.raw.loss_type === undefined) {
      ctx.set("loss", "variant", "kto");
      if (key === "desirable_weight" || ctx.raw.desirable_weight === undefined) {
        ctx.note(`${k}: a KTOConfig key, and no loss_type: the kto loss (KTOConfig's default)`);
      }
    }
  };
}

/** LLaMA-Factory's keys (`stage: dpo`). */
const LLAMAFACTORY: Record<string, Handler> = {
  ...TRAINING_ARGS,
  stage: (v, ctx, k, source) => {
    if (v === "kto") {
      ctx.set("loss", "variant", "kto");
      ctx.note(
        `${k}: kto trains on kto_tag datasets (and TRL's unpaired rows) as LLaMA-Factory does; ` +
          "preference pairs, which LLaMA-Factory's kto stage does not read, are unpaired here " +
          "as TRL does; KL completions follow TRL's rule (the example before, in groups of " +
          "train.pairs_per_batch, at least 2), where LLaMA-Factory pairs example i with n − 1 − i",
      );
    } else if (v !== "dpo") {
      fail(source, k, `"${v}": stages dpo and kto are read here (preference data)`);
    }
  },
  kto_chosen_weight: to("loss", "desirable_weight", "number"),
  kto_rejected_weight: to("loss", "undesirable_weight", "number"),
  model_name_or_path: to("model", "path", "string"),
  adapter_name_or_path: (v, ctx, k, source) => {
    if (v === null) return;
    const list = asList(v, source, k);
    if (list.length !== 1) fail(source, k, "one adapter folder is read here");
    ctx.set("model", "adapter", list[0]);
    // LLaMA-Factory's reference is the model without the adapter it trains on (the adapter
    // disabled).
    if (typeof ctx.raw.model_name_or_path === "string" && !ctx.raw.ref_model) {
      ctx.set("model", "ref", ctx.raw.model_name_or_path);
      ctx.note(
        `${k}: the reference is model_name_or_path without the adapter, as in LLaMA-Factory ` +
          "(unset model.ref to compare with the adapted model instead)",
      );
    }
  },
  ref_model: to("model", "ref", "string"),
  ref_model_adapters: refused("the reference is a model folder here (model.ref)"),
  template: noted(
    "the tokenizer's own chat template is used; LLaMA-Factory's template names are not read",
  ),
  trust_remote_code: noted("architectures are built in here"),
  cache_dir: noted("models are read from local folders here"),
  flash_attn: noted("attention kernels are this trainer's own (train.attention)"),
  enable_liger_kernel: noted("kernels are this trainer's own"),
  use_fast_tokenizer: noted("tokenizer.json is read by @huggingface/tokenizers"),
  finetuning_type: (v, ctx, k, source) => {
    if (v === "full") ctx.set("lora", "rank", 0);
    else if (v !== "lora") fail(source, k, `"${v}": lora and full are read here`);
  },
  lora_rank: () => {},
  lora_alpha: (v, ctx, k, source) => {
    if (v !== null) ctx.set("lora", "alpha", asNumber(v, source, k));
  },
  lora_dropout: to("lora", "dropout", "number"),
  lora_target: loraTargets,
  use_rslora: to("lora", "rslora", "bool"),
  use_dora: to("lora", "dora", "bool"),
  additional_target: refused("only LoRA adapters train here (no modules_to_save)"),
  create_new_adapter: refused("with adapter_name_or_path, training continues that adapter here"),
  loraplus_lr_ratio: refused("LoRA+ is not implemented here"),
  pissa_init: refused("PiSSA is not implemented here"),
  pref_beta: to("loss", "beta", "number"),
  pref_ftx: (v, ctx, k, source) => {
    const w = asNumber(v, source, k);
    ctx.set("loss", "nll_alpha", w);
    if (w > 0) {
      ctx.note(
        `${k}: the NLL term is a token mean over the batch's chosen responses here (TRL's), ` +
          "LLaMA-Factory's a mean of each response's token mean: they differ when lengths do",
      );
    }
  },
  pref_bco_weight: only([0, 0.0], "LLaMA-Factory's BCO mix is not implemented here"),
  pref_loss: (v, ctx, k, source) => {
    const s = asString(v, source, k), ours = LF_LOSSES[s];
    if (ctx.raw.stage === "kto") {
      ctx.note(`${k}: stage kto trains the kto loss; ${k} (${s}) is not used, as in LLaMA-Factory`);
      return;
    }
    if (!ours) fail(source, k, `"${s}": ${Object.keys(LF_LOSSES).join(", ")} are read here`);
    ctx.set("loss", "variant", ours);
    if (ours === "orpo") {
      ctx.note(
        `${k}: orpo's NLL term is a token mean over the batch's chosen responses here (TRL's ` +
          "ORPO), LLaMA-Factory's a mean of each response's token mean",
      );
    }
  },
  simpo_gamma: () => {},
  dpo_label_smoothing: to("loss", "label_smoothing", "number"),
  ld_alpha: to("loss", "ld_alpha", "number"),
  dataset: (v, ctx, k, source) => {
    const list = asList(v, source, k);
    ctx.set("data", "dataset", list.join(","));
    if (list.length > 1 && typeof ctx.raw.max_samples === "number") {
      ctx.note(
        "max_samples: the first N pairs of the datasets together here, LLaMA-Factory's of each",
      );
    }
  },
  dataset_dir: to("data", "path", "string"),
  eval_dataset: refused("held-out pairs are split off the dataset here (val_size)"),
  cutoff_len: (v, ctx, k, source) => {
    ctx.set("tokenize", "max_length", asInt(v, source, k));
    ctx.note(
      `${k}: the limit of prompt + response; a long prompt keeps its end here (at most half, ` +
        "TRL's rule), where LLaMA-Factory keeps its start and splits by length",
    );
  },
  max_samples: (v, ctx, k, source) => {
    if (v !== null) ctx.set("data", "max_samples", asInt(v, source, k));
  },
  val_size: (v, ctx, k, source) => {
    const n = asNumber(v, source, k);
    if (n >= 1) ctx.set("data", "eval_size", asInt(v, source, k));
    else ctx.set("data", "eval_fraction", n);
  },
  packing: refused("pairs are never packed together here"),
  neat_packing: refused("pairs are never packed together here"),
  mask_history: refused("multi-turn prompts are never masked here"),
  streaming: refused("datasets are read whole here"),
  tokenized_path: refused("tokenized data are cached by this trainer itself (run.cache_dir)"),
  overwrite_cache: noted("the tokenize cache is keyed by everything it depends on"),
  preprocessing_num_workers: noted("tokenizing runs in one process"),
  disable_gradient_checkpointing: (v, ctx, k, source) =>
    ctx.set("train", "gradient_checkpointing", !asBool(v, source, k)),
  plot_loss: noted("the run folder always gets its charts"),
  pure_bf16: noted("training here is float32 throughout"),
  quantization_method: only(["bnb", "bitsandbytes"], "bitsandbytes' formats are read here"),
  quantization_bit: (v, ctx, k, source) => {
    if (v === null) return;
    const bits = asInt(v, source, k);
    if (ctx.raw.finetuning_type === "full") {
      fail(source, k, "quantized weights train through LoRA adapters only (finetuning_type lora)");
    }
    if (bits === 8) ctx.set("model", "quantize", "int8");
    else if (bits === 4) {
      ctx.set("model", "quantize", "nf4");
      // (double_quantization: LLaMA-Factory's default true)
      if (ctx.raw.double_quantization !== false) ctx.note(nestedNote("double_quantization"));
    } else fail(source, k, `${bits}: 4 (nf4) and 8 (int8) are read here`);
  },
  quantization_type: (v, ctx, k, source) => {
    if (ctx.raw.quantization_bit === 4) fourBitType(v, ctx, k, source);
  },
  double_quantization: (v, _ctx, k, source) => void asBool(v, source, k),
  quantization_device_map: noted("one device"),
  ddp_timeout: noted("one device"),
};

/** TRL's default target modules are PEFT's per architecture: asked for by name here. */
const TRL: Record<string, Handler> = {
  ...TRAINING_ARGS,
  model_name_or_path: to("model", "path", "string"),
  ref_model_init_kwargs: noted("the reference is read as the model is"),
  model_init_kwargs: noted("models are read from local folders here"),
  dtype: noted("training here is float32 throughout"),
  torch_dtype: noted("training here is float32 throughout"),
  attn_implementation: noted("attention kernels are this trainer's own (train.attention)"),
  trust_remote_code: noted("architectures are built in here"),
  load_in_4bit: (v, ctx, k, source) => {
    if (!asBool(v, source, k)) return;
    if (ctx.raw.load_in_8bit === true) fail(source, k, "with load_in_8bit: one of them");
    peftOnly(ctx, k, source);
    ctx.set("model", "quantize", "nf4");
  },
  load_in_8bit: (v, ctx, k, source) => {
    if (!asBool(v, source, k)) return;
    peftOnly(ctx, k, source);
    ctx.set("model", "quantize", "int8");
  },
  bnb_4bit_quant_type: (v, ctx, k, source) => {
    if (ctx.raw.load_in_4bit === true) fourBitType(v, ctx, k, source);
  },
  use_bnb_nested_quant: (v, ctx, k) => {
    if (v === true) ctx.note(nestedNote(k));
  },
  dataset_name: to("data", "path", "string"),
  dataset_config: refused("a data file or LLaMA-Factory folder is read here (data.path)"),
  dataset_train_split: only(["train"], "the file's rows are the training split here"),
  dataset_test_split: noted("held-out pairs are split off the training rows (data.eval_fraction)"),
  beta: to("loss", "beta", "number"),
  loss_type: (v, ctx, k, source) =>
    ctx.set(
      "loss",
      "variant",
      asList(v, source, k).map((t) => t === "aot_unpaired" ? "aot_pair" : t).join(","),
    ),
  discopop_tau: to("loss", "discopop_tau", "number"),
  desirable_weight: ktoWeight("desirable_weight"),
  undesirable_weight: ktoWeight("undesirable_weight"),
  disable_dropout: () => {},
  dataset_num_proc: noted("tokenizing runs in one process"),
  use_logits_to_keep: noted("only response tokens' logits are computed here"),
  precompute_ref_batch_size: noted("the reference cache batches as training does"),
  force_use_ref_model: noted("the reference is always a cached model here"),
  ref_model_mixup_alpha: noted("the reference is frozen here"),
  ref_model_sync_steps: noted("the reference is frozen here"),
  model_adapter_name: refused("one model is trained here (model.adapter to start from an adapter)"),
  ref_adapter_name: refused("the reference is a model folder here (model.ref)"),
  tools: refused("tool definitions are not read here"),
  loss_weights: (v, ctx, k, source) => {
    if (v === null) return;
    if (!Array.isArray(v)) fail(source, k, "a list of numbers");
    ctx.set("loss", "weights", (v as unknown[]).map((x) => asNumber(x, source, k)).join(","));
  },
  label_smoothing: to("loss", "label_smoothing", "number"),
  rpo_alpha: (v, ctx, k, source) => {
    if (v !== null) ctx.set("loss", "nll_alpha", asNumber(v, source, k));
  },
  use_weighting: to("loss", "use_weighting", "bool"),
  ld_alpha: (v, ctx, k, source) => {
    if (v !== null) ctx.set("loss", "ld_alpha", asNumber(v, source, k));
  },
  f_divergence_type: to("loss", "f_divergence_type", "string"),
  f_alpha_divergence_coef: to("loss", "f_alpha_divergence_coef", "number"),
  reference_free: to("loss", "reference_free", "bool"),
  ref_model: to("model", "ref", "string"),
  max_length: (v, ctx, k, source) => {
    if (v !== null) ctx.set("tokenize", "max_length", asInt(v, source, k));
  },
  max_prompt_length: (v, ctx, k, source) => {
    if (v !== null) ctx.set("tokenize", "max_prompt_length", asInt(v, source, k));
  },
  max_completion_length: (v, ctx, k, source) => {
    if (v !== null) ctx.set("tokenize", "max_completion_length", asInt(v, source, k));
  },
  truncation_mode: only(["keep_end"], "prompts keep their end here (keep_end)"),
  precompute_ref_log_probs: noted("the reference's log-probs are always computed once and cached"),
  padding_free: noted("batches skip padding here whenever that is faster"),
  use_peft: () => {},
  lora_r: () => {},
  lora_alpha: to("lora", "alpha", "number"),
  lora_dropout: (v, ctx, k, source) => {
    // DPOConfig's disable_dropout (default true) zeroes every dropout, PEFT's included.
    const p = asNumber(v, source, k);
    if (ctx.raw.disable_dropout === false) ctx.set("lora", "dropout", p);
    else if (p > 0) {
      ctx.note(`${k}: 0 in effect, as disable_dropout (default true) makes it in TRL`);
    }
  },
  lora_target_modules: loraTargets,
  use_rslora: to("lora", "rslora", "bool"),
  use_dora: to("lora", "dora", "bool"),
  lora_modules_to_save: refused("only LoRA adapters train here (no modules_to_save)"),
  lora_task_type: only(["CAUSAL_LM"], "causal language models train here"),
  sync_ref_model: refused("the reference is frozen here"),
  generate_during_eval: noted("evaluation generates on held-out prompts (eval.generate)"),
};

/**
 * Translates a LLaMA-Factory or TRL run file to this trainer's sections (see the module header),
 * with notes for the user; throws a ConfigKeyError naming the file and the key it cannot read.
 *
 * @example
 * ```ts
 * import { translateConfig } from "./foreign_config.ts";
 * const t = translateConfig({ stage: "dpo", finetuning_type: "lora", pref_beta: 0.1 }, "dpo.yaml");
 * console.log(t.config.lora.rank, t.config.train.lr); // 8 0.00005
 * ```
 */
export function translateConfig(object: Record<string, unknown>, source: string): Translated {
  const kind = foreignKind(object);
  if (!kind) throw new ConfigKeyError(`${source}: not a LLaMA-Factory or TRL run file`);
  const config: Record<string, Record<string, unknown>> = {};
  const notes: string[] = [];
  const ctx: Ctx = {
    set: (section, key, value) => (config[section] ??= {})[key] = value,
    note: (m) => notes.push(m),
    raw: object,
  };
  const table = kind === "llamafactory" ? LLAMAFACTORY : TRL;
  // Their defaults where they differ from ours, before the file's own keys.
  if (kind === "llamafactory") {
    ctx.set("train", "lr", 5e-5); // TrainingArguments' learning_rate
    ctx.set("train", "gradient_checkpointing", true); // unless disable_gradient_checkpointing
    ctx.set("tokenize", "max_length", 2048); // cutoff_len
    ctx.set("data", "eval_fraction", 0); // val_size: every row trains
    ctx.set("data", "path", "data"); // dataset_dir
    const lora = (object.finetuning_type ?? "lora") === "lora";
    const adapter = object.adapter_name_or_path;
    if (adapter && !lora) {
      fail(
        source,
        "adapter_name_or_path",
        "LLaMA-Factory takes an adapter with finetuning_type lora only",
      );
    }
    if (lora) {
      // (Continuing an adapter: its own rank, unless the file names one.)
      const rank = object.lora_rank !== undefined
        ? asInt(object.lora_rank, source, "lora_rank")
        : typeof adapter === "string"
        ? adapterRank(adapter) ?? 8
        : 8;
      ctx.set("lora", "rank", rank);
      ctx.set("lora", "target", "all-linear"); // lora_target: all
    }
    if (object.pref_loss === "simpo") {
      ctx.set(
        "loss",
        "gamma",
        object.simpo_gamma === undefined
          ? 0.5
          : asNumber(object.simpo_gamma, source, "simpo_gamma"),
      );
    }
  } else {
    ctx.set("data", "eval_fraction", 0); // the test split is another split
    ctx.set("train", "gradient_checkpointing", true); // DPOConfig's default
    ctx.set("train", "log_every", 10); // DPOConfig's logging_steps
    if (object.use_peft === true) {
      ctx.set(
        "lora",
        "rank",
        object.lora_r === undefined ? 16 : asInt(object.lora_r, source, "lora_r"),
      );
      ctx.set("lora", "alpha", 32);
      // (ModelConfig's lora_dropout 0.05, zeroed by DPOConfig's disable_dropout unless false)
      if (object.disable_dropout === false) ctx.set("lora", "dropout", 0.05);
      if (object.lora_target_modules === undefined || object.lora_target_modules === null) {
        fail(
          source,
          "lora_target_modules",
          "unset, PEFT picks a default per architecture; name the modules here (q_proj,v_proj, " +
            "or all-linear)",
        );
      }
    }
  }
  for (const [key, value] of Object.entries(object)) {
    const handler = table[key];
    if (!handler) {
      fail(
        source,
        key,
        `not a ${kind === "llamafactory" ? "LLaMA-Factory" : "TRL"} key this trainer reads ` +
          "(see the README's list)",
      );
    }
    handler(value, ctx, key, source);
  }
  // transformers' `constant` schedule has no warmup (`constant_with_warmup` has); this trainer's
  // constant schedule warms up when told to.
  const warm = (object.warmup_steps as number) > 0 || (object.warmup_ratio as number) > 0;
  if (object.lr_scheduler_type === "constant" && warm) {
    ctx.set("train", "warmup_steps", 0);
    ctx.set("train", "warmup_ratio", 0);
    ctx.note(
      "lr_scheduler_type: constant has no warmup in transformers; the warmup keys are ignored",
    );
  }
  return { kind, config, notes };
}

/** The rank `r` in an adapter folder's `adapter_config.json`, or null where it cannot be read. */
function adapterRank(dir: string): number | null {
  try {
    const r = JSON.parse(Deno.readTextFileSync(`${dir}/adapter_config.json`)).r;
    return Number.isInteger(r) && r > 0 ? r : null;
  } catch {
    return null;
  }
}
