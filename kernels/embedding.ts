/**
 * Token (+ learned position) embeddings: the lookup and its backward into the tables without
 * atomics, through a host-built index of the batch's tokens. Tables larger than one storage
 * binding are handled in vocabulary chunks. See `embedding.wgsl` for the math and layouts.
 *
 * @module
 */
import code from "./embedding.wgsl" with { type: "text" };
import {
  CPU_LOOP_BUDGET,
  type Encoder,
  expectTensor,
  type Gpu,
  grid1d,
  type Kernel,
  type Tensor,
  uniforms,
} from "./gpu.ts";

const WG = 256;
/** The shared CPU budget, less room for backward_wte's own channel loop. */
const WTE_LOOP_BUDGET = CPU_LOOP_BUDGET - 2_000;
const kernel = (entryPoint: string): Kernel => ({ label: "embedding", code, entryPoint });
const FORWARD = kernel("forward");
const FORWARD_POS = kernel("forward_pos");
const BACKWARD_WTE = kernel("backward_wte");
const BACKWARD_WPE = kernel("backward_wpe");

/**
 * The batch's tokens grouped by id (CSR): `unique` ids ascending; the positions holding
 * `unique[k]` are `positions[offsets[k] … offsets[k+1])`, ascending.
 */
export interface TokenIndex {
  /** V, the vocabulary size the ids were checked against. */
  vocabSize: number;
  /** (U,) distinct token ids, ascending. */
  unique: Int32Array;
  /** (U + 1,) start of each id's positions; `offsets[U] = N`. */
  offsets: Int32Array;
  /** (N,) flat positions n (row-major over (B, T)), grouped by id. */
  positions: Int32Array;
}

/**
 * Groups a batch's token ids for {@linkcode embeddingBackward} by a counting sort: O(N + U),
 * positions ascending within each id. Refuses ids outside [0, vocabSize), naming the first.
 *
 * @example
 * ```ts
 * import { buildTokenIndex } from "./embedding.ts";
 * const idx = buildTokenIndex(new Int32Array([5, 2, 5, 9]), 10);
 * // unique [2, 5, 9], offsets [0, 1, 3, 4], positions [1, 0, 2, 3]
 * ```
 */
export function buildTokenIndex(tokens: Int32Array, vocabSize: number): TokenIndex {
  if (!Number.isInteger(vocabSize) || vocabSize < 1) {
    throw new RangeError(`buildTokenIndex: vocabSize must be a positive integer, got ${vocabSize}`);
  }
  const n = tokens.length;
  for (let i = 0; i < n; i++) {
    const v = tokens[i];
    if (v < 0 || v >= vocabSize) {
      throw new RangeError(
        `buildTokenIndex: token id ${v} at position ${i} is outside the vocabulary [0, ${vocabSize})`,
      );
    }
  }
  // Count per distinct id; a Map keeps memory O(U) for large vocabularies and small batches.
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(tokens[i], (counts.get(tokens[i]) ?? 0) + 1);
  const unique = Int32Array.from(counts.keys()).sort();
  const offsets = new Int32Array(unique.length + 1);
  const slot = new Map<number, number>();
  unique.forEach((v, k) => {
    offsets[k + 1] = offsets[k] + counts.get(v)!;
    slot.set(v, offsets[k]);
  });
  const positions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = slot.get(tokens[i])!;
    positions[s] = i;
    slot.set(tokens[i], s + 1);
  }
  return { vocabSize, unique, offsets, positions };
}

/** A {@linkcode TokenIndex} on the GPU, with its host copy (chunk ranges are found on the host). */
export interface GpuTokenIndex {
  /** The host index it was uploaded from. */
  host: TokenIndex;
  /** (U,) i32 distinct ids. */
  unique: Tensor;
  /** (U + 1,) i32 offsets. */
  offsets: Tensor;
  /** (N,) i32 positions. */
  positions: Tensor;
}

/**
 * Uploads a {@linkcode TokenIndex}; release the three tensors after the step.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { buildTokenIndex, uploadTokenIndex } from "./embedding.ts";
 * const gpu = await Gpu.create();
 * const index = uploadTokenIndex(gpu, buildTokenIndex(new Int32Array([3, 1, 3]), 4));
 * for (const t of [index.unique, index.offsets, index.positions]) t.release();
 * ```
 */
export function uploadTokenIndex(gpu: Gpu, index: TokenIndex): GpuTokenIndex {
  if (index.positions.length === 0) {
    throw new RangeError("uploadTokenIndex: the batch has no tokens");
  }
  return {
    host: index,
    unique: gpu.upload(index.unique, [index.unique.length], { label: "token index unique" }),
    offsets: gpu.upload(index.offsets, [index.offsets.length], { label: "token index offsets" }),
    positions: gpu.upload(index.positions, [index.positions.length], {
      label: "token index positions",
    }),
  };
}

