import assert from "node:assert/strict";
import { DataError, normalizeRow } from "../datasets/formats.ts";
import type { Message, PreferencePair } from "../datasets/types.ts";
import { ByteTokenizer, loadTokenizer, type TextTokenizer } from "../model/tokenizer.ts";
import {
  type Batch,
  batches,
  batchOrder,
  encodePair,
  epochOrder,
  makeBatch,
  pairLength,
  renderPair,
  splitTrainEval,
  tokenize,
  type TokenizedPair,
  truncatePair,
} from "../pipeline/tokenize.ts";

const DATA = new URL("../../shared/data", import.meta.url).pathname;
const GPT2 = `${DATA}/gpt2`;
const QWEN = `${DATA}/qwen2.5`;
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const hasGpt2 = await exists(`${GPT2}/tokenizer.json`);
const hasQwen = await exists(`${QWEN}/vocab.json`);

const byte = new ByteTokenizer();
const BOS = 256, EOS = 257, PAD = 258;
const user = (content: string): Message => ({ role: "user", content });
const bot = (content: string): Message => ({ role: "assistant", content });
let nextRow = 1;
const textPair = (prompt: string, chosen: string, rejected: string): PreferencePair => ({
  prompt: [user(prompt)],
  chosen: [bot(chosen)],
  rejected: [bot(rejected)],
  kind: "text",
  source: { file: "mem", row: nextRow++ },
});
const chatPair = (prompt: Message[], chosen: string, rejected: string): PreferencePair => ({
  prompt,
  chosen: [bot(chosen)],
  rejected: [bot(rejected)],
  kind: "chat",
  source: { file: "mem", row: nextRow++ },
});
const idsPair = (prompt: number[], chosen: number[], rejected: number[]): PreferencePair => ({
  prompt: [],
  chosen: [],
  rejected: [],
  kind: "ids",
  ids: { prompt, chosen, rejected },
  source: { file: "ids.jsonl", row: nextRow++ },
});
const count = (ids: ArrayLike<number>, id: number) =>
  Array.from(ids).filter((x) => x === id).length;
const quiet = { logger: { info: () => {}, warn: () => {} } };

/** Checks one batch row against the documented layout; returns the masked targets. */
function checkRow(batch: Batch, row: number, prompt: Int32Array, response: Int32Array): number[] {
  const T = batch.length;
  const seq = [...prompt, ...response];
  const len = seq.length;
  assert.equal(batch.lengths[row], len - 1);
  assert.equal(batch.promptLengths[row], prompt.length);
  const masked: number[] = [];
  for (let t = 0; t < T; t++) {
    const i = row * T + t;
    if (t < len - 1) {
      assert.equal(batch.tokens[i], seq[t], `row ${row} token ${t}`);
      const isResponseTarget = t + 1 >= prompt.length;
      assert.equal(batch.mask[i], isResponseTarget ? 1 : 0, `row ${row} mask ${t}`);
      assert.equal(batch.targets[i], isResponseTarget ? seq[t + 1] : -1, `row ${row} target ${t}`);
    } else {
      assert.equal(batch.mask[i], 0);
      assert.equal(batch.targets[i], -1);
    }
    if (batch.mask[i] === 1) masked.push(batch.targets[i]);
  }
  return masked;
}

// ---------------------------------------------------------------------------------------------
// The prompt/response boundary

