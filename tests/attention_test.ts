import assert from "node:assert/strict";
import {
  attentionBackward,
  attentionForward,
  AttentionWorkspace,
  CPU_LOOP_BUDGET,
  flashLoopIterations,
} from "../kernels/attention.ts";
import { type Gpu, type HostArray, Tensor } from "../kernels/gpu.ts";
import * as ref from "../kernels/reference/attention.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

/** One test shape: B = lengths.length rows of T positions. */
interface Case {
  t: number;
  nh: number;
  nkv: number;
  hs: number;
  lengths: number[];
  tile?: number;
  /** Rows per invocation (the launcher's `rowsPerLane`); default 2. */
  rows?: 1 | 2;
  /** dK and dV in two passes (the launcher's `splitDkv`). */
  split?: boolean;
  scale?: number;
  u32?: boolean;
  /** The products design; with `scoreBytes`, through a workspace whose chunks hold that much. */
  products?: boolean;
  scoreBytes?: number;
  /** The products design's causal block (default 128). */
  causalBlock?: number;
  /** Sliding window W (query i sees keys i − W < j ≤ i). */
  window?: number;
  /** Soft-cap c of the scaled scores (Gemma 2). */
  softcap?: number;
}

// T = 1; T not a multiple of the tiles (blocks of 2·tile rows: 64, 32, 16, 8); GQA ratios 1, 2, 4;
// odd head sizes; padded rows, including an empty one; the largest head size. Few distinct
// (HS, tile) pairs, as each compiles its own pipelines (seconds each on lavapipe, cold).
const CASES: Case[] = [
  { t: 1, nh: 2, nkv: 1, hs: 16, lengths: [1, 0] },
  { t: 13, nh: 3, nkv: 3, hs: 5, lengths: [13, 7], u32: true },
  { t: 37, nh: 4, nkv: 2, hs: 16, lengths: [37, 20, 1] },
  { t: 37, nh: 8, nkv: 2, hs: 8, lengths: [30, 37], tile: 8, scale: 0.7 },
  { t: 19, nh: 4, nkv: 1, hs: 3, lengths: [19, 11], tile: 4 },
  { t: 40, nh: 2, nkv: 1, hs: 128, lengths: [40, 23] },
  { t: 70, nh: 2, nkv: 1, hs: 16, lengths: [70, 45], tile: 32 }, // the GPUs' default tile
  { t: 21, nh: 2, nkv: 1, hs: 256, lengths: [21, 9] }, // Gemma's head size: the wide build
  // One row per invocation: GQA, padding, an empty row, T not a multiple of the 8-row blocks.
  { t: 37, nh: 4, nkv: 2, hs: 16, lengths: [37, 20, 0], rows: 1, split: true },
  { t: 19, nh: 4, nkv: 1, hs: 3, lengths: [19, 11], tile: 4, rows: 1 },
  { t: 37, nh: 8, nkv: 2, hs: 8, lengths: [30, 37], tile: 8, split: true }, // two rows per lane
];

// Sliding windows: W = 1 (each query sees itself only), windows shorter and longer than a tile or
// a block (so key tiles are skipped at both ends, and rows' windows start inside a tile), with
// padding, an empty row, GQA, one and two rows per lane, dK/dV in one and two passes.
const WINDOW_CASES: Case[] = [
  { t: 37, nh: 4, nkv: 2, hs: 16, lengths: [37, 20, 1], window: 5 },
  { t: 37, nh: 8, nkv: 2, hs: 8, lengths: [30, 37], tile: 8, split: true, window: 1 },
  { t: 70, nh: 2, nkv: 1, hs: 16, lengths: [70, 45], tile: 32, window: 17 },
  { t: 19, nh: 4, nkv: 1, hs: 3, lengths: [19, 11, 0], tile: 4, rows: 1, window: 6 },
  { t: 13, nh: 3, nkv: 3, hs: 5, lengths: [13, 7], window: 12 },
  { t: 70, nh: 2, nkv: 1, hs: 16, lengths: [70, 69], window: 40 },
];

