/**
 * Looks at a preference dataset before training on it: what format was detected, how many rows
 * loaded and which did not (with reasons), how long prompts and responses are in tokens, what the
 * length limits would truncate or drop, and one pair exactly as the model will see it.
 *
 * {@linkcode inspect} gathers an {@linkcode InspectReport}; {@linkcode formatInspectReport} writes it
 * as text (what `deno task inspect` prints). Rows are loaded with `onInvalid: "skip"` so that every
 * invalid row is listed instead of stopping at the first, and tokenized with the same functions as
 * the tokenize stage ({@linkcode encodePair}, {@linkcode truncatePair}).
 *
 * @example
 * ```ts ignore
 * import { formatInspectReport, inspect } from "./inspect.ts";
 * const report = await inspect({
 *   data: "../shared/data/llamafactory/dpo_en_demo.json",
 *   tokenizer: "../shared/data/gpt2",
 *   maxLength: 512,
 * });
 * console.log(formatInspectReport(report));
 * ```
 *
 * @module
 */
import type { Format } from "../datasets/formats.ts";
import type { PreferencePair, RowSource } from "../datasets/types.ts";
import { ByteTokenizer, loadTokenizer, type TextTokenizer } from "../model/tokenizer.ts";
import { type InvalidRow, load, type ReasonCount } from "./load.ts";
import {
  encodePair,
  type PairIds,
  type RenderOptions,
  truncatePair,
  type TruncationOptions,
} from "./tokenize.ts";

/**
 * Options of {@linkcode inspect}.
 *
 * @example
 * ```ts
 * import type { InspectOptions } from "./inspect.ts";
 * const opts: InspectOptions = { data: "pairs.jsonl", tokenizer: "models/gpt2", maxLength: 1024 };
 * ```
 */
export interface InspectOptions extends RenderOptions, TruncationOptions {
  /** A data file, several, or a LLaMA-Factory folder. */
  data: string | string[];
  /** The `dataset_info.json` entry, for LLaMA-Factory folders. */
  dataset?: string;
  /** The row format; detected when omitted. */
  format?: Format;
  /** A tokenizer, or a model folder to read one from. Default: the byte tokenizer. */
  tokenizer?: TextTokenizer | string;
  /** Which pair to show (0-based, among the loaded pairs). Default `0`. */
  example?: number;
  /** Lengths checked when no `maxLength` is given. Default 256, 512, 1024, 2048, 4096. */
  thresholds?: number[];
}

/**
 * Token-length percentiles (nearest rank) of one part of the pairs.
 *
 * @example
 * ```ts
 * import type { LengthStats } from "./inspect.ts";
 * const s: LengthStats = { count: 3, mean: 2, p50: 2, p90: 3, p99: 3, max: 3 };
 * ```
 */
export interface LengthStats {
  /** How many values. */
  count: number;
  /** Their mean. */
  mean: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** Largest. */
  max: number;
}

/**
 * One part of the shown example.
 *
 * @example
 * ```ts
 * import type { ExamplePart } from "./inspect.ts";
 * const part: ExamplePart = { text: "Hello<|eos|>", tokens: 6 };
 * ```
 */
export interface ExamplePart {
  /** The decoded ids, special tokens included (or the ids, when they cannot be decoded). */
  text: string;
  /** Token count, before truncation. */
  tokens: number;
}

/**
 * What {@linkcode inspect} found.
 *
 * @example
 * ```ts
 * import type { InspectReport } from "./inspect.ts";
 * const ok = (r: InspectReport) => r.invalid.length === 0 && r.limits.dropped === 0;
 * ```
 */
