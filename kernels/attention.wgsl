// Causal multi-head attention with grouped-query heads and right padding, flash-style.
//
// Shapes (row-major, contiguous): B rows, T positions, NH query heads, NKV key/value heads
// (NKV divides NH; query head h reads kv head h / G, G = NH / NKV), HS head size.
//   q, out, d_out, dq: (B, T, NH, HS)      k, v, dk, dv: (B, T, NKV, HS)
//   lse: (B, NH, T)   lengths: (B,) i32 (or u32 ≤ 2³¹); positions t ≥ lengths[b] are padding
//   stats: (B, NH, T) vec2f (lse, D), written by the backward's pre-pass
//
// forward, for a valid query row i < len (len = clamp(lengths[b], 0, T)):
//   s_ij = scale · q_i·k_j  for keys j ≤ i, j < len        (the mask: causal and length)
//   lse_i = log Σ_j exp(s_ij);   out_i = Σ_j exp(s_ij − lse_i) · v_j
// and for a padded row (len ≤ i < T): out_i = 0, lse_i = 0.
//   One workgroup per (query tile of TILE rows, head, row b); one invocation per query row.
//   The workgroup walks the key tiles up to its last causal key, staging K and V in workgroup
//   memory, and each invocation keeps an online softmax: running max m, running sum l and the
//   unnormalised output, rescaled by exp(m_old − m_new) once per key tile. No T×T matrix exists.
//
// backward, with P_ij = exp(s_ij − lse_i) recomputed from the saved lse:
//   D_i = Σ_d dOut_i·out_i   (pre-pass `row_stats`, stored beside lse)
//   dS_ij = P_ij · (dOut_i·v_j − D_i)
//   dQ_i = scale · Σ_j dS_ij k_j                       (`backward_dq`: per query tile over keys)
//   dK_j = scale · Σ_{h in group} Σ_i dS_ij q_i       (`backward_dkv`: per key tile over the G query
//   dV_j = Σ_{h in group} Σ_i P_ij dOut_i              heads of its group and over query tiles)
// Every output element is written by one invocation in a fixed order: no atomics, reruns are
// bit-identical. Padded positions get zero gradient; their q, k, v, dOut are never read, so they
// cannot leak into valid outputs (rows at or past len load as zeros).
//
// Numerics: f32 throughout. The scale is folded into q as it is loaded (scores and dK come out
// already scaled). Masked scores are −1e30 (not −inf) so exp(m_old − m_new) is never NaN; the
// probabilities of masked pairs are selected to exactly 0. Each valid row sees key 0, so its
// running max is a real score after the first key tile and l ≥ 1.
//
// Workgroups are numbered linearly (x + y · row_stride) so a launch can exceed 65535 in x;
// w = (tile, head, b) with tile fastest. Vectors of HS are held as HS4 = ⌈HS/4⌉ vec4f, zero
// padded; private arrays are sized for HS ≤ 128 (MAX_HS4) and loops run to the override HS4, so
// the compiler sees constant trip counts.

struct Params {
  t: u32,          // T
  nh: u32,         // NH
  nkv: u32,        // NKV
  group: u32,      // G = NH / NKV
  n_tiles: u32,    // ⌈T / TILE⌉
  n_groups: u32,   // workgroups of this launch: n_tiles · heads · B
  row_stride: u32, // workgroups per row of the dispatch (its x count)
  scale: f32,      // softmax scale, 1/√HS by default
  n_rows: u32,     // B · T · NH (pre-pass only)
}

const MAX_HS4: u32 = 32u;   // HS ≤ 128
const MAX_TILE4: u32 = 16u; // TILE ≤ 64
const NEG: f32 = -1e30;

override TILE: u32 = 32u; // rows per tile and invocations per workgroup; a multiple of 4, ≤ 64
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

// True where keys j0 … j0+3 may be seen by query i: causal, and i (hence j) inside the length.
fn visible(i: u32, j0: u32, len: u32) -> vec4<bool> {
  let j = vec4u(j0) + vec4u(0u, 1u, 2u, 3u);
  return (j <= vec4u(i)) & (vec4u(i) < vec4u(len));
}

