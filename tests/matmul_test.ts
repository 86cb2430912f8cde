import assert from "node:assert/strict";
import type { Gpu, Tensor } from "../kernels/gpu.ts";
import {
  biasGrad,
  gpuSplitK,
  gpuTailSplit,
  matmul,
  type MatmulArgs,
  splitScratchBytes,
} from "../kernels/matmul.ts";
import * as ref from "../kernels/reference/matmul.ts";
import { assertClose, dot, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

const TRANSPOSES = [[false, false], [false, true], [true, false], [true, true]] as const;
const tag = (ta: boolean, tb: boolean) => `${ta ? "T" : "N"}${tb ? "T" : "N"}`;

/** (M, N, K): ones, primes, and sizes that are not multiples of the 8 × (8·WG) tiles. */
const SHAPES: [number, number, number][] = [[1, 1, 1], [37, 29, 53], [70, 130, 9], [9, 1, 17]];

interface Case {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
  withBias?: boolean;
  batch?: number;
}

/** Random host operands of a case (batches dense, one after another). */
function operands(rng: Rng, c: Case) {
  const batch = c.batch ?? 1;
  return {
    a: rng.uniformArray(batch * c.m * c.k),
    b: rng.uniformArray(batch * c.k * c.n),
    c0: rng.uniformArray(batch * c.m * c.n),
    bias: rng.uniformArray(c.n),
  };
}

/** Rows of a batch-1 operand stored `ld` apart (a multiple of 4), the padding NaN. */
function padRows(data: Float32Array, rows: number, cols: number) {
  const ld = Math.ceil(cols / 4) * 4, out = new Float32Array(rows * ld).fill(NaN);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols, (r + 1) * cols), r * ld);
  return { data: out, ld };
}

/**
 * Runs a case on the GPU (C poisoned unless β ≠ 0) and returns C. `spy.entries` collects the
 * entry points dispatched; `spy.padded` stores A's and B's rows on multiples of 4 (batch 1).
 */
async function gpuMatmul(
  gpu: Gpu,
  c: Case,
  host: ReturnType<typeof operands>,
  extra: Partial<MatmulArgs> = {},
  spy: { entries?: string[]; padded?: boolean } = {},
): Promise<Float32Array> {
  const batch = c.batch ?? 1;
  const [aRows, aCols] = c.transA ? [c.k, c.m] : [c.m, c.k];
  const [bRows, bCols] = c.transB ? [c.n, c.k] : [c.k, c.n];
  let a: Tensor, b: Tensor, strides = {};
  if (spy.padded) {
    const pa = padRows(host.a, aRows, aCols), pb = padRows(host.b, bRows, bCols);
    a = gpu.upload(pa.data, [pa.data.length], { label: "A" });
    b = gpu.upload(pb.data, [pb.data.length], { label: "B" });
    strides = { m: c.m, n: c.n, k: c.k, lda: pa.ld, ldb: pb.ld };
  } else {
    a = gpu.upload(host.a, [batch, aRows, aCols], { label: "A" });
    b = gpu.upload(host.b, [batch, bRows, bCols], { label: "B" });
  }
  const out = c.beta ? gpu.upload(host.c0, [batch, c.m, c.n]) : poisoned(gpu, [batch, c.m, c.n]);
  const bias = c.withBias ? gpu.upload(host.bias, [c.n], { label: "bias" }) : undefined;
  const enc = gpu.encoder();
  if (spy.entries) {
    const dispatch = enc.dispatch.bind(enc), entries = spy.entries;
    enc.dispatch = (d) => {
      entries.push(d.kernel.entryPoint);
      dispatch(d);
    };
  }
  matmul(enc, {
    out,
    a,
    b,
    bias,
    transA: c.transA,
    transB: c.transB,
    alpha: c.alpha,
    beta: c.beta,
    batch,
    ...strides,
    ...extra,
  });
  gpu.submit(enc);
  const [got] = await gpu.read([out]);
  for (const t of [a, b, out, bias]) t?.release();
  return got as Float32Array;
}

/** biasGrad of a random (m, n) dOut added to a random dBias, against float64. */
async function checkBiasGrad(gpu: Gpu, rng: Rng, m: number, n: number): Promise<void> {
  const hd = rng.uniformArray(m * n), init = rng.uniformArray(n);
  const dOut = gpu.upload(hd, [m, n]), dBias = gpu.upload(init);
  const enc = gpu.encoder();
  biasGrad(enc, { dBias, dOut });
  gpu.submit(enc);
  const [got] = await gpu.read([dBias]);
  assertClose(got, ref.biasGrad(hd, { m, n, dBias: init }), { label: `biasGrad M${m}` });
  dOut.release();
  dBias.release();
}

function refMatmul(c: Case, host: ReturnType<typeof operands>): Float64Array {
  return ref.matmul(host.a, host.b, {
    ...c,
    bias: c.withBias ? host.bias : undefined,
    c: host.c0,
  });
}

gpuTest(
  "matmul: all four transposes match float64 at 1, primes and non-tile sizes",
  async (gpu) => {
    const rng = new Rng(100);
    for (const [m, n, k] of SHAPES) {
      for (const [transA, transB] of TRANSPOSES) {
        const c = { m, n, k, transA, transB };
        const host = operands(rng, c);
        const got = await gpuMatmul(gpu, c, host);
        assertClose(got, refMatmul(c, host), { label: `${tag(transA, transB)} M${m} N${n} K${k}` });
      }
    }
  },
);

gpuTest(
  "matmul: K ≥ 512 (row blocks on the fastest grid axis) matches float64, batched and small M",
  async (gpu) => {
    const rng = new Rng(105);
    // Several row and column blocks, so a swapped grid that mixed them up would show.
    for (const [transA, transB] of TRANSPOSES) {
      const c = { m: 70, n: 150, k: 517, transA, transB, batch: 2 };
      const host = operands(rng, c);
      const got = await gpuMatmul(gpu, c, host);
      assertClose(got, refMatmul(c, host), { label: `${tag(transA, transB)} K517` });
    }
    const c = { m: 9, n: 140, k: 600, transB: true, beta: 1 };
    const host = operands(rng, c);
    assertClose(await gpuMatmul(gpu, c, host), refMatmul(c, host), { label: "small M, K600" });
  },
);

gpuTest(
  "matmul: B rows on multiples of 4 (read as vec4f) match float64: NN, TN, small M, K chunks",
  async (gpu) => {
    const rng = new Rng(106);
    const cases: [Case, Partial<MatmulArgs>][] = [
      [{ m: 37, n: 20, k: 29, batch: 2 }, {}],
      [{ m: 70, n: 132, k: 33, transA: true, alpha: -1.5, withBias: true }, {}],
      [{ m: 5, n: 44, k: 600, beta: 1 }, {}], // matmul_small, accumulating, K ≥ 512
      [{ m: 9, n: 12, k: 1000, withBias: true }, { maxBindingBytes: 4096 }], // K chunks
    ];
    for (const [c, extra] of cases) {
      const host = operands(rng, c);
      const got = await gpuMatmul(gpu, c, host, extra);
      assertClose(got, refMatmul(c, host), { label: JSON.stringify(c) });
    }
    // B as a view: at element 4 its rows stay on multiples of 4; at element 2 they do not.
    const c = { m: 33, n: 24, k: 17 };
    const host = operands(rng, c);
    const want = refMatmul(c, host);
    for (const start of [4, 2]) {
      const a = gpu.upload(host.a, [c.m, c.k]);
      const store = gpu.upload(new Float32Array([...new Array(start).fill(7), ...host.b]));
      const b = store.view(start, [c.k, c.n]);
      const out = poisoned(gpu, [c.m, c.n]);
      const enc = gpu.encoder();
      matmul(enc, { out, a, b });
      gpu.submit(enc);
      const [got] = await gpu.read([out]);
      assertClose(got as Float32Array, want, { label: `B view at ${start}` });
      for (const t of [a, store, out]) t.release();
    }
  },
);

