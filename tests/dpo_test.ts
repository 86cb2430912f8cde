import assert from "node:assert/strict";
import {
  DPO_METRICS,
  dpoLoss,
  type DpoLossArgs,
  type DpoVariant,
  KTO_METRICS,
  ktoMetrics,
} from "../kernels/dpo.ts";
import type { HostArray, Tensor } from "../kernels/gpu.ts";
import {
  logSoftmaxBackward,
  logSoftmaxGather,
  maskedRowSums,
  tokenCoef,
} from "../kernels/log_softmax.ts";
import * as ref from "../kernels/reference/dpo.ts";
import * as refLs from "../kernels/reference/log_softmax.ts";
import { assertClose, finiteDifference } from "../testing/assert_close.ts";
import { bitEqual, gpuTest, poisoned } from "../testing/gpu_harness.ts";
import { Rng } from "../util/rng.ts";

interface Config {
  variant: DpoVariant;
  beta: number;
  labelSmoothing?: number;
  gamma?: number;
  nllAlpha?: number;
  discopopTau?: number;
  /** bco_pair's running mean before the batch (uploaded for the GPU). */
  bcoStart?: ref.BcoRunning;
  /** bco_pair: whether the batch updates it. Default true. */
  updateRunning?: boolean;
  /** Several losses with weights (TRL's list of loss types); `variant` is then the first. */
  combination?: { variant: DpoVariant; weight: number }[];
  /** TRL's f_divergence_type, and α of the α-divergence. */
  fDivergence?: "reverse_kl" | "js_divergence" | "alpha_divergence";
  fAlpha?: number;
  /** WPO weighting (TRL's use_weighting), from the batch's `sqSums`. */
  wpo?: boolean;
}

/**
 * The float64 twin's options for a config. With `fixedDelta`, bco_pair's running mean is not
 * updated: δ is a constant to its gradient (detached, as in TRL), so finite differences must hold
 * it fixed.
 */
function refOptions(c: Config, fixedDelta = false, sqSums?: Float32Array) {
  return {
    ...c,
    bcoRunning: c.bcoStart,
    updateRunning: fixedDelta ? false : c.updateRunning,
    wpoSqSums: c.wpo ? sqSums : undefined,
  };
}

/** Every variant, with label smoothing, SimPO's margin and the NLL term where they apply. */
const CONFIGS: Config[] = [
  { variant: "sigmoid", beta: 0.1 },
  { variant: "sigmoid", beta: 0.5, labelSmoothing: 0.1 },
  { variant: "sigmoid", beta: 0.1, nllAlpha: 0.7 },
  { variant: "ipo", beta: 0.1 },
  { variant: "hinge", beta: 0.3 },
  { variant: "sigmoid_norm", beta: 2, labelSmoothing: 0.2 },
  { variant: "simpo", beta: 2.5, gamma: 1.2 },
  { variant: "simpo", beta: 2, gamma: 0.5, labelSmoothing: 0.05, nllAlpha: 1 },
  { variant: "robust", beta: 0.3, labelSmoothing: 0.15 },
  { variant: "exo_pair", beta: 0.2 },
  { variant: "exo_pair", beta: 0.5, labelSmoothing: 0.2 },
  { variant: "nca_pair", beta: 0.1 },
  { variant: "sppo_hard", beta: 0.5 },
  { variant: "apo_zero", beta: 0.1 },
  { variant: "apo_down", beta: 0.2 },
  { variant: "discopop", beta: 0.1 },
  { variant: "discopop", beta: 0.3, discopopTau: 0.4, nllAlpha: 0.3 },
  { variant: "aot_pair", beta: 0.1 },
  { variant: "aot_pair", beta: 0.3, labelSmoothing: 0.1, nllAlpha: 0.5 },
  { variant: "aot", beta: 0.2, labelSmoothing: 0.05 },
  { variant: "bco_pair", beta: 0.1, bcoStart: { mean: 0.37, count: 3 } },
  {
    variant: "bco_pair",
    beta: 0.3,
    nllAlpha: 0.4,
    bcoStart: { mean: -0.2, count: 5 },
    updateRunning: false,
  },
  // TRL's MPO recipe (sigmoid 0.8, bco_pair 0.2, sft 1: the NLL term) and a three-loss mix.
  {
    variant: "sigmoid",
    beta: 0.1,
    nllAlpha: 1,
    bcoStart: { mean: 0.2, count: 3 },
    combination: [{ variant: "sigmoid", weight: 0.8 }, { variant: "bco_pair", weight: 0.2 }],
  },
  {
    variant: "ipo",
    beta: 0.2,
    combination: [
      { variant: "ipo", weight: 0.5 },
      { variant: "aot_pair", weight: 1.5 },
      { variant: "apo_zero", weight: 0.25 }, // (weights exact in binary: the extreme batch's
      // mean reward cancels terms of ±500 down to ~0.7, which float32 rounding of 0.3·r would blur)
    ],
  },
  // TRL's f-divergences of the margin, on every loss built on it; in a combination, the losses
  // not built on it (bco_pair) ignore it.
  { variant: "sigmoid", beta: 0.1, fDivergence: "js_divergence" },
  { variant: "sigmoid", beta: 0.2, fDivergence: "alpha_divergence", fAlpha: 0.5 },
  { variant: "ipo", beta: 0.1, fDivergence: "js_divergence" },
  { variant: "hinge", beta: 0.3, fDivergence: "alpha_divergence" },
  { variant: "robust", beta: 0.3, labelSmoothing: 0.15, fDivergence: "js_divergence" },
  { variant: "exo_pair", beta: 0.2, fDivergence: "alpha_divergence", fAlpha: 2 },
  {
    variant: "sigmoid",
    beta: 0.1,
    bcoStart: { mean: 0.2, count: 3 },
    fDivergence: "js_divergence",
    combination: [{ variant: "sigmoid", weight: 0.8 }, { variant: "bco_pair", weight: 0.2 }],
  },
  // WPO's weights on the per-pair, sorted and running-mean kernels, and in a combination.
  { variant: "sigmoid", beta: 0.1, wpo: true },
  { variant: "ipo", beta: 0.2, wpo: true },
  { variant: "bco_pair", beta: 0.1, bcoStart: { mean: 0.1, count: 2 }, wpo: true },
  {
    variant: "sigmoid",
    beta: 0.1,
    wpo: true,
    bcoStart: { mean: 0.2, count: 3 },
    combination: [{ variant: "sigmoid", weight: 0.8 }, { variant: "bco_pair", weight: 0.2 }],
  },
  // (Last: the configs above keep the random batches they always drew.)
  { variant: "orpo", beta: 0.1 },
  { variant: "orpo", beta: 0.5, nllAlpha: 0.3 },
  { variant: "kto_pair", beta: 0.1 },
  { variant: "kto_pair", beta: 0.3, nllAlpha: 0.5 },
  {
    variant: "sigmoid",
    beta: 0.2,
    combination: [{ variant: "sigmoid", weight: 0.5 }, { variant: "kto_pair", weight: 2 }],
  },
];

