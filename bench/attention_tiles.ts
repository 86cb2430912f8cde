/**
 * Attention forward and backward at one shape for every tile the device fits (4 … 64 rows per
 * staged tile, invocations per workgroup), 1 or 2 rows per invocation, and dK/dV in one pass or
 * two, then with the products design (matmuls over materialized scores), to pick a GPU's defaults: wall and GPU-timestamp ms and GFLOP/s, medians over samples (`measure.ts`). Default
 * shape: gpt2-small's (B 8, T 512, 12 heads of 64).
 *
 * ```sh
 * deno run -A bench/attention_tiles.ts [--quick] [B T NH HS]
 * ```
 *
 * @module
 */
import { Gpu } from "../kernels/gpu.ts";
import { benchPlan } from "./bench.ts";
import { benchAttention } from "./kernels.ts";
import type { AttentionOptions } from "../model/transformer.ts";

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const dims = Deno.args.filter((a) => !a.startsWith("--")).map(Number);
  const [batch, seqLen, heads, headSize] = dims.length === 4 ? dims : [8, 512, 12, 64];
  const gpu = await Gpu.create();
  const plan = benchPlan(quick);
  console.log(`adapter: ${gpu.describe()}; B ${batch} T ${seqLen} NH ${heads} HS ${headSize}`);
  console.log("| tile | rows/lane | dK/dV | pass | wall ms | GPU ms | GFLOP/s (GPU) |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  const shape = { batch, seqLen, heads, kvHeads: heads, headSize };
  // The flash design at every tile, rows per invocation and dK/dV passes; then the products
  // design (the matmul kernels over materialized scores), in the table's last rows.
  const runs: { at: string; options: AttentionOptions; split?: boolean }[] = [];
  for (const tile of [4, 8, 16, 32, 64]) {
    for (const rowsPerLane of [2, 1] as const) {
      for (const splitDkv of [false, true]) {
        const at = `| ${tile} | ${rowsPerLane} | ${splitDkv ? "2 passes" : "1 pass"} |`;
        runs.push({ at, options: { tile, rowsPerLane, splitDkv }, split: splitDkv });
      }
    }
  }
  runs.push({ at: "| products | - | - |", options: { design: "products" } });
  for (const { at, options, split: splitDkv } of runs) {
    try {
      const r = await benchAttention(gpu, shape, plan, options);
      // The forward does not depend on splitDkv: printed once per tile and rows.
      const passes = splitDkv ? [["bwd", r.backward]] as const : [
        ["fwd", r.forward],
        ["bwd", r.backward],
      ] as const;
      for (const [pass, k] of passes) {
        const ms = k.timing.gpu?.median ?? k.timing.wall.median;
        console.log(
          `${at} ${pass} | ${k.timing.wall.median.toFixed(3)} | ${
            k.timing.gpu?.median.toFixed(3) ?? "-"
          } | ${(k.flops / ms / 1e6).toFixed(0)} |`,
        );
      }
    } catch (e) {
      console.log(`${at} - | ${(e as Error).message.slice(0, 80)} | | |`);
    }
  }
  gpu.destroy();
}
