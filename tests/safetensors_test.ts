import assert from "node:assert/strict";
import {
  f16ToF32,
  parseSafetensors,
  readModelWeights,
  readSafetensors,
  SafetensorsError,
  serializeSafetensors,
  writeModelWeights,
  writeSafetensors,
} from "../model/safetensors.ts";
import { Rng } from "../util/rng.ts";

const STORIES = new URL("../../shared/data/stories260K/", import.meta.url).pathname;
const hasStories = await Deno.stat(`${STORIES}model.safetensors`).then(() => true, () => false);

/** Builds a file from a header object and a data section, as a writer with bugs might. */
function rawFile(header: unknown, data: Uint8Array, headerLen?: number): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === "string" ? header : JSON.stringify(header),
  );
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function sample(): Uint8Array {
  const rng = new Rng(1);
  return serializeSafetensors({
    "a.weight": { shape: [3, 4], data: rng.uniformArray(12) },
    "b.bias": { shape: [5], data: rng.uniformArray(5) },
  }, { metadata: { format: "pt" } });
}

Deno.test("safetensors: serialize → parse round-trips bit for bit, with metadata", () => {
  const rng = new Rng(2);
  const tensors = {
    "x": { shape: [2, 3], data: rng.uniformArray(6) },
    "empty": { shape: [0, 4], data: new Float32Array(0) },
    "scalar": { shape: [], data: new Float32Array([7.5]) },
  };
  const { tensors: back, metadata } = parseSafetensors(
    serializeSafetensors(tensors, { metadata: { format: "pt", note: "hi" } }),
  );
  assert.deepEqual(metadata, { format: "pt", note: "hi" });
  for (const [name, t] of Object.entries(tensors)) {
    const b = back.get(name)!;
    assert.deepEqual(b.shape, t.shape);
    assert.equal(b.dtype, "F32");
    assert.deepEqual(new Uint8Array(b.data.buffer), new Uint8Array(t.data.buffer));
  }
  // Header padded to 8 bytes so data are aligned.
  const bytes = serializeSafetensors(tensors);
  assert.equal(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8, 0);
});

Deno.test("safetensors: F16 and BF16 convert exactly to float32", () => {
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0x0000, 0x8000]);
  const bf16 = new Uint16Array([0x3f80, 0xc040, 0x4049]);
  const data = new Uint8Array(f16.byteLength + bf16.byteLength);
  data.set(new Uint8Array(f16.buffer), 0);
  data.set(new Uint8Array(bf16.buffer), f16.byteLength);
  const file = rawFile({
    h: { dtype: "F16", shape: [7], data_offsets: [0, 14] },
    b: { dtype: "BF16", shape: [3], data_offsets: [14, 20] },
  }, data);
  const { tensors } = parseSafetensors(file);
  assert.deepEqual([...tensors.get("h")!.data], [1, -2, 2 ** -24, 65504, Infinity, 0, -0]);
  assert.equal(tensors.get("h")!.dtype, "F16");
  assert.deepEqual([...tensors.get("b")!.data], [1, -3, 3.140625]);
  assert.ok(Number.isNaN(f16ToF32(0x7e00)));
});

Deno.test("safetensors: other dtypes parse, and refuse only when their data are read", () => {
  const file = rawFile(
    {
      mask: { dtype: "BOOL", shape: [2, 2], data_offsets: [0, 4] },
      w: { dtype: "F32", shape: [2], data_offsets: [8, 16] },
      steps: { dtype: "I64", shape: [1], data_offsets: [16, 24] },
    },
    new Uint8Array(24),
    undefined,
  );
  const { tensors } = parseSafetensors(file, "m.safetensors");
  assert.deepEqual([...tensors.keys()], ["mask", "w", "steps"]);
  assert.deepEqual([tensors.get("mask")!.dtype, tensors.get("mask")!.shape], ["BOOL", [2, 2]]);
  assert.deepEqual([...tensors.get("w")!.data], [0, 0]);
  assert.throws(
    () => tensors.get("steps")!.data,
    /m\.safetensors: tensor "steps": dtype I64 is not supported \(F32, F16 and BF16 are\)/,
  );
});

