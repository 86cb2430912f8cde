import assert from "node:assert/strict";
import {
  decodeAttention,
  decodeEmbedding,
  decodeRope,
  gatherRows,
  kvAppend,
} from "../kernels/decode.ts";
import { type Gpu, type HostArray, Tensor } from "../kernels/gpu.ts";
import * as ref from "../kernels/reference/decode.ts";
import { ropeTable } from "../kernels/rope.ts";
import { assertClose } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

const ints = (rng: Rng, n: number, hi: number) => Int32Array.from({ length: n }, () => rng.int(hi));

/** Runs `encode` twice into NaN-poisoned outputs; asserts bit-identical reruns; returns run 1. */
async function twice(
  gpu: Gpu,
  outs: Tensor[],
  encode: (enc: ReturnType<Gpu["encoder"]>) => void,
  init?: () => void,
): Promise<HostArray[]> {
  const runs: HostArray[][] = [];
  for (let r = 0; r < 2; r++) {
    if (init) init();
    else for (const o of outs) gpu.write(o, new Float32Array(o.size).fill(NaN));
    const enc = gpu.encoder();
    encode(enc);
    gpu.submit(enc);
    runs.push(await gpu.read(outs));
  }
  runs[0].forEach((a, i) => assert.ok(bitEqual(a, runs[1][i]), `rerun of output ${i} differs`));
  return runs[0];
}

gpuTest(
  "decode embedding: per-row positions, with and without wpe, vocabulary chunks",
  async (gpu) => {
    const rng = new Rng(1);
    // (B, V, C, P); the last case binds wte in chunks of a few rows.
    const cases = [
      { b: 1, v: 5, c: 3, p: 4 },
      { b: 7, v: 97, c: 13, p: 11 },
      { b: 33, v: 300, c: 64, p: 50, chunk: 3 * 64 * 4 },
    ];
    for (const { b, v, c, p, chunk } of cases) {
      const wte = rng.uniformArray(v * c), wpe = rng.uniformArray(p * c);
      const tokens = ints(rng, b, v), positions = ints(rng, b, p);
      const tWte = gpu.upload(wte, [v, c], { label: "wte" });
      const tWpe = gpu.upload(wpe, [p, c], { label: "wpe" });
      const tTok = gpu.upload(tokens), tPos = gpu.upload(positions);
      const out = poisoned(gpu, [b, c]), outPos = poisoned(gpu, [b, c], "out pos");
      const [got, gotPos] = await twice(gpu, [out, outPos], (enc) => {
        // Gemma's √C scale on the token rows.
        decodeEmbedding(enc, { out, tokens: tTok, wte: tWte, maxBindingBytes: chunk, scale: 1.5 });
        decodeEmbedding(enc, {
          out: outPos,
          tokens: tTok,
          wte: tWte,
          wpe: tWpe,
          positions: tPos,
          maxBindingBytes: chunk,
        });
      });
      const at = `(B, V, C, P) = (${b}, ${v}, ${c}, ${p})`;
      assertClose(got, ref.decodeEmbedding(tokens, wte, { channels: c, scale: 1.5 }), {
        label: at,
      });
      assertClose(gotPos, ref.decodeEmbedding(tokens, wte, { channels: c, wpe, positions }), {
        label: `${at} with wpe`,
      });
      for (const t of [tWte, tWpe, tTok, tPos, out, outPos]) t.release();
    }
  },
);

gpuTest("decode embedding: a bad token or position gives a NaN row", async (gpu) => {
  const wte = gpu.upload(new Float32Array([1, 2, 3, 4]), [2, 2]);
  const wpe = gpu.upload(new Float32Array([0, 0, 1, 1]), [2, 2]);
  const tokens = gpu.upload(new Int32Array([1, 5, 0])),
    positions = gpu.upload(new Int32Array([1, 0, 2]));
  const out = poisoned(gpu, [3, 2]);
  gpu.write(out, new Float32Array(6).fill(7));
  const enc = gpu.encoder();
  decodeEmbedding(enc, { out, tokens, wte, wpe, positions });
  gpu.submit(enc);
  const [got] = await gpu.read([out]);
  assert.deepEqual([...got.slice(0, 2)], [4, 5]);
  assert.ok([...got.slice(2)].every(Number.isNaN));
  for (const t of [wte, wpe, tokens, positions, out]) t.release();
});