Deno.test({
  name: "tokenize: GPT-2 BPE never merges across the prompt/response boundary",
  ignore: !hasGpt2,
  async fn() {
    const gpt2 = await loadTokenizer(GPT2);
    const eos = gpt2.eosTokenId!;
    const cases: [string, string][] = [
      ["Hello wor", "ld!"],
      ["The answer is ", "42."],
      ["x =", "= 1"],
      ["Call me Ish", "mael."],
    ];
    for (const [prompt, response] of cases) {
      // The joint encoding really differs: BPE would merge across the boundary.
      const joint = gpt2.encode(prompt + response);
      const promptAlone = gpt2.encode(prompt);
      assert.notDeepEqual(joint.slice(0, promptAlone.length), promptAlone, `${prompt}|${response}`);

      const data = await tokenize([textPair(prompt, response, "nope")], { tokenizer: gpt2 }, quiet);
      const pair = data.pairs[0];
      assert.equal(data.report.rendered.plain, 1);
      assert.deepEqual([...pair.prompt], promptAlone);
      assert.deepEqual([...pair.chosen], [...gpt2.encode(response), eos]);
      assert.equal(count(pair.chosen, eos), 1);
      assert.equal(count(pair.prompt, eos), 0);
      assert.equal(
        gpt2.decode([...pair.prompt, ...pair.chosen]),
        prompt + response + "<|endoftext|>",
      );

      const batch = makeBatch(data.pairs, [0], { padTokenId: data.padTokenId });
      assert.deepEqual(checkRow(batch, 0, pair.prompt, pair.chosen), [...pair.chosen]);
      assert.deepEqual(checkRow(batch, 1, pair.prompt, pair.rejected), [...pair.rejected]);
    }
  },
});

Deno.test({
  name: "tokenize: Anthropic HH rows keep their own text without a chat template (GPT-2)",
  ignore: !hasGpt2,
  async fn() {
    const gpt2 = await loadTokenizer(GPT2);
    const prompt = "\n\nHuman: What is 2+2?\n\nAssistant:";
    const row = { chosen: `${prompt} 4`, rejected: `${prompt} Five, I think.` };
    const pair = normalizeRow(row, { file: "hh.jsonl", row: 1 }, { format: "hh" });
    assert.equal(pair.kind, "chat"); // a chat template, where there is one, still renders it
    const data = await tokenize([pair], { tokenizer: gpt2 }, quiet);
    const ids = data.pairs[0];
    assert.deepEqual([...ids.prompt], gpt2.encode(prompt));
    assert.deepEqual([...ids.chosen], [...gpt2.encode(" 4"), gpt2.eosTokenId!]);
    assert.deepEqual([...ids.rejected], [...gpt2.encode(" Five, I think."), gpt2.eosTokenId!]);
    // What TRL's extract_prompt leaves on the raw strings: the same prompt ids.
    assert.deepEqual(ids.prompt.slice(0, 4), Int32Array.from([198, 198, 20490, 25]));
  },
});

Deno.test({
  name: "tokenize: GPT-2 plain transcripts of chat pairs keep the prompt a prefix",
  ignore: !hasGpt2,
  async fn() {
    const gpt2 = await loadTokenizer(GPT2);
    const pair = chatPair([user("Hi"), bot("Hello"), user("Name a colour")], "Blue", "Bread");
    const text = renderPair(pair, gpt2);
    assert.equal(text.mode, "plain");
    assert.equal(text.prompt, "User: Hi\n\nAssistant: Hello\n\nUser: Name a colour\n\nAssistant:");
    assert.equal(text.chosen, " Blue");
    const ids = encodePair(pair, gpt2);
    assert.deepEqual(ids.prompt, gpt2.encode(text.prompt));
    assert.deepEqual(ids.chosen, [...gpt2.encode(" Blue"), 50256]);
  },
});

Deno.test("tokenize: the byte template writes BOS once and ends responses with one EOS", async () => {
  for (const addBos of [false, true]) {
    const pair = chatPair([{ role: "system", content: "Be kind." }, user("2+2?")], "4", "5");
    const data = await tokenize([pair], { tokenizer: byte, addBos }, quiet);
    const p = data.pairs[0];
    assert.equal(data.report.rendered.template, 1);
    assert.equal(
      byte.decode(p.prompt),
      "<|bos|><|system|>Be kind.<|eos|><|user|>2+2?<|eos|><|assistant|>",
    );
    assert.equal(count([...p.prompt, ...p.chosen], BOS), 1);
    assert.equal(p.prompt[0], BOS);
    assert.deepEqual([...p.chosen], [52, EOS]);
    assert.deepEqual([...p.rejected], [53, EOS]);
  }
});

Deno.test("tokenize: plain mode with addBos adds BOS once, and a separator", async () => {
  const data = await tokenize([textPair("Q:", "A", "B")], {
    tokenizer: byte,
    template: "plain",
    addBos: true,
    separator: " ",
  }, quiet);
  const p = data.pairs[0];
  assert.deepEqual([...p.prompt], [BOS, 81, 58]);
  assert.deepEqual([...p.chosen], [32, 65, EOS]);
});

