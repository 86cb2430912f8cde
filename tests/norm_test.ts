import assert from "node:assert/strict";
import type { Encoder, Gpu, HostArray, Tensor } from "../kernels/gpu.ts";
import {
  layerNormBackward,
  layerNormForward,
  normScratchSize,
  rmsNormBackward,
  rmsNormForward,
} from "../kernels/norm.ts";
import * as ref from "../kernels/reference/norm.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

// (N, C): C = 1, small primes, one past powers of two (4099 takes the 64-lane row workgroup);
// N large enough for several row blocks in the parameter-gradient partials.
const SHAPES: [number, number][] = [[1, 1], [3, 7], [37, 97], [130, 257], [17, 1031], [3, 4099]];
const EPS = 1e-5;

/** Runs `encode` twice: outputs re-poisoned, accumulators reset to `init`; reruns bit-equal. */
async function runTwice(
  gpu: Gpu,
  outs: Tensor[],
  init: Map<Tensor, Float32Array>,
  encode: (enc: Encoder) => void,
): Promise<HostArray[]> {
  const runs: HostArray[][] = [];
  for (let r = 0; r < 2; r++) {
    for (const t of outs) gpu.write(t, init.get(t) ?? new Float32Array(t.size).fill(NaN));
    const enc = gpu.encoder();
    encode(enc);
    gpu.submit(enc);
    runs.push(await gpu.read(outs));
  }
  runs[0].forEach((a, i) => assert.ok(bitEqual(a, runs[1][i]), `rerun differs: ${outs[i].label}`));
  return runs[0];
}

function plus(a: Float32Array, b: Float64Array): Float64Array {
  return b.map((v, i) => v + a[i]);
}

gpuTest("norm: LayerNorm forward and backward match float64, bit-identical reruns", async (gpu) => {
  const rng = new Rng(31);
  for (const [n, c] of SHAPES) {
    const x = rng.uniformArray(n * c, -2, 3), w = rng.uniformArray(c, 0.5, 1.5);
    const b = rng.uniformArray(c), g = rng.uniformArray(n * c);
    const w0 = rng.uniformArray(c), b0 = rng.uniformArray(c); // accumulators start non-zero
    const tx = gpu.upload(x, [n, c]), tw = gpu.upload(w), tb = gpu.upload(b);
    const tg = gpu.upload(g, [n, c]);
    const out = poisoned(gpu, [n, c], "out"), mean = poisoned(gpu, [n], "mean");
    const rstd = poisoned(gpu, [n], "rstd"), dx = poisoned(gpu, [n, c], "dx");
    const dW = gpu.tensor([c], { label: "dWeight" }), dB = gpu.tensor([c], { label: "dBias" });
    const [gOut, gMean, gRstd, gDx, gDW, gDB] = await runTwice(
      gpu,
      [out, mean, rstd, dx, dW, dB],
      new Map([[dW, w0], [dB, b0]]),
      (enc) => {
        layerNormForward(enc, { out, mean, rstd, x: tx, weight: tw, bias: tb, eps: EPS });
        layerNormBackward(enc, {
          dx,
          dWeight: dW,
          dBias: dB,
          dOut: tg,
          x: tx,
          weight: tw,
          mean,
          rstd,
        });
      },
    );
    const f = ref.layerNormForward(x, w, b, { eps: EPS });
    const bw = ref.layerNormBackward(x, w, g, { eps: EPS });
    const at = `(N, C) = (${n}, ${c})`;
    assertClose(gOut, f.out, { label: `out ${at}` });
    assertClose(gMean, f.mean, { label: `mean ${at}` });
    assertClose(gRstd, f.rstd, { label: `rstd ${at}` });
    // At C = 1 the exact dx is 0 (x̂ ≡ 0), so a relative bound alone cannot hold: on an NVIDIA
    // H200 float32 rounding left 2e-7 (the driver's compiler may fuse and reorder the
    // arithmetic). The slack is 1e-5 of dx's natural scale, max rstd · ‖dOut‖.
    const dxScale = Math.max(...f.rstd) * Math.hypot(...g);
    assertClose(gDx, bw.dx, { label: `dx ${at}`, atol: c === 1 ? 1e-5 * dxScale : 0 });
    assertClose(gDW, plus(w0, bw.dWeight), { label: `dWeight ${at}` });
    assertClose(gDB, plus(b0, bw.dBias), { label: `dBias ${at}` });
    for (const t of [tx, tw, tb, tg, out, mean, rstd, dx, dW, dB]) t.release();
  }
});