gpuTest("decode rope: per-row positions match float64, in place, bit-identical", async (gpu) => {
  const rng = new Rng(2);
  const cases = [
    { b: 1, nh: 1, hs: 2, p: 3, theta: 10000 },
    { b: 5, nh: 3, hs: 6, p: 40, theta: 10000 },
    { b: 17, nh: 8, hs: 64, p: 300, theta: 1e6 },
    // partial rotary (Phi-4-mini's 3/4, GPT-NeoX's 1/4): the last HS − R elements pass through
    { b: 3, nh: 2, hs: 10, p: 30, theta: 10000, r: 6 },
    { b: 4, nh: 3, hs: 16, p: 50, theta: 10000, r: 4 },
  ];
  for (const { b, nh, hs, p, theta, r = hs } of cases) {
    const table = ropeTable({ maxPositions: p, headSize: r, theta });
    const cos = gpu.upload(table.cos, [p, r / 2]), sin = gpu.upload(table.sin, [p, r / 2]);
    const x = rng.uniformArray(b * nh * hs), positions = ints(rng, b, p);
    const src = gpu.upload(x, [b, nh, hs]), tPos = gpu.upload(positions);
    const xy = poisoned(gpu, [b, nh, hs], "x");
    const [got] = await twice(gpu, [xy], (enc) => {
      enc.copy(src, xy);
      const sizes = { nHeads: nh, headSize: hs, rotaryDim: r };
      decodeRope(enc, { x: xy, positions: tPos, cos, sin, ...sizes });
    });
    const sizes = { nHeads: nh, headSize: hs, rotaryDim: r, theta };
    const want = ref.decodeRope(x, positions, sizes);
    assertClose(got, want, { label: `(B, NH, HS) = (${b}, ${nh}, ${hs}), R ${r}, θ ${theta}` });
    // The pass-through elements are the input's, bit for bit.
    for (let i = 0; i < x.length; i++) {
      if (i % hs >= r) assert.equal(got[i], x[i], `pass-through element ${i}, R ${r}`);
    }
    for (const t of [cos, sin, src, tPos, xy]) t.release();
  }
});

gpuTest("kv append: prefill and per-row appends write exactly their rows", async (gpu) => {
  const rng = new Rng(3);
  const cases = [
    { b: 1, tMax: 1, t: 1, w: 1 },
    { b: 3, tMax: 11, t: 5, w: 6 },
    { b: 6, tMax: 67, t: 13, w: 64 },
  ];
  for (const { b, tMax, t, w } of cases) {
    const prefix = rng.uniformArray(b * t * w), step = rng.uniformArray(b * w);
    // Positions anywhere after the prefix, one at the cache's end, one past it (dropped).
    const positions = Int32Array.from(
      { length: b },
      (_, i) =>
        i === 1 ? tMax : i === 2 ? tMax - 1 : t + rng.int(tMax - t + 1) - (tMax === t ? 1 : 0),
    );
    const tPrefix = gpu.upload(prefix, [b, t, w]), tStep = gpu.upload(step, [b, 1, w]);
    const tPos = gpu.upload(positions);
    const cache = poisoned(gpu, [b, tMax, w], "cache");
    const [got] = await twice(gpu, [cache], (enc) => {
      kvAppend(enc, { cache, src: tPrefix });
      kvAppend(enc, { cache, src: tStep, positions: tPos });
    });
    const sizes = { batch: b, maxLen: tMax, width: w };
    let want = ref.kvAppend(new Float64Array(b * tMax * w).fill(NaN), prefix, sizes);
    want = ref.kvAppend(want, step, { ...sizes, positions });
    const at = `(B, Tmax, T, W) = (${b}, ${tMax}, ${t}, ${w})`;
    assertClose(got, want, { label: at });
    // Rows never written stay NaN: the kernel touches nothing else.
    got.forEach((x, i) => assert.equal(Number.isNaN(x), Number.isNaN(want[i]), `${at} at ${i}`));
    for (const x of [tPrefix, tStep, tPos, cache]) x.release();
  }
});

