// LayerNorm (GPT-2) and RMSNorm (Llama, Qwen2) over the channels of each row.
//
// x, out, d_out, dx: (N, C) f32, N = B·T rows; weight, bias, d_weight, d_bias: (C,);
// mean, rstd: (N,), saved by the forward for the backward.
//
// LayerNorm:  μ = mean(x),  rstd = 1/√(mean((x−μ)²) + eps),  x̂ = (x−μ)·rstd,
//             out = x̂·weight + bias           (BIAS = 0: no bias, Cohere's; `bias` is then bound
//                                             to the weight and not read)
//   backward: g = d_out·weight;  dx = rstd·(g − mean(g) − x̂·mean(g·x̂))      (overwrite)
//             d_weight += Σ_n d_out·x̂;  d_bias += Σ_n d_out                  (accumulate)
// RMSNorm:    rstd = 1/√(mean(x²) + eps),  x̂ = x·rstd,  out = x̂·(weight + offset)
//   backward: g = d_out·(weight + offset);  dx = rstd·(g − x̂·mean(g·x̂));  d_weight += Σ_n d_out·x̂
//   (offset 0, or 1 for Gemma, whose weights store the scale less one)
//
// Row kernels (forward, backward dx): one workgroup of WG invocations per row; invocation l
// walks channels l, l+WG, … in order, then the workgroup adds its WG partials as a binary tree
// in workgroup memory, so every row sees the same order on every run. Rows beyond 65535
// workgroups continue over y: row = wid.x + wid.y · groups_x.
// The variance is a second pass over the row (x − μ)², not E[x²] − μ², which cancels.
//
// Parameter gradients need a sum over N rows, without atomics, in two deterministic stages:
//   *_param_partials: workgroup (cx, r) gives invocation c = cx·WG + l the column c of row block
//     r (rows r·rows_per_block … in order) → partials[r, c] for d_weight (and, for LayerNorm,
//     partials[R + r, c] for d_bias), R = row blocks;
//   param_sum*: invocation c adds partials[0..R, c] in order into d_weight[c] (and d_bias[c]).
// Adjacent invocations read adjacent columns, so both stages read rows contiguously.

struct Params {
  n: u32,              // N, rows
  c: u32,              // C, channels
  eps: f32,            // added to the variance (LayerNorm) or mean square (RMSNorm)
  groups_x: u32,       // row kernels: workgroups along x; stage 1: row blocks R
  rows_per_block: u32, // stage 1: rows per block
  offset: f32,         // RMSNorm: added to each weight (Gemma: 1)
}

override WG: u32 = 64; // a power of two
override BIAS: u32 = 1u; // LayerNorm forward: 0 without a bias

@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> red: array<vec2f, WG>;

// Sums two values over the workgroup (binary tree); every invocation gets the totals.
fn workgroup_sum2(lid: u32, v: vec2f) -> vec2f {
  red[lid] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      red[lid] += red[lid + half];
    }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier(); // red is reused by the next call
  return total;
}

fn row_of(wid: vec3u) -> u32 {
  return wid.x + wid.y * p.groups_x;
}

// ---- forward ---------------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> x: array<f32>;          // (N, C)
@group(0) @binding(2) var<storage, read> weight: array<f32>;     // (C,)
@group(0) @binding(3) var<storage, read> bias: array<f32>;       // (C,)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;  // (N, C)
@group(0) @binding(5) var<storage, read_write> mean: array<f32>; // (N,)
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>; // (N,)

@compute @workgroup_size(WG)
fn layernorm_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid);
  if (row >= p.n) { return; } // uniform per workgroup, so the barriers stay uniform
  let base = row * p.c;
  var s = 0.0;
  for (var c = lid; c < p.c; c += WG) {
    s += x[base + c];
  }
  let mu = workgroup_sum2(lid, vec2f(s, 0.0)).x / f32(p.c);
  var ss = 0.0;
  for (var c = lid; c < p.c; c += WG) {
    let d = x[base + c] - mu;
    ss += d * d;
  }
  let r = inverseSqrt(workgroup_sum2(lid, vec2f(ss, 0.0)).x / f32(p.c) + p.eps);
  for (var c = lid; c < p.c; c += WG) {
    let shift = select(0.0, bias[c], BIAS == 1u);
    out[base + c] = (x[base + c] - mu) * r * weight[c] + shift;
  }
  if (lid == 0u) {
    mean[row] = mu;
    rstd[row] = r;
  }
}

@group(0) @binding(3) var<storage, read_write> rms_out: array<f32>;  // (N, C)
@group(0) @binding(4) var<storage, read_write> rms_rstd: array<f32>; // (N,)

@compute @workgroup_size(WG)
fn rmsnorm_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid);
  if (row >= p.n) { return; }
  let base = row * p.c;
  var ss = 0.0;
  for (var c = lid; c < p.c; c += WG) {
    let v = x[base + c];
    ss += v * v;
  }
  let r = inverseSqrt(workgroup_sum2(lid, vec2f(ss, 0.0)).x / f32(p.c) + p.eps);
  for (var c = lid; c < p.c; c += WG) {
    rms_out[base + c] = x[base + c] * r * (weight[c] + p.offset);
  }
  if (lid == 0u) {
    rms_rstd[row] = r;
  }
}

