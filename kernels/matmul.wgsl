// Matrix multiply: C = α·op(A)·op(B) (+ bias broadcast over rows) (+ β·C), batched by strides,
// and the bias gradient dBias += Σ_rows dOut.
//
// Layouts (row-major, element offsets and leading dimensions from the uniforms, so a launcher can
// bind any sub-range of a buffer):
//   A: (M, K) with row stride lda, or (K, M) when TA = 1       op(A)[i, l]
//   B: (K, N) with row stride ldb, or (N, K) when TB = 1       op(B)[l, j]
//   C: (M, N) with row stride ldc                              bias: (N,)
//   batch z (workgroup_id.z) starts at off + z·stride for each of A, B, C.
//
// matmul: a workgroup owns 8 rows × (WG·8) columns of C; invocation `lid` owns the 8 × 8 block at
//   rows row0 … row0+7 (the same for the whole workgroup) and columns (wid.x·WG + lid)·8 … +7.
//   Why this shape, on llvmpipe (which runs a workgroup's invocations as SIMD lanes):
//   - the A index depends only on the workgroup and the loop counter, so it is non-divergent and
//     llvmpipe loads it once and broadcasts it instead of gathering per lane;
//   - per k step each lane gathers 8 values of B and issues 64 FMAs into 16 named vec4f
//     accumulators (naga keeps those in registers, unlike array locals);
//   - rows and columns past the edge are clamped to the last valid one, so the inner loop has no
//     bounds checks or branches; only the final stores are guarded.
//   Measured variants are in bench/matmul_variants/ (see its bench.ts).
//   β = 0 (BETA = 0) never reads C, so C may hold anything (NaN) before the call.
//
// bias_grad: dBias[j] += Σ_i dOut[i, j]. A workgroup owns BG_COLS columns; its BG_ROWS row slices
//   each sum rows slice, slice + BG_ROWS, … serially, then the slices are added as a binary tree in
//   workgroup memory. Fixed order: reruns are bit-identical. No atomics.
//
// Numerics: float32 FMAs summed in order l = 0 … K−1 per output (error grows like K·ε at worst,
//   √K·ε typically); the epilogue is α·acc (+ bias) (+ β·C).

struct Params {
  m: u32,        // M, rows of C in this launch
  n: u32,        // N, columns of C in this launch
  k: u32,        // K, the summed dimension
  lda: u32,      // row stride of A as stored
  ldb: u32,      // row stride of B as stored
  ldc: u32,      // row stride of C
  off_a: u32,    // element offsets of the first element of batch 0 in each binding
  off_b: u32,
  off_c: u32,
  off_bias: u32,
  stride_a: u32, // element distance between batches
  stride_b: u32,
  stride_c: u32,
  alpha: f32,
  beta: f32,
}

override TA: u32 = 0u;    // 1: A is stored (K, M)
override TB: u32 = 0u;    // 1: B is stored (N, K)
override BIAS: u32 = 0u;  // 1: add bias[j]
override BETA: u32 = 0u;  // 1: add β·C (reads C)
override WG: u32 = 64u;   // invocations per workgroup, each 8 columns wide

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

