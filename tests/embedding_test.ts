import assert from "node:assert/strict";
import {
  buildTokenIndex,
  embeddingBackward,
  embeddingChunks,
  embeddingForward,
  type GpuTokenIndex,
  uploadTokenIndex,
} from "../kernels/embedding.ts";
import type { Gpu, HostArray, Tensor } from "../kernels/gpu.ts";
import * as ref from "../kernels/reference/embedding.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

interface Case {
  b: number;
  t: number;
  v: number;
  c: number;
  /** Learned positions with this many rows, or none. */
  maxT?: number;
  offset?: number;
  /** Fraction of tokens that are id 0 (a padding-like, heavily repeated id). */
  skew?: number;
  /** The token rows' scale (Gemma: √C). */
  scale?: number;
}

const CASES: Case[] = [
  { b: 1, t: 1, v: 1, c: 1, maxT: 1 },
  { b: 2, t: 5, v: 11, c: 7, maxT: 10, offset: 3 },
  { b: 3, t: 37, v: 50, c: 130 },
  { b: 4, t: 16, v: 301, c: 13, maxT: 16, skew: 0.5 },
  { b: 3, t: 11, v: 50, c: 130, skew: 0.3, scale: Math.fround(Math.sqrt(130)) },
  { b: 2, t: 5, v: 11, c: 7, maxT: 10, scale: 0.5 },
];

function randomTokens(rng: Rng, n: number, v: number, skew = 0): Int32Array {
  return Int32Array.from({ length: n }, () => rng.uniform() < skew ? 0 : rng.int(v));
}

function release(index: GpuTokenIndex, ...ts: (Tensor | undefined)[]): void {
  for (const t of [index.unique, index.offsets, index.positions, ...ts]) t?.release();
}

/** Forward and backward of one case on the GPU, twice; checks reruns are bit-identical. */
async function runCase(
  gpu: Gpu,
  k: Case,
  rng: Rng,
  launch: { maxBindingBytes?: number; maxWorkgroupsPerDimension?: number } = {},
): Promise<void> {
  const { b, t, v, c, maxT, offset = 0, skew, scale } = k;
  const n = b * t;
  const tokens = randomTokens(rng, n, v, skew);
  const wte = rng.uniformArray(v * c), wpe = maxT ? rng.uniformArray(maxT * c) : undefined;
  const g = rng.uniformArray(n * c);
  const dWte0 = rng.uniformArray(v * c), dWpe0 = maxT ? rng.uniformArray(maxT * c) : undefined;
  const tTok = gpu.upload(tokens, [n], { label: "tokens" });
  const tWte = gpu.upload(wte, [v, c], { label: "wte" });
  const tWpe = wpe && gpu.upload(wpe, [maxT!, c], { label: "wpe" });
  const tG = gpu.upload(g, [n, c], { label: "dOut" });
  const out = poisoned(gpu, [n, c], "out");
  const dWte = gpu.tensor([v, c], { label: "dWte" });
  const dWpe = maxT ? gpu.tensor([maxT, c], { label: "dWpe" }) : undefined;
  const index = uploadTokenIndex(gpu, buildTokenIndex(tokens, v));
  const outs = dWpe ? [out, dWte, dWpe] : [out, dWte];
  const runs: HostArray[][] = [];
  for (let r = 0; r < 2; r++) {
    gpu.write(out, new Float32Array(n * c).fill(NaN));
    gpu.write(dWte, dWte0);
    if (dWpe) gpu.write(dWpe, dWpe0!);
    const enc = gpu.encoder();
    const pos = { seqLen: t, positionOffset: offset, scale, ...launch };
    embeddingForward(enc, { out, tokens: tTok, wte: tWte, wpe: tWpe, ...pos });
    embeddingBackward(enc, { dWte, dWpe, dOut: tG, index, ...pos });
    gpu.submit(enc);
    runs.push(await gpu.read(outs));
  }
  const at = `(B, T, V, C) = (${b}, ${t}, ${v}, ${c})${maxT ? `, maxT ${maxT}` : ""}`;
  runs[0].forEach((a, i) => assert.ok(bitEqual(a, runs[1][i]), `rerun differs (${i}) ${at}`));
  const o = { channels: c, wpe, seqLen: t, positionOffset: offset, scale };
  assertClose(runs[0][0], ref.embeddingForward(tokens, wte, o), { label: `out ${at}` });
  const want = ref.embeddingBackward(tokens, g, { ...o, vocabSize: v, maxPositions: maxT });
  assertClose(runs[0][1], want.dWte.map((x, i) => x + dWte0[i]), { label: `dWte ${at}` });
  if (dWpe) {
    assertClose(runs[0][2], want.dWpe!.map((x, i) => x + dWpe0![i]), { label: `dWpe ${at}` });
  }
  release(index, tTok, tWte, tWpe, tG, out, dWte, dWpe);
}