const describe = (c: Config) =>
  [
    c.variant,
    `β=${c.beta}`,
    c.labelSmoothing && `ε=${c.labelSmoothing}`,
    c.gamma && `γ=${c.gamma}`,
    c.nllAlpha && `α=${c.nllAlpha}`,
    c.discopopTau && `τ=${c.discopopTau}`,
    c.combination && c.combination.map((x) => `${x.weight}·${x.variant}`).join("+"),
    c.fDivergence,
    c.fAlpha && `α_f=${c.fAlpha}`,
    c.wpo && "wpo",
  ]
    .filter(Boolean).join(" ");

function batch(rng: Rng, pairs: number) {
  // Realistic per-token log-probs (−0.3 … −2.5 per token) keep SimPO's z within f32's range.
  const counts = Float32Array.from({ length: 2 * pairs }, () => 1 + rng.int(120));
  const policy = Float32Array.from(counts, (c) => -c * (0.3 + 2.2 * rng.uniform()));
  const refLogps = Float32Array.from(policy, (x) => x + rng.normal(0, 3));
  const logitSums = Float32Array.from(counts, (c) => c * 97 * rng.normal(0.2, 1));
  // Σ_t log Σ_v π² over response tokens: per token in (−2, 0), so WPO's ω spans (0, 1] and is
  // clamped at 1 for some pairs.
  const sqSums = Float32Array.from(counts, (c) => -c * 2 * rng.uniform());
  return { policy, refLogps, counts, logitSums, sqSums };
}

Deno.test("dpo reference gradients match finite differences for every variant", () => {
  const rng = new Rng(50);
  const p = 5;
  const { policy, refLogps, counts } = batch(rng, p);
  // (WPO's ω is a constant to the gradient, as in TRL: checked against the unweighted loss below.)
  for (const c of CONFIGS.filter((c) => !c.wpo)) {
    const x = Float64Array.from(policy);
    const r = ref.dpoLoss(x, refLogps, counts, c.variant, refOptions(c, true));
    const fd = finiteDifference(
      (y) => ref.dpoLoss(y, refLogps, counts, c.variant, refOptions(c, true)).loss,
      x,
      1e-4,
    );
    // (The α-divergence's exponentials leave a larger O(h²) term in the central difference.)
    const rtol = c.fDivergence === "alpha_divergence" ? 1e-6 : 1e-7;
    assertClose(r.grad, fd, { rtol, label: describe(c) });
  }
});

/** Pairs whose β·h (or SimPO's z) is ±100 and ±1000, where a naive log(σ) over- or underflows. */
function extremeBatch(variant: DpoVariant, beta: number) {
  if (variant === "orpo") {
    // ORPO's log-odds: per-token log-probs near 0 (p → 1) and far below, on either side.
    const avg = [[-1e-4, -40], [-40, -1e-4], [-2e-3, -1e-3], [-60, -30], [-1, -2]];
    return {
      policy: Float32Array.from([...avg.map(([w]) => w), ...avg.map(([, l]) => l)]),
      refLogps: new Float32Array(2 * avg.length),
      counts: new Float32Array(2 * avg.length).fill(1),
    };
  }
  const zs = [100, -100, 1000, -1000, 3];
  const p = zs.length;
  const policy = new Float32Array(2 * p), refLogps = new Float32Array(2 * p);
  const counts = new Float32Array(2 * p).fill(1);
  zs.forEach((z, i) => {
    // Split the margin between chosen and rejected: h = z/β exactly in f32.
    const h = z / beta;
    policy[i] = -20 + h / 2;
    policy[p + i] = -20 - h / 2;
    refLogps[i] = variant === "simpo" ? 0 : -20;
    refLogps[p + i] = variant === "simpo" ? 0 : -20;
  });
  return { policy, refLogps, counts };
}

Deno.test("dpo reference: the NLL term is the chosen tokens' mean cross-entropy (TRL's rpo_alpha)", () => {
  // Two pairs whose chosen responses have 2 and 6 tokens: TRL's nll_loss is the cross-entropy
  // averaged over all 8 chosen tokens, not the mean of the two per-pair means.
  const policy = [-4, -18, -9, -20], reference = [-5, -17, -9, -19], counts = [2, 6, 3, 5];
  const alpha = 0.5, beta = 0.1;
  const plain = ref.dpoLoss(policy, reference, counts, "sigmoid", { beta });
  const r = ref.dpoLoss(policy, reference, counts, "sigmoid", { beta, nllAlpha: alpha });
  const nll = (4 + 18) / 8;
  assert.ok(Math.abs(r.metrics[7] - nll) < 1e-12, `nll_loss ${r.metrics[7]}`);
  assert.ok(Math.abs(r.loss - (plain.loss + alpha * nll)) < 1e-12);
  // ∂L/∂logπ_w,i: the pair's own term / P, minus α per chosen token of the batch.
  for (const i of [0, 1]) {
    assert.ok(Math.abs(r.grad[i] - (plain.grad[i] - alpha / 8)) < 1e-12);
    assert.equal(r.grad[2 + i], plain.grad[2 + i]);
  }
});

Deno.test("dpo reference: ipo, sigmoid_norm and simpo log per-token logps, the others sums", () => {
  const policy = [-4, -18, -9, -20], reference = [-5, -17, -9, -19], counts = [2, 6, 3, 5];
  for (const variant of ["sigmoid", "hinge", "ipo", "sigmoid_norm", "simpo"] as const) {
    const r = ref.dpoLoss(policy, reference, counts, variant, { beta: 0.1, gamma: 0.2 });
    const perToken = variant === "ipo" || variant === "sigmoid_norm" || variant === "simpo";
    const want = perToken ? [(-4 / 2 - 18 / 6) / 2, (-9 / 3 - 20 / 5) / 2] : [-11, -14.5];
    assert.ok(Math.abs(r.metrics[5] - want[0]) < 1e-12, `${variant} logps/chosen`);
    assert.ok(Math.abs(r.metrics[6] - want[1]) < 1e-12, `${variant} logps/rejected`);
  }
});

/** A random batch as the loss formulas see it: P ≤ `maxPairs`, β, 2P log-probs in (−30, 0) each. */
function randomLogps(rng: Rng, maxPairs: number) {
  const p = 1 + rng.int(maxPairs), beta = 0.05 + 0.5 * rng.uniform();
  const logps = () => Array.from({ length: 2 * p }, () => -30 * rng.uniform());
  return { p, beta, policy: logps(), refLogps: logps() };
}

