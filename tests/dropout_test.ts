import assert from "node:assert/strict";
import * as ref from "../kernels/reference.ts";
import { dropout } from "../kernels/dropout.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

const SIZES = [1, 7, 255, 257, 4099];

gpuTest("dropout matches the reference mask and product, overwriting or adding", async (gpu) => {
  const rng = new Rng(1);
  for (const n of SIZES) {
    for (const [p, seed] of [[0.1, 5], [0.5, -3], [0, 9]]) {
      const x = rng.uniformArray(n, 0.5, 1.5), add = rng.uniformArray(n);
      const tx = gpu.upload(x), out = poisoned(gpu, [n]), acc = gpu.upload(add);
      const enc = gpu.encoder();
      dropout(enc, { out, x: tx, p, seed });
      dropout(enc, { out: acc, x: tx, p, seed, accumulate: true });
      gpu.submit(enc);
      const [got, gotAcc] = await gpu.read([out, acc]);
      const label = `N=${n} p=${p}`;
      // The same elements dropped as the reference's mask (x is never 0), the kept ones scaled.
      const keep = ref.dropoutMask(n, p, seed);
      for (let i = 0; i < n; i++) assert.equal(got[i] !== 0, keep[i] === 1, `${label} [${i}]`);
      assertClose(got, ref.dropoutForward(x, Math.fround(p), seed), { rtol: 1e-6, label });
      assertClose(gotAcc, ref.dropoutForward(x, Math.fround(p), seed, add), { rtol: 1e-6, label });
      if (p === 0) assert.ok(bitEqual(got, x), "p = 0 keeps x as it is");
      for (const t of [tx, out, acc]) t.release();
    }
  }
});

Deno.test("dropout's mask drops a share p, differs by seed and repeats for a seed", () => {
  const n = 100_000;
  for (const p of [0.05, 0.1, 0.5]) {
    const dropped = n - ref.dropoutMask(n, p, 42).reduce((s, k) => s + k, 0);
    const sigma = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(dropped - n * p) < 5 * sigma, `p=${p}: ${dropped} of ${n} dropped`);
  }
  const [a, b, a2] = [1, 2, 1].map((seed) => ref.dropoutMask(4096, 0.5, seed));
  assert.deepEqual(a, a2);
  const same = a.reduce((s, k, i) => s + (k === b[i] ? 1 : 0), 0);
  assert.ok(same > 1800 && same < 2300, `seeds 1 and 2 agree on ${same} of 4096`);
});

Deno.test("dropout reference: its own transpose, as finite differences confirm", () => {
  const rng = new Rng(3), n = 13, p = 0.3, seed = 11;
  const x = Float64Array.from(rng.uniformArray(n)), w = Float64Array.from(rng.uniformArray(n));
  // L = Σ w·drop(x): dL/dx = drop(w), the backward the kernel runs with the same seed.
  const fd = finiteDifference((v) => dot(w, ref.dropoutForward(v, p, seed)), x);
  assertClose(ref.dropoutForward(w, p, seed), fd, { rtol: 1e-8 });
});

gpuTest("dropout splits a dispatch wider than 65535 workgroups", async (gpu) => {
  const n = 256 * gpu.limits.maxComputeWorkgroupsPerDimension + 301;
  const x = new Rng(4).uniformArray(n, 1, 2), tx = gpu.upload(x), out = poisoned(gpu, [n]);
  const enc = gpu.encoder();
  dropout(enc, { out, x: tx, p: 0.25, seed: 8 });
  gpu.submit(enc);
  const [got] = await gpu.read([out]);
  const keep = ref.dropoutMask(n, 0.25, 8);
  for (const i of [0, n - 301, n - 1]) {
    assert.equal(got[i], keep[i] ? Math.fround(x[i] * Math.fround(1 / 0.75)) : 0);
  }
  assert.ok(got.every((v) => Number.isFinite(v)), "every element written");
  tx.release();
  out.release();
});