gpuTest(
  "matmul: wider reads of A on CPU adapters (uniform windows, vec4f) match float64 and scalar bits",
  async (gpu) => {
    if (!gpu.isCpu) return; // tensors are uniform-readable on CPU adapters only
    const rng = new Rng(112);
    const cores = navigator.hardwareConcurrency || 1;
    const run = async (c: Case, host: ReturnType<typeof operands>, extra = {}, padded = false) => {
      const entries: string[] = [];
      const got = await gpuMatmul(gpu, c, host, { kernel: "lanes", ...extra }, {
        entries,
        padded,
      });
      return { got, entries };
    };
    /** `n` window launches if the smallest holds at least `cores` workgroups, else the scalar read. */
    const windows = (n: number, groups: number, b = "bv4_") =>
      groups >= cores ? Array(n).fill(`matmul_${b}ua`) : [b ? "matmul_bv4" : "matmul"];
    // [case, padded rows, extra options, the entry points expected (in order)].
    // As many column blocks as cores: the cases that must use every window's copy of the loop
    // keep their windows on a host of any size.
    const wideN = 128 * cores;
    const cases: [Case, boolean, Partial<MatmulArgs>, string[]][] = [
      // Rows 100 apart: two windows of 5 blocks of 32 rows in one launch (the second shifted
      // back to end at the buffer's end), 2 column blocks; bias and α.
      [{ m: 300, n: 136, k: 100, alpha: -1.5, withBias: true }, false, {}, windows(1, 20)],
      // K 512: one block per window, 2 column blocks; accumulating.
      [{ m: 70, n: 200, k: 512, beta: 1 }, false, {}, windows(1, 6)],
      // 4 windows of one block, the last partial: every window's copy of the loop.
      [{ m: 120, n: wideN, k: 512 }, false, {}, windows(1, 4 * cores)],
      // 19 windows: launches of 4, 4, 4, 4 and 3.
      [{ m: 600, n: wideN, k: 512, withBias: true }, false, {}, windows(5, 3 * cores)],
      // β = 0.5: the prologue, then windows that accumulate.
      [{ m: 130, n: 264, k: 128, beta: 0.5 }, false, {}, [
        "prologue",
        ...windows(1, 15),
      ]],
      // A cut along M into 4 pieces of 75 rows by a small binding limit: a window in each.
      [{ m: 300, n: 136, k: 100 }, false, { maxBindingBytes: 70_000 }, [
        ...windows(1, 6),
        ...windows(1, 6),
        ...windows(1, 6),
        ...windows(1, 6),
      ]],
      // Two batches cut apart, and each along M, by a small binding limit: windows in each piece.
      [{ m: 300, n: 136, k: 100, batch: 2 }, false, { maxBindingBytes: 130_000 }, [
        ...windows(1, 10),
        ...windows(1, 10),
        ...windows(1, 10),
        ...windows(1, 10),
      ]],
      // One column block and one row block: the launch would hold one workgroup.
      [{ m: 32, n: 100, k: 512 }, false, {}, windows(1, 1)],
      // A smaller than a window: the scalar read.
      [{ m: 40, n: 136, k: 100 }, false, {}, ["matmul_bv4"]],
      // Transposed A with rows on multiples of 4: vec4f, the last block's rows past M.
      [{ m: 72, n: 136, k: 45, transA: true, withBias: true }, false, {}, ["matmul_bv4_av4"]],
      [{ m: 37, n: 52, k: 41, transA: true, beta: 1 }, true, {}, ["matmul_bv4_av4"]], // lda 40
      [{ m: 40, n: 20, k: 33, transA: true, batch: 3 }, false, {}, ["matmul_bv4_av4"]],
      // Cut along K into 4 pieces by a small binding limit (later pieces accumulate): vec4f in
      // each.
      [
        { m: 40, n: 20, k: 300, transA: true },
        false,
        { maxBindingBytes: 20_000 },
        Array(4).fill(
          "matmul_bv4_av4",
        ),
      ],
      // Rows 70 apart: the scalar read.
      [{ m: 70, n: 20, k: 33, transA: true }, false, {}, ["matmul_bv4"]],
      // B transposed (read by scalars): A in windows or as vec4f all the same.
      [{ m: 300, n: 136, k: 100, transB: true, withBias: true }, false, {}, windows(1, 20, "")],
      [{ m: 250, n: wideN, k: 512, transB: true, beta: 1 }, false, {}, windows(2, 4 * cores, "")],
      [{ m: 72, n: 136, k: 45, transA: true, transB: true }, false, {}, ["matmul_av4"]],
      [{ m: 37, n: 52, k: 41, transA: true, transB: true }, true, {}, ["matmul_av4"]],
    ];
    for (const [c, padded, extra, want] of cases) {
      const host = operands(rng, c);
      const wide = await run(c, host, extra, padded);
      const label = JSON.stringify(c);
      assert.deepEqual(wide.entries, want, label);
      assertClose(wide.got, refMatmul(c, host), { label });
      const scalar = await run(c, host, { ...extra, wideLoads: false }, padded);
      assert.ok(!scalar.entries.some((e) => e.endsWith("_ua") || e.endsWith("_av4")), label);
      assert.ok(bitEqual(wide.got, scalar.got), `wide and scalar reads differ: ${label}`);
    }
    // A as a view at an unaligned element (the windows' element offsets are not 0), also on an
    // adapter whose storage offsets align to 64 bytes and uniform offsets to 32.
    const c = { m: 200, n: 264, k: 96 };
    const host = operands(rng, c);
    const real = gpu.limits;
    for (const [start, storageAlign] of [[3, 0], [5, 0], [8, 64]]) {
      const limits = storageAlign
        ? { ...limitsOf(real), minStorageBufferOffsetAlignment: storageAlign }
        : real;
      Object.defineProperty(gpu, "limits", { get: () => limits, configurable: true });
      try {
        const store = gpu.upload(new Float32Array([...new Array(start).fill(7), ...host.a]));
        const a = store.view(start, [c.m, c.k]), b = gpu.upload(host.b, [c.k, c.n]);
        const results: Float32Array[] = [];
        for (const wideLoads of [true, false]) {
          const out = poisoned(gpu, [c.m, c.n]), enc = gpu.encoder(), entries: string[] = [];
          const dispatch = enc.dispatch.bind(enc);
          enc.dispatch = (d) => {
            entries.push(d.kernel.entryPoint);
            dispatch(d);
          };
          matmul(enc, { out, a, b, wideLoads });
          gpu.submit(enc);
          results.push((await gpu.read([out]))[0] as Float32Array);
          out.release();
          if (wideLoads) assert.deepEqual(entries, windows(1, 21), `A view at ${start}`);
        }
        assertClose(results[0], refMatmul(c, host), { label: `A view at ${start}` });
        assert.ok(bitEqual(results[0], results[1]), `A view at ${start}: wide and scalar differ`);
        for (const t of [store, b]) t.release();
      } finally {
        delete (gpu as { limits?: unknown }).limits;
      }
    }
  },
);