Deno.test("dpo reference: kto_pair is TRL 0.8's, the mean of its 2P halves, both clamps", () => {
  // TRL 0.8's dpo_loss for loss_type kto_pair, written as it is: the batch's KL means clamped at
  // 0, the chosen half against the rejected mean and the rejected half against the chosen one,
  // losses = cat(...) of 2P values, loss = losses.mean().
  const sig = (u: number) => 1 / (1 + Math.exp(-u));
  const rng = new Rng(57);
  const seen = new Set<string>();
  for (let k = 0; k < 40; k++) {
    const { p, beta, policy, refLogps } = randomLogps(rng, 6);
    const a = policy.slice(0, p).map((v, i) => v - refLogps[i]);
    const b = policy.slice(p).map((v, i) => v - refLogps[p + i]);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const chosenKl = Math.max(mean(a), 0), rejectedKl = Math.max(mean(b), 0);
    seen.add(`${chosenKl > 0} ${rejectedKl > 0}`);
    const losses = [
      ...a.map((x) => 1 - sig(beta * (x - rejectedKl))),
      ...b.map((x) => 1 - sig(beta * (chosenKl - x))),
    ];
    const r = ref.dpoLoss(policy, refLogps, Array(2 * p).fill(1), "kto_pair", { beta });
    assert.ok(Math.abs(r.loss - mean(losses)) < 1e-12, `p=${p}: ${r.loss} vs ${mean(losses)}`);
    for (let i = 0; i < p; i++) {
      assert.ok(Math.abs(r.rewardsChosen[i] - beta * a[i]) < 1e-12);
      assert.ok(Math.abs(r.rewardsRejected[i] - beta * b[i]) < 1e-12);
    }
    // The gradient, through the means too, is the loss's by finite differences.
    const fd = finiteDifference(
      (y) => ref.dpoLoss(y, refLogps, Array(2 * p).fill(1), "kto_pair", { beta }).loss,
      Float64Array.from(policy),
      1e-5,
    );
    assertClose(r.grad, fd, { rtol: 1e-6, atol: 1e-10, label: `kto_pair p=${p}` });
  }
  // Every side of both clamps came up.
  assert.equal(seen.size, 4, [...seen].join("; "));
  // At step 1 the policy is the reference: both means are exactly 0, where torch's clamp(min=0)
  // still passes the gradient (its mask is input ≥ 0), so each row gets both halves' slope:
  // dL/dlogπ_w = −β/4 per pair over P (−½β·¼ from its own half, −½β·¼ through the mean).
  const zero = ref.dpoLoss([-3, -4, -5, -6], [-3, -4, -5, -6], [1, 1, 1, 1], "kto_pair", {
    beta: 0.2,
  });
  assertClose(zero.grad, [-0.025, -0.025, 0.025, 0.025], { rtol: 1e-12, label: "means at 0" });
});

Deno.test("dpo reference: the TRL loss types equal their formulas written plainly", () => {
  // Each loss_type as TRL writes it, with naive log(σ) (fine at these moderate margins).
  const sig = (u: number) => 1 / (1 + Math.exp(-u));
  const logSig = (u: number) => Math.log(sig(u));
  const plain: Record<string, (aw: number, al: number, b: number, e: number) => number> = {
    robust: (aw, al, b, e) =>
      (-logSig(b * (aw - al)) * (1 - e) + logSig(-b * (aw - al)) * e) / (1 - 2 * e),
    exo_pair: (aw, al, b, e) => {
      const z = b * (aw - al), eps = e === 0 ? 1e-3 : e;
      return sig(z) * (logSig(z) - Math.log(1 - eps)) + sig(-z) * (logSig(-z) - Math.log(eps));
    },
    nca_pair: (aw, al, b) => -logSig(b * aw) - 0.5 * logSig(-b * aw) - 0.5 * logSig(-b * al),
    sppo_hard: (aw, al, b) => (aw - 0.5 / b) ** 2 + (al + 0.5 / b) ** 2,
    apo_zero: (aw, al, b) => 1 - sig(b * aw) + sig(b * al),
    apo_down: (aw, al, b) => sig(b * aw) + 1 - sig(b * (aw - al)),
    discopop: (aw, al, b) => {
      const z = b * (aw - al), m = sig(z / 0.05);
      return -logSig(z) * (1 - m) + Math.exp(-z) * m;
    },
    discopop_tau: (aw, al, b) => {
      const z = b * (aw - al), m = sig(z / 0.7);
      return -logSig(z) * (1 - m) + Math.exp(-z) * m;
    },
  };
  const rng = new Rng(54);
  for (const [variant, f] of Object.entries(plain)) {
    for (const e of variant === "robust" || variant === "exo_pair" ? [0, 0.2] : [0]) {
      for (let k = 0; k < 6; k++) {
        const x = {
          policyChosen: rng.uniform() * -30,
          policyRejected: rng.uniform() * -30,
          refChosen: rng.uniform() * -30,
          refRejected: rng.uniform() * -30,
          countChosen: 1 + rng.int(9),
          countRejected: 1 + rng.int(9),
        };
        const aw = x.policyChosen - x.refChosen, al = x.policyRejected - x.refRejected;
        const beta = 0.05 + 0.3 * rng.uniform();
        const tau = variant === "discopop_tau" ? { discopopTau: 0.7 } : {};
        const name = variant === "discopop_tau" ? "discopop" : variant;
        const got = ref.DPO_LOSSES[name as keyof typeof ref.DPO_LOSSES](x, {
          beta,
          labelSmoothing: e,
          ...tau,
        });
        const want = f(aw, al, beta, e);
        assert.ok(Math.abs(got.loss - want) <= 1e-12 * Math.max(1, Math.abs(want)), variant);
        // TRL's rewards: β·(logπ − logπ_ref), sequence sums.
        assert.ok(Math.abs(got.rewardChosen - beta * aw) < 1e-12, `${variant} reward`);
        assert.ok(Math.abs(got.rewardRejected - beta * al) < 1e-12, `${variant} reward`);
      }
    }
  }
});

Deno.test("dpo reference: the f-divergences equal TRL's formulas written plainly", () => {
  // TRL: JS subtracts softplus(a) − softplus(b) from the margin; α-divergence replaces it with
  // (u_l^−α − u_w^−α) / α, u the policy/reference probability ratios.
  const sig = (u: number) => 1 / (1 + Math.exp(-u));
  const rng = new Rng(58);
  for (let k = 0; k < 20; k++) {
    const x = {
      policyChosen: -5 - 20 * rng.uniform(),
      policyRejected: -5 - 20 * rng.uniform(),
      refChosen: -5 - 20 * rng.uniform(),
      refRejected: -5 - 20 * rng.uniform(),
      countChosen: 3,
      countRejected: 4,
    };
    const a = x.policyChosen - x.refChosen, b = x.policyRejected - x.refRejected;
    const beta = 0.05 + 0.3 * rng.uniform(), alpha = 0.25 + rng.uniform();
    const js = a - b - (Math.log(1 + Math.exp(a)) - Math.log(1 + Math.exp(b)));
    const ad = (Math.exp(b * -alpha) - Math.exp(a * -alpha)) / alpha;
    const cases: [ref.DpoOptions, number][] = [
      [{ beta, fDivergence: "js_divergence" }, js],
      [{ beta, fDivergence: "alpha_divergence", fAlpha: alpha }, ad],
    ];
    for (const [o, h] of cases) {
      const got = ref.dpoSigmoid(x, o).loss, want = -Math.log(sig(beta * h));
      assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, want), `${o.fDivergence}`);
      const hinge = ref.dpoHinge(x, o).loss;
      assert.ok(Math.abs(hinge - Math.max(0, 1 - beta * h)) < 1e-12, `${o.fDivergence} hinge`);
    }
  }
  // Reverse KL is DPO's margin.
  assert.deepEqual(ref.fDivergenceMargin(2, -1, { beta: 1, fDivergence: "reverse_kl" }), [
    3,
    1,
    -1,
  ]);
});

