// Residual connection: the skip path of every transformer block.
//
// forward:  out[i] = a[i] + s·b[i]                    a, b, out: (N,) f32, N = B·T·C
//           (s: Granite's residual_multiplier; 1 elsewhere, where a + 1·b is exactly a + b)
// backward: d_a[i] = d_out[i];  d_b[i] = d_out[i]     overwrite (activation gradients)
//
// One invocation per element. The dispatch may be split over x and y when N exceeds
// 65535 workgroups; the linear index is gid.x + gid.y · row_stride, row_stride = groups.x · WG.

struct Params {
  n: u32,          // N, elements
  row_stride: u32, // invocations per row of workgroups
  scale: f32,      // forward: s
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> a: array<f32>;         // (N,)
@group(0) @binding(2) var<storage, read> b: array<f32>;         // (N,)
@group(0) @binding(3) var<storage, read_write> out: array<f32>; // (N,)

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    out[i] = a[i] + p.scale * b[i];
  }
}

@group(0) @binding(1) var<storage, read> d_out: array<f32>;     // (N,)
@group(0) @binding(2) var<storage, read_write> d_a: array<f32>; // (N,)
@group(0) @binding(3) var<storage, read_write> d_b: array<f32>; // (N,)

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    let g = d_out[i];
    d_a[i] = g;
    d_b[i] = g;
  }
}
