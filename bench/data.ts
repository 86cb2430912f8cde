/**
 * Load and tokenize throughput: a synthetic JSON-lines file of TRL-style preference rows, read by
 * the load stage and tokenized by the tokenize stage (byte tokenizer, and GPT-2's BPE when its
 * files are at hand), timed apart and together, in pairs per second.
 *
 * @module
 */
import { ByteTokenizer, loadTokenizer, type TextTokenizer } from "../model/tokenizer.ts";
import { load } from "../pipeline/load.ts";
import { tokenize } from "../pipeline/tokenize.ts";
import { Rng } from "../util/rng.ts";
import { summarize, type Summary } from "./measure.ts";

const WORDS = (
  "the a model answer question data train step reward policy reference token sequence prompt " +
  "chosen rejected loss gradient layer attention head value key query softmax batch length " +
  "careful quick brown fox jumps over lazy dog because therefore however also which when where " +
  "explain describe compare list write summarize translate improve correct simple clear short"
).split(" ");

/**
 * Writes `rows` TRL "standard" preference rows (`{"prompt", "chosen", "rejected"}` strings) as
 * JSON lines: prompts of 20–60 words, responses of 10–80, all seeded.
 *
 * @example
 * ```ts
 * import { writeSyntheticTrl } from "./data.ts";
 * const path = `${await Deno.makeTempDir()}/pairs.jsonl`;
 * const bytes = await writeSyntheticTrl(path, 10, 1);
 * console.log(bytes > 0); // true
 * ```
 */
export async function writeSyntheticTrl(path: string, rows: number, seed: number): Promise<number> {
  const rng = new Rng(seed);
  const text = (lo: number, hi: number) => {
    const n = lo + rng.int(hi - lo + 1);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(WORDS[rng.int(WORDS.length)]);
    return words.join(" ") + ".";
  };
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const prompt = `Question ${i + 1}: ${text(20, 60)}`;
    lines.push(
      JSON.stringify({ prompt, chosen: " " + text(10, 80), rejected: " " + text(10, 80) }),
    );
  }
  const body = new TextEncoder().encode(lines.join("\n") + "\n");
  await Deno.writeFile(path, body);
  return body.length;
}

/** Throughput of one tokenizer. */
export interface TokenizeThroughput {
  /** `"byte"` or the tokenizer's folder. */
  tokenizer: string;
  /** Milliseconds to tokenize all pairs (samples). */
  ms: Summary;
  /** Tokens in the tokenized pairs (prompt + chosen + rejected). */
  tokens: number;
}

/** What {@linkcode benchLoadTokenize} measures. */
export interface DataResult {
  /** Rows in the file. */
  rows: number;
  /** Bytes of the file. */
  bytes: number;
  /** Milliseconds to load it (samples). */
  loadMs: Summary;
  /** Per tokenizer. */
  tokenize: TokenizeThroughput[];
  /** Tokenizers that could not be loaded, with why. */
  skipped: { tokenizer: string; reason: string }[];
}

/**
 * Generates `rows` pairs in a temporary folder and times load and tokenize (`reps` each; at most
 * 512 tokens per pair, as a typical run truncates). GPT-2's tokenizer is read from `gpt2Dir` when
 * that folder exists.
 *
 * @example
 * ```ts ignore
 * import { benchLoadTokenize } from "./data.ts";
 * const r = await benchLoadTokenize({ rows: 100, reps: 1 });
 * console.log(r.rows / r.loadMs.median * 1000, "pairs/s");
 * ```
 */
export async function benchLoadTokenize(
  options: { rows: number; reps: number; gpt2Dir?: string | null },
): Promise<DataResult> {
  const dir = await Deno.makeTempDir({ prefix: "dpo-bench-" });
  try {
    const path = `${dir}/pairs.jsonl`;
    const bytes = await writeSyntheticTrl(path, options.rows, 42);
    const loadSamples: number[] = [];
    let pairs: Awaited<ReturnType<typeof load>>["pairs"] = [];
    for (let r = 0; r < options.reps; r++) {
      const t0 = performance.now();
      pairs = (await load({ path })).pairs;
      loadSamples.push(performance.now() - t0);
    }
    if (pairs.length !== options.rows) {
      throw new RangeError(`load returned ${pairs.length} pairs of ${options.rows}`);
    }
    const tokenizers: { name: string; make: () => Promise<TextTokenizer> }[] = [
      { name: "byte", make: () => Promise.resolve(new ByteTokenizer()) },
    ];
    const skipped: DataResult["skipped"] = [];
    if (options.gpt2Dir) {
      const gpt2Dir = options.gpt2Dir;
      if (await exists(`${gpt2Dir}/tokenizer.json`)) {
        tokenizers.push({ name: "gpt2", make: () => loadTokenizer(gpt2Dir) });
      } else skipped.push({ tokenizer: "gpt2", reason: `no ${gpt2Dir}/tokenizer.json` });
    }
    const results: TokenizeThroughput[] = [];
    for (const { name, make } of tokenizers) {
      const tokenizer = await make();
      const samples: number[] = [];
      let tokens = 0;
      for (let r = 0; r < options.reps; r++) {
        const t0 = performance.now();
        const data = await tokenize(pairs, { tokenizer, maxLength: 512 });
        samples.push(performance.now() - t0);
        tokens = data.pairs.reduce(
          (s, p) => s + p.prompt.length + p.chosen.length + p.rejected.length,
          0,
        );
      }
      results.push({ tokenizer: name, ms: summarize(samples), tokens });
    }
    return {
      rows: options.rows,
      bytes,
      loadMs: summarize(loadSamples),
      tokenize: results,
      skipped,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
