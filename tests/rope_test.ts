import assert from "node:assert/strict";
import type { HostArray, Tensor } from "../kernels/gpu.ts";
import * as ref from "../kernels/reference/rope.ts";
import { ropeBackward, ropeForward, ropeFrequencies, ropeTable } from "../kernels/rope.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

interface Case {
  b: number;
  t: number;
  nh: number;
  hs: number;
  theta: number;
  offset: number;
  /** R, the rotated elements of each head (default HS). */
  r?: number;
}

// HS = 2 (one pair), odd T and NH, GQA-like head counts, Llama's HS = 64, and Qwen2's θ = 1e6
// at positions past 100000 (a long KV cache), where f32 angles would be visibly off.
const CASES: Case[] = [
  { b: 1, t: 1, nh: 1, hs: 2, theta: 10000, offset: 0 },
  { b: 2, t: 5, nh: 3, hs: 6, theta: 10000, offset: 0 },
  { b: 3, t: 7, nh: 2, hs: 64, theta: 10000, offset: 17 },
  { b: 2, t: 13, nh: 4, hs: 10, theta: 1e6, offset: 100_000 },
  // Partial rotary: Phi-4-mini's 3/4 of the head, GPT-NeoX's 1/4, one pair of HS 6.
  { b: 2, t: 5, nh: 3, hs: 8, theta: 10000, offset: 3, r: 6 },
  { b: 1, t: 9, nh: 2, hs: 64, theta: 10000, offset: 0, r: 16 },
  { b: 2, t: 3, nh: 5, hs: 6, theta: 10000, offset: 0, r: 2 },
];

gpuTest(
  "rope: forward and backward match float64, in and out of place, bit-identical",
  async (gpu) => {
    const rng = new Rng(41);
    for (const { b, t, nh, hs, theta, offset, r = hs } of CASES) {
      const shape = [b, t, nh, hs], n = b * t * nh * hs, half = r / 2;
      const table = ropeTable({ maxPositions: offset + t, headSize: r, theta });
      const cos = gpu.upload(table.cos, [offset + t, half], { label: "cos" });
      const sin = gpu.upload(table.sin, [offset + t, half], { label: "sin" });
      const x = rng.uniformArray(n), g = rng.uniformArray(n);
      const tx = gpu.upload(x, shape, { label: "x" }), tg = gpu.upload(g, shape, { label: "dOut" });
      const inX = gpu.tensor(shape, { label: "x in place" });
      const inG = gpu.tensor(shape, { label: "dOut in place" });
      const out = poisoned(gpu, shape, "out"), dx = poisoned(gpu, shape, "dx");
      const sizes = {
        cos,
        sin,
        seqLen: t,
        nHeads: nh,
        headSize: hs,
        rotaryDim: r,
        positionOffset: offset,
      };
      const runs: HostArray[][] = [];
      for (let r = 0; r < 2; r++) {
        for (const p of [out, dx]) gpu.write(p, new Float32Array(n).fill(NaN));
        const enc = gpu.encoder();
        enc.copy(tx, inX);
        enc.copy(tg, inG);
        ropeForward(enc, { ...sizes, x: tx, out });
        ropeBackward(enc, { ...sizes, dOut: tg, dx });
        ropeForward(enc, { ...sizes, x: inX });
        ropeBackward(enc, { ...sizes, dOut: inG });
        gpu.submit(enc);
        runs.push(await gpu.read([out, dx, inX, inG]));
      }
      const o = {
        seqLen: t,
        nHeads: nh,
        headSize: hs,
        rotaryDim: r,
        theta,
        positionOffset: offset,
      };
      const wantOut = ref.ropeForward(x, o), wantDx = ref.ropeBackward(g, o);
      const at = `(B, T, NH, HS) = (${shape}), R ${r}, θ ${theta}, offset ${offset}`;
      const [gOut, gDx, gInX, gInG] = runs[0];
      for (let i = 0; i < n; i++) {
        if (i % hs < r) continue;
        assert.equal(gOut[i], x[i], `pass-through out[${i}], ${at}`);
        assert.equal(gDx[i], g[i], `pass-through dx[${i}], ${at}`);
      }
      assertClose(gOut, wantOut, { label: `out ${at}` });
      assertClose(gDx, wantDx, { label: `dx ${at}` });
      assert.ok(bitEqual(gInX, gOut), `in-place forward differs from out of place, ${at}`);
      assert.ok(bitEqual(gInG, gDx), `in-place backward differs from out of place, ${at}`);
      runs[0].forEach((a, i) => assert.ok(bitEqual(a, runs[1][i]), `rerun differs (${i}), ${at}`));
      for (const tt of [cos, sin, tx, tg, inX, inG, out, dx] as Tensor[]) tt.release();
    }
  },
);

