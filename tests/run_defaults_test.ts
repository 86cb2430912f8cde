import assert from "node:assert/strict";
import { DEFAULT_DPO_LOSS, type DpoLossConfig } from "../pipeline/objective.ts";
import { formatSummary, prepareData } from "../pipeline/run.ts";
import { applyFlags, defaults, readRunConfig, toYaml } from "../pipeline/run_config.ts";
import { main } from "../main.ts";
import { createContext } from "../pipeline/stage.ts";
import { writeTinyRun } from "../testing/tiny_run.ts";

Deno.test("run defaults: a prompt longer than half of max_length is cut, its row kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { model } = await writeTinyRun(dir, 4); // 32 positions: max_length 32
    const data = `${dir}/long.jsonl`;
    const row = (n: number) =>
      JSON.stringify({
        prompt_ids: Array.from({ length: n }, (_, i) => 3 + (i % 90)),
        chosen_ids: [4, 6, 2],
        rejected_ids: [5, 7, 2],
      });
    await Deno.writeTextFile(data, [row(40), row(8), row(30), row(5)].join("\n") + "\n");
    const quiet = createContext({ logger: { info: () => {}, warn: () => {} } });
    const flags = ["--model", model, "--data", data, "--run.cache_dir", `${dir}/cache`];
    const base = ["--data.eval_fraction", "0", "--data.eval_size", "0"];
    const got = await prepareData(applyFlags(defaults(), [...flags, ...base]), "dpo", quiet);
    const lengths = got.trainData.pairs.map((p) => p.prompt.length).sort((a, b) => a - b);
    assert.deepEqual(lengths, [5, 8, 16, 16]); // 40 and 30 cut to their last 16
    // Given explicitly, the limit is used as given: at 32 the 40-token prompt leaves no room.
    const strict = await prepareData(
      applyFlags(defaults(), [...flags, ...base, "--tokenize.max_prompt_length", "32"]),
      "dpo",
      quiet,
    );
    assert.equal(strict.trainData.pairs.length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run: rows skipped by data.on_invalid are named in the log with their reason", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { model } = await writeTinyRun(dir, 4);
    const data = `${dir}/some_bad.jsonl`;
    const good = { prompt_ids: [5, 6], chosen_ids: [4, 2], rejected_ids: [5, 2] };
    await Deno.writeTextFile(
      data,
      [good, { ...good, chosen_ids: "x" }, good].map((r) => JSON.stringify(r)).join("\n") + "\n",
    );
    const warned: string[] = [];
    const ctx = createContext({ logger: { info: () => {}, warn: (m) => warned.push(m) } });
    const flags = ["--model", model, "--data", data, "--data.on_invalid", "skip"];
    const more = ["--run.cache_dir", `${dir}/cache`, "--data.eval_fraction", "0"];
    const got = await prepareData(applyFlags(defaults(), [...flags, ...more]), "dpo", ctx);
    assert.equal(got.trainData.pairs.length, 2);
    assert.ok(
      warned.some((m) => /skipped 1× field "chosen_ids".*some_bad\.jsonl row 2/.test(m)),
      warned.join("\n"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run config: a long path with spaces survives config.yaml (no folded lines)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const long = `${dir}/a folder with a rather long name, and spaces in it/${
      "x ".repeat(40)
    }.jsonl`;
    const c = applyFlags(defaults(), ["--data", long, "--run.name", "n"]);
    await Deno.writeTextFile(`${dir}/config.yaml`, toYaml(c));
    const back = await readRunConfig(`${dir}/config.yaml`);
    assert.equal(back.data.path, long);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("inspect: --max-length alone limits prompts to half of it, as a run does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/d.jsonl`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ prompt: "abcdefghij", chosen: "x", rejected: "y" }),
    );
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    assert.equal(await main(["inspect", "--data", file, "--max-length", "12"], io), 0);
    assert.match(out.join(""), /max prompt length 6/);
    // --max-completion-length cuts "long" + EOS (5 tokens), not "no" + EOS (3).
    out.length = 0;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ prompt: "ab", chosen: "long", rejected: "no" }),
    );
    assert.equal(await main(["inspect", "--data", file, "--max-completion-length", "3"], io), 0);
    assert.match(out.join(""), /max completion length 3/);
    assert.match(out.join(""), /would truncate 1 pairs \(0 prompts, 1 responses\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run summary: the reference column only where the loss compares with the reference", () => {
  const metrics = {
    "eval_rewards/accuracies": 0.75,
    "eval_rewards/margins": 1.5,
    eval_loss: 0.25,
  };
  const summary = (loss?: DpoLossConfig) =>
    formatSummary({ runDir: "r", steps: 1, modelDir: "m", seconds: 1, eval: { metrics }, loss });
  assert.match(summary(), /DPO loss {13}0\.2500 {3}\(reference: 0\.6931\)/);
  const ipo = summary({ ...DEFAULT_DPO_LOSS, variant: "ipo", beta: 0.5 });
  assert.match(ipo, /ipo loss {13}0\.2500 {3}\(reference: 1\.0000\)/);
  // With an NLL term the reference's loss is not known here: its hint goes, the others stay.
  const rpo = summary({ ...DEFAULT_DPO_LOSS, nllAlpha: 1 });
  assert.match(rpo, /DPO loss {13}0\.2500\n/);
  assert.match(rpo, /reward margin {8}1\.500 {3}\(reference: 0\)/);
  const norm = summary({ ...DEFAULT_DPO_LOSS, variant: "sigmoid_norm" });
  assert.match(norm, /sigmoid_norm loss {4}0\.2500 {3}\(reference: 0\.6931\)/);
  // The TRL losses at policy = reference: 2·log 2, 1/(2β)² twice, (log 2 + 1)/2.
  const nca = summary({ ...DEFAULT_DPO_LOSS, variant: "nca_pair" });
  assert.match(nca, /nca_pair loss {8}0\.2500 {3}\(reference: 1\.3863\)/);
  const sppo = summary({ ...DEFAULT_DPO_LOSS, variant: "sppo_hard", beta: 0.5 });
  assert.match(sppo, /\(reference: 2\.0000\)/);
  const disco = summary({ ...DEFAULT_DPO_LOSS, variant: "discopop" });
  assert.match(disco, /\(reference: 0\.8466\)/);
  // A combination's long name keeps a space before the value.
  const mix = summary({
    ...DEFAULT_DPO_LOSS,
    combination: [{ variant: "sigmoid", weight: 0.8 }, { variant: "bco_pair", weight: 0.2 }],
  });
  // At the reference: 0.8·log 2 + 0.2·2·log 2.
  assert.match(mix, /sigmoid\+bco_pair loss 0\.2500 {3}\(reference: 0\.8318\)/);
  for (
    const loss of [
      { ...DEFAULT_DPO_LOSS, variant: "simpo" as const },
      { ...DEFAULT_DPO_LOSS, referenceFree: true },
    ]
  ) {
    const text = summary(loss);
    assert.ok(!text.includes("(reference:"), text);
    assert.match(text, /Held-out pairs \(policy\):/);
  }
});
