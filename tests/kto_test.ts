/**
 * KTO on unpaired data: the examples and their KL completions, TRL's unpaired formats, labels
 * through tokenizing, its cache and batches, and runs through the commands (TRL's unpaired rows,
 * preference pairs unpaired, the run files of LLaMA-Factory and TRL).
 */
import assert from "node:assert/strict";
import { ktoExamples } from "../datasets/kto.ts";
import { DataError, detectFormat, normalizeRow, pairIssues } from "../datasets/formats.ts";
import type { PreferencePair } from "../datasets/types.ts";
import { translateConfig } from "../pipeline/foreign_config.ts";
import { formatInspectReport, inspect } from "../pipeline/inspect.ts";
import { load } from "../pipeline/load.ts";
import { makeBatch, renderPair, tokenize } from "../pipeline/tokenize.ts";
import { ByteTokenizer } from "../model/tokenizer.ts";
import { runQuietly, tinyTest } from "../testing/commands.ts";
import { type TinyRun, tinyRunFlags } from "../testing/tiny_run.ts";
import { readMetrics } from "../pipeline/metrics.ts";

const msg = (role: string, content: string) => [{ role, content }];

/** Pair `i`: prompt "q<i>", chosen "w<i>", rejected "l<i>". */
function pair(i: number): PreferencePair {
  return {
    prompt: msg("user", `q${i}`),
    chosen: msg("assistant", `w${i}`),
    rejected: msg("assistant", `l${i}`),
    kind: "chat",
    source: { file: "d.jsonl", row: i + 1 },
  };
}

const text = (m: { content: string }[]) => m.map((x) => x.content).join("");

