// Causal multi-head attention with grouped-query heads and right padding, flash-style.
//
// Shapes (row-major, contiguous): B rows, T positions, NH query heads, NKV key/value heads
// (NKV divides NH; query head h reads kv head h / G, G = NH / NKV), HS head size.
//   q, out, d_out, dq: (B, T, NH, HS)      k, v, dk, dv: (B, T, NKV, HS)
//   lse: (B, NH, T)   lengths: (B,) i32 (or u32 < 2³¹); positions t ≥ lengths[b] are padding
//   stats: (B, NH, T) vec2f (lse, D), written by the backward's pre-pass
//
// forward, for a valid query row i < len (len = clamp(lengths[b], 0, T)):
//   s_ij = scale · q_i·k_j  for keys i − W < j ≤ i          (the mask: causal and sliding window)
//   lse_i = log Σ_j exp(s_ij);   out_i = Σ_j exp(s_ij − lse_i) · v_j
// With a soft-cap c > 0 (Gemma 2's attn_logit_softcapping) every score is s_ij = c·tanh(r_ij/c)
// of the scaled product r_ij = scale·q_i·k_j, and the backward's dS_ij is taken back through it:
// dR_ij = dS_ij·(1 − (s_ij/c)²). c = 0: s = r.
// and for a padded row (len ≤ i < T): out_i = 0, lse_i = 0. W is the window (`p.window`, 1 ≤ W;
// W ≥ T is plain causal attention): each query sees its W latest keys, itself included, as
// transformers' sliding-window mask (`kv_idx > q_idx − W`) does. Key tiles wholly outside every
// row's window are skipped, in the forward and both backward kernels.
//   One workgroup of TILE invocations per (block of ROWS·TILE query rows, head, row b);
//   invocation l owns row l of the block, and with ROWS = 2 (the default) also row l + TILE, so
//   every K/V value it loads from workgroup memory serves two rows (loads, not arithmetic, bound
//   these kernels on lavapipe). ROWS = 1 halves each invocation's private arrays (on a GPU they
//   must fit its registers); the override removes the second row's code. The workgroup walks
//   key tiles of TILE keys up to its last causal key, staging K and V in workgroup memory; each
//   row keeps an online softmax: running max m, running sum l and the unnormalised output,
//   rescaled by exp(m_old − m_new) once per key tile. No T×T matrix exists.
//
// backward, with P_ij = exp(s_ij − lse_i) recomputed from the saved lse:
//   D_i = Σ_d dOut_i·out_i   (pre-pass `row_stats`, stored beside lse)
//   dS_ij = P_ij · (dOut_i·v_j − D_i)
//   dQ_i = scale · Σ_j dS_ij k_j                   (`backward_dq`: per block of ROWS·TILE queries,
//                                                    over key tiles, like the forward)
//   dK_j = scale · Σ_{h in group} Σ_i dS_ij q_i   (`backward_dkv`: per block of ROWS·TILE keys, over
//   dV_j = Σ_{h in group} Σ_i P_ij dOut_i          the G query heads of its group and over query
//                                                    tiles of TILE rows staged in workgroup memory;
//                                                    with DKV = 1 then 2, dK and dV in two passes)
// Every output element is written by one invocation in a fixed order: no atomics, reruns are
// bit-identical. Padded positions get zero gradient; their q, k, v, dOut are never read, so they
// cannot leak into valid outputs (rows at or past len load as zeros).
//
// Numerics: f32 throughout. The scale is folded into q as it is loaded (scores and dK come out
// already scaled). Masked scores are −1e30 (not −inf) so exp(m_old − m_new) is never NaN; the
// probabilities of masked pairs are selected to exactly 0. Each valid row sees its own key, so l ≥ 1
// at the end; a key tile that holds none of a row's keys leaves its m at −1e30 and l at 0 (its
// probabilities are selected to 0, and the correction exp(−1e30 − m) of a later real score is 0).
//
// Workgroups are numbered linearly (x + y · row_stride) so a launch can exceed 65535 in x;
// w = (block, head, b) with block fastest. Vectors of HS are held as HS4 = ⌈HS/4⌉ vec4f, zero
// padded; private arrays are sized for HS ≤ 128 (MAX_HS4; the launcher builds a second module
// with 64 for HS ≤ 256, Gemma's) and loops run to the override HS4, so
// the compiler sees constant trip counts.
//
// naga note: a draft sized its workgroups by a second override (LANES = rows / 2) and naga 29
// panicked creating the pipeline (pipeline_constants.rs, "unreachable"); the same code with a
// fixed size worked. So TILE is set directly and is both the workgroup size and the tile height.

