import assert from "node:assert/strict";
import {
  gegluBackward,
  gegluForward,
  geluBackward,
  geluForward,
  swigluBackward,
  swigluForward,
} from "../kernels/activation.ts";
import type { Encoder, Gpu, HostArray, Tensor } from "../kernels/gpu.ts";
import * as ref from "../kernels/reference/activation.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

// Element counts: 1, a prime, one past the workgroup, and a (B·T, F) of odd sizes.
const SIZES = [1, 7, 257, 3 * 5 * 131];

/** Runs `encode` twice on freshly poisoned outputs; checks reruns are bit-identical. */
async function runTwice(
  gpu: Gpu,
  outs: Tensor[],
  encode: (enc: Encoder) => void,
): Promise<HostArray[]> {
  const runs: HostArray[][] = [];
  for (let r = 0; r < 2; r++) {
    for (const t of outs) gpu.write(t, new Float32Array(t.size).fill(NaN));
    const enc = gpu.encoder();
    encode(enc);
    gpu.submit(enc);
    runs.push(await gpu.read(outs));
  }
  runs[0].forEach((a, i) => assert.ok(bitEqual(a, runs[1][i]), `rerun differs (${i})`));
  return runs[0];
}

gpuTest(
  "activation: GELU forward and backward match float64, bit-identical reruns",
  async (gpu) => {
    const rng = new Rng(21);
    for (const n of SIZES) {
      const x = rng.uniformArray(n, -5, 5), g = rng.uniformArray(n);
      const tx = gpu.upload(x), tg = gpu.upload(g);
      const out = poisoned(gpu, [n], "out"), dx = poisoned(gpu, [n], "dx");
      for (const exact of [false, true]) {
        const [got, gotDx] = await runTwice(gpu, [out, dx], (enc) => {
          geluForward(enc, { out, x: tx, exact });
          geluBackward(enc, { dx, x: tx, dOut: tg, exact });
        });
        const at = `${exact ? "exact " : ""}gelu N=${n}`;
        assertClose(got, ref.geluForward(x, exact), { label: at });
        assertClose(gotDx, ref.geluBackward(x, g, exact), { label: `${at} dx` });
      }
      for (const t of [tx, tg, out, dx]) t.release();
    }
  },
);

gpuTest(
  "activation: SwiGLU and GeGLU forward and backward match float64, bit-identical reruns",
  async (gpu) => {
    const rng = new Rng(22);
    type Fwd = typeof swigluForward;
    type Bwd = typeof swigluBackward;
    const exactF: Fwd = (enc, a) => gegluForward(enc, { ...a, exact: true });
    const exactB: Bwd = (enc, a) => gegluBackward(enc, { ...a, exact: true });
    const glus = [
      ["swiglu", swigluForward, swigluBackward, ref.swigluForward, ref.swigluBackward],
      ["geglu", gegluForward, gegluBackward, ref.gegluForward, ref.gegluBackward],
      [
        "geglu exact",
        exactF,
        exactB,
        (g: Float32Array, u: Float32Array) => ref.gegluForward(g, u, true),
        (g: Float32Array, u: Float32Array, d: Float32Array) => ref.gegluBackward(g, u, d, true),
      ],
    ] as const;
    for (
      const [n, [name, forward, backward, refForward, refBackward]] of SIZES.flatMap((n) =>
        glus.map((g) => [n, g] as const)
      )
    ) {
      const gate = rng.uniformArray(n, -6, 6), up = rng.uniformArray(n), g = rng.uniformArray(n);
      const tGate = gpu.upload(gate), tUp = gpu.upload(up), tg = gpu.upload(g);
      const out = poisoned(gpu, [n], "out");
      const dGate = poisoned(gpu, [n], "dGate"), dUp = poisoned(gpu, [n], "dUp");
      const [got, gotDGate, gotDUp] = await runTwice(gpu, [out, dGate, dUp], (enc) => {
        forward(enc, { out, gate: tGate, up: tUp });
        backward(enc, { dGate, dUp, gate: tGate, up: tUp, dOut: tg });
      });
      const want = refBackward(gate, up, g);
      assertClose(got, refForward(gate, up), { label: `${name} N=${n}` });
      assertClose(gotDGate, want.dGate, { label: `${name} dGate N=${n}` });
      assertClose(gotDUp, want.dUp, { label: `${name} dUp N=${n}` });
      for (const t of [tGate, tUp, tg, out, dGate, dUp]) t.release();
    }
  },
);

