import assert from "node:assert/strict";
import {
  DataError,
  detectFormat,
  extractMessagePrompt,
  extractTextPrompt,
  type Format,
  normalizeRow,
  pairIssues,
  parseHhTranscript,
  resolveColumns,
  splitHh,
} from "../datasets/formats.ts";
import type { Message, PreferencePair } from "../datasets/types.ts";

const src = { file: "t.jsonl", row: 7 };
const user = (content: string): Message => ({ role: "user", content });
const bot = (content: string): Message => ({ role: "assistant", content });
const hh = (...turns: [string, string][]) => turns.map(([w, t]) => `\n\n${w}: ${t}`).join("");

Deno.test("formats: detection table", () => {
  const msgs = [user("q")];
  const table: [Record<string, unknown>, Format][] = [
    [{ prompt: "q", chosen: "a", rejected: "b" }, "trl-standard"],
    [{ chosen: "q a", rejected: "q b" }, "trl-standard-implicit"],
    [{ prompt: msgs, chosen: [bot("a")], rejected: [bot("b")] }, "trl-conversational"],
    [{ chosen: [...msgs, bot("a")], rejected: [...msgs, bot("b")] }, "trl-conversational-implicit"],
    [{ instruction: "q", input: "", chosen: "a", rejected: "b" }, "alpaca"],
    [{ conversations: [{ from: "human", value: "q" }], chosen: "a", rejected: "b" }, "sharegpt"],
    [{ chosen: hh(["Human", "q"], ["Assistant", "a"]), rejected: "x" }, "hh"],
    [{ prompt_ids: [1], chosen_ids: [2], rejected_ids: [3] }, "tokenized"],
  ];
  for (const [row, format] of table) assert.equal(detectFormat([row]), format, format);
});

Deno.test("formats: detection looks past null rows and null values, and through the mapping", () => {
  const rows = [null, { prompt: null, chosen: "a", rejected: "b" }, {
    prompt: [user("q")],
    chosen: [bot("a")],
    rejected: [bot("b")],
  }];
  assert.equal(detectFormat(rows), "trl-conversational");
  const mapped = { columns: { prompt: "q", chosen: "good", rejected: "bad" } };
  assert.equal(detectFormat([{ q: "x", good: "a", bad: "b" }], mapped), "trl-standard");
  assert.equal(
    detectFormat([{ turns: [], chosen: "a", rejected: "b" }], {
      columns: { conversations: "turns" },
    }),
    "sharegpt",
  );
});

Deno.test("formats: undetectable rows name the columns they have", () => {
  assert.throws(
    () => detectFormat([{ question: "q", answer: "a" }], { file: "x.json" }),
    (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(
        e.message,
        /^x\.json: cannot detect the format from the columns "question", "answer"/,
      );
      return true;
    },
  );
  assert.throws(() => detectFormat([1, "a"], { file: "x.json" }), /no rows to detect/);
});

Deno.test("formats: TRL standard keeps strings exactly", () => {
  const p = normalizeRow({ prompt: "2 + 2 =", chosen: " 4", rejected: " 5" }, src, {
    format: "trl-standard",
  });
  assert.deepEqual(p, {
    prompt: [user("2 + 2 =")],
    chosen: [bot(" 4")],
    rejected: [bot(" 5")],
    kind: "text",
    source: src,
  });
});

Deno.test("formats: implicit text prompt cuts at a word boundary and hands the space to the responses", () => {
  const cases: [string, string, string, string, string][] = [
    ["The sky is blue.", "The sky is green.", "The sky is", " blue.", " green."],
    ["It is bright", "It is blue", "It is", " bright", " blue"],
    ["Answer: 4", "Answer: 5", "Answer:", " 4", " 5"],
    ["Answer:yes", "Answer:no", "Answer:", "yes", "no"],
    ["Q?\nyes", "Q?\nno", "Q?\n", "yes", "no"],
    ["abc", "xyz", "", "abc", "xyz"],
    ["天空是蓝色的", "天空是绿色的", "天空是", "蓝色的", "绿色的"],
    ["smile 😀!", "smile 😃!", "smile", " 😀!", " 😃!"],
    ["same", "same", "same", "", ""],
  ];
  for (const [c, r, prompt, chosen, rejected] of cases) {
    assert.deepEqual(extractTextPrompt(c, r), { prompt, chosen, rejected }, `${c} | ${r}`);
    const split = extractTextPrompt(c, r);
    assert.equal(split.prompt + split.chosen, c);
    assert.equal(split.prompt + split.rejected, r);
  }
  const p = normalizeRow({ chosen: "Hi there", rejected: "Hi you" }, src, {
    format: "trl-standard-implicit",
  });
  assert.deepEqual([p.prompt, p.chosen, p.rejected], [[user("Hi")], [bot(" there")], [
    bot(" you"),
  ]]);
});

