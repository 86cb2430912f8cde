import assert from "node:assert/strict";
import { foreignKind, translateConfig } from "../pipeline/foreign_config.ts";
import { applyObject, defaults, readRunConfig, RUN_SCHEMA } from "../pipeline/run_config.ts";

/** LLaMA-Factory's own example, examples/train_lora/llama3_lora_dpo.yaml, in its shape. */
const LF_EXAMPLE = {
  model_name_or_path: "models/llama3",
  trust_remote_code: true,
  stage: "dpo",
  do_train: true,
  finetuning_type: "lora",
  lora_rank: 8,
  lora_target: "all",
  pref_beta: 0.1,
  pref_loss: "sigmoid",
  dataset: "dpo_en_demo",
  template: "llama3",
  cutoff_len: 2048,
  max_samples: 1000,
  overwrite_cache: true,
  preprocessing_num_workers: 16,
  dataloader_num_workers: 4,
  output_dir: "saves/llama3-8b/lora/dpo",
  logging_steps: 10,
  save_steps: 500,
  plot_loss: true,
  overwrite_output_dir: true,
  save_only_model: false,
  report_to: "none",
  per_device_train_batch_size: 1,
  gradient_accumulation_steps: 8,
  learning_rate: 5.0e-6,
  num_train_epochs: 3.0,
  lr_scheduler_type: "cosine",
  warmup_ratio: 0.1,
  bf16: true,
  ddp_timeout: 180000000,
  resume_from_checkpoint: null,
};