@compute @workgroup_size(TILE)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (wid.x + wid.y * p.row_stride >= p.n_groups) {
    return;
  }
  let w = work_item(wid, p.nh);
  let kvh = w.head / p.group;
  let q0 = w.tile * TILE;
  let i = q0 + lid;
  let live = i < w.len;

  var qr: array<vec4f, MAX_HS4>;  // scale · q_i
  var acc: array<vec4f, MAX_HS4>; // Σ_j exp(s_ij − m) v_j
  let qbase = q_row(w.b, min(i, p.t - 1u), w.head);
  for (var c = 0u; c < HS4; c++) {
    qr[c] = select(vec4f(0.0), ld_q(qbase, c) * p.scale, live);
    acc[c] = vec4f(0.0);
  }
  var m = NEG;
  var l = 0.0;

  // The last key any row of this tile sees is min(q0 + TILE, len) − 1.
  let end = min(q0 + TILE, w.len);
  for (var k0 = 0u; k0 < end; k0 += TILE) {
    workgroupBarrier();
    stage_kv(w.b, kvh, k0, end, lid);
    workgroupBarrier();

    var s: array<vec4f, MAX_TILE4>;
    var tile_max = NEG;
    for (var jc = 0u; jc < TILE / 4u; jc++) {
      let r = jc * 4u * HS4;
      var d = vec4f(0.0);
      for (var c = 0u; c < HS4; c++) {
        let x = qr[c];
        d += vec4f(
          dot(x, tile_a[r + c]),
          dot(x, tile_a[r + HS4 + c]),
          dot(x, tile_a[r + 2u * HS4 + c]),
          dot(x, tile_a[r + 3u * HS4 + c]),
        );
      }
      let sm = select(vec4f(NEG), d, visible(i, k0 + jc * 4u, w.len));
      s[jc] = sm;
      tile_max = max(tile_max, max(max(sm.x, sm.y), max(sm.z, sm.w)));
    }
    let m_new = max(m, tile_max);
    let corr = exp(m - m_new);
    m = m_new;
    l *= corr;
    for (var c = 0u; c < HS4; c++) {
      acc[c] *= corr;
    }
    for (var jc = 0u; jc < TILE / 4u; jc++) {
      let pr = select(vec4f(0.0), exp(s[jc] - m), visible(i, k0 + jc * 4u, w.len));
      l += pr.x + pr.y + pr.z + pr.w;
      let r = jc * 4u * HS4;
      for (var c = 0u; c < HS4; c++) {
        acc[c] += pr.x * tile_b[r + c] + pr.y * tile_b[r + HS4 + c] +
          pr.z * tile_b[r + 2u * HS4 + c] + pr.w * tile_b[r + 3u * HS4 + c];
      }
    }
  }

  if (i < p.t) {
    let inv = select(0.0, 1.0 / l, live);
    let obase = q_row(w.b, i, w.head);
    for (var c = 0u; c < HS4; c++) {
      let o = acc[c] * inv;
      for (var e = 0u; e < 4u; e++) {
        if (4u * c + e < HS) {
          out[obase + 4u * c + e] = o[e];
        }
      }
    }
    lse[(w.b * p.nh + w.head) * p.t + i] = select(0.0, m + log(l), live);
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
    let base = r * HS;
    var d = 0.0;
    for (var e = 0u; e < HS; e++) {
      d += d_out[base + e] * out_in[base + e];
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

// Writes elements 4c … 4c+3 of a gradient row, stopping at HS.
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
  let q0 = w.tile * TILE;
  let i = q0 + lid;
  let live = i < w.len;
  let ti = min(i, p.t - 1u);

  var qr: array<vec4f, MAX_HS4>; // scale · q_i
  var gr: array<vec4f, MAX_HS4>; // dOut_i
  var acc: array<vec4f, MAX_HS4>; // Σ_j dS_ij k_j
  let base = q_row(w.b, ti, w.head);
  for (var c = 0u; c < HS4; c++) {
    qr[c] = select(vec4f(0.0), ld_q(base, c) * p.scale, live);
    gr[c] = select(vec4f(0.0), ld_g(base, c), live);
    acc[c] = vec4f(0.0);
  }
  let st = select(vec2f(0.0), stats_in[(w.b * p.nh + w.head) * p.t + ti], live);

  let end = min(q0 + TILE, w.len);
  for (var k0 = 0u; k0 < end; k0 += TILE) {
    workgroupBarrier();
    stage_kv(w.b, kvh, k0, end, lid);
    workgroupBarrier();
    for (var jc = 0u; jc < TILE / 4u; jc++) {
      let r = jc * 4u * HS4;
      var s = vec4f(0.0);
      var dp = vec4f(0.0);
      for (var c = 0u; c < HS4; c++) {
        let x = qr[c];
        let g = gr[c];
        s += vec4f(
          dot(x, tile_a[r + c]),
          dot(x, tile_a[r + HS4 + c]),
          dot(x, tile_a[r + 2u * HS4 + c]),
          dot(x, tile_a[r + 3u * HS4 + c]),
        );
        dp += vec4f(
          dot(g, tile_b[r + c]),
          dot(g, tile_b[r + HS4 + c]),
          dot(g, tile_b[r + 2u * HS4 + c]),
          dot(g, tile_b[r + 3u * HS4 + c]),
        );
      }
      let pr = select(vec4f(0.0), exp(s - st.x), visible(i, k0 + jc * 4u, w.len));
      let ds = pr * (dp - st.y);
      for (var c = 0u; c < HS4; c++) {
        acc[c] += ds.x * tile_a[r + c] + ds.y * tile_a[r + HS4 + c] +
          ds.z * tile_a[r + 2u * HS4 + c] + ds.w * tile_a[r + 3u * HS4 + c];
      }
    }
  }

  if (i < p.t) {
    let base_out = q_row(w.b, i, w.head);
    for (var c = 0u; c < HS4; c++) {
      store_dq(base_out, c, acc[c] * p.scale);
    }
  }
}

@compute @workgroup_size(TILE)
fn backward_dkv(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (wid.x + wid.y * p.row_stride >= p.n_groups) {
    return;
  }
  let w = work_item(wid, p.nkv);
  let k0 = w.tile * TILE;
  let j = k0 + lid;
  let live = j < w.len;
  let tj = min(j, p.t - 1u);

  var kr: array<vec4f, MAX_HS4>;  // k_j
  var vr: array<vec4f, MAX_HS4>;  // v_j
  var dka: array<vec4f, MAX_HS4>; // Σ dS_ij · scale · q_i
  var dva: array<vec4f, MAX_HS4>; // Σ P_ij dOut_i
  let base = kv_row(w.b, tj, w.head);
  for (var c = 0u; c < HS4; c++) {
    kr[c] = select(vec4f(0.0), ld_k(base, c), live);
    vr[c] = select(vec4f(0.0), ld_v(base, c), live);
    dka[c] = vec4f(0.0);
    dva[c] = vec4f(0.0);
  }

  for (var g = 0u; g < p.group; g++) {
    let h = w.head * p.group + g;
    // Queries i ≥ k0 can see this tile's keys; they start at k0, not on a TILE boundary.
    for (var q0 = k0; q0 < w.len; q0 += TILE) {
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
      tile_s[lid] = select(vec2f(0.0), stats_in[(w.b * p.nh + h) * p.t + min(i, p.t - 1u)], i < w.len);
      workgroupBarrier();

      for (var ic = 0u; ic < TILE / 4u; ic++) {
        let r = ic * 4u * HS4;
        var s = vec4f(0.0);
        var dp = vec4f(0.0);
        for (var c = 0u; c < HS4; c++) {
          let x = kr[c];
          let y = vr[c];
          s += vec4f(
            dot(x, tile_a[r + c]),
            dot(x, tile_a[r + HS4 + c]),
            dot(x, tile_a[r + 2u * HS4 + c]),
            dot(x, tile_a[r + 3u * HS4 + c]),
          );
          dp += vec4f(
            dot(y, tile_b[r + c]),
            dot(y, tile_b[r + HS4 + c]),
            dot(y, tile_b[r + 2u * HS4 + c]),
            dot(y, tile_b[r + 3u * HS4 + c]),
          );
        }
        let i0 = q0 + ic * 4u;
        let s0 = tile_s[ic * 4u];
        let s1 = tile_s[ic * 4u + 1u];
        let s2 = tile_s[ic * 4u + 2u];
        let s3 = tile_s[ic * 4u + 3u];
        let iv = vec4u(i0) + vec4u(0u, 1u, 2u, 3u);
        let ok = (iv >= vec4u(j)) & (iv < vec4u(w.len)) & vec4<bool>(live);
        let pr = select(vec4f(0.0), exp(s - vec4f(s0.x, s1.x, s2.x, s3.x)), ok);
        let ds = pr * (dp - vec4f(s0.y, s1.y, s2.y, s3.y));
        for (var c = 0u; c < HS4; c++) {
          dva[c] += pr.x * tile_b[r + c] + pr.y * tile_b[r + HS4 + c] +
            pr.z * tile_b[r + 2u * HS4 + c] + pr.w * tile_b[r + 3u * HS4 + c];
          dka[c] += ds.x * tile_a[r + c] + ds.y * tile_a[r + HS4 + c] +
            ds.z * tile_a[r + 2u * HS4 + c] + ds.w * tile_a[r + 3u * HS4 + c];
        }
      }
    }
  }

  if (j < p.t) {
    let base_out = kv_row(w.b, j, w.head);
    for (var c = 0u; c < HS4; c++) {
      store_dk(base_out, c, dka[c]);
      store_dv(base_out, c, dva[c]);
    }
  }
}
