/**
 * Where a training step's GPU time goes: one step of a config, every dispatch timed by GPU
 * timestamps in its own compute pass, summed per kernel entry point (largest first), beside the
 * step's wall time. The separate passes add a little time of their own; the shares are what
 * matters.
 *
 * ```sh
 * deno run -A bench/profile_step.ts [tiny|gpt2-small] [sft|dpo]   # default: tiny dpo
 * ```
 *
 * @module
 */
import { CONFIGS } from "./configs.ts";
import { benchTrainStep } from "./train_step.ts";

if (import.meta.main) {
  const [name = "tiny", objective = "dpo"] = Deno.args;
  const config = CONFIGS.find((c) => c.name === name);
  if (!config || (objective !== "sft" && objective !== "dpo")) {
    console.error("usage: deno run -A bench/profile_step.ts [tiny|gpt2-small] [sft|dpo]");
    Deno.exit(2);
  }
  const r = await benchTrainStep(config, objective, { steps: 2, profile: true });
  const lines = r.profile ?? [];
  const total = lines.reduce((s, l) => s + l.ms, 0);
  console.log(
    `${name} ${objective}: ${r.rows}×${config.seqLen} tokens, wall ${r.ms.median.toFixed(1)} ms ` +
      `per step, ${r.dispatchesPerStep} dispatches; GPU time of the profiled step ${
        total.toFixed(1)
      } ms`,
  );
  if (!lines.length) console.log("(no timestamps: this device lacks timestamp-query)");
  console.log("| kernel | dispatches | GPU ms | share |");
  console.log("| --- | --- | --- | --- |");
  for (const l of lines) {
    console.log(
      `| ${l.kernel} | ${l.count} | ${l.ms.toFixed(3)} | ${(100 * l.ms / total).toFixed(1)} % |`,
    );
  }
}
