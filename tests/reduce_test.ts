import assert from "node:assert/strict";
import { partialSums, sum } from "../kernels/reduce.ts";
import * as ref from "../kernels/reference.ts";
import { assertClose } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

const SIZES = [1, 3, 255, 257, 1025, 65_537, 1_000_003];

for (const square of [false, true]) {
  const what = square ? "sum of squares" : "sum";
  gpuTest(`reduce: ${what} matches float64 and reruns bit-identically`, async (gpu) => {
    const rng = new Rng(square ? 11 : 10);
    for (const n of SIZES) {
      // Mostly positive inputs keep the sum away from zero, where relative error is meaningless.
      const x = rng.uniformArray(n, -0.5, 1);
      const tx = gpu.upload(x), out = poisoned(gpu, [3]);
      const results = [];
      for (let r = 0; r < 2; r++) {
        const enc = gpu.encoder();
        sum(enc, { out, x: tx, outOffset: 1, square });
        gpu.submit(enc);
        results.push((await gpu.read([out]))[0]);
      }
      assertClose([results[0][1]], [ref.sum(x, { square })], { rtol: 1e-6, label: `N=${n}` });
      assert.ok(Number.isNaN(results[0][0]) && Number.isNaN(results[0][2]), "wrote outside");
      assert.ok(bitEqual(results[0], results[1]), `N=${n}: reruns differ`);
      tx.release();
      out.release();
    }
  });
}

gpuTest("reduce: partial sums land at their offset and add up", async (gpu) => {
  const n = 10_001, groups = 7;
  const x = new Rng(12).uniformArray(n, 0, 1);
  const tx = gpu.upload(x), out = poisoned(gpu, [2 + groups]);
  const enc = gpu.encoder();
  partialSums(enc, { out, x: tx, groups, outOffset: 2 });
  gpu.submit(enc);
  const [got] = await gpu.read([out]);
  assert.ok(Number.isNaN(got[0]) && Number.isNaN(got[1]));
  const parts = got.slice(2);
  assert.ok(parts.every((v) => Number.isFinite(v) && v > 0));
  assertClose([ref.sum(parts)], [ref.sum(x)], { rtol: 1e-6 });
  assert.throws(() => partialSums(enc, { out, x: tx, groups: 8, outOffset: 2 }), RangeError);
  tx.release();
  out.release();
});