/** Runs `fn` in a fresh temporary folder, removed after. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `rows` to `path` as JSON lines. */
function writeJsonl(path: string, rows: unknown[]): Promise<void> {
  return Deno.writeTextFile(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

/** `train` on the tiny run, in `dir/runs/<name>`, with `flags` after the tiny run's. */
function trainTiny(dir: string, tiny: TinyRun, name: string, steps: number, ...flags: string[]) {
  return runQuietly(["train", ...tinyRunFlags(dir, tiny, name, steps), ...flags]);
}

/** Run `name`'s metrics log: every row, and the training rows (those with a loss). */
async function logOf(dir: string, name: string) {
  const rows = await readMetrics(`${dir}/runs/${name}/metrics.jsonl`) as Record<string, number>[];
  return { rows, train: rows.filter((x) => "loss" in x) };
}

Deno.test("ktoExamples: pairs unpaired as TRL does, KL completions rotated within groups", () => {
  const single: PreferencePair = {
    ...pair(9),
    chosen: msg("assistant", "u9"),
    rejected: [],
    label: false,
  };
  const out = ktoExamples([pair(0), pair(1), single, pair(2)], 3);
  // All chosen examples first (desirable), then all rejected ones, then the unpaired rows.
  assert.deepEqual(out.map((e) => [text(e.prompt), text(e.chosen), e.label]), [
    ["q0", "w0", true],
    ["q1", "w1", true],
    ["q2", "w2", true],
    ["q0", "l0", false],
    ["q1", "l1", false],
    ["q2", "l2", false],
    ["q9", "u9", false],
  ]);
  // Groups of 3: each takes the response before it in its group, the first the group's last;
  // a group of one its own.
  assert.deepEqual(out.map((e) => text(e.rejected)), ["w2", "w0", "w1", "l2", "l0", "l1", "u9"]);
  // Each example still names its row.
  assert.deepEqual(out.map((e) => e.source.row), [1, 2, 3, 1, 2, 3, 10]);
  // Pre-tokenized rows rotate their ids, HH rows their text.
  const ids = (i: number): PreferencePair => ({
    ...pair(i),
    kind: "ids",
    ids: { prompt: [i], chosen: [10 + i], rejected: [20 + i] },
  });
  const tok = ktoExamples([ids(0), ids(1)], 2);
  assert.deepEqual(tok.map((e) => [e.ids!.chosen, e.ids!.rejected]), [
    [[10], [11]],
    [[11], [10]],
    [[20], [21]],
    [[21], [20]],
  ]);
  const hh = (i: number): PreferencePair => ({
    ...pair(i),
    raw: { prompt: `H${i}`, chosen: ` a${i}`, rejected: ` b${i}` },
  });
  assert.deepEqual(ktoExamples([hh(0), hh(1)], 4).map((e) => e.raw!.rejected), [
    " b1",
    " a0",
    " a1",
    " b0",
  ]);
  // A group mixing pre-tokenized and text rows cannot share responses: refused, naming the row.
  assert.throws(
    () => ktoExamples([ids(0), pair(1)], 2),
    (e: unknown) => e instanceof DataError && /d\.jsonl.*row 2/.test(e.message),
  );
  assert.throws(() => ktoExamples([pair(0)], 0), /groupSize must be a positive integer/);
});

Deno.test("formats: TRL's unpaired rows (prompt, completion, label) are read as KTO examples", () => {
  const source = { file: "u.jsonl", row: 3 };
  const standard = [{ prompt: "2+2=", completion: "4", label: true }];
  assert.equal(detectFormat(standard), "trl-unpaired");
  const e = normalizeRow(standard[0], source, { format: "trl-unpaired" });
  assert.deepEqual([text(e.prompt), text(e.chosen), e.rejected, e.label, e.kind], [
    "2+2=",
    "4",
    [],
    true,
    "text",
  ]);
  const chat = [{
    prompt: msg("user", "Hi"),
    completion: msg("assistant", "Go away."),
    label: false,
  }];
  assert.equal(detectFormat(chat), "trl-unpaired-conversational");
  const c = normalizeRow(chat[0], source, { format: "trl-unpaired-conversational" });
  assert.deepEqual([text(c.chosen), c.label, c.kind], ["Go away.", false, "chat"]);
  // An example's empty KL slot is no issue; an empty completion is.
  assert.deepEqual(pairIssues(e), []);
  assert.deepEqual(
    pairIssues({ ...e, chosen: msg("assistant", " ") }).map((i) => i.kind),
    ["empty-response"],
  );
  // A label that is not true or false names the file, row and field.
  for (const label of ["yes", 1, undefined]) {
    assert.throws(
      () =>
        normalizeRow({ prompt: "a", completion: "b", label }, source, { format: "trl-unpaired" }),
      (err: unknown) =>
        err instanceof DataError && /u\.jsonl/.test(err.message) && /row 3/.test(err.message) &&
        /label/.test(err.message) && /true \(desirable\) or false|true or false/.test(err.message),
    );
  }
});

Deno.test("tokenize: KTO labels survive tokenizing and its cache; batches carry them", async () => {
  await inTempDir(async (dir) => {
    const rows: PreferencePair[] = [0, 1, 2].map((i) => ({
      prompt: [],
      chosen: [],
      rejected: [],
      kind: "ids",
      ids: { prompt: [3, 4 + i], chosen: [10 + i, 2], rejected: [20 + i, 2] },
      source: { file: "t.jsonl", row: i + 1 },
    }));
    const examples = ktoExamples(rows, 2);
    const options = { padTokenId: 0, eosTokenId: 2, vocabSize: 97, cacheDir: dir };
    const fresh = await tokenize(examples, options);
    const cached = await tokenize(examples, options);
    assert.equal(cached.report.cached, true);
    for (const d of [fresh, cached]) {
      assert.deepEqual(d.pairs.map((p) => p.label), [true, true, true, false, false, false]);
    }
    const b = makeBatch(cached.pairs, [0, 4, 5], { padTokenId: 0 });
    assert.deepEqual([...b.labels!], [1, 0, 0]);
    // Preference pairs have none, and a batch never mixes the two.
    const plain = await tokenize(rows, { ...options, cacheDir: undefined });
    assert.equal(makeBatch(plain.pairs, [0, 1], { padTokenId: 0 }).labels, undefined);
    assert.throws(
      () => makeBatch([...plain.pairs, ...cached.pairs], [0, 3], { padTokenId: 0 }),
      /mixes KTO examples/,
    );
  });
});

Deno.test("load: a file of TRL's unpaired rows loads as labelled examples", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/unpaired.jsonl`;
    await writeJsonl(path, [
      { prompt: "a", completion: "b", label: true },
      { prompt: "c", completion: "d", label: false },
    ]);
    const loaded = await load({ path });
    assert.equal(loaded.format, "trl-unpaired");
    assert.deepEqual(loaded.pairs.map((p) => [text(p.chosen), p.label]), [["b", true], [
      "d",
      false,
    ]]);
  });
});

Deno.test("run files: LLaMA-Factory's stage kto and TRL's KTO weights translate", () => {
  const lf = translateConfig(
    { stage: "kto", pref_loss: "sigmoid", kto_chosen_weight: 1.5, kto_rejected_weight: 0.5 },
    "kto.yaml",
  );
  assert.equal(lf.config.loss.variant, "kto");
  assert.equal(lf.config.loss.desirable_weight, 1.5);
  assert.equal(lf.config.loss.undesirable_weight, 0.5);
  assert.ok(lf.notes.some((n) => /kto_tag datasets/.test(n)), lf.notes.join("\n"));
  assert.ok(lf.notes.some((n) => /pref_loss.*not used/.test(n)), lf.notes.join("\n"));
  const trl = translateConfig(
    { loss_type: "kto", beta: 0.2, desirable_weight: 1.33, undesirable_weight: 1 },
    "kto.yaml",
  );
  assert.equal(trl.kind, "trl");
  assert.equal(trl.config.loss.variant, "kto");
  assert.equal(trl.config.loss.desirable_weight, 1.33);
  assert.throws(() => translateConfig({ stage: "rm" }, "rm.yaml"), /stages dpo and kto/);
  // A KTOConfig file names no loss_type when it keeps KTOConfig's default, kto (not DPO's).
  const implicit = translateConfig({ beta: 0.1, undesirable_weight: 1.5 }, "kto.yaml");
  assert.equal(implicit.config.loss.variant, "kto");
  assert.ok(implicit.notes.some((n) => /KTOConfig's default/.test(n)), implicit.notes.join("\n"));
});

tinyTest("kto: a run on preference pairs unpairs them, logs TRL's KTO metrics and learns", async (
  dir,
  tiny,
) => {
  const kto = ["--loss.variant", "kto", "--train.lr", "0.03"];
  const r = await trainTiny(dir, tiny, "k", 30, ...kto, "--loss.desirable_weight", "1.2");
  assert.equal(r.code, 0, r.err);
  const { rows, train } = await logOf(dir, "k");
  // The first step is at the reference: every reward 0, z0 0, so each example's loss is ½·λ.
  const first = train[0];
  assert.equal(first.kl, 0);
  const n = first["count/chosen"] + first["count/rejected"];
  assert.equal(n, 2, "2 examples per micro-batch");
  const want = (1.2 * first["count/chosen"] + first["count/rejected"]) / 2 / n;
  assert.ok(Math.abs(first.loss - want) < 1e-6, `${first.loss} vs ${want}`);
  // No accuracy (no pairs); margins, as TRL logs them, where the batch had both labels.
  assert.equal(first["rewards/accuracies"], undefined);
  for (const row of train.filter((x) => x["count/chosen"] && x["count/rejected"])) {
    const margin = row["rewards/chosen"] - row["rewards/rejected"];
    assert.ok(Math.abs(row["rewards/margins"] - margin) < 1e-9);
  }
  // Held out: desirable rewards above undesirable ones after training (chosen ids are even).
  const evalRow = rows.findLast((x) => "eval_loss" in x)!;
  assert.ok(
    evalRow["eval_rewards/chosen"] > evalRow["eval_rewards/rejected"],
    JSON.stringify(evalRow),
  );
  assert.ok(evalRow.eval_loss < 0.5, `eval loss ${evalRow.eval_loss}`);
  const late = train.slice(-10).reduce((a, x) => a + x.loss, 0) / 10;
  assert.ok(late < 0.4, `training loss over the last 10 steps ${late}`);
  // Its charts: the KL estimate instead of the accuracy it has none of.
  const files = [...Deno.readDirSync(`${dir}/runs/k`)].map((e) => e.name);
  assert.ok(files.includes("kl.svg") && !files.includes("accuracy.svg"), files.join(" "));
});

tinyTest("kto: unpaired rows need the kto loss, and kto's keys need kto, named", async (
  dir,
  tiny,
) => {
  const path = `${dir}/unpaired.jsonl`;
  const pairs = (await Deno.readTextFile(tiny.data)).trim().split("\n").map((l) => JSON.parse(l));
  await writeJsonl(
    path,
    pairs.map((_, i) => ({
      prompt: `p${i}`,
      completion: i % 2 ? "bad" : "good",
      label: i % 2 === 0,
    })),
  );
  const flags = tinyRunFlags(dir, tiny, "u", 1).map((f) => f === tiny.data ? path : f);
  let r = await runQuietly(["train", ...flags]);
  assert.equal(r.code, 1);
  assert.match(r.err, /unpaired\.jsonl.*row 1.*label.*needs --loss.variant kto/s);
  // Scored with kto (pairs unpaired: this model has no tokenizer for the text rows above): one
  // row per example, its completion and label.
  const scores = `${dir}/scores.jsonl`;
  r = await runQuietly([
    "score",
    "--model",
    tiny.model,
    "--data",
    tiny.data,
    "--loss.variant",
    "kto",
    "--out",
    scores,
    "--run.cache_dir",
    `${dir}/cache`,
  ]);
  assert.equal(r.code, 0, r.err);
  const scored = (await Deno.readTextFile(scores)).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(scored.length, 2 * pairs.length);
  assert.equal(scored.filter((s) => s.label).length, pairs.length);
  for (const s of scored) {
    assert.equal(typeof s.label, "boolean");
    assert.ok(s.completion_logp < 0 && s.completion_tokens > 0, JSON.stringify(s));
    assert.equal(s.rejected_logp, undefined);
  }
  r = await trainTiny(dir, tiny, "w", 1, "--loss.undesirable_weight", "2");
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /loss.undesirable_weight \(2\) applies to the kto and apo_zero_unpaired losses, not sigmoid/,
  );
  r = await trainTiny(dir, tiny, "c", 1, "--loss.variant", "kto,sigmoid");
  assert.equal(r.code, 2);
  assert.match(r.err, /kto .* cannot be combined/);
  // One example per micro-batch (LLaMA-Factory's own KTO example trains so): neighbouring
  // examples swap responses as KL completions, never an example its own.
  r = await trainTiny(dir, tiny, "one", 2, "--loss.variant", "kto", "--train.pairs_per_batch", "1");
  assert.equal(r.code, 0, r.err);
  for (const row of (await logOf(dir, "one")).train) {
    assert.equal(row["count/chosen"] + row["count/rejected"], 1);
    assert.ok(Number.isFinite(row.kl));
  }
});

Deno.test("load: LLaMA-Factory kto_tag datasets (sharegpt and alpaca) load as KTO examples", async () => {
  await inTempDir(async (dir) => {
    const info = {
      chat: {
        file_name: "chat.json",
        formatting: "sharegpt",
        columns: { messages: "conversations", kto_tag: "kto_tag" },
      },
      instr: {
        file_name: "instr.json",
        columns: { prompt: "instruction", query: "input", response: "output", kto_tag: "tag" },
      },
      ranked: { file_name: "chat.json", ranking: true, columns: { kto_tag: "kto_tag" } },
    };
    await Deno.writeTextFile(`${dir}/dataset_info.json`, JSON.stringify(info));
    const turns = (answer: string) => [
      { from: "system", value: "Be brief." },
      { from: "human", value: "Hi" },
      { from: "gpt", value: "Hello" },
      { from: "human", value: "Name?" },
      { from: "gpt", value: answer },
    ];
    await Deno.writeTextFile(
      `${dir}/chat.json`,
      JSON.stringify([
        { conversations: turns("Bob."), kto_tag: true },
        { conversations: turns("Go away."), kto_tag: false },
      ]),
    );
    await Deno.writeTextFile(
      `${dir}/instr.json`,
      JSON.stringify([{ instruction: "Add", input: "2 2", output: "4", tag: true }]),
    );
    const chat = await load({ path: dir, dataset: "chat" });
    assert.deepEqual(chat.pairs.map((p) => [p.prompt.length, text(p.chosen), p.label]), [
      [4, "Bob.", true],
      [4, "Go away.", false],
    ]);
    assert.deepEqual(chat.pairs[0].prompt.map((m) => m.role), [
      "system",
      "user",
      "assistant",
      "user",
    ]);
    const instr = await load({ path: dir, dataset: "instr" });
    assert.deepEqual(instr.pairs.map((p) => [text(p.prompt), text(p.chosen), p.label]), [
      ["Add\n2 2", "4", true],
    ]);
    await assert.rejects(load({ path: dir, dataset: "ranked" }), /ranked\.ranking.*kto_tag/s);
    // A tag that is not true or false, and a conversation not ending on its response, are named.
    await Deno.writeTextFile(
      `${dir}/chat.json`,
      JSON.stringify([{ conversations: turns("Bob."), kto_tag: "yes" }]),
    );
    await assert.rejects(
      load({ path: dir, dataset: "chat" }),
      /chat\.json.*row 1.*kto_tag.*true \(desirable\) or false/s,
    );
    await Deno.writeTextFile(
      `${dir}/chat.json`,
      JSON.stringify([{ conversations: turns("Bob.").slice(0, 4), kto_tag: true }]),
    );
    await assert.rejects(
      load({ path: dir, dataset: "chat" }),
      /chat\.json.*row 1.*conversations.*end on the response/s,
    );
  });
});

Deno.test("inspect: unpaired rows are counted by label and shown as completions", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/u.jsonl`;
    await writeJsonl(path, [
      { prompt: "2+2=", completion: " 4", label: true },
      { prompt: "2+3=", completion: " 7", label: false },
      { prompt: "1+1=", completion: " 2", label: true },
    ]);
    const report = await inspect({ data: path });
    assert.deepEqual(report.labels, { desirable: 2, undesirable: 1 });
    assert.equal(report.lengths.rejected.count, 0);
    assert.equal(report.example?.label, true);
    const text = formatInspectReport(report);
    assert.match(text, /unpaired KTO examples: 2 desirable, 1 undesirable/);
    assert.match(text, /--- completion, desirable \(\d+ tokens\) ---/);
    assert.doesNotMatch(text, /--- rejected/);
  });
});

