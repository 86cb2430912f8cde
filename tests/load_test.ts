import assert from "node:assert/strict";
import { DataError } from "../datasets/formats.ts";
import type { Message } from "../datasets/types.ts";
import { load, type LoadOptions, parseRecords, readDatasetInfo } from "../pipeline/load.ts";

const FIXTURES = new URL("./fixtures/data/", import.meta.url).pathname;
const LF_DEMO = new URL("../../shared/data/llamafactory/", import.meta.url).pathname;
const hasDemo = await Deno.stat(`${LF_DEMO}dataset_info.json`).then(() => true, () => false);

const user = (content: string): Message => ({ role: "user", content });
const bot = (content: string): Message => ({ role: "assistant", content });
const enc = new TextEncoder();
const jsonl = (...rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Writes `content` to a fresh temporary file named `name` and returns its path. */
async function tempFile(name: string, content: string | Uint8Array): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "load_test_" });
  const path = `${dir}/${name}`;
  await Deno.writeFile(path, typeof content === "string" ? enc.encode(content) : content);
  return path;
}

Deno.test("load: every fixture format is detected and normalised", async () => {
  const expect: Record<string, [string, (r: Awaited<ReturnType<typeof load>>) => void]> = {
    "trl_standard.jsonl": ["trl-standard", ({ pairs }) => {
      assert.deepEqual(pairs[0].prompt, [user("The capital of France is")]);
      assert.deepEqual(pairs[0].chosen, [bot(" Paris.")]);
      assert.equal(pairs[0].kind, "text");
    }],
    "trl_standard_implicit.jsonl": ["trl-standard-implicit", ({ pairs }) => {
      assert.deepEqual(pairs[1].prompt, [user("It is")]);
      assert.deepEqual([pairs[1].chosen, pairs[1].rejected], [[bot(" bright today")], [
        bot(" blue today"),
      ]]);
    }],
    "trl_conversational.json": ["trl-conversational", ({ pairs }) => {
      assert.deepEqual(pairs[1].prompt.map((m) => m.role), ["user", "assistant", "user"]);
      assert.equal(pairs[0].prompt[0].role, "system");
      assert.equal(pairs[0].kind, "chat");
    }],
    "trl_conversational_implicit.jsonl": ["trl-conversational-implicit", ({ pairs }) => {
      assert.deepEqual(pairs[0].prompt, [user("What is 3 × 3?")]);
      assert.deepEqual(pairs[1].prompt, [user("Hi"), bot("Hello"), user("Bye")]);
      assert.deepEqual(pairs[1].rejected, [bot("Whatever.")]);
    }],
    "alpaca.json": ["alpaca", ({ pairs }) => {
      assert.deepEqual(pairs[0].prompt, [
        { role: "system", content: "You are a translator." },
        user("Translate to French: dog"),
        bot("chien"),
        user("Translate to French\ncat"),
      ]);
      assert.deepEqual(pairs[1].prompt, [user("Say hello")]);
    }],
    "sharegpt.json": ["sharegpt", ({ pairs }) => {
      assert.deepEqual(pairs[0].prompt, [
        { role: "system", content: "You are terse." },
        user("Capital of Italy?"),
      ]);
      assert.deepEqual(pairs[1].prompt.map((m) => m.role), [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "tool",
      ]);
      assert.equal(pairs[1].prompt[0].content, "Use tools.");
      assert.deepEqual(pairs[1].rejected, [bot("It is sunny.")]);
      assert.deepEqual([pairs[2].chosen, pairs[2].rejected], [[bot("7")], [bot("seven hundred")]]);
    }],
    "hh.jsonl": ["hh", ({ pairs }) => {
      assert.deepEqual(pairs[1].prompt, [
        user("Hi"),
        bot("Hello! How can I help?"),
        user("Tell me a joke."),
      ]);
      assert.deepEqual(pairs[1].rejected, [bot("No.")]);
      assert.deepEqual(pairs[0].chosen, [bot("Whiskers is popular.")]);
    }],
    "tokenized.jsonl": ["tokenized", ({ pairs }) => {
      assert.deepEqual(pairs[0].ids, {
        prompt: [1, 15, 27, 3],
        chosen: [44, 45, 2],
        rejected: [46, 2],
      });
      assert.equal(pairs[0].kind, "ids");
    }],
  };
  for (const [name, [format, check]] of Object.entries(expect)) {
    const result = await load({ path: FIXTURES + name });
    assert.equal(result.format, format, name);
    assert.equal(result.report.rows, result.pairs.length, name);
    assert.deepEqual(result.report.warnings, [], name);
    assert.deepEqual(
      result.pairs.map((p) => p.source),
      result.pairs.map((_, i) => ({
        file: FIXTURES + name,
        row: i + 1,
      })),
    );
    check(result);
  }
});