Deno.test("embedding: buildTokenIndex groups positions by id and refuses bad ids", () => {
  const idx = buildTokenIndex(new Int32Array([5, 2, 5, 9, 5]), 10);
  assert.deepEqual([...idx.unique], [2, 5, 9]);
  assert.deepEqual([...idx.offsets], [0, 1, 4, 5]);
  assert.deepEqual([...idx.positions], [1, 0, 2, 4, 3]);
  assert.throws(
    () => buildTokenIndex(new Int32Array([1, 10]), 10),
    /token id 10 at position 1 is outside the vocabulary \[0, 10\)/,
  );
  assert.throws(() => buildTokenIndex(new Int32Array([-1]), 10), /token id -1 at position 0/);
  // A random batch: every position appears once, under its own id, ascending within an id.
  const rng = new Rng(50), tokens = randomTokens(rng, 500, 40, 0.3);
  const r = buildTokenIndex(tokens, 40);
  assert.deepEqual([...r.positions].sort((a, b) => a - b), [...Array(500).keys()]);
  for (let k = 0; k < r.unique.length; k++) {
    for (let m = r.offsets[k]; m < r.offsets[k + 1]; m++) {
      assert.equal(tokens[r.positions[m]], r.unique[k]);
      if (m > r.offsets[k]) assert.ok(r.positions[m] > r.positions[m - 1]);
    }
  }
});

Deno.test("embedding: reference backward matches finite differences", () => {
  const rng = new Rng(51);
  const b = 2, t = 3, v = 4, c = 3, maxT = 5, offset = 1;
  const tokens = Int32Array.from([3, 1, 3, 0, 3, 1]);
  const wte = Float64Array.from(rng.uniformArray(v * c));
  const wpe = Float64Array.from(rng.uniformArray(maxT * c));
  const w = Float64Array.from(rng.uniformArray(b * t * c));
  const o = { channels: c, seqLen: t, positionOffset: offset, scale: 1.7 };
  const { dWte, dWpe } = ref.embeddingBackward(tokens, w, {
    ...o,
    vocabSize: v,
    maxPositions: maxT,
  });
  const L = (te: Float64Array, pe: Float64Array) =>
    dot(w, ref.embeddingForward(tokens, te, { ...o, wpe: pe }));
  assertClose(dWte, finiteDifference((x) => L(x, wpe), wte), { rtol: 1e-8, label: "dWte" });
  assertClose(dWpe!, finiteDifference((x) => L(wte, x), wpe), { rtol: 1e-8, label: "dWpe" });
});

gpuTest("embedding: forward and backward match float64, bit-identical reruns", async (gpu) => {
  const rng = new Rng(52);
  for (const k of CASES) await runCase(gpu, k, rng);
});

