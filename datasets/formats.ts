/**
 * Preference-data formats: detect which one a file uses and turn each of its rows into a
 * {@linkcode PreferencePair}.
 *
 * | format                          | a row looks like                                                    | kind   |
 * | ------------------------------- | ------------------------------------------------------------------- | ------ |
 * | `trl-standard`                  | `{prompt: "…", chosen: "…", rejected: "…"}`                          | `text` |
 * | `trl-standard-implicit`         | `{chosen: "…", rejected: "…"}` (the prompt is their shared start)   | `text` |
 * | `trl-conversational`            | `{prompt: [msg…], chosen: [msg…], rejected: [msg…]}`                | `chat` |
 * | `trl-conversational-implicit`   | `{chosen: [msg…], rejected: [msg…]}` (shared leading messages)      | `chat` |
 * | `alpaca` (LLaMA-Factory)        | `{instruction, input?, system?, history?: [[q, a]…], chosen, rejected}` | `text` |
 * | `sharegpt` (LLaMA-Factory)      | `{conversations: [{from, value}…], system?, chosen, rejected}`      | `chat` |
 * | `hh` (Anthropic HH-RLHF)        | `{chosen: "\n\nHuman: …\n\nAssistant: …", rejected: "…"}`           | `chat` |
 * | `tokenized`                     | `{prompt_ids: [int…], chosen_ids: [int…], rejected_ids: [int…]}`    | `ids`  |
 * | `trl-unpaired`                  | `{prompt: "…", completion: "…", label: true}` (KTO, one response)   | `text` |
 * | `trl-unpaired-conversational`   | `{prompt: [msg…], completion: [msg…], label: false}`                | `chat` |
 *
 * The unpaired formats (TRL's, for KTO) hold one response and a label (desirable or not) per row:
 * each becomes a pair whose `chosen` is that response, `rejected` empty and `label` set.
 *
 * Every column name can be remapped with {@linkcode Columns}; ShareGPT role and content keys with
 * {@linkcode ShareGptTags}. A row that does not fit its format raises a {@linkcode DataError} that
 * names the file, the 1-based row and the field, and says what was expected.
 *
 * @module
 */
import type { Message, PreferencePair, RowSource } from "./types.ts";
import { commonPrefixLength, isHighSurrogate } from "../util/text.ts";

/** The row formats {@linkcode normalizeRow} understands. See the module table. */
export type Format =
  | "trl-standard"
  | "trl-standard-implicit"
  | "trl-conversational"
  | "trl-conversational-implicit"
  | "alpaca"
  | "sharegpt"
  | "hh"
  | "tokenized"
  | "trl-unpaired"
  | "trl-unpaired-conversational";

/**
 * Every format name, in detection-table order.
 *
 * @example
 * ```ts
 * import { FORMATS } from "./formats.ts";
 * console.log(FORMATS.includes("sharegpt")); // true
 * ```
 */
export const FORMATS: readonly Format[] = [
  "trl-standard",
  "trl-standard-implicit",
  "trl-conversational",
  "trl-conversational-implicit",
  "alpaca",
  "sharegpt",
  "hh",
  "tokenized",
  "trl-unpaired",
  "trl-unpaired-conversational",
];

/**
 * Which column of the file holds each logical field. Keys are the logical names (the default
 * column names, camel-cased); values are the file's column names. `null` switches an optional
 * column off (LLaMA-Factory reads `system` and `history` only when `dataset_info.json` maps them).
 */
export interface Columns {
  /** TRL prompt. Default `"prompt"`. */
  prompt?: string;
  /** Preferred response. Default `"chosen"`. */
  chosen?: string;
  /** Dispreferred response. Default `"rejected"`. */
  rejected?: string;
  /** Alpaca instruction (LLaMA-Factory's `prompt` column). Default `"instruction"`. */
  instruction?: string;
  /** Alpaca input, appended to the instruction after a newline (LLaMA-Factory's `query`). Default `"input"`. */
  input?: string | null;
  /** System prompt (Alpaca, ShareGPT). Default `"system"`. */
  system?: string | null;
  /** Alpaca history `[[user, assistant], …]`. Default `"history"`. */
  history?: string | null;
  /** ShareGPT turns (LLaMA-Factory's `messages` column). Default `"conversations"`. */
  conversations?: string;
  /** Pre-tokenized prompt. Default `"prompt_ids"`. */
  promptIds?: string;
  /** Pre-tokenized chosen response. Default `"chosen_ids"`. */
  chosenIds?: string;
  /** Pre-tokenized rejected response. Default `"rejected_ids"`. */
  rejectedIds?: string;
  /** An unpaired (KTO) row's response. Default `"completion"`. */
  completion?: string;
  /** An unpaired (KTO) row's label, `true` desirable. Default `"label"`. */
  label?: string;
  /**
   * LLaMA-Factory's `kto_tag`: set, an `alpaca` or `sharegpt` row is one KTO example, its label
   * this column (`true` desirable); the response is the `chosen` column (alpaca; LLaMA-Factory's
   * `response`, default `"output"`) or the conversation's last, assistant-side turn (sharegpt).
   * Default `null` (off): rows are preference pairs.
   */
  ktoTag?: string | null;
}

