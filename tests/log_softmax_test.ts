import assert from "node:assert/strict";
import type { HostArray } from "../kernels/gpu.ts";
import {
  crossEntropy,
  logSoftmaxBackward,
  logSoftmaxGather,
  maskedRowSums,
  tokenCoef,
} from "../kernels/log_softmax.ts";
import * as ref from "../kernels/reference/log_softmax.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

/** (R, V): R = 1, V prime, V = the tile, GPT-2's and Qwen2's vocabularies. */
const SHAPES: [number, number][] = [[1, 97], [5, 256], [6, 1031], [3, 50257], [2, 151936]];

function inputs(rng: Rng, rows: number, v: number) {
  const logits = rng.normalArray(rows * v, 0.5, 2);
  // Every third row ignored (target −1), the rest random ids.
  const targets = Int32Array.from({ length: rows }, (_, r) => r % 3 === 2 ? -1 : rng.int(v));
  return { logits, targets };
}

gpuTest(
  "log_softmax forward matches float64 at 5 shapes and reruns bit-identically",
  async (gpu) => {
    const rng = new Rng(40);
    for (const [rows, v] of SHAPES) {
      const { logits, targets } = inputs(rng, rows, v);
      const tl = gpu.upload(logits, [rows, v]), tt = gpu.upload(targets);
      const runs: HostArray[][] = [];
      for (let r = 0; r < 2; r++) {
        const logp = poisoned(gpu, [rows], "logp"), lse = poisoned(gpu, [rows], "lse");
        const logitSum = poisoned(gpu, [rows], "logitSum");
        const logSumSq = poisoned(gpu, [rows], "logSumSq");
        const [logp2, lse2] = [poisoned(gpu, [rows], "logp2"), poisoned(gpu, [rows], "lse2")];
        const enc = gpu.encoder();
        logSoftmaxGather(enc, { logits: tl, targets: tt, logp, lse, logitSum });
        // With WPO's log Σ p²: the other outputs unchanged, bit for bit.
        const withSq = { logits: tl, targets: tt, logp: logp2, lse: lse2, logitSum, logSumSq };
        logSoftmaxGather(enc, withSq);
        gpu.submit(enc);
        runs.push(await gpu.read([logp, lse, logitSum, logSumSq, logp2, lse2]));
        for (const t of [logp, lse, logitSum, logSumSq, logp2, lse2]) t.release();
      }
      const want = ref.logSoftmaxGather(logits, targets, v);
      const label = `R=${rows} V=${v}`;
      assertClose(runs[0][0], want.logp, { label: `${label} logp` });
      assertClose(runs[0][1], want.lse, { label: `${label} lse` });
      assertClose(runs[0][2], want.logitSum, { label: `${label} logitSum` });
      assertClose(runs[0][3], want.logSumSq, { label: `${label} logSumSq` });
      assert.ok(bitEqual(runs[0][0], runs[0][4]) && bitEqual(runs[0][1], runs[0][5]));
      runs[0].forEach((a, i) => assert.ok(bitEqual(a, runs[1][i]), `${label}: rerun ${i} differs`));
      tl.release();
      tt.release();
    }
  },
);

gpuTest("log_softmax forward: large logits stay finite; target ≥ V gives NaN", async (gpu) => {
  const v = 300;
  const logits = new Rng(41).normalArray(2 * v, 0, 1);
  logits[5] = 90; // exp(90) overflows f32 without the max subtraction
  logits[v + 7] = -200;
  const targets = new Int32Array([5, v]);
  const tl = gpu.upload(logits, [2, v]), tt = gpu.upload(targets);
  const logp = poisoned(gpu, [2]), lse = poisoned(gpu, [2]);
  const enc = gpu.encoder();
  logSoftmaxGather(enc, { logits: tl, targets: tt, logp, lse });
  gpu.submit(enc);
  const [gl, gs] = await gpu.read([logp, lse]);
  const want = ref.logSoftmaxGather(logits, targets, v);
  assertClose(gs, want.lse);
  assertClose([gl[0]], [want.logp[0]], { atol: 1e-6 });
  assert.ok(Number.isNaN(gl[1]), "an out-of-vocabulary target must poison the loss");
  for (const t of [tl, tt, logp, lse]) t.release();
});

