/**
 * The pieces the transformer composes, each behind one signature for every family: linear layers
 * in either weight layout, the norm (LayerNorm for gpt2, RMSNorm for llama/qwen2, with Gemma's
 * weight offset) and the MLP activation (GELU for gpt2, SwiGLU for llama/qwen2, GeGLU for Gemma).
 *
 * @module
 */
import {
  GELU_MLP_FAMILIES,
  hasLayerNorm,
  layerRope,
  layerUsesRope,
  type ModelConfig,
  type ModelFamily,
  normOffset,
  ropeDim,
} from "./config.ts";
import type { WeightLayout } from "./params.ts";
import type { Encoder, Gpu, Tensor } from "../kernels/gpu.ts";
import { ropeTable } from "../kernels/rope.ts";
import {
  gegluBackward,
  gegluForward,
  geluBackward,
  geluForward,
  swigluBackward,
  swigluForward,
} from "../kernels/activation.ts";
import { biasGrad, matmul } from "../kernels/matmul.ts";
import {
  layerNormBackward,
  layerNormForward,
  rmsNormBackward,
  rmsNormForward,
} from "../kernels/norm.ts";

/** Tensors of {@linkcode linearForward}. */
export interface LinearForwardArgs {
  /** (N, I) input. */
  x: Tensor;
  /** (N, O) output. */
  y: Tensor;
  /** (I, O) with layout `in_out`, (O, I) with `out_in`. */
  w: Tensor;
  /** (O,) bias. */
  bias?: Tensor;
  /** How `w` is stored. */
  layout: WeightLayout;
}

/**
 * `y = x·W (+ b)` with W in either stored layout.
 *
 * @example
 * ```ts
 * import { linearForward } from "./blocks.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 2]), [1, 2]), w = gpu.upload(new Float32Array([3, 4]), [1, 2]);
 * const y = gpu.tensor([1, 1]);
 * const enc = gpu.encoder();
 * linearForward(enc, { x, y, w, layout: "out_in" }); // y = 1·3 + 2·4
 * gpu.submit(enc);
 * ```
 */
export function linearForward(enc: Encoder, args: LinearForwardArgs): void {
  const { x, y, w, bias, layout } = args;
  const [n, i] = x.shape, o = y.shape[1];
  matmul(enc, { out: y, a: x, b: w, transB: layout === "out_in", bias, m: n, n: o, k: i });
}

/** Tensors of {@linkcode linearBackward}. */
export interface LinearBackwardArgs {
  /** (N, O) gradient of the output. */
  dy: Tensor;
  /** (N, I) the forward's input. */
  x: Tensor;
  /** (N, I) gradient of the input: overwritten, or added to with `accumulateDx`. */
  dx: Tensor;
  /** The weight, as in {@linkcode LinearForwardArgs}. */
  w: Tensor;
  /** Its gradient, accumulated (`+=`); none for a frozen weight (LoRA). */
  dW?: Tensor;
  /** (O,) the bias's gradient, accumulated. */
  dBias?: Tensor;
  /** How `w` is stored. */
  layout: WeightLayout;
  /** Add to `dx` instead of overwriting it (several layers reading one input). */
  accumulateDx?: boolean;
  /** α: the output's gradient is α·dy (Granite's residual multiplier after the layer). Default 1. */
  alpha?: number;
}

/**
 * The backward of {@linkcode linearForward}: `dx = dy·Wᵀ`, `dW += xᵀ·dy` (in W's layout),
 * `dBias += Σ dy`.
 *
 * @example
 * ```ts
 * import { linearBackward } from "./blocks.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const t = (...s: number[]) => gpu.upload(new Float32Array(s.reduce((a, b) => a * b)).fill(1), s);
 * const enc = gpu.encoder();
 * linearBackward(enc, { dy: t(4, 3), x: t(4, 2), dx: t(4, 2), w: t(3, 2), dW: t(3, 2), layout: "out_in" });
 * gpu.submit(enc);
 * ```
 */
export function linearBackward(enc: Encoder, args: LinearBackwardArgs): void {
  const { dy, x, dx, w, dW, dBias, layout, accumulateDx = false, alpha = 1 } = args;
  const [n, i] = x.shape, o = dy.shape[1];
  const beta = accumulateDx ? 1 : 0;
  const a = alpha === 1 ? {} : { alpha }; // (1: the products as they always ran)
  matmul(enc, { out: dx, a: dy, b: w, transB: layout === "in_out", beta, m: n, n: i, k: o, ...a });
  if (!dW) { /* frozen */ }
  else if (layout === "in_out") {
    // dW (I, O) += xᵀ·dy
    matmul(enc, { out: dW, a: x, b: dy, transA: true, beta: 1, m: i, n: o, k: n, ...a });
  } else {
    // dW (O, I) += dyᵀ·x
    matmul(enc, { out: dW, a: dy, b: x, transA: true, beta: 1, m: o, n: i, k: n, ...a });
  }
  if (dBias) {
    if (alpha !== 1) throw new RangeError("linearBackward: alpha with a bias is not implemented");
    biasGrad(enc, { dBias, dOut: dy });
  }
}

