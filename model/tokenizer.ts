/**
 * Tokenizers: text ⇄ token ids, and chat templates.
 *
 * - {@linkcode ByteTokenizer}: the built-in default. Ids 0–255 are the bytes of UTF-8, a few
 *   special tokens follow, and it has a small chat template of its own.
 * - {@linkcode HfTokenizer}: a Hugging Face tokenizer, either from `tokenizer.json` (through
 *   `@huggingface/tokenizers`) or, for byte-level BPE folders without one, from `vocab.json` +
 *   `merges.txt`, which are turned into an equivalent `tokenizer.json` in memory.
 * - {@linkcode loadTokenizer} picks whichever a model folder holds.
 *
 * Chat templates are Jinja, rendered with `@huggingface/jinja` and the variables transformers
 * passes. A rendered template already holds its special tokens, so it is encoded without adding
 * any: that is why {@linkcode EncodeOptions.addSpecialTokens} defaults to `false` here (unlike
 * transformers). {@linkcode encodePromptResponse} and {@linkcode encodeConversation} are what the
 * tokenize stage needs: a prompt whose ids are an exact prefix of the whole sequence, and EOS
 * appended exactly once.
 *
 * @example Encode a chat prompt and a response
 * ```ts
 * import { ByteTokenizer, encodeConversation } from "./tokenizer.ts";
 *
 * const tok = new ByteTokenizer();
 * const { prompt, response } = encodeConversation(tok, {
 *   prompt: [{ role: "user", content: "2+2?" }],
 *   response: [{ role: "assistant", content: "4" }],
 * });
 * // prompt = <|bos|><|user|>2+2?<|eos|><|assistant|>, response = 4<|eos|>
 * ```
 *
 * @module
 */

import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import type { Message } from "../datasets/types.ts";
import { commonPrefixLength } from "../util/text.ts";

/** A problem with a tokenizer's files or with what it was asked to do. */
export class TokenizerError extends Error {
  /**
   * Creates the error from its message.
   *
   * @param message What went wrong (files and fields named).
   *
   * @example
   * ```ts
   * import { TokenizerError } from "./tokenizer.ts";
   * const e = new TokenizerError("m/tokenizer.json: model is missing");
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "TokenizerError";
  }
}

/**
 * Options of {@linkcode TextTokenizer.encode}.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "./tokenizer.ts";
 * new ByteTokenizer().encode("a", { addSpecialTokens: true }); // [256, 97]
 * ```
 */
export interface EncodeOptions {
  /**
   * Add the tokens the tokenizer's post-processor adds around a text (BOS for Llama-style
   * tokenizers, nothing for GPT-2 and Qwen2). Default `false`: rendered chat templates already
   * hold their special tokens, and adding them again would double them.
   */
  addSpecialTokens?: boolean;
}

/**
 * Options of {@linkcode TextTokenizer.decode}.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "./tokenizer.ts";
 * new ByteTokenizer().decode([97, 257], { skipSpecialTokens: true }); // "a"
 * ```
 */
export interface DecodeOptions {
  /** Drop special tokens (BOS, EOS, padding, role markers) from the text. Default `false`. */
  skipSpecialTokens?: boolean;
}

/**
 * Options of {@linkcode TextTokenizer.applyChatTemplate}.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "./tokenizer.ts";
 * new ByteTokenizer().applyChatTemplate([{ role: "user", content: "a" }], {
 *   addGenerationPrompt: true,
 * }); // "<|bos|><|user|>a<|eos|><|assistant|>"
 * ```
 */
export interface ChatTemplateOptions {
  /** End with the header that opens an assistant turn (for a prompt). Default `false`. */
  addGenerationPrompt?: boolean;
  /** More template variables (`tools`, `documents`, or a template's own flags). */
  variables?: Record<string, unknown>;
}

/**
 * What every tokenizer offers: the common interface of {@linkcode ByteTokenizer} and
 * {@linkcode HfTokenizer}.
 *
 * @example
 * ```ts
 * import { type TextTokenizer, ByteTokenizer } from "./tokenizer.ts";
 * const tok: TextTokenizer = new ByteTokenizer();
 * tok.decode(tok.encode("héllo")); // "héllo"
 * ```
 */
export interface TextTokenizer {
  /** Where it came from: `"byte"` or the folder it was read from. */
  readonly source: string;
  /** One more than the largest token id (transformers' `len(tokenizer)`). */
  readonly vocabSize: number;
  /** Beginning-of-sequence id, or `null` when the tokenizer has none (Qwen2). */
  readonly bosTokenId: number | null;
  /** End-of-sequence id, or `null` when the tokenizer has none. */
  readonly eosTokenId: number | null;
  /** Padding id: the pad token, else EOS (as TRL does), else 0. Padded positions are masked. */
  readonly padTokenId: number;
  /** Ids of all special tokens (skipped by `decode` with `skipSpecialTokens`). */
  readonly specialTokenIds: ReadonlySet<number>;
  /** The Jinja chat template, or `null` when there is none. */
  readonly chatTemplate: string | null;
  /** Text → ids. Special-token strings in the text become their ids. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Ids → text. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** The id of one token string (special or not), or `undefined`. */
  tokenToId(token: string): number | undefined;
  /** Renders messages through the chat template; throws when there is none. */
  applyChatTemplate(messages: Message[], options?: ChatTemplateOptions): string;
  /** File name → content: what to write into a model folder so that it loads again. */
  files(): Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Chat templates

/**
 * Renders a chat template with the variables transformers' `apply_chat_template` passes:
 * `messages`, `add_generation_prompt`, the special-token strings (`bos_token`, `eos_token`, …)
 * and any extra ones. `raise_exception` and `strftime_now` come from `@huggingface/jinja`.
 */
class ChatTemplateRenderer {
  readonly source: string;
  #template: Template;
  #tokens: Record<string, unknown>;

