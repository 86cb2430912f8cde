// Deterministic sums: Σx and Σx² over a vector, in a fixed order so reruns are bit-identical.
//
// partial_sums: x (N,) f32 → out[out_offset + g] for g in [0, G), G = workgroups launched.
//   Invocation (g, l) first accumulates x[g·WG + l + k·G·WG] for k = 0, 1, … in order, then the
//   workgroup adds its WG values as a binary tree in workgroup memory. With SQUARE = 1 the
//   elements are squared first (the global gradient norm's first stage).
// A full sum is two launches: G ≤ WG partials, then one workgroup over those partials.
//
// Numerics: float32 throughout; each invocation sums ~N/(G·WG) terms serially, the rest is a
// tree of depth log2(WG) + log2(G), so the error grows like √(N/(G·WG)), not N.

struct Params {
  n: u32,          // N, elements of x
  out_offset: u32, // where this launch's partials start in out
  groups: u32,     // G, workgroups in this launch
}

override WG: u32 = 256;    // a power of two
override SQUARE: u32 = 0u; // 1: sum squares

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;         // (N,)
@group(0) @binding(2) var<storage, read_write> out: array<f32>; // (out_offset + G,)

var<workgroup> scratch: array<f32, WG>;

@compute @workgroup_size(WG)
fn partial_sums(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let stride = p.groups * WG;
  var acc = 0.0;
  for (var i = wid.x * WG + lid; i < p.n; i += stride) {
    let v = x[i];
    acc += select(v, v * v, SQUARE == 1u);
  }
  scratch[lid] = acc;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      scratch[lid] += scratch[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[p.out_offset + wid.x] = scratch[0];
  }
}
