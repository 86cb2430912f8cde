import assert from "node:assert/strict";
import {
  DeviceLostError,
  Gpu,
  grid1d,
  readInBatches,
  REQUESTED_LIMITS,
  Tensor,
  uniforms,
} from "../kernels/gpu.ts";
import { residualForward } from "../kernels/residual.ts";
import { gpuTest, testGpu } from "../testing/gpu_harness.ts";

if (testGpu) console.log(`adapter: ${testGpu.describe()}`);

gpuTest("gpu: the device has the adapter's own limits", (gpu) => {
  assert.equal(
    gpu.device.limits.maxStorageBufferBindingSize,
    gpu.adapter.limits.maxStorageBufferBindingSize,
  );
  for (const name of REQUESTED_LIMITS) {
    const want = (gpu.adapter.limits as unknown as Record<string, number>)[name];
    assert.equal((gpu.device.limits as unknown as Record<string, number>)[name], want, name);
  }
});

gpuTest("gpu: asks for shader-f16 and timestamp-query where the adapter has them", (gpu) => {
  for (const f of ["shader-f16", "timestamp-query"] as const) {
    assert.equal(gpu.device.features.has(f), gpu.adapter.features.has(f), f);
  }
  assert.match(gpu.describe(), /features:/);
});

gpuTest("gpu: a readback of several tensors is one mapAsync", async (gpu) => {
  const f = new Float32Array([1.5, -2, 3.25]);
  const i = new Int32Array([7, -8, 9, 10, 11]);
  const u = new Uint32Array([0xffffffff]);
  const ta = gpu.upload(f), tb = gpu.upload(i, [5], { label: "ints" }), tc = gpu.upload(u);
  const before = gpu.stats.mapAsync;
  const [ra, rb, rc] = await gpu.read([ta, tb, tc]);
  assert.equal(gpu.stats.mapAsync - before, 1);
  assert.ok(ra instanceof Float32Array && rb instanceof Int32Array && rc instanceof Uint32Array);
  assert.deepEqual([...ra], [...f]);
  assert.deepEqual([...rb], [...i]);
  assert.deepEqual([...rc], [...u]);
  for (const t of [ta, tb, tc]) t.release();
});

gpuTest("gpu: readAfter captures values at its point in the encoder, mapped later", async (gpu) => {
  const n = 37;
  const one = gpu.upload(new Float32Array(n).fill(1));
  const x = gpu.upload(new Float32Array(n).fill(0)), y = gpu.tensor([n]);
  const mapsBefore = gpu.stats.mapAsync;
  const enc = gpu.encoder();
  residualForward(enc, { out: y, a: x, b: one }); // y = 1
  const later = gpu.readAfter(enc, [y, x.view(3, [2])]);
  residualForward(enc, { out: x, a: y, b: one }); // x = 2, after the copy
  await assert.rejects(later(), /submit the encoder before waiting/);
  gpu.submit(enc);
  // More work overwrites y before the readback is awaited.
  const enc2 = gpu.encoder();
  residualForward(enc2, { out: y, a: x, b: x }); // y = 4
  gpu.submit(enc2);
  const [gy, gx] = await later();
  assert.deepEqual([...gy], new Array(n).fill(1));
  assert.deepEqual([...gx], [0, 0]);
  assert.equal(gpu.stats.mapAsync - mapsBefore, 1);
  const [now] = await gpu.read([y]);
  assert.deepEqual([...now], new Array(n).fill(4));
  for (const t of [one, x, y]) t.release();
});