struct Params {
  t: u32,          // T
  nh: u32,         // NH
  nkv: u32,        // NKV
  group: u32,      // G = NH / NKV
  n_tiles: u32,    // blocks per (row, head): ⌈T / (ROWS·TILE)⌉
  n_groups: u32,   // workgroups of this launch: n_tiles · heads · B
  row_stride: u32, // workgroups per row of the dispatch (its x count)
  scale: f32,      // softmax scale, 1/√HS by default
  n_rows: u32,     // B · T · NH (pre-pass only)
  window: u32,     // W ≥ 1: query i sees keys i − W < j ≤ i (W = T: plain causal)
  softcap: f32,    // c: scores c·tanh(r/c) (0: none)
}

const MAX_HS4: u32 = 32u; // HS ≤ 128
const MAX_TILE4: u32 = 16u; // TILE ≤ 64
const NEG: f32 = -1e30;

override TILE: u32 = 16u; // invocations per workgroup and rows per staged tile; 4 | TILE ≤ 64
override ROWS: u32 = 2u;  // query (forward, dQ) or key (dK/dV) rows per invocation: 1 or 2
override DKV: u32 = 3u;   // backward_dkv computes dK (bit 1) and/or dV (bit 2)
override HS: u32 = 64u;   // head size
override HS4: u32 = (HS + 3u) / 4u;
override WG: u32 = 64u;   // pre-pass invocations per workgroup

@group(0) @binding(0) var<uniform> p: Params;

// forward bindings
@group(0) @binding(1) var<storage, read> q: array<f32>;           // (B, T, NH, HS)
@group(0) @binding(2) var<storage, read> k: array<f32>;           // (B, T, NKV, HS)
@group(0) @binding(3) var<storage, read> v: array<f32>;           // (B, T, NKV, HS)
@group(0) @binding(4) var<storage, read> lengths: array<i32>;     // (B,)
@group(0) @binding(5) var<storage, read_write> out: array<f32>;   // (B, T, NH, HS)
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;   // (B, NH, T)

var<workgroup> tile_a: array<vec4f, TILE * HS4>; // K (forward, dQ) or scaled Q (dK/dV)
var<workgroup> tile_b: array<vec4f, TILE * HS4>; // V (forward, dQ) or dOut (dK/dV)
var<workgroup> tile_s: array<vec2f, TILE>;       // (lse, D) of the query tile (dK/dV)

struct Work {
  tile: u32,
  head: u32, // query head (forward, dQ) or kv head (dK/dV)
  b: u32,
  len: u32,
}

fn work_item(wid: vec3u, heads: u32) -> Work {
  let w = wid.x + wid.y * p.row_stride;
  let bh = w / p.n_tiles;
  let b = bh / heads;
  return Work(w % p.n_tiles, bh % heads, b, u32(clamp(lengths[b], 0, i32(p.t))));
}

// Element offsets of one row's HS values.
fn q_row(b: u32, t: u32, h: u32) -> u32 {
  return ((b * p.t + t) * p.nh + h) * HS;
}

fn kv_row(b: u32, t: u32, h: u32) -> u32 {
  return ((b * p.t + t) * p.nkv + h) * HS;
}

// Elements 4c … 4c+3 of a row, zero past HS. With HS % 4 == 0 the selects fold away.
fn ld_q(base: u32, c: u32) -> vec4f {
  let d = base + 4u * c;
  let x = vec4f(q[d], q[d + 1u], q[d + 2u], q[d + 3u]);
  return select(vec4f(0.0), x, vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u) < vec4u(HS));
}