/** A plain copy of an adapter's limits (their fields are getters). */
function limitsOf(l: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key in l) out[key] = (l as unknown as Record<string, number>)[key];
  return out;
}

gpuTest(
  "matmul: the tiled kernel (GPUs) matches float64 and the lanes kernel bit for bit",
  async (gpu) => {
    const rng = new Rng(107);
    const cases: [Case, Partial<MatmulArgs>][] = [
      [{ m: 1, n: 1, k: 1 }, {}],
      [{ m: 37, n: 53, k: 29 }, {}],
      [{ m: 130, n: 129, k: 17, transA: true }, {}], // two row and two column blocks
      [{ m: 70, n: 150, k: 33, transB: true, alpha: -1.5, withBias: true }, {}],
      [{ m: 9, n: 20, k: 41, transA: true, transB: true, beta: 1, batch: 3 }, {}],
      [{ m: 33, n: 61, k: 520, withBias: true, beta: 0.5 }, {}], // prologue, rows_fast
      [{ m: 5, n: 3, k: 3001, withBias: true }, { maxBindingBytes: 4096 }], // K chunks
    ];
    for (const [c, extra] of cases) {
      const host = operands(rng, c);
      const tiled = await gpuMatmul(gpu, c, host, { ...extra, kernel: "tiled", splitK: 1 });
      const lanes = await gpuMatmul(gpu, c, host, { ...extra, kernel: "lanes" });
      assertClose(tiled, refMatmul(c, host), { label: `tiled ${JSON.stringify(c)}` });
      assert.ok(bitEqual(tiled, lanes), `tiled and lanes differ: ${JSON.stringify(c)}`);
    }
  },
);

gpuTest(
  "matmul: aligned operands take the vec4f tiled kernel, bit-identical to the others",
  async (gpu) => {
    const rng = new Rng(109);
    /**
     * Runs a case with the tiled kernel in 128-column blocks (a GPU would take 64-column blocks
     * for N ≤ 64 by default) and returns C and the entry points dispatched.
     */
    const run = async (c: Case, host: ReturnType<typeof operands>, extra: Partial<MatmulArgs>) => {
      const entries: string[] = [];
      const tiled = { kernel: "tiled", splitK: 1, blockCols: 128 } as const;
      const got = await gpuMatmul(gpu, c, host, { ...tiled, ...extra }, {
        entries,
      });
      return { got, entries };
    };
    const cases: Case[] = [
      ...TRANSPOSES.map(([transA, transB]) => ({ m: 132, n: 136, k: 40, transA, transB })),
      { m: 36, n: 20, k: 600, transB: true, alpha: -1.5, withBias: true, beta: 1 },
      { m: 8, n: 12, k: 24, transA: true, batch: 3 },
    ];
    for (const c of cases) {
      const host = operands(rng, c);
      const v4 = await run(c, host, {});
      assert.deepEqual([...new Set(v4.entries)], ["matmul_tiled_v4"], JSON.stringify(c));
      assertClose(v4.got, refMatmul(c, host), { label: `v4 ${JSON.stringify(c)}` });
      // The lanes kernel sums in the same order as matmul_tiled (tested above): same bits.
      const lanes = await gpuMatmul(gpu, c, host, { kernel: "lanes" });
      assert.ok(bitEqual(v4.got, lanes), `v4 and lanes differ: ${JSON.stringify(c)}`);
      // Split K over the vec4f kernel.
      const split = await run(c, host, { splitK: 2 });
      if ((c.batch ?? 1) === 1) {
        assert.deepEqual(
          [...new Set(split.entries)].sort(),
          ["matmul_tiled_v4", "splitk_reduce"],
        );
      }
      assertClose(split.got, refMatmul(c, host), { label: `v4 split ${JSON.stringify(c)}` });
    }
    // C split by a small binding limit into two pieces of M: cut at a multiple of 4 (28, not
    // 26), so the second piece's A columns still start on a vec4f.
    {
      const c = { m: 52, n: 40, k: 4, transA: true };
      const host = operands(rng, c);
      const v4 = await run(c, host, { maxBindingBytes: 5000 });
      assert.equal(v4.entries.length, 2);
      assert.deepEqual([...new Set(v4.entries)], ["matmul_tiled_v4"]);
      assertClose(v4.got, refMatmul(c, host), { label: "split by the binding limit" });
    }
    // Not aligned (A's rows 41 apart): the scalar kernel.
    const c = { m: 8, n: 12, k: 41 };
    const odd = await run(c, operands(rng, c), {});
    assert.deepEqual([...new Set(odd.entries)], ["matmul_tiled"]);
    // Odd extents with row strides padded to multiples of 4 (the classifier's logits): vec4f,
    // the elements past each row's end masked lane by lane.
    for (const [transA, transB] of TRANSPOSES) {
      const c = { m: 37, n: 53, k: 41, transA, transB };
      const host = operands(rng, c);
      const entries: string[] = [];
      const tiled = { kernel: "tiled", splitK: 1, blockCols: 128 } as const;
      const got = await gpuMatmul(gpu, c, host, tiled, { entries, padded: true });
      assert.deepEqual([...new Set(entries)], ["matmul_tiled_v4"], tag(transA, transB));
      assertClose(got, refMatmul(c, host), { label: `padded ${tag(transA, transB)}` });
      const lanes = await gpuMatmul(gpu, c, host, { kernel: "lanes" });
      assert.ok(bitEqual(got, lanes), `padded v4 and lanes differ`);
    }
  },
);

gpuTest(
  "matmul: split K (tiled kernel) matches float64: every transpose, bias, α, β, K chunks",
  async (gpu) => {
    const rng = new Rng(108);
    const cases: [Case, Partial<MatmulArgs>][] = [
      ...TRANSPOSES.map(([transA, transB]): [Case, Partial<MatmulArgs>] => [
        { m: 37, n: 53, k: 600, transA, transB },
        { splitK: 3 }, // slices of 208, 208 and 184
      ]),
      [{ m: 130, n: 129, k: 70, alpha: -1.5, withBias: true }, { splitK: 5 }], // 16 × 4 + 6
      [{ m: 9, n: 20, k: 517, transB: true, beta: 1, withBias: true }, { splitK: 2 }],
      [{ m: 33, n: 61, k: 520, transA: true, beta: 0.5, withBias: true }, { splitK: 4 }],
      [{ m: 5, n: 3, k: 3001, withBias: true }, { splitK: 3, maxBindingBytes: 4096 }],
      [{ m: 7, n: 9, k: 40, batch: 2 }, { splitK: 2 }], // batched: not split
    ];
    for (const [c, extra] of cases) {
      const host = operands(rng, c);
      const before = gpu.stats.dispatches;
      const got = await gpuMatmul(gpu, c, host, { ...extra, kernel: "tiled" });
      assertClose(got, refMatmul(c, host), { label: `split ${JSON.stringify([c, extra])}` });
      // Split: the full slices, the last slice and the reduction (plus β's prologue).
      const plain = (c.batch ?? 1) > 1 || extra.maxBindingBytes;
      if (!plain) assert.equal(gpu.stats.dispatches - before, 3 + (c.beta === 0.5 ? 1 : 0));
    }
    await assert.rejects(
      gpuMatmul(gpu, { m: 2, n: 2, k: 2 }, operands(rng, { m: 2, n: 2, k: 2 }), {
        kernel: "tiled",
        splitK: 0,
      }),
      /splitK must be a positive integer/,
    );
  },
);

