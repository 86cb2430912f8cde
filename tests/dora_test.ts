import assert from "node:assert/strict";
import * as ref from "../kernels/reference.ts";
import {
  doraColNorms,
  doraMagnitudeGrad,
  doraRowNorms,
  doraScaleColumns,
} from "../kernels/dora.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

gpuTest(
  "dora kernels match float64 at shapes off the workgroup size, rerun bit-identically",
  async (gpu) => {
    const rng = new Rng(1);
    for (const [n, o, i] of [[1, 1, 1], [7, 13, 29], [33, 257, 70], [300, 5, 3]]) {
      const V = rng.uniformArray(o * i),
        x = rng.uniformArray(n * o),
        m = rng.uniformArray(o, 0.5, 2);
      const bias = rng.uniformArray(o), dy = rng.uniformArray(n * o), z = rng.uniformArray(n * o);
      const dm0 = rng.uniformArray(o);
      const tv = gpu.upload(V, [o, i]), nrm = poisoned(gpu, [o], "nrm");
      // The same values stored (in, out), as GPT-2's Conv1D does: its column norms.
      const tvt = gpu.upload(V, [i, o]), colNrm = poisoned(gpu, [o], "column norms");
      const tm = gpu.upload(m), tb = gpu.upload(bias);
      const runs: Awaited<ReturnType<typeof gpu.read>>[] = [];
      for (let r = 0; r < 2; r++) {
        const tx = gpu.upload(x, [n, o]), tx2 = gpu.upload(x, [n, o]), dm = gpu.upload(dm0);
        const tdy = gpu.upload(dy, [n, o]), tz = gpu.upload(z, [n, o]);
        const enc = gpu.encoder();
        doraRowNorms(enc, { v: tv, nrm });
        doraColNorms(enc, { v: tvt, nrm: colNrm });
        doraScaleColumns(enc, { x: tx, m: tm, nrm, bias: tb });
        doraScaleColumns(enc, { x: tx2, m: tm, nrm, alpha: 0.7 });
        doraMagnitudeGrad(enc, { dy: tdy, z: tz, nrm, dm, alpha: 0.3 });
        gpu.submit(enc);
        runs.push(await gpu.read([nrm, tx, tx2, dm, colNrm]));
        for (const t of [tx, tx2, dm, tdy, tz]) t.release();
      }
      const label = `N=${n} O=${o} I=${i}`;
      const wantNrm = ref.doraRowNorms(V, o, i);
      assertClose(runs[0][0], wantNrm, { label: `${label} norms` });
      const nrm32 = Float64Array.from(runs[0][0]);
      assertClose(runs[0][1], ref.doraScaleColumns(x, m, nrm32, bias), { label: `${label} scale` });
      assertClose(runs[0][2], ref.doraScaleColumns(x, m, nrm32, undefined, Math.fround(0.7)), {
        label: `${label} scale α`,
      });
      const wantDm = ref.doraMagnitudeGrad(dy, z, nrm32, Math.fround(0.3)).map((v, k) =>
        v + dm0[k]
      );
      assertClose(runs[0][3], wantDm, { label: `${label} dm` });
      assertClose(runs[0][4], ref.doraColNorms(V, i, o), { label: `${label} column norms` });
      runs[0].forEach((a, k) => assert.ok(bitEqual(a, runs[1][k]), `${label} rerun ${k}`));
      for (const t of [tv, nrm, tm, tb, tvt, colNrm]) t.release();
    }
  },
);

Deno.test("dora reference: the magnitude gradient is the scale's derivative by m", () => {
  // y = x ⊙ m / nrm (per column): dL/dm for L = Σ dy·y is Σ_n dy·x / nrm.
  const rng = new Rng(2), n = 4, o = 3;
  const x = Float64Array.from(rng.uniformArray(n * o)),
    dy = Float64Array.from(rng.uniformArray(n * o));
  const m = Float64Array.from(rng.uniformArray(o, 0.5, 2)),
    nrm = Float64Array.from(rng.uniformArray(o, 0.5, 2));
  const fd = finiteDifference((mm) => dot(dy, ref.doraScaleColumns(x, mm, nrm)), m);
  assertClose(ref.doraMagnitudeGrad(dy, x, nrm), fd, { rtol: 1e-8 });
});

gpuTest(
  "dora kernels split tensors larger than one binding into aligned row pieces",
  async (gpu) => {
    // A 20 000-byte binding limit and 256-byte offsets (a discrete GPU's), over the real device.
    const real = gpu.limits;
    const over = { maxStorageBufferBindingSize: 20_000, minStorageBufferOffsetAlignment: 256 };
    const limits = new Proxy(real, {
      get: (t, k) => (k in over ? over[k as keyof typeof over] : Reflect.get(t, k, t)),
    });
    Object.defineProperty(gpu, "limits", { get: () => limits, configurable: true });
    try {
      // V (300, 37): 44 KiB in rows of 128; (N, O) = (400, 16): 25 KiB in rows of 256.
      const rng = new Rng(3), [o, i, n, c] = [300, 37, 400, 16];
      const V = rng.uniformArray(o * i), m = rng.uniformArray(o, 0.5, 2);
      const x = rng.uniformArray(n * c),
        mc = rng.uniformArray(c, 0.5, 2),
        nc = rng.uniformArray(c, 1, 2);
      const dy = rng.uniformArray(n * c), z = rng.uniformArray(n * c);
      const tv = gpu.upload(V, [o, i]), nrm = poisoned(gpu, [o], "nrm"), tm = gpu.upload(m);
      const tx = gpu.upload(x, [n, c]), tmc = gpu.upload(mc), tnc = gpu.upload(nc);
      const dm = gpu.upload(new Float32Array(c)),
        tdy = gpu.upload(dy, [n, c]),
        tz = gpu.upload(z, [n, c]);
      const tw = gpu.upload(V, [o, i]);
      const enc = gpu.encoder();
      doraRowNorms(enc, { v: tv, nrm });
      doraScaleColumns(enc, { x: tw, m: tm, nrm, perRow: true });
      doraScaleColumns(enc, { x: tx, m: tmc, nrm: tnc });
      doraMagnitudeGrad(enc, { dy: tdy, z: tz, nrm: tnc, dm });
      gpu.submit(enc);
      const [gotNrm, gotW, gotX, gotDm] = await gpu.read([nrm, tw, tx, dm]);
      const norms = Float64Array.from(gotNrm);
      assertClose(gotNrm, ref.doraRowNorms(V, o, i), { label: "norms" });
      const rows = Float64Array.from(
        V,
        (v, k) => v * m[Math.floor(k / i)] / norms[Math.floor(k / i)],
      );
      assertClose(gotW, rows, { label: "rows" });
      assertClose(gotX, ref.doraScaleColumns(x, mc, nc), { label: "columns" });
      assertClose(gotDm, ref.doraMagnitudeGrad(dy, z, nc), { label: "dm" });
      for (const t of [tv, nrm, tm, tx, tmc, tnc, dm, tdy, tz, tw]) {
        t.release();
      }
    } finally {
      delete (gpu as { limits?: unknown }).limits;
    }
  },
);
