// Token (+ learned position) embedding, GPT-2 style; token-only for Llama and Qwen2; scaled by
// s = √C (rounded to f32) for Gemma, s = 1 otherwise.
//
// forward:  out[n, :] = s·wte[tokens[n], :] (+ wpe[(n mod T) + pos_offset, :])
//   tokens (N,) i32, N = B·T; wte (V, C); wpe (maxT, C); out (N, C).
//   A token outside [0, V) gives a row of NaN (written by the first chunk), so a bad id fails
//   loudly at the loss instead of training on another row; the host refuses such ids first
//   where it sees them (buildTokenIndex).
// backward, without atomics (WGSL has no float atomics):
//   d_wte[v, :] += s·Σ_{n : tokens[n] = v} d_out[n, :]
//     The host sorts the batch into a CSR index: unique tokens u[0..U) ascending, and for each
//     the positions n holding it, ascending: positions[offsets[k] .. offsets[k+1]). One
//     workgroup per unique token sums its rows in that order, so the result is deterministic
//     and the work is O(N·C) however skewed the token counts are. Rows of tokens absent from
//     the batch are not touched.
//   d_wpe[t + pos_offset, :] += Σ_b d_out[b·T + t, :]   one invocation per (t, c), b ascending.
//
// Vocabulary chunks: a table larger than one storage binding (GPT-2's 50257×768 f32 is 154 MB,
// lavapipe binds at most 128 MiB) is bound in row ranges [v_begin, v_end) whose byte offsets are
// multiples of minStorageBufferOffsetAlignment; each launch handles the tokens in its range.
// The forward grid is one invocation per element of out, split over x/y past 65535 workgroups.

struct Params {
  total: u32,      // forward: N·C; d_wte: unique tokens in this chunk; d_wpe: T·C
  c: u32,          // C
  seq_len: u32,    // T
  pos_offset: u32, // position of t = 0
  v_begin: u32,    // first vocabulary row bound in this chunk
  v_end: u32,      // one past the last
  vocab: u32,      // V
  first: u32,      // 1 for the chunk that also writes the NaN rows of out-of-range tokens
  row_stride: u32, // invocations (or workgroups, for d_wte) per row of the grid
  batch: u32,      // B = N / T (d_wpe)
  u_begin: u32,    // d_wte: index in `unique` of this chunk's first token
  m_skip: u32,     // d_wte: this launch sums each token's positions m_skip …
  m_count: u32,    //   … m_skip + m_count − 1 (CPU adapters cut long lists: see the launcher)
  scale: f32,      // s, the token rows' scale
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;

// ---- forward ---------------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> tokens: array<i32>;    // (N,)
@group(0) @binding(2) var<storage, read> wte: array<f32>;       // (v_end − v_begin, C)
@group(0) @binding(3) var<storage, read_write> out: array<f32>; // (N, C)

// The token row's value at element i of out, or none when the token is in another chunk.
struct Lookup {
  write: bool,
  value: f32,
  n: u32,
  j: u32,
}

fn lookup(i: u32) -> Lookup {
  let n = i / p.c;
  let j = i - n * p.c;
  let tok = tokens[n];
  if (tok < 0 || u32(tok) >= p.vocab) {
    return Lookup(p.first == 1u, bitcast<f32>(0x7fc00000u), n, j); // quiet NaN
  }
  let v = u32(tok);
  if (v < p.v_begin || v >= p.v_end) {
    return Lookup(false, 0.0, n, j);
  }
  return Lookup(true, wte[(v - p.v_begin) * p.c + j] * p.scale, n, j);
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.total) {
    let l = lookup(i);
    if (l.write) {
      out[i] = l.value;
    }
  }
}

@group(0) @binding(3) var<storage, read> wpe: array<f32>;           // (maxT, C)
@group(0) @binding(4) var<storage, read_write> out_pos: array<f32>; // (N, C)

@compute @workgroup_size(WG)
fn forward_pos(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.total) {
    let l = lookup(i);
    if (l.write) {
      let pos = l.n % p.seq_len + p.pos_offset;
      out_pos[i] = l.value + wpe[pos * p.c + l.j];
    }
  }
}

// ---- backward into wte: one workgroup per unique token -----------------------------------------

@group(0) @binding(1) var<storage, read> d_out: array<f32>;        // (N, C)
@group(0) @binding(2) var<storage, read> unique: array<u32>;       // (U,) ascending
@group(0) @binding(3) var<storage, read> offsets: array<u32>;      // (U + 1,)
@group(0) @binding(4) var<storage, read> positions: array<u32>;    // (N,)
@group(0) @binding(5) var<storage, read_write> d_wte: array<f32>;  // (v_end − v_begin, C)

@compute @workgroup_size(WG)
fn backward_wte(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let k_local = wid.x + wid.y * p.row_stride;
  if (k_local >= p.total) { return; }
  let k = p.u_begin + k_local;
  let row = (unique[k] - p.v_begin) * p.c;
  let end = offsets[k + 1u];
  let start = min(offsets[k] + p.m_skip, end);
  let stop = start + min(p.m_count, end - start); // (no u32 overflow for a huge m_count)
  for (var j = lid; j < p.c; j += WG) {
    var acc = 0.0;
    for (var m = start; m < stop; m++) {
      acc += d_out[positions[m] * p.c + j];
    }
    d_wte[row + j] += acc * p.scale;
  }
}

// ---- backward into wpe -------------------------------------------------------------------------

@group(0) @binding(2) var<storage, read_write> d_wpe: array<f32>; // (maxT, C)

@compute @workgroup_size(WG)
fn backward_wpe(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.total) {
    let t = i / p.c;
    let j = i - t * p.c;
    var acc = 0.0;
    for (var b = 0u; b < p.batch; b++) {
      acc += d_out[(b * p.seq_len + t) * p.c + j];
    }
    d_wpe[(t + p.pos_offset) * p.c + j] += acc;
  }
}
