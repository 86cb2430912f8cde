// DPO-family losses on sequence log-probs: per-pair loss, rewards, g = dL/dlogπ per row, and the
// logged metrics. Rows are [chosen(P); rejected(P)]: row i is pair i's chosen response, row P + i
// its rejected one.
//
// Per pair, with w = chosen, l = rejected, logπ from the policy, logπ_ref cached, c = response
// token counts (at least 1 is used, so an empty response gives 0 rather than NaN), avg x = x / c:
//   sigmoid       z = β·h,  h = (logπ_w − logπ_ref_w) − (logπ_l − logπ_ref_l)
//                 loss = −(1−ε)·logσ(z) − ε·logσ(−z)                (cDPO label smoothing ε)
//   ipo           h on length-averaged log-probs (policy and reference), loss = (h − 1/(2β))²
//   hinge         loss = relu(1 − β·h)
//   sigmoid_norm  the sigmoid loss with h on length-averaged log-probs
//   simpo         z = β·(avg logπ_w − avg logπ_l) − γ, the sigmoid loss of z (reference-free)
//   robust        z = β·h, loss = (−(1−ε)·logσ(z) + ε·logσ(−z)) / (1 − 2ε)   (unbiased under
//                 labels flipped with probability ε)
//   exo_pair      z = β·h, loss = σ(z)·(logσ(z) − log(1−ε)) + σ(−z)·(logσ(−z) − log ε), the
//                 KL from the ε-smoothed labels to σ(±z); ε = 0 is taken as 1e-3 (by the host)
//                 dloss/dz = σ(z)·σ(−z)·(z − log((1−ε)/ε))
//   nca_pair      r = β·(logπ − logπ_ref) per response,
//                 loss = −logσ(r_w) − ½·logσ(−r_w) − ½·logσ(−r_l)
//   sppo_hard     a = logπ_w − logπ_ref_w, b = logπ_l − logπ_ref_l,
//                 loss = (a − 1/(2β))² + (b + 1/(2β))²
//   apo_zero      loss = 1 − σ(β·a) + σ(β·b)         (raise chosen, lower rejected)
//   apo_down      loss = σ(β·a) + 1 − σ(β·h)         (lower both, rejected more)
//   aot_pair,     the sigmoid loss (with ε) on the batch's sorted log-ratios: see aot_pairs
//   aot           below
//   bco_pair      r = β·(logπ − logπ_ref), δ the running mean of the batches' mean rewards
//                 (bco_pairs below), loss = −logσ(r_w − δ) − logσ(−(r_l − δ))
//   discopop      z = β·h, m = σ(z/τ), loss = −logσ(z)·(1 − m) + exp(−z)·m, with
//                 exp(−z)·m = exp(−z + logσ(z/τ)) so no factor overflows where the product is
//                 finite (z ≪ 0 for τ < 1)
//   kto_pair      a, b the log-ratios, K_w = max(mean a, 0), K_l = max(mean b, 0) over the batch,
//                 loss = ½·((1 − σ(β(a − K_l))) + (1 − σ(β(K_w − b)))) (kto_pairs below)
//   kto           unpaired examples, not pairs: row i a labelled response, row P + i its KL
//                 completion; z0 = max(0, mean KL log-ratio), a constant;
//                 loss = λ_D·(1 − σ(β(r − z0))) or λ_U·(1 − σ(β(z0 − r))) (kto_examples below)
//   apo_zero_unpaired  the same with z0 = 0: λ_D·(1 − σ(βr)) or λ_U·σ(βr) (TRL's KTOTrainer loss
//                 type; its KL rows are not read)
//   orpo          ORPO (reference-free): a = avg logπ clamped to ≤ −1e-6 (a log-odds needs p < 1;
//                 no slope where clamped),
//                 z = (a_w − a_l) − (log(1 − e^a_w) − log(1 − e^a_l)), loss = −β·logσ(z), plus
//                 the NLL term with α + 1 (its own, as TRL's ORPO: the chosen tokens' mean
//                 cross-entropy); dz/da_w = 1/(1 − e^a_w) = −1/expm1(a_w), dz/da_l likewise negated
//   + NLL term    α · Σ_i(−logπ_w,i) / Σ_i c_w,i on every variant: the token mean of the chosen
//                 responses' cross-entropy over the batch (TRL's rpo_alpha), carried by pair i
//                 as α · (−logπ_w,i) · P / Σ c_w (Σ c_w below 1 counts as 1)
// A combination (TRL's list of loss types, with weights w_k): one launch per loss, the later ones
// adding into the outputs: loss = Σ w_k·loss_k (+ the NLL term once), rewards Σ w_k·reward_k (as
// TRL logs them), grad likewise; the metrics then follow the first loss's log-probs.
// f-divergence (TRL 0.x's f_divergence_type), on the variants built on h (sigmoid, ipo, hinge,
// robust, exo_pair), with a = logπ_w − logπ_ref_w and b = logπ_l − logπ_ref_l (ipo: averaged):
//   reverse KL  h = a − b (DPO)
//   JS          h = a − b − (softplus(a) − softplus(b)) = logσ(a) − logσ(b) (the form evaluated:
//               no cancellation at large a, b),  dh/da = σ(−a),  dh/db = −σ(−b)
//   α           h = (e^{−α·b} − e^{−α·a}) / α,  dh/da = e^{−α·a},  dh/db = −e^{−α·b}, the
//               exponents clamped at 88.7228 (TRL's cap_exp for float32: zero slope beyond)
// WPO weighting (TRL's use_weighting), when p.use_weighting is 1: each pair's loss (and its
// gradient) is multiplied by the constant ω = min(exp(w_w + w_l), 1), w = Σ_t (logπ_t − log Σ_v
// π_t,v²) / c per response, from the policy's sequence log-probs and sq_sums (Σ_t log Σ_v π²).
// rewards: β·(logπ − logπ_ref) on the log-probs the variant uses (length-averaged for ipo and
// sigmoid_norm; β·avg logπ for simpo and orpo). L = mean over pairs, so grad = (dloss/dlogπ) / P.
// Each variant is a small function below, chosen by the override constant VARIANT.
//
// Numerics: logσ(z) = min(z, 0) − log1p(exp(−|z|)) and σ from exp(−|z|) ≤ 1, so |z| = 1000
// gives finite losses and gradients; log1p is the accurate form log(u)·x/(u − 1), u = 1 + x.
//
// pairs (grid over P, WG per workgroup): policy, ref, counts (2P,) → losses, rewards_chosen,
//   rewards_rejected (P,), grad (2P,).
// metrics (one workgroup): means over pairs, in this fixed order, written to metrics (M,):
//   0 loss, 1 rewards/chosen, 2 rewards/rejected, 3 rewards/accuracies (chosen > rejected),
//   4 rewards/margins, 5 logps/chosen, 6 logps/rejected (sequence sums; per token for ipo,
//   sigmoid_norm, simpo and orpo, the log-probs their losses use, as TRL logs them), 7 nll_loss
//   (Σ −logπ_w / Σ c_w), and with has_logits: 8 logits/chosen, 9 logits/rejected
//   (Σ logit_sums / (V · Σ counts), the mean logit over response tokens and vocabulary).
// Both reduce in a fixed order: bit-identical reruns.

