// AdamW, exactly as torch.optim.AdamW (single-tensor path, amsgrad off), one element per
// invocation, the gradient clip scale applied in the same pass:
//
//   g  = grad · clip                          clip: from the global norm (GPU), or 1
//   p ← p · (1 − lr·wd)                       decoupled weight decay (wd = 0 for norms, biases)
//   m ← β1·m + (1 − β1)·g
//   v ← β2·v + (1 − β2)·g²
//   p ← p − step_size · m / (√v / bc2_sqrt + ε)
//
// with step_size = lr / (1 − β1^t) and bc2_sqrt = √(1 − β2^t) computed on the CPU in float64
// (β^t underflows and loses digits in f32) and passed as f32, as PyTorch's own formulation.
//
// param, m, v: (N,) f32, updated in place; grad: (N,) f32, read only. The launcher binds tensors
// larger than one binding in aligned ranges; dispatches wider than 65535 workgroups split over
// x and y (linear index gid.x + gid.y · row_stride).

struct Params {
  n: u32,            // N, elements in this range
  row_stride: u32,   // invocations per row of workgroups
  decay: f32,        // 1 − lr·wd
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
  step_size: f32,    // lr / (1 − β1^t)
  bc2_sqrt: f32,     // √(1 − β2^t)
  eps: f32,
  clip_index: u32,   // step_clipped: the element of clip to read (1 for gradNorm's [norm, clip])
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>; // (N,)
@group(0) @binding(2) var<storage, read> grad: array<f32>;        // (N,)
@group(0) @binding(3) var<storage, read_write> m: array<f32>;     // (N,) first moment
@group(0) @binding(4) var<storage, read_write> v: array<f32>;     // (N,) second moment
@group(0) @binding(5) var<storage, read> clip: array<f32>;        // (1,) or (2,) step_clipped only

fn update(i: u32, g: f32) {
  let m_new = p.beta1 * m[i] + p.one_minus_beta1 * g;
  let v_new = p.beta2 * v[i] + p.one_minus_beta2 * g * g;
  m[i] = m_new;
  v[i] = v_new;
  let denom = sqrt(v_new) / p.bc2_sqrt + p.eps;
  param[i] = param[i] * p.decay - p.step_size * (m_new / denom);
}

@compute @workgroup_size(WG)
fn step(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    update(i, grad[i]);
  }
}

@compute @workgroup_size(WG)
fn step_clipped(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    update(i, grad[i] * clip[p.clip_index]);
  }
}
