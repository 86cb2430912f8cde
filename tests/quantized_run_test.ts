/**
 * `model.quantize` through the commands: a QLoRA-style run on packed weights, its reference, its
 * saved model, resume, eval and score, and the run files of LLaMA-Factory and TRL that ask for it.
 */
import assert from "node:assert/strict";
import { loadModel } from "../model/io.ts";
import { loadAdapter, mergeLora } from "../model/lora.ts";
import { translateConfig } from "../pipeline/foreign_config.ts";
import { bitEqual } from "../testing/gpu_harness.ts";
import { runQuietly, tinyTest } from "../testing/commands.ts";
import { tinyRunFlags } from "../testing/tiny_run.ts";

const run = runQuietly;

const rows = async (path: string) =>
  (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l));

tinyTest(
  "quantize: an nf4 LoRA run starts at its packed reference, saves the full-precision merge",
  async (dir, tiny) => {
    const flags = (name: string, steps = 2) => tinyRunFlags(dir, tiny, name, steps);
    const lora = ["--lora.rank", "2", "--train.lr", "0.02"];
    // Packed weights cannot train: refused without adapters, before anything is written.
    let r = await run(["train", ...flags("full"), "--model.quantize", "nf4"]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /model.quantize nf4 holds the model's weights in a form that cannot train: set lora.rank/,
    );
    // The float32 run first: the packed run must not reuse its reference log-probs.
    r = await run(["train", ...flags("f"), ...lora]);
    assert.equal(r.code, 0, r.err);
    r = await run([
      "train",
      ...flags("q", 3),
      ...lora,
      "--model.quantize",
      "nf4",
      "--train.save_every",
      "2",
    ]);
    assert.equal(r.code, 0, r.err);
    // Its reference log-probs are its own (keyed by the format too), not the float32 run's.
    const caches = [...Deno.readDirSync(`${dir}/cache`)].filter((e) => e.name.startsWith("ref-"));
    assert.equal(caches.length, 4, "train and held-out caches of each run");
    // Its reference is the packed model, so fresh adapters start on it: loss ln 2 exactly as
    // far as float32 goes, which a float32 reference would not give (nf4 moves the log-probs).
    const q = await rows(`${dir}/runs/q/metrics.jsonl`),
      f = await rows(`${dir}/runs/f/metrics.jsonl`);
    assert.ok(Math.abs(q[0].loss - Math.LN2) < 1e-6, `first loss ${q[0].loss}`);
    assert.ok(
      Math.abs(q[0]["logps/chosen"] - f[0]["logps/chosen"]) > 1e-4,
      "nf4 changed the log-probs",
    );
    // The saved model: the adapters merged into the model's own weights, not their nf4 values.
    const base = await loadModel(tiny.model);
    const adapter = await loadAdapter(`${dir}/runs/q/model/adapter`, base.config);
    const saved = await loadModel(`${dir}/runs/q/model`);
    const want = mergeLora(base.config, adapter.spec, base.params, adapter.values);
    for (const [name, v] of want) assert.ok(bitEqual(saved.params.get(name)!, v), name);
    // Continuing its adapter on the packed model: the reference is that packed model with the
    // adapter, as the policy starts, so the first loss is ln 2 again.
    r = await run([
      "train",
      ...flags("c"),
      ...lora,
      "--model.quantize",
      "nf4",
      "--model.adapter",
      `${dir}/runs/q/model/adapter`,
    ]);
    assert.equal(r.code, 0, r.err);
    const cont = await rows(`${dir}/runs/c/metrics.jsonl`);
    assert.ok(Math.abs(cont[0].loss - Math.LN2) < 1e-6, `continued: first loss ${cont[0].loss}`);
    // Resuming it with another format is refused: its checkpoints trained on nf4.
    r = await run([
      "train",
      ...flags("q", 3),
      ...lora,
      "--model.quantize",
      "int8",
      "--run.resume",
      "true",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /Cannot resume .* another training configuration/);
    // eval of the adapter on the packed model gives the run's own held-out metrics.
    r = await run([
      "eval",
      ...tinyRunFlags(dir, tiny, "e", 1),
      "--ref",
      tiny.model,
      "--model.adapter",
      `${dir}/runs/q/model/adapter`,
      "--model.quantize",
      "nf4",
    ]);
    assert.equal(r.code, 0, r.err);
    const e = JSON.parse(await Deno.readTextFile(`${dir}/runs/e/eval.json`)).metrics;
    const last = q.findLast((row) => "eval_loss" in row);
    for (const k of ["eval_loss", "eval_rewards/margins", "eval_logps/chosen"]) {
      assert.ok(
        Math.abs(e[k] - last[k]) <= 1e-5 * Math.max(1, Math.abs(last[k])),
        `${k}: ${e[k]} vs ${last[k]}`,
      );
    }
  },
);

Deno.test("quantize: LLaMA-Factory's quantization_bit and TRL's load_in_4bit/8bit translate", () => {
  const lf = (extra: Record<string, unknown>) =>
    translateConfig({ stage: "dpo", finetuning_type: "lora", ...extra }, "lf.yaml");
  assert.equal(lf({ quantization_bit: 4 }).config.model.quantize, "nf4");
  assert.equal(lf({ quantization_bit: 8 }).config.model.quantize, "int8");
  // double_quantization (its default true): the same values, noted as a little more memory.
  assert.match(lf({ quantization_bit: 4 }).notes.join("\n"), /nf4's block scales stay float32/);
  assert.equal(lf({ quantization_bit: 8 }).notes.length, 0);
  assert.throws(
    () => lf({ quantization_bit: 2 }),
    /lf\.yaml.*quantization_bit.*2: 4 \(nf4\) and 8 \(int8\)/s,
  );
  assert.throws(
    () => lf({ quantization_bit: 4, quantization_type: "fp4" }),
    /quantization_type.*"fp4"/s,
  );
  assert.throws(
    () => lf({ quantization_bit: 4, quantization_method: "hqq" }),
    /quantization_method.*"hqq"/s,
  );
  // The 4-bit type is read only when 4-bit weights are asked for; full fine-tuning is refused.
  assert.equal(lf({ quantization_type: "fp4" }).config.model?.quantize, undefined);
  assert.throws(
    () => lf({ finetuning_type: "full", quantization_bit: 4 }),
    /quantization_bit.*through LoRA adapters only/s,
  );
  const trl = (extra: Record<string, unknown>) =>
    translateConfig({ use_peft: true, lora_target_modules: "all-linear", ...extra }, "trl.yaml");
  assert.equal(trl({ load_in_4bit: true }).config.model.quantize, "nf4");
  assert.equal(trl({ load_in_8bit: true }).config.model.quantize, "int8");
  assert.equal(trl({ load_in_4bit: false }).config.model?.quantize, undefined);
  assert.match(
    trl({ load_in_4bit: true, use_bnb_nested_quant: true }).notes.join("\n"),
    /block scales/,
  );
  assert.equal(trl({ bnb_4bit_quant_type: "fp4" }).config.model?.quantize, undefined);
  assert.throws(
    () => translateConfig({ beta: 0.1, load_in_8bit: true }, "trl.yaml"),
    /trl\.yaml.*load_in_8bit.*use_peft: true/s,
  );
  assert.throws(
    () => trl({ load_in_4bit: true, load_in_8bit: true }),
    /load_in_4bit.*with load_in_8bit/s,
  );
  assert.throws(
    () => trl({ load_in_4bit: true, bnb_4bit_quant_type: "fp4" }),
    /bnb_4bit_quant_type/,
  );
});