Deno.test("rope: reference backward matches finite differences; forward∘backward = identity", () => {
  const rng = new Rng(42);
  for (const rotaryDim of [6, 4]) {
    const o = { seqLen: 3, nHeads: 2, headSize: 6, rotaryDim, theta: 10000, positionOffset: 5 };
    const n = 2 * 3 * 2 * 6;
    const x = Float64Array.from(rng.uniformArray(n)), w = Float64Array.from(rng.uniformArray(n));
    const fd = finiteDifference((v) => dot(w, ref.ropeForward(v, o)), x);
    assertClose(ref.ropeBackward(w, o), fd, { rtol: 1e-8, label: `R ${rotaryDim}` });
    assertClose(ref.ropeBackward(ref.ropeForward(x, o), o), x, { rtol: 1e-12 });
  }
});

Deno.test("rope: the table is float64-accurate at large positions and refuses odd head sizes", () => {
  const { cos, sin } = ropeTable({ maxPositions: 200_001, headSize: 4, theta: 1e6 });
  // Position 200000, d = 0: the angle is 200000 rad exactly.
  assert.ok(Math.abs(cos[200_000 * 2] - Math.cos(200_000)) < 1e-7);
  assert.ok(Math.abs(sin[200_000 * 2] - Math.sin(200_000)) < 1e-7);
  assert.throws(
    () => ropeTable({ maxPositions: 4, headSize: 5 }),
    /headSize must be a positive even/,
  );
});

gpuTest("rope: a forced small workgroup limit splits over y, or refuses clearly", async (gpu) => {
  const b = 3, t = 9, nh = 5, hs = 22, n = b * t * nh * hs, half = hs / 2; // 1485 pairs, 6 groups
  const table = ropeTable({ maxPositions: t, headSize: hs });
  const cos = gpu.upload(table.cos, [t, half], { label: "cos" });
  const sin = gpu.upload(table.sin, [t, half], { label: "sin" });
  const x = new Rng(43).uniformArray(n);
  const tx = gpu.upload(x, [b, t, nh, hs], { label: "x" }), out = poisoned(gpu, [b, t, nh, hs]);
  const sizes = { cos, sin, seqLen: t, nHeads: nh, headSize: hs };
  const enc = gpu.encoder();
  ropeForward(enc, { ...sizes, x: tx, out, maxWorkgroupsPerDimension: 4 }); // 6 groups → 3 × 2
  gpu.submit(enc);
  const [got] = await gpu.read([out]);
  assertClose(got, ref.ropeForward(x, { seqLen: t, nHeads: nh, headSize: hs }), { label: "split" });
  const e = gpu.encoder();
  assert.throws(
    () => ropeForward(e, { ...sizes, x: tx, maxWorkgroupsPerDimension: 2 }),
    /exceed the device's dispatch limits/,
  );
  assert.throws(
    () => ropeForward(e, { ...sizes, x: tx, positionOffset: 1 }),
    /ropeForward: positions up to 9 need a RoPE table of at least 10 rows; "cos" has 9/,
  );
  assert.throws(
    () => ropeBackward(e, { ...sizes, nHeads: 4, dOut: tx }),
    /ropeBackward: "x" has 2970 elements, not a multiple of T·NH·HS = 9·4·22/,
  );
  assert.throws(
    () => ropeForward(e, { ...sizes, x: tx, rotaryDim: 24 }),
    /ropeForward: rotaryDim must be even and at most headSize 22, got 24/,
  );
  assert.throws(
    () => ropeForward(e, { ...sizes, x: tx, rotaryDim: 5 }),
    /rotaryDim must be even/,
  );
  for (const tt of [cos, sin, tx, out]) tt.release();
});