interface AttnCase {
  b: number;
  tMax: number;
  nh: number;
  nkv: number;
  hs: number;
  /** Sliding window W. */
  window?: number;
  /** Soft-cap of the scores. */
  softcap?: number;
}

async function checkAttention(gpu: Gpu, rng: Rng, c: AttnCase, maxWg?: number): Promise<void> {
  const { b, tMax, nh, nkv, hs } = c;
  const positions = Int32Array.from({ length: b }, (_, i) => i === 0 ? tMax - 1 : rng.int(tMax));
  const q = rng.uniformArray(b * nh * hs, -2, 2);
  const k = rng.uniformArray(b * tMax * nkv * hs, -2, 2);
  const v = rng.uniformArray(b * tMax * nkv * hs);
  // Entries past each row's position (or before its window) are stale: NaN, so reading one would
  // show.
  for (let r = 0; r < b; r++) {
    for (let j = 0; j < tMax; j++) {
      if (j <= positions[r] && j > positions[r] - (c.window ?? Infinity)) continue;
      k.fill(NaN, (r * tMax + j) * nkv * hs, (r * tMax + j + 1) * nkv * hs);
      v.fill(NaN, (r * tMax + j) * nkv * hs, (r * tMax + j + 1) * nkv * hs);
    }
  }
  const tq = gpu.upload(q, [b, nh, hs]), tPos = gpu.upload(positions);
  const tk = gpu.upload(k, [b, tMax, nkv, hs]), tv = gpu.upload(v, [b, tMax, nkv, hs]);
  const out = poisoned(gpu, [b, nh, hs]);
  const [got] = await twice(gpu, [out], (enc) => {
    decodeAttention(enc, {
      out,
      q: tq,
      kCache: tk,
      vCache: tv,
      positions: tPos,
      nHeads: nh,
      nKvHeads: nkv,
      window: c.window,
      softcap: c.softcap,
      maxWorkgroupsPerDimension: maxWg,
    });
  });
  const want = ref.decodeAttention({ q, kCache: k, vCache: v, positions }, {
    batch: b,
    maxLen: tMax,
    nHeads: nh,
    nKvHeads: nkv,
    headSize: hs,
    window: c.window,
    softcap: c.softcap,
  });
  const m = assertClose(got, want, {
    label: `(B, Tmax, NH, NKV, HS, W) = (${Object.values(c)})`,
  });
  assert.ok(m.relError < 1e-5);
  for (const t of [tq, tPos, tk, tv, out]) t.release();
}

gpuTest("decode attention: one query per row over its cache matches float64", async (gpu) => {
  const rng = new Rng(4);
  const cases: AttnCase[] = [
    { b: 1, tMax: 1, nh: 1, nkv: 1, hs: 2 },
    { b: 3, tMax: 70, nh: 4, nkv: 2, hs: 8 }, // two key chunks of 64
    { b: 5, tMax: 200, nh: 6, nkv: 3, hs: 6 }, // HS not a multiple of 4
    { b: 2, tMax: 29, nh: 2, nkv: 1, hs: 96 }, // 128 invocations
    // Sliding windows: one key, a window inside one chunk, one straddling two chunks.
    { b: 3, tMax: 70, nh: 4, nkv: 2, hs: 8, window: 1 },
    { b: 3, tMax: 70, nh: 4, nkv: 2, hs: 8, window: 9 },
    { b: 5, tMax: 200, nh: 6, nkv: 3, hs: 6, window: 100 },
    { b: 3, tMax: 70, nh: 4, nkv: 2, hs: 8, softcap: 0.9 }, // Gemma 2's soft-capped scores
  ];
  for (const c of cases) await checkAttention(gpu, rng, c);
});