/** Options the embedding launchers share. */
export interface EmbeddingLaunchOptions {
  /**
   * The most bytes of a table bound at once; defaults to the device's
   * `maxStorageBufferBindingSize`. Tests lower it to exercise vocabulary chunking.
   */
  maxBindingBytes?: number;
  /**
   * Workgroups allowed per dispatch dimension; defaults to the device's
   * `maxComputeWorkgroupsPerDimension`. Tests lower it to exercise the x/y split cheaply.
   */
  maxWorkgroupsPerDimension?: number;
}

/** Tensors and sizes of {@linkcode embeddingForward}. */
export interface EmbeddingForwardArgs extends EmbeddingLaunchOptions {
  /** (N, C) result, N = B·T. */
  out: Tensor;
  /** (N,) i32 token ids in [0, V); an id outside gives a row of NaN. */
  tokens: Tensor;
  /** (V, C) token table. */
  wte: Tensor;
  /** (maxT, C) learned position table (GPT-2); omit for RoPE models. */
  wpe?: Tensor;
  /** T, needed with `wpe`: token n sits at position (n mod T) + positionOffset. */
  seqLen?: number;
  /** Position of t = 0 (generation with a KV cache). Default 0. */
  positionOffset?: number;
  /** s, the token rows' scale (Gemma: √C). Default 1. */
  scale?: number;
}

/**
 * Encodes `out[n] = s·wte[tokens[n]] (+ wpe[(n mod T) + positionOffset])`.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { embeddingForward } from "./embedding.ts";
 * const gpu = await Gpu.create();
 * const wte = gpu.upload(new Float32Array([0, 1, 10, 11, 20, 21]), [3, 2]); // V = 3, C = 2
 * const tokens = gpu.upload(new Int32Array([2, 0]), [2]);
 * const out = gpu.tensor([2, 2]);
 * const enc = gpu.encoder();
 * embeddingForward(enc, { out, tokens, wte }); // [[20, 21], [0, 1]]
 * gpu.submit(enc);
 * ```
 */
export function embeddingForward(enc: Encoder, args: EmbeddingForwardArgs): void {
  const name = "embeddingForward";
  const { out, tokens, wte, wpe, positionOffset = 0 } = args;
  const { v, c } = tableShape(name, wte);
  const n = tokens.size;
  if (tokens.dtype !== "i32") {
    throw new TypeError(`${name}: "${tokens.label}" is ${tokens.dtype}, expected i32`);
  }
  expectTensor(name, out, { size: n * c });
  const seqLen = wpe ? positionsFit(name, wpe, c, n, args.seqLen, positionOffset) : 1;
  const max = args.maxWorkgroupsPerDimension ?? enc.gpu.limits.maxComputeWorkgroupsPerDimension;
  const [gx, gy] = grid1d(n * c, WG, max);
  vocabChunks(enc, name, v, c, wte, args.maxBindingBytes).forEach(([v0, v1], k) => {
    const table = wte.view(v0 * c, [v1 - v0, c], `${wte.label}[${v0}:${v1}]`);
    enc.dispatch({
      kernel: wpe ? FORWARD_POS : FORWARD,
      constants: { WG },
      uniforms: params({
        total: n * c,
        c,
        seq_len: seqLen,
        pos_offset: positionOffset,
        v_begin: v0,
        v_end: v1,
        vocab: v,
        first: k === 0 ? 1 : 0,
        row_stride: gx * WG,
        scale: scaleOf(name, args.scale),
      }),
      bindings: wpe ? [tokens, table, wpe, out] : [tokens, table, out],
      workgroups: [gx, gy],
    });
  });
}

/** Tensors and sizes of {@linkcode embeddingBackward}. */
export interface EmbeddingBackwardArgs extends EmbeddingLaunchOptions {
  /** (V, C) token-table gradient, accumulated (`+=`) on the rows of the batch's tokens. */
  dWte: Tensor;
  /** (maxT, C) position-table gradient, accumulated on rows positionOffset … + T − 1. */
  dWpe?: Tensor;
  /** (N, C) gradient of the output. */
  dOut: Tensor;
  /** The batch's tokens grouped by id ({@linkcode buildTokenIndex}, {@linkcode uploadTokenIndex}). */
  index: GpuTokenIndex;
  /** T, needed with `dWpe`. */
  seqLen?: number;
  /** Position of t = 0. Default 0. */
  positionOffset?: number;
  /** s, as in the forward. Default 1. */
  scale?: number;
}