/** {@linkcode Columns} with every default filled in. */
export type ResolvedColumns = { [K in keyof Columns]-?: Exclude<Columns[K], undefined> };

/** The default column names. */
const DEFAULT_COLUMNS: ResolvedColumns = {
  prompt: "prompt",
  chosen: "chosen",
  rejected: "rejected",
  instruction: "instruction",
  input: "input",
  system: "system",
  history: "history",
  conversations: "conversations",
  promptIds: "prompt_ids",
  chosenIds: "chosen_ids",
  rejectedIds: "rejected_ids",
  completion: "completion",
  label: "label",
  ktoTag: null,
};

/**
 * ShareGPT turn keys and role names, as LLaMA-Factory's `tags` (`role_tag` → `roleTag`, …).
 * Defaults are LLaMA-Factory's: `from`, `value`, `human`, `gpt`, `system`, `observation`,
 * `function_call`. When no tags are given and a turn has `role` but no `from`, the OpenAI
 * spelling (`role`, `content`, `user`, `assistant`, `system`, `tool`, `function_call`) is used
 * for that row instead.
 */
export interface ShareGptTags {
  /** Key of a turn's speaker. */
  roleTag?: string;
  /** Key of a turn's text. */
  contentTag?: string;
  /** Speaker name of user turns (→ role `user`). */
  userTag?: string;
  /** Speaker name of assistant turns (→ role `assistant`). */
  assistantTag?: string;
  /** Speaker name of a leading system turn (→ role `system`). */
  systemTag?: string;
  /** Speaker name of tool results (→ role `tool`, in a user-side slot). */
  observationTag?: string;
  /** Speaker name of tool calls (→ role `assistant`, in an assistant-side slot). */
  functionTag?: string;
}

const LLAMA_FACTORY_TAGS: Required<ShareGptTags> = {
  roleTag: "from",
  contentTag: "value",
  userTag: "human",
  assistantTag: "gpt",
  systemTag: "system",
  observationTag: "observation",
  functionTag: "function_call",
};

const OPENAI_TAGS: Required<ShareGptTags> = {
  roleTag: "role",
  contentTag: "content",
  userTag: "user",
  assistantTag: "assistant",
  systemTag: "system",
  observationTag: "tool",
  functionTag: "function_call",
};

/** Options shared by {@linkcode detectFormat} and {@linkcode normalizeRow}. */
export interface FormatOptions {
  /** Column mapping; unmapped fields keep their default names. */
  columns?: Columns;
  /** ShareGPT keys and role names. */
  tags?: ShareGptTags;
}

/** Where a {@linkcode DataError} happened and why. */
export interface DataErrorInit {
  /** The file, as the caller named it. */
  file: string;
  /** 1-based row (JSON array element or JSONL line), when known. */
  row?: number;
  /** 1-based line in the file, when it differs from the row or the row is unknown. */
  line?: number;
  /** 1-based column on that line. */
  column?: number;
  /** The field (column name in the file, with a `[i]`/`.key` path inside it), when known. */
  field?: string;
  /** What was expected and what was found, without the location. */
  reason: string;
}

/**
 * A problem in the data: the message names the file, the 1-based row and the field, and says
 * what was expected, e.g. `data.jsonl row 17, field "chosen": expected a string or a list of
 * messages, got number`.
 *
 * @example
 * ```ts
 * import { DataError } from "./formats.ts";
 * const e = new DataError({ file: "a.jsonl", row: 3, field: "chosen", reason: "expected a string, got null" });
 * console.log(e.message); // a.jsonl row 3, field "chosen": expected a string, got null
 * console.log(e.row, e.field); // 3 chosen
 * ```
 */
export class DataError extends Error {
  /** The error's name, as shown before its message. */
  override name = "DataError";
  /** The file. */
  readonly file: string;
  /** 1-based row, when known. */
  readonly row?: number;
  /** 1-based line, when known. */
  readonly line?: number;
  /** The field, when known. */
  readonly field?: string;
  /** The message without its location: what grouping of skipped rows uses. */
  readonly reason: string;

  /** Builds the message from where and why. */
  constructor(init: DataErrorInit, options?: ErrorOptions) {
    let where = init.file;
    if (init.row !== undefined) where += ` row ${init.row}`;
    if (init.line !== undefined && (init.column !== undefined || init.line !== init.row)) {
      const at = `line ${init.line}${init.column !== undefined ? `, column ${init.column}` : ""}`;
      where += init.row !== undefined ? ` (${at})` : ` ${at}`;
    }
    if (init.field !== undefined) where += `, field "${init.field}"`;
    super(`${where}: ${init.reason}`, options);
    this.file = init.file;
    this.row = init.row;
    this.line = init.line;
    this.field = init.field;
    this.reason = init.reason;
  }
}

/** How many leading rows {@linkcode detectFormat} looks at. */
const DETECT_ROWS = 16;

