// Variant 35 (GPUs): variant 31 with blocks of 64 × 128 rows × columns (128 invocations of 8 × 8 outputs). Written by gen_gpu2.py.
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
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// 16 k: A's element (k, r) at [k * 16 + r / 4][r % 4] (64 rows), B's (k, c) at [k * 32 + c / 4][c % 4].
var<workgroup> tile_a16: array<vec4f, 256>;
var<workgroup> tile_b16: array<vec4f, 512>;

// Which of the 4 elements from i on lie below n.
fn lanes_below(i: u32, n: u32) -> vec4<bool> {
  return vec4u(i, i + 1u, i + 2u, i + 3u) < vec4u(n);
}

// Element (row r, k) of op(A) 4 at a time along the stored row (masked past its end and past the
// matrix): along M when A is stored (K, M), along K otherwise.
fn a_quad(base: u32, r: u32, k: u32) -> vec4f {
  if (TA == 1u) {
    let at = base + min(k, p.k - 1u) * p.lda + min(r, (p.m - 1u) & ~3u);
    return select(vec4f(0.0), a4[at / 4u], lanes_below(r, p.m) & vec4<bool>(k < p.k));
  }
  let at = base + min(r, p.m - 1u) * p.lda + min(k, (p.k - 1u) & ~3u);
  return select(vec4f(0.0), a4[at / 4u], lanes_below(k, p.k) & vec4<bool>(r < p.m));
}

// Element (k, column c) of op(B) 4 at a time along the stored row: along N unless B is stored (N, K).
fn b_quad(base: u32, c: u32, k: u32) -> vec4f {
  if (TB == 0u) {
    let at = base + min(k, p.k - 1u) * p.ldb + min(c, (p.n - 1u) & ~3u);
    return select(vec4f(0.0), b4[at / 4u], lanes_below(c, p.n) & vec4<bool>(k < p.k));
  }
  let at = base + min(c, p.n - 1u) * p.ldb + min(k, (p.k - 1u) & ~3u);
  return select(vec4f(0.0), b4[at / 4u], lanes_below(k, p.k) & vec4<bool>(c < p.n));
}

// 8 values of the 64 × 16 A tile per invocation: k = lid / 8 at rows 8·(lid % 8) + 0…7 (A stored
// (K, M)), or row lid / 2 at k = 8·(lid % 2) + 0…7.
fn load_a(lid: u32, base: u32, r0: u32, k0: u32) -> array<vec4f, 2> {
  if (TA == 1u) {
    let k = k0 + lid / 8u;
    let r = r0 + (lid % 8u) * 8u;
    return array<vec4f, 2>(a_quad(base, r, k), a_quad(base, r + 4u, k));
  }
  let r = r0 + lid / 2u;
  let k = k0 + (lid % 2u) * 8u;
  return array<vec4f, 2>(a_quad(base, r, k), a_quad(base, r, k + 4u));
}

fn store_a(lid: u32, v: array<vec4f, 2>) {
  if (TA == 1u) {
    let at = (lid / 8u) * 16u + (lid % 8u) * 2u;
    tile_a16[at] = v[0];
    tile_a16[at + 1u] = v[1];
    return;
  }
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

// 16 values of the 16 × 128 B tile per invocation: k = lid / 8 at columns 16·(lid % 8) + 0…15
// (B stored (K, N)), or column lid at k = 0…15.
fn load_b(lid: u32, base: u32, c0: u32, k0: u32) -> array<vec4f, 4> {
  if (TB == 0u) {
    let k = k0 + lid / 8u;
    let c = c0 + (lid % 8u) * 16u;
    return array<vec4f, 4>(b_quad(base, c, k), b_quad(base, c + 4u, k), b_quad(base, c + 8u, k),
                           b_quad(base, c + 12u, k));
  }
  let c = c0 + lid;
  return array<vec4f, 4>(b_quad(base, c, k0), b_quad(base, c, k0 + 4u), b_quad(base, c, k0 + 8u),
                         b_quad(base, c, k0 + 12u));
}

fn store_b(lid: u32, v: array<vec4f, 4>) {
  if (TB == 0u) {
    let at = (lid / 8u) * 32u + (lid % 8u) * 4u;
    tile_b16[at] = v[0];
    tile_b16[at + 1u] = v[1];
    tile_b16[at + 2u] = v[2];
    tile_b16[at + 3u] = v[3];
    return;
  }
  let at = lid / 4u;
  let c = lid % 4u;
  tile_b16[at + 0u][c] = v[0].x;
  tile_b16[at + 32u][c] = v[0].y;
  tile_b16[at + 64u][c] = v[0].z;
  tile_b16[at + 96u][c] = v[0].w;
  tile_b16[at + 128u][c] = v[1].x;
  tile_b16[at + 160u][c] = v[1].y;
  tile_b16[at + 192u][c] = v[1].z;
  tile_b16[at + 224u][c] = v[1].w;
  tile_b16[at + 256u][c] = v[2].x;
  tile_b16[at + 288u][c] = v[2].y;
  tile_b16[at + 320u][c] = v[2].z;
  tile_b16[at + 352u][c] = v[2].w;
  tile_b16[at + 384u][c] = v[3].x;
  tile_b16[at + 416u][c] = v[3].y;
  tile_b16[at + 448u][c] = v[3].z;
  tile_b16[at + 480u][c] = v[3].w;
}

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * 64u;
  let col0 = wid.x * 128u;
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
  var ra = load_a(lid, oa, row0, 0u);
  var rb = load_b(lid, ob, col0, 0u);
  for (var k0 = 0u; k0 < p.k; k0 += 16u) {
    store_a(lid, ra);
    store_b(lid, rb);
    workgroupBarrier();
    if (k0 + 16u < p.k) {
      ra = load_a(lid, oa, row0, k0 + 16u);
      rb = load_b(lid, ob, col0, k0 + 16u);
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
  store_quad(oc, row0 + 0u + ty * 4u + 0u, col0 + tx * 4u, c0_0);
  store_quad(oc, row0 + 0u + ty * 4u + 0u, col0 + 64u + tx * 4u, c0_1);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, col0 + tx * 4u, c1_0);
  store_quad(oc, row0 + 0u + ty * 4u + 1u, col0 + 64u + tx * 4u, c1_1);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, col0 + tx * 4u, c2_0);
  store_quad(oc, row0 + 0u + ty * 4u + 2u, col0 + 64u + tx * 4u, c2_1);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, col0 + tx * 4u, c3_0);
  store_quad(oc, row0 + 0u + ty * 4u + 3u, col0 + 64u + tx * 4u, c3_1);
  store_quad(oc, row0 + 32u + ty * 4u + 0u, col0 + tx * 4u, c4_0);
  store_quad(oc, row0 + 32u + ty * 4u + 0u, col0 + 64u + tx * 4u, c4_1);
  store_quad(oc, row0 + 32u + ty * 4u + 1u, col0 + tx * 4u, c5_0);
  store_quad(oc, row0 + 32u + ty * 4u + 1u, col0 + 64u + tx * 4u, c5_1);
  store_quad(oc, row0 + 32u + ty * 4u + 2u, col0 + tx * 4u, c6_0);
  store_quad(oc, row0 + 32u + ty * 4u + 2u, col0 + 64u + tx * 4u, c6_1);
  store_quad(oc, row0 + 32u + ty * 4u + 3u, col0 + tx * 4u, c7_0);
  store_quad(oc, row0 + 32u + ty * 4u + 3u, col0 + 64u + tx * 4u, c7_1);
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