// The products design: T = 1, GQA, odd and largest head sizes, padded and empty rows, and score
// chunks of one pair (several chunks per call, the workspace reused) or a few.
// Causal blocks of 4, 8 and 16 rows (the last one ragged) and the default 128 at T = 130.
const PRODUCT_CASES: Case[] = [
  { t: 1, nh: 2, nkv: 1, hs: 16, lengths: [1, 0], products: true },
  { t: 13, nh: 3, nkv: 3, hs: 5, lengths: [13, 7], u32: true, products: true, causalBlock: 4 },
  {
    t: 37,
    nh: 4,
    nkv: 2,
    hs: 16,
    lengths: [37, 20, 0],
    products: true,
    scoreBytes: 37 * 37 * 4,
    causalBlock: 8,
  },
  { t: 37, nh: 8, nkv: 2, hs: 8, lengths: [30, 37], scale: 0.7, products: true },
  {
    t: 40,
    nh: 2,
    nkv: 1,
    hs: 128,
    lengths: [40, 23],
    products: true,
    scoreBytes: 3 * 1600 * 4,
    causalBlock: 16,
  },
  { t: 130, nh: 2, nkv: 1, hs: 8, lengths: [130, 77], products: true },
  { t: 21, nh: 2, nkv: 1, hs: 256, lengths: [21, 9], products: true },
];

// Soft-capped scores (Gemma 2's c·tanh(r/c)), with caps well inside the scores' range (|r| up to
// ~10 here), in both designs, with and without a window, one and two rows per lane, dK/dV split.
const SOFTCAP_CASES: Case[] = [
  { t: 37, nh: 4, nkv: 2, hs: 16, lengths: [37, 20, 1], softcap: 1.5, scale: 0.6 },
  { t: 37, nh: 8, nkv: 2, hs: 8, lengths: [30, 37], tile: 8, split: true, softcap: 2, window: 5 },
  { t: 19, nh: 4, nkv: 1, hs: 3, lengths: [19, 11], tile: 4, rows: 1, softcap: 0.5 },
  {
    t: 37,
    nh: 4,
    nkv: 2,
    hs: 16,
    lengths: [37, 20, 0],
    products: true,
    causalBlock: 8,
    softcap: 1.5,
    scale: 0.6,
  },
  { t: 13, nh: 3, nkv: 3, hs: 5, lengths: [13, 7], products: true, softcap: 0.7, window: 4 },
];

// The products design with sliding windows: score blocks skipped before each block's first
// window, gradients summed only over the rows that see a key block.
const PRODUCT_WINDOW_CASES: Case[] = [
  { t: 13, nh: 3, nkv: 3, hs: 5, lengths: [13, 7], products: true, causalBlock: 4, window: 1 },
  {
    t: 37,
    nh: 4,
    nkv: 2,
    hs: 16,
    lengths: [37, 20, 0],
    products: true,
    scoreBytes: 37 * 37 * 4,
    causalBlock: 8,
    window: 5,
  },
  { t: 130, nh: 2, nkv: 1, hs: 8, lengths: [130, 77], products: true, window: 40 },
  { t: 40, nh: 2, nkv: 1, hs: 16, lengths: [40, 33], products: true, causalBlock: 16, window: 17 },
];

function describe(c: Case): string {
  return `T=${c.t} NH=${c.nh} NKV=${c.nkv} HS=${c.hs} lengths=[${c.lengths}]` +
    (c.tile ? ` tile=${c.tile}` : "") + (c.rows ? ` rows=${c.rows}` : "") +
    (c.split ? " split dK/dV" : "") + (c.products ? " products" : "") +
    (c.scoreBytes ? ` chunks of ${c.scoreBytes} B` : "") +
    (c.causalBlock ? ` causal blocks of ${c.causalBlock}` : "") +
    (c.window ? ` window ${c.window}` : "") + (c.softcap ? ` softcap ${c.softcap}` : "");
}

function shapeOf(c: Case): ref.AttentionShape {
  return {
    batch: c.lengths.length,
    seqLen: c.t,
    nHeads: c.nh,
    nKvHeads: c.nkv,
    headSize: c.hs,
    scale: c.scale,
    window: c.window,
    softcap: c.softcap,
  };
}

interface HostInputs {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  dOut: Float32Array;
}

function randomInputs(c: Case, rng: Rng): HostInputs {
  const b = c.lengths.length;
  const nq = b * c.t * c.nh * c.hs, nkv = b * c.t * c.nkv * c.hs;
  // Scores of order 1–3 make the softmax neither flat nor one-hot.
  return {
    q: rng.uniformArray(nq, -2, 2),
    k: rng.uniformArray(nkv, -2, 2),
    v: rng.uniformArray(nkv, -1, 1),
    dOut: rng.uniformArray(nq, -1, 1),
  };
}

