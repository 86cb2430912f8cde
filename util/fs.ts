/**
 * Small file-system helpers shared by the pipeline and the model folder code.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

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

/**
 * A path with symbolic links resolved as far as it exists: the real path of its deepest existing
 * folder, then the rest as written.
 *
 * @example
 * ```ts
 * import { realish } from "./fs.ts";
 * console.log(realish("not/made/yet")); // the current folder's real path + "/not/made/yet"
 * ```
 */
export function realish(path: string): string {
  // From the path as written: the system follows a link before a "..", so no text normalising.
  let head = path, rest = "";
  for (;;) {
    try {
      return join(Deno.realPathSync(head), rest);
    } catch {
      const parent = dirname(head);
      if (parent === head) return resolve(path);
      rest = join(basename(head), rest);
      head = parent;
    }
  }
}

/**
 * Whether `path` is `dir` or lies inside it (symbolic links resolved where they exist).
 *
 * @example
 * ```ts
 * import { within } from "./fs.ts";
 * console.log(within("runs/a/model", "runs"), within("runs/../x", "runs")); // true false
 * ```
 */
export function within(path: string, dir: string): boolean {
  const r = relative(realish(dir), realish(path));
  return r === "" || (r !== ".." && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/**
 * Whether two paths name the same place (symbolic links resolved where they exist).
 *
 * @example
 * ```ts
 * import { samePlace } from "./fs.ts";
 * console.log(samePlace("runs/./a", "runs/a")); // true
 * ```
 */
export function samePlace(a: string, b: string): boolean {
  return realish(a) === realish(b);
}