Deno.test("dpo reference: WPO scales each pair's loss and gradient by min(exp(w_w + w_l), 1)", () => {
  const rng = new Rng(59);
  const p = 7;
  const { policy, refLogps, counts, sqSums } = batch(rng, p);
  const plain = ref.dpoLoss(policy, refLogps, counts, "sigmoid", { beta: 0.1 });
  const wpo = ref.dpoLoss(policy, refLogps, counts, "sigmoid", { beta: 0.1, wpoSqSums: sqSums });
  let clamped = 0;
  for (let i = 0; i < p; i++) {
    const w = (k: number) => (policy[k] - sqSums[k]) / counts[k];
    const omega = Math.min(Math.exp(w(i) + w(p + i)), 1);
    if (omega === 1) clamped++;
    assert.ok(Math.abs(wpo.losses[i] - omega * plain.losses[i]) < 1e-12);
    assert.ok(Math.abs(wpo.grad[i] - omega * plain.grad[i]) < 1e-12);
    assert.ok(Math.abs(wpo.grad[p + i] - omega * plain.grad[p + i]) < 1e-12);
    assert.equal(wpo.rewardsChosen[i], plain.rewardsChosen[i]); // rewards are not weighted
  }
  assert.ok(clamped > 0 && clamped < p, `${clamped} of ${p} clamped`);
});

Deno.test("dpo reference: aot and aot_pair sort the batch's log-ratios as TRL does", () => {
  const rng = new Rng(55);
  const p = 7, beta = 0.2, eps = 0.1;
  const policy = Array.from({ length: 2 * p }, () => -30 * rng.uniform());
  const reference = Array.from({ length: 2 * p }, () => -30 * rng.uniform());
  const counts = Array(2 * p).fill(1);
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  const logSig = (u: number) => Math.log(1 / (1 + Math.exp(-u)));
  const smoothed = (d: number) => -logSig(beta * d) * (1 - eps) - logSig(-beta * d) * eps;
  const idx = [...Array(p).keys()];
  const chosen = idx.map((i) => policy[i] - reference[i]);
  const rejected = idx.map((i) => policy[p + i] - reference[p + i]);
  const logratios = idx.map((i) => policy[i] - policy[p + i]);
  const refLogratios = idx.map((i) => reference[i] - reference[p + i]);
  const cases: ["aot" | "aot_pair", number[], number[]][] = [
    ["aot_pair", chosen, rejected],
    ["aot", logratios, refLogratios],
  ];
  for (const [variant, a, b] of cases) {
    const sa = sorted(a), sb = sorted(b);
    const want = idx.map((k) => smoothed(sa[k] - sb[k]));
    const r = ref.dpoLoss(policy, reference, counts, variant, { beta, labelSmoothing: eps });
    assertClose(r.losses, want, { rtol: 1e-12, label: variant });
    assertClose(r.rewardsChosen, chosen.map((x) => beta * x), { rtol: 1e-12 });
  }
});

Deno.test("dpo reference: bco_pair's δ follows TRL's RunningMoments over batches", () => {
  // TRL: running = RunningMoments (mean 0, count 1e-24); each batch updates it with the scalar
  // mean of its chosen and rejected rewards, then uses running.mean as δ.
  const running = { mean: 0, count: 1e-24 };
  const rng = new Rng(56);
  const sig = (u: number) => 1 / (1 + Math.exp(-u));
  let state: ref.BcoRunning = { mean: 0, count: 0 };
  const beta = 0.2;
  for (let b = 0; b < 4; b++) {
    const p = 1 + b;
    const policy = Array.from({ length: 2 * p }, () => -20 * rng.uniform());
    const reference = Array.from({ length: 2 * p }, () => -20 * rng.uniform());
    const rw = [...Array(p).keys()].map((i) => beta * (policy[i] - reference[i]));
    const rl = [...Array(p).keys()].map((i) => beta * (policy[p + i] - reference[p + i]));
    const xsMean = [...rw, ...rl].reduce((x, y) => x + y) / (2 * p);
    const total = running.count + 1;
    running.mean += (xsMean - running.mean) / total;
    running.count = total;
    const want = rw.map((w, i) =>
      -Math.log(sig(w - running.mean)) - Math.log(sig(-(rl[i] - running.mean)))
    );
    const r = ref.dpoLoss(policy, reference, Array(2 * p).fill(1), "bco_pair", {
      beta,
      bcoRunning: state,
    });
    assertClose(r.losses, want, { rtol: 1e-12, label: `batch ${b}` });
    state = r.bcoRunning!;
    assert.ok(Math.abs(state.mean - running.mean) < 1e-12, `δ after batch ${b}`);
  }
  // Without the update (evaluation), δ and the state stay.
  const r = ref.dpoLoss([-3, -4], [-2, -6], [1, 1], "bco_pair", {
    beta,
    bcoRunning: state,
    updateRunning: false,
  });
  assert.deepEqual(r.bcoRunning, state);
});

Deno.test("dpo reference: orpo is TRL's ORPO, the chosen NLL plus β times the odds-ratio loss", () => {
  const policy = [-4, -18, -9, -20], counts = [2, 6, 3, 5], beta = 0.2;
  const r = ref.dpoLoss(policy, null, counts, "orpo", { beta });
  // TRL's ORPOTrainer, written plainly: length-averaged log-probs, naive log1p(−exp).
  const avg = policy.map((x, i) => x / counts[i]);
  const logOdds = (a: number, b: number) =>
    (a - b) - (Math.log1p(-Math.exp(a)) - Math.log1p(-Math.exp(b)));
  const sig = (u: number) => 1 / (1 + Math.exp(-u));
  const ratio = [0, 1].map((i) => Math.log(sig(logOdds(avg[i], avg[2 + i]))));
  const nll = (4 + 18) / 8; // the chosen tokens' mean cross-entropy
  const want = nll - beta * (ratio[0] + ratio[1]) / 2;
  assert.ok(Math.abs(r.loss - want) < 1e-12, `${r.loss} vs ${want}`);
  assert.ok(Math.abs(r.rewardsChosen[0] - beta * avg[0]) < 1e-12);
  assert.ok(Math.abs(r.metrics[5] - (avg[0] + avg[1]) / 2) < 1e-12, "logps/chosen per token");
  // With loss.nll_alpha, its weight adds to ORPO's own 1.
  const more = ref.dpoLoss(policy, null, counts, "orpo", { beta, nllAlpha: 0.5 });
  assert.ok(Math.abs(more.loss - (want + 0.5 * nll)) < 1e-12);
});