@compute @workgroup_size(WG)
fn matmul(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * 8u;
  let col0 = (wid.x * WG + lid) * 8u;
  let last_row = p.m - 1u;
  let last_col = p.n - 1u;
  // Index steps: moving along l, and from one row of op(A) / column of op(B) to the next.
  let a_step = select(1u, p.lda, TA == 1u);
  let a_row = select(p.lda, 1u, TA == 1u);
  let b_step = select(p.ldb, 1u, TB == 1u);
  let b_col = select(1u, p.ldb, TB == 1u);
  let oa = p.off_a + wid.z * p.stride_a;
  let ob = p.off_b + wid.z * p.stride_b;
  let oc = p.off_c + wid.z * p.stride_c;
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
  var acc0_lo = vec4f(0.0);
  var acc0_hi = vec4f(0.0);
  var acc1_lo = vec4f(0.0);
  var acc1_hi = vec4f(0.0);
  var acc2_lo = vec4f(0.0);
  var acc2_hi = vec4f(0.0);
  var acc3_lo = vec4f(0.0);
  var acc3_hi = vec4f(0.0);
  var acc4_lo = vec4f(0.0);
  var acc4_hi = vec4f(0.0);
  var acc5_lo = vec4f(0.0);
  var acc5_hi = vec4f(0.0);
  var acc6_lo = vec4f(0.0);
  var acc6_hi = vec4f(0.0);
  var acc7_lo = vec4f(0.0);
  var acc7_hi = vec4f(0.0);
  for (var l = 0u; l < p.k; l++) {
    let b_lo = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
    let b_hi = vec4f(b[ib4], b[ib5], b[ib6], b[ib7]);
    let a0 = a[ia0];
    acc0_lo = fma(vec4f(a0), b_lo, acc0_lo);
    acc0_hi = fma(vec4f(a0), b_hi, acc0_hi);
    let a1 = a[ia1];
    acc1_lo = fma(vec4f(a1), b_lo, acc1_lo);
    acc1_hi = fma(vec4f(a1), b_hi, acc1_hi);
    let a2 = a[ia2];
    acc2_lo = fma(vec4f(a2), b_lo, acc2_lo);
    acc2_hi = fma(vec4f(a2), b_hi, acc2_hi);
    let a3 = a[ia3];
    acc3_lo = fma(vec4f(a3), b_lo, acc3_lo);
    acc3_hi = fma(vec4f(a3), b_hi, acc3_hi);
    let a4 = a[ia4];
    acc4_lo = fma(vec4f(a4), b_lo, acc4_lo);
    acc4_hi = fma(vec4f(a4), b_hi, acc4_hi);
    let a5 = a[ia5];
    acc5_lo = fma(vec4f(a5), b_lo, acc5_lo);
    acc5_hi = fma(vec4f(a5), b_hi, acc5_hi);
    let a6 = a[ia6];
    acc6_lo = fma(vec4f(a6), b_lo, acc6_lo);
    acc6_hi = fma(vec4f(a6), b_hi, acc6_hi);
    let a7 = a[ia7];
    acc7_lo = fma(vec4f(a7), b_lo, acc7_lo);
    acc7_hi = fma(vec4f(a7), b_hi, acc7_hi);
    ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step;
    ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step;
    ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step;
    ib4 += b_step; ib5 += b_step; ib6 += b_step; ib7 += b_step;
  }
  store_row(oc, row0 + 0u, col0, acc0_lo, acc0_hi);
  store_row(oc, row0 + 1u, col0, acc1_lo, acc1_hi);
  store_row(oc, row0 + 2u, col0, acc2_lo, acc2_hi);
  store_row(oc, row0 + 3u, col0, acc3_lo, acc3_hi);
  store_row(oc, row0 + 4u, col0, acc4_lo, acc4_hi);
  store_row(oc, row0 + 5u, col0, acc5_lo, acc5_hi);
  store_row(oc, row0 + 6u, col0, acc6_lo, acc6_hi);
  store_row(oc, row0 + 7u, col0, acc7_lo, acc7_hi);

}

// Writes up to 8 outputs of row r starting at column col, with the epilogue.
fn store_row(oc: u32, r: u32, col: u32, lo: vec4f, hi: vec4f) {
  if (r >= p.m) {
    return;
  }
  let at = oc + r * p.ldc + col;
  store_one(at, col, lo.x);
  store_one(at + 1u, col + 1u, lo.y);
  store_one(at + 2u, col + 2u, lo.z);
  store_one(at + 3u, col + 3u, lo.w);
  store_one(at + 4u, col + 4u, hi.x);
  store_one(at + 5u, col + 5u, hi.y);
  store_one(at + 6u, col + 6u, hi.z);
  store_one(at + 7u, col + 7u, hi.w);
}

fn store_one(at: u32, col: u32, acc: f32) {
  if (col >= p.n) {
    return;
  }
  var v = p.alpha * acc;
  if (BIAS == 1u) {
    v += bias[p.off_bias + col];
  }
  if (BETA == 1u) {
    v += p.beta * c[at];
  }
  c[at] = v;
}

// ---- bias gradient ----

struct BiasParams {
  m: u32,      // M, rows of dOut in this launch
  n: u32,      // N, columns
  off: u32,    // element offset of dOut's first row in its binding
  groups_x: u32, // workgroups along x (the grid may wrap into y for very wide N)
  off_bias: u32, // element offset of dBias in its binding
}

override BG_COLS: u32 = 16u;
override BG_ROWS: u32 = 16u; // a power of two

@group(0) @binding(0) var<uniform> q: BiasParams;
@group(0) @binding(1) var<storage, read> d_out: array<f32>;         // (M, N)
@group(0) @binding(2) var<storage, read_write> d_bias: array<f32>;  // (N,)

var<workgroup> partial: array<f32, BG_COLS * BG_ROWS>;

@compute @workgroup_size(BG_COLS, BG_ROWS)
fn bias_grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let j = (wid.x + wid.y * q.groups_x) * BG_COLS + lid.x;
  let jc = min(j, q.n - 1u);
  var s = 0.0;
  for (var i = lid.y; i < q.m; i += BG_ROWS) {
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
    d_bias[q.off_bias + j] += partial[lid.x];
  }
}
