/**
 * Peer: TensorFlow.js 4.22 matrix multiply, timed the way `bench/bench.ts` times ours.
 *
 * Run as a subprocess (its WebGPU device is its own):
 *
 * ```sh
 * deno run -A bench/peers/tfjs_matmul.ts webgpu '[{"variant":"NT","m":256,"k":128,"n":256}]' 5 50
 * ```
 *
 * Arguments: backend (`webgpu` or `wasm`), a JSON list of shapes (`variant` NN/NT/TN/TT and
 * M, K, N of `C = op(A)·op(B)`), samples per shape, and the milliseconds one sample aims at.
 * Each sample encodes `batch` products back to back and then awaits the last one's `data()` (the
 * readback is what makes TensorFlow.js finish its queue); the time per product is the sample ÷
 * `batch`. `batch` is fixed per shape from a warm-up by the same rule as ours (`batchFor` in
 * `bench/measure.ts`). One element of C is checked against a float64
 * dot product of the inputs, so a wrong transpose cannot pass as fast.
 *
 * Prints one JSON object per line: `{"kind":"info",…}` first, then `{"kind":"matmul",…}` per shape.
 *
 * @module
 */
import { PEER_BACKENDS, type PeerBackend, setupTfjs } from "./tfjs_setup.ts";

/** One shape a peer is asked to time. */
export interface PeerMatmulShape {
  /** Transposes: the first letter for A, the second for B (N: as stored, T: transposed). */
  variant: "NN" | "NT" | "TN" | "TT";
  /** Rows of C. */
  m: number;
  /** The summed dimension. */
  k: number;
  /** Columns of C. */
  n: number;
}

/** What the peer prints per shape. */
export interface PeerMatmulLine extends PeerMatmulShape {
  kind: "matmul";
  /** Which TensorFlow.js backend. */
  backend: string;
  /** Products per timed sample. */
  batch: number;
  /** Samples timed. */
  samples: number[];
  /** Whether the spot check passed. */
  checked: boolean;
}

/** What the peer prints for a shape it could not run. */
export interface PeerMatmulError extends PeerMatmulShape {
  kind: "matmul_error";
  /** Which TensorFlow.js backend. */
  backend: string;
  /** The first line of the error. */
  error: string;
}

async function main(): Promise<void> {
  const backend = (Deno.args[0] ?? "webgpu") as PeerBackend;
  if (!PEER_BACKENDS.includes(backend)) throw new TypeError(`Unknown backend "${backend}"`);
  const shapes = JSON.parse(Deno.args[1] ?? "[]") as PeerMatmulShape[];
  const reps = Number(Deno.args[2] ?? 5);
  const targetMs = Number(Deno.args[3] ?? 50);
  const tf = await setupTfjs(backend);
  console.log(JSON.stringify({ kind: "info", backend: tf.getBackend(), tfjs: tf.version_core }));

  for (const s of shapes) {
    // A shape the backend cannot run (too big a binding, say) is reported; the rest go on.
    try {
      console.log(JSON.stringify(await timeShape(tf, backend, s, reps, targetMs)));
    } catch (e) {
      const error = (e as Error).message.split("\n")[0].slice(0, 200);
      const line: PeerMatmulError = { kind: "matmul_error", backend, ...s, error };
      console.log(JSON.stringify(line));
    }
  }
}

/** Times one shape (see the module header). */
async function timeShape(
  tf: Awaited<ReturnType<typeof setupTfjs>>,
  backend: string,
  s: PeerMatmulShape,
  reps: number,
  targetMs: number,
): Promise<PeerMatmulLine> {
  const transA = s.variant[0] === "T", transB = s.variant[1] === "T";
  // Stored shapes: A is (M, K) or (K, M); B is (K, N) or (N, K).
  const a = tf.randomNormal(transA ? [s.k, s.m] : [s.m, s.k], 0, 1, "float32", 11);
  const b = tf.randomNormal(transB ? [s.n, s.k] : [s.k, s.n], 0, 1, "float32", 12);
  const product = () => tf.matMul(a as never, b as never, transA, transB);
  try {
    return await timeProduct(product, s, { a, b, reps, targetMs, backend });
  } finally {
    a.dispose();
    b.dispose();
  }
}

async function timeProduct(
  product: () => { data(): Promise<ArrayLike<number>>; dispose(): void },
  s: PeerMatmulShape,
  o: {
    a: { data(): Promise<ArrayLike<number>> };
    b: { data(): Promise<ArrayLike<number>> };
    reps: number;
    targetMs: number;
    backend: string;
  },
): Promise<PeerMatmulLine> {
  const { reps, targetMs, backend } = o;

  // Warm-up: compiles the shader (webgpu) and measures one product to size the batch.
  let once = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const c = product();
    await c.data();
    once = Math.min(once, performance.now() - t0);
    c.dispose();
  }
  // As ours: from one product and four back to back, the marginal cost of one.
  let batch = 1;
  if (once < targetMs) {
    let four = Infinity;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      await timedBatch(product, 4);
      four = Math.min(four, performance.now() - t0);
    }
    const marginal = Math.max((four - once) / 3, once / 64, 1e-3);
    batch = Math.max(1, Math.min(256, Math.ceil(targetMs / marginal)));
  }

  const c = product();
  const checked = spotCheck(await c.data(), await o.a.data(), await o.b.data(), s);
  c.dispose();

  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await timedBatch(product, batch);
    samples.push((performance.now() - t0) / batch);
  }
  return { kind: "matmul", backend, ...s, batch, samples, checked };
}

/** Runs `count` products back to back and waits for the last one's values. */
async function timedBatch(
  product: () => { data(): Promise<unknown>; dispose(): void },
  count: number,
): Promise<void> {
  let last: { data(): Promise<unknown>; dispose(): void } | null = null;
  for (let i = 0; i < count; i++) {
    last?.dispose();
    last = product();
  }
  await last!.data();
  last!.dispose();
}

/** Compares C[i, j] for one (i, j) with a float64 dot product of the stored inputs. */
function spotCheck(
  c: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  s: PeerMatmulShape,
): boolean {
  const i = 5 % s.m, j = 9 % s.n;
  const transA = s.variant[0] === "T", transB = s.variant[1] === "T";
  let want = 0, scale = 0;
  for (let p = 0; p < s.k; p++) {
    const x = a[transA ? p * s.m + i : i * s.k + p];
    const y = b[transB ? j * s.k + p : p * s.n + j];
    want += x * y;
    scale += Math.abs(x * y);
  }
  return Math.abs(c[i * s.n + j] - want) <= 1e-4 * Math.max(1, scale);
}

if (import.meta.main) await main();