struct Params {
  pairs: u32,           // P
  has_logits: u32,      // metrics: write slots 8 and 9 from logit_sums
  beta: f32,            // β
  label_smoothing: f32, // ε
  gamma: f32,           // γ (simpo)
  nll_alpha: f32,       // α
  vocab: f32,           // V (metrics 8, 9)
  tau: f32,             // τ (discopop)
  update: u32,          // bco_pair: fold this batch into the running reward mean first
  weight: f32,          // w: this loss's weight in a combination (1 alone)
  accumulate: u32,      // 1: add to the outputs (a combination's later losses), 0: write them
  f_div: u32,           // 0 reverse KL, 1 JS, 2 α-divergence
  f_alpha: f32,         // α (α-divergence)
  use_weighting: u32,   // 1: WPO's ω multiplies each pair's loss
  desirable: f32,       // λ_D (kto)
  undesirable: f32,     // λ_U (kto)
}

override WG: u32 = 64;        // a power of two
// 0 sigmoid, 1 ipo, 2 hinge, 3 sigmoid_norm, 4 simpo, 5 robust, 6 exo_pair, 7 nca_pair,
// 8 sppo_hard, 9 apo_zero, 10 apo_down, 11 discopop, 12 aot_pair, 13 aot, 14 bco_pair, 15 orpo,
// 16 kto_pair, 17 kto, 18 apo_zero_unpaired
override VARIANT: u32 = 0u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> policy: array<f32>;                // (2P,)
@group(0) @binding(2) var<storage, read> reference: array<f32>;             // (2P,)
@group(0) @binding(3) var<storage, read> counts: array<f32>;                // (2P,)
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;          // (P,)
@group(0) @binding(5) var<storage, read_write> rewards_chosen: array<f32>;  // (P,)
@group(0) @binding(6) var<storage, read_write> rewards_rejected: array<f32>;// (P,)
@group(0) @binding(7) var<storage, read_write> grad: array<f32>;            // (2P,)
@group(0) @binding(8) var<storage, read> sq_sums: array<f32>;               // (2P,) WPO

// The four sequence log-probs of a pair and its token counts.
struct Pair {
  pw: f32, pl: f32, // policy chosen, rejected
  rw: f32, rl: f32, // reference chosen, rejected
  cw: f32, cl: f32, // counts (≥ 1)
}

// A pair's loss, its derivatives by logπ_w and logπ_l, and its two rewards.
struct PairLoss {
  loss: f32,
  d_w: f32,
  d_l: f32,
  reward_w: f32,
  reward_l: f32,
}

fn log1p_small(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) {
    return x;
  }
  return log(u) * x / (u - 1.0);
}

