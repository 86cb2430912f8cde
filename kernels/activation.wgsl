// Pointwise activations of the MLP: GELU (GPT-2), SwiGLU (Llama, Qwen2) and GeGLU (Gemma).
//
// GELU, tanh form as GPT-2 uses it, with u = √(2/π)·(x + 0.044715·x³):
//   gelu(x) = 0.5·x·(1 + tanh(u)) = x·σ(2u)          since 1 + tanh(u) = 2·σ(2u)
//   gelu'(x) = σ(2u) + x·σ(2u)·(1 − σ(2u))·2·u'(x),   u'(x) = √(2/π)·(1 + 3·0.044715·x²)
//   gelu_forward:  x (N,) → out (N,)
//   gelu_backward: x (N,), d_out (N,) → dx (N,) = d_out·gelu'(x)          (overwrite)
//   With EXACT = 1 both use the exact GELU x·Φ(x) below (GPT-NeoX's "gelu").
//
// SwiGLU on the two halves of the up-projection, gate and up (N,) each (N = B·T·F):
//   out = silu(gate)·up = gate·σ(gate)·up
//   d_gate = d_out·up·σ(gate)·(1 + gate·(1 − σ(gate)));  d_up = d_out·gate·σ(gate)  (overwrite)
// GeGLU, the same with GELU's tanh form for the gate (Gemma's gelu_pytorch_tanh), or with
// EXACT = 1 the exact GELU x·Φ(x) (transformers' "gelu", Gemma 1's hidden_act):
//   out = gelu(gate)·up;  d_gate = d_out·up·gelu'(gate);  d_up = d_out·gelu(gate)   (overwrite)
//   exact: Φ(x) = ½·erfc(−x/√2), gelu'(x) = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π); erfc from
//   the Chebyshev fit t·exp(−z² + P(t)), t = 1/(1 + z/2) (fractional error < 1.2e-7 for z ≥ 0),
//   taken on |x| so the far tail (Φ → 0) keeps its relative accuracy.
//
// Numerics: σ is evaluated from e = exp(−|z|) ≤ 1, so neither σ nor 1 − σ cancels or
// overflows at any |z| (σ = 1/(1+e), 1 − σ = e/(1+e) for z ≥ 0, mirrored for z < 0; e may
// underflow to 0, never overflow). For GELU the input is clamped to ±20 before the cube (so
// x³ cannot overflow): there |2u| > 600, σ(2u) is exactly 0 or 1 in f32, and gelu(x) = x·σ is
// x or −0 as it should be, with no inf or NaN even at |x| = 1e30. The forward saves nothing:
// the backward recomputes from x.
//
// One invocation per element; the dispatch may be split over x and y (more than 65535
// workgroups): the linear index is gid.x + gid.y · row_stride, row_stride = groups.x · WG.

struct Params {
  n: u32,          // elements
  row_stride: u32, // invocations per row of workgroups
}

override WG: u32 = 256;
override EXACT: u32 = 0u; // GELU, GeGLU: 1 for the exact (erf) GELU, 0 for the tanh form

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const GELU_K: f32 = 0.044715;

@group(0) @binding(0) var<uniform> p: Params;

// σ(z) and 1 − σ(z), both without cancellation.
fn sigmoid_pair(z: f32) -> vec2f {
  let e = exp(-abs(z));
  let big = 1.0 / (1.0 + e);
  let small = e / (1.0 + e);
  return select(vec2f(small, big), vec2f(big, small), z >= 0.0);
}

// σ(2u) and 1 − σ(2u) for GELU's u(x), and u'(x), at the clamped input.
struct GeluParts {
  s: vec2f,
  du: f32,
  xc: f32,
}

fn gelu_parts(x: f32) -> GeluParts {
  let xc = clamp(x, -20.0, 20.0);
  let x2 = xc * xc;
  let u = SQRT_2_OVER_PI * (xc + GELU_K * x2 * xc);
  return GeluParts(sigmoid_pair(2.0 * u), SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_K * x2), xc);
}

@group(0) @binding(1) var<storage, read> x: array<f32>;         // (N,)
@group(0) @binding(2) var<storage, read_write> out: array<f32>; // (N,)

@compute @workgroup_size(WG)
fn gelu_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    let v = x[i];
    out[i] = v * gelu_factor_slope(v).x;
  }
}

@group(0) @binding(2) var<storage, read> d_out: array<f32>;    // (N,)
@group(0) @binding(3) var<storage, read_write> dx: array<f32>; // (N,)

@compute @workgroup_size(WG)
fn gelu_backward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    // (tanh form: the second term of the slope uses the clamped input: where the clamp acts
    // σ·(1−σ) is exactly 0, and xc keeps the product finite where x² would overflow.)
    dx[i] = d_out[i] * gelu_factor_slope(x[i]).y;
  }
}

@group(0) @binding(1) var<storage, read> gate: array<f32>;          // (N,)
@group(0) @binding(2) var<storage, read> up: array<f32>;            // (N,)
@group(0) @binding(3) var<storage, read_write> glu_out: array<f32>; // (N,)

@compute @workgroup_size(WG)
fn swiglu_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    let g = gate[i];
    glu_out[i] = g * sigmoid_pair(g).x * up[i];
  }
}

@group(0) @binding(3) var<storage, read> glu_d_out: array<f32>;     // (N,)
@group(0) @binding(4) var<storage, read_write> d_gate: array<f32>;  // (N,)
@group(0) @binding(5) var<storage, read_write> d_up: array<f32>;    // (N,)

// erfc(z) for z ≥ 0 (Chebyshev fit, fractional error < 1.2e-7); 0 once exp underflows.
fn erfc_pos(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(-z * z + poly);
}

// (gelu(x)/x as the gate's factor s, gelu'(x)) for the configured form.
fn gelu_factor_slope(x: f32) -> vec2f {
  if (EXACT == 1u) {
    let half_tail = 0.5 * erfc_pos(abs(x) * 0.70710678118654752); // Φ(−|x|)
    let cdf = select(half_tail, 1.0 - half_tail, x >= 0.0);         // Φ(x)
    let xc = clamp(x, -20.0, 20.0); // φ(x)·x is exactly 0 beyond (and x² cannot overflow)
    let pdf = 0.3989422804014327 * exp(-0.5 * xc * xc);
    return vec2f(cdf, cdf + xc * pdf);
  }
  let parts = gelu_parts(x);
  return vec2f(parts.s.x, parts.s.x + 2.0 * parts.xc * parts.s.x * parts.s.y * parts.du);
}

@compute @workgroup_size(WG)
fn geglu_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    let g = gate[i];
    glu_out[i] = g * gelu_factor_slope(g).x * up[i];
  }
}

@compute @workgroup_size(WG)
fn geglu_backward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    let g = gate[i];
    let fs = gelu_factor_slope(g);
    let d = glu_d_out[i];
    d_gate[i] = d * up[i] * fs.y;
    d_up[i] = d * g * fs.x;
  }
}

@compute @workgroup_size(WG)
fn swiglu_backward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    let g = gate[i];
    let s = sigmoid_pair(g);
    let d = glu_d_out[i];
    d_gate[i] = d * up[i] * s.x * (1.0 + g * s.y);
    d_up[i] = d * g * s.x;
  }
}