Deno.test("dpo reference: a combination is the weighted sum of its losses run alone", () => {
  const { policy, refLogps, counts } = batch(new Rng(59), 6);
  const parts = [
    { variant: "sigmoid", weight: 0.8 },
    { variant: "nca_pair", weight: 0.2 },
    { variant: "aot", weight: 1.3 },
  ] as const;
  const beta = 0.3;
  const mix = ref.dpoLoss(policy, refLogps, counts, "sigmoid", {
    beta,
    nllAlpha: 0.5,
    combination: [...parts],
  });
  const alone = parts.map((x) => ref.dpoLoss(policy, refLogps, counts, x.variant, { beta }));
  const nll = ref.dpoLoss(policy, refLogps, counts, "sigmoid", { beta, nllAlpha: 0.5 });
  const plain = ref.dpoLoss(policy, refLogps, counts, "sigmoid", { beta });
  const sum = (pick: (r: ref.DpoResult) => Float64Array) =>
    pick(mix).map((_, i) => parts.reduce((s, x, k) => s + x.weight * pick(alone[k])[i], 0));
  // The NLL term once: its share is what nllAlpha adds to the sigmoid loss alone.
  const nllShare = (pick: (r: ref.DpoResult) => Float64Array) =>
    pick(nll).map((v, i) => v - pick(plain)[i]);
  const add = (a: Float64Array, b: Float64Array) => a.map((v, i) => v + b[i]);
  assertClose(mix.losses, add(sum((r) => r.losses), nllShare((r) => r.losses)), { rtol: 1e-12 });
  assertClose(mix.grad, add(sum((r) => r.grad), nllShare((r) => r.grad)), { rtol: 1e-12 });
  assertClose(mix.rewardsChosen, sum((r) => r.rewardsChosen), { rtol: 1e-12 });
  assertClose(mix.rewardsRejected, sum((r) => r.rewardsRejected), { rtol: 1e-12 });
});

Deno.test("dpo reference: extreme margins give finite losses and gradients", () => {
  // (The α-divergence saturates there: its slopes e^{−α·a} underflow to exact zeros or reach the
  // cap, where finite differences mean nothing.)
  for (const c of CONFIGS.filter((c) => c.fDivergence !== "alpha_divergence" && !c.wpo)) {
    const { policy, refLogps, counts } = extremeBatch(c.variant, c.beta);
    const r = ref.dpoLoss(policy, refLogps, counts, c.variant, refOptions(c, true));
    for (const v of [...r.losses, ...r.grad]) assert.ok(Number.isFinite(v), describe(c));
    // Kinks or quadratics: nothing to lose in floating point. (ORPO's log(1 − p) as p → 1 is too
    // curved there for the difference's step; the batch above checks its slopes.)
    if (["hinge", "ipo", "sppo_hard", "orpo"].includes(c.variant)) continue;
    const x = Float64Array.from(policy);
    const fd = finiteDifference(
      (y) => ref.dpoLoss(y, refLogps, counts, c.variant, refOptions(c, true)).loss,
      x,
      1e-3,
    );
    assertClose(r.grad, fd, { rtol: 1e-6, label: `${describe(c)} extreme` });
  }
  assert.equal(ref.stableLogSigmoid(-1000), -1000);
  assert.ok(ref.stableLogSigmoid(1000) === 0);
  assert.ok(Math.abs(ref.stableLogSigmoid(100) + Math.exp(-100)) < 1e-50);
});

interface Outputs {
  losses: Tensor;
  rewardsChosen: Tensor;
  rewardsRejected: Tensor;
  grad: Tensor;
  metrics: Tensor;
}

async function runGpu(
  gpu: Parameters<Parameters<typeof gpuTest>[1]>[0],
  c: Config,
  host: {
    policy: Float32Array;
    refLogps: Float32Array;
    counts: Float32Array;
    logitSums?: Float32Array;
    sqSums?: Float32Array;
  },
  runs = 1,
): Promise<HostArray[][]> {
  const p = host.policy.length / 2;
  const inputs = {
    policyLogps: gpu.upload(host.policy),
    refLogps: gpu.upload(host.refLogps),
    counts: gpu.upload(host.counts),
    logitSums: host.logitSums ? gpu.upload(host.logitSums) : undefined,
    wpoSqSums: c.wpo && host.sqSums ? gpu.upload(host.sqSums) : undefined,
  };
  const results: HostArray[][] = [];
  for (let r = 0; r < runs; r++) {
    const out: Outputs = {
      losses: poisoned(gpu, [p], "losses"),
      rewardsChosen: poisoned(gpu, [p], "rewardsChosen"),
      rewardsRejected: poisoned(gpu, [p], "rewardsRejected"),
      grad: poisoned(gpu, [2 * p], "grad"),
      metrics: poisoned(gpu, [10], "metrics"),
    };
    // bco_pair's running mean: each run starts from the same state; read back after.
    const start = c.bcoStart ?? { mean: 0, count: 0 };
    const bcoRunning = gpu.upload(new Float32Array([start.mean, start.count]));
    const enc = gpu.encoder();
    const { bcoStart: _, wpo: _w, ...options } = c;
    const args: DpoLossArgs = { ...inputs, ...out, ...options, bcoRunning, vocabSize: 97 };
    dpoLoss(enc, args);
    gpu.submit(enc);
    results.push(await gpu.read([...Object.values(out), bcoRunning]));
    for (const t of [...Object.values(out), bcoRunning]) t.release();
  }
  for (const t of Object.values(inputs)) t?.release();
  return results;
}

function check(got: HostArray[], want: ref.DpoResult, label: string, withLogits: boolean): void {
  assertClose(got[0], want.losses, { label: `${label} losses` });
  assertClose(got[1], want.rewardsChosen, { label: `${label} rewards/chosen` });
  assertClose(got[2], want.rewardsRejected, { label: `${label} rewards/rejected` });
  assertClose(got[3], want.grad, { label: `${label} grad` });
  const n = withLogits ? 10 : 8;
  for (let k = 0; k < n; k++) {
    assertClose([got[4][k]], [want.metrics[k]], {
      label: `${label} ${DPO_METRICS[k]}`,
      atol: 1e-7,
    });
  }
  if (!withLogits) assert.ok(Number.isNaN(got[4][8]) && Number.isNaN(got[4][9]));
  if (want.bcoRunning) {
    const { mean, count } = want.bcoRunning;
    assertClose(got[5], [mean, count], { label: `${label} bco running mean`, atol: 1e-7 });
  }
}

gpuTest("dpo: every variant matches float64 at P = 1, 3, 300, bit-identically", async (gpu) => {
  const rng = new Rng(51);
  for (const c of CONFIGS) {
    for (const p of [1, 3, 300]) {
      const host = batch(rng, p);
      const withLogits = p !== 3;
      const h = withLogits ? host : { ...host, logitSums: undefined };
      const runs = await runGpu(gpu, c, h, 2);
      const want = ref.dpoLoss(host.policy, host.refLogps, host.counts, c.variant, {
        ...refOptions(c, false, host.sqSums),
        logitSums: h.logitSums,
        vocabSize: 97,
      });
      check(runs[0], want, `${describe(c)} P=${p}`, withLogits);
      runs[0].forEach((a, i) =>
        assert.ok(bitEqual(a, runs[1][i]), `${describe(c)}: rerun differs`)
      );
    }
  }
});