// Each case: a name, the bytes, and a pattern the error message must match.
const data64 = new Uint8Array(64);
const ok = { dtype: "F32", shape: [4], data_offsets: [0, 16] };
const full = sample();
const CASES: [string, Uint8Array, RegExp][] = [
  ["empty file", new Uint8Array(0), /too short/],
  ["7 bytes", new Uint8Array(7), /too short/],
  ["header length 0", rawFile("", data64, 0), /too small/],
  ["header length 1", rawFile("{", data64, 1), /too small/],
  ["header length past the end", rawFile({ t: ok }, data64, 10_000), /header claims/],
  ["header length 2^63", rawFile({ t: ok }, data64, 2 ** 53), /implausibly large/],
  ["header not JSON", rawFile("{not json", data64), /not valid UTF-8 JSON/],
  ["header not UTF-8", rawFile("", data64), /not valid/],
  ["header a JSON array", rawFile([1, 2], data64), /must be a JSON object/],
  ["header a JSON string", rawFile('"abc"', data64), /must be a JSON object/],
  ["header null", rawFile("null", data64), /must be a JSON object/],
  ["entry a number", rawFile({ t: 3 }, data64), /tensor "t" must be an object/],
  ["entry an array", rawFile({ t: [1] }, data64), /tensor "t" must be an object/],
  ["dtype missing", rawFile({ t: { shape: [4], data_offsets: [0, 16] } }, data64), /dtype/],
  [
    "dtype unknown",
    rawFile({ t: { ...ok, dtype: "Q4" } }, data64),
    /Q4 is not a safetensors dtype/,
  ],
  ["I64 size disagrees", rawFile({ t: { ...ok, dtype: "I64" } }, data64), /needs 32 bytes/],
  ["dtype a number", rawFile({ t: { ...ok, dtype: 4 } }, data64), /dtype must be a string/],
  ["shape missing", rawFile({ t: { dtype: "F32", data_offsets: [0, 16] } }, data64), /shape/],
  ["shape negative", rawFile({ t: { ...ok, shape: [-4] } }, data64), /shape/],
  ["shape fractional", rawFile({ t: { ...ok, shape: [2.5] } }, data64), /shape/],
  ["shape a string", rawFile({ t: { ...ok, shape: "4" } }, data64), /shape/],
  ["shape huge", rawFile({ t: { ...ok, shape: [2 ** 40, 2 ** 40] } }, data64), /needs/],
  ["offsets missing", rawFile({ t: { dtype: "F32", shape: [4] } }, data64), /data_offsets/],
  ["offsets one number", rawFile({ t: { ...ok, data_offsets: [0] } }, data64), /data_offsets/],
  ["offsets negative", rawFile({ t: { ...ok, data_offsets: [-16, 0] } }, data64), /data_offsets/],
  ["offsets strings", rawFile({ t: { ...ok, data_offsets: ["0", "16"] } }, data64), /offsets/],
  ["offsets reversed", rawFile({ t: { ...ok, data_offsets: [16, 0] } }, data64), /end before/],
  ["offsets past the data", rawFile({ t: { ...ok, data_offsets: [60, 76] } }, data64), /run past/],
  [
    "size disagrees with shape",
    rawFile({ t: { ...ok, data_offsets: [0, 12] } }, data64),
    /needs 16/,
  ],
  ["size disagrees with dtype", rawFile({ t: { ...ok, dtype: "F16" } }, data64), /needs 8 bytes/],
  [
    "overlapping tensors",
    rawFile({ a: ok, b: { ...ok, data_offsets: [8, 24] } }, data64),
    /"a" \[0, 16\] and "b" \[8, 24\] overlap/,
  ],
  ["metadata not an object", rawFile({ __metadata__: [1], t: ok }, data64), /__metadata__/],
  ["metadata not strings", rawFile({ __metadata__: { a: 1 }, t: ok }, data64), /__metadata__/],
  ["truncated in the data", full.slice(0, full.length - 3), /run past|truncated/],
  ["truncated in the header", full.slice(0, 20), /header claims/],
];
// Non-UTF-8 header bytes.
CASES[7][1] = (() => {
  const f = rawFile('{"t": 1}', data64);
  f[9] = 0xff;
  f[10] = 0xfe;
  return f;
})();

