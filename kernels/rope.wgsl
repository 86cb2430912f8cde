// Rotary position embedding (RoPE) in Hugging Face's `rotate_half` convention (Llama, Qwen2).
//
// x, out: (B, T, NH, HS) f32 (q or k; NH may differ between them under GQA). RoPE turns the first
// R ≤ HS elements of each head vector (R even: HS, or R = HS·partial_rotary_factor for Phi-4-mini
// and GPT-NeoX); the other HS − R pass through. half = R/2. For a head vector x at sequence
// position t, pos = t + pos_offset, and d < half:
//   out[d]        = x[d]·cos(pos·ω_d) − x[d + half]·sin(pos·ω_d)
//   out[d + half] = x[d + half]·cos(pos·ω_d) + x[d]·sin(pos·ω_d),     ω_d = θ^(−2d/R)
// The backward is the transposed, i.e. inverse, rotation: the same kernel with sin negated
// (sign = −1), applied to d_out to give dx (overwrite).
//
// cos_table, sin_table: (max_pos, half) f32, computed on the CPU in float64 and rounded once:
// an angle pos·ω formed in f32 on the GPU is off by ~pos·2⁻²⁴ radians, too much at large pos.
//
// One invocation per (row, d) pair, row = (b·T + t)·NH + h; it reads both halves before writing
// both, so in place (`rotate_inplace`) is safe. `rotate` writes only the rotated R elements of
// each row: with R < HS the launcher copies x to out first. Split over x/y past 65535 workgroups:
// i = gid.x + gid.y · row_stride.

struct Params {
  pairs: u32,      // B·T·NH·half
  half: u32,       // R / 2
  head: u32,       // HS, the stride of rows
  n_heads: u32,    // NH
  seq_len: u32,    // T
  pos_offset: u32, // position of t = 0 (tokens already in the KV cache)
  sign: f32,       // +1 forward, −1 backward
  row_stride: u32, // invocations per row of workgroups
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> cos_table: array<f32>; // (max_pos, half)
@group(0) @binding(2) var<storage, read> sin_table: array<f32>; // (max_pos, half)

struct Pair {
  lo: u32,   // index of x[d]
  hi: u32,   // index of x[d + half]
  cs: vec2f, // cos, sign·sin
}

fn pair_of(i: u32) -> Pair {
  let row = i / p.half;
  let d = i - row * p.half;
  let t = (row / p.n_heads) % p.seq_len;
  let k = (t + p.pos_offset) * p.half + d;
  let lo = row * p.head + d;
  return Pair(lo, lo + p.half, vec2f(cos_table[k], p.sign * sin_table[k]));
}

fn rotate_pair(a: f32, b: f32, cs: vec2f) -> vec2f {
  return vec2f(a * cs.x - b * cs.y, b * cs.x + a * cs.y);
}

@group(0) @binding(3) var<storage, read> x: array<f32>;          // (B, T, NH, HS)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;  // (B, T, NH, HS)

@compute @workgroup_size(WG)
fn rotate(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.pairs) {
    let q = pair_of(i);
    let r = rotate_pair(x[q.lo], x[q.hi], q.cs);
    out[q.lo] = r.x;
    out[q.hi] = r.y;
  }
}

@group(0) @binding(3) var<storage, read_write> xy: array<f32>;   // (B, T, NH, HS), in place

@compute @workgroup_size(WG)
fn rotate_inplace(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.pairs) {
    let q = pair_of(i);
    let r = rotate_pair(xy[q.lo], xy[q.hi], q.cs);
    xy[q.lo] = r.x;
    xy[q.hi] = r.y;
  }
}