Deno.test("load: JSON array, JSON lines and gzip of either give the same pairs", async () => {
  const text = await Deno.readTextFile(`${FIXTURES}trl_standard.jsonl`);
  const rows = text.trim().split("\n").map((l) => JSON.parse(l));
  const want = (await load(`${FIXTURES}trl_standard.jsonl`)).pairs.map(({ source: _, ...p }) => p);
  const variants: [string, Uint8Array][] = [
    ["d.json", enc.encode(JSON.stringify(rows, null, 2))],
    ["d.jsonl", enc.encode(text.replaceAll("\n", "\r\n"))],
    ["d.jsonl.gz", await gzip(enc.encode(text))],
    ["d.json.gz", await gzip(enc.encode(JSON.stringify(rows)))],
    ["no_extension", await gzip(enc.encode(text))], // detected by magic bytes
    ["bom.jsonl", new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(text)])],
    ["bom.json", new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(JSON.stringify(rows))])],
  ];
  for (const [name, bytes] of variants) {
    const { pairs, format } = await load(await tempFile(name, bytes));
    assert.equal(format, "trl-standard", name);
    assert.deepEqual(pairs.map(({ source: _, ...p }) => p), want, name);
  }
  // A one-object file is one row; blank JSONL lines keep the numbering.
  const one = await parseRecords(enc.encode(JSON.stringify(rows[0], null, 2)), "one.json");
  assert.deepEqual(one, [{ row: 1, value: rows[0] }]);
  const gaps = await parseRecords(
    enc.encode(`\n${JSON.stringify(rows[0])}\n\n${JSON.stringify(rows[1])}`),
    "g",
  );
  assert.deepEqual(gaps.map((r) => r.row), [2, 4]);
});

Deno.test({
  name: "load: the LLaMA-Factory demo loads 300 pairs, directly and through dataset_info.json",
  ignore: !hasDemo,
  fn: async () => {
    const raw = JSON.parse(await Deno.readTextFile(`${LF_DEMO}dpo_en_demo.json`)) as {
      conversations: { from: string; value: string }[];
      chosen: { value: string };
    }[];
    const viaInfo = await load({ path: LF_DEMO, dataset: "dpo_en_demo" });
    const direct = await load({ path: `${LF_DEMO}dpo_en_demo.json` });
    for (const { pairs, format, report } of [viaInfo, direct]) {
      assert.equal(format, "sharegpt");
      assert.equal(pairs.length, 300);
      assert.equal(report.rows, 300);
      assert.deepEqual(report.warnings, []);
      assert.equal(pairs.filter((p) => p.prompt[0].role === "system").length, 80);
      for (const [i, p] of pairs.entries()) {
        const turns = raw[i].conversations;
        const roles = turns.map((t) =>
          ({ system: "system", human: "user", gpt: "assistant" })[t.from]
        );
        assert.deepEqual(p.prompt.map((m) => m.role), roles, `row ${i + 1}`);
        assert.deepEqual(p.prompt.map((m) => m.content), turns.map((t) => t.value));
        assert.deepEqual(p.chosen, [bot(raw[i].chosen.value)]);
        assert.equal(p.rejected[0].role, "assistant");
        assert.equal(p.kind, "chat");
        assert.equal(p.source.row, i + 1);
      }
      assert.ok(pairs.some((p) => p.prompt.length >= 5), "multi-turn prompts stay whole");
    }
    assert.deepEqual(viaInfo.pairs, direct.pairs);
    // The folder's dataset_info.json itself works as the path, and the only entry needs no name.
    assert.equal((await load(`${LF_DEMO}dataset_info.json`)).pairs.length, 300);
  },
});