/**
 * Detects the format from the keys (and a few value types) of the first rows, after the column
 * mapping. The rules, first match wins:
 *
 * 1. a `prompt_ids`, `chosen_ids` or `rejected_ids` column → `tokenized`;
 * 2. a `conversations` column → `sharegpt`;
 * 3. an `instruction` column → `alpaca`;
 * 4. `chosen` and `rejected` with a `prompt`: a list prompt → `trl-conversational`, else
 *    `trl-standard`;
 * 5. `chosen` and `rejected` without one: list values → `trl-conversational-implicit`; strings
 *    holding `Human:` and `\n\nAssistant:` turns → `hh`; other strings → `trl-standard-implicit`;
 * 6. `completion` and `label` (no `chosen` or `rejected`): a list prompt →
 *    `trl-unpaired-conversational`, else `trl-unpaired` (TRL's unpaired data, for KTO).
 *
 * @throws {DataError} when no rule matches (the message lists the columns found).
 *
 * @example
 * ```ts
 * import { detectFormat } from "./formats.ts";
 * console.log(detectFormat([{ prompt: "2+2=", chosen: "4", rejected: "5" }])); // trl-standard
 * console.log(detectFormat([{ q: "2+2=", good: "4", bad: "5" }], {
 *   columns: { prompt: "q", chosen: "good", rejected: "bad" },
 * })); // trl-standard
 * ```
 */
export function detectFormat(
  rows: readonly unknown[],
  options: FormatOptions & { file?: string } = {},
): Format {
  const cols = resolveColumns(options.columns);
  const file = options.file ?? "<rows>";
  const sample = rows.filter(isRecord).slice(0, DETECT_ROWS);
  if (sample.length === 0) {
    throw new DataError({ file, reason: "no rows to detect the format from" });
  }
  /** The first non-null value of a column among the sampled rows. */
  const first = (column: string | null): unknown => {
    if (column === null) return undefined;
    for (const row of sample) {
      if (row[column] !== undefined && row[column] !== null) return row[column];
    }
    return undefined;
  };
  const has = (column: string | null) => column !== null && sample.some((row) => column in row);

  if (has(cols.promptIds) || has(cols.chosenIds) || has(cols.rejectedIds)) return "tokenized";
  if (has(cols.conversations)) return "sharegpt";
  if (has(cols.instruction)) return "alpaca";
  if (has(cols.chosen) && has(cols.rejected)) {
    const chosen = first(cols.chosen);
    if (!has(cols.prompt) && has("messages")) {
      // Read as an implicit-prompt format it would train without its prompt: refuse instead.
      throw new DataError({
        file,
        reason: `a "messages" column beside "chosen" and "rejected" is not a format read ` +
          `without a mapping: for TRL's conversational format name the prompt column "prompt"; ` +
          `for LLaMA-Factory's OpenAI-style ShareGPT, load the folder with its ` +
          `dataset_info.json (formatting "sharegpt", messages column "messages", role/content ` +
          `tags)`,
      });
    }
    if (has(cols.prompt)) {
      return Array.isArray(first(cols.prompt)) ? "trl-conversational" : "trl-standard";
    }
    if (Array.isArray(chosen)) return "trl-conversational-implicit";
    if (typeof chosen === "string" && looksLikeHh(chosen)) return "hh";
    return "trl-standard-implicit";
  }
  if (has(cols.completion) && has(cols.label)) {
    return Array.isArray(first(cols.prompt)) || Array.isArray(first(cols.completion))
      ? "trl-unpaired-conversational"
      : "trl-unpaired";
  }
  const keys = [...new Set(sample.flatMap((row) => Object.keys(row)))];
  throw new DataError({
    file,
    reason: `cannot detect the format from the columns ${listKeys(keys)}: expected "chosen" and ` +
      `"rejected" (with "prompt", "instruction" or "conversations"), "prompt_ids", ` +
      `"chosen_ids" and "rejected_ids", or "prompt", "completion" and "label" (unpaired, for ` +
      `KTO); map yours with the columns option or name the format`,
  });
}

/** Options of {@linkcode normalizeRow}. */
export interface NormalizeOptions extends FormatOptions {
  /** The row's format (from {@linkcode detectFormat} or the user). */
  format: Format;
}

/**
 * Turns one row into a {@linkcode PreferencePair}. Strings are kept exactly as given, except in
 * `hh` (turn texts and the response are trimmed; `raw` keeps the text) and ShareGPT/Alpaca system prompts (used as
 * given when non-empty, omitted when empty, as LLaMA-Factory does).
 *
 * - TRL formats: see {@linkcode extractTextPrompt} and {@linkcode extractMessagePrompt} for the
 *   implicit prompt. Message `content` may be a string or a list of `{type: "text", text}` parts.
 * - Alpaca: the prompt is `[system?, …history as user/assistant pairs, user]`, where the user text
 *   is the instruction and the input joined by `"\n"`, each only when non-empty (LLaMA-Factory's
 *   rule).
 * - ShareGPT: a leading system turn, else the `system` column, becomes the first message; the
 *   other turns must alternate user-side (`human`, `observation`) and assistant-side (`gpt`,
 *   `function_call`), starting and ending on the user side, as LLaMA-Factory requires for ranking
 *   data. `chosen`/`rejected` are one assistant-side turn object or a plain string. Roles map to
 *   `system`, `user`, `assistant`, `tool` (observation) and `assistant` (function_call).
 * - HH: see {@linkcode splitHh}.
 * - tokenized: non-negative integer lists, used exactly as given; the message lists are empty.
 *
 * @throws {DataError} naming `source.file`, `source.row` and the field.
 *
 * @example
 * ```ts
 * import { normalizeRow } from "./formats.ts";
 * const pair = normalizeRow(
 *   { conversations: [{ from: "human", value: "Hi" }], chosen: { from: "gpt", value: "Hello!" }, rejected: "Go away." },
 *   { file: "d.json", row: 1 },
 *   { format: "sharegpt" },
 * );
 * console.log(pair.prompt); // [{ role: "user", content: "Hi" }]
 * console.log(pair.rejected); // [{ role: "assistant", content: "Go away." }]
 * ```
 */
