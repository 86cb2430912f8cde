/**
 * Matrix multiply `C = α·op(A)·op(B) (+ bias) (+ β·C)` in all four transpose combinations,
 * batched by strides, and the bias gradient. See `matmul.wgsl` for the math, layouts and tiling.
 *
 * A call is one dispatch of the register-blocked kernel (32 × 16 outputs per invocation, or
 * 8 × 16 when M ≤ 16; A read through 64 KiB uniform windows, up to 4 per dispatch, or as vec4f where
 * its layout allows: {@linkcode MatmulArgs.wideLoads}) on CPU adapters, or of a tiled kernel (128 × 128 per workgroup through
 * workgroup memory) on GPUs — `matmul_tiled_v4` (vec4f operand loads) when both operands' row
 * strides and offsets are multiples of 4, else `matmul_tiled`; `matmul_tiled_v4_narrow` (128 × 64)
 * for N ≤ 64 ({@linkcode MatmulArgs.blockCols}), `matmul_tiled_v4_half` (64 × 128) on request
 * ({@linkcode MatmulArgs.blockRows}) — which adds the bias in its epilogue. More dispatches only
 * where needed: an elementwise prologue `C = β·C` when β ∉ {0, 1}; on GPUs, a copy of an unaligned operand onto aligned rows before a big product, so it runs
 * on `matmul_tiled_v4` ({@linkcode MatmulArgs.repack}); a tiled launch that leaves part of a
 * wave idle and has a long K is split along K (slices side by side into a scratch, then an
 * ordered reduction: see {@linkcode MatmulArgs.splitK}); and one whose last wave would be
 * nearly empty runs that wave's blocks as a second, K-split launch
 * ({@linkcode MatmulArgs.tailSplit}). Pipelines are compiled once each on first use (2–8 s cold on
 * llvmpipe, then from Mesa's disk cache).
 *
 * Operands larger than one storage binding (GPT-2's 50257 × 768 embedding is 154 MB; lavapipe
 * binds 128 MiB) are split by the launcher into chunks along the batch, M, N and, when nothing
 * else helps, K (later K chunks accumulate), each bound as its own buffer range with the element
 * offset inside it passed as a uniform; a shape no split can fit is refused with a RangeError.
 *
 * Measured on lavapipe (2 shared vCPUs; bench/RESULTS.md runs 12–14, bench/matmul_variants/):
 * 14–37 GFLOP/s wall clock at the tiny model's step shapes and 256³–1024³, against 75–96 for the
 * WGSL FMA ceiling and 163–194 for numpy's sgemm. On an
 * NVIDIA H200 (bench/RESULTS.md, session 5): 14–29 TFLOP/s at gpt2-small's step shapes and
 * PyTorch's GEMM shapes, 0.50–0.61× PyTorch's fp32 GEMM at four of its seven shapes.
 *
 * @module
 */
import code from "./matmul.wgsl" with { type: "text" };
import { type Encoder, grid1d, type Tensor, uniforms } from "./gpu.ts";

const MATMUL = { label: "matmul", code, entryPoint: "matmul" };
const MATMUL_SMALL = { label: "matmul", code, entryPoint: "matmul_small" };
const MATMUL_BV4 = { label: "matmul", code, entryPoint: "matmul_bv4" };
const MATMUL_TILED = { label: "matmul", code, entryPoint: "matmul_tiled" };
const MATMUL_TILED_V4 = { label: "matmul", code, entryPoint: "matmul_tiled_v4" };
const MATMUL_TILED_V4_HALF = { label: "matmul", code, entryPoint: "matmul_tiled_v4_half" };
const MATMUL_TILED_V4_NARROW = { label: "matmul", code, entryPoint: "matmul_tiled_v4_narrow" };
const PAD_ROWS = { label: "matmul", code, entryPoint: "pad_rows" };
/**
 * The side of C from which an unaligned operand is repacked by default ({@linkcode
 * MatmulArgs.repack}): B (K × N) is reused by M rows, A by N columns. At 1024 the copy moves 8
 * bytes per element against 2048 FLOPs per element of the product.
 */
const REPACK_MIN_REUSE = 1024;
/** Rows and columns of C one `matmul_tiled` workgroup computes. */
const TILE = 128;
const MATMUL_SMALL_BV4 = { label: "matmul", code, entryPoint: "matmul_small_bv4" };
const MATMUL_BV4_UA = { label: "matmul", code, entryPoint: "matmul_bv4_ua" };
const MATMUL_BV4_AV4 = { label: "matmul", code, entryPoint: "matmul_bv4_av4" };
const MATMUL_UA = { label: "matmul", code, entryPoint: "matmul_ua" };
const MATMUL_AV4 = { label: "matmul", code, entryPoint: "matmul_av4" };
/** Bytes of A in one `matmul_bv4_ua` uniform window (the WGSL's `au`: 4096 vec4f). */
const UA_BYTES = 65536;
/** Windows one `matmul_bv4_ua` or `matmul_ua` launch binds (the WGSL's `au`, `au1` … `au3`). */
const UA_WINDOWS = 4;
/** The host's cores: on a CPU adapter, how many workgroups a launch needs to keep them busy. */
const CPU_CORES = Math.max(1, navigator.hardwareConcurrency || 1);
const PROLOGUE = { label: "matmul", code, entryPoint: "prologue" };
/** Invocations per prologue workgroup (columns). */
const PW = 64;
/** Rows each prologue invocation walks (about). */
const PROLOGUE_ROWS = 16;
const BIAS_GRAD = { label: "matmul", code, entryPoint: "bias_grad" };
const BIAS_GRAD_FINISH = { label: "matmul", code, entryPoint: "bias_grad_finish" };
/** Fewest rows per part when the bias gradient's rows are cut into parts (16 per row slice). */
const BG_PART_MIN_ROWS = 256;
const SPLIT_REDUCE = { label: "matmul", code, entryPoint: "splitk_reduce" };
/**
 * Split K (tiled kernel): the workgroups a GPU runs in one wave (an H200's 132 SMs run two
 * 256-invocation workgroups each). A launch of W ≤ SPLIT_GROUPS / 2 workgroups leaves cores idle,
 * so K is cut into ⌊SPLIT_GROUPS / W⌋ slices computed side by side (still one wave) and summed by
 * a second pass. More slices than that would add a second wave: measured on an H200, splitting a
 * 192-workgroup product in two made it 1.7× slower.
 */
const SPLIT_GROUPS = 264;
/**
 * Deep split: a launch of at most ¾ of a wave with K ≥ SPLIT_DEEP_K is cut into slices of K ≥
 * SPLIT_DEEP_K / 4 until it has about SPLIT_DEEP_GROUPS workgroups (several waves, so the partial
 * last wave matters less). Measured on an H200 (`bench/matmul_waves.ts`): 144-workgroup weight
 * gradients (K 4096) 1.14 → 0.80 ms in 8 slices, 192-workgroup products with K 3072 1.12× faster
 * in 6, 96 workgroups with K 3072 0.61 → 0.46 ms in 6; with K 768 slicing only lost.
 */
const SPLIT_DEEP_K = 2048;
const SPLIT_DEEP_GROUPS = 1152;
/** The shortest K slice worth its own workgroups. */
const SPLIT_MIN_K = 256;
/**
 * Tail split: a launch whose last wave holds at most a third of a wave's workgroups runs its
 * whole waves as usual and the rest (whole row or column blocks) in K slices of ≥ TAIL_MIN_K.
 */
const TAIL_MIN_K = 128;
const TAIL_MIN_SLICES = 3;
/** At most this many K slices. */
const MAX_SPLIT = 32;
/**
 * The longest K one launch takes on a CPU adapter. llvmpipe stops an invocation after 65 535 loop
 * iterations in all (a guard against endless loops; measured: a 70 000-step loop ends at 65 535,
 * and a second loop after a 60 000-step one gets the rest), and these kernels walk K one step per
 * iteration, so a longer K (a 128 256- or 151 936-token vocabulary's classifier backward) would
 * silently stop summing. Longer K is cut into pieces that accumulate, with a 2× margin.
 */
