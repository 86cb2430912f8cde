import assert from "node:assert/strict";
import {
  dequantize,
  dequantizeWeight,
  NF4_LEVELS,
  QUANT_KINDS,
  quantizedBytes,
  quantizeWeight,
  type QuantKind,
} from "../kernels/quantize.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

// Shapes whose sizes are not multiples of a word, a row of scales or a 64-value block.
const SHAPES = [[1, 1], [7, 13], [33, 65], [3, 1000]];

/** Normal values with a zero row and block (their scale is 0) and an outlier. */
function weight(rng: Rng, shape: number[]): Float32Array {
  const n = shape[0] * shape[1], w = rng.normalArray(n, 0, 0.05);
  if (shape[0] > 2) w.fill(0, shape[1], 2 * shape[1]);
  if (n > 200) w[n - 5] = 0.9;
  return w;
}

gpuTest("dequantize expands every format as the host does, bit for bit", async (gpu) => {
  const rng = new Rng(1);
  for (const kind of QUANT_KINDS) {
    for (const shape of SHAPES) {
      const q = quantizeWeight(weight(rng, shape), shape, kind, "w");
      const words = gpu.upload(q.words), scales = q.scales ? gpu.upload(q.scales) : null;
      const out = poisoned(gpu, shape);
      const enc = gpu.encoder();
      dequantize(enc, { out, w: { ...q, words, scales } });
      gpu.submit(enc);
      const [got] = await gpu.read([out]);
      const want = dequantizeWeight(q);
      assert.ok(bitEqual(got as Float32Array, want), `${kind} [${shape}]: GPU differs from host`);
      for (const t of [words, scales, out]) t?.release();
    }
  }
});

gpuTest("dequantize runs a weight larger than its piece as aligned pieces", async (gpu) => {
  const shape = [3, 65536 + 77], rng = new Rng(2);
  for (const kind of QUANT_KINDS) {
    const q = quantizeWeight(rng.normalArray(shape[0] * shape[1], 0, 0.1), shape, kind);
    const words = gpu.upload(q.words), scales = q.scales ? gpu.upload(q.scales) : null;
    const out = poisoned(gpu, shape);
    const enc = gpu.encoder();
    dequantize(enc, { out, w: { ...q, words, scales }, piece: 65536 });
    gpu.submit(enc);
    const [got] = await gpu.read([out]);
    assert.ok(bitEqual(got as Float32Array, dequantizeWeight(q)), kind);
    for (const t of [words, scales, out]) t?.release();
  }
});

Deno.test("bf16 and f16 round to nearest even, exact where the value fits", () => {
  const rng = new Rng(3), x = rng.normalArray(4096, 0, 1);
  // Values a bf16 holds come back exactly (the bf16 checkpoints most models ship as).
  const exact = x.map((v) =>
    new Float32Array(
      new Uint32Array([new Uint32Array(new Float32Array([v]).buffer)[0] & 0xffff0000]).buffer,
    )[0]
  );
  assert.ok(bitEqual(dequantizeWeight(quantizeWeight(exact, [4096], "bf16")), exact));
  const b = dequantizeWeight(quantizeWeight(x, [64, 64], "bf16"));
  for (let i = 0; i < x.length; i++) {
    // Within half a unit of bf16's 8-bit significand, and the nearest of the two neighbours.
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(x[i]))) - 7);
    assert.ok(Math.abs(b[i] - x[i]) <= ulp / 2, `bf16 ${x[i]} → ${b[i]}`);
  }
  // A tie goes to the even significand: 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷.
  const tie = dequantizeWeight(
    quantizeWeight(new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8]), [2], "bf16"),
  );
  assert.deepEqual([...tie], [1, 1 + 2 ** -6]);
  const h = dequantizeWeight(quantizeWeight(x, [4096], "f16"));
  for (let i = 0; i < x.length; i++) assert.equal(h[i], Math.f16round(x[i]));
  // f16 subnormals survive (the kernel decodes them by their bits).
  const tiny = new Float32Array([2 ** -24, -3 * 2 ** -20, 6e-5]);
  assert.deepEqual(
    [...dequantizeWeight(quantizeWeight(tiny, [3], "f16"))],
    [...tiny].map(Math.f16round),
  );
  assert.throws(
    () =>
      quantizeWeight(new Float32Array([1, 7e4]), [2], "f16", "model.layers.0.mlp.up_proj.weight"),
    /f16: model\.layers\.0\.mlp\.up_proj\.weight holds 70000 \(element 1\), past f16's ±65504; use bf16/,
  );
});

Deno.test("int8 holds the nearest multiple of each row's absmax / 127", () => {
  const rng = new Rng(4), shape = [9, 70], x = weight(rng, shape);
  const q = quantizeWeight(x, shape, "int8"), d = dequantizeWeight(q);
  for (let r = 0; r < shape[0]; r++) {
    const row = x.subarray(r * 70, (r + 1) * 70);
    const max = Math.max(...row.map(Math.abs)), step = max / 127;
    assert.equal(q.scales![r], Math.fround(step));
    for (let c = 0; c < 70; c++) {
      const v = row[c], got = d[r * 70 + c];
      // The nearest code: no other multiple of the step is closer (float32 rounding aside).
      assert.ok(
        Math.abs(got - v) <= step / 2 * (1 + 1e-6) + 1e-12,
        `row ${r} col ${c}: ${v} → ${got}`,
      );
    }
    if (max > 0) {
      assert.ok(
        Math.abs(Math.max(...d.subarray(r * 70, (r + 1) * 70).map(Math.abs)) - max) <= max * 1e-6,
      );
    } else {assert.ok(
        d.subarray(r * 70, (r + 1) * 70).every((v) => v === 0),
        "a zero row stays zero",
      );}
  }
});

