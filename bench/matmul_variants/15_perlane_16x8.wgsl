// Variant 15: per-lane 16 rows x 8 columns, workgroup 8x8.
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


override WGY: u32 = 8u;
@compute @workgroup_size(8, WGY)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l3: vec3u) {
  let row0 = (wid.y * WGY + l3.y) * 16u;
  let col0 = (wid.x * 8u + l3.x) * 8u;
  let bz = wid.z + p.z_base;
  let a_step = select(1u, p.lda, TA == 1u);
  let b_step = select(p.ldb, 1u, TB == 1u);
  let ra = select(p.lda, 1u, TA == 1u);
  let cb = select(1u, p.ldb, TB == 1u);
  let oa = p.off_a + bz * p.stride_a;
  let ob = p.off_b + bz * p.stride_b;
  var ia0 = oa + min(row0 + 0u, p.m - 1u) * ra;
  var ia1 = oa + min(row0 + 1u, p.m - 1u) * ra;
  var ia2 = oa + min(row0 + 2u, p.m - 1u) * ra;
  var ia3 = oa + min(row0 + 3u, p.m - 1u) * ra;
  var ia4 = oa + min(row0 + 4u, p.m - 1u) * ra;
  var ia5 = oa + min(row0 + 5u, p.m - 1u) * ra;
  var ia6 = oa + min(row0 + 6u, p.m - 1u) * ra;
  var ia7 = oa + min(row0 + 7u, p.m - 1u) * ra;
  var ia8 = oa + min(row0 + 8u, p.m - 1u) * ra;
  var ia9 = oa + min(row0 + 9u, p.m - 1u) * ra;
  var ia10 = oa + min(row0 + 10u, p.m - 1u) * ra;
  var ia11 = oa + min(row0 + 11u, p.m - 1u) * ra;
  var ia12 = oa + min(row0 + 12u, p.m - 1u) * ra;
  var ia13 = oa + min(row0 + 13u, p.m - 1u) * ra;
  var ia14 = oa + min(row0 + 14u, p.m - 1u) * ra;
  var ia15 = oa + min(row0 + 15u, p.m - 1u) * ra;
  var ib0 = ob + min(col0 + 0u, p.n - 1u) * cb;
  var ib1 = ob + min(col0 + 1u, p.n - 1u) * cb;
  var ib2 = ob + min(col0 + 2u, p.n - 1u) * cb;
  var ib3 = ob + min(col0 + 3u, p.n - 1u) * cb;
  var ib4 = ob + min(col0 + 4u, p.n - 1u) * cb;
  var ib5 = ob + min(col0 + 5u, p.n - 1u) * cb;
  var ib6 = ob + min(col0 + 6u, p.n - 1u) * cb;
  var ib7 = ob + min(col0 + 7u, p.n - 1u) * cb;
  var acc0_0 = vec4f(0.0);
  var acc0_1 = vec4f(0.0);
  var acc1_0 = vec4f(0.0);
  var acc1_1 = vec4f(0.0);
  var acc2_0 = vec4f(0.0);
  var acc2_1 = vec4f(0.0);
  var acc3_0 = vec4f(0.0);
  var acc3_1 = vec4f(0.0);
  var acc4_0 = vec4f(0.0);
  var acc4_1 = vec4f(0.0);
  var acc5_0 = vec4f(0.0);
  var acc5_1 = vec4f(0.0);
  var acc6_0 = vec4f(0.0);
  var acc6_1 = vec4f(0.0);
  var acc7_0 = vec4f(0.0);
  var acc7_1 = vec4f(0.0);
  var acc8_0 = vec4f(0.0);
  var acc8_1 = vec4f(0.0);
  var acc9_0 = vec4f(0.0);
  var acc9_1 = vec4f(0.0);
  var acc10_0 = vec4f(0.0);
  var acc10_1 = vec4f(0.0);
  var acc11_0 = vec4f(0.0);
  var acc11_1 = vec4f(0.0);
  var acc12_0 = vec4f(0.0);
  var acc12_1 = vec4f(0.0);
  var acc13_0 = vec4f(0.0);
  var acc13_1 = vec4f(0.0);
  var acc14_0 = vec4f(0.0);
  var acc14_1 = vec4f(0.0);
  var acc15_0 = vec4f(0.0);
  var acc15_1 = vec4f(0.0);
  for (var kk = 0u; kk < p.k; kk++) {
    let b0 = vec4f(b[ib0], b[ib1], b[ib2], b[ib3]);
    let b1 = vec4f(b[ib4], b[ib5], b[ib6], b[ib7]);
    let a0 = a[ia0];
    acc0_0 = fma(vec4f(a0), b0, acc0_0);
    acc0_1 = fma(vec4f(a0), b1, acc0_1);
    let a1 = a[ia1];
    acc1_0 = fma(vec4f(a1), b0, acc1_0);
    acc1_1 = fma(vec4f(a1), b1, acc1_1);
    let a2 = a[ia2];
    acc2_0 = fma(vec4f(a2), b0, acc2_0);
    acc2_1 = fma(vec4f(a2), b1, acc2_1);
    let a3 = a[ia3];
    acc3_0 = fma(vec4f(a3), b0, acc3_0);
    acc3_1 = fma(vec4f(a3), b1, acc3_1);
    let a4 = a[ia4];
    acc4_0 = fma(vec4f(a4), b0, acc4_0);
    acc4_1 = fma(vec4f(a4), b1, acc4_1);
    let a5 = a[ia5];
    acc5_0 = fma(vec4f(a5), b0, acc5_0);
    acc5_1 = fma(vec4f(a5), b1, acc5_1);
    let a6 = a[ia6];
    acc6_0 = fma(vec4f(a6), b0, acc6_0);
    acc6_1 = fma(vec4f(a6), b1, acc6_1);
    let a7 = a[ia7];
    acc7_0 = fma(vec4f(a7), b0, acc7_0);
    acc7_1 = fma(vec4f(a7), b1, acc7_1);
    let a8 = a[ia8];
    acc8_0 = fma(vec4f(a8), b0, acc8_0);
    acc8_1 = fma(vec4f(a8), b1, acc8_1);
    let a9 = a[ia9];
    acc9_0 = fma(vec4f(a9), b0, acc9_0);
    acc9_1 = fma(vec4f(a9), b1, acc9_1);
    let a10 = a[ia10];
    acc10_0 = fma(vec4f(a10), b0, acc10_0);
    acc10_1 = fma(vec4f(a10), b1, acc10_1);
    let a11 = a[ia11];
    acc11_0 = fma(vec4f(a11), b0, acc11_0);
    acc11_1 = fma(vec4f(a11), b1, acc11_1);
    let a12 = a[ia12];
    acc12_0 = fma(vec4f(a12), b0, acc12_0);
    acc12_1 = fma(vec4f(a12), b1, acc12_1);
    let a13 = a[ia13];
    acc13_0 = fma(vec4f(a13), b0, acc13_0);
    acc13_1 = fma(vec4f(a13), b1, acc13_1);
    let a14 = a[ia14];
    acc14_0 = fma(vec4f(a14), b0, acc14_0);
    acc14_1 = fma(vec4f(a14), b1, acc14_1);
    let a15 = a[ia15];
    acc15_0 = fma(vec4f(a15), b0, acc15_0);
    acc15_1 = fma(vec4f(a15), b1, acc15_1);
    ia0 += a_step; ia1 += a_step; ia2 += a_step; ia3 += a_step; ia4 += a_step; ia5 += a_step; ia6 += a_step; ia7 += a_step; ia8 += a_step; ia9 += a_step; ia10 += a_step; ia11 += a_step; ia12 += a_step; ia13 += a_step; ia14 += a_step; ia15 += a_step;
    ib0 += b_step; ib1 += b_step; ib2 += b_step; ib3 += b_step; ib4 += b_step; ib5 += b_step; ib6 += b_step; ib7 += b_step;
  }
  let oc = p.off_c + bz * p.stride_c;
  store4(oc, row0 + 0u, col0 + 0u, acc0_0);
  store4(oc, row0 + 0u, col0 + 4u, acc0_1);
  store4(oc, row0 + 1u, col0 + 0u, acc1_0);
  store4(oc, row0 + 1u, col0 + 4u, acc1_1);
  store4(oc, row0 + 2u, col0 + 0u, acc2_0);
  store4(oc, row0 + 2u, col0 + 4u, acc2_1);
  store4(oc, row0 + 3u, col0 + 0u, acc3_0);
  store4(oc, row0 + 3u, col0 + 4u, acc3_1);
  store4(oc, row0 + 4u, col0 + 0u, acc4_0);
  store4(oc, row0 + 4u, col0 + 4u, acc4_1);
  store4(oc, row0 + 5u, col0 + 0u, acc5_0);
  store4(oc, row0 + 5u, col0 + 4u, acc5_1);
  store4(oc, row0 + 6u, col0 + 0u, acc6_0);
  store4(oc, row0 + 6u, col0 + 4u, acc6_1);
  store4(oc, row0 + 7u, col0 + 0u, acc7_0);
  store4(oc, row0 + 7u, col0 + 4u, acc7_1);
  store4(oc, row0 + 8u, col0 + 0u, acc8_0);
  store4(oc, row0 + 8u, col0 + 4u, acc8_1);
  store4(oc, row0 + 9u, col0 + 0u, acc9_0);
  store4(oc, row0 + 9u, col0 + 4u, acc9_1);
  store4(oc, row0 + 10u, col0 + 0u, acc10_0);
  store4(oc, row0 + 10u, col0 + 4u, acc10_1);
  store4(oc, row0 + 11u, col0 + 0u, acc11_0);
  store4(oc, row0 + 11u, col0 + 4u, acc11_1);
  store4(oc, row0 + 12u, col0 + 0u, acc12_0);
  store4(oc, row0 + 12u, col0 + 4u, acc12_1);
  store4(oc, row0 + 13u, col0 + 0u, acc13_0);
  store4(oc, row0 + 13u, col0 + 4u, acc13_1);
  store4(oc, row0 + 14u, col0 + 0u, acc14_0);
  store4(oc, row0 + 14u, col0 + 4u, acc14_1);
  store4(oc, row0 + 15u, col0 + 0u, acc15_0);
  store4(oc, row0 + 15u, col0 + 4u, acc15_1);
}

fn store4(oc: u32, r: u32, col: u32, v: vec4f) {
  if (r >= p.m) { return; }
  let base = oc + r * p.ldc + col;
  let s = p.alpha * v;
  if (col < p.n) { c[base] = s.x; }
  if (col + 1u < p.n) { c[base + 1u] = s.y; }
  if (col + 2u < p.n) { c[base + 2u] = s.z; }
  if (col + 3u < p.n) { c[base + 3u] = s.w; }
}
