/**
 * Waiting for several promises when they share resources: every one settles before an error is
 * thrown, so nothing is still running (or holding a buffer) when the caller cleans up.
 *
 * @module
 */

/**
 * Waits for every promise to settle, then returns their values in order, or throws the first
 * rejection (in the promises' order). Unlike `Promise.all`, which rejects at the first failure
 * while the others keep running.
 *
 * @example
 * ```ts
 * import { settleAll } from "./settle.ts";
 * console.log(await settleAll([Promise.resolve(1), Promise.resolve(2)])); // [1, 2]
 * ```
 */
export async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