fn ld_k(base: u32, c: u32) -> vec4f {
  let d = base + 4u * c;
  let x = vec4f(k[d], k[d + 1u], k[d + 2u], k[d + 3u]);
  return select(vec4f(0.0), x, vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u) < vec4u(HS));
}

fn ld_v(base: u32, c: u32) -> vec4f {
  let d = base + 4u * c;
  let x = vec4f(v[d], v[d + 1u], v[d + 2u], v[d + 3u]);
  return select(vec4f(0.0), x, vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u) < vec4u(HS));
}

// Stages keys/values k0 … k0+TILE−1 of kv head `kvh` into tile_a/tile_b; rows ≥ end load zeros.
fn stage_kv(b: u32, kvh: u32, k0: u32, end: u32, lid: u32) {
  for (var e = lid; e < TILE * HS4; e += TILE) {
    let j = k0 + e / HS4;
    let c = e % HS4;
    var kx = vec4f(0.0);
    var vx = vec4f(0.0);
    if (j < end) {
      let base = kv_row(b, j, kvh);
      kx = ld_k(base, c);
      vx = ld_v(base, c);
    }
    tile_a[e] = kx;
    tile_b[e] = vx;
  }
}

// tanh without the overflow of exp-based forms at large |x|: the built-in below 0.5, where it is
// accurate, 1 − 2/(e^{2|x|} + 1) with x's sign above (e^{2|x|} = inf gives exactly ±1).
fn soft_tanh4(x: vec4f) -> vec4f {
  let a = abs(x);
  let far = sign(x) * (1.0 - 2.0 / (exp(2.0 * a) + 1.0));
  return select(far, tanh(x), a < vec4f(0.5));
}

// Scores as the softmax sees them: soft-capped when p.softcap > 0.
fn cap4(r: vec4f) -> vec4f {
  if (p.softcap > 0.0) {
    return p.softcap * soft_tanh4(r / p.softcap);
  }
  return r;
}

// ds/dr at capped scores s: 1 − (s/c)², or 1 without a cap.
fn slope4(s: vec4f) -> vec4f {
  if (p.softcap > 0.0) {
    let u = s / p.softcap;
    return 1.0 - u * u;
  }
  return vec4f(1.0);
}

// (x·a0, x·a1, x·a2, x·a3)
fn dot4(x: vec4f, a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) -> vec4f {
  return vec4f(dot(x, a0), dot(x, a1), dot(x, a2), dot(x, a3));
}

// w.x·a0 + w.y·a1 + w.z·a2 + w.w·a3
fn mix4(w: vec4f, a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) -> vec4f {
  return w.x * a0 + w.y * a1 + w.z * a2 + w.w * a3;
}

fn hmax(x: vec4f) -> f32 {
  return max(max(x.x, x.y), max(x.z, x.w));
}

// True where keys j0 … j0+3 may be seen by query i: causal, inside the window, and i (hence j)
// inside the length.
fn visible(i: u32, j0: u32, len: u32) -> vec4<bool> {
  let j = vec4u(j0) + vec4u(0u, 1u, 2u, 3u);
  return (j <= vec4u(i)) & (j + vec4u(p.window) > vec4u(i)) & (vec4u(i) < vec4u(len));
}

// The first key tile any query row q0 … of a block sees: the tile holding key q0 − W + 1.
fn first_key_tile(q0: u32) -> u32 {
  let first = select(0u, q0 + 1u - p.window, q0 + 1u > p.window);
  return first / TILE * TILE;
}

// Writes out_i = acc / l and lse_i = m + log l for query row i (zeros when padded).
fn finish_row(b: u32, h: u32, i: u32, m: f32, l: f32, acc: ptr<function, array<vec4f, MAX_HS4>>) {
  if (i >= p.t) {
    return;
  }
  let live = i < u32(clamp(lengths[b], 0, i32(p.t)));
  let inv = select(0.0, 1.0 / l, live);
  let base = q_row(b, i, h);
  for (var c = 0u; c < HS4; c++) {
    let o = (*acc)[c] * inv;
    for (var e = 0u; e < 4u; e++) {
      if (4u * c + e < HS) {
        out[base + 4u * c + e] = o[e];
      }
    }
  }
  lse[(b * p.nh + h) * p.t + i] = select(0.0, m + log(l), live);
}

