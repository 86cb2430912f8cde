// Single-token decoding with a KV cache: the small kernels that differ from the training forward
// because each of the B rows sits at its own position (prompts of different lengths).
//
// Shape legend: B rows, C channels, V vocabulary, P table positions, NH query heads, NKV kv heads
// (NKV divides NH; query head h reads kv head h / (NH/NKV)), HS head size, W = NKV·HS, Tmax cache
// length. positions: (B,) i32, the position of row b's new token (pos_b).
//
// embed / embed_pos: out[b, :] = s·wte[tokens[b], :] (+ wpe[pos_b, :])  (s: `p.scale`, Gemma's √C)
//   tokens (B,) i32; wte (V, C), bound in vocabulary chunks [v_begin, v_end) when larger than one
//   binding (each launch writes the rows whose token falls in its chunk); wpe (P, C); out (B, C).
//   A token outside [0, V) or a position outside [0, P) gives a row of NaN (written by the first
//   chunk), so a bad id fails loudly instead of reading another row.
//
// rope: in place on x (B, NHx, HS), one token per row at position pos_b, Hugging Face's
//   rotate_half convention on the first R ≤ HS elements of each head (half = R/2; the rest pass
//   through) with the (P, R/2) cos/sin tables of rope.ts (row pos, column d):
//   x[d] ← x[d]·cos − x[d+half]·sin,  x[d+half] ← x[d+half]·cos + x[d]·sin.
//   One invocation per (row, d) pair; it reads both halves before writing them. A position
//   outside the table gives NaN.
//
// append / append_prefix: cache[b, off_b + t, :] = src[b, t, :] for t < T
//   src (B, T, W); cache (B, Tmax, W); off_b = pos_b (append) or 0 (append_prefix: the prefill).
//   Writes that would land at or past Tmax are dropped (the launcher cannot see positions); the
//   rest of the cache is not touched.
//
// attend: out[b, h, :] = Σ_{pos_b − W < j ≤ pos_b} softmax_j(scale·q[b,h]·k[b,j,kvh]) · v[b,j,kvh]
//   (W the sliding window, `p.window`; W ≥ Tmax: every cached key; with a soft-cap c > 0 each
//   scaled score s is c·tanh(s/c) first, as in attention.wgsl)
//   q, out (B, NH, HS); k_cache, v_cache (B, Tmax, NKV, HS). The new token's own key/value must
//   already be appended at pos_b. Cache entries past pos_b are never read (they may hold stale
//   values, even NaN).
//   One workgroup per (b, h), WG invocations (WG ≥ HS). Keys are visited in chunks of WG:
//   invocation i scores key j0 + i into workgroup memory; every invocation then reads the chunk's
//   scores in the same order to update one shared running max m and sum l (so all hold identical
//   values), and invocation d < HS accumulates output element d, rescaled by exp(m_old − m_new)
//   once per chunk (online softmax). Fixed orders everywhere: reruns are bit-identical.
//   Numerics: f32; m starts at −1e30 (finite, so exp(m_old − m_new) is 0, never NaN); the first
//   chunk holds the first key seen, so l ≥ 1 at the end.
//
// gather: out[b, :] = x[idx_b, :]    x (N, C), indices (B,) i32; idx_b = −1 gives a zero row, any
//   other index outside [0, N) a NaN row. Generation picks each sequence's last position with it;
//   the classifier packs the rows that have a target (and unpacks its results through the inverse
//   map, −1 where a row has no target), so a gather's backward is a gather too.
// gather_add: the same with a second index per output row, whose row is added (−1: nothing).
//
// Element-wise grids are one invocation per element, split over x/y past 65535 workgroups:
// i = gid.x + gid.y · row_stride. attend numbers its workgroups the same way.

