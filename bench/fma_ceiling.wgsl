// The arithmetic ceiling of a WGSL kernel on this adapter: nothing but vec4f fused multiply-adds
// in 8 independent chains (so no FMA waits on the one before it), no memory traffic in the loop.
// FLOPs per invocation: iters · 8 chains · 4 lanes · 2 (multiply + add). The sum is written out so
// the compiler cannot drop the loop; the multiplier and addend come from the uniform so it cannot
// fold the chains into constants.

struct Params {
  iters: u32,
  row_stride: u32,
  mul: f32,
  add: f32,
}

override WG: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  let seed = vec4f(f32(i & 1023u) * 1e-3, 0.25, 0.5, 0.75);
  let m = vec4f(p.mul);
  let c = vec4f(p.add);
  var a0 = seed;
  var a1 = seed + 1.0;
  var a2 = seed + 2.0;
  var a3 = seed + 3.0;
  var a4 = seed + 4.0;
  var a5 = seed + 5.0;
  var a6 = seed + 6.0;
  var a7 = seed + 7.0;
  for (var it = 0u; it < p.iters; it++) {
    a0 = fma(a0, m, c);
    a1 = fma(a1, m, c);
    a2 = fma(a2, m, c);
    a3 = fma(a3, m, c);
    a4 = fma(a4, m, c);
    a5 = fma(a5, m, c);
    a6 = fma(a6, m, c);
    a7 = fma(a7, m, c);
  }
  out[i] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