/** Runs forward then backward on the GPU (outputs poisoned with NaN first); reads everything. */
async function runGpu(gpu: Gpu, c: Case, x: HostInputs): Promise<HostArray[]> {
  const b = c.lengths.length;
  const qs = [b, c.t, c.nh, c.hs], ks = [b, c.t, c.nkv, c.hs];
  const q = gpu.upload(x.q, qs, { label: "q" }), k = gpu.upload(x.k, ks, { label: "k" });
  const v = gpu.upload(x.v, ks, { label: "v" }), dOut = gpu.upload(x.dOut, qs, { label: "dOut" });
  const lengths = gpu.upload(
    c.u32 ? new Uint32Array(c.lengths) : new Int32Array(c.lengths),
    [b],
    { label: "lengths" },
  );
  const out = poisoned(gpu, qs, "out"), lse = poisoned(gpu, [b, c.nh, c.t], "lse");
  const dQ = poisoned(gpu, qs, "dQ"), dK = poisoned(gpu, ks, "dK"), dV = poisoned(gpu, ks, "dV");
  const common = {
    q,
    k,
    v,
    lengths,
    nHeads: c.nh,
    nKvHeads: c.nkv,
    scale: c.scale,
    window: c.window,
    softcap: c.softcap,
    tile: c.tile,
    rowsPerLane: c.rows,
    design: c.products ? "products" as const : undefined,
    workspace: c.scoreBytes || c.causalBlock
      ? AttentionWorkspace.create(gpu, {
        batch: b,
        seqLen: c.t,
        nHeads: c.nh,
        headSize: c.hs,
        scoreBytes: c.scoreBytes,
        causalBlock: c.causalBlock,
      })
      : undefined,
  };
  // Workspace scores start as NaN: entries the causal blocks skip must never be read.
  for (const t of common.workspace?.scores ?? []) gpu.write(t, new Float32Array(t.size).fill(NaN));
  const enc = gpu.encoder();
  attentionForward(enc, { ...common, out, lse });
  attentionBackward(enc, { ...common, out, lse, dOut, dQ, dK, dV, splitDkv: c.split });
  gpu.submit(enc);
  const got = await gpu.read([out, lse, dQ, dK, dV]);
  for (const t of [q, k, v, dOut, lengths, out, lse, dQ, dK, dV]) t.release();
  common.workspace?.release();
  return got;
}

/** Asserts every value at a padded position (t ≥ length) is exactly zero. */
function assertPaddedZero(
  got: HostArray,
  c: Case,
  layout: "bthd" | "bht",
  heads: number,
  label: string,
) {
  const b = c.lengths.length, width = layout === "bthd" ? heads * c.hs : 1;
  for (let r = 0; r < b; r++) {
    for (let h = 0; h < (layout === "bht" ? heads : 1); h++) {
      for (let t = c.lengths[r]; t < c.t; t++) {
        const base = layout === "bthd" ? (r * c.t + t) * width : (r * heads + h) * c.t + t;
        for (let e = 0; e < width; e++) {
          assert.ok(
            Object.is(got[base + e], 0),
            `${label}: padded row ${r} t=${t} is ${got[base + e]}`,
          );
        }
      }
    }
  }
}

/** Checks every case against float64 (padding exactly zero, reruns bit-identical). */
async function checkCases(gpu: Gpu, cases: Case[], seed: number, design: string) {
  const rng = new Rng(seed);
  const worst = { out: 0, lse: 0, dQ: 0, dK: 0, dV: 0 };
  for (const c of cases) {
    const x = randomInputs(c, rng);
    const [out, lse, dQ, dK, dV] = await runGpu(gpu, c, x);
    const inputs = { ...x, lengths: c.lengths };
    const want = ref.attentionForward(inputs, shapeOf(c));
    const grads = ref.attentionBackward(inputs, shapeOf(c));
    const label = describe(c);
    const checks: [keyof typeof worst, HostArray, Float64Array][] = [
      ["out", out, want.out],
      ["lse", lse, want.lse],
      ["dQ", dQ, grads.dQ],
      ["dK", dK, grads.dK],
      ["dV", dV, grads.dV],
    ];
    for (const [name, a, e] of checks) {
      // At T = 1 or window 1 dQ and dK are exactly zero (one key: dS = dOut·v − D = 0), where a
      // relative error means nothing; there f32 rounding may leave ~1e-7 per element (1.7e-7 on
      // an H200), so allow a root-mean-square error of 1e-6.
      const zero = e.every((x) => x === 0);
      const atol = zero ? 1e-6 * Math.sqrt(e.length) : 0;
      const r = assertClose(a, e, { label: `${label}: ${name}`, atol }).relError;
      if (!zero) worst[name] = Math.max(worst[name], r);
    }
    assertPaddedZero(out, c, "bthd", c.nh, `${label}: out`);
    assertPaddedZero(lse, c, "bht", c.nh, `${label}: lse`);
    assertPaddedZero(dQ, c, "bthd", c.nh, `${label}: dQ`);
    assertPaddedZero(dK, c, "bthd", c.nkv, `${label}: dK`);
    assertPaddedZero(dV, c, "bthd", c.nkv, `${label}: dV`);

    const again = await runGpu(gpu, c, x);
    [out, lse, dQ, dK, dV].forEach((a, i) =>
      assert.ok(bitEqual(a, again[i]), `${label}: rerun ${i}`)
    );
  }
  console.log(`attention (${design}) worst relative errors:`, JSON.stringify(worst));
}