gpuTest(
  "norm: LayerNorm without a bias (Cohere) matches float64's with a zero bias",
  async (gpu) => {
    const rng = new Rng(37);
    for (const [n, c] of SHAPES) {
      const x = rng.uniformArray(n * c, -2, 3), w = rng.uniformArray(c, 0.5, 1.5);
      const g = rng.uniformArray(n * c), w0 = rng.uniformArray(c);
      const tx = gpu.upload(x, [n, c]), tw = gpu.upload(w), tg = gpu.upload(g, [n, c]);
      const out = poisoned(gpu, [n, c], "out"), mean = poisoned(gpu, [n], "mean");
      const rstd = poisoned(gpu, [n], "rstd"), dx = poisoned(gpu, [n, c], "dx");
      const dW = gpu.tensor([c], { label: "dWeight" });
      const [gOut, gDx, gDW] = await runTwice(gpu, [out, dx, dW], new Map([[dW, w0]]), (enc) => {
        layerNormForward(enc, { out, mean, rstd, x: tx, weight: tw, eps: EPS });
        layerNormBackward(enc, { dx, dWeight: dW, dOut: tg, x: tx, weight: tw, mean, rstd });
      });
      const f = ref.layerNormForward(x, w, new Float64Array(c), { eps: EPS });
      const bw = ref.layerNormBackward(x, w, g, { eps: EPS });
      const at = `(N, C) = (${n}, ${c})`;
      assertClose(gOut, f.out, { label: `out ${at}` });
      const dxScale = Math.max(...f.rstd) * Math.hypot(...g);
      assertClose(gDx, bw.dx, { label: `dx ${at}`, atol: c === 1 ? 1e-5 * dxScale : 0 });
      assertClose(gDW, plus(w0, bw.dWeight), { label: `dWeight ${at}` });
      for (const t of [tx, tw, tg, out, mean, rstd, dx, dW]) t.release();
    }
  },
);

gpuTest("norm: RMSNorm forward and backward match float64, bit-identical reruns", async (gpu) => {
  const rng = new Rng(32);
  // Offset 1: Gemma's weights hold the scale less one (here −0.5 … 0.5).
  for (const [[n, c], offset] of SHAPES.flatMap((s) => [[s, 0], [s, 1]] as const)) {
    // At C = 1, x̂ = ±√(x²/(x²+eps)) and dx ∝ 1 − x̂² = eps/(x²+eps): for |x| ≫ √eps that is a
    // cancellation no f32 formula avoids. Inputs near √eps keep that case well-conditioned.
    const scale = c === 1 ? 3e-3 : 1;
    const x = rng.uniformArray(n * c, -2 * scale, 3 * scale);
    const w = rng.uniformArray(c, 0.5 - offset, 1.5 - offset);
    const g = rng.uniformArray(n * c), w0 = rng.uniformArray(c);
    const tx = gpu.upload(x, [n, c]), tw = gpu.upload(w), tg = gpu.upload(g, [n, c]);
    const out = poisoned(gpu, [n, c], "out"), rstd = poisoned(gpu, [n], "rstd");
    const dx = poisoned(gpu, [n, c], "dx"), dW = gpu.tensor([c], { label: "dWeight" });
    // A caller-provided scratch, larger than needed, must work as well as a pooled one.
    const scratch = gpu.tensor([normScratchSize(n, c, { rms: true }) + 5], { label: "scratch" });
    const [gOut, gRstd, gDx, gDW] = await runTwice(
      gpu,
      [out, rstd, dx, dW],
      new Map([[dW, w0]]),
      (enc) => {
        rmsNormForward(enc, { out, rstd, x: tx, weight: tw, eps: EPS, offset });
        const bw = { dx, dWeight: dW, dOut: tg, x: tx, weight: tw, offset, rstd, scratch };
        rmsNormBackward(enc, bw);
      },
    );
    const f = ref.rmsNormForward(x, w, { eps: EPS, offset });
    const bw = ref.rmsNormBackward(x, w, g, { eps: EPS, offset });
    const at = `(N, C) = (${n}, ${c}) offset ${offset}`;
    assertClose(gOut, f.out, { label: `out ${at}` });
    assertClose(gRstd, f.rstd, { label: `rstd ${at}` });
    assertClose(gDx, bw.dx, { label: `dx ${at}` });
    assertClose(gDW, plus(w0, bw.dWeight), { label: `dWeight ${at}` });
    for (const t of [tx, tw, tg, out, rstd, dx, dW, scratch]) t.release();
  }
});