Deno.test(`safetensors: ${CASES.length} malformed files each give a clear error`, () => {
  assert.ok(CASES.length >= 30);
  for (const [name, bytes, pattern] of CASES) {
    assert.throws(
      () => parseSafetensors(bytes, "bad.safetensors"),
      (e: unknown) => {
        assert.ok(e instanceof SafetensorsError, `${name}: ${e}`);
        assert.match(e.message, /^bad\.safetensors: /, name);
        assert.match(e.message, pattern, name);
        return true;
      },
      name,
    );
  }
});

Deno.test("safetensors: 500 fuzzed headers parse or fail with SafetensorsError, never otherwise", () => {
  const rng = new Rng(3);
  const base = sample();
  const headerLen = Number(new DataView(base.buffer).getBigUint64(0, true));
  let failures = 0;
  for (let i = 0; i < 500; i++) {
    const f = base.slice();
    const flips = 1 + rng.int(4);
    for (let k = 0; k < flips; k++) {
      // Mostly the header, sometimes the length field.
      const at = rng.uniform() < 0.1 ? rng.int(8) : 8 + rng.int(headerLen);
      f[at] = rng.int(256);
    }
    try {
      parseSafetensors(f, "fuzz");
    } catch (e) {
      assert.ok(e instanceof SafetensorsError, `case ${i}: ${(e as Error).stack}`);
      failures++;
    }
  }
  assert.ok(failures > 100, `only ${failures} fuzzed files failed`);
});

Deno.test("safetensors: files and sharded folders write atomically and read back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rng = new Rng(4);
    const tensors = new Map([
      ["a", { shape: [100], data: rng.uniformArray(100) }],
      ["b", { shape: [10, 10], data: rng.uniformArray(100) }],
      ["c", { shape: [50], data: rng.uniformArray(50) }],
    ]);
    await writeSafetensors(`${dir}/one.safetensors`, tensors);
    const one = await readSafetensors(`${dir}/one.safetensors`);
    assert.deepEqual([...one.tensors.keys()], ["a", "b", "c"]);
    const files = await writeModelWeights(`${dir}/sharded`, tensors, { maxShardBytes: 500 });
    assert.deepEqual(files, [
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
      "model.safetensors.index.json",
    ]);
    const back = await readModelWeights(`${dir}/sharded`);
    for (const [name, t] of tensors) assert.deepEqual(back.get(name)!.data, t.data);
    const listing = [...Deno.readDirSync(`${dir}/sharded`)].map((e) => e.name);
    assert.ok(listing.every((n) => !n.includes(".tmp-")), "temporary files left behind");
    await assert.rejects(() => readModelWeights(`${dir}/nowhere`), SafetensorsError);
    await Deno.writeTextFile(`${dir}/sharded/model.safetensors.index.json`, '{"weight_map": 3}');
    await assert.rejects(() => readModelWeights(`${dir}/sharded`), /weight_map must be an object/);
    // A folder with both: the single file is read, as transformers does.
    await Deno.copyFile(`${dir}/one.safetensors`, `${dir}/sharded/model.safetensors`);
    const both = await readModelWeights(`${dir}/sharded`);
    for (const [name, t] of tensors) assert.deepEqual(both.get(name)!.data, t.data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "safetensors: stories260K loads, and load → save → load is bit-identical",
  ignore: !hasStories,
  fn: async () => {
    const weights = await readModelWeights(STORIES);
    assert.deepEqual(weights.get("model.embed_tokens.weight")!.shape, [512, 64]);
    const dir = await Deno.makeTempDir();
    try {
      await writeModelWeights(dir, weights);
      const again = await readModelWeights(dir);
      assert.deepEqual([...again.keys()].sort(), [...weights.keys()].sort());
      for (const [name, t] of weights) {
        assert.deepEqual(again.get(name)!.shape, t.shape);
        assert.deepEqual(
          new Uint8Array(again.get(name)!.data.buffer),
          new Uint8Array(t.data.buffer),
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