  constructor(source: string, tokens: Record<string, unknown>, where: string) {
    this.source = source;
    this.#tokens = tokens;
    try {
      this.#template = new Template(source);
    } catch (e) {
      throw new TokenizerError(`${where}: chat_template is not valid Jinja (${errorText(e)})`);
    }
  }

  render(messages: Message[], options: ChatTemplateOptions): string {
    try {
      return this.#template.render({
        ...this.#tokens,
        ...options.variables,
        messages,
        add_generation_prompt: options.addGenerationPrompt ?? false,
      });
    } catch (e) {
      throw new TokenizerError(`Chat template failed: ${errorText(e)}`);
    }
  }
}

function noChatTemplate(source: string): never {
  throw new TokenizerError(
    `The tokenizer from ${source} has no chat template: give one (chat_template in ` +
      `tokenizer_config.json) or tokenize plain text`,
  );
}

// ---------------------------------------------------------------------------------------------
// Byte tokenizer

/**
 * The special tokens of {@linkcode ByteTokenizer}, by id (they follow the 256 bytes).
 *
 * @example
 * ```ts
 * import { BYTE_SPECIAL_TOKENS } from "./tokenizer.ts";
 * const eosId = 256 + BYTE_SPECIAL_TOKENS.indexOf("<|eos|>"); // 257
 * ```
 */
export const BYTE_SPECIAL_TOKENS: readonly string[] = [
  "<|bos|>", // 256
  "<|eos|>", // 257
  "<|pad|>", // 258
  "<|system|>", // 259
  "<|user|>", // 260
  "<|assistant|>", // 261
];

/**
 * The chat template of {@linkcode ByteTokenizer}: one special token per role, each turn ended by
 * EOS, so a rendered response already ends with EOS.
 * `<|bos|><|system|>…<|eos|><|user|>…<|eos|><|assistant|>…<|eos|>`.
 *
 * @example
 * ```ts
 * import { BYTE_CHAT_TEMPLATE, ByteTokenizer } from "./tokenizer.ts";
 * new ByteTokenizer().chatTemplate === BYTE_CHAT_TEMPLATE; // true
 * ```
 */
export const BYTE_CHAT_TEMPLATE: string = "{{ bos_token }}" +
  "{% for message in messages %}" +
  "{% if message['role'] not in ['system', 'user', 'assistant'] %}" +
  "{{ raise_exception('Unknown role ' + message['role'] + ': use system, user or assistant') }}" +
  "{% endif %}" +
  "{{ '<|' + message['role'] + '|>' + message['content'] + eos_token }}" +
  "{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

/**
 * Options of the {@linkcode ByteTokenizer} constructor.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "./tokenizer.ts";
 * const plain = new ByteTokenizer({
 *   chatTemplate: "{% for m in messages %}{{ m.content }}\n{% endfor %}",
 * });
 * ```
 */
export interface ByteTokenizerOptions {
  /** Replace the built-in chat template. */
  chatTemplate?: string;
}

/**
 * The built-in tokenizer: ids 0–255 are UTF-8 bytes, then {@linkcode BYTE_SPECIAL_TOKENS}.
 * Any string (without lone surrogates) round-trips exactly. It needs no files, and
 * {@linkcode ByteTokenizer.files} writes it as an equivalent Hugging Face `tokenizer.json`.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "./tokenizer.ts";
 * const tok = new ByteTokenizer();
 * tok.encode("hi"); // [104, 105]
 * tok.encode("hi", { addSpecialTokens: true }); // [256, 104, 105]
 * tok.decode([256, 104, 105], { skipSpecialTokens: true }); // "hi"
 * ```
 */
export class ByteTokenizer implements TextTokenizer {
  readonly source = "byte";
  readonly vocabSize: number = 256 + BYTE_SPECIAL_TOKENS.length;
  readonly bosTokenId = 256;
  readonly eosTokenId = 257;
  readonly padTokenId = 258;
  readonly specialTokenIds: ReadonlySet<number> = new Set(
    BYTE_SPECIAL_TOKENS.map((_, i) => 256 + i),
  );
  readonly chatTemplate: string;
  #renderer: ChatTemplateRenderer;
  #specialPattern = new RegExp(`(${BYTE_SPECIAL_TOKENS.map(escapeRegExp).join("|")})`);
  #encoder = new TextEncoder();
  #decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