/** Tensors of {@linkcode normForward}. */
export interface NormForwardArgs {
  /** (N, C) input. */
  x: Tensor;
  /** (N, C) output. */
  out: Tensor;
  /** (N,) saved mean (LayerNorm only; unused by RMSNorm). */
  mean: Tensor;
  /** (N,) saved 1/σ. */
  rstd: Tensor;
  /** (C,) weight. */
  weight: Tensor;
  /** (C,) bias (LayerNorm). */
  bias?: Tensor;
}

/**
 * The family's norm: LayerNorm (gpt2) or RMSNorm (llama, mistral, qwen2; Gemma's scales by
 * 1 + w), with the config's ε.
 *
 * @example
 * ```ts
 * import { normForward } from "./blocks.ts";
 * import { tinyConfig } from "./config.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 2, 3, 4]), [2, 2]), weight = gpu.upload(new Float32Array([1, 1]));
 * const enc = gpu.encoder();
 * normForward(enc, tinyConfig("llama"), { x, out: gpu.tensor([2, 2]), mean: gpu.tensor([2]), rstd: gpu.tensor([2]), weight });
 * gpu.submit(enc);
 * ```
 */
export function normForward(enc: Encoder, config: ModelConfig, args: NormForwardArgs): void {
  const { x, out, mean, rstd, weight, bias } = args, eps = config.normEps;
  if (hasLayerNorm(config)) {
    if (!bias && !config.family.startsWith("cohere")) {
      throw new TypeError("normForward: LayerNorm needs a bias");
    }
    layerNormForward(enc, { out, mean, rstd, x, weight, bias, eps });
  } else rmsNormForward(enc, { out, rstd, x, weight, eps, offset: normOffset(config) });
}

/** Tensors of {@linkcode normBackward}. */
export interface NormBackwardArgs {
  /** (N, C) the forward's input. */
  x: Tensor;
  /** (N, C) gradient of the output. */
  dOut: Tensor;
  /** (N, C) gradient of the input, overwritten. */
  dx: Tensor;
  /** (N,) saved mean of the forward. */
  mean: Tensor;
  /** (N,) saved 1/σ of the forward. */
  rstd: Tensor;
  /** (C,) weight. */
  weight: Tensor;
  /** (C,) weight gradient (`+=`). */
  dWeight: Tensor;
  /** (C,) bias gradient (`+=`, LayerNorm). */
  dBias?: Tensor;
}

/**
 * The backward of {@linkcode normForward}.
 *
 * @example
 * ```ts
 * import { normBackward } from "./blocks.ts";
 * import { tinyConfig } from "./config.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const t = (...s: number[]) => gpu.upload(new Float32Array(s.reduce((a, b) => a * b)).fill(1), s);
 * const enc = gpu.encoder();
 * normBackward(enc, tinyConfig("llama"), { x: t(2, 2), dOut: t(2, 2), dx: t(2, 2), mean: t(2), rstd: t(2), weight: t(2), dWeight: t(2) });
 * gpu.submit(enc);
 * ```
 */
export function normBackward(enc: Encoder, config: ModelConfig, args: NormBackwardArgs): void {
  const { x, dOut, dx, mean, rstd, weight, dWeight, dBias } = args;
  if (hasLayerNorm(config)) {
    if (!dBias && !config.family.startsWith("cohere")) {
      throw new TypeError("normBackward: LayerNorm needs a bias gradient");
    }
    layerNormBackward(enc, { dx, dWeight, dBias, dOut, x, weight, mean, rstd });
  } else {
    rmsNormBackward(enc, { dx, dWeight, dOut, x, weight, rstd, offset: normOffset(config) });
  }
}

/** Tensors of {@linkcode activationForward}: (N, F) each. */
export interface ActivationForwardArgs {
  /** Result. */
  out: Tensor;
  /** gpt2: the pre-activation; llama: the gate. */
  a: Tensor;
  /** llama: the up projection (unused by gpt2). */
  b: Tensor;
  /** Gemma 2/3, GPT-NeoX: the exact GELU (the config's `exactGelu`). */
  exact?: boolean;
}