gpuTest(
  "matmul and biasGrad with a GPU's defaults (split K, vec4f, row parts) match float64",
  async (gpu) => {
    // The GPU defaults, forced on this adapter: split K below 133 workgroups, vec4f staging,
    // bias gradients in row parts (including chunks of fewer than 256 rows: one part).
    Object.defineProperty(gpu, "isCpu", { get: () => false, configurable: true });
    try {
      const rng = new Rng(110);
      const cases: Case[] = [
        { m: 37, n: 53, k: 1200, withBias: true }, // one workgroup: 4 K slices
        { m: 36, n: 20, k: 600, transA: true, transB: true, beta: 0.5 }, // vec4f, 2 slices
        { m: 130, n: 129, k: 70 }, // K too short to split
      ];
      for (const c of cases) {
        const host = operands(rng, c);
        const got = await gpuMatmul(gpu, c, host);
        assertClose(got, refMatmul(c, host), { label: `GPU defaults ${JSON.stringify(c)}` });
      }
      for (const m of [100, 255, 256, 1000]) await checkBiasGrad(gpu, rng, m, 130);
    } finally {
      delete (gpu as unknown as { isCpu?: boolean }).isCpu;
    }
    assert.equal(Object.getOwnPropertyDescriptor(gpu, "isCpu"), undefined);
  },
);

gpuTest(
  "matmul: split-K scratch stays with its encoder until that encoder is submitted",
  async (gpu) => {
    // Encoder A splits K (its scratch is reused by A's later products); another submit and an
    // upload meanwhile must not receive the scratch's buffer.
    const rng = new Rng(111);
    const c = { m: 8, n: 8, k: 64 };
    const host = operands(rng, c);
    const a = gpu.upload(host.a, [c.m, c.k]), b = gpu.upload(host.b, [c.k, c.n]);
    const out1 = gpu.tensor([c.m, c.n]), out2 = gpu.tensor([c.m, c.n]);
    const encA = gpu.encoder();
    matmul(encA, { out: out1, a, b, kernel: "tiled", splitK: 4 }); // scratch: 4 × 64 floats
    gpu.submit(gpu.encoder()); // another encoder submitted while A is open
    const values = new Float32Array(4 * c.m * c.n).map((_, i) => i + 0.5);
    const x = gpu.upload(values, [values.length]); // the scratch's size
    const y = gpu.tensor([values.length]);
    matmul(encA, { out: out2, a, b, kernel: "tiled", splitK: 4 }); // reuses A's scratch
    encA.copy(x, y);
    gpu.submit(encA);
    const [gy, g1, g2] = await gpu.read([y, out1, out2]);
    assert.deepEqual([...gy], [...values]);
    const want = refMatmul(c, host);
    assertClose(g1, want, { label: "first product" });
    assertClose(g2, want, { label: "second product" });
    for (const t of [a, b, out1, out2, x, y]) t.release();
  },
);

gpuTest("matmul: alpha, beta (accumulate) and bias", async (gpu) => {
  const rng = new Rng(101);
  const cases: Case[] = [
    { m: 13, n: 67, k: 31, alpha: -1.5, withBias: true },
    { m: 13, n: 67, k: 31, transB: true, beta: 1, withBias: true },
    { m: 66, n: 5, k: 1, transA: true, alpha: 0.25, beta: -0.5 },
    { m: 3, n: 9, k: 130, transA: true, transB: true, alpha: 2, beta: 0.75, withBias: true },
  ];
  for (const c of cases) {
    const host = operands(rng, c);
    assertClose(await gpuMatmul(gpu, c, host), refMatmul(c, host), { label: JSON.stringify(c) });
  }
});

gpuTest("matmul: batched by strides, with a shared operand (stride 0)", async (gpu) => {
  const rng = new Rng(102);
  for (const [transA, transB] of TRANSPOSES) {
    const c = { m: 11, n: 19, k: 7, transA, transB, batch: 3, withBias: true };
    const host = operands(rng, c);
    assertClose(await gpuMatmul(gpu, c, host), refMatmul(c, host), { label: tag(transA, transB) });
    // B shared by every batch: strideB 0 reads batch 0's B each time.
    const shared = { ...host, b: host.b.slice(0, c.k * c.n) };
    const want = ref.matmul(host.a, new Float32Array([...shared.b, ...shared.b, ...shared.b]), {
      ...c,
      bias: host.bias,
    });
    const b = gpu.upload(shared.b, [c.transB ? c.n : c.k, c.transB ? c.k : c.n]);
    const a = gpu.upload(host.a, [3, transA ? c.k : c.m, transA ? c.m : c.k]);
    const bias = gpu.upload(host.bias), out = poisoned(gpu, [3, c.m, c.n]);
    const enc = gpu.encoder();
    matmul(enc, { out, a, b, bias, transA, transB, m: c.m, n: c.n, k: c.k, batch: 3, strideB: 0 });
    gpu.submit(enc);
    assertClose((await gpu.read([out]))[0], want, { label: `shared B ${tag(transA, transB)}` });
    for (const t of [a, b, bias, out]) t.release();
  }
});

gpuTest("matmul: reruns are bit-identical", async (gpu) => {
  const c = { m: 45, n: 77, k: 91, transB: true, withBias: true };
  const host = operands(new Rng(103), c);
  const first = await gpuMatmul(gpu, c, host), second = await gpuMatmul(gpu, c, host);
  assert.ok(bitEqual(first, second), "two runs differ");
});

gpuTest("matmul: either grid order gives the same bits (lanes and tiled, split K)", async (gpu) => {
  // K 600 (≥ 512) puts row blocks on the fast axis by default; K 91 column blocks.
  for (
    const c of [{ m: 45, n: 77, k: 600, transB: true, withBias: true }, { m: 70, n: 33, k: 91 }]
  ) {
    const host = operands(new Rng(c.k), c);
    const want = refMatmul(c, host);
    for (const kernel of ["lanes", "tiled"] as const) {
      for (const splitK of [undefined, 3]) {
        if (kernel === "lanes" && splitK) continue;
        const runs = [];
        for (const gridOrder of [undefined, "rows", "columns"] as const) {
          const got = await gpuMatmul(gpu, c, host, { kernel, splitK, gridOrder });
          assertClose(got, want, { label: `${kernel} K/${splitK} ${gridOrder}` });
          runs.push(got);
        }
        assert.ok(bitEqual(runs[0], runs[1]) && bitEqual(runs[1], runs[2]), `${kernel} ${splitK}`);
      }
    }
  }
});

