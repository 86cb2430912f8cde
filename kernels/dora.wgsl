// DoRA's per-output-row pieces (weight-decomposed LoRA): a layer's output is
//   y = b + g ⊙ z,  z = x·Wᵀ + s·(x·Aᵀ)·Bᵀ,  g[o] = m[o] / ‖V[o, :]‖,  V = W + s·B·A
// with the norms a constant to the gradient (as PEFT detaches them).
//
// row_norms: nrm[o] = ‖V[o, :]‖                     V (O, I), nrm (O,); one invocation per row
// column_norms: nrm[o] = ‖V[:, o]‖                     V (I, O) (GPT-2's Conv1D stores weights
//                                                  (in, out)), nrm (O,); one invocation per
//                                                  column, rows in order
// scale_cols: out[n, o] = α·in[n, o]·m[o]/nrm[o] (+ bias[o])
//                                                  in, out (N, O) (in place allowed: the same
//                                                  buffer bound to both), m, nrm, bias (O,); one
//                                                  invocation per element. Forward: α = 1 with the
//                                                  bias; backward: dz = α·dy ⊙ g. With per_row,
//                                                  rows are scaled instead: x (O, I), o = i / I
//                                                  (merging: W' = diag(m/nrm)·V).
// col_dots: dm[o] += α·Σ_n dy[n, o]·z[n, o] / nrm[o]  dy, z (N, O), dm (O,); one invocation per
//                                                  column, rows in order (bit-identical reruns).
// The grid may be split over x and y past 65535 workgroups: i = gid.x + gid.y · row_stride.

struct Params {
  rows: u32,       // N (scale_cols, col_dots) or O (row_norms)
  cols: u32,       // O (scale_cols, col_dots) or I (row_norms)
  row_stride: u32, // invocations per row of workgroups
  alpha: f32,      // α
  has_bias: u32,   // scale_cols: add bias
  per_row: u32,    // scale_cols: scale rows (o = i / cols) instead of columns
}

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> v: array<f32>;          // (O, I)
@group(0) @binding(2) var<storage, read_write> nrm: array<f32>;  // (O,)

@compute @workgroup_size(WG)
fn row_norms(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x + gid.y * p.row_stride;
  if (o >= p.rows) {
    return;
  }
  var sum = 0.0;
  let base = o * p.cols;
  for (var i = 0u; i < p.cols; i++) {
    let x = v[base + i];
    sum += x * x;
  }
  nrm[o] = sqrt(sum);
}

@compute @workgroup_size(WG)
fn column_norms(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x + gid.y * p.row_stride;
  if (o >= p.cols) {
    return;
  }
  var sum = 0.0;
  for (var r = 0u; r < p.rows; r++) {
    let x = v[r * p.cols + o];
    sum += x * x;
  }
  nrm[o] = sqrt(sum);
}

@group(0) @binding(1) var<storage, read_write> io: array<f32>;  // (N, O) in and out
@group(0) @binding(2) var<storage, read> mag: array<f32>;       // (O,) m
@group(0) @binding(3) var<storage, read> norms: array<f32>;     // (O,) ‖V[o, :]‖
@group(0) @binding(4) var<storage, read> bias: array<f32>;      // (O,); any range without it

@compute @workgroup_size(WG)
fn scale_cols(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i >= p.rows * p.cols) {
    return;
  }
  let o = select(i % p.cols, i / p.cols, p.per_row == 1u);
  var out = p.alpha * io[i] * (mag[o] / norms[o]);
  if (p.has_bias == 1u) {
    out += bias[o];
  }
  io[i] = out;
}

@group(0) @binding(1) var<storage, read> dy: array<f32>;         // (N, O)
@group(0) @binding(2) var<storage, read> z: array<f32>;          // (N, O)
@group(0) @binding(3) var<storage, read> col_norms: array<f32>;  // (O,)
@group(0) @binding(4) var<storage, read_write> dm: array<f32>;   // (O,)

@compute @workgroup_size(WG)
fn col_dots(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x + gid.y * p.row_stride;
  if (o >= p.cols) {
    return;
  }
  var sum = 0.0;
  for (var n = 0u; n < p.rows; n++) {
    sum += dy[n * p.cols + o] * z[n * p.cols + o];
  }
  dm[o] += p.alpha * sum / col_norms[o];
}