const CPU_MAX_K = 32768;

/** Rows of C one workgroup computes (fixed by the WGSL): 32, or 8 for `matmul_small`. */
const ROWS = 32, ROWS_SMALL = 8;
/** Columns of C one invocation computes (fixed by the WGSL). */
const COLS_PER_LANE = 16;
/** Invocations per workgroup: llvmpipe's SIMD width (one lane group). */
const WG = 8;
/** K from which row blocks walk the fastest grid axis (see `matmul.wgsl`, rows_fast). */
const ROWS_FAST_K = 512;
/** Columns of dBias per bias-gradient workgroup (the WGSL's BG_COLS). */
const BG_COLS = 16;
/** Row slices per bias-gradient workgroup on GPUs (a power of two; the WGSL's BG_ROWS). */
const BG_ROWS = 16;

/** Options of {@linkcode matmul}. */
export interface MatmulArgs {
  /** (batch, M, N) result, row stride `ldc`; only read when `beta ≠ 0`. */
  out: Tensor;
  /** (batch, M, K), or (batch, K, M) with `transA`; row stride `lda`. */
  a: Tensor;
  /** (batch, K, N), or (batch, N, K) with `transB`; row stride `ldb`. */
  b: Tensor;
  /** A is stored (K, M): use Aᵀ. Default false. */
  transA?: boolean;
  /** B is stored (N, K): use Bᵀ (e.g. a Hugging Face Linear weight). Default false. */
  transB?: boolean;
  /** Scales op(A)·op(B). Default 1. */
  alpha?: number;
  /** Scales the previous C; 0 (the default) never reads C, 1 accumulates (`+=`). */
  beta?: number;
  /**
   * Which kernel: `lanes` (register blocks per invocation, for CPU adapters) or `tiled` (128 ×
   * 128 workgroup tiles, for GPUs). Default: `lanes` on a CPU adapter, else `tiled`. Both sum in
   * the same order and give the same bits.
   */
  kernel?: "lanes" | "tiled";
  /**
   * K slices of the tiled kernel (split K): each slice's product goes to a scratch buffer, then
   * one pass sums the slices in order into C. Default ({@linkcode gpuSplitK}): on a GPU, when a
   * product has at most 132 workgroups (e.g. a 128-row classifier chunk's input gradient with
   * K = 50257), ⌊264 / workgroups⌋ slices (each K ≥ 256); when it has at most 198 and K ≥ 2048,
   * enough slices of K ≥ 512 for ~1152 workgroups if that is more (e.g. 768 × 3072 weight
   * gradients: 8); at most 32; 1 on a CPU adapter. The sum order then differs from the unsplit
   * kernel's (not bit-identical, still float32-accurate). Given, it also turns the tail split off.
   */
  splitK?: number;
  /**
   * Which grid axis walks C's row blocks: `"rows"` on the fastest axis (workgroups in flight
   * share B's column panel and stream A's blocks) or `"columns"` (they share A's row panel).
   * Default: rows once the launch's K ≥ 512 (a B panel outgrowing a CPU core's L2; tuned on
   * lavapipe), else columns. Same sums in the same order either way.
   */
  gridOrder?: "rows" | "columns";
  /**
   * Tiled kernel, no `splitK` given: when a launch's last, partial wave would hold at most a
   * third of the workgroups a wave runs ({@linkcode MatmulArgs.waveGroups}; counted in whole
   * row or column blocks), the whole waves' blocks run as one launch and the remaining blocks as
   * another, split along K into enough slices to fill a wave ({@linkcode gpuTailSplit}); e.g. PyTorch's 2048×768×2304 GEMM:
   * 288 workgroups of 128 × 128, 256 of them in one launch, 32 in 6 K slices. The tail's sums
   * are then grouped by slice (float32-accurate, not bit-identical to the unsplit kernel).
   * Default: on GPUs, not on CPU adapters.
   */
  tailSplit?: boolean;
  /**
   * Workgroups of the tiled kernel a GPU runs at once, for the tail split. Default 264 (an H100
   * or H200: 132 SMs, two workgroups each).
   */
  waveGroups?: number;
  /**
   * Rows of C per workgroup of the tiled kernel: 128, or 64 (`matmul_tiled_v4_half`: twice the
   * workgroups of half the work, for products whose 128 × 128 blocks leave much of a wave idle;
   * only where `matmul_tiled_v4` runs, else 128). The split rules count in 128 × 128 blocks
   * either way. Same sums in the same order. Default 128 (64 is not yet timed on a GPU).
   */
  blockRows?: 128 | 64;
  /**
   * Columns of C per workgroup of the tiled kernel: 128, or 64 (`matmul_tiled_v4_narrow`, 128
   * invocations; only where `matmul_tiled_v4` runs, else 128). Default: 64 on GPUs when N ≤ 64
   * (a 128-column block would leave half its invocations past N: attention's products at head
   * size 64), else 128. Not with `blockRows: 64`. Same sums in the same order.
   */
  blockCols?: 128 | 64;
  /** (N,) added to every row of C. */
  bias?: Tensor;
  /** Rows of C. Default: from the last two dimensions of `a`. */
  m?: number;
  /** Columns of C. Default: from the last two dimensions of `b`. */
  n?: number;
  /** The summed dimension. Default: from the last two dimensions of `a`. */
  k?: number;
  /** Independent products. Default: `out.size / (M·N)`. */
  batch?: number;
  /** Element distance between batches of A. Default dense (`M·K`); 0 shares one A. */
  strideA?: number;
  /** Element distance between batches of B. Default dense (`K·N`); 0 shares one B. */
  strideB?: number;
  /** Element distance between batches of C. Default dense (`M·N`). */
  strideC?: number;
  /** Row stride of A as stored. Default: its row length (K, or M with `transA`). */
  lda?: number;
  /** Row stride of B as stored. Default: its row length (N, or K with `transB`). */
  ldb?: number;
  /** Row stride of C. Default N. */
  ldc?: number;
  /** Largest bound range in bytes; defaults to the device's maxStorageBufferBindingSize. */
  maxBindingBytes?: number;
  /**
   * Tiled kernel, one product: copy an operand whose row stride or offset is not a multiple of 4
   * into an aligned scratch first (`pad_rows`), so the product runs on `matmul_tiled_v4` (same
   * sums, same bits). Default: when the other side of C is at least 1024 long (the copy then
   * costs a few % of the product; e.g. PyTorch's 2048×768×50257 GEMM with B's rows 50257 apart).
   */
  repack?: boolean;
  /**
   * The lanes kernel (CPU adapters' default): read A through wider loads where its layout
   * allows — transposed, its rows at each k as vec4f (`matmul_bv4_av4`, or `matmul_av4` when B
   * is read by scalars); not transposed, on a CPU adapter (whose tensors are uniform-readable),
   * its rows in 64 KiB uniform-buffer windows, up to 4 bound per launch (`matmul_bv4_ua`,
   * `matmul_ua`: each workgroup runs the copy of the k loop that reads its window), as long as
   * each launch keeps every core busy. llvmpipe turns each storage read into a loop over its 8
   * lanes with a bounds branch per lane; a uniform read is a plain gather, a vec4f read one loop
   * for four values. The windows' loop copies cost compile time: cold, 6 s (14 s accumulating)
   * against 2.3 s (6.7 s) for one window. Same sums in the same order (same bits). Default true;
   * false keeps the scalar reads (for A/B runs and tests).
   */
  wideLoads?: boolean;
}

