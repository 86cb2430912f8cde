/**
 * The whole transformer in float64 on the CPU, built from the kernels' float64 references
 * (`kernels/reference.ts`): the oracle for the GPU model's log-probs and gradients, itself checked
 * against finite differences in the tests. Slow by design; only for tiny models.
 *
 * Layouts match the GPU model: rows of `B` sequences of `T` tokens, right padding, token
 * `n = b·T + t`; per-token log-probs of `targets` (−1: ignored, log-prob 0).
 *
 * @module
 */
import { ropeAttentionFactor, ropeFrequencies } from "../kernels/rope.ts";
import * as ref from "../kernels/reference.ts";
import {
  attentionScale,
  embeddingPadRow,
  embeddingScale,
  hasGptBlock,
  hasLayerNorm,
  hasSharedNorm,
  isGemma,
  layerRope,
  layerUsesRope,
  layerWindow,
  logitScale,
  type ModelConfig,
  normOffset,
  residualScale,
  ropeDim,
} from "./config.ts";
import { modelNames, type WeightLayout } from "./params.ts";

/** Float64 (or float32) parameter values by internal name. */
export type RefParams = Map<string, ArrayLike<number>>;

/** A batch for the reference model. */
export interface RefBatch {
  /** (B·T) input token ids. */
  tokens: ArrayLike<number>;
  /** (B·T) target ids; −1 where ignored. */
  targets: ArrayLike<number>;
  /** (B) valid tokens per row. */
  lengths: ArrayLike<number>;
  /** B. */
  batch: number;
  /** T. */
  seqLen: number;
}

/** What the forward keeps for the backward. */
interface Saved {
  layers: {
    x: Float64Array;
    h1: Float64Array;
    q: Float64Array;
    k: Float64Array;
    /** qwen3: q and k before their per-head norms (else the same as q, k before RoPE). */
    qRaw: Float64Array;
    kRaw: Float64Array;
    v: Float64Array;
    att: Float64Array;
    mid: Float64Array;
    h2: Float64Array;
    a: Float64Array; // gpt2: fc pre-activation; llama: gate
    b: Float64Array; // gpt2: GELU output; llama: up
    s: Float64Array; // llama: SwiGLU output (gpt2: same as b)
    oRaw: Float64Array; // gemma2/3: the attention projection before its norm
    mRaw: Float64Array; // gemma2/3: the MLP output before its norm
  }[];
  xL: Float64Array;
  hF: Float64Array;
  logits: Float64Array;
}

/**
 * A float64 forward and backward of a {@linkcode ModelConfig} over given parameters.
 *
 * @example
 * ```ts
 * import { ReferenceModel } from "./reference_model.ts";
 * import { tinyConfig } from "./config.ts";
 * import { initParams } from "./params.ts";
 * const c = tinyConfig("gpt2");
 * const m = new ReferenceModel(c, initParams(c, { seed: 1 }));
 * const logp = m.forward({ tokens: [1, 2, 3], targets: [2, 3, -1], lengths: [3], batch: 1, seqLen: 3 });
 * ```
 */
export class ReferenceModel {
  readonly config: ModelConfig;
  readonly params: RefParams;
  #saved: Saved | null = null;
  #batch: RefBatch | null = null;