gpuTest(
  "gpu: readInBatches submits depth pieces, then reads them together, in order",
  async (gpu) => {
    // One tensor rewritten by every piece: each readback still sees its own piece's value.
    const x = gpu.upload(new Float32Array([0])), one = gpu.upload(new Float32Array([1]));
    const y = gpu.tensor([1]), events: string[] = [], seen: number[] = [];
    await readInBatches(5, 2, (i) => {
      events.push(`submit ${i}`);
      const enc = gpu.encoder();
      residualForward(enc, { out: y, a: x, b: one }); // y = x + 1
      residualForward(enc, { out: x, a: y, b: one }); // x = y + 1: piece i leaves x = 2(i + 1)
      const read = gpu.readAfter(enc, [x]);
      gpu.submit(enc);
      return () => {
        events.push(`read ${i}`);
        return read();
      };
    }, (i, [v]) => {
      events.push(`take ${i}`);
      seen.push(v[0]);
    });
    assert.deepEqual(seen, [2, 4, 6, 8, 10]);
    assert.deepEqual(events, [
      "submit 0",
      "submit 1",
      "read 0",
      "read 1",
      "take 0",
      "take 1",
      "submit 2",
      "submit 3",
      "read 2",
      "read 3",
      "take 2",
      "take 3",
      "submit 4",
      "read 4",
      "take 4",
    ]);
    // A piece that throws while others wait: they finish (nothing left mapped), then the error.
    const mapsBefore = gpu.stats.mapAsync;
    await assert.rejects(
      readInBatches(4, 4, (i) => {
        if (i === 2) throw new RangeError("piece 2 is bad");
        const enc = gpu.encoder();
        const read = gpu.readAfter(enc, [x]);
        gpu.submit(enc);
        return read;
      }, () => assert.fail("nothing is taken")),
      /piece 2 is bad/,
    );
    assert.equal(gpu.stats.mapAsync - mapsBefore, 2);
    // A readback that fails while others are under way: each of theirs maps once, then the
    // error; the buffers they return serve the next run.
    const before = gpu.stats.mapAsync;
    await assert.rejects(
      readInBatches(3, 3, (i) => {
        const enc = gpu.encoder();
        const read = gpu.readAfter(enc, [x]);
        gpu.submit(enc);
        return i === 1
          ? () => read().then(() => Promise.reject(new Error("readback 1 failed")))
          : read;
      }, () => assert.fail("nothing is taken")),
      /readback 1 failed/,
    );
    assert.equal(gpu.stats.mapAsync - before, 3);
    const again: number[] = [];
    await readInBatches(4, 4, () => {
      const enc = gpu.encoder();
      const read = gpu.readAfter(enc, [x]);
      gpu.submit(enc);
      return read;
    }, (_, [v]) => void again.push(v[0]));
    assert.deepEqual(again, [10, 10, 10, 10]);
    await assert.rejects(readInBatches(1, 0, () => assert.fail(), () => {}), /depth must be/);
    for (const t of [x, one, y]) t.release();
  },
);

gpuTest("gpu: views read back their own range", async (gpu) => {
  const t = gpu.upload(new Float32Array(64).map((_, k) => k), [64]);
  const [v] = await gpu.read([t.view(8, [8])]);
  assert.deepEqual([...v], [8, 9, 10, 11, 12, 13, 14, 15]);
  assert.throws(() => t.view(60, [8]), RangeError);
  t.release();
});

gpuTest("gpu: pipelines are cached by kernel and constants", (gpu) => {
  const kernel = {
    label: "noop",
    code: "override WG: u32 = 1; @compute @workgroup_size(WG) fn main() {}",
    entryPoint: "main",
  };
  const before = gpu.stats.pipelines;
  const a = gpu.pipeline(kernel, { WG: 64 });
  assert.equal(gpu.pipeline(kernel, { WG: 64 }), a);
  assert.notEqual(gpu.pipeline(kernel, { WG: 32 }), a);
  assert.equal(gpu.stats.pipelines - before, 2);
});

gpuTest("gpu: the buffer pool reuses released buffers only after a submit", (gpu) => {
  const t = gpu.tensor([1000], { label: "pooled" });
  const buffer = t.buffer;
  t.release();
  // Still possibly in use by the open encoder's commands: an upload must not get it.
  const early = gpu.tensor([1000]);
  assert.notEqual(early.buffer, buffer);
  gpu.submit(gpu.encoder());
  const u = gpu.tensor([1000]);
  assert.equal(u.buffer, buffer);
  u.release();
  early.release();
  assert.ok(gpu.pool.peakBytes >= gpu.pool.bytesAllocated);
});

gpuTest("gpu: scratch released during encoding does not receive a later upload", async (gpu) => {
  // A launcher releases its scratch right after encoding; an upload in the same encoder must
  // not be written into it (queue writes run before the encoder's commands).
  const n = 64;
  const x = gpu.upload(new Float32Array(n).fill(2));
  const scratch = gpu.tensor([n], { label: "scratch" });
  const enc = gpu.encoder();
  residualForward(enc, { out: scratch, a: x, b: x }); // scratch = 4
  const copy = gpu.tensor([n]);
  enc.copy(scratch, copy);
  scratch.release();
  const data = gpu.upload(new Float32Array(n).fill(7)); // must not share scratch's buffer
  gpu.submit(enc);
  const [c, d] = await gpu.read([copy, data]);
  assert.deepEqual([...c], new Array(n).fill(4));
  assert.deepEqual([...d], new Array(n).fill(7));
  for (const t of [x, copy, data]) t.release();
});

