import assert from "node:assert/strict";
import { Rng } from "../util/rng.ts";

Deno.test("Rng: the same seed gives the same stream, another seed another one", () => {
  const a = new Rng(123), b = new Rng(123), c = new Rng(124);
  const xs = Array.from({ length: 50 }, () => a.nextU32());
  const ys = Array.from({ length: 50 }, () => b.nextU32());
  const zs = Array.from({ length: 50 }, () => c.nextU32());
  assert.deepEqual(xs, ys);
  assert.notDeepEqual(xs, zs);
  assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
});

Deno.test("Rng: state() and setState() resume the stream exactly", () => {
  const r = new Rng(7);
  for (let i = 0; i < 10; i++) r.uniform();
  const saved = r.state();
  const expected = [r.uniform(), r.normal(), r.int(1000)];
  const resumed = new Rng(0);
  resumed.setState(saved);
  assert.deepEqual([resumed.uniform(), resumed.normal(), resumed.int(1000)], expected);
  assert.throws(() => resumed.setState([0, 0, 0, 0]), RangeError);
});

Deno.test("Rng: uniform, normal and int have the right ranges and moments", () => {
  const r = new Rng(99);
  const n = 20000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
  }
  for (let i = 0; i < n; i++) {
    const z = r.normal(2, 3);
    s += z;
    s2 += z * z;
  }
  const mean = s / n, std = Math.sqrt(s2 / n - mean * mean);
  assert.ok(Math.abs(mean - 2) < 0.1, `mean ${mean}`);
  assert.ok(Math.abs(std - 3) < 0.1, `std ${std}`);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 6000; i++) counts[r.int(6)]++;
  assert.ok(counts.every((c) => c > 850 && c < 1150), `counts ${counts}`);
  assert.throws(() => r.int(0), RangeError);
});

Deno.test("Rng: shuffle is a seeded permutation", () => {
  const a = new Rng(5).shuffle(Array.from({ length: 100 }, (_, i) => i));
  const b = new Rng(5).shuffle(Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(a, b);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(a, Array.from({ length: 100 }, (_, i) => i));
});