Deno.test("foreign configs: a LLaMA-Factory DPO file becomes this trainer's run", () => {
  assert.equal(foreignKind(LF_EXAMPLE), "llamafactory");
  const t = translateConfig(LF_EXAMPLE, "dpo.yaml");
  const c = applyObject(defaults(), t.config, "dpo.yaml");
  assert.deepEqual(
    [c.model.path, c.data.path, c.data.dataset, c.data.eval_fraction, c.data.max_samples],
    ["models/llama3", "data", "dpo_en_demo", 0, 1000],
  );
  assert.deepEqual([c.lora.rank, c.lora.alpha, c.lora.target], [8, null, "all"]);
  assert.deepEqual([c.loss.variant, c.loss.beta, c.loss.nll_alpha], ["sigmoid", 0.1, 0]);
  assert.deepEqual(
    [c.train.pairs_per_batch, c.train.grad_accum_steps, c.train.lr, c.train.epochs],
    [1, 8, 5e-6, 3],
  );
  assert.deepEqual([c.train.schedule, c.train.warmup_ratio, c.train.log_every], [
    "cosine",
    0.1,
    10,
  ]);
  assert.deepEqual([c.train.save_every, c.train.gradient_checkpointing], [500, true]);
  assert.deepEqual([c.run.out_dir, c.run.name, c.run.overwrite], [
    "saves/llama3-8b/lora",
    "dpo",
    true,
  ]);
  // Keys that change nothing here are noted, each once.
  assert.ok(t.notes.some((n) => n.startsWith("template: the tokenizer's own chat template")));
  assert.ok(t.notes.some((n) => n.startsWith("bf16: training here is float32")));
  // LLaMA-Factory's defaults where they differ from this trainer's.
  const bare = applyObject(defaults(), translateConfig({ stage: "dpo" }, "x.yaml").config, "x");
  assert.deepEqual([bare.lora.rank, bare.train.lr, bare.tokenize.max_length], [8, 5e-5, 2048]);
  const full = translateConfig(
    { stage: "dpo", finetuning_type: "full", disable_gradient_checkpointing: true },
    "x",
  ).config;
  assert.deepEqual([full.lora?.rank, full.train.gradient_checkpointing], [0, false]);
  const simpo = translateConfig({ stage: "dpo", pref_loss: "simpo", pref_ftx: 0.5 }, "x").config;
  assert.deepEqual([simpo.loss.variant, simpo.loss.gamma, simpo.loss.nll_alpha], [
    "simpo",
    0.5,
    0.5,
  ]);
  // Continuing an adapter: LLaMA-Factory's reference is the model without it.
  const cont = translateConfig(
    { stage: "dpo", model_name_or_path: "m", adapter_name_or_path: "saves/sft" },
    "x",
  ).config;
  assert.deepEqual([cont.model.adapter, cont.model.ref], ["saves/sft", "m"]);
  // … at the adapter's own rank where the file names none; not with full fine-tuning.
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/adapter_config.json`, JSON.stringify({ r: 16 }));
    const own = translateConfig({ stage: "dpo", adapter_name_or_path: dir }, "x").config;
    assert.equal(own.lora.rank, 16);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assert.throws(
    () =>
      translateConfig({ stage: "dpo", finetuning_type: "full", adapter_name_or_path: "a" }, "x"),
    /adapter_name_or_path: LLaMA-Factory takes an adapter with finetuning_type lora only/,
  );
  // transformers' constant schedule has no warmup.
  const constant = translateConfig(
    { stage: "dpo", lr_scheduler_type: "constant", warmup_ratio: 0.1 },
    "x",
  );
  assert.deepEqual(
    [constant.config.train.schedule, constant.config.train.warmup_ratio],
    ["constant", 0],
  );
  assert.ok(constant.notes.some((n) => n.startsWith("lr_scheduler_type: constant has no warmup")));
  const two = translateConfig({ stage: "dpo", dataset: ["a", "b"], max_samples: 5 }, "x");
  assert.equal(two.config.data.dataset, "a,b");
  assert.ok(two.notes.some((n) => n.startsWith("max_samples: the first N pairs of the datasets")));
  const orpo = translateConfig({ stage: "dpo", pref_loss: "orpo", pref_beta: 0.1 }, "x");
  assert.deepEqual([orpo.config.loss.variant, orpo.config.loss.beta], ["orpo", 0.1]);
  const held = translateConfig({ stage: "dpo", val_size: 0.1 }, "x").config;
  assert.equal(held.data.eval_fraction, 0.1);
  assert.equal(translateConfig({ stage: "dpo", val_size: 50 }, "x").config.data.eval_size, 50);
});

Deno.test("foreign configs: what this trainer cannot honour is refused, naming file and key", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ stage: "sft" }, /a.yaml: stage: "sft": stages dpo and kto/],
    [{ stage: "dpo", pref_loss: "kto" }, /a.yaml: pref_loss: "kto": sigmoid, hinge/],
    [{ stage: "dpo", finetuning_type: "freeze" }, /finetuning_type: "freeze"/],
    [{ stage: "dpo", lr_scheduler_type: "polynomial" }, /lr_scheduler_type: "polynomial"/],
    [{ stage: "dpo", num_train_epochs: 1.5 }, /num_train_epochs: 1.5: only whole epochs/],
    [{ stage: "dpo", quantization_bit: 3 }, /quantization_bit: 3: 4 \(nf4\) and 8 \(int8\)/],
    [{ stage: "dpo", something_new: 1 }, /something_new: not a LLaMA-Factory key/],
    [{ beta: 0.1, use_peft: true }, /lora_target_modules: unset, PEFT picks a default/],
    [{ beta: 0.1, truncation_mode: "keep_start" }, /truncation_mode: "keep_start"/],
    [
      {
        beta: 0.1,
        use_peft: true,
        lora_target_modules: "all",
        load_in_4bit: true,
        bnb_4bit_quant_type: "fp4",
      },
      /bnb_4bit_quant_type: "fp4": 4-bit weights/,
    ],
  ];
  for (const [object, want] of cases) {
    assert.throws(() => translateConfig(object, "a.yaml"), want, JSON.stringify(object));
  }
});

Deno.test("foreign configs: a TRL DPO file becomes this trainer's run", () => {
  const trl = {
    model_name_or_path: "models/qwen",
    dataset_name: "data/pairs.jsonl",
    beta: 0.05,
    loss_type: ["sigmoid", "bco_pair"],
    loss_weights: [0.8, 0.2],
    rpo_alpha: 1.0,
    max_length: 1024,
    max_prompt_length: 512,
    learning_rate: 5e-7,
    per_device_train_batch_size: 2,
    gradient_accumulation_steps: 4,
    gradient_checkpointing: true,
    use_peft: true,
    lora_r: 32,
    lora_target_modules: ["q_proj", "v_proj"],
    output_dir: "out/qwen-dpo",
    eval_strategy: "steps",
    eval_steps: 50,
    bf16: true,
  };
  assert.equal(foreignKind(trl), "trl");
  const c = applyObject(defaults(), translateConfig(trl, "trl.yaml").config, "trl.yaml");
  assert.deepEqual(
    [c.model.path, c.data.path, c.loss.beta, c.loss.variant, c.loss.weights, c.loss.nll_alpha],
    ["models/qwen", "data/pairs.jsonl", 0.05, "sigmoid,bco_pair", "0.8,0.2", 1],
  );
  // ModelConfig's LoRA defaults (α 32; dropout 0.05, zeroed by DPOConfig's disable_dropout).
  assert.deepEqual(
    [c.lora.rank, c.lora.alpha, c.lora.dropout, c.lora.target],
    [32, 32, 0, "q_proj,v_proj"],
  );
  const dropping = translateConfig({ ...trl, disable_dropout: false }, "x").config;
  assert.equal(dropping.lora.dropout, 0.05);
  assert.deepEqual(
    [c.train.lr, c.train.pairs_per_batch, c.train.eval_every, c.train.gradient_checkpointing],
    [5e-7, 2, 50, true],
  );
  assert.deepEqual([c.tokenize.max_length, c.tokenize.max_prompt_length], [1024, 512]);
  // Without use_peft, the LoRA keys' defaults train nothing.
  const plain = translateConfig({ beta: 0.1, lora_r: 8 }, "x").config;
  assert.equal(plain.lora?.rank, undefined);
});

Deno.test("foreign configs: this trainer's own files are never read as another's", async () => {
  assert.equal(
    foreignKind({ loss: { beta: 0.1 }, train: { lr: 1e-5 } }, Object.keys(RUN_SCHEMA)),
    null,
  );
  assert.equal(foreignKind({}), null);
  assert.equal(foreignKind([1, 2]), null);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/lf.yaml`, "stage: dpo\npref_beta: 0.2\nbf16: true\n");
    const notes: string[] = [];
    const c = await readRunConfig(`${dir}/lf.yaml`, undefined, { onNote: (m) => notes.push(m) });
    assert.equal(c.loss.beta, 0.2);
    assert.match(notes[0], /lf.yaml: read as a LLaMA-Factory run file/);
    assert.ok(notes.some((n) => /lf.yaml: bf16: training here is float32/.test(n)));
    // A key of neither kind in a sectioned file is still this trainer's error.
    await Deno.writeTextFile(`${dir}/own.yaml`, "loss:\n  betta: 0.2\n");
    await assert.rejects(() => readRunConfig(`${dir}/own.yaml`), /unknown key "loss.betta"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("foreign configs: LLaMA-Factory's own KTO example reads as it is (one example a batch)", () => {
  // examples/train_lora/qwen3_lora_kto.yaml: the DPO example's keys with stage kto, no pref_loss.
  const { pref_loss: _, ...rest } = LF_EXAMPLE;
  const t = translateConfig(
    { ...rest, stage: "kto", dataset: "kto_en_demo", template: "qwen3_nothink" },
    "qwen3_lora_kto.yaml",
  );
  assert.equal(t.config.loss.variant, "kto");
  assert.equal(t.config.loss.beta, 0.1);
  assert.equal(t.config.train.pairs_per_batch, 1);
  assert.equal(t.config.train.grad_accum_steps, 8);
  const c = applyObject(defaults(RUN_SCHEMA), t.config, "qwen3_lora_kto.yaml");
  assert.equal(c.loss.variant, "kto");
});