// (−(1−ε)·logσ(z) − ε·logσ(−z), its derivative by z), stable for any finite z.
fn smoothed_sigmoid_loss(z: f32) -> vec2f {
  let eps = p.label_smoothing;
  let e = exp(-abs(z));
  let softplus_tail = log1p_small(e);
  let log_sig_pos = min(z, 0.0) - softplus_tail;  // logσ(z)
  let log_sig_neg = min(-z, 0.0) - softplus_tail; // logσ(−z)
  let big = 1.0 / (1.0 + e);                       // σ(|z|)
  let small = e / (1.0 + e);                       // σ(−|z|)
  let sig_pos = select(small, big, z >= 0.0);      // σ(z)
  let sig_neg = select(big, small, z >= 0.0);      // σ(−z)
  return vec2f(
    -(1.0 - eps) * log_sig_pos - eps * log_sig_neg,
    -(1.0 - eps) * sig_neg + eps * sig_pos,
  );
}

// logσ(z), stable for any finite z.
fn log_sigmoid(z: f32) -> f32 {
  return min(z, 0.0) - log1p_small(exp(-abs(z)));
}

// σ(z) from exp(−|z|) ≤ 1.
fn sigmoid(z: f32) -> f32 {
  let e = exp(-abs(z));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), z >= 0.0);
}

// TRL's cap_exp for float32: e^{min(v, 88.7228)}, and whether v was below the cap (slope 1).
const EXP_CAP: f32 = 88.7228;

// h of the f-divergence for log-ratios a (chosen) and b (rejected), and dh/da, dh/db.
fn margin(a: f32, b: f32) -> vec3f {
  if (p.f_div == 1u) {
    return vec3f(log_sigmoid(a) - log_sigmoid(b), sigmoid(-a), -sigmoid(-b));
  }
  if (p.f_div == 2u) {
    let alpha = p.f_alpha;
    let ea = exp(min(-alpha * a, EXP_CAP));
    let eb = exp(min(-alpha * b, EXP_CAP));
    let slope_a = select(0.0, ea, -alpha * a <= EXP_CAP);
    let slope_b = select(0.0, eb, -alpha * b <= EXP_CAP);
    return vec3f((eb - ea) / alpha, slope_a, -slope_b);
  }
  return vec3f(a - b, 1.0, -1.0);
}

fn loss_sigmoid(x: Pair) -> PairLoss {
  let aw = x.pw - x.rw;
  let al = x.pl - x.rl;
  let h = margin(aw, al);
  let l = smoothed_sigmoid_loss(p.beta * h.x);
  return PairLoss(l.x, p.beta * l.y * h.y, p.beta * l.y * h.z, p.beta * aw, p.beta * al);
}

fn loss_ipo(x: Pair) -> PairLoss {
  let aw = (x.pw - x.rw) / x.cw;
  let al = (x.pl - x.rl) / x.cl;
  let h = margin(aw, al);
  let d = h.x - 0.5 / p.beta;
  return PairLoss(d * d, 2.0 * d * h.y / x.cw, 2.0 * d * h.z / x.cl, p.beta * aw, p.beta * al);
}

fn loss_hinge(x: Pair) -> PairLoss {
  let aw = x.pw - x.rw;
  let al = x.pl - x.rl;
  let h = margin(aw, al);
  let m = 1.0 - p.beta * h.x;
  let dh = select(0.0, -p.beta, m > 0.0);
  return PairLoss(max(m, 0.0), dh * h.y, dh * h.z, p.beta * aw, p.beta * al);
}

fn loss_sigmoid_norm(x: Pair) -> PairLoss {
  let aw = (x.pw - x.rw) / x.cw;
  let al = (x.pl - x.rl) / x.cl;
  let l = smoothed_sigmoid_loss(p.beta * (aw - al));
  return PairLoss(l.x, p.beta * l.y / x.cw, -p.beta * l.y / x.cl, p.beta * aw, p.beta * al);
}

fn loss_simpo(x: Pair) -> PairLoss {
  let aw = x.pw / x.cw;
  let al = x.pl / x.cl;
  let l = smoothed_sigmoid_loss(p.beta * (aw - al) - p.gamma);
  return PairLoss(l.x, p.beta * l.y / x.cw, -p.beta * l.y / x.cl, p.beta * aw, p.beta * al);
}

fn loss_robust(x: Pair) -> PairLoss {
  let aw = x.pw - x.rw;
  let al = x.pl - x.rl;
  let eps = p.label_smoothing;
  let h = margin(aw, al);
  let z = p.beta * h.x;
  let scale = 1.0 / (1.0 - 2.0 * eps);
  let loss = (-(1.0 - eps) * log_sigmoid(z) + eps * log_sigmoid(-z)) * scale;
  let dz = (-(1.0 - eps) * sigmoid(-z) - eps * sigmoid(z)) * scale;
  return PairLoss(loss, p.beta * dz * h.y, p.beta * dz * h.z, p.beta * aw, p.beta * al);
}

fn loss_exo_pair(x: Pair) -> PairLoss {
  let aw = x.pw - x.rw;
  let al = x.pl - x.rl;
  let eps = p.label_smoothing;
  let h = margin(aw, al);
  let z = p.beta * h.x;
  let s_pos = sigmoid(z);
  let s_neg = sigmoid(-z);
  let loss = s_pos * (log_sigmoid(z) - log(1.0 - eps)) + s_neg * (log_sigmoid(-z) - log(eps));
  let dz = s_pos * s_neg * (z - log((1.0 - eps) / eps));
  return PairLoss(loss, p.beta * dz * h.y, p.beta * dz * h.z, p.beta * aw, p.beta * al);
}