/** The dimensions of one launch (a chunk of the whole product). */
interface Chunk {
  z0: number;
  z1: number;
  m0: number;
  m1: number;
  n0: number;
  n1: number;
  k0: number;
  k1: number;
}

/**
 * Encodes `C = α·op(A)·op(B) (+ bias) (+ β·C)` for any M, N, K ≥ 1 and any batch count. With
 * `beta = 0` C is write-only; `beta = 1` adds to it (parameter gradients).
 *
 * @example The classifier `logits = x·Wᵀ` with a Hugging Face (V, C) weight
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { matmul } from "./matmul.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array(4 * 8).fill(1), [4, 8]); // (B·T, C)
 * const w = gpu.upload(new Float32Array(16 * 8).fill(0.5), [16, 8]); // (V, C)
 * const logits = gpu.tensor([4, 16]); // (B·T, V)
 * const enc = gpu.encoder();
 * matmul(enc, { out: logits, a: x, b: w, transB: true });
 * gpu.submit(enc);
 * ```
 */
export function matmul(enc: Encoder, args: MatmulArgs): void {
  const { out, a, b, bias, transA = false, transB = false, alpha = 1, beta = 0 } = args;
  const [aRows, aCols] = lastTwo(a), [bRows, bCols] = lastTwo(b);
  const m = args.m ?? (transA ? aCols : aRows);
  const k = args.k ?? (transA ? aRows : aCols);
  const n = args.n ?? (transB ? bRows : bCols);
  for (const [name, v] of [["m", m], ["n", n], ["k", k]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`matmul: ${name} must be a positive integer, got ${v}`);
    }
  }
  const kB = transB ? bCols : bRows;
  if (args.k === undefined && b.shape.length >= 2 && kB !== k) {
    throw new RangeError(
      `matmul: inner dimensions differ: op(A) "${a.label}" is (${m}, ${k}), op(B) "${b.label}" ` +
        `is (${kB}, ${n})`,
    );
  }
  const batch = args.batch ?? Math.max(1, Math.floor(out.size / (m * n)));
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`matmul: batch must be a positive integer, got ${batch}`);
  }
  const lda = args.lda ?? (transA ? m : k), ldb = args.ldb ?? (transB ? k : n);
  const ldc = args.ldc ?? n;
  if (lda < (transA ? m : k) || ldb < (transB ? k : n) || ldc < n) {
    throw new RangeError(`matmul: a row stride (lda ${lda}, ldb ${ldb}, ldc ${ldc}) is too short`);
  }
  const sA = args.strideA ?? m * k, sB = args.strideB ?? k * n, sC = args.strideC ?? m * n;
  for (const [name, v] of [["strideA", sA], ["strideB", sB], ["strideC", sC]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`matmul: ${name} must be a non-negative integer, got ${v}`);
    }
  }
  const layout = { transA, transB, lda, ldb, ldc, sA, sB, sC };
  const whole: Chunk = { z0: 0, z1: batch, m0: 0, m1: m, n0: 0, n1: n, k0: 0, k1: k };
  const fp = footprints(whole, layout);
  for (
    const [t, need, what] of [
      [a, fp.a, transA ? "(K, M)" : "(M, K)"],
      [b, fp.b, transB ? "(N, K)" : "(K, N)"],
      [out, fp.c, "(M, N)"],
    ] as const
  ) {
    if (t.size < need) {
      throw new RangeError(
        `matmul: "${t.label}" holds ${t.size} elements; ${batch} × ${what} with M ${m}, N ${n}, ` +
          `K ${k} and its strides needs ${need}`,
      );
    }
  }
  if (bias && bias.size < n) {
    throw new RangeError(
      `matmul: bias "${bias.label}" holds ${bias.size} elements, needs N = ${n}`,
    );
  }
  for (const t of [a, b, bias]) {
    if (t && t.buffer === out.buffer) {
      throw new RangeError(
        `matmul: out "${out.label}" shares its buffer with "${t.label}"; WebGPU forbids binding a ` +
          `buffer as writable and readable in one dispatch`,
      );
    }
  }
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) {
    throw new RangeError(`matmul: alpha and beta must be finite, got ${alpha} and ${beta}`);
  }

  const limits = enc.gpu.limits;
  const maxBytes = Math.min(args.maxBindingBytes ?? Infinity, limits.maxStorageBufferBindingSize);
  const align = limits.minStorageBufferOffsetAlignment;
  const maxWg = limits.maxComputeWorkgroupsPerDimension;
  // CPUs (lavapipe): 8 invocations = one SIMD group with big register blocks; GPUs: 128 × 128
  // tiles in workgroup memory.
  const tiled = (args.kernel ?? (enc.gpu.isCpu ? "lanes" : "tiled")) === "tiled";
  if (tiled && batch === 1 && args.repack !== false) {
    // Operands whose rows the vec4f kernel cannot read, copied to a 4-aligned stride first.
    const aligned = (t: Tensor, ld: number) => ld % 4 === 0 && t.byteOffset % 16 === 0;
    const repackA = !aligned(a, lda) && (args.repack || n >= REPACK_MIN_REUSE);
    const repackB = !aligned(b, ldb) && (args.repack || m >= REPACK_MIN_REUSE);
    const [rowsA, colsA] = transA ? [k, m] : [m, k], [rowsB, colsB] = transB ? [n, k] : [k, n];
    const fits = (rows: number, cols: number, ld: number) =>
      rows * Math.ceil(cols / 4) * 4 * 4 <= maxBytes &&
      ((rows - 1) * ld + cols) * 4 + align <= maxBytes;
    if (
      (repackA || repackB) && (aligned(a, lda) || repackA) && (aligned(b, ldb) || repackB) &&
      (!repackA || fits(rowsA, colsA, lda)) && (!repackB || fits(rowsB, colsB, ldb))
    ) {
      const pa = repackA ? padRows(enc, 0, a, rowsA, colsA, lda, align, maxBytes) : undefined;
      const pb = repackB ? padRows(enc, 1, b, rowsB, colsB, ldb, align, maxBytes) : undefined;
      matmul(enc, {
        ...args,
        m,
        n,
        k,
        batch: 1,
        kernel: "tiled",
        repack: false,
        ...(pa ? { a: pa, lda: pa.shape[1] } : {}),
        ...(pb ? { b: pb, ldb: pb.shape[1] } : {}),
      });
      return;
    }
  }
  const small = !tiled && m <= 16;
  const blockRows = args.blockRows ?? TILE;
  if (blockRows !== TILE && blockRows !== TILE / 2) {
    throw new RangeError(`matmul: blockRows must be 128 or 64, got ${blockRows}`);
  }
  const blockCols = args.blockCols ??
    (!enc.gpu.isCpu && n <= TILE / 2 && blockRows === TILE ? TILE / 2 : TILE);
  if (blockCols !== TILE && blockCols !== TILE / 2) {
    throw new RangeError(`matmul: blockCols must be 128 or 64, got ${blockCols}`);
  }
  if (blockRows < TILE && blockCols < TILE) {
    throw new RangeError("matmul: blocks of 64 rows and of 64 columns cannot be combined");
  }
  // The tiled kernels' chunks are planned for the smaller block (a dimension's workgroup limit).
  const rowsPerGroup = tiled ? blockRows : small ? ROWS_SMALL : ROWS;
  const splits = planSplits(whole, layout, {
    // A bound range may start up to `align − 4` bytes before its first element.
    maxElements: Math.floor((maxBytes - align) / 4),
    maxK: enc.gpu.isCpu ? CPU_MAX_K : Infinity,
    maxRows: rowsPerGroup * maxWg,
    maxCols: Math.min(tiled ? TILE : COLS_PER_LANE * WG, PW) * maxWg,
    maxBatch: maxWg,
  });
  if (!splits) {
    throw new RangeError(
      `matmul: cannot split M ${m}, N ${n}, K ${k}, batch ${batch} into pieces whose bound ` +
        `ranges fit in ${maxBytes} bytes (maxStorageBufferBindingSize or maxBindingBytes, with ` +
        `starts aligned to ${align} bytes)`,
    );
  }
  const maxRowsStep = Math.min(maxWg, 1024);
  const waveGroups = args.waveGroups ?? SPLIT_GROUPS;
  if (!Number.isInteger(waveGroups) || waveGroups < 1) {
    throw new RangeError(`matmul: waveGroups must be a positive integer, got ${waveGroups}`);
  }
  const tails = tiled && args.splitK === undefined && (args.tailSplit ?? !enc.gpu.isCpu);
  for (const [ch, tailSlices] of withTails(chunksOf(whole, splits), tails ? waveGroups : 0)) {
    const first = ch.k0 === 0;
    const ra = rangeA(ch, layout), rb = rangeB(ch, layout), rc = rangeC(ch, layout);
    const ba = bindRange(a, ra, align, maxBytes), bb = bindRange(b, rb, align, maxBytes);
    const bc = bindRange(out, rc, align, maxBytes);
    const cm = ch.m1 - ch.m0, cn = ch.n1 - ch.n0, cz = ch.z1 - ch.z0;
    // The first K chunk starts from 0, from C (β = 1), or from the prologue's β·C; it adds the
    // bias in its epilogue. Later chunks accumulate.
    let acc = !first || beta === 1;
    const addBias = first && bias !== undefined;
    const bbias = addBias ? bindRange(bias, [ch.n0, ch.n1], align, maxBytes) : ba;
    if (first && beta !== 0 && beta !== 1) {
      // Each invocation walks about 16 rows: lavapipe pays ~1 µs per workgroup, a GPU still gets
      // thousands of workgroups at training sizes.
      const rowsStep = Math.min(maxRowsStep, Math.ceil(cm / PROLOGUE_ROWS));
      enc.dispatch({
        kernel: PROLOGUE,
        constants: { PW },
        uniforms: uniforms({
          m: cm,
          n: cn,
          ldc,
          off_c: bc.elementOffset,
          stride_c: sC,
          rows_step: rowsStep,
          beta,
        }, ["beta"]),
        bindings: [bc.binding],
        workgroups: [Math.ceil(cn / PW), rowsStep, cz],
      });
      acc = true;
    }
    const kLen = ch.k1 - ch.k0;
    // Row blocks walk the fastest grid axis once a B panel (K × WG·16) outgrows a core's L2.
    const rowsFast = args.gridOrder ? args.gridOrder === "rows" : kLen >= ROWS_FAST_K;
    // B read as vec4f when every row of op(B) starts on a multiple of 4 elements; its binding then
    // spans whole vec4s (the last row's last vec4 may reach past N: only unused columns see it).
    const bv4 = !tiled && !transB && ldb % 4 === 0 && sB % 4 === 0 && widenTo16(bb, maxBytes);
    // The tiled kernel reads A and B as vec4f when each one's row stride, offset and batch stride
    // are multiples of 4 and its binding can span whole vec4s (extents need not be: a padded row
    // stride is enough, as for the classifier's logits).
    const v4 = tiled && lda % 4 === 0 && ldb % 4 === 0 && (cz === 1 || sA % 4 + sB % 4 === 0) &&
      widenTo16(ba, maxBytes) && widenTo16(bb, maxBytes);
    const half = v4 && blockRows < TILE, narrow = v4 && blockCols < TILE;
    const tiledKernel: TiledKernel = v4
      ? {
        kernel: half ? MATMUL_TILED_V4_HALF : narrow ? MATMUL_TILED_V4_NARROW : MATMUL_TILED_V4,
        extra: { TA: transA ? 1 : 0, TB: transB ? 1 : 0 },
        rows: half ? blockRows : TILE,
        cols: narrow ? blockCols : TILE,
      }
      : { kernel: MATMUL_TILED, extra: {}, rows: TILE, cols: TILE };
    // Rows of C per workgroup of this chunk's kernel.
    const blockHeight = tiled ? tiledKernel.rows : rowsPerGroup;
    const colBlocks = Math.ceil(cn / (tiled ? tiledKernel.cols : COLS_PER_LANE * WG));
    const slices = tailSlices !== undefined
      ? Math.max(1, Math.min(tailSlices, Math.floor((maxBytes - 256) / 4 / (cm * cn))))
      : tiled && cz === 1
      ? splitSlices(
        args.splitK,
        enc.gpu.isCpu,
        Math.ceil(cm / TILE) * Math.ceil(cn / TILE),
        kLen,
        cm * cn,
        maxBytes,
      )
      : 1;
    const params = {
      m: cm,
      n: cn,
      k: kLen,
      lda,
      ldb,
      ldc,
      off_a: ba.elementOffset,
      off_b: bb.elementOffset,
      off_c: bc.elementOffset,
      stride_a: sA,
      stride_b: sB,
      stride_c: sC,
      ta: transA ? 1 : 0,
      tb: transB ? 1 : 0,
      rows_fast: rowsFast ? 1 : 0,
      off_bias: bbias.elementOffset,
      alpha,
    };
    if (slices > 1) {
      encodeSplitK(enc, params, slices, {
        tiled: tiledKernel,
        a: ba.binding,
        b: bb.binding,
        c: bc.binding,
        bias: addBias ? bbias.binding : undefined,
        acc,
        align,
        maxBytes,
        maxRowsStep,
        gridOrder: args.gridOrder,
      });
      continue;
    }
    const wide = !tiled && !small && args.wideLoads !== false;
    // A's rows in uniform windows, up to 4 per launch (see MatmulArgs.wideLoads), or one launch.
    const launches = wide && !transA && cz === 1
      ? uniformWindows(a, ba, cm, lda, kLen, colBlocks, limits)
      : null;
    const av4 = !launches && wide && transA && lda % 4 === 0 && (cz === 1 || sA % 4 === 0) &&
      widenTo16(ba, maxBytes);
    const kernel = launches
      ? (bv4 ? MATMUL_BV4_UA : MATMUL_UA)
      : tiled
      ? tiledKernel.kernel
      : av4
      ? (bv4 ? MATMUL_BV4_AV4 : MATMUL_AV4)
      : bv4
      ? (small ? MATMUL_SMALL_BV4 : MATMUL_BV4)
      : (small ? MATMUL_SMALL : MATMUL);
    for (const l of launches ?? [{ row0: 0, rows: cm, windowRows: 0, windows: [ba] }]) {
      const c = l.rows === cm ? bc : bindRange(
        out,
        rangeC({ ...ch, m0: ch.m0 + l.row0, m1: ch.m0 + l.row0 + l.rows }, layout),
        align,
        maxBytes,
      );
      const blocks = Math.ceil(l.rows / blockHeight);
      const [w0, ...more] = l.windows;
      enc.dispatch({
        kernel,
        constants: { WG, ACC: acc ? 1 : 0, BIAS: addBias ? 1 : 0, ...tiledKernel.extra },
        uniforms: matmulUniforms(
          { ...params, m: l.rows, off_a: w0.elementOffset, off_c: c.elementOffset },
          launches
            ? { rows: l.windowRows, offsets: l.windows.map((w) => w.elementOffset) }
            : undefined,
        ),
        // Without a bias, A's range stands in for the unused read-only binding; a launch of
        // fewer than 4 windows binds its first in the unused windows' places.
        bindings: [
          w0.binding,
          bb.binding,
          c.binding,
          bbias.binding,
          ...(launches
            ? Array.from({ length: UA_WINDOWS - 1 }, (_, i) => (more[i] ?? w0).binding)
            : []),
        ],
        workgroups: rowsFast ? [blocks, colBlocks, cz] : [colBlocks, blocks, cz],
      });
    }
  }
}

