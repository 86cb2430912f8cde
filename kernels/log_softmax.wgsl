// Log-softmax over the vocabulary fused with the target gather, its backward, the per-sequence
// masked sums that turn token log-probs into sequence log-probs, and SFT's mean cross-entropy.
//
// forward / forward_sum, one workgroup per row r of a logits chunk (R, V):
//   lse[r]       = log Σ_v exp(logits[r, v])          = M + log Σ_v exp(logits[r, v] − M)
//   logp[r]      = logits[r, t] − lse[r]   t = targets[r]; 0 where t < 0 (ignored token), NaN
//                                          where t ≥ V (a vocabulary mismatch must not train)
//   logit_sum[r] = Σ_v logits[r, v]                    forward_sum only (TRL's mean logits)
//   sq[r]        = log Σ_v p_v² = log Σ_v exp(2(logits[r, v] − lse[r]))   forward_sum_sq only
//                  (WPO's weight: 2M − 2·lse + log Σ exp(2(x − M)), a third sum of the pass)
//   Two passes over the row, both strided over the WG invocations and finished by a tree in
//   workgroup memory: the max M first, then Σ exp(x − M) and Σ x. Subtracting M keeps exp ≤ 1;
//   the fixed order makes reruns bit-identical. Only lse is kept for the backward.
//
// backward / backward_inplace, a workgroup per COLS·WG columns of one row, each invocation
// loading its row's target, coef and lse once:
//   d_logits[r, v] = coef[r] · (onehot(t)[v] − exp(logits[r, v] − lse[r]))   0 where t < 0
//   with coef = dL/dlogp per token (DPO: g_row · mask; SFT: −mask / Σ mask). backward_inplace
//   overwrites logits (bound read_write: WebGPU forbids one buffer bound read and read_write).
//
// The launchers bind logits in row blocks that fit one binding: `base` is the element where row
// 0 of the block starts inside the bound range (the range starts at an aligned element at or
// before it), `row0` the block's first row in the per-row tensors (targets, lse, logp, coef).
// Rows lie `ld` ≥ V elements apart; the ld − V padding columns are never read or written (the
// model pads GPT-2's 50257 to 50260 so the classifier's products can read rows as vec4f).
//
// masked_row_sums, one workgroup per row b of (B, T):
//   sums[b] = Σ_t mask[b, t] · values[b, t];  counts[b] = Σ_t mask[b, t]
// token_coef, one invocation per token:  coef[b, t] = scale · row_grad[b] · mask[b, t]
// cross_entropy, one workgroup over N tokens:
//   loss = −Σ mask·logp / Σ mask,  coef = −scale · mask / Σ mask  (both 0 when Σ mask = 0)
//   (scale = 1/k averages the gradients of k accumulated micro-batches)
//
// Soft-capping (Gemma 2's final_logit_softcapping c > 0): every logit x is read as
//   y = c·tanh(x/c) in the forward and the backward (logp, lse and logit_sum are of y), and the
//   backward's d_logits are of x: dy/dx = 1 − (y/c)². c = 0: y = x.
//
// Numerics: f32; each lane sums ~V/WG terms, then a tree of depth log2(WG). tanh is evaluated
// without overflow at any |x| (see `soft_tanh`).

struct Params {
  rows: u32,       // rows in this launch (forward, backward, masked_row_sums)
  v: u32,          // V (or T for masked_row_sums and token_coef)
  row0: u32,       // first row of this launch in the per-row tensors
  base: u32,       // element of row 0 inside the bound logits range
  n: u32,          // elements (token_coef, cross_entropy)
  row_stride: u32, // token_coef: invocations per row of workgroups
  scale: f32,      // token_coef, cross_entropy: multiplies the coefficients
  ld: u32,         // forward, backward: elements between logits rows (≥ V; padding unread)
  cap: f32,        // forward, backward: soft-cap c (0: none)
  logit_scale: f32, // forward, backward: k, logits read as k·x first (Granite: 1/logits_scaling)
}