gpuTest("log_softmax backward matches the reference, out of place and in place", async (gpu) => {
  const rng = new Rng(42);
  for (const [rows, v] of [[1, 97], [7, 257], [3, 50257]] as [number, number][]) {
    const { logits, targets } = inputs(rng, rows, v);
    const coef = rng.uniformArray(rows, 0.5, 2);
    const tl = gpu.upload(logits, [rows, v]), tt = gpu.upload(targets), tc = gpu.upload(coef);
    const logp = gpu.tensor([rows]), lse = gpu.tensor([rows]);
    const d1 = poisoned(gpu, [rows, v], "dLogits"), d2 = poisoned(gpu, [rows, v], "dLogits2");
    const inPlace = gpu.upload(logits, [rows, v], { label: "in place" });
    const enc = gpu.encoder();
    logSoftmaxGather(enc, { logits: tl, targets: tt, logp, lse });
    logSoftmaxBackward(enc, { logits: tl, lse, targets: tt, coef: tc, dLogits: d1 });
    logSoftmaxBackward(enc, { logits: tl, lse, targets: tt, coef: tc, dLogits: d2 });
    logSoftmaxBackward(enc, { logits: inPlace, lse, targets: tt, coef: tc });
    gpu.submit(enc);
    const [a, b, c] = await gpu.read([d1, d2, inPlace]);
    const want = ref.logSoftmaxBackward(logits, targets, coef, v);
    assertClose(a, want, { label: `R=${rows} V=${v} dLogits` });
    assert.ok(bitEqual(a, b), "reruns differ");
    assert.ok(bitEqual(a, c), "in place differs from out of place");
    for (const t of [tl, tt, tc, logp, lse, d1, d2, inPlace]) t.release();
  }
});

gpuTest(
  "log_softmax with padded rows (vocab < row stride) never touches the padding",
  async (gpu) => {
    // GPT-2's 50257 logits per row padded to 50260 (the model's classifier layout), and a small
    // case split into row blocks by a forced binding limit.
    const rng = new Rng(43);
    const cases: [number, number, number, number | undefined][] = [
      [3, 50257, 50260, undefined],
      [9, 97, 100, 1024],
    ];
    for (const [rows, v, ld, maxBindingBytes] of cases) {
      const { logits, targets } = inputs(rng, rows, v);
      const coef = rng.uniformArray(rows, 0.5, 2);
      const padded = new Float32Array(rows * ld).fill(NaN);
      for (let r = 0; r < rows; r++) padded.set(logits.subarray(r * v, (r + 1) * v), r * ld);
      const tl = gpu.upload(padded, [rows, ld]), tt = gpu.upload(targets), tc = gpu.upload(coef);
      const logp = poisoned(gpu, [rows], "logp"), lse = poisoned(gpu, [rows], "lse");
      const logitSum = poisoned(gpu, [rows], "logitSum");
      const enc = gpu.encoder();
      logSoftmaxGather(enc, {
        logits: tl,
        targets: tt,
        logp,
        lse,
        logitSum,
        vocab: v,
        maxBindingBytes,
      });
      logSoftmaxBackward(enc, {
        logits: tl,
        lse,
        targets: tt,
        coef: tc,
        vocab: v,
        maxBindingBytes,
      });
      gpu.submit(enc);
      const [gLogp, gLse, gSum, gD] = await gpu.read([logp, lse, logitSum, tl]);
      const want = ref.logSoftmaxGather(logits, targets, v);
      const label = `R=${rows} V=${v} ld=${ld}`;
      assertClose(gLogp, want.logp, { label: `${label} logp` });
      assertClose(gLse, want.lse, { label: `${label} lse` });
      assertClose(gSum, want.logitSum, { label: `${label} logitSum` });
      const d = gD as Float32Array, dense = new Float32Array(rows * v);
      for (let r = 0; r < rows; r++) {
        dense.set(d.subarray(r * ld, r * ld + v), r * v);
        for (let c = v; c < ld; c++) {
          assert.ok(Number.isNaN(d[r * ld + c]), `${label}: padding written`);
        }
      }
      assertClose(dense, ref.logSoftmaxBackward(logits, targets, coef, v), {
        label: `${label} dLogits`,
      });
      for (const t of [tl, tt, tc, logp, lse, logitSum]) t.release();
    }
    const t = gpu.tensor([2, 8]), i = gpu.upload(new Int32Array(2)), o = gpu.tensor([2]);
    assert.throws(
      () => logSoftmaxGather(gpu.encoder(), { logits: t, targets: i, logp: o, lse: o, vocab: 9 }),
      /vocab must be an integer in 1 … 8/,
    );
    for (const x of [t, i, o]) x.release();
  },
);