/**
 * `out = gelu(a)` (gpt2, gpt_neox, phi), `out = silu(a)·b` (llama, mistral, qwen2) or `out = gelu(a)·b`
 * (gemma, gemma2, gemma3).
 *
 * @example
 * ```ts
 * import { activationForward } from "./blocks.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const a = gpu.upload(new Float32Array([1, -1])), b = gpu.upload(new Float32Array([2, 2]));
 * const out = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * activationForward(enc, "llama", { out, a, b });
 * gpu.submit(enc);
 * ```
 */
export function activationForward(
  enc: Encoder,
  family: ModelFamily,
  args: ActivationForwardArgs,
): void {
  if (GELU_MLP_FAMILIES.includes(family)) {
    geluForward(enc, { out: args.out, x: args.a, exact: args.exact });
  } else if (family.startsWith("gemma")) {
    gegluForward(enc, { out: args.out, gate: args.a, up: args.b, exact: args.exact });
  } else swigluForward(enc, { out: args.out, gate: args.a, up: args.b });
}

/** Tensors of {@linkcode activationBackward}: (N, F) each. */
export interface ActivationBackwardArgs {
  /** Gradient of the output. */
  dOut: Tensor;
  /** The forward's `a`. */
  a: Tensor;
  /** The forward's `b`. */
  b: Tensor;
  /** Gradient for `a`, overwritten. */
  dA: Tensor;
  /** Gradient for `b`, overwritten (llama only). */
  dB: Tensor;
  /** Gemma: the exact GELU, as in the forward. */
  exact?: boolean;
}

/**
 * The backward of {@linkcode activationForward}.
 *
 * @example
 * ```ts
 * import { activationBackward } from "./blocks.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const t = () => gpu.upload(new Float32Array([1, -1]));
 * const enc = gpu.encoder();
 * activationBackward(enc, "gpt2", { dOut: t(), a: t(), b: t(), dA: gpu.tensor([2]), dB: gpu.tensor([2]) });
 * gpu.submit(enc);
 * ```
 */
export function activationBackward(
  enc: Encoder,
  family: ModelFamily,
  args: ActivationBackwardArgs,
): void {
  if (GELU_MLP_FAMILIES.includes(family)) {
    geluBackward(enc, { dx: args.dA, x: args.a, dOut: args.dOut, exact: args.exact });
  } else {
    (family.startsWith("gemma") ? gegluBackward : swigluBackward)(enc, {
      dGate: args.dA,
      dUp: args.dB,
      gate: args.a,
      up: args.b,
      dOut: args.dOut,
      exact: args.exact,
    });
  }
}

/** One layer's RoPE tables, (P, R/2) each (R: {@linkcode ropeDim}). */
export interface RopeTables {
  /** (P, R/2) cos of each position's angles. */
  cos: Tensor;
  /** (P, R/2) sin of each position's angles. */
  sin: Tensor;
}

/**
 * The RoPE cos/sin tables of every layer for `positions` positions ({@linkcode layerRope}: one
 * pair for most models, two for Gemma 3, whose sliding layers rotate with their own base; null
 * for SmolLM3's NoPE layers), each distinct pair uploaded once; null for gpt2 (learned positions).
 * `all` lists the tensors to release.
 *
 * @example
 * ```ts
 * import { layerRopeTables } from "./blocks.ts";
 * import { tinyConfig } from "./config.ts";
 * import { Gpu } from "../kernels/gpu.ts";
 * const gpu = await Gpu.create();
 * const ropes = layerRopeTables(gpu, tinyConfig("gemma3"), 64);
 * console.log(ropes?.all.length); // 2: one table pair, every layer slides
 * ```
 */
export function layerRopeTables(
  gpu: Gpu,
  config: ModelConfig,
  positions: number,
): { layers: (RopeTables | null)[]; all: Tensor[] } | null {
  if (config.family === "gpt2") return null;
  const byKey = new Map<string, RopeTables>();
  const R = ropeDim(config), half = R / 2;
  const layers = Array.from({ length: config.numLayers }, (_, l) => {
    if (!layerUsesRope(config, l)) return null;
    const { theta, scaling } = layerRope(config, l);
    const key = JSON.stringify([theta, scaling]);
    let tables = byKey.get(key);
    if (!tables) {
      const t = ropeTable({ maxPositions: positions, headSize: R, theta, scaling });
      const label = byKey.size ? `rope ${byKey.size + 1}` : "rope";
      tables = {
        cos: gpu.upload(t.cos, [positions, half], { label: `${label} cos` }),
        sin: gpu.upload(t.sin, [positions, half], { label: `${label} sin` }),
      };
      byKey.set(key, tables);
    }
    return tables;
  });
  return { layers, all: [...byKey.values()].flatMap((t) => [t.cos, t.sin]) };
}