  /** Each layer's RoPE θ and (scaled RoPE) inverse frequencies; null where it has none. */
  readonly #ropes: (
    | { theta: number; frequencies?: Float64Array; attentionFactor: number; rotaryDim: number }
    | null
  )[];

  constructor(config: ModelConfig, params: RefParams) {
    this.config = config;
    this.params = params;
    this.#ropes = Array.from({ length: config.numLayers }, (_, l) => {
      if (!layerUsesRope(config, l)) return null;
      const { theta, scaling } = layerRope(config, l);
      return {
        theta,
        ...(scaling ? { frequencies: ropeFrequencies(ropeDim(config), theta, scaling) } : {}),
        rotaryDim: ropeDim(config),
        attentionFactor: ropeAttentionFactor(scaling),
      };
    });
  }

  #p(name: string | undefined): ArrayLike<number> {
    const v = name ? this.params.get(name) : undefined;
    if (!v) throw new RangeError(`ReferenceModel: parameter "${name}" is missing`);
    return v;
  }

  /** Per-token log-probs (B·T) of the targets. */
  forward(batch: RefBatch): Float64Array {
    const c = this.config, names = modelNames(c);
    const { batch: B, seqLen: T } = batch;
    const N = B * T, C = c.hiddenSize, NH = c.numHeads, NKV = c.numKvHeads, HS = c.headDim;
    const F = c.intermediateSize, V = c.vocabSize;
    const shape = this.#attentionShape(B, T);
    let x = ref.embeddingForward(batch.tokens, this.#p(names.wte), {
      channels: C,
      wpe: names.wpe ? this.#p(names.wpe) : undefined,
      seqLen: T,
      scale: embeddingScale(c),
    });
    const saved: Saved["layers"] = [];
    for (const [l, ln] of names.layers.entries()) {
      const h1 = ln.norm1 ? this.#norm(x, ln.norm1, ln.norm1Bias) : x; // (olmo2: none)
      const qRaw = linear(h1, this.#p(ln.q), this.#opt(ln.qBias), N, C, NH * HS, names.layout);
      const kRaw = linear(h1, this.#p(ln.k), this.#opt(ln.kBias), N, C, NKV * HS, names.layout);
      const v = linear(h1, this.#p(ln.v), this.#opt(ln.vBias), N, C, NKV * HS, names.layout);
      // qwen3: an RMSNorm over each head (rows of HS) of q and k, before RoPE.
      let q = ln.qNorm ? this.#norm(qRaw, ln.qNorm, undefined) : qRaw;
      let k = ln.kNorm ? this.#norm(kRaw, ln.kNorm, undefined) : kRaw;
      const rope = this.#ropes[l];
      if (rope) {
        q = ref.ropeForward(q, { seqLen: T, nHeads: NH, headSize: HS, ...rope });
        k = ref.ropeForward(k, { seqLen: T, nHeads: NKV, headSize: HS, ...rope });
      }
      const { out: att } = ref.attentionForward(
        { q, k, v, lengths: batch.lengths },
        { ...shape, window: layerWindow(c, l) },
      );
      const oRaw = linear(att, this.#p(ln.o), this.#opt(ln.oBias), N, NH * HS, C, names.layout);
      // gemma2/3: attention and MLP outputs are normalized before their residual adds.
      const o = ln.postAttnNorm ? this.#norm(oRaw, ln.postAttnNorm, undefined) : oRaw;
      const rs = residualScale(c); // granite's residual multiplier
      const mid = ref.residualForward(x, o, rs);
      // gpt_neox's parallel residual: the MLP reads the norm of the block's input.
      const mlpIn = c.parallelResidual ? x : mid;
      // (phi: the MLP reads the attention's input norm)
      const h2 = hasSharedNorm(c)
        ? h1
        : ln.norm2
        ? this.#norm(mlpIn, ln.norm2, ln.norm2Bias)
        : mlpIn;
      let a: Float64Array, b: Float64Array, s: Float64Array, mRaw: Float64Array;
      if (hasGptBlock(c)) {
        a = linear(h2, this.#p(ln.fc), this.#opt(ln.fcBias), N, C, F, names.layout);
        b = s = ref.geluForward(a, c.exactGelu);
        mRaw = linear(s, this.#p(ln.proj), this.#opt(ln.projBias), N, F, C, names.layout);
      } else {
        a = linear(h2, this.#p(ln.gate), undefined, N, C, F, names.layout);
        b = linear(h2, this.#p(ln.up), undefined, N, C, F, names.layout);
        s = isGemma(c) ? ref.gegluForward(a, b, c.exactGelu) : ref.swigluForward(a, b);
        mRaw = linear(s, this.#p(ln.down), undefined, N, F, C, names.layout);
      }
      const m = ln.postMlpNorm ? this.#norm(mRaw, ln.postMlpNorm, undefined) : mRaw;
      saved.push({ x, h1, q, k, qRaw, kRaw, v, att, mid, h2, a, b, s, oRaw, mRaw });
      x = ref.residualForward(mid, m, rs);
    }
    const hF = this.#norm(x, names.normF, names.normFBias);
    const head = this.#p(names.head ?? names.wte);
    // (granite: the logits ÷ logits_scaling)
    const k = logitScale(c);
    const bias = this.#opt(names.headBias); // (phi's head bias)
    const logits = linear(hF, head, bias, N, C, V, "out_in").map((v) => v * k);
    this.#saved = { layers: saved, xL: x, hF, logits };
    this.#batch = batch;
    return ref.logSoftmaxGather(logits, batch.targets, V, c.finalSoftcap).logp;
  }

  /**
   * Per-token `log Σ_v p_v²` of the last forward's distributions (WPO's weights), as the GPU
   * model's `logSumSq`.
   */
  logSumSquares(): Float64Array {
    const saved = this.#saved, batch = this.#batch;
    if (!saved || !batch) {
      throw new RangeError("ReferenceModel.logSumSquares needs a forward first");
    }
    const c = this.config;
    return ref.logSoftmaxGather(saved.logits, batch.targets, c.vocabSize, c.finalSoftcap).logSumSq;
  }

  /**
   * Gradients of `L = Σₙ coef[n]·logp[n]` for the last forward, by internal name.
   */
  backward(coef: ArrayLike<number>): Map<string, Float64Array> {
    const saved = this.#saved, batch = this.#batch;
    if (!saved || !batch) throw new RangeError("ReferenceModel.backward needs a forward first");
    const c = this.config, names = modelNames(c);
    const { batch: B, seqLen: T } = batch;
    const N = B * T, C = c.hiddenSize, NH = c.numHeads, NKV = c.numKvHeads, HS = c.headDim;
    const F = c.intermediateSize, V = c.vocabSize;
    const shape = this.#attentionShape(B, T);
    const grads = new Map<string, Float64Array>();
    const add = (name: string | undefined, g: Float64Array) => {
      if (!name) return;
      const prev = grads.get(name);
      if (!prev) grads.set(name, Float64Array.from(g));
      else for (let i = 0; i < g.length; i++) prev[i] += g[i];
    };
    const k = logitScale(c), rs = residualScale(c);
    const dLogits = ref.logSoftmaxBackward(saved.logits, batch.targets, coef, V, c.finalSoftcap)
      .map((v) => v * k);
    const head = this.#p(names.head ?? names.wte);
    const gh = linearBackward(dLogits, saved.hF, head, N, C, V, "out_in");
    add(names.head ?? names.wte, gh.dW);
    add(names.headBias, gh.dBias);
    let dx = this.#normBackward(saved.xL, gh.dx, names.normF, names.normFBias, add);
    for (let l = c.numLayers - 1; l >= 0; l--) {
      const ln = names.layers[l], s = saved.layers[l];
      // MLP (gemma2/3: back through the norm of its output first)
      let dh2: Float64Array;
      // (granite: the MLP output entered the residual stream ×rs)
      const dxs = rs === 1 ? dx : dx.map((v) => v * rs);
      const dm = ln.postMlpNorm
        ? this.#normBackward(s.mRaw, dxs, ln.postMlpNorm, undefined, add)
        : dxs;
      if (hasGptBlock(c)) {
        const gp = linearBackward(dm, s.s, this.#p(ln.proj), N, F, C, names.layout);
        add(ln.proj, gp.dW);
        add(ln.projBias, gp.dBias);
        const da = ref.geluBackward(s.a, gp.dx, c.exactGelu);
        const gf = linearBackward(da, s.h2, this.#p(ln.fc), N, C, F, names.layout);
        add(ln.fc, gf.dW);
        add(ln.fcBias, gf.dBias);
        dh2 = gf.dx;
      } else {
        const gd = linearBackward(dm, s.s, this.#p(ln.down), N, F, C, names.layout);
        add(ln.down, gd.dW);
        const { dGate, dUp } = isGemma(c)
          ? ref.gegluBackward(s.a, s.b, gd.dx, c.exactGelu)
          : ref.swigluBackward(s.a, s.b, gd.dx);
        const gg = linearBackward(dGate, s.h2, this.#p(ln.gate), N, C, F, names.layout);
        const gu = linearBackward(dUp, s.h2, this.#p(ln.up), N, C, F, names.layout);
        add(ln.gate, gg.dW);
        add(ln.up, gu.dW);
        dh2 = ref.residualForward(gg.dx, gu.dx);
      }
      const mlpIn = c.parallelResidual ? s.x : s.mid, shared = hasSharedNorm(c);
      // phi: dh2 is part of the input norm's gradient, added to q, k, v's below.
      const dMid = shared ? dx : ref.residualForward(
        dx,
        ln.norm2 ? this.#normBackward(mlpIn, dh2, ln.norm2, ln.norm2Bias, add) : dh2,
      );
      // Attention (with a parallel residual its output's gradient is the block output's, and
      // dMid, the MLP's part included, goes to the block's input)
      const dAttOut = c.parallelResidual || shared ? dx : dMid;
      const dMids = rs === 1 ? dAttOut : dAttOut.map((v) => v * rs);
      const dO = ln.postAttnNorm
        ? this.#normBackward(s.oRaw, dMids, ln.postAttnNorm, undefined, add)
        : dMids;
      const go = linearBackward(dO, s.att, this.#p(ln.o), N, NH * HS, C, names.layout);
      add(ln.o, go.dW);
      add(ln.oBias, go.dBias);
      const g = ref.attentionBackward(
        { q: s.q, k: s.k, v: s.v, lengths: batch.lengths, dOut: go.dx },
        { ...shape, window: layerWindow(c, l) },
      );
      let dQ = g.dQ, dK = g.dK;
      const rope = this.#ropes[l];
      if (rope) {
        dQ = ref.ropeBackward(dQ, { seqLen: T, nHeads: NH, headSize: HS, ...rope });
        dK = ref.ropeBackward(dK, { seqLen: T, nHeads: NKV, headSize: HS, ...rope });
      }
      if (ln.qNorm) dQ = this.#normBackward(s.qRaw, dQ, ln.qNorm, undefined, add);
      if (ln.kNorm) dK = this.#normBackward(s.kRaw, dK, ln.kNorm, undefined, add);
      const gq = linearBackward(dQ, s.h1, this.#p(ln.q), N, C, NH * HS, names.layout);
      const gk = linearBackward(dK, s.h1, this.#p(ln.k), N, C, NKV * HS, names.layout);
      const gv = linearBackward(g.dV, s.h1, this.#p(ln.v), N, C, NKV * HS, names.layout);
      add(ln.q, gq.dW);
      add(ln.k, gk.dW);
      add(ln.v, gv.dW);
      add(ln.qBias, gq.dBias);
      add(ln.kBias, gk.dBias);
      add(ln.vBias, gv.dBias);
      const dqkv = ref.residualForward(ref.residualForward(gq.dx, gk.dx), gv.dx);
      const dh1 = shared ? ref.residualForward(dqkv, dh2) : dqkv;
      const dIn = ln.norm1 ? this.#normBackward(s.x, dh1, ln.norm1, ln.norm1Bias, add) : dh1;
      dx = ref.residualForward(dMid, dIn);
    }
    const e = ref.embeddingBackward(batch.tokens, dx, {
      channels: C,
      vocabSize: V,
      maxPositions: names.wpe ? c.maxPositions : undefined,
      seqLen: T,
      scale: embeddingScale(c),
    });
    // (padding_idx: the pad row's lookups give it no gradient)
    const pad = embeddingPadRow(c);
    if (pad !== null) e.dWte.fill(0, pad * C, (pad + 1) * C);
    add(names.wte, e.dWte);
    if (names.wpe && e.dWpe) add(names.wpe, e.dWpe);
    return grads;
  }

  /** The reference attention's sizes and options for a (B, T) batch. */
  #attentionShape(B: number, T: number) {
    const c = this.config;
    return {
      batch: B,
      seqLen: T,
      nHeads: c.numHeads,
      nKvHeads: c.numKvHeads,
      headSize: c.headDim,
      scale: attentionScale(c),
      softcap: c.attnSoftcap,
    };
  }

  #opt(name: string | undefined): ArrayLike<number> | undefined {
    return name ? this.#p(name) : undefined;
  }

  #norm(x: Float64Array, weight: string, bias: string | undefined): Float64Array {
    const eps = this.config.normEps;
    // (Cohere's LayerNorm has no bias: a zero one)
    const shift = bias ? this.#p(bias) : new Float64Array(this.#p(weight).length);
    return hasLayerNorm(this.config)
      ? ref.layerNormForward(x, this.#p(weight), shift, { eps }).out
      : ref.rmsNormForward(x, this.#p(weight), { eps, offset: normOffset(this.config) }).out;
  }

  #normBackward(
    x: Float64Array,
    dOut: Float64Array,
    weight: string,
    bias: string | undefined,
    add: (name: string | undefined, g: Float64Array) => void,
  ): Float64Array {
    const eps = this.config.normEps;
    if (hasLayerNorm(this.config)) {
      const g = ref.layerNormBackward(x, this.#p(weight), dOut, { eps });
      add(weight, g.dWeight);
      add(bias, g.dBias);
      return g.dx;
    }
    const g = ref.rmsNormBackward(x, this.#p(weight), dOut, {
      eps,
      offset: normOffset(this.config),
    });
    add(weight, g.dWeight);
    return g.dx;
  }
}

/** `y (N, O) = x (N, I)·W + b`, W stored (I, O) or (O, I). */
function linear(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  n: number,
  i: number,
  o: number,
  layout: WeightLayout,
): Float64Array {
  return ref.matmul(x, w, { m: n, k: i, n: o, transB: layout === "out_in", bias });
}

/** Gradients of {@linkcode linear}: dx (N, I), dW in W's layout, dBias (O). */
function linearBackward(
  dy: Float64Array,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  n: number,
  i: number,
  o: number,
  layout: WeightLayout,
): { dx: Float64Array; dW: Float64Array; dBias: Float64Array } {
  const g = ref.matmulBackward(dy, x, w, { m: n, k: i, n: o, transB: layout === "out_in" });
  return { dx: g.dA, dW: g.dB, dBias: g.dBias };
}