@compute @workgroup_size(TILE)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (wid.x + wid.y * p.row_stride >= p.n_groups) {
    return;
  }
  let w = work_item(wid, p.nh);
  let kvh = w.head / p.group;
  let q0 = w.tile * ROWS * TILE;
  let i0 = q0 + lid; // this invocation's query rows (the second when ROWS = 2)
  let i1 = i0 + TILE;
  let live0 = i0 < w.len;
  let live1 = ROWS == 2u && i1 < w.len;

  var qa: array<vec4f, MAX_HS4>; // scale · q_i0
  var qb: array<vec4f, MAX_HS4>; // scale · q_i1
  var acc0: array<vec4f, MAX_HS4>; // Σ_j exp(s_i0j − m0) v_j
  var acc1: array<vec4f, MAX_HS4>;
  let base0 = q_row(w.b, min(i0, p.t - 1u), w.head);
  let base1 = q_row(w.b, min(i1, p.t - 1u), w.head);
  for (var c = 0u; c < HS4; c++) {
    qa[c] = select(vec4f(0.0), ld_q(base0, c) * p.scale, live0);
    acc0[c] = vec4f(0.0);
    if (ROWS == 2u) {
      qb[c] = select(vec4f(0.0), ld_q(base1, c) * p.scale, live1);
      acc1[c] = vec4f(0.0);
    }
  }
  var m0 = NEG;
  var l0 = 0.0;
  var m1 = NEG;
  var l1 = 0.0;

  // The last key any row of this block sees is min(q0 + ROWS·TILE, len) − 1; the first, q0 − W + 1.
  let end = min(q0 + ROWS * TILE, w.len);
  for (var k0 = first_key_tile(q0); k0 < end; k0 += TILE) {
    workgroupBarrier();
    stage_kv(w.b, kvh, k0, end, lid);
    workgroupBarrier();

    var s0: array<vec4f, MAX_TILE4>; // masked scores of row i0 against this tile's keys
    var s1: array<vec4f, MAX_TILE4>;
    var max0 = NEG;
    var max1 = NEG;
    for (var jc = 0u; jc < TILE / 4u; jc++) {
      let r = jc * 4u * HS4;
      var d0 = vec4f(0.0);
      var d1 = vec4f(0.0);
      for (var c = 0u; c < HS4; c++) {
        let a0 = tile_a[r + c];
        let a1 = tile_a[r + HS4 + c];
        let a2 = tile_a[r + 2u * HS4 + c];
        let a3 = tile_a[r + 3u * HS4 + c];
        d0 += dot4(qa[c], a0, a1, a2, a3);
        if (ROWS == 2u) {
          d1 += dot4(qb[c], a0, a1, a2, a3);
        }
      }
      let j = k0 + jc * 4u;
      s0[jc] = select(vec4f(NEG), cap4(d0), visible(i0, j, w.len));
      max0 = max(max0, hmax(s0[jc]));
      if (ROWS == 2u) {
        s1[jc] = select(vec4f(NEG), cap4(d1), visible(i1, j, w.len));
        max1 = max(max1, hmax(s1[jc]));
      }
    }
    let new0 = max(m0, max0);
    let new1 = max(m1, max1);
    let corr0 = exp(m0 - new0);
    let corr1 = exp(m1 - new1);
    m0 = new0;
    m1 = new1;
    l0 *= corr0;
    l1 *= corr1;
    for (var c = 0u; c < HS4; c++) {
      acc0[c] *= corr0;
      if (ROWS == 2u) {
        acc1[c] *= corr1;
      }
    }
    for (var jc = 0u; jc < TILE / 4u; jc++) {
      let j = k0 + jc * 4u;
      let p0 = select(vec4f(0.0), exp(s0[jc] - m0), visible(i0, j, w.len));
      var p1 = vec4f(0.0);
      l0 += p0.x + p0.y + p0.z + p0.w;
      if (ROWS == 2u) {
        p1 = select(vec4f(0.0), exp(s1[jc] - m1), visible(i1, j, w.len));
        l1 += p1.x + p1.y + p1.z + p1.w;
      }
      let r = jc * 4u * HS4;
      for (var c = 0u; c < HS4; c++) {
        let b0 = tile_b[r + c];
        let b1 = tile_b[r + HS4 + c];
        let b2 = tile_b[r + 2u * HS4 + c];
        let b3 = tile_b[r + 3u * HS4 + c];
        acc0[c] += mix4(p0, b0, b1, b2, b3);
        if (ROWS == 2u) {
          acc1[c] += mix4(p1, b0, b1, b2, b3);
        }
      }
    }
  }

  finish_row(w.b, w.head, i0, m0, l0, &acc0);
  if (ROWS == 2u) {
    finish_row(w.b, w.head, i1, m1, l1, &acc1);
  }
}