Deno.test("rope: llama3 and linear scaling give transformers' inverse frequencies", () => {
  // transformers' _compute_llama3_parameters, written out: Llama-3.2-1B (θ 500000, HS 64).
  const theta = 500000, hs = 64, factor = 32, low = 1, high = 4, old = 8192;
  const want = Array.from({ length: hs / 2 }, (_, i) => {
    const invFreq = 1 / theta ** ((2 * i) / hs);
    const wavelen = (2 * Math.PI) / invFreq;
    const lowFreqWavelen = old / low, highFreqWavelen = old / high;
    let scaled = wavelen > lowFreqWavelen ? invFreq / factor : invFreq;
    const smooth = (old / wavelen - low) / (high - low);
    const smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
    const medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
    if (medium) scaled = smoothed;
    return scaled;
  });
  const got = ropeFrequencies(hs, theta, {
    type: "llama3",
    factor,
    lowFreqFactor: low,
    highFreqFactor: high,
    originalMaxPositions: old,
  });
  assertClose(got, want, { rtol: 1e-14 });
  // All three bands occur: kept, blended and divided by the factor.
  const plain = ropeFrequencies(hs, theta);
  const kinds = new Set(got.map((w, i) => w === plain[i] ? 0 : w === plain[i] / factor ? 2 : 1));
  assert.deepEqual([...kinds].sort(), [0, 1, 2]);
  const linear = ropeFrequencies(hs, theta, { type: "linear", factor: 4 });
  assertClose(linear, plain.map((w) => w / 4), { rtol: 1e-15 });
  // The table follows the frequencies.
  const { cos } = ropeTable({
    maxPositions: 3,
    headSize: hs,
    theta,
    scaling: { type: "linear", factor: 4 },
  });
  assert.equal(cos[2 * (hs / 2) + 5], Math.fround(Math.cos(2 * linear[5])));
});

Deno.test("rope: YaRN keeps fast frequencies, divides slow ones, ramps between; scales cos, sin", () => {
  // Qwen2.5's suggested long-context YaRN (θ 1e6, HS 128, factor 4 over 32768 positions).
  const theta = 1e6, hs = 128, factor = 4, old = 32768;
  const yarn = {
    type: "yarn" as const,
    factor,
    originalMaxPositions: old,
    attentionFactor: 0.1 * Math.log(factor) + 1,
    betaFast: 32,
    betaSlow: 1,
    truncate: true,
  };
  const got = ropeFrequencies(hs, theta, yarn), plain = ropeFrequencies(hs, theta);
  // The dimension d turning n times in the original positions: R·ln(P/(2πn)) / (2 ln θ).
  const turns = (n: number) => hs * Math.log(old / (n * 2 * Math.PI)) / (2 * Math.log(theta));
  const lo = Math.floor(turns(32)), hi = Math.ceil(turns(1));
  assert.ok(lo > 0 && hi < hs / 2 - 1, `a ramp inside the head: ${lo} … ${hi}`);
  got.forEach((w, d) => {
    const r = Math.min(Math.max((d - lo) / (hi - lo), 0), 1);
    const want = d <= lo
      ? plain[d]
      : d >= hi
      ? plain[d] / factor
      : plain[d] * (1 - r) + plain[d] / factor * r;
    assert.ok(Math.abs(w - want) <= 1e-15 * plain[d], `d ${d}: ${w} vs ${want}`);
  });
  // Without truncation the ramp's ends are the fractional dimensions.
  const loose = ropeFrequencies(hs, theta, { ...yarn, truncate: false });
  const r = (lo + 1 - turns(32)) / (turns(1) - turns(32));
  assert.ok(
    Math.abs(loose[lo + 1] - (plain[lo + 1] * (1 - r) + plain[lo + 1] / factor * r)) < 1e-15,
  );
  // cos and sin carry the attention factor.
  const { cos, sin } = ropeTable({ maxPositions: 3, headSize: hs, theta, scaling: yarn });
  assert.equal(cos[0], Math.fround(yarn.attentionFactor));
  assert.equal(sin[2 * (hs / 2) + 40], Math.fround(yarn.attentionFactor * Math.sin(2 * got[40])));
});