gpuTest("decode attention and gather split launches past the workgroup limit", async (gpu) => {
  const rng = new Rng(5);
  await checkAttention(gpu, rng, { b: 5, tMax: 9, nh: 3, nkv: 1, hs: 4 }, 4); // 15 groups
  // C 150: 1050 elements, 5 groups of 256 (3 × 2); C 296: 518 vec4s, 3 groups (2 × 2).
  for (const [c, limit] of [[150, 3], [296, 2]]) {
    const n = 13, b = 7;
    const x = rng.uniformArray(n * c), indices = ints(rng, b, n);
    const tx = gpu.upload(x, [n, c]), ti = gpu.upload(indices), out = poisoned(gpu, [b, c]);
    const [got] = await twice(gpu, [out], (enc) => {
      gatherRows(enc, { out, x: tx, indices: ti, maxWorkgroupsPerDimension: limit });
    });
    assertClose(got, ref.gatherRows(x, indices, c), { rtol: 0, label: `C ${c}` });
    for (const t of [tx, ti, out]) t.release();
  }
});

gpuTest("gather rows: last positions of each row", async (gpu) => {
  const rng = new Rng(6);
  // C a multiple of 4 (128, 4) takes the vec4f entry point, the others the scalar one.
  for (const [n, c, b] of [[1, 1, 1], [10, 7, 3], [64, 129, 9], [40, 128, 11], [3, 4, 5]]) {
    const x = rng.uniformArray(n * c), indices = ints(rng, b, n);
    const tx = gpu.upload(x, [n, c]), ti = gpu.upload(indices), out = poisoned(gpu, [b, c]);
    const entries: string[] = [];
    const [got] = await twice(gpu, [out], (enc) => {
      const dispatch = enc.dispatch.bind(enc);
      enc.dispatch = (d) => {
        entries.push(d.kernel.entryPoint);
        dispatch(d);
      };
      gatherRows(enc, { out, x: tx, indices: ti });
    });
    assert.equal(entries[0], c % 4 === 0 ? "gather4" : "gather", `C ${c}`);
    assertClose(got, ref.gatherRows(x, indices, c), {
      rtol: 0,
      label: `(N, C, B) = (${n}, ${c}, ${b})`,
    });
    for (const t of [tx, ti, out]) t.release();
  }
});

gpuTest(
  "gather rows: −1 gives a zero row, any other index outside the rows a NaN row",
  async (gpu) => {
    const rng = new Rng(16);
    for (const c of [67, 68]) { // scalar and vec4f
      const n = 9;
      const x = rng.uniformArray(n * c), indices = Int32Array.from([4, -1, 8, 9, -2, 0, -1]);
      const tx = gpu.upload(x, [n, c]), ti = gpu.upload(indices);
      const out = poisoned(gpu, [indices.length, c]);
      const [got] = await twice(gpu, [out], (enc) => gatherRows(enc, { out, x: tx, indices: ti }));
      const want = ref.gatherRows(x, indices, c);
      indices.forEach((r, b) => {
        const row = got.slice(b * c, (b + 1) * c), wantRow = want.slice(b * c, (b + 1) * c);
        if (r === -1) assert.ok(row.every((v) => Object.is(v, 0)), `row ${b} (index -1) is +0`);
        else if (r < 0 || r >= n) {
          assert.ok(row.every(Number.isNaN), `row ${b} (index ${r}) is NaN`);
        } else assertClose(row, wantRow, { rtol: 0, label: `row ${b}` });
      });
      assert.ok(
        want.slice(3 * c, 5 * c).every(Number.isNaN) && want[c] === 0,
        "the reference agrees",
      );
      for (const t of [tx, ti, out]) t.release();
    }
  },
);

gpuTest("gather rows with a second index adds the two rows (−1: nothing)", async (gpu) => {
  const rng = new Rng(17);
  for (const c of [130, 132]) { // scalar and vec4f
    const n = 11;
    const x = rng.uniformArray(n * c);
    const indices = Int32Array.from([3, -1, 10, 0, 7]), plus = Int32Array.from([5, 2, -1, 0, -1]);
    const tx = gpu.upload(x, [n, c]), ti = gpu.upload(indices), tp = gpu.upload(plus);
    const out = poisoned(gpu, [indices.length, c]);
    const [got] = await twice(gpu, [out], (enc) => {
      gatherRows(enc, { out, x: tx, indices: ti, plus: tp, maxWorkgroupsPerDimension: 2 });
    });
    assertClose(got, ref.gatherRows(x, indices, c, plus), { rtol: 1e-7 });
    // Row 3 is x[0] twice; row 4 is x[7] alone.
    assert.equal(got[3 * c + 5], Math.fround(2 * Math.fround(x[5])));
    assert.equal(got[4 * c + 1], Math.fround(x[7 * c + 1]));
    for (const t of [tx, ti, tp, out]) t.release();
  }
});

