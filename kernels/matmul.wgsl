// Matrix multiply: C = α·op(A)·op(B) (+ bias broadcast over rows) (+ β·C), batched by strides,
// and the bias gradient dBias += Σ_rows dOut.
//
// Layouts (row-major; element offsets and row strides come in the uniforms, so a launcher can
// bind any sub-range of a buffer):
//   A: (M, K) with row stride lda, or (K, M) when ta = 1       op(A)[i, l]
//   B: (K, N) with row stride ldb, or (N, K) when tb = 1       op(B)[l, j]
//   C: (M, N) with row stride ldc                              bias: (N,)
//   batch z (workgroup_id.z) starts at off + z·stride for each of A, B, C.
//
// The work is split in two so the big kernel stays quick to compile:
//   prologue (only when β ∉ {0, 1}): C = β·C;
//   matmul:  C = α·op(A)·op(B) (+ bias) (ACC = 0, C never read: it may hold NaN) or
//            C += α·op(A)·op(B) (+ bias) (ACC = 1: after the prologue, for β = 1, and for every
//            K chunk after the first; the bias, BIAS = 1, only in the first).
//   Reading C or the bias inside the big kernel's epilogue under runtime flags made llvmpipe
//   compile it for a minute; as override constants (ACC, BIAS) it is a few seconds.
//
// matmul: a workgroup of WG invocations owns 32 rows × (WG·16) columns of C; invocation `lid`
//   owns the 32 × 16 block at rows row0 … row0+31 (the same for the whole workgroup) and columns
//   (block_col·WG + lid)·16 … +15. matmul_small is the same with 8 rows, for M ≤ 16 (generation).
//   Grid order: consecutive workgroups (x fastest) share their row block of A (32·K) and stream
//   column panels of B (K·WG·16); with rows_fast they share the B panel instead and stream the
//   4× smaller A blocks. The launcher sets rows_fast once the B panel outgrows a CPU core's L2
//   (K ≥ 512: 256 KiB). On lavapipe, interleaved A/B runs at 1024³: NN 5–15 % faster, the
//   transposed layouts unchanged (their strided reads, not the panel, limit them); K < 512
//   unchanged.
//   Why this shape, on llvmpipe (which runs a workgroup's invocations as SIMD lanes, 8 wide):
//   - per-lane loads (gathers, each bounds-checked by the driver) and the loop's own overhead cost
//     far more than FMAs, so the bigger the block the better, until compiling gets slow: per
//     step of l a lane gathers 16 values of B, reads 32 of A and issues 512 FMAs;
//   - the A index depends only on the workgroup and the loop counter (non-divergent), so the
//     driver may load it once for all lanes;
//   - accumulators are named vec4f variables (c{row}_{quarter}), not arrays: naga lowers local
//     arrays to memory;
//   - rows and columns past the edge are clamped to the last valid one, so the loop has no bounds
//     checks or branches; only the final stores are guarded;
//   - the transposes only change two index steps, so they are uniforms: one pipeline per ACC.
//   - matmul_tiled is for GPUs (see its comment below): their lanes are threads, 512
//     accumulators per thread would spill, and staging tiles in workgroup memory is cheap there.
//     It sums in the same order (zeros past K add exactly nothing), so it agrees bit for bit.
//     matmul_tiled_v4 is the same with vec4f operand loads, K steps of 16 and register prefetch,
//     for operands whose row strides and offsets are multiples of 4 (same order, same bits; on
//     an H200 22 → 33 TFLOP/s at 4096³). Its staging uses constant indices only: a first version
//     that indexed a local array in a loop ran NT products 1.7–2.4× slower there. Since session
//     6 its k loop is unrolled in the source (variant 31). matmul_tiled_v4_half is the same with
//     blocks of 64 rows and 128 invocations (an option of the launcher, blockRows: 64).
//   - splitk_reduce (below) sums split-K partial products: on a GPU a launch of few workgroups
//     over a long K (a 128-row classifier chunk's input gradient over 50257 logits: 6
//     workgroups) runs as K slices side by side instead (head dx on an H200: 20.2 → 1.2 ms).
//   - *_bv4: the same with B read as vec4f, when B is not transposed and its row stride and
//     offsets are multiples of 4 (a vec4f load is one lane loop instead of four: +10–20 % for
//     NN and TN products on lavapipe; bench/matmul_variants variant 24).
//   - matmul_bv4_ua and matmul_bv4_av4 (CPU adapters): the same with A read more cheaply, and
//     matmul_ua and matmul_av4 with B read by scalars (B transposed or unaligned). Not
//     transposed, A comes from 64 KiB uniform-buffer windows of whole 32-row blocks, up to 4 per
//     launch (au, au1 … au3; each workgroup runs the copy of the l loop that reads its window,
//     and llvmpipe skips the others): llvmpipe reads a uniform buffer by a plain gather, with no
//     per-lane loop or bounds branches (variant 37: +20–30 % over variant 24; variant 40, 8
//     windows in one launch: +25–35 % over one window per launch where a window holds a single
//     block, K 512). Transposed, A's 32 rows at each l are 8 consecutive vec4f (variant 38:
//     +35–50 %). Same FMAs in the same order: the same bits as matmul_bv4 and matmul.
//   The unrolled bodies are written by bench/matmul_variants/gen_kernel.py; the variants measured
//   on the way (4×4 … 64×16 blocks, unrolled k loops, vec4 loads) are in that folder.
//
// bias_grad: dBias[j] += Σ_i dOut[i, j]. A workgroup owns BG_COLS columns; its BG_ROWS row slices
//   each sum rows slice, slice + BG_ROWS, … serially, then the slices are added as a binary tree in
//   workgroup memory. Fixed order: reruns are bit-identical. No atomics. On GPUs the rows are also
//   cut into P parts (workgroup_id.z; PARTS = 1) whose sums go to a (P, N) scratch, which
//   bias_grad_finish adds in order: N = 768 columns are only 48 workgroups otherwise.
//
// Numerics: float32 FMAs summed in order l = 0 … K−1 per output (error grows like K·ε at worst,
//   √K·ε typically); then α·acc + bias, added to β·C when C is read.

struct Params {
  m: u32,        // M, rows of C in this launch
  n: u32,        // N, columns of C in this launch
  k: u32,        // K, the summed dimension
  lda: u32,      // row stride of A as stored
  ldb: u32,      // row stride of B as stored
  ldc: u32,      // row stride of C
  off_a: u32,    // element offsets of batch 0's first element in each binding
  off_b: u32,
  off_c: u32,
  stride_a: u32, // element distance between batches
  stride_b: u32,
  stride_c: u32,
  ta: u32,       // 1: A is stored (K, M)
  tb: u32,       // 1: B is stored (N, K)
  rows_fast: u32, // 1: workgroup_id.x walks the row blocks, .y the column blocks (else the reverse)
  off_bias: u32, // element offset of the bias in its binding
  alpha: f32,
  win_rows: u32, // matmul_bv4_ua, matmul_ua: rows of A per uniform window (a multiple of 32)
  win_off: vec4u, // matmul_bv4_ua, matmul_ua: each window's first element in its binding
}

override ACC: u32 = 0u;  // 1: C += α·op(A)·op(B); 0: C = α·op(A)·op(B) without reading C
override BIAS: u32 = 0u; // 1: add mm_bias[j] to every row (the first K chunk only)
override WG: u32 = 8u;   // invocations per workgroup, each 16 columns wide

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>; // B as vec4f (the *_bv4 entry points)
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> mm_bias: array<f32>; // (N,); any read-only range when BIAS = 0

@group(0) @binding(1) var<storage, read> a4: array<vec4f>; // A as vec4f (matmul_tiled_v4)
// A's rows from 64 KiB uniform-buffer windows (matmul_bv4_ua, CPU adapters): the first at
// binding 1, the others after the bias; element i of a window is au[i / 4][i % 4].
@group(0) @binding(1) var<uniform> au: array<vec4f, 4096>;
@group(0) @binding(5) var<uniform> au1: array<vec4f, 4096>;
@group(0) @binding(6) var<uniform> au2: array<vec4f, 4096>;
@group(0) @binding(7) var<uniform> au3: array<vec4f, 4096>;

// matmul_tiled's workgroup tiles: op(A)[128 rows, 8 k] and op(B)[8 k, 128 columns], k-major.
var<workgroup> tile_a: array<vec4f, 256>;
var<workgroup> tile_b: array<vec4f, 256>;
// matmul_tiled_v4's: 16 k, element (k, r) at [k * 32 + r / 4][r % 4].
var<workgroup> tile_a16: array<vec4f, 512>;
var<workgroup> tile_b16: array<vec4f, 512>;

override TA: u32 = 0u; // matmul_tiled_v4: 1 when A is stored (K, M)
override TB: u32 = 0u; // matmul_tiled_v4: 1 when B is stored (N, K)