Deno.test({
  name: "tokenize: Qwen2.5's ChatML template: no BOS, <|im_end|> once, prompt a prefix",
  ignore: !hasQwen,
  async fn() {
    const qwen = await loadTokenizer(QWEN);
    const imEnd = qwen.tokenToId("<|im_end|>")!;
    const imStart = qwen.tokenToId("<|im_start|>")!;
    assert.equal(qwen.bosTokenId, null);
    const pair = chatPair([user("Hello wor")], "ld!", "Hi there");
    const data = await tokenize([pair], { tokenizer: qwen }, quiet);
    const p = data.pairs[0];
    assert.equal(data.report.rendered.template, 1);
    const text = renderPair(pair, qwen);
    assert.deepEqual([...p.prompt], qwen.encode(text.prompt));
    assert.ok(text.prompt.endsWith("<|im_start|>assistant\n"));
    assert.equal(p.prompt[0], imStart);
    // The template ends the turn with <|im_end|>\n: EOS is not appended again.
    assert.equal(count(p.chosen, imEnd), 1);
    assert.equal(qwen.decode(p.chosen), "ld!<|im_end|>\n");
    // A cut response keeps its start and loses the end of its turn, as in TRL.
    const cut = await tokenize([pair], {
      tokenizer: qwen,
      maxLength: p.prompt.length + 2,
    }, quiet);
    assert.deepEqual([...cut.pairs[0].chosen], [...p.chosen.slice(0, 2)]);
    assert.equal(count(cut.pairs[0].chosen, imEnd), 0);
  },
});