gpuTest("decode launchers refuse bad shapes and oversized bindings, naming the tensor", (gpu) => {
  const enc = gpu.encoder();
  const q = gpu.tensor([2, 4, 8], { label: "q" }), pos = gpu.upload(new Int32Array([1, 2]));
  const kc = gpu.tensor([2, 5, 2, 8], { label: "k cache" }),
    vc = gpu.tensor([2, 5, 1, 8], { label: "v cache" });
  assert.throws(
    () =>
      decodeAttention(enc, {
        out: q,
        q,
        kCache: kc,
        vCache: vc,
        positions: pos,
        nHeads: 4,
        nKvHeads: 2,
      }),
    /"v cache" has 80 elements, expected 160/,
  );
  assert.throws(
    () =>
      decodeAttention(enc, {
        out: q,
        q,
        kCache: kc,
        vCache: kc,
        positions: pos,
        nHeads: 4,
        nKvHeads: 3,
      }),
    /nKvHeads \(3\) must divide nHeads \(4\)/,
  );
  const src = gpu.tensor([2, 6, 16], { label: "prompt k" });
  assert.throws(() => kvAppend(enc, { cache: kc.view(0, [2, 5, 16]), src }), /6 rows do not fit/);
  assert.throws(
    () => decodeRope(enc, { x: q, positions: pos, cos: q, sin: q, nHeads: 4, headSize: 7 }),
    /rotaryDim must be even and at most headSize 7, got 7/,
  );
  assert.throws(
    () =>
      decodeRope(enc, {
        x: q,
        positions: pos,
        cos: q,
        sin: q,
        nHeads: 4,
        headSize: 8,
        rotaryDim: 10,
      }),
    /rotaryDim must be even and at most headSize 8, got 10/,
  );
  // A cache one row past the largest binding: refused with the device's limit named.
  const max = gpu.limits.maxStorageBufferBindingSize;
  const w = 256, rows = Math.floor(max / (w * 4)) + 1;
  const buffer = gpu.device.createBuffer({ size: rows * w * 4, usage: GPUBufferUsage.STORAGE });
  const big = new Tensor(buffer, [1, rows, w], { label: "huge cache" });
  const step = gpu.tensor([1, 1, w], { label: "step" }), one = gpu.upload(new Int32Array([0]));
  assert.throws(
    () => kvAppend(enc, { cache: big, src: step, positions: one }),
    /"huge cache" spans \d+ bytes, more than this device binds at once/,
  );
  buffer.destroy();
  for (const t of [q, pos, kc, vc, src, step, one]) t.release();
});

gpuTest("decode: a KV cache past a CPU adapter's loop limit is refused, not run", (gpu) => {
  // 20 000 cached positions at head size 64: ≈ 4 loop iterations per key in one invocation, past
  // llvmpipe's 65 535; a GPU runs it.
  const enc = gpu.encoder();
  const q = gpu.tensor([1, 1, 64]),
    out = gpu.tensor([1, 1, 64]),
    pos = gpu.upload(new Int32Array([19_999]));
  const kc = gpu.tensor([1, 20_000, 1, 64]), vc = gpu.tensor([1, 20_000, 1, 64]);
  const run = () =>
    decodeAttention(enc, {
      out,
      q,
      kCache: kc,
      vCache: vc,
      positions: pos,
      nHeads: 1,
      nKvHeads: 1,
    });
  if (gpu.isCpu) assert.throws(run, /a KV cache of 20000 positions .* at most \d+ positions/);
  else run();
  gpu.submit(enc);
  for (const t of [q, out, pos, kc, vc]) t.release();
});