// backward pre-pass bindings
@group(0) @binding(1) var<storage, read> d_out: array<f32>;            // (B, T, NH, HS)
@group(0) @binding(2) var<storage, read> out_in: array<f32>;           // (B, T, NH, HS)
@group(0) @binding(3) var<storage, read> lse_in: array<f32>;           // (B, NH, T)
@group(0) @binding(5) var<storage, read_write> stats: array<vec2f>;    // (B, NH, T)

// stats[b, h, t] = (lse, D = Σ_d dOut·out); zero for padded positions.
@compute @workgroup_size(WG)
fn row_stats(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x + gid.y * p.row_stride; // (b, t, h) row of out
  if (r >= p.n_rows) {
    return;
  }
  let h = r % p.nh;
  let bt = r / p.nh;
  let t = bt % p.t;
  let b = bt / p.t;
  let len = u32(clamp(lengths[b], 0, i32(p.t)));
  var st = vec2f(0.0);
  if (t < len) {
    // Summed in the same vec4 chunks as the dOut·v dot products of the dQ and dK/dV kernels, so
    // dp − D cancels as exactly as it can where one key takes all the probability (T = 1).
    let base = r * HS;
    var d = 0.0;
    for (var c = 0u; c < HS4; c++) {
      let i = base + 4u * c;
      let keep = vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u) < vec4u(HS);
      let g = select(vec4f(0.0), vec4f(d_out[i], d_out[i + 1u], d_out[i + 2u], d_out[i + 3u]), keep);
      let o = select(vec4f(0.0), vec4f(out_in[i], out_in[i + 1u], out_in[i + 2u], out_in[i + 3u]), keep);
      d += dot(g, o);
    }
    st = vec2f(lse_in[(b * p.nh + h) * p.t + t], d);
  }
  stats[(b * p.nh + h) * p.t + t] = st;
}

// dQ / dK / dV bindings (q, k, v, lengths at 1–4 as in the forward; d_out at 5)
@group(0) @binding(5) var<storage, read> g_out: array<f32>;            // (B, T, NH, HS) dOut
@group(0) @binding(6) var<storage, read> stats_in: array<vec2f>;       // (B, NH, T)
@group(0) @binding(7) var<storage, read_write> dq: array<f32>;         // (B, T, NH, HS)
@group(0) @binding(7) var<storage, read_write> dk: array<f32>;         // (B, T, NKV, HS)
@group(0) @binding(8) var<storage, read_write> dv: array<f32>;         // (B, T, NKV, HS)

fn ld_g(base: u32, c: u32) -> vec4f {
  let d = base + 4u * c;
  let x = vec4f(g_out[d], g_out[d + 1u], g_out[d + 2u], g_out[d + 3u]);
  return select(vec4f(0.0), x, vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u) < vec4u(HS));
}

// Write elements 4c … 4c+3 of a gradient row, stopping at HS.
fn store_dq(base: u32, c: u32, x: vec4f) {
  for (var e = 0u; e < 4u; e++) {
    if (4u * c + e < HS) {
      dq[base + 4u * c + e] = x[e];
    }
  }
}