struct Params {
  total: u32,      // invocations doing work (elements, pairs, or (b, h) workgroups for attend)
  c: u32,          // C (embed, gather), R/2 (rope), W (append), HS (attend)
  t: u32,          // T new rows per batch row (append); NH (attend); NHx (rope)
  t_max: u32,      // Tmax (append, attend); P (embed_pos, rope); N (gather)
  v_begin: u32,    // embed: first vocabulary row bound in this chunk
  v_end: u32,      // embed: one past the last
  vocab: u32,      // embed: V
  first: u32,      // embed: 1 for the chunk that writes the NaN rows
  row_stride: u32, // invocations (attend: workgroups) per row of the grid
  nkv: u32,        // attend: NKV
  scale: f32,      // attend: softmax scale; embed: the token rows' scale s
  window: u32,     // attend: W ≥ 1, keys pos_b − W < j ≤ pos_b
  softcap: f32,    // attend: scores c·tanh(s/c) when c > 0 (Gemma 2)
  head: u32,       // rope: HS, the stride of rows
}

override WG: u32 = 256u;

const NEG: f32 = -1e30;
const MAX_WG: u32 = 256u;

@group(0) @binding(0) var<uniform> p: Params;

fn nan() -> f32 {
  return bitcast<f32>(0x7fc00000u);
}

fn linear_index(gid: vec3u) -> u32 {
  return gid.x + gid.y * p.row_stride;
}

// ---- embedding ---------------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> e_tokens: array<i32>;      // (B,)
@group(0) @binding(2) var<storage, read> e_wte: array<f32>;         // (v_end − v_begin, C)
@group(0) @binding(3) var<storage, read_write> e_out: array<f32>;   // (B, C)

// wte's value for element i of out: (write?, value). Tokens of other chunks are not written.
fn token_value(i: u32) -> vec2f {
  let b = i / p.c;
  let j = i - b * p.c;
  let tok = e_tokens[b];
  if (tok < 0 || u32(tok) >= p.vocab) {
    return vec2f(select(0.0, 1.0, p.first == 1u), nan());
  }
  let v = u32(tok);
  if (v < p.v_begin || v >= p.v_end) {
    return vec2f(0.0, 0.0);
  }
  return vec2f(1.0, e_wte[(v - p.v_begin) * p.c + j] * p.scale);
}

@compute @workgroup_size(WG)
fn embed(@builtin(global_invocation_id) gid: vec3u) {
  let i = linear_index(gid);
  if (i < p.total) {
    let r = token_value(i);
    if (r.x != 0.0) {
      e_out[i] = r.y;
    }
  }
}

@group(0) @binding(3) var<storage, read> e_positions: array<i32>;     // (B,)
@group(0) @binding(4) var<storage, read> e_wpe: array<f32>;           // (P, C)
@group(0) @binding(5) var<storage, read_write> e_out_pos: array<f32>; // (B, C)

@compute @workgroup_size(WG)
fn embed_pos(@builtin(global_invocation_id) gid: vec3u) {
  let i = linear_index(gid);
  if (i < p.total) {
    let r = token_value(i);
    if (r.x != 0.0) {
      let b = i / p.c;
      let pos = e_positions[b];
      var w = nan();
      if (pos >= 0 && u32(pos) < p.t_max) {
        w = e_wpe[u32(pos) * p.c + (i - b * p.c)];
      }
      e_out_pos[i] = r.y + w;
    }
  }
}

// ---- RoPE at per-row positions -----------------------------------------------------------------

@group(0) @binding(1) var<storage, read> r_cos: array<f32>;       // (P, R/2)
@group(0) @binding(2) var<storage, read> r_sin: array<f32>;       // (P, R/2)
@group(0) @binding(3) var<storage, read> r_positions: array<i32>; // (B,)
@group(0) @binding(4) var<storage, read_write> r_x: array<f32>;   // (B, NHx, HS), in place

@compute @workgroup_size(WG)
fn rope(@builtin(global_invocation_id) gid: vec3u) {
  let i = linear_index(gid);
  if (i >= p.total) {
    return;
  }
  let half = p.c;
  let row = i / half; // b·NHx + h
  let d = i - row * half;
  let pos = r_positions[row / p.t];
  let lo = row * p.head + d;
  let hi = lo + half;
  var cs = vec2f(nan(), nan());
  if (pos >= 0 && u32(pos) < p.t_max) {
    let k = u32(pos) * half + d;
    cs = vec2f(r_cos[k], r_sin[k]);
  }
  let a = r_x[lo];
  let b = r_x[hi];
  r_x[lo] = a * cs.x - b * cs.y;
  r_x[hi] = b * cs.x + a * cs.y;
}