gpuTest(
  "matmul: unaligned operands repacked for the vec4f kernel give the same bits",
  async (gpu) => {
    // K 91 and N 77: rows of A (NN) and of B (NN) are not 4-aligned, so the tiled launcher uses
    // its scalar kernel unless it repacks them; with `repack` it copies them and runs the vec4f
    // one.
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const extra of [{ withBias: true }, { beta: 1, alpha: 0.5 }]) {
          const c = { m: 45, n: 77, k: 91, transA, transB, ...extra };
          const host = operands(new Rng(7 + Number(transA) + 2 * Number(transB)), c);
          const label = `${tag(transA, transB)} ${JSON.stringify(extra)}`;
          const plain: string[] = [], packed: string[] = [];
          const want = await gpuMatmul(gpu, c, host, { kernel: "tiled", repack: false }, {
            entries: plain,
          });
          const got = await gpuMatmul(gpu, c, host, { kernel: "tiled", repack: true }, {
            entries: packed,
          });
          assertClose(got, refMatmul(c, host), { label });
          assert.ok(bitEqual(got, want), `${label}: repacked and plain differ`);
          assert.deepEqual(plain, ["matmul_tiled"], label);
          assert.deepEqual(packed, ["pad_rows", "pad_rows", "matmul_tiled_v4"], label);
        }
      }
    }
    // Only the unaligned operand is copied; an aligned pair is left alone.
    const one: string[] = [];
    const c = { m: 45, n: 76, k: 91 }, host = operands(new Rng(3), c);
    await gpuMatmul(gpu, c, host, { kernel: "tiled", repack: true }, { entries: one });
    assert.deepEqual(one, ["pad_rows", "matmul_tiled_v4"]);
    const none: string[] = [];
    const d = { m: 45, n: 76, k: 92 }, hostD = operands(new Rng(4), d);
    await gpuMatmul(gpu, d, hostD, { kernel: "tiled", repack: true }, { entries: none });
    assert.deepEqual(none, ["matmul_tiled_v4"]);
  },
);

gpuTest("matmul: repack by default for big products, and for unaligned offsets", async (gpu) => {
  // By default B (rows 5 apart) is repacked once M ≥ 1024 rows reuse it, not below (128-column
  // blocks asked for: a GPU would take 64-column ones for N ≤ 64, under another kernel's name).
  for (const [m, want] of [[1024, ["pad_rows", "matmul_tiled_v4"]], [1023, ["matmul_tiled"]]]) {
    const e = { m: m as number, n: 5, k: 8 }, hostE = operands(new Rng(5), e), seen: string[] = [];
    const tiled = { kernel: "tiled", blockCols: 128 } as const;
    const got = await gpuMatmul(gpu, e, hostE, tiled, { entries: seen });
    assert.deepEqual(seen, want, `M ${m}`);
    assertClose(got, refMatmul(e, hostE), { label: `default repack, M ${m}` });
  }
  // An aligned stride at an unaligned offset is repacked too: A viewed 1 element into a buffer.
  const f = { m: 40, n: 36, k: 44 }, hostF = operands(new Rng(6), f);
  const a = gpu.upload(new Float32Array([NaN, ...hostF.a]), [1 + f.m * f.k], { label: "A + 1" });
  const b = gpu.upload(hostF.b, [f.k, f.n], { label: "B" });
  const out = poisoned(gpu, [f.m, f.n]), seen: string[] = [];
  const enc = gpu.encoder();
  const dispatch = enc.dispatch.bind(enc);
  enc.dispatch = (x) => {
    seen.push(x.kernel.entryPoint);
    dispatch(x);
  };
  matmul(enc, { out, a: a.view(1, [f.m, f.k]), b, kernel: "tiled", repack: true, blockCols: 128 });
  gpu.submit(enc);
  const [got] = await gpu.read([out]);
  assert.deepEqual(seen, ["pad_rows", "matmul_tiled_v4"]);
  assertClose(got, refMatmul(f, hostF), { label: "A at element offset 1" });
  for (const t of [a, b, out]) t.release();
  // Two repacked products in one encoder share the scratch (the second copy runs after the first
  // product): both right.
  const g1 = { m: 20, n: 33, k: 17 }, g2 = { m: 30, n: 21, k: 27, transB: true };
  const h1 = operands(new Rng(8), g1), h2 = operands(new Rng(9), g2);
  const t = (x: Float32Array, shape: number[]) => gpu.upload(x, shape);
  const [a1, b1, a2, b2] = [
    t(h1.a, [20, 17]),
    t(h1.b, [17, 33]),
    t(h2.a, [30, 27]),
    t(h2.b, [21, 27]),
  ];
  const o1 = poisoned(gpu, [20, 33]), o2 = poisoned(gpu, [30, 21]);
  const both = gpu.encoder();
  matmul(both, { out: o1, a: a1, b: b1, kernel: "tiled", repack: true });
  matmul(both, { out: o2, a: a2, b: b2, transB: true, kernel: "tiled", repack: true });
  gpu.submit(both);
  const [r1, r2] = await gpu.read([o1, o2]);
  assertClose(r1, refMatmul(g1, h1), { label: "first of two" });
  assertClose(r2, refMatmul(g2, h2), { label: "second of two" });
  for (const x of [a1, b1, a2, b2, o1, o2]) x.release();
});

Deno.test("matmul: the GPU split-K rule and its scratch", () => {
  // One wave for few workgroups; deep slices (K ≥ 512 each, ~1152 workgroups) for up to 198
  // with K ≥ 2048; nothing for a wave or more, or a short K (measured on an H200: RESULTS.md).
  const cases: [number, number, number][] = [
    [6, 50257, 32], // the classifier's input gradient per 128-row chunk
    [36, 4096, 8], // 768² weight gradients (one wave: 7; deep: 8)
    [64, 1024, 4], // 1024³
    [96, 3072, 6], // 2048×3072×768
    [144, 4096, 8], // 768×3072 weight gradients
    [192, 3072, 6], // 4096×3072×768
    [192, 768, 1], // 4096×768×768: K too short for deep slices, too many groups for one wave
    [256, 2048, 1], // 2048³: a wave
    [288, 768, 1],
    [10, 500, 1], // K < 512
  ];
  for (const [groups, k, want] of cases) assert.equal(gpuSplitK(groups, k), want, `${groups} ${k}`);
  assert.equal(splitScratchBytes(768, 3072, 4096), 8 * 768 * 3072 * 4);
  assert.equal(splitScratchBytes(2048, 2048, 2048), 0);
});