  /**
   * Creates a byte-level tokenizer with the built-in special tokens.
   *
   * @param options A different chat template, if wanted.
   *
   * @example
   * ```ts
   * import { ByteTokenizer } from "./tokenizer.ts";
   * const tok = new ByteTokenizer();
   * tok.vocabSize; // 262
   * ```
   */
  constructor(options: ByteTokenizerOptions = {}) {
    this.chatTemplate = options.chatTemplate ?? BYTE_CHAT_TEMPLATE;
    this.#renderer = new ChatTemplateRenderer(
      this.chatTemplate,
      this.#tokenStrings(),
      "ByteTokenizer",
    );
  }

  /**
   * UTF-8 bytes of the text; special-token strings become their ids. With `addSpecialTokens`,
   * BOS is prepended.
   *
   * @example
   * ```ts
   * import { ByteTokenizer } from "./tokenizer.ts";
   * new ByteTokenizer().encode("é<|eos|>"); // [195, 169, 257]
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = options.addSpecialTokens ? [this.bosTokenId] : [];
    // split() with a capturing group alternates plain text (even) and special tokens (odd).
    const parts = text.split(this.#specialPattern);
    for (let i = 0; i < parts.length; i++) {
      if (i % 2 === 1) ids.push(256 + BYTE_SPECIAL_TOKENS.indexOf(parts[i]));
      else for (const b of this.#encoder.encode(parts[i])) ids.push(b);
    }
    return ids;
  }

  /**
   * Bytes back to text (invalid UTF-8 becomes U+FFFD); special ids become their strings.
   *
   * @example
   * ```ts
   * import { ByteTokenizer } from "./tokenizer.ts";
   * new ByteTokenizer().decode([104, 105, 257]); // "hi<|eos|>"
   * ```
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    let text = "";
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length > 0) text += this.#decoder.decode(new Uint8Array(bytes));
      bytes = [];
    };
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (Number.isInteger(id) && id >= 0 && id < 256) {
        bytes.push(id);
        continue;
      }
      const special = BYTE_SPECIAL_TOKENS[id - 256];
      if (!Number.isInteger(id) || special === undefined) {
        throw new RangeError(
          `Token id ${id} is outside the byte tokenizer's 0..${this.vocabSize - 1}`,
        );
      }
      flush();
      if (!options.skipSpecialTokens) text += special;
    }
    flush();
    return text;
  }

  /**
   * Returns the id of a single token string, or undefined when it is not one token.
   *
   * @example
   * ```ts
   * import { ByteTokenizer } from "./tokenizer.ts";
   * new ByteTokenizer().tokenToId("<|user|>"); // 260
   * ```
   */
  tokenToId(token: string): number | undefined {
    const special = BYTE_SPECIAL_TOKENS.indexOf(token);
    if (special >= 0) return 256 + special;
    const bytes = this.#encoder.encode(token);
    return bytes.length === 1 ? bytes[0] : undefined;
  }

  /**
   * Renders a conversation as text with the chat template.
   *
   * @example
   * ```ts
   * import { ByteTokenizer } from "./tokenizer.ts";
   * new ByteTokenizer().applyChatTemplate([{ role: "user", content: "hi" }], {
   *   addGenerationPrompt: true,
   * }); // "<|bos|><|user|>hi<|eos|><|assistant|>"
   * ```
   */
  applyChatTemplate(messages: Message[], options: ChatTemplateOptions = {}): string {
    return this.#renderer.render(messages, options);
  }

  /**
   * An equivalent Hugging Face tokenizer: a byte-level BPE whose vocabulary is the 256 bytes
   * (in the GPT-2 byte alphabet, id = byte value) with no merges, plus the specials as added
   * tokens. Loaded back through {@linkcode loadTokenizer} (or transformers) it gives the same ids.
   *
   * @example
   * ```ts
   * import { ByteTokenizer } from "./tokenizer.ts";
   * Object.keys(new ByteTokenizer().files()); // ["tokenizer.json", "tokenizer_config.json"]
   * ```
   */
  files(): Record<string, string> {
    const alphabet = byteAlphabet();
    const vocab: Record<string, number> = {};
    for (let b = 0; b < 256; b++) vocab[alphabet[b]] = b;
    const added = BYTE_SPECIAL_TOKENS.map((content, i) => addedToken(256 + i, content, true));
    const tokenizerJson = byteLevelBpeJson(vocab, [], added, { useRegex: true });
    const config: Record<string, unknown> = {
      ...this.#tokenStrings(),
      add_bos_token: false,
      add_eos_token: false,
      add_prefix_space: false,
      clean_up_tokenization_spaces: false,
      model_max_length: 1_000_000,
      tokenizer_class: "PreTrainedTokenizerFast",
      added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
      chat_template: this.chatTemplate,
    };
    return {
      "tokenizer.json": JSON.stringify(tokenizerJson),
      "tokenizer_config.json": JSON.stringify(config, null, 2) + "\n",
    };
  }

  #tokenStrings(): Record<string, unknown> {
    return {
      bos_token: "<|bos|>",
      eos_token: "<|eos|>",
      pad_token: "<|pad|>",
      additional_special_tokens: BYTE_SPECIAL_TOKENS.slice(3),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Hugging Face tokenizers

/**
 * Options of the {@linkcode HfTokenizer} constructor.
 *
 * @example
 * ```ts
 * import { HfTokenizer } from "./tokenizer.ts";
 * const json = JSON.parse(await Deno.readTextFile("../shared/data/gpt2/tokenizer.json"));
 * const tok = new HfTokenizer(json, { eos_token: "<|endoftext|>" }, { source: "gpt2" });
 * ```
 */
export interface HfTokenizerOptions {
  /** Where it came from, for messages (a folder). Default `"memory"`. */
  source?: string;
  /** The chat template, overriding `tokenizer_config.json`'s `chat_template`. */
  chatTemplate?: string | null;
  /** The files to hand back from {@linkcode HfTokenizer.files} (name → content). */
  files?: Record<string, string>;
}

/** The special-token fields of `tokenizer_config.json` passed to chat templates. */
const SPECIAL_TOKEN_FIELDS = [
  "bos_token",
  "eos_token",
  "unk_token",
  "sep_token",
  "pad_token",
  "cls_token",
  "mask_token",
] as const;

/**
 * A Hugging Face tokenizer: a `tokenizer.json` object and a `tokenizer_config.json` object,
 * run by `@huggingface/tokenizers`. Usually made by {@linkcode loadTokenizer}.
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "./tokenizer.ts";
 * const gpt2 = await loadTokenizer("../shared/data/gpt2");
 * gpt2.encode("Hello world!"); // [15496, 995, 0]
 * ```
 */
export class HfTokenizer implements TextTokenizer {
  readonly source: string;
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number;
  readonly specialTokenIds: ReadonlySet<number>;
  readonly chatTemplate: string | null;
  #tokenizer: Tokenizer;
  #renderer: ChatTemplateRenderer | null;
  #files: Record<string, string>;

  /**
   * Builds a tokenizer from the parsed Hugging Face tokenizer files.
   *
   * @param tokenizerJson The parsed `tokenizer.json`.
   * @param config The parsed `tokenizer_config.json` (`{}` when there is none).
   * @param options Source name for messages, chat template override, files to save.
   *
   * @example
   * ```ts
   * import { HfTokenizer } from "./tokenizer.ts";
   * const json = JSON.parse(await Deno.readTextFile("../shared/data/gpt2/tokenizer.json"));
   * const tok = new HfTokenizer(json, {});
   * tok.eosTokenId; // null: no eos_token in the (empty) config
   * ```
   */
  constructor(
    tokenizerJson: Record<string, unknown>,
    config: Record<string, unknown>,
    options: HfTokenizerOptions = {},
  ) {
    this.source = options.source ?? "memory";
    const jsonFile = `${this.source}/tokenizer.json`;
    const configFile = `${this.source}/tokenizer_config.json`;
    const json = withDefaults(tokenizerJson, jsonFile);
    try {
      // The library reads these config fields itself; everything else is ours.
      this.#tokenizer = new Tokenizer(json, {
        ...config,
        additional_special_tokens: tokenStringList(config, configFile),
      });
    } catch (e) {
      throw new TokenizerError(`${jsonFile}: cannot build the tokenizer (${errorText(e)})`);
    }

    // Largest id over the model's vocabulary and the added tokens.
    let maxId = -1;
    for (const id of this.#tokenizer.get_vocab(true).values()) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;

    // Special tokens by name, as transformers' special_tokens_map.
    const names: Record<string, string | null> = {};
    for (const field of SPECIAL_TOKEN_FIELDS) names[field] = tokenString(config, field, configFile);
    const idOf = (field: (typeof SPECIAL_TOKEN_FIELDS)[number]): number | null => {
      const name = names[field];
      if (name === null) return null;
      const id = this.#tokenizer.token_to_id(name);
      if (id === undefined) {
        throw new TokenizerError(
          `${configFile}: ${field} ${JSON.stringify(name)} is not in the vocabulary`,
        );
      }
      return id;
    };
    this.bosTokenId = idOf("bos_token");
    this.eosTokenId = idOf("eos_token");
    this.padTokenId = idOf("pad_token") ?? this.eosTokenId ?? 0;

    const special = new Set<number>();
    for (const t of this.#tokenizer.get_added_tokens_decoder().values()) {
      if (t.special) special.add(t.id);
    }
    for (const field of SPECIAL_TOKEN_FIELDS) {
      const id = idOf(field);
      if (id !== null) special.add(id);
    }
    for (const name of tokenStringList(config, configFile)) {
      const id = this.#tokenizer.token_to_id(name);
      if (id !== undefined) special.add(id);
    }
    this.specialTokenIds = special;

    this.chatTemplate = options.chatTemplate !== undefined
      ? options.chatTemplate
      : chatTemplateOf(config, configFile);
    const variables: Record<string, unknown> = {
      additional_special_tokens: tokenStringList(config, configFile),
    };
    for (const field of SPECIAL_TOKEN_FIELDS) variables[field] = names[field] ?? undefined;
    this.#renderer = this.chatTemplate === null
      ? null
      : new ChatTemplateRenderer(this.chatTemplate, variables, configFile);
    this.#files = options.files ?? {
      "tokenizer.json": JSON.stringify(tokenizerJson),
      "tokenizer_config.json": JSON.stringify(config, null, 2) + "\n",
    };
  }

  /**
   * Turns text into token ids.
   *
   * @example
   * ```ts
   * import { loadTokenizer } from "./tokenizer.ts";
   * const qwen = await loadTokenizer("../shared/data/qwen2.5");
   * qwen.encode("<|im_start|>user\n"); // [151644, 872, 198]
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.#tokenizer.encode(text, {
      add_special_tokens: options.addSpecialTokens ?? false,
    }).ids;
  }

  /**
   * Turns token ids back into text.
   *
   * @example
   * ```ts
   * import { loadTokenizer } from "./tokenizer.ts";
   * const gpt2 = await loadTokenizer("../shared/data/gpt2");
   * gpt2.decode([15496, 995, 50256], { skipSpecialTokens: true }); // "Hello world"
   * ```
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const list: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(
          `Token id ${id} is outside the vocabulary 0..${this.vocabSize - 1} of ${this.source}`,
        );
      }
      if (!(options.skipSpecialTokens && this.specialTokenIds.has(id))) list.push(id);
    }
    // The library refuses an empty list; the text of no tokens is "".
    return list.length === 0 ? "" : this.#tokenizer.decode(list);
  }

  /**
   * Returns the id of a single token string, or undefined when the vocabulary lacks it.
   *
   * @example
   * ```ts
   * import { loadTokenizer } from "./tokenizer.ts";
   * (await loadTokenizer("../shared/data/qwen2.5")).tokenToId("<|im_end|>"); // 151645
   * ```
   */
  tokenToId(token: string): number | undefined {
    return this.#tokenizer.token_to_id(token);
  }

  /**
   * Renders a conversation as text with the model's chat template.
   *
   * @example
   * ```ts
   * import { loadTokenizer } from "./tokenizer.ts";
   * const qwen = await loadTokenizer("../shared/data/qwen2.5");
   * qwen.applyChatTemplate([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }], {
   *   addGenerationPrompt: true,
   * }); // "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
   * ```
   */
  applyChatTemplate(messages: Message[], options: ChatTemplateOptions = {}): string {
    if (this.#renderer === null) noChatTemplate(this.source);
    return this.#renderer.render(messages, options);
  }

  /**
   * The files it was read from (or, when built in memory, `tokenizer.json` and
   * `tokenizer_config.json`), to copy into a saved model folder.
   *
   * @example
   * ```ts
   * import { loadTokenizer } from "./tokenizer.ts";
   * Object.keys((await loadTokenizer("../shared/data/qwen2.5")).files());
   * // ["vocab.json", "merges.txt", "tokenizer_config.json"]
   * ```
   */
  files(): Record<string, string> {
    return { ...this.#files };
  }
}

/**
 * The pre-tokenizer split Qwen2 uses (GPT-4-like; digits one at a time).
 *
 * @example
 * ```ts
 * import { QWEN2_SPLIT_PATTERN } from "./tokenizer.ts";
 * const splitter = { type: "Split", pattern: { Regex: QWEN2_SPLIT_PATTERN }, behavior: "Isolated" };
 * ```
 */
export const QWEN2_SPLIT_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/**
 * Builds the `tokenizer.json` object of a byte-level BPE from `vocab.json` and `merges.txt`
 * contents, the way transformers converts a Qwen2 slow tokenizer: NFC, the Qwen2 split, ByteLevel
 * (no prefix space), BPE, and `added_tokens_decoder` from `tokenizer_config.json` as added tokens.
 *
 * @param vocab The parsed `vocab.json` (token → id).
 * @param merges The text of `merges.txt`.
 * @param config The parsed `tokenizer_config.json`.
 * @param file Names the folder in error messages.
 * @returns A `tokenizer.json` object for {@linkcode HfTokenizer}.
 *
 * @example
 * ```ts
 * import { byteLevelBpeFromVocab, HfTokenizer } from "./tokenizer.ts";
 * const json = byteLevelBpeFromVocab({ "a": 0, "b": 1, "ab": 2 }, "#version: 0.2\na b\n", {});
 * new HfTokenizer(json, {}).encode("ab"); // [2]
 * ```
 */
export function byteLevelBpeFromVocab(
  vocab: Record<string, unknown>,
  merges: string,
  config: Record<string, unknown>,
  file = ".",
): Record<string, unknown> {
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || (id as number) < 0) {
      throw new TokenizerError(
        `${file}/vocab.json: ${JSON.stringify(token)} must map to a non-negative integer id, ` +
          `got ${JSON.stringify(id)}`,
      );
    }
  }
  const mergeList: string[] = [];
  const lines = merges.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.length === 0 || (i === 0 && line.startsWith("#version"))) return;
    const parts = line.split(" ");
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
      throw new TokenizerError(
        `${file}/merges.txt: line ${i + 1} must be two tokens separated by one space, ` +
          `got ${JSON.stringify(line)}`,
      );
    }
    mergeList.push(line);
  });
  const added = addedTokensOf(config, `${file}/tokenizer_config.json`);
  return byteLevelBpeJson(vocab as Record<string, number>, mergeList, added, { useRegex: false });
}

