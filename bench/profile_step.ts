/**
 * Where a training step's GPU time goes: one step of a config, every dispatch timed by GPU
 * timestamps in its own compute pass, summed per kernel entry point (largest first), beside the
 * step's wall time; then the matmul kernels' time per launch grid (the 20 largest), which tells
 * the products apart. The separate passes add a little time of their own; the shares are what
 * matters.
 *
 * ```sh
 * deno run -A bench/profile_step.ts [tiny|gpt2-small] [sft|dpo] [--attention=flash|products]
 *   [--rows-per-lane=1|2] [--split-dkv]   # default: tiny dpo, the model's default attention
 *   [--lora=8] [--quantize=nf4] [--checkpointed]   # LoRA r 8 on every linear layer (alpha 2r),
 *                                                  # its frozen weights packed; checkpointed layers
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { CONFIGS } from "./configs.ts";
import { benchTrainStep, type ProfileLine } from "./train_step.ts";
import type { AttentionOptions } from "../model/transformer.ts";
import type { LoraSpec } from "../model/lora.ts";
import { QUANT_KINDS, type QuantKind } from "../kernels/quantize.ts";

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      attention: { type: "string" },
      "rows-per-lane": { type: "string" },
      "split-dkv": { type: "boolean" },
      lora: { type: "string" },
      quantize: { type: "string" },
      checkpointed: { type: "boolean" },
    },
  });
  const [name = "tiny", objective = "dpo"] = positionals;
  const config = CONFIGS.find((c) => c.name === name);
  const design = values.attention;
  const rows = values["rows-per-lane"] === undefined ? undefined : Number(values["rows-per-lane"]);
  const rank = values.lora === undefined ? undefined : Number(values.lora);
  const quantize = values.quantize as QuantKind | undefined;
  if (
    !config || (objective !== "sft" && objective !== "dpo") ||
    (design !== undefined && design !== "flash" && design !== "products") ||
    (rows !== undefined && rows !== 1 && rows !== 2) ||
    (rank !== undefined && !(Number.isInteger(rank) && rank > 0)) ||
    (quantize !== undefined && (rank === undefined || !QUANT_KINDS.includes(quantize)))
  ) {
    console.error(
      "usage: deno run -A bench/profile_step.ts [tiny|gpt2-small] [sft|dpo] " +
        "[--attention=flash|products] [--rows-per-lane=1|2] [--split-dkv] [--lora=R " +
        `[--quantize=${QUANT_KINDS.join("|")}]] [--checkpointed]`,
    );
    Deno.exit(2);
  }
  const lora: LoraSpec | undefined = rank === undefined
    ? undefined
    : { rank, alpha: 2 * rank, targetModules: "all-linear" };
  const attention: AttentionOptions = {
    design,
    rowsPerLane: rows as 1 | 2 | undefined,
    splitDkv: values["split-dkv"],
  };
  const r = await benchTrainStep(config, objective, {
    steps: 2,
    profile: true,
    attention,
    lora,
    quantize,
    checkpointLayers: values.checkpointed,
  });
  console.log(`attention: ${r.attentionDesign} ${JSON.stringify(attention)}`);
  if (lora || values.checkpointed) {
    console.log(JSON.stringify({ lora, quantize, checkpointed: values.checkpointed ?? false }));
  }
  const lines = r.profile ?? [];
  const total = lines.reduce((s, l) => s + l.ms, 0);
  console.log(
    `${name} ${objective}: ${r.rows}×${config.seqLen} tokens, wall ${r.ms.median.toFixed(1)} ms ` +
      `per step, ${r.dispatchesPerStep} dispatches; GPU time of the profiled step ${
        total.toFixed(1)
      } ms; as the trainer runs (${r.syncEvery} steps per readback) ${
        r.loopMs.median.toFixed(1)
      } ms per step`,
  );
  if (!lines.length) console.log("(no timestamps: this device lacks timestamp-query)");
  console.log("| kernel | dispatches | GPU ms | share |");
  console.log("| --- | --- | --- | --- |");
  const row = (l: ProfileLine) =>
    `| ${l.kernel} | ${l.count} | ${l.ms.toFixed(3)} | ${(100 * l.ms / total).toFixed(1)} % |`;
  for (const l of lines) console.log(row(l));
  const launches = r.profileLaunches ?? [];
  if (launches.length) {
    console.log("\nmatmul launches by grid (x×y×z workgroups; the 20 largest):\n");
    console.log("| kernel and grid | dispatches | GPU ms | share |");
    console.log("| --- | --- | --- | --- |");
    for (const l of launches.slice(0, 20)) console.log(row(l));
  }
}
