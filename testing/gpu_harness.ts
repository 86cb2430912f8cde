/**
 * The GPU side of the test harness: one shared device for every test file, `gpuTest` that skips
 * (with a printed reason) where no adapter exists, except under `CI`, where that is a failure.
 *
 * With `TEST_AS_GPU=1` a CPU adapter (lavapipe) reports itself as a hardware GPU
 * ({@linkcode Gpu.isCpu} false), so the launchers choose what they would on one (128 × 128 tiled
 * matmuls, 64-column blocks, the split and tail rules, the products attention design) and the
 * suite checks those choices without a GPU. The prototype's getter is replaced, so a test that
 * overrides `isCpu` on the device and deletes its override afterwards falls back to this one.
 *
 * @module
 */
import { Gpu, type HostArray, type Tensor } from "../kernels/gpu.ts";

/** Whether `TEST_AS_GPU=1` makes the adapter report itself as a hardware GPU. */
export const testAsGpu: boolean = Deno.env.get("TEST_AS_GPU") === "1";
if (testAsGpu) {
  Object.defineProperty(Gpu.prototype, "isCpu", { get: () => false, configurable: true });
}

async function open(): Promise<{ gpu: Gpu | null; reason: string }> {
  try {
    const gpu = await Gpu.create();
    return { gpu, reason: "" };
  } catch (e) {
    return { gpu: null, reason: (e as Error).message };
  }
}

const opened = await open();

if (!opened.gpu) {
  if (Deno.env.get("CI")) {
    throw new Error(`CI is set but no WebGPU adapter is available: ${opened.reason}`);
  }
  console.warn(`GPU tests skipped: ${opened.reason}`);
}

/** The shared test device, or null where there is none. */
export const testGpu: Gpu | null = opened.gpu;

/** Options of {@linkcode gpuTest}. */
export interface GpuTestOptions {
  /**
   * The test needs the launchers' real choices for this adapter (a CPU adapter's workaround for
   * its own limits, say): ignored under `TEST_AS_GPU=1`, where a CPU adapter would run GPU
   * choices it cannot.
   */
  realChoices?: boolean;
}

/**
 * Registers a test that needs the GPU; it is ignored (reported as such) without an adapter.
 *
 * @example
 * ```ts
 * import { gpuTest } from "./gpu_harness.ts";
 * gpuTest("my kernel", async (gpu) => {
 *   await gpu.sync();
 * });
 * ```
 */
export function gpuTest(
  name: string,
  fn: (gpu: Gpu) => Promise<void> | void,
  options: GpuTestOptions = {},
): void {
  Deno.test({
    name,
    ignore: testGpu === null || (testAsGpu && options.realChoices === true),
    // WebGPU keeps device-level resources alive across tests by design.
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => fn(testGpu!),
  });
}

/**
 * A tensor filled with NaN, so a kernel that skips an element is caught.
 *
 * @example
 * ```ts
 * import { gpuTest, poisoned } from "./gpu_harness.ts";
 * gpuTest("poison", (gpu) => {
 *   const out = poisoned(gpu, [3, 5], "out");
 * });
 * ```
 */
export function poisoned(gpu: Gpu, shape: readonly number[], label = "out"): Tensor {
  const t = gpu.tensor(shape, { label });
  gpu.write(t, new Float32Array(t.size).fill(NaN));
  return t;
}

/**
 * Whether two readbacks are bit-identical.
 *
 * @example
 * ```ts
 * import { bitEqual } from "./gpu_harness.ts";
 * bitEqual(new Float32Array([1]), new Float32Array([1])); // true
 * ```
 */
export function bitEqual(a: HostArray, b: HostArray): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}
