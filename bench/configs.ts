/**
 * The bench's model configurations and the matmul shapes one training step of each runs.
 *
 * @module
 */
import { type ModelConfig, tinyConfig } from "../model/config.ts";

/** A model and the batch one training step runs. */
export interface BenchConfig {
  /** Name in reports. */
  name: "tiny" | "gpt2-small";
  /** The model. */
  model: ModelConfig;
  /** Preference pairs per DPO step (rows = 2·pairs). */
  pairs: number;
  /** Rows of an SFT step. */
  sftRows: number;
  /** T, tokens per row (every row full). */
  seqLen: number;
  /** Whether a software adapter can run it in reasonable time. */
  software: boolean;
}

/**
 * `tiny`: the TensorFlow.js peer's model — 2 GPT-2 blocks, C 128, 4 heads, vocabulary 256, T 64,
 * 4 rows (DPO: 2 pairs), an untied head like the peer's.
 *
 * @example
 * ```ts
 * import { TINY } from "./configs.ts";
 * console.log(TINY.model.hiddenSize, TINY.pairs * 2); // 128 4
 * ```
 */
export const TINY: BenchConfig = {
  name: "tiny",
  model: tinyConfig("gpt2", {
    vocabSize: 256,
    hiddenSize: 128,
    numLayers: 2,
    numHeads: 4,
    intermediateSize: 512,
    maxPositions: 64,
    tieEmbeddings: false,
  }),
  pairs: 2,
  sftRows: 4,
  seqLen: 64,
  software: true,
};

/**
 * `gpt2-small`: GPT-2 124M (12 blocks, C 768, 12 heads, vocabulary 50257, tied embeddings),
 * T 512, 4 pairs (8 rows) per DPO step and 4 rows per SFT step. GPU machines only.
 *
 * @example
 * ```ts
 * import { GPT2_SMALL } from "./configs.ts";
 * console.log(GPT2_SMALL.model.numLayers); // 12
 * ```
 */
export const GPT2_SMALL: BenchConfig = {
  name: "gpt2-small",
  model: tinyConfig("gpt2", {
    vocabSize: 50257,
    hiddenSize: 768,
    numLayers: 12,
    numHeads: 12,
    intermediateSize: 3072,
    maxPositions: 1024,
    tieEmbeddings: true,
  }),
  pairs: 4,
  sftRows: 4,
  seqLen: 512,
  software: false,
};

/** Both configs, smallest first. */
export const CONFIGS: readonly BenchConfig[] = [TINY, GPT2_SMALL];

/** A matmul of the bench: `C (M, N) = op(A)·op(B)`, K summed. */
export interface MatmulShape {
  /** Transposes as the launcher gets them: A then B, N = as stored, T = transposed. */
  variant: "NN" | "NT" | "TN";
  /** Rows of C. */
  m: number;
  /** The summed dimension. */
  k: number;
  /** Columns of C. */
  n: number;
  /** What uses it, e.g. `"fc fwd, proj dx"`; `"square"` for the square sizes. */
  role: string;
  /** Row stride of A as stored, when padded (the classifier's logits: V rounded up to 4). */
  lda?: number;
  /** Row stride of C, when padded. */
  ldc?: number;
  /** Independent products of this shape (dense, one after another; no padded strides). Default 1. */
  batch?: number;
}

/**
 * The classifier's rows per chunk, as `Transformer` picks them: a 32 MiB budget of logits rows
 * padded to a multiple of 4 (or the binding limit), in multiples of 64, capped by the rows of the
 * batch.
 *
 * @example
 * ```ts
 * import { classifierChunkRows } from "./configs.ts";
 * console.log(classifierChunkRows(50257, 4096, 2 ** 27)); // 128
 * ```
 */
export function classifierChunkRows(vocab: number, rows: number, maxBinding: number): number {
  const budget = Math.min(32 * 2 ** 20, maxBinding);
  const chunk = Math.max(64, Math.floor(budget / (Math.ceil(vocab / 4) * 4 * 4) / 64) * 64);
  return Math.min(chunk, Math.ceil(rows / 64) * 64, rows);
}

