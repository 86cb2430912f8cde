/**
 * Float64 reference of the DPO-family losses (see `../dpo.wgsl`): each variant is a small
 * function of a pair's four sequence log-probs (and token counts) returning the loss, its
 * derivatives by the two policy log-probs, and the rewards; {@linkcode dpoLoss} runs one over a
 * batch and computes the metrics in the GPU kernel's order.
 *
 * @module
 */
import type { Vec } from "./types.ts";

/** One pair's sequence log-probs and response token counts. */
export interface DpoPairLogps {
  /** Policy log-prob of the chosen response. */
  policyChosen: number;
  /** Policy log-prob of the rejected response. */
  policyRejected: number;
  /** Reference log-prob of the chosen response. */
  refChosen: number;
  /** Reference log-prob of the rejected response. */
  refRejected: number;
  /** Chosen response tokens (≥ 1). */
  countChosen: number;
  /** Rejected response tokens (≥ 1). */
  countRejected: number;
}

/** One pair's loss, its derivatives by the policy log-probs, and its rewards. */
export interface DpoPairLoss {
  /** The pair's loss. */
  loss: number;
  /** dloss/dlogπ_w. */
  dChosen: number;
  /** dloss/dlogπ_l. */
  dRejected: number;
  /** Chosen reward. */
  rewardChosen: number;
  /** Rejected reward. */
  rewardRejected: number;
}

/** Hyperparameters of the variants. */
export interface DpoOptions {
  /** β. */
  beta: number;
  /** cDPO label smoothing ε. Default 0. */
  labelSmoothing?: number;
  /** SimPO margin γ. Default 0. */
  gamma?: number;
  /** Weight of the chosen NLL term. Default 0. */
  nllAlpha?: number;
  /** DiscoPOP's τ. Default 0.05. */
  discopopTau?: number;
  /** TRL's f_divergence_type for the margin h. Default "reverse_kl". */
  fDivergence?: "reverse_kl" | "js_divergence" | "alpha_divergence";
  /** α of the α-divergence. Default 1. */
  fAlpha?: number;
}

/** TRL's cap_exp for float32: e^{min(v, 88.7228)}. */
function capExp(v: number): number {
  return Math.exp(Math.min(v, 88.7228));
}

/**
 * The margin h of the log-ratios a (chosen) and b (rejected) under TRL's f-divergences, with
 * dh/da and dh/db: reverse KL `a − b`; JS `a − b − (softplus(a) − softplus(b))`; α-divergence
 * `(cap_exp(−α·b) − cap_exp(−α·a)) / α`.
 *
 * @example
 * ```ts
 * import { fDivergenceMargin } from "./dpo.ts";
 * fDivergenceMargin(1, -1, { beta: 0.1 }); // [2, 1, -1]
 * ```
 */
export function fDivergenceMargin(a: number, b: number, o: DpoOptions): [number, number, number] {
  if (o.fDivergence === "js_divergence") {
    // a − b − (softplus(a) − softplus(b)), as logσ(a) − logσ(b)
    return [stableLogSigmoid(a) - stableLogSigmoid(b), stableSigmoid(-a), -stableSigmoid(-b)];
  }
  if (o.fDivergence === "alpha_divergence") {
    const alpha = o.fAlpha ?? 1;
    const slope = (v: number) => (-alpha * v <= 88.7228 ? Math.exp(-alpha * v) : 0);
    return [(capExp(-alpha * b) - capExp(-alpha * a)) / alpha, slope(a), -slope(b)];
  }
  return [a - b, 1, -1];
}

/**
 * `logσ(z)`, stable for any z.
 *
 * @example
 * ```ts
 * import { stableLogSigmoid } from "./dpo.ts";
 * stableLogSigmoid(-1000); // -1000
 * ```
 */