// ---------------------------------------------------------------------------------------------
// Loading

/**
 * Reads the tokenizer of a model folder: `tokenizer.json` when there is one, else `vocab.json` +
 * `merges.txt` (byte-level BPE); `tokenizer_config.json` for special tokens and the chat template
 * (a `chat_template.jinja` file, as newer transformers saves, takes precedence).
 *
 * @param dir The model folder.
 * @returns The tokenizer.
 * @throws {TokenizerError} naming the file (and field) that is missing or invalid.
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "./tokenizer.ts";
 * const tok = await loadTokenizer("../shared/data/gpt2");
 * tok.decode(tok.encode("Hello world!")); // "Hello world!"
 * ```
 */
export async function loadTokenizer(dir: string): Promise<HfTokenizer> {
  const root = dir.replace(/\/+$/, "") || "/";
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(root);
  } catch (e) {
    throw new TokenizerError(`${root}: cannot read the tokenizer folder (${errorText(e)})`);
  }
  if (!info.isDirectory) throw new TokenizerError(`${root}: is not a folder`);

  const files: Record<string, string> = {};
  const read = async (name: string): Promise<string | null> => {
    try {
      const text = await Deno.readTextFile(`${root}/${name}`);
      files[name] = text;
      return text;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw new TokenizerError(`${root}/${name}: cannot read (${errorText(e)})`);
    }
  };

  const configText = await read("tokenizer_config.json");
  const config = configText === null
    ? {}
    : parseJsonObject(configText, `${root}/tokenizer_config.json`);
  // special_tokens_map.json fills names the config lacks (older folders keep them there).
  const mapText = await read("special_tokens_map.json");
  if (mapText !== null) {
    const map = parseJsonObject(mapText, `${root}/special_tokens_map.json`);
    for (const [k, v] of Object.entries(map)) if (config[k] === undefined) config[k] = v;
  }
  const jinja = await read("chat_template.jinja");
  const options: HfTokenizerOptions = { source: root, files };
  if (jinja !== null) options.chatTemplate = jinja;

  const tokenizerText = await read("tokenizer.json");
  if (tokenizerText !== null) {
    const json = parseJsonObject(tokenizerText, `${root}/tokenizer.json`);
    return new HfTokenizer(json, config, options);
  }

  const vocabText = await read("vocab.json");
  const mergesText = await read("merges.txt");
  if (vocabText === null || mergesText === null) {
    const missing = vocabText === null ? "vocab.json" : "merges.txt";
    throw new TokenizerError(
      `${root}: no tokenizer found: expected tokenizer.json, or vocab.json and merges.txt ` +
        `(${missing} is missing)`,
    );
  }
  const vocab = parseJsonObject(vocabText, `${root}/vocab.json`);
  const json = byteLevelBpeFromVocab(vocab, mergesText, config, root);
  return new HfTokenizer(json, config, options);
}