// ---- KV cache append ---------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> a_src: array<f32>;         // (B, T, W)
@group(0) @binding(2) var<storage, read> a_positions: array<i32>;   // (B,)
@group(0) @binding(3) var<storage, read_write> a_cache: array<f32>; // (B, Tmax, W)

// Writes src element i to row b's cache slot off + t, unless that is outside [0, Tmax).
fn store_row(i: u32, off: i32) {
  let w = p.c;
  let bt = i / w;
  let e = i - bt * w;
  let b = bt / p.t;
  let t = i32(bt - b * p.t) + off;
  if (t >= 0 && u32(t) < p.t_max) {
    a_cache[(b * p.t_max + u32(t)) * w + e] = a_src[i];
  }
}

@compute @workgroup_size(WG)
fn append(@builtin(global_invocation_id) gid: vec3u) {
  let i = linear_index(gid);
  if (i < p.total) {
    store_row(i, a_positions[(i / p.c) / p.t]);
  }
}

@group(0) @binding(2) var<storage, read_write> a_cache_prefix: array<f32>; // (B, Tmax, W)

@compute @workgroup_size(WG)
fn append_prefix(@builtin(global_invocation_id) gid: vec3u) {
  let i = linear_index(gid);
  if (i < p.total) {
    let w = p.c;
    let bt = i / w;
    let b = bt / p.t;
    let t = bt - b * p.t;
    if (t < p.t_max) {
      a_cache_prefix[(b * p.t_max + t) * w + (i - bt * w)] = a_src[i];
    }
  }
}

// ---- decode attention --------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> d_q: array<f32>;         // (B, NH, HS)
@group(0) @binding(2) var<storage, read> d_k: array<f32>;         // (B, Tmax, NKV, HS)
@group(0) @binding(3) var<storage, read> d_v: array<f32>;         // (B, Tmax, NKV, HS)
@group(0) @binding(4) var<storage, read> d_positions: array<i32>; // (B,)
@group(0) @binding(5) var<storage, read_write> d_out: array<f32>; // (B, NH, HS)

var<workgroup> sh_q: array<f32, MAX_WG>; // scale · q of this (b, h)
var<workgroup> sh_s: array<f32, MAX_WG>; // the chunk's scores, then its exp(s − m)

@compute @workgroup_size(WG)
fn attend(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = wid.x + wid.y * p.row_stride;
  if (w >= p.total) {
    return; // uniform: the whole workgroup leaves
  }
  let hs = p.c;
  let nh = p.t;
  let b = w / nh;
  let h = w - b * nh;
  let kvh = h / (nh / p.nkv);
  let q_base = w * hs;
  if (lid < hs) {
    sh_q[lid] = d_q[q_base + lid] * p.scale;
  }
  // Keys first … last; a position past the cache is clamped (its extra keys are not there).
  let last = u32(clamp(d_positions[b], 0, i32(p.t_max) - 1));
  let first = select(0u, last + 1u - p.window, last + 1u > p.window);
  let stride = p.nkv * hs; // between consecutive keys of one head
  let head0 = (b * p.t_max * p.nkv + kvh) * hs;
  var m = NEG;
  var l = 0.0;
  var acc = 0.0; // output element lid (when lid < HS)
  workgroupBarrier();
  for (var j0 = first; j0 <= last; j0 += WG) {
    let j = j0 + lid;
    let n = min(WG, last + 1u - j0); // valid keys in this chunk
    var s = NEG;
    if (j <= last) {
      let base = head0 + j * stride;
      var qk = 0.0;
      for (var e = 0u; e < hs; e++) {
        qk += sh_q[e] * d_k[base + e];
      }
      s = qk;
      if (p.softcap > 0.0) {
        let x = qk / p.softcap;
        // tanh without overflow at large |x| (see attention.wgsl's soft_tanh4)
        var t = tanh(x);
        if (abs(x) >= 0.5) {
          t = sign(x) * (1.0 - 2.0 / (exp(2.0 * abs(x)) + 1.0));
        }
        s = p.softcap * t;
      }
    }
    sh_s[lid] = s;
    workgroupBarrier();
    var m_new = m;
    for (var i = 0u; i < n; i++) {
      m_new = max(m_new, sh_s[i]);
    }
    workgroupBarrier(); // everyone has read the scores before they become probabilities
    sh_s[lid] = select(0.0, exp(s - m_new), j <= last);
    workgroupBarrier();
    let alpha = exp(m - m_new);
    var sum = 0.0;
    for (var i = 0u; i < n; i++) {
      sum += sh_s[i];
    }
    l = l * alpha + sum;
    if (lid < hs) {
      var a = 0.0;
      let vbase = head0 + j0 * stride + lid;
      for (var i = 0u; i < n; i++) {
        a += sh_s[i] * d_v[vbase + i * stride];
      }
      acc = acc * alpha + a;
    }
    m = m_new;
    workgroupBarrier(); // the chunk's probabilities are read before the next chunk's scores
  }
  if (lid < hs) {
    d_out[q_base + lid] = acc / l;
  }
}

