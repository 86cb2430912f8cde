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
 * Served mode, so the bench can interleave the peer's samples with ours (both then see the same
 * machine load): `deno run -A bench/peers/tfjs_matmul.ts webgpu --serve` prints the info line, then
 * answers one JSON request per stdin line with one JSON line, until stdin closes:
 *
 * - `{"op":"prepare","shape":{…},"targetMs":250}` → `{"kind":"prepared","batch":…,"checked":…}`
 *   (uploads the operands, compiles, sizes the batch; a failure answers `{"kind":"matmul_error",…}`);
 * - `{"op":"sample"}` → `{"kind":"sample","ms":…}`: one sample of the prepared shape, ms per product;
 * - `{"op":"release"}` → `{"kind":"released"}`.
 *
 * @module
 */
import { MAX_BATCH } from "../measure.ts";
import { jsonLines } from "./run.ts";
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

/** The served mode's answer to `prepare`. */
export interface PeerMatmulPrepared extends PeerMatmulShape {
  kind: "prepared";
  /** Which TensorFlow.js backend. */
  backend: string;
  /** Products per sample. */
  batch: number;
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

/** A request of the served mode (see the module header). */
export type PeerMatmulRequest =
  | { op: "prepare"; shape: PeerMatmulShape; targetMs: number }
  | { op: "sample" }
  | { op: "release" };

type Tf = Awaited<ReturnType<typeof setupTfjs>>;

async function main(): Promise<void> {
  const backend = (Deno.args[0] ?? "webgpu") as PeerBackend;
  if (!PEER_BACKENDS.includes(backend)) throw new TypeError(`Unknown backend "${backend}"`);
  const tf = await setupTfjs(backend);
  console.log(JSON.stringify({ kind: "info", backend: tf.getBackend(), tfjs: tf.version_core }));
  if (Deno.args[1] === "--serve") return await serve(tf, backend);
  const shapes = JSON.parse(Deno.args[1] ?? "[]") as PeerMatmulShape[];
  const reps = Number(Deno.args[2] ?? 5);
  const targetMs = Number(Deno.args[3] ?? 50);
  for (const s of shapes) {
    // A shape the backend cannot run (too big a binding, say) is reported; the rest go on.
    try {
      const p = await prepare(tf, s, targetMs);
      try {
        const samples: number[] = [];
        for (let r = 0; r < reps; r++) samples.push(await p.sample());
        const line: PeerMatmulLine = {
          kind: "matmul",
          backend,
          ...s,
          batch: p.batch,
          samples,
          checked: p.checked,
        };
        console.log(JSON.stringify(line));
      } finally {
        p.dispose();
      }
    } catch (e) {
      console.log(JSON.stringify(errorLine(backend, s, e)));
    }
  }
}

/** The served mode: one prepared shape at a time, sampled on request. */
async function serve(tf: Tf, backend: PeerBackend): Promise<void> {
  let current: Prepared | null = null;
  const release = () => {
    current?.dispose();
    current = null;
  };
  for await (const text of jsonLines(Deno.stdin.readable)) {
    const req = JSON.parse(text) as PeerMatmulRequest;
    if (req.op === "release") {
      release();
      console.log(JSON.stringify({ kind: "released" }));
    } else if (req.op === "sample") {
      if (!current) throw new Error("sample before prepare");
      console.log(JSON.stringify({ kind: "sample", ms: await (current as Prepared).sample() }));
    } else {
      release();
      try {
        current = await prepare(tf, req.shape, req.targetMs);
        const { batch, checked } = current;
        const line: PeerMatmulPrepared = {
          kind: "prepared",
          backend,
          ...req.shape,
          batch,
          checked,
        };
        console.log(JSON.stringify(line));
      } catch (e) {
        console.log(JSON.stringify(errorLine(backend, req.shape, e)));
      }
    }
  }
  release();
}

function errorLine(backend: string, s: PeerMatmulShape, e: unknown): PeerMatmulError {
  const error = (e as Error).message.split("\n")[0].slice(0, 200);
  return { kind: "matmul_error", backend, ...s, error };
}

/** A shape with its operands uploaded, compiled and its batch sized. */
interface Prepared {
  /** Products per sample. */
  batch: number;
  /** Whether the spot check passed. */
  checked: boolean;
  /** One sample: ms per product. */
  sample(): Promise<number>;
  /** Frees the operands. */
  dispose(): void;
}

/**
 * Uploads random operands, compiles (warm-up), sizes the batch by the rule ours uses, and
 * spot-checks one element of C.
 */
async function prepare(tf: Tf, s: PeerMatmulShape, targetMs: number): Promise<Prepared> {
  const transA = s.variant[0] === "T", transB = s.variant[1] === "T";
  // Stored shapes: A is (M, K) or (K, M); B is (K, N) or (N, K).
  const a = tf.randomNormal(transA ? [s.k, s.m] : [s.m, s.k], 0, 1, "float32", 11);
  const b = tf.randomNormal(transB ? [s.n, s.k] : [s.k, s.n], 0, 1, "float32", 12);
  const dispose = () => {
    a.dispose();
    b.dispose();
  };
  try {
    const product = () => tf.matMul(a as never, b as never, transA, transB);
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
      batch = Math.max(1, Math.min(MAX_BATCH, Math.ceil(targetMs / marginal)));
    }
    const c = product();
    const checked = spotCheck(await c.data(), await a.data(), await b.data(), s);
    c.dispose();
    const sample = async () => {
      const t0 = performance.now();
      await timedBatch(product, batch);
      return (performance.now() - t0) / batch;
    };
    return { batch, checked, sample, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
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
