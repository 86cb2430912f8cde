import assert from "node:assert/strict";
import { adamw } from "../kernels/adamw.ts";
import { gradNorm } from "../kernels/reduce.ts";
import * as refAdam from "../kernels/reference/adamw.ts";
import { gradNorm as refGradNorm } from "../kernels/reference/reduce.ts";
import { assertClose } from "../testing/assert_close.ts";
import { bitEqual, gpuTest } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

const HYPER = { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

function state(rng: Rng, n: number) {
  return {
    param: rng.uniformArray(n, -1, 1),
    m: rng.uniformArray(n, -0.1, 0.1),
    v: rng.uniformArray(n, 1e-4, 1e-2),
  };
}

for (const clip of [false, true]) {
  gpuTest(
    `adamw ${clip ? "with a clip scale tensor " : ""}matches torch's formula over 3 steps`,
    async (gpu) => {
      const rng = new Rng(clip ? 31 : 30);
      for (const n of [1, 257, 10_007]) {
        for (const weightDecay of [0, 0.1]) {
          const s0 = state(rng, n);
          const param = gpu.upload(s0.param), m = gpu.upload(s0.m), v = gpu.upload(s0.v);
          const scale = 0.37;
          const clipScale = clip ? gpu.upload(new Float32Array([scale])) : undefined;
          let want: { param: Vec; m: Vec; v: Vec } = s0;
          let before = s0.param as Vec;
          for (let step = 1; step <= 3; step++) {
            const g = rng.uniformArray(n, -1, 1);
            const grad = gpu.upload(g);
            const enc = gpu.encoder();
            adamw(enc, { param, grad, m, v, ...HYPER, weightDecay, step, clipScale });
            gpu.submit(enc);
            const [gp, gm, gv] = await gpu.read([param, m, v]);
            want = refAdam.adamw(want.param, g, want.m, want.v, {
              ...HYPER,
              weightDecay,
              step,
              clipScale: clip ? scale : 1,
            });
            const label = `N=${n} wd=${weightDecay} step ${step}`;
            assertClose(gp, want.param, { label: `${label} param` });
            assertClose(gm, want.m, { label: `${label} m` });
            assertClose(gv, want.v, { label: `${label} v` });
            // The update itself (not just the parameters) to 1e-4, past the cancellation in p−p0.
            const delta = (a: Vec) => Array.from(a, (x, i) => x - before[i]);
            assertClose(delta(gp), delta(want.param), { rtol: 1e-4, label: `${label} Δp` });
            before = want.param;
            grad.release();
          }
          for (const t of [param, m, v, clipScale]) t?.release();
        }
      }
    },
  );
}

type Vec = ArrayLike<number>;

gpuTest("adamw splits tensors larger than one binding, with bit-identical results", async (gpu) => {
  const rng = new Rng(32);
  const n = 5000;
  const s0 = state(rng, n), g = rng.uniformArray(n);
  const runs = [];
  for (const maxBindingBytes of [undefined, 4096, undefined]) {
    const param = gpu.upload(s0.param), m = gpu.upload(s0.m), v = gpu.upload(s0.v);
    const grad = gpu.upload(g);
    const enc = gpu.encoder();
    adamw(enc, { param, grad, m, v, ...HYPER, weightDecay: 0.01, step: 7, maxBindingBytes });
    gpu.submit(enc);
    runs.push(await gpu.read([param, m, v]));
    for (const t of [param, m, v, grad]) t.release();
  }
  const want = refAdam.adamw(s0.param, g, s0.m, s0.v, { ...HYPER, weightDecay: 0.01, step: 7 });
  assertClose(runs[1][0], want.param);
  for (let i = 0; i < 3; i++) {
    assert.ok(bitEqual(runs[0][i], runs[1][i]), "split run differs");
    assert.ok(bitEqual(runs[0][i], runs[2][i]), "rerun differs");
  }
});

gpuTest("adamw takes its clip scale from gradNorm without a readback", async (gpu) => {
  const rng = new Rng(33);
  const n = 3001, s0 = state(rng, n), g = rng.uniformArray(n, -2, 2);
  const param = gpu.upload(s0.param), m = gpu.upload(s0.m), v = gpu.upload(s0.v);
  const grad = gpu.upload(g), norm = gpu.tensor([2]);
  const enc = gpu.encoder();
  gradNorm(enc, { grads: [grad], out: norm, maxNorm: 1 });
  adamw(enc, {
    param,
    grad,
    m,
    v,
    ...HYPER,
    weightDecay: 0.1,
    step: 2,
    clipScale: norm,
  });
  gpu.submit(enc);
  const [gp] = await gpu.read([param]);
  const { clipScale } = refGradNorm([g], 1);
  assert.ok(clipScale < 0.1);
  const want = refAdam.adamw(s0.param, g, s0.m, s0.v, {
    ...HYPER,
    weightDecay: 0.1,
    step: 2,
    clipScale,
  });
  assertClose(gp, want.param);
  for (const t of [param, m, v, grad, norm]) t.release();
});

gpuTest("adamw refuses mismatched tensors and bad hyperparameters", (gpu) => {
  const a = gpu.tensor([4], { label: "a" }), b = gpu.tensor([5], { label: "b" });
  const enc = gpu.encoder();
  const base = { param: a, grad: a, m: a, v: a, ...HYPER, weightDecay: 0, step: 1 };
  assert.throws(() => adamw(enc, { ...base, v: b }), /"b" has 5 elements, "a" 4/);
  assert.throws(() => adamw(enc, { ...base, step: 0 }), /step must be an integer/);
  assert.throws(() => adamw(enc, { ...base, lr: NaN }), /lr must be finite/);
  assert.throws(() => adamw(enc, { ...base, clipScale: b }), /must hold 1 or 2 elements/);
  assert.throws(() => adamw(enc, { ...base, maxBindingBytes: 16 }), /below one aligned range/);
  a.release();
  b.release();
});

Deno.test("adamw reference: step 1 moves each weight by about lr against its gradient", () => {
  const out = refAdam.adamw([1, -1], [0.5, -2], [0, 0], [0, 0], {
    ...HYPER,
    weightDecay: 0,
    step: 1,
  });
  assertClose(out.param, [1 - HYPER.lr, -1 + HYPER.lr], { rtol: 1e-7 });
  const decayed = refAdam.adamw([2], [0], [0], [0], { ...HYPER, weightDecay: 0.5, step: 1 });
  assertClose(decayed.param, [2 * (1 - HYPER.lr * 0.5)], { rtol: 1e-12 });
});
