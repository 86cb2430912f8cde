/**
 * Float64 reference of the MLP activations (see `../activation.wgsl`).
 *
 * @module
 */
import type { Vec } from "./types.ts";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

/**
 * GPT-2's GELU, `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, elementwise, evaluated as the
 * identical `x·σ(2u)`; with `exact`, the erf GELU `x·Φ(x)` (GPT-NeoX's `gelu`).
 *
 * @example
 * ```ts
 * import { geluForward } from "./activation.ts";
 * geluForward([-1, 0, 1]); // ≈ [-0.1588, 0, 0.8412]
 * ```
 */
export function geluForward(x: Vec, exact = false): Float64Array {
  if (exact) return Float64Array.from(x, (v) => exactGelu(v)[0]);
  const out = new Float64Array(x.length);
  // 0.5·(1 + tanh(u)) = σ(2u): the σ form keeps the far negative tail (≈ 1e-28 at x = −9)
  // that 1 + tanh(u) would round to 0 even in float64.
  for (let i = 0; i < x.length; i++) out[i] = x[i] * sigmoid(2 * geluU(x[i]));
  return out;
}

function geluU(x: number): number {
  return SQRT_2_OVER_PI * (x + GELU_K * x * x * x);
}

/**
 * The input gradient of {@linkcode geluForward}: `dx = dOut·gelu'(x)`.
 *
 * @example
 * ```ts
 * import { geluBackward } from "./activation.ts";
 * geluBackward([0], [1]); // [0.5]
 * ```
 */
export function geluBackward(x: Vec, dOut: Vec, exact = false): Float64Array {
  if (exact) return Float64Array.from(x, (v, i) => dOut[i] * exactGelu(v)[1]);
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    // d/dx [x·σ(2u)] = σ + x·σ·(1−σ)·2u', σ = σ(2u); 1 − σ from σ(−2u) to avoid cancellation.
    const v = x[i], u = geluU(v), s = sigmoid(2 * u), sc = sigmoid(-2 * u);
    const du = SQRT_2_OVER_PI * (1 + 3 * GELU_K * v * v);
    dx[i] = dOut[i] * (s + 2 * v * s * sc * du);
  }
  return dx;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * SwiGLU, `out = silu(gate)·up` with `silu(z) = z·σ(z)`, elementwise.
 *
 * @example
 * ```ts
 * import { swigluForward } from "./activation.ts";
 * swigluForward([0, 1], [5, 2]); // ≈ [0, 1.4621]
 * ```
 */
export function swigluForward(gate: Vec, up: Vec): Float64Array {
  const out = new Float64Array(gate.length);
  for (let i = 0; i < gate.length; i++) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
  return out;
}

/**
 * The gradients of {@linkcode swigluForward} for gate and up.
 *
 * @example
 * ```ts
 * import { swigluBackward } from "./activation.ts";
 * const { dGate, dUp } = swigluBackward([0], [5], [1]); // dGate [2.5], dUp [0]
 * ```
 */
export function swigluBackward(
  gate: Vec,
  up: Vec,
  dOut: Vec,
): { dGate: Float64Array; dUp: Float64Array } {
  const dGate = new Float64Array(gate.length), dUp = new Float64Array(gate.length);
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i], s = sigmoid(g);
    dGate[i] = dOut[i] * up[i] * s * (1 + g * (1 - s));
    dUp[i] = dOut[i] * g * s;
  }
  return { dGate, dUp };
}

/**
 * erfc(x), to about 1e-15 relative for x ≥ 0 in double precision: the Taylor series of erf below
 * 2.5, a continued fraction beyond (whose terms converge quickly there). Negative x: 2 − erfc(−x).
 *
 * @example
 * ```ts
 * import { erfc } from "./activation.ts";
 * erfc(0); // 1
 * ```
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n!·(2n+1))
    let term = x, sum = x;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= -x * x / n;
      sum += term / (2 * n + 1);
    }
    return 1 - 2 / Math.sqrt(Math.PI) * sum;
  }
  // erfc(x) = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + 2/(x + …))))), from the tail up.
  let f = x;
  for (let k = 80; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** The exact GELU x·Φ(x), Φ(x) = ½·erfc(−x/√2), and its derivative Φ(x) + x·φ(x). */
function exactGelu(x: number): [number, number] {
  const cdf = 0.5 * erfc(-x / Math.SQRT2);
  return [x * cdf, cdf + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)];
}

/**
 * Gemma's GeGLU: `gelu(gate)·up`, GELU in its tanh form (or, with `exact`, `x·Φ(x)`).
 *
 * @example
 * ```ts
 * import { gegluForward } from "./activation.ts";
 * gegluForward([0, 1], [5, 2]); // ≈ [0, 1.6824]
 * ```
 */
export function gegluForward(gate: Vec, up: Vec, exact = false): Float64Array {
  const g = exact ? Float64Array.from(gate, (x) => exactGelu(x)[0]) : geluForward(gate);
  return g.map((v, i) => v * up[i]);
}

/**
 * The gradients of {@linkcode gegluForward} for gate and up.
 *
 * @example
 * ```ts
 * import { gegluBackward } from "./activation.ts";
 * const { dGate, dUp } = gegluBackward([0], [5], [1]); // dGate [2.5], dUp [0]
 * ```
 */
export function gegluBackward(
  gate: Vec,
  up: Vec,
  dOut: Vec,
  exact = false,
): { dGate: Float64Array; dUp: Float64Array } {
  if (exact) {
    const parts = Array.from(gate, exactGelu);
    return {
      dGate: Float64Array.from(parts, ([, slope], i) => dOut[i] * up[i] * slope),
      dUp: Float64Array.from(parts, ([g], i) => dOut[i] * g),
    };
  }
  const dUp = geluForward(gate).map((v, i) => v * dOut[i]);
  const dGate = geluBackward(gate, Float64Array.from(dOut, (d, i) => d * up[i]));
  return { dGate, dUp };
}
