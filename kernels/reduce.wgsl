// Deterministic sums: Σx and Σx² over a vector, in a fixed order so reruns are bit-identical,
// and the global gradient norm with PyTorch's clip coefficient.
//
// partial_sums: x (N,) f32 → out[out_offset + g] for g in [0, G), G = workgroups launched.
//   Invocation (g, l) first accumulates x[g·WG + l + k·G·WG] for k = 0, 1, … in order, then the
//   workgroup adds its WG values as a binary tree in workgroup memory. With SQUARE = 1 the
//   elements are squared first (the global gradient norm's first stage).
// A full sum is two launches: G ≤ WG partials, then one workgroup over those partials.
//
// norm_clip: x (N,) partial sums of squares (every gradient tensor's slots, side by side) →
//   out[0] = ‖g‖ = √(Σ x), out[1] = clip = min(1, max_norm / (‖g‖ + 1e-6)), as
//   torch.nn.utils.clip_grad_norm_; max_norm ≤ 0 means no clipping (clip = 1). One workgroup,
//   the same fixed order as partial_sums. A NaN norm stays NaN and gives a NaN clip (the trainer
//   stops on it); an infinite norm gives clip 0, as PyTorch. Without clipping, clip is 1 always. Non-finite values are detected by
//   their bits, because WGSL lets compilers assume `x != x` is false.
//
// Numerics: float32 throughout; each invocation sums ~N/(G·WG) terms serially, the rest is a
// tree of depth log2(WG) + log2(G), so the error grows like √(N/(G·WG)), not N.

struct Params {
  n: u32,          // N, elements of x
  out_offset: u32, // where this launch's partials start in out
  groups: u32,     // G, workgroups in this launch
  max_norm: f32,   // norm_clip only: the clipping threshold (≤ 0: none)
}

override WG: u32 = 256;    // a power of two
override SQUARE: u32 = 0u; // 1: sum squares

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;         // (N,)
@group(0) @binding(2) var<storage, read_write> out: array<f32>; // (out_offset + G,) or (2,)

var<workgroup> scratch: array<f32, WG>;

// Σ over this workgroup's strided share of x, returned to invocation 0 (others get junk).
fn workgroup_sum(group: u32, lid: u32, square: bool) -> f32 {
  let stride = p.groups * WG;
  var acc = 0.0;
  for (var i = group * WG + lid; i < p.n; i += stride) {
    let v = x[i];
    acc += select(v, v * v, square);
  }
  scratch[lid] = acc;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      scratch[lid] += scratch[lid + half];
    }
    workgroupBarrier();
  }
  return scratch[0];
}

@compute @workgroup_size(WG)
fn partial_sums(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let total = workgroup_sum(wid.x, lid, SQUARE == 1u);
  if (lid == 0u) {
    out[p.out_offset + wid.x] = total;
  }
}

const QUIET_NAN = 0x7fc00000u;

@compute @workgroup_size(WG)
fn norm_clip(@builtin(local_invocation_index) lid: u32) {
  let total = workgroup_sum(0u, lid, false);
  if (lid == 0u) {
    let bits = bitcast<u32>(total);
    let non_finite = (bits & 0x7f800000u) == 0x7f800000u;
    let is_nan = non_finite && (bits & 0x007fffffu) != 0u;
    let norm = select(sqrt(total), bitcast<f32>(QUIET_NAN), is_nan);
    var clip = 1.0;
    if (p.max_norm > 0.0) {
      // An infinite norm leaves the division at exactly 0; a NaN one, NaN.
      clip = select(min(1.0, p.max_norm / (norm + 1e-6)), 0.0, non_finite);
      clip = select(clip, bitcast<f32>(QUIET_NAN), is_nan);
    }
    out[0] = norm;
    out[1] = clip;
  }
}