gpuTest(
  "matmul: 64-row and 64-column blocks (matmul_tiled_v4_half, _narrow) match float64 and lanes bits",
  async (gpu) => {
    const rng = new Rng(110);
    // M 152 and N 100: 3 row blocks of 64 or 2 of 128, 2 column blocks of 64 or 1 of 128, the
    // last ones partial; every transpose.
    const cases: [Case, Partial<MatmulArgs>][] = [
      ...TRANSPOSES.map(([transA, transB]): [Case, Partial<MatmulArgs>] => [
        { m: 152, n: 100, k: 40, transA, transB },
        {},
      ]),
      [{ m: 64, n: 64, k: 52, withBias: true, alpha: -1.5 }, {}],
      [{ m: 36, n: 20, k: 600, transB: true, withBias: true, beta: 1 }, {}], // rows_fast, +=
      [{ m: 68, n: 24, k: 48, transA: true, batch: 3, beta: 0.5 }, {}], // prologue, batched
      [{ m: 52, n: 40, k: 4, transA: true }, { maxBindingBytes: 5000 }], // two pieces of M
    ];
    const blocks = [
      [{ blockRows: 64 }, "matmul_tiled_v4_half"],
      [{ blockCols: 64 }, "matmul_tiled_v4_narrow"],
    ] as const;
    for (const [block, kernel] of blocks) {
      for (const [c, extra] of cases) {
        const host = operands(rng, c), entries: string[] = [];
        const label = JSON.stringify([c, extra, block]);
        const got = await gpuMatmul(
          gpu,
          c,
          host,
          { ...extra, ...block, kernel: "tiled", splitK: 1 },
          { entries },
        );
        assert.deepEqual([...new Set(entries)].filter((e) => e !== "prologue"), [kernel], label);
        assertClose(got, refMatmul(c, host), { label });
        const lanes = await gpuMatmul(gpu, c, host, { ...extra, kernel: "lanes" });
        assert.ok(bitEqual(got, lanes), `${kernel} and lanes differ: ${label}`);
      }
      // Split K and the tail split over these blocks (their rules count 128 × 128 blocks: 5 × 2
      // with waves of 9 as in the tail test below), and an unaligned A (the scalar 128 × 128
      // kernel).
      for (
        const [c, extra, others] of [
          [{ m: 152, n: 100, k: 600, transA: true }, { splitK: 3 }, ["splitk_reduce"]],
          [{ m: 600, n: 200, k: 524 }, { tailSplit: true, waveGroups: 9 }, ["splitk_reduce"]],
          [{ m: 20, n: 12, k: 41 }, { splitK: 1 }, ["matmul_tiled"]],
        ] as [Case, Partial<MatmulArgs>, string[]][]
      ) {
        const host = operands(rng, c), entries: string[] = [];
        const got = await gpuMatmul(gpu, c, host, { ...extra, ...block, kernel: "tiled" }, {
          entries,
        });
        const own = others[0] === "matmul_tiled" ? [] : [kernel];
        assert.deepEqual([...new Set(entries)].sort(), [...own, ...others].sort());
        assertClose(got, refMatmul(c, host), { label: JSON.stringify([c, extra, block]) });
      }
    }
    // The default on a GPU (forced here): 64 columns for N ≤ 64 only.
    Object.defineProperty(gpu, "isCpu", { get: () => false, configurable: true });
    try {
      for (const [n, want] of [[64, "matmul_tiled_v4_narrow"], [68, "matmul_tiled_v4"]] as const) {
        const c = { m: 20, n, k: 8 }, entries: string[] = [];
        await gpuMatmul(gpu, c, operands(rng, c), {}, { entries });
        assert.deepEqual(entries, [want], `N ${n}`);
      }
    } finally {
      delete (gpu as unknown as { isCpu?: boolean }).isCpu;
    }
    const tiny = { m: 2, n: 2, k: 2 };
    for (
      const [bad, message] of [
        [{ blockRows: 32 as 64 }, /blockRows must be 128 or 64/],
        [{ blockCols: 32 as 64 }, /blockCols must be 128 or 64/],
        [{ blockRows: 64, blockCols: 64 }, /cannot be combined/],
      ] as [Partial<MatmulArgs>, RegExp][]
    ) {
      await assert.rejects(
        gpuMatmul(gpu, tiny, operands(rng, tiny), { kernel: "tiled", ...bad }),
        message,
      );
    }
  },
);

gpuTest(
  "matmul: tail split (the last wave's blocks in K slices) matches float64, rows or columns cut",
  async (gpu) => {
    const rng = new Rng(109);
    // 5 × 2 blocks of 128 with waves of 9: 4 row blocks (8 workgroups) as usual, the last row
    // block's 2 in 4 slices; 2 × 5 blocks cut the same way along the columns. The last blocks
    // are partial (M or N 600), K is not a multiple of 16 or of the slices (K 523 with A not
    // transposed or B transposed: rows not 4-aligned, the scalar tiled kernel).
    const cases: [Case, string][] = [
      ...TRANSPOSES.map(([transA, transB]): [Case, string] => [
        { m: 600, n: 200, k: 524, transA, transB },
        "rows",
      ]),
      [{ m: 200, n: 600, k: 523, withBias: true, alpha: -0.75 }, "columns"],
      [{ m: 200, n: 600, k: 523, transB: true, beta: 1, withBias: true }, "columns"],
      [{ m: 600, n: 200, k: 523, transA: true, beta: 0.5 }, "rows"],
    ];
    for (const [c, along] of cases) {
      const plan = gpuTailSplit(Math.ceil(c.m / 128), Math.ceil(c.n / 128), c.k, 9);
      assert.deepEqual(plan, { along, keep: 4, slices: 4 });
      const host = operands(rng, c), entries: string[] = [];
      const got = await gpuMatmul(
        gpu,
        c,
        host,
        { kernel: "tiled", tailSplit: true, waveGroups: 9 },
        { entries },
      );
      assertClose(got, refMatmul(c, host), { label: `tail ${JSON.stringify(c)}` });
      // The whole waves' launch, the tail's full slices and last slice, the reduction (each
      // part after β's prologue).
      const pro = c.beta === 0.5 ? ["prologue"] : [];
      const aligned = (c.transA ? c.m : c.k) % 4 === 0 && (c.transB ? c.k : c.n) % 4 === 0;
      const tiles = aligned ? "matmul_tiled_v4" : "matmul_tiled";
      assert.deepEqual(entries, [...pro, tiles, ...pro, tiles, tiles, "splitk_reduce"]);
      // Turned off: the launcher's usual K slices (none on CPU adapters; on a GPU the one-wave
      // rule cuts these 10 workgroups' K); with K slices given: one launch.
      const usual = gpu.isCpu ? 1 : gpuSplitK(10, c.k);
      const split = usual > 1 ? [...Array(usual).fill(tiles), "splitk_reduce"] : [tiles];
      for (const off of [{ tailSplit: false }, { tailSplit: true, splitK: 1 }]) {
        const plain: string[] = [];
        await gpuMatmul(gpu, c, host, { kernel: "tiled", waveGroups: 9, ...off }, {
          entries: plain,
        });
        const want = off.splitK === 1 ? [...pro, tiles] : [...pro, ...split];
        assert.deepEqual(plain, want, JSON.stringify(off));
      }
    }
    // Exactly whole waves (2 × 3 blocks, waves of 3): nothing to cut, one launch.
    {
      const c = { m: 200, n: 300, k: 384 }, host = operands(rng, c), entries: string[] = [];
      const got = await gpuMatmul(
        gpu,
        c,
        host,
        { kernel: "tiled", tailSplit: true, waveGroups: 3 },
        { entries },
      );
      assert.deepEqual(entries, ["matmul_tiled_v4"]);
      assertClose(got, refMatmul(c, host), { label: "whole waves" });
    }
    await assert.rejects(
      gpuMatmul(gpu, { m: 2, n: 2, k: 2 }, operands(rng, { m: 2, n: 2, k: 2 }), {
        kernel: "tiled",
        waveGroups: 0,
      }),
      /waveGroups must be a positive integer/,
    );
  },
);

