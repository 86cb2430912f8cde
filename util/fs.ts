/**
 * Small file-system helpers shared by the pipeline and the model folder code.
 *
 * @module
 */

/**
 * Whether a path exists (a file or a folder); other errors than "not found" are thrown.
 *
 * @example
 * ```ts
 * import { exists } from "./fs.ts";
 * console.log(await exists("deno.json")); // true in the project's folder
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