/** A tiled entry point, the override constants it takes beyond WG, ACC and BIAS, its block. */
interface TiledKernel {
  kernel: typeof MATMUL_TILED;
  extra: Record<string, number>;
  rows: number;
  cols: number;
}

/** The `Params` uniform of the matmul kernels (field order as in the WGSL). */
interface MatmulParams {
  m: number;
  n: number;
  k: number;
  lda: number;
  ldb: number;
  ldc: number;
  off_a: number;
  off_b: number;
  off_c: number;
  stride_a: number;
  stride_b: number;
  stride_c: number;
  ta: number;
  tb: number;
  rows_fast: number;
  off_bias: number;
  alpha: number;
}

/**
 * The `Params` uniform: the fields in the WGSL's order, then `matmul_bv4_ua`'s windows (rows per
 * window, two words of padding to the 16-byte aligned `win_off`, and up to 4 first elements).
 */
function matmulUniforms(
  p: MatmulParams,
  windows?: { rows: number; offsets: readonly number[] },
): Uint32Array {
  const offsets = Object.fromEntries(
    Array.from({ length: UA_WINDOWS }, (_, i) => [`win_off${i}`, windows?.offsets[i] ?? 0]),
  );
  // `p` holds the WGSL's fields in their order (MatmulParams), the windows follow.
  return uniforms({
    ...p,
    win_rows: windows?.rows ?? 0,
    pad0: 0,
    pad1: 0,
    ...offsets,
  }, ["alpha"]);
}

