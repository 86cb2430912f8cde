/**
 * What the launcher sweeps (`matmul_waves.ts`, `matmul_grid.ts`) share: their flags, shapes and
 * the timing of one launch setting.
 *
 * @module
 */
import { Gpu } from "../kernels/gpu.ts";
import { benchPlan } from "./bench.ts";
import {
  GPT2_SMALL,
  type MatmulShape,
  stepMatmulShapes,
  TINY,
  torchGemmShapes,
} from "./configs.ts";
import { benchMatmul, type MatmulLaunch } from "./kernels.ts";

/** What a launcher sweep (`matmul_waves.ts`, `matmul_grid.ts`) reads from its command line. */
export interface LauncherSweep {
  gpu: Gpu;
  /** gpt2-small's step products and the PyTorch peer's GEMMs, or with `--tiny` the tiny step's. */
  shapes: MatmulShape[];
  /** Times one launch setting of a shape: GPU (else wall) median ms, NaN when refused. */
  ms: (
    shape: MatmulShape,
    launch: MatmulLaunch,
  ) => Promise<number>;
}

/**
 * Opens the adapter and reads a launcher sweep's flags: `--quick` (fewer samples), `--tiled` (the
 * GPU kernel on any adapter), `--tiny` (the tiny config's step shapes, a smoke run).
 *
 * @example
 * ```ts ignore
 * import { launcherSweep } from "./sweep.ts";
 * const { gpu, shapes, ms } = await launcherSweep(["--tiny"]);
 * console.log(await ms(shapes[0], { splitK: 2 }));
 * gpu.destroy();
 * ```
 */
export async function launcherSweep(args: readonly string[]): Promise<LauncherSweep> {
  const plan = benchPlan(args.includes("--quick"));
  const kernel = args.includes("--tiled") ? "tiled" as const : undefined;
  const gpu = await Gpu.create();
  const binding = gpu.limits.maxStorageBufferBindingSize;
  const shapes = args.includes("--tiny")
    ? stepMatmulShapes(TINY, binding)
    : [...stepMatmulShapes(GPT2_SMALL, binding), ...torchGemmShapes()];
  const ms = async (
    shape: MatmulShape,
    launch: MatmulLaunch,
  ) => {
    try {
      const r = await benchMatmul(gpu, shape, plan, { kernel, ...launch });
      return r.timing.gpu?.median ?? r.timing.wall.median;
    } catch {
      return NaN;
    }
  };
  return { gpu, shapes, ms };
}

/** A sweep table's cell: ms to 3 decimals, "–" for NaN. */
export function msCell(t: number): string {
  return Number.isNaN(t) ? "–" : t.toFixed(3);
}
