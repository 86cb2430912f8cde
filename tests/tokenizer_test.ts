import assert from "node:assert/strict";
import type { Message, PreferencePair } from "../datasets/types.ts";
import { renderPair } from "../pipeline/tokenize.ts";
import { commonPrefixLength } from "../util/text.ts";
import {
  BYTE_SPECIAL_TOKENS,
  byteLevelBpeFromVocab,
  ByteTokenizer,
  encodeConversation,
  encodePromptResponse,
  HfTokenizer,
  loadTokenizer,
  renderConversation,
  saveTokenizer,
  type TextTokenizer,
  TokenizerError,
} from "../model/tokenizer.ts";

const DATA = new URL("../../shared/data", import.meta.url).pathname;
const GPT2 = `${DATA}/gpt2`;
const QWEN = `${DATA}/qwen2.5`;
const TINY_LLAMA = new URL("./fixtures/tokenizer/tiny_llama", import.meta.url).pathname;

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const hasGpt2 = await exists(`${GPT2}/tokenizer.json`);
const hasQwen = await exists(`${QWEN}/vocab.json`);

/** Loaded once: building Qwen2.5's 151k-token BPE takes a couple of seconds. */
let qwenTokenizer: TextTokenizer | undefined;
async function qwen(): Promise<TextTokenizer> {
  qwenTokenizer ??= await loadTokenizer(QWEN);
  return qwenTokenizer;
}

const SAMPLES = [
  "",
  "Hello, world!",
  "  leading and trailing spaces  \n\ttabs\r\nCRLF",
  "emoji 😀👍🏽 and a family 👨‍👩‍👧‍👦",
  "中文：你好，世界。日本語のテキスト。한국어",
  "Ünïcödé ß ﬁ e\u0301 (combining) \u00ad\u200b\u2028",
  "control \x00\x01\x7f bytes",
];

const CONVERSATION: Message[] = [
  { role: "system", content: "You are a terse assistant." },
  { role: "user", content: "What is 2+2?" },
  { role: "assistant", content: "4." },
  { role: "user", content: "And 3+3? 你好" },
];

/** How many times each of `ids` occurs in `seq`, and whether any special id repeats adjacently. */
function specialCounts(tok: TextTokenizer, seq: number[]) {
  const counts = new Map<number, number>();
  let adjacentRepeat = false;
  seq.forEach((id, i) => {
    if (!tok.specialTokenIds.has(id)) return;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    if (i > 0 && seq[i - 1] === id) adjacentRepeat = true;
  });
  return { counts, adjacentRepeat };
}

// ---------------------------------------------------------------------------------------------
// Byte tokenizer

Deno.test("tokenizer: byte tokenizer round-trips ASCII, emoji, CJK and the empty string", () => {
  const tok = new ByteTokenizer();
  for (const text of SAMPLES) {
    const ids = tok.encode(text);
    assert.deepEqual(ids, [...new TextEncoder().encode(text)], JSON.stringify(text));
    assert.equal(tok.decode(ids), text);
    assert.equal(tok.decode(Int32Array.from(ids)), text);
  }
  assert.deepEqual(tok.encode(""), []);
  assert.equal(tok.decode([]), "");
});

Deno.test("tokenizer: byte tokenizer ids, specials and options", () => {
  const tok = new ByteTokenizer();
  assert.equal(tok.vocabSize, 256 + BYTE_SPECIAL_TOKENS.length);
  assert.equal(tok.bosTokenId, 256);
  assert.equal(tok.eosTokenId, 257);
  assert.equal(tok.padTokenId, 258);
  assert.deepEqual([...tok.specialTokenIds], BYTE_SPECIAL_TOKENS.map((_, i) => 256 + i));
  assert.deepEqual(tok.encode("hi", { addSpecialTokens: true }), [256, 104, 105]);
  assert.deepEqual(tok.encode("a<|eos|>b<|user|>"), [97, 257, 98, 260]);
  assert.equal(tok.decode([97, 257, 98, 260]), "a<|eos|>b<|user|>");
  assert.equal(tok.decode([256, 97, 257, 98, 260], { skipSpecialTokens: true }), "ab");
  // A multi-byte character split by a special token decodes each side on its own.
  assert.equal(tok.decode([0xe4, 0xbd, 0xa0, 257]), "你<|eos|>");
  assert.equal(tok.tokenToId("<|assistant|>"), 261);
  assert.equal(tok.tokenToId("A"), 65);
  assert.equal(tok.tokenToId("é"), undefined);
  assert.throws(() => tok.decode([tok.vocabSize]), RangeError);
  assert.throws(() => tok.decode([-1]), RangeError);
  assert.throws(() => tok.decode([1.5]), RangeError);
});

