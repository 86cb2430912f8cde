/**
 * What the commands may do to folders and files a user already has: a replaced run folder comes
 * back when the new run fails, inputs are never overwritten, and refusals change nothing.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { main } from "../main.ts";
import { BUILTIN_MODEL_DIR } from "../pipeline/run.ts";
import { bitEqual } from "../testing/gpu_harness.ts";
import { runQuietly, tinyTest } from "../testing/commands.ts";
import { loadAdapter } from "../model/lora.ts";
import { readConfig } from "../model/config.ts";
import { tinyRunFlags, writeTinyRun } from "../testing/tiny_run.ts";

const quietIo = () => {
  const out: string[] = [], err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
};
const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
const list = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

/** A tiny DPO run's flags, writing under `dir` (2 steps, no generation). */
function flags(dir: string, model: string, data: string, name: string): string[] {
  return tinyRunFlags(dir, { model, data }, name, 2);
}

/** `eval` of `policy` against `ref` on the tiny run's held-out pairs, into run folder `name`. */
function evalFlags(dir: string, policy: string, ref: string, data: string, name: string): string[] {
  return ["eval", ...tinyRunFlags(dir, { model: policy, data }, name, 1), "--ref", ref];
}

const run = runQuietly;

tinyTest(
  "run folders: overwrite sets the old folder aside, restores it on failure, keeps inputs",
  async (dir, { model, data }) => {
    const a = `${dir}/runs/a`;
    assert.equal((await run(["train", ...flags(dir, model, data, "a")])).code, 0);
    await Deno.writeTextFile(`${a}/NOTES.md`, "mine");
    const before = list(a);
    // The saved recipe does not carry the one-time flags.
    const saved = await Deno.readTextFile(`${a}/config.yaml`);
    assert.match(saved, /overwrite: false/);
    assert.match(saved, /resume: false/);

    // Not asked to overwrite: refused, nothing changed.
    let r = await run(["train", ...flags(dir, model, data, "a")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /already exists/);
    // Asked, but the new run fails (its data are missing): the old folder comes back whole.
    r = await run([
      "train",
      ...flags(dir, model, `${dir}/missing.jsonl`, "a"),
      "--run.overwrite",
      "true",
    ]);
    assert.equal(r.code, 1);
    assert.deepEqual(list(a), before);
    assert.equal(await Deno.readTextFile(`${a}/NOTES.md`), "mine");
    assert.deepEqual(list(`${dir}/runs`), ["a"]);
    // An input inside the folder: refused before anything is moved.
    r = await run([
      "train",
      ...flags(dir, `${a}/model`, data, "a"),
      "--run.overwrite",
      "true",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /model\.path .* lies inside it/);
    assert.deepEqual(list(a), before);
    // A name that is not a folder inside out_dir: refused, nothing touched.
    for (const name of ["..", ".", "../elsewhere"]) {
      r = await run([
        "train",
        ...flags(dir, model, data, name),
        "--run.overwrite",
        "true",
      ]);
      assert.equal(r.code, 1, name);
      assert.match(r.err, /must name a folder inside run\.out_dir/, name);
    }
    assert.deepEqual(list(`${dir}/runs`), ["a"]);
    assert.ok(await exists(model) && await exists(data));
    // Resuming a finished run (no checkpoint) is refused, not started afresh.
    r = await run(["train", ...flags(dir, model, data, "a"), "--run.resume", "true"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /holds no checkpoint/);
    assert.deepEqual(list(a), before);
    // Overwrite that succeeds: the new run, and nothing set aside is left behind.
    r = await run(["train", ...flags(dir, model, data, "a"), "--run.overwrite", "true"]);
    assert.equal(r.code, 0, r.err);
    assert.ok(!(await exists(`${a}/NOTES.md`)));
    assert.deepEqual(list(`${dir}/runs`), ["a"]);
  },
);

tinyTest(
  "run folders: eval, score and save_to never overwrite an input or an earlier run",
  async (dir, { model, data }) => {
    const a = `${dir}/runs/a`;
    assert.equal((await run(["train", ...flags(dir, model, data, "a")])).code, 0);
    const evalJson = await Deno.readTextFile(`${a}/eval.json`);
    // eval into the training run's folder: refused, its eval.json kept.
    let r = await run(evalFlags(dir, `${a}/model`, model, data, "a"));
    assert.equal(r.code, 1);
    assert.match(r.err, /already exists/);
    assert.equal(await Deno.readTextFile(`${a}/eval.json`), evalJson);
    // score onto its own data file: refused, the data kept.
    const rows = await Deno.readTextFile(data);
    r = await run(["score", "--model", model, "--data", data, "--out", data]);
    assert.equal(r.code, 1);
    assert.match(r.err, /would overwrite data\.path/);
    assert.equal(await Deno.readTextFile(data), rows);
    // save_to onto the starting model: refused before training (no run folder made).
    r = await run([
      "train",
      ...flags(dir, model, data, "b"),
      "--run.save_to",
      model,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /would overwrite model\.path/);
    assert.ok(!(await exists(`${dir}/runs/b`)));
    // save_to a folder holding other files: refused before training too.
    await Deno.mkdir(`${dir}/mine`);
    await Deno.writeTextFile(`${dir}/mine/notes.txt`, "mine");
    r = await run(["train", ...flags(dir, model, data, "c"), "--run.save_to", `${dir}/mine`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /holds other files/);
    assert.ok(!(await exists(`${dir}/runs/c`)));
    // save_to over a model folder with a model card: the card is kept.
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(`${dir}/out/README.md`, "card");
    r = await run(["train", ...flags(dir, model, data, "d"), "--run.save_to", `${dir}/out`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(await Deno.readTextFile(`${dir}/out/README.md`), "card");
    assert.ok(await exists(`${dir}/out/model.safetensors`));
  },
);

tinyTest(
  "run folders: a resume on other token ids or models is refused, not on another path spelling",
  async (dir, { model, data }) => {
    const keep = ["--train.save_every", "1", "--train.max_steps", "3"];
    assert.equal((await run(["train", ...flags(dir, model, data, "r"), ...keep])).code, 0);
    const before = list(`${dir}/runs/r`);
    const other = await writeTinyRun(`${dir}/other`, 12, 7);
    const resume = ["--run.resume", "true", ...keep];
    let r = await run(["train", ...flags(dir, model, other.data, "r"), ...resume]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /its training pairs' token ids .* differ from those its earlier steps used/,
    );
    r = await run([
      "train",
      ...flags(dir, model, data, "r"),
      ...resume,
      "--tokenize.max_prompt_length",
      "2",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /token ids/);
    // Another starting model is another reference (model.ref unset): refused.
    r = await run(["train", ...flags(dir, other.model, data, "r"), ...resume]);
    assert.equal(r.code, 1);
    assert.match(r.err, /reference model's weights differ/);
    // (The training settings were checked before: another loss.beta is refused too.)
    r = await run(["train", ...flags(dir, model, data, "r"), ...resume, "--beta", "0.5"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /another training configuration/);
    assert.deepEqual(list(`${dir}/runs/r`), before);
    // The same files spelled another way: resumed.
    r = await run([
      "train",
      ...flags(dir, `${dir}/./model`, `${dir}/./pairs.jsonl`, "r"),
      ...resume,
    ]);
    assert.equal(r.code, 0, r.err);
    // LoRA with a loss without a reference: the adapters' frozen base is checked itself.
    const orpo = ["--lora.rank", "2", "--loss.variant", "orpo", ...keep];
    assert.equal((await run(["train", ...flags(dir, model, data, "o"), ...orpo])).code, 0);
    r = await run([
      "train",
      ...flags(dir, other.model, data, "o"),
      ...orpo,
      "--run.resume",
      "true",
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /its model's weights \(the frozen base its LoRA adapters apply to\) differ/,
    );
  },
);

tinyTest(
  "run folders: a run failing mid-training puts the replaced folder back; odd names and links",
  async (dir, { model, data }) => {
    const a = `${dir}/runs/a`;
    assert.equal((await run(["train", ...flags(dir, model, data, "a")])).code, 0);
    await Deno.writeTextFile(`${a}/NOTES.md`, "mine");
    const before = list(a);
    // Diverges after the new folder was written: the old one comes back whole.
    let r = await run([
      "train",
      ...flags(dir, model, data, "a"),
      "--run.overwrite",
      "true",
      "--train.lr",
      "1e30",
      "--train.max_grad_norm",
      "0",
      "--train.max_steps",
      "20",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /NaN|Infinity/);
    assert.deepEqual(list(a), before);
    assert.equal(await Deno.readTextFile(`${a}/NOTES.md`), "mine");
    // A name that walks back into an existing run is that run: refused without overwrite.
    r = await run(["train", ...flags(dir, model, data, "x/../a")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /already exists/);
    assert.deepEqual(list(a), before);
    // save_to the run's own folder: refused before training.
    r = await run(["train", ...flags(dir, model, data, "b"), "--run.save_to", `${dir}/runs/b`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /would overwrite the run folder/);
    // save_to onto the built-in reference (the default starting model): refused before training.
    r = await run([
      "train",
      "--run.out_dir",
      `${dir}/runs`,
      "--run.save_to",
      BUILTIN_MODEL_DIR,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /would overwrite model\.path/);
    // out_dir through a symbolic link: runs work.
    await Deno.mkdir(`${dir}/real`);
    await Deno.symlink(`${dir}/real`, `${dir}/linked`);
    r = await run([
      "train",
      ...flags(dir, model, data, "c"),
      "--run.out_dir",
      `${dir}/linked`,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.ok(await exists(`${dir}/real/c/model/model.safetensors`));
  },
);

tinyTest(
  "run folders: Ctrl-C during a replacing run puts the earlier folder back (exit 130)",
  async (dir, tiny) => {
    const a = `${dir}/runs/a`;
    assert.equal((await run(["train", ...flags(dir, tiny.model, tiny.data, "a")])).code, 0);
    await Deno.writeTextFile(`${a}/NOTES.md`, "mine");
    const before = list(a);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        fileURLToPath(new URL("../main.ts", import.meta.url)),
        "train",
        ...tinyRunFlags(dir, tiny, "a", 100_000),
        "--run.overwrite",
        "true",
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Training has begun once the earlier folder is set aside and the new one holds its metrics.
    const started = async () =>
      list(`${dir}/runs`).some((n) => n.startsWith("a.replaced-")) &&
      await exists(`${a}/metrics.jsonl`);
    const t0 = Date.now();
    while (!(await started())) {
      assert.ok(Date.now() - t0 < 120_000, "the replacing run never started training");
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    const { code, stdout, stderr } = await child.output();
    const said = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.equal(code, 130, said);
    assert.match(said, /put back as it was/);
    assert.deepEqual(list(a), before);
    assert.equal(await Deno.readTextFile(`${a}/NOTES.md`), "mine");
    assert.deepEqual(list(`${dir}/runs`), ["a"]);
  },
);

tinyTest(
  "run folders: a LoRA run saves the merged model with its PEFT adapter, and save_to swaps both",
  async (dir, { model, data }) => {
    const merge = (adapter: string, out: string) =>
      run(["merge", "--model", model, "--model.adapter", adapter, "--out", out]);
    const lora = ["--lora.rank", "2", "--lora.target", "q_proj,v_proj", "--train.lr", "0.02"];
    let r = await run([
      "train",
      ...flags(dir, model, data, "l"),
      ...lora,
      "--run.save_to",
      `${dir}/out`,
    ]);
    assert.equal(r.code, 0, r.err);
    for (const at of [`${dir}/runs/l/model`, `${dir}/out`]) {
      assert.deepEqual(list(`${at}/adapter`), ["adapter_config.json", "adapter_model.safetensors"]);
      assert.ok(await exists(`${at}/model.safetensors`));
    }
    const json = JSON.parse(await Deno.readTextFile(`${dir}/out/adapter/adapter_config.json`));
    assert.deepEqual([json.r, json.lora_alpha, json.target_modules], [2, 4, ["q_proj", "v_proj"]]);
    // merge: the adapter merged into the model again gives the run's merged weights.
    r = await merge(`${dir}/runs/l/model/adapter`, `${dir}/merged`);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      await Deno.readFile(`${dir}/merged/model.safetensors`),
      await Deno.readFile(`${dir}/runs/l/model/model.safetensors`),
    );
    r = await merge(`${dir}/out/adapter`, model);
    assert.equal(r.code, 1);
    assert.match(r.err, /merge: the output .* would overwrite model.path/);
    // lora.save_merged false: the adapters alone (and the config), which merge turns into the same
    // merged model.
    r = await run(["train", ...flags(dir, model, data, "n"), ...lora, "--lora.save_merged=false"]);
    assert.equal(r.code, 0, r.err);
    assert.ok(!(await exists(`${dir}/runs/n/model/model.safetensors`)));
    r = await merge(`${dir}/runs/n/model/adapter`, `${dir}/merged-n`);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      await Deno.readFile(`${dir}/merged-n/model.safetensors`),
      await Deno.readFile(`${dir}/runs/l/model/model.safetensors`),
    );
    // The saved model is a plain model folder: eval reads it.
    r = await run(evalFlags(dir, `${dir}/runs/l/model`, model, data, "e"));
    assert.equal(r.code, 0, r.err);
    assert.ok(await exists(`${dir}/runs/e/eval.json`));
    // A full fine-tuning saved over it leaves no stale adapter behind.
    r = await run(["train", ...flags(dir, model, data, "f"), "--run.save_to", `${dir}/out`]);
    assert.equal(r.code, 0, r.err);
    assert.ok(!(await exists(`${dir}/out/adapter`)));
    // A target the model does not have is refused before training, naming the model's modules.
    r = await run([
      "train",
      ...flags(dir, model, data, "x"),
      "--lora.rank",
      "2",
      "--lora.target",
      "c_attn",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no \w+ module matches "c_attn" \(its linear modules: q_proj/);
    // Continuing the adapter: the model with it merged is the reference, so the first step's
    // policy is the reference (DPO loss ln 2), and the adapter moves on from where it was.
    const adapter = `${dir}/runs/l/model/adapter`;
    const cont = ["--model.adapter", adapter, "--lora.rank", "2", "--train.lr", "0.02"];
    r = await run(["train", ...flags(dir, model, data, "c"), ...cont]);
    assert.equal(r.code, 0, r.err);
    const rows = (await Deno.readTextFile(`${dir}/runs/c/metrics.jsonl`)).trim().split("\n");
    assert.ok(Math.abs(JSON.parse(rows[0]).loss - Math.LN2) < 1e-4, rows[0]);
    const before = await loadAdapter(adapter, await readConfig(model));
    const after = await loadAdapter(`${dir}/runs/c/model/adapter`, await readConfig(model));
    assert.deepEqual(after.spec, before.spec);
    const key = [...before.values.keys()].find((k) => k.includes("lora_B"))!;
    assert.ok(!bitEqual(after.values.get(key)!, before.values.get(key)!), "it trained on");
    // Another rank than the adapter's is refused, naming it.
    r = await run([
      "train",
      ...flags(dir, model, data, "d"),
      ...cont.slice(0, 2),
      "--lora.rank",
      "3",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /model.adapter has rank 2 .*set lora.rank 2 to continue/);
  },
);

tinyTest(
  "run folders: a TRL run file trains as TRL would have it",
  async (dir, { model, data }) => {
    await Deno.writeTextFile(
      `${dir}/trl.yaml`,
      [
        `model_name_or_path: ${model}`,
        `dataset_name: ${data}`,
        `output_dir: ${dir}/runs/trl`,
        "beta: 0.2",
        "max_steps: 2",
        "per_device_train_batch_size: 2",
        "use_peft: true",
        "lora_r: 2",
        "lora_target_modules: all-linear",
        "bf16: true",
        "",
      ].join("\n"),
    );
    const { io, err } = quietIo();
    const code = await main(
      [
        "train",
        "--config",
        `${dir}/trl.yaml`,
        "--run.cache_dir",
        `${dir}/cache`,
        "--eval.generate",
        "false",
      ],
      io,
    );
    assert.equal(code, 0, err.join(""));
    assert.match(err.join(""), /trl.yaml: read as a TRL run file/);
    assert.match(err.join(""), /trl.yaml: bf16: training here is float32/);
    const saved = await Deno.readTextFile(`${dir}/runs/trl/config.yaml`);
    assert.match(saved, /beta: 0.2/);
    assert.match(saved, /gradient_checkpointing: true/);
    const json = JSON.parse(
      await Deno.readTextFile(`${dir}/runs/trl/model/adapter/adapter_config.json`),
    );
    assert.deepEqual([json.r, json.lora_alpha], [2, 32]);
  },
);
