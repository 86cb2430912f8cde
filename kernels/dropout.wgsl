// Dropout with a counter-based mask: LoRA's `lora_dropout` on the adapters' input.
//
// out[i] = acc·out[i] + x[i] · keep(i) / (1 − p)       x, out: (N,) f32, N = rows · width
// keep(i) = hash(i ^ hash(seed)) ≥ threshold,          threshold = ⌊p · 2³²⌋ (u32)
//
// The mask is a pure function of (seed, i): the backward recomputes it instead of storing it,
// and since the map x ↦ x·keep/(1 − p) is linear and its own transpose, the same kernel is the
// backward too (dx (+)= dOut·keep/(1 − p), `acc` = 1 to add to a gradient already there).
// hash: the PCG-RXS-M-XS output permutation of one LCG step (a 32-bit bijection).
//
// One invocation per element; the dispatch may be split over x and y when N exceeds 65535
// workgroups: i = gid.x + gid.y · row_stride, row_stride = groups.x · WG.

struct Params {
  n: u32,          // N, elements
  row_stride: u32, // invocations per row of workgroups
  seed: u32,       // the mask's seed
  threshold: u32,  // ⌊p · 2³²⌋: elements whose hash is below it are dropped
  scale: f32,      // 1 / (1 − p)
  acc: u32,        // 1: add to out; 0: overwrite it
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;         // (N,)
@group(0) @binding(2) var<storage, read_write> out: array<f32>; // (N,)

fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i >= p.n) {
    return;
  }
  let kept = pcg(i ^ pcg(p.seed)) >= p.threshold;
  let v = select(0.0, x[i] * p.scale, kept);
  if (p.acc == 1u) {
    out[i] = out[i] + v;
  } else {
    out[i] = v;
  }
}