gpuTest(
  "embedding: tables over a (forced) binding limit work in vocabulary chunks",
  async (gpu) => {
    const align = gpu.limits.minStorageBufferOffsetAlignment;
    // Chunk starts must be whole rows at aligned byte offsets: multiples of
    // step = align / gcd(row bytes, align) rows. C = 8 (32-byte rows): step = align / 32.
    const step8 = align / 32;
    const chunks = embeddingChunks(gpu, { vocabSize: 37, channels: 8, maxBindingBytes: 2 * align });
    assert.ok(chunks.length > 1);
    assert.equal(chunks[0][0], 0);
    assert.equal(chunks[chunks.length - 1][1], 37);
    for (const [v0, v1] of chunks) {
      assert.equal((v0 * 32) % align, 0);
      assert.ok((v1 - v0) * 32 <= 2 * align);
    }
    const rng = new Rng(53);
    await runCase(gpu, { b: 3, t: 11, v: 37, c: 8, maxT: 12, offset: 1 }, rng, {
      maxBindingBytes: 2 * align,
    });
    // C = 3 (12-byte rows): step = align / 4 rows; chunks of one step.
    await runCase(gpu, { b: 2, t: 9, v: align / 4 + 37, c: 3, skew: 0.4 }, rng, {
      maxBindingBytes: 3 * align,
    });
    // GPT-2's table at the device's own limit: chunks cover it, each bindable.
    const limit = gpu.limits.maxStorageBufferBindingSize;
    const gpt2 = embeddingChunks(gpu, { vocabSize: 50257, channels: 768 });
    assert.equal(gpt2[gpt2.length - 1][1], 50257);
    for (const [v0, v1] of gpt2) {
      assert.ok((v1 - v0) * 3072 <= limit && (v0 * 3072) % align === 0);
    }
    if (50257 * 3072 > limit) assert.ok(gpt2.length > 1);
    // When even the smallest aligned block of rows exceeds the limit, a clear refusal.
    assert.throws(
      () => embeddingChunks(gpu, { vocabSize: 37, channels: 8, maxBindingBytes: step8 * 32 - 4 }),
      /cannot be bound in chunks: \d+ aligned rows take \d+ bytes, more than the \d+ bytes/,
    );
  },
);

gpuTest(
  "embedding: grids beyond a (forced) workgroup limit split over y, or refuse",
  async (gpu) => {
    // 23 distinct tokens with at most 5 workgroups per dimension: a 5 × 5 grid for d_wte;
    // the forward's 2·17·40/256 = 6 groups become 3 × 2.
    await runCase(gpu, { b: 2, t: 17, v: 23, c: 40, maxT: 17 }, new Rng(54), {
      maxWorkgroupsPerDimension: 5,
    });
    const tokens = gpu.upload(new Int32Array(1000), [1000], { label: "tokens" });
    const wte = gpu.tensor([3, 8], { label: "wte" }), out = gpu.tensor([1000, 8], { label: "out" });
    assert.throws(
      () => embeddingForward(gpu.encoder(), { out, tokens, wte, maxWorkgroupsPerDimension: 5 }),
      /exceed the device's dispatch limits/,
    );
    for (const t of [tokens, wte, out]) t.release();
  },
);

gpuTest(
  "embedding: an out-of-range id gives a NaN row; bad sizes are refused by name",
  async (gpu) => {
    // Rows of exactly the offset alignment, so a limit of two rows makes two chunks.
    const v = 4, c = gpu.limits.minStorageBufferOffsetAlignment / 4;
    const wte = gpu.upload(new Rng(55).uniformArray(v * c), [v, c], { label: "wte" });
    const tokens = gpu.upload(new Int32Array([1, 4, -2, 3]), [4], { label: "tokens" });
    const out = poisoned(gpu, [4, c], "out");
    const enc = gpu.encoder();
    // Two chunks, so the NaN rows are written exactly once whichever chunk holds the others.
    embeddingForward(enc, { out, tokens, wte, maxBindingBytes: 2 * c * 4 });
    gpu.submit(enc);
    const [got] = await gpu.read([out]);
    assert.ok(got.slice(c, 3 * c).every(Number.isNaN));
    assert.ok([...got.slice(0, c), ...got.slice(3 * c)].every(Number.isFinite));
    const wpe = gpu.tensor([3, c], { label: "wpe" });
    assert.throws(
      () => embeddingForward(gpu.encoder(), { out, tokens, wte, wpe, seqLen: 4 }),
      /embeddingForward: positions up to 3 exceed "wpe" \(3 positions\)/,
    );
    assert.throws(
      () => embeddingForward(gpu.encoder(), { out: wpe, tokens, wte }),
      new RegExp(`embeddingForward: "wpe" has ${3 * c} elements, expected ${4 * c}`),
    );
    for (const t of [wte, tokens, out, wpe]) t.release();
  },
);