/**
 * Encodes the embedding backward: `dWte[v] += s·Σ_{tokens[n]=v} dOut[n]` (one workgroup per
 * distinct token, summing in position order: deterministic, no atomics) and, with `dWpe`,
 * `dWpe[t + positionOffset] += Σ_b dOut[b, t]`.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { buildTokenIndex, embeddingBackward, uploadTokenIndex } from "./embedding.ts";
 * const gpu = await Gpu.create();
 * const index = uploadTokenIndex(gpu, buildTokenIndex(new Int32Array([2, 0, 2]), 3));
 * const dOut = gpu.upload(new Float32Array([1, 1, 2, 2, 3, 3]), [3, 2]);
 * const dWte = gpu.upload(new Float32Array(6), [3, 2]);
 * const enc = gpu.encoder();
 * embeddingBackward(enc, { dWte, dOut, index }); // dWte = [[2, 2], [0, 0], [4, 4]]
 * gpu.submit(enc);
 * ```
 */
export function embeddingBackward(enc: Encoder, args: EmbeddingBackwardArgs): void {
  const name = "embeddingBackward";
  const { dWte, dWpe, dOut, index, positionOffset = 0 } = args;
  const { v, c } = tableShape(name, dWte);
  const { host } = index;
  const n = host.positions.length, u = host.unique.length;
  if (host.vocabSize !== v) {
    throw new RangeError(
      `${name}: the token index was built for V = ${host.vocabSize}, "${dWte.label}" has ${v} rows`,
    );
  }
  expectTensor(name, dOut, { size: n * c });
  for (const [t, size] of [[index.unique, u], [index.offsets, u + 1], [index.positions, n]]) {
    const tt = t as Tensor;
    if (tt.size !== size || tt.dtype !== "i32") {
      throw new RangeError(`${name}: "${tt.label}" does not match the host token index`);
    }
  }
  const max = args.maxWorkgroupsPerDimension ?? enc.gpu.limits.maxComputeWorkgroupsPerDimension;
  const wg = rowWorkgroup(c);
  for (const [v0, v1] of vocabChunks(enc, name, v, c, dWte, args.maxBindingBytes)) {
    const u0 = lowerBound(host.unique, v0), u1 = lowerBound(host.unique, v1);
    if (u1 === u0) continue;
    const [gx, gy] = grid1d(u1 - u0, 1, max);
    // A CPU adapter stops an invocation after 65 535 loop iterations (llvmpipe), and each
    // invocation walks ⌈C / WG⌉ channels × a token's positions: a token filling most of a big
    // batch (padding) is summed over several launches, each adding its share of the positions.
    let most = 0;
    for (let k = u0; k < u1; k++) most = Math.max(most, host.offsets[k + 1] - host.offsets[k]);
    const step = enc.gpu.isCpu
      ? Math.max(1, Math.floor(WTE_LOOP_BUDGET / Math.ceil(c / wg)) - 1)
      : Math.max(1, most);
    for (let skip = 0; skip === 0 || skip < most; skip += step) {
      enc.dispatch({
        kernel: BACKWARD_WTE,
        constants: { WG: wg },
        uniforms: params({
          total: u1 - u0,
          c,
          v_begin: v0,
          v_end: v1,
          row_stride: gx,
          u_begin: u0,
          m_skip: skip,
          m_count: step,
          scale: scaleOf(name, args.scale),
        }),
        bindings: [
          dOut,
          index.unique,
          index.offsets,
          index.positions,
          dWte.view(v0 * c, [v1 - v0, c], `${dWte.label}[${v0}:${v1}]`),
        ],
        workgroups: [gx, gy],
      });
    }
  }
  if (dWpe) {
    const seqLen = positionsFit(name, dWpe, c, n, args.seqLen, positionOffset);
    const [gx, gy] = grid1d(seqLen * c, WG, max);
    enc.dispatch({
      kernel: BACKWARD_WPE,
      constants: { WG },
      uniforms: params({
        total: seqLen * c,
        c,
        seq_len: seqLen,
        pos_offset: positionOffset,
        row_stride: gx * WG,
        batch: n / seqLen,
      }),
      bindings: [dOut, dWpe],
      workgroups: [gx, gy],
    });
  }
}

/**
 * The vocabulary row ranges a (V, C) table is bound in: each at most `maxBindingBytes` (the
 * device's limit by default) and starting at a byte offset that is a multiple of
 * minStorageBufferOffsetAlignment. One range when the table fits.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { embeddingChunks } from "./embedding.ts";
 * const gpu = await Gpu.create();
 * embeddingChunks(gpu, { vocabSize: 50257, channels: 768 }); // lavapipe: [[0, 43690], [43690, 50257]]
 * ```
 */