export interface InspectReport {
  /** The files read, with their format and counts. */
  files: { file: string; format: Format | null; rows: number; pairs: number }[];
  /** The format of the first file. */
  format: Format;
  /** Rows read. */
  rows: number;
  /** Pairs loaded. */
  pairs: number;
  /** Invalid rows, each with its message. */
  invalid: InvalidRow[];
  /** Invalid rows grouped by reason. */
  reasons: ReasonCount[];
  /** Kept rows worth a look (equal or empty responses, ignored columns), counted by kind. */
  warnings: { kind: string; count: number; examples: string[] }[];
  /** The tokenizer's source (`"byte"` or a folder). */
  tokenizer: string;
  /** How pairs were rendered. */
  rendered: { template: number; plain: number; ids: number };
  /** Pairs the tokenizer could not handle, with reasons. */
  untokenizable: { source: RowSource; reason: string }[];
  /** Untruncated token lengths. `sequence` is prompt + the longer response. */
  lengths: {
    prompt: LengthStats;
    chosen: LengthStats;
    rejected: LengthStats;
    sequence: LengthStats;
  };
  /** What the limits would do. */
  limits: {
    maxLength: number | null;
    maxPromptLength: number | null;
    maxCompletionLength: number | null;
    /** Pairs that would be shortened. */
    truncated: number;
    /** Prompts that would lose their start. */
    truncatedPrompts: number;
    /** Responses that would lose their end. */
    truncatedResponses: number;
    /** Pairs that would be dropped. */
    dropped: number;
    /** Pairs longer than each threshold (when no `maxLength` is given). */
    longerThan: { length: number; pairs: number }[];
  };
  /**
   * Unpaired KTO rows (`trl-unpaired`, `kto_tag`): how many are desirable and undesirable; their
   * completions are the `chosen` lengths, and `rejected` counts the pairs among them only.
   */
  labels?: { desirable: number; undesirable: number };
  /** One pair as the model sees it, or `null` when none could be tokenized. */
  example: {
    source: RowSource;
    mode: PairIds["mode"];
    prompt: ExamplePart;
    chosen: ExamplePart;
    rejected: ExamplePart;
    /** An unpaired KTO row's label (`chosen` is then its completion). */
    label?: boolean;
  } | null;
}

/**
 * Loads, tokenizes and measures a dataset.
 *
 * @param options The data, the tokenizer, the limits.
 * @returns The report.
 * @throws {DataError} when the files cannot be read or hold no usable pair;
 * {@linkcode TokenizerError} when the tokenizer folder is unusable.
 *
 * @example
 * ```ts
 * import { inspect } from "./inspect.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, JSON.stringify({ prompt: "2+2=", chosen: "4", rejected: "5" }));
 * const report = await inspect({ data: file });
 * console.log(report.format, report.lengths.prompt.max); // trl-standard 4 (the 4 bytes of "2+2=": standard rows as given)
 * ```
 */
export async function inspect(options: InspectOptions): Promise<InspectReport> {
  const tokenizer = typeof options.tokenizer === "string"
    ? await loadTokenizer(options.tokenizer)
    : options.tokenizer ?? new ByteTokenizer();
  const paths = typeof options.data === "string" ? [options.data] : options.data;
  const loaded = await load({ paths, dataset: options.dataset }, {
    format: options.format,
    onInvalid: "skip",
  });

  const rendered = { template: 0, plain: 0, ids: 0 };
  const untokenizable: InspectReport["untokenizable"] = [];
  const lens = { prompt: [] as number[], chosen: [] as number[], rejected: [] as number[] };
  const sequence: number[] = [];
  const limits: InspectReport["limits"] = {
    maxLength: options.maxLength ?? null,
    maxPromptLength: options.maxPromptLength ?? null,
    maxCompletionLength: options.maxCompletionLength ?? null,
    truncated: 0,
    truncatedPrompts: 0,
    truncatedResponses: 0,
    dropped: 0,
    longerThan: [],
  };
  const encoded: (PairIds | null)[] = [];
  const labelled = loaded.pairs.filter((p) => p.label !== undefined);
  for (const pair of loaded.pairs) {
    let ids: PairIds;
    try {
      ids = encodePair(pair, tokenizer, options);
    } catch (e) {
      if (!(e instanceof Error) || e instanceof RangeError) throw e;
      untokenizable.push({ source: pair.source, reason: e.message });
      encoded.push(null);
      continue;
    }
    encoded.push(ids);
    rendered[ids.mode]++;
    lens.prompt.push(ids.prompt.length);
    lens.chosen.push(ids.chosen.length);
    // (An unpaired row's rejected slot is empty until training gives it a KL completion.)
    if (pair.label === undefined) lens.rejected.push(ids.rejected.length);
    sequence.push(ids.prompt.length + Math.max(ids.chosen.length, ids.rejected.length));
    const t = truncatePair(ids, options);
    if (t.dropped !== undefined) {
      limits.dropped++;
      continue;
    }
    const { prompt, chosen, rejected } = t.truncated;
    if (prompt || chosen || rejected) limits.truncated++;
    if (prompt) limits.truncatedPrompts++;
    limits.truncatedResponses += Number(chosen) + Number(rejected);
  }
  if (options.maxLength === undefined) {
    for (const length of options.thresholds ?? [256, 512, 1024, 2048, 4096]) {
      limits.longerThan.push({ length, pairs: sequence.filter((n) => n > length).length });
    }
  }

  return {
    files: loaded.report.files,
    format: loaded.format,
    rows: loaded.report.rows,
    pairs: loaded.report.pairs,
    invalid: loaded.report.invalid,
    reasons: loaded.report.reasons,
    warnings: groupWarnings(loaded.report.warnings),
    tokenizer: tokenizer.source,
    rendered,
    untokenizable,
    lengths: {
      prompt: lengthStats(lens.prompt),
      chosen: lengthStats(lens.chosen),
      rejected: lengthStats(lens.rejected),
      sequence: lengthStats(sequence),
    },
    limits,
    ...(labelled.length > 0
      ? {
        labels: {
          desirable: labelled.filter((p) => p.label).length,
          undesirable: labelled.filter((p) => !p.label).length,
        },
      }
      : {}),
    example: pickExample(loaded.pairs, encoded, tokenizer, options.example ?? 0),
  };
}

