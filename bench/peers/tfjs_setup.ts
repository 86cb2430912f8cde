/**
 * Loads TensorFlow.js 4.22 with the backend a peer script asks for.
 *
 * The union package `@tensorflow/tfjs` is used rather than `tfjs-core`: only it registers the
 * gradients that `optimizer.minimize` needs. The wasm backend ships its `.wasm` binaries inside the
 * npm package, so no network is needed once the package is cached.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";

/** The backends the peers run on. */
export const PEER_BACKENDS = ["webgpu", "wasm", "cpu"] as const;

/** One of {@linkcode PEER_BACKENDS}. */
export type PeerBackend = typeof PEER_BACKENDS[number];

/**
 * Selects a backend and waits for it, or throws saying which backend failed.
 *
 * @example
 * ```ts ignore
 * import { setupTfjs } from "./tfjs_setup.ts";
 * const tf = await setupTfjs("wasm");
 * console.log(tf.getBackend()); // "wasm"
 * ```
 */
export async function setupTfjs(backend: PeerBackend): Promise<typeof tf> {
  let ok = false;
  try {
    ok = await tf.setBackend(backend);
    await tf.ready();
  } catch (e) {
    throw new Error(
      `TensorFlow.js could not start its ${backend} backend: ${(e as Error).message}`,
    );
  }
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`TensorFlow.js could not start its ${backend} backend`);
  }
  return tf;
}
