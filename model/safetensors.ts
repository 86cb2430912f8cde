/**
 * Safetensors files: read (F32, F16, BF16 → float32; single files and sharded models through
 * `model.safetensors.index.json`) and write (float32, with Hugging Face's layout, atomically).
 *
 * The format: 8 bytes of little-endian u64 header length `H`, then `H` bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`, then
 * the data; offsets count from the start of the data. The header is never trusted: every field is
 * checked (types, dtype × shape against the byte span, spans inside the file, no overlaps) and a
 * problem raises {@linkcode SafetensorsError} naming the file and the tensor.
 *
 * @module
 */

/** A tensor read from or written to safetensors, as float32. */
export interface NamedTensor {
  /** Dimensions, outermost first. */
  shape: number[];
  /** Row-major values. */
  data: Float32Array;
}

/** The dtype a tensor had on disk (data always come back as float32). */
export type StoredDType = "F32" | "F16" | "BF16";

/**
 * A tensor as read: its dtype on disk (one of {@linkcode StoredDType}, or another safetensors
 * dtype such as BOOL, U8 or I64, whose `data` throws a SafetensorsError when read: a model's
 * weights are floats, and such buffers, e.g. an old GPT-2 checkpoint's causal masks, are skipped).
 */
export type ReadTensor = NamedTensor & { dtype: string };

/** What {@linkcode parseSafetensors} and {@linkcode readSafetensors} return. */
export interface SafetensorsFile {
  /** Tensors by name, in header order. */
  tensors: Map<string, ReadTensor>;
  /** The `__metadata__` strings (empty when absent). */
  metadata: Record<string, string>;
}

/** A malformed or unsupported safetensors file. The message names the file and the tensor. */
export class SafetensorsError extends Error {
  /** The error's name, as shown before its message. */
  override name = "SafetensorsError";
}

const DTYPE_BYTES: Record<StoredDType, number> = { F32: 4, F16: 2, BF16: 2 };
/** The other dtypes of the safetensors format: their bytes per element (read, never decoded). */
const OTHER_DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  I32: 4,
  U32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};
/** Headers beyond this are refused before parsing (Hugging Face's own limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Parses safetensors bytes. `file` names the source in errors.
 *
 * @example
 * ```ts
 * import { parseSafetensors, serializeSafetensors } from "./safetensors.ts";
 * const bytes = serializeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } });
 * const { tensors } = parseSafetensors(bytes, "w.safetensors");
 * console.log(tensors.get("w")?.data); // Float32Array [1, 2]
 * ```
 */
export function parseSafetensors(bytes: Uint8Array, file = "<memory>"): SafetensorsFile {
  const { entries, metadata, dataStart } = parseHeader(bytes, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = new Map<string, ReadTensor>();
  for (const e of entries) {
    if (e.dtype in DTYPE_BYTES) {
      const data = decode(view, dataStart + e.begin, e.count, e.dtype as StoredDType);
      tensors.set(e.name, { shape: e.shape, dtype: e.dtype, data });
      continue;
    }
    const { name, dtype, shape } = e;
    tensors.set(name, {
      shape,
      dtype,
      get data(): Float32Array {
        throw new SafetensorsError(
          `${file}: tensor "${name}": dtype ${dtype} is not supported (F32, F16 and BF16 are)`,
        );
      },
    });
  }
  return { tensors, metadata };
}

/**
 * Reads a safetensors file.
 *
 * @example
 * ```ts
 * import { readSafetensors } from "./safetensors.ts";
 * const { tensors } = await readSafetensors("model.safetensors");
 * ```
 */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new SafetensorsError(`${path}: cannot read (${(e as Error).message})`);
  }
  return parseSafetensors(bytes, path);
}

/**
 * Serialises float32 tensors (names sorted, as Hugging Face writes them) with optional metadata.
 *
 * @example
 * ```ts
 * import { serializeSafetensors } from "./safetensors.ts";
 * const bytes = serializeSafetensors(
 *   { "lm_head.weight": { shape: [3, 2], data: new Float32Array(6) } },
 *   { metadata: { format: "pt" } },
 * );
 * ```
 */