fn store_dk(base: u32, c: u32, x: vec4f) {
  for (var e = 0u; e < 4u; e++) {
    if (4u * c + e < HS) {
      dk[base + 4u * c + e] = x[e];
    }
  }
}

fn store_dv(base: u32, c: u32, x: vec4f) {
  for (var e = 0u; e < 4u; e++) {
    if (4u * c + e < HS) {
      dv[base + 4u * c + e] = x[e];
    }
  }
}

@compute @workgroup_size(TILE)
fn backward_dq(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (wid.x + wid.y * p.row_stride >= p.n_groups) {
    return;
  }
  let w = work_item(wid, p.nh);
  let kvh = w.head / p.group;
  let q0 = w.tile * ROWS * TILE;
  let i0 = q0 + lid; // this invocation's query rows (the second when ROWS = 2)
  let i1 = i0 + TILE;
  let live0 = i0 < w.len;
  let live1 = ROWS == 2u && i1 < w.len;

  var qa: array<vec4f, MAX_HS4>; // scale · q_i0
  var qb: array<vec4f, MAX_HS4>;
  var ga: array<vec4f, MAX_HS4>; // dOut_i0
  var gb: array<vec4f, MAX_HS4>;
  var acc0: array<vec4f, MAX_HS4>; // Σ_j dS_i0j k_j
  var acc1: array<vec4f, MAX_HS4>;
  let base0 = q_row(w.b, min(i0, p.t - 1u), w.head);
  let base1 = q_row(w.b, min(i1, p.t - 1u), w.head);
  for (var c = 0u; c < HS4; c++) {
    qa[c] = select(vec4f(0.0), ld_q(base0, c) * p.scale, live0);
    ga[c] = select(vec4f(0.0), ld_g(base0, c), live0);
    acc0[c] = vec4f(0.0);
    if (ROWS == 2u) {
      qb[c] = select(vec4f(0.0), ld_q(base1, c) * p.scale, live1);
      gb[c] = select(vec4f(0.0), ld_g(base1, c), live1);
      acc1[c] = vec4f(0.0);
    }
  }
  let row = (w.b * p.nh + w.head) * p.t;
  let st0 = select(vec2f(0.0), stats_in[row + min(i0, p.t - 1u)], live0); // (lse, D)
  let st1 = select(vec2f(0.0), stats_in[row + min(i1, p.t - 1u)], live1);

  let end = min(q0 + ROWS * TILE, w.len);
  for (var k0 = first_key_tile(q0); k0 < end; k0 += TILE) {
    workgroupBarrier();
    stage_kv(w.b, kvh, k0, end, lid);
    workgroupBarrier();
    for (var jc = 0u; jc < TILE / 4u; jc++) {
      let r = jc * 4u * HS4;
      var s0 = vec4f(0.0);
      var s1 = vec4f(0.0);
      var dp0 = vec4f(0.0);
      var dp1 = vec4f(0.0);
      for (var c = 0u; c < HS4; c++) {
        let a0 = tile_a[r + c];
        let a1 = tile_a[r + HS4 + c];
        let a2 = tile_a[r + 2u * HS4 + c];
        let a3 = tile_a[r + 3u * HS4 + c];
        s0 += dot4(qa[c], a0, a1, a2, a3);
        let b0 = tile_b[r + c];
        let b1 = tile_b[r + HS4 + c];
        let b2 = tile_b[r + 2u * HS4 + c];
        let b3 = tile_b[r + 3u * HS4 + c];
        dp0 += dot4(ga[c], b0, b1, b2, b3);
        if (ROWS == 2u) {
          s1 += dot4(qb[c], a0, a1, a2, a3);
          dp1 += dot4(gb[c], b0, b1, b2, b3);
        }
      }
      let j = k0 + jc * 4u;
      let y0 = cap4(s0);
      let y1 = cap4(s1);
      let ds0 = select(vec4f(0.0), exp(y0 - st0.x), visible(i0, j, w.len)) * (dp0 - st0.y) *
        slope4(y0);
      let ds1 = select(vec4f(0.0), exp(y1 - st1.x), visible(i1, j, w.len)) * (dp1 - st1.y) *
        slope4(y1);
      for (var c = 0u; c < HS4; c++) {
        let a0 = tile_a[r + c];
        let a1 = tile_a[r + HS4 + c];
        let a2 = tile_a[r + 2u * HS4 + c];
        let a3 = tile_a[r + 3u * HS4 + c];
        acc0[c] += mix4(ds0, a0, a1, a2, a3);
        if (ROWS == 2u) {
          acc1[c] += mix4(ds1, a0, a1, a2, a3);
        }
      }
    }
  }

  if (i0 < p.t) {
    let base = q_row(w.b, i0, w.head);
    for (var c = 0u; c < HS4; c++) {
      store_dq(base, c, acc0[c] * p.scale);
    }
  }
  if (ROWS == 2u && i1 < p.t) {
    let base = q_row(w.b, i1, w.head);
    for (var c = 0u; c < HS4; c++) {
      store_dq(base, c, acc1[c] * p.scale);
    }
  }
}