/**
 * Writes a tokenizer's files into a folder (created if needed), so that
 * {@linkcode loadTokenizer} (and transformers) read it back.
 *
 * @param tokenizer The tokenizer.
 * @param dir The model folder.
 *
 * @example
 * ```ts
 * import { ByteTokenizer, loadTokenizer, saveTokenizer } from "./tokenizer.ts";
 * const dir = await Deno.makeTempDir();
 * await saveTokenizer(new ByteTokenizer(), dir);
 * (await loadTokenizer(dir)).encode("hi"); // [104, 105]
 * ```
 */
export async function saveTokenizer(tokenizer: TextTokenizer, dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(tokenizer.files())) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
}

// ---------------------------------------------------------------------------------------------
// Prompt and response ids for the tokenize stage

/**
 * Token ids of a prompt and of its response; `[...prompt, ...response]` is the sequence.
 *
 * @example
 * ```ts
 * import { ByteTokenizer, encodePromptResponse } from "./tokenizer.ts";
 * const { prompt, response } = encodePromptResponse(new ByteTokenizer(), { prompt: "Q", response: "A" });
 * const sequence = [...prompt, ...response]; // [81, 65, 257]
 * ```
 */
export interface PromptResponseIds {
  /** The prompt's ids: an exact prefix of the sequence. */
  prompt: number[];
  /** The response's ids, EOS included when asked for. */
  response: number[];
}