fn loss_nca_pair(x: Pair) -> PairLoss {
  let rw = p.beta * (x.pw - x.rw);
  let rl = p.beta * (x.pl - x.rl);
  let loss = -log_sigmoid(rw) - 0.5 * log_sigmoid(-rw) - 0.5 * log_sigmoid(-rl);
  let d_w = p.beta * (-sigmoid(-rw) + 0.5 * sigmoid(rw));
  let d_l = p.beta * 0.5 * sigmoid(rl);
  return PairLoss(loss, d_w, d_l, rw, rl);
}

fn loss_sppo_hard(x: Pair) -> PairLoss {
  let a = x.pw - x.rw;
  let b = x.pl - x.rl;
  let half = 0.5 / p.beta;
  let da = a - half;
  let db = b + half;
  return PairLoss(da * da + db * db, 2.0 * da, 2.0 * db, p.beta * a, p.beta * b);
}

// σ'(u) = σ(u)·σ(−u).
fn sigmoid_slope(u: f32) -> f32 {
  return sigmoid(u) * sigmoid(-u);
}

fn loss_apo_zero(x: Pair) -> PairLoss {
  let rw = p.beta * (x.pw - x.rw);
  let rl = p.beta * (x.pl - x.rl);
  let loss = 1.0 - sigmoid(rw) + sigmoid(rl);
  return PairLoss(loss, -p.beta * sigmoid_slope(rw), p.beta * sigmoid_slope(rl), rw, rl);
}

fn loss_apo_down(x: Pair) -> PairLoss {
  let rw = p.beta * (x.pw - x.rw);
  let rl = p.beta * (x.pl - x.rl);
  let z = rw - rl;
  let loss = sigmoid(rw) + 1.0 - sigmoid(z);
  let dz = p.beta * sigmoid_slope(z);
  return PairLoss(loss, p.beta * sigmoid_slope(rw) - dz, dz, rw, rl);
}

fn loss_discopop(x: Pair) -> PairLoss {
  // (TRL 0.x's discopop recomputes its margin as a − b: no f-divergence.)
  let aw = x.pw - x.rw;
  let al = x.pl - x.rl;
  let z = p.beta * (aw - al);
  let tau = p.tau;
  let m = sigmoid(z / tau);      // the mixing weight
  let keep = sigmoid(-z / tau);  // 1 − m
  let softplus_neg = -log_sigmoid(z);
  let e = exp(-z + log_sigmoid(z / tau)); // exp(−z)·m
  let loss = softplus_neg * keep + e;
  // d/dz: −σ(−z)·(1 − m) − softplus(−z)·m' − exp(−z)·m + exp(−z)·m', m' = m·(1 − m)/τ.
  let dz = -sigmoid(-z) * keep - softplus_neg * m * keep / tau - e + e * keep / tau;
  return PairLoss(loss, p.beta * dz, -p.beta * dz, p.beta * aw, p.beta * al);
}

// e^a − 1, accurate near 0: its series to a⁶/720 for |a| < 0.1 (the rest below a⁷/5040, under
// 1e-7 relative; WGSL's exp and log near 1 only promise absolute accuracy), e^a − 1 beyond.
fn expm1_accurate(a: f32) -> f32 {
  if (abs(a) < 0.1) {
    return a * (1.0 + a * (0.5 + a * (1.0 / 6.0 + a * (1.0 / 24.0 + a * (1.0 / 120.0 + a / 720.0)))));
  }
  return exp(a) - 1.0;
}

// log(1 − e^a) for a < 0: log(−expm1(a)) near 0, log1p(−e^a) further out.
fn log1m_exp(a: f32) -> f32 {
  if (a > -0.6931472) {
    return log(-expm1_accurate(a));
  }
  return log1p_small(-exp(a));
}

fn loss_orpo(x: Pair) -> PairLoss {
  let aw = min(x.pw / x.cw, -1e-6);
  let al = min(x.pl / x.cl, -1e-6);
  let z = (aw - al) - (log1m_exp(aw) - log1m_exp(al));
  let dz = -p.beta * sigmoid(-z); // d(−β·logσ(z))/dz
  // (zero slope where the clamp holds a: its derivative there)
  let sw = select(-1.0 / expm1_accurate(aw), 0.0, x.pw / x.cw > -1e-6);
  let sl = select(-1.0 / expm1_accurate(al), 0.0, x.pl / x.cl > -1e-6);
  return PairLoss(-p.beta * log_sigmoid(z), dz * sw / x.cw, -dz * sl / x.cl, p.beta * aw, p.beta * al);
}

