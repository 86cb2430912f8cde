/**
 * Frozen weights held compactly and expanded on the GPU right before a product reads them: the
 * formats (packing on the host, the float64-free host expansion every test compares against) and
 * the launcher of `quantize.wgsl`'s `dequantize`. See that file for the layouts.
 *
 * - `bf16`, `f16`: half the bytes of float32; bf16 is exact on the bf16 checkpoints most models
 *   ship as.
 * - `int8`: a quarter, one scale per row (absmax / 127), as bitsandbytes' 8-bit weights.
 * - `nf4`: an eighth plus a float32 scale per 64 values (4.5 bits a weight): QLoRA's NormalFloat
 *   levels with blocks of 64.
 *
 * @module
 */
import code from "./quantize.wgsl" with { type: "text" };
import { type Encoder, grid1d, type Tensor, uniforms } from "./gpu.ts";

/** How a frozen weight is held: `bf16`, `f16`, `int8` (per row) or `nf4` (blocks of 64). */
export type QuantKind = "bf16" | "f16" | "int8" | "nf4";

/** Every {@linkcode QuantKind}, in the order of the kernel's KIND codes. */
export const QUANT_KINDS: readonly QuantKind[] = ["bf16", "f16", "int8", "nf4"];

/** Values per block of an `nf4` weight (one scale each). */
export const NF4_BLOCK = 64;

/** The 16 NormalFloat levels of `nf4` (QLoRA's, as bitsandbytes lists them), as float32. */
export const NF4_LEVELS: Float32Array = new Float32Array([
  -1.0,
  -0.6961928009986877,
  -0.5250730514526367,
  -0.39491748809814453,
  -0.28444138169288635,
  -0.18477343022823334,
  -0.09105003625154495,
  0.0,
  0.07958029955625534,
  0.16093020141124725,
  0.24611230194568634,
  0.33791524171829224,
  0.44070982933044434,
  0.5626170039176941,
  0.7229568362236023,
  1.0,
]);

/** The 15 midpoints between consecutive NF4 levels: the thresholds of the nearest level. */
const NF4_MIDPOINTS = Float64Array.from(
  { length: 15 },
  (_, q) => (NF4_LEVELS[q] + NF4_LEVELS[q + 1]) / 2,
);

/** A weight in one of the compact formats, on the host. */
export interface QuantizedWeight {
  /** The format. */
  kind: QuantKind;
  /** The weight's shape as stored (rows first). */
  shape: readonly number[];
  /** The packed codes (see `quantize.wgsl`). */
  words: Uint32Array;
  /** int8: one scale per row; nf4: one per block of 64; null for bf16 and f16. */
  scales: Float32Array | null;
}

const PER_WORD: Record<QuantKind, number> = { bf16: 2, f16: 2, int8: 4, nf4: 8 };

/**
 * Bytes a weight of this shape takes in a format (codes and scales).
 *
 * @example
 * ```ts
 * import { quantizedBytes } from "./quantize.ts";
 * console.log(quantizedBytes("nf4", [64, 64])); // 2304
 * ```
 */
export function quantizedBytes(kind: QuantKind, shape: readonly number[]): number {
  const n = shape.reduce((a, b) => a * b, 1);
  const scales = kind === "int8" ? shape[0] : kind === "nf4" ? Math.ceil(n / NF4_BLOCK) : 0;
  return 4 * (Math.ceil(n / PER_WORD[kind]) + scales);
}

/**
 * Packs a float32 weight into a compact format: bf16 and f16 round to nearest even; int8 rounds
 * `w · 127 / absmax(row)` to the nearest integer; nf4 picks each value's nearest level of
 * `w / absmax(block)`. Refuses f16 for values past its range (±65504), naming the weight.
 *
 * @example
 * ```ts
 * import { dequantizeWeight, quantizeWeight } from "./quantize.ts";
 * const q = quantizeWeight(new Float32Array([1.5, -2, 0.1, 3]), [2, 2], "int8", "w");
 * console.log(dequantizeWeight(q)); // Float32Array(4) [1.49606…, -2, 0.09448…, 3]
 * ```
 */