export function normalizeRow(
  row: unknown,
  source: RowSource,
  options: NormalizeOptions,
): PreferencePair {
  if (!isRecord(row)) {
    throw new DataError({
      ...source,
      reason: `expected an object with the row's fields, got ${typeName(row)}`,
    });
  }
  const r = new RowReader(row, source, resolveColumns(options.columns));
  switch (options.format) {
    case "trl-standard":
      return textPair(
        r.string(r.cols.prompt),
        r.string(r.cols.chosen),
        r.string(r.cols.rejected),
        source,
      );
    case "trl-standard-implicit": {
      const split = extractTextPrompt(r.string(r.cols.chosen), r.string(r.cols.rejected));
      return textPair(split.prompt, split.chosen, split.rejected, source);
    }
    case "trl-conversational":
      return {
        prompt: r.messages(r.cols.prompt),
        chosen: r.messages(r.cols.chosen),
        rejected: r.messages(r.cols.rejected),
        kind: "chat",
        source,
      };
    case "trl-conversational-implicit": {
      const split = extractMessagePrompt(r.messages(r.cols.chosen), r.messages(r.cols.rejected));
      return { ...split, kind: "chat", source };
    }
    case "alpaca":
      return alpacaPair(r);
    case "sharegpt":
      return shareGptPair(r, options.tags);
    case "hh":
      return { ...hhSplit(r), kind: "chat", source };
    case "trl-unpaired":
      return {
        ...textPair(r.string(r.cols.prompt), r.string(r.cols.completion), "", source),
        rejected: [],
        label: r.label(r.cols.label),
      };
    case "trl-unpaired-conversational":
      return {
        prompt: r.messages(r.cols.prompt),
        chosen: r.messages(r.cols.completion),
        rejected: [],
        kind: "chat",
        label: r.label(r.cols.label),
        source,
      };
    case "tokenized":
      return {
        prompt: [],
        chosen: [],
        rejected: [],
        kind: "ids",
        ids: {
          prompt: r.ids(r.cols.promptIds),
          chosen: r.ids(r.cols.chosenIds),
          rejected: r.ids(r.cols.rejectedIds),
        },
        source,
      };
    default:
      throw new RangeError(
        `Unknown format "${options.format}": expected one of ${FORMATS.join(", ")}`,
      );
  }
}

/** A pair split into prompt and responses. */
export interface PromptSplit<T> {
  /** What both texts share. */
  prompt: T;
  /** The rest of the chosen text. */
  chosen: T;
  /** The rest of the rejected text. */
  rejected: T;
}

/**
 * Splits two strings that repeat the prompt (TRL's implicit-prompt standard format) into the
 * prompt and the two responses.
 *
 * What TRL does (`trl.data_utils.extract_prompt`): it walks both strings character by character,
 * stops at the first difference, and when the character just before it is a space, moves that
 * one space into the responses. Its cut can therefore fall inside a word (`"It is bright"` /
 * `"It is blue"` gives the prompt `"It is b"`), and when one string is a prefix of the other it
 * stops one character short.
 *
 * What this does: take the longest common prefix (never splitting a UTF-16 surrogate pair); when
 * the cut falls inside a word in either string (letters, digits, marks or `_` on both sides, in
 * scripts that separate words by spaces; CJK and Thai text is cut where it differs), move it back
 * to the start of that word; then, like TRL, move one space just before the cut into the
 * responses. So `"It is bright"` / `"It is blue"` gives `"It is"`, `" bright"`, `" blue"`, and
 * `"Answer: 4"` / `"Answer: 5"` gives `"Answer:"`, `" 4"`, `" 5"`.
 *
 * @example
 * ```ts
 * import { extractTextPrompt } from "./formats.ts";
 * console.log(extractTextPrompt("The sky is blue.", "The sky is bright green."));
 * // { prompt: "The sky is", chosen: " blue.", rejected: " bright green." }
 * ```
 */
export function extractTextPrompt(chosen: string, rejected: string): PromptSplit<string> {
  let k = commonPrefixLength(chosen, rejected);
  const splitsWord = (s: string) =>
    k > 0 && k < s.length && isWordChar(codePointBefore(s, k)) && isWordChar(s.codePointAt(k)!);
  if (splitsWord(chosen) || splitsWord(rejected)) {
    while (k > 0 && isWordChar(codePointBefore(chosen, k))) {
      k -= codePointBefore(chosen, k) > 0xffff ? 2 : 1;
    }
  }
  const hasResponse = k < chosen.length || k < rejected.length;
  if (hasResponse && k > 0 && chosen[k - 1] === " ") k--;
  return { prompt: chosen.slice(0, k), chosen: chosen.slice(k), rejected: rejected.slice(k) };
}

