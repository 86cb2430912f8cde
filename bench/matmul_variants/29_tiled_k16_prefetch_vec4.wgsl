// Variant 29 (GPUs): variant 28 with vec4f loads (M, K, N, leading dimensions, offsets multiples of 4).
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
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// op(A)[128 rows, 16 k] and op(B)[16 k, 128 columns], k-major: element (k, r) at [k * 32 + r / 4][r % 4].
var<workgroup> tile_a: array<vec4f, 512>;
var<workgroup> tile_b: array<vec4f, 512>;

// The 8 values of op(A)'s tile at k0 that invocation lid stages (zeros outside the matrix).
fn load_a(lid: u32, blk: u32, k0: u32, z: u32) -> array<vec4f, 2> {
  let base = p.off_a + z * p.stride_a;
  var out: array<vec4f, 2>;
  if (TA == 1u) {
    // rows contiguous: k = lid / 16, rows 8·(lid % 16) + 0..7
    let k = k0 + lid / 16u;
    let r = blk + (lid % 16u) * 8u;
    let at = base + min(k, p.k - 1u) * p.lda;
    for (var q = 0u; q < 2u; q++) {
      let rq = r + 4u * q;
      let v = a[(at + min(rq, p.m - 4u)) / 4u];
      out[q] = select(vec4f(0.0), v, k < p.k && rq < p.m);
    }
  } else {
    // k contiguous: row lid / 2, k = k0 + 8·(lid % 2) + 0..7
    let r = blk + lid / 2u;
    let k = k0 + (lid % 2u) * 8u;
    let at = base + min(r, p.m - 1u) * p.lda;
    for (var q = 0u; q < 2u; q++) {
      let kq = k + 4u * q;
      let v = a[(at + min(kq, p.k - 4u)) / 4u];
      out[q] = select(vec4f(0.0), v, r < p.m && kq < p.k);
    }
  }
  return out;
}

fn store_a(lid: u32, v: array<vec4f, 2>) {
  if (TA == 1u) {
    let at = (lid / 16u) * 32u + (lid % 16u) * 2u;
    tile_a[at] = v[0];
    tile_a[at + 1u] = v[1];
  } else {
    let r = lid / 2u;
    let k = (lid % 2u) * 8u;
    for (var q = 0u; q < 2u; q++) {
      for (var e = 0u; e < 4u; e++) {
        tile_a[(k + 4u * q + e) * 32u + r / 4u][r % 4u] = v[q][e];
      }
    }
  }
}

// The 8 values of op(B)'s tile at k0 that invocation lid stages (zeros outside the matrix).
fn load_b(lid: u32, blk: u32, k0: u32, z: u32) -> array<vec4f, 2> {
  let base = p.off_b + z * p.stride_b;
  var out: array<vec4f, 2>;
  if (TB == 0u) {
    // rows contiguous: k = lid / 16, rows 8·(lid % 16) + 0..7
    let k = k0 + lid / 16u;
    let r = blk + (lid % 16u) * 8u;
    let at = base + min(k, p.k - 1u) * p.ldb;
    for (var q = 0u; q < 2u; q++) {
      let rq = r + 4u * q;
      let v = b[(at + min(rq, p.n - 4u)) / 4u];
      out[q] = select(vec4f(0.0), v, k < p.k && rq < p.n);
    }
  } else {
    // k contiguous: row lid / 2, k = k0 + 8·(lid % 2) + 0..7
    let r = blk + lid / 2u;
    let k = k0 + (lid % 2u) * 8u;
    let at = base + min(r, p.n - 1u) * p.ldb;
    for (var q = 0u; q < 2u; q++) {
      let kq = k + 4u * q;
      let v = b[(at + min(kq, p.k - 4u)) / 4u];
      out[q] = select(vec4f(0.0), v, r < p.n && kq < p.k);
    }
  }
  return out;
}

fn store_b(lid: u32, v: array<vec4f, 2>) {
  if (TB == 0u) {
    let at = (lid / 16u) * 32u + (lid % 16u) * 2u;
    tile_b[at] = v[0];
    tile_b[at + 1u] = v[1];
  } else {
    let r = lid / 2u;
    let k = (lid % 2u) * 8u;
    for (var q = 0u; q < 2u; q++) {
      for (var e = 0u; e < 4u; e++) {
        tile_b[(k + 4u * q + e) * 32u + r / 4u][r % 4u] = v[q][e];
      }
    }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * 128u;
  let col0 = wid.x * 128u;
  let z = wid.z;
  let tx = lid % 16u;
  let ty = lid / 16u;
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
  var ra = load_a(lid, row0, 0u, z);
  var rb = load_b(lid, col0, 0u, z);
  for (var k0 = 0u; k0 < p.k; k0 += 16u) {
    store_a(lid, ra);
    store_b(lid, rb);
    workgroupBarrier();
    if (k0 + 16u < p.k) {
      ra = load_a(lid, row0, k0 + 16u, z);
      rb = load_b(lid, col0, k0 + 16u, z);
    }
    for (var kk = 0u; kk < 16u; kk++) {
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
  let oc = p.off_c + z * p.stride_c;
  store_quad(oc, row0 + 0u + ty * 4u + 0u, col0 + tx * 4u, c0_0);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, col0 + 64u + tx * 4u, c0_1);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, col0 + tx * 4u, c1_0);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, col0 + 64u + tx * 4u, c1_1);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, col0 + tx * 4u, c2_0);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, col0 + 64u + tx * 4u, c2_1);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, col0 + tx * 4u, c3_0);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, col0 + 64u + tx * 4u, c3_1);
  store_quad(oc, row0 + 64u + ty * 4u + 0u, col0 + tx * 4u, c4_0);
  store_quad(oc, row0 + 64u + ty * 4u + 0u, col0 + 64u + tx * 4u, c4_1);
  store_quad(oc, row0 + 64u + ty * 4u + 1u, col0 + tx * 4u, c5_0);
  store_quad(oc, row0 + 64u + ty * 4u + 1u, col0 + 64u + tx * 4u, c5_1);
  store_quad(oc, row0 + 64u + ty * 4u + 2u, col0 + tx * 4u, c6_0);
  store_quad(oc, row0 + 64u + ty * 4u + 2u, col0 + 64u + tx * 4u, c6_1);
  store_quad(oc, row0 + 64u + ty * 4u + 3u, col0 + tx * 4u, c7_0);
  store_quad(oc, row0 + 64u + ty * 4u + 3u, col0 + 64u + tx * 4u, c7_1);
}

fn store_quad(oc: u32, r: u32, col: u32, v: vec4f) {
  if (r >= p.m) {
    return;
  }
  let at = oc + r * p.ldc + col;
  let w = p.alpha * v;
  if (col < p.n) { c[at] = w.x; }
  if (col + 1u < p.n) { c[at + 1u] = w.y; }
  if (col + 2u < p.n) { c[at + 2u] = w.z; }
  if (col + 3u < p.n) { c[at + 3u] = w.w; }
}
