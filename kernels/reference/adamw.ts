/**
 * Float64 reference of AdamW (see `../adamw.wgsl`), written as `torch.optim.AdamW`'s
 * single-tensor step.
 *
 * @module
 */
import type { Vec } from "./types.ts";

/** Hyperparameters of one {@linkcode adamw} step. */
export interface AdamWOptions {
  /** Learning rate. */
  lr: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Denominator epsilon. */
  eps: number;
  /** Decoupled weight decay. */
  weightDecay: number;
  /** 1-based step number. */
  step: number;
  /** Multiplies the gradient first (gradient clipping). Default 1. */
  clipScale?: number;
}

/**
 * One AdamW step: returns the new parameters and moments (inputs are not modified).
 *
 * @example
 * ```ts
 * import { adamw } from "./adamw.ts";
 * const { param } = adamw([1], [0.5], [0], [0], {
 *   lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1,
 * }); // ≈ [0.9]
 * ```
 */
export function adamw(
  param: Vec,
  grad: Vec,
  m: Vec,
  v: Vec,
  o: AdamWOptions,
): { param: Float64Array; m: Float64Array; v: Float64Array } {
  const n = param.length;
  const out = { param: new Float64Array(n), m: new Float64Array(n), v: new Float64Array(n) };
  const bc1 = 1 - o.beta1 ** o.step, bc2 = 1 - o.beta2 ** o.step;
  for (let i = 0; i < n; i++) {
    const g = grad[i] * (o.clipScale ?? 1);
    const mi = o.beta1 * m[i] + (1 - o.beta1) * g;
    const vi = o.beta2 * v[i] + (1 - o.beta2) * g * g;
    const p = param[i] * (1 - o.lr * o.weightDecay);
    out.param[i] = p - o.lr * (mi / bc1) / (Math.sqrt(vi / bc2) + o.eps);
    out.m[i] = mi;
    out.v[i] = vi;
  }
  return out;
}