/**
 * K slices for a tiled launch of `groups` workgroups (see {@linkcode MatmulArgs.splitK}); 1 means
 * no split. The slices' partial products (slices × cells floats) must fit one binding.
 */
function splitSlices(
  wanted: number | undefined,
  isCpu: boolean,
  groups: number,
  kLen: number,
  cells: number,
  maxBytes: number,
): number {
  let s: number;
  if (wanted !== undefined) {
    if (!Number.isInteger(wanted) || wanted < 1) {
      throw new RangeError(`matmul: splitK must be a positive integer, got ${wanted}`);
    }
    s = wanted;
  } else if (isCpu) {
    return 1;
  } else {
    s = gpuSplitK(groups, kLen);
  }
  s = Math.min(s, kLen, Math.floor((maxBytes - 256) / 4 / cells));
  return s >= 2 ? s : 1;
}

/**
 * The K slices a GPU launch of `groups` 128 × 128 workgroups over `k` gets by default (see
 * {@linkcode MatmulArgs.splitK}; before the scratch's binding limit): one wave for a launch of at
 * most 132 workgroups, or deep slices (K ≥ 512 each, toward ~1152 workgroups) for one of at most
 * 198 with K ≥ 2048; 1 means no split.
 *
 * @example
 * ```ts
 * import { gpuSplitK } from "./matmul.ts";
 * console.log(gpuSplitK(144, 4096), gpuSplitK(6, 50257), gpuSplitK(288, 768)); // 8 32 1
 * ```
 */
export function gpuSplitK(groups: number, k: number): number {
  if (k < 2 * SPLIT_MIN_K) return 1;
  // One wave (few workgroups), or deep K slices for a launch that leaves over a quarter of a
  // wave idle (see SPLIT_DEEP_GROUPS).
  const wave = groups <= SPLIT_GROUPS / 2
    ? Math.min(Math.floor(SPLIT_GROUPS / groups), Math.floor(k / SPLIT_MIN_K))
    : 1;
  const deep = groups <= 0.75 * SPLIT_GROUPS && k >= SPLIT_DEEP_K
    ? Math.min(Math.floor(k / (SPLIT_DEEP_K / 4)), Math.ceil(SPLIT_DEEP_GROUPS / groups))
    : 1;
  return Math.max(1, Math.min(Math.max(wave, deep), MAX_SPLIT));
}

/** Where {@linkcode gpuTailSplit} cuts a launch, and the K slices of its tail. */
export interface TailSplit {
  /** The blocks cut off: whole row blocks (the last rows of C) or column blocks. */
  along: "rows" | "columns";
  /** Row (or column) blocks of 128 kept in the first launch, which fills whole waves. */
  keep: number;
  /** K slices of the second launch, the tail. */
  slices: number;
}

/**
 * The tail split of a single tiled product of `rowBlocks × colBlocks` workgroups (see
 * {@linkcode MatmulArgs.tailSplit}), or undefined where it does not apply. It keeps as many
 * whole row or column blocks as fit the whole waves (whichever keeps more workgroups) and splits
 * the rest along K; not when the product is at most one wave or exactly whole waves, when the
 * blocks left over hold more than a third of a wave's workgroups, or when K is too short for 3
 * slices of 128.
 *
 * Predicted on an H200 for 2048×768×2304 (session 6, not yet measured): one wave of 256 and a
 * sixth of a wave's time for the 6-sliced tail (0.27 + ~0.06 ms) instead of a wave and a second
 * one of 32 workgroups left mostly idle (0.43 ms measured).
 *
 * @example
 * ```ts
 * import { gpuTailSplit } from "./matmul.ts";
 * console.log(gpuTailSplit(16, 18, 768)); // { along: "columns", keep: 16, slices: 6 }
 * console.log(gpuTailSplit(16, 24, 768)); // undefined: 384 workgroups, the last wave 45 % full
 * ```
 */
export function gpuTailSplit(
  rowBlocks: number,
  colBlocks: number,
  k: number,
  waveGroups: number = SPLIT_GROUPS,
): TailSplit | undefined {
  const groups = rowBlocks * colBlocks;
  if (groups <= waveGroups || k < TAIL_MIN_SLICES * TAIL_MIN_K) return undefined;
  const whole = Math.floor(groups / waveGroups) * waveGroups;
  const keepRows = Math.floor(whole / colBlocks), keepCols = Math.floor(whole / rowBlocks);
  const byRows = keepRows * colBlocks >= keepCols * rowBlocks;
  const keep = byRows ? keepRows : keepCols;
  const tail = groups - keep * (byRows ? colBlocks : rowBlocks);
  // Nothing to cut (whole waves exactly), or a tail over a third of a wave.
  if (keep < 1 || tail < 1 || tail > waveGroups / TAIL_MIN_SLICES) return undefined;
  const slices = Math.min(Math.floor(waveGroups / tail), Math.floor(k / TAIL_MIN_K), MAX_SPLIT);
  return slices >= TAIL_MIN_SLICES
    ? { along: byRows ? "rows" : "columns", keep, slices }
    : undefined;
}

/**
 * The launcher's chunks with the tail split applied (`waveGroups` 0: none): each chunk with the
 * K slices the rule fixed for it (1 for the whole waves' part), or undefined for the usual rules.
 */
function* withTails(
  chunks: Iterable<Chunk>,
  waveGroups: number,
): Iterable<[Chunk, number | undefined]> {
  for (const ch of chunks) {
    const plan = waveGroups > 0 && ch.z1 - ch.z0 === 1
      ? gpuTailSplit(
        Math.ceil((ch.m1 - ch.m0) / TILE),
        Math.ceil((ch.n1 - ch.n0) / TILE),
        ch.k1 - ch.k0,
        waveGroups,
      )
      : undefined;
    const [lo, hi] = plan?.along === "rows" ? ["m0", "m1"] as const : ["n0", "n1"] as const;
    const cut = ch[lo] + (plan?.keep ?? 0) * TILE;
    if (!plan || cut >= ch[hi]) {
      yield [ch, undefined];
    } else {
      yield [{ ...ch, [hi]: cut }, 1];
      yield [{ ...ch, [lo]: cut }, plan.slices];
    }
  }
}

/**
 * Bytes of split-K scratch a GPU product (M, N, K) takes by default (0 when it is not split);
 * an encoder keeps its largest until it is submitted.
 *
 * @example
 * ```ts
 * import { splitScratchBytes } from "./matmul.ts";
 * console.log(splitScratchBytes(768, 3072, 4096) / 2 ** 20); // 72 (8 slices)
 * ```
 */
