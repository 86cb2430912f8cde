// Causal attention as batched products (the "products" design of `attention.ts`): the T×T scores
// of each (row, head) are materialized, a z-chunk of (row, head) pairs at a time, so the work is
// done by the matmul kernels (fast on GPUs) plus the row-wise kernels here. Same math, masks and
// outputs as `attention.wgsl` (see there); this file holds the layout changes and the softmaxes.
//
// Layouts: x (B, T, H, HS) as the model keeps q, k, v and their gradients; xh (B, NH, T, HS)
// head-major, so that pair z = b·NH + h is the contiguous (T, HS) matrix at z·T·HS. The scores
// S, probabilities P and their gradients are (Z, T, T) for the Z = z1 − z0 pairs of a chunk.
//
// to_heads:   xh[b, h, t, :] = x[b, t, h / G, :]  for t < len_b, 0 for padded t
//   (G = NH / H: keys and values are repeated for the G query heads of their group; queries and
//   output gradients have H = NH, G = 1). Padded rows are zeroed so nothing a padded position
//   holds (even NaN) reaches a product.
// from_heads: x[b, t, hk, :] = Σ_{g < G} xh[b, hk·G + g, t, :]  for t < len_b, 0 for padded t
//   (the adjoint of to_heads: dK and dV sum over their group's query heads, in order).
// softmax_rows (forward), one workgroup per score row (z, i), b = z / NH:
//   P_ij = exp(scale·S_ij − lse_i) for i − W < j ≤ i and i < len_b, else 0 (W the sliding window;
//   W = T: plain causal); lse_i = log Σ_{i − W < j ≤ i} exp(scale·S_ij) (0 for padded rows),
//   written at lse[z·T + i], which is the (B, NH, T) layout of the flash design's lse.
// softmax_grad (backward), one workgroup per row:
//   P_ij as above from the saved lse;  D_i = Σ_j P_ij dP_ij  (= dOut_i·out_i, since
//   out_i = Σ_j P_ij v_j and dP_ij = dOut_i·v_j);  dS_ij = P_ij (dP_ij − D_i).
//   S is overwritten by P and dP by dS. With D from P and dP, a row whose probability sits on one
//   key gets dS = 1·(dP − dP) = 0 exactly.
// Soft-cap c > 0 (Gemma 2): the scores are y = c·tanh(scale·S/c) in both, and dS is taken back
//   through the cap: dS_ij = P_ij (dP_ij − D_i)·(1 − (y_ij/c)²).
//
// Element grids (relayout: to_heads or from_heads) are one invocation per output element, split over x and
// y past 65535 workgroups: e = gid.x + gid.y · row_stride. Row kernels number their workgroups
// r = wid.x + wid.y · row_stride. Every output element has one writer and a fixed summation
// order: reruns are bit-identical.

struct Params {
  t: u32,          // T
  nh: u32,         // NH, query heads
  heads: u32,      // H, heads of x (to_heads source, from_heads destination)
  group: u32,      // G = NH / H
  hs: u32,         // HS
  n: u32,          // elements (to_heads, from_heads) or rows (softmax_*) of this launch
  z0: u32,         // first (row, head) pair of this chunk (softmax_*)
  row_stride: u32, // invocations (element grids) or workgroups (row kernels) per grid row
  scale: f32,      // softmax scale
  mode: u32,       // relayout: 0 to_heads, 1 from_heads
  window: u32,     // W ≥ 1 (softmax_*): row i sees keys i − W < j ≤ i
  softcap: f32,    // c (softmax_*): scores c·tanh(scale·S/c); 0: none
}

override WG: u32 = 256u; // a power of two

const NEG: f32 = -3.4028235e38;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> lengths: array<i32>; // (B,)

fn len_of(b: u32) -> u32 {
  return u32(clamp(lengths[b], 0, i32(p.t)));
}

// ---- layout changes ----------------------------------------------------------------------------

@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

// (d, i1, i2, b) of element e = ((b·n2 + i2)·n1 + i1)·HS + d.
fn coords(e: u32, n1: u32, n2: u32) -> vec4u {
  let row = e / p.hs;
  return vec4u(e % p.hs, row % n1, (row / n1) % n2, row / (n1 * n2));
}

// to_heads (p.mode 0) or from_heads (p.mode 1), one invocation per element of dst.
@compute @workgroup_size(WG)
fn relayout(@builtin(global_invocation_id) gid: vec3u) {
  let e = gid.x + gid.y * p.row_stride;
  if (e >= p.n) {
    return;
  }
  var x = 0.0;
  if (p.mode == 0u) {
    let c = coords(e, p.t, p.nh); // (d, t, h, b) of xh (B, NH, T, HS)
    if (c.y < len_of(c.w)) {
      x = src[((c.w * p.t + c.y) * p.heads + c.z / p.group) * p.hs + c.x];
    }
  } else {
    let c = coords(e, p.heads, p.t); // (d, hk, t, b) of x (B, T, H, HS)
    if (c.z < len_of(c.w)) {
      for (var g = 0u; g < p.group; g++) {
        x += src[((c.w * p.nh + c.y * p.group + g) * p.t + c.z) * p.hs + c.x];
      }
    }
  }
  dst[e] = x;
}