export function quantizeWeight(
  values: Float32Array,
  shape: readonly number[],
  kind: QuantKind,
  name = "weight",
): QuantizedWeight {
  const n = values.length;
  if (shape.reduce((a, b) => a * b, 1) !== n) {
    throw new RangeError(`quantizeWeight: ${name} has ${n} values for shape [${shape}]`);
  }
  const words = new Uint32Array(Math.ceil(n / PER_WORD[kind]));
  if (kind === "bf16" || kind === "f16") {
    const halves = new Uint16Array(words.buffer, 0, n);
    if (kind === "bf16") {
      const bits = new Uint32Array(values.buffer, values.byteOffset, n);
      for (let i = 0; i < n; i++) {
        const u = bits[i];
        // NaN stays a (quiet) NaN; everything else rounds to nearest, ties to even.
        halves[i] = (u & 0x7fffffff) > 0x7f800000
          ? (u >>> 16) | 0x40
          : (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
      }
    } else {
      const h = new Float16Array(n);
      h.set(values);
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(h[i]) && Number.isFinite(values[i])) {
          throw new RangeError(
            `model.quantize f16: ${name} holds ${values[i]} (element ${i}), past f16's ±65504; ` +
              "use bf16",
          );
        }
      }
      halves.set(new Uint16Array(h.buffer));
    }
    return { kind, shape: [...shape], words, scales: null };
  }
  const bytes = new Uint8Array(words.buffer);
  if (kind === "int8") {
    const rows = shape[0], cols = n / rows, scales = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let max = 0;
      for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(values[r * cols + c]));
      scales[r] = max / 127;
      for (let c = 0; c < cols; c++) {
        const q = max === 0 ? 0 : Math.round(values[r * cols + c] * 127 / max);
        bytes[r * cols + c] = Math.max(-127, Math.min(127, q)) & 0xff;
      }
    }
    return { kind, shape: [...shape], words, scales };
  }
  return { kind, shape: [...shape], words, scales: packNf4(values, bytes) };
}

/**
 * nf4's nearest level by table: [−1, 1] cut into 4096 bins, each holding at most one midpoint
 * between levels, so a value's level is its bin's lowest level, plus one past the bin's midpoint.
 * `NF4_BIN_LOW[k]` counts the midpoints below bin k; `NF4_BIN_MID[k]` is the midpoint inside it
 * (+∞: none). Every midpoint lies far from a bin's edge, so a value rounding into the next bin
 * over still gets its level.
 */
const NF4_BINS = 4096;
const NF4_BIN_LOW = new Uint8Array(NF4_BINS);
const NF4_BIN_MID = new Float64Array(NF4_BINS).fill(Infinity);
for (let k = 0; k < NF4_BINS; k++) {
  const a = -1 + 2 * k / NF4_BINS, b = -1 + 2 * (k + 1) / NF4_BINS;
  for (const m of NF4_MIDPOINTS) {
    if (m < a) NF4_BIN_LOW[k]++;
    else if (m < b) {
      if (NF4_BIN_MID[k] !== Infinity || m - a < 1e-9 || b - m < 1e-9) {
        throw new Error("nf4 bins: a midpoint on a bin's edge, or two in one bin");
      }
      NF4_BIN_MID[k] = m;
    }
  }
}

/** nf4's codes into `bytes` (two a byte, the lower nibble first); returns the block scales. */
function packNf4(values: Float32Array, bytes: Uint8Array): Float32Array {
  const n = values.length, scales = new Float32Array(Math.ceil(n / NF4_BLOCK));
  for (let b = 0; b < scales.length; b++) {
    const start = b * NF4_BLOCK, end = Math.min(n, start + NF4_BLOCK);
    let max = 0;
    for (let i = start; i < end; i++) max = Math.max(max, Math.abs(values[i]));
    scales[b] = max;
    for (let i = start; i < end; i++) {
      // The nearest level: how many midpoints lie below x (a tie: the lower level).
      const x = max === 0 ? 0 : values[i] / max;
      const k = Math.min(NF4_BINS - 1, Math.floor((x + 1) * (NF4_BINS / 2)));
      const q = NF4_BIN_LOW[k] + (NF4_BIN_MID[k] < x ? 1 : 0);
      bytes[i >> 1] |= q << ((i & 1) * 4);
    }
  }
  return scales;
}