function groupWarnings(
  warnings: { kind: string; message: string }[],
): InspectReport["warnings"] {
  const byKind = new Map<string, { kind: string; count: number; examples: string[] }>();
  for (const w of warnings) {
    let entry = byKind.get(w.kind);
    if (entry === undefined) byKind.set(w.kind, entry = { kind: w.kind, count: 0, examples: [] });
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(w.message);
  }
  return [...byKind.values()].sort((a, b) => b.count - a.count);
}

function pickExample(
  pairs: PreferencePair[],
  encoded: (PairIds | null)[],
  tokenizer: TextTokenizer,
  index: number,
): InspectReport["example"] {
  if (!Number.isInteger(index) || index < 0) {
    throw new RangeError(`example must be an integer ≥ 0, got ${index}`);
  }
  if (index >= pairs.length) {
    throw new RangeError(`example ${index} is past the last pair (${pairs.length} loaded)`);
  }
  // The asked pair, or the first one after it that could be tokenized.
  let i = index;
  while (i < pairs.length && encoded[i] === null) i++;
  const ids = encoded[i];
  if (ids === undefined || ids === null) return null;
  const part = (list: number[]): ExamplePart => {
    let text: string;
    try {
      text = tokenizer.decode(list);
    } catch {
      text = `ids ${JSON.stringify(list)}`;
    }
    return { text, tokens: list.length };
  };
  return {
    source: pairs[i].source,
    mode: ids.mode,
    prompt: part(ids.prompt),
    chosen: part(ids.chosen),
    rejected: part(ids.rejected),
    ...(pairs[i].label === undefined ? {} : { label: pairs[i].label }),
  };
}

/**
 * Nearest-rank percentiles, mean and maximum of a list of lengths (zeros for an empty list).
 *
 * @param values The lengths.
 * @returns The statistics.
 *
 * @example
 * ```ts
 * import { lengthStats } from "./inspect.ts";
 * lengthStats([1, 2, 3, 4, 100]); // { count: 5, mean: 22, p50: 3, p90: 100, p99: 100, max: 100 }
 * ```
 */
export function lengthStats(values: readonly number[]): LengthStats {
  const n = values.length;
  if (n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * n) - 1)];
  return {
    count: n,
    mean: sorted.reduce((s, v) => s + v, 0) / n,
    p50: rank(0.5),
    p90: rank(0.9),
    p99: rank(0.99),
    max: sorted[n - 1],
  };
}

/**
 * Options of {@linkcode formatInspectReport}.
 *
 * @example
 * ```ts
 * import type { FormatInspectOptions } from "./inspect.ts";
 * const opts: FormatInspectOptions = { maxInvalid: 20, exampleChars: 4000 };
 * ```
 */
export interface FormatInspectOptions {
  /** Invalid rows listed one by one (the rest are only counted). Default `10`. */
  maxInvalid?: number;
  /** Characters shown of each example part before it is cut. Default `1500`. */
  exampleChars?: number;
}

/**
 * Writes an {@linkcode InspectReport} as plain text.
 *
 * @param report The report.
 * @param options How much to show.
 * @returns Lines of text, ending with a newline.
 *
 * @example
 * ```ts
 * import { formatInspectReport, inspect } from "./inspect.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, JSON.stringify({ prompt: "Hi", chosen: "Hello", rejected: "Bye" }));
 * console.log(formatInspectReport(await inspect({ data: file })));
 * ```
 */
