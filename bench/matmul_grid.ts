/**
 * Grid order on a GPU: gpt2-small's DPO-step products (`stepMatmulShapes`) and the PyTorch peer's
 * GEMMs (`torchGemmShapes`) timed with the launcher's default order, with C's row blocks on the
 * fastest grid axis (`gridOrder: "rows"`) and with column blocks there (`"columns"`), by GPU
 * timestamps (medians, `measure.ts`). The default (rows once K ≥ 512) was tuned on lavapipe, where
 * a B panel outgrowing a core's L2 decides it; on an H200 the launcher ran 4096³ 20 % behind a
 * variant that always walks column blocks (bench/RESULTS.md, session 5). The table says which
 * order each shape wants: the data for a GPU rule.
 *
 * ```sh
 * deno run -A bench/matmul_grid.ts [--quick] [--tiled] [--tiny]
 * # --tiled: the GPU kernel on any adapter; --tiny: the tiny config's shapes (a smoke run)
 * ```
 *
 * @module
 */
import { launcherSweep, msCell } from "./sweep.ts";

if (import.meta.main) {
  const { gpu, shapes, ms } = await launcherSweep(Deno.args);
  const orders = [undefined, "rows", "columns"] as const;
  console.log(`adapter: ${gpu.describe()}`);
  console.log("| op | M×K×N | role | default ms | rows ms | columns ms | columns ÷ rows |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const shape of shapes) {
    const times: number[] = [];
    for (const gridOrder of orders) times.push(await ms(shape, { gridOrder }));
    console.log(
      `| ${shape.variant} | ${shape.m}×${shape.k}×${shape.n} | ${shape.role} | ` +
        `${times.map(msCell).join(" | ")} | ${(times[2] / times[1]).toFixed(2)} |`,
    );
  }
  gpu.destroy();
}