// BEGIN GENERATED by bench/matmul_variants/gen_kernel.py
// matmul: each invocation owns rows row0 … row0+31 (shared by its workgroup) and columns
// col0 … col0+15.
@compute @workgroup_size(WG)
fn matmul(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  // Which grid axis walks the row blocks (see the header: rows_fast).
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 32u;
  let col0 = (block_col * WG + lid) * 16u;
  let last_row = p.m - 1u;
  let last_col = p.n - 1u;
  // Index steps: along l, and from one row of op(A) / column of op(B) to the next.
  let a_step = select(1u, p.lda, p.ta == 1u);
  let a_row = select(p.lda, 1u, p.ta == 1u);
  let b_step = select(p.ldb, 1u, p.tb == 1u);
  let b_col = select(1u, p.ldb, p.tb == 1u);
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  // Rows and columns past the edge read the last valid one: no checks in the loop.
  var ia0 = oa + min(row0 + 0u, last_row) * a_row;
  var ia1 = oa + min(row0 + 1u, last_row) * a_row;
  var ia2 = oa + min(row0 + 2u, last_row) * a_row;
  var ia3 = oa + min(row0 + 3u, last_row) * a_row;
  var ia4 = oa + min(row0 + 4u, last_row) * a_row;
  var ia5 = oa + min(row0 + 5u, last_row) * a_row;
  var ia6 = oa + min(row0 + 6u, last_row) * a_row;
  var ia7 = oa + min(row0 + 7u, last_row) * a_row;
  var ia8 = oa + min(row0 + 8u, last_row) * a_row;
  var ia9 = oa + min(row0 + 9u, last_row) * a_row;
  var ia10 = oa + min(row0 + 10u, last_row) * a_row;
  var ia11 = oa + min(row0 + 11u, last_row) * a_row;
  var ia12 = oa + min(row0 + 12u, last_row) * a_row;
  var ia13 = oa + min(row0 + 13u, last_row) * a_row;
  var ia14 = oa + min(row0 + 14u, last_row) * a_row;
  var ia15 = oa + min(row0 + 15u, last_row) * a_row;
  var ia16 = oa + min(row0 + 16u, last_row) * a_row;
  var ia17 = oa + min(row0 + 17u, last_row) * a_row;
  var ia18 = oa + min(row0 + 18u, last_row) * a_row;
  var ia19 = oa + min(row0 + 19u, last_row) * a_row;
  var ia20 = oa + min(row0 + 20u, last_row) * a_row;
  var ia21 = oa + min(row0 + 21u, last_row) * a_row;
  var ia22 = oa + min(row0 + 22u, last_row) * a_row;
  var ia23 = oa + min(row0 + 23u, last_row) * a_row;
  var ia24 = oa + min(row0 + 24u, last_row) * a_row;
  var ia25 = oa + min(row0 + 25u, last_row) * a_row;
  var ia26 = oa + min(row0 + 26u, last_row) * a_row;
  var ia27 = oa + min(row0 + 27u, last_row) * a_row;
  var ia28 = oa + min(row0 + 28u, last_row) * a_row;
  var ia29 = oa + min(row0 + 29u, last_row) * a_row;
  var ia30 = oa + min(row0 + 30u, last_row) * a_row;
  var ia31 = oa + min(row0 + 31u, last_row) * a_row;
  var ib0 = ob + min(col0 + 0u, last_col) * b_col;
  var ib1 = ob + min(col0 + 1u, last_col) * b_col;
  var ib2 = ob + min(col0 + 2u, last_col) * b_col;
  var ib3 = ob + min(col0 + 3u, last_col) * b_col;
  var ib4 = ob + min(col0 + 4u, last_col) * b_col;
  var ib5 = ob + min(col0 + 5u, last_col) * b_col;
  var ib6 = ob + min(col0 + 6u, last_col) * b_col;
  var ib7 = ob + min(col0 + 7u, last_col) * b_col;
  var ib8 = ob + min(col0 + 8u, last_col) * b_col;
  var ib9 = ob + min(col0 + 9u, last_col) * b_col;
  var ib10 = ob + min(col0 + 10u, last_col) * b_col;
  var ib11 = ob + min(col0 + 11u, last_col) * b_col;
  var ib12 = ob + min(col0 + 12u, last_col) * b_col;
  var ib13 = ob + min(col0 + 13u, last_col) * b_col;
  var ib14 = ob + min(col0 + 14u, last_col) * b_col;
  var ib15 = ob + min(col0 + 15u, last_col) * b_col;
  var c0_0 = vec4f(0.0); var c0_1 = vec4f(0.0); var c0_2 = vec4f(0.0); var c0_3 = vec4f(0.0);
  var c1_0 = vec4f(0.0); var c1_1 = vec4f(0.0); var c1_2 = vec4f(0.0); var c1_3 = vec4f(0.0);
  var c2_0 = vec4f(0.0); var c2_1 = vec4f(0.0); var c2_2 = vec4f(0.0); var c2_3 = vec4f(0.0);
  var c3_0 = vec4f(0.0); var c3_1 = vec4f(0.0); var c3_2 = vec4f(0.0); var c3_3 = vec4f(0.0);
  var c4_0 = vec4f(0.0); var c4_1 = vec4f(0.0); var c4_2 = vec4f(0.0); var c4_3 = vec4f(0.0);
  var c5_0 = vec4f(0.0); var c5_1 = vec4f(0.0); var c5_2 = vec4f(0.0); var c5_3 = vec4f(0.0);
  var c6_0 = vec4f(0.0); var c6_1 = vec4f(0.0); var c6_2 = vec4f(0.0); var c6_3 = vec4f(0.0);
  var c7_0 = vec4f(0.0); var c7_1 = vec4f(0.0); var c7_2 = vec4f(0.0); var c7_3 = vec4f(0.0);
  var c8_0 = vec4f(0.0); var c8_1 = vec4f(0.0); var c8_2 = vec4f(0.0); var c8_3 = vec4f(0.0);
  var c9_0 = vec4f(0.0); var c9_1 = vec4f(0.0); var c9_2 = vec4f(0.0); var c9_3 = vec4f(0.0);
  var c10_0 = vec4f(0.0); var c10_1 = vec4f(0.0); var c10_2 = vec4f(0.0); var c10_3 = vec4f(0.0);
  var c11_0 = vec4f(0.0); var c11_1 = vec4f(0.0); var c11_2 = vec4f(0.0); var c11_3 = vec4f(0.0);
  var c12_0 = vec4f(0.0); var c12_1 = vec4f(0.0); var c12_2 = vec4f(0.0); var c12_3 = vec4f(0.0);
  var c13_0 = vec4f(0.0); var c13_1 = vec4f(0.0); var c13_2 = vec4f(0.0); var c13_3 = vec4f(0.0);
  var c14_0 = vec4f(0.0); var c14_1 = vec4f(0.0); var c14_2 = vec4f(0.0); var c14_3 = vec4f(0.0);
  var c15_0 = vec4f(0.0); var c15_1 = vec4f(0.0); var c15_2 = vec4f(0.0); var c15_3 = vec4f(0.0);
  var c16_0 = vec4f(0.0); var c16_1 = vec4f(0.0); var c16_2 = vec4f(0.0); var c16_3 = vec4f(0.0);
  var c17_0 = vec4f(0.0); var c17_1 = vec4f(0.0); var c17_2 = vec4f(0.0); var c17_3 = vec4f(0.0);
  var c18_0 = vec4f(0.0); var c18_1 = vec4f(0.0); var c18_2 = vec4f(0.0); var c18_3 = vec4f(0.0);
  var c19_0 = vec4f(0.0); var c19_1 = vec4f(0.0); var c19_2 = vec4f(0.0); var c19_3 = vec4f(0.0);
  var c20_0 = vec4f(0.0); var c20_1 = vec4f(0.0); var c20_2 = vec4f(0.0); var c20_3 = vec4f(0.0);
  var c21_0 = vec4f(0.0); var c21_1 = vec4f(0.0); var c21_2 = vec4f(0.0); var c21_3 = vec4f(0.0);
  var c22_0 = vec4f(0.0); var c22_1 = vec4f(0.0); var c22_2 = vec4f(0.0); var c22_3 = vec4f(0.0);
  var c23_0 = vec4f(0.0); var c23_1 = vec4f(0.0); var c23_2 = vec4f(0.0); var c23_3 = vec4f(0.0);
  var c24_0 = vec4f(0.0); var c24_1 = vec4f(0.0); var c24_2 = vec4f(0.0); var c24_3 = vec4f(0.0);
  var c25_0 = vec4f(0.0); var c25_1 = vec4f(0.0); var c25_2 = vec4f(0.0); var c25_3 = vec4f(0.0);
  var c26_0 = vec4f(0.0); var c26_1 = vec4f(0.0); var c26_2 = vec4f(0.0); var c26_3 = vec4f(0.0);
  var c27_0 = vec4f(0.0); var c27_1 = vec4f(0.0); var c27_2 = vec4f(0.0); var c27_3 = vec4f(0.0);
  var c28_0 = vec4f(0.0); var c28_1 = vec4f(0.0); var c28_2 = vec4f(0.0); var c28_3 = vec4f(0.0);
  var c29_0 = vec4f(0.0); var c29_1 = vec4f(0.0); var c29_2 = vec4f(0.0); var c29_3 = vec4f(0.0);
  var c30_0 = vec4f(0.0); var c30_1 = vec4f(0.0); var c30_2 = vec4f(0.0); var c30_3 = vec4f(0.0);
  var c31_0 = vec4f(0.0); var c31_1 = vec4f(0.0); var c31_2 = vec4f(0.0); var c31_3 = vec4f(0.0);
  for (var l = 0u; l < p.k; l++) {
    let b0 = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
    let b1 = vec4f(b[ib4], b[ib5], b[ib6], b[ib7]);
    let b2 = vec4f(b[ib8], b[ib9], b[ib10], b[ib11]);
    let b3 = vec4f(b[ib12], b[ib13], b[ib14], b[ib15]);
    let a0 = vec4f(a[ia0]);
    c0_0 = fma(a0, b0, c0_0); c0_1 = fma(a0, b1, c0_1); c0_2 = fma(a0, b2, c0_2); c0_3 = fma(a0, b3, c0_3);
    let a1 = vec4f(a[ia1]);
    c1_0 = fma(a1, b0, c1_0); c1_1 = fma(a1, b1, c1_1); c1_2 = fma(a1, b2, c1_2); c1_3 = fma(a1, b3, c1_3);
    let a2 = vec4f(a[ia2]);
    c2_0 = fma(a2, b0, c2_0); c2_1 = fma(a2, b1, c2_1); c2_2 = fma(a2, b2, c2_2); c2_3 = fma(a2, b3, c2_3);
    let a3 = vec4f(a[ia3]);
    c3_0 = fma(a3, b0, c3_0); c3_1 = fma(a3, b1, c3_1); c3_2 = fma(a3, b2, c3_2); c3_3 = fma(a3, b3, c3_3);
    let a4 = vec4f(a[ia4]);
    c4_0 = fma(a4, b0, c4_0); c4_1 = fma(a4, b1, c4_1); c4_2 = fma(a4, b2, c4_2); c4_3 = fma(a4, b3, c4_3);
    let a5 = vec4f(a[ia5]);
    c5_0 = fma(a5, b0, c5_0); c5_1 = fma(a5, b1, c5_1); c5_2 = fma(a5, b2, c5_2); c5_3 = fma(a5, b3, c5_3);
    let a6 = vec4f(a[ia6]);
    c6_0 = fma(a6, b0, c6_0); c6_1 = fma(a6, b1, c6_1); c6_2 = fma(a6, b2, c6_2); c6_3 = fma(a6, b3, c6_3);
    let a7 = vec4f(a[ia7]);
    c7_0 = fma(a7, b0, c7_0); c7_1 = fma(a7, b1, c7_1); c7_2 = fma(a7, b2, c7_2); c7_3 = fma(a7, b3, c7_3);
    let a8 = vec4f(a[ia8]);
    c8_0 = fma(a8, b0, c8_0); c8_1 = fma(a8, b1, c8_1); c8_2 = fma(a8, b2, c8_2); c8_3 = fma(a8, b3, c8_3);
    let a9 = vec4f(a[ia9]);
    c9_0 = fma(a9, b0, c9_0); c9_1 = fma(a9, b1, c9_1); c9_2 = fma(a9, b2, c9_2); c9_3 = fma(a9, b3, c9_3);
    let a10 = vec4f(a[ia10]);
    c10_0 = fma(a10, b0, c10_0); c10_1 = fma(a10, b1, c10_1); c10_2 = fma(a10, b2, c10_2); c10_3 = fma(a10, b3, c10_3);
    let a11 = vec4f(a[ia11]);
    c11_0 = fma(a11, b0, c11_0); c11_1 = fma(a11, b1, c11_1); c11_2 = fma(a11, b2, c11_2); c11_3 = fma(a11, b3, c11_3);
    let a12 = vec4f(a[ia12]);
    c12_0 = fma(a12, b0, c12_0); c12_1 = fma(a12, b1, c12_1); c12_2 = fma(a12, b2, c12_2); c12_3 = fma(a12, b3, c12_3);
    let a13 = vec4f(a[ia13]);
    c13_0 = fma(a13, b0, c13_0); c13_1 = fma(a13, b1, c13_1); c13_2 = fma(a13, b2, c13_2); c13_3 = fma(a13, b3, c13_3);
    let a14 = vec4f(a[ia14]);
    c14_0 = fma(a14, b0, c14_0); c14_1 = fma(a14, b1, c14_1); c14_2 = fma(a14, b2, c14_2); c14_3 = fma(a14, b3, c14_3);
    let a15 = vec4f(a[ia15]);
    c15_0 = fma(a15, b0, c15_0); c15_1 = fma(a15, b1, c15_1); c15_2 = fma(a15, b2, c15_2); c15_3 = fma(a15, b3, c15_3);
    let a16 = vec4f(a[ia16]);
    c16_0 = fma(a16, b0, c16_0); c16_1 = fma(a16, b1, c16_1); c16_2 = fma(a16, b2, c16_2); c16_3 = fma(a16, b3, c16_3);
    let a17 = vec4f(a[ia17]);
    c17_0 = fma(a17, b0, c17_0); c17_1 = fma(a17, b1, c17_1); c17_2 = fma(a17, b2, c17_2); c17_3 = fma(a17, b3, c17_3);
    let a18 = vec4f(a[ia18]);
    c18_0 = fma(a18, b0, c18_0); c18_1 = fma(a18, b1, c18_1); c18_2 = fma(a18, b2, c18_2); c18_3 = fma(a18, b3, c18_3);
    let a19 = vec4f(a[ia19]);
    c19_0 = fma(a19, b0, c19_0); c19_1 = fma(a19, b1, c19_1); c19_2 = fma(a19, b2, c19_2); c19_3 = fma(a19, b3, c19_3);
    let a20 = vec4f(a[ia20]);
    c20_0 = fma(a20, b0, c20_0); c20_1 = fma(a20, b1, c20_1); c20_2 = fma(a20, b2, c20_2); c20_3 = fma(a20, b3, c20_3);
    let a21 = vec4f(a[ia21]);
    c21_0 = fma(a21, b0, c21_0); c21_1 = fma(a21, b1, c21_1); c21_2 = fma(a21, b2, c21_2); c21_3 = fma(a21, b3, c21_3);
    let a22 = vec4f(a[ia22]);
    c22_0 = fma(a22, b0, c22_0); c22_1 = fma(a22, b1, c22_1); c22_2 = fma(a22, b2, c22_2); c22_3 = fma(a22, b3, c22_3);
    let a23 = vec4f(a[ia23]);
    c23_0 = fma(a23, b0, c23_0); c23_1 = fma(a23, b1, c23_1); c23_2 = fma(a23, b2, c23_2); c23_3 = fma(a23, b3, c23_3);
    let a24 = vec4f(a[ia24]);
    c24_0 = fma(a24, b0, c24_0); c24_1 = fma(a24, b1, c24_1); c24_2 = fma(a24, b2, c24_2); c24_3 = fma(a24, b3, c24_3);
    let a25 = vec4f(a[ia25]);
    c25_0 = fma(a25, b0, c25_0); c25_1 = fma(a25, b1, c25_1); c25_2 = fma(a25, b2, c25_2); c25_3 = fma(a25, b3, c25_3);
    let a26 = vec4f(a[ia26]);
    c26_0 = fma(a26, b0, c26_0); c26_1 = fma(a26, b1, c26_1); c26_2 = fma(a26, b2, c26_2); c26_3 = fma(a26, b3, c26_3);
    let a27 = vec4f(a[ia27]);
    c27_0 = fma(a27, b0, c27_0); c27_1 = fma(a27, b1, c27_1); c27_2 = fma(a27, b2, c27_2); c27_3 = fma(a27, b3, c27_3);
    let a28 = vec4f(a[ia28]);
    c28_0 = fma(a28, b0, c28_0); c28_1 = fma(a28, b1, c28_1); c28_2 = fma(a28, b2, c28_2); c28_3 = fma(a28, b3, c28_3);
    let a29 = vec4f(a[ia29]);
    c29_0 = fma(a29, b0, c29_0); c29_1 = fma(a29, b1, c29_1); c29_2 = fma(a29, b2, c29_2); c29_3 = fma(a29, b3, c29_3);
    let a30 = vec4f(a[ia30]);
    c30_0 = fma(a30, b0, c30_0); c30_1 = fma(a30, b1, c30_1); c30_2 = fma(a30, b2, c30_2); c30_3 = fma(a30, b3, c30_3);
    let a31 = vec4f(a[ia31]);
    c31_0 = fma(a31, b0, c31_0); c31_1 = fma(a31, b1, c31_1); c31_2 = fma(a31, b2, c31_2); c31_3 = fma(a31, b3, c31_3);
    ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
    ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
    ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
    ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
    ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step; ib4 += b_step; ib5 += b_step; ib6 += b_step; ib7 += b_step;
    ib8 += b_step; ib9 += b_step; ib10 += b_step; ib11 += b_step; ib12 += b_step; ib13 += b_step; ib14 += b_step; ib15 += b_step;
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let bias = load_bias(col0, last_col);
  store_row(oc, row0 + 0u, col0, c0_0, c0_1, c0_2, c0_3, bias);
  store_row(oc, row0 + 1u, col0, c1_0, c1_1, c1_2, c1_3, bias);
  store_row(oc, row0 + 2u, col0, c2_0, c2_1, c2_2, c2_3, bias);
  store_row(oc, row0 + 3u, col0, c3_0, c3_1, c3_2, c3_3, bias);
  store_row(oc, row0 + 4u, col0, c4_0, c4_1, c4_2, c4_3, bias);
  store_row(oc, row0 + 5u, col0, c5_0, c5_1, c5_2, c5_3, bias);
  store_row(oc, row0 + 6u, col0, c6_0, c6_1, c6_2, c6_3, bias);
  store_row(oc, row0 + 7u, col0, c7_0, c7_1, c7_2, c7_3, bias);
  store_row(oc, row0 + 8u, col0, c8_0, c8_1, c8_2, c8_3, bias);
  store_row(oc, row0 + 9u, col0, c9_0, c9_1, c9_2, c9_3, bias);
  store_row(oc, row0 + 10u, col0, c10_0, c10_1, c10_2, c10_3, bias);
  store_row(oc, row0 + 11u, col0, c11_0, c11_1, c11_2, c11_3, bias);
  store_row(oc, row0 + 12u, col0, c12_0, c12_1, c12_2, c12_3, bias);
  store_row(oc, row0 + 13u, col0, c13_0, c13_1, c13_2, c13_3, bias);
  store_row(oc, row0 + 14u, col0, c14_0, c14_1, c14_2, c14_3, bias);
  store_row(oc, row0 + 15u, col0, c15_0, c15_1, c15_2, c15_3, bias);
  store_row(oc, row0 + 16u, col0, c16_0, c16_1, c16_2, c16_3, bias);
  store_row(oc, row0 + 17u, col0, c17_0, c17_1, c17_2, c17_3, bias);
  store_row(oc, row0 + 18u, col0, c18_0, c18_1, c18_2, c18_3, bias);
  store_row(oc, row0 + 19u, col0, c19_0, c19_1, c19_2, c19_3, bias);
  store_row(oc, row0 + 20u, col0, c20_0, c20_1, c20_2, c20_3, bias);
  store_row(oc, row0 + 21u, col0, c21_0, c21_1, c21_2, c21_3, bias);
  store_row(oc, row0 + 22u, col0, c22_0, c22_1, c22_2, c22_3, bias);
  store_row(oc, row0 + 23u, col0, c23_0, c23_1, c23_2, c23_3, bias);
  store_row(oc, row0 + 24u, col0, c24_0, c24_1, c24_2, c24_3, bias);
  store_row(oc, row0 + 25u, col0, c25_0, c25_1, c25_2, c25_3, bias);
  store_row(oc, row0 + 26u, col0, c26_0, c26_1, c26_2, c26_3, bias);
  store_row(oc, row0 + 27u, col0, c27_0, c27_1, c27_2, c27_3, bias);
  store_row(oc, row0 + 28u, col0, c28_0, c28_1, c28_2, c28_3, bias);
  store_row(oc, row0 + 29u, col0, c29_0, c29_1, c29_2, c29_3, bias);
  store_row(oc, row0 + 30u, col0, c30_0, c30_1, c30_2, c30_3, bias);
  store_row(oc, row0 + 31u, col0, c31_0, c31_1, c31_2, c31_3, bias);
}

// matmul_small: each invocation owns rows row0 … row0+7 (shared by its workgroup) and columns
// col0 … col0+15.
@compute @workgroup_size(WG)
fn matmul_small(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  // Which grid axis walks the row blocks (see the header: rows_fast).
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 8u;
  let col0 = (block_col * WG + lid) * 16u;
  let last_row = p.m - 1u;
  let last_col = p.n - 1u;
  // Index steps: along l, and from one row of op(A) / column of op(B) to the next.
  let a_step = select(1u, p.lda, p.ta == 1u);
  let a_row = select(p.lda, 1u, p.ta == 1u);
  let b_step = select(p.ldb, 1u, p.tb == 1u);
  let b_col = select(1u, p.ldb, p.tb == 1u);
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  // Rows and columns past the edge read the last valid one: no checks in the loop.
  var ia0 = oa + min(row0 + 0u, last_row) * a_row;
  var ia1 = oa + min(row0 + 1u, last_row) * a_row;
  var ia2 = oa + min(row0 + 2u, last_row) * a_row;
  var ia3 = oa + min(row0 + 3u, last_row) * a_row;
  var ia4 = oa + min(row0 + 4u, last_row) * a_row;
  var ia5 = oa + min(row0 + 5u, last_row) * a_row;
  var ia6 = oa + min(row0 + 6u, last_row) * a_row;
  var ia7 = oa + min(row0 + 7u, last_row) * a_row;
  var ib0 = ob + min(col0 + 0u, last_col) * b_col;
  var ib1 = ob + min(col0 + 1u, last_col) * b_col;
  var ib2 = ob + min(col0 + 2u, last_col) * b_col;
  var ib3 = ob + min(col0 + 3u, last_col) * b_col;
  var ib4 = ob + min(col0 + 4u, last_col) * b_col;
  var ib5 = ob + min(col0 + 5u, last_col) * b_col;
  var ib6 = ob + min(col0 + 6u, last_col) * b_col;
  var ib7 = ob + min(col0 + 7u, last_col) * b_col;
  var ib8 = ob + min(col0 + 8u, last_col) * b_col;
  var ib9 = ob + min(col0 + 9u, last_col) * b_col;
  var ib10 = ob + min(col0 + 10u, last_col) * b_col;
  var ib11 = ob + min(col0 + 11u, last_col) * b_col;
  var ib12 = ob + min(col0 + 12u, last_col) * b_col;
  var ib13 = ob + min(col0 + 13u, last_col) * b_col;
  var ib14 = ob + min(col0 + 14u, last_col) * b_col;
  var ib15 = ob + min(col0 + 15u, last_col) * b_col;
  var c0_0 = vec4f(0.0); var c0_1 = vec4f(0.0); var c0_2 = vec4f(0.0); var c0_3 = vec4f(0.0);
  var c1_0 = vec4f(0.0); var c1_1 = vec4f(0.0); var c1_2 = vec4f(0.0); var c1_3 = vec4f(0.0);
  var c2_0 = vec4f(0.0); var c2_1 = vec4f(0.0); var c2_2 = vec4f(0.0); var c2_3 = vec4f(0.0);
  var c3_0 = vec4f(0.0); var c3_1 = vec4f(0.0); var c3_2 = vec4f(0.0); var c3_3 = vec4f(0.0);
  var c4_0 = vec4f(0.0); var c4_1 = vec4f(0.0); var c4_2 = vec4f(0.0); var c4_3 = vec4f(0.0);
  var c5_0 = vec4f(0.0); var c5_1 = vec4f(0.0); var c5_2 = vec4f(0.0); var c5_3 = vec4f(0.0);
  var c6_0 = vec4f(0.0); var c6_1 = vec4f(0.0); var c6_2 = vec4f(0.0); var c6_3 = vec4f(0.0);
  var c7_0 = vec4f(0.0); var c7_1 = vec4f(0.0); var c7_2 = vec4f(0.0); var c7_3 = vec4f(0.0);
  for (var l = 0u; l < p.k; l++) {
    let b0 = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
    let b1 = vec4f(b[ib4], b[ib5], b[ib6], b[ib7]);
    let b2 = vec4f(b[ib8], b[ib9], b[ib10], b[ib11]);
    let b3 = vec4f(b[ib12], b[ib13], b[ib14], b[ib15]);
    let a0 = vec4f(a[ia0]);
    c0_0 = fma(a0, b0, c0_0); c0_1 = fma(a0, b1, c0_1); c0_2 = fma(a0, b2, c0_2); c0_3 = fma(a0, b3, c0_3);
    let a1 = vec4f(a[ia1]);
    c1_0 = fma(a1, b0, c1_0); c1_1 = fma(a1, b1, c1_1); c1_2 = fma(a1, b2, c1_2); c1_3 = fma(a1, b3, c1_3);
    let a2 = vec4f(a[ia2]);
    c2_0 = fma(a2, b0, c2_0); c2_1 = fma(a2, b1, c2_1); c2_2 = fma(a2, b2, c2_2); c2_3 = fma(a2, b3, c2_3);
    let a3 = vec4f(a[ia3]);
    c3_0 = fma(a3, b0, c3_0); c3_1 = fma(a3, b1, c3_1); c3_2 = fma(a3, b2, c3_2); c3_3 = fma(a3, b3, c3_3);
    let a4 = vec4f(a[ia4]);
    c4_0 = fma(a4, b0, c4_0); c4_1 = fma(a4, b1, c4_1); c4_2 = fma(a4, b2, c4_2); c4_3 = fma(a4, b3, c4_3);
    let a5 = vec4f(a[ia5]);
    c5_0 = fma(a5, b0, c5_0); c5_1 = fma(a5, b1, c5_1); c5_2 = fma(a5, b2, c5_2); c5_3 = fma(a5, b3, c5_3);
    let a6 = vec4f(a[ia6]);
    c6_0 = fma(a6, b0, c6_0); c6_1 = fma(a6, b1, c6_1); c6_2 = fma(a6, b2, c6_2); c6_3 = fma(a6, b3, c6_3);
    let a7 = vec4f(a[ia7]);
    c7_0 = fma(a7, b0, c7_0); c7_1 = fma(a7, b1, c7_1); c7_2 = fma(a7, b2, c7_2); c7_3 = fma(a7, b3, c7_3);
    ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
    ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step; ib4 += b_step; ib5 += b_step; ib6 += b_step; ib7 += b_step;
    ib8 += b_step; ib9 += b_step; ib10 += b_step; ib11 += b_step; ib12 += b_step; ib13 += b_step; ib14 += b_step; ib15 += b_step;
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let bias = load_bias(col0, last_col);
  store_row(oc, row0 + 0u, col0, c0_0, c0_1, c0_2, c0_3, bias);
  store_row(oc, row0 + 1u, col0, c1_0, c1_1, c1_2, c1_3, bias);
  store_row(oc, row0 + 2u, col0, c2_0, c2_1, c2_2, c2_3, bias);
  store_row(oc, row0 + 3u, col0, c3_0, c3_1, c3_2, c3_3, bias);
  store_row(oc, row0 + 4u, col0, c4_0, c4_1, c4_2, c4_3, bias);
  store_row(oc, row0 + 5u, col0, c5_0, c5_1, c5_2, c5_3, bias);
  store_row(oc, row0 + 6u, col0, c6_0, c6_1, c6_2, c6_3, bias);
  store_row(oc, row0 + 7u, col0, c7_0, c7_1, c7_2, c7_3, bias);
}

// matmul_bv4: each invocation owns rows row0 … row0+31 (shared by its workgroup) and columns
// col0 … col0+15. B is read as vec4f (b4): B not transposed, its row stride and
// offsets multiples of 4.
@compute @workgroup_size(WG)
fn matmul_bv4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  // Which grid axis walks the row blocks (see the header: rows_fast).
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 32u;
  let col0 = (block_col * WG + lid) * 16u;
  let last_row = p.m - 1u;
  let last_col = p.n - 1u;
  // Index steps: along l, and from one row of op(A) / column of op(B) to the next.
  let a_step = select(1u, p.lda, p.ta == 1u);
  let a_row = select(p.lda, 1u, p.ta == 1u);
  let b_step = select(p.ldb, 1u, p.tb == 1u);
  let b_col = select(1u, p.ldb, p.tb == 1u);
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  // Rows and columns past the edge read the last valid one: no checks in the loop.
  var ia0 = oa + min(row0 + 0u, last_row) * a_row;
  var ia1 = oa + min(row0 + 1u, last_row) * a_row;
  var ia2 = oa + min(row0 + 2u, last_row) * a_row;
  var ia3 = oa + min(row0 + 3u, last_row) * a_row;
  var ia4 = oa + min(row0 + 4u, last_row) * a_row;
  var ia5 = oa + min(row0 + 5u, last_row) * a_row;
  var ia6 = oa + min(row0 + 6u, last_row) * a_row;
  var ia7 = oa + min(row0 + 7u, last_row) * a_row;
  var ia8 = oa + min(row0 + 8u, last_row) * a_row;
  var ia9 = oa + min(row0 + 9u, last_row) * a_row;
  var ia10 = oa + min(row0 + 10u, last_row) * a_row;
  var ia11 = oa + min(row0 + 11u, last_row) * a_row;
  var ia12 = oa + min(row0 + 12u, last_row) * a_row;
  var ia13 = oa + min(row0 + 13u, last_row) * a_row;
  var ia14 = oa + min(row0 + 14u, last_row) * a_row;
  var ia15 = oa + min(row0 + 15u, last_row) * a_row;
  var ia16 = oa + min(row0 + 16u, last_row) * a_row;
  var ia17 = oa + min(row0 + 17u, last_row) * a_row;
  var ia18 = oa + min(row0 + 18u, last_row) * a_row;
  var ia19 = oa + min(row0 + 19u, last_row) * a_row;
  var ia20 = oa + min(row0 + 20u, last_row) * a_row;
  var ia21 = oa + min(row0 + 21u, last_row) * a_row;
  var ia22 = oa + min(row0 + 22u, last_row) * a_row;
  var ia23 = oa + min(row0 + 23u, last_row) * a_row;
  var ia24 = oa + min(row0 + 24u, last_row) * a_row;
  var ia25 = oa + min(row0 + 25u, last_row) * a_row;
  var ia26 = oa + min(row0 + 26u, last_row) * a_row;
  var ia27 = oa + min(row0 + 27u, last_row) * a_row;
  var ia28 = oa + min(row0 + 28u, last_row) * a_row;
  var ia29 = oa + min(row0 + 29u, last_row) * a_row;
  var ia30 = oa + min(row0 + 30u, last_row) * a_row;
  var ia31 = oa + min(row0 + 31u, last_row) * a_row;
  var ib0 = ob + min(col0 + 0u, last_col) * b_col;
  var ib4 = ob + min(col0 + 4u, last_col) * b_col;
  var ib8 = ob + min(col0 + 8u, last_col) * b_col;
  var ib12 = ob + min(col0 + 12u, last_col) * b_col;
  var c0_0 = vec4f(0.0); var c0_1 = vec4f(0.0); var c0_2 = vec4f(0.0); var c0_3 = vec4f(0.0);
  var c1_0 = vec4f(0.0); var c1_1 = vec4f(0.0); var c1_2 = vec4f(0.0); var c1_3 = vec4f(0.0);
  var c2_0 = vec4f(0.0); var c2_1 = vec4f(0.0); var c2_2 = vec4f(0.0); var c2_3 = vec4f(0.0);
  var c3_0 = vec4f(0.0); var c3_1 = vec4f(0.0); var c3_2 = vec4f(0.0); var c3_3 = vec4f(0.0);
  var c4_0 = vec4f(0.0); var c4_1 = vec4f(0.0); var c4_2 = vec4f(0.0); var c4_3 = vec4f(0.0);
  var c5_0 = vec4f(0.0); var c5_1 = vec4f(0.0); var c5_2 = vec4f(0.0); var c5_3 = vec4f(0.0);
  var c6_0 = vec4f(0.0); var c6_1 = vec4f(0.0); var c6_2 = vec4f(0.0); var c6_3 = vec4f(0.0);
  var c7_0 = vec4f(0.0); var c7_1 = vec4f(0.0); var c7_2 = vec4f(0.0); var c7_3 = vec4f(0.0);
  var c8_0 = vec4f(0.0); var c8_1 = vec4f(0.0); var c8_2 = vec4f(0.0); var c8_3 = vec4f(0.0);
  var c9_0 = vec4f(0.0); var c9_1 = vec4f(0.0); var c9_2 = vec4f(0.0); var c9_3 = vec4f(0.0);
  var c10_0 = vec4f(0.0); var c10_1 = vec4f(0.0); var c10_2 = vec4f(0.0); var c10_3 = vec4f(0.0);
  var c11_0 = vec4f(0.0); var c11_1 = vec4f(0.0); var c11_2 = vec4f(0.0); var c11_3 = vec4f(0.0);
  var c12_0 = vec4f(0.0); var c12_1 = vec4f(0.0); var c12_2 = vec4f(0.0); var c12_3 = vec4f(0.0);
  var c13_0 = vec4f(0.0); var c13_1 = vec4f(0.0); var c13_2 = vec4f(0.0); var c13_3 = vec4f(0.0);
  var c14_0 = vec4f(0.0); var c14_1 = vec4f(0.0); var c14_2 = vec4f(0.0); var c14_3 = vec4f(0.0);
  var c15_0 = vec4f(0.0); var c15_1 = vec4f(0.0); var c15_2 = vec4f(0.0); var c15_3 = vec4f(0.0);
  var c16_0 = vec4f(0.0); var c16_1 = vec4f(0.0); var c16_2 = vec4f(0.0); var c16_3 = vec4f(0.0);
  var c17_0 = vec4f(0.0); var c17_1 = vec4f(0.0); var c17_2 = vec4f(0.0); var c17_3 = vec4f(0.0);
  var c18_0 = vec4f(0.0); var c18_1 = vec4f(0.0); var c18_2 = vec4f(0.0); var c18_3 = vec4f(0.0);
  var c19_0 = vec4f(0.0); var c19_1 = vec4f(0.0); var c19_2 = vec4f(0.0); var c19_3 = vec4f(0.0);
  var c20_0 = vec4f(0.0); var c20_1 = vec4f(0.0); var c20_2 = vec4f(0.0); var c20_3 = vec4f(0.0);
  var c21_0 = vec4f(0.0); var c21_1 = vec4f(0.0); var c21_2 = vec4f(0.0); var c21_3 = vec4f(0.0);
  var c22_0 = vec4f(0.0); var c22_1 = vec4f(0.0); var c22_2 = vec4f(0.0); var c22_3 = vec4f(0.0);
  var c23_0 = vec4f(0.0); var c23_1 = vec4f(0.0); var c23_2 = vec4f(0.0); var c23_3 = vec4f(0.0);
  var c24_0 = vec4f(0.0); var c24_1 = vec4f(0.0); var c24_2 = vec4f(0.0); var c24_3 = vec4f(0.0);
  var c25_0 = vec4f(0.0); var c25_1 = vec4f(0.0); var c25_2 = vec4f(0.0); var c25_3 = vec4f(0.0);
  var c26_0 = vec4f(0.0); var c26_1 = vec4f(0.0); var c26_2 = vec4f(0.0); var c26_3 = vec4f(0.0);
  var c27_0 = vec4f(0.0); var c27_1 = vec4f(0.0); var c27_2 = vec4f(0.0); var c27_3 = vec4f(0.0);
  var c28_0 = vec4f(0.0); var c28_1 = vec4f(0.0); var c28_2 = vec4f(0.0); var c28_3 = vec4f(0.0);
  var c29_0 = vec4f(0.0); var c29_1 = vec4f(0.0); var c29_2 = vec4f(0.0); var c29_3 = vec4f(0.0);
  var c30_0 = vec4f(0.0); var c30_1 = vec4f(0.0); var c30_2 = vec4f(0.0); var c30_3 = vec4f(0.0);
  var c31_0 = vec4f(0.0); var c31_1 = vec4f(0.0); var c31_2 = vec4f(0.0); var c31_3 = vec4f(0.0);
  for (var l = 0u; l < p.k; l++) {
    let b0 = b4[ib0 >> 2u];
    let b1 = b4[ib4 >> 2u];
    let b2 = b4[ib8 >> 2u];
    let b3 = b4[ib12 >> 2u];
    let a0 = vec4f(a[ia0]);
    c0_0 = fma(a0, b0, c0_0); c0_1 = fma(a0, b1, c0_1); c0_2 = fma(a0, b2, c0_2); c0_3 = fma(a0, b3, c0_3);
    let a1 = vec4f(a[ia1]);
    c1_0 = fma(a1, b0, c1_0); c1_1 = fma(a1, b1, c1_1); c1_2 = fma(a1, b2, c1_2); c1_3 = fma(a1, b3, c1_3);
    let a2 = vec4f(a[ia2]);
    c2_0 = fma(a2, b0, c2_0); c2_1 = fma(a2, b1, c2_1); c2_2 = fma(a2, b2, c2_2); c2_3 = fma(a2, b3, c2_3);
    let a3 = vec4f(a[ia3]);
    c3_0 = fma(a3, b0, c3_0); c3_1 = fma(a3, b1, c3_1); c3_2 = fma(a3, b2, c3_2); c3_3 = fma(a3, b3, c3_3);
    let a4 = vec4f(a[ia4]);
    c4_0 = fma(a4, b0, c4_0); c4_1 = fma(a4, b1, c4_1); c4_2 = fma(a4, b2, c4_2); c4_3 = fma(a4, b3, c4_3);
    let a5 = vec4f(a[ia5]);
    c5_0 = fma(a5, b0, c5_0); c5_1 = fma(a5, b1, c5_1); c5_2 = fma(a5, b2, c5_2); c5_3 = fma(a5, b3, c5_3);
    let a6 = vec4f(a[ia6]);
    c6_0 = fma(a6, b0, c6_0); c6_1 = fma(a6, b1, c6_1); c6_2 = fma(a6, b2, c6_2); c6_3 = fma(a6, b3, c6_3);
    let a7 = vec4f(a[ia7]);
    c7_0 = fma(a7, b0, c7_0); c7_1 = fma(a7, b1, c7_1); c7_2 = fma(a7, b2, c7_2); c7_3 = fma(a7, b3, c7_3);
    let a8 = vec4f(a[ia8]);
    c8_0 = fma(a8, b0, c8_0); c8_1 = fma(a8, b1, c8_1); c8_2 = fma(a8, b2, c8_2); c8_3 = fma(a8, b3, c8_3);
    let a9 = vec4f(a[ia9]);
    c9_0 = fma(a9, b0, c9_0); c9_1 = fma(a9, b1, c9_1); c9_2 = fma(a9, b2, c9_2); c9_3 = fma(a9, b3, c9_3);
    let a10 = vec4f(a[ia10]);
    c10_0 = fma(a10, b0, c10_0); c10_1 = fma(a10, b1, c10_1); c10_2 = fma(a10, b2, c10_2); c10_3 = fma(a10, b3, c10_3);
    let a11 = vec4f(a[ia11]);
    c11_0 = fma(a11, b0, c11_0); c11_1 = fma(a11, b1, c11_1); c11_2 = fma(a11, b2, c11_2); c11_3 = fma(a11, b3, c11_3);
    let a12 = vec4f(a[ia12]);
    c12_0 = fma(a12, b0, c12_0); c12_1 = fma(a12, b1, c12_1); c12_2 = fma(a12, b2, c12_2); c12_3 = fma(a12, b3, c12_3);
    let a13 = vec4f(a[ia13]);
    c13_0 = fma(a13, b0, c13_0); c13_1 = fma(a13, b1, c13_1); c13_2 = fma(a13, b2, c13_2); c13_3 = fma(a13, b3, c13_3);
    let a14 = vec4f(a[ia14]);
    c14_0 = fma(a14, b0, c14_0); c14_1 = fma(a14, b1, c14_1); c14_2 = fma(a14, b2, c14_2); c14_3 = fma(a14, b3, c14_3);
    let a15 = vec4f(a[ia15]);
    c15_0 = fma(a15, b0, c15_0); c15_1 = fma(a15, b1, c15_1); c15_2 = fma(a15, b2, c15_2); c15_3 = fma(a15, b3, c15_3);
    let a16 = vec4f(a[ia16]);
    c16_0 = fma(a16, b0, c16_0); c16_1 = fma(a16, b1, c16_1); c16_2 = fma(a16, b2, c16_2); c16_3 = fma(a16, b3, c16_3);
    let a17 = vec4f(a[ia17]);
    c17_0 = fma(a17, b0, c17_0); c17_1 = fma(a17, b1, c17_1); c17_2 = fma(a17, b2, c17_2); c17_3 = fma(a17, b3, c17_3);
    let a18 = vec4f(a[ia18]);
    c18_0 = fma(a18, b0, c18_0); c18_1 = fma(a18, b1, c18_1); c18_2 = fma(a18, b2, c18_2); c18_3 = fma(a18, b3, c18_3);
    let a19 = vec4f(a[ia19]);
    c19_0 = fma(a19, b0, c19_0); c19_1 = fma(a19, b1, c19_1); c19_2 = fma(a19, b2, c19_2); c19_3 = fma(a19, b3, c19_3);
    let a20 = vec4f(a[ia20]);
    c20_0 = fma(a20, b0, c20_0); c20_1 = fma(a20, b1, c20_1); c20_2 = fma(a20, b2, c20_2); c20_3 = fma(a20, b3, c20_3);
    let a21 = vec4f(a[ia21]);
    c21_0 = fma(a21, b0, c21_0); c21_1 = fma(a21, b1, c21_1); c21_2 = fma(a21, b2, c21_2); c21_3 = fma(a21, b3, c21_3);
    let a22 = vec4f(a[ia22]);
    c22_0 = fma(a22, b0, c22_0); c22_1 = fma(a22, b1, c22_1); c22_2 = fma(a22, b2, c22_2); c22_3 = fma(a22, b3, c22_3);
    let a23 = vec4f(a[ia23]);
    c23_0 = fma(a23, b0, c23_0); c23_1 = fma(a23, b1, c23_1); c23_2 = fma(a23, b2, c23_2); c23_3 = fma(a23, b3, c23_3);
    let a24 = vec4f(a[ia24]);
    c24_0 = fma(a24, b0, c24_0); c24_1 = fma(a24, b1, c24_1); c24_2 = fma(a24, b2, c24_2); c24_3 = fma(a24, b3, c24_3);
    let a25 = vec4f(a[ia25]);
    c25_0 = fma(a25, b0, c25_0); c25_1 = fma(a25, b1, c25_1); c25_2 = fma(a25, b2, c25_2); c25_3 = fma(a25, b3, c25_3);
    let a26 = vec4f(a[ia26]);
    c26_0 = fma(a26, b0, c26_0); c26_1 = fma(a26, b1, c26_1); c26_2 = fma(a26, b2, c26_2); c26_3 = fma(a26, b3, c26_3);
    let a27 = vec4f(a[ia27]);
    c27_0 = fma(a27, b0, c27_0); c27_1 = fma(a27, b1, c27_1); c27_2 = fma(a27, b2, c27_2); c27_3 = fma(a27, b3, c27_3);
    let a28 = vec4f(a[ia28]);
    c28_0 = fma(a28, b0, c28_0); c28_1 = fma(a28, b1, c28_1); c28_2 = fma(a28, b2, c28_2); c28_3 = fma(a28, b3, c28_3);
    let a29 = vec4f(a[ia29]);
    c29_0 = fma(a29, b0, c29_0); c29_1 = fma(a29, b1, c29_1); c29_2 = fma(a29, b2, c29_2); c29_3 = fma(a29, b3, c29_3);
    let a30 = vec4f(a[ia30]);
    c30_0 = fma(a30, b0, c30_0); c30_1 = fma(a30, b1, c30_1); c30_2 = fma(a30, b2, c30_2); c30_3 = fma(a30, b3, c30_3);
    let a31 = vec4f(a[ia31]);
    c31_0 = fma(a31, b0, c31_0); c31_1 = fma(a31, b1, c31_1); c31_2 = fma(a31, b2, c31_2); c31_3 = fma(a31, b3, c31_3);
    ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
    ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
    ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
    ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
    ib0 += b_step; ib4 += b_step; ib8 += b_step; ib12 += b_step;
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let bias = load_bias(col0, last_col);
  store_row(oc, row0 + 0u, col0, c0_0, c0_1, c0_2, c0_3, bias);
  store_row(oc, row0 + 1u, col0, c1_0, c1_1, c1_2, c1_3, bias);
  store_row(oc, row0 + 2u, col0, c2_0, c2_1, c2_2, c2_3, bias);
  store_row(oc, row0 + 3u, col0, c3_0, c3_1, c3_2, c3_3, bias);
  store_row(oc, row0 + 4u, col0, c4_0, c4_1, c4_2, c4_3, bias);
  store_row(oc, row0 + 5u, col0, c5_0, c5_1, c5_2, c5_3, bias);
  store_row(oc, row0 + 6u, col0, c6_0, c6_1, c6_2, c6_3, bias);
  store_row(oc, row0 + 7u, col0, c7_0, c7_1, c7_2, c7_3, bias);
  store_row(oc, row0 + 8u, col0, c8_0, c8_1, c8_2, c8_3, bias);
  store_row(oc, row0 + 9u, col0, c9_0, c9_1, c9_2, c9_3, bias);
  store_row(oc, row0 + 10u, col0, c10_0, c10_1, c10_2, c10_3, bias);
  store_row(oc, row0 + 11u, col0, c11_0, c11_1, c11_2, c11_3, bias);
  store_row(oc, row0 + 12u, col0, c12_0, c12_1, c12_2, c12_3, bias);
  store_row(oc, row0 + 13u, col0, c13_0, c13_1, c13_2, c13_3, bias);
  store_row(oc, row0 + 14u, col0, c14_0, c14_1, c14_2, c14_3, bias);
  store_row(oc, row0 + 15u, col0, c15_0, c15_1, c15_2, c15_3, bias);
  store_row(oc, row0 + 16u, col0, c16_0, c16_1, c16_2, c16_3, bias);
  store_row(oc, row0 + 17u, col0, c17_0, c17_1, c17_2, c17_3, bias);
  store_row(oc, row0 + 18u, col0, c18_0, c18_1, c18_2, c18_3, bias);
  store_row(oc, row0 + 19u, col0, c19_0, c19_1, c19_2, c19_3, bias);
  store_row(oc, row0 + 20u, col0, c20_0, c20_1, c20_2, c20_3, bias);
  store_row(oc, row0 + 21u, col0, c21_0, c21_1, c21_2, c21_3, bias);
  store_row(oc, row0 + 22u, col0, c22_0, c22_1, c22_2, c22_3, bias);
  store_row(oc, row0 + 23u, col0, c23_0, c23_1, c23_2, c23_3, bias);
  store_row(oc, row0 + 24u, col0, c24_0, c24_1, c24_2, c24_3, bias);
  store_row(oc, row0 + 25u, col0, c25_0, c25_1, c25_2, c25_3, bias);
  store_row(oc, row0 + 26u, col0, c26_0, c26_1, c26_2, c26_3, bias);
  store_row(oc, row0 + 27u, col0, c27_0, c27_1, c27_2, c27_3, bias);
  store_row(oc, row0 + 28u, col0, c28_0, c28_1, c28_2, c28_3, bias);
  store_row(oc, row0 + 29u, col0, c29_0, c29_1, c29_2, c29_3, bias);
  store_row(oc, row0 + 30u, col0, c30_0, c30_1, c30_2, c30_3, bias);
  store_row(oc, row0 + 31u, col0, c31_0, c31_1, c31_2, c31_3, bias);
}

// matmul_small_bv4: each invocation owns rows row0 … row0+7 (shared by its workgroup) and columns
// col0 … col0+15. B is read as vec4f (b4): B not transposed, its row stride and
// offsets multiples of 4.
@compute @workgroup_size(WG)
fn matmul_small_bv4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  // Which grid axis walks the row blocks (see the header: rows_fast).
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 8u;
  let col0 = (block_col * WG + lid) * 16u;
  let last_row = p.m - 1u;
  let last_col = p.n - 1u;
  // Index steps: along l, and from one row of op(A) / column of op(B) to the next.
  let a_step = select(1u, p.lda, p.ta == 1u);
  let a_row = select(p.lda, 1u, p.ta == 1u);
  let b_step = select(p.ldb, 1u, p.tb == 1u);
  let b_col = select(1u, p.ldb, p.tb == 1u);
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  // Rows and columns past the edge read the last valid one: no checks in the loop.
  var ia0 = oa + min(row0 + 0u, last_row) * a_row;
  var ia1 = oa + min(row0 + 1u, last_row) * a_row;
  var ia2 = oa + min(row0 + 2u, last_row) * a_row;
  var ia3 = oa + min(row0 + 3u, last_row) * a_row;
  var ia4 = oa + min(row0 + 4u, last_row) * a_row;
  var ia5 = oa + min(row0 + 5u, last_row) * a_row;
  var ia6 = oa + min(row0 + 6u, last_row) * a_row;
  var ia7 = oa + min(row0 + 7u, last_row) * a_row;
  var ib0 = ob + min(col0 + 0u, last_col) * b_col;
  var ib4 = ob + min(col0 + 4u, last_col) * b_col;
  var ib8 = ob + min(col0 + 8u, last_col) * b_col;
  var ib12 = ob + min(col0 + 12u, last_col) * b_col;
  var c0_0 = vec4f(0.0); var c0_1 = vec4f(0.0); var c0_2 = vec4f(0.0); var c0_3 = vec4f(0.0);
  var c1_0 = vec4f(0.0); var c1_1 = vec4f(0.0); var c1_2 = vec4f(0.0); var c1_3 = vec4f(0.0);
  var c2_0 = vec4f(0.0); var c2_1 = vec4f(0.0); var c2_2 = vec4f(0.0); var c2_3 = vec4f(0.0);
  var c3_0 = vec4f(0.0); var c3_1 = vec4f(0.0); var c3_2 = vec4f(0.0); var c3_3 = vec4f(0.0);
  var c4_0 = vec4f(0.0); var c4_1 = vec4f(0.0); var c4_2 = vec4f(0.0); var c4_3 = vec4f(0.0);
  var c5_0 = vec4f(0.0); var c5_1 = vec4f(0.0); var c5_2 = vec4f(0.0); var c5_3 = vec4f(0.0);
  var c6_0 = vec4f(0.0); var c6_1 = vec4f(0.0); var c6_2 = vec4f(0.0); var c6_3 = vec4f(0.0);
  var c7_0 = vec4f(0.0); var c7_1 = vec4f(0.0); var c7_2 = vec4f(0.0); var c7_3 = vec4f(0.0);
  for (var l = 0u; l < p.k; l++) {
    let b0 = b4[ib0 >> 2u];
    let b1 = b4[ib4 >> 2u];
    let b2 = b4[ib8 >> 2u];
    let b3 = b4[ib12 >> 2u];
    let a0 = vec4f(a[ia0]);
    c0_0 = fma(a0, b0, c0_0); c0_1 = fma(a0, b1, c0_1); c0_2 = fma(a0, b2, c0_2); c0_3 = fma(a0, b3, c0_3);
    let a1 = vec4f(a[ia1]);
    c1_0 = fma(a1, b0, c1_0); c1_1 = fma(a1, b1, c1_1); c1_2 = fma(a1, b2, c1_2); c1_3 = fma(a1, b3, c1_3);
    let a2 = vec4f(a[ia2]);
    c2_0 = fma(a2, b0, c2_0); c2_1 = fma(a2, b1, c2_1); c2_2 = fma(a2, b2, c2_2); c2_3 = fma(a2, b3, c2_3);
    let a3 = vec4f(a[ia3]);
    c3_0 = fma(a3, b0, c3_0); c3_1 = fma(a3, b1, c3_1); c3_2 = fma(a3, b2, c3_2); c3_3 = fma(a3, b3, c3_3);
    let a4 = vec4f(a[ia4]);
    c4_0 = fma(a4, b0, c4_0); c4_1 = fma(a4, b1, c4_1); c4_2 = fma(a4, b2, c4_2); c4_3 = fma(a4, b3, c4_3);
    let a5 = vec4f(a[ia5]);
    c5_0 = fma(a5, b0, c5_0); c5_1 = fma(a5, b1, c5_1); c5_2 = fma(a5, b2, c5_2); c5_3 = fma(a5, b3, c5_3);
    let a6 = vec4f(a[ia6]);
    c6_0 = fma(a6, b0, c6_0); c6_1 = fma(a6, b1, c6_1); c6_2 = fma(a6, b2, c6_2); c6_3 = fma(a6, b3, c6_3);
    let a7 = vec4f(a[ia7]);
    c7_0 = fma(a7, b0, c7_0); c7_1 = fma(a7, b1, c7_1); c7_2 = fma(a7, b2, c7_2); c7_3 = fma(a7, b3, c7_3);
    ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
    ib0 += b_step; ib4 += b_step; ib8 += b_step; ib12 += b_step;
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let bias = load_bias(col0, last_col);
  store_row(oc, row0 + 0u, col0, c0_0, c0_1, c0_2, c0_3, bias);
  store_row(oc, row0 + 1u, col0, c1_0, c1_1, c1_2, c1_3, bias);
  store_row(oc, row0 + 2u, col0, c2_0, c2_1, c2_2, c2_3, bias);
  store_row(oc, row0 + 3u, col0, c3_0, c3_1, c3_2, c3_3, bias);
  store_row(oc, row0 + 4u, col0, c4_0, c4_1, c4_2, c4_3, bias);
  store_row(oc, row0 + 5u, col0, c5_0, c5_1, c5_2, c5_3, bias);
  store_row(oc, row0 + 6u, col0, c6_0, c6_1, c6_2, c6_3, bias);
  store_row(oc, row0 + 7u, col0, c7_0, c7_1, c7_2, c7_3, bias);
}

// matmul_bv4_ua: each invocation owns rows row0 … row0+31 (shared by its workgroup) and columns
// col0 … col0+15. B is read as vec4f (b4): B not transposed, its row stride and
// offsets multiples of 4.
// A (not transposed) is read from 64 KiB uniform-buffer windows, which llvmpipe gathers
// without the per-lane loop and bounds branches of a storage read. A launch binds up to
// 4 windows (au, au1 … au3) of p.win_rows rows each (the last may hold fewer), the
// window's first element at p.win_off; row block r reads window r·R / win_rows through
// its own copy of the l loop (llvmpipe skips the copies no lane of its SIMD group takes).
@compute @workgroup_size(WG)
fn matmul_bv4_ua(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  // Which grid axis walks the row blocks (see the header: rows_fast).
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 32u;
  let col0 = (block_col * WG + lid) * 16u;
  let last_row = p.m - 1u;
  let last_col = p.n - 1u;
  // Index steps: along l, and from one row of op(A) / column of op(B) to the next.
  let a_step = select(1u, p.lda, p.ta == 1u);
  let a_row = select(p.lda, 1u, p.ta == 1u);
  let b_step = select(p.ldb, 1u, p.tb == 1u);
  let b_col = select(1u, p.ldb, p.tb == 1u);
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  // Rows and columns past the edge read the last valid one: no checks in the loop.
  // The workgroup's window, and its rows counted from the window's first.
  let w = row0 / p.win_rows;
  let ow = p.win_off[w];
  let wrow0 = w * p.win_rows;
  var ia0 = ow + (min(row0 + 0u, last_row) - wrow0) * a_row;
  var ia1 = ow + (min(row0 + 1u, last_row) - wrow0) * a_row;
  var ia2 = ow + (min(row0 + 2u, last_row) - wrow0) * a_row;
  var ia3 = ow + (min(row0 + 3u, last_row) - wrow0) * a_row;
  var ia4 = ow + (min(row0 + 4u, last_row) - wrow0) * a_row;
  var ia5 = ow + (min(row0 + 5u, last_row) - wrow0) * a_row;
  var ia6 = ow + (min(row0 + 6u, last_row) - wrow0) * a_row;
  var ia7 = ow + (min(row0 + 7u, last_row) - wrow0) * a_row;
  var ia8 = ow + (min(row0 + 8u, last_row) - wrow0) * a_row;
  var ia9 = ow + (min(row0 + 9u, last_row) - wrow0) * a_row;
  var ia10 = ow + (min(row0 + 10u, last_row) - wrow0) * a_row;
  var ia11 = ow + (min(row0 + 11u, last_row) - wrow0) * a_row;
  var ia12 = ow + (min(row0 + 12u, last_row) - wrow0) * a_row;
  var ia13 = ow + (min(row0 + 13u, last_row) - wrow0) * a_row;
  var ia14 = ow + (min(row0 + 14u, last_row) - wrow0) * a_row;
  var ia15 = ow + (min(row0 + 15u, last_row) - wrow0) * a_row;
  var ia16 = ow + (min(row0 + 16u, last_row) - wrow0) * a_row;
  var ia17 = ow + (min(row0 + 17u, last_row) - wrow0) * a_row;
  var ia18 = ow + (min(row0 + 18u, last_row) - wrow0) * a_row;
  var ia19 = ow + (min(row0 + 19u, last_row) - wrow0) * a_row;
  var ia20 = ow + (min(row0 + 20u, last_row) - wrow0) * a_row;
  var ia21 = ow + (min(row0 + 21u, last_row) - wrow0) * a_row;
  var ia22 = ow + (min(row0 + 22u, last_row) - wrow0) * a_row;
  var ia23 = ow + (min(row0 + 23u, last_row) - wrow0) * a_row;
  var ia24 = ow + (min(row0 + 24u, last_row) - wrow0) * a_row;
  var ia25 = ow + (min(row0 + 25u, last_row) - wrow0) * a_row;
  var ia26 = ow + (min(row0 + 26u, last_row) - wrow0) * a_row;
  var ia27 = ow + (min(row0 + 27u, last_row) - wrow0) * a_row;
  var ia28 = ow + (min(row0 + 28u, last_row) - wrow0) * a_row;
  var ia29 = ow + (min(row0 + 29u, last_row) - wrow0) * a_row;
  var ia30 = ow + (min(row0 + 30u, last_row) - wrow0) * a_row;
  var ia31 = ow + (min(row0 + 31u, last_row) - wrow0) * a_row;
  var ib0 = ob + min(col0 + 0u, last_col) * b_col;
  var ib4 = ob + min(col0 + 4u, last_col) * b_col;
  var ib8 = ob + min(col0 + 8u, last_col) * b_col;
  var ib12 = ob + min(col0 + 12u, last_col) * b_col;
  var c0_0 = vec4f(0.0); var c0_1 = vec4f(0.0); var c0_2 = vec4f(0.0); var c0_3 = vec4f(0.0);
  var c1_0 = vec4f(0.0); var c1_1 = vec4f(0.0); var c1_2 = vec4f(0.0); var c1_3 = vec4f(0.0);
  var c2_0 = vec4f(0.0); var c2_1 = vec4f(0.0); var c2_2 = vec4f(0.0); var c2_3 = vec4f(0.0);
  var c3_0 = vec4f(0.0); var c3_1 = vec4f(0.0); var c3_2 = vec4f(0.0); var c3_3 = vec4f(0.0);
  var c4_0 = vec4f(0.0); var c4_1 = vec4f(0.0); var c4_2 = vec4f(0.0); var c4_3 = vec4f(0.0);
  var c5_0 = vec4f(0.0); var c5_1 = vec4f(0.0); var c5_2 = vec4f(0.0); var c5_3 = vec4f(0.0);
  var c6_0 = vec4f(0.0); var c6_1 = vec4f(0.0); var c6_2 = vec4f(0.0); var c6_3 = vec4f(0.0);
  var c7_0 = vec4f(0.0); var c7_1 = vec4f(0.0); var c7_2 = vec4f(0.0); var c7_3 = vec4f(0.0);
  var c8_0 = vec4f(0.0); var c8_1 = vec4f(0.0); var c8_2 = vec4f(0.0); var c8_3 = vec4f(0.0);
  var c9_0 = vec4f(0.0); var c9_1 = vec4f(0.0); var c9_2 = vec4f(0.0); var c9_3 = vec4f(0.0);
  var c10_0 = vec4f(0.0); var c10_1 = vec4f(0.0); var c10_2 = vec4f(0.0); var c10_3 = vec4f(0.0);
  var c11_0 = vec4f(0.0); var c11_1 = vec4f(0.0); var c11_2 = vec4f(0.0); var c11_3 = vec4f(0.0);
  var c12_0 = vec4f(0.0); var c12_1 = vec4f(0.0); var c12_2 = vec4f(0.0); var c12_3 = vec4f(0.0);
  var c13_0 = vec4f(0.0); var c13_1 = vec4f(0.0); var c13_2 = vec4f(0.0); var c13_3 = vec4f(0.0);
  var c14_0 = vec4f(0.0); var c14_1 = vec4f(0.0); var c14_2 = vec4f(0.0); var c14_3 = vec4f(0.0);
  var c15_0 = vec4f(0.0); var c15_1 = vec4f(0.0); var c15_2 = vec4f(0.0); var c15_3 = vec4f(0.0);
  var c16_0 = vec4f(0.0); var c16_1 = vec4f(0.0); var c16_2 = vec4f(0.0); var c16_3 = vec4f(0.0);
  var c17_0 = vec4f(0.0); var c17_1 = vec4f(0.0); var c17_2 = vec4f(0.0); var c17_3 = vec4f(0.0);
  var c18_0 = vec4f(0.0); var c18_1 = vec4f(0.0); var c18_2 = vec4f(0.0); var c18_3 = vec4f(0.0);
  var c19_0 = vec4f(0.0); var c19_1 = vec4f(0.0); var c19_2 = vec4f(0.0); var c19_3 = vec4f(0.0);
  var c20_0 = vec4f(0.0); var c20_1 = vec4f(0.0); var c20_2 = vec4f(0.0); var c20_3 = vec4f(0.0);
  var c21_0 = vec4f(0.0); var c21_1 = vec4f(0.0); var c21_2 = vec4f(0.0); var c21_3 = vec4f(0.0);
  var c22_0 = vec4f(0.0); var c22_1 = vec4f(0.0); var c22_2 = vec4f(0.0); var c22_3 = vec4f(0.0);
  var c23_0 = vec4f(0.0); var c23_1 = vec4f(0.0); var c23_2 = vec4f(0.0); var c23_3 = vec4f(0.0);
  var c24_0 = vec4f(0.0); var c24_1 = vec4f(0.0); var c24_2 = vec4f(0.0); var c24_3 = vec4f(0.0);
  var c25_0 = vec4f(0.0); var c25_1 = vec4f(0.0); var c25_2 = vec4f(0.0); var c25_3 = vec4f(0.0);
  var c26_0 = vec4f(0.0); var c26_1 = vec4f(0.0); var c26_2 = vec4f(0.0); var c26_3 = vec4f(0.0);
  var c27_0 = vec4f(0.0); var c27_1 = vec4f(0.0); var c27_2 = vec4f(0.0); var c27_3 = vec4f(0.0);
  var c28_0 = vec4f(0.0); var c28_1 = vec4f(0.0); var c28_2 = vec4f(0.0); var c28_3 = vec4f(0.0);
  var c29_0 = vec4f(0.0); var c29_1 = vec4f(0.0); var c29_2 = vec4f(0.0); var c29_3 = vec4f(0.0);
  var c30_0 = vec4f(0.0); var c30_1 = vec4f(0.0); var c30_2 = vec4f(0.0); var c30_3 = vec4f(0.0);
  var c31_0 = vec4f(0.0); var c31_1 = vec4f(0.0); var c31_2 = vec4f(0.0); var c31_3 = vec4f(0.0);
  switch w {
    case 0u: {
      for (var l = 0u; l < p.k; l++) {
        let b0 = b4[ib0 >> 2u];
        let b1 = b4[ib4 >> 2u];
        let b2 = b4[ib8 >> 2u];
        let b3 = b4[ib12 >> 2u];
        let ar0 = vec4f(au[ia0 >> 2u][ia0 & 3u]);
        c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
        let ar1 = vec4f(au[ia1 >> 2u][ia1 & 3u]);
        c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
        let ar2 = vec4f(au[ia2 >> 2u][ia2 & 3u]);
        c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
        let ar3 = vec4f(au[ia3 >> 2u][ia3 & 3u]);
        c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
        let ar4 = vec4f(au[ia4 >> 2u][ia4 & 3u]);
        c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
        let ar5 = vec4f(au[ia5 >> 2u][ia5 & 3u]);
        c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
        let ar6 = vec4f(au[ia6 >> 2u][ia6 & 3u]);
        c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
        let ar7 = vec4f(au[ia7 >> 2u][ia7 & 3u]);
        c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
        let ar8 = vec4f(au[ia8 >> 2u][ia8 & 3u]);
        c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
        let ar9 = vec4f(au[ia9 >> 2u][ia9 & 3u]);
        c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
        let ar10 = vec4f(au[ia10 >> 2u][ia10 & 3u]);
        c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
        let ar11 = vec4f(au[ia11 >> 2u][ia11 & 3u]);
        c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
        let ar12 = vec4f(au[ia12 >> 2u][ia12 & 3u]);
        c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
        let ar13 = vec4f(au[ia13 >> 2u][ia13 & 3u]);
        c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
        let ar14 = vec4f(au[ia14 >> 2u][ia14 & 3u]);
        c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
        let ar15 = vec4f(au[ia15 >> 2u][ia15 & 3u]);
        c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
        let ar16 = vec4f(au[ia16 >> 2u][ia16 & 3u]);
        c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
        let ar17 = vec4f(au[ia17 >> 2u][ia17 & 3u]);
        c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
        let ar18 = vec4f(au[ia18 >> 2u][ia18 & 3u]);
        c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
        let ar19 = vec4f(au[ia19 >> 2u][ia19 & 3u]);
        c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
        let ar20 = vec4f(au[ia20 >> 2u][ia20 & 3u]);
        c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
        let ar21 = vec4f(au[ia21 >> 2u][ia21 & 3u]);
        c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
        let ar22 = vec4f(au[ia22 >> 2u][ia22 & 3u]);
        c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
        let ar23 = vec4f(au[ia23 >> 2u][ia23 & 3u]);
        c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
        let ar24 = vec4f(au[ia24 >> 2u][ia24 & 3u]);
        c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
        let ar25 = vec4f(au[ia25 >> 2u][ia25 & 3u]);
        c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
        let ar26 = vec4f(au[ia26 >> 2u][ia26 & 3u]);
        c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
        let ar27 = vec4f(au[ia27 >> 2u][ia27 & 3u]);
        c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
        let ar28 = vec4f(au[ia28 >> 2u][ia28 & 3u]);
        c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
        let ar29 = vec4f(au[ia29 >> 2u][ia29 & 3u]);
        c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
        let ar30 = vec4f(au[ia30 >> 2u][ia30 & 3u]);
        c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
        let ar31 = vec4f(au[ia31 >> 2u][ia31 & 3u]);
        c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
        ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
        ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
        ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
        ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
        ib0 += b_step; ib4 += b_step; ib8 += b_step; ib12 += b_step;
      }
    }
    case 1u: {
      for (var l = 0u; l < p.k; l++) {
        let b0 = b4[ib0 >> 2u];
        let b1 = b4[ib4 >> 2u];
        let b2 = b4[ib8 >> 2u];
        let b3 = b4[ib12 >> 2u];
        let ar0 = vec4f(au1[ia0 >> 2u][ia0 & 3u]);
        c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
        let ar1 = vec4f(au1[ia1 >> 2u][ia1 & 3u]);
        c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
        let ar2 = vec4f(au1[ia2 >> 2u][ia2 & 3u]);
        c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
        let ar3 = vec4f(au1[ia3 >> 2u][ia3 & 3u]);
        c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
        let ar4 = vec4f(au1[ia4 >> 2u][ia4 & 3u]);
        c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
        let ar5 = vec4f(au1[ia5 >> 2u][ia5 & 3u]);
        c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
        let ar6 = vec4f(au1[ia6 >> 2u][ia6 & 3u]);
        c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
        let ar7 = vec4f(au1[ia7 >> 2u][ia7 & 3u]);
        c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
        let ar8 = vec4f(au1[ia8 >> 2u][ia8 & 3u]);
        c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
        let ar9 = vec4f(au1[ia9 >> 2u][ia9 & 3u]);
        c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
        let ar10 = vec4f(au1[ia10 >> 2u][ia10 & 3u]);
        c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
        let ar11 = vec4f(au1[ia11 >> 2u][ia11 & 3u]);
        c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
        let ar12 = vec4f(au1[ia12 >> 2u][ia12 & 3u]);
        c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
        let ar13 = vec4f(au1[ia13 >> 2u][ia13 & 3u]);
        c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
        let ar14 = vec4f(au1[ia14 >> 2u][ia14 & 3u]);
        c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
        let ar15 = vec4f(au1[ia15 >> 2u][ia15 & 3u]);
        c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
        let ar16 = vec4f(au1[ia16 >> 2u][ia16 & 3u]);
        c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
        let ar17 = vec4f(au1[ia17 >> 2u][ia17 & 3u]);
        c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
        let ar18 = vec4f(au1[ia18 >> 2u][ia18 & 3u]);
        c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
        let ar19 = vec4f(au1[ia19 >> 2u][ia19 & 3u]);
        c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
        let ar20 = vec4f(au1[ia20 >> 2u][ia20 & 3u]);
        c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
        let ar21 = vec4f(au1[ia21 >> 2u][ia21 & 3u]);
        c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
        let ar22 = vec4f(au1[ia22 >> 2u][ia22 & 3u]);
        c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
        let ar23 = vec4f(au1[ia23 >> 2u][ia23 & 3u]);
        c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
        let ar24 = vec4f(au1[ia24 >> 2u][ia24 & 3u]);
        c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
        let ar25 = vec4f(au1[ia25 >> 2u][ia25 & 3u]);
        c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
        let ar26 = vec4f(au1[ia26 >> 2u][ia26 & 3u]);
        c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
        let ar27 = vec4f(au1[ia27 >> 2u][ia27 & 3u]);
        c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
        let ar28 = vec4f(au1[ia28 >> 2u][ia28 & 3u]);
        c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
        let ar29 = vec4f(au1[ia29 >> 2u][ia29 & 3u]);
        c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
        let ar30 = vec4f(au1[ia30 >> 2u][ia30 & 3u]);
        c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
        let ar31 = vec4f(au1[ia31 >> 2u][ia31 & 3u]);
        c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
        ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
        ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
        ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
        ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
        ib0 += b_step; ib4 += b_step; ib8 += b_step; ib12 += b_step;
      }
    }
    case 2u: {
      for (var l = 0u; l < p.k; l++) {
        let b0 = b4[ib0 >> 2u];
        let b1 = b4[ib4 >> 2u];
        let b2 = b4[ib8 >> 2u];
        let b3 = b4[ib12 >> 2u];
        let ar0 = vec4f(au2[ia0 >> 2u][ia0 & 3u]);
        c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
        let ar1 = vec4f(au2[ia1 >> 2u][ia1 & 3u]);
        c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
        let ar2 = vec4f(au2[ia2 >> 2u][ia2 & 3u]);
        c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
        let ar3 = vec4f(au2[ia3 >> 2u][ia3 & 3u]);
        c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
        let ar4 = vec4f(au2[ia4 >> 2u][ia4 & 3u]);
        c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
        let ar5 = vec4f(au2[ia5 >> 2u][ia5 & 3u]);
        c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
        let ar6 = vec4f(au2[ia6 >> 2u][ia6 & 3u]);
        c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
        let ar7 = vec4f(au2[ia7 >> 2u][ia7 & 3u]);
        c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
        let ar8 = vec4f(au2[ia8 >> 2u][ia8 & 3u]);
        c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
        let ar9 = vec4f(au2[ia9 >> 2u][ia9 & 3u]);
        c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
        let ar10 = vec4f(au2[ia10 >> 2u][ia10 & 3u]);
        c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
        let ar11 = vec4f(au2[ia11 >> 2u][ia11 & 3u]);
        c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
        let ar12 = vec4f(au2[ia12 >> 2u][ia12 & 3u]);
        c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
        let ar13 = vec4f(au2[ia13 >> 2u][ia13 & 3u]);
        c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
        let ar14 = vec4f(au2[ia14 >> 2u][ia14 & 3u]);
        c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
        let ar15 = vec4f(au2[ia15 >> 2u][ia15 & 3u]);
        c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
        let ar16 = vec4f(au2[ia16 >> 2u][ia16 & 3u]);
        c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
        let ar17 = vec4f(au2[ia17 >> 2u][ia17 & 3u]);
        c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
        let ar18 = vec4f(au2[ia18 >> 2u][ia18 & 3u]);
        c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
        let ar19 = vec4f(au2[ia19 >> 2u][ia19 & 3u]);
        c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
        let ar20 = vec4f(au2[ia20 >> 2u][ia20 & 3u]);
        c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
        let ar21 = vec4f(au2[ia21 >> 2u][ia21 & 3u]);
        c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
        let ar22 = vec4f(au2[ia22 >> 2u][ia22 & 3u]);
        c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
        let ar23 = vec4f(au2[ia23 >> 2u][ia23 & 3u]);
        c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
        let ar24 = vec4f(au2[ia24 >> 2u][ia24 & 3u]);
        c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
        let ar25 = vec4f(au2[ia25 >> 2u][ia25 & 3u]);
        c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
        let ar26 = vec4f(au2[ia26 >> 2u][ia26 & 3u]);
        c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
        let ar27 = vec4f(au2[ia27 >> 2u][ia27 & 3u]);
        c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
        let ar28 = vec4f(au2[ia28 >> 2u][ia28 & 3u]);
        c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
        let ar29 = vec4f(au2[ia29 >> 2u][ia29 & 3u]);
        c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
        let ar30 = vec4f(au2[ia30 >> 2u][ia30 & 3u]);
        c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
        let ar31 = vec4f(au2[ia31 >> 2u][ia31 & 3u]);
        c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
        ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
        ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
        ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
        ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
        ib0 += b_step; ib4 += b_step; ib8 += b_step; ib12 += b_step;
      }
    }
    default: {
      for (var l = 0u; l < p.k; l++) {
        let b0 = b4[ib0 >> 2u];
        let b1 = b4[ib4 >> 2u];
        let b2 = b4[ib8 >> 2u];
        let b3 = b4[ib12 >> 2u];
        let ar0 = vec4f(au3[ia0 >> 2u][ia0 & 3u]);
        c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
        let ar1 = vec4f(au3[ia1 >> 2u][ia1 & 3u]);
        c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
        let ar2 = vec4f(au3[ia2 >> 2u][ia2 & 3u]);
        c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
        let ar3 = vec4f(au3[ia3 >> 2u][ia3 & 3u]);
        c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
        let ar4 = vec4f(au3[ia4 >> 2u][ia4 & 3u]);
        c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
        let ar5 = vec4f(au3[ia5 >> 2u][ia5 & 3u]);
        c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
        let ar6 = vec4f(au3[ia6 >> 2u][ia6 & 3u]);
        c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
        let ar7 = vec4f(au3[ia7 >> 2u][ia7 & 3u]);
        c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
        let ar8 = vec4f(au3[ia8 >> 2u][ia8 & 3u]);
        c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
        let ar9 = vec4f(au3[ia9 >> 2u][ia9 & 3u]);
        c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
        let ar10 = vec4f(au3[ia10 >> 2u][ia10 & 3u]);
        c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
        let ar11 = vec4f(au3[ia11 >> 2u][ia11 & 3u]);
        c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
        let ar12 = vec4f(au3[ia12 >> 2u][ia12 & 3u]);
        c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
        let ar13 = vec4f(au3[ia13 >> 2u][ia13 & 3u]);
        c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
        let ar14 = vec4f(au3[ia14 >> 2u][ia14 & 3u]);
        c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
        let ar15 = vec4f(au3[ia15 >> 2u][ia15 & 3u]);
        c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
        let ar16 = vec4f(au3[ia16 >> 2u][ia16 & 3u]);
        c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
        let ar17 = vec4f(au3[ia17 >> 2u][ia17 & 3u]);
        c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
        let ar18 = vec4f(au3[ia18 >> 2u][ia18 & 3u]);
        c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
        let ar19 = vec4f(au3[ia19 >> 2u][ia19 & 3u]);
        c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
        let ar20 = vec4f(au3[ia20 >> 2u][ia20 & 3u]);
        c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
        let ar21 = vec4f(au3[ia21 >> 2u][ia21 & 3u]);
        c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
        let ar22 = vec4f(au3[ia22 >> 2u][ia22 & 3u]);
        c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
        let ar23 = vec4f(au3[ia23 >> 2u][ia23 & 3u]);
        c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
        let ar24 = vec4f(au3[ia24 >> 2u][ia24 & 3u]);
        c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
        let ar25 = vec4f(au3[ia25 >> 2u][ia25 & 3u]);
        c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
        let ar26 = vec4f(au3[ia26 >> 2u][ia26 & 3u]);
        c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
        let ar27 = vec4f(au3[ia27 >> 2u][ia27 & 3u]);
        c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
        let ar28 = vec4f(au3[ia28 >> 2u][ia28 & 3u]);
        c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
        let ar29 = vec4f(au3[ia29 >> 2u][ia29 & 3u]);
        c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
        let ar30 = vec4f(au3[ia30 >> 2u][ia30 & 3u]);
        c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
        let ar31 = vec4f(au3[ia31 >> 2u][ia31 & 3u]);
        c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
        ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
        ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
        ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
        ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
        ib0 += b_step; ib4 += b_step; ib8 += b_step; ib12 += b_step;
      }
    }
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let bias = load_bias(col0, last_col);
  store_row(oc, row0 + 0u, col0, c0_0, c0_1, c0_2, c0_3, bias);
  store_row(oc, row0 + 1u, col0, c1_0, c1_1, c1_2, c1_3, bias);
  store_row(oc, row0 + 2u, col0, c2_0, c2_1, c2_2, c2_3, bias);
  store_row(oc, row0 + 3u, col0, c3_0, c3_1, c3_2, c3_3, bias);
  store_row(oc, row0 + 4u, col0, c4_0, c4_1, c4_2, c4_3, bias);
  store_row(oc, row0 + 5u, col0, c5_0, c5_1, c5_2, c5_3, bias);
  store_row(oc, row0 + 6u, col0, c6_0, c6_1, c6_2, c6_3, bias);
  store_row(oc, row0 + 7u, col0, c7_0, c7_1, c7_2, c7_3, bias);
  store_row(oc, row0 + 8u, col0, c8_0, c8_1, c8_2, c8_3, bias);
  store_row(oc, row0 + 9u, col0, c9_0, c9_1, c9_2, c9_3, bias);
  store_row(oc, row0 + 10u, col0, c10_0, c10_1, c10_2, c10_3, bias);
  store_row(oc, row0 + 11u, col0, c11_0, c11_1, c11_2, c11_3, bias);
  store_row(oc, row0 + 12u, col0, c12_0, c12_1, c12_2, c12_3, bias);
  store_row(oc, row0 + 13u, col0, c13_0, c13_1, c13_2, c13_3, bias);
  store_row(oc, row0 + 14u, col0, c14_0, c14_1, c14_2, c14_3, bias);
  store_row(oc, row0 + 15u, col0, c15_0, c15_1, c15_2, c15_3, bias);
  store_row(oc, row0 + 16u, col0, c16_0, c16_1, c16_2, c16_3, bias);
  store_row(oc, row0 + 17u, col0, c17_0, c17_1, c17_2, c17_3, bias);
  store_row(oc, row0 + 18u, col0, c18_0, c18_1, c18_2, c18_3, bias);
  store_row(oc, row0 + 19u, col0, c19_0, c19_1, c19_2, c19_3, bias);
  store_row(oc, row0 + 20u, col0, c20_0, c20_1, c20_2, c20_3, bias);
  store_row(oc, row0 + 21u, col0, c21_0, c21_1, c21_2, c21_3, bias);
  store_row(oc, row0 + 22u, col0, c22_0, c22_1, c22_2, c22_3, bias);
  store_row(oc, row0 + 23u, col0, c23_0, c23_1, c23_2, c23_3, bias);
  store_row(oc, row0 + 24u, col0, c24_0, c24_1, c24_2, c24_3, bias);
  store_row(oc, row0 + 25u, col0, c25_0, c25_1, c25_2, c25_3, bias);
  store_row(oc, row0 + 26u, col0, c26_0, c26_1, c26_2, c26_3, bias);
  store_row(oc, row0 + 27u, col0, c27_0, c27_1, c27_2, c27_3, bias);
  store_row(oc, row0 + 28u, col0, c28_0, c28_1, c28_2, c28_3, bias);
  store_row(oc, row0 + 29u, col0, c29_0, c29_1, c29_2, c29_3, bias);
  store_row(oc, row0 + 30u, col0, c30_0, c30_1, c30_2, c30_3, bias);
  store_row(oc, row0 + 31u, col0, c31_0, c31_1, c31_2, c31_3, bias);
}

// matmul_bv4_av4: each invocation owns rows row0 … row0+31 (shared by its workgroup) and columns
// col0 … col0+15. B is read as vec4f (b4): B not transposed, its row stride and
// offsets multiples of 4.
// A is stored (K, M) and read as vec4f (a4): at each l the block's rows are 8
// consecutive vec4f (its row stride and offsets multiples of 4; reads past the binding
// are clamped to its last vec4f, and rows past M are never stored).
@compute @workgroup_size(WG)
fn matmul_bv4_av4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  // Which grid axis walks the row blocks (see the header: rows_fast).
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 32u;
  let col0 = (block_col * WG + lid) * 16u;
  let last_row = p.m - 1u;
  let last_col = p.n - 1u;
  // Index steps: along l, and from one row of op(A) / column of op(B) to the next.
  let a_step = select(1u, p.lda, p.ta == 1u);
  let a_row = select(p.lda, 1u, p.ta == 1u);
  let b_step = select(p.ldb, 1u, p.tb == 1u);
  let b_col = select(1u, p.ldb, p.tb == 1u);
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  // Rows and columns past the edge read the last valid one: no checks in the loop.
  var iq = (oa + row0) >> 2u;
  let last_q = arrayLength(&a4) - 1u;
  var ib0 = ob + min(col0 + 0u, last_col) * b_col;
  var ib4 = ob + min(col0 + 4u, last_col) * b_col;
  var ib8 = ob + min(col0 + 8u, last_col) * b_col;
  var ib12 = ob + min(col0 + 12u, last_col) * b_col;
  var c0_0 = vec4f(0.0); var c0_1 = vec4f(0.0); var c0_2 = vec4f(0.0); var c0_3 = vec4f(0.0);
  var c1_0 = vec4f(0.0); var c1_1 = vec4f(0.0); var c1_2 = vec4f(0.0); var c1_3 = vec4f(0.0);
  var c2_0 = vec4f(0.0); var c2_1 = vec4f(0.0); var c2_2 = vec4f(0.0); var c2_3 = vec4f(0.0);
  var c3_0 = vec4f(0.0); var c3_1 = vec4f(0.0); var c3_2 = vec4f(0.0); var c3_3 = vec4f(0.0);
  var c4_0 = vec4f(0.0); var c4_1 = vec4f(0.0); var c4_2 = vec4f(0.0); var c4_3 = vec4f(0.0);
  var c5_0 = vec4f(0.0); var c5_1 = vec4f(0.0); var c5_2 = vec4f(0.0); var c5_3 = vec4f(0.0);
  var c6_0 = vec4f(0.0); var c6_1 = vec4f(0.0); var c6_2 = vec4f(0.0); var c6_3 = vec4f(0.0);
  var c7_0 = vec4f(0.0); var c7_1 = vec4f(0.0); var c7_2 = vec4f(0.0); var c7_3 = vec4f(0.0);
  var c8_0 = vec4f(0.0); var c8_1 = vec4f(0.0); var c8_2 = vec4f(0.0); var c8_3 = vec4f(0.0);
  var c9_0 = vec4f(0.0); var c9_1 = vec4f(0.0); var c9_2 = vec4f(0.0); var c9_3 = vec4f(0.0);
  var c10_0 = vec4f(0.0); var c10_1 = vec4f(0.0); var c10_2 = vec4f(0.0); var c10_3 = vec4f(0.0);
  var c11_0 = vec4f(0.0); var c11_1 = vec4f(0.0); var c11_2 = vec4f(0.0); var c11_3 = vec4f(0.0);
  var c12_0 = vec4f(0.0); var c12_1 = vec4f(0.0); var c12_2 = vec4f(0.0); var c12_3 = vec4f(0.0);
  var c13_0 = vec4f(0.0); var c13_1 = vec4f(0.0); var c13_2 = vec4f(0.0); var c13_3 = vec4f(0.0);
  var c14_0 = vec4f(0.0); var c14_1 = vec4f(0.0); var c14_2 = vec4f(0.0); var c14_3 = vec4f(0.0);
  var c15_0 = vec4f(0.0); var c15_1 = vec4f(0.0); var c15_2 = vec4f(0.0); var c15_3 = vec4f(0.0);
  var c16_0 = vec4f(0.0); var c16_1 = vec4f(0.0); var c16_2 = vec4f(0.0); var c16_3 = vec4f(0.0);
  var c17_0 = vec4f(0.0); var c17_1 = vec4f(0.0); var c17_2 = vec4f(0.0); var c17_3 = vec4f(0.0);
  var c18_0 = vec4f(0.0); var c18_1 = vec4f(0.0); var c18_2 = vec4f(0.0); var c18_3 = vec4f(0.0);
  var c19_0 = vec4f(0.0); var c19_1 = vec4f(0.0); var c19_2 = vec4f(0.0); var c19_3 = vec4f(0.0);
  var c20_0 = vec4f(0.0); var c20_1 = vec4f(0.0); var c20_2 = vec4f(0.0); var c20_3 = vec4f(0.0);
  var c21_0 = vec4f(0.0); var c21_1 = vec4f(0.0); var c21_2 = vec4f(0.0); var c21_3 = vec4f(0.0);
  var c22_0 = vec4f(0.0); var c22_1 = vec4f(0.0); var c22_2 = vec4f(0.0); var c22_3 = vec4f(0.0);
  var c23_0 = vec4f(0.0); var c23_1 = vec4f(0.0); var c23_2 = vec4f(0.0); var c23_3 = vec4f(0.0);
  var c24_0 = vec4f(0.0); var c24_1 = vec4f(0.0); var c24_2 = vec4f(0.0); var c24_3 = vec4f(0.0);
  var c25_0 = vec4f(0.0); var c25_1 = vec4f(0.0); var c25_2 = vec4f(0.0); var c25_3 = vec4f(0.0);
  var c26_0 = vec4f(0.0); var c26_1 = vec4f(0.0); var c26_2 = vec4f(0.0); var c26_3 = vec4f(0.0);
  var c27_0 = vec4f(0.0); var c27_1 = vec4f(0.0); var c27_2 = vec4f(0.0); var c27_3 = vec4f(0.0);
  var c28_0 = vec4f(0.0); var c28_1 = vec4f(0.0); var c28_2 = vec4f(0.0); var c28_3 = vec4f(0.0);
  var c29_0 = vec4f(0.0); var c29_1 = vec4f(0.0); var c29_2 = vec4f(0.0); var c29_3 = vec4f(0.0);
  var c30_0 = vec4f(0.0); var c30_1 = vec4f(0.0); var c30_2 = vec4f(0.0); var c30_3 = vec4f(0.0);
  var c31_0 = vec4f(0.0); var c31_1 = vec4f(0.0); var c31_2 = vec4f(0.0); var c31_3 = vec4f(0.0);
  for (var l = 0u; l < p.k; l++) {
    let b0 = b4[ib0 >> 2u];
    let b1 = b4[ib4 >> 2u];
    let b2 = b4[ib8 >> 2u];
    let b3 = b4[ib12 >> 2u];
    let qa0 = a4[min(iq + 0u, last_q)];
    let ar0 = vec4f(qa0.x);
    c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
    let ar1 = vec4f(qa0.y);
    c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
    let ar2 = vec4f(qa0.z);
    c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
    let ar3 = vec4f(qa0.w);
    c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
    let qa1 = a4[min(iq + 1u, last_q)];
    let ar4 = vec4f(qa1.x);
    c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
    let ar5 = vec4f(qa1.y);
    c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
    let ar6 = vec4f(qa1.z);
    c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
    let ar7 = vec4f(qa1.w);
    c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
    let qa2 = a4[min(iq + 2u, last_q)];
    let ar8 = vec4f(qa2.x);
    c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
    let ar9 = vec4f(qa2.y);
    c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
    let ar10 = vec4f(qa2.z);
    c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
    let ar11 = vec4f(qa2.w);
    c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
    let qa3 = a4[min(iq + 3u, last_q)];
    let ar12 = vec4f(qa3.x);
    c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
    let ar13 = vec4f(qa3.y);
    c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
    let ar14 = vec4f(qa3.z);
    c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
    let ar15 = vec4f(qa3.w);
    c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
    let qa4 = a4[min(iq + 4u, last_q)];
    let ar16 = vec4f(qa4.x);
    c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
    let ar17 = vec4f(qa4.y);
    c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
    let ar18 = vec4f(qa4.z);
    c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
    let ar19 = vec4f(qa4.w);
    c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
    let qa5 = a4[min(iq + 5u, last_q)];
    let ar20 = vec4f(qa5.x);
    c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
    let ar21 = vec4f(qa5.y);
    c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
    let ar22 = vec4f(qa5.z);
    c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
    let ar23 = vec4f(qa5.w);
    c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
    let qa6 = a4[min(iq + 6u, last_q)];
    let ar24 = vec4f(qa6.x);
    c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
    let ar25 = vec4f(qa6.y);
    c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
    let ar26 = vec4f(qa6.z);
    c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
    let ar27 = vec4f(qa6.w);
    c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
    let qa7 = a4[min(iq + 7u, last_q)];
    let ar28 = vec4f(qa7.x);
    c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
    let ar29 = vec4f(qa7.y);
    c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
    let ar30 = vec4f(qa7.z);
    c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
    let ar31 = vec4f(qa7.w);
    c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
    iq += a_step >> 2u;
    ib0 += b_step; ib4 += b_step; ib8 += b_step; ib12 += b_step;
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let bias = load_bias(col0, last_col);
  store_row(oc, row0 + 0u, col0, c0_0, c0_1, c0_2, c0_3, bias);
  store_row(oc, row0 + 1u, col0, c1_0, c1_1, c1_2, c1_3, bias);
  store_row(oc, row0 + 2u, col0, c2_0, c2_1, c2_2, c2_3, bias);
  store_row(oc, row0 + 3u, col0, c3_0, c3_1, c3_2, c3_3, bias);
  store_row(oc, row0 + 4u, col0, c4_0, c4_1, c4_2, c4_3, bias);
  store_row(oc, row0 + 5u, col0, c5_0, c5_1, c5_2, c5_3, bias);
  store_row(oc, row0 + 6u, col0, c6_0, c6_1, c6_2, c6_3, bias);
  store_row(oc, row0 + 7u, col0, c7_0, c7_1, c7_2, c7_3, bias);
  store_row(oc, row0 + 8u, col0, c8_0, c8_1, c8_2, c8_3, bias);
  store_row(oc, row0 + 9u, col0, c9_0, c9_1, c9_2, c9_3, bias);
  store_row(oc, row0 + 10u, col0, c10_0, c10_1, c10_2, c10_3, bias);
  store_row(oc, row0 + 11u, col0, c11_0, c11_1, c11_2, c11_3, bias);
  store_row(oc, row0 + 12u, col0, c12_0, c12_1, c12_2, c12_3, bias);
  store_row(oc, row0 + 13u, col0, c13_0, c13_1, c13_2, c13_3, bias);
  store_row(oc, row0 + 14u, col0, c14_0, c14_1, c14_2, c14_3, bias);
  store_row(oc, row0 + 15u, col0, c15_0, c15_1, c15_2, c15_3, bias);
  store_row(oc, row0 + 16u, col0, c16_0, c16_1, c16_2, c16_3, bias);
  store_row(oc, row0 + 17u, col0, c17_0, c17_1, c17_2, c17_3, bias);
  store_row(oc, row0 + 18u, col0, c18_0, c18_1, c18_2, c18_3, bias);
  store_row(oc, row0 + 19u, col0, c19_0, c19_1, c19_2, c19_3, bias);
  store_row(oc, row0 + 20u, col0, c20_0, c20_1, c20_2, c20_3, bias);
  store_row(oc, row0 + 21u, col0, c21_0, c21_1, c21_2, c21_3, bias);
  store_row(oc, row0 + 22u, col0, c22_0, c22_1, c22_2, c22_3, bias);
  store_row(oc, row0 + 23u, col0, c23_0, c23_1, c23_2, c23_3, bias);
  store_row(oc, row0 + 24u, col0, c24_0, c24_1, c24_2, c24_3, bias);
  store_row(oc, row0 + 25u, col0, c25_0, c25_1, c25_2, c25_3, bias);
  store_row(oc, row0 + 26u, col0, c26_0, c26_1, c26_2, c26_3, bias);
  store_row(oc, row0 + 27u, col0, c27_0, c27_1, c27_2, c27_3, bias);
  store_row(oc, row0 + 28u, col0, c28_0, c28_1, c28_2, c28_3, bias);
  store_row(oc, row0 + 29u, col0, c29_0, c29_1, c29_2, c29_3, bias);
  store_row(oc, row0 + 30u, col0, c30_0, c30_1, c30_2, c30_3, bias);
  store_row(oc, row0 + 31u, col0, c31_0, c31_1, c31_2, c31_3, bias);
}

// matmul_ua: each invocation owns rows row0 … row0+31 (shared by its workgroup) and columns
// col0 … col0+15.
// A (not transposed) is read from 64 KiB uniform-buffer windows, which llvmpipe gathers
// without the per-lane loop and bounds branches of a storage read. A launch binds up to
// 4 windows (au, au1 … au3) of p.win_rows rows each (the last may hold fewer), the
// window's first element at p.win_off; row block r reads window r·R / win_rows through
// its own copy of the l loop (llvmpipe skips the copies no lane of its SIMD group takes).
@compute @workgroup_size(WG)
fn matmul_ua(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  // Which grid axis walks the row blocks (see the header: rows_fast).
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 32u;
  let col0 = (block_col * WG + lid) * 16u;
  let last_row = p.m - 1u;
  let last_col = p.n - 1u;
  // Index steps: along l, and from one row of op(A) / column of op(B) to the next.
  let a_step = select(1u, p.lda, p.ta == 1u);
  let a_row = select(p.lda, 1u, p.ta == 1u);
  let b_step = select(p.ldb, 1u, p.tb == 1u);
  let b_col = select(1u, p.ldb, p.tb == 1u);
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  // Rows and columns past the edge read the last valid one: no checks in the loop.
  // The workgroup's window, and its rows counted from the window's first.
  let w = row0 / p.win_rows;
  let ow = p.win_off[w];
  let wrow0 = w * p.win_rows;
  var ia0 = ow + (min(row0 + 0u, last_row) - wrow0) * a_row;
  var ia1 = ow + (min(row0 + 1u, last_row) - wrow0) * a_row;
  var ia2 = ow + (min(row0 + 2u, last_row) - wrow0) * a_row;
  var ia3 = ow + (min(row0 + 3u, last_row) - wrow0) * a_row;
  var ia4 = ow + (min(row0 + 4u, last_row) - wrow0) * a_row;
  var ia5 = ow + (min(row0 + 5u, last_row) - wrow0) * a_row;
  var ia6 = ow + (min(row0 + 6u, last_row) - wrow0) * a_row;
  var ia7 = ow + (min(row0 + 7u, last_row) - wrow0) * a_row;
  var ia8 = ow + (min(row0 + 8u, last_row) - wrow0) * a_row;
  var ia9 = ow + (min(row0 + 9u, last_row) - wrow0) * a_row;
  var ia10 = ow + (min(row0 + 10u, last_row) - wrow0) * a_row;
  var ia11 = ow + (min(row0 + 11u, last_row) - wrow0) * a_row;
  var ia12 = ow + (min(row0 + 12u, last_row) - wrow0) * a_row;
  var ia13 = ow + (min(row0 + 13u, last_row) - wrow0) * a_row;
  var ia14 = ow + (min(row0 + 14u, last_row) - wrow0) * a_row;
  var ia15 = ow + (min(row0 + 15u, last_row) - wrow0) * a_row;
  var ia16 = ow + (min(row0 + 16u, last_row) - wrow0) * a_row;
  var ia17 = ow + (min(row0 + 17u, last_row) - wrow0) * a_row;
  var ia18 = ow + (min(row0 + 18u, last_row) - wrow0) * a_row;
  var ia19 = ow + (min(row0 + 19u, last_row) - wrow0) * a_row;
  var ia20 = ow + (min(row0 + 20u, last_row) - wrow0) * a_row;
  var ia21 = ow + (min(row0 + 21u, last_row) - wrow0) * a_row;
  var ia22 = ow + (min(row0 + 22u, last_row) - wrow0) * a_row;
  var ia23 = ow + (min(row0 + 23u, last_row) - wrow0) * a_row;
  var ia24 = ow + (min(row0 + 24u, last_row) - wrow0) * a_row;
  var ia25 = ow + (min(row0 + 25u, last_row) - wrow0) * a_row;
  var ia26 = ow + (min(row0 + 26u, last_row) - wrow0) * a_row;
  var ia27 = ow + (min(row0 + 27u, last_row) - wrow0) * a_row;
  var ia28 = ow + (min(row0 + 28u, last_row) - wrow0) * a_row;
  var ia29 = ow + (min(row0 + 29u, last_row) - wrow0) * a_row;
  var ia30 = ow + (min(row0 + 30u, last_row) - wrow0) * a_row;
  var ia31 = ow + (min(row0 + 31u, last_row) - wrow0) * a_row;
  var ib0 = ob + min(col0 + 0u, last_col) * b_col;
  var ib1 = ob + min(col0 + 1u, last_col) * b_col;
  var ib2 = ob + min(col0 + 2u, last_col) * b_col;
  var ib3 = ob + min(col0 + 3u, last_col) * b_col;
  var ib4 = ob + min(col0 + 4u, last_col) * b_col;
  var ib5 = ob + min(col0 + 5u, last_col) * b_col;
  var ib6 = ob + min(col0 + 6u, last_col) * b_col;
  var ib7 = ob + min(col0 + 7u, last_col) * b_col;
  var ib8 = ob + min(col0 + 8u, last_col) * b_col;
  var ib9 = ob + min(col0 + 9u, last_col) * b_col;
  var ib10 = ob + min(col0 + 10u, last_col) * b_col;
  var ib11 = ob + min(col0 + 11u, last_col) * b_col;
  var ib12 = ob + min(col0 + 12u, last_col) * b_col;
  var ib13 = ob + min(col0 + 13u, last_col) * b_col;
  var ib14 = ob + min(col0 + 14u, last_col) * b_col;
  var ib15 = ob + min(col0 + 15u, last_col) * b_col;
  var c0_0 = vec4f(0.0); var c0_1 = vec4f(0.0); var c0_2 = vec4f(0.0); var c0_3 = vec4f(0.0);
  var c1_0 = vec4f(0.0); var c1_1 = vec4f(0.0); var c1_2 = vec4f(0.0); var c1_3 = vec4f(0.0);
  var c2_0 = vec4f(0.0); var c2_1 = vec4f(0.0); var c2_2 = vec4f(0.0); var c2_3 = vec4f(0.0);
  var c3_0 = vec4f(0.0); var c3_1 = vec4f(0.0); var c3_2 = vec4f(0.0); var c3_3 = vec4f(0.0);
  var c4_0 = vec4f(0.0); var c4_1 = vec4f(0.0); var c4_2 = vec4f(0.0); var c4_3 = vec4f(0.0);
  var c5_0 = vec4f(0.0); var c5_1 = vec4f(0.0); var c5_2 = vec4f(0.0); var c5_3 = vec4f(0.0);
  var c6_0 = vec4f(0.0); var c6_1 = vec4f(0.0); var c6_2 = vec4f(0.0); var c6_3 = vec4f(0.0);
  var c7_0 = vec4f(0.0); var c7_1 = vec4f(0.0); var c7_2 = vec4f(0.0); var c7_3 = vec4f(0.0);
  var c8_0 = vec4f(0.0); var c8_1 = vec4f(0.0); var c8_2 = vec4f(0.0); var c8_3 = vec4f(0.0);
  var c9_0 = vec4f(0.0); var c9_1 = vec4f(0.0); var c9_2 = vec4f(0.0); var c9_3 = vec4f(0.0);
  var c10_0 = vec4f(0.0); var c10_1 = vec4f(0.0); var c10_2 = vec4f(0.0); var c10_3 = vec4f(0.0);
  var c11_0 = vec4f(0.0); var c11_1 = vec4f(0.0); var c11_2 = vec4f(0.0); var c11_3 = vec4f(0.0);
  var c12_0 = vec4f(0.0); var c12_1 = vec4f(0.0); var c12_2 = vec4f(0.0); var c12_3 = vec4f(0.0);
  var c13_0 = vec4f(0.0); var c13_1 = vec4f(0.0); var c13_2 = vec4f(0.0); var c13_3 = vec4f(0.0);
  var c14_0 = vec4f(0.0); var c14_1 = vec4f(0.0); var c14_2 = vec4f(0.0); var c14_3 = vec4f(0.0);
  var c15_0 = vec4f(0.0); var c15_1 = vec4f(0.0); var c15_2 = vec4f(0.0); var c15_3 = vec4f(0.0);
  var c16_0 = vec4f(0.0); var c16_1 = vec4f(0.0); var c16_2 = vec4f(0.0); var c16_3 = vec4f(0.0);
  var c17_0 = vec4f(0.0); var c17_1 = vec4f(0.0); var c17_2 = vec4f(0.0); var c17_3 = vec4f(0.0);
  var c18_0 = vec4f(0.0); var c18_1 = vec4f(0.0); var c18_2 = vec4f(0.0); var c18_3 = vec4f(0.0);
  var c19_0 = vec4f(0.0); var c19_1 = vec4f(0.0); var c19_2 = vec4f(0.0); var c19_3 = vec4f(0.0);
  var c20_0 = vec4f(0.0); var c20_1 = vec4f(0.0); var c20_2 = vec4f(0.0); var c20_3 = vec4f(0.0);
  var c21_0 = vec4f(0.0); var c21_1 = vec4f(0.0); var c21_2 = vec4f(0.0); var c21_3 = vec4f(0.0);
  var c22_0 = vec4f(0.0); var c22_1 = vec4f(0.0); var c22_2 = vec4f(0.0); var c22_3 = vec4f(0.0);
  var c23_0 = vec4f(0.0); var c23_1 = vec4f(0.0); var c23_2 = vec4f(0.0); var c23_3 = vec4f(0.0);
  var c24_0 = vec4f(0.0); var c24_1 = vec4f(0.0); var c24_2 = vec4f(0.0); var c24_3 = vec4f(0.0);
  var c25_0 = vec4f(0.0); var c25_1 = vec4f(0.0); var c25_2 = vec4f(0.0); var c25_3 = vec4f(0.0);
  var c26_0 = vec4f(0.0); var c26_1 = vec4f(0.0); var c26_2 = vec4f(0.0); var c26_3 = vec4f(0.0);
  var c27_0 = vec4f(0.0); var c27_1 = vec4f(0.0); var c27_2 = vec4f(0.0); var c27_3 = vec4f(0.0);
  var c28_0 = vec4f(0.0); var c28_1 = vec4f(0.0); var c28_2 = vec4f(0.0); var c28_3 = vec4f(0.0);
  var c29_0 = vec4f(0.0); var c29_1 = vec4f(0.0); var c29_2 = vec4f(0.0); var c29_3 = vec4f(0.0);
  var c30_0 = vec4f(0.0); var c30_1 = vec4f(0.0); var c30_2 = vec4f(0.0); var c30_3 = vec4f(0.0);
  var c31_0 = vec4f(0.0); var c31_1 = vec4f(0.0); var c31_2 = vec4f(0.0); var c31_3 = vec4f(0.0);
  switch w {
    case 0u: {
      for (var l = 0u; l < p.k; l++) {
        let b0 = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
        let b1 = vec4f(b[ib4], b[ib5], b[ib6], b[ib7]);
        let b2 = vec4f(b[ib8], b[ib9], b[ib10], b[ib11]);
        let b3 = vec4f(b[ib12], b[ib13], b[ib14], b[ib15]);
        let ar0 = vec4f(au[ia0 >> 2u][ia0 & 3u]);
        c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
        let ar1 = vec4f(au[ia1 >> 2u][ia1 & 3u]);
        c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
        let ar2 = vec4f(au[ia2 >> 2u][ia2 & 3u]);
        c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
        let ar3 = vec4f(au[ia3 >> 2u][ia3 & 3u]);
        c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
        let ar4 = vec4f(au[ia4 >> 2u][ia4 & 3u]);
        c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
        let ar5 = vec4f(au[ia5 >> 2u][ia5 & 3u]);
        c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
        let ar6 = vec4f(au[ia6 >> 2u][ia6 & 3u]);
        c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
        let ar7 = vec4f(au[ia7 >> 2u][ia7 & 3u]);
        c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
        let ar8 = vec4f(au[ia8 >> 2u][ia8 & 3u]);
        c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
        let ar9 = vec4f(au[ia9 >> 2u][ia9 & 3u]);
        c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
        let ar10 = vec4f(au[ia10 >> 2u][ia10 & 3u]);
        c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
        let ar11 = vec4f(au[ia11 >> 2u][ia11 & 3u]);
        c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
        let ar12 = vec4f(au[ia12 >> 2u][ia12 & 3u]);
        c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
        let ar13 = vec4f(au[ia13 >> 2u][ia13 & 3u]);
        c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
        let ar14 = vec4f(au[ia14 >> 2u][ia14 & 3u]);
        c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
        let ar15 = vec4f(au[ia15 >> 2u][ia15 & 3u]);
        c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
        let ar16 = vec4f(au[ia16 >> 2u][ia16 & 3u]);
        c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
        let ar17 = vec4f(au[ia17 >> 2u][ia17 & 3u]);
        c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
        let ar18 = vec4f(au[ia18 >> 2u][ia18 & 3u]);
        c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
        let ar19 = vec4f(au[ia19 >> 2u][ia19 & 3u]);
        c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
        let ar20 = vec4f(au[ia20 >> 2u][ia20 & 3u]);
        c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
        let ar21 = vec4f(au[ia21 >> 2u][ia21 & 3u]);
        c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
        let ar22 = vec4f(au[ia22 >> 2u][ia22 & 3u]);
        c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
        let ar23 = vec4f(au[ia23 >> 2u][ia23 & 3u]);
        c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
        let ar24 = vec4f(au[ia24 >> 2u][ia24 & 3u]);
        c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
        let ar25 = vec4f(au[ia25 >> 2u][ia25 & 3u]);
        c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
        let ar26 = vec4f(au[ia26 >> 2u][ia26 & 3u]);
        c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
        let ar27 = vec4f(au[ia27 >> 2u][ia27 & 3u]);
        c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
        let ar28 = vec4f(au[ia28 >> 2u][ia28 & 3u]);
        c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
        let ar29 = vec4f(au[ia29 >> 2u][ia29 & 3u]);
        c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
        let ar30 = vec4f(au[ia30 >> 2u][ia30 & 3u]);
        c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
        let ar31 = vec4f(au[ia31 >> 2u][ia31 & 3u]);
        c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
        ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
        ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
        ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
        ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
        ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step; ib4 += b_step; ib5 += b_step; ib6 += b_step; ib7 += b_step;
        ib8 += b_step; ib9 += b_step; ib10 += b_step; ib11 += b_step; ib12 += b_step; ib13 += b_step; ib14 += b_step; ib15 += b_step;
      }
    }
    case 1u: {
      for (var l = 0u; l < p.k; l++) {
        let b0 = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
        let b1 = vec4f(b[ib4], b[ib5], b[ib6], b[ib7]);
        let b2 = vec4f(b[ib8], b[ib9], b[ib10], b[ib11]);
        let b3 = vec4f(b[ib12], b[ib13], b[ib14], b[ib15]);
        let ar0 = vec4f(au1[ia0 >> 2u][ia0 & 3u]);
        c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
        let ar1 = vec4f(au1[ia1 >> 2u][ia1 & 3u]);
        c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
        let ar2 = vec4f(au1[ia2 >> 2u][ia2 & 3u]);
        c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
        let ar3 = vec4f(au1[ia3 >> 2u][ia3 & 3u]);
        c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
        let ar4 = vec4f(au1[ia4 >> 2u][ia4 & 3u]);
        c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
        let ar5 = vec4f(au1[ia5 >> 2u][ia5 & 3u]);
        c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
        let ar6 = vec4f(au1[ia6 >> 2u][ia6 & 3u]);
        c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
        let ar7 = vec4f(au1[ia7 >> 2u][ia7 & 3u]);
        c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
        let ar8 = vec4f(au1[ia8 >> 2u][ia8 & 3u]);
        c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
        let ar9 = vec4f(au1[ia9 >> 2u][ia9 & 3u]);
        c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
        let ar10 = vec4f(au1[ia10 >> 2u][ia10 & 3u]);
        c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
        let ar11 = vec4f(au1[ia11 >> 2u][ia11 & 3u]);
        c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
        let ar12 = vec4f(au1[ia12 >> 2u][ia12 & 3u]);
        c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
        let ar13 = vec4f(au1[ia13 >> 2u][ia13 & 3u]);
        c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
        let ar14 = vec4f(au1[ia14 >> 2u][ia14 & 3u]);
        c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
        let ar15 = vec4f(au1[ia15 >> 2u][ia15 & 3u]);
        c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
        let ar16 = vec4f(au1[ia16 >> 2u][ia16 & 3u]);
        c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
        let ar17 = vec4f(au1[ia17 >> 2u][ia17 & 3u]);
        c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
        let ar18 = vec4f(au1[ia18 >> 2u][ia18 & 3u]);
        c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
        let ar19 = vec4f(au1[ia19 >> 2u][ia19 & 3u]);
        c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
        let ar20 = vec4f(au1[ia20 >> 2u][ia20 & 3u]);
        c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
        let ar21 = vec4f(au1[ia21 >> 2u][ia21 & 3u]);
        c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
        let ar22 = vec4f(au1[ia22 >> 2u][ia22 & 3u]);
        c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
        let ar23 = vec4f(au1[ia23 >> 2u][ia23 & 3u]);
        c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
        let ar24 = vec4f(au1[ia24 >> 2u][ia24 & 3u]);
        c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
        let ar25 = vec4f(au1[ia25 >> 2u][ia25 & 3u]);
        c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
        let ar26 = vec4f(au1[ia26 >> 2u][ia26 & 3u]);
        c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
        let ar27 = vec4f(au1[ia27 >> 2u][ia27 & 3u]);
        c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
        let ar28 = vec4f(au1[ia28 >> 2u][ia28 & 3u]);
        c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
        let ar29 = vec4f(au1[ia29 >> 2u][ia29 & 3u]);
        c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
        let ar30 = vec4f(au1[ia30 >> 2u][ia30 & 3u]);
        c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
        let ar31 = vec4f(au1[ia31 >> 2u][ia31 & 3u]);
        c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
        ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
        ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
        ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
        ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
        ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step; ib4 += b_step; ib5 += b_step; ib6 += b_step; ib7 += b_step;
        ib8 += b_step; ib9 += b_step; ib10 += b_step; ib11 += b_step; ib12 += b_step; ib13 += b_step; ib14 += b_step; ib15 += b_step;
      }
    }
    case 2u: {
      for (var l = 0u; l < p.k; l++) {
        let b0 = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
        let b1 = vec4f(b[ib4], b[ib5], b[ib6], b[ib7]);
        let b2 = vec4f(b[ib8], b[ib9], b[ib10], b[ib11]);
        let b3 = vec4f(b[ib12], b[ib13], b[ib14], b[ib15]);
        let ar0 = vec4f(au2[ia0 >> 2u][ia0 & 3u]);
        c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
        let ar1 = vec4f(au2[ia1 >> 2u][ia1 & 3u]);
        c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
        let ar2 = vec4f(au2[ia2 >> 2u][ia2 & 3u]);
        c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
        let ar3 = vec4f(au2[ia3 >> 2u][ia3 & 3u]);
        c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
        let ar4 = vec4f(au2[ia4 >> 2u][ia4 & 3u]);
        c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
        let ar5 = vec4f(au2[ia5 >> 2u][ia5 & 3u]);
        c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
        let ar6 = vec4f(au2[ia6 >> 2u][ia6 & 3u]);
        c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
        let ar7 = vec4f(au2[ia7 >> 2u][ia7 & 3u]);
        c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
        let ar8 = vec4f(au2[ia8 >> 2u][ia8 & 3u]);
        c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
        let ar9 = vec4f(au2[ia9 >> 2u][ia9 & 3u]);
        c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
        let ar10 = vec4f(au2[ia10 >> 2u][ia10 & 3u]);
        c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
        let ar11 = vec4f(au2[ia11 >> 2u][ia11 & 3u]);
        c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
        let ar12 = vec4f(au2[ia12 >> 2u][ia12 & 3u]);
        c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
        let ar13 = vec4f(au2[ia13 >> 2u][ia13 & 3u]);
        c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
        let ar14 = vec4f(au2[ia14 >> 2u][ia14 & 3u]);
        c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
        let ar15 = vec4f(au2[ia15 >> 2u][ia15 & 3u]);
        c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
        let ar16 = vec4f(au2[ia16 >> 2u][ia16 & 3u]);
        c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
        let ar17 = vec4f(au2[ia17 >> 2u][ia17 & 3u]);
        c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
        let ar18 = vec4f(au2[ia18 >> 2u][ia18 & 3u]);
        c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
        let ar19 = vec4f(au2[ia19 >> 2u][ia19 & 3u]);
        c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
        let ar20 = vec4f(au2[ia20 >> 2u][ia20 & 3u]);
        c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
        let ar21 = vec4f(au2[ia21 >> 2u][ia21 & 3u]);
        c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
        let ar22 = vec4f(au2[ia22 >> 2u][ia22 & 3u]);
        c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
        let ar23 = vec4f(au2[ia23 >> 2u][ia23 & 3u]);
        c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
        let ar24 = vec4f(au2[ia24 >> 2u][ia24 & 3u]);
        c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
        let ar25 = vec4f(au2[ia25 >> 2u][ia25 & 3u]);
        c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
        let ar26 = vec4f(au2[ia26 >> 2u][ia26 & 3u]);
        c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
        let ar27 = vec4f(au2[ia27 >> 2u][ia27 & 3u]);
        c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
        let ar28 = vec4f(au2[ia28 >> 2u][ia28 & 3u]);
        c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
        let ar29 = vec4f(au2[ia29 >> 2u][ia29 & 3u]);
        c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
        let ar30 = vec4f(au2[ia30 >> 2u][ia30 & 3u]);
        c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
        let ar31 = vec4f(au2[ia31 >> 2u][ia31 & 3u]);
        c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
        ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
        ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
        ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
        ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
        ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step; ib4 += b_step; ib5 += b_step; ib6 += b_step; ib7 += b_step;
        ib8 += b_step; ib9 += b_step; ib10 += b_step; ib11 += b_step; ib12 += b_step; ib13 += b_step; ib14 += b_step; ib15 += b_step;
      }
    }
    default: {
      for (var l = 0u; l < p.k; l++) {
        let b0 = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
        let b1 = vec4f(b[ib4], b[ib5], b[ib6], b[ib7]);
        let b2 = vec4f(b[ib8], b[ib9], b[ib10], b[ib11]);
        let b3 = vec4f(b[ib12], b[ib13], b[ib14], b[ib15]);
        let ar0 = vec4f(au3[ia0 >> 2u][ia0 & 3u]);
        c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
        let ar1 = vec4f(au3[ia1 >> 2u][ia1 & 3u]);
        c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
        let ar2 = vec4f(au3[ia2 >> 2u][ia2 & 3u]);
        c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
        let ar3 = vec4f(au3[ia3 >> 2u][ia3 & 3u]);
        c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
        let ar4 = vec4f(au3[ia4 >> 2u][ia4 & 3u]);
        c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
        let ar5 = vec4f(au3[ia5 >> 2u][ia5 & 3u]);
        c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
        let ar6 = vec4f(au3[ia6 >> 2u][ia6 & 3u]);
        c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
        let ar7 = vec4f(au3[ia7 >> 2u][ia7 & 3u]);
        c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
        let ar8 = vec4f(au3[ia8 >> 2u][ia8 & 3u]);
        c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
        let ar9 = vec4f(au3[ia9 >> 2u][ia9 & 3u]);
        c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
        let ar10 = vec4f(au3[ia10 >> 2u][ia10 & 3u]);
        c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
        let ar11 = vec4f(au3[ia11 >> 2u][ia11 & 3u]);
        c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
        let ar12 = vec4f(au3[ia12 >> 2u][ia12 & 3u]);
        c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
        let ar13 = vec4f(au3[ia13 >> 2u][ia13 & 3u]);
        c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
        let ar14 = vec4f(au3[ia14 >> 2u][ia14 & 3u]);
        c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
        let ar15 = vec4f(au3[ia15 >> 2u][ia15 & 3u]);
        c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
        let ar16 = vec4f(au3[ia16 >> 2u][ia16 & 3u]);
        c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
        let ar17 = vec4f(au3[ia17 >> 2u][ia17 & 3u]);
        c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
        let ar18 = vec4f(au3[ia18 >> 2u][ia18 & 3u]);
        c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
        let ar19 = vec4f(au3[ia19 >> 2u][ia19 & 3u]);
        c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
        let ar20 = vec4f(au3[ia20 >> 2u][ia20 & 3u]);
        c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
        let ar21 = vec4f(au3[ia21 >> 2u][ia21 & 3u]);
        c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
        let ar22 = vec4f(au3[ia22 >> 2u][ia22 & 3u]);
        c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
        let ar23 = vec4f(au3[ia23 >> 2u][ia23 & 3u]);
        c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
        let ar24 = vec4f(au3[ia24 >> 2u][ia24 & 3u]);
        c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
        let ar25 = vec4f(au3[ia25 >> 2u][ia25 & 3u]);
        c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
        let ar26 = vec4f(au3[ia26 >> 2u][ia26 & 3u]);
        c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
        let ar27 = vec4f(au3[ia27 >> 2u][ia27 & 3u]);
        c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
        let ar28 = vec4f(au3[ia28 >> 2u][ia28 & 3u]);
        c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
        let ar29 = vec4f(au3[ia29 >> 2u][ia29 & 3u]);
        c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
        let ar30 = vec4f(au3[ia30 >> 2u][ia30 & 3u]);
        c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
        let ar31 = vec4f(au3[ia31 >> 2u][ia31 & 3u]);
        c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
        ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
        ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
        ia16 += a_step; ia17 += a_step; ia18 += a_step; ia19 += a_step; ia20 += a_step; ia21 += a_step; ia22 += a_step; ia23 += a_step;
        ia24 += a_step; ia25 += a_step; ia26 += a_step; ia27 += a_step; ia28 += a_step; ia29 += a_step; ia30 += a_step; ia31 += a_step;
        ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step; ib4 += b_step; ib5 += b_step; ib6 += b_step; ib7 += b_step;
        ib8 += b_step; ib9 += b_step; ib10 += b_step; ib11 += b_step; ib12 += b_step; ib13 += b_step; ib14 += b_step; ib15 += b_step;
      }
    }
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let bias = load_bias(col0, last_col);
  store_row(oc, row0 + 0u, col0, c0_0, c0_1, c0_2, c0_3, bias);
  store_row(oc, row0 + 1u, col0, c1_0, c1_1, c1_2, c1_3, bias);
  store_row(oc, row0 + 2u, col0, c2_0, c2_1, c2_2, c2_3, bias);
  store_row(oc, row0 + 3u, col0, c3_0, c3_1, c3_2, c3_3, bias);
  store_row(oc, row0 + 4u, col0, c4_0, c4_1, c4_2, c4_3, bias);
  store_row(oc, row0 + 5u, col0, c5_0, c5_1, c5_2, c5_3, bias);
  store_row(oc, row0 + 6u, col0, c6_0, c6_1, c6_2, c6_3, bias);
  store_row(oc, row0 + 7u, col0, c7_0, c7_1, c7_2, c7_3, bias);
  store_row(oc, row0 + 8u, col0, c8_0, c8_1, c8_2, c8_3, bias);
  store_row(oc, row0 + 9u, col0, c9_0, c9_1, c9_2, c9_3, bias);
  store_row(oc, row0 + 10u, col0, c10_0, c10_1, c10_2, c10_3, bias);
  store_row(oc, row0 + 11u, col0, c11_0, c11_1, c11_2, c11_3, bias);
  store_row(oc, row0 + 12u, col0, c12_0, c12_1, c12_2, c12_3, bias);
  store_row(oc, row0 + 13u, col0, c13_0, c13_1, c13_2, c13_3, bias);
  store_row(oc, row0 + 14u, col0, c14_0, c14_1, c14_2, c14_3, bias);
  store_row(oc, row0 + 15u, col0, c15_0, c15_1, c15_2, c15_3, bias);
  store_row(oc, row0 + 16u, col0, c16_0, c16_1, c16_2, c16_3, bias);
  store_row(oc, row0 + 17u, col0, c17_0, c17_1, c17_2, c17_3, bias);
  store_row(oc, row0 + 18u, col0, c18_0, c18_1, c18_2, c18_3, bias);
  store_row(oc, row0 + 19u, col0, c19_0, c19_1, c19_2, c19_3, bias);
  store_row(oc, row0 + 20u, col0, c20_0, c20_1, c20_2, c20_3, bias);
  store_row(oc, row0 + 21u, col0, c21_0, c21_1, c21_2, c21_3, bias);
  store_row(oc, row0 + 22u, col0, c22_0, c22_1, c22_2, c22_3, bias);
  store_row(oc, row0 + 23u, col0, c23_0, c23_1, c23_2, c23_3, bias);
  store_row(oc, row0 + 24u, col0, c24_0, c24_1, c24_2, c24_3, bias);
  store_row(oc, row0 + 25u, col0, c25_0, c25_1, c25_2, c25_3, bias);
  store_row(oc, row0 + 26u, col0, c26_0, c26_1, c26_2, c26_3, bias);
  store_row(oc, row0 + 27u, col0, c27_0, c27_1, c27_2, c27_3, bias);
  store_row(oc, row0 + 28u, col0, c28_0, c28_1, c28_2, c28_3, bias);
  store_row(oc, row0 + 29u, col0, c29_0, c29_1, c29_2, c29_3, bias);
  store_row(oc, row0 + 30u, col0, c30_0, c30_1, c30_2, c30_3, bias);
  store_row(oc, row0 + 31u, col0, c31_0, c31_1, c31_2, c31_3, bias);
}

// matmul_av4: each invocation owns rows row0 … row0+31 (shared by its workgroup) and columns
// col0 … col0+15.
// A is stored (K, M) and read as vec4f (a4): at each l the block's rows are 8
// consecutive vec4f (its row stride and offsets multiples of 4; reads past the binding
// are clamped to its last vec4f, and rows past M are never stored).
@compute @workgroup_size(WG)
fn matmul_av4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  // Which grid axis walks the row blocks (see the header: rows_fast).
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 32u;
  let col0 = (block_col * WG + lid) * 16u;
  let last_row = p.m - 1u;
  let last_col = p.n - 1u;
  // Index steps: along l, and from one row of op(A) / column of op(B) to the next.
  let a_step = select(1u, p.lda, p.ta == 1u);
  let a_row = select(p.lda, 1u, p.ta == 1u);
  let b_step = select(p.ldb, 1u, p.tb == 1u);
  let b_col = select(1u, p.ldb, p.tb == 1u);
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  // Rows and columns past the edge read the last valid one: no checks in the loop.
  var iq = (oa + row0) >> 2u;
  let last_q = arrayLength(&a4) - 1u;
  var ib0 = ob + min(col0 + 0u, last_col) * b_col;
  var ib1 = ob + min(col0 + 1u, last_col) * b_col;
  var ib2 = ob + min(col0 + 2u, last_col) * b_col;
  var ib3 = ob + min(col0 + 3u, last_col) * b_col;
  var ib4 = ob + min(col0 + 4u, last_col) * b_col;
  var ib5 = ob + min(col0 + 5u, last_col) * b_col;
  var ib6 = ob + min(col0 + 6u, last_col) * b_col;
  var ib7 = ob + min(col0 + 7u, last_col) * b_col;
  var ib8 = ob + min(col0 + 8u, last_col) * b_col;
  var ib9 = ob + min(col0 + 9u, last_col) * b_col;
  var ib10 = ob + min(col0 + 10u, last_col) * b_col;
  var ib11 = ob + min(col0 + 11u, last_col) * b_col;
  var ib12 = ob + min(col0 + 12u, last_col) * b_col;
  var ib13 = ob + min(col0 + 13u, last_col) * b_col;
  var ib14 = ob + min(col0 + 14u, last_col) * b_col;
  var ib15 = ob + min(col0 + 15u, last_col) * b_col;
  var c0_0 = vec4f(0.0); var c0_1 = vec4f(0.0); var c0_2 = vec4f(0.0); var c0_3 = vec4f(0.0);
  var c1_0 = vec4f(0.0); var c1_1 = vec4f(0.0); var c1_2 = vec4f(0.0); var c1_3 = vec4f(0.0);
  var c2_0 = vec4f(0.0); var c2_1 = vec4f(0.0); var c2_2 = vec4f(0.0); var c2_3 = vec4f(0.0);
  var c3_0 = vec4f(0.0); var c3_1 = vec4f(0.0); var c3_2 = vec4f(0.0); var c3_3 = vec4f(0.0);
  var c4_0 = vec4f(0.0); var c4_1 = vec4f(0.0); var c4_2 = vec4f(0.0); var c4_3 = vec4f(0.0);
  var c5_0 = vec4f(0.0); var c5_1 = vec4f(0.0); var c5_2 = vec4f(0.0); var c5_3 = vec4f(0.0);
  var c6_0 = vec4f(0.0); var c6_1 = vec4f(0.0); var c6_2 = vec4f(0.0); var c6_3 = vec4f(0.0);
  var c7_0 = vec4f(0.0); var c7_1 = vec4f(0.0); var c7_2 = vec4f(0.0); var c7_3 = vec4f(0.0);
  var c8_0 = vec4f(0.0); var c8_1 = vec4f(0.0); var c8_2 = vec4f(0.0); var c8_3 = vec4f(0.0);
  var c9_0 = vec4f(0.0); var c9_1 = vec4f(0.0); var c9_2 = vec4f(0.0); var c9_3 = vec4f(0.0);
  var c10_0 = vec4f(0.0); var c10_1 = vec4f(0.0); var c10_2 = vec4f(0.0); var c10_3 = vec4f(0.0);
  var c11_0 = vec4f(0.0); var c11_1 = vec4f(0.0); var c11_2 = vec4f(0.0); var c11_3 = vec4f(0.0);
  var c12_0 = vec4f(0.0); var c12_1 = vec4f(0.0); var c12_2 = vec4f(0.0); var c12_3 = vec4f(0.0);
  var c13_0 = vec4f(0.0); var c13_1 = vec4f(0.0); var c13_2 = vec4f(0.0); var c13_3 = vec4f(0.0);
  var c14_0 = vec4f(0.0); var c14_1 = vec4f(0.0); var c14_2 = vec4f(0.0); var c14_3 = vec4f(0.0);
  var c15_0 = vec4f(0.0); var c15_1 = vec4f(0.0); var c15_2 = vec4f(0.0); var c15_3 = vec4f(0.0);
  var c16_0 = vec4f(0.0); var c16_1 = vec4f(0.0); var c16_2 = vec4f(0.0); var c16_3 = vec4f(0.0);
  var c17_0 = vec4f(0.0); var c17_1 = vec4f(0.0); var c17_2 = vec4f(0.0); var c17_3 = vec4f(0.0);
  var c18_0 = vec4f(0.0); var c18_1 = vec4f(0.0); var c18_2 = vec4f(0.0); var c18_3 = vec4f(0.0);
  var c19_0 = vec4f(0.0); var c19_1 = vec4f(0.0); var c19_2 = vec4f(0.0); var c19_3 = vec4f(0.0);
  var c20_0 = vec4f(0.0); var c20_1 = vec4f(0.0); var c20_2 = vec4f(0.0); var c20_3 = vec4f(0.0);
  var c21_0 = vec4f(0.0); var c21_1 = vec4f(0.0); var c21_2 = vec4f(0.0); var c21_3 = vec4f(0.0);
  var c22_0 = vec4f(0.0); var c22_1 = vec4f(0.0); var c22_2 = vec4f(0.0); var c22_3 = vec4f(0.0);
  var c23_0 = vec4f(0.0); var c23_1 = vec4f(0.0); var c23_2 = vec4f(0.0); var c23_3 = vec4f(0.0);
  var c24_0 = vec4f(0.0); var c24_1 = vec4f(0.0); var c24_2 = vec4f(0.0); var c24_3 = vec4f(0.0);
  var c25_0 = vec4f(0.0); var c25_1 = vec4f(0.0); var c25_2 = vec4f(0.0); var c25_3 = vec4f(0.0);
  var c26_0 = vec4f(0.0); var c26_1 = vec4f(0.0); var c26_2 = vec4f(0.0); var c26_3 = vec4f(0.0);
  var c27_0 = vec4f(0.0); var c27_1 = vec4f(0.0); var c27_2 = vec4f(0.0); var c27_3 = vec4f(0.0);
  var c28_0 = vec4f(0.0); var c28_1 = vec4f(0.0); var c28_2 = vec4f(0.0); var c28_3 = vec4f(0.0);
  var c29_0 = vec4f(0.0); var c29_1 = vec4f(0.0); var c29_2 = vec4f(0.0); var c29_3 = vec4f(0.0);
  var c30_0 = vec4f(0.0); var c30_1 = vec4f(0.0); var c30_2 = vec4f(0.0); var c30_3 = vec4f(0.0);
  var c31_0 = vec4f(0.0); var c31_1 = vec4f(0.0); var c31_2 = vec4f(0.0); var c31_3 = vec4f(0.0);
  for (var l = 0u; l < p.k; l++) {
    let b0 = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
    let b1 = vec4f(b[ib4], b[ib5], b[ib6], b[ib7]);
    let b2 = vec4f(b[ib8], b[ib9], b[ib10], b[ib11]);
    let b3 = vec4f(b[ib12], b[ib13], b[ib14], b[ib15]);
    let qa0 = a4[min(iq + 0u, last_q)];
    let ar0 = vec4f(qa0.x);
    c0_0 = fma(ar0, b0, c0_0); c0_1 = fma(ar0, b1, c0_1); c0_2 = fma(ar0, b2, c0_2); c0_3 = fma(ar0, b3, c0_3);
    let ar1 = vec4f(qa0.y);
    c1_0 = fma(ar1, b0, c1_0); c1_1 = fma(ar1, b1, c1_1); c1_2 = fma(ar1, b2, c1_2); c1_3 = fma(ar1, b3, c1_3);
    let ar2 = vec4f(qa0.z);
    c2_0 = fma(ar2, b0, c2_0); c2_1 = fma(ar2, b1, c2_1); c2_2 = fma(ar2, b2, c2_2); c2_3 = fma(ar2, b3, c2_3);
    let ar3 = vec4f(qa0.w);
    c3_0 = fma(ar3, b0, c3_0); c3_1 = fma(ar3, b1, c3_1); c3_2 = fma(ar3, b2, c3_2); c3_3 = fma(ar3, b3, c3_3);
    let qa1 = a4[min(iq + 1u, last_q)];
    let ar4 = vec4f(qa1.x);
    c4_0 = fma(ar4, b0, c4_0); c4_1 = fma(ar4, b1, c4_1); c4_2 = fma(ar4, b2, c4_2); c4_3 = fma(ar4, b3, c4_3);
    let ar5 = vec4f(qa1.y);
    c5_0 = fma(ar5, b0, c5_0); c5_1 = fma(ar5, b1, c5_1); c5_2 = fma(ar5, b2, c5_2); c5_3 = fma(ar5, b3, c5_3);
    let ar6 = vec4f(qa1.z);
    c6_0 = fma(ar6, b0, c6_0); c6_1 = fma(ar6, b1, c6_1); c6_2 = fma(ar6, b2, c6_2); c6_3 = fma(ar6, b3, c6_3);
    let ar7 = vec4f(qa1.w);
    c7_0 = fma(ar7, b0, c7_0); c7_1 = fma(ar7, b1, c7_1); c7_2 = fma(ar7, b2, c7_2); c7_3 = fma(ar7, b3, c7_3);
    let qa2 = a4[min(iq + 2u, last_q)];
    let ar8 = vec4f(qa2.x);
    c8_0 = fma(ar8, b0, c8_0); c8_1 = fma(ar8, b1, c8_1); c8_2 = fma(ar8, b2, c8_2); c8_3 = fma(ar8, b3, c8_3);
    let ar9 = vec4f(qa2.y);
    c9_0 = fma(ar9, b0, c9_0); c9_1 = fma(ar9, b1, c9_1); c9_2 = fma(ar9, b2, c9_2); c9_3 = fma(ar9, b3, c9_3);
    let ar10 = vec4f(qa2.z);
    c10_0 = fma(ar10, b0, c10_0); c10_1 = fma(ar10, b1, c10_1); c10_2 = fma(ar10, b2, c10_2); c10_3 = fma(ar10, b3, c10_3);
    let ar11 = vec4f(qa2.w);
    c11_0 = fma(ar11, b0, c11_0); c11_1 = fma(ar11, b1, c11_1); c11_2 = fma(ar11, b2, c11_2); c11_3 = fma(ar11, b3, c11_3);
    let qa3 = a4[min(iq + 3u, last_q)];
    let ar12 = vec4f(qa3.x);
    c12_0 = fma(ar12, b0, c12_0); c12_1 = fma(ar12, b1, c12_1); c12_2 = fma(ar12, b2, c12_2); c12_3 = fma(ar12, b3, c12_3);
    let ar13 = vec4f(qa3.y);
    c13_0 = fma(ar13, b0, c13_0); c13_1 = fma(ar13, b1, c13_1); c13_2 = fma(ar13, b2, c13_2); c13_3 = fma(ar13, b3, c13_3);
    let ar14 = vec4f(qa3.z);
    c14_0 = fma(ar14, b0, c14_0); c14_1 = fma(ar14, b1, c14_1); c14_2 = fma(ar14, b2, c14_2); c14_3 = fma(ar14, b3, c14_3);
    let ar15 = vec4f(qa3.w);
    c15_0 = fma(ar15, b0, c15_0); c15_1 = fma(ar15, b1, c15_1); c15_2 = fma(ar15, b2, c15_2); c15_3 = fma(ar15, b3, c15_3);
    let qa4 = a4[min(iq + 4u, last_q)];
    let ar16 = vec4f(qa4.x);
    c16_0 = fma(ar16, b0, c16_0); c16_1 = fma(ar16, b1, c16_1); c16_2 = fma(ar16, b2, c16_2); c16_3 = fma(ar16, b3, c16_3);
    let ar17 = vec4f(qa4.y);
    c17_0 = fma(ar17, b0, c17_0); c17_1 = fma(ar17, b1, c17_1); c17_2 = fma(ar17, b2, c17_2); c17_3 = fma(ar17, b3, c17_3);
    let ar18 = vec4f(qa4.z);
    c18_0 = fma(ar18, b0, c18_0); c18_1 = fma(ar18, b1, c18_1); c18_2 = fma(ar18, b2, c18_2); c18_3 = fma(ar18, b3, c18_3);
    let ar19 = vec4f(qa4.w);
    c19_0 = fma(ar19, b0, c19_0); c19_1 = fma(ar19, b1, c19_1); c19_2 = fma(ar19, b2, c19_2); c19_3 = fma(ar19, b3, c19_3);
    let qa5 = a4[min(iq + 5u, last_q)];
    let ar20 = vec4f(qa5.x);
    c20_0 = fma(ar20, b0, c20_0); c20_1 = fma(ar20, b1, c20_1); c20_2 = fma(ar20, b2, c20_2); c20_3 = fma(ar20, b3, c20_3);
    let ar21 = vec4f(qa5.y);
    c21_0 = fma(ar21, b0, c21_0); c21_1 = fma(ar21, b1, c21_1); c21_2 = fma(ar21, b2, c21_2); c21_3 = fma(ar21, b3, c21_3);
    let ar22 = vec4f(qa5.z);
    c22_0 = fma(ar22, b0, c22_0); c22_1 = fma(ar22, b1, c22_1); c22_2 = fma(ar22, b2, c22_2); c22_3 = fma(ar22, b3, c22_3);
    let ar23 = vec4f(qa5.w);
    c23_0 = fma(ar23, b0, c23_0); c23_1 = fma(ar23, b1, c23_1); c23_2 = fma(ar23, b2, c23_2); c23_3 = fma(ar23, b3, c23_3);
    let qa6 = a4[min(iq + 6u, last_q)];
    let ar24 = vec4f(qa6.x);
    c24_0 = fma(ar24, b0, c24_0); c24_1 = fma(ar24, b1, c24_1); c24_2 = fma(ar24, b2, c24_2); c24_3 = fma(ar24, b3, c24_3);
    let ar25 = vec4f(qa6.y);
    c25_0 = fma(ar25, b0, c25_0); c25_1 = fma(ar25, b1, c25_1); c25_2 = fma(ar25, b2, c25_2); c25_3 = fma(ar25, b3, c25_3);
    let ar26 = vec4f(qa6.z);
    c26_0 = fma(ar26, b0, c26_0); c26_1 = fma(ar26, b1, c26_1); c26_2 = fma(ar26, b2, c26_2); c26_3 = fma(ar26, b3, c26_3);
    let ar27 = vec4f(qa6.w);
    c27_0 = fma(ar27, b0, c27_0); c27_1 = fma(ar27, b1, c27_1); c27_2 = fma(ar27, b2, c27_2); c27_3 = fma(ar27, b3, c27_3);
    let qa7 = a4[min(iq + 7u, last_q)];
    let ar28 = vec4f(qa7.x);
    c28_0 = fma(ar28, b0, c28_0); c28_1 = fma(ar28, b1, c28_1); c28_2 = fma(ar28, b2, c28_2); c28_3 = fma(ar28, b3, c28_3);
    let ar29 = vec4f(qa7.y);
    c29_0 = fma(ar29, b0, c29_0); c29_1 = fma(ar29, b1, c29_1); c29_2 = fma(ar29, b2, c29_2); c29_3 = fma(ar29, b3, c29_3);
    let ar30 = vec4f(qa7.z);
    c30_0 = fma(ar30, b0, c30_0); c30_1 = fma(ar30, b1, c30_1); c30_2 = fma(ar30, b2, c30_2); c30_3 = fma(ar30, b3, c30_3);
    let ar31 = vec4f(qa7.w);
    c31_0 = fma(ar31, b0, c31_0); c31_1 = fma(ar31, b1, c31_1); c31_2 = fma(ar31, b2, c31_2); c31_3 = fma(ar31, b3, c31_3);
    iq += a_step >> 2u;
    ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step; ib4 += b_step; ib5 += b_step; ib6 += b_step; ib7 += b_step;
    ib8 += b_step; ib9 += b_step; ib10 += b_step; ib11 += b_step; ib12 += b_step; ib13 += b_step; ib14 += b_step; ib15 += b_step;
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let bias = load_bias(col0, last_col);
  store_row(oc, row0 + 0u, col0, c0_0, c0_1, c0_2, c0_3, bias);
  store_row(oc, row0 + 1u, col0, c1_0, c1_1, c1_2, c1_3, bias);
  store_row(oc, row0 + 2u, col0, c2_0, c2_1, c2_2, c2_3, bias);
  store_row(oc, row0 + 3u, col0, c3_0, c3_1, c3_2, c3_3, bias);
  store_row(oc, row0 + 4u, col0, c4_0, c4_1, c4_2, c4_3, bias);
  store_row(oc, row0 + 5u, col0, c5_0, c5_1, c5_2, c5_3, bias);
  store_row(oc, row0 + 6u, col0, c6_0, c6_1, c6_2, c6_3, bias);
  store_row(oc, row0 + 7u, col0, c7_0, c7_1, c7_2, c7_3, bias);
  store_row(oc, row0 + 8u, col0, c8_0, c8_1, c8_2, c8_3, bias);
  store_row(oc, row0 + 9u, col0, c9_0, c9_1, c9_2, c9_3, bias);
  store_row(oc, row0 + 10u, col0, c10_0, c10_1, c10_2, c10_3, bias);
  store_row(oc, row0 + 11u, col0, c11_0, c11_1, c11_2, c11_3, bias);
  store_row(oc, row0 + 12u, col0, c12_0, c12_1, c12_2, c12_3, bias);
  store_row(oc, row0 + 13u, col0, c13_0, c13_1, c13_2, c13_3, bias);
  store_row(oc, row0 + 14u, col0, c14_0, c14_1, c14_2, c14_3, bias);
  store_row(oc, row0 + 15u, col0, c15_0, c15_1, c15_2, c15_3, bias);
  store_row(oc, row0 + 16u, col0, c16_0, c16_1, c16_2, c16_3, bias);
  store_row(oc, row0 + 17u, col0, c17_0, c17_1, c17_2, c17_3, bias);
  store_row(oc, row0 + 18u, col0, c18_0, c18_1, c18_2, c18_3, bias);
  store_row(oc, row0 + 19u, col0, c19_0, c19_1, c19_2, c19_3, bias);
  store_row(oc, row0 + 20u, col0, c20_0, c20_1, c20_2, c20_3, bias);
  store_row(oc, row0 + 21u, col0, c21_0, c21_1, c21_2, c21_3, bias);
  store_row(oc, row0 + 22u, col0, c22_0, c22_1, c22_2, c22_3, bias);
  store_row(oc, row0 + 23u, col0, c23_0, c23_1, c23_2, c23_3, bias);
  store_row(oc, row0 + 24u, col0, c24_0, c24_1, c24_2, c24_3, bias);
  store_row(oc, row0 + 25u, col0, c25_0, c25_1, c25_2, c25_3, bias);
  store_row(oc, row0 + 26u, col0, c26_0, c26_1, c26_2, c26_3, bias);
  store_row(oc, row0 + 27u, col0, c27_0, c27_1, c27_2, c27_3, bias);
  store_row(oc, row0 + 28u, col0, c28_0, c28_1, c28_2, c28_3, bias);
  store_row(oc, row0 + 29u, col0, c29_0, c29_1, c29_2, c29_3, bias);
  store_row(oc, row0 + 30u, col0, c30_0, c30_1, c30_2, c30_3, bias);
  store_row(oc, row0 + 31u, col0, c31_0, c31_1, c31_2, c31_3, bias);
}

// matmul_tiled (GPUs): a workgroup of 256 invocations owns a 128 × 128 block of C. For each
// step of 8 along K it stages op(A)[128 rows, 8] and op(B)[8, 128 columns] in workgroup
// memory (k-major, vec4f; zero past M, N and K), then invocation (ty, tx) = (lid / 16, lid % 16)
// adds the 8 × 8 outputs at rows {0, 64} + 4·ty + 0…3 and columns {0, 64} + 4·tx + 0…3 of the
// block: 64 FMAs per 4 workgroup-memory vec4 reads.
@compute @workgroup_size(256)
fn matmul_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 128u;
  let col0 = block_col * 128u;
  let tx = lid % 16u;
  let ty = lid / 16u;
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  // What this invocation stages: 4 elements of each tile. Untransposed A and transposed B
  // are read along K (2 invocations per row or column); the others along M or N.
  let a_r = select(lid / 2u, (lid * 4u) % 128u, p.ta == 1u); // first tile row
  let a_k = select((lid % 2u) * 4u, lid / 32u, p.ta == 1u);  // first k
  let b_c = select((lid * 4u) % 128u, lid / 2u, p.tb == 1u);
  let b_k = select(lid / 32u, (lid % 2u) * 4u, p.tb == 1u);
  var c0_0 = vec4f(0.0);
  var c0_1 = vec4f(0.0);
  var c1_0 = vec4f(0.0);
  var c1_1 = vec4f(0.0);
  var c2_0 = vec4f(0.0);
  var c2_1 = vec4f(0.0);
  var c3_0 = vec4f(0.0);
  var c3_1 = vec4f(0.0);
  var c4_0 = vec4f(0.0);
  var c4_1 = vec4f(0.0);
  var c5_0 = vec4f(0.0);
  var c5_1 = vec4f(0.0);
  var c6_0 = vec4f(0.0);
  var c6_1 = vec4f(0.0);
  var c7_0 = vec4f(0.0);
  var c7_1 = vec4f(0.0);
  for (var k0 = 0u; k0 < p.k; k0 += 8u) {
    for (var e = 0u; e < 4u; e++) {
      // A element (row r, k), B element (k, column c) of this step's tiles.
      let ar = a_r + select(0u, e, p.ta == 1u);
      let ak = a_k + select(e, 0u, p.ta == 1u);
      let gr = row0 + ar;
      let gk = k0 + ak;
      var av = 0.0;
      if (gr < p.m && gk < p.k) {
        av = a[oa + select(gr * p.lda + gk, gk * p.lda + gr, p.ta == 1u)];
      }
      tile_a[ak * 32u + ar / 4u][ar % 4u] = av;
      let bc = b_c + select(e, 0u, p.tb == 1u);
      let bk = b_k + select(0u, e, p.tb == 1u);
      let gc = col0 + bc;
      let gkb = k0 + bk;
      var bv = 0.0;
      if (gc < p.n && gkb < p.k) {
        bv = b[ob + select(gkb * p.ldb + gc, gc * p.ldb + gkb, p.tb == 1u)];
      }
      tile_b[bk * 32u + bc / 4u][bc % 4u] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 8u; kk++) {
      let a0 = tile_a[kk * 32u + ty];
      let a1 = tile_a[kk * 32u + 16u + ty];
      let b0 = tile_b[kk * 32u + tx];
      let b1 = tile_b[kk * 32u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    workgroupBarrier();
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let last_col = p.n - 1u;
  let colA = col0 + tx * 4u;
  let colB = col0 + 64u + tx * 4u;
  let biasA = bias4(colA, last_col);
  let biasB = bias4(colB, last_col);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, colA, c0_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, colB, c0_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, colA, c1_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, colB, c1_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, colA, c2_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, colB, c2_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, colA, c3_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, colB, c3_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 0u, colA, c4_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 0u, colB, c4_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 1u, colA, c5_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 1u, colB, c5_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 2u, colA, c6_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 2u, colB, c6_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 3u, colA, c7_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 3u, colB, c7_1, biasB);
}

// matmul_tiled_v4 (GPUs, 4-aligned operands): matmul_tiled's 128 × 128 blocks and 8 × 8
// outputs per invocation, with operands read as vec4f (row strides, offsets and batch strides
// multiples of 4; elements past a row's end are masked), K steps of 16 staged in
// tile_a16/tile_b16, the transposes as overrides (TA, TB), and register prefetch: the next
// step's 8 values of each operand are loaded before this step's 1024 FMAs
// (bench/matmul_variants variant 29), which are unrolled in the source (variant 31). It
// sums in the same order as matmul_tiled.
@compute @workgroup_size(256)
fn matmul_tiled_v4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 128u;
  let col0 = block_col * 128u;
  let tx = lid % 16u;
  let ty = lid / 16u;
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  var c0_0 = vec4f(0.0);
  var c0_1 = vec4f(0.0);
  var c1_0 = vec4f(0.0);
  var c1_1 = vec4f(0.0);
  var c2_0 = vec4f(0.0);
  var c2_1 = vec4f(0.0);
  var c3_0 = vec4f(0.0);
  var c3_1 = vec4f(0.0);
  var c4_0 = vec4f(0.0);
  var c4_1 = vec4f(0.0);
  var c5_0 = vec4f(0.0);
  var c5_1 = vec4f(0.0);
  var c6_0 = vec4f(0.0);
  var c6_1 = vec4f(0.0);
  var c7_0 = vec4f(0.0);
  var c7_1 = vec4f(0.0);
  var ra = load_a16(lid, oa, row0, 0u);
  var rb = load_b16(lid, ob, col0, 0u);
  for (var k0 = 0u; k0 < p.k; k0 += 16u) {
    store_a16(lid, ra);
    store_b16(lid, rb);
    workgroupBarrier();
    if (k0 + 16u < p.k) {
      ra = load_a16(lid, oa, row0, k0 + 16u);
      rb = load_b16(lid, ob, col0, k0 + 16u);
    }
    // The 16 k of the step unrolled in the source, each reading workgroup memory at a
    // constant offset (variant 31; the loop form is variant 30).
    { // kk = 0
      let a0 = tile_a16[0u + ty];
      let a1 = tile_a16[0u + 16u + ty];
      let b0 = tile_b16[0u + tx];
      let b1 = tile_b16[0u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 1
      let a0 = tile_a16[32u + ty];
      let a1 = tile_a16[32u + 16u + ty];
      let b0 = tile_b16[32u + tx];
      let b1 = tile_b16[32u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 2
      let a0 = tile_a16[64u + ty];
      let a1 = tile_a16[64u + 16u + ty];
      let b0 = tile_b16[64u + tx];
      let b1 = tile_b16[64u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 3
      let a0 = tile_a16[96u + ty];
      let a1 = tile_a16[96u + 16u + ty];
      let b0 = tile_b16[96u + tx];
      let b1 = tile_b16[96u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 4
      let a0 = tile_a16[128u + ty];
      let a1 = tile_a16[128u + 16u + ty];
      let b0 = tile_b16[128u + tx];
      let b1 = tile_b16[128u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 5
      let a0 = tile_a16[160u + ty];
      let a1 = tile_a16[160u + 16u + ty];
      let b0 = tile_b16[160u + tx];
      let b1 = tile_b16[160u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 6
      let a0 = tile_a16[192u + ty];
      let a1 = tile_a16[192u + 16u + ty];
      let b0 = tile_b16[192u + tx];
      let b1 = tile_b16[192u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 7
      let a0 = tile_a16[224u + ty];
      let a1 = tile_a16[224u + 16u + ty];
      let b0 = tile_b16[224u + tx];
      let b1 = tile_b16[224u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 8
      let a0 = tile_a16[256u + ty];
      let a1 = tile_a16[256u + 16u + ty];
      let b0 = tile_b16[256u + tx];
      let b1 = tile_b16[256u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 9
      let a0 = tile_a16[288u + ty];
      let a1 = tile_a16[288u + 16u + ty];
      let b0 = tile_b16[288u + tx];
      let b1 = tile_b16[288u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 10
      let a0 = tile_a16[320u + ty];
      let a1 = tile_a16[320u + 16u + ty];
      let b0 = tile_b16[320u + tx];
      let b1 = tile_b16[320u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 11
      let a0 = tile_a16[352u + ty];
      let a1 = tile_a16[352u + 16u + ty];
      let b0 = tile_b16[352u + tx];
      let b1 = tile_b16[352u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 12
      let a0 = tile_a16[384u + ty];
      let a1 = tile_a16[384u + 16u + ty];
      let b0 = tile_b16[384u + tx];
      let b1 = tile_b16[384u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 13
      let a0 = tile_a16[416u + ty];
      let a1 = tile_a16[416u + 16u + ty];
      let b0 = tile_b16[416u + tx];
      let b1 = tile_b16[416u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 14
      let a0 = tile_a16[448u + ty];
      let a1 = tile_a16[448u + 16u + ty];
      let b0 = tile_b16[448u + tx];
      let b1 = tile_b16[448u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 15
      let a0 = tile_a16[480u + ty];
      let a1 = tile_a16[480u + 16u + ty];
      let b0 = tile_b16[480u + tx];
      let b1 = tile_b16[480u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    workgroupBarrier();
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let last_col = p.n - 1u;
  let colA = col0 + tx * 4u;
  let colB = col0 + 64u + tx * 4u;
  let biasA = bias4(colA, last_col);
  let biasB = bias4(colB, last_col);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, colA, c0_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, colB, c0_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, colA, c1_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, colB, c1_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, colA, c2_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, colB, c2_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, colA, c3_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, colB, c3_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 0u, colA, c4_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 0u, colB, c4_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 1u, colA, c5_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 1u, colB, c5_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 2u, colA, c6_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 2u, colB, c6_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 3u, colA, c7_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 3u, colB, c7_1, biasB);
}

// matmul_tiled_v4_half (GPUs, 4-aligned operands): matmul_tiled_v4 with blocks of 64 rows
// × 128 columns and 128 invocations, each still 8 × 8 outputs: rows {0, 32} + 4·ty + 0…3 (ty
// = lid / 16 < 8), columns {0, 64} + 4·tx + 0…3. Twice the workgroups of half the work, for
// products whose 128 × 128 blocks leave much of a wave idle (the blocks of bench/
// matmul_variants variant 35). It stages A through load_a16h/store_a16h and B as
// matmul_tiled_v4 does, each invocation standing in for two (lid and lid + 128), where
// variant 35 loads its 16 values of B in one go. Same sums in the same order.
@compute @workgroup_size(128)
fn matmul_tiled_v4_half(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 64u;
  let col0 = block_col * 128u;
  let tx = lid % 16u;
  let ty = lid / 16u;
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  var c0_0 = vec4f(0.0);
  var c0_1 = vec4f(0.0);
  var c1_0 = vec4f(0.0);
  var c1_1 = vec4f(0.0);
  var c2_0 = vec4f(0.0);
  var c2_1 = vec4f(0.0);
  var c3_0 = vec4f(0.0);
  var c3_1 = vec4f(0.0);
  var c4_0 = vec4f(0.0);
  var c4_1 = vec4f(0.0);
  var c5_0 = vec4f(0.0);
  var c5_1 = vec4f(0.0);
  var c6_0 = vec4f(0.0);
  var c6_1 = vec4f(0.0);
  var c7_0 = vec4f(0.0);
  var c7_1 = vec4f(0.0);
  var ra = load_a16h(lid, oa, row0, 0u);
  var rb0 = load_b16(lid, ob, col0, 0u);
  var rb1 = load_b16(lid + 128u, ob, col0, 0u);
  for (var k0 = 0u; k0 < p.k; k0 += 16u) {
    store_a16h(lid, ra);
    store_b16(lid, rb0);
    store_b16(lid + 128u, rb1);
    workgroupBarrier();
    if (k0 + 16u < p.k) {
      ra = load_a16h(lid, oa, row0, k0 + 16u);
      rb0 = load_b16(lid, ob, col0, k0 + 16u);
      rb1 = load_b16(lid + 128u, ob, col0, k0 + 16u);
    }
    { // kk = 0
      let a0 = tile_a16[0u + ty];
      let a1 = tile_a16[0u + 8u + ty];
      let b0 = tile_b16[0u + tx];
      let b1 = tile_b16[0u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 1
      let a0 = tile_a16[16u + ty];
      let a1 = tile_a16[16u + 8u + ty];
      let b0 = tile_b16[32u + tx];
      let b1 = tile_b16[32u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 2
      let a0 = tile_a16[32u + ty];
      let a1 = tile_a16[32u + 8u + ty];
      let b0 = tile_b16[64u + tx];
      let b1 = tile_b16[64u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 3
      let a0 = tile_a16[48u + ty];
      let a1 = tile_a16[48u + 8u + ty];
      let b0 = tile_b16[96u + tx];
      let b1 = tile_b16[96u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 4
      let a0 = tile_a16[64u + ty];
      let a1 = tile_a16[64u + 8u + ty];
      let b0 = tile_b16[128u + tx];
      let b1 = tile_b16[128u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 5
      let a0 = tile_a16[80u + ty];
      let a1 = tile_a16[80u + 8u + ty];
      let b0 = tile_b16[160u + tx];
      let b1 = tile_b16[160u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 6
      let a0 = tile_a16[96u + ty];
      let a1 = tile_a16[96u + 8u + ty];
      let b0 = tile_b16[192u + tx];
      let b1 = tile_b16[192u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 7
      let a0 = tile_a16[112u + ty];
      let a1 = tile_a16[112u + 8u + ty];
      let b0 = tile_b16[224u + tx];
      let b1 = tile_b16[224u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 8
      let a0 = tile_a16[128u + ty];
      let a1 = tile_a16[128u + 8u + ty];
      let b0 = tile_b16[256u + tx];
      let b1 = tile_b16[256u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 9
      let a0 = tile_a16[144u + ty];
      let a1 = tile_a16[144u + 8u + ty];
      let b0 = tile_b16[288u + tx];
      let b1 = tile_b16[288u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 10
      let a0 = tile_a16[160u + ty];
      let a1 = tile_a16[160u + 8u + ty];
      let b0 = tile_b16[320u + tx];
      let b1 = tile_b16[320u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 11
      let a0 = tile_a16[176u + ty];
      let a1 = tile_a16[176u + 8u + ty];
      let b0 = tile_b16[352u + tx];
      let b1 = tile_b16[352u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 12
      let a0 = tile_a16[192u + ty];
      let a1 = tile_a16[192u + 8u + ty];
      let b0 = tile_b16[384u + tx];
      let b1 = tile_b16[384u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 13
      let a0 = tile_a16[208u + ty];
      let a1 = tile_a16[208u + 8u + ty];
      let b0 = tile_b16[416u + tx];
      let b1 = tile_b16[416u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 14
      let a0 = tile_a16[224u + ty];
      let a1 = tile_a16[224u + 8u + ty];
      let b0 = tile_b16[448u + tx];
      let b1 = tile_b16[448u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 15
      let a0 = tile_a16[240u + ty];
      let a1 = tile_a16[240u + 8u + ty];
      let b0 = tile_b16[480u + tx];
      let b1 = tile_b16[480u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    workgroupBarrier();
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let last_col = p.n - 1u;
  let colA = col0 + tx * 4u;
  let colB = col0 + 64u + tx * 4u;
  let biasA = bias4(colA, last_col);
  let biasB = bias4(colB, last_col);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, colA, c0_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, colB, c0_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, colA, c1_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, colB, c1_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, colA, c2_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, colB, c2_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, colA, c3_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, colB, c3_1, biasB);
  store_quad(oc, row0 + 32u + ty * 4u + 0u, colA, c4_0, biasA);
  store_quad(oc, row0 + 32u + ty * 4u + 0u, colB, c4_1, biasB);
  store_quad(oc, row0 + 32u + ty * 4u + 1u, colA, c5_0, biasA);
  store_quad(oc, row0 + 32u + ty * 4u + 1u, colB, c5_1, biasB);
  store_quad(oc, row0 + 32u + ty * 4u + 2u, colA, c6_0, biasA);
  store_quad(oc, row0 + 32u + ty * 4u + 2u, colB, c6_1, biasB);
  store_quad(oc, row0 + 32u + ty * 4u + 3u, colA, c7_0, biasA);
  store_quad(oc, row0 + 32u + ty * 4u + 3u, colB, c7_1, biasB);
}

// matmul_tiled_v4_narrow (GPUs, 4-aligned operands): matmul_tiled_v4 with blocks of 128 rows
// × 64 columns and 128 invocations, each still 8 × 8 outputs: rows {0, 64} + 4·ty + 0…3 (ty
// = lid / 8 < 16), columns {0, 32} + 4·tx + 0…3 (tx = lid % 8). For products with N ≤ 64
// (attention's P·V, dS·K, dSᵀ·Q, Pᵀ·dO at head size 64), where a 128-column block leaves half
// its invocations on columns past N. It stages A as matmul_tiled_v4 does, each invocation
// standing in for two (lid and lid + 128), and B through load_b16n/store_b16n. Same sums in
// the same order.
@compute @workgroup_size(128)
fn matmul_tiled_v4_narrow(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);
  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);
  let row0 = block_row * 128u;
  let col0 = block_col * 64u;
  let tx = lid % 8u;
  let ty = lid / 8u;
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  var c0_0 = vec4f(0.0);
  var c0_1 = vec4f(0.0);
  var c1_0 = vec4f(0.0);
  var c1_1 = vec4f(0.0);
  var c2_0 = vec4f(0.0);
  var c2_1 = vec4f(0.0);
  var c3_0 = vec4f(0.0);
  var c3_1 = vec4f(0.0);
  var c4_0 = vec4f(0.0);
  var c4_1 = vec4f(0.0);
  var c5_0 = vec4f(0.0);
  var c5_1 = vec4f(0.0);
  var c6_0 = vec4f(0.0);
  var c6_1 = vec4f(0.0);
  var c7_0 = vec4f(0.0);
  var c7_1 = vec4f(0.0);
  var ra0 = load_a16(lid, oa, row0, 0u);
  var ra1 = load_a16(lid + 128u, oa, row0, 0u);
  var rb = load_b16n(lid, ob, col0, 0u);
  for (var k0 = 0u; k0 < p.k; k0 += 16u) {
    store_a16(lid, ra0);
    store_a16(lid + 128u, ra1);
    store_b16n(lid, rb);
    workgroupBarrier();
    if (k0 + 16u < p.k) {
      ra0 = load_a16(lid, oa, row0, k0 + 16u);
      ra1 = load_a16(lid + 128u, oa, row0, k0 + 16u);
      rb = load_b16n(lid, ob, col0, k0 + 16u);
    }
    { // kk = 0
      let a0 = tile_a16[0u + ty];
      let a1 = tile_a16[0u + 16u + ty];
      let b0 = tile_b16[0u + tx];
      let b1 = tile_b16[0u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 1
      let a0 = tile_a16[32u + ty];
      let a1 = tile_a16[32u + 16u + ty];
      let b0 = tile_b16[16u + tx];
      let b1 = tile_b16[16u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 2
      let a0 = tile_a16[64u + ty];
      let a1 = tile_a16[64u + 16u + ty];
      let b0 = tile_b16[32u + tx];
      let b1 = tile_b16[32u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 3
      let a0 = tile_a16[96u + ty];
      let a1 = tile_a16[96u + 16u + ty];
      let b0 = tile_b16[48u + tx];
      let b1 = tile_b16[48u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 4
      let a0 = tile_a16[128u + ty];
      let a1 = tile_a16[128u + 16u + ty];
      let b0 = tile_b16[64u + tx];
      let b1 = tile_b16[64u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 5
      let a0 = tile_a16[160u + ty];
      let a1 = tile_a16[160u + 16u + ty];
      let b0 = tile_b16[80u + tx];
      let b1 = tile_b16[80u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 6
      let a0 = tile_a16[192u + ty];
      let a1 = tile_a16[192u + 16u + ty];
      let b0 = tile_b16[96u + tx];
      let b1 = tile_b16[96u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 7
      let a0 = tile_a16[224u + ty];
      let a1 = tile_a16[224u + 16u + ty];
      let b0 = tile_b16[112u + tx];
      let b1 = tile_b16[112u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 8
      let a0 = tile_a16[256u + ty];
      let a1 = tile_a16[256u + 16u + ty];
      let b0 = tile_b16[128u + tx];
      let b1 = tile_b16[128u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 9
      let a0 = tile_a16[288u + ty];
      let a1 = tile_a16[288u + 16u + ty];
      let b0 = tile_b16[144u + tx];
      let b1 = tile_b16[144u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 10
      let a0 = tile_a16[320u + ty];
      let a1 = tile_a16[320u + 16u + ty];
      let b0 = tile_b16[160u + tx];
      let b1 = tile_b16[160u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 11
      let a0 = tile_a16[352u + ty];
      let a1 = tile_a16[352u + 16u + ty];
      let b0 = tile_b16[176u + tx];
      let b1 = tile_b16[176u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 12
      let a0 = tile_a16[384u + ty];
      let a1 = tile_a16[384u + 16u + ty];
      let b0 = tile_b16[192u + tx];
      let b1 = tile_b16[192u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 13
      let a0 = tile_a16[416u + ty];
      let a1 = tile_a16[416u + 16u + ty];
      let b0 = tile_b16[208u + tx];
      let b1 = tile_b16[208u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 14
      let a0 = tile_a16[448u + ty];
      let a1 = tile_a16[448u + 16u + ty];
      let b0 = tile_b16[224u + tx];
      let b1 = tile_b16[224u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    { // kk = 15
      let a0 = tile_a16[480u + ty];
      let a1 = tile_a16[480u + 16u + ty];
      let b0 = tile_b16[240u + tx];
      let b1 = tile_b16[240u + 8u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    workgroupBarrier();
  }
  let oc = p.off_c + wid.z * p.stride_c;
  let last_col = p.n - 1u;
  let colA = col0 + tx * 4u;
  let colB = col0 + 32u + tx * 4u;
  let biasA = bias4(colA, last_col);
  let biasB = bias4(colB, last_col);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, colA, c0_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, colB, c0_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, colA, c1_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, colB, c1_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, colA, c2_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, colB, c2_1, biasB);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, colA, c3_0, biasA);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, colB, c3_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 0u, colA, c4_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 0u, colB, c4_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 1u, colA, c5_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 1u, colB, c5_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 2u, colA, c6_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 2u, colB, c6_1, biasB);
  store_quad(oc, row0 + 64u + ty * 4u + 3u, colA, c7_0, biasA);
  store_quad(oc, row0 + 64u + ty * 4u + 3u, colB, c7_1, biasB);
}

fn load_a16(lid: u32, base: u32, r0: u32, k0: u32) -> array<vec4f, 2> {
  if (TA == 1u) {
    let k = k0 + lid / 16u;
    let r = r0 + (lid % 16u) * 8u;
    let at = base + min(k, p.k - 1u) * p.lda;
    let last = (p.m - 1u) & ~3u;
    let v0 = a4[(at + min(r, last)) / 4u];
    let v1 = a4[(at + min(r + 4u, last)) / 4u];
    return array<vec4f, 2>(
      select(vec4f(0.0), v0, lanes_below(r, p.m) & vec4<bool>(k < p.k)),
      select(vec4f(0.0), v1, lanes_below(r + 4u, p.m) & vec4<bool>(k < p.k)),
    );
  }
  let r = r0 + lid / 2u;
  let k = k0 + (lid % 2u) * 8u;
  let at = base + min(r, p.m - 1u) * p.lda;
  let last = (p.k - 1u) & ~3u;
  let v0 = a4[(at + min(k, last)) / 4u];
  let v1 = a4[(at + min(k + 4u, last)) / 4u];
  return array<vec4f, 2>(
    select(vec4f(0.0), v0, lanes_below(k, p.k) & vec4<bool>(r < p.m)),
    select(vec4f(0.0), v1, lanes_below(k + 4u, p.k) & vec4<bool>(r < p.m)),
  );
}

fn load_b16(lid: u32, base: u32, c0: u32, k0: u32) -> array<vec4f, 2> {
  if (TB == 0u) {
    let k = k0 + lid / 16u;
    let c = c0 + (lid % 16u) * 8u;
    let at = base + min(k, p.k - 1u) * p.ldb;
    let last = (p.n - 1u) & ~3u;
    let v0 = b4[(at + min(c, last)) / 4u];
    let v1 = b4[(at + min(c + 4u, last)) / 4u];
    return array<vec4f, 2>(
      select(vec4f(0.0), v0, lanes_below(c, p.n) & vec4<bool>(k < p.k)),
      select(vec4f(0.0), v1, lanes_below(c + 4u, p.n) & vec4<bool>(k < p.k)),
    );
  }
  let c = c0 + lid / 2u;
  let k = k0 + (lid % 2u) * 8u;
  let at = base + min(c, p.n - 1u) * p.ldb;
  let last = (p.k - 1u) & ~3u;
  let v0 = b4[(at + min(k, last)) / 4u];
  let v1 = b4[(at + min(k + 4u, last)) / 4u];
  return array<vec4f, 2>(
    select(vec4f(0.0), v0, lanes_below(k, p.k) & vec4<bool>(c < p.n)),
    select(vec4f(0.0), v1, lanes_below(k + 4u, p.k) & vec4<bool>(c < p.n)),
  );
}

fn store_a16(lid: u32, v: array<vec4f, 2>) {
  if (TA == 1u) {
    let at = (lid / 16u) * 32u + (lid % 16u) * 2u;
    tile_a16[at] = v[0];
    tile_a16[at + 1u] = v[1];
    return;
  }
  // K contiguous: 8 values of line lid / 2 at k = 8·(lid % 2) + e, constant indices only
  // (a dynamically indexed local array could live in slow local memory).
  let r = lid / 2u;
  let at = (lid % 2u) * 8u * 32u + r / 4u;
  let c = r % 4u;
  tile_a16[at + 0u][c] = v[0].x;
  tile_a16[at + 32u][c] = v[0].y;
  tile_a16[at + 64u][c] = v[0].z;
  tile_a16[at + 96u][c] = v[0].w;
  tile_a16[at + 128u][c] = v[1].x;
  tile_a16[at + 160u][c] = v[1].y;
  tile_a16[at + 192u][c] = v[1].z;
  tile_a16[at + 224u][c] = v[1].w;
}

fn store_b16(lid: u32, v: array<vec4f, 2>) {
  if (TB == 0u) {
    let at = (lid / 16u) * 32u + (lid % 16u) * 2u;
    tile_b16[at] = v[0];
    tile_b16[at + 1u] = v[1];
    return;
  }
  // K contiguous: 8 values of line lid / 2 at k = 8·(lid % 2) + e, constant indices only
  // (a dynamically indexed local array could live in slow local memory).
  let r = lid / 2u;
  let at = (lid % 2u) * 8u * 32u + r / 4u;
  let c = r % 4u;
  tile_b16[at + 0u][c] = v[0].x;
  tile_b16[at + 32u][c] = v[0].y;
  tile_b16[at + 64u][c] = v[0].z;
  tile_b16[at + 96u][c] = v[0].w;
  tile_b16[at + 128u][c] = v[1].x;
  tile_b16[at + 160u][c] = v[1].y;
  tile_b16[at + 192u][c] = v[1].z;
  tile_b16[at + 224u][c] = v[1].w;
}

fn load_a16h(lid: u32, base: u32, r0: u32, k0: u32) -> array<vec4f, 2> {
  if (TA == 1u) {
    let k = k0 + lid / 8u;
    let r = r0 + (lid % 8u) * 8u;
    let at = base + min(k, p.k - 1u) * p.lda;
    let last = (p.m - 1u) & ~3u;
    let v0 = a4[(at + min(r, last)) / 4u];
    let v1 = a4[(at + min(r + 4u, last)) / 4u];
    return array<vec4f, 2>(
      select(vec4f(0.0), v0, lanes_below(r, p.m) & vec4<bool>(k < p.k)),
      select(vec4f(0.0), v1, lanes_below(r + 4u, p.m) & vec4<bool>(k < p.k)),
    );
  }
  let r = r0 + lid / 2u;
  let k = k0 + (lid % 2u) * 8u;
  let at = base + min(r, p.m - 1u) * p.lda;
  let last = (p.k - 1u) & ~3u;
  let v0 = a4[(at + min(k, last)) / 4u];
  let v1 = a4[(at + min(k + 4u, last)) / 4u];
  return array<vec4f, 2>(
    select(vec4f(0.0), v0, lanes_below(k, p.k) & vec4<bool>(r < p.m)),
    select(vec4f(0.0), v1, lanes_below(k + 4u, p.k) & vec4<bool>(r < p.m)),
  );
}

fn store_a16h(lid: u32, v: array<vec4f, 2>) {
  if (TA == 1u) {
    let at = (lid / 8u) * 16u + (lid % 8u) * 2u;
    tile_a16[at] = v[0];
    tile_a16[at + 1u] = v[1];
    return;
  }
  // K contiguous: 8 values of line lid / 2 at k = 8·(lid % 2) + e, constant indices only
  // (a dynamically indexed local array could live in slow local memory).
  let r = lid / 2u;
  let at = (lid % 2u) * 8u * 16u + r / 4u;
  let c = r % 4u;
  tile_a16[at + 0u][c] = v[0].x;
  tile_a16[at + 16u][c] = v[0].y;
  tile_a16[at + 32u][c] = v[0].z;
  tile_a16[at + 48u][c] = v[0].w;
  tile_a16[at + 64u][c] = v[1].x;
  tile_a16[at + 80u][c] = v[1].y;
  tile_a16[at + 96u][c] = v[1].z;
  tile_a16[at + 112u][c] = v[1].w;
}

fn load_b16n(lid: u32, base: u32, c0: u32, k0: u32) -> array<vec4f, 2> {
  if (TB == 0u) {
    let k = k0 + lid / 8u;
    let c = c0 + (lid % 8u) * 8u;
    let at = base + min(k, p.k - 1u) * p.ldb;
    let last = (p.n - 1u) & ~3u;
    let v0 = b4[(at + min(c, last)) / 4u];
    let v1 = b4[(at + min(c + 4u, last)) / 4u];
    return array<vec4f, 2>(
      select(vec4f(0.0), v0, lanes_below(c, p.n) & vec4<bool>(k < p.k)),
      select(vec4f(0.0), v1, lanes_below(c + 4u, p.n) & vec4<bool>(k < p.k)),
    );
  }
  let c = c0 + lid / 2u;
  let k = k0 + (lid % 2u) * 8u;
  let at = base + min(c, p.n - 1u) * p.ldb;
  let last = (p.k - 1u) & ~3u;
  let v0 = b4[(at + min(k, last)) / 4u];
  let v1 = b4[(at + min(k + 4u, last)) / 4u];
  return array<vec4f, 2>(
    select(vec4f(0.0), v0, lanes_below(k, p.k) & vec4<bool>(c < p.n)),
    select(vec4f(0.0), v1, lanes_below(k + 4u, p.k) & vec4<bool>(c < p.n)),
  );
}

fn store_b16n(lid: u32, v: array<vec4f, 2>) {
  if (TB == 0u) {
    let at = (lid / 8u) * 16u + (lid % 8u) * 2u;
    tile_b16[at] = v[0];
    tile_b16[at + 1u] = v[1];
    return;
  }
  // K contiguous: 8 values of line lid / 2 at k = 8·(lid % 2) + e, constant indices only
  // (a dynamically indexed local array could live in slow local memory).
  let r = lid / 2u;
  let at = (lid % 2u) * 8u * 16u + r / 4u;
  let c = r % 4u;
  tile_b16[at + 0u][c] = v[0].x;
  tile_b16[at + 16u][c] = v[0].y;
  tile_b16[at + 32u][c] = v[0].z;
  tile_b16[at + 48u][c] = v[0].w;
  tile_b16[at + 64u][c] = v[1].x;
  tile_b16[at + 80u][c] = v[1].y;
  tile_b16[at + 96u][c] = v[1].z;
  tile_b16[at + 112u][c] = v[1].w;
}
// END GENERATED

// ---- the tiled v4 kernels' operand staging ----
//
// The staging helpers (load_a16 … store_b16n) are written by gen_kernel.py with the entry points,
// every index a constant. Each invocation stages 8 values of a 16-k operand tile per K step, as
// two vec4f: of 128 × 16 tiles (load_a16, load_b16, …), or of 64 × 16 ones (load_a16h for
// matmul_tiled_v4_half's A, load_b16n for matmul_tiled_v4_narrow's B: 128 invocations). An
// operand stored with the tile's rows (M for A, N for B) contiguous is read by k = lid / 16 (lid
// / 8 in a 64-wide tile) at rows 8·(lid % 16) + 0…7 (8·(lid % 8)); one stored with K contiguous
// by row lid / 2 at k 8·(lid % 2) + 0…7.
// Row strides and offsets are multiples of 4, so every vec4f starts a group of 4 within a row;
// the extents need not be: elements past the matrix are selected to zero lane by lane, and the
// index is clamped to the row's last group (which may reach into the row's padding, or, in the
// last row, up to 3 elements past the end: the launcher widens the binding to whole vec4s).

// Which of the 4 elements from i on lie below n.
fn lanes_below(i: u32, n: u32) -> vec4<bool> {
  return vec4u(i, i + 1u, i + 2u, i + 3u) < vec4u(n);
}

// The bias of 16 columns from col0 (clamped to the last), or zeros when BIAS = 0.
struct Bias16 {
  b0: vec4f,
  b1: vec4f,
  b2: vec4f,
  b3: vec4f,
}

fn load_bias(col0: u32, last_col: u32) -> Bias16 {
  if (BIAS == 0u) {
    return Bias16(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  }
  let o = p.off_bias;
  return Bias16(
    vec4f(mm_bias[o + min(col0, last_col)], mm_bias[o + min(col0 + 1u, last_col)],
          mm_bias[o + min(col0 + 2u, last_col)], mm_bias[o + min(col0 + 3u, last_col)]),
    vec4f(mm_bias[o + min(col0 + 4u, last_col)], mm_bias[o + min(col0 + 5u, last_col)],
          mm_bias[o + min(col0 + 6u, last_col)], mm_bias[o + min(col0 + 7u, last_col)]),
    vec4f(mm_bias[o + min(col0 + 8u, last_col)], mm_bias[o + min(col0 + 9u, last_col)],
          mm_bias[o + min(col0 + 10u, last_col)], mm_bias[o + min(col0 + 11u, last_col)]),
    vec4f(mm_bias[o + min(col0 + 12u, last_col)], mm_bias[o + min(col0 + 13u, last_col)],
          mm_bias[o + min(col0 + 14u, last_col)], mm_bias[o + min(col0 + 15u, last_col)]),
  );
}

// Writes up to 16 outputs of row r starting at column col: α·acc + bias, added to C when ACC = 1.
fn store_row(oc: u32, r: u32, col: u32, v0: vec4f, v1: vec4f, v2: vec4f, v3: vec4f, bias: Bias16) {
  if (r >= p.m) {
    return;
  }
  let at = oc + r * p.ldc + col;
  store4(at, col, p.alpha * v0 + bias.b0);
  store4(at + 4u, col + 4u, p.alpha * v1 + bias.b1);
  store4(at + 8u, col + 8u, p.alpha * v2 + bias.b2);
  store4(at + 12u, col + 12u, p.alpha * v3 + bias.b3);
}

// The bias of 4 columns from col (clamped to the last), or zeros when BIAS = 0.
fn bias4(col: u32, last_col: u32) -> vec4f {
  if (BIAS == 0u) {
    return vec4f(0.0);
  }
  let o = p.off_bias;
  return vec4f(mm_bias[o + min(col, last_col)], mm_bias[o + min(col + 1u, last_col)],
               mm_bias[o + min(col + 2u, last_col)], mm_bias[o + min(col + 3u, last_col)]);
}

// Writes up to 4 outputs of row r from column col: α·acc + bias (matmul_tiled).
fn store_quad(oc: u32, r: u32, col: u32, v: vec4f, bias: vec4f) {
  if (r < p.m) {
    store4(oc + r * p.ldc + col, col, p.alpha * v + bias);
  }
}

fn store4(at: u32, col: u32, v: vec4f) {
  if (ACC == 1u) {
    if (col < p.n) { c[at] += v.x; }
    if (col + 1u < p.n) { c[at + 1u] += v.y; }
    if (col + 2u < p.n) { c[at + 2u] += v.z; }
    if (col + 3u < p.n) { c[at + 3u] += v.w; }
  } else {
    if (col < p.n) { c[at] = v.x; }
    if (col + 1u < p.n) { c[at + 1u] = v.y; }
    if (col + 2u < p.n) { c[at + 2u] = v.z; }
    if (col + 3u < p.n) { c[at + 3u] = v.w; }
  }
}

// ---- prologue: C = β·C (β ∉ {0, 1}) ----

struct PrologueParams {
  m: u32,        // rows of C in this launch
  n: u32,        // columns
  ldc: u32,
  off_c: u32,
  stride_c: u32,
  rows_step: u32, // workgroups along y: each invocation walks rows y, y + rows_step, …
  beta: f32,
}

override PW: u32 = 64u;

@group(0) @binding(0) var<uniform> pp: PrologueParams;
@group(0) @binding(1) var<storage, read_write> c_pro: array<f32>; // (M, N) rows ldc apart

@compute @workgroup_size(PW)
fn prologue(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let j = gid.x;
  if (j >= pp.n) {
    return;
  }
  let base = pp.off_c + wid.z * pp.stride_c + j;
  for (var r = wid.y; r < pp.m; r += pp.rows_step) {
    let at = base + r * pp.ldc;
    c_pro[at] = pp.beta * c_pro[at];
  }
}

// ---- split-K reduction (GPUs) ----
//
// With split K the tiled kernel writes S partial products W[s] = op(A)[:, K slice s]·op(B)[K slice
// s, :] (dense (S, M, N) in a scratch binding); splitk_reduce then sets
//   C = α·(W[0] + W[1] + … + W[S−1]) + bias      (ACC = 0)   or   C += that   (ACC = 1)
// summing s in order, one invocation per element: the same bits on every run.

struct SplitParams {
  m: u32,         // rows of C
  n: u32,         // columns of C
  ldc: u32,       // row stride of C
  off_c: u32,     // element offset of C in its binding
  off_w: u32,     // element offset of W[0] in its binding
  slices: u32,    // S
  rows_step: u32, // workgroups along y: each invocation walks rows y, y + rows_step, …
  off_bias: u32,  // element offset of the bias in its binding
  alpha: f32,
}

@group(0) @binding(0) var<uniform> sp: SplitParams;
@group(0) @binding(1) var<storage, read> partials: array<f32>;      // (S, M, N)
@group(0) @binding(2) var<storage, read_write> c_split: array<f32>; // (M, N) rows ldc apart
@group(0) @binding(3) var<storage, read> split_bias: array<f32>;    // (N,); anything when BIAS = 0

@compute @workgroup_size(PW)
fn splitk_reduce(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let j = gid.x;
  if (j >= sp.n) {
    return;
  }
  let cells = sp.m * sp.n;
  for (var r = wid.y; r < sp.m; r += sp.rows_step) {
    var s = 0.0;
    for (var t = 0u; t < sp.slices; t++) {
      s += partials[sp.off_w + t * cells + r * sp.n + j];
    }
    var v = sp.alpha * s;
    if (BIAS == 1u) {
      v += split_bias[sp.off_bias + j];
    }
    let at = sp.off_c + r * sp.ldc + j;
    if (ACC == 1u) {
      v += c_split[at];
    }
    c_split[at] = v;
  }
}

// ---- pad_rows: an operand copied onto a row stride that is a multiple of 4 ----
//
// dst[off_dst + r·ld_dst + c] = c < cols ? src[off_src + r·ld_src + c] : 0, for r < rows and
// c < ld_dst (one invocation per element of dst, flat index over a grid that may wrap into y).
// The launcher repacks an operand whose row stride or offset is not a multiple of 4 before a big
// tiled product, so matmul_tiled_v4 can read it as vec4f: (rows·ld_dst) × 4 bytes read and
// written once, against 2·M·N·K FLOPs.

struct PadParams {
  rows: u32,
  cols: u32,
  ld_src: u32,
  ld_dst: u32,
  off_src: u32,
  off_dst: u32,
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> pad: PadParams;
@group(0) @binding(1) var<storage, read> pad_src: array<f32>;        // (rows, ld_src)
@group(0) @binding(2) var<storage, read_write> pad_dst: array<f32>;  // (rows, ld_dst)

@compute @workgroup_size(256)
fn pad_rows(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * pad.groups_x + wid.x) * 256u + lid;
  if (i >= pad.rows * pad.ld_dst) {
    return;
  }
  let r = i / pad.ld_dst;
  let c = i % pad.ld_dst;
  var v = 0.0;
  if (c < pad.cols) {
    v = pad_src[pad.off_src + r * pad.ld_src + c];
  }
  pad_dst[pad.off_dst + i] = v;
}

// ---- bias gradient ----

struct BiasParams {
  m: u32,      // M, rows of dOut in this launch (bias_grad_finish: P, the parts)
  n: u32,      // N, columns
  off: u32,    // element offset of dOut's first row in its binding
  groups_x: u32, // workgroups along x (the grid may wrap into y for very wide N)
  off_bias: u32, // element offset of dBias in its binding
  part_rows: u32, // rows per part (workgroup_id.z): M when the launch has one part
}

override BG_COLS: u32 = 16u;
override BG_ROWS: u32 = 16u; // a power of two
override PARTS: u32 = 0u;    // 1: write each part's column sums to partials[part, j] instead

@group(0) @binding(0) var<uniform> q: BiasParams;
// d_out: (M, N), or bias_grad_finish's (P, N) partials; d_bias: (N,), or the (P, N) partials
// bias_grad writes when PARTS = 1.
@group(0) @binding(1) var<storage, read> d_out: array<f32>;
@group(0) @binding(2) var<storage, read_write> d_bias: array<f32>;

var<workgroup> partial: array<f32, BG_COLS * BG_ROWS>;

@compute @workgroup_size(BG_COLS, BG_ROWS)
fn bias_grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let j = (wid.x + wid.y * q.groups_x) * BG_COLS + lid.x;
  let jc = min(j, q.n - 1u);
  let first = wid.z * q.part_rows;
  let end = min(q.m, first + q.part_rows);
  var s = 0.0;
  for (var i = first + lid.y; i < end; i += BG_ROWS) {
    s += d_out[q.off + i * q.n + jc];
  }
  let slot = lid.y * BG_COLS + lid.x;
  partial[slot] = s;
  workgroupBarrier();
  for (var half = BG_ROWS / 2u; half > 0u; half /= 2u) {
    if (lid.y < half) {
      partial[slot] += partial[slot + half * BG_COLS];
    }
    workgroupBarrier();
  }
  if (lid.y == 0u && j < q.n) {
    if (PARTS == 1u) {
      d_bias[wid.z * q.n + j] = partial[lid.x];
    } else {
      d_bias[q.off_bias + j] += partial[lid.x];
    }
  }
}

// dBias[j] += Σ_p partials[p, j], p = 0 … P−1 in order (P = m here), one invocation per column.
@compute @workgroup_size(BG_COLS * BG_ROWS)
fn bias_grad_finish(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x + gid.y * q.groups_x * BG_COLS * BG_ROWS;
  if (j >= q.n) {
    return;
  }
  var s = 0.0;
  for (var p = 0u; p < q.m; p++) {
    s += d_out[p * q.n + j];
  }
  d_bias[q.off_bias + j] += s;
}