Deno.test("matmul: the GPU tail-split rule and its scratch", () => {
  // PyTorch's 2048×768×2304 (288 workgroups): 16 column blocks × 16 rows in one wave, 32 in 6
  // slices of 128; a last wave over a third full, one wave or less, or a short K: no split.
  assert.deepEqual(gpuTailSplit(16, 18, 768), { along: "columns", keep: 16, slices: 6 });
  // gpt2-small's qkv product on 4096 unshared rows: 29 of 32 row blocks in two waves.
  assert.deepEqual(gpuTailSplit(32, 18, 768), { along: "rows", keep: 29, slices: 4 });
  assert.equal(gpuTailSplit(16, 24, 768), undefined); // 384: the last wave 45 % full
  assert.equal(gpuTailSplit(16, 16, 2048), undefined); // 256: one wave
  assert.equal(gpuTailSplit(32, 32, 4096), undefined); // 1024: the last wave 88 % full
  assert.equal(gpuTailSplit(16, 18, 256), undefined); // K 256: 2 slices of 128 at most
  // Exactly whole waves (22 × 24 = 2 × 264; 2 × 3 with waves of 3): nothing to cut.
  assert.equal(gpuTailSplit(22, 24, 768), undefined);
  assert.equal(gpuTailSplit(16, 33, 768), undefined);
  assert.equal(gpuTailSplit(2, 3, 384, 3), undefined);
  assert.equal(splitScratchBytes(2700, 3072, 768), 0);
  assert.equal(splitScratchBytes(2048, 2304, 768), 6 * 2048 * 256 * 4);
  assert.equal(splitScratchBytes(2048, 3072, 768), 0);
});

gpuTest("matmul: operands beyond the binding limit are split (forced small limit)", async (gpu) => {
  const rng = new Rng(104);
  // 4 KiB bindings: every operand below is larger, so M, N, batch and (for K = 3001) K split.
  const cases: Case[] = [
    { m: 70, n: 45, k: 23, withBias: true },
    { m: 70, n: 45, k: 23, transB: true, beta: 1 },
    { m: 33, n: 61, k: 40, transA: true, alpha: 0.5 },
    { m: 33, n: 61, k: 40, transA: true, transB: true, batch: 3, withBias: true },
    { m: 5, n: 3, k: 3001, withBias: true, beta: 0.5 },
    { m: 5, n: 3, k: 3001, transA: true, transB: true },
  ];
  for (const c of cases) {
    const host = operands(rng, c);
    let before = gpu.stats.dispatches;
    await gpuMatmul(gpu, c, host);
    const unsplit = gpu.stats.dispatches - before;
    before = gpu.stats.dispatches;
    const got = await gpuMatmul(gpu, c, host, { maxBindingBytes: 4096 });
    const split = gpu.stats.dispatches - before;
    assert.ok(split > unsplit, `${JSON.stringify(c)} was not split (${split} dispatches)`);
    assertClose(got, refMatmul(c, host), { label: JSON.stringify(c) });
  }
  // Unaligned views (element offsets inside the bound ranges) split the same way.
  const c = { m: 20, n: 30, k: 25, transB: true };
  const host = operands(rng, c);
  const inputs = gpu.tensor([3 + c.m * c.k + 5 + c.n * c.k]), outBuf = gpu.tensor([7 + c.m * c.n]);
  const a = inputs.view(3, [c.m, c.k]), b = inputs.view(3 + c.m * c.k + 5, [c.n, c.k]);
  const out = outBuf.view(7, [c.m, c.n]);
  gpu.write(outBuf, new Float32Array(outBuf.size).fill(NaN));
  gpu.write(a, host.a);
  gpu.write(b, host.b);
  const enc = gpu.encoder();
  matmul(enc, { out, a, b, transB: true, maxBindingBytes: 1024 });
  gpu.submit(enc);
  const [got, whole] = await gpu.read([out, outBuf]);
  assertClose(got, refMatmul(c, host), { label: "unaligned views" });
  assert.ok(whole.slice(0, 7).every(Number.isNaN), "wrote before out");
  inputs.release();
  outBuf.release();
});

gpuTest("matmul: refuses shapes it cannot split, and bad sizes, with clear errors", (gpu) => {
  const a = gpu.tensor([4, 6]), b = gpu.tensor([6, 5]), out = gpu.tensor([4, 5]);
  const enc = gpu.encoder();
  assert.throws(
    () => matmul(enc, { out, a, b, maxBindingBytes: gpu.limits.minStorageBufferOffsetAlignment }),
    (e: Error) => e instanceof RangeError && /cannot split/.test(e.message),
  );
  assert.throws(
    () => matmul(enc, { out, a, b, transB: true }),
    (e: Error) => e instanceof RangeError && /inner dimensions differ/.test(e.message),
  );
  assert.throws(() => matmul(enc, { out, a, b, k: 0 }), RangeError);
  assert.throws(() => matmul(enc, { out, a: out.view(0, [4, 6]), b }), /shares its buffer/);
  const bias = gpu.tensor([4]);
  assert.throws(() => matmul(enc, { out, a, b, bias }), /bias/);
  for (const t of [a, b, out, bias]) t.release();
});

gpuTest(
  "matmul: K past llvmpipe's 65 535 loop iterations per invocation (a vocabulary's) matches float64",
  async (gpu) => {
    // A CPU adapter cuts K into accumulating pieces (one launch would stop summing at ~65 535);
    // with β and a bias, which the first piece alone applies. K 70 001 = 3 × 23 333 + 2.
    const rng = new Rng(106);
    for (const [transA, transB] of TRANSPOSES) {
      const c = { m: 5, n: 6, k: 70_001, transA, transB, beta: 0.5, withBias: true };
      const host = operands(rng, c);
      const got = await gpuMatmul(gpu, c, host);
      assertClose(got, refMatmul(c, host), { label: `${tag(transA, transB)} K70001` });
    }
  },
);

gpuTest("matmul: biasGrad over more rows than llvmpipe's 65 535 loop iterations", async (gpu) => {
  // A CPU adapter sums one column per invocation: the rows come in chunks that add up in order.
  await checkBiasGrad(gpu, new Rng(107), 70_001, 16);
});

gpuTest("matmul: more than 65535 batches are split over several dispatches", async (gpu) => {
  const batch = gpu.limits.maxComputeWorkgroupsPerDimension + 7;
  const c = { m: 1, n: 2, k: 1, batch };
  const host = operands(new Rng(105), c);
  const before = gpu.stats.dispatches;
  assertClose(await gpuMatmul(gpu, c, host), refMatmul(c, host));
  assert.equal(gpu.stats.dispatches - before, 2);
});