override WG: u32 = 256; // a power of two

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> logits: array<f32>;            // (R, V) row block
@group(0) @binding(2) var<storage, read> targets: array<i32>;           // (R,)
@group(0) @binding(3) var<storage, read_write> lse_out: array<f32>;     // (R,)
@group(0) @binding(4) var<storage, read_write> logp_out: array<f32>;    // (R,)
@group(0) @binding(5) var<storage, read_write> logit_sum: array<f32>;   // (R,)
@group(0) @binding(6) var<storage, read_write> sq_out: array<f32>;      // (R,) forward_sum_sq

var<workgroup> red: array<vec2f, WG>;

const QUIET_NAN = 0x7fc00000u;

// tanh without the overflow of exp-based forms at large |x| (a built-in may give NaN there):
// the built-in near 0, where it is accurate, 1 − 2/(e^{2|x|} + 1) with x's sign elsewhere
// (no cancellation once |tanh| ≥ 0.46; e^{2|x|} = inf gives exactly ±1).
fn soft_tanh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    return tanh(x);
  }
  return sign(x) * (1.0 - 2.0 / (exp(2.0 * a) + 1.0));
}

// The logit as the softmax sees it: scaled by k, then soft-capped when p.cap > 0.
fn capped(raw: f32) -> f32 {
  let x = raw * p.logit_scale;
  if (p.cap > 0.0) {
    return p.cap * soft_tanh(x / p.cap);
  }
  return x;
}

// Tree sum of every lane's value; all lanes get the total.
fn tree_sum(lid: u32, value: vec2f) -> vec2f {
  red[lid] = value;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      red[lid] += red[lid + half];
    }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier(); // red is reused by the caller's next reduction
  return total;
}

// (lse, Σ logits) of one row starting at element `start` of logits; all lanes get them.
fn row_stats(lid: u32, start: u32) -> vec2f {
  return row_stats_sq(lid, start, false).xy;
}

// (lse, Σ logits, log Σ p²) of one row (the last only with `squares`: a third sum and tree).
fn row_stats_sq(lid: u32, start: u32, squares: bool) -> vec3f {
  var mx = -3.4028235e38;
  for (var v = lid; v < p.v; v += WG) {
    mx = max(mx, capped(logits[start + v]));
  }
  red[lid] = vec2f(mx, 0.0);
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      red[lid].x = max(red[lid].x, red[lid + half].x);
    }
    workgroupBarrier();
  }
  let m = red[0].x;
  workgroupBarrier();
  var acc = vec2f(0.0);
  var acc2 = 0.0;
  for (var v = lid; v < p.v; v += WG) {
    let x = capped(logits[start + v]);
    let e = exp(x - m);
    acc += vec2f(e, x);
    if (squares) {
      acc2 += e * e;
    }
  }
  let s = tree_sum(lid, acc);
  let lse = m + log(s.x);
  var sq = 0.0;
  if (squares) {
    // log Σ e^{2(x−lse)} = log Σ e^{2(x−M)} − 2·log Σ e^{x−M}
    sq = log(tree_sum(lid, vec2f(acc2, 0.0)).x) - 2.0 * log(s.x);
  }
  return vec3f(lse, s.y, sq);
}

fn gather(row: u32, start: u32, lse: f32) -> f32 {
  let t = targets[row];
  if (t < 0) {
    return 0.0;
  }
  if (u32(t) >= p.v) {
    return bitcast<f32>(QUIET_NAN);
  }
  return capped(logits[start + u32(t)]) - lse;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let start = p.base + wid.x * p.ld;
  let stats = row_stats(lid, start);
  if (lid == 0u) {
    let row = p.row0 + wid.x;
    lse_out[row] = stats.x;
    logp_out[row] = gather(row, start, stats.x);
  }
}

@compute @workgroup_size(WG)
fn forward_sum(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let start = p.base + wid.x * p.ld;
  let stats = row_stats(lid, start);
  if (lid == 0u) {
    let row = p.row0 + wid.x;
    lse_out[row] = stats.x;
    logp_out[row] = gather(row, start, stats.x);
    logit_sum[row] = stats.y;
  }
}