export function embeddingChunks(
  gpu: Gpu,
  options: { vocabSize: number; channels: number; maxBindingBytes?: number; byteOffset?: number },
): [number, number][] {
  const { vocabSize: v, channels: c, byteOffset = 0 } = options;
  const limit = Math.min(
    options.maxBindingBytes ?? Infinity,
    gpu.limits.maxStorageBufferBindingSize,
  );
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const rowBytes = c * 4;
  if (v * rowBytes <= limit) return [[0, v]];
  if (byteOffset % align !== 0) {
    throw new RangeError(
      `The embedding table starts at byte ${byteOffset}, not a multiple of ` +
        `minStorageBufferOffsetAlignment (${align}), so it cannot be bound in chunks`,
    );
  }
  // Chunk starts must be whole rows at aligned byte offsets: multiples of `step` rows.
  const step = align / gcd(rowBytes, align);
  const rows = Math.floor(Math.floor(limit / rowBytes) / step) * step;
  if (rows < 1) {
    throw new RangeError(
      `An embedding table of ${c} channels cannot be bound in chunks: ${step} aligned rows take ` +
        `${step * rowBytes} bytes, more than the ${limit} bytes bound at once`,
    );
  }
  const chunks: [number, number][] = [];
  for (let v0 = 0; v0 < v; v0 += rows) chunks.push([v0, Math.min(v, v0 + rows)]);
  return chunks;
}

function vocabChunks(
  enc: Encoder,
  name: string,
  v: number,
  c: number,
  table: Tensor,
  maxBindingBytes?: number,
): [number, number][] {
  try {
    return embeddingChunks(enc.gpu, {
      vocabSize: v,
      channels: c,
      maxBindingBytes,
      byteOffset: table.byteOffset,
    });
  } catch (e) {
    throw new RangeError(`${name}: "${table.label}": ${(e as Error).message}`);
  }
}

function positionsFit(
  name: string,
  table: Tensor,
  c: number,
  n: number,
  seqLen: number | undefined,
  positionOffset: number,
): number {
  if (seqLen === undefined || !Number.isInteger(seqLen) || seqLen < 1 || n % seqLen !== 0) {
    throw new RangeError(
      `${name}: with a position table, seqLen must be a positive divisor of N = ${n}, got ${seqLen}`,
    );
  }
  if (!Number.isInteger(positionOffset) || positionOffset < 0) {
    throw new RangeError(`${name}: positionOffset must be a non-negative integer`);
  }
  if (table.dtype !== "f32" || table.size % c !== 0) {
    throw new RangeError(`${name}: "${table.label}" must be an f32 (maxT, ${c}) table`);
  }
  const maxT = table.size / c;
  if (positionOffset + seqLen > maxT) {
    throw new RangeError(
      `${name}: positions up to ${positionOffset + seqLen - 1} exceed "${table.label}" ` +
        `(${maxT} positions)`,
    );
  }
  return seqLen;
}

function params(f: {
  total: number;
  c: number;
  seq_len?: number;
  pos_offset?: number;
  v_begin?: number;
  v_end?: number;
  vocab?: number;
  first?: number;
  row_stride: number;
  batch?: number;
  u_begin?: number;
  m_skip?: number;
  m_count?: number;
  scale?: number;
}): Uint32Array {
  // Field order is the WGSL struct's.
  return uniforms({
    total: f.total,
    c: f.c,
    seq_len: f.seq_len ?? 1,
    pos_offset: f.pos_offset ?? 0,
    v_begin: f.v_begin ?? 0,
    v_end: f.v_end ?? 0,
    vocab: f.vocab ?? 0,
    first: f.first ?? 0,
    row_stride: f.row_stride,
    batch: f.batch ?? 0,
    u_begin: f.u_begin ?? 0,
    m_skip: f.m_skip ?? 0,
    m_count: f.m_count ?? 0xffffffff,
    scale: f.scale ?? 1,
  }, ["scale"]);
}

function scaleOf(name: string, scale: number | undefined): number {
  if (scale !== undefined && !Number.isFinite(scale)) {
    throw new RangeError(`${name}: scale must be finite, got ${scale}`);
  }
  return scale ?? 1;
}

function tableShape(name: string, table: Tensor): { v: number; c: number } {
  if (table.shape.length !== 2 || table.dtype !== "f32") {
    throw new RangeError(
      `${name}: "${table.label}" must be an f32 (V, C) table, got ${table.dtype} [${table.shape}]`,
    );
  }
  return { v: table.shape[0], c: table.shape[1] };
}

/** Invocations per workgroup of backward_wte: about 4 channels each, 32 … 256. */
function rowWorkgroup(c: number): number {
  let wg = 32;
  while (wg < 256 && wg * 4 < c) wg *= 2;
  return wg;
}

function lowerBound(sorted: Int32Array, value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