/**
 * Options of {@linkcode encodePromptResponse} and {@linkcode encodeConversation}.
 *
 * @example
 * ```ts
 * import { ByteTokenizer, encodePromptResponse } from "./tokenizer.ts";
 * encodePromptResponse(new ByteTokenizer(), { prompt: "Q", response: "A" }, {
 *   addBos: true,
 *   addEos: false,
 * }); // { prompt: [256, 81], response: [65] }
 * ```
 */
export interface PromptResponseOptions {
  /**
   * Prepend BOS to the prompt unless it already starts with it. Default `false` (TRL's choice for
   * decoder-only models: a chat template that wants BOS writes it).
   */
  addBos?: boolean;
  /**
   * Append EOS to the response unless it already ends with it (possibly followed by whitespace,
   * as ChatML's `<|im_end|>\n`). Default `true`.
   */
  addEos?: boolean;
}

/**
 * Encodes a prompt and a response separately, so the prompt's ids are an exact prefix of the
 * whole sequence, with no special tokens added by the tokenizer itself; BOS and EOS are then
 * added at most once each.
 *
 * @param tokenizer The tokenizer.
 * @param texts The prompt text and the response text.
 * @param options Whether to add BOS and EOS.
 * @returns The two id lists.
 *
 * @example
 * ```ts
 * import { ByteTokenizer, encodePromptResponse } from "./tokenizer.ts";
 * encodePromptResponse(new ByteTokenizer(), { prompt: "Q:", response: "A" }, { addBos: true });
 * // { prompt: [256, 81, 58], response: [65, 257] }
 * ```
 */