Deno.test("log_softmax reference backward matches finite differences of Σ coef·logp", () => {
  const rng = new Rng(43);
  const rows = 4, v = 7;
  const logits = Float64Array.from(rng.normalArray(rows * v, 0, 2));
  const targets = [3, -1, 0, 6], coef = rng.uniformArray(rows, -2, 2);
  for (const cap of [undefined, 1.5]) {
    const f = (x: Float64Array) => dot(coef, ref.logSoftmaxGather(x, targets, v, cap).logp);
    assertClose(
      ref.logSoftmaxBackward(logits, targets, coef, v, cap),
      finiteDifference(f, logits),
      { rtol: 1e-7, label: `softcap ${cap}` },
    );
  }
});

gpuTest(
  "log_softmax with a logit scale (Granite's 1/logits_scaling) matches float64",
  async (gpu) => {
    const rng = new Rng(46);
    const rows = 4, v = 97, k = 0.125;
    const logits = rng.normalArray(rows * v, 0, 8);
    const targets = Int32Array.from([3, -1, 96, 0]), coef = rng.uniformArray(rows, -2, 2);
    const tl = gpu.upload(logits, [rows, v]), tt = gpu.upload(targets), tc = gpu.upload(coef);
    const logp = poisoned(gpu, [rows], "logp"), lse = poisoned(gpu, [rows], "lse");
    const d = poisoned(gpu, [rows, v], "dLogits");
    const enc = gpu.encoder();
    logSoftmaxGather(enc, { logits: tl, targets: tt, logp, lse, logitScale: k });
    logSoftmaxBackward(enc, { logits: tl, lse, targets: tt, coef: tc, dLogits: d, logitScale: k });
    gpu.submit(enc);
    const [gLogp, gD] = await gpu.read([logp, d]);
    const scaled = Float64Array.from(logits, (x) => x * k);
    assertClose(gLogp, ref.logSoftmaxGather(scaled, targets, v).logp, { label: "scaled logp" });
    const want = ref.logSoftmaxBackward(scaled, targets, coef, v).map((g) => g * k);
    assertClose(gD, want, { label: "scaled dLogits" });
    for (const t of [tl, tt, tc, logp, lse, d]) t.release();
  },
);