@compute @workgroup_size(WG)
fn forward_sum_sq(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let start = p.base + wid.x * p.ld;
  let stats = row_stats_sq(lid, start, true);
  if (lid == 0u) {
    let row = p.row0 + wid.x;
    lse_out[row] = stats.x;
    logp_out[row] = gather(row, start, stats.x);
    logit_sum[row] = stats.y;
    sq_out[row] = stats.z;
  }
}

@group(0) @binding(1) var<storage, read_write> logits_io: array<f32>;   // (R, V), in place
@group(0) @binding(3) var<storage, read> lse_in: array<f32>;            // (R,)
@group(0) @binding(4) var<storage, read> coef: array<f32>;              // (R,)
@group(0) @binding(5) var<storage, read_write> d_logits: array<f32>;    // (R, V)

// A workgroup covers COLS·WG columns of one row (wid.y): each invocation loads the row's
// target, coef and lse once, then COLS columns strided by WG (contiguous across the workgroup).
override COLS: u32 = 8u;

struct RowGrad {
  tgt: i32,
  coef: f32,
  lse: f32,
}

fn row_terms(row: u32) -> RowGrad {
  return RowGrad(targets[row], coef[row], lse_in[row]);
}

fn grad_of(r: RowGrad, col: u32, x: f32) -> f32 {
  let onehot = select(0.0, 1.0, i32(col) == r.tgt);
  let y = capped(x);
  var g = r.coef * (onehot - exp(y - r.lse));
  if (p.cap > 0.0) {
    let u = y / p.cap;
    g *= 1.0 - u * u;
  }
  g *= p.logit_scale;
  // Ignored rows are exactly 0, whatever their logits hold.
  return select(g, 0.0, r.tgt < 0);
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = row_terms(p.row0 + wid.y);
  let start = p.base + wid.y * p.ld;
  let end = min(p.v, (wid.x + 1u) * COLS * WG);
  for (var col = wid.x * COLS * WG + lid; col < end; col += WG) {
    d_logits[start + col] = grad_of(r, col, logits[start + col]);
  }
}

@compute @workgroup_size(WG)
fn backward_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = row_terms(p.row0 + wid.y);
  let start = p.base + wid.y * p.ld;
  let end = min(p.v, (wid.x + 1u) * COLS * WG);
  for (var col = wid.x * COLS * WG + lid; col < end; col += WG) {
    logits_io[start + col] = grad_of(r, col, logits_io[start + col]);
  }
}

@group(0) @binding(1) var<storage, read> values: array<f32>;            // (B, T)
@group(0) @binding(2) var<storage, read> mask: array<f32>;              // (B, T)
@group(0) @binding(3) var<storage, read_write> sums: array<f32>;        // (B,)
@group(0) @binding(4) var<storage, read_write> counts: array<f32>;      // (B,)

@compute @workgroup_size(WG)
fn masked_row_sums(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let start = wid.x * p.v;
  var acc = vec2f(0.0);
  for (var t = lid; t < p.v; t += WG) {
    let w = mask[start + t];
    acc += vec2f(w * values[start + t], w);
  }
  let s = tree_sum(lid, acc);
  if (lid == 0u) {
    sums[wid.x] = s.x;
    counts[wid.x] = s.y;
  }
}

@group(0) @binding(1) var<storage, read> row_grad: array<f32>;          // (B,)
@group(0) @binding(3) var<storage, read_write> coef_out: array<f32>;    // (B, T) or (N,)

@compute @workgroup_size(WG)
fn token_coef(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    coef_out[i] = p.scale * row_grad[i / p.v] * mask[i];
  }
}

@group(0) @binding(1) var<storage, read> logp_in: array<f32>;           // (N,)
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;        // (1,)

@compute @workgroup_size(WG)
fn cross_entropy(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2f(0.0);
  for (var i = lid; i < p.n; i += WG) {
    let w = mask[i];
    acc += vec2f(w * logp_in[i], w);
  }
  let s = tree_sum(lid, acc);
  // No response tokens: nothing to learn, rather than a NaN that would stop training.
  let inv = select(-1.0 / s.y, 0.0, s.y == 0.0);
  if (lid == 0u) {
    loss[0] = s.x * inv;
  }
  for (var i = lid; i < p.n; i += WG) {
    coef_out[i] = p.scale * mask[i] * inv;
  }
}