fn pair_loss(x: Pair) -> PairLoss {
  var out: PairLoss;
  switch VARIANT {
    case 1u: { out = loss_ipo(x); }
    case 2u: { out = loss_hinge(x); }
    case 3u: { out = loss_sigmoid_norm(x); }
    case 4u: { out = loss_simpo(x); }
    case 5u: { out = loss_robust(x); }
    case 6u: { out = loss_exo_pair(x); }
    case 7u: { out = loss_nca_pair(x); }
    case 8u: { out = loss_sppo_hard(x); }
    case 9u: { out = loss_apo_zero(x); }
    case 10u: { out = loss_apo_down(x); }
    case 11u: { out = loss_discopop(x); }
    case 15u: { out = loss_orpo(x); }
    default: { out = loss_sigmoid(x); }
  }
  return out;
}

// Σ c_w, the batch's chosen response tokens (the NLL term's divisor), summed by one invocation.
// (llvmpipe stops an invocation after ~65 535 loop iterations: the one-workgroup entries below sum
// it once, together, instead.)
fn chosen_tokens_of(np: u32) -> f32 {
  var total = 0.0;
  for (var j = 0u; j < np; j++) {
    total += counts[j];
  }
  return total;
}

// Adds pair i's share of the NLL term and writes its outputs (grad with L's 1/P). The NLL term on
// the chosen responses is a token mean over the batch: pair i's share of α · Σ(−logπ_w) / Σ c_w,
// with its derivative by logπ_w,i (before the 1/P below); `chosen_tokens` is Σ c_w.
fn write_pair(i: u32, np: u32, pair: PairLoss, pw: f32, chosen_tokens: f32) {
  // A combination of losses (TRL's list of loss types) sums w · each loss, its gradient and, as
  // TRL logs them, its rewards; the NLL term comes once, unweighted.
  var w = p.weight;
  var omega = 1.0; // WPO's ω: a constant weight of the loss (not of the rewards)
  if (p.use_weighting == 1u) {
    let ww = (policy[i] - sq_sums[i]) / max(counts[i], 1.0);
    let wl = (policy[np + i] - sq_sums[np + i]) / max(counts[np + i], 1.0);
    omega = min(exp(ww + wl), 1.0);
  }
  let wo = w * omega;
  var out = PairLoss(wo * pair.loss, wo * pair.d_w, wo * pair.d_l, w * pair.reward_w, w * pair.reward_l);
  if (p.nll_alpha != 0.0) {
    let per_token = p.nll_alpha * f32(np) / max(chosen_tokens, 1.0);
    out.loss += per_token * -pw;
    out.d_w -= per_token;
  }
  let inv_p = 1.0 / f32(np);
  if (p.accumulate == 1u) {
    out.loss += losses[i];
    out.reward_w += rewards_chosen[i];
    out.reward_l += rewards_rejected[i];
  }
  losses[i] = out.loss;
  rewards_chosen[i] = out.reward_w;
  rewards_rejected[i] = out.reward_l;
  if (p.accumulate == 1u) {
    grad[i] += out.d_w * inv_p;
    grad[np + i] += out.d_l * inv_p;
  } else {
    grad[i] = out.d_w * inv_p;
    grad[np + i] = out.d_l * inv_p;
  }
}

// Σ over the lanes of one workgroup of v, in a fixed order; every lane gets it.
var<workgroup> lane_sums: array<vec2f, WG>;

fn workgroup_sum(lid: u32, v: vec2f) -> vec2f {
  lane_sums[lid] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      lane_sums[lid] += lane_sums[lid + half];
    }
    workgroupBarrier();
  }
  let total = lane_sums[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WG)
fn pairs(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let np = p.pairs;
  if (i >= np) {
    return;
  }
  let x = Pair(
    policy[i], policy[np + i],
    reference[i], reference[np + i],
    max(counts[i], 1.0), max(counts[np + i], 1.0),
  );
  // (Each invocation sums the P counts itself; skipped without the NLL term, the default: an
  // `if`, since select() would evaluate the loop either way.)
  var chosen_tokens = 0.0;
  if (p.nll_alpha != 0.0) {
    chosen_tokens = chosen_tokens_of(np);
  }
  write_pair(i, np, pair_loss(x), x.pw, chosen_tokens);
}

// aot and aot_pair (VARIANT 12, 13) compare the batch's sorted values, so one workgroup takes
// the whole batch (P ≤ AOT_MAX; launched with WG = 256): per pair j two values (u_j, v_j),
//   aot_pair  u = logπ_w − logπ_ref_w, v = logπ_l − logπ_ref_l
//   aot       u = logπ_w − logπ_l,     v = logπ_ref_w − logπ_ref_l (no policy: no gradient)
// sorted ascending (ties by index) into su, sv; position k's loss is the smoothed sigmoid loss
// of z_k = β·(su_k − sv_k); pair i writes position i's loss (the mean is the same). u_i sits at
// its rank r, so dL/du_i = β·ℓ'(z_r) (and for aot_pair dL/dv_i = −β·ℓ'(z_r'), r' = v_i's rank).
// Rewards are the usual β·(logπ − logπ_ref). Each lane ranks ≤ 4 pairs twice, ≤ 8 192 loop
// iterations in all (llvmpipe's limit per invocation is ~65 535).
const AOT_MAX: u32 = 1024u;
var<workgroup> sorted_u: array<f32, AOT_MAX>;
var<workgroup> sorted_v: array<f32, AOT_MAX>;