/**
 * Splits two conversations that repeat the prompt (TRL's implicit-prompt conversational format):
 * the prompt is their common leading messages (same role and content), the responses the rest.
 * TRL does the same, comparing whole message objects.
 *
 * @example
 * ```ts
 * import { extractMessagePrompt } from "./formats.ts";
 * const q = { role: "user", content: "2+2?" };
 * const split = extractMessagePrompt(
 *   [q, { role: "assistant", content: "4" }],
 *   [q, { role: "assistant", content: "5" }],
 * );
 * console.log(split.prompt); // [{ role: "user", content: "2+2?" }]
 * ```
 */
export function extractMessagePrompt(
  chosen: Message[],
  rejected: Message[],
): PromptSplit<Message[]> {
  let k = 0;
  while (
    k < chosen.length && k < rejected.length && chosen[k].role === rejected[k].role &&
    chosen[k].content === rejected[k].content
  ) k++;
  return { prompt: chosen.slice(0, k), chosen: chosen.slice(k), rejected: rejected.slice(k) };
}

const HH_ASSISTANT = "\n\nAssistant:";
const HH_TURN = /(?:^|\n\n)(Human|Assistant):/g;

/** Whether a string is an Anthropic HH transcript. */
function looksLikeHh(text: string): boolean {
  return text.includes(HH_ASSISTANT) && /(?:^|\n\n)Human:/.test(text);
}

/**
 * Parses an Anthropic HH transcript (`"\n\nHuman: …\n\nAssistant: …"`) into messages: `Human`
 * turns become `user`, `Assistant` turns `assistant`, each text trimmed. Text before the first
 * turn, when not blank, becomes a `system` message. A transcript may also start with `Human:`
 * without the blank line.
 *
 * @example
 * ```ts
 * import { parseHhTranscript } from "./formats.ts";
 * console.log(parseHhTranscript("\n\nHuman: Hi\n\nAssistant: Hello\n\nHuman: Bye"));
 * // [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }, { role: "user", content: "Bye" }]
 * ```
 */
export function parseHhTranscript(text: string): Message[] {
  const out: Message[] = [];
  const marks = [...text.matchAll(HH_TURN)];
  const preamble = (marks.length ? text.slice(0, marks[0].index) : text).trim();
  if (preamble) out.push({ role: "system", content: preamble });
  marks.forEach((m, i) => {
    const start = m.index! + m[0].length;
    const end = i + 1 < marks.length ? marks[i + 1].index! : text.length;
    out.push({
      role: m[1] === "Human" ? "user" : "assistant",
      content: text.slice(start, end).trim(),
    });
  });
  return out;
}

/**
 * Splits an Anthropic HH pair: the prompt is the text both transcripts share, up to the last
 * `"\n\nAssistant:"` inside it (parsed by {@linkcode parseHhTranscript}); each response is what
 * follows it in its transcript, trimmed (further turns included); `raw` keeps the untouched
 * texts, cut at the same place. `source` locates errors.
 *
 * @throws {DataError} when `chosen` has no `"\n\nAssistant:"` or the transcripts share none.
 *
 * @example
 * ```ts
 * import { splitHh } from "./formats.ts";
 * const p = "\n\nHuman: 2+2?\n\nAssistant:";
 * console.log(splitHh(p + " 4", p + " 5").chosen); // [{ role: "assistant", content: "4" }]
 * ```
 */
export function splitHh(
  chosen: string,
  rejected: string,
  source: Partial<RowSource> = {},
): PromptSplit<Message[]> & Pick<PreferencePair, "raw"> {
  return splitHhWith(chosen, rejected, (field, reason) => {
    throw new DataError({ file: source.file ?? "<hh>", row: source.row, field, reason });
  });
}

function splitHhWith(
  chosen: string,
  rejected: string,
  fail: (field: "chosen" | "rejected", reason: string) => never,
): PromptSplit<Message[]> & Pick<PreferencePair, "raw"> {
  if (chosen.lastIndexOf(HH_ASSISTANT) < 0) {
    fail("chosen", `expected an HH transcript with a "\\n\\nAssistant:" turn, got none`);
  }
  // The prompt is what both transcripts share, up to the last "\n\nAssistant:" inside it (as
  // TRL's HH script does): a response that goes on with more turns stays that response's.
  const shared = commonPrefixLength(chosen, rejected);
  const cut = shared < HH_ASSISTANT.length
    ? -1
    : chosen.lastIndexOf(HH_ASSISTANT, shared - HH_ASSISTANT.length);
  if (cut < 0) {
    fail(
      "rejected",
      `expected the same conversation as "chosen" up to an "\\n\\nAssistant:" turn, ` +
        `but they differ at character ${shared + 1}`,
    );
  }
  const promptText = chosen.slice(0, cut + HH_ASSISTANT.length);
  return {
    prompt: parseHhTranscript(chosen.slice(0, cut)),
    chosen: [{ role: "assistant", content: chosen.slice(promptText.length).trim() }],
    rejected: [{ role: "assistant", content: rejected.slice(promptText.length).trim() }],
    raw: {
      prompt: promptText,
      chosen: chosen.slice(promptText.length),
      rejected: rejected.slice(promptText.length),
    },
  };
}

