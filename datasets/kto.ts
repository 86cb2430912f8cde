/**
 * KTO's training examples (TRL's KTOTrainer, on unpaired data): each is a prompt, one response
 * and a label (desirable or not), held in a {@linkcode PreferencePair} whose `chosen` is the
 * response and whose `rejected` is the example's **KL completion**: another example's response
 * to this prompt, whose log-ratio estimates the KL term z0 of KTO's loss.
 *
 * @module
 */
import { DataError } from "./formats.ts";
import type { PreferencePair } from "./types.ts";

/** Options of {@linkcode ktoExamples}. */
export interface KtoExampleOptions {
  /**
   * Give each example a KL completion (default true). False for a loss without KL term (TRL's
   * `apo_zero_unpaired`): the KL slots stay empty.
   */
  kl?: boolean;
}

/**
 * KTO examples from loaded rows, as TRL prepares them:
 *
 * 1. **Unpairing** (TRL's `maybe_unpair_preference_dataset`): a preference pair becomes two
 *    examples, its chosen response labelled desirable and its rejected one undesirable. As in
 *    TRL's unpairing, all chosen examples come first, then all rejected ones, so that the KL
 *    completions below pair responses with other prompts. Rows that are already examples
 *    (`label` set) are kept as they are, after the pairs' examples.
 * 2. **KL completions** (TRL's `_get_kl_dataset`, mapped over batches of the per-device batch
 *    size): in consecutive groups of `groupSize` examples, each example's KL completion is the
 *    response of the one before it in its group, the first taking the last's (a group of one
 *    takes its own response).
 *
 * The batches then shuffle these examples; each keeps its KL completion.
 *
 * @throws {DataError} when a group mixes pre-tokenized rows and text, naming the row.
 *
 * @example
 * ```ts
 * import { ktoExamples } from "./kto.ts";
 * const msg = (content: string) => [{ role: "assistant", content }];
 * const pair = {
 *   prompt: [{ role: "user", content: "Hi" }], chosen: msg("Hello!"), rejected: msg("Go away."),
 *   kind: "chat" as const, source: { file: "d.jsonl", row: 1 },
 * };
 * const examples = ktoExamples([pair], 8);
 * console.log(examples.map((e) => [e.label, e.chosen[0].content, e.rejected[0].content]));
 * // [[true, "Hello!", "Go away."], [false, "Go away.", "Hello!"]]
 * ```
 */
export function ktoExamples(
  rows: readonly PreferencePair[],
  groupSize: number,
  options: KtoExampleOptions = {},
): PreferencePair[] {
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    throw new RangeError(`ktoExamples: groupSize must be a positive integer, got ${groupSize}`);
  }
  const paired = rows.filter((r) => r.label === undefined);
  const single = rows.filter((r) => r.label !== undefined);
  const examples: PreferencePair[] = [
    ...paired.map((p) => response(p, "chosen", true)),
    ...paired.map((p) => response(p, "rejected", false)),
    ...single,
  ];
  if (options.kl === false) return examples;
  const out: PreferencePair[] = [];
  for (let g = 0; g < examples.length; g += groupSize) {
    const group = examples.slice(g, g + groupSize);
    group.forEach((e, i) => out.push(withKl(e, group[(i + group.length - 1) % group.length])));
  }
  return out;
}

/** One response of a pair as a labelled example (its `rejected` empty until the KL step). */
function response(p: PreferencePair, side: "chosen" | "rejected", label: boolean): PreferencePair {
  const e: PreferencePair = { ...p, chosen: p[side], rejected: [], label };
  if (p.ids) e.ids = { prompt: p.ids.prompt, chosen: p.ids[side], rejected: [] };
  if (p.raw) e.raw = { prompt: p.raw.prompt, chosen: p.raw[side], rejected: "" };
  return e;
}

/** `e` with `other`'s response as its KL completion. */
function withKl(e: PreferencePair, other: PreferencePair): PreferencePair {
  if ((e.kind === "ids") !== (other.kind === "ids")) {
    throw new DataError({
      ...e.source,
      reason: `its KL completion would come from ${other.source.file} row ${other.source.row}, ` +
        "but one of the two rows is pre-tokenized and the other text: KTO's KL completions " +
        "need every row in one form",
    });
  }
  const out: PreferencePair = { ...e, rejected: other.chosen };
  if (e.ids) out.ids = { ...e.ids, rejected: other.ids!.chosen };
  if (e.raw && other.raw) out.raw = { ...e.raw, rejected: other.raw.chosen };
  else delete out.raw;
  return out;
}
