/**
 * Running the command line inside a test: quietly, and on a fresh tiny model and data folder.
 *
 * @module
 */
import { main } from "../main.ts";
import { testGpu } from "./gpu_harness.ts";
import { type TinyRun, writeTinyRun } from "./tiny_run.ts";

/**
 * Runs a command of `main.ts` quietly; returns its exit code and what it wrote to stderr.
 *
 * @example
 * ```ts ignore
 * import { runQuietly } from "./commands.ts";
 * const { code, err } = await runQuietly(["memory", "--model", "models/qwen"]);
 * ```
 */
export async function runQuietly(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(args, { out: () => {}, err: (s: string) => err.push(s) });
  return { code, err: err.join("") };
}

/**
 * Registers a GPU test on a tiny model and `options.pairs` pairs (default 12;
 * {@linkcode writeTinyRun}) in a fresh folder, removed after; ignored without a GPU adapter.
 *
 * @example
 * ```ts ignore
 * import { tinyTest } from "./commands.ts";
 * tinyTest("a run", async (dir, { model, data }) => {});
 * ```
 */
export function tinyTest(
  name: string,
  fn: (dir: string, run: TinyRun) => Promise<void>,
  options: { pairs?: number } = {},
): void {
  Deno.test({
    name,
    ignore: testGpu === null,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        await fn(dir, await writeTinyRun(dir, options.pairs ?? 12));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
