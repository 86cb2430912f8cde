/**
 * The built-in preference task, with a reward computable by code: the embedded default run's data
 * and the tests'.
 *
 * The task ("shout"): the user sends a lowercase word; a response that repeats it in capitals is
 * preferred over one that repeats it unchanged. The reference model is fine-tuned (SFT) on a
 * 50/50 mix of both kinds of answer, so it capitalises about half the time; DPO on pairs
 * (capitals ≻ lowercase) should make it capitalise nearly always. The reward of a generated
 * response is 1 when it is exactly the capitalised word, else 0, so the change is measured, not
 * asserted. Everything is generated from a seed; held-out words never appear in training.
 *
 * @module
 */
import type { PreferencePair } from "./types.ts";
import { Rng } from "../util/rng.ts";

/** Options of {@linkcode shoutTask}. */
export interface ShoutTaskOptions {
  /** Seed of the words and the splits. Default 1. */
  seed?: number;
  /** Training preference pairs. Default 2000. */
  trainPairs?: number;
  /** Held-out pairs (and prompts for generation). Default 200. */
  evalPairs?: number;
  /** SFT examples for making the reference model. Default 4000. */
  sftExamples?: number;
  /** Letters per word. Default 4. */
  wordLength?: number;
}

/** The generated task. */
export interface SyntheticTask {
  /** Short name. */
  name: string;
  /** One sentence for summaries. */
  description: string;
  /** Training pairs (chosen: capitals, rejected: unchanged). */
  train: PreferencePair[];
  /** Held-out pairs over words not in `train` or `sft`. */
  eval: PreferencePair[];
  /** SFT examples for the reference: the `chosen` message is capitals or unchanged, 50/50
   * (`rejected` repeats `chosen`; SFT reads only `chosen`). */
  sft: PreferencePair[];
  /** The task reward of a response to a prompt, in [0, 1]. */
  reward(prompt: string, response: string): number;
}

/**
 * The "shout" task: prefer the capitalised echo of a word.
 *
 * @example
 * ```ts
 * import { shoutTask } from "./synthetic.ts";
 * const task = shoutTask({ seed: 1, trainPairs: 10, evalPairs: 5, sftExamples: 10 });
 * console.log(task.train[0].chosen[0].content); // e.g. "QWER"
 * console.log(task.reward("qwer", "QWER"), task.reward("qwer", "qwer")); // 1 0
 * ```
 */
export function shoutTask(options: ShoutTaskOptions = {}): SyntheticTask {
  const { seed = 1, trainPairs = 2000, evalPairs = 200, sftExamples = 4000, wordLength = 4 } =
    options;
  const rng = new Rng(seed);
  const used = new Set<string>();
  const word = (): string => {
    for (;;) {
      let w = "";
      for (let i = 0; i < wordLength; i++) w += String.fromCharCode(97 + rng.int(26));
      if (!used.has(w)) {
        used.add(w);
        return w;
      }
    }
  };
  const file = "<built-in shout task>";
  let row = 0;
  const pair = (w: string, chosen: string, rejected: string): PreferencePair => ({
    prompt: [{ role: "user", content: w }],
    chosen: [{ role: "assistant", content: chosen }],
    rejected: [{ role: "assistant", content: rejected }],
    kind: "chat",
    source: { file, row: ++row },
  });
  const evalSet = Array.from({ length: evalPairs }, () => {
    const w = word();
    return pair(w, w.toUpperCase(), w);
  });
  const train = Array.from({ length: trainPairs }, () => {
    const w = word();
    return pair(w, w.toUpperCase(), w);
  });
  const sft = Array.from({ length: sftExamples }, () => {
    const w = word();
    const answer = rng.uniform() < 0.5 ? w.toUpperCase() : w;
    return pair(w, answer, answer);
  });
  return {
    name: "shout",
    description: "echo a lowercase word; capitals are preferred over an unchanged echo",
    train,
    eval: evalSet,
    sft,
    reward: (prompt, response) => response.trim() === prompt.trim().toUpperCase() ? 1 : 0,
  };
}
