/**
 * Float64 reference of the token (+ position) embedding (see `../embedding.wgsl`), written as
 * the plain scatter-add the GPU's gather-per-row computes.
 *
 * @module
 */
import type { Vec } from "./types.ts";

/** Sizes of the reference embedding. */
export interface EmbeddingReferenceOptions {
  /** C, channels. */
  channels: number;
  /** (maxT, C) position table; omit for token-only embeddings. */
  wpe?: Vec;
  /** T: token n sits at position (n mod T) + positionOffset. Needed with positions. */
  seqLen?: number;
  /** Default 0. */
  positionOffset?: number;
  /** s, the token rows' scale (Gemma: √C). Default 1. */
  scale?: number;
}

/**
 * `out[n] = s·wte[tokens[n]] (+ wpe[(n mod T) + positionOffset])`, out (N, C).
 *
 * @example
 * ```ts
 * import { embeddingForward } from "./embedding.ts";
 * embeddingForward([1, 0], [0, 1, 10, 11], { channels: 2 }); // [10, 11, 0, 1]
 * ```
 */
export function embeddingForward(
  tokens: Vec,
  wte: Vec,
  options: EmbeddingReferenceOptions,
): Float64Array {
  const { channels: c, wpe, seqLen = 1, positionOffset = 0, scale = 1 } = options;
  const out = new Float64Array(tokens.length * c);
  for (let n = 0; n < tokens.length; n++) {
    const pos = (n % seqLen) + positionOffset;
    for (let j = 0; j < c; j++) {
      out[n * c + j] = scale * wte[tokens[n] * c + j] + (wpe ? wpe[pos * c + j] : 0);
    }
  }
  return out;
}

/**
 * The table gradients of {@linkcode embeddingForward}: dWte (V, C) and, when `maxPositions` is
 * given, dWpe (maxPositions, C).
 *
 * @example
 * ```ts
 * import { embeddingBackward } from "./embedding.ts";
 * const { dWte } = embeddingBackward([1, 1], [1, 2, 3, 4], { channels: 2, vocabSize: 2 });
 * // dWte = [0, 0, 4, 6]
 * ```
 */
export function embeddingBackward(
  tokens: Vec,
  dOut: Vec,
  options: {
    channels: number;
    vocabSize: number;
    maxPositions?: number;
    seqLen?: number;
    positionOffset?: number;
    scale?: number;
  },
): { dWte: Float64Array; dWpe: Float64Array | null } {
  const { channels: c, vocabSize, maxPositions, seqLen = 1, positionOffset = 0 } = options;
  const scale = options.scale ?? 1;
  const dWte = new Float64Array(vocabSize * c);
  const dWpe = maxPositions === undefined ? null : new Float64Array(maxPositions * c);
  for (let n = 0; n < tokens.length; n++) {
    const pos = (n % seqLen) + positionOffset;
    for (let j = 0; j < c; j++) {
      dWte[tokens[n] * c + j] += scale * dOut[n * c + j];
      if (dWpe) dWpe[pos * c + j] += dOut[n * c + j];
    }
  }
  return { dWte, dWpe };
}
