/**
 * The data types shared by the data stages and the tokenizer.
 *
 * @module
 */

/** One chat turn. `role` is usually `system`, `user` or `assistant`. */
export interface Message {
  /** Who speaks. */
  role: string;
  /** What they say. */
  content: string;
}

/** Where a row came from, for error messages and reports. */
export interface RowSource {
  /** The file it was read from. */
  file: string;
  /** Its 1-based row (JSON array element or JSONL line). */
  row: number;
}

/**
 * One preference pair, normalised from any supported format.
 *
 * - `kind: "chat"`: a conversation (TRL conversational, ShareGPT, HH, and Alpaca's instruction,
 *   input and history); tokenized with the chat template when the tokenizer has one.
 * - `kind: "text"`: TRL's standard format, plain strings; `prompt` holds one user message and each
 *   response one assistant message; tokenized as given (plain concatenation, as TRL does), or
 *   by the chat template only when `tokenize.template` is `template`.
 * - `kind: "ids"`: pre-tokenized rows; `ids` is used exactly as given (no BOS/EOS added) and the
 *   message lists are empty.
 */
export interface PreferencePair {
  /** The conversation before the responses (system turns included), oldest first. */
  prompt: Message[];
  /** The preferred continuation (usually one assistant message). */
  chosen: Message[];
  /** The dispreferred continuation. */
  rejected: Message[];
  /** How the source expressed the pair. */
  kind: "chat" | "text" | "ids";
  /** Token ids of pre-tokenized rows. */
  ids?: { prompt: number[]; chosen: number[]; rejected: number[] };
  /**
   * The row's own text where its format has one (an Anthropic HH transcript, cut after the
   * prompt's last `"\n\nAssistant:"`): tokenized as it is when no chat template applies, so
   * `"\n\nHuman: …\n\nAssistant:"` stays what the model sees, as TRL reads such rows.
   */
  raw?: { prompt: string; chosen: string; rejected: string };
  /**
   * A KTO example's label (TRL's unpaired `label`): `true` desirable, `false` undesirable. Set,
   * the row is one labelled response (`chosen`), not a pair; `rejected` is empty until
   * {@linkcode ktoExamples} gives it the example's KL completion.
   */
  label?: boolean;
  /** Where the row came from. */
  source: RowSource;
}