gpuTest("activation: finite and exact at extreme inputs (|x| up to 1e30)", async (gpu) => {
  const x = new Float32Array([-1e30, -100, -30, -20.5, -9, 9, 20.5, 30, 100, 1e30, 0, -0.01]);
  const n = x.length, ones = new Float32Array(n).fill(1);
  const tx = gpu.upload(x), t1 = gpu.upload(ones);
  const labels = ["gelu", "dgelu", "swiglu", "dGate", "dUp", "geglu", "gDGate", "gDUp"];
  const more = ["exact", "eDGate", "eDUp", "exact gelu", "exact dgelu"];
  const outs = [...labels, ...more].map((l) => poisoned(gpu, [n], l));
  const enc = gpu.encoder();
  geluForward(enc, { out: outs[0], x: tx });
  geluBackward(enc, { dx: outs[1], x: tx, dOut: t1 });
  swigluForward(enc, { out: outs[2], gate: tx, up: t1 });
  swigluBackward(enc, { dGate: outs[3], dUp: outs[4], gate: tx, up: t1, dOut: t1 });
  gegluForward(enc, { out: outs[5], gate: tx, up: t1 });
  gegluBackward(enc, { dGate: outs[6], dUp: outs[7], gate: tx, up: t1, dOut: t1 });
  gegluForward(enc, { out: outs[8], gate: tx, up: t1, exact: true });
  gegluBackward(enc, { dGate: outs[9], dUp: outs[10], gate: tx, up: t1, dOut: t1, exact: true });
  geluForward(enc, { out: outs[11], x: tx, exact: true });
  geluBackward(enc, { dx: outs[12], x: tx, dOut: t1, exact: true });
  gpu.submit(enc);
  const got = await gpu.read(outs);
  for (const a of got) assert.ok((a as Float32Array).every(Number.isFinite), `non-finite: ${a}`);
  const sw = ref.swigluBackward(x, ones, ones), ge = ref.gegluBackward(x, ones, ones);
  const ex = ref.gegluBackward(x, ones, ones, true);
  const wants = [
    ref.geluForward(x),
    ref.geluBackward(x, ones),
    ref.swigluForward(x, ones),
    sw.dGate,
    sw.dUp,
    ref.gegluForward(x, ones),
    ge.dGate,
    ge.dUp,
    ref.gegluForward(x, ones, true),
    ex.dGate,
    ex.dUp,
    ref.geluForward(x, true),
    ref.geluBackward(x, ones, true),
  ];
  // Elementwise: each value within 1e-5 relative (exp(−30) in f32 is only good to a few ULP
  // times 30), or 1e-30 absolute for the underflowed tails.
  got.forEach((a, k) => {
    a.forEach((v, i) => {
      const w = wants[k][i];
      assert.ok(
        Math.abs(v - w) <= 1e-5 * Math.abs(w) + 1e-30,
        `${outs[k].label}[${i}] ${v} vs ${w}`,
      );
    });
  });
  for (const t of [tx, t1, ...outs]) t.release();
});