export function serializeSafetensors(
  tensors: Record<string, NamedTensor> | Map<string, NamedTensor>,
  options: { metadata?: Record<string, string> } = {},
): Uint8Array {
  const map = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  const names = [...map.keys()].sort();
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let offset = 0;
  for (const name of names) {
    const t = map.get(name)!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new SafetensorsError(
        `Tensor "${name}": shape [${t.shape}] holds ${count} values, data has ${t.data.length}`,
      );
    }
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8; // the data start 8-byte aligned
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const d = map.get(name)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/**
 * Writes tensors to a safetensors file atomically: a temporary file in the same folder, then a
 * rename, so an interrupted write never leaves a half file under the final name.
 *
 * @example
 * ```ts
 * import { writeSafetensors } from "./safetensors.ts";
 * await writeSafetensors("out.safetensors", { w: { shape: [1], data: new Float32Array([3]) } });
 * ```
 */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, NamedTensor> | Map<string, NamedTensor>,
  options: { metadata?: Record<string, string> } = {},
): Promise<void> {
  await atomicWrite(path, serializeSafetensors(tensors, options));
}

/** The index file of a sharded model. */
export const INDEX_FILE = "model.safetensors.index.json";
/** The single-file weights of a model folder. */
export const WEIGHTS_FILE = "model.safetensors";

/**
 * Reads a model folder's weights: `model.safetensors`, or else the shards listed in
 * `model.safetensors.index.json` (the order transformers looks for them in).
 *
 * @example
 * ```ts
 * import { readModelWeights } from "./safetensors.ts";
 * const weights = await readModelWeights("../shared/data/stories260K");
 * console.log(weights.get("model.embed_tokens.weight")?.shape); // [512, 64]
 * ```
 */
export async function readModelWeights(
  dir: string,
): Promise<Map<string, ReadTensor>> {
  const single = `${dir}/${WEIGHTS_FILE}`;
  if (await Deno.stat(single).then(() => true, () => false)) {
    return (await readSafetensors(single)).tensors;
  }
  const indexPath = `${dir}/${INDEX_FILE}`;
  let indexText: string;
  try {
    indexText = await Deno.readTextFile(indexPath);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new SafetensorsError(`${dir}: no ${WEIGHTS_FILE} or ${INDEX_FILE} in this folder`);
  }
  let weightMap: Record<string, unknown>;
  try {
    const index = JSON.parse(indexText);
    weightMap = index?.weight_map;
    if (typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
      throw new Error("field weight_map must be an object of tensor name → shard file");
    }
  } catch (e) {
    throw new SafetensorsError(`${indexPath}: ${(e as Error).message}`);
  }
  const shards = new Set<string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== "string" || shard.includes("/") || shard.includes("\\")) {
      throw new SafetensorsError(`${indexPath}: weight_map["${name}"] must be a file name`);
    }
    shards.add(shard);
  }
  const all = new Map<string, ReadTensor>();
  for (const shard of [...shards].sort()) {
    const { tensors } = await readSafetensors(`${dir}/${shard}`);
    for (const [name, t] of tensors) {
      if (weightMap[name] !== shard) continue; // only what the index assigns to this shard
      all.set(name, t);
    }
  }
  for (const [name, shard] of Object.entries(weightMap)) {
    if (!all.has(name)) {
      throw new SafetensorsError(`${indexPath}: tensor "${name}" is not in its shard ${shard}`);
    }
  }
  return all;
}

/**
 * Writes a model folder's weights as `model.safetensors`, or, when they exceed `maxShardBytes`,
 * as `model-0000i-of-0000n.safetensors` shards plus `model.safetensors.index.json`, the way
 * Hugging Face transformers names them.
 *
 * @example
 * ```ts
 * import { writeModelWeights } from "./safetensors.ts";
 * await writeModelWeights("out", { w: { shape: [1], data: new Float32Array([1]) } });
 * ```
 */
export async function writeModelWeights(
  dir: string,
  tensors: Record<string, NamedTensor> | Map<string, NamedTensor>,
  options: { maxShardBytes?: number; metadata?: Record<string, string> } = {},
): Promise<string[]> {
  const { maxShardBytes = 5e9, metadata = { format: "pt" } } = options;
  const map = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  const names = [...map.keys()].sort();
  const shards: string[][] = [[]];
  let size = 0, total = 0;
  for (const name of names) {
    const bytes = map.get(name)!.data.byteLength;
    if (size > 0 && size + bytes > maxShardBytes) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1].push(name);
    size += bytes;
    total += bytes;
  }
  await Deno.mkdir(dir, { recursive: true });
  if (shards.length === 1) {
    await writeSafetensors(`${dir}/${WEIGHTS_FILE}`, map, { metadata });
    return [WEIGHTS_FILE];
  }
  const n = shards.length;
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const file = `model-${String(i + 1).padStart(5, "0")}-of-${String(n).padStart(5, "0")}` +
      ".safetensors";
    const part = new Map(shards[i].map((name) => [name, map.get(name)!]));
    await writeSafetensors(`${dir}/${file}`, part, { metadata });
    for (const name of shards[i]) weightMap[name] = file;
    files.push(file);
  }
  const index = { metadata: { total_size: total }, weight_map: weightMap };
  await atomicWrite(
    `${dir}/${INDEX_FILE}`,
    new TextEncoder().encode(JSON.stringify(index, null, 2) + "\n"),
  );
  return [...files, INDEX_FILE];
}