gpuTest("dpo: extreme margins (β·h = ±100, ±1000) stay finite and match float64", async (gpu) => {
  // (Not the α-divergence: e^{α·|h|} overflows float32 there, as it does in TRL.)
  for (const c of CONFIGS.filter((c) => c.fDivergence !== "alpha_divergence")) {
    const host = extremeBatch(c.variant, c.beta);
    const [got] = await runGpu(gpu, c, host);
    const want = ref.dpoLoss(host.policy, host.refLogps, host.counts, c.variant, refOptions(c));
    for (const a of got.slice(0, 4)) {
      assert.ok(a.every(Number.isFinite), `${describe(c)}: non-finite`);
    }
    check(got, want, `${describe(c)} extreme`, false);
  }
});

gpuTest(
  "dpo: the one-workgroup losses at full size (aot 1024 pairs, bco_pair and kto_pair 5000)",
  async (gpu) => {
    // One workgroup takes the whole batch: every pair must still be written (the outputs start as
    // NaN) and match float64.
    const rng = new Rng(57);
    const cases: [Config, number][] = [
      [{ variant: "aot_pair", beta: 0.1, nllAlpha: 0.5 }, 1024],
      [{ variant: "aot", beta: 0.2, nllAlpha: 0.5 }, 1024],
      [{ variant: "bco_pair", beta: 0.1, nllAlpha: 0.5, bcoStart: { mean: 0.1, count: 2 } }, 5000],
      [{ variant: "kto_pair", beta: 0.1, nllAlpha: 0.5 }, 5000],
    ];
    for (const [c, p] of cases) {
      const host = batch(rng, p);
      const [got] = await runGpu(gpu, c, { ...host, logitSums: undefined });
      const want = ref.dpoLoss(host.policy, host.refLogps, host.counts, c.variant, refOptions(c));
      check(got, want, `${describe(c)} P=${p}`, false);
    }
  },
);

gpuTest(
  "dpo: kto_pair at step 1 (policy = reference) passes the gradient through 0",
  async (gpu) => {
    // Both batch means exactly 0, the clamp's boundary, where torch still passes the gradient.
    const policy = Float32Array.from([-3, -4, -5, -6, -7, -8]);
    const host = { policy, refLogps: policy.slice(), counts: new Float32Array(6).fill(2) };
    const c: Config = { variant: "kto_pair", beta: 0.2 };
    const [got] = await runGpu(gpu, c, { ...host, logitSums: undefined });
    const want = ref.dpoLoss(host.policy, host.refLogps, host.counts, c.variant, refOptions(c));
    check(got, want, "kto_pair at 0", false);
    assertClose(got[3], [-1, -1, -1, 1, 1, 1].map((s) => s * 0.2 / 4 / 3), { label: "grad" });
  },
);

gpuTest(
  "dpo: aot and aot_pair rank tied values by index, as the float64 twin sorts them",
  async (gpu) => {
    // Pairs 0, 2 and 5 are copies (their u and v tie), as are 1 and 4; nothing is zero.
    const base = batch(new Rng(58), 6);
    const copyOf = [0, 1, 0, 3, 1, 0];
    const host = {
      policy: new Float32Array(12),
      refLogps: new Float32Array(12),
      counts: new Float32Array(12),
    };
    copyOf.forEach((j, i) => {
      for (const k of [0, 6]) {
        host.policy[k + i] = base.policy[k + j];
        host.refLogps[k + i] = base.refLogps[k + j];
        host.counts[k + i] = base.counts[k + j];
      }
    });
    for (const variant of ["aot_pair", "aot"] as const) {
      const c: Config = { variant, beta: 0.3 };
      const [got] = await runGpu(gpu, c, host);
      const want = ref.dpoLoss(host.policy, host.refLogps, host.counts, variant, refOptions(c));
      check(got, want, `${variant} ties`, false);
    }
  },
);

gpuTest("dpo: simpo runs without reference log-probs", async (gpu) => {
  const host = batch(new Rng(52), 9);
  const c: Config = { variant: "simpo", beta: 2, gamma: 1 };
  const policyLogps = gpu.upload(host.policy), counts = gpu.upload(host.counts);
  const out: Outputs = {
    losses: poisoned(gpu, [9]),
    rewardsChosen: poisoned(gpu, [9]),
    rewardsRejected: poisoned(gpu, [9]),
    grad: poisoned(gpu, [18]),
    metrics: poisoned(gpu, [8]),
  };
  const enc = gpu.encoder();
  dpoLoss(enc, { policyLogps, counts, ...out, ...c });
  gpu.submit(enc);
  const got = await gpu.read(Object.values(out));
  const want = ref.dpoLoss(host.policy, null, host.counts, "simpo", c);
  assertClose(got[0], want.losses);
  assertClose(got[3], want.grad);
  for (const t of [policyLogps, counts, ...Object.values(out)]) t.release();
});

gpuTest("dpo refuses bad shapes and options with clear messages", (gpu) => {
  const t2 = gpu.tensor([2], { label: "two" }), t1 = gpu.tensor([1], { label: "one" });
  const t3 = gpu.tensor([3], { label: "three" }), m = gpu.tensor([8], { label: "m" });
  const big2 = gpu.tensor([2 * 1025]), big1 = gpu.tensor([1025]);
  const base: DpoLossArgs = {
    policyLogps: t2,
    refLogps: t2,
    counts: t2,
    losses: t1,
    rewardsChosen: t1,
    rewardsRejected: t1,
    grad: t2,
    metrics: m,
    variant: "sigmoid",
    beta: 0.1,
  };
  const enc = gpu.encoder();
  const bad: [Partial<DpoLossArgs>, RegExp][] = [
    [{ variant: "kto_unpaired" as DpoVariant }, /unknown variant "kto_unpaired"/],
    [{ policyLogps: t3 }, /must hold 2P rows/],
    [{ refLogps: undefined }, /needs refLogps/],
    [{ losses: t2 }, /"two" has 2 elements, expected 1/],
    [{ metrics: t3 }, /needs 8/],
    [{ logitSums: t2, vocabSize: 97 }, /needs 10/],
    [{ beta: 0 }, /beta must be positive/],
    [{ variant: "ipo", labelSmoothing: 0.1 }, /does not apply to the ipo loss/],
    [{ variant: "nca_pair", labelSmoothing: 0.1 }, /does not apply to the nca_pair loss/],
    [{ variant: "discopop", discopopTau: 0 }, /discopopTau must be positive/],
    [{ variant: "bco_pair" }, /bco_pair loss needs bcoRunning, a \(2,\) tensor/],
    [
      {
        variant: "aot",
        policyLogps: big2,
        refLogps: big2,
        counts: big2,
        grad: big2,
        losses: big1,
        rewardsChosen: big1,
        rewardsRejected: big1,
      },
      /the aot loss sorts at most 1024 pairs per batch, got 1025/,
    ],
    [{ gamma: 1 }, /gamma applies to simpo only/],
    [{ labelSmoothing: 0.5 }, /labelSmoothing must lie/],
    [
      { variant: "nca_pair", fDivergence: "js_divergence" },
      /fDivergence js_divergence does not apply to the nca_pair loss/,
    ],
    [{ fDivergence: "alpha_divergence", fAlpha: 0 }, /fAlpha must be positive/],
    [{ fDivergence: "forward_kl" as "js_divergence" }, /unknown fDivergence "forward_kl"/],
    [
      { variant: "discopop", fDivergence: "js_divergence" },
      /fDivergence js_divergence does not apply to the discopop loss/,
    ],
    [{ variant: "aot_pair", wpoSqSums: t2 }, /WPO weighting of the aot_pair loss/],
  ];
  for (const [change, message] of bad) {
    assert.throws(() => dpoLoss(enc, { ...base, ...change }), message);
  }
  for (const t of [t1, t2, t3, m, big1, big2]) t.release();
});