/** A pair worth a second look: kept or dropped by the loader, but always reported. */
export interface PairIssue {
  /** `equal-responses`: chosen equals rejected; `empty-response`: one is empty or blank;
   * `empty-prompt`: the prompt is empty or blank. */
  kind: "equal-responses" | "empty-response" | "empty-prompt";
  /** The logical field: `prompt`, `chosen` or `rejected`. */
  field: "prompt" | "chosen" | "rejected";
  /** What is wrong, in words. */
  reason: string;
}

/**
 * Finds the degenerate parts of a pair: chosen equal to rejected (no preference signal: DPO's
 * gradient is zero), an empty or blank response, an empty or blank prompt. Token-id pairs compare
 * ids; an id list counts as empty only when it has no ids.
 *
 * @example
 * ```ts
 * import { pairIssues } from "./formats.ts";
 * const a = [{ role: "assistant", content: "same" }];
 * const pair = { prompt: [{ role: "user", content: "q" }], chosen: a, rejected: a, kind: "chat" as const,
 *   source: { file: "f", row: 1 } };
 * console.log(pairIssues(pair).map((i) => i.kind)); // ["equal-responses"]
 * ```
 */
export function pairIssues(pair: PreferencePair): PairIssue[] {
  const issues: PairIssue[] = [];
  const blank = (m: Message[]) => m.every((x) => x.content.trim() === "");
  const emptyPrompt = pair.ids ? pair.ids.prompt.length === 0 : blank(pair.prompt);
  const emptyChosen = pair.ids ? pair.ids.chosen.length === 0 : blank(pair.chosen);
  const emptyRejected = pair.ids ? pair.ids.rejected.length === 0 : blank(pair.rejected);
  // A KTO example (label set) has one response; `rejected` is its KL completion, filled later.
  const single = pair.label !== undefined;
  const equal = !single &&
    (pair.ids
      ? sameNumbers(pair.ids.chosen, pair.ids.rejected)
      : sameMessages(pair.chosen, pair.rejected));
  if (equal && !(emptyChosen && emptyRejected)) {
    issues.push({
      kind: "equal-responses",
      field: "rejected",
      reason: "chosen and rejected are identical, so the pair carries no preference",
    });
  }
  if (emptyChosen) {
    issues.push({
      kind: "empty-response",
      field: "chosen",
      reason: single ? "the completion is empty" : "the chosen response is empty",
    });
  }
  if (emptyRejected && !single) {
    issues.push({
      kind: "empty-response",
      field: "rejected",
      reason: "the rejected response is empty",
    });
  }
  if (emptyPrompt) {
    issues.push({ kind: "empty-prompt", field: "prompt", reason: "the prompt is empty" });
  }
  return issues;
}

/**
 * Fills in the default column names.
 *
 * @example
 * ```ts
 * import { resolveColumns } from "./formats.ts";
 * console.log(resolveColumns({ chosen: "good" }).chosen); // good
 * ```
 */
export function resolveColumns(columns: Columns = {}): ResolvedColumns {
  const out = { ...DEFAULT_COLUMNS };
  for (const [k, v] of Object.entries(columns)) {
    if (!(k in DEFAULT_COLUMNS)) {
      throw new RangeError(
        `Unknown column "${k}": expected one of ${Object.keys(DEFAULT_COLUMNS).join(", ")}`,
      );
    }
    if (v !== undefined) (out as Record<string, string | null>)[k] = v;
  }
  return out;
}

// ——— format-specific builders ———

function textPair(
  prompt: string,
  chosen: string,
  rejected: string,
  source: RowSource,
): PreferencePair {
  return {
    prompt: [{ role: "user", content: prompt }],
    chosen: [{ role: "assistant", content: chosen }],
    rejected: [{ role: "assistant", content: rejected }],
    kind: "text",
    source,
  };
}

function hhSplit(r: RowReader): PromptSplit<Message[]> & Pick<PreferencePair, "raw"> {
  const { cols } = r;
  return splitHhWith(
    r.string(cols.chosen),
    r.string(cols.rejected),
    (f, reason) => r.fail(cols[f], reason),
  );
}

function alpacaPair(r: RowReader): PreferencePair {
  const { cols } = r;
  const prompt: Message[] = [];
  const system = r.optionalString(cols.system);
  if (system) prompt.push({ role: "system", content: system });
  if (cols.history !== null) {
    const history = r.get(cols.history);
    if (history !== undefined && history !== null) {
      if (!Array.isArray(history)) {
        r.fail(
          cols.history,
          `expected a list of [user, assistant] pairs, got ${typeName(history)}`,
        );
      }
      history.forEach((turn, i) => {
        const field = `${cols.history}[${i}]`;
        if (
          !Array.isArray(turn) || turn.length !== 2 || typeof turn[0] !== "string" ||
          typeof turn[1] !== "string"
        ) {
          r.fail(field, `expected a [user, assistant] pair of strings, got ${describe(turn)}`);
        }
        prompt.push({ role: "user", content: turn[0] }, { role: "assistant", content: turn[1] });
      });
    }
  }
  const parts = [r.string(cols.instruction), r.optionalString(cols.input)].filter((s) => s);
  prompt.push({ role: "user", content: parts.join("\n") });
  if (cols.ktoTag !== null) {
    // LLaMA-Factory's KTO row: one response and its kto_tag.
    return {
      prompt,
      chosen: [{ role: "assistant", content: r.string(cols.chosen) }],
      rejected: [],
      kind: "chat",
      label: r.label(cols.ktoTag),
      source: r.source,
    };
  }
  return {
    prompt,
    chosen: [{ role: "assistant", content: r.string(cols.chosen) }],
    rejected: [{ role: "assistant", content: r.string(cols.rejected) }],
    kind: "chat", // an instruction is a conversation: LLaMA-Factory always templates it
    source: r.source,
  };
}