/**
 * Writes bytes to `path` through a temporary file and a rename.
 *
 * @example
 * ```ts
 * import { atomicWrite } from "./safetensors.ts";
 * await atomicWrite("x.bin", new Uint8Array([1, 2, 3]));
 * ```
 */
export async function atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  begin: number;
  end: number;
}

function parseHeader(
  bytes: Uint8Array,
  file: string,
): { entries: Entry[]; metadata: Record<string, string>; dataStart: number } {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${file}: ${msg}`);
  };
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerLen} is implausibly large`);
  const h = Number(headerLen);
  if (h < 2) fail(`header length ${h} is too small to hold JSON`);
  if (8 + h > bytes.byteLength) {
    fail(`header claims ${h} bytes but the file has only ${bytes.byteLength - 8} after the length`);
  }
  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + h));
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail("header must be a JSON object");
  }
  const dataStart = 8 + h;
  const dataLen = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        fail("__metadata__ must be an object of strings");
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__["${k}"] must be a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      fail(`${where} must be an object with dtype, shape and data_offsets`);
    }
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== "string") fail(`${where}: dtype must be a string`);
    if (!(dtype as string in DTYPE_BYTES) && !(dtype as string in OTHER_DTYPE_BYTES)) {
      fail(`${where}: dtype ${dtype} is not a safetensors dtype`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where}: shape must be an array of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
    ) {
      fail(`${where}: data_offsets must be two non-negative integers [begin, end]`);
    }
    const [begin, end] = offsets as number[];
    if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) {
      fail(
        `${where}: data_offsets [${begin}, ${end}] run past the ${dataLen} bytes of data ` +
          `(truncated file?)`,
      );
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const bytesPer = DTYPE_BYTES[dtype as StoredDType] ?? OTHER_DTYPE_BYTES[dtype as string];
    if (!Number.isSafeInteger(count) || count * bytesPer !== end - begin) {
      fail(
        `${where}: ${dtype} × shape [${shape}] needs ${count * bytesPer} bytes, data_offsets ` +
          `span ${end - begin}`,
      );
    }
    entries.push({
      name,
      dtype: dtype as string,
      shape: shape as number[],
      count,
      begin,
      end,
    });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1], cur = sorted[i];
    if (cur.begin < prev.end) {
      fail(
        `tensors "${prev.name}" [${prev.begin}, ${prev.end}] and "${cur.name}" ` +
          `[${cur.begin}, ${cur.end}] overlap`,
      );
    }
  }
  return { entries, metadata, dataStart };
}

function decode(view: DataView, at: number, count: number, dtype: StoredDType): Float32Array {
  const out = new Float32Array(count);
  switch (dtype) {
    case "F32": {
      // Every platform WebGPU runs on is little-endian, like the file: copy the bytes as they are.
      const start = view.byteOffset + at;
      new Uint8Array(out.buffer).set(new Uint8Array(view.buffer, start, count * 4));
      break;
    }
    case "BF16":
      for (let i = 0; i < count; i++) {
        out[i] = bitsToF32(view.getUint16(at + 2 * i, true) << 16);
      }
      break;
    case "F16":
      for (let i = 0; i < count; i++) out[i] = f16ToF32(view.getUint16(at + 2 * i, true));
      break;
  }
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

function bitsToF32(bits: number): number {
  scratch.setUint32(0, bits >>> 0);
  return scratch.getFloat32(0);
}

/**
 * Converts IEEE half-precision bits to a number (exact).
 *
 * @example
 * ```ts
 * import { f16ToF32 } from "./safetensors.ts";
 * console.log(f16ToF32(0x3c00)); // 1
 * ```
 */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