Deno.test("formats: TRL conversational, explicit and implicit prompts", () => {
  const sys = { role: "system", content: "Be brief." };
  const explicit = normalizeRow(
    { prompt: [sys, user("Sky?")], chosen: [bot("Blue.")], rejected: [bot("Green.")] },
    src,
    { format: "trl-conversational" },
  );
  assert.deepEqual(explicit.prompt, [sys, user("Sky?")]);
  assert.equal(explicit.kind, "chat");
  const turns = [user("Hi"), bot("Hello"), user("Bye")];
  const implicit = normalizeRow(
    { chosen: [...turns, bot("Goodbye!")], rejected: [...turns, bot("Whatever.")] },
    src,
    { format: "trl-conversational-implicit" },
  );
  assert.deepEqual(implicit.prompt, turns);
  assert.deepEqual(implicit.chosen, [bot("Goodbye!")]);
  assert.deepEqual(implicit.rejected, [bot("Whatever.")]);
  assert.deepEqual(extractMessagePrompt([user("a")], [user("b")]).prompt, []);
  // Text parts are joined.
  const parts = normalizeRow(
    {
      prompt: [{
        role: "user",
        content: [{ type: "text", text: "A" }, { type: "text", text: "B" }],
      }],
      chosen: [bot("x")],
      rejected: [bot("y")],
    },
    src,
    { format: "trl-conversational" },
  );
  assert.deepEqual(parts.prompt, [user("AB")]);
});

Deno.test("formats: Alpaca joins instruction and input with a newline, puts system and history first", () => {
  const p = normalizeRow(
    {
      instruction: "Translate to French",
      input: "cat",
      system: "You translate.",
      history: [["Translate to French: dog", "chien"]],
      chosen: "chat",
      rejected: "chien",
    },
    src,
    { format: "alpaca" },
  );
  assert.deepEqual(p.prompt, [
    { role: "system", content: "You translate." },
    user("Translate to French: dog"),
    bot("chien"),
    user("Translate to French\ncat"),
  ]);
  assert.equal(p.kind, "chat"); // templated like any conversation
  const bare = normalizeRow({ instruction: "Hi", input: "", chosen: "a", rejected: "b" }, src, {
    format: "alpaca",
  });
  assert.deepEqual(bare.prompt, [user("Hi")]);
  // With the system column switched off (LLaMA-Factory without a mapping), it is not read.
  const off = normalizeRow({ instruction: "Hi", system: "S", chosen: "a", rejected: "b" }, src, {
    format: "alpaca",
    columns: { system: null },
  });
  assert.deepEqual(off.prompt, [user("Hi")]);
});

Deno.test("formats: ShareGPT system turns, system column, plain-string and tool roles", () => {
  const inside = normalizeRow(
    {
      conversations: [{ from: "system", value: "Terse." }, {
        from: "human",
        value: "Capital of Italy?",
      }],
      chosen: { from: "gpt", value: "Rome." },
      rejected: { from: "gpt", value: "Milan." },
    },
    src,
    { format: "sharegpt" },
  );
  assert.deepEqual(inside.prompt, [
    { role: "system", content: "Terse." },
    user("Capital of Italy?"),
  ]);
  assert.deepEqual(inside.chosen, [bot("Rome.")]);
  const column = normalizeRow(
    {
      conversations: [
        { from: "human", value: "Weather?" },
        { from: "function_call", value: "{}" },
        { from: "observation", value: "3" },
      ],
      system: "Use tools.",
      chosen: "3 °C.",
      rejected: { from: "gpt", value: "Sunny." },
    },
    src,
    { format: "sharegpt" },
  );
  assert.deepEqual(column.prompt.map((m) => m.role), ["system", "user", "assistant", "tool"]);
  assert.deepEqual(column.chosen, [bot("3 °C.")]);
  const openai = normalizeRow(
    {
      conversations: [{ role: "user", content: "Hi" }],
      chosen: { role: "assistant", content: "Hello" },
      rejected: "Go.",
    },
    src,
    { format: "sharegpt" },
  );
  assert.deepEqual(openai.prompt, [user("Hi")]);
  const tagged = normalizeRow(
    {
      conversations: [{ speaker: "me", text: "Hi" }],
      chosen: { speaker: "ai", text: "Yo" },
      rejected: "No",
    },
    src,
    {
      format: "sharegpt",
      tags: { roleTag: "speaker", contentTag: "text", userTag: "me", assistantTag: "ai" },
    },
  );
  assert.deepEqual(tagged.chosen, [bot("Yo")]);
});