/**
 * The distinct matmuls of one DPO training step of a GPT-2-family config (weights stored
 * (in, out), the head (V, C)): per linear `I → O` over N rows, forward NN (N×I·I×O), input
 * gradient NT and weight gradient TN; the head forward NT, its input gradient NN and weight
 * gradient TN, per classifier chunk, with the logits' rows padded to a multiple of 4 as the model
 * stores them (`lda`, `ldc`). Shapes used by several layers appear once, with their roles joined.
 *
 * @example
 * ```ts
 * import { stepMatmulShapes, TINY } from "./configs.ts";
 * const shapes = stepMatmulShapes(TINY, 2 ** 27);
 * console.log(shapes.length, shapes[0]); // 12 { variant: "NN", m: 256, k: 128, n: 128, role: "qkvo fwd" }
 * ```
 */
export function stepMatmulShapes(config: BenchConfig, maxBinding: number): MatmulShape[] {
  const c = config.model, N = 2 * config.pairs * config.seqLen;
  const C = c.hiddenSize, F = c.intermediateSize, V = c.vocabSize;
  const R = classifierChunkRows(V, N, maxBinding);
  const linears: [string, number, number][] = [["qkvo", C, C], ["fc", C, F], ["proj", F, C]];
  const list: MatmulShape[] = [];
  for (const variant of ["NN", "NT", "TN"] as const) {
    for (const [name, I, O] of linears) {
      if (variant === "NN") list.push({ variant, m: N, k: I, n: O, role: `${name} fwd` });
      if (variant === "NT") list.push({ variant, m: N, k: O, n: I, role: `${name} dx` });
      if (variant === "TN") list.push({ variant, m: I, k: N, n: O, role: `${name} dW` });
    }
    const Vp = Math.ceil(V / 4) * 4, pad = Vp !== V;
    const lda = pad ? { lda: Vp } : {}, ldc = pad ? { ldc: Vp } : {};
    if (variant === "NN") list.push({ variant, m: R, k: V, n: C, role: "head dx", ...lda });
    if (variant === "NT") list.push({ variant, m: R, k: C, n: V, role: "head fwd", ...ldc });
    if (variant === "TN") list.push({ variant, m: V, k: R, n: C, role: "head dW", ...lda });
  }
  const merged = new Map<string, MatmulShape>();
  for (const s of list) {
    const key = `${s.variant} ${s.m}x${s.k}x${s.n}`;
    const seen = merged.get(key);
    if (seen) seen.role += `, ${s.role}`;
    else merged.set(key, { ...s });
  }
  return [...merged.values()];
}

/**
 * Square matmuls of side 256, 512 and 1024 (or the sizes given) in each transpose variant.
 *
 * @example
 * ```ts
 * import { squareShapes } from "./configs.ts";
 * console.log(squareShapes([256]).map((s) => s.variant)); // ["NN", "NT", "TN"]
 * ```
 */
export function squareShapes(sizes: readonly number[] = [256, 512, 1024]): MatmulShape[] {
  return sizes.flatMap((s) =>
    (["NN", "NT", "TN"] as const).map((variant) => ({
      variant,
      m: s,
      k: s,
      n: s,
      role: "square",
    }))
  );
}

/**
 * The fp32 GEMMs the PyTorch peer times (`torch_baseline.py matmul`, in
 * `../shared/device/`): squares 1024–4096 and GPT-2-small's linears and head over 2048 rows, all
 * `A (M, K) · B (K, N)`. Measured on GPU machines only, so ours and PyTorch's sit side by side.
 * @example
 * ```ts
 * import { torchGemmShapes } from "./configs.ts";
 * console.log(torchGemmShapes().length, torchGemmShapes()[0].m); // 7 1024
 * ```
 */
export function torchGemmShapes(): MatmulShape[] {
  const sizes: [number, number, number][] = [
    [1024, 1024, 1024],
    [2048, 2048, 2048],
    [4096, 4096, 4096],
    [2048, 768, 2304],
    [2048, 768, 3072],
    [2048, 3072, 768],
    [2048, 768, 50257],
  ];
  return sizes.map(([m, k, n]) => ({ variant: "NN", m, k, n, role: "torch GEMM" }));
}