@compute @workgroup_size(TILE)
fn backward_dkv(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (wid.x + wid.y * p.row_stride >= p.n_groups) {
    return;
  }
  let w = work_item(wid, p.nkv);
  let k0 = w.tile * ROWS * TILE;
  let j0 = k0 + lid; // this invocation's keys (the second when ROWS = 2)
  let j1 = j0 + TILE;
  let live0 = j0 < w.len;
  let live1 = ROWS == 2u && j1 < w.len;

  var ka: array<vec4f, MAX_HS4>; // k_j0
  var kb: array<vec4f, MAX_HS4>;
  var va: array<vec4f, MAX_HS4>; // v_j0
  var vb: array<vec4f, MAX_HS4>;
  var dk0: array<vec4f, MAX_HS4>; // Σ dS_ij0 · scale · q_i
  var dk1: array<vec4f, MAX_HS4>;
  var dv0: array<vec4f, MAX_HS4>; // Σ P_ij0 dOut_i
  var dv1: array<vec4f, MAX_HS4>;
  let base0 = kv_row(w.b, min(j0, p.t - 1u), w.head);
  let base1 = kv_row(w.b, min(j1, p.t - 1u), w.head);
  // With DKV = 1 or 2 the launcher runs this kernel twice, for dK then for dV: each keeps half
  // the arrays (a GPU's registers), at the cost of recomputing the scores.
  let do_dk = (DKV & 1u) != 0u;
  let do_dv = (DKV & 2u) != 0u;
  for (var c = 0u; c < HS4; c++) {
    ka[c] = select(vec4f(0.0), ld_k(base0, c), live0);
    if (do_dk) {
      va[c] = select(vec4f(0.0), ld_v(base0, c), live0);
      dk0[c] = vec4f(0.0);
    }
    if (do_dv) {
      dv0[c] = vec4f(0.0);
    }
    if (ROWS == 2u) {
      kb[c] = select(vec4f(0.0), ld_k(base1, c), live1);
      if (do_dk) {
        vb[c] = select(vec4f(0.0), ld_v(base1, c), live1);
        dk1[c] = vec4f(0.0);
      }
      if (do_dv) {
        dv1[c] = vec4f(0.0);
      }
    }
  }

  for (var g = 0u; g < p.group; g++) {
    let h = w.head * p.group + g;
    // Queries k0 ≤ i < k0 + ROWS·TILE − 1 + W can see this block's keys; their tiles start at k0,
    // not on a boundary.
    let q_end = min(w.len, k0 + ROWS * TILE - 1u + p.window);
    for (var q0 = k0; q0 < q_end; q0 += TILE) {
      workgroupBarrier();
      for (var e = lid; e < TILE * HS4; e += TILE) {
        let i = q0 + e / HS4;
        let c = e % HS4;
        var qx = vec4f(0.0);
        var gx = vec4f(0.0);
        if (i < w.len) {
          let qb = q_row(w.b, i, h);
          qx = ld_q(qb, c) * p.scale;
          gx = ld_g(qb, c);
        }
        tile_a[e] = qx;
        tile_b[e] = gx;
      }
      let i = q0 + lid;
      let st = stats_in[(w.b * p.nh + h) * p.t + min(i, p.t - 1u)];
      tile_s[lid] = select(vec2f(0.0), st, i < w.len);
      workgroupBarrier();

      for (var ic = 0u; ic < TILE / 4u; ic++) {
        let r = ic * 4u * HS4;
        var s0 = vec4f(0.0);
        var s1 = vec4f(0.0);
        var dp0 = vec4f(0.0);
        var dp1 = vec4f(0.0);
        for (var c = 0u; c < HS4; c++) {
          let a0 = tile_a[r + c];
          let a1 = tile_a[r + HS4 + c];
          let a2 = tile_a[r + 2u * HS4 + c];
          let a3 = tile_a[r + 3u * HS4 + c];
          s0 += dot4(ka[c], a0, a1, a2, a3);
          if (ROWS == 2u) {
            s1 += dot4(kb[c], a0, a1, a2, a3);
          }
          if (do_dk) {
            let b0 = tile_b[r + c];
            let b1 = tile_b[r + HS4 + c];
            let b2 = tile_b[r + 2u * HS4 + c];
            let b3 = tile_b[r + 3u * HS4 + c];
            dp0 += dot4(va[c], b0, b1, b2, b3);
            if (ROWS == 2u) {
              dp1 += dot4(vb[c], b0, b1, b2, b3);
            }
          }
        }
        let t0 = tile_s[ic * 4u];
        let t1 = tile_s[ic * 4u + 1u];
        let t2 = tile_s[ic * 4u + 2u];
        let t3 = tile_s[ic * 4u + 3u];
        let lse4 = vec4f(t0.x, t1.x, t2.x, t3.x);
        let d4 = vec4f(t0.y, t1.y, t2.y, t3.y);
        let iv = vec4u(q0 + ic * 4u) + vec4u(0u, 1u, 2u, 3u);
        let inside = iv < vec4u(w.len);
        let seen0 = (iv >= vec4u(j0)) & (iv < vec4u(j0 + p.window));
        let seen1 = (iv >= vec4u(j1)) & (iv < vec4u(j1 + p.window));
        let y0 = cap4(s0);
        let y1 = cap4(s1);
        let p0 = select(vec4f(0.0), exp(y0 - lse4), seen0 & inside);
        let p1 = select(vec4f(0.0), exp(y1 - lse4), seen1 & inside);
        let ds0 = p0 * (dp0 - d4) * slope4(y0);
        let ds1 = p1 * (dp1 - d4) * slope4(y1);
        for (var c = 0u; c < HS4; c++) {
          let a0 = tile_a[r + c];
          let a1 = tile_a[r + HS4 + c];
          let a2 = tile_a[r + 2u * HS4 + c];
          let a3 = tile_a[r + 3u * HS4 + c];
          if (do_dk) {
            dk0[c] += mix4(ds0, a0, a1, a2, a3);
            if (ROWS == 2u) {
              dk1[c] += mix4(ds1, a0, a1, a2, a3);
            }
          }
          if (do_dv) {
            let b0 = tile_b[r + c];
            let b1 = tile_b[r + HS4 + c];
            let b2 = tile_b[r + 2u * HS4 + c];
            let b3 = tile_b[r + 3u * HS4 + c];
            dv0[c] += mix4(p0, b0, b1, b2, b3);
            if (ROWS == 2u) {
              dv1[c] += mix4(p1, b0, b1, b2, b3);
            }
          }
        }
      }
    }
  }

  if (j0 < p.t) {
    let base = kv_row(w.b, j0, w.head);
    for (var c = 0u; c < HS4; c++) {
      if (do_dk) {
        store_dk(base, c, dk0[c]);
      }
      if (do_dv) {
        store_dv(base, c, dv0[c]);
      }
    }
  }
  if (ROWS == 2u && j1 < p.t) {
    let base = kv_row(w.b, j1, w.head);
    for (var c = 0u; c < HS4; c++) {
      if (do_dk) {
        store_dk(base, c, dk1[c]);
      }
      if (do_dv) {
        store_dv(base, c, dv1[c]);
      }
    }
  }
}
