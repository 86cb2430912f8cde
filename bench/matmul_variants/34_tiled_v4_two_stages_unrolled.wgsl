// Variant 34 (GPUs): variant 32 with the k loop unrolled (31 and 32 together). Written by gen_gpu2.py.
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

// 16 k, element (k, r) at [k * 32 + r / 4][r % 4] (variant 32: two such stages, 512 apart).
var<workgroup> tile_a16: array<vec4f, 1024>;
var<workgroup> tile_b16: array<vec4f, 1024>;

// Which of the 4 elements from i on lie below n.
fn lanes_below(i: u32, n: u32) -> vec4<bool> {
  return vec4u(i, i + 1u, i + 2u, i + 3u) < vec4u(n);
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

fn store_a16(lid: u32, v: array<vec4f, 2>, s: u32) {
  if (TA == 1u) {
    let at = (lid / 16u) * 32u + (lid % 16u) * 2u;
    tile_a16[s + at] = v[0];
    tile_a16[s + at + 1u] = v[1];
    return;
  }
  // K contiguous: 8 values of line lid / 2 at k = 8·(lid % 2) + e, constant indices only
  // (a dynamically indexed local array could live in slow local memory).
  let r = lid / 2u;
  let at = (lid % 2u) * 8u * 32u + r / 4u;
  let c = r % 4u;
  tile_a16[s + at + 0u][c] = v[0].x;
  tile_a16[s + at + 32u][c] = v[0].y;
  tile_a16[s + at + 64u][c] = v[0].z;
  tile_a16[s + at + 96u][c] = v[0].w;
  tile_a16[s + at + 128u][c] = v[1].x;
  tile_a16[s + at + 160u][c] = v[1].y;
  tile_a16[s + at + 192u][c] = v[1].z;
  tile_a16[s + at + 224u][c] = v[1].w;
}

fn store_b16(lid: u32, v: array<vec4f, 2>, s: u32) {
  if (TB == 0u) {
    let at = (lid / 16u) * 32u + (lid % 16u) * 2u;
    tile_b16[s + at] = v[0];
    tile_b16[s + at + 1u] = v[1];
    return;
  }
  // K contiguous: 8 values of line lid / 2 at k = 8·(lid % 2) + e, constant indices only
  // (a dynamically indexed local array could live in slow local memory).
  let r = lid / 2u;
  let at = (lid % 2u) * 8u * 32u + r / 4u;
  let c = r % 4u;
  tile_b16[s + at + 0u][c] = v[0].x;
  tile_b16[s + at + 32u][c] = v[0].y;
  tile_b16[s + at + 64u][c] = v[0].z;
  tile_b16[s + at + 96u][c] = v[0].w;
  tile_b16[s + at + 128u][c] = v[1].x;
  tile_b16[s + at + 160u][c] = v[1].y;
  tile_b16[s + at + 192u][c] = v[1].z;
  tile_b16[s + at + 224u][c] = v[1].w;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * 128u;
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
  var ra = load_a16(lid, oa, row0, 0u);
  var rb = load_b16(lid, ob, col0, 0u);
  store_a16(lid, ra, 0u);
  store_b16(lid, rb, 0u);
  workgroupBarrier();
  var stage = 0u;
  for (var k0 = 0u; k0 < p.k; k0 += 16u) {
    let more = k0 + 16u < p.k;
    if (more) {
      ra = load_a16(lid, oa, row0, k0 + 16u);
      rb = load_b16(lid, ob, col0, k0 + 16u);
    }
    let s0 = stage * 512u;
    { // kk = 0
      let a0 = tile_a16[s0 + 0u + ty];
      let a1 = tile_a16[s0 + 0u + 16u + ty];
      let b0 = tile_b16[s0 + 0u + tx];
      let b1 = tile_b16[s0 + 0u + 16u + tx];
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
      let a0 = tile_a16[s0 + 32u + ty];
      let a1 = tile_a16[s0 + 32u + 16u + ty];
      let b0 = tile_b16[s0 + 32u + tx];
      let b1 = tile_b16[s0 + 32u + 16u + tx];
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
      let a0 = tile_a16[s0 + 64u + ty];
      let a1 = tile_a16[s0 + 64u + 16u + ty];
      let b0 = tile_b16[s0 + 64u + tx];
      let b1 = tile_b16[s0 + 64u + 16u + tx];
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
      let a0 = tile_a16[s0 + 96u + ty];
      let a1 = tile_a16[s0 + 96u + 16u + ty];
      let b0 = tile_b16[s0 + 96u + tx];
      let b1 = tile_b16[s0 + 96u + 16u + tx];
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
      let a0 = tile_a16[s0 + 128u + ty];
      let a1 = tile_a16[s0 + 128u + 16u + ty];
      let b0 = tile_b16[s0 + 128u + tx];
      let b1 = tile_b16[s0 + 128u + 16u + tx];
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
      let a0 = tile_a16[s0 + 160u + ty];
      let a1 = tile_a16[s0 + 160u + 16u + ty];
      let b0 = tile_b16[s0 + 160u + tx];
      let b1 = tile_b16[s0 + 160u + 16u + tx];
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
      let a0 = tile_a16[s0 + 192u + ty];
      let a1 = tile_a16[s0 + 192u + 16u + ty];
      let b0 = tile_b16[s0 + 192u + tx];
      let b1 = tile_b16[s0 + 192u + 16u + tx];
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
      let a0 = tile_a16[s0 + 224u + ty];
      let a1 = tile_a16[s0 + 224u + 16u + ty];
      let b0 = tile_b16[s0 + 224u + tx];
      let b1 = tile_b16[s0 + 224u + 16u + tx];
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
      let a0 = tile_a16[s0 + 256u + ty];
      let a1 = tile_a16[s0 + 256u + 16u + ty];
      let b0 = tile_b16[s0 + 256u + tx];
      let b1 = tile_b16[s0 + 256u + 16u + tx];
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
      let a0 = tile_a16[s0 + 288u + ty];
      let a1 = tile_a16[s0 + 288u + 16u + ty];
      let b0 = tile_b16[s0 + 288u + tx];
      let b1 = tile_b16[s0 + 288u + 16u + tx];
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
      let a0 = tile_a16[s0 + 320u + ty];
      let a1 = tile_a16[s0 + 320u + 16u + ty];
      let b0 = tile_b16[s0 + 320u + tx];
      let b1 = tile_b16[s0 + 320u + 16u + tx];
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
      let a0 = tile_a16[s0 + 352u + ty];
      let a1 = tile_a16[s0 + 352u + 16u + ty];
      let b0 = tile_b16[s0 + 352u + tx];
      let b1 = tile_b16[s0 + 352u + 16u + tx];
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
      let a0 = tile_a16[s0 + 384u + ty];
      let a1 = tile_a16[s0 + 384u + 16u + ty];
      let b0 = tile_b16[s0 + 384u + tx];
      let b1 = tile_b16[s0 + 384u + 16u + tx];
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
      let a0 = tile_a16[s0 + 416u + ty];
      let a1 = tile_a16[s0 + 416u + 16u + ty];
      let b0 = tile_b16[s0 + 416u + tx];
      let b1 = tile_b16[s0 + 416u + 16u + tx];
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
      let a0 = tile_a16[s0 + 448u + ty];
      let a1 = tile_a16[s0 + 448u + 16u + ty];
      let b0 = tile_b16[s0 + 448u + tx];
      let b1 = tile_b16[s0 + 448u + 16u + tx];
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
      let a0 = tile_a16[s0 + 480u + ty];
      let a1 = tile_a16[s0 + 480u + 16u + ty];
      let b0 = tile_b16[s0 + 480u + tx];
      let b1 = tile_b16[s0 + 480u + 16u + tx];
      c0_0 = fma(vec4f(a0.x), b0, c0_0); c0_1 = fma(vec4f(a0.x), b1, c0_1);
      c1_0 = fma(vec4f(a0.y), b0, c1_0); c1_1 = fma(vec4f(a0.y), b1, c1_1);
      c2_0 = fma(vec4f(a0.z), b0, c2_0); c2_1 = fma(vec4f(a0.z), b1, c2_1);
      c3_0 = fma(vec4f(a0.w), b0, c3_0); c3_1 = fma(vec4f(a0.w), b1, c3_1);
      c4_0 = fma(vec4f(a1.x), b0, c4_0); c4_1 = fma(vec4f(a1.x), b1, c4_1);
      c5_0 = fma(vec4f(a1.y), b0, c5_0); c5_1 = fma(vec4f(a1.y), b1, c5_1);
      c6_0 = fma(vec4f(a1.z), b0, c6_0); c6_1 = fma(vec4f(a1.z), b1, c6_1);
      c7_0 = fma(vec4f(a1.w), b0, c7_0); c7_1 = fma(vec4f(a1.w), b1, c7_1);
    }
    // The other stage was last read before the previous step's barrier.
    if (more) {
      store_a16(lid, ra, 512u - s0);
      store_b16(lid, rb, 512u - s0);
    }
    workgroupBarrier();
    stage = 1u - stage;
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
