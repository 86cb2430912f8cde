/**
 * Wave quantization on a GPU: gpt2-small's DPO-step products (`stepMatmulShapes`) and the PyTorch
 * peer's GEMMs below 4096² (`torchGemmShapes`) timed with the
 * launcher's default and with K cut into 1, 2, 3, 4, 6, 8 and 12 slices (`splitK`; slices of at least
 * 128), by GPU timestamps (medians, `measure.ts`). With 128 × 128 tiles a product has
 * ⌈M/128⌉·⌈N/128⌉ workgroups; an H200 runs 264 at once (two per SM), so 144 or 192 of them leave
 * 45 or 27 % of a wave idle, and slicing K fills it at the cost of a reduction pass. The table
 * says, per shape, which slicing was fastest: the data for a wave-aware split rule. Where the
 * tail split applies (`gpuTailSplit`: a last wave at most a third full), the default is also timed
 * without it ("no tail"); and every shape with blocks of 64 × 128 (`blockRows: 64`, "64 rows";
 * without the tail split, so the two compare where both apply), which doubles the workgroups at
 * the same K split. Then attention's batched products with N = head size, in 64-column blocks (the
 * GPU default for N ≤ 64) and in 128-column ones.
 *
 * ```sh
 * deno run -A bench/matmul_waves.ts [--quick] [--tiled] [--tiny]
 * # --tiled: the GPU kernel on any adapter; --tiny: the tiny config's shapes (a smoke run)
 * ```
 *
 * @module
 */
import { gpuTailSplit } from "../kernels/matmul.ts";
import { launcherSweep, msCell } from "./sweep.ts";

if (import.meta.main) {
  const sweep = await launcherSweep(Deno.args);
  const { gpu, ms } = sweep;
  // The step's products, then the PyTorch peer's GEMMs (the NVIDIA target's shapes) but the
  // 411 MB one, which no slicing helps (600+ workgroups).
  const shapes = sweep.shapes.filter((s) =>
    s.role !== "torch GEMM" || (s.n !== 50257 && s.m * s.n < 2 ** 24)
  );
  const slices = [1, 2, 3, 4, 6, 8, 12];
  console.log(`adapter: ${gpu.describe()}`);
  console.log(
    `| op | M×K×N | role | workgroups | default ms | no tail | 64 rows | ${
      slices.map((s) => `K/${s}`).join(" | ")
    } | best |`,
  );
  console.log(
    `| --- | --- | --- | --- | --- | --- | --- | ${slices.map(() => "---").join(" | ")} | --- |`,
  );
  for (const shape of shapes) {
    const rowBlocks = Math.ceil(shape.m / 128), colBlocks = Math.ceil(shape.n / 128);
    const groups = rowBlocks * colBlocks;
    const base = await ms(shape, {});
    const tail = gpuTailSplit(rowBlocks, colBlocks, shape.k);
    const noTail = tail ? await ms(shape, { tailSplit: false }) : NaN;
    const half = await ms(shape, { blockRows: 64, tailSplit: false });
    const times: number[] = [];
    for (const s of slices) times.push(shape.k / s >= 128 ? await ms(shape, { splitK: s }) : NaN);
    let best = "default", bestMs = base;
    if (noTail < bestMs) [best, bestMs] = ["no tail", noTail];
    if (half < bestMs) [best, bestMs] = ["64 rows", half];
    times.forEach((t, i) => {
      if (t < bestMs) [best, bestMs] = [`K/${slices[i]}`, t];
    });
    const plan = tail ? ` (tail: ${tail.keep} ${tail.along} kept, ${tail.slices} slices)` : "";
    console.log(
      `| ${shape.variant} | ${shape.m}×${shape.k}×${shape.n} | ${shape.role} | ${groups}${plan} | ` +
        `${msCell(base)} | ${msCell(noTail)} | ${msCell(half)} | ${
          times.map(msCell).join(" | ")
        } | ${best} (${(base / bestMs).toFixed(2)}×) |`,
    );
  }
  // Attention's products with N = head size (64 at gpt2-small: P·V, dS·K, Pᵀ·dO, dSᵀ·Q; batched
  // over 8 rows × 12 heads, T 512, every block computed): 64-column blocks, the GPU default for
  // N ≤ 64, against 128-column ones. `--tiny`: 4 rows × 4 heads, T 64, head size 32.
  const [B, T, HS] = Deno.args.includes("--tiny") ? [16, 64, 32] : [96, 512, 64];
  console.log(`\nattention's N = ${HS} products, ${B} heads × rows batched:\n`);
  console.log("| op | M×K×N | role | 64 columns ms | 128 columns ms | 128 ÷ 64 |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (
    const [variant, role] of [["NN", "P·V, dS·K"], ["TN", "Pᵀ·dO, dSᵀ·Q"]] as const
  ) {
    const shape = { variant, m: T, k: T, n: HS, role, batch: B };
    const base = await ms(shape, { blockCols: 64 }), wide = await ms(shape, { blockCols: 128 });
    console.log(
      `| ${variant} | ${T}×${T}×${HS} | ${role} | ${msCell(base)} | ${msCell(wide)} | ${
        (wide / base).toFixed(2)
      } |`,
    );
  }
  gpu.destroy();
}