export function encodePromptResponse(
  tokenizer: TextTokenizer,
  texts: { prompt: string; response: string },
  options: PromptResponseOptions = {},
): PromptResponseIds {
  const prompt = tokenizer.encode(texts.prompt);
  const response = tokenizer.encode(texts.response);
  const bos = tokenizer.bosTokenId;
  if ((options.addBos ?? false) && bos !== null && prompt[0] !== bos) prompt.unshift(bos);
  const eos = tokenizer.eosTokenId;
  if ((options.addEos ?? true) && eos !== null && !endsWithEos(tokenizer, response, eos)) {
    response.push(eos);
  }
  return { prompt, response };
}

/** Whether the ids end with EOS, possibly followed by tokens that are only whitespace. */
function endsWithEos(tokenizer: TextTokenizer, ids: number[], eos: number): boolean {
  for (let i = ids.length - 1; i >= 0; i--) {
    if (ids[i] === eos) return true;
    if (tokenizer.specialTokenIds.has(ids[i])) return false;
    if (tokenizer.decode([ids[i]]).trim() !== "") return false;
  }
  return false;
}

/**
 * Renders a conversation's prompt (with the generation prompt) and its whole text through the
 * chat template; the response text is what the whole adds to the prompt. Where the template does
 * not render the prompt as a prefix of the whole (e.g. a generation prompt that opens a `<think>`
 * block the template then strips from finished turns), the prompt is cut to the common prefix of
 * the two, as TRL's `apply_chat_template` does.
 *
 * @param tokenizer A tokenizer with a chat template.
 * @param turns The prompt messages and the response messages.
 * @returns The prompt text and the response text.
 *
 * @example
 * ```ts
 * import { ByteTokenizer, renderConversation } from "./tokenizer.ts";
 * renderConversation(new ByteTokenizer(), {
 *   prompt: [{ role: "user", content: "Hi" }],
 *   response: [{ role: "assistant", content: "Hello" }],
 * }); // { prompt: "<|bos|><|user|>Hi<|eos|><|assistant|>", response: "Hello<|eos|>" }
 * ```
 */
export function renderConversation(
  tokenizer: TextTokenizer,
  turns: { prompt: Message[]; response: Message[] },
): { prompt: string; response: string } {
  const rendered = tokenizer.applyChatTemplate(turns.prompt, { addGenerationPrompt: true });
  const whole = tokenizer.applyChatTemplate([...turns.prompt, ...turns.response]);
  const prompt = rendered.slice(0, commonPrefixLength(rendered, whole));
  return { prompt, response: whole.slice(prompt.length) };
}

/**
 * {@linkcode renderConversation} then {@linkcode encodePromptResponse}: the ids of a chat
 * prompt and response. Special tokens come from the template only; EOS is appended once unless
 * the template already ended the response with it.
 *
 * @param tokenizer A tokenizer with a chat template.
 * @param turns The prompt messages and the response messages.
 * @param options Whether to add BOS (default no) and EOS (default yes).
 * @returns The two id lists.
 *
 * @example
 * ```ts
 * import { ByteTokenizer, encodeConversation } from "./tokenizer.ts";
 * const ids = encodeConversation(new ByteTokenizer(), {
 *   prompt: [{ role: "user", content: "Hi" }],
 *   response: [{ role: "assistant", content: "Yo" }],
 * });
 * // { prompt: [256, 260, 72, 105, 257, 261], response: [89, 111, 257] }
 * ```
 */