gpuTest("gpu: upload and write check sizes", (gpu) => {
  assert.throws(() => gpu.upload(new Float32Array(5), [2, 3]), /holds 6 elements, data has 5/);
  const t = gpu.tensor([4], { label: "w" });
  assert.throws(() => gpu.write(t, new Float32Array(3)), /"w"/);
  t.release();
});

gpuTest("gpu: many dispatches in one encoder each get their own uniforms", async (gpu) => {
  // Enough dispatches to fill more than one 64 KiB uniform block (each slot is at least the
  // device's uniform offset alignment); each adds the running sum once more.
  const slot = Math.max(gpu.limits.minUniformBufferOffsetAlignment, 16);
  const count = Math.ceil(65536 / slot) + 300;
  const n = 37;
  const one = gpu.upload(new Float32Array(n).fill(1));
  const a = gpu.upload(new Float32Array(n).fill(0)), b = gpu.tensor([n]);
  const enc = gpu.encoder();
  let src = a, dst = b;
  for (let k = 0; k < count; k++) {
    residualForward(enc, { out: dst, a: src, b: one });
    [src, dst] = [dst, src];
  }
  gpu.submit(enc);
  const [r] = await gpu.read([src]);
  assert.deepEqual([...r], new Array(n).fill(count));
  for (const t of [one, a, b]) t.release();
});