export function splitScratchBytes(m: number, n: number, k: number): number {
  const rowBlocks = Math.ceil(m / TILE), colBlocks = Math.ceil(n / TILE);
  const s = gpuSplitK(rowBlocks * colBlocks, k);
  if (s > 1) return 4 * s * m * n;
  const tail = gpuTailSplit(rowBlocks, colBlocks, k);
  if (!tail) return 0;
  const cells = tail.along === "rows" ? (m - tail.keep * TILE) * n : m * (n - tail.keep * TILE);
  return 4 * tail.slices * cells;
}

/**
 * Scratch for split-K partial products, one per encoder (its dispatches run in order), kept until
 * the encoder is submitted ({@linkcode Encoder.keepUntilSubmit}): later products reuse it.
 */
const splitScratch = new WeakMap<Encoder, Tensor>();

/**
 * Split K: the tiled kernel writes `slices` partial products of K slices side by side into a
 * scratch (slices, M, N), then `splitk_reduce` sets C = α·Σ partials + bias (or adds it to C).
 */
function encodeSplitK(
  enc: Encoder,
  p: MatmulParams,
  wantedSlices: number,
  o: {
    tiled: TiledKernel;
    a: GPUBufferBinding;
    b: GPUBufferBinding;
    c: GPUBufferBinding;
    bias?: GPUBufferBinding;
    acc: boolean;
    align: number;
    maxBytes: number;
    maxRowsStep: number;
    gridOrder?: "rows" | "columns";
  },
): void {
  // Slices of a multiple of 16 (two of the kernel's K steps); the last takes the rest.
  const ks = Math.ceil(p.k / wantedSlices / 16) * 16;
  const slices = Math.ceil(p.k / ks), kLast = p.k - (slices - 1) * ks;
  const cells = p.m * p.n;
  let scratch = splitScratch.get(enc);
  if (!scratch || scratch.size < slices * cells) {
    scratch = enc.gpu.tensor([slices * cells], { label: "matmul split-K partials" });
    enc.keepUntilSubmit(scratch);
    splitScratch.set(enc, scratch);
  }
  const ws = bindRange(scratch, [0, slices * cells], o.align, o.maxBytes);
  const stepA = p.ta ? ks * p.lda : ks, stepB = p.tb ? ks : ks * p.ldb;
  const rowBlocks = Math.ceil(p.m / o.tiled.rows), colBlocks = Math.ceil(p.n / o.tiled.cols);
  const slice = (k: number, first: number, count: number) => {
    const rowsFast = o.gridOrder ? o.gridOrder === "rows" : k >= ROWS_FAST_K;
    enc.dispatch({
      kernel: o.tiled.kernel,
      constants: { WG, ACC: 0, BIAS: 0, ...o.tiled.extra },
      uniforms: matmulUniforms({
        ...p,
        k,
        ldc: p.n,
        off_a: p.off_a + first * stepA,
        off_b: p.off_b + first * stepB,
        off_c: ws.elementOffset + first * cells,
        stride_a: stepA,
        stride_b: stepB,
        stride_c: cells,
        rows_fast: rowsFast ? 1 : 0,
        off_bias: 0,
        alpha: 1,
      }),
      bindings: [o.a, o.b, ws.binding, o.a],
      workgroups: rowsFast ? [rowBlocks, colBlocks, count] : [colBlocks, rowBlocks, count],
    });
  };
  slice(ks, 0, slices - 1);
  slice(kLast, slices - 1, 1);
  const rowsStep = Math.min(o.maxRowsStep, p.m);
  enc.dispatch({
    kernel: SPLIT_REDUCE,
    constants: { PW, ACC: o.acc ? 1 : 0, BIAS: o.bias ? 1 : 0 },
    uniforms: uniforms({
      m: p.m,
      n: p.n,
      ldc: p.ldc,
      off_c: p.off_c,
      off_w: ws.elementOffset,
      slices,
      rows_step: rowsStep,
      off_bias: p.off_bias,
      alpha: p.alpha,
    }, ["alpha"]),
    bindings: [ws.binding, o.c, o.bias ?? ws.binding],
    workgroups: [Math.ceil(p.n / PW), rowsStep, 1],
  });
}

/** Options of {@linkcode biasGrad}. */
export interface BiasGradArgs {
  /** (N,) bias gradient, accumulated (`+=`). */
  dBias: Tensor;
  /** (M, N) gradient of the layer's output (any leading dimensions, flattened into M). */
  dOut: Tensor;
  /** Largest bound range in bytes; defaults to the device's maxStorageBufferBindingSize. */
  maxBindingBytes?: number;
  /** Row slices per workgroup, a power of two ≤ 16. Default: 1 on a CPU adapter, else 16. */
  rowSlices?: number;
  /**
   * Parts the rows are cut into, summed side by side into a (parts, N) scratch and then added in
   * order. Default: 1 on a CPU adapter; on a GPU enough to give ~264 workgroups (each part at
   * least 256 rows), since N = 768 columns alone make 48.
   */
  rowParts?: number;
}

/**
 * Encodes `dBias += Σ_rows dOut` (column sums) deterministically: fixed-order per-slice sums and
 * a tree in workgroup memory, no atomics. A `dOut` larger than one binding is summed in row
 * chunks, one after another.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { biasGrad } from "./matmul.ts";
 * const gpu = await Gpu.create();
 * const dOut = gpu.upload(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
 * const dBias = gpu.upload(new Float32Array([0, 0]));
 * const enc = gpu.encoder();
 * biasGrad(enc, { dBias, dOut }); // dBias = [9, 12]
 * gpu.submit(enc);
 * ```
 */
export function biasGrad(enc: Encoder, args: BiasGradArgs): void {
  const { dBias, dOut } = args;
  const n = dBias.size;
  if (n < 1 || dOut.size % n !== 0 || dOut.shape[dOut.shape.length - 1] !== n) {
    throw new RangeError(
      `biasGrad: dOut "${dOut.label}" [${dOut.shape}] must end in N = ${n} (dBias ` +
        `"${dBias.label}")`,
    );
  }
  const m = dOut.size / n;
  const limits = enc.gpu.limits;
  const maxBytes = Math.min(args.maxBindingBytes ?? Infinity, limits.maxStorageBufferBindingSize);
  const align = limits.minStorageBufferOffsetAlignment;
  // On a CPU adapter an invocation sums its column over the chunk's rows: at most CPU_MAX_K of
  // them (llvmpipe's loop limit, as for K above); the chunks add up in order.
  const rowsPerChunk = Math.min(
    enc.gpu.isCpu ? CPU_MAX_K : Infinity,
    Math.floor(Math.floor((maxBytes - align) / 4) / n),
  );
  if (rowsPerChunk < 1) {
    throw new RangeError(
      `biasGrad: one row of "${dOut.label}" (${n * 4} bytes) does not fit in a binding of ` +
        `${maxBytes} bytes`,
    );
  }
  const slices = args.rowSlices ?? (enc.gpu.isCpu ? 1 : BG_ROWS);
  if (![1, 2, 4, 8, 16].includes(slices)) {
    throw new RangeError(`biasGrad: rowSlices must be a power of two ≤ 16, got ${slices}`);
  }
  const groups = Math.ceil(n / BG_COLS);
  const maxWg = limits.maxComputeWorkgroupsPerDimension;
  const gy = Math.ceil(groups / maxWg), gx = Math.ceil(groups / gy);
  const bBias = bindRange(dBias, [0, n], align, maxBytes);
  for (let r0 = 0; r0 < m; r0 += rowsPerChunk) {
    const r1 = Math.min(m, r0 + rowsPerChunk);
    const src = bindRange(dOut, [r0 * n, r1 * n], align, maxBytes);
    const rows = r1 - r0;
    let parts = args.rowParts ??
      (enc.gpu.isCpu ? 1 : Math.max(
        1,
        Math.min(Math.ceil(SPLIT_GROUPS / groups), Math.floor(rows / BG_PART_MIN_ROWS), maxWg),
      ));
    if (!Number.isInteger(parts) || parts < 1) {
      throw new RangeError(`biasGrad: rowParts must be a positive integer, got ${parts}`);
    }
    parts = Math.min(parts, rows, Math.floor((maxBytes - 256) / 4 / n));
    const partRows = Math.ceil(rows / Math.max(parts, 1));
    parts = Math.ceil(rows / partRows);
    const scratch = parts > 1 ? enc.gpu.tensor([parts, n], { label: "bias grad parts" }) : null;
    enc.dispatch({
      kernel: BIAS_GRAD,
      // CPU adapters: one row slice (serial sums, no barrier tree: 256×512 on lavapipe 0.40 →
      // 0.29 ms); GPUs: 16 slices.
      constants: { BG_COLS, BG_ROWS: slices, PARTS: scratch ? 1 : 0 },
      uniforms: uniforms({
        m: rows,
        n,
        off: src.elementOffset,
        groups_x: gx,
        off_bias: bBias.elementOffset,
        part_rows: partRows,
      }),
      bindings: [src.binding, scratch ?? bBias.binding],
      workgroups: [gx, gy, parts],
    });
    if (scratch) {
      const threads = BG_COLS * slices, fx = Math.min(Math.ceil(n / threads), maxWg);
      enc.dispatch({
        kernel: BIAS_GRAD_FINISH,
        constants: { BG_COLS, BG_ROWS: slices },
        uniforms: uniforms({
          m: parts,
          n,
          off: 0,
          groups_x: fx,
          off_bias: bBias.elementOffset,
          part_rows: 0,
        }),
        bindings: [scratch, bBias.binding],
        workgroups: [fx, Math.ceil(Math.ceil(n / threads) / fx)],
      });
      enc.keepUntilSubmit(scratch);
    }
  }
}