fn aot_values(j: u32, np: u32) -> vec2f {
  if (VARIANT == 13u) {
    return vec2f(policy[j] - policy[np + j], reference[j] - reference[np + j]);
  }
  return vec2f(policy[j] - reference[j], policy[np + j] - reference[np + j]);
}

// Ranks of pair i's u and v among the batch's (ascending, ties by index).
fn aot_ranks(i: u32, np: u32, x: vec2f) -> vec2u {
  var r = vec2u(0u);
  for (var j = 0u; j < np; j++) {
    let y = aot_values(j, np);
    r.x += select(0u, 1u, y.x < x.x || (y.x == x.x && j < i));
    r.y += select(0u, 1u, y.y < x.y || (y.y == x.y && j < i));
  }
  return r;
}

@compute @workgroup_size(WG)
fn aot_pairs(@builtin(local_invocation_index) lid: u32) {
  let np = p.pairs;
  var chosen = 0.0;
  for (var i = lid; i < np; i += WG) {
    let x = aot_values(i, np);
    let r = aot_ranks(i, np, x);
    sorted_u[r.x] = x.x;
    sorted_v[r.y] = x.y;
    chosen += counts[i];
  }
  // Its barriers also order the sorted arrays' writes before the reads below.
  let chosen_tokens = workgroup_sum(lid, vec2f(chosen, 0.0)).x;
  for (var i = lid; i < np; i += WG) {
    let x = aot_values(i, np);
    let r = aot_ranks(i, np, x);
    let d_u = p.beta * smoothed_sigmoid_loss(p.beta * (x.x - sorted_v[r.x])).y;
    var d_l = -d_u; // aot: u = logπ_w − logπ_l
    if (VARIANT == 12u) {
      d_l = -p.beta * smoothed_sigmoid_loss(p.beta * (sorted_u[r.y] - x.y)).y;
    }
    let loss = smoothed_sigmoid_loss(p.beta * (sorted_u[i] - sorted_v[i])).x;
    let pw = policy[i];
    let pl = policy[np + i];
    let out = PairLoss(
      loss, d_u, d_l,
      p.beta * (pw - reference[i]), p.beta * (pl - reference[np + i]),
    );
    write_pair(i, np, out, pw, chosen_tokens);
  }
}

// bco_pair (VARIANT 14): one workgroup (WG = 256). The batch's mean reward m = Σ (r_w + r_l) / 2P
// folds into the running mean first when p.update is 1 (n += 1, δ += (m − δ) / n: the mean of
// every batch's mean so far), then every pair's loss uses the new δ, a constant to the gradient:
//   dloss/dlogπ_w = −β·σ(δ − r_w),  dloss/dlogπ_l = β·σ(r_l − δ).
// running (2,): δ, n. Every lane reads it before the first barrier and computes the same δ; lane
// 0 writes it after. The sums run in a fixed order: bit-identical reruns.
@group(0) @binding(9) var<storage, read_write> running: array<f32>;         // (2,)

@compute @workgroup_size(WG)
fn bco_pairs(@builtin(local_invocation_index) lid: u32) {
  let np = p.pairs;
  let before = vec2f(running[0], running[1]);
  var sums = vec2f(0.0); // rewards, chosen tokens
  for (var i = lid; i < np; i += WG) {
    let r = p.beta * ((policy[i] - reference[i]) + (policy[np + i] - reference[np + i]));
    sums += vec2f(r, counts[i]);
  }
  let total = workgroup_sum(lid, sums);
  var delta = before.x;
  if (p.update == 1u) {
    let n = before.y + 1.0;
    delta += (total.x / f32(2u * np) - delta) / n;
    if (lid == 0u) {
      running[0] = delta;
      running[1] = n;
    }
  }
  for (var i = lid; i < np; i += WG) {
    let pw = policy[i];
    let rw = p.beta * (pw - reference[i]);
    let rl = p.beta * (policy[np + i] - reference[np + i]);
    let loss = -log_sigmoid(rw - delta) - log_sigmoid(delta - rl);
    let out = PairLoss(loss, -p.beta * sigmoid(delta - rw), p.beta * sigmoid(rl - delta), rw, rl);
    write_pair(i, np, out, pw, total.y);
  }
}