gpuTest(
  "gpu: a repeated step reuses its bind groups; destroyed and foreign buffers never",
  async (gpu) => {
    const n = 41;
    const step = (x: Tensor, y: Tensor, out: Tensor) => {
      const enc = gpu.encoder();
      for (let k = 0; k < 5; k++) residualForward(enc, { out, a: x, b: y });
      gpu.submit(enc);
    };
    const x = gpu.upload(new Float32Array(n).fill(2)), y = gpu.upload(new Float32Array(n).fill(3));
    const out = gpu.tensor([n]);
    step(x, y, out);
    const made = gpu.stats.bindGroups;
    step(x, y, out); // the same dispatches, uniform slots and buffers: all five groups reused
    assert.equal(gpu.stats.bindGroups, made);
    assert.deepEqual([...(await gpu.read([out]))[0]], new Array(n).fill(5));
    // A buffer destroyed by the pool takes its groups along: the next tensor, with new values,
    // gets groups of its own and the right result.
    x.release();
    gpu.submit(gpu.encoder());
    gpu.pool.trim();
    const x2 = gpu.upload(new Float32Array(n).fill(7));
    step(x2, y, out);
    assert.deepEqual([...(await gpu.read([out]))[0]], new Array(n).fill(10));
    // A tensor over a buffer the runtime did not make is bound afresh each time.
    const raw = gpu.device.createBuffer({
      size: n * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    const foreign = new Tensor(raw, [n], { label: "foreign" });
    gpu.write(foreign, new Float32Array(n).fill(1));
    const before = gpu.stats.bindGroups;
    step(foreign, y, out);
    step(foreign, y, out);
    assert.equal(gpu.stats.bindGroups - before, 10);
    assert.deepEqual([...(await gpu.read([out]))[0]], new Array(n).fill(4));
    raw.destroy();
    for (const t of [x2, y, out]) t.release();
  },
);

gpuTest("gpu: an encoder that flushes every few dispatches runs them in order", async (gpu) => {
  const flushEvery = gpu.flushEvery;
  gpu.flushEvery = 7;
  try {
    const n = 37, count = 100;
    const one = gpu.upload(new Float32Array(n).fill(1));
    const a = gpu.upload(new Float32Array(n).fill(0)), b = gpu.tensor([n]);
    const copy = gpu.tensor([n]);
    const submits = gpu.stats.submits;
    const enc = gpu.encoder();
    let src = a, dst = b;
    for (let k = 0; k < count; k++) {
      residualForward(enc, { out: dst, a: src, b: one });
      [src, dst] = [dst, src];
      if (k === 50) enc.copy(src, copy); // a copy between flushes sees the 51 adds before it
    }
    const scratch = gpu.tensor([n]);
    scratch.release(); // released while encoding: not reused before the final submit
    const other = gpu.tensor([n]);
    assert.notEqual(other.buffer, scratch.buffer);
    other.release();
    gpu.submit(enc);
    assert.equal(gpu.stats.submits - submits, Math.floor(count / 7) + 1);
    const [r, c] = await gpu.read([src, copy]);
    assert.deepEqual([...r], new Array(n).fill(count));
    assert.deepEqual([...c], new Array(n).fill(51));
    // A timed region is never cut by an automatic flush.
    if (gpu.hasFeature("timestamp-query")) {
      gpu.flushEvery = 1;
      const e2 = gpu.encoder();
      e2.timed("three adds", () => {
        for (let k = 0; k < 3; k++) residualForward(e2, { out: b, a, b: one });
      });
      gpu.submit(e2);
      const timings = await e2.readTimings();
      assert.equal(timings.length, 1);
      assert.ok(Number.isFinite(timings[0].ms) && timings[0].ms >= 0);
    }
    for (const t of [one, a, b, copy]) t.release();
  } finally {
    gpu.flushEvery = flushEvery;
  }
});

gpuTest("gpu: dispatches beyond a device limit are refused with a clear error", (gpu) => {
  const kernel = {
    label: "noop",
    code: "@compute @workgroup_size(1) fn main() {}",
    entryPoint: "main",
  };
  const enc = gpu.encoder();
  assert.throws(
    () =>
      enc.dispatch({
        kernel,
        bindings: [],
        workgroups: [gpu.limits.maxComputeWorkgroupsPerDimension + 1],
      }),
    (e: unknown) => e instanceof RangeError && /noop\.main: \d+ workgroups/.test(e.message),
  );
  const big = gpu.device.createBuffer({
    size: gpu.limits.maxStorageBufferBindingSize + 256,
    usage: GPUBufferUsage.STORAGE,
  });
  const t = new Tensor(big, [big.size / 4], { label: "huge" });
  assert.throws(
    () => enc.dispatch({ kernel, bindings: [t], workgroups: [1] }),
    (e: unknown) => e instanceof RangeError && /"huge" spans/.test(e.message),
  );
  big.destroy();
  gpu.submit(enc);
});

Deno.test("grid1d: splits over y beyond the per-dimension limit", () => {
  assert.deepEqual(grid1d(1000, 256, 65535), [4, 1]);
  const [x, y] = grid1d(65536 * 256 + 1, 256, 65535);
  assert.ok(x <= 65535 && y === 2 && x * y * 256 >= 65536 * 256 + 1);
  assert.throws(() => grid1d(2 ** 50, 256, 65535), RangeError);
});

Deno.test("uniforms: packs u32 and f32 fields, padded to 16 bytes", () => {
  const u = uniforms({ n: 3, scale: 0.5, k: 9 }, ["scale"]);
  assert.equal(u.byteLength, 16);
  assert.equal(u[0], 3);
  assert.equal(new Float32Array(u.buffer)[1], 0.5);
  assert.equal(u[2], 9);
  assert.throws(() => uniforms({ n: -1 }), RangeError);
});

gpuTest("gpu: GPU timestamps time a region where the feature exists", async (gpu) => {
  if (!gpu.hasFeature("timestamp-query")) return;
  const x = gpu.upload(new Float32Array(4096).fill(1)), out = gpu.tensor([4096]);
  const enc = gpu.encoder();
  enc.timed("add", () => residualForward(enc, { out, a: x, b: x }));
  gpu.submit(enc);
  const timings = await enc.readTimings();
  assert.equal(timings.length, 1);
  assert.equal(timings[0].label, "add");
  assert.ok(Number.isFinite(timings[0].ms) && timings[0].ms >= 0);
  x.release();
  out.release();
});

gpuTest("gpu: a lost device gives an error, never a hang", async () => {
  const gpu = await Gpu.create();
  const t = gpu.upload(new Float32Array([1, 2, 3]));
  gpu.device.destroy();
  await gpu.device.lost;
  await assert.rejects(() => gpu.read([t]), DeviceLostError);
  assert.throws(() => gpu.encoder(), DeviceLostError);
});