gpuTest("log_softmax with a soft-cap (Gemma 2's final logits) matches float64", async (gpu) => {
  // Logits well past the cap, and ±1e30 (tanh must give ±1, not NaN).
  const rng = new Rng(45);
  const rows = 5, v = 301, cap = 5;
  const logits = rng.normalArray(rows * v, 0, 8);
  logits[7] = 1e30;
  logits[v + 3] = -1e30;
  logits[2 * v] = 0.001;
  const targets = Int32Array.from([7, 3, 0, -1, 300]);
  const coef = rng.uniformArray(rows, -2, 2);
  const tl = gpu.upload(logits, [rows, v]), tt = gpu.upload(targets), tc = gpu.upload(coef);
  const logp = poisoned(gpu, [rows], "logp"), lse = poisoned(gpu, [rows], "lse");
  const logitSum = poisoned(gpu, [rows], "logitSum"), d = poisoned(gpu, [rows, v], "dLogits");
  const enc = gpu.encoder();
  logSoftmaxGather(enc, { logits: tl, targets: tt, logp, lse, logitSum, softcap: cap });
  logSoftmaxBackward(enc, { logits: tl, lse, targets: tt, coef: tc, dLogits: d, softcap: cap });
  gpu.submit(enc);
  const [gLogp, gLse, gSum, gD] = await gpu.read([logp, lse, logitSum, d]);
  const want = ref.logSoftmaxGather(logits, targets, v, cap);
  assertClose(gLogp, want.logp, { label: "capped logp" });
  assertClose(gLse, want.lse, { label: "capped lse" });
  assertClose(gSum, want.logitSum, { label: "capped logitSum" });
  assertClose(gD, ref.logSoftmaxBackward(logits, targets, coef, v, cap), { label: "dLogits" });
  // The cap changes the result (so the test would see it ignored).
  const plain = ref.logSoftmaxGather(logits, targets, v);
  assert.ok(Math.abs(plain.lse[1] - want.lse[1]) > 1);
  for (const t of [tl, tt, tc, logp, lse, logitSum, d]) t.release();
});

gpuTest("log_softmax splits chunks larger than one binding by rows, or refuses", async (gpu) => {
  const rng = new Rng(44);
  const rows = 37, v = 97, maxBindingBytes = 4096; // 9 or 10 rows per binding
  const { logits, targets } = inputs(rng, rows, v);
  const coef = rng.uniformArray(rows, 0.5, 2);
  const tl = gpu.upload(logits, [rows, v]), tt = gpu.upload(targets), tc = gpu.upload(coef);
  const outs = [0, 1].map(() => ({
    logp: poisoned(gpu, [rows]),
    lse: poisoned(gpu, [rows]),
    logitSum: poisoned(gpu, [rows]),
    d: poisoned(gpu, [rows, v]),
  }));
  const enc = gpu.encoder();
  outs.forEach((o, i) => {
    const limit = i === 0 ? undefined : maxBindingBytes;
    logSoftmaxGather(enc, { logits: tl, targets: tt, ...o, maxBindingBytes: limit });
    logSoftmaxBackward(enc, {
      logits: tl,
      lse: o.lse,
      targets: tt,
      coef: tc,
      dLogits: o.d,
      maxBindingBytes: limit,
    });
  });
  const before = gpu.stats.dispatches;
  logSoftmaxGather(enc, { logits: tl, targets: tt, ...outs[1], maxBindingBytes });
  // Each block's range starts at the aligned element before its first row, so a block holds
  // ⌊(limit − (align − 1)) / V⌋ rows: 9 with 256-byte alignment, 10 with 32-byte alignment.
  const align = gpu.limits.minStorageBufferOffsetAlignment / 4;
  const perBlock = Math.floor((maxBindingBytes / 4 - (align - 1)) / v);
  assert.equal(
    gpu.stats.dispatches - before,
    Math.ceil(rows / perBlock),
    `${perBlock} rows per binding`,
  );
  gpu.submit(enc);
  const whole = await gpu.read(Object.values(outs[0]));
  const split = await gpu.read(Object.values(outs[1]));
  whole.forEach((a, i) => assert.ok(bitEqual(a, split[i]), `output ${i} differs when split`));
  assertClose(split[3], ref.logSoftmaxBackward(logits, targets, coef, v));
  const wide = gpu.tensor([2, 2000], { label: "wide logits" }),
    t2 = gpu.tensor([2], { dtype: "i32" }),
    f2 = gpu.tensor([2], { label: "f2" });
  assert.throws(
    () => logSoftmaxGather(enc, { logits: wide, targets: t2, logp: f2, lse: f2, maxBindingBytes }),
    /one row of "wide logits" \(V = 2000, 8000 bytes\) does not fit one binding/,
  );
  assert.throws(
    () => logSoftmaxGather(enc, { logits: tl, targets: tc, logp: tc, lse: tc }),
    /must be i32/,
  );
  assert.throws(
    () => logSoftmaxGather(enc, { logits: tl, targets: tt, logp: f2, lse: tc }),
    /"f2" has 2 elements, expected 37/,
  );
  for (const t of [tl, tt, tc, wide, t2, f2, ...outs.flatMap((o) => Object.values(o))]) t.release();
});

