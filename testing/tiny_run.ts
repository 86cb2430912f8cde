/**
 * A tiny model folder and a pre-tokenized preference file, for end-to-end tests of the command
 * line (training, resume, scoring) that must run in seconds on a software adapter.
 *
 * @module
 */
import { type ModelFamily, tinyConfig } from "../model/config.ts";
import { saveModel } from "../model/io.ts";
import { initParams } from "../model/params.ts";
import { Rng } from "../util/rng.ts";

/** Paths of a tiny run's inputs. */
export interface TinyRun {
  /** A model folder without a tokenizer (vocab 97, 2 layers; Llama by default). */
  model: string;
  /** `prompt_ids` / `chosen_ids` / `rejected_ids` JSONL rows: chosen ids are even, rejected odd. */
  data: string;
}

/**
 * Writes a tiny model (of `family`, default llama, as {@linkcode tinyConfig} makes it) and `pairs`
 * pre-tokenized pairs into `dir`.
 *
 * @example
 * ```ts
 * import { writeTinyRun } from "./tiny_run.ts";
 * const { model, data } = await writeTinyRun(await Deno.makeTempDir(), 24);
 * ```
 */
export async function writeTinyRun(
  dir: string,
  pairs = 24,
  seed = 1,
  family: ModelFamily = "llama",
): Promise<TinyRun> {
  const config = tinyConfig(family, {
    vocabSize: 97,
    maxPositions: 32,
    eosTokenIds: [2],
    padTokenId: 0,
  });
  const model = `${dir}/model`;
  await saveModel(model, { config, params: initParams(config, { seed }), tokenizer: null });
  const rng = new Rng(seed + 1);
  const ids = (n: number, parity: number) =>
    Array.from({ length: n }, () => 4 + 2 * rng.int(46) + parity);
  const rows = Array.from({ length: pairs }, () =>
    JSON.stringify({
      prompt_ids: Array.from({ length: 3 + rng.int(5) }, () => 3 + rng.int(94)),
      chosen_ids: [...ids(2 + rng.int(4), 0), 2],
      rejected_ids: [...ids(2 + rng.int(4), 1), 2],
    }));
  const data = `${dir}/pairs.jsonl`;
  await Deno.writeTextFile(data, rows.join("\n") + "\n");
  return { model, data };
}

/**
 * Command-line flags of a short DPO run on a {@linkcode TinyRun} writing under `dir` (runs in
 * `dir/runs/<name>`, caches in `dir/cache`; 2 pairs per batch, 4 held-out pairs, no generation).
 *
 * @example
 * ```ts
 * import { tinyRunFlags } from "./tiny_run.ts";
 * const args = ["train", ...tinyRunFlags("/tmp/x", { model: "m", data: "d.jsonl" }, "a", 2)];
 * ```
 */
export function tinyRunFlags(dir: string, run: TinyRun, name: string, steps: number): string[] {
  return [
    "--model",
    run.model,
    "--data",
    run.data,
    "--run.out_dir",
    `${dir}/runs`,
    "--run.name",
    name,
    "--run.cache_dir",
    `${dir}/cache`,
    "--train.max_steps",
    String(steps),
    "--train.pairs_per_batch",
    "2",
    "--eval.generate",
    "false",
    "--data.eval_size",
    "4",
  ];
}