Deno.test("tokenize: plain prompts render as documented", () => {
  const sys = { role: "system", content: "S" };
  const text = { ...textPair("Q", "A", "B"), prompt: [sys, user("Q")] };
  assert.deepEqual(renderPair(text, byte, { template: "plain" }), {
    mode: "plain",
    prompt: "S\n\nQ",
    chosen: "A",
    rejected: "B",
  });
  assert.throws(() => renderPair(idsPair([1], [2], [3]), byte), TypeError);
  assert.throws(() => renderPair(text, byte, { template: "nope" as "auto" }), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Truncation

Deno.test("truncatePair: prompt keeps its end, responses their start, a cut one loses EOS", () => {
  const t = truncatePair(
    { prompt: [1, 2, 3, 4, 5, 6], chosen: [10, 11, 12, 13, 99], rejected: [20, 99] },
    { maxLength: 7, maxPromptLength: 3 },
  );
  assert.deepEqual(t.prompt, [4, 5, 6]);
  assert.deepEqual(t.chosen, [10, 11, 12, 13]); // as TRL: EOS appended, then cut
  assert.deepEqual(t.rejected, [20, 99]); // whole: its EOS stays
  assert.deepEqual(t.truncated, { prompt: true, chosen: true, rejected: false });
  assert.equal(t.dropped, undefined);
  // Without an EOS id (ids data), the cut is plain.
  const plain = truncatePair({ prompt: [1], chosen: [2, 3, 4], rejected: [5] }, { maxLength: 3 });
  assert.deepEqual(plain.chosen, [2, 3]);
  // No limits: nothing changes.
  const same = truncatePair({ prompt: [1], chosen: [2], rejected: [3] });
  assert.deepEqual(same.truncated, { prompt: false, chosen: false, rejected: false });
  assert.throws(() => truncatePair({ prompt: [], chosen: [], rejected: [] }, { maxLength: 0 }));
});

Deno.test("truncatePair: maxCompletionLength keeps each response's start (TRL's max_completion_length)", () => {
  const ids = { prompt: [1, 2], chosen: [10, 11, 12, 13, 99], rejected: [20, 21, 99] };
  const t = truncatePair(ids, { maxCompletionLength: 3 });
  assert.deepEqual([t.chosen, t.rejected], [[10, 11, 12], [20, 21, 99]]);
  assert.deepEqual(t.truncated, { prompt: false, chosen: true, rejected: false });
  // With maxLength too, the tighter of the two limits holds.
  const both = truncatePair(ids, { maxLength: 4, maxCompletionLength: 3 });
  assert.deepEqual([both.chosen, both.rejected], [[10, 11], [20, 21]]);
  assert.throws(() => truncatePair(ids, { maxCompletionLength: 0 }), /maxCompletionLength must be/);
});

Deno.test("truncatePair: drops a row whose prompt leaves no room for a response", () => {
  const ids = { prompt: [1, 2, 3, 4], chosen: [5, 6, 9], rejected: [7, 9] };
  const full = truncatePair(ids, { maxLength: 4 });
  assert.match(full.dropped!, /leaves no room for the chosen response within maxLength 4/);
  // Room for one token: kept, each response cut to its first.
  const tight = truncatePair(ids, { maxLength: 5 });
  assert.equal(tight.dropped, undefined);
  assert.deepEqual([tight.chosen, tight.rejected], [[5], [7]]);
  // maxPromptLength makes room.
  assert.equal(truncatePair(ids, { maxLength: 4, maxPromptLength: 2 }).dropped, undefined);
});

Deno.test("tokenize: truncation counts and drops are reported", async () => {
  const pairs = [
    textPair("abcdefghij", "0123456789", "xy"), // prompt and chosen cut
    textPair("ab", "0123456789", "0123456789"), // both responses cut
    textPair("ab", "c", "d"), // untouched
  ];
  const data = await tokenize(pairs, {
    tokenizer: byte,
    template: "plain",
    maxLength: 10,
    maxPromptLength: 4,
  }, quiet);
  assert.equal(data.report.pairs, 3);
  assert.equal(data.report.truncated, 2);
  assert.equal(data.report.truncatedPrompts, 1);
  assert.equal(data.report.truncatedResponses, 3);
  const [a, b, c] = data.pairs;
  assert.equal(byte.decode(a.prompt), "ghij");
  assert.equal(byte.decode(a.chosen), "012345"); // cut: no EOS
  assert.equal(byte.decode(a.rejected), "xy<|eos|>");
  assert.deepEqual(a.truncated, { prompt: true, chosen: true, rejected: false });
  assert.equal(byte.decode(b.chosen), "01234567");
  assert.deepEqual(c.truncated, { prompt: false, chosen: false, rejected: false });
  for (const p of data.pairs) assert.ok(pairLength(p) <= 10);

  const warnings: string[] = [];
  const dropped = await tokenize(pairs, { tokenizer: byte, template: "plain", maxLength: 10 }, {
    logger: { info: () => {}, warn: (m) => warnings.push(m) },
  });
  assert.equal(dropped.report.dropped, 1);
  assert.equal(dropped.report.pairs, 2);
  assert.deepEqual(dropped.report.droppedRows[0].source, pairs[0].source);
  assert.match(warnings[0], /mem row \d+: dropped: the prompt \(10 tokens/);
});

Deno.test("tokenize: a multi-turn templated prompt keeps its latest turns and the header", async () => {
  const pair = chatPair([user("old ".repeat(20)), bot("ok"), user("new question")], "yes", "no");
  const data = await tokenize([pair], { tokenizer: byte, maxPromptLength: 20 }, quiet);
  const p = data.pairs[0];
  assert.equal(p.prompt.length, 20);
  assert.ok(byte.decode(p.prompt).endsWith("<|user|>new question<|eos|><|assistant|>"));
  assert.equal(p.truncated.prompt, true);
});

Deno.test("tokenize: ids pairs are used exactly as given", async () => {
  const pairs = [idsPair([1, 5, 6], [7, 8, 2], [9]), idsPair([], [3], [4, 2])];
  const data = await tokenize(pairs, {}, quiet);
  assert.equal(data.tokenizer, null);
  assert.equal(data.padTokenId, 0);
  assert.equal(data.report.rendered.ids, 2);
  for (let i = 0; i < pairs.length; i++) {
    assert.deepEqual([...data.pairs[i].prompt], pairs[i].ids!.prompt);
    assert.deepEqual([...data.pairs[i].chosen], pairs[i].ids!.chosen);
    assert.deepEqual([...data.pairs[i].rejected], pairs[i].ids!.rejected);
  }
  // A truncated response keeps its start (its EOS 2 goes, as in TRL).
  const cut = await tokenize(pairs, { eosTokenId: 2, maxLength: 5 }, quiet);
  assert.deepEqual([...cut.pairs[0].chosen], [7, 8]);
  // A vocabulary check names the row.
  await assert.rejects(
    () => tokenize(pairs, { vocabSize: 8 }, quiet),
    (e: unknown) =>
      e instanceof DataError && /ids\.jsonl row \d+: chosen id 8 is outside/.test(e.message),
  );
  const skipped = await tokenize(pairs, { vocabSize: 8, onError: "skip" }, quiet);
  assert.equal(skipped.report.dropped, 1);
});

Deno.test("tokenize: a template error names the row, or skips it", async () => {
  const bad = chatPair([{ role: "tool", content: "x" }], "a", "b");
  const good = chatPair([user("q")], "a", "b");
  await assert.rejects(
    () => tokenize([good, bad], { tokenizer: byte }, quiet),
    (e: unknown) =>
      e instanceof DataError && e.row === bad.source.row && /Unknown role tool/.test(e.message),
  );
  const data = await tokenize([good, bad], { tokenizer: byte, onError: "skip" }, quiet);
  assert.equal(data.pairs.length, 1);
  assert.match(data.report.droppedRows[0].reason, /cannot tokenize/);
  await assert.rejects(
    () => tokenize([bad], { tokenizer: byte, onError: "skip" }, quiet),
    DataError,
  );
});

// ---------------------------------------------------------------------------------------------
// Split and order

Deno.test("splitTrainEval: deterministic, disjoint, covering, in input order", () => {
  const items = Array.from({ length: 100 }, (_, i) => `p${i}`);
  const a = splitTrainEval(items, { evalFraction: 0.1, seed: 3 });
  const b = splitTrainEval(items, { evalFraction: 0.1, seed: 3 });
  assert.deepEqual(a, b);
  assert.equal(a.eval.length, 10);
  assert.equal(a.train.length, 90);
  const all = new Set([...a.trainIndices, ...a.evalIndices]);
  assert.equal(all.size, 100);
  assert.deepEqual(a.evalIndices, [...a.evalIndices].sort((x, y) => x - y));
  assert.deepEqual(a.eval, a.evalIndices.map((i) => items[i]));
  const c = splitTrainEval(items, { evalFraction: 0.1, seed: 4 });
  assert.notDeepEqual(c.evalIndices, a.evalIndices);
  assert.equal(splitTrainEval(items, { evalSize: 7 }).eval.length, 7);
  assert.equal(splitTrainEval(items).eval.length, 0);
  assert.throws(() => splitTrainEval(items, { evalSize: 101 }), RangeError);
  assert.throws(() => splitTrainEval(items, { evalFraction: 1 }), RangeError);
  assert.throws(() => splitTrainEval(items, { evalFraction: 0.1, evalSize: 1 }), TypeError);
});

Deno.test("epochOrder: a permutation per epoch, repeated for the same seed", () => {
  const n = 50;
  const e0 = epochOrder(n, 42, 0), e1 = epochOrder(n, 42, 1), e2 = epochOrder(n, 42, 2);
  for (const e of [e0, e1, e2]) {
    assert.deepEqual([...e].sort((a, b) => a - b), [...Array(n).keys()]);
  }
  assert.notDeepEqual(e0, e1);
  assert.notDeepEqual(e1, e2);
  assert.deepEqual(epochOrder(n, 42, 1), e1);
  assert.notDeepEqual(epochOrder(n, 43, 0), e0);
  assert.deepEqual(epochOrder(0, 1, 0), []);
  assert.throws(() => epochOrder(3, 1, -1), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Batches

const tp = (prompt: number[], chosen: number[], rejected: number[]): TokenizedPair => ({
  prompt: Int32Array.from(prompt),
  chosen: Int32Array.from(chosen),
  rejected: Int32Array.from(rejected),
  truncated: { prompt: false, chosen: false, rejected: false },
  source: { file: "mem", row: 0 },
});

Deno.test("makeBatch: rows [chosen(P); rejected(P)] with exact targets, masks and lengths", () => {
  const pairs = [
    tp([1, 2, 3], [10, EOS], [11, 12, 13, EOS]),
    tp([4], [20, 21, EOS], [EOS]),
    tp([5, 6], [30, EOS], [31, EOS]),
  ];
  const indices = [2, 0, 1];
  const batch = makeBatch(pairs, indices, { padTokenId: PAD });
  assert.equal(batch.pairs, 3);
  assert.equal(batch.rows, 6);
  assert.equal(batch.length, 6); // longest: 3 + 4 tokens → 6 inputs
  assert.deepEqual(batch.indices, indices);
  for (let j = 0; j < 3; j++) {
    const p = pairs[indices[j]];
    assert.deepEqual(checkRow(batch, j, p.prompt, p.chosen), [...p.chosen]);
    assert.deepEqual(checkRow(batch, 3 + j, p.prompt, p.rejected), [...p.rejected]);
    const sum = (row: number) => batch.mask.slice(row * 6, row * 6 + 6).reduce((a, b) => a + b);
    assert.equal(sum(j), p.chosen.length);
    assert.equal(sum(3 + j), p.rejected.length);
  }
  // Row 0 is pair 2's chosen: [5, 6, 30, EOS] → inputs [5, 6, 30], then padding.
  assert.deepEqual([...batch.tokens.slice(0, 6)], [5, 6, 30, PAD, PAD, PAD]);
  assert.deepEqual([...batch.targets.slice(0, 6)], [-1, 30, EOS, -1, -1, -1]);
  assert.deepEqual([...batch.mask.slice(0, 6)], [0, 1, 1, 0, 0, 0]);
  assert.deepEqual([...batch.lengths], [3, 4, 3, 3, 6, 1]);

  const rounded = makeBatch(pairs, indices, { padTokenId: PAD, padToMultiple: 8 });
  assert.equal(rounded.length, 8);
  for (let r = 0; r < 6; r++) {
    const p = pairs[indices[r % 3]];
    checkRow(rounded, r, p.prompt, r < 3 ? p.chosen : p.rejected);
  }
  assert.throws(() => makeBatch(pairs, [], { padTokenId: 0 }), RangeError);
  assert.throws(() => makeBatch(pairs, [5], { padTokenId: 0 }), RangeError);
});

Deno.test("batchOrder: every pair once per epoch; bucketing cuts padding", () => {
  let seed = 1;
  const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const pairs = Array.from({ length: 203 }, () => {
    const n = 1 + Math.floor(rand() * 200);
    return tp(Array(n).fill(1), [2, EOS], [3, 4, EOS]);
  });
  const lengths = pairs.map(pairLength);
  const padded = (order: number[][]) =>
    order.reduce((s, ix) => s + makeBatch(pairs, ix, { padTokenId: 0 }).mask.length, 0);
  for (const bucketWindow of [0, 8]) {
    const order = batchOrder(lengths, { pairsPerBatch: 4, seed: 5, epoch: 1, bucketWindow });
    assert.deepEqual(order.flat().sort((a, b) => a - b), [...Array(203).keys()]);
    assert.equal(order.length, 51);
    assert.equal(order.filter((b) => b.length < 4).length, 1);
    assert.deepEqual(
      batchOrder(lengths, { pairsPerBatch: 4, seed: 5, epoch: 1, bucketWindow }),
      order,
    );
    const dropped = batchOrder(lengths, {
      pairsPerBatch: 4,
      seed: 5,
      bucketWindow,
      dropLast: true,
    });
    assert.equal(dropped.length, 50);
    assert.ok(dropped.every((b) => b.length === 4));
  }
  const plain = padded(batchOrder(lengths, { pairsPerBatch: 4, seed: 5 }));
  const bucketed = padded(batchOrder(lengths, { pairsPerBatch: 4, seed: 5, bucketWindow: 8 }));
  assert.ok(bucketed < 0.8 * plain, `bucketed ${bucketed} vs plain ${plain}`);
  // Bucketed batches still come in a different order each epoch.
  assert.notDeepEqual(
    batchOrder(lengths, { pairsPerBatch: 4, epoch: 0, bucketWindow: 8 }),
    batchOrder(lengths, { pairsPerBatch: 4, epoch: 1, bucketWindow: 8 }),
  );
});

Deno.test("batches: builds an epoch of batches from a tokenized dataset", async () => {
  const pairs = Array.from({ length: 5 }, (_, i) => textPair(`q${i}`, `a${i}`, `b${i}`));
  const data = await tokenize(pairs, { tokenizer: byte, template: "plain" }, quiet);
  const all = [...batches(data, { pairsPerBatch: 2, seed: 1, padToMultiple: 4 })];
  assert.deepEqual(all.map((b) => b.pairs), [2, 2, 1]);
  assert.ok(all.every((b) => b.length % 4 === 0));
  assert.deepEqual(all.flatMap((b) => b.indices).sort(), [0, 1, 2, 3, 4]);
  for (const b of all) {
    for (let r = 0; r < b.rows; r++) {
      const pad = b.tokens.slice(r * b.length + b.lengths[r], (r + 1) * b.length);
      assert.ok(pad.every((id) => id === PAD));
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Cache

Deno.test("tokenize: the cache is reused, invalidated by changes, and recomputed when corrupt", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pairs = Array.from(
      { length: 20 },
      (_, i) => textPair(`q${i} `.repeat(i), `a${i}`, `b${i}`),
    );
    const options = { tokenizer: byte as TextTokenizer, maxLength: 40, cacheDir: dir };
    const first = await tokenize(pairs, options, quiet);
    assert.equal(first.report.cached, false);
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(files.length, 1);
    assert.match(files[0], /^tokenized-[0-9a-f]{16}\.bin$/);

    const again = await tokenize(pairs, options, quiet);
    assert.equal(again.report.cached, true);
    assert.equal(again.key, first.key);
    assert.deepEqual(again.pairs, first.pairs);
    assert.deepEqual({ ...again.report, cached: false }, first.report);
    assert.equal(again.padTokenId, first.padTokenId);

    // Changed options, data or tokenizer: another key, recomputed.
    const shorter = await tokenize(pairs, { ...options, maxLength: 30 }, quiet);
    assert.equal(shorter.report.cached, false);
    assert.notEqual(shorter.key, first.key);
    const completions = await tokenize(pairs, { ...options, maxCompletionLength: 3 }, quiet);
    assert.equal(completions.report.cached, false);
    assert.ok(completions.pairs.every((p) => p.chosen.length <= 3 && p.rejected.length <= 3));
    const edited = pairs.map((p, i) => (i === 3 ? { ...p, chosen: [bot("changed")] } : p));
    assert.equal((await tokenize(edited, options, quiet)).report.cached, false);
    const other = new ByteTokenizer({
      chatTemplate: "{% for m in messages %}{{ m.content }}{% endfor %}",
    });
    assert.equal(
      (await tokenize(pairs, { ...options, tokenizer: other }, quiet)).report.cached,
      false,
    );

    // Corrupt: one flipped byte, then a cut file. Each is reported and rewritten.
    const path = `${dir}/${files[0]}`;
    for (const damage of ["flip", "cut"]) {
      const bytes = await Deno.readFile(path);
      const broken = damage === "flip" ? bytes.slice() : bytes.slice(0, bytes.length - 10);
      if (damage === "flip") broken[Math.floor(bytes.length / 2)] ^= 0xff;
      await Deno.writeFile(path, broken);
      const warnings: string[] = [];
      const recomputed = await tokenize(pairs, options, {
        logger: { info: () => {}, warn: (m) => warnings.push(m) },
      });
      assert.equal(recomputed.report.cached, false);
      assert.deepEqual(recomputed.pairs, first.pairs);
      assert.match(warnings.join("\n"), /tokenize cache is unusable .*recomputing/);
      assert.equal((await tokenize(pairs, options, quiet)).report.cached, true);
    }
    await Deno.writeTextFile(path, "not a cache");
    assert.equal((await tokenize(pairs, options, quiet)).report.cached, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