gpuTest("maskedRowSums and tokenCoef match float64 at 3 shapes", async (gpu) => {
  const rng = new Rng(45);
  for (const [b, t] of [[1, 1], [4, 33], [6, 1031]]) {
    const values = rng.uniformArray(b * t, -8, -0.1);
    const mask = Float32Array.from({ length: b * t }, (_, i) => (i % t) >= t / 3 ? 1 : 0);
    const rowGrad = rng.uniformArray(b, -1, 1);
    const tv = gpu.upload(values, [b, t]), tm = gpu.upload(mask, [b, t]);
    const tg = gpu.upload(rowGrad);
    const sums = poisoned(gpu, [b]), counts = poisoned(gpu, [b]), coef = poisoned(gpu, [b, t]);
    const runs: HostArray[][] = [];
    for (let r = 0; r < 2; r++) {
      const enc = gpu.encoder();
      maskedRowSums(enc, { values: tv, mask: tm, sums, counts });
      tokenCoef(enc, { rowGrad: tg, mask: tm, coef });
      gpu.submit(enc);
      runs.push(await gpu.read([sums, counts, coef]));
    }
    const want = ref.maskedRowSums(values, mask, t);
    const label = `B=${b} T=${t}`;
    assertClose(runs[0][0], want.sums, { label: `${label} sums` });
    assertClose(runs[0][1], want.counts, { label: `${label} counts` });
    assertClose(runs[0][2], ref.tokenCoef(rowGrad, mask, t), { label: `${label} coef` });
    runs[0].forEach((a, i) => assert.ok(bitEqual(a, runs[1][i]), `${label}: rerun differs`));
    for (const x of [tv, tm, tg, sums, counts, coef]) x.release();
  }
});

Deno.test("tokenCoef is the backward of maskedRowSums (finite differences)", () => {
  const rng = new Rng(46);
  const b = 3, t = 5;
  const values = Float64Array.from(rng.uniformArray(b * t, -3, 0));
  const mask = Float32Array.from({ length: b * t }, () => rng.int(2));
  const w = rng.uniformArray(b, -1, 1);
  const f = (x: Float64Array) => dot(w, ref.maskedRowSums(x, mask, t).sums);
  assertClose(ref.tokenCoef(w, mask, t), finiteDifference(f, values), { rtol: 1e-8 });
});

gpuTest("crossEntropy: SFT loss and coefficient on the GPU match float64", async (gpu) => {
  const rng = new Rng(47);
  for (const n of [1, 300, 5003]) {
    const logp = rng.uniformArray(n, -9, -0.01);
    const mask = Float32Array.from({ length: n }, (_, i) => i === 0 || rng.uniform() < 0.7 ? 1 : 0);
    const tp = gpu.upload(logp), tm = gpu.upload(mask);
    const loss = poisoned(gpu, [1]), coef = poisoned(gpu, [n]);
    const runs: HostArray[][] = [];
    for (let r = 0; r < 2; r++) {
      const enc = gpu.encoder();
      crossEntropy(enc, { logp: tp, mask: tm, loss, coef });
      gpu.submit(enc);
      runs.push(await gpu.read([loss, coef]));
    }
    const want = ref.crossEntropy(logp, mask);
    assertClose(runs[0][0], [want.loss], { label: `N=${n} loss` });
    assertClose(runs[0][1], want.coef, { label: `N=${n} coef` });
    assert.ok(bitEqual(runs[0][0], runs[1][0]) && bitEqual(runs[0][1], runs[1][1]));
    for (const x of [tp, tm, loss, coef]) x.release();
  }
  // No counted token: 0, not NaN.
  const tp = gpu.upload(new Float32Array([-1, -2])), tm = gpu.upload(new Float32Array(2));
  const loss = poisoned(gpu, [1]), coef = poisoned(gpu, [2]);
  const enc = gpu.encoder();
  crossEntropy(enc, { logp: tp, mask: tm, loss, coef });
  gpu.submit(enc);
  const [l, c] = await gpu.read([loss, coef]);
  assert.deepEqual([...l, ...c], [0, 0, 0]);
  for (const x of [tp, tm, loss, coef]) x.release();
});