Deno.test("activation: reference backward matches finite differences", () => {
  const rng = new Rng(23);
  const n = 13;
  const x = Float64Array.from(rng.uniformArray(n, -4, 4));
  const up = Float64Array.from(rng.uniformArray(n, -2, 2));
  const w = Float64Array.from(rng.uniformArray(n));
  assertClose(
    ref.geluBackward(x, w),
    finiteDifference((v) => dot(w, ref.geluForward(v)), x),
    { rtol: 1e-8, label: "gelu" },
  );
  const { dGate, dUp } = ref.swigluBackward(x, up, w);
  assertClose(dGate, finiteDifference((v) => dot(w, ref.swigluForward(v, up)), x), {
    rtol: 1e-8,
    label: "dGate",
  });
  assertClose(dUp, finiteDifference((v) => dot(w, ref.swigluForward(x, v)), up), {
    rtol: 1e-8,
    label: "dUp",
  });
  const ge = ref.gegluBackward(x, up, w);
  assertClose(ge.dGate, finiteDifference((v) => dot(w, ref.gegluForward(v, up)), x), {
    rtol: 1e-8,
    label: "geglu dGate",
  });
  assertClose(ge.dUp, finiteDifference((v) => dot(w, ref.gegluForward(x, v)), up), {
    rtol: 1e-8,
    label: "geglu dUp",
  });
  assertClose(
    ref.geluBackward(x, w, true),
    finiteDifference((v) => dot(w, ref.geluForward(v, true)), x),
    { rtol: 1e-8, label: "exact gelu" },
  );
  const ex = ref.gegluBackward(x, up, w, true);
  assertClose(ex.dGate, finiteDifference((v) => dot(w, ref.gegluForward(v, up, true)), x), {
    rtol: 1e-8,
    label: "exact geglu dGate",
  });
  // The exact GELU's known values: gelu(1) = Φ(1) = 0.841344746068543, gelu(−3) = −3·Φ(−3).
  const known = ref.gegluForward([1, -3], [1, 1], true);
  assert.ok(Math.abs(known[0] - 0.841344746068543) < 1e-14);
  assert.ok(Math.abs(known[1] + 3 * 0.0013498980316301) < 1e-15);
});

gpuTest("activation: dispatches beyond the workgroup limit split over y", async (gpu) => {
  // A forced limit of 3 workgroups per dimension makes 2049 elements (9 groups) a 3×3 grid.
  const n = 2049, rng = new Rng(24);
  const x = rng.uniformArray(n, -5, 5), up = rng.uniformArray(n);
  const tx = gpu.upload(x), tUp = gpu.upload(up);
  const out = poisoned(gpu, [n], "gelu"), glu = poisoned(gpu, [n], "swiglu");
  const enc = gpu.encoder();
  geluForward(enc, { out, x: tx, maxWorkgroupsPerDimension: 3 });
  swigluForward(enc, { out: glu, gate: tx, up: tUp, maxWorkgroupsPerDimension: 3 });
  gpu.submit(enc);
  const [a, b] = await gpu.read([out, glu]);
  assertClose(a, ref.geluForward(x), { label: "gelu split" });
  assertClose(b, ref.swigluForward(x, up), { label: "swiglu split" });
  // With 2 per dimension, 9 groups cannot be laid out: a clear refusal.
  assert.throws(
    () => geluForward(gpu.encoder(), { out, x: tx, maxWorkgroupsPerDimension: 2 }),
    /exceed the device's dispatch limits/,
  );
  for (const t of [tx, tUp, out, glu]) t.release();
});

gpuTest(
  "activation: the real 65535-workgroup limit is split (GELU, 16.8M elements)",
  async (gpu) => {
    const n = 256 * gpu.limits.maxComputeWorkgroupsPerDimension + 301;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = ((i * 7919) % 2001) / 200 - 5; // cheap, varied, in [-5, 5]
    const tx = gpu.upload(x), out = poisoned(gpu, [n]);
    const enc = gpu.encoder();
    geluForward(enc, { out, x: tx });
    gpu.submit(enc);
    const [got] = await gpu.read([out]);
    assertClose(got, ref.geluForward(x), { label: "gelu 16.8M" });
    tx.release();
    out.release();
  },
);

gpuTest("activation: refuses mismatched sizes, naming the tensor", (gpu) => {
  const a = gpu.tensor([4], { label: "gate" }), b = gpu.tensor([5], { label: "up" });
  assert.throws(
    () => swigluForward(gpu.encoder(), { out: a, gate: a, up: b }),
    /swigluForward: "up" has 5 elements, expected 4/,
  );
  a.release();
  b.release();
});