gpuTest(
  "dpo end to end: logits → logp → sequence sums → loss → dL/dlogits matches finite differences",
  async (gpu) => {
    const rng = new Rng(53);
    const p = 2, b = 2 * p, t = 5, v = 13, rows = b * t;
    const logits = rng.normalArray(rows * v, 0, 1.5);
    // The first two positions of every row are prompt (ignored); the rest response.
    const targets = Int32Array.from({ length: rows }, (_, i) => i % t < 2 ? -1 : rng.int(v));
    const mask = Float32Array.from(targets, (x) => x < 0 ? 0 : 1);
    const refLogps = rng.uniformArray(b, -12, -4);
    const configs: Config[] = [
      { variant: "sigmoid", beta: 0.5, labelSmoothing: 0.1 },
      { variant: "simpo", beta: 2, gamma: 0.3, nllAlpha: 0.5 },
    ];
    for (const c of configs) {
      const lossOf = (x: Float64Array) => {
        const { logp } = refLs.logSoftmaxGather(x, targets, v);
        const { sums, counts } = refLs.maskedRowSums(logp, mask, t);
        return ref.dpoLoss(sums, refLogps, counts, c.variant, c).loss;
      };
      const x = Float64Array.from(logits);
      const fd = finiteDifference(lossOf, x);
      const tl = gpu.upload(logits, [rows, v]), tt = gpu.upload(targets);
      const tm = gpu.upload(mask, [b, t]), tr = gpu.upload(refLogps);
      const logp = gpu.tensor([b, t]), lse = gpu.tensor([rows]);
      const sums = gpu.tensor([b]), counts = gpu.tensor([b]), coef = gpu.tensor([b, t]);
      const out: Outputs = {
        losses: gpu.tensor([p]),
        rewardsChosen: gpu.tensor([p]),
        rewardsRejected: gpu.tensor([p]),
        grad: gpu.tensor([b]),
        metrics: poisoned(gpu, [8]),
      };
      const dLogits = poisoned(gpu, [rows, v]);
      const enc = gpu.encoder();
      logSoftmaxGather(enc, { logits: tl, targets: tt, logp, lse });
      maskedRowSums(enc, { values: logp, mask: tm, sums, counts });
      dpoLoss(enc, { policyLogps: sums, refLogps: tr, counts, ...out, ...c });
      tokenCoef(enc, { rowGrad: out.grad, mask: tm, coef });
      logSoftmaxBackward(enc, { logits: tl, lse, targets: tt, coef, dLogits });
      gpu.submit(enc);
      const [metrics, d] = await gpu.read([out.metrics, dLogits]);
      assertClose([metrics[0]], [lossOf(x)], { label: `${describe(c)} loss` });
      assertClose(d, fd, { label: `${describe(c)} dL/dlogits` });
      for (
        const u of [tl, tt, tm, tr, logp, lse, sums, counts, coef, dLogits, ...Object.values(out)]
      ) {
        u.release();
      }
    }
  },
);

/** A KTO batch: P examples' responses and KL completions, random labels (some of each). */
function ktoBatch(rng: Rng, p: number, labelOf = (i: number) => rng.uniform() < 0.6 || i === 0) {
  const { policy, refLogps, counts, logitSums } = batch(rng, p);
  const labels = Array.from({ length: p }, (_, i) => labelOf(i));
  return { policy, refLogps, counts, logitSums, labels };
}

Deno.test("dpo reference: kto is TRL's KTOTrainer loss, z0 detached, weighted by label", () => {
  // TRL's kto_loss written as it is: kl = mean(policy_KL − reference_KL).clamp(min=0) (computed
  // under no_grad), chosen_losses = 1 − σ(β(chosen_logratios − kl)), rejected_losses =
  // 1 − σ(β(kl − rejected_logratios)), losses = cat(λ_D·chosen, λ_U·rejected), loss = mean.
  const sig = (u: number) => 1 / (1 + Math.exp(-u));
  const rng = new Rng(58);
  const seen = new Set<boolean>();
  for (let k = 0; k < 40; k++) {
    const { p, beta, policy, refLogps } = randomLogps(rng, 7);
    const weights = {
      desirableWeight: 0.5 + rng.uniform(),
      undesirableWeight: 0.5 + rng.uniform(),
    };
    const labels = Array.from({ length: p }, () => rng.uniform() < 0.5);
    const ratio = (i: number) => policy[i] - refLogps[i];
    const kl = Math.max(
      Array.from({ length: p }, (_, i) => ratio(p + i)).reduce((s, x) => s + x, 0) / p,
      0,
    );
    seen.add(kl > 0);
    const losses = labels.map((good, i) =>
      good
        ? weights.desirableWeight * (1 - sig(beta * (ratio(i) - kl)))
        : weights.undesirableWeight * (1 - sig(beta * (kl - ratio(i))))
    );
    const counts = Array(2 * p).fill(1);
    const r = ref.ktoLoss(policy, refLogps, counts, labels, { beta, ...weights });
    const want = losses.reduce((s, x) => s + x, 0) / p;
    assert.ok(Math.abs(r.loss - want) < 1e-12, `p=${p}: ${r.loss} vs ${want}`);
    assert.ok(Math.abs(r.metrics[3] - kl) < 1e-12);
    // The gradient by the responses is the loss's by finite differences (z0 depends on the KL
    // rows only); the KL rows get none (TRL computes them without gradient).
    const x = Float64Array.from(policy);
    const fd = finiteDifference(
      (y) => ref.ktoLoss(y, refLogps, counts, labels, { beta, ...weights }).loss,
      x,
      1e-5,
    );
    assertClose(r.grad.subarray(0, p), fd.subarray(0, p), { rtol: 1e-6, label: `kto p=${p}` });
    assert.deepEqual([...r.grad.subarray(p)], Array(p).fill(0));
  }
  // Both sides of the clamp came up.
  assert.equal(seen.size, 2);
  // apo_zero_unpaired (TRL's KTOTrainer loss type): 1 − σ(β·r) desirable, σ(β·r) undesirable,
  // no KL term; the gradient by finite differences.
  const policy = [-3, -7, -5, -9, -1, -2], refLogps = [-4, -6, -5, -2, -3, -8];
  const labels = [true, false, true], beta = 0.3, counts = Array(6).fill(1);
  const apo = ref.ktoLoss(policy, refLogps, counts, labels, {
    beta,
    lossType: "apo_zero_unpaired",
  });
  const want = labels.map((good, i) => {
    const s = sig(beta * (policy[i] - refLogps[i]));
    return good ? 1 - s : s;
  }).reduce((a, b) => a + b, 0) / 3;
  assert.ok(Math.abs(apo.loss - want) < 1e-12, `${apo.loss} vs ${want}`);
  assert.equal(apo.metrics[3], 0);
  const fd = finiteDifference(
    (y) => ref.ktoLoss(y, refLogps, counts, labels, { beta, lossType: "apo_zero_unpaired" }).loss,
    Float64Array.from(policy),
    1e-5,
  );
  assertClose(apo.grad, fd, { rtol: 1e-6, atol: 1e-12, label: "apo_zero_unpaired" });
});

