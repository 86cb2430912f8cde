import assert from "node:assert/strict";
import {
  assertClose,
  AssertionError,
  compare,
  dot,
  finiteDifference,
} from "../testing/assert_close.ts";

Deno.test("assertClose: reports the norm-wise relative error and the worst element", () => {
  const c = compare([1, 2, 3.5], [1, 2, 3]);
  assert.ok(Math.abs(c.relError - 0.5 / Math.sqrt(14)) < 1e-15);
  assert.equal(c.maxAbsIndex, 2);
  assert.equal(c.maxAbsError, 0.5);
  assert.throws(
    () => assertClose([1, 2, 3.5], [1, 2, 3], { rtol: 1e-3, label: "y" }),
    (e: unknown) =>
      e instanceof AssertionError && /^y: relative error/.test(e.message) &&
      /at index 2/.test(e.message),
  );
  assert.equal(assertClose([1, 2, 3.0000001], [1, 2, 3], { rtol: 1e-6 }).maxAbsIndex, 2);
});

Deno.test("assertClose: NaN and infinities fail whatever the tolerance", () => {
  assert.throws(() => assertClose([1, NaN], [1, 2], { rtol: 1e9, atol: 1e9 }), /non-finite/);
  assert.throws(() => assertClose([Infinity], [1], { rtol: 1e9 }), /non-finite/);
  assert.throws(() => assertClose(new Float32Array([NaN]), [NaN].map(() => 0)), /non-finite/);
  assert.throws(() => assertClose([1, 2], [1]), RangeError);
});

Deno.test("assertClose: atol covers an all-zero reference", () => {
  assert.throws(() => assertClose([1e-9], [0]), AssertionError);
  assertClose([1e-9], [0], { atol: 1e-8 });
  assertClose([0, 0], [0, 0]);
});

Deno.test("finiteDifference: matches analytic gradients in float64", () => {
  const f = (x: Float64Array) => Math.sin(x[0]) * x[1] + x[1] ** 3;
  const x = new Float64Array([0.3, -1.2]);
  const g = finiteDifference(f, x);
  assertClose(g, [Math.cos(0.3) * -1.2, Math.sin(0.3) + 3 * 1.44], { rtol: 1e-8 });
  assert.deepEqual([...x], [0.3, -1.2]);
  assert.equal(dot([1, 2, 3], [4, 5, 6]), 32);
});