Deno.test("tokenizer: byte tokenizer chat template and conversation ids", () => {
  const tok = new ByteTokenizer();
  assert.equal(
    tok.applyChatTemplate(CONVERSATION, { addGenerationPrompt: true }),
    "<|bos|><|system|>You are a terse assistant.<|eos|><|user|>What is 2+2?<|eos|>" +
      "<|assistant|>4.<|eos|><|user|>And 3+3? 你好<|eos|><|assistant|>",
  );
  assert.throws(
    () => tok.applyChatTemplate([{ role: "robot", content: "beep" }]),
    /Unknown role robot/,
  );

  const ids = encodeConversation(tok, {
    prompt: [{ role: "user", content: "Hi" }],
    response: [{ role: "assistant", content: "Yo" }],
  });
  assert.deepEqual(ids.prompt, [256, 260, 72, 105, 257, 261]);
  // The template already ends the turn with EOS: it is not appended a second time.
  assert.deepEqual(ids.response, [89, 111, 257]);
  const withBos = encodeConversation(tok, {
    prompt: [{ role: "user", content: "Hi" }],
    response: [{ role: "assistant", content: "Yo" }],
  }, { addBos: true });
  assert.deepEqual(withBos, ids, "BOS from the template is not doubled");
});

Deno.test("tokenizer: byte tokenizer saved as tokenizer.json loads back with the same ids", async () => {
  const tok = new ByteTokenizer();
  const dir = await Deno.makeTempDir();
  try {
    await saveTokenizer(tok, dir);
    const back = await loadTokenizer(dir);
    assert.equal(back.vocabSize, tok.vocabSize);
    assert.equal(back.bosTokenId, tok.bosTokenId);
    assert.equal(back.eosTokenId, tok.eosTokenId);
    assert.equal(back.padTokenId, tok.padTokenId);
    assert.deepEqual([...back.specialTokenIds].sort(), [...tok.specialTokenIds].sort());
    assert.equal(back.chatTemplate, tok.chatTemplate);
    for (const text of [...SAMPLES, "a<|eos|>b<|pad|><|bos|>"]) {
      assert.deepEqual(back.encode(text), tok.encode(text), JSON.stringify(text));
      assert.equal(back.decode(back.encode(text)), text);
    }
    assert.equal(
      back.applyChatTemplate(CONVERSATION, { addGenerationPrompt: true }),
      tok.applyChatTemplate(CONVERSATION, { addGenerationPrompt: true }),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Hugging Face tokenizers from real files

Deno.test({
  name: "tokenizer: GPT-2 tokenizer.json reproduces the reference ids and decodes back",
  ignore: !hasGpt2,
  fn: async () => {
    const tok = await loadTokenizer(GPT2);
    const text = "Hello world! Direct Preference Optimization.";
    const ids = tok.encode(text);
    assert.deepEqual(ids, [15496, 995, 0, 4128, 3771, 4288, 30011, 1634, 13]);
    assert.deepEqual(tok.encode(text, { addSpecialTokens: true }), ids, "GPT-2 adds no specials");
    assert.equal(tok.decode(ids), text);
    assert.equal(tok.vocabSize, 50257);
    assert.equal(tok.bosTokenId, 50256);
    assert.equal(tok.eosTokenId, 50256);
    assert.equal(tok.padTokenId, 50256, "no pad token: EOS pads");
    assert.deepEqual([...tok.specialTokenIds], [50256]);
    assert.equal(tok.chatTemplate, null);
    assert.throws(() => tok.applyChatTemplate(CONVERSATION), /has no chat template/);
    assert.equal(tok.decode([...ids, 50256], { skipSpecialTokens: true }), text);
    assert.equal(tok.decode([]), "");
    // tokenizer.json's truncation block (max_length 50) is not applied when encoding.
    assert.equal(tok.encode("a ".repeat(100)).length, 101);
    for (const sample of SAMPLES) assert.equal(tok.decode(tok.encode(sample)), sample);
  },
});

Deno.test({
  name: "tokenizer: Qwen2.5 vocab.json + merges.txt reproduces the reference ids",
  ignore: !hasQwen,
  fn: async () => {
    const tok = await qwen();
    const text = "<|im_start|>user\nHello world! 你好，世界<|im_end|>\n";
    const ids = tok.encode(text);
    assert.deepEqual(ids, [
      151644,
      872,
      198,
      9707,
      1879,
      0,
      220,
      108386,
      3837,
      99489,
      151645,
      198,
    ]);
    assert.deepEqual(tok.encode(text, { addSpecialTokens: true }), ids, "Qwen2 adds no specials");
    assert.equal(tok.decode(ids), text);
    assert.equal(tok.decode(ids, { skipSpecialTokens: true }), "user\nHello world! 你好，世界\n");
    assert.equal(tok.vocabSize, 151665);
    assert.equal(tok.bosTokenId, null);
    assert.equal(tok.eosTokenId, 151645);
    assert.equal(tok.padTokenId, 151643);
    assert.ok(tok.specialTokenIds.has(151643) && tok.specialTokenIds.has(151656));
    assert.ok(!tok.specialTokenIds.has(151657), "<tool_call> is added but not special");
    assert.equal(tok.tokenToId("<tool_call>"), 151657);
    // Qwen2 normalises to NFC first, as transformers does.
    for (const sample of SAMPLES) {
      assert.equal(tok.decode(tok.encode(sample)), sample.normalize("NFC"));
    }
    // Digits split one at a time, as in Qwen2's pre-tokenizer.
    assert.equal(tok.encode("12345").length, 5);
    // NFC: a decomposed é encodes like the composed one.
    assert.deepEqual(tok.encode("e\u0301"), tok.encode("\u00e9"));
  },
});

Deno.test({
  name: "tokenizer: Qwen2.5 chat template renders ChatML with a system turn, no doubled specials",
  ignore: !hasQwen,
  fn: async () => {
    const tok = await qwen();
    const expected = "<|im_start|>system\nYou are a terse assistant.<|im_end|>\n" +
      "<|im_start|>user\nWhat is 2+2?<|im_end|>\n" +
      "<|im_start|>assistant\n4.<|im_end|>\n" +
      "<|im_start|>user\nAnd 3+3? 你好<|im_end|>\n" +
      "<|im_start|>assistant\n";
    const rendered = tok.applyChatTemplate(CONVERSATION, { addGenerationPrompt: true });
    assert.equal(rendered, expected);
    assert.equal(
      tok.applyChatTemplate(CONVERSATION),
      expected.slice(0, -"<|im_start|>assistant\n".length),
    );
    // Without a system turn the template supplies Qwen's default one.
    assert.match(
      tok.applyChatTemplate([{ role: "user", content: "Hi" }]),
      /^<\|im_start\|>system\nYou are Qwen, created by Alibaba Cloud\./,
    );

    const ids = tok.encode(rendered);
    const { counts, adjacentRepeat } = specialCounts(tok, ids);
    assert.equal(counts.get(151644), 5, "one <|im_start|> per turn plus the generation prompt");
    assert.equal(counts.get(151645), 4, "one <|im_end|> per turn");
    assert.equal(counts.size, 2, "no other special token");
    assert.ok(!adjacentRepeat);
    assert.equal(ids[0], 151644);
    assert.equal(tok.decode(ids), rendered);

    // Prompt and response: the prompt is an exact prefix and EOS (<|im_end|>) appears once.
    const turns = {
      prompt: CONVERSATION,
      response: [{ role: "assistant", content: "6." }],
    };
    const text = renderConversation(tok, turns);
    assert.equal(text.prompt, expected);
    assert.equal(text.response, "6.<|im_end|>\n");
    const pair = encodeConversation(tok, turns);
    assert.deepEqual(pair.prompt, ids);
    assert.deepEqual(pair.response, tok.encode("6.<|im_end|>\n"));
    assert.equal(pair.response.filter((id) => id === tok.eosTokenId).length, 1);
    const whole = tok.encode(tok.applyChatTemplate([...turns.prompt, ...turns.response]));
    assert.deepEqual([...pair.prompt, ...pair.response], whole);
  },
});

// ---------------------------------------------------------------------------------------------
// A Llama-style tokenizer whose post-processor adds BOS (fixture)

Deno.test("tokenizer: BOS added by the post-processor is not doubled on chat templates", async () => {
  const tok = await loadTokenizer(TINY_LLAMA);
  assert.equal(tok.bosTokenId, 260);
  assert.equal(tok.eosTokenId, 261);
  assert.deepEqual(tok.encode("hi the"), [256, 259]);
  assert.deepEqual(tok.encode("hi the", { addSpecialTokens: true }), [260, 256, 259]);

  const messages: Message[] = [{ role: "user", content: "hi" }];
  const rendered = tok.applyChatTemplate(messages, { addGenerationPrompt: true });
  assert.equal(rendered, "<s>[user] hi\n[assistant] ");
  // What transformers' default would do, and why encode defaults to no specials here:
  assert.deepEqual(tok.encode(rendered, { addSpecialTokens: true }).slice(0, 2), [260, 260]);
  assert.equal(tok.encode(rendered).filter((id) => id === 260).length, 1);

  const turns = { prompt: messages, response: [{ role: "assistant", content: "the" }] };
  for (const addBos of [false, true]) {
    const pair = encodeConversation(tok, turns, { addBos });
    assert.equal(pair.prompt[0], 260);
    assert.equal(pair.prompt.filter((id) => id === 260).length, 1, `addBos ${addBos}`);
    // "the</s>\n": the EOS before the trailing newline counts; none is appended.
    assert.equal(tok.decode(pair.response), "the</s>\n");
    assert.equal(pair.response.filter((id) => id === 261).length, 1);
  }
});

Deno.test("tokenizer: plain prompt and response: exact prefix, BOS and EOS once", async () => {
  const tok = await loadTokenizer(TINY_LLAMA);
  const pair = encodePromptResponse(tok, { prompt: "hi", response: " the" }, { addBos: true });
  assert.deepEqual(pair, { prompt: [260, 256], response: [259, 261] });
  assert.deepEqual(
    encodePromptResponse(tok, { prompt: "<s>hi", response: " the</s>" }, { addBos: true }),
    pair,
  );
  assert.deepEqual(
    encodePromptResponse(tok, { prompt: "hi", response: " the" }, { addEos: false }),
    { prompt: [256], response: [259] },
  );
  // An EOS followed by other text is not the end: a new one is appended.
  assert.deepEqual(encodePromptResponse(tok, { prompt: "", response: "</s>hi" }).response, [
    261,
    256,
    261,
  ]);
  const byte = new ByteTokenizer();
  assert.deepEqual(encodePromptResponse(byte, { prompt: "Q", response: "A" }), {
    prompt: [81],
    response: [65, 257],
  });
});

// ---------------------------------------------------------------------------------------------
// Errors

async function withDir(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function rejects(files: Record<string, string>, pattern: RegExp) {
  await withDir(files, async (dir) => {
    await assert.rejects(loadTokenizer(dir), (e: unknown) => {
      assert.ok(e instanceof TokenizerError, String(e));
      assert.ok(e.message.startsWith(dir), e.message);
      assert.match(e.message, pattern);
      return true;
    });
  });
}

Deno.test("tokenizer: missing folders and files are named", async () => {
  await assert.rejects(
    loadTokenizer("/nonexistent/model"),
    (e: unknown) =>
      e instanceof TokenizerError && /^\/nonexistent\/model: cannot read/.test(e.message),
  );
  await rejects({}, /no tokenizer found: expected tokenizer\.json, or vocab\.json and merges\.txt/);
  await rejects({ "vocab.json": "{}" }, /merges\.txt is missing/);
  await withDir({ "file.txt": "x" }, async (dir) => {
    await assert.rejects(loadTokenizer(`${dir}/file.txt`), /is not a folder/);
  });
});

Deno.test("tokenizer: invalid files name the file and the field", async () => {
  const tiny = await Deno.readTextFile(`${TINY_LLAMA}/tokenizer.json`);
  const tinyJson = JSON.parse(tiny);
  const config = await Deno.readTextFile(`${TINY_LLAMA}/tokenizer_config.json`);
  const cases: [Record<string, string>, RegExp][] = [
    [{ "tokenizer.json": "{ not json" }, /tokenizer\.json: invalid JSON/],
    [{ "tokenizer.json": "[1, 2]" }, /tokenizer\.json: must hold a JSON object/],
    [{ "tokenizer.json": "{}" }, /tokenizer\.json: model is missing/],
    [
      {
        "tokenizer.json": JSON.stringify({ ...tinyJson, model: { ...tinyJson.model, merges: 3 } }),
      },
      /tokenizer\.json: model\.merges must be a list/,
    ],
    [
      { "tokenizer.json": tiny, "tokenizer_config.json": "{" },
      /tokenizer_config\.json: invalid JSON/,
    ],
    [
      { "tokenizer.json": tiny, "tokenizer_config.json": JSON.stringify({ eos_token: "<eot>" }) },
      /tokenizer_config\.json: eos_token "<eot>" is not in the vocabulary/,
    ],
    [
      { "tokenizer.json": tiny, "tokenizer_config.json": JSON.stringify({ bos_token: 7 }) },
      /tokenizer_config\.json: bos_token must be a string or \{ content: string \}/,
    ],
    [
      { "tokenizer.json": tiny, "tokenizer_config.json": JSON.stringify({ chat_template: 5 }) },
      /tokenizer_config\.json: chat_template must be a string/,
    ],
    [
      {
        "tokenizer.json": tiny,
        "tokenizer_config.json": JSON.stringify({ chat_template: "{% for x in %}" }),
      },
      /tokenizer_config\.json: chat_template is not valid Jinja/,
    ],
    [
      { "tokenizer.json": tiny, "special_tokens_map.json": "nope" },
      /special_tokens_map\.json: invalid JSON/,
    ],
    [{ "vocab.json": "{", "merges.txt": "" }, /vocab\.json: invalid JSON/],
    [
      { "vocab.json": '{"a": "x"}', "merges.txt": "" },
      /vocab\.json: "a" must map to a non-negative/,
    ],
    [
      { "vocab.json": '{"a": 0, "b": 1}', "merges.txt": "#version: 0.2\na b c\n" },
      /merges\.txt: line 2 must be two tokens/,
    ],
    [
      {
        "vocab.json": '{"a": 0}',
        "merges.txt": "",
        "tokenizer_config.json": JSON.stringify({
          added_tokens_decoder: { x: { content: "<s>" } },
        }),
      },
      /tokenizer_config\.json: added_tokens_decoder\["x"\]/,
    ],
  ];
  for (const [files, pattern] of cases) await rejects(files, pattern);
  // The fixture's own config is fine.
  await withDir({ "tokenizer.json": tiny, "tokenizer_config.json": config }, async (dir) => {
    assert.equal((await loadTokenizer(dir)).eosTokenId, 261);
  });
});

Deno.test("tokenizer: chat template sources and variables", async () => {
  const tiny = await Deno.readTextFile(`${TINY_LLAMA}/tokenizer.json`);
  const base = { bos_token: { content: "<s>", special: true }, eos_token: "</s>" };
  // A list of named templates: the default one is used.
  await withDir({
    "tokenizer.json": tiny,
    "tokenizer_config.json": JSON.stringify({
      ...base,
      chat_template: [{ name: "tool_use", template: "T" }, { name: "default", template: "D" }],
    }),
  }, async (dir) => {
    assert.equal((await loadTokenizer(dir)).chatTemplate, "D");
  });
  // chat_template.jinja wins over tokenizer_config.json, and sees the special-token strings.
  await withDir({
    "tokenizer.json": tiny,
    "tokenizer_config.json": JSON.stringify({ ...base, chat_template: "unused" }),
    "chat_template.jinja":
      "{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}" +
      "{% if extra %}!{% endif %}{% if add_generation_prompt %}>{% endif %}",
  }, async (dir) => {
    const tok = await loadTokenizer(dir);
    const messages = [{ role: "user", content: "hi" }];
    assert.equal(tok.applyChatTemplate(messages), "<s>hi</s>");
    assert.equal(tok.applyChatTemplate(messages, { addGenerationPrompt: true }), "<s>hi</s>>");
    assert.equal(tok.applyChatTemplate(messages, { variables: { extra: true } }), "<s>hi</s>!");
    assert.ok("chat_template.jinja" in tok.files());
  });
  // raise_exception surfaces as a TokenizerError with the template's message.
  await withDir({
    "tokenizer.json": tiny,
    "tokenizer_config.json": JSON.stringify({
      ...base,
      chat_template: "{{ raise_exception('Roles must alternate') }}",
    }),
  }, async (dir) => {
    const tok = await loadTokenizer(dir);
    assert.throws(() => tok.applyChatTemplate([]), /Chat template failed: .*Roles must alternate/);
  });
});

Deno.test("tokenizer: a byte-level BPE built from vocab and merges in memory", () => {
  const vocab = { "a": 0, "b": 1, "Ġ": 2, "ab": 3, "Ġab": 4, "<|end|>": 5 };
  const json = byteLevelBpeFromVocab(vocab, "#version: 0.2\na b\nĠ ab\n", {
    added_tokens_decoder: { "5": { content: "<|end|>", special: true } },
  });
  const tok = new HfTokenizer(json, { eos_token: "<|end|>" });
  assert.deepEqual(tok.encode("ab ab<|end|>"), [3, 4, 5]);
  assert.equal(tok.decode([3, 4, 5]), "ab ab<|end|>");
  assert.equal(tok.decode([3, 4, 5], { skipSpecialTokens: true }), "ab ab");
  assert.equal(tok.eosTokenId, 5);
  assert.equal(tok.vocabSize, 6);
  assert.throws(() => tok.decode([6]), RangeError);
  assert.deepEqual(Object.keys(tok.files()), ["tokenizer.json", "tokenizer_config.json"]);
});

Deno.test("tokenizer: a generation prompt the whole conversation does not repeat is cut to their common prefix", async () => {
  const tiny = await Deno.readTextFile(`${TINY_LLAMA}/tokenizer.json`);
  // DeepSeek-R1's pattern: the generation prompt opens a think block, which finished assistant
  // turns do not show.
  const template = "{% for m in messages %}{% if m.role == 'user' %}<U>{{ m.content }}" +
    "{% else %}<A>{{ m.content }}</s>{% endif %}{% endfor %}" +
    "{% if add_generation_prompt %}<A><think>\n{% endif %}";
  await withDir({
    "tokenizer.json": tiny,
    "tokenizer_config.json": JSON.stringify({ eos_token: "</s>", chat_template: template }),
  }, async (dir) => {
    const tok = await loadTokenizer(dir);
    const turns = {
      prompt: [{ role: "user", content: "2+2?" }],
      response: [{ role: "assistant", content: "4" }],
    };
    assert.deepEqual(renderConversation(tok, turns), { prompt: "<U>2+2?<A>", response: "4</s>" });
    const pair = renderPair({
      kind: "chat",
      prompt: turns.prompt,
      chosen: turns.response,
      rejected: [{ role: "assistant", content: "5" }],
      source: { file: "mem", row: 1 },
    } as PreferencePair, tok);
    assert.deepEqual([pair.prompt, pair.chosen, pair.rejected], ["<U>2+2?<A>", "4</s>", "5</s>"]);
  });
  assert.equal(commonPrefixLength("ab😀c", "ab😀d"), 4);
  assert.equal(commonPrefixLength("a\ud83d\ude00", "a\ud83d\ude01"), 1);
});