gpuTest("attention forward and backward match float64, rerun bit-identically", async (gpu) => {
  await checkCases(gpu, CASES, 31, "flash");
});

gpuTest("attention products design matches float64, reruns bit-identically", async (gpu) => {
  await checkCases(gpu, PRODUCT_CASES, 35, "products");
});

gpuTest("attention with soft-capped scores matches float64 in both designs", async (gpu) => {
  await checkCases(gpu, SOFTCAP_CASES, 39, "soft-capped");
  // The cap changes the output (the test would see it ignored).
  const c = SOFTCAP_CASES[0], x = randomInputs(c, new Rng(40));
  const inputs = { ...x, lengths: c.lengths };
  const capped = ref.attentionForward(inputs, shapeOf(c)).out;
  const plain = ref.attentionForward(inputs, { ...shapeOf(c), softcap: undefined }).out;
  assert.ok(capped.some((v, i) => Math.abs(v - plain[i]) > 1e-2));
});

gpuTest("attention with sliding windows matches float64 in both designs", async (gpu) => {
  await checkCases(gpu, WINDOW_CASES, 36, "flash, windows");
  await checkCases(gpu, PRODUCT_WINDOW_CASES, 37, "products, windows");
  // A window covering every key is plain causal attention, bit for bit.
  const rng = new Rng(38);
  for (const c of [CASES[2], PRODUCT_CASES[5]]) {
    const x = randomInputs(c, rng);
    const plain = await runGpu(gpu, c, x);
    const wide = await runGpu(gpu, { ...c, window: c.t }, x);
    plain.forEach((a, i) => assert.ok(bitEqual(a, wide[i]), `${describe(c)}: output ${i}`));
  }
});

gpuTest(
  "attention: padded positions neither change valid outputs nor get gradient",
  async (gpu) => {
    const rng = new Rng(32);
    const cases = [CASES[2], CASES[3], PRODUCT_CASES[2], PRODUCT_CASES[3]];
    for (const c of [...cases, WINDOW_CASES[0], PRODUCT_WINDOW_CASES[1]]) {
      const x = randomInputs(c, rng);
      const base = await runGpu(gpu, c, x);
      // New values, NaN included, everywhere past each row's length.
      const y = { q: x.q.slice(), k: x.k.slice(), v: x.v.slice(), dOut: x.dOut.slice() };
      for (let r = 0; r < c.lengths.length; r++) {
        for (let t = c.lengths[r]; t < c.t; t++) {
          for (
            const [arr, heads] of [[y.q, c.nh], [y.k, c.nkv], [y.v, c.nkv], [y.dOut, c.nh]] as const
          ) {
            const w = heads * c.hs, o = (r * c.t + t) * w;
            for (let e = 0; e < w; e++) arr[o + e] = e % 3 === 0 ? NaN : rng.uniform() * 50 - 25;
          }
        }
      }
      const changed = await runGpu(gpu, c, y);
      base.forEach((a, i) => assert.ok(bitEqual(a, changed[i]), `${describe(c)}: output ${i}`));
    }
  },
);