Deno.test("renderPair: an example without KL completion keeps the templated prompt", () => {
  // apo_zero_unpaired's examples have an empty rejected side: the prompt must still end with the
  // template's generation prompt, as when a KL completion is there.
  const tok = new ByteTokenizer();
  const example = { ...pair(0), rejected: [], label: true };
  const alone = renderPair(example, tok);
  const withKl = renderPair({ ...example, rejected: msg("assistant", "other") }, tok);
  assert.equal(alone.mode, "template");
  assert.equal(alone.prompt, withKl.prompt);
  assert.equal(alone.chosen, withKl.chosen);
  assert.equal(alone.rejected, "");
  assert.match(alone.prompt, /<\|assistant\|>$/);
});

tinyTest(
  "apo_zero_unpaired: TRL's KTOTrainer loss without KL term trains from the commands",
  async (
    dir,
    tiny,
  ) => {
    const apo = ["--loss.variant", "apo_zero_unpaired"];
    const r = await trainTiny(dir, tiny, "apo", 30, ...apo, "--train.lr", "0.03");
    assert.equal(r.code, 0, r.err);
    // One example per micro-batch, its KL slot empty.
    const one = await trainTiny(dir, tiny, "apo1", 1, ...apo, "--train.pairs_per_batch", "1");
    assert.equal(one.code, 0, one.err);
    const { train } = await logOf(dir, "apo");
    // No KL term (z0 is 0 at every step); at the reference each example's loss is ½.
    assert.ok(train.every((x) => x.kl === 0));
    assert.equal(train[0].loss, 0.5);
    const late = train.slice(-10).reduce((a, x) => a + x.loss, 0) / 10;
    assert.ok(late < 0.45, `training loss over the last 10 steps ${late}`);
    // TRL's run file names it as its loss_type.
    const t = translateConfig({ loss_type: "apo_zero_unpaired", desirable_weight: 2 }, "k.yaml");
    assert.equal(t.config.loss.variant, "apo_zero_unpaired");
  },
);