// ---- backward: dx ----------------------------------------------------------------------------

@group(0) @binding(3) var<storage, read> b_mean: array<f32>;      // (N,)
@group(0) @binding(4) var<storage, read> b_rstd: array<f32>;      // (N,)
@group(0) @binding(5) var<storage, read> d_out: array<f32>;       // (N, C)
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;    // (N, C)

@compute @workgroup_size(WG)
fn layernorm_backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid);
  if (row >= p.n) { return; }
  let base = row * p.c;
  let mu = b_mean[row];
  let r = b_rstd[row];
  var acc = vec2f(0.0); // Σ g, Σ g·x̂
  for (var c = lid; c < p.c; c += WG) {
    let g = d_out[base + c] * weight[c];
    acc += vec2f(g, g * (x[base + c] - mu) * r);
  }
  let m = workgroup_sum2(lid, acc) / f32(p.c);
  for (var c = lid; c < p.c; c += WG) {
    let g = d_out[base + c] * weight[c];
    let xh = (x[base + c] - mu) * r;
    dx[base + c] = r * (g - m.x - xh * m.y);
  }
}

@group(0) @binding(3) var<storage, read> rb_rstd: array<f32>;     // (N,)
@group(0) @binding(4) var<storage, read> rb_d_out: array<f32>;    // (N, C)
@group(0) @binding(5) var<storage, read_write> rb_dx: array<f32>; // (N, C)

@compute @workgroup_size(WG)
fn rmsnorm_backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid);
  if (row >= p.n) { return; }
  let base = row * p.c;
  let r = rb_rstd[row];
  var acc = 0.0; // Σ g·x̂
  for (var c = lid; c < p.c; c += WG) {
    acc += rb_d_out[base + c] * (weight[c] + p.offset) * x[base + c] * r;
  }
  let m = workgroup_sum2(lid, vec2f(acc, 0.0)).x / f32(p.c);
  for (var c = lid; c < p.c; c += WG) {
    let g = rb_d_out[base + c] * (weight[c] + p.offset);
    rb_dx[base + c] = r * (g - x[base + c] * r * m);
  }
}

// ---- backward: parameter gradients, stage 1 --------------------------------------------------

@group(0) @binding(2) var<storage, read> pp_mean: array<f32>;          // (N,)
@group(0) @binding(3) var<storage, read> pp_rstd: array<f32>;          // (N,)
@group(0) @binding(4) var<storage, read> pp_d_out: array<f32>;         // (N, C)
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;   // (2R, C)

@compute @workgroup_size(WG)
fn layernorm_param_partials(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let block = gid.y;
  if (c >= p.c) { return; }
  let first = block * p.rows_per_block;
  let last = min(first + p.rows_per_block, p.n);
  var dw = 0.0;
  var db = 0.0;
  for (var row = first; row < last; row++) {
    let i = row * p.c + c;
    let g = pp_d_out[i];
    dw += g * (x[i] - pp_mean[row]) * pp_rstd[row];
    db += g;
  }
  partials[block * p.c + c] = dw;
  partials[(p.groups_x + block) * p.c + c] = db;
}

@group(0) @binding(2) var<storage, read> rp_rstd: array<f32>;          // (N,)
@group(0) @binding(3) var<storage, read> rp_d_out: array<f32>;         // (N, C)
@group(0) @binding(4) var<storage, read_write> rp_partials: array<f32>; // (R, C)

@compute @workgroup_size(WG)
fn rmsnorm_param_partials(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let block = gid.y;
  if (c >= p.c) { return; }
  let first = block * p.rows_per_block;
  let last = min(first + p.rows_per_block, p.n);
  var dw = 0.0;
  for (var row = first; row < last; row++) {
    let i = row * p.c + c;
    dw += rp_d_out[i] * x[i] * rp_rstd[row];
  }
  rp_partials[block * p.c + c] = dw;
}

// ---- backward: parameter gradients, stage 2 --------------------------------------------------

@group(0) @binding(1) var<storage, read> sum_partials: array<f32>;     // (2R or R, C)
@group(0) @binding(2) var<storage, read_write> d_weight: array<f32>;   // (C,)
@group(0) @binding(3) var<storage, read_write> d_bias: array<f32>;     // (C,)

@compute @workgroup_size(WG)
fn param_sum2(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= p.c) { return; }
  var dw = 0.0;
  var db = 0.0;
  for (var r = 0u; r < p.groups_x; r++) {
    dw += sum_partials[r * p.c + c];
    db += sum_partials[(p.groups_x + r) * p.c + c];
  }
  d_weight[c] += dw;
  d_bias[c] += db;
}

@compute @workgroup_size(WG)
fn param_sum1(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= p.c) { return; }
  var dw = 0.0;
  for (var r = 0u; r < p.groups_x; r++) {
    dw += sum_partials[r * p.c + c];
  }
  d_weight[c] += dw;
}