Deno.test("attention reference backward matches finite differences", () => {
  const rng = new Rng(33);
  const cases = [
    CASES[2],
    CASES[4],
    { ...CASES[2], window: 3 },
    { ...CASES[4], window: 1 },
    { ...CASES[2], softcap: 0.8, window: 4 },
  ];
  for (const c of cases.map((c) => ({ ...c, t: 6, lengths: [6, 4] }))) {
    const shape = shapeOf(c);
    const x = randomInputs(c, rng);
    const q = Float64Array.from(x.q), k = Float64Array.from(x.k), v = Float64Array.from(x.v);
    const w = x.dOut; // L = Σ w·out, so dL/dout = w
    const loss = (qq: Vec64, kk: Vec64, vv: Vec64) =>
      dot(w, ref.attentionForward({ q: qq, k: kk, v: vv, lengths: c.lengths }, shape).out);
    const g = ref.attentionBackward({ q, k, v, lengths: c.lengths, dOut: w }, shape);
    const opts = { rtol: 1e-6 };
    assertClose(g.dQ, finiteDifference((z) => loss(z, k, v), q), { ...opts, label: "dQ" });
    assertClose(g.dK, finiteDifference((z) => loss(q, z, v), k), { ...opts, label: "dK" });
    assertClose(g.dV, finiteDifference((z) => loss(q, k, z), v), { ...opts, label: "dV" });
  }
});

type Vec64 = Float64Array;

gpuTest("attention splits more than 65535 workgroups over x and y", async (gpu) => {
  // T = 1 and one head: every row is its own workgroup, B of them.
  const c: Case = {
    t: 1,
    nh: 2,
    nkv: 1,
    hs: 1,
    tile: 4,
    lengths: Array.from({ length: gpu.limits.maxComputeWorkgroupsPerDimension + 7 }, () => 1),
  };
  c.lengths[c.lengths.length - 1] = 0;
  const x = randomInputs(c, new Rng(34));
  const [out, lse, dQ, dK, dV] = await runGpu(gpu, c, x);
  const inputs = { ...x, lengths: c.lengths };
  const want = ref.attentionForward(inputs, shapeOf(c));
  const grads = ref.attentionBackward(inputs, shapeOf(c));
  assertClose(out, want.out, { label: "out" });
  assertClose(lse, want.lse, { label: "lse" });
  assertClose(dQ, grads.dQ, { label: "dQ" });
  assertClose(dK, grads.dK, { label: "dK" });
  assertClose(dV, grads.dV, { label: "dV" });
});

