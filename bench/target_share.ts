/**
 * How much of a real preference batch the layers and the classifier run on: the share of valid
 * (unpadded) tokens, and of tokens that have a target (the response tokens; prompts and padding
 * have none), in the batches the tokenize stage
 * makes from LLaMA-Factory's `dpo_en_demo` (300 pairs) with GPT-2's tokenizer, at two length
 * limits and batch sizes. Needs `../shared/data` (says so and exits when it is absent).
 *
 * ```sh
 * deno run -A bench/target_share.ts
 * ```
 *
 * @module
 */
import { load } from "../pipeline/load.ts";
import { makeBatch, tokenize } from "../pipeline/tokenize.ts";
import { loadTokenizer } from "../model/tokenizer.ts";

if (import.meta.main) {
  const data = new URL("../../shared/data/", import.meta.url).pathname;
  try {
    await Deno.stat(`${data}llamafactory/dpo_en_demo.json`);
  } catch {
    console.log(`no ${data}llamafactory/dpo_en_demo.json here: nothing to measure`);
    Deno.exit(0);
  }
  const { pairs } = await load({ path: `${data}llamafactory`, dataset: "dpo_en_demo" });
  const tokenizer = await loadTokenizer(`${data}gpt2`);
  console.log("| max_length | pairs per batch | tokens | valid | with a target | share |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const maxLength of [512, 1024]) {
    const set = await tokenize(pairs, { tokenizer, maxLength, template: "plain" });
    for (const P of [1, 4]) {
      let tokens = 0, picked = 0, valid = 0;
      for (let i = 0; i + P <= set.pairs.length; i += P) {
        const indices = Array.from({ length: P }, (_, j) => i + j);
        const b = makeBatch(set.pairs, indices, { padTokenId: 0, padToMultiple: 8 });
        tokens += b.targets.length;
        valid += b.lengths.reduce((a, x) => a + x, 0);
        for (const t of b.targets) if (t >= 0) picked++;
      }
      const pct = (x: number) => `${(100 * x / tokens).toFixed(1)} %`;
      console.log(
        `| ${maxLength} | ${P} | ${tokens} | ${pct(valid)} | ${picked} | ${pct(picked)} |`,
      );
    }
  }
}