function shareGptPair(r: RowReader, given?: ShareGptTags): PreferencePair {
  const { cols } = r;
  const field = cols.conversations;
  const turns = r.get(field);
  if (!Array.isArray(turns)) {
    r.fail(field, `expected a list of turns, ${got(turns)}`);
  }
  const tags = pickTags(given, turns[0]);
  const turnAt = (value: unknown, path: string): { tag: string; content: string } => {
    if (!isRecord(value)) {
      r.fail(path, `expected a turn {${tags.roleTag}, ${tags.contentTag}}, got ${typeName(value)}`);
    }
    const tag = value[tags.roleTag];
    const content = value[tags.contentTag];
    if (typeof tag !== "string") {
      r.fail(`${path}.${tags.roleTag}`, `expected a string, ${got(tag)}`);
    }
    if (typeof content !== "string") {
      r.fail(`${path}.${tags.contentTag}`, `expected a string, ${got(content)}`);
    }
    return { tag, content };
  };
  const userSide = [tags.userTag, tags.observationTag];
  const assistantSide = [tags.assistantTag, tags.functionTag];
  const roleOf = (tag: string) =>
    tag === tags.userTag
      ? "user"
      : tag === tags.observationTag
      ? "tool"
      : tag === tags.systemTag
      ? "system"
      : "assistant";

  const prompt: Message[] = [];
  let start = 0;
  if (turns.length > 0 && turnAt(turns[0], `${field}[0]`).tag === tags.systemTag) {
    const { content } = turnAt(turns[0], `${field}[0]`);
    if (content) prompt.push({ role: "system", content });
    start = 1;
  } else {
    const system = r.optionalString(cols.system);
    if (system) prompt.push({ role: "system", content: system });
  }
  // LLaMA-Factory's KTO row: the conversation ends with its one response, the last turn.
  const kto = cols.ktoTag !== null;
  const end = kto ? turns.length - 1 : turns.length;
  for (let i = start; i < end; i++) {
    const path = `${field}[${i}]`;
    const { tag, content } = turnAt(turns[i], path);
    const userTurn = (i - start) % 2 === 0;
    const allowed = userTurn ? userSide : assistantSide;
    if (!allowed.includes(tag)) {
      r.fail(
        `${path}.${tags.roleTag}`,
        `expected ${
          quoteList(allowed)
        } (turns alternate ${tags.userTag} and ${tags.assistantTag}, ` +
          `starting with ${tags.userTag}), got "${tag}"`,
      );
    }
    prompt.push({ role: roleOf(tag), content });
  }
  if (kto) {
    const path = `${field}[${end}]`;
    if ((end - start) % 2 === 0 || end < start) {
      r.fail(
        field,
        `expected the turns to end on the response, a ${quoteList(assistantSide)} turn after ` +
          `a ${quoteList(userSide)} one (a kto_tag row), ` +
          (turns.length === start ? "got no turns" : `got ${turns.length - start} turns`),
      );
    }
    const { tag, content } = turnAt(turns[end], path);
    if (!assistantSide.includes(tag)) {
      r.fail(`${path}.${tags.roleTag}`, `expected ${quoteList(assistantSide)}, got "${tag}"`);
    }
    return {
      prompt,
      chosen: [{ role: roleOf(tag), content }],
      rejected: [],
      kind: "chat",
      label: r.label(cols.ktoTag!),
      source: r.source,
    };
  }
  if ((turns.length - start) % 2 === 0) {
    r.fail(
      field,
      `expected the turns to end on a ${quoteList(userSide)} turn before the responses, ` +
        (turns.length === start ? "got no turns" : `got ${turns.length - start} turns`),
    );
  }
  const response = (column: string): Message[] => {
    const value = r.get(column);
    if (typeof value === "string") return [{ role: "assistant", content: value }];
    if (!isRecord(value)) {
      r.fail(
        column,
        `expected a {${tags.roleTag}, ${tags.contentTag}} turn or a string, ${got(value)}`,
      );
    }
    const { tag, content } = turnAt(value, column);
    if (!assistantSide.includes(tag)) {
      r.fail(`${column}.${tags.roleTag}`, `expected ${quoteList(assistantSide)}, got "${tag}"`);
    }
    return [{ role: roleOf(tag), content }];
  };
  return {
    prompt,
    chosen: response(cols.chosen),
    rejected: response(cols.rejected),
    kind: "chat",
    source: r.source,
  };
}

