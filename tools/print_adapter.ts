/**
 * Prints the WebGPU adapter Deno sees and its key limits; exits 1 when there is none.
 *
 * Usage: `deno run tools/print_adapter.ts`
 *
 * @module
 */
import { Gpu } from "../kernels/gpu.ts";

try {
  const gpu = await Gpu.create();
  const l = gpu.limits;
  console.log(`WebGPU adapter: ${gpu.describe()}`);
  console.log(
    `  maxBufferSize ${l.maxBufferSize}, maxStorageBufferBindingSize ` +
      `${l.maxStorageBufferBindingSize}, maxComputeWorkgroupStorageSize ` +
      `${l.maxComputeWorkgroupStorageSize}, maxComputeInvocationsPerWorkgroup ` +
      `${l.maxComputeInvocationsPerWorkgroup}`,
  );
  gpu.destroy();
} catch (e) {
  console.error((e as Error).message);
  Deno.exit(1);
}