// ---- softmaxes over score rows -----------------------------------------------------------------

@group(0) @binding(2) var<storage, read_write> scores: array<f32>; // (Z, T, T): S in, P out
@group(0) @binding(3) var<storage, read_write> lse: array<f32>;    // softmax_rows: (B, NH, T) out
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;  // softmax_grad: (Z, T, T) dP → dS
@group(0) @binding(4) var<storage, read> lse_in: array<f32>;       // softmax_grad: (B, NH, T)

var<workgroup> red: array<vec2f, WG>;

// (m, s) pairs standing for s·exp(m), merged over the workgroup: (M, Σ s_l·exp(m_l − M)),
// M = max m_l. Each lane passes its running max and sum of exp(x − max); with every m = 0 it is a
// plain sum (exp(0) = 1 exactly). All lanes get the result.
fn tree_lse(lid: u32, value: vec2f) -> vec2f {
  red[lid] = value;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      let a = red[lid];
      let b = red[lid + half];
      let m = max(a.x, b.x);
      red[lid] = vec2f(m, a.y * exp(a.x - m) + b.y * exp(b.x - m));
    }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

// tanh without overflow at large |x| (see attention.wgsl's soft_tanh4).
fn soft_tanh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    return tanh(x);
  }
  return sign(x) * (1.0 - 2.0 / (exp(2.0 * a) + 1.0));
}

// The score the softmax sees for a product s: scale·s, soft-capped when p.softcap > 0.
fn score(s: f32) -> f32 {
  let r = p.scale * s;
  if (p.softcap > 0.0) {
    return p.softcap * soft_tanh(r / p.softcap);
  }
  return r;
}

struct Row {
  start: u32, // element of S where row (z − z0, i) of query position i starts
  stat: u32,  // index of (z, i) in the (B, NH, T) lse
  first: u32, // keys first ≤ j < seen are visible: i + 1 − W (or 0) …
  seen: u32,  // … i + 1 for a live row (i < len_b); none when padded
}

fn row_of(wid: vec3u) -> Row {
  let r = wid.x + wid.y * p.row_stride; // row of this chunk: (z − z0)·T + i
  let i = r % p.t;
  let z = p.z0 + r / p.t;
  let b = z / p.nh;
  let first = select(0u, i + 1u - p.window, i + 1u > p.window);
  return Row(r * p.t, z * p.t + i, first, select(0u, i + 1u, i < len_of(b)));
}

@compute @workgroup_size(WG)
fn softmax_rows(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (wid.x + wid.y * p.row_stride >= p.n) {
    return;
  }
  let row = row_of(wid);
  let seen = row.seen;
  // Each lane's running max and sum over its keys (online), then merged.
  var m = NEG;
  var acc = 0.0;
  for (var j = row.first + lid; j < seen; j += WG) {
    let x = score(scores[row.start + j]);
    let m_new = max(m, x);
    acc = acc * exp(m - m_new) + exp(x - m_new);
    m = m_new;
  }
  let total = tree_lse(lid, vec2f(m, acc));
  let l = select(0.0, total.x + log(total.y), seen > 0u);
  for (var j = lid; j < p.t; j += WG) {
    var pj = 0.0;
    if (j >= row.first && j < seen) {
      pj = exp(score(scores[row.start + j]) - l);
    }
    scores[row.start + j] = pj;
  }
  if (lid == 0u) {
    lse[row.stat] = l;
  }
}

@compute @workgroup_size(WG)
fn softmax_grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (wid.x + wid.y * p.row_stride >= p.n) {
    return;
  }
  let row = row_of(wid);
  let seen = row.seen;
  let l = lse_in[row.stat];
  // Two passes over the row, each lane on the same entries: D_i first (reading only), then P and
  // dS from the scores, which are overwritten last (the cap's slope needs them).
  var acc = 0.0;
  for (var j = row.first + lid; j < seen; j += WG) {
    acc += exp(score(scores[row.start + j]) - l) * grads[row.start + j];
  }
  let dsum = tree_lse(lid, vec2f(0.0, acc)).y; // D_i (a plain sum)
  for (var j = lid; j < p.t; j += WG) {
    // Masked entries are written 0 without reading dP: the products skip the masked blocks, so
    // dP may hold anything there.
    var pj = 0.0;
    var ds = 0.0;
    if (j >= row.first && j < seen) {
      let y = score(scores[row.start + j]);
      pj = exp(y - l);
      ds = pj * (grads[row.start + j] - dsum);
      if (p.softcap > 0.0) {
        let u = y / p.softcap;
        ds *= 1.0 - u * u;
      }
    }
    scores[row.start + j] = pj;
    grads[row.start + j] = ds;
  }
}
