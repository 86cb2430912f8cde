import assert from "node:assert/strict";
import { gradNorm, gradNormSlots, partialSums, sum } from "../kernels/reduce.ts";
import * as ref from "../kernels/reference.ts";
import { gradNorm as refGradNorm } from "../kernels/reference/reduce.ts";
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

const GRAD_SIZES = [[1], [7], [257], [1000, 3], [65_537], [300_001]];

gpuTest("reduce: global grad norm and clip scale match float64, bit-identically", async (gpu) => {
  const rng = new Rng(13);
  const host = GRAD_SIZES.map((s) => rng.uniformArray(s.reduce((a, b) => a * b), -1, 1));
  const grads = host.map((h, i) => gpu.upload(h, GRAD_SIZES[i], { label: `g${i}` }));
  for (const maxNorm of [1, 1e6, 0, Infinity]) {
    const out = poisoned(gpu, [2]);
    const runs = [];
    for (let r = 0; r < 2; r++) {
      const enc = gpu.encoder();
      gradNorm(enc, { grads, out, maxNorm });
      gpu.submit(enc);
      runs.push((await gpu.read([out]))[0]);
    }
    const want = refGradNorm(host, maxNorm);
    assertClose(runs[0], [want.norm, want.clipScale], { label: `maxNorm ${maxNorm}` });
    if (!(maxNorm > 0 && maxNorm < Infinity)) assert.equal(runs[0][1], 1);
    assert.ok(bitEqual(runs[0], runs[1]), "reruns differ");
    out.release();
  }
  // Subsets of the same tensors give a different (smaller) norm: every slot is counted once.
  const out = poisoned(gpu, [2]);
  const enc = gpu.encoder();
  gradNorm(enc, { grads: grads.slice(0, 3), out, maxNorm: 1 });
  gpu.submit(enc);
  const [got] = await gpu.read([out]);
  assertClose(got, Object.values(refGradNorm(host.slice(0, 3), 1)));
  for (const t of [...grads, out]) t.release();
});

gpuTest("reduce: grad norm splits tensors larger than one binding", async (gpu) => {
  const rng = new Rng(14);
  const host = [rng.uniformArray(10_001), rng.uniformArray(5)];
  const grads = host.map((h) => gpu.upload(h));
  // Views into one flat buffer, as a trainer keeps its gradients, at aligned offsets.
  const flat = gpu.tensor([10_240 + 64]);
  const views = [flat.view(0, [10_001]), flat.view(10_240, [5])];
  gpu.write(flat, new Float32Array(10_304));
  const out = poisoned(gpu, [2]), split = poisoned(gpu, [2]), viewed = poisoned(gpu, [2]);
  const maxBindingBytes = 4096;
  const scratch = gpu.tensor([gradNormSlots(gpu, grads, maxBindingBytes)]);
  const enc = gpu.encoder();
  enc.copy(grads[0], views[0]);
  enc.copy(grads[1], views[1]);
  gradNorm(enc, { grads, out, maxNorm: 2 });
  gradNorm(enc, { grads, out: split, maxNorm: 2, maxBindingBytes, scratch });
  gradNorm(enc, { grads: views, out: viewed, maxNorm: 2, maxBindingBytes });
  gpu.submit(enc);
  const [a, b, c] = await gpu.read([out, split, viewed]);
  const want = refGradNorm(host, 2);
  assert.ok(scratch.size > 10, "expected ≥ 10 ranges");
  for (const got of [a, b, c]) assertClose(got, [want.norm, want.clipScale]);
  assert.ok(bitEqual(b, c));
  assert.throws(
    () => gradNorm(enc, { grads, out, maxNorm: 1, scratch: scratch.view(0, [2]) }),
    /needs \d+ elements/,
  );
  assert.throws(() => gradNorm(enc, { grads, out, maxNorm: 1, maxBindingBytes: 8 }), RangeError);
  for (const t of [...grads, flat, out, split, viewed, scratch]) t.release();
});

gpuTest("reduce: a NaN gradient gives a NaN norm and clip scale; Inf clips to 0", async (gpu) => {
  const cases: [number, number, number][] = [[NaN, NaN, NaN], [Infinity, Infinity, 0]];
  for (const [bad, norm, clip] of cases) {
    const x = new Rng(15).uniformArray(2049);
    x[1234] = bad;
    const g0 = gpu.upload(x), g1 = gpu.upload(new Float32Array([1, 2]));
    const out = poisoned(gpu, [2]), noClip = poisoned(gpu, [2]);
    const enc = gpu.encoder();
    gradNorm(enc, { grads: [g1, g0], out, maxNorm: 1 });
    gradNorm(enc, { grads: [g1, g0], out: noClip, maxNorm: 0 });
    gpu.submit(enc);
    const [got, got2] = await gpu.read([out, noClip]);
    assert.ok(Object.is(got[0], norm) && Object.is(got[1], clip), `${bad}: got ${got}`);
    assert.ok(Object.is(got2[0], norm) && got2[1] === 1, `${bad}, no clipping: got ${got2}`);
    for (const t of [g0, g1, out, noClip]) t.release();
  }
});

Deno.test("reduce: reference grad norm and clip scale", () => {
  assert.deepEqual(refGradNorm([[3], [4]], 10), { norm: 5, clipScale: 1 });
  assert.ok(Math.abs(refGradNorm([[3], [4]], 1).clipScale - 1 / (5 + 1e-6)) < 1e-15);
  assert.ok(Number.isNaN(refGradNorm([[NaN]], 1).clipScale));
  assert.equal(refGradNorm([[Infinity]], 1).clipScale, 0);
  assert.equal(refGradNorm([[NaN]], Infinity).clipScale, 1);
});