gpuTest(
  "embedding: GPT-2's 50257×768 table (154 MB) past the device's binding limit",
  async (gpu) => {
    const v = 50257, c = 768, b = 2, t = 32, n = b * t;
    const chunks = embeddingChunks(gpu, { vocabSize: v, channels: c });
    // A cheap, exact pattern instead of random data for 38.6M values.
    const wte = new Float32Array(v * c);
    for (let r = 0; r < v; r++) {
      for (let j = 0; j < c; j++) wte[r * c + j] = ((r * 31 + j * 7) % 997) / 499 - 1;
    }
    // Tokens on both sides of every chunk boundary, the last id, and random ones, some repeated.
    const rng = new Rng(56);
    const picks = [0, v - 1, ...chunks.flatMap(([v0]) => v0 > 0 ? [v0 - 1, v0] : [])];
    const tokens = Int32Array.from({ length: n }, (_, i) => picks[i] ?? rng.int(v));
    tokens[n - 1] = v - 1;
    const g = rng.uniformArray(n * c);
    const tTok = gpu.upload(tokens, [n], { label: "tokens" });
    const tWte = gpu.upload(wte, [v, c], { label: "wte" });
    const dWte = gpu.tensor([v, c], { label: "dWte" });
    const tG = gpu.upload(g, [n, c], { label: "dOut" });
    const out = poisoned(gpu, [n, c], "out");
    const host = buildTokenIndex(tokens, v);
    const index = uploadTokenIndex(gpu, host);
    const enc = gpu.encoder();
    enc.zero(dWte);
    embeddingForward(enc, { out, tokens: tTok, wte: tWte });
    embeddingBackward(enc, { dWte, dOut: tG, index });
    gpu.submit(enc);
    const rows = [...host.unique];
    const got = await gpu.read([out, ...rows.map((r) => dWte.view(r * c, [c], `dWte[${r}]`))]);
    assertClose(got[0], ref.embeddingForward(tokens, wte, { channels: c }), { label: "out" });
    const want = ref.embeddingBackward(tokens, g, { channels: c, vocabSize: v }).dWte;
    rows.forEach((r, k) => {
      assertClose(got[k + 1], want.subarray(r * c, (r + 1) * c), { label: `dWte[${r}]` });
    });
    release(index, tTok, tWte, dWte, tG, out);
  },
);

gpuTest(
  "embedding: a token filling a big batch (padding) sums past llvmpipe's 65 535 loop iterations",
  async (gpu) => {
    // 70 000 positions, all but every 97th token 3: one invocation would walk 2 channels × ~69 000
    // positions; a CPU adapter cuts the positions into launches that each add their share.
    const rng = new Rng(31);
    const n = 70_000, c = 64, v = 8;
    const tokens = new Int32Array(n).fill(3);
    for (let i = 0; i < n; i += 97) tokens[i] = rng.int(v);
    const g = rng.uniformArray(n * c, -1, 1);
    const dWte = gpu.upload(new Float32Array(v * c), [v, c], { label: "dWte" });
    const tG = gpu.upload(g, [n, c], { label: "dOut" });
    const index = uploadTokenIndex(gpu, buildTokenIndex(tokens, v));
    const enc = gpu.encoder();
    embeddingBackward(enc, { dWte, dOut: tG, index });
    gpu.submit(enc);
    const [got] = await gpu.read([dWte]);
    const want = ref.embeddingBackward(tokens, g, { channels: c, vocabSize: v }).dWte;
    assertClose(got, want, { label: "dWte" });
    release(index, dWte, tG);
  },
  // Under TEST_AS_GPU lavapipe would run one launch, as a GPU does, and stop at its loop limit.
  { realChoices: true },
);