/**
 * Expands a packed weight back to float32 on the host, as the kernel does (the reference the
 * GPU's expansion is checked against).
 *
 * @example
 * ```ts
 * import { dequantizeWeight, quantizeWeight } from "./quantize.ts";
 * const q = quantizeWeight(new Float32Array([0.1, 0.2]), [1, 2], "bf16");
 * console.log(dequantizeWeight(q)); // Float32Array(2) [0.10009765625, 0.2001953125]
 * ```
 */
export function dequantizeWeight(q: QuantizedWeight): Float32Array {
  const n = q.shape.reduce((a, b) => a * b, 1), out = new Float32Array(n);
  if (q.kind === "bf16") {
    const halves = new Uint16Array(q.words.buffer, q.words.byteOffset, n);
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = halves[i] << 16;
  } else if (q.kind === "f16") {
    out.set(new Float16Array(q.words.buffer, q.words.byteOffset, n));
  } else if (q.kind === "int8") {
    const codes = new Int8Array(q.words.buffer, q.words.byteOffset, n), cols = n / q.shape[0];
    for (let i = 0; i < n; i++) out[i] = codes[i] * q.scales![Math.floor(i / cols)];
  } else {
    const bytes = new Uint8Array(q.words.buffer, q.words.byteOffset);
    for (let i = 0; i < n; i++) {
      out[i] = NF4_LEVELS[(bytes[i >> 1] >> ((i & 1) * 4)) & 15] * q.scales![i >> 6];
    }
  }
  return out;
}

/** A packed weight on the GPU. */
export interface GpuQuantized {
  /** The format. */
  kind: QuantKind;
  /** The weight's shape as stored. */
  shape: readonly number[];
  /** The packed codes, u32. */
  words: Tensor;
  /** The scales (int8, nf4); null otherwise. */
  scales: Tensor | null;
}

/** Elements per launch piece are a multiple of this (every binding then starts aligned). */
const PIECE = 65536;
const WG = 256;
const KERNEL = { label: "dequantize", code, entryPoint: "dequantize" };

/**
 * Encodes `out = expand(w)`: a packed weight as float32 (see `quantize.wgsl`). `out` holds as
 * many elements as the weight; weights larger than one binding run in pieces.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { dequantize, quantizeWeight } from "./quantize.ts";
 * const gpu = await Gpu.create();
 * const q = quantizeWeight(new Float32Array([0.5, -1, 2, 0.25]), [2, 2], "nf4");
 * const w = { ...q, words: gpu.upload(q.words), scales: gpu.upload(q.scales!) };
 * const out = gpu.tensor([2, 2]);
 * const enc = gpu.encoder();
 * dequantize(enc, { out, w });
 * gpu.submit(enc);
 * ```
 */
export function dequantize(
  enc: Encoder,
  args: {
    out: Tensor;
    w: GpuQuantized;
    /** Most elements per launch (a multiple of 65536; tests); default what one binding holds. */
    piece?: number;
  },
): void {
  const { out, w } = args;
  const n = w.shape.reduce((a, b) => a * b, 1);
  if (out.size !== n) {
    throw new RangeError(`dequantize: out holds ${out.size} elements, the weight ${n}`);
  }
  const limits = enc.gpu.limits;
  const per = PER_WORD[w.kind];
  const piece = args.piece ??
    Math.max(PIECE, Math.floor(limits.maxStorageBufferBindingSize / 4 / PIECE) * PIECE);
  if (piece % PIECE !== 0) throw new RangeError(`dequantize: piece must be a multiple of ${PIECE}`);
  const cols = w.kind === "int8" ? n / w.shape[0] : 1;
  for (let first = 0; first < n; first += piece) {
    const count = Math.min(piece, n - first);
    const [gx, gy] = grid1d(count, WG, limits.maxComputeWorkgroupsPerDimension);
    const words = w.words.view(first / per, [Math.ceil(count / per)]);
    enc.dispatch({
      kernel: KERNEL,
      constants: { KIND: QUANT_KINDS.indexOf(w.kind), WG },
      uniforms: uniforms({ n: count, first, cols, row_stride: gx * WG }),
      // (bf16, f16: no scales; the piece's words stand in for the unread binding)
      bindings: [words, w.scales ?? words, out.view(first, [count])],
      workgroups: [gx, gy],
    });
  }
}
