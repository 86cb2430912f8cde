import assert from "node:assert/strict";
import { DataError } from "../datasets/formats.ts";
import { ByteTokenizer } from "../model/tokenizer.ts";
import { formatInspectReport, inspect, lengthStats } from "../pipeline/inspect.ts";
import { commandHelp, type Io, main } from "../main.ts";

const FIXTURE = new URL("./fixtures/tokenize/mixed.jsonl", import.meta.url).pathname;
const ROOT = new URL("../", import.meta.url).pathname;
const DATA = new URL("../../shared/data", import.meta.url).pathname;
const DEMO = `${DATA}/llamafactory/dpo_en_demo.json`;
const GPT2 = `${DATA}/gpt2`;
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const hasDemo = await exists(DEMO) && await exists(`${GPT2}/tokenizer.json`);

function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [], stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

Deno.test("lengthStats: nearest-rank percentiles", () => {
  assert.deepEqual(lengthStats([]), { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  const s = lengthStats(Array.from({ length: 100 }, (_, i) => 100 - i));
  assert.deepEqual(s, { count: 100, mean: 50.5, p50: 50, p90: 90, p99: 99, max: 100 });
  assert.equal(lengthStats([7]).p99, 7);
});

Deno.test("inspect: format, invalid rows with reasons, lengths, limits, example", async () => {
  const report = await inspect({ data: FIXTURE, template: "plain" });
  assert.equal(report.format, "trl-standard");
  assert.equal(report.rows, 7);
  assert.equal(report.pairs, 4);
  assert.deepEqual(report.invalid.map((r) => r.row), [3, 5, 7]);
  assert.match(report.invalid[0].message, /row 3, field "chosen": expected a string, got number/);
  assert.match(report.invalid[2].message, /row 7, field "rejected"/);
  assert.deepEqual(report.warnings.map((w) => [w.kind, w.count]), [["equal-responses", 1]]);
  assert.equal(report.tokenizer, "byte");
  assert.deepEqual(report.rendered, { template: 0, plain: 4, ids: 0 });
  // Byte tokens: prompts 24, 4, 8, 70; chosen 7+1, 1+1, 4+1, 16+1; rejected 6+1, 1+1, 4+1, 55+1.
  assert.deepEqual(report.lengths.prompt, {
    count: 4,
    mean: 26.5,
    p50: 8,
    p90: 70,
    p99: 70,
    max: 70,
  });
  assert.equal(report.lengths.chosen.max, 17);
  assert.equal(report.lengths.rejected.max, 56);
  assert.equal(report.lengths.sequence.max, 126);
  assert.equal(report.limits.maxLength, null);
  assert.deepEqual(report.limits.longerThan.map((t) => t.pairs), [0, 0, 0, 0, 0]);
  assert.equal(report.example?.source.row, 1);
  assert.equal(report.example?.prompt.text, "The capital of France is");
  assert.equal(report.example?.chosen.text, " Paris.<|eos|>");
  assert.equal(report.example?.chosen.tokens, 8);

  const limited = await inspect({
    data: FIXTURE,
    template: "plain",
    maxLength: 40,
    maxPromptLength: 30,
    example: 3,
  });
  assert.deepEqual(
    [limited.limits.truncated, limited.limits.truncatedPrompts, limited.limits.truncatedResponses],
    [1, 1, 2],
  );
  assert.equal(limited.limits.dropped, 0);
  assert.equal(limited.example?.source.row, 6);
  // Without a prompt cap the long prompt leaves no room: that pair would be dropped.
  const dropping = await inspect({ data: FIXTURE, template: "plain", maxLength: 60 });
  assert.equal(dropping.limits.dropped, 1);

  const text = formatInspectReport(limited);
  for (
    const expected of [
      "format: trl-standard",
      "rows: 7 read, 4 pairs loaded, 3 invalid",
      "Invalid rows (3)",
      "row 5: line 5 is not valid JSON",
      "1× equal-responses",
      "would truncate 1 pairs (1 prompts, 2 responses) and drop 0",
      "--- prompt (70 tokens) ---",
      "p99",
    ]
  ) assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in\n${text}`);
});

Deno.test("inspect: standard rows as given by default (as TRL), the template on request, errors", async () => {
  const report = await inspect({ data: FIXTURE, tokenizer: new ByteTokenizer() });
  assert.deepEqual(report.rendered, { template: 0, plain: 4, ids: 0 });
  assert.equal(report.example?.prompt.text, "The capital of France is");
  const templated = await inspect({
    data: FIXTURE,
    tokenizer: new ByteTokenizer(),
    template: "template",
  });
  assert.deepEqual(templated.rendered, { template: 4, plain: 0, ids: 0 });
  assert.ok(templated.example?.prompt.text.startsWith("<|bos|><|user|>The capital"));
  await assert.rejects(() => inspect({ data: FIXTURE, example: 4 }), RangeError);
  const empty = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    await assert.rejects(() => inspect({ data: empty }), DataError);
  } finally {
    await Deno.remove(empty);
  }
});

Deno.test({
  name: "inspect: the LLaMA-Factory demo with GPT-2's tokenizer",
  ignore: !hasDemo,
  async fn() {
    const report = await inspect({
      data: DEMO,
      tokenizer: GPT2,
      maxLength: 512,
      maxPromptLength: 128,
    });
    assert.equal(report.format, "sharegpt");
    assert.equal(report.pairs, 300);
    assert.equal(report.invalid.length, 0);
    assert.equal(report.rendered.plain, 300);
    assert.ok(report.lengths.prompt.p50 > 0 && report.lengths.sequence.max > 512);
    assert.ok(report.limits.truncated > 0);
    assert.ok(report.example?.prompt.text.startsWith("User: "));
    assert.ok(report.example?.chosen.text.endsWith("<|endoftext|>"));
    // The same data through dataset_info.json.
    const viaInfo = await inspect({ data: `${DATA}/llamafactory`, dataset: "dpo_en_demo" });
    assert.equal(viaInfo.pairs, 300);
  },
});

Deno.test("main: help, unknown flags and commands, bad values", async () => {
  let io = captureIo();
  assert.equal(await main(["inspect", "--help"], io), 0);
  const help = io.stdout.join("");
  assert.equal(help, commandHelp("inspect"));
  for (
    const flag of ["--data FILE", "--tokenizer DIR", "--max-length N", "--max-prompt-length N"]
  ) {
    assert.ok(help.includes(flag), flag);
  }
  assert.match(help, /--template MODE .*\(default: auto\)/);
  assert.match(help, /--example N .*\(default: 1\)/);

  io = captureIo();
  assert.equal(await main(["--help"], io), 0);
  assert.match(io.stdout.join(""), /inspect +Show a preference dataset/);

  const cases: [string[], RegExp][] = [
    [["inspect", "--data", FIXTURE, "--bogus"], /Unknown option '--bogus'/],
    [["inspect", "--data", FIXTURE, "stray"], /positional/i],
    [["inspect"], /--data is required/],
    [
      ["inspect", "--data", FIXTURE, "--max-length", "0"],
      /--max-length must be a positive integer/,
    ],
    [["inspect", "--data", FIXTURE, "--template", "x"], /--template must be one of/],
    [["inspect", "--data", FIXTURE, "--format", "csv"], /--format must be one of/],
    [["inspect", "--data", FIXTURE, "--model", "a", "--tokenizer", "b"], /not both/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ];
  for (const [args, message] of cases) {
    io = captureIo();
    assert.equal(await main(args, io), 2, args.join(" "));
    assert.match(io.stderr.join(""), message);
  }
  io = captureIo();
  assert.equal(await main(["inspect", "--data", FIXTURE, "--tokenizer", "/nonexistent"], io), 1);
  assert.match(io.stderr.join(""), /error: \/nonexistent: cannot read the tokenizer folder/);
  io = captureIo();
  assert.equal(await main(["inspect", "--data", FIXTURE, "--template", "plain"], io), 0);
  assert.match(io.stdout.join(""), /format: trl-standard/);
  // Training's limits by default; "none" lifts them.
  assert.match(io.stdout.join(""), /Limits: max length 1024, max prompt length 512/);
  io = captureIo();
  const args = ["inspect", "--data", FIXTURE, "--template", "plain", "--max-length", "none"];
  assert.equal(await main(args, io), 0);
  assert.doesNotMatch(io.stdout.join(""), /max length 1024/);
});

Deno.test({
  name: "deno task inspect: runs on the demo file with GPT-2's tokenizer",
  ignore: !hasDemo,
  async fn() {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "inspect", "--data", DEMO, "--tokenizer", GPT2, "--max-length", "1024"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    assert.match(stdout, /format: sharegpt/);
    assert.match(stdout, /rows: 300 read, 300 pairs loaded, 0 invalid/);
    assert.match(stdout, /prompt \+ longer response/);
    // The prompt limit defaults to half of max length, as in a run: long prompts cut, none dropped.
    assert.match(
      stdout,
      /Limits: max length 1024, max prompt length 512\n {2}would truncate \d+ pairs .* and drop 0\n/,
    );
    assert.match(stdout, /--- chosen \(\d+ tokens\) ---/);
  },
});
