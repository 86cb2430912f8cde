import assert from "node:assert/strict";
import { flatLayout, FlatTensors } from "../model/flat.ts";
import { gpuTest } from "../testing/gpu_harness.ts";

const PARAMS = [
  { name: "ln.w", shape: [5], decay: false },
  { name: "fc.w", shape: [7, 3], decay: true },
  { name: "fc.b", shape: [3], decay: false },
  { name: "wte", shape: [40], decay: true },
  { name: "head", shape: [2, 9], decay: true },
];

Deno.test("flat layout: decayed first, aligned offsets, oversized tensors alone, runs", () => {
  const l = flatLayout(PARAMS, { alignElements: 8, maxElements: 32 });
  const slot = (n: string) => l.slots.get(n)!;
  // Decayed in the given order (fc.w, wte, head), then the rest (ln.w, fc.b).
  assert.deepEqual(slot("fc.w"), { bucket: 0, offset: 0, size: 21 });
  assert.deepEqual(slot("wte"), { bucket: 1, offset: 0, size: 40 }); // larger than a bucket: alone
  assert.deepEqual(slot("head"), { bucket: 2, offset: 0, size: 18 });
  assert.deepEqual(slot("ln.w"), { bucket: 2, offset: 24, size: 5 });
  assert.deepEqual(slot("fc.b"), { bucket: 3, offset: 0, size: 3 }); // 32 + 3 > 32
  assert.deepEqual(l.buckets, [21, 40, 29, 3]);
  assert.deepEqual(l.runs, [
    { bucket: 0, offset: 0, length: 21, decay: true },
    { bucket: 1, offset: 0, length: 40, decay: true },
    { bucket: 2, offset: 0, length: 18, decay: true },
    { bucket: 2, offset: 24, length: 5, decay: false },
    { bucket: 3, offset: 0, length: 3, decay: false },
  ]);
  // Every tensor is inside one run of its decay, and no two tensors overlap.
  for (const p of PARAMS) {
    const s = slot(p.name);
    assert.equal(s.offset % 8, 0);
    assert.ok(
      l.runs.some((r) =>
        r.bucket === s.bucket && r.decay === p.decay && r.offset <= s.offset &&
        s.offset + s.size <= r.offset + r.length
      ),
    );
    for (const q of PARAMS) {
      const t = slot(q.name);
      if (q === p || t.bucket !== s.bucket) continue;
      assert.ok(s.offset + s.size <= t.offset || t.offset + t.size <= s.offset);
    }
  }
  assert.throws(() => flatLayout([PARAMS[0], PARAMS[0]], { alignElements: 1, maxElements: 9 }));
});

gpuTest("flat tensors: zeroed buckets, one view per tensor at its slot", async (gpu) => {
  const flat = FlatTensors.create(gpu, PARAMS, "test");
  try {
    for (const p of PARAMS) {
      const v = flat.get(p.name), s = flat.layout.slots.get(p.name)!;
      assert.deepEqual(v.shape, p.shape);
      assert.equal(v.buffer, flat.buckets[s.bucket].buffer);
      assert.equal(v.byteOffset - flat.buckets[s.bucket].byteOffset, s.offset * 4);
      gpu.write(v, new Float32Array(s.size).fill(s.offset + 1));
    }
    const data = await gpu.read([...flat.buckets]);
    // Each tensor's values where its slot is, zeros in the gaps.
    data.forEach((d, b) => {
      const want = new Float32Array(flat.layout.buckets[b]);
      for (const s of flat.layout.slots.values()) {
        if (s.bucket === b) want.fill(s.offset + 1, s.offset, s.offset + s.size);
      }
      assert.deepEqual([...d], [...want]);
    });
    assert.throws(() => flat.get("nope"), /"nope"/);
  } finally {
    flat.release();
  }
});