Deno.test("matmul reference backward matches finite differences (every transpose)", () => {
  const rng = new Rng(106);
  for (const [transA, transB] of TRANSPOSES) {
    const o = { m: 3, n: 4, k: 5, transA, transB, alpha: 0.7, beta: -0.3, batch: 2 };
    const a = Float64Array.from(rng.uniformArray(2 * 15)),
      b = Float64Array.from(rng.uniformArray(40));
    const bias = Float64Array.from(rng.uniformArray(4)),
      c = Float64Array.from(rng.uniformArray(24));
    const w = rng.uniformArray(24); // L = Σ w·C
    const g = ref.matmulBackward(w, a, b, o);
    const f = (x: Partial<Record<"a" | "b" | "bias" | "c", Float64Array>>) =>
      dot(w, ref.matmul(x.a ?? a, x.b ?? b, { ...o, bias: x.bias ?? bias, c: x.c ?? c }));
    const label = tag(transA, transB);
    assertClose(g.dA, finiteDifference((x) => f({ a: x }), a), {
      rtol: 1e-8,
      label: `${label} dA`,
    });
    assertClose(g.dB, finiteDifference((x) => f({ b: x }), b), {
      rtol: 1e-8,
      label: `${label} dB`,
    });
    assertClose(g.dBias, finiteDifference((x) => f({ bias: x }), bias), { rtol: 1e-8 });
    assertClose(g.dC, finiteDifference((x) => f({ c: x }), c), { rtol: 1e-8 });
  }
});

Deno.test("matmul reference biasGrad is the column sum", () => {
  const rng = new Rng(107);
  const d = rng.uniformArray(3 * 4), init = rng.uniformArray(4);
  const w = new Float64Array(4).fill(1);
  // dBias from matmulBackward of any product with that dC, plus the running value.
  const g = ref.matmulBackward(d, new Float64Array(3), new Float64Array(4), { m: 3, n: 4, k: 1 });
  assertClose(ref.biasGrad(d, { m: 3, n: 4, dBias: init }), g.dBias.map((v, j) => v + init[j]));
  assert.equal(dot(ref.biasGrad(d, { m: 3, n: 4 }), w), d.reduce((s, v) => s + v, 0));
});

gpuTest(
  "matmul backward on the GPU (dA = dC·op(B)ᵀ, dB = op(A)ᵀ·dC, +=) matches the reference",
  async (gpu) => {
    const rng = new Rng(108);
    for (const [transA, transB] of TRANSPOSES) {
      for (const [m, n, k] of [[1, 1, 1], [23, 41, 17]]) {
        const o = { m, n, k, transA, transB, alpha: 1.25 };
        const ha = rng.uniformArray(m * k),
          hb = rng.uniformArray(k * n),
          hdc = rng.uniformArray(m * n);
        const dBInit = rng.uniformArray(k * n);
        const want = ref.matmulBackward(hdc, ha, hb, o);
        const a = gpu.upload(ha, transA ? [k, m] : [m, k]),
          b = gpu.upload(hb, transB ? [n, k] : [k, n]);
        const dC = gpu.upload(hdc, [m, n]);
        const dA = poisoned(gpu, transA ? [k, m] : [m, k], "dA"); // activation gradient: =
        const dB = gpu.upload(dBInit, transB ? [n, k] : [k, n], { label: "dB" }); // parameter: +=
        const enc = gpu.encoder();
        if (!transA) matmul(enc, { out: dA, a: dC, b, transB: !transB, alpha: 1.25 });
        else matmul(enc, { out: dA, a: b, b: dC, transA: transB, transB: true, alpha: 1.25 });
        if (!transB) matmul(enc, { out: dB, a, b: dC, transA: !transA, alpha: 1.25, beta: 1 });
        else {matmul(enc, {
            out: dB,
            a: dC,
            b: a,
            transA: true,
            transB: transA,
            alpha: 1.25,
            beta: 1,
          });}
        gpu.submit(enc);
        const [gA, gB] = await gpu.read([dA, dB]);
        const label = `${tag(transA, transB)} M${m} N${n} K${k}`;
        assertClose(gA, want.dA, { label: `${label} dA` });
        assertClose(gB, want.dB.map((v, i) => v + dBInit[i]), { label: `${label} dB` });
        for (const t of [a, b, dC, dA, dB]) t.release();
      }
    }
  },
);

gpuTest(
  "biasGrad: column sums accumulate, match float64, rerun bit-identically, split",
  async (gpu) => {
    const rng = new Rng(109);
    // [M, N, binding limit (0: the device's), row slices (1: CPU default, 16: GPU default), row
    // parts (0: the default, 1 on a CPU adapter)]
    const shapes: [number, number, number, number, number][] = [
      [1, 1, 0, 1, 0],
      [37, 53, 0, 1, 0],
      [37, 53, 0, 16, 0],
      [1000, 130, 0, 1, 0],
      [1000, 130, 0, 16, 0],
      [301, 29, 4096, 4, 0],
      [1000, 130, 0, 16, 3], // parts of 334, 334 and 332 rows
      [1000, 130, 0, 1, 7],
      [5, 300, 0, 16, 3],
      [301, 29, 4096, 4, 2], // parts within binding chunks
    ];
    for (const [m, n, limit, rowSlices, parts] of shapes) {
      const hd = rng.uniformArray(m * n, -0.5, 1), init = rng.uniformArray(n);
      const dOut = gpu.upload(hd, [m, n], { label: "dOut" });
      const runs: Float32Array[] = [];
      let dBias: Tensor | null = null;
      for (let r = 0; r < 2; r++) {
        dBias = gpu.upload(init, [n], { label: "dBias" });
        const before = gpu.stats.dispatches;
        const enc = gpu.encoder();
        const rowParts = parts || undefined;
        biasGrad(enc, { dBias, dOut, maxBindingBytes: limit || undefined, rowSlices, rowParts });
        gpu.submit(enc);
        runs.push((await gpu.read([dBias]))[0] as Float32Array);
        if (limit) assert.ok(gpu.stats.dispatches - before > 1, "not split");
        // Parts add a finishing pass.
        if (parts > 1 && !limit) assert.equal(gpu.stats.dispatches - before, 2);
        dBias.release();
      }
      const label = `M${m} N${n} slices ${rowSlices} parts ${parts}`;
      assertClose(runs[0], ref.biasGrad(hd, { m, n, dBias: init }), { label });
      assert.ok(bitEqual(runs[0], runs[1]), `${label}: reruns differ`);
      dOut.release();
    }
    const dOut = gpu.tensor([4, 5]), dBias = gpu.tensor([4]);
    assert.throws(() => biasGrad(gpu.encoder(), { dBias, dOut }), RangeError);
    assert.throws(
      () => biasGrad(gpu.encoder(), { dBias: dOut.view(0, [5]), dOut, rowParts: 0 }),
      /rowParts must be a positive integer/,
    );
    assert.throws(
      () =>
        biasGrad(gpu.encoder(), {
          dBias: dOut.view(0, [5]),
          dOut,
          maxBindingBytes: gpu.limits.minStorageBufferOffsetAlignment + 8,
        }),
      /does not fit/,
    );
    dOut.release();
    dBias.release();
  },
);
