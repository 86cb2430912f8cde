import assert from "node:assert/strict";
import * as ref from "../kernels/reference.ts";
import { residualBackward, residualForward } from "../kernels/residual.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

const SIZES = [1, 7, 255, 257, 4099];

gpuTest("residual forward matches the reference (N = 1, 7, 255, 257, 4099)", async (gpu) => {
  const rng = new Rng(1);
  for (const n of SIZES) {
    const a = rng.uniformArray(n), b = rng.uniformArray(n);
    const ta = gpu.upload(a), tb = gpu.upload(b), out = poisoned(gpu, [n]);
    const scaled = poisoned(gpu, [n], "scaled");
    const enc = gpu.encoder();
    residualForward(enc, { out, a: ta, b: tb });
    residualForward(enc, { out: scaled, a: ta, b: tb, scale: 0.22 }); // Granite's multiplier
    gpu.submit(enc);
    const [got, gotScaled] = await gpu.read([out, scaled]);
    const c = assertClose(got, ref.residualForward(a, b), { rtol: 1e-6, label: `N=${n}` });
    assert.ok(c.relError < 1e-6);
    assertClose(gotScaled, ref.residualForward(a, b, Math.fround(0.22)), { label: `N=${n} ×0.22` });
    for (const t of [ta, tb, out, scaled]) t.release();
  }
});

gpuTest("residual backward matches the reference and reruns bit-identically", async (gpu) => {
  const rng = new Rng(2);
  for (const n of SIZES) {
    const g = rng.uniformArray(n);
    const dOut = gpu.upload(g), dA = poisoned(gpu, [n], "dA"), dB = poisoned(gpu, [n], "dB");
    const runs = [];
    for (let r = 0; r < 2; r++) {
      const enc = gpu.encoder();
      residualBackward(enc, { dOut, dA, dB });
      gpu.submit(enc);
      runs.push(await gpu.read([dA, dB]));
    }
    const want = ref.residualBackward(g);
    assertClose(runs[0][0], want.dA, { label: "dA" });
    assertClose(runs[0][1], want.dB, { label: "dB" });
    assert.ok(bitEqual(runs[0][0], runs[1][0]) && bitEqual(runs[0][1], runs[1][1]));
    for (const t of [dOut, dA, dB]) t.release();
  }
});

Deno.test("residual reference backward matches finite differences", () => {
  const rng = new Rng(3);
  const n = 11;
  const a = Float64Array.from(rng.uniformArray(n)), b = Float64Array.from(rng.uniformArray(n));
  const w = rng.uniformArray(n); // L = Σ w·(a+b), so dL/dout = w
  const { dA, dB } = ref.residualBackward(w);
  assertClose(dA, finiteDifference((x) => dot(w, ref.residualForward(x, b)), a), { rtol: 1e-8 });
  assertClose(dB, finiteDifference((x) => dot(w, ref.residualForward(a, x)), b), { rtol: 1e-8 });
});

gpuTest("residual splits a dispatch wider than 65535 workgroups", async (gpu) => {
  const n = 256 * gpu.limits.maxComputeWorkgroupsPerDimension + 301;
  const a = new Rng(4).uniformArray(n), b = new Float32Array(n).fill(0.25);
  const ta = gpu.upload(a), tb = gpu.upload(b), out = poisoned(gpu, [n]);
  const enc = gpu.encoder();
  residualForward(enc, { out, a: ta, b: tb });
  gpu.submit(enc);
  const [got] = await gpu.read([out]);
  assertClose(got, ref.residualForward(a, b), { rtol: 1e-6 });
  for (const t of [ta, tb, out]) t.release();
});

gpuTest("residual refuses tensors of different sizes, naming them", (gpu) => {
  const a = gpu.tensor([4], { label: "a" }), b = gpu.tensor([5], { label: "b" });
  const enc = gpu.encoder();
  assert.throws(() => residualForward(enc, { out: a, a, b }), /"b" has 5 elements, expected 4/);
  a.release();
  b.release();
});