// ---- chunking -------------------------------------------------------------------------------

interface Layout {
  transA: boolean;
  transB: boolean;
  lda: number;
  ldb: number;
  ldc: number;
  sA: number;
  sB: number;
  sC: number;
}

/** [first, end) elements of A a chunk touches. */
function rangeA(c: Chunk, l: Layout): [number, number] {
  const first = c.z0 * l.sA + (l.transA ? c.k0 * l.lda + c.m0 : c.m0 * l.lda + c.k0);
  const last = (c.z1 - 1) * l.sA +
    (l.transA ? (c.k1 - 1) * l.lda + c.m1 - 1 : (c.m1 - 1) * l.lda + c.k1 - 1);
  return [first, last + 1];
}

/** [first, end) elements of B a chunk touches. */
function rangeB(c: Chunk, l: Layout): [number, number] {
  const first = c.z0 * l.sB + (l.transB ? c.n0 * l.ldb + c.k0 : c.k0 * l.ldb + c.n0);
  const last = (c.z1 - 1) * l.sB +
    (l.transB ? (c.n1 - 1) * l.ldb + c.k1 - 1 : (c.k1 - 1) * l.ldb + c.n1 - 1);
  return [first, last + 1];
}

/** [first, end) elements of C a chunk touches. */
function rangeC(c: Chunk, l: Layout): [number, number] {
  const first = c.z0 * l.sC + c.m0 * l.ldc + c.n0;
  return [first, (c.z1 - 1) * l.sC + (c.m1 - 1) * l.ldc + c.n1];
}

/** Elements each operand's bound range spans for a chunk (its end, for the whole product). */
function footprints(c: Chunk, l: Layout): { a: number; b: number; c: number } {
  const span = ([s, e]: [number, number]) => e - s;
  return { a: span(rangeA(c, l)), b: span(rangeB(c, l)), c: span(rangeC(c, l)) };
}

interface SplitLimits {
  maxElements: number;
  /** The longest K piece. */
  maxK: number;
  maxRows: number;
  maxCols: number;
  maxBatch: number;
}

/** Parts per dimension; `by4`: M, N and K pieces are multiples of 4 (see {@linkcode piece}). */
type Splits = { z: number; m: number; n: number; k: number; by4: boolean };

/**
 * The fewest chunks (powers of two per dimension, K last) whose largest chunk fits every limit,
 * or null — with pieces that are multiples of 4 when that takes no more chunks. Chunks of equal
 * size span equal ranges, and the first is the largest.
 */
function planSplits(whole: Chunk, l: Layout, lim: SplitLimits): Splits | null {
  const aligned = planSplitsBy(whole, l, lim, true), any = planSplitsBy(whole, l, lim, false);
  const cost = (s: Splits) => s.z * s.m * s.n * s.k * (s.k > 1 ? 2 : 1);
  return aligned && (!any || cost(aligned) <= cost(any)) ? aligned : any;
}

function planSplitsBy(whole: Chunk, l: Layout, lim: SplitLimits, by4: boolean): Splits | null {
  const dims = { z: whole.z1, m: whole.m1, n: whole.n1, k: whole.k1 };
  const fits = (s: Splits) => {
    const cz = Math.ceil(dims.z / s.z), cm = piece(dims.m, s.m, by4);
    const cn = piece(dims.n, s.n, by4), ck = piece(dims.k, s.k, by4);
    if (cz > lim.maxBatch || cm > lim.maxRows || cn > lim.maxCols || ck > lim.maxK) return false;
    const f = footprints({ z0: 0, z1: cz, m0: 0, m1: cm, n0: 0, n1: cn, k0: 0, k1: ck }, l);
    return Math.max(f.a, f.b, f.c, cn) <= lim.maxElements;
  };
  const pow2 = (n: number) => {
    const out = [1];
    while (out[out.length - 1] < n) out.push(out[out.length - 1] * 2);
    return out;
  };
  if (fits({ z: 1, m: 1, n: 1, k: 1, by4 })) return { z: 1, m: 1, n: 1, k: 1, by4 };
  let best: Splits | null = null, bestCost = Infinity;
  for (const k of pow2(dims.k)) {
    for (const z of pow2(dims.z)) {
      for (const m of pow2(dims.m)) {
        for (const n of pow2(dims.n)) {
          // Splitting K re-reads and re-writes C per piece: count it double.
          const cost = z * m * n * k * (k > 1 ? 2 : 1);
          if (cost >= bestCost) break;
          const s = { z, m, n, k, by4 };
          if (fits(s)) {
            best = s;
            bestCost = cost;
            break;
          }
        }
      }
    }
  }
  return best;
}

/** The chunks of a split, K pieces of the same C region in order. */
/**
 * The length of each of `parts` pieces of `len` along M, N or K; with `by4` a multiple of 4 when
 * cut, so every piece's offsets stay 4-aligned (the tiled kernel's vec4f loads) if the whole's do.
 */
function piece(len: number, parts: number, by4: boolean): number {
  const even = Math.ceil(len / parts);
  return parts === 1 || !by4 ? even : Math.ceil(even / 4) * 4;
}

function* chunksOf(whole: Chunk, s: Splits): Generator<Chunk> {
  const pz = Math.ceil(whole.z1 / s.z), pm = piece(whole.m1, s.m, s.by4);
  const pn = piece(whole.n1, s.n, s.by4), pk = piece(whole.k1, s.k, s.by4);
  for (let z0 = 0; z0 < whole.z1; z0 += pz) {
    for (let m0 = 0; m0 < whole.m1; m0 += pm) {
      for (let n0 = 0; n0 < whole.n1; n0 += pn) {
        for (let k0 = 0; k0 < whole.k1; k0 += pk) {
          yield {
            z0,
            z1: Math.min(whole.z1, z0 + pz),
            m0,
            m1: Math.min(whole.m1, m0 + pm),
            n0,
            n1: Math.min(whole.n1, n0 + pn),
            k0,
            k1: Math.min(whole.k1, k0 + pk),
          };
        }
      }
    }
  }
}