function pickTags(given: ShareGptTags | undefined, firstTurn: unknown): Required<ShareGptTags> {
  if (given && Object.values(given).some((v) => v !== undefined)) {
    const out = { ...LLAMA_FACTORY_TAGS };
    for (const [k, v] of Object.entries(given)) {
      if (v !== undefined) (out as Record<string, string>)[k] = v;
    }
    return out;
  }
  if (isRecord(firstTurn) && !("from" in firstTurn) && "role" in firstTurn) return OPENAI_TAGS;
  return LLAMA_FACTORY_TAGS;
}

// ——— reading fields with located errors ———

/** Reads typed fields of one row; every failure is a located {@linkcode DataError}. */
class RowReader {
  constructor(
    readonly row: Record<string, unknown>,
    readonly source: RowSource,
    readonly cols: ResolvedColumns,
  ) {}

  get(column: string): unknown {
    return this.row[column];
  }

  fail(field: string, reason: string): never {
    throw new DataError({ ...this.source, field, reason });
  }

  /** A missing-field reason that lists the columns the row does have. */
  #missing(expected: string): string {
    return `expected ${expected}, but the row has no such field (it has ${
      listKeys(Object.keys(this.row))
    })`;
  }

  string(column: string): string {
    const v = this.row[column];
    if (typeof v === "string") return v;
    if (v === undefined) this.fail(column, this.#missing("a string"));
    return this.fail(column, `expected a string, got ${typeName(v)}`);
  }

  /** A KTO label: `true` (desirable) or `false`, as TRL's unpaired data holds it. */
  label(column: string): boolean {
    const v = this.row[column];
    if (typeof v === "boolean") return v;
    if (v === undefined) this.fail(column, this.#missing("true or false"));
    return this.fail(column, `expected true (desirable) or false (undesirable), ${got(v)}`);
  }

  /** A string, or `""` when the column is off, missing or null. */
  optionalString(column: string | null): string {
    if (column === null) return "";
    const v = this.row[column];
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") this.fail(column, `expected a string or null, got ${typeName(v)}`);
    return v;
  }

  messages(column: string): Message[] {
    const v = this.row[column];
    if (v === undefined) this.fail(column, this.#missing("a list of messages"));
    if (!Array.isArray(v)) {
      this.fail(column, `expected a list of {role, content} messages, got ${typeName(v)}`);
    }
    return v.map((m, i) => this.#message(m, `${column}[${i}]`));
  }

  #message(m: unknown, path: string): Message {
    if (!isRecord(m)) this.fail(path, `expected a {role, content} message, got ${typeName(m)}`);
    const { role, content } = m;
    if (typeof role !== "string") this.fail(`${path}.role`, `expected a string, ${got(role)}`);
    if (typeof content === "string") return { role, content };
    if (Array.isArray(content)) {
      const texts = content.map((part, j) => {
        if (isRecord(part) && part.type === "text" && typeof part.text === "string") {
          return part.text;
        }
        return this.fail(
          `${path}.content[${j}]`,
          `expected a {type: "text", text} part (only text is supported), got ${describe(part)}`,
        );
      });
      return { role, content: texts.join("") };
    }
    return this.fail(
      `${path}.content`,
      `expected a string or a list of text parts, ${got(content)}`,
    );
  }

  ids(column: string): number[] {
    const v = this.row[column];
    if (v === undefined) this.fail(column, this.#missing("a list of token ids"));
    if (!Array.isArray(v)) {
      this.fail(column, `expected a list of non-negative integer token ids, got ${typeName(v)}`);
    }
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) {
        this.fail(
          `${column}[${i}]`,
          `expected a non-negative integer token id, got ${describe(x)}`,
        );
      }
    }
    return v as number[];
  }
}

// ——— small helpers ———

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `number`, `string`, `null`, `array`, `object`, `boolean`. */
function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** `got number`, or `but the field is missing`. */
function got(v: unknown): string {
  return v === undefined ? "but the field is missing" : `got ${typeName(v)}`;
}

/** A short rendering of a value for messages. */
function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${typeName(v)} ${text.slice(0, 37)}…` : text;
}

function listKeys(keys: string[]): string {
  if (keys.length === 0) return "no fields";
  const shown = keys.slice(0, 12).map((k) => `"${k}"`).join(", ");
  return keys.length > 12 ? `${shown}, … (${keys.length} in all)` : shown;
}

function quoteList(items: string[]): string {
  return items.map((s) => `"${s}"`).join(" or ");
}

function codePointBefore(s: string, k: number): number {
  const low = s.charCodeAt(k - 1);
  if (low >= 0xdc00 && low <= 0xdfff && k >= 2 && isHighSurrogate(s, k - 2)) {
    return s.codePointAt(k - 2)!;
  }
  return low;
}

const WORD = /[\p{L}\p{N}\p{M}_]/u;
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}]/u;

/** A letter, digit, mark or `_` of a script that separates words with spaces. */
function isWordChar(codePoint: number): boolean {
  const c = String.fromCodePoint(codePoint);
  return WORD.test(c) && !UNSPACED.test(c);
}

function sameMessages(a: Message[], b: Message[]): boolean {
  return a.length === b.length &&
    a.every((m, i) => m.role === b[i].role && m.content === b[i].content);
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
