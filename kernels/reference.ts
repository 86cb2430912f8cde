/**
 * The tests' oracle: a plain float64 CPU version of every kernel, written for clarity, not speed.
 * Each function mirrors one GPU launcher's math (see the `.wgsl` headers); backward functions are
 * themselves checked against finite differences in the tests. Inputs are any numeric arrays;
 * outputs are `Float64Array`s (or numbers).
 *
 * One file per kernel family lives in `reference/`; this module gathers them.
 *
 * @module
 */
export type { Vec } from "./reference/types.ts";
export * from "./reference/residual.ts";
export * from "./reference/dropout.ts";
export * from "./reference/dora.ts";
export * from "./reference/reduce.ts";
export * from "./reference/log_softmax.ts";
export * from "./reference/dpo.ts";
export * from "./reference/adamw.ts";
export * from "./reference/activation.ts";
export * from "./reference/embedding.ts";
export * from "./reference/norm.ts";
export * from "./reference/rope.ts";
export * from "./reference/matmul.ts";
export * from "./reference/attention.ts";
export * from "./reference/decode.ts";