Deno.test("nf4 picks each value's nearest level of its block's absmax", () => {
  const rng = new Rng(5), shape = [5, 77], x = weight(rng, shape), n = x.length;
  const q = quantizeWeight(x, shape, "nf4"), d = dequantizeWeight(q);
  assert.equal(q.scales!.length, Math.ceil(n / 64));
  for (let b = 0; b * 64 < n; b++) {
    const block = x.subarray(b * 64, Math.min(n, (b + 1) * 64));
    const max = Math.max(...block.map(Math.abs));
    assert.equal(q.scales![b], max);
    for (let i = b * 64; i < Math.min(n, (b + 1) * 64); i++) {
      const t = max === 0 ? 0 : x[i] / max;
      const best = Math.min(...[...NF4_LEVELS].map((l) => Math.abs(l - t)));
      const level = max === 0 ? 0 : d[i] / max;
      assert.ok(Math.abs(level - t) <= best + 1e-6, `element ${i}: ${t} → level ${level}`);
      assert.ok([...NF4_LEVELS].some((l) => Math.abs(l - level) < 1e-6), `${level} is a level`);
    }
    // The block's largest value is held exactly (level ±1).
    const at = block.findIndex((v) => Math.abs(v) === max);
    assert.equal(Math.abs(d[b * 64 + at]), max);
  }
  // The levels are QLoRA's: 16 of them, sorted, from −1 to 1 with 0 among them.
  assert.equal(NF4_LEVELS.length, 16);
  assert.ok(NF4_LEVELS.every((v, i) => i === 0 || v > NF4_LEVELS[i - 1]));
  assert.deepEqual([NF4_LEVELS[0], NF4_LEVELS[7], NF4_LEVELS[15]], [-1, 0, 1]);
});

Deno.test("quantizedBytes counts codes and scales; refuses a size that does not match", () => {
  const expect: Record<QuantKind, number> = {
    bf16: 4 * Math.ceil(4096 * 11 / 2),
    f16: 4 * Math.ceil(4096 * 11 / 2),
    int8: 4 * (4096 * 11 / 4 + 4096),
    nf4: 4 * (4096 * 11 / 8 + Math.ceil(4096 * 11 / 64)),
  };
  for (const kind of QUANT_KINDS) {
    const q = quantizeWeight(new Rng(6).normalArray(4096 * 11), [4096, 11], kind);
    assert.equal(quantizedBytes(kind, [4096, 11]), expect[kind], kind);
    assert.equal(q.words.byteLength + (q.scales?.byteLength ?? 0), expect[kind], kind);
  }
  assert.throws(() => quantizeWeight(new Float32Array(5), [2, 3], "nf4", "w"), /w has 5 values/);
});

gpuTest(
  "dequantize expands a half-precision weight whose codes outgrow one binding",
  async (gpu) => {
    // More values than half a binding's bytes: the codes alone outgrow one binding, the float32
    // result four pieces (a 7B model's MLP weight on a device with 128 MiB bindings).
    const limit = gpu.limits.maxStorageBufferBindingSize, cols = 4096;
    const rows = Math.ceil((limit / 2 + 65536 + 13) / cols), n = rows * cols;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = ((i * 2654435761) % 1000003) / 1000003 - 0.5;
    const q = quantizeWeight(values, [rows, cols], "bf16");
    const words = gpu.upload(q.words), out = poisoned(gpu, [rows, cols]);
    const enc = gpu.encoder();
    dequantize(enc, { out, w: { ...q, words, scales: null } });
    gpu.submit(enc);
    const [got] = await gpu.read([out]);
    assert.ok(bitEqual(got as Float32Array, dequantizeWeight(q)));
    words.release();
    out.release();
  },
);

Deno.test("nf4's table finds the nearest level exactly as comparing all 16 does", () => {
  const rng = new Rng(7), n = 64 * 2000;
  const x = rng.uniformArray(n, -1, 1);
  for (let b = 0; b < n; b += 64) x[b] = 1; // each block's absmax is 1: x is the normalised value
  // Values on and next to every level and every midpoint between levels.
  let at = 1;
  for (let q = 0; q < 16; q++) {
    const mid = q < 15 ? (NF4_LEVELS[q] + NF4_LEVELS[q + 1]) / 2 : NF4_LEVELS[q];
    for (const v of [NF4_LEVELS[q], mid, Math.fround(mid), Math.fround(mid) + 2 ** -24]) {
      if (at % 64 === 0) at++;
      x[at++] = Math.max(-1, Math.min(1, v));
    }
  }
  const d = dequantizeWeight(quantizeWeight(x, [n], "nf4"));
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let q = 1; q < 16; q++) {
      if (Math.abs(NF4_LEVELS[q] - x[i]) < Math.abs(NF4_LEVELS[best] - x[i])) best = q;
    }
    assert.equal(d[i], NF4_LEVELS[best], `x = ${x[i]}`);
  }
});