export function formatInspectReport(
  report: InspectReport,
  options: FormatInspectOptions = {},
): string {
  const maxInvalid = options.maxInvalid ?? 10;
  const exampleChars = options.exampleChars ?? 1500;
  const out: string[] = [];
  const line = (s = "") => out.push(s);

  line("Data");
  for (const f of report.files) {
    line(`  ${f.file}: ${f.format ?? "no readable rows"}, ${f.rows} rows, ${f.pairs} pairs`);
  }
  line(`  format: ${report.format}`);
  line(
    `  rows: ${report.rows} read, ${report.pairs} pairs loaded, ${report.invalid.length} invalid`,
  );
  if (report.labels) {
    line(
      `  unpaired KTO examples: ${report.labels.desirable} desirable, ` +
        `${report.labels.undesirable} undesirable (train with --loss.variant kto)`,
    );
  }

  if (report.invalid.length > 0) {
    line();
    line(`Invalid rows (${report.invalid.length})`);
    for (const r of report.reasons) line(`  ${r.count}× ${r.reason}`);
    for (const r of report.invalid.slice(0, maxInvalid)) line(`  - ${r.message}`);
    if (report.invalid.length > maxInvalid) {
      line(`  … and ${report.invalid.length - maxInvalid} more`);
    }
  }
  if (report.warnings.length > 0) {
    line();
    line("Warnings (rows kept)");
    for (const w of report.warnings) {
      line(`  ${w.count}× ${w.kind}`);
      for (const m of w.examples) line(`    - ${m}`);
    }
  }

  line();
  line(`Tokenizer: ${report.tokenizer}`);
  const { template, plain, ids } = report.rendered;
  const how = [
    template ? `${template} through the chat template` : "",
    plain ? `${plain} by plain concatenation` : "",
    ids ? `${ids} pre-tokenized` : "",
  ].filter((s) => s);
  line(`  rendered: ${how.join(", ") || "none"}`);
  if (report.untokenizable.length > 0) {
    line(`  ${report.untokenizable.length} pairs cannot be tokenized:`);
    for (const u of report.untokenizable.slice(0, maxInvalid)) {
      line(`  - ${u.source.file} row ${u.source.row}: ${u.reason}`);
    }
  }

  line();
  line("Token lengths (before truncation)");
  // All unpaired: one response per row, the completion.
  const unpaired = report.labels !== undefined && report.lengths.rejected.count === 0;
  const rows: [string, LengthStats][] = [
    ["prompt", report.lengths.prompt],
    [unpaired ? "completion" : "chosen", report.lengths.chosen],
    ...(unpaired ? [] : [["rejected", report.lengths.rejected] as [string, LengthStats]]),
    [unpaired ? "prompt + completion" : "prompt + longer response", report.lengths.sequence],
  ];
  const head = ["", "mean", "p50", "p90", "p99", "max"];
  const table = [
    head,
    ...rows.map(([name, s]) => [
      name,
      s.mean.toFixed(1),
      String(s.p50),
      String(s.p90),
      String(s.p99),
      String(s.max),
    ]),
  ];
  const widths = head.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  for (const r of table) {
    line(
      "  " + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join("  "),
    );
  }

  line();
  const lim = report.limits;
  if (lim.maxLength === null && lim.maxPromptLength === null && lim.maxCompletionLength === null) {
    line("Limits: none given (--max-length, --max-prompt-length, --max-completion-length)");
  } else {
    const given = [
      lim.maxLength !== null ? `max length ${lim.maxLength}` : "",
      lim.maxPromptLength !== null ? `max prompt length ${lim.maxPromptLength}` : "",
      lim.maxCompletionLength !== null ? `max completion length ${lim.maxCompletionLength}` : "",
    ].filter((s) => s).join(", ");
    line(`Limits: ${given}`);
    line(
      `  would truncate ${lim.truncated} pairs (${lim.truncatedPrompts} prompts, ` +
        `${lim.truncatedResponses} responses) and drop ${lim.dropped}`,
    );
  }
  for (const t of lim.longerThan) line(`  pairs longer than ${t.length} tokens: ${t.pairs}`);

  line();
  const ex = report.example;
  if (ex === null) {
    line("Example: none (no pair could be tokenized)");
  } else {
    line(`Example: ${ex.source.file} row ${ex.source.row} (${ex.mode})`);
    const label = ex.label === undefined ? undefined : ex.label ? "desirable" : "undesirable";
    for (const name of ["prompt", "chosen", "rejected"] as const) {
      if (label && name === "rejected") continue;
      const part = ex[name];
      const title = label && name === "chosen" ? `completion, ${label}` : name;
      line(`--- ${title} (${part.tokens} tokens) ---`);
      line(cut(part.text, exampleChars));
    }
    line("---");
  }
  return out.join("\n") + "\n";
}

function cut(text: string, chars: number): string {
  if (text.length <= chars) return text;
  return `${text.slice(0, chars)}… (${text.length - chars} more characters)`;
}
