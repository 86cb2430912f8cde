/**
 * A Direct Preference Optimization trainer for decoder-only language models, written in
 * TypeScript for Deno with handwritten WGSL compute shaders on WebGPU: it runs on any GPU Deno's
 * WebGPU reaches, and on the CPU through a software adapter.
 *
 * This module re-exports the public API: the GPU runtime and kernels, and the shared utilities.
 *
 * @example Add two vectors on the GPU
 * ```ts
 * import { Gpu, residualForward } from "./mod.ts";
 * const gpu = await Gpu.create();
 * const a = gpu.upload(new Float32Array([1, 2])), b = gpu.upload(new Float32Array([3, 4]));
 * const out = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * residualForward(enc, { out, a, b });
 * gpu.submit(enc);
 * console.log((await gpu.read([out]))[0]); // Float32Array [4, 6]
 * ```
 *
 * @module
 */
export * from "./kernels/gpu.ts";
export * from "./kernels/residual.ts";
export * from "./kernels/reduce.ts";
export * from "./kernels/matmul.ts";
export * from "./kernels/attention.ts";
export * from "./kernels/embedding.ts";
export * from "./kernels/norm.ts";
export * from "./kernels/activation.ts";
export * from "./kernels/rope.ts";
export * from "./kernels/log_softmax.ts";
export * from "./kernels/dpo.ts";
export * from "./kernels/adamw.ts";
export * from "./kernels/dropout.ts";
export * from "./kernels/dora.ts";
export * from "./kernels/quantize.ts";
export * from "./util/rng.ts";
export * from "./model/config.ts";
export * from "./model/safetensors.ts";
export * from "./model/tokenizer.ts";
export * from "./datasets/types.ts";
export * from "./datasets/formats.ts";
export * from "./datasets/kto.ts";
export * from "./pipeline/stage.ts";
export * from "./pipeline/load.ts";
export * from "./pipeline/tokenize.ts";
export * from "./pipeline/inspect.ts";
export * from "./model/params.ts";
export * from "./model/io.ts";
export * from "./model/flat.ts";
export * from "./model/lora.ts";
export * from "./model/transformer.ts";
export * from "./model/blocks.ts";
export * from "./pipeline/metrics.ts";
export * from "./pipeline/optimizer.ts";
export * from "./pipeline/objective.ts";
export * from "./pipeline/ref_cache.ts";
export * from "./pipeline/checkpoint.ts";
export * from "./pipeline/train.ts";
export * from "./datasets/synthetic.ts";
export * from "./kernels/decode.ts";
export * from "./model/generate.ts";
export * from "./pipeline/score.ts";
export * from "./pipeline/eval.ts";
export * from "./pipeline/run_config.ts";
export * from "./pipeline/foreign_config.ts";
export * from "./pipeline/run.ts";