Deno.test("load: LLaMA-Factory entries honour columns, tags and their omissions", async () => {
  const dir = `${FIXTURES}llamafactory`;
  const alpaca = await load({ path: dir, dataset: "prefs_alpaca" });
  assert.equal(alpaca.format, "alpaca");
  assert.deepEqual(alpaca.pairs[0].prompt, [
    { role: "system", content: "Answer with a number." },
    user("Add 1 and 1"),
    bot("2"),
    user("Add the numbers\n2 and 3"),
  ]);
  assert.deepEqual(alpaca.pairs[0].chosen, [bot("5")]);

  const openai = await load({ path: dir, dataset: "prefs_openai" });
  assert.equal(openai.format, "sharegpt");
  assert.deepEqual(openai.pairs[0].prompt, [
    { role: "system", content: "Be kind." },
    user("I failed my test."),
  ]);
  // The row's "system" column is not mapped: LLaMA-Factory ignores it, and so do we, saying so.
  assert.equal(openai.report.warnings.length, 1);
  assert.equal(openai.report.warnings[0].kind, "ignored-column");
  assert.match(openai.report.warnings[0].message, /column "system" is not mapped/);

  const both = await load({ path: dir, dataset: "prefs_alpaca, prefs_openai" });
  assert.equal(both.pairs.length, 2);
  assert.deepEqual(both.report.files.map((f) => f.format), ["alpaca", "sharegpt"]);

  const info = await readDatasetInfo(dir, "prefs_alpaca");
  assert.deepEqual(info.columns, {
    instruction: "question",
    input: "context",
    system: "sys",
    history: "past",
    chosen: "better",
    rejected: "worse",
  });
  const failures: [string | undefined, RegExp][] = [
    [undefined, /holds 4 datasets .*name one with `dataset`/],
    ["missing", /has no dataset "missing"; it has "prefs_alpaca"/],
    ["not_ranked", /field "not_ranked\.ranking": expected true/],
    ["from_hub", /field "from_hub\.file_name": comes from "hf_hub_url"/],
  ];
  for (const [dataset, pattern] of failures) {
    await assert.rejects(load({ path: dir, dataset }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /dataset_info\.json/);
      assert.match(e.message, pattern);
      return true;
    });
  }
  // Tool definitions mapped: refused, not silently dropped from the prompts.
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.copyFile(`${dir}/prefs_openai.jsonl`, `${tmp}/prefs_openai.jsonl`);
    const entry = JSON.parse(await Deno.readTextFile(`${dir}/dataset_info.json`)).prefs_openai;
    entry.columns = { ...entry.columns, tools: "tools" };
    await Deno.writeTextFile(`${tmp}/dataset_info.json`, JSON.stringify({ prefs_openai: entry }));
    await assert.rejects(
      load({ path: tmp, dataset: "prefs_openai" }),
      /prefs_openai\.columns\.tools.*tool definitions are not supported/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

/** One malformed input: file name, content, options, and what the error must say. */
interface Bad {
  name: string;
  file: string;
  content: string | Uint8Array;
  options?: LoadOptions;
  row?: number;
  field?: string;
  message: RegExp;
}

const good = { prompt: "q", chosen: "a", rejected: "b" };
const hhRow = (c: string, r: string) => ({
  chosen: `\n\nHuman: hi\n\nAssistant: ${c}`,
  rejected: `\n\nHuman: hi\n\nAssistant: ${r}`,
});
const huge = "x".repeat(2_000_000);

const MALFORMED: Bad[] = [
  {
    name: "invalid JSON line",
    file: "d.jsonl",
    content: `${jsonl(good, good)}{"prompt": "q",\n`,
    row: 3,
    message: /row 3: line 3 is not valid JSON/,
  },
  {
    name: "missing field",
    file: "d.jsonl",
    content: jsonl(good, { prompt: "q", rejected: "b" }),
    row: 2,
    field: "chosen",
    message: /expected a string, but the row has no such field \(it has "prompt", "rejected"\)/,
  },
  {
    name: "wrong type",
    file: "data.jsonl",
    content: jsonl(good, good, { prompt: "q", chosen: 17, rejected: "b" }),
    row: 3,
    field: "chosen",
    message:
      /^\S*data\.jsonl row 3, field "chosen": expected a string, got number \(rows read as trl-standard, detected from the columns; .*\)$/,
  },
  {
    name: "null field",
    file: "d.jsonl",
    content: jsonl(good, { ...good, rejected: null }),
    row: 2,
    field: "rejected",
    message: /got null/,
  },
  {
    name: "null row",
    file: "d.jsonl",
    content: jsonl(good, null),
    row: 2,
    message: /row 2: expected an object .*got null/,
  },
  {
    name: "array row",
    file: "d.jsonl",
    content: jsonl(good, [1, 2]),
    row: 2,
    message: /got array/,
  },
  {
    name: "string row",
    file: "d.jsonl",
    content: jsonl(good, "text"),
    row: 2,
    message: /got string/,
  },
  { name: "empty file", file: "d.jsonl", content: "", message: /d\.jsonl: is empty/ },
  { name: "blank file", file: "d.json", content: " \n\n\t\n", message: /is empty/ },
  {
    name: "BOM only",
    file: "d.json",
    content: new Uint8Array([0xef, 0xbb, 0xbf]),
    message: /is empty/,
  },
  {
    name: "BOM then a bad row",
    file: "d.jsonl",
    content: `\uFEFF${jsonl(good, { ...good, chosen: [] })}`,
    row: 2,
    field: "chosen",
    message: /got array/,
  },
  {
    name: "non-UTF-8 JSONL line",
    file: "d.jsonl",
    content: new Uint8Array([
      ...enc.encode(jsonl(good)),
      ...enc.encode('{"prompt": "'),
      0xff,
      0xfe,
      ...enc.encode('", "chosen": "a", "rejected": "b"}\n'),
    ]),
    row: 2,
    message: /line 2 is not valid UTF-8 \(byte 13 of the line is 0xff\)/,
  },
  {
    name: "non-UTF-8 in a JSON array",
    file: "d.json",
    content: new Uint8Array([
      ...enc.encode(`[${JSON.stringify(good)},\n${JSON.stringify(good)},\n{"prompt": "`),
      0xc3,
      0x28,
      ...enc.encode('"}]'),
    ]),
    row: 3,
    message: /row 3 \(line 3, column 13\): not valid UTF-8/,
  },
  {
    name: "trailing comma in an array element",
    file: "d.json",
    content: `[\n${JSON.stringify(good)},\n${
      JSON.stringify(good)
    },\n{"prompt": "q", "chosen": "a", "rejected": "b",}\n]`,
    row: 3,
    message: /row 3 \(line 4, column \d+\): invalid JSON/,
  },
  {
    name: "trailing comma after the last row",
    file: "d.json",
    content: `[${JSON.stringify(good)},\n${JSON.stringify(good)},\n]`,
    row: 2,
    message: /row 2 \(line 2, column \d+\): invalid JSON: a comma after the last row/,
  },
  {
    name: "bare word in an array",
    file: "d.json",
    content: `[${JSON.stringify(good)}, ${JSON.stringify(good)}, nope]`,
    row: 3,
    message: /row 3 \(line 1, column \d+\): invalid JSON/,
  },
  {
    name: "array cut short",
    file: "d.json",
    content: `[${JSON.stringify(good)},\n{"prompt": "q"`,
    row: 2,
    message: /ends inside the array/,
  },
  {
    name: "NaN value",
    file: "d.jsonl",
    content: `${JSON.stringify(good)}\n{"prompt": NaN, "chosen": "a", "rejected": "b"}\n`,
    row: 2,
    message: /not valid JSON/,
  },
  {
    name: "JSON object that is not a row",
    file: "d.json",
    content: JSON.stringify({ rows: [good] }),
    message: /cannot detect the format from the columns "rows"/,
  },
  {
    name: "a detected format that does not fit a row (says which it was read as)",
    file: "d.jsonl",
    content: jsonl({ prompt: "q", chosen: [{ role: "assistant", content: "a" }], rejected: "b" }),
    row: 1,
    field: "chosen",
    message: /field "chosen": expected a string.*rows read as trl-standard, detected from/,
  },
  {
    name: "undetectable columns",
    file: "d.jsonl",
    content: jsonl({ question: "q", answer: "a" }),
    message: /cannot detect the format/,
  },
  {
    name: "chosen equals rejected",
    file: "d.jsonl",
    content: jsonl(good, { ...good, rejected: "a" }),
    options: { onDegenerate: "invalid" },
    row: 2,
    field: "rejected",
    message: /chosen and rejected are identical/,
  },
  {
    name: "empty response",
    file: "d.jsonl",
    content: jsonl(good, good, { ...good, chosen: "" }),
    options: { onDegenerate: "invalid" },
    row: 3,
    field: "chosen",
    message: /the chosen response is empty/,
  },
  {
    name: "empty HH response",
    file: "d.jsonl",
    content: jsonl(hhRow("yes", "no"), hhRow("yes", " ")),
    options: { onDegenerate: "invalid" },
    row: 2,
    field: "rejected",
    message: /rejected response is empty/,
  },
  {
    name: "huge line with a wrong type",
    file: "d.jsonl",
    content: jsonl({ prompt: huge, chosen: "a", rejected: 5 }),
    row: 1,
    field: "rejected",
    message: /expected a string, got number \(rows read as trl-standard/,
  },
  {
    name: "huge invalid line",
    file: "d.jsonl",
    content: `${jsonl(good)}{"prompt": "${huge}", "chosen": "a", "rejected": b}\n`,
    row: 2,
    message: /not valid JSON/,
  },
  {
    name: "message without a role",
    file: "d.jsonl",
    content: jsonl({ prompt: [{ content: "q" }], chosen: [bot("a")], rejected: [bot("b")] }),
    row: 1,
    field: "prompt[0].role",
    message: /expected a string, but the field is missing/,
  },
  {
    name: "message list given as a string",
    file: "d.jsonl",
    content: jsonl({ prompt: [user("q")], chosen: "a", rejected: [bot("b")] }),
    row: 1,
    field: "chosen",
    message: /expected a list of \{role, content\} messages, got string/,
  },
  {
    name: "ShareGPT turns out of order",
    file: "d.json",
    content: JSON.stringify([{
      conversations: [{ from: "human", value: "a" }, { from: "human", value: "b" }, {
        from: "human",
        value: "c",
      }],
      chosen: "x",
      rejected: "y",
    }]),
    row: 1,
    field: "conversations[1].from",
    message: /expected "gpt" or "function_call"/,
  },
  {
    name: "ShareGPT ending on gpt",
    file: "d.json",
    content: JSON.stringify([{
      conversations: [{ from: "human", value: "a" }, { from: "gpt", value: "b" }],
      chosen: "x",
      rejected: "y",
    }]),
    row: 1,
    field: "conversations",
    message: /end on a "human" or "observation" turn/,
  },
  {
    name: "HH rejected with another prompt",
    file: "d.jsonl",
    content: jsonl({
      chosen: "\n\nHuman: a\n\nAssistant: b",
      rejected: "\n\nHuman: c\n\nAssistant: d",
    }),
    row: 1,
    field: "rejected",
    message: /same conversation as "chosen"/,
  },
  {
    name: "negative token id",
    file: "d.jsonl",
    content: jsonl({ prompt_ids: [1], chosen_ids: [2, -1], rejected_ids: [3] }),
    row: 1,
    field: "chosen_ids[1]",
    message: /non-negative integer token id, got -1/,
  },
  {
    name: "Alpaca history of strings",
    file: "d.json",
    content: JSON.stringify([{
      instruction: "i",
      history: ["q", "a"],
      chosen: "x",
      rejected: "y",
    }]),
    row: 1,
    field: "history[0]",
    message: /\[user, assistant\] pair of strings, got "q"/,
  },
  {
    name: "a mapped column that is absent",
    file: "d.jsonl",
    content: jsonl({ q: "q", good: "a", worse: "b" }),
    options: { format: "trl-standard", columns: { prompt: "q", chosen: "good", rejected: "bad" } },
    row: 1,
    field: "bad",
    message: /no such field/,
  },
  {
    name: "corrupt gzip",
    file: "d.jsonl.gz",
    content: new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]),
    message: /is not a valid gzip file/,
  },
  {
    name: "Parquet",
    file: "d.parquet",
    content: enc.encode("PAR1\0\0\0\0"),
    message: /is a Parquet file/,
  },
];

Deno.test(`load: ${MALFORMED.length} malformed inputs each get a message naming row and field`, async () => {
  assert.ok(MALFORMED.length >= 25);
  for (const bad of MALFORMED) {
    const path = await tempFile(bad.file, bad.content);
    await assert.rejects(load({ path }, bad.options), (e: unknown) => {
      assert.ok(e instanceof DataError, `${bad.name}: ${e}`);
      assert.ok(e.message.startsWith(path), `${bad.name}: ${e.message}`);
      assert.equal(e.file, path, bad.name);
      assert.equal(e.row, bad.row, `${bad.name}: ${e.message}`);
      assert.equal(e.field, bad.field, `${bad.name}: ${e.message}`);
      if (bad.field) assert.ok(e.message.includes(`, field "${bad.field}": `), bad.name);
      assert.match(e.message, bad.message, bad.name);
      assert.ok(e.message.length < 600, `${bad.name}: message of ${e.message.length} characters`);
      return true;
    }, bad.name);
  }
  await assert.rejects(load("/nonexistent/data.jsonl"), /data\.jsonl: no such file/);
});

Deno.test("load: skip mode counts the bad rows and groups their reasons", async () => {
  const path = await tempFile(
    "mixed.jsonl",
    jsonl(
      good,
      { prompt: "q", chosen: 1, rejected: "b" },
      { prompt: "q", chosen: 2, rejected: "b" },
      { prompt: "q", rejected: "b" },
      good,
    ) + "{broken\n" + jsonl({ prompt: "q", chosen: "a" }, null),
  );
  const { pairs, report } = await load({ path }, { onInvalid: "skip" });
  assert.equal(pairs.length, 2);
  assert.deepEqual(pairs.map((p) => p.source.row), [1, 5]);
  assert.equal(report.rows, 8);
  assert.equal(report.skipped, 6);
  assert.deepEqual(report.invalid.map((r) => [r.row, r.field]), [
    [2, "chosen"],
    [3, "chosen"],
    [4, "chosen"],
    [6, undefined],
    [7, "rejected"],
    [8, undefined],
  ]);
  assert.deepEqual(
    report.reasons.map((r) => [r.reason, r.count, r.examples.map((x) => x.row)]),
    [
      ['field "chosen": expected a string, got number', 2, [2, 3]],
      ['field "chosen": expected a string, but the row has no such field', 1, [4]],
      ["a line is not valid JSON; expected one JSON object per line", 1, [6]],
      ['field "rejected": expected a string, but the row has no such field', 1, [7]],
      ["expected an object with the row's fields, got null", 1, [8]],
    ],
  );
  // Error mode stops at the first.
  await assert.rejects(load({ path }), /mixed\.jsonl row 2, field "chosen"/);
  // Nothing usable at all is an error even when skipping.
  const none = await tempFile("none.jsonl", jsonl({ prompt: "q", chosen: 1, rejected: "b" }, null));
  await assert.rejects(
    load({ path: none }, { onInvalid: "skip" }),
    /no usable pairs in 2 rows \(1× field "chosen": expected a string, got number; 1× expected an object/,
  );
});

Deno.test("load: degenerate pairs are kept and reported by default, or dropped", async () => {
  const path = await tempFile(
    "degenerate.jsonl",
    jsonl(good, { ...good, rejected: "a" }, { ...good, chosen: "  " }, { ...good, prompt: "" }),
  );
  const kept = await load({ path });
  assert.equal(kept.pairs.length, 4);
  assert.deepEqual(kept.report.warnings.map((w) => [w.kind, w.row, w.field, w.action]), [
    ["equal-responses", 2, "rejected", "kept"],
    ["empty-response", 3, "chosen", "kept"],
    ["empty-prompt", 4, "prompt", "kept"],
  ]);
  assert.match(
    kept.report.warnings[0].message,
    /degenerate\.jsonl row 2, field "rejected": chosen and rejected are identical/,
  );
  const dropped = await load({ path }, { onDegenerate: "drop" });
  assert.deepEqual(dropped.pairs.map((p) => p.source.row), [1, 4]);
  assert.equal(dropped.report.dropped, 2);
  assert.deepEqual(dropped.report.warnings.map((w) => w.action), ["dropped", "dropped", "kept"]);
  const skipped = await load({ path }, { onDegenerate: "invalid", onInvalid: "skip" });
  assert.equal(skipped.report.skipped, 2);
  assert.equal(skipped.pairs.length, 2);
  // Token ids: an empty chosen list is degenerate too.
  const ids = await tempFile(
    "ids.jsonl",
    jsonl({ prompt_ids: [1], chosen_ids: [], rejected_ids: [2] }),
  );
  assert.deepEqual((await load(ids)).report.warnings.map((w) => [w.kind, w.field]), [[
    "empty-response",
    "chosen_ids",
  ]]);
});

Deno.test("load: a format override and a column mapping", async () => {
  // Both "instruction" and "prompt": detection picks Alpaca, the override picks TRL.
  const path = await tempFile(
    "both.jsonl",
    jsonl({ instruction: "I", prompt: "P", chosen: "a", rejected: "b" }),
  );
  assert.deepEqual((await load(path)).pairs[0].prompt, [user("I")]);
  const trl = await load(path, { format: "trl-standard" });
  assert.equal(trl.format, "trl-standard");
  assert.deepEqual(trl.pairs[0].prompt, [user("P")]);

  const mapped = await tempFile(
    "mapped.jsonl",
    jsonl({ question: [user("Sky?")], good: [bot("Blue.")], bad: [bot("Red.")] }),
  );
  const columns = { prompt: "question", chosen: "good", rejected: "bad" };
  const r = await load({ path: mapped }, { columns });
  assert.equal(r.format, "trl-conversational");
  assert.deepEqual([r.pairs[0].prompt, r.pairs[0].rejected], [[user("Sky?")], [bot("Red.")]]);

  const hhAsText = await load(`${FIXTURES}hh.jsonl`, { format: "trl-standard-implicit" });
  assert.equal(hhAsText.pairs[0].kind, "text");
  assert.ok(hhAsText.pairs[0].prompt[0].content.endsWith("\n\nAssistant:"));

  await assert.rejects(load(path, { format: "csv" as never }), RangeError);
  await assert.rejects(load(path, { onInvalid: "ignore" as never }), /Unknown onInvalid "ignore"/);
});

Deno.test("load: several paths, the logger and cancellation", async () => {
  const lines: string[] = [];
  const r = await load(
    { paths: [`${FIXTURES}trl_standard.jsonl`, `${FIXTURES}tokenized.jsonl`] },
    {},
    { logger: { info: (m) => lines.push(m) } },
  );
  assert.equal(r.pairs.length, 4);
  assert.equal(r.format, "trl-standard");
  assert.deepEqual(r.report.files.map((f) => [f.format, f.rows, f.pairs]), [
    ["trl-standard", 2, 2],
    ["tokenized", 2, 2],
  ]);
  assert.equal(lines.length, 3);
  assert.match(lines[2], /loaded 4 pairs from 4 rows/);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    load(`${FIXTURES}hh.jsonl`, {}, { signal: controller.signal }),
    (e: unknown) => (e as Error).name === "AbortError",
  );
  await assert.rejects(load({}), /Nothing to load/);
});