/**
 * Scratch for repacked operands, one per encoder and operand (A, B), kept until the encoder is
 * submitted: a later product of the same encoder reuses it (its dispatches run in order).
 */
const repackScratch = new WeakMap<Encoder, (Tensor | undefined)[]>();

/**
 * Copies a (rows, cols) operand stored `ld` apart onto rows ⌈cols/4⌉·4 apart, the padding zeros
 * (`pad_rows`), into the encoder's scratch for operand `slot` (0: A, 1: B); returns a (rows,
 * ⌈cols/4⌉·4) view of it.
 */
function padRows(
  enc: Encoder,
  slot: 0 | 1,
  t: Tensor,
  rows: number,
  cols: number,
  ld: number,
  align: number,
  maxBytes: number,
): Tensor {
  const ld4 = Math.ceil(cols / 4) * 4;
  const slots = repackScratch.get(enc) ?? [];
  let scratch = slots[slot];
  if (!scratch || scratch.size < rows * ld4) {
    scratch = enc.gpu.tensor([rows * ld4], { label: `matmul repacked ${slot ? "B" : "A"}` });
    enc.keepUntilSubmit(scratch);
    slots[slot] = scratch;
    repackScratch.set(enc, slots);
  }
  const dst = scratch.view(0, [rows, ld4]);
  const src = bindRange(t, [0, (rows - 1) * ld + cols], align, maxBytes);
  const out = bindRange(dst, [0, rows * ld4], align, maxBytes);
  const [gx, gy] = grid1d(rows * ld4, 256, enc.gpu.limits.maxComputeWorkgroupsPerDimension);
  enc.dispatch({
    kernel: PAD_ROWS,
    uniforms: uniforms({
      rows,
      cols,
      ld_src: ld,
      ld_dst: ld4,
      off_src: src.elementOffset,
      off_dst: out.elementOffset,
      groups_x: gx,
    }),
    bindings: [src.binding, out.binding],
    workgroups: [gx, gy, 1],
  });
  return dst;
}

/** One `matmul_bv4_ua` or `matmul_ua` launch: its rows of C and the windows of A they read. */
interface WindowLaunch {
  /** First row of the launch (from the chunk's first row) and how many. */
  row0: number;
  rows: number;
  /** Rows per window (a multiple of 32; the launch's last window may hold fewer). */
  windowRows: number;
  /** Each window's 64 KiB binding and the element of its first row inside it (at most 4). */
  windows: {
    binding: { buffer: GPUBuffer; offset: number; size: number };
    elementOffset: number;
  }[];
}

/**
 * A's rows (not transposed, row stride `lda`, from the bound range `ba` on) cut into windows of
 * whole 32-row blocks, each inside one 64 KiB uniform binding of A's own buffer (a window near
 * the buffer's end starts earlier, so it stays inside), and the windows into launches of at most
 * 4, as even as can be, for `matmul_bv4_ua` and `matmul_ua`; or null when A does not qualify:
 * its buffer is not uniform-readable or smaller than a window, the device binds too few uniform
 * buffers, a 32-row block does not fit a window, or a launch would hold fewer workgroups than the
 * host has cores (lavapipe runs launches one after another, each over its threads). The windows
 * are bound whole (64 KiB) whatever `maxBindingBytes` says: the uniform limit is what applies.
 */
function uniformWindows(
  a: Tensor,
  ba: { binding: { buffer: GPUBuffer; offset: number }; elementOffset: number },
  m: number,
  lda: number,
  k: number,
  colBlocks: number,
  limits: GPUSupportedLimits,
): WindowLaunch[] | null {
  // Window offsets must suit both alignments: the runtime checks every binding's offset against
  // the storage one.
  const align = Math.max(
    limits.minUniformBufferOffsetAlignment,
    limits.minStorageBufferOffsetAlignment,
  );
  const size = a.buffer.size;
  if (
    limits.maxUniformBufferBindingSize < UA_BYTES || size < UA_BYTES ||
    limits.maxUniformBuffersPerShaderStage < UA_WINDOWS + 1 || // (+ the Params uniform)
    (a.buffer.usage & GPUBufferUsage.UNIFORM) === 0 // (tensors have it on CPU adapters)
  ) return null;
  const first = ba.binding.offset + ba.elementOffset * 4, lastStart = size - UA_BYTES;
  const blocks = Math.ceil(m / ROWS);
  // The most blocks per window, then fewer when an unaligned start leaves a window short.
  for (let most = Math.floor(UA_BYTES / 4 / lda / ROWS); most >= 1; most--) {
    const count = Math.ceil(blocks / most), windows: WindowLaunch["windows"] = [];
    for (let w = 0; w < count; w++) {
      const row0 = w * most * ROWS, rows = Math.min(most * ROWS, m - row0);
      const start = first + row0 * lda * 4, end = start + ((rows - 1) * lda + k) * 4;
      const offset = Math.min(Math.floor(start / align), Math.floor(lastStart / align)) * align;
      if (end > offset + UA_BYTES) break;
      windows.push({
        binding: { buffer: a.buffer, offset, size: UA_BYTES },
        elementOffset: (start - offset) / 4,
      });
    }
    if (windows.length < count) continue;
    const launchCount = Math.ceil(count / UA_WINDOWS), least = Math.floor(count / launchCount);
    const out: WindowLaunch[] = [];
    for (let l = 0, w = 0; l < launchCount; l++) {
      const take = least + (l < count % launchCount ? 1 : 0);
      const row0 = w * most * ROWS;
      out.push({
        row0,
        rows: Math.min(take * most * ROWS, m - row0),
        windowRows: most * ROWS,
        windows: windows.slice(w, w + take),
      });
      w += take;
    }
    // The last launch holds the fewest blocks.
    const last = out[out.length - 1];
    return Math.ceil(last.rows / ROWS) * colBlocks >= CPU_CORES ? out : null;
  }
  return null;
}

/**
 * A binding of elements [first, end) of a tensor, starting at the aligned byte at or before
 * `first`, and the element offset of `first` inside it.
 */
function bindRange(
  t: Tensor,
  [first, end]: [number, number],
  align: number,
  maxBytes: number,
): { binding: { buffer: GPUBuffer; offset: number; size: number }; elementOffset: number } {
  const startByte = t.byteOffset + first * 4;
  const offset = Math.floor(startByte / align) * align;
  const size = Math.max(4, t.byteOffset + end * 4 - offset);
  if (size > maxBytes) {
    throw new RangeError(
      `matmul: a range of "${t.label}" spans ${size} bytes, more than a binding's ${maxBytes}`,
    );
  }
  return { binding: { buffer: t.buffer, offset, size }, elementOffset: (startByte - offset) / 4 };
}

/**
 * Whether a bound range starts on a vec4f (its element offset a multiple of 4) and can span whole
 * vec4s; if so its size is rounded up to 16 bytes (in place).
 */
function widenTo16(
  r: { binding: { buffer: GPUBuffer; offset: number; size: number }; elementOffset: number },
  maxBytes: number,
): boolean {
  const size16 = Math.ceil(r.binding.size / 16) * 16;
  if (
    r.elementOffset % 4 !== 0 || r.binding.offset + size16 > r.binding.buffer.size ||
    size16 > maxBytes
  ) return false;
  r.binding.size = size16;
  return true;
}

/** The last two dimensions of a tensor ((1, size) for a vector). */
function lastTwo(t: Tensor): [number, number] {
  const s = t.shape;
  return s.length >= 2 ? [s[s.length - 2], s[s.length - 1]] : [1, s[0] ?? 1];
}