Deno.test("crossEntropy reference coefficient matches finite differences", () => {
  const rng = new Rng(48);
  const logp = Float64Array.from(rng.uniformArray(9, -5, 0));
  const mask = [1, 0, 1, 1, 0, 1, 1, 1, 0];
  const { coef } = ref.crossEntropy(logp, mask);
  const fd = finiteDifference((x) => ref.crossEntropy(x, mask).loss, logp);
  assertClose(coef, fd, { rtol: 1e-8 });
});

gpuTest("log_softmax splits more than 65535 rows over several dispatches", async (gpu) => {
  const rows = gpu.limits.maxComputeWorkgroupsPerDimension + 2, v = 3;
  const rng = new Rng(49);
  const logits = rng.normalArray(rows * v, 0, 1);
  const targets = Int32Array.from({ length: rows }, () => rng.int(v));
  const coefH = rng.uniformArray(rows, 0.5, 1);
  const tl = gpu.upload(logits, [rows, v]), tt = gpu.upload(targets), coef = gpu.upload(coefH);
  const logp = poisoned(gpu, [rows]), lse = poisoned(gpu, [rows]), d = poisoned(gpu, [rows, v]);
  const enc = gpu.encoder();
  logSoftmaxGather(enc, { logits: tl, targets: tt, logp, lse });
  logSoftmaxBackward(enc, { logits: tl, lse, targets: tt, coef, dLogits: d });
  gpu.submit(enc);
  const [gl, gd] = await gpu.read([logp, d]);
  assertClose(gl, ref.logSoftmaxGather(logits, targets, v).logp);
  assertClose(gd, ref.logSoftmaxBackward(logits, targets, coefH, v));
  for (const t of [tl, tt, coef, logp, lse, d]) t.release();
});

gpuTest(
  "tokenCoef and crossEntropy scale their coefficients (gradient accumulation)",
  async (gpu) => {
    const rng = new Rng(48);
    const b = 3, t = 7, scale = 0.25;
    const mask = Float32Array.from({ length: b * t }, (_, i) => (i % t) >= 2 ? 1 : 0);
    const rowGrad = rng.uniformArray(b, -1, 1), logp = rng.uniformArray(b * t, -5, -0.1);
    const tm = gpu.upload(mask, [b, t]), tg = gpu.upload(rowGrad), tp = gpu.upload(logp);
    const c1 = poisoned(gpu, [b, t]), c2 = poisoned(gpu, [b * t]), loss = poisoned(gpu, [1]);
    const enc = gpu.encoder();
    tokenCoef(enc, { rowGrad: tg, mask: tm, coef: c1, scale });
    crossEntropy(enc, { logp: tp, mask: tm.view(0, [b * t]), loss, coef: c2, scale });
    gpu.submit(enc);
    const [g1, g2, l] = await gpu.read([c1, c2, loss]);
    assertClose(g1, ref.tokenCoef(rowGrad, mask, t).map((x) => scale * x));
    const want = ref.crossEntropy(logp, mask);
    assertClose(g2, want.coef.map((x) => scale * x));
    assertClose(l, [want.loss]); // the loss itself is not scaled
    for (const x of [tm, tg, tp, c1, c2, loss]) x.release();
  },
);