Deno.test("norm: reference backwards match finite differences", () => {
  const rng = new Rng(33);
  const n = 3, c = 5;
  const x = Float64Array.from(rng.uniformArray(n * c, -2, 2));
  const w = Float64Array.from(rng.uniformArray(c, 0.5, 1.5));
  const b = Float64Array.from(rng.uniformArray(c));
  const u = Float64Array.from(rng.uniformArray(n * c)); // L = Σ u·out
  const o = { eps: 1e-5 }, fd = { rtol: 1e-7 };
  const ln = ref.layerNormBackward(x, w, u, o);
  assertClose(
    ln.dx,
    finiteDifference((v) => dot(u, ref.layerNormForward(v, w, b, o).out), x),
    { ...fd, label: "LayerNorm dx" },
  );
  assertClose(
    ln.dWeight,
    finiteDifference((v) => dot(u, ref.layerNormForward(x, v, b, o).out), w),
    { ...fd, label: "LayerNorm dWeight" },
  );
  assertClose(
    ln.dBias,
    finiteDifference((v) => dot(u, ref.layerNormForward(x, w, v, o).out), b),
    { ...fd, label: "LayerNorm dBias" },
  );
  for (const ro of [{ ...o, offset: 0 }, { ...o, offset: 1 }]) {
    const rms = ref.rmsNormBackward(x, w, u, ro);
    assertClose(
      rms.dx,
      finiteDifference((v) => dot(u, ref.rmsNormForward(v, w, ro).out), x),
      { ...fd, label: `RMSNorm dx, offset ${ro.offset}` },
    );
    assertClose(
      rms.dWeight,
      finiteDifference((v) => dot(u, ref.rmsNormForward(x, v, ro).out), w),
      { ...fd, label: `RMSNorm dWeight, offset ${ro.offset}` },
    );
  }
});

gpuTest("norm: more than 65535 rows split over y (N = 70001, C = 3)", async (gpu) => {
  const n = 70_001, c = 3, rng = new Rng(34);
  const x = rng.uniformArray(n * c, -2, 3), w = rng.uniformArray(c, 0.5, 1.5);
  const g = rng.uniformArray(n * c);
  const tx = gpu.upload(x, [n, c]), tw = gpu.upload(w), tg = gpu.upload(g, [n, c]);
  const out = poisoned(gpu, [n, c], "out"), rstd = poisoned(gpu, [n], "rstd");
  const dx = poisoned(gpu, [n, c], "dx"), dW = gpu.upload(new Float32Array(c));
  const enc = gpu.encoder();
  rmsNormForward(enc, { out, rstd, x: tx, weight: tw, eps: EPS });
  rmsNormBackward(enc, { dx, dWeight: dW, dOut: tg, x: tx, weight: tw, rstd });
  gpu.submit(enc);
  const [gOut, gDx, gDW] = await gpu.read([out, dx, dW]);
  const bw = ref.rmsNormBackward(x, w, g, { eps: EPS });
  assertClose(gOut, ref.rmsNormForward(x, w, { eps: EPS }).out, { label: "out" });
  assertClose(gDx, bw.dx, { label: "dx" });
  assertClose(gDW, bw.dWeight, { label: "dWeight" });
  for (const t of [tx, tw, tg, out, rstd, dx, dW]) t.release();
});

gpuTest("norm: a forced small workgroup limit splits rows, or refuses clearly", async (gpu) => {
  const n = 13, c = 11, rng = new Rng(35);
  const x = rng.uniformArray(n * c, -2, 3), w = rng.uniformArray(c), b = rng.uniformArray(c);
  const tx = gpu.upload(x, [n, c], { label: "x" }), tw = gpu.upload(w), tb = gpu.upload(b);
  const out = poisoned(gpu, [n, c]), mean = poisoned(gpu, [n]), rstd = poisoned(gpu, [n]);
  const w4 = gpu.tensor([4], { label: "w4" });
  const enc = gpu.encoder();
  // 4 per dimension: 13 rows → a 4 × 4 grid, three workgroups idle.
  layerNormForward(enc, {
    out,
    mean,
    rstd,
    x: tx,
    weight: tw,
    bias: tb,
    eps: EPS,
    maxWorkgroupsPerDimension: 4,
  });
  gpu.submit(enc);
  const [got] = await gpu.read([out]);
  assertClose(got, ref.layerNormForward(x, w, b, { eps: EPS }).out, { label: "split out" });
  assert.throws(
    () =>
      layerNormForward(gpu.encoder(), {
        out,
        mean,
        rstd,
        x: tx,
        weight: tw,
        bias: tb,
        maxWorkgroupsPerDimension: 3,
      }),
    /layernorm_forward: 13 rows exceed the device's dispatch limits/,
  );
  assert.throws(
    () => rmsNormForward(gpu.encoder(), { out, rstd: mean, x: tx, weight: w4 }),
    /rmsNormForward: "x" has 143 elements, not a whole number of rows of C = 4 \("w4"\)/,
  );
  for (const t of [tx, tw, tb, out, mean, rstd, w4]) t.release();
});