// ---- row gather --------------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> g_x: array<f32>;         // (N, C)
@group(0) @binding(2) var<storage, read> g_indices: array<i32>;   // (B,)
@group(0) @binding(3) var<storage, read_write> g_out: array<f32>; // (B, C)

@group(0) @binding(4) var<storage, read> g_plus: array<i32>;      // (B,) gather_add only

// x[r, e] by the gather's rule: 0 for r = −1, NaN for any other r outside [0, N).
fn gathered(r: i32, e: u32) -> f32 {
  var x = select(nan(), 0.0, r == -1);
  if (r >= 0 && u32(r) < p.t_max) {
    x = g_x[u32(r) * p.c + e];
  }
  return x;
}

@compute @workgroup_size(WG)
fn gather(@builtin(global_invocation_id) gid: vec3u) {
  let i = linear_index(gid);
  if (i < p.total) {
    let b = i / p.c;
    g_out[i] = gathered(g_indices[b], i - b * p.c);
  }
}

// gather_add: out[b, :] = x[idx_b, :] + x[plus_b, :] (each by the gather's rule): two rows summed,
// the first then the second. Packing the gradient of a key or value shared by two rows.
@compute @workgroup_size(WG)
fn gather_add(@builtin(global_invocation_id) gid: vec3u) {
  let i = linear_index(gid);
  if (i < p.total) {
    let b = i / p.c;
    let e = i - b * p.c;
    g_out[i] = gathered(g_indices[b], e) + gathered(g_plus[b], e);
  }
}

// gather4 / gather_add4: the same four elements at a time, for C a multiple of 4 (p.c = C / 4,
// p.total = B·C / 4): one vec4f load and store per invocation instead of four of each (on
// llvmpipe each storage access is a loop over the SIMD lanes). Same values.
@group(0) @binding(1) var<storage, read> g_x4: array<vec4f>;         // (N, C/4)
@group(0) @binding(3) var<storage, read_write> g_out4: array<vec4f>; // (B, C/4)

fn gathered4(r: i32, q: u32) -> vec4f {
  var x = select(vec4f(nan()), vec4f(0.0), r == -1);
  if (r >= 0 && u32(r) < p.t_max) {
    x = g_x4[u32(r) * p.c + q];
  }
  return x;
}

@compute @workgroup_size(WG)
fn gather4(@builtin(global_invocation_id) gid: vec3u) {
  let i = linear_index(gid);
  if (i < p.total) {
    let b = i / p.c;
    g_out4[i] = gathered4(g_indices[b], i - b * p.c);
  }
}

@compute @workgroup_size(WG)
fn gather_add4(@builtin(global_invocation_id) gid: vec3u) {
  let i = linear_index(gid);
  if (i < p.total) {
    let b = i / p.c;
    let q = i - b * p.c;
    g_out4[i] = gathered4(g_indices[b], q) + gathered4(g_plus[b], q);
  }
}