// kto_pair (VARIANT 16): one workgroup (WG = 256). KTO's HALO form on pairs (LLaMA-Factory's
// pref_loss kto_pair, TRL 0.8's): a = logπ_w − logπ_ref_w, b = logπ_l − logπ_ref_l, the batch's
// K_w = max(mean a, 0) and K_l = max(mean b, 0) (differentiated, as TRL does not detach them),
// u = β·(a − K_l), v = β·(K_w − b); TRL's loss is the mean of the 2P halves 1 − σ(u), 1 − σ(v),
// so a pair's loss is ½·(2 − σ(u) − σ(v)), and with σ' = σ(·)σ(−·) (P times dL/dlogπ, as every
// variant's d_w, d_l):
//   d_w,j = −½β·σ'(u_j) − ½β·[mean a ≥ 0]·mean_i σ'(v_i)
//   d_l,j =  ½β·σ'(v_j) + ½β·[mean b ≥ 0]·mean_i σ'(u_i)
// Three passes over the pairs, a fixed-order workgroup sum after each of the first two.
@compute @workgroup_size(WG)
fn kto_pairs(@builtin(local_invocation_index) lid: u32) {
  let np = p.pairs;
  let inv_p = 1.0 / f32(np);
  var sums = vec2f(0.0);  // Σ a, Σ b
  var chosen = 0.0;       // Σ chosen tokens (the NLL term)
  for (var i = lid; i < np; i += WG) {
    sums += vec2f(policy[i] - reference[i], policy[np + i] - reference[np + i]);
    chosen += counts[i];
  }
  let means = workgroup_sum(lid, sums) * inv_p;
  let chosen_tokens = workgroup_sum(lid, vec2f(chosen, 0.0)).x;
  let k_w = max(means.x, 0.0);
  let k_l = max(means.y, 0.0);
  var slopes = vec2f(0.0); // Σ σ'(u), Σ σ'(v)
  for (var i = lid; i < np; i += WG) {
    let u = p.beta * ((policy[i] - reference[i]) - k_l);
    let v = p.beta * (k_w - (policy[np + i] - reference[np + i]));
    slopes += vec2f(sigmoid_slope(u), sigmoid_slope(v));
  }
  let mean_slopes = workgroup_sum(lid, slopes) * inv_p;
  // (torch's clamp(min=0) passes the gradient where its input is ≥ 0: at 0 too, as at step 1)
  let via_w = select(0.0, 0.5 * p.beta * mean_slopes.y, means.x >= 0.0);
  let via_l = select(0.0, 0.5 * p.beta * mean_slopes.x, means.y >= 0.0);
  for (var i = lid; i < np; i += WG) {
    let pw = policy[i];
    let a = pw - reference[i];
    let b = policy[np + i] - reference[np + i];
    let u = p.beta * (a - k_l);
    let v = p.beta * (k_w - b);
    let loss = 0.5 * ((1.0 - sigmoid(u)) + (1.0 - sigmoid(v)));
    let d_w = -0.5 * p.beta * sigmoid_slope(u) - via_w;
    let d_l = 0.5 * p.beta * sigmoid_slope(v) + via_l;
    write_pair(i, np, PairLoss(loss, d_w, d_l, p.beta * a, p.beta * b), pw, chosen_tokens);
  }
}

@group(0) @binding(2) var<storage, read> logit_sums: array<f32>;         // (2P,)
@group(0) @binding(4) var<storage, read> losses_in: array<f32>;          // (P,)
@group(0) @binding(5) var<storage, read> chosen_in: array<f32>;          // (P,)
@group(0) @binding(6) var<storage, read> rejected_in: array<f32>;        // (P,)
@group(0) @binding(7) var<storage, read_write> metrics: array<f32>;      // (M,)

var<workgroup> red_a: array<vec4f, WG>;
var<workgroup> red_b: array<vec4f, WG>;
var<workgroup> red_c: array<vec4f, WG>;

@compute @workgroup_size(WG)
fn metrics_mean(@builtin(local_invocation_index) lid: u32) {
  let np = p.pairs;
  var a = vec4f(0.0); // loss, rewards/chosen, rewards/rejected, accuracy
  var b = vec4f(0.0); // margin, logπ_w, logπ_l, nll
  var c = vec4f(0.0); // Σ logits chosen, Σ logits rejected, count chosen, count rejected
  for (var i = lid; i < np; i += WG) {
    let rc = chosen_in[i];
    let rr = rejected_in[i];
    let pw = policy[i];
    let pl = policy[np + i];
    let cw = counts[i];
    let cl = counts[np + i];
    // The variants on length-averaged log-probs log those.
    let per_token = VARIANT == 1u || VARIANT == 3u || VARIANT == 4u || VARIANT == 15u;
    let lw = select(pw, pw / max(cw, 1.0), per_token);
    let ll = select(pl, pl / max(cl, 1.0), per_token);
    a += vec4f(losses_in[i], rc, rr, select(0.0, 1.0, rc > rr));
    b += vec4f(rc - rr, lw, ll, -pw);
    c += vec4f(0.0, 0.0, cw, cl);
    if (p.has_logits == 1u) {
      c += vec4f(logit_sums[i], logit_sums[np + i], 0.0, 0.0);
    }
  }
  red_a[lid] = a;
  red_b[lid] = b;
  red_c[lid] = c;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      red_a[lid] += red_a[lid + half];
      red_b[lid] += red_b[lid + half];
      red_c[lid] += red_c[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let inv_p = 1.0 / f32(np);
    let sa = red_a[0] * inv_p;
    let sb = red_b[0] * inv_p;
    metrics[0] = sa.x;
    metrics[1] = sa.y;
    metrics[2] = sa.z;
    metrics[3] = sa.w;
    metrics[4] = sb.x;
    metrics[5] = sb.y;
    metrics[6] = sb.z;
    let sc = red_c[0];
    metrics[7] = red_b[0].w / max(sc.z, 1.0);
    if (p.has_logits == 1u) {
      metrics[8] = sc.x / (p.vocab * sc.z);
      metrics[9] = sc.y / (p.vocab * sc.w);
    }
  }
}