Deno.test("formats: a messages column beside chosen and rejected is refused, not dropped", () => {
  const rows = [{
    messages: [{ role: "user", content: "2+2?" }],
    chosen: [{ role: "assistant", content: "4" }],
    rejected: [{ role: "assistant", content: "5" }],
  }];
  assert.throws(
    () => detectFormat(rows, { file: "m.jsonl" }),
    /m\.jsonl: a "messages" column beside "chosen" and "rejected".*dataset_info\.json/,
  );
});

Deno.test("formats: Anthropic HH splits at the last Assistant turn", () => {
  const prompt = hh(["Human", "Hi"], ["Assistant", "Hello!"], ["Human", "A joke?"]);
  const p = normalizeRow(
    {
      chosen: `${prompt}\n\nAssistant: Why did the chicken…`,
      rejected: `${prompt}\n\nAssistant: No.`,
    },
    src,
    { format: "hh" },
  );
  assert.deepEqual(p.prompt, [user("Hi"), bot("Hello!"), user("A joke?")]);
  assert.deepEqual(p.chosen, [bot("Why did the chicken…")]);
  assert.deepEqual(p.rejected, [bot("No.")]);
  assert.deepEqual(parseHhTranscript("Be nice.\n\nHuman: Hi"), [
    { role: "system", content: "Be nice." },
    user("Hi"),
  ]);
  assert.deepEqual(parseHhTranscript("Human: Hi\n\nAssistant: Yo"), [user("Hi"), bot("Yo")]);
  assert.throws(() => splitHh("\n\nHuman: Hi", "x", { file: "hh.jsonl", row: 2 }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.field, "chosen");
    assert.match(e.message, /^hh\.jsonl row 2, field "chosen": expected an HH transcript/);
    return true;
  });
  assert.throws(
    () => splitHh(hh(["Human", "A"], ["Assistant", "x"]), hh(["Human", "B"], ["Assistant", "y"])),
    /field "rejected": expected the same conversation as "chosen".*character 10/,
  );
  // Either transcript may go on with more turns: the prompt is what both share, up to the last
  // Assistant turn inside it, whichever side runs longer.
  const shared = hh(["Human", "Hi"], ["Assistant", ""]);
  const longer = `${shared} A${hh(["Human", "more"], ["Assistant", "B"])}`;
  for (const [chosen, rejected] of [[longer, `${shared} C`], [`${shared} C`, longer]]) {
    const split = splitHh(chosen, rejected);
    assert.deepEqual(split.prompt, [user("Hi")]);
    const text = (m: { content: string }[]) => m[0].content;
    assert.deepEqual([text(split.chosen), text(split.rejected)], [
      chosen === longer ? "A\n\nHuman: more\n\nAssistant: B" : "C",
      chosen === longer ? "C" : "A\n\nHuman: more\n\nAssistant: B",
    ]);
  }
});

Deno.test("formats: pre-tokenized rows are used exactly as given", () => {
  const p = normalizeRow({ prompt_ids: [1, 5], chosen_ids: [7, 2], rejected_ids: [8] }, src, {
    format: "tokenized",
  });
  assert.deepEqual(p.ids, { prompt: [1, 5], chosen: [7, 2], rejected: [8] });
  assert.deepEqual([p.prompt, p.chosen, p.rejected, p.kind], [[], [], [], "ids"]);
});