export function encodeConversation(
  tokenizer: TextTokenizer,
  turns: { prompt: Message[]; response: Message[] },
  options: PromptResponseOptions = {},
): PromptResponseIds {
  return encodePromptResponse(tokenizer, renderConversation(tokenizer, turns), options);
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

function addedToken(id: number, content: string, special: boolean): AddedTokenJson {
  return {
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special,
  };
}

/** A byte-level BPE `tokenizer.json`: GPT-2 style (`useRegex`) or Qwen2 style (NFC + split). */
function byteLevelBpeJson(
  vocab: Record<string, number>,
  merges: string[],
  added: AddedTokenJson[],
  style: { useRegex: boolean },
): Record<string, unknown> {
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: false };
  const preTokenizer = style.useRegex ? { ...byteLevel, use_regex: true } : {
    type: "Sequence",
    pretokenizers: [
      {
        type: "Split",
        pattern: { Regex: QWEN2_SPLIT_PATTERN },
        behavior: "Isolated",
        invert: false,
      },
      { ...byteLevel, use_regex: false },
    ],
  };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: style.useRegex ? null : { type: "NFC" },
    pre_tokenizer: preTokenizer,
    post_processor: { ...byteLevel, use_regex: false },
    decoder: { ...byteLevel, use_regex: false },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/** `added_tokens_decoder` of a `tokenizer_config.json` as `tokenizer.json` added tokens. */
function addedTokensOf(config: Record<string, unknown>, file: string): AddedTokenJson[] {
  const decoder = config.added_tokens_decoder;
  if (decoder === undefined || decoder === null) return [];
  if (typeof decoder !== "object" || Array.isArray(decoder)) {
    throw new TokenizerError(`${file}: added_tokens_decoder must be an object of id → token`);
  }
  const out: AddedTokenJson[] = [];
  for (const [key, value] of Object.entries(decoder as Record<string, unknown>)) {
    const id = Number(key);
    const v = value as Record<string, unknown> | null;
    if (
      !Number.isInteger(id) || id < 0 || typeof v !== "object" || v === null ||
      typeof v.content !== "string"
    ) {
      throw new TokenizerError(
        `${file}: added_tokens_decoder[${JSON.stringify(key)}] must map an integer id to ` +
          `{ content: string, ... }`,
      );
    }
    out.push({
      id,
      content: v.content,
      single_word: v.single_word === true,
      lstrip: v.lstrip === true,
      rstrip: v.rstrip === true,
      normalized: v.normalized === true,
      special: v.special !== false,
    });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** The text of a token given as a string or as an `AddedToken` object; `undefined` if neither. */
function contentOf(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (
    typeof v === "object" && v !== null && typeof (v as { content?: unknown }).content === "string"
  ) {
    return (v as { content: string }).content;
  }
  return undefined;
}

/** The string of a special-token field: a string, an `AddedToken` object, or absent/null. */
function tokenString(config: Record<string, unknown>, field: string, file: string): string | null {
  const v = config[field];
  if (v === undefined || v === null) return null;
  const s = contentOf(v);
  if (s === undefined) {
    throw new TokenizerError(
      `${file}: ${field} must be a string or { content: string }, got ${JSON.stringify(v)}`,
    );
  }
  return s;
}

/** `additional_special_tokens` as strings. */
function tokenStringList(config: Record<string, unknown>, file: string): string[] {
  const v = config.additional_special_tokens;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    throw new TokenizerError(`${file}: additional_special_tokens must be a list`);
  }
  return v.map((item, i) => {
    const s = contentOf(item);
    if (s === undefined) {
      throw new TokenizerError(
        `${file}: additional_special_tokens[${i}] must be a string or { content: string }`,
      );
    }
    return s;
  });
}

/** `chat_template`: a string, or a list of `{ name, template }` (the `default` one is used). */
function chatTemplateOf(config: Record<string, unknown>, file: string): string | null {
  const v = config.chat_template;
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v;
  if (Array.isArray(v)) {
    const named = v as { name?: unknown; template?: unknown }[];
    const pick = named.find((t) => t?.name === "default") ?? named[0];
    if (pick !== undefined && typeof pick.template === "string") return pick.template;
  }
  throw new TokenizerError(
    `${file}: chat_template must be a string or a list of { name, template }`,
  );
}

/** Checks the fields the library needs and fills the optional ones, on a shallow copy. */
function withDefaults(original: Record<string, unknown>, file: string): Record<string, unknown> {
  const json = { ...original };
  const model = json.model as Record<string, unknown> | undefined;
  if (typeof model !== "object" || model === null || Array.isArray(model)) {
    throw new TokenizerError(`${file}: model is missing or not an object`);
  }
  if (typeof model.type !== "string") {
    throw new TokenizerError(`${file}: model.type is missing`);
  }
  if (model.type === "BPE" && !Array.isArray(model.merges)) {
    throw new TokenizerError(`${file}: model.merges must be a list`);
  }
  if (typeof model.vocab !== "object" || model.vocab === null) {
    throw new TokenizerError(`${file}: model.vocab is missing`);
  }
  if (json.added_tokens === undefined) json.added_tokens = [];
  if (!Array.isArray(json.added_tokens)) {
    throw new TokenizerError(`${file}: added_tokens must be a list`);
  }
  for (const key of ["normalizer", "pre_tokenizer", "post_processor", "decoder"]) {
    if (json[key] === undefined) json[key] = null;
  }
  return json;
}

function parseJsonObject(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TokenizerError(`${file}: invalid JSON (${errorText(e)})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TokenizerError(`${file}: must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** GPT-2's reversible byte → printable character map (printable bytes map to themselves). */
function byteAlphabet(): string[] {
  const chars: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
    chars[b] = String.fromCodePoint(printable ? b : next++);
  }
  return chars;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