// kto (VARIANT 17) and apo_zero_unpaired (18, z0 = 0): one workgroup (WG = 256). KTO on unpaired examples (TRL's KTOTrainer,
// LLaMA-Factory's stage kto). "Pair" i is example i: row i its response y_i, labelled l_i (1
// desirable, 0 undesirable), and row P + i its KL completion y'_i (another example's response to
// the same prompt x_i). With r_i = logπ(y_i) − logπ_ref(y_i) and
//   z0 = max(0, mean_i (logπ(y'_i) − logπ_ref(y'_i))),
// a constant to the gradient (TRL computes the KL rows without gradient):
//   loss_i = λ_D·(1 − σ(u_i)), u_i = β(r_i − z0)   (desirable)
//            λ_U·(1 − σ(v_i)), v_i = β(z0 − r_i)   (undesirable)
//   L = mean_i loss_i;  dL/dlogπ(y_i) = −λ_D·β·σ'(u_i) / P  or  λ_U·β·σ'(v_i) / P;
//   dL/dlogπ(y'_i) = 0.
// rewards_chosen[i] = β·r_i, rewards_rejected[i] = β·(the KL row's log-ratio). Its metrics
// (kto_metrics, 12 values) are sums where TRL logs sum ÷ count, so that micro-batches combine:
//   0 loss (mean over the batch), 1 Σ rewards and 2 Σ logπ of the desirable responses,
//   3 z0 (TRL's kl), 4 Σ rewards and 5 Σ logπ of the undesirable ones, 6 desirable count,
//   7 undesirable count, 8 and 9 Σ logit sums (desirable, undesirable; with has_logits),
//   10 and 11 Σ response tokens (desirable, undesirable).
@group(0) @binding(8) var<storage, read> labels: array<f32>;                // (P,)
@group(0) @binding(9) var<storage, read> kto_logits: array<f32>;            // (2P,)
@group(0) @binding(10) var<storage, read_write> kto_metrics: array<f32>;    // (12,)

@compute @workgroup_size(WG)
fn kto_examples(@builtin(local_invocation_index) lid: u32) {
  let np = p.pairs;
  let inv_p = 1.0 / f32(np);
  var kl = 0.0;
  for (var i = lid; i < np; i += WG) {
    kl += policy[np + i] - reference[np + i];
  }
  let z0 = select(max(workgroup_sum(lid, vec2f(kl, 0.0)).x * inv_p, 0.0), 0.0, VARIANT == 18u);
  var loss_n = vec2f(0.0);   // Σ loss, unused
  var rewards = vec2f(0.0);  // Σ β·r: desirable, undesirable
  var logps = vec2f(0.0);    // Σ logπ: desirable, undesirable
  var counts_ = vec2f(0.0);  // examples: desirable, undesirable
  var logits = vec2f(0.0);   // Σ logit sums: desirable, undesirable
  var tokens = vec2f(0.0);   // Σ response tokens: desirable, undesirable
  for (var i = lid; i < np; i += WG) {
    let pw = policy[i];
    let r = pw - reference[i];
    let good = labels[i] > 0.5;
    var loss: f32;
    var d: f32;
    if (good) {
      let u = p.beta * (r - z0);
      loss = p.desirable * (1.0 - sigmoid(u));
      d = -p.desirable * p.beta * sigmoid_slope(u);
    } else {
      let v = p.beta * (z0 - r);
      loss = p.undesirable * (1.0 - sigmoid(v));
      d = p.undesirable * p.beta * sigmoid_slope(v);
    }
    losses[i] = loss;
    rewards_chosen[i] = p.beta * r;
    rewards_rejected[i] = p.beta * (policy[np + i] - reference[np + i]);
    grad[i] = d * inv_p;
    grad[np + i] = 0.0;
    let side = select(vec2f(0.0, 1.0), vec2f(1.0, 0.0), good);
    loss_n.x += loss;
    rewards += side * (p.beta * r);
    logps += side * pw;
    counts_ += side;
    tokens += side * counts[i];
    if (p.has_logits == 1u) {
      logits += side * kto_logits[i];
    }
  }
  let s_loss = workgroup_sum(lid, loss_n);
  let s_rewards = workgroup_sum(lid, rewards);
  let s_logps = workgroup_sum(lid, logps);
  let s_counts = workgroup_sum(lid, counts_);
  let s_logits = workgroup_sum(lid, logits);
  let s_tokens = workgroup_sum(lid, tokens);
  if (lid == 0u) {
    kto_metrics[0] = s_loss.x * inv_p;
    kto_metrics[1] = s_rewards.x;
    kto_metrics[2] = s_logps.x;
    kto_metrics[3] = z0;
    kto_metrics[4] = s_rewards.y;
    kto_metrics[5] = s_logps.y;
    kto_metrics[6] = s_counts.x;
    kto_metrics[7] = s_counts.y;
    kto_metrics[8] = s_logits.x;
    kto_metrics[9] = s_logits.y;
    kto_metrics[10] = s_tokens.x;
    kto_metrics[11] = s_tokens.y;
  }
}