Deno.test("formats: row errors name the file, the row, the field and what was expected", () => {
  const cases: [Format, unknown, string, RegExp][] = [
    [
      "trl-standard",
      { prompt: "q", chosen: 3, rejected: "b" },
      "chosen",
      /expected a string, got number/,
    ],
    [
      "trl-standard",
      { prompt: "q", rejected: "b" },
      "chosen",
      /no such field \(it has "prompt", "rejected"\)/,
    ],
    [
      "trl-conversational",
      { prompt: "q", chosen: [], rejected: [] },
      "prompt",
      /expected a list of \{role, content\} messages, got string/,
    ],
    [
      "trl-conversational",
      { prompt: [{ role: "user" }], chosen: [], rejected: [] },
      "prompt[0].content",
      /field is missing/,
    ],
    [
      "trl-conversational",
      { prompt: [{ role: 1, content: "" }], chosen: [], rejected: [] },
      "prompt[0].role",
      /got number/,
    ],
    [
      "alpaca",
      { instruction: "q", history: [["a"]], chosen: "a", rejected: "b" },
      "history[0]",
      /\[user, assistant\] pair/,
    ],
    [
      "alpaca",
      { instruction: "q", input: 5, chosen: "a", rejected: "b" },
      "input",
      /string or null, got number/,
    ],
    [
      "sharegpt",
      { conversations: {}, chosen: "a", rejected: "b" },
      "conversations",
      /list of turns, got object/,
    ],
    [
      "sharegpt",
      { conversations: [{ from: "gpt", value: "x" }], chosen: "a", rejected: "b" },
      "conversations[0].from",
      /expected "human" or "observation".*got "gpt"/,
    ],
    [
      "sharegpt",
      {
        conversations: [{ from: "human", value: "x" }, { from: "gpt", value: "y" }],
        chosen: "a",
        rejected: "b",
      },
      "conversations",
      /end on a "human" or "observation" turn/,
    ],
    [
      "sharegpt",
      {
        conversations: [{ from: "human", value: "x" }],
        chosen: { from: "human", value: "a" },
        rejected: "b",
      },
      "chosen.from",
      /expected "gpt" or "function_call"/,
    ],
    [
      "sharegpt",
      { conversations: [{ from: "human", value: "x" }], chosen: 5, rejected: "b" },
      "chosen",
      /turn or a string, got number/,
    ],
    [
      "sharegpt",
      { conversations: [{ from: "human", value: null }], chosen: "a", rejected: "b" },
      "conversations[0].value",
      /expected a string, got null/,
    ],
    [
      "tokenized",
      { prompt_ids: [1], chosen_ids: [1, -2], rejected_ids: [3] },
      "chosen_ids[1]",
      /non-negative integer token id, got -2/,
    ],
    [
      "tokenized",
      { prompt_ids: [1], chosen_ids: [1.5], rejected_ids: [3] },
      "chosen_ids[0]",
      /got 1\.5/,
    ],
    [
      "tokenized",
      { prompt_ids: "1 2", chosen_ids: [1], rejected_ids: [3] },
      "prompt_ids",
      /got string/,
    ],
    ["hh", { chosen: "no turns", rejected: "x" }, "chosen", /"\\n\\nAssistant:" turn/],
  ];
  for (const [format, row, field, reason] of cases) {
    assert.throws(() => normalizeRow(row, src, { format }), (e: unknown) => {
      assert.ok(e instanceof DataError, `${format} ${field}`);
      assert.equal(e.field, field);
      assert.equal(e.row, 7);
      assert.ok(e.message.startsWith(`t.jsonl row 7, field "${field}": `), e.message);
      assert.match(e.reason, reason);
      return true;
    });
  }
  assert.throws(
    () => normalizeRow(null, src, { format: "hh" }),
    /t\.jsonl row 7: expected an object.*got null/,
  );
  assert.throws(() => normalizeRow({}, src, { format: "nope" as Format }), RangeError);
});

Deno.test("formats: mapped columns are read and named in errors", () => {
  const columns = { prompt: "question", chosen: "good", rejected: "bad" };
  const p = normalizeRow({ question: "q", good: "a", bad: "b" }, src, {
    format: "trl-standard",
    columns,
  });
  assert.deepEqual(p.chosen, [bot("a")]);
  assert.throws(
    () =>
      normalizeRow({ question: "q", good: 1, bad: "b" }, src, { format: "trl-standard", columns }),
    /field "good": expected a string, got number/,
  );
  assert.throws(() => resolveColumns({ answer: "x" } as never), /Unknown column "answer"/);
});

Deno.test("formats: pairIssues flags equal responses, empty responses and empty prompts", () => {
  const pair = (prompt: string, c: string, r: string): PreferencePair => ({
    prompt: [user(prompt)],
    chosen: [bot(c)],
    rejected: [bot(r)],
    kind: "text",
    source: src,
  });
  assert.deepEqual(pairIssues(pair("q", "a", "b")), []);
  assert.deepEqual(pairIssues(pair("q", "a", "a")).map((i) => i.kind), ["equal-responses"]);
  assert.deepEqual(pairIssues(pair("q", " ", "b")).map((i) => [i.kind, i.field]), [[
    "empty-response",
    "chosen",
  ]]);
  assert.deepEqual(pairIssues(pair("", "", "")).map((i) => i.kind), [
    "empty-response",
    "empty-response",
    "empty-prompt",
  ]);
  const ids: PreferencePair = {
    prompt: [],
    chosen: [],
    rejected: [],
    kind: "ids",
    ids: { prompt: [1], chosen: [4, 2], rejected: [4, 2] },
    source: src,
  };
  assert.deepEqual(pairIssues(ids).map((i) => i.kind), ["equal-responses"]);
});

Deno.test("formats: DataError formats its location", () => {
  const e = new DataError({ file: "a.json", row: 3, line: 9, column: 2, reason: "bad" });
  assert.equal(e.message, "a.json row 3 (line 9, column 2): bad");
  assert.equal(e.name, "DataError");
  assert.equal(new DataError({ file: "a.json", reason: "empty" }).message, "a.json: empty");
});