gpuTest("attention refuses oversized bindings and bad shapes clearly", (gpu) => {
  const max = gpu.limits.maxStorageBufferBindingSize;
  // A stand-in buffer: the launcher must refuse before anything touches the device.
  const fake = { size: 2 * max + 1024, label: "big" } as unknown as GPUBuffer;
  const hs = 64, nh = 4, t = 1024, b = Math.ceil((max / 4 + 1) / (t * nh * hs));
  const q = new Tensor(fake, [b, t, nh, hs], { label: "q" });
  const k = new Tensor(fake, [b, t, nh, hs], { label: "k" });
  const out = new Tensor(fake, [b, t, nh, hs], { label: "out" });
  const lse = gpu.tensor([b, nh, t], { label: "lse" });
  const lengths = gpu.tensor([b], { dtype: "i32", label: "lengths" });
  const enc = gpu.encoder();
  const args = { out, lse, q, k, v: k, lengths, nHeads: nh, nKvHeads: nh };
  assert.throws(
    () => attentionForward(enc, args),
    /attentionForward: "q" is \d+ bytes, more than this device binds at once/,
  );
  const small = gpu.tensor([1, 2, 4, 260], { label: "wide" });
  const l1 = gpu.tensor([1], { dtype: "i32" });
  const lse1 = gpu.tensor([1, 4, 2], { label: "lengths" });
  const smallArgs = { out: small, lse: lse1, q: small, k: small, v: small, lengths: l1 };
  const ok = gpu.tensor([1, 2, 4, 8]);
  const fine = { out: ok, lse: lse1, q: ok, k: ok, v: ok, lengths: l1 };
  assert.throws(
    () => attentionForward(enc, { ...smallArgs, nHeads: 4, nKvHeads: 4 }),
    /head size 260 exceeds the largest supported \(256\)/,
  );
  assert.throws(
    () => attentionForward(enc, { ...smallArgs, nHeads: 4, nKvHeads: 3 }),
    /nKvHeads \(3\) must be a positive integer dividing nHeads \(4\)/,
  );
  assert.throws(
    () => attentionForward(enc, { ...fine, lengths: lse1, nHeads: 4, nKvHeads: 4 }),
    /"lengths" has 8 elements, expected 1/,
  );
  assert.throws(
    () => attentionForward(enc, { ...fine, nHeads: 4, nKvHeads: 4, rowsPerLane: 3 as 1 }),
    /rowsPerLane must be 1 or 2, got 3/,
  );
  const wide = gpu.tensor([1, 2, 1, 128]), lse2 = gpu.tensor([1, 1, 2]);
  const wideArgs = { out: wide, lse: lse2, q: wide, k: wide, v: wide, lengths: l1 };
  assert.throws(
    () => attentionForward(enc, { ...wideArgs, nHeads: 1, nKvHeads: 1, tile: 64 }),
    /a tile of 64 rows at head size 128 needs 65536 bytes of workgroup memory/,
  );
  // The products design: a workspace for other sizes, or without the backward's buffers.
  const ws = AttentionWorkspace.create(gpu, {
    batch: 1,
    seqLen: 2,
    nHeads: 2,
    headSize: 8,
    backward: false,
  });
  assert.throws(
    () =>
      attentionForward(enc, { ...fine, nHeads: 4, nKvHeads: 4, design: "products", workspace: ws }),
    /the workspace holds 1×2 rows of 2 heads of 8, not 1×2 of 4 of 8/,
  );
  const ws4 = AttentionWorkspace.create(gpu, {
    batch: 1,
    seqLen: 2,
    nHeads: 4,
    headSize: 8,
    backward: false,
  });
  const grads = { dOut: ok, dQ: ok, dK: ok, dV: ok, out: ok };
  assert.throws(
    () =>
      attentionBackward(enc, {
        ...fine,
        ...grads,
        nHeads: 4,
        nKvHeads: 4,
        design: "products",
        workspace: ws4,
      }),
    /the workspace was made without the backward's buffers/,
  );
  assert.throws(
    () =>
      AttentionWorkspace.create(gpu, {
        batch: 1,
        seqLen: 100,
        nHeads: 1,
        headSize: 8,
        scoreBytes: 1000,
      }),
    /one 100×100 score matrix \(40000 bytes\) exceeds the chunk budget of 1000 bytes/,
  );
  gpu.submit(enc);
  ws.release();
  ws4.release();
  for (const x of [wide, lse2]) x.release();
  for (const x of [lse, lengths, small, l1, lse1, ok]) x.release();
});

gpuTest("attention: flash shapes past a CPU adapter's loop limit are refused, not run", (gpu) => {
  // llvmpipe stops an invocation after 65 535 loop iterations; the dK/dV pass walks all 7 query
  // heads of a KV head over 1024 keys here (≈ 78 000), so a CPU adapter refuses it by name.
  const [B, T, NH, NKV, HS] = [1, 1024, 14, 2, 64];
  assert.ok(flashLoopIterations(T, HS, NH / NKV) > CPU_LOOP_BUDGET);
  assert.ok(flashLoopIterations(256, HS, NH / NKV) <= CPU_LOOP_BUDGET);
  // Small tiles cost more loop iterations per key (measured ×1.08 at 8, ×1.24 at 4).
  assert.ok(flashLoopIterations(T, HS, 1, 4) > flashLoopIterations(T, HS, 1, 8));
  assert.ok(flashLoopIterations(T, HS, 1, 8) > flashLoopIterations(T, HS, 1, 16));
  const q = gpu.tensor([B, T, NH, HS]), k = gpu.tensor([B, T, NKV, HS]);
  const v = gpu.tensor([B, T, NKV, HS]), lengths = gpu.upload(new Int32Array([T]));
  const out = gpu.tensor([B, T, NH, HS]), lse = gpu.tensor([B, NH, T]);
  const dQ = gpu.tensor([B, T, NH, HS]), dK = gpu.tensor([B, T, NKV, HS]);
  const dV = gpu.tensor([B, T, NKV, HS]);
  const enc = gpu.encoder();
  const args = { q, k, v, lengths, nHeads: NH, nKvHeads: NKV, design: "flash" as const };
  const backward = () => attentionBackward(enc, { ...args, dQ, dK, dV, dOut: out, out, lse });
  if (gpu.isCpu) {
    assert.throws(
      backward,
      /flash attention over 1024 tokens at head size 64 with 7 query heads per KV head .* at most \d+ tokens here; the products design runs this length/,
    );
  } else backward();
  gpu.submit(enc);
  for (const t of [q, k, v, lengths, out, lse, dQ, dK, dV]) t.release();
});