gpuTest(
  "dpo: kto and apo_zero_unpaired match float64 at P = 1, 3, 300, 5000, bit-identically",
  async (gpu) => {
    const rng = new Rng(59);
    const cases: [number, number, { desirableWeight?: number; undesirableWeight?: number }][] = [
      [1, 0.1, {}],
      [3, 0.3, { desirableWeight: 1.33, undesirableWeight: 0.7 }],
      [300, 0.1, {}],
      [5000, 0.05, { undesirableWeight: 2 }],
    ];
    for (const [p, beta, weights] of cases) {
      const runsOf: [((i: number) => boolean) | undefined, "kto" | "apo_zero_unpaired"][] = [
        [undefined, "kto"],
        [() => true, "kto"],
        [() => false, "kto"],
        [undefined, "apo_zero_unpaired"],
      ];
      for (const [labelOf, variant] of runsOf) {
        const x = ktoBatch(rng, p, labelOf);
        const want = ref.ktoLoss(x.policy, x.refLogps, x.counts, x.labels, {
          beta,
          ...weights,
          lossType: variant,
          logitSums: x.logitSums,
        });
        const inputs = {
          policyLogps: gpu.upload(x.policy),
          refLogps: gpu.upload(x.refLogps),
          counts: gpu.upload(x.counts),
          logitSums: gpu.upload(x.logitSums),
          labels: gpu.upload(Float32Array.from(x.labels, Number)),
        };
        const runs: HostArray[][] = [];
        for (let run = 0; run < 2; run++) {
          const out = {
            losses: poisoned(gpu, [p], "losses"),
            rewardsChosen: poisoned(gpu, [p], "rewardsChosen"),
            rewardsRejected: poisoned(gpu, [p], "rewardsRejected"),
            grad: poisoned(gpu, [2 * p], "grad"),
            metrics: poisoned(gpu, [12], "metrics"),
          };
          const enc = gpu.encoder();
          dpoLoss(enc, { ...inputs, ...out, variant, beta, ...weights, vocabSize: 97 });
          gpu.submit(enc);
          runs.push(await gpu.read(Object.values(out)));
          for (const t of Object.values(out)) t.release();
        }
        const [got] = runs;
        const label = `${variant} P=${p} ${labelOf ? "one label" : "mixed"}`;
        assertClose(got[0], want.losses, { label: `${label} losses` });
        assertClose(got[1], want.rewardsChosen, { label: `${label} rewards/chosen` });
        assertClose(got[2], want.rewardsRejected, { label: `${label} rewards/rejected` });
        assertClose(got[3], want.grad, { label: `${label} grad` });
        assertClose(got[4], want.metrics, { label: `${label} metrics` });
        runs[1].forEach((a, i) => assert.ok(bitEqual(a, got[i]), `${label}: rerun ${i}`));
        for (const t of Object.values(inputs)) t.release();
      }
    }
  },
);

Deno.test("ktoMetrics: TRL's KTO names from the sums, means over each label's examples", () => {
  const rng = new Rng(60);
  const x = ktoBatch(rng, 9);
  const r = ref.ktoLoss(x.policy, x.refLogps, x.counts, x.labels, {
    beta: 0.1,
    logitSums: x.logitSums,
  });
  const m = ktoMetrics(r.metrics, 97);
  const good = x.labels.map((l, i) => l ? i : -1).filter((i) => i >= 0);
  const bad = x.labels.map((l, i) => l ? -1 : i).filter((i) => i >= 0);
  const mean = (idx: number[], f: (i: number) => number) =>
    idx.reduce((s, i) => s + f(i), 0) / idx.length;
  assertClose([m["rewards/chosen"]], [mean(good, (i) => r.rewardsChosen[i])], { rtol: 1e-12 });
  assertClose([m["rewards/rejected"]], [mean(bad, (i) => r.rewardsChosen[i])], { rtol: 1e-12 });
  assertClose([m["logps/chosen"]], [mean(good, (i) => x.policy[i])], { rtol: 1e-12 });
  const tokens = good.reduce((s, i) => s + x.counts[i], 0);
  assertClose(
    [m["logits/chosen"]],
    [good.reduce((s, i) => s + x.logitSums[i], 0) / (97 * tokens)],
    {
      rtol: 1e-12,
    },
  );
  assert.equal(m["count/chosen"], good.length);
  assert.equal(m["count/rejected"], bad.length);
  assertClose([m["rewards/margins"]], [m["rewards/chosen"] - m["rewards/rejected"]], {
    rtol: 1e-12,
  });
  assert.equal(m.kl, r.metrics[3]);
  assert.equal(m.loss, r.loss);
  // With both labels and logits, exactly the names the objective logs under.
  assert.deepEqual(Object.keys(m).sort(), [...KTO_METRICS].sort());
  // No undesirable example: its means are left out, not NaN.
  const all = ref.ktoLoss(x.policy, x.refLogps, x.counts, x.labels.map(() => true), { beta: 0.1 });
  const only = ktoMetrics(all.metrics);
  assert.equal(only["rewards/rejected"], undefined);
  assert.equal(only["rewards/margins"], undefined);
  assert.equal(only["count/rejected"], 0);
  assert.ok(Object.values(only).every(Number.isFinite));
});

gpuTest("dpo: kto refuses missing labels, combinations and the NLL term, naming them", (gpu) => {
  const t = (n: number) => gpu.tensor([n]);
  const base = {
    policyLogps: t(4),
    refLogps: t(4),
    counts: t(4),
    losses: t(2),
    rewardsChosen: t(2),
    rewardsRejected: t(2),
    grad: t(4),
    metrics: t(12),
    beta: 0.1,
  };
  const enc = gpu.encoder();
  const bad: [Partial<DpoLossArgs>, RegExp][] = [
    [{ variant: "kto" }, /kto needs labels, a \(2,\) tensor/],
    [{ variant: "kto", labels: t(3) }, /kto needs labels/],
    [
      { variant: "sigmoid", labels: t(2) },
      /labels apply to the kto and apo_zero_unpaired losses only/,
    ],
    [
      {
        variant: "kto",
        labels: t(2),
        combination: [{ variant: "kto", weight: 1 }, { variant: "sigmoid", weight: 1 }],
      },
      /does not combine/,
    ],
    [{ variant: "kto", labels: t(2), nllAlpha: 0.5 }, /NLL term/],
    [{ variant: "kto", labels: t(2), desirableWeight: 0 }, /desirable weight must be positive/],
    [{ variant: "kto", labels: t(2), metrics: t(10) }, /has 10 elements, needs 12/],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => dpoLoss(enc, { ...base, ...args } as DpoLossArgs), message);
  }
});