export function stableLogSigmoid(z: number): number {
  return Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * `σ(z)`, stable for any z.
 *
 * @example
 * ```ts
 * import { stableSigmoid } from "./dpo.ts";
 * stableSigmoid(0); // 0.5
 * ```
 */
export function stableSigmoid(z: number): number {
  const e = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** `−(1−ε)·logσ(z) − ε·logσ(−z)` and its derivative by z. */
function smoothedSigmoidLoss(z: number, eps: number): [number, number] {
  return [
    -(1 - eps) * stableLogSigmoid(z) - eps * stableLogSigmoid(-z),
    -(1 - eps) * stableSigmoid(-z) + eps * stableSigmoid(z),
  ];
}

/**
 * DPO's sigmoid loss with cDPO label smoothing: `z = β·h`, `h = (logπ_w − logπ_ref_w) −
 * (logπ_l − logπ_ref_l)`, `loss = −(1−ε)·logσ(z) − ε·logσ(−z)`.
 *
 * @example
 * ```ts
 * import { dpoSigmoid } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 3, countRejected: 4 };
 * dpoSigmoid(x, { beta: 0.1 }).loss; // −logσ(0.3)
 * ```
 */
export function dpoSigmoid(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const aw = x.policyChosen - x.refChosen, al = x.policyRejected - x.refRejected;
  const [h, ha, hb] = fDivergenceMargin(aw, al, o);
  const [loss, dz] = smoothedSigmoidLoss(o.beta * h, o.labelSmoothing ?? 0);
  return {
    loss,
    dChosen: o.beta * dz * ha,
    dRejected: o.beta * dz * hb,
    rewardChosen: o.beta * aw,
    rewardRejected: o.beta * al,
  };
}

/**
 * IPO: `(h − 1/(2β))²` with h on length-averaged log-probs (policy and reference).
 *
 * @example
 * ```ts
 * import { dpoIpo } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoIpo(x, { beta: 0.5 }).loss; // (2 − 1)² = 1
 * ```
 */
export function dpoIpo(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const cw = x.countChosen, cl = x.countRejected;
  const aw = (x.policyChosen - x.refChosen) / cw, al = (x.policyRejected - x.refRejected) / cl;
  const [h, ha, hb] = fDivergenceMargin(aw, al, o);
  const d = h - 1 / (2 * o.beta);
  return {
    loss: d * d,
    dChosen: 2 * d * ha / cw,
    dRejected: 2 * d * hb / cl,
    rewardChosen: o.beta * aw,
    rewardRejected: o.beta * al,
  };
}

/**
 * The hinge loss `relu(1 − β·h)` (SLiC).
 *
 * @example
 * ```ts
 * import { dpoHinge } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoHinge(x, { beta: 0.1 }).loss; // 0.8
 * ```
 */
export function dpoHinge(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const aw = x.policyChosen - x.refChosen, al = x.policyRejected - x.refRejected;
  const [h, ha, hb] = fDivergenceMargin(aw, al, o);
  const m = 1 - o.beta * h;
  const dh = m > 0 ? -o.beta : 0;
  return {
    loss: Math.max(m, 0),
    dChosen: dh * ha,
    dRejected: dh * hb,
    rewardChosen: o.beta * aw,
    rewardRejected: o.beta * al,
  };
}

/**
 * The sigmoid loss (with label smoothing) on length-averaged log-probs.
 *
 * @example
 * ```ts
 * import { dpoSigmoidNorm } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 2, countRejected: 2 };
 * dpoSigmoidNorm(x, { beta: 1 }).loss; // −logσ(1.5)
 * ```
 */
export function dpoSigmoidNorm(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const cw = x.countChosen, cl = x.countRejected;
  const aw = (x.policyChosen - x.refChosen) / cw, al = (x.policyRejected - x.refRejected) / cl;
  const [loss, dz] = smoothedSigmoidLoss(o.beta * (aw - al), o.labelSmoothing ?? 0);
  return {
    loss,
    dChosen: o.beta * dz / cw,
    dRejected: -o.beta * dz / cl,
    rewardChosen: o.beta * aw,
    rewardRejected: o.beta * al,
  };
}

/**
 * Reference-free SimPO: `−logσ(β·(avg logπ_w − avg logπ_l) − γ)` (with label smoothing);
 * rewards `β·avg logπ`.
 *
 * @example
 * ```ts
 * import { dpoSimpo } from "./dpo.ts";
 * const x = { policyChosen: -4, policyRejected: -9, refChosen: 0, refRejected: 0, countChosen: 2, countRejected: 3 };
 * dpoSimpo(x, { beta: 2, gamma: 1 }).loss; // −logσ(2·(−2 + 3) − 1)
 * ```
 */
export function dpoSimpo(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const cw = x.countChosen, cl = x.countRejected;
  const aw = x.policyChosen / cw, al = x.policyRejected / cl;
  const z = o.beta * (aw - al) - (o.gamma ?? 0);
  const [loss, dz] = smoothedSigmoidLoss(z, o.labelSmoothing ?? 0);
  return {
    loss,
    dChosen: o.beta * dz / cw,
    dRejected: -o.beta * dz / cl,
    rewardChosen: o.beta * aw,
    rewardRejected: o.beta * al,
  };
}

/**
 * ORPO's odds-ratio term (reference-free): a = avg logπ (clamped to ≤ −1e-6: a log-odds needs
 * p < 1), z = (a_w − a_l) − (log(1 − e^a_w) − log(1 − e^a_l)), loss = −β·logσ(z). Its NLL term
 * (the chosen tokens' mean cross-entropy, weight 1) is added by {@linkcode dpoLoss}.
 *
 * @example
 * ```ts
 * import { dpoOrpo } from "./dpo.ts";
 * const x = { policyChosen: -3, policyRejected: -8, refChosen: 0, refRejected: 0, countChosen: 3, countRejected: 4 };
 * console.log(dpoOrpo(x, { beta: 0.1 }).loss);
 * ```
 */
export function dpoOrpo(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const cw = x.countChosen, cl = x.countRejected;
  const aw = Math.min(x.policyChosen / cw, -1e-6), al = Math.min(x.policyRejected / cl, -1e-6);
  const log1mExp = (a: number) =>
    a > -Math.LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
  const z = (aw - al) - (log1mExp(aw) - log1mExp(al));
  const dz = -o.beta * stableSigmoid(-z);
  // (no slope where the clamp holds a)
  const slope = (a: number, raw: number) => raw > -1e-6 ? 0 : -1 / Math.expm1(a);
  return {
    loss: -o.beta * stableLogSigmoid(z),
    dChosen: dz * slope(aw, x.policyChosen / cw) / cw,
    dRejected: -dz * slope(al, x.policyRejected / cl) / cl,
    rewardChosen: o.beta * aw,
    rewardRejected: o.beta * al,
  };
}

/** The log-ratios `logπ − logπ_ref` of a pair's two responses. */
function logRatios(x: DpoPairLogps): [number, number] {
  return [x.policyChosen - x.refChosen, x.policyRejected - x.refRejected];
}

/**
 * A loss of z = β·h with dloss/dz, as dloss/dlogπ (through the f-divergence margin's slopes) and
 * the sequence rewards.
 */
function ofMargin(x: DpoPairLogps, o: DpoOptions, loss: number, dz: number): DpoPairLoss {
  const [aw, al] = logRatios(x);
  const [, ha, hb] = fDivergenceMargin(aw, al, o);
  return {
    loss,
    dChosen: o.beta * dz * ha,
    dRejected: o.beta * dz * hb,
    rewardChosen: o.beta * aw,
    rewardRejected: o.beta * al,
  };
}

/** z = β·h of a pair's log-ratios under the f-divergence. */
function zOf(x: DpoPairLogps, o: DpoOptions): number {
  const [aw, al] = logRatios(x);
  return o.beta * fDivergenceMargin(aw, al, o)[0];
}

/**
 * Robust DPO: `(−(1−ε)·logσ(z) + ε·logσ(−z)) / (1 − 2ε)`, z = β·h, unbiased when labels are
 * flipped with probability ε.
 *
 * @example
 * ```ts
 * import { dpoRobust } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoRobust(x, { beta: 0.1, labelSmoothing: 0.1 }).loss; // (−0.9·logσ(0.3) + 0.1·logσ(−0.3)) / 0.8
 * ```
 */
export function dpoRobust(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const eps = o.labelSmoothing ?? 0, z = zOf(x, o), scale = 1 / (1 - 2 * eps);
  const loss = (-(1 - eps) * stableLogSigmoid(z) + eps * stableLogSigmoid(-z)) * scale;
  const dz = (-(1 - eps) * stableSigmoid(-z) - eps * stableSigmoid(z)) * scale;
  return ofMargin(x, o, loss, dz);
}

/**
 * EXO (pairwise): the KL divergence from the ε-smoothed labels to `(σ(z), σ(−z))`, z = β·h:
 * `σ(z)·(logσ(z) − log(1−ε)) + σ(−z)·(logσ(−z) − log ε)`; ε = 0 is taken as 1e-3, as TRL does.
 *
 * @example
 * ```ts
 * import { dpoExoPair } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoExoPair(x, { beta: 0.1 }).loss;
 * ```
 */
export function dpoExoPair(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const eps = o.labelSmoothing || 1e-3, z = zOf(x, o);
  const sp = stableSigmoid(z), sn = stableSigmoid(-z);
  const loss = sp * (stableLogSigmoid(z) - Math.log(1 - eps)) +
    sn * (stableLogSigmoid(-z) - Math.log(eps));
  return ofMargin(x, o, loss, sp * sn * (z - Math.log((1 - eps) / eps)));
}

/**
 * NCA (pairwise), on each response's reward `r = β·(logπ − logπ_ref)`:
 * `−logσ(r_w) − ½·logσ(−r_w) − ½·logσ(−r_l)`.
 *
 * @example
 * ```ts
 * import { dpoNcaPair } from "./dpo.ts";
 * const x = { policyChosen: -6, policyRejected: -8, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoNcaPair(x, { beta: 0.1 }).loss; // 2·log 2
 * ```
 */
export function dpoNcaPair(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const [aw, al] = logRatios(x);
  const rw = o.beta * aw, rl = o.beta * al;
  return {
    loss: -stableLogSigmoid(rw) - 0.5 * stableLogSigmoid(-rw) - 0.5 * stableLogSigmoid(-rl),
    dChosen: o.beta * (-stableSigmoid(-rw) + 0.5 * stableSigmoid(rw)),
    dRejected: o.beta * 0.5 * stableSigmoid(rl),
    rewardChosen: rw,
    rewardRejected: rl,
  };
}

/**
 * SPPO with hard labels: `(a − 1/(2β))² + (b + 1/(2β))²` on the log-ratios a (chosen) and b
 * (rejected).
 *
 * @example
 * ```ts
 * import { dpoSppoHard } from "./dpo.ts";
 * const x = { policyChosen: -6, policyRejected: -8, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoSppoHard(x, { beta: 0.5 }).loss; // 1 + 1 = 2
 * ```
 */
export function dpoSppoHard(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const [a, b] = logRatios(x);
  const da = a - 0.5 / o.beta, db = b + 0.5 / o.beta;
  return {
    loss: da * da + db * db,
    dChosen: 2 * da,
    dRejected: 2 * db,
    rewardChosen: o.beta * a,
    rewardRejected: o.beta * b,
  };
}

/** σ'(u) = σ(u)·σ(−u). */
function sigmoidSlope(u: number): number {
  return stableSigmoid(u) * stableSigmoid(-u);
}

/**
 * APO-zero: `1 − σ(r_w) + σ(r_l)`, r = β·(logπ − logπ_ref): raises the chosen response's
 * likelihood and lowers the rejected one's.
 *
 * @example
 * ```ts
 * import { dpoApoZero } from "./dpo.ts";
 * const x = { policyChosen: -6, policyRejected: -8, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoApoZero(x, { beta: 0.1 }).loss; // 1
 * ```
 */
export function dpoApoZero(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const [aw, al] = logRatios(x);
  const rw = o.beta * aw, rl = o.beta * al;
  return {
    loss: 1 - stableSigmoid(rw) + stableSigmoid(rl),
    dChosen: -o.beta * sigmoidSlope(rw),
    dRejected: o.beta * sigmoidSlope(rl),
    rewardChosen: rw,
    rewardRejected: rl,
  };
}

/**
 * APO-down: `σ(r_w) + 1 − σ(r_w − r_l)`: lowers both likelihoods, the rejected one's more (for
 * chosen responses worse than the model's own).
 *
 * @example
 * ```ts
 * import { dpoApoDown } from "./dpo.ts";
 * const x = { policyChosen: -6, policyRejected: -8, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoApoDown(x, { beta: 0.1 }).loss; // 1
 * ```
 */
export function dpoApoDown(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  const [aw, al] = logRatios(x);
  const rw = o.beta * aw, rl = o.beta * al, dz = o.beta * sigmoidSlope(rw - rl);
  return {
    loss: stableSigmoid(rw) + 1 - stableSigmoid(rw - rl),
    dChosen: o.beta * sigmoidSlope(rw) - dz,
    dRejected: dz,
    rewardChosen: rw,
    rewardRejected: rl,
  };
}

/**
 * DiscoPOP's log-ratio modulated loss: z = β·h, m = σ(z/τ),
 * `−logσ(z)·(1 − m) + exp(−z)·m` (τ = `discopopTau`, default 0.05).
 *
 * @example
 * ```ts
 * import { dpoDiscopop } from "./dpo.ts";
 * const x = { policyChosen: -6, policyRejected: -8, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoDiscopop(x, { beta: 0.1 }).loss; // (log 2 + 1) / 2
 * ```
 */
export function dpoDiscopop(x: DpoPairLogps, o: DpoOptions): DpoPairLoss {
  // (TRL 0.x's discopop takes the plain margin a − b, whatever the f-divergence.)
  const tau = o.discopopTau ?? 0.05, z = zOf(x, { ...o, fDivergence: undefined });
  const m = stableSigmoid(z / tau), keep = stableSigmoid(-z / tau);
  const softplusNeg = -stableLogSigmoid(z);
  const e = Math.exp(-z + stableLogSigmoid(z / tau)); // exp(−z)·m without overflow
  const loss = softplusNeg * keep + e;
  const dz = -stableSigmoid(-z) * keep - softplusNeg * m * keep / tau - e + e * keep / tau;
  return ofMargin(x, { ...o, fDivergence: undefined }, loss, dz);
}

/** The variants by name, as the GPU launcher's `variant`. */
export const DPO_LOSSES = {
  sigmoid: dpoSigmoid,
  ipo: dpoIpo,
  hinge: dpoHinge,
  sigmoid_norm: dpoSigmoidNorm,
  simpo: dpoSimpo,
  robust: dpoRobust,
  exo_pair: dpoExoPair,
  nca_pair: dpoNcaPair,
  sppo_hard: dpoSppoHard,
  apo_zero: dpoApoZero,
  apo_down: dpoApoDown,
  discopop: dpoDiscopop,
  orpo: dpoOrpo,
} as const;

/** Every loss {@linkcode dpoLoss} computes: the per-pair ones and the batch-sorted aot ones. */
export type DpoLossName =
  | keyof typeof DPO_LOSSES
  | "aot"
  | "aot_pair"
  | "bco_pair"
  | "kto_pair"
  | "kto"
  | "apo_zero_unpaired";

/**
 * KTO's HALO form on pairs (LLaMA-Factory's `kto_pair`, TRL 0.8's): with a, b the chosen and
 * rejected log-ratios, K_w = max(mean a, 0) and K_l = max(mean b, 0) over the batch, TRL's loss
 * is the mean of the 2P halves `1 − σ(β(a − K_l))` and `1 − σ(β(K_w − b))`: a pair's loss is
 * their half-sum. The means are differentiated (TRL does not detach them), so every pair's
 * derivative has a part from the others'; `dChosen`, `dRejected` are P times dL/dlogπ.
 *
 * @example
 * ```ts
 * import { dpoKtoPair } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * console.log(dpoKtoPair([x], { beta: 0.1 })[0].loss); // ½·((1 − σ(0.1)) + (1 − σ(0.1)))
 * ```
 */
export function dpoKtoPair(xs: DpoPairLogps[], o: DpoOptions): DpoPairLoss[] {
  const p = xs.length, beta = o.beta;
  const a = xs.map((x) => x.policyChosen - x.refChosen);
  const b = xs.map((x) => x.policyRejected - x.refRejected);
  const meanA = a.reduce((s, v) => s + v, 0) / p, meanB = b.reduce((s, v) => s + v, 0) / p;
  const kw = Math.max(meanA, 0), kl = Math.max(meanB, 0);
  const u = a.map((v) => beta * (v - kl)), w = b.map((v) => beta * (kw - v));
  const slope = (z: number) => stableSigmoid(z) * stableSigmoid(-z);
  const slopeU = u.reduce((s, z) => s + slope(z), 0) / p;
  const slopeV = w.reduce((s, z) => s + slope(z), 0) / p;
  return xs.map((_, i) => ({
    loss: 0.5 * ((1 - stableSigmoid(u[i])) + (1 - stableSigmoid(w[i]))),
    // (torch's clamp(min=0) passes the gradient where its input is ≥ 0, so at 0 too)
    dChosen: -0.5 * beta * slope(u[i]) - (meanA >= 0 ? 0.5 * beta * slopeV : 0),
    dRejected: 0.5 * beta * slope(w[i]) + (meanB >= 0 ? 0.5 * beta * slopeU : 0),
    rewardChosen: beta * a[i],
    rewardRejected: beta * b[i],
  }));
}

/** KTO's weights of the desirable and undesirable examples (TRL's defaults: 1 and 1). */
export interface KtoWeights {
  /** λ_D. Default 1. */
  desirableWeight?: number;
  /** λ_U. Default 1. */
  undesirableWeight?: number;
  /**
   * TRL's KTOTrainer loss type: `kto` (default), or `apo_zero_unpaired`, the same with z0 = 0
   * (its KL rows unused): `1 − σ(βr)` for desirable examples, `σ(βr)` for undesirable ones.
   */
  lossType?: "kto" | "apo_zero_unpaired";
}

/**
 * KTO on unpaired examples (TRL's KTOTrainer): "pair" i is example i, `policyChosen` and
 * `refChosen` its response's log-probs, labelled desirable (`labels[i]` true) or not, and
 * `policyRejected`, `refRejected` its KL completion's (another example's response to the same
 * prompt). With r = logπ − logπ_ref of the response and z0 = max(0, mean KL log-ratio), a
 * constant to the gradient (TRL computes the KL rows without one), an example's loss is
 * `λ_D·(1 − σ(β(r − z0)))` if desirable, else `λ_U·(1 − σ(β(z0 − r)))`; `dRejected` is 0 and
 * `dChosen` P times dL/dlogπ (L the mean). Rewards: β·r of the response and of the KL row.
 *
 * @example
 * ```ts
 * import { dpoKto } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * console.log(dpoKto([x], [true], { beta: 0.1 }).outs[0].loss); // 1 − σ(0.1): z0 = max(0, −1) = 0
 * ```
 */
export function dpoKto(
  xs: DpoPairLogps[],
  labels: readonly boolean[],
  o: DpoOptions & KtoWeights,
): { outs: DpoPairLoss[]; z0: number } {
  const beta = o.beta, wd = o.desirableWeight ?? 1, wu = o.undesirableWeight ?? 1;
  const kl = xs.reduce((s, x) => s + x.policyRejected - x.refRejected, 0) / xs.length;
  const z0 = o.lossType === "apo_zero_unpaired" ? 0 : Math.max(kl, 0);
  const slope = (z: number) => stableSigmoid(z) * stableSigmoid(-z);
  const outs = xs.map((x, i) => {
    const r = x.policyChosen - x.refChosen;
    const u = beta * (r - z0), v = beta * (z0 - r);
    return {
      loss: labels[i] ? wd * (1 - stableSigmoid(u)) : wu * (1 - stableSigmoid(v)),
      dChosen: labels[i] ? -wd * beta * slope(u) : wu * beta * slope(v),
      dRejected: 0,
      rewardChosen: beta * r,
      rewardRejected: beta * (x.policyRejected - x.refRejected),
    };
  });
  return { outs, z0 };
}

/** bco_pair's running mean of the batches' mean rewards. */
export interface BcoRunning {
  /** δ, the mean so far (0 before any batch). */
  mean: number;
  /** Batches folded in. */
  count: number;
}

/**
 * BCO (pairwise): with r = β·(logπ − logπ_ref), the batch's mean reward over both responses is
 * folded into the running mean δ first (when `update`: the mean of every batch's mean so far),
 * then `−logσ(r_w − δ) − logσ(−(r_l − δ))`, δ a constant to the gradient.
 *
 * @example
 * ```ts
 * import { dpoBcoPair } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * const { outs, running } = dpoBcoPair([x], { beta: 0.1 }, { mean: 0, count: 0 }, true);
 * console.log(outs[0].loss, running.mean); // δ = (0.1 − 0.1) / 2 = 0
 * ```
 */
export function dpoBcoPair(
  pairs: DpoPairLogps[],
  o: DpoOptions,
  running: BcoRunning,
  update: boolean,
): { outs: DpoPairLoss[]; running: BcoRunning } {
  const rewards = pairs.map((x) => logRatios(x).map((a) => o.beta * a));
  let next = running;
  if (update) {
    const mean = rewards.reduce((s, [w, l]) => s + w + l, 0) / (2 * pairs.length);
    const count = running.count + 1;
    next = { mean: running.mean + (mean - running.mean) / count, count };
  }
  const delta = next.mean;
  const outs = rewards.map(([rw, rl]) => ({
    loss: -stableLogSigmoid(rw - delta) - stableLogSigmoid(delta - rl),
    dChosen: -o.beta * stableSigmoid(delta - rw),
    dRejected: o.beta * stableSigmoid(rl - delta),
    rewardChosen: rw,
    rewardRejected: rl,
  }));
  return { outs, running: next };
}

/**
 * AOT's losses over a batch (TRL's `aot` and `aot_pair`): per pair two values, for `aot_pair`
 * u = logπ_w − logπ_ref_w and v = logπ_l − logπ_ref_l, for `aot` u = logπ_w − logπ_l and
 * v = logπ_ref_w − logπ_ref_l; both sorted ascending (ties by index), and position k's loss is
 * cDPO's smoothed sigmoid loss of `β·(sorted u_k − sorted v_k)`. Pair i carries position i's loss;
 * the derivatives follow each value to its position. Rewards are `β·(logπ − logπ_ref)`.
 *
 * @example
 * ```ts
 * import { dpoAot } from "./dpo.ts";
 * const x = { policyChosen: -5, policyRejected: -9, refChosen: -6, refRejected: -8, countChosen: 1, countRejected: 1 };
 * dpoAot([x], "aot", { beta: 0.1 })[0].loss; // one pair: DPO's −logσ(0.3)
 * ```
 */
export function dpoAot(
  pairs: DpoPairLogps[],
  variant: "aot" | "aot_pair",
  o: DpoOptions,
): DpoPairLoss[] {
  const eps = o.labelSmoothing ?? 0;
  const u = pairs.map((x) =>
    variant === "aot" ? x.policyChosen - x.policyRejected : x.policyChosen - x.refChosen
  );
  const v = pairs.map((x) =>
    variant === "aot" ? x.refChosen - x.refRejected : x.policyRejected - x.refRejected
  );
  const order = (a: number[]) => a.map((_, i) => i).sort((i, j) => a[i] - a[j] || i - j);
  const ou = order(u), ov = order(v);
  const rankU: number[] = [], rankV: number[] = [];
  ou.forEach((i, k) => rankU[i] = k);
  ov.forEach((i, k) => rankV[i] = k);
  const at = (k: number) => smoothedSigmoidLoss(o.beta * (u[ou[k]] - v[ov[k]]), eps);
  return pairs.map((x, i) => {
    const dU = o.beta * at(rankU[i])[1];
    return {
      loss: at(i)[0],
      dChosen: dU,
      dRejected: variant === "aot" ? -dU : -o.beta * at(rankV[i])[1],
      rewardChosen: o.beta * (x.policyChosen - x.refChosen),
      rewardRejected: o.beta * (x.policyRejected - x.refRejected),
    };
  });
}

/** What {@linkcode dpoLoss} returns. */
export interface DpoResult {
  /** The batch loss: the mean of `losses`. */
  loss: number;
  /** (P,) per-pair losses (NLL term included). */
  losses: Float64Array;
  /** (P,) chosen rewards. */
  rewardsChosen: Float64Array;
  /** (P,) rejected rewards. */
  rewardsRejected: Float64Array;
  /** (2P,) `dL/dlogπ` per row. */
  grad: Float64Array;
  /** The means in the GPU kernel's metric order (10 values; the last two NaN without logits). */
  metrics: Float64Array;
  /** bco_pair: the running mean after this batch. */
  bcoRunning?: BcoRunning;
}

/**
 * The `kto` loss over a batch of P examples, rows `[responses(P); KL completions(P)]`: losses,
 * rewards, `dL/dlogπ` per row (L the mean loss; 0 on the KL rows) and, as `metrics`, the 12 sums
 * of the GPU kernel's `KTO_SLOTS` order (logits need `logitSums` and are 0 without).
 *
 * @example
 * ```ts
 * import { ktoLoss } from "./dpo.ts";
 * const r = ktoLoss([-5, -9], [-6, -8], [3, 4], [true], { beta: 0.1 });
 * console.log(r.loss, r.metrics[3]); // 1 − σ(0.1), z0 = 0
 * ```
 */
export function ktoLoss(
  policy: Vec,
  ref: Vec,
  counts: Vec,
  labels: readonly boolean[],
  options: DpoOptions & KtoWeights & { logitSums?: Vec },
): DpoResult {
  const p = policy.length / 2;
  const xs: DpoPairLogps[] = Array.from({ length: p }, (_, i) => ({
    policyChosen: policy[i],
    policyRejected: policy[p + i],
    refChosen: ref[i],
    refRejected: ref[p + i],
    countChosen: Math.max(counts[i], 1),
    countRejected: Math.max(counts[p + i], 1),
  }));
  const { outs, z0 } = dpoKto(xs, labels, options);
  const r: DpoResult = {
    loss: 0,
    losses: new Float64Array(outs.map((o) => o.loss)),
    rewardsChosen: new Float64Array(outs.map((o) => o.rewardChosen)),
    rewardsRejected: new Float64Array(outs.map((o) => o.rewardRejected)),
    grad: new Float64Array(2 * p),
    metrics: new Float64Array(12),
  };
  const m = r.metrics;
  outs.forEach((o, i) => {
    r.grad[i] = o.dChosen / p;
    m[0] += o.loss / p;
    const [rewards, logps, count, logits, tokens] = labels[i] ? [1, 2, 6, 8, 10] : [4, 5, 7, 9, 11];
    m[rewards] += o.rewardChosen;
    m[logps] += policy[i];
    m[count] += 1;
    m[logits] += options.logitSums ? options.logitSums[i] : 0;
    m[tokens] += counts[i];
  });
  m[3] = z0;
  r.loss = m[0];
  return r;
}

/**
 * A DPO-family loss over a batch of P pairs, rows `[chosen(P); rejected(P)]`: the variant's pair
 * losses plus the NLL term `α·Σ(−logπ_w) / Σc_w` (the chosen responses' token-mean
 * cross-entropy over the batch, TRL's `rpo_alpha`; pair i carries `α·(−logπ_w,i)·P / Σc_w` of
 * it), their mean L, `dL/dlogπ` per row, and the metrics (loss, rewards chosen/rejected,
 * accuracy, margin, logps chosen/rejected (per token for ipo, sigmoid_norm and simpo), NLL, and
 * mean logits when `logitSums` and `vocabSize` are given). Counts below 1 count as 1.
 *
 * @example
 * ```ts
 * import { dpoLoss } from "./dpo.ts";
 * const r = dpoLoss([-5, -9], [-6, -8], [3, 4], "sigmoid", { beta: 0.1 });
 * console.log(r.loss, r.grad);
 * ```
 */
export function dpoLoss(
  policy: Vec,
  ref: Vec | null,
  counts: Vec,
  variant: DpoLossName,
  options: DpoOptions & {
    logitSums?: Vec;
    vocabSize?: number;
    /** bco_pair's running mean before this batch. Default zeros. */
    bcoRunning?: BcoRunning;
    /** Whether bco_pair folds this batch into the running mean. Default true. */
    updateRunning?: boolean;
    /**
     * (2P,) per row Σ_t log Σ_v π_t,v²: WPO's weight min(exp(w_w + w_l), 1), w = (logπ − this)/c,
     * multiplies each pair's loss and gradient (a constant: not differentiated).
     */
    wpoSqSums?: Vec;
    /**
     * Several losses at once: Σ weight·loss (gradients and rewards likewise, as TRL sums them);
     * replaces `variant`, whose place the first takes (the logged log-probs follow it).
     */
    combination?: readonly { variant: DpoLossName; weight: number }[];
  },
): DpoResult {
  const parts = options.combination ?? [{ variant, weight: 1 }];
  variant = parts[0].variant;
  // (ORPO brings its own NLL term, weight 1.)
  const p = policy.length / 2, alpha = (options.nllAlpha ?? 0) + (variant === "orpo" ? 1 : 0);
  const r: DpoResult = {
    loss: 0,
    losses: new Float64Array(p),
    rewardsChosen: new Float64Array(p),
    rewardsRejected: new Float64Array(p),
    grad: new Float64Array(2 * p),
    metrics: new Float64Array(10).fill(NaN),
  };
  const m = new Float64Array(8);
  let lc = 0, lr = 0, nc = 0, nr = 0, chosenTokens = 0;
  for (let i = 0; i < p; i++) chosenTokens += counts[i];
  // The NLL term's weight per token of the chosen responses, times P (the pairs' mean divides).
  const perToken = alpha * p / Math.max(chosenTokens, 1);
  const perTokenLogps = variant === "ipo" || variant === "sigmoid_norm" || variant === "simpo" ||
    variant === "orpo";
  const xs: DpoPairLogps[] = Array.from({ length: p }, (_, i) => ({
    policyChosen: policy[i],
    policyRejected: policy[p + i],
    refChosen: ref ? ref[i] : 0,
    refRejected: ref ? ref[p + i] : 0,
    countChosen: Math.max(counts[i], 1),
    countRejected: Math.max(counts[p + i], 1),
  }));
  const outsOf = (v: DpoLossName): DpoPairLoss[] => {
    if (v === "bco_pair") {
      const start = options.bcoRunning ?? { mean: 0, count: 0 };
      const bco = dpoBcoPair(xs, options, start, options.updateRunning ?? true);
      r.bcoRunning = bco.running;
      return bco.outs;
    }
    if (v === "aot" || v === "aot_pair") return dpoAot(xs, v, options);
    if (v === "kto_pair") return dpoKtoPair(xs, options);
    if (v === "kto" || v === "apo_zero_unpaired") {
      throw new RangeError(`dpoLoss: ${v} takes labels: use ktoLoss`);
    }
    return xs.map((x) => DPO_LOSSES[v](x, options));
  };
  const outs: DpoPairLoss[] = xs.map(() => ({
    loss: 0,
    dChosen: 0,
    dRejected: 0,
    rewardChosen: 0,
    rewardRejected: 0,
  }));
  for (const { variant: v, weight: w } of parts) {
    outsOf(v).forEach((o, i) => {
      const t = outs[i];
      t.loss += w * o.loss;
      t.dChosen += w * o.dChosen;
      t.dRejected += w * o.dRejected;
      t.rewardChosen += w * o.rewardChosen;
      t.rewardRejected += w * o.rewardRejected;
    });
  }
  const sq = options.wpoSqSums;
  if (sq && parts.some((x) => ["aot", "aot_pair", "kto_pair"].includes(x.variant))) {
    throw new RangeError(
      "dpoLoss: WPO weighting of the aot and kto_pair losses is not implemented",
    );
  }
  for (let i = 0; i < p; i++) {
    const x = xs[i], out = outs[i];
    if (sq) {
      // TRL: policy_weights = clamp(exp(w_chosen + w_rejected), max=1), w the token mean of
      // logπ_t − logsumexp(2·logπ_t,·).
      const ww = (x.policyChosen - sq[i]) / x.countChosen;
      const wl = (x.policyRejected - sq[p + i]) / x.countRejected;
      const omega = Math.min(Math.exp(ww + wl), 1);
      out.loss *= omega;
      out.dChosen *= omega;
      out.dRejected *= omega;
    }
    const loss = out.loss + perToken * -x.policyChosen;
    r.losses[i] = loss;
    r.rewardsChosen[i] = out.rewardChosen;
    r.rewardsRejected[i] = out.rewardRejected;
    r.grad[i] = (out.dChosen - perToken) / p;
    r.grad[p + i] = out.dRejected / p;
    const row = [
      loss,
      out.rewardChosen,
      out.rewardRejected,
      out.rewardChosen > out.rewardRejected ? 1 : 0,
      out.rewardChosen - out.rewardRejected,
      // The variants on length-averaged log-probs log those (as TRL does for ipo and simpo).
      perTokenLogps ? x.policyChosen / x.countChosen : x.policyChosen,
      perTokenLogps ? x.policyRejected / x.countRejected : x.policyRejected,
      -x.policyChosen * p / Math.max(chosenTokens, 1),
    ];
    row.forEach((v, k) => m[k] += v / p);
    if (options.logitSums) {
      lc += options.logitSums[i];
      lr += options.logitSums[p + i];
      nc += counts[i];
      nr += counts[p + i];
    }
  }
  r.metrics.set(m);
  r.loss = m[0];
  if (options.logitSums) {
    const v = options.vocabSize ?? NaN;
    r.metrics[8] = lc / (v * nc);
    r.metrics[9] = lr / (v * nr);
  }
  return r;
}
