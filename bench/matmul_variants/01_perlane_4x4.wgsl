// Variant 01 (baseline): per-lane rows and columns per workgroup (A loads are non-divergent → one scalar load broadcast
// on llvmpipe), each invocation 4 rows × 4 consecutive columns, k step 1, clamped indices.
struct Params {
  m: u32, n: u32, k: u32,
  lda: u32, ldb: u32, ldc: u32,
  off_a: u32, off_b: u32, off_c: u32, off_bias: u32,
  stride_a: u32, stride_b: u32, stride_c: u32,
  batch: u32, z_base: u32,
  alpha: f32, beta: f32,
}
override TA: u32 = 0u;
override TB: u32 = 0u;
override WG: u32 = 64u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let bz = wid.z + p.z_base;
  let row0 = (wid.y * 8u + lid3.y) * 4u;
  let col0 = (wid.x * 8u + lid3.x) * 4u;
  let a_step = select(1u, p.lda, TA == 1u);
  let b_step = select(p.ldb, 1u, TB == 1u);
  let oa = p.off_a + bz * p.stride_a;
  let ob = p.off_b + bz * p.stride_b;
  let r0 = min(row0, p.m - 1u); let r1 = min(row0 + 1u, p.m - 1u);
  let r2 = min(row0 + 2u, p.m - 1u); let r3 = min(row0 + 3u, p.m - 1u);
  let c0 = min(col0, p.n - 1u); let c1 = min(col0 + 1u, p.n - 1u);
  let c2 = min(col0 + 2u, p.n - 1u); let c3 = min(col0 + 3u, p.n - 1u);
  let ra = select(p.lda, 1u, TA == 1u);
  let cb = select(1u, p.ldb, TB == 1u);
  var ia0 = oa + r0 * ra; var ia1 = oa + r1 * ra; var ia2 = oa + r2 * ra; var ia3 = oa + r3 * ra;
  var ib0 = ob + c0 * cb; var ib1 = ob + c1 * cb; var ib2 = ob + c2 * cb; var ib3 = ob + c3 * cb;
  var acc0 = vec4f(0.0); var acc1 = vec4f(0.0); var acc2 = vec4f(0.0); var acc3 = vec4f(0.0);
  for (var kk = 0u; kk < p.k; kk++) {
    let bv = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
    acc0 = fma(vec4f(a[ia0]), bv, acc0);
    acc1 = fma(vec4f(a[ia1]), bv, acc1);
    acc2 = fma(vec4f(a[ia2]), bv, acc2);
    acc3 = fma(vec4f(a[ia3]), bv, acc3);
    ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step;
    ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step;
  }
  let oc = p.off_c + bz * p.stride_c;
  store_row(oc, row0, col0, acc0);
  store_row(oc, row0 + 1u, col0, acc1);
  store_row(oc, row0 + 2u, col0, acc2);
  store_row(oc, row0 + 3u, col0, acc3);
}

fn store_row(oc: u32, r: u32, col: u32, v: vec4f) {
  if (r >= p.m) { return; }
  let base = oc + r * p.ldc + col;
  let s = p.alpha * v;
  if (col < p.n) { c[base] = s.x; }
  if (col + 1u < p.n) { c[base + 1u] = s.y; }
  if (col + 2u < p.n) { c[base + 2u] = s.z; }
  if (col + 3u < p.n) { c[base + 3u] = s.w; }
}
