/**
 * The train stage: DPO (or SFT) over tokenized pairs, on the GPU, seeded and deterministic.
 *
 * The loop, per optimizer step: zero the gradients; for each of `gradAccumSteps` micro-batches
 * upload it and encode forward, loss, metrics and backward (gradients scaled by 1/k); clip by the
 * global norm and apply AdamW; submit everything at once. Every `syncEvery` steps (and at steps
 * that evaluate or save, and the last) the submitted steps' metrics and gradient norms are read
 * back together: a readback costs Deno ~10 ms however little it waits for, and steps submitted
 * back to back let the host encode one while the device runs another. Metrics are those of the
 * step's batches before its update, as TRL logs them. Checkpoints are atomic and a resumed run
 * continues bit-identically: the data order is a pure function of (seed, epoch), and every kernel
 * is deterministic.
 *
 * @module
 */
import { type Gpu, type HostArray, readInBatches } from "../kernels/gpu.ts";
import { settleAll } from "../util/settle.ts";
import type { AttentionDesign } from "../kernels/attention.ts";
import type { QuantKind } from "../kernels/quantize.ts";
import type { ModelConfig } from "../model/config.ts";
import { loadModel } from "../model/io.ts";
import { loadAdapter, type LoraSpec } from "../model/lora.ts";
import type { ParamValues } from "../model/params.ts";
import type { TextTokenizer } from "../model/tokenizer.ts";
import { Transformer } from "../model/transformer.ts";
import {
  checkpointPaths,
  listCheckpoints,
  readTrainerState,
  saveCheckpoint,
} from "./checkpoint.ts";
import {
  DEFAULT_DPO_LOSS,
  type DpoLossConfig,
  DpoObjective,
  lossVariants,
  type MicroBatch,
  type Objective,
  releaseMicroBatch,
  SftObjective,
  uploadMicroBatch,
  usesReference,
} from "./objective.ts";
import { AdamW, DEFAULT_OPTIMIZER, learningRate, type OptimizerConfig } from "./optimizer.ts";
import type { StageContext } from "./stage.ts";
import { type Batch, batchOrder, makeBatch, pairLength, type TokenizedPair } from "./tokenize.ts";
import { longestPair, READ_DEPTH } from "./score.ts";

/** The training options, with TRL-like defaults. */
export interface TrainConfig {
  /** "dpo" (preference pairs) or "sft" (cross-entropy on the chosen responses). Default "dpo". */
  objective: "dpo" | "sft";
  /**
   * P: pairs per micro-batch (B = 2P rows for DPO, P rows for SFT). Default 8 (TRL's
   * `per_device_train_batch_size`).
   */
  pairsPerBatch: number;
  /** Micro-batches per optimizer step (an epoch's last step takes the rest of it). Default 1. */
  gradAccumSteps: number;
  /** Passes over the data (when `maxSteps` is 0). Default 3 (TRL's num_train_epochs). */
  epochs: number;
  /** Optimizer steps to run; 0: as many as `epochs` give. Default 0. */
  maxSteps: number;
  /** Seed of the data order. Default 42. */
  seed: number;
  /** Length bucketing window, in batches (0: off). Default 0. */
  bucketWindow: number;
  /**
   * The attention kernels' design (see `kernels/attention.ts`); `"auto"` or absent: products on a
   * GPU, flash on a CPU adapter (`withAttentionDesign` in `model/transformer.ts`).
   */
  attention?: AttentionDesign | "auto";
  /**
   * Gradient checkpointing: the backward recomputes each block's activations from its input
   * (`checkpointLayers` of `model/transformer.ts`). Same results, less memory. Default false.
   */
  checkpointLayers?: boolean;
  /** Round each batch's length up to a multiple of this. Default 8. */
  padToMultiple: number;
  /** The DPO loss. */
  loss: DpoLossConfig;
  /** AdamW and the schedule. */
  optimizer: OptimizerConfig;
  /**
   * Log metrics every this many steps, each row their mean (as TRL logs; after a resume, the
   * first row averages the steps since the checkpoint). Default 1.
   */
  logEvery: number;
  /**
   * Steps submitted before their metrics are read back, together (steps that evaluate or save,
   * and the last, always are). Only when metrics reach the log and the progress bar, how late a
   * non-finite loss stops training, and `tokens_per_second` (an average over the steps read back
   * together) depend on it; the training does not. Default 8.
   */
  syncEvery?: number;
  /** Evaluate on the held-out pairs every this many steps (0: only at the end). Default 0. */
  evalEvery: number;
  /** Checkpoint every this many steps (0: only the final model). Default 0. */
  saveEvery: number;
  /** Checkpoints kept. Default 2. */
  keepLast: number;
  /**
   * Train LoRA adapters on the frozen model instead of the model (absent: full fine-tuning). The
   * adapters start as PEFT's (seeded by `seed`), so the adapted model starts as the model.
   */
  lora?: LoraSpec;
  /**
   * Hold the frozen base's projections compactly (with `lora` only; `quantize` of
   * `model/transformer.ts`). Absent: float32.
   */
  quantize?: QuantKind;
}

/** The defaults of {@linkcode TrainConfig}. */
export const DEFAULT_TRAIN: TrainConfig = {
  objective: "dpo",
  pairsPerBatch: 8,
  gradAccumSteps: 1,
  epochs: 3,
  maxSteps: 0,
  seed: 42,
  bucketWindow: 0,
  padToMultiple: 8,
  loss: DEFAULT_DPO_LOSS,
  optimizer: DEFAULT_OPTIMIZER,
  logEvery: 1,
  syncEvery: 8,
  evalEvery: 0,
  saveEvery: 0,
  keepLast: 2,
};

/**
 * Whether a checkpoint's saved training configuration lets a run with `config` resume from it:
 * equal but for `attention`, which is how, not what, the model computes (the same results within
 * float32 rounding), `checkpointLayers` (the same bits, in less memory) and `syncEvery` (when
 * metrics are read back), so a run may resume with other values of them, or from a checkpoint
 * written before the settings existed.
 *
 * @example
 * ```ts
 * import { DEFAULT_TRAIN, sameTraining } from "./train.ts";
 * sameTraining({ ...DEFAULT_TRAIN, attention: "products" }, DEFAULT_TRAIN); // true
 * ```
 */
export function sameTraining(saved: unknown, config: TrainConfig): boolean {
  const what = (c: unknown) =>
    JSON.stringify({
      ...(c as object),
      attention: undefined,
      syncEvery: undefined,
      checkpointLayers: undefined,
    });
  return what(saved) === what(config);
}

/** A step submitted to the device whose metrics are not read back yet. */
interface Submitted {
  step: number;
  /** Micro-batches done after it (the checkpoint's data position; / perEpoch: its epoch). */
  microBatches: number;
  /** Its micro-batches (metrics slots). */
  count: number;
  lr: number;
  tokens: number;
  readback: () => Promise<HostArray[]>;
}

/** One logged row: the step and TRL-named metrics. */
export type StepRow = { step: number } & Record<string, number>;

/** Pairs with their reference log-probs (DPO) — one split of a dataset. */
export interface PairSet {
  /** The pairs. */
  pairs: TokenizedPair[];
  /** Reference log-probs aligned with `pairs` (null for SFT or reference-free losses). */
  ref: { chosen: Float32Array; rejected: Float32Array } | null;
  /** Padding id. */
  padTokenId: number;
}

/** What the train stage starts from. */
export interface TrainInput {
  /** The starting model. */
  model: {
    config: ModelConfig;
    params: ParamValues;
    tokenizer: TextTokenizer | null;
    /** Its `generation_config.json` text, copied into checkpoints. */
    generationConfig?: string | null;
  };
  /** Training pairs. */
  train: PairSet;
  /** Held-out pairs for evaluation during training. */
  eval?: PairSet;
  /** With `lora`: the adapters to start from (default: fresh ones, as PEFT makes them). */
  adapters?: ParamValues;
}

/** Where the stage writes and whether it resumes. */
export interface TrainRunOptions {
  /** The run folder (checkpoints go to `<runDir>/checkpoints`). */
  runDir: string;
  /** Continue from the newest checkpoint of `runDir`. Default false. */
  resume?: boolean;
  /** Receives one row per logged step (and eval rows). */
  metrics?: { append(row: StepRow): void | Promise<void> };
  /** Called after each checkpoint is written (tests use it to stop a run). */
  onCheckpoint?: (dir: string, step: number) => void | Promise<void>;
  /**
   * Called at each periodic evaluation (every `evalEvery` steps, before the last) with a way to
   * read the current weights, e.g. to sample from the policy as it trains, and (LoRA) one to read
   * the adapters alone.
   */
  onEval?: (
    step: number,
    params: () => Promise<ParamValues>,
    adapters: () => Promise<ParamValues>,
  ) => void | Promise<void>;
  /** With LoRA: the base model's folder, written into adapters' `base_model_name_or_path`. */
  baseModel?: string | null;
}

/** What the train stage returns. */
export interface TrainOutput {
  /** The trained weights (with LoRA: the adapters merged into the model). */
  params: ParamValues;
  /** With LoRA: the trained adapters. */
  adapters?: { spec: LoraSpec; values: ParamValues };
  /** Optimizer steps done. */
  steps: number;
  /** The logged rows. */
  history: StepRow[];
}

/** Training stopped on a non-finite loss or gradient. */
export class NonFiniteError extends Error {
  /** The error's name, as shown before its message. */
  override name = "NonFiniteError";
}

/**
 * Runs training. The model given is the start; with `resume`, the newest checkpoint's weights,
 * optimizer state and position replace it.
 *
 * @example
 * ```ts
 * import { DEFAULT_TRAIN, train } from "./train.ts";
 * // const out = await train({ model, train: { pairs, ref, padTokenId } },
 * //   { ...DEFAULT_TRAIN, optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 1e-4 } },
 * //   ctx, { runDir: "runs/demo" });
 * ```
 */
export async function train(
  input: TrainInput,
  config: TrainConfig,
  ctx: StageContext,
  run: TrainRunOptions,
): Promise<TrainOutput> {
  const syncEvery = config.syncEvery ?? DEFAULT_TRAIN.syncEvery!;
  validate(config, input, syncEvery);
  const gpu = await ctx.gpu();
  const { train: data } = input;
  const rowsPerPair = config.objective === "dpo" ? 2 : 1;
  const lengths = data.pairs.map(pairLength);
  const perEpoch = batchOrder(lengths, orderOptions(config, 0)).length;
  // Steps within each epoch, as transformers counts them: an epoch's last step takes the micro-
  // batches left in it (fewer when gradAccumSteps does not divide the epoch), never the next's.
  const accum = config.gradAccumSteps, stepsPerEpoch = Math.ceil(perEpoch / accum);
  const totalSteps = config.maxSteps > 0 ? config.maxSteps : config.epochs * stepsPerEpoch;
  /** The micro-batches of step `s` (0-based): the first's number and how many. */
  const stepBatches = (s: number) => {
    const inEpoch = (s % stepsPerEpoch) * accum;
    return {
      first: Math.floor(s / stepsPerEpoch) * perEpoch + inEpoch,
      count: Math.min(accum, perEpoch - inEpoch),
    };
  };
  const maxLen = longestPair([...data.pairs, ...(input.eval?.pairs ?? [])]);
  const maxSeqLen = Math.min(
    input.model.config.maxPositions,
    roundUp(maxLen, config.padToMultiple),
  );
  const auto = config.attention === undefined || config.attention === "auto";
  const model = Transformer.create(gpu, input.model.config, input.model.params, {
    maxBatch: rowsPerPair * config.pairsPerBatch,
    maxSeqLen,
    attention: { design: config.attention === "auto" ? undefined : config.attention },
    ...(config.lora
      ? { lora: { ...config.lora, seed: config.seed, adapters: input.adapters } }
      : {}),
    checkpointLayers: config.checkpointLayers ?? false,
    quantize: config.quantize,
  });
  const adapterOf = async () =>
    config.lora
      ? { spec: config.lora, values: await model.readAdapters(), base: run.baseModel ?? null }
      : undefined;
  ctx.logger.info(
    `train: ${gpu.describe()}; up to ${model.maxBatch} rows × ${maxSeqLen} tokens per ` +
      `micro-batch; attention: ${model.attentionDesign}${auto ? " (auto)" : ""}` +
      (model.checkpointLayers ? "; checkpointed layers" : "") +
      (config.quantize ? `; frozen projections held as ${config.quantize}` : ""),
  );
  if (model.lora) {
    // As PEFT reports it: the trained values against all the model's (adapters included).
    const count = (l: readonly { shape: readonly number[] }[]) =>
      l.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    const trained = count(model.trainableList), all = trained + count(model.paramList);
    const { spec, targets } = model.lora;
    const modules = new Set([...targets.values()].map((t) => t.module)).size;
    const kind = [
      spec.dora && "DoRA",
      spec.rslora && "rsLoRA",
      spec.dropout && `dropout ${spec.dropout}`,
    ]
      .filter(Boolean).join(", ");
    ctx.logger.info(
      `train: LoRA r ${spec.rank}, α ${spec.alpha}${kind ? ` (${kind})` : ""} on ${modules} ` +
        `modules: ${trained.toLocaleString("en-US")} trainable values of ` +
        `${all.toLocaleString("en-US")} (${(100 * trained / all).toFixed(4)} %)`,
    );
  }
  const objective: Objective = config.objective === "dpo"
    ? new DpoObjective(model, config.loss, {
      maxRows: 2 * config.pairsPerBatch,
      slots: config.gradAccumSteps,
    })
    : new SftObjective(model, { slots: config.gradAccumSteps });
  const optimizer = new AdamW(model, config.optimizer);
  /** The loss's own state for a checkpoint (read back; only bco_pair has one). */
  const lossState = async () => {
    const values = await objective.readState?.();
    return values ? { lossState: values } : {};
  };
  const history: StepRow[] = [];
  let step = 0;
  // Steps submitted and not yet read back (see `sync` below).
  const submitted: Submitted[] = [];
  try {
    if (run.resume) {
      const last = (await listCheckpoints(run.runDir)).at(-1);
      if (last) {
        const state = await readTrainerState(last.dir);
        if (!sameTraining(state.config, config)) {
          throw new RangeError(
            `Cannot resume from ${last.dir}: it was written with another training configuration`,
          );
        }
        if (state.totalSteps !== totalSteps) {
          throw new RangeError(
            `Cannot resume from ${last.dir}: it was written for ${state.totalSteps} steps, this ` +
              `run has ${totalSteps} (the learning-rate schedule would change)`,
          );
        }
        // Its data position must be where this version's steps put it (steps were numbered
        // across epochs before they were counted per epoch).
        const done = state.step > 0 ? stepBatches(state.step - 1) : { first: 0, count: 0 };
        if (state.microBatches !== done.first + done.count) {
          throw new RangeError(
            `Cannot resume from ${last.dir}: it ends at micro-batch ${state.microBatches}, where ` +
              `this version's step ${state.step} ends at ${done.first + done.count} ` +
              "(gradient accumulation steps are now counted per epoch)",
          );
        }
        if (config.lora) {
          model.writeAdapters(
            (await loadAdapter(checkpointPaths(last.dir).adapter, input.model.config)).values,
          );
        } else model.writeParams((await loadModel(last.dir)).params);
        await optimizer.load(checkpointPaths(last.dir).optimizer);
        if (state.lossState) objective.loadState?.(state.lossState);
        else if ((await objective.readState?.()) ?? null) {
          throw new RangeError(
            `Cannot resume from ${last.dir}: it does not hold the bco_pair loss's running state`,
          );
        }
        step = state.step;
        ctx.logger.info(`train: resuming from ${last.dir} (step ${step} of ${totalSteps})`);
      } else ctx.logger.info(`train: nothing to resume in ${run.runDir}; starting at step 0`);
    }
    const progress = ctx.progress(config.objective === "dpo" ? "dpo" : "sft", totalSteps);
    const evalAt = (n: number) =>
      input.eval !== undefined && config.evalEvery > 0 && n % config.evalEvery === 0 &&
      n < totalSteps;
    const saveAt = (n: number) =>
      config.saveEvery > 0 && n % config.saveEvery === 0 && n < totalSteps;
    let order: number[][] = [], orderEpoch = -1;
    const microBatch = (m: number): Batch => {
      const epoch = Math.floor(m / perEpoch);
      if (epoch !== orderEpoch) {
        order = batchOrder(lengths, orderOptions(config, epoch));
        orderEpoch = epoch;
      }
      return makeBatch(data.pairs, order[m % perEpoch], {
        padTokenId: data.padTokenId,
        padToMultiple: config.padToMultiple,
        maxLength: maxSeqLen,
      });
    };
    // Steps are submitted back to back and read back together every `syncEvery` steps, and at a
    // step that evaluates or saves (which then sees the parameters after exactly that step) and
    // the last. One readback costs Deno ~10 ms (its poll sleeps), however many steps it covers;
    // meanwhile the host encodes the next step while the device runs the last.
    let lastSync = performance.now();
    // The steps since the last logged one: a logged row holds their mean (as TRL logs).
    const window: StepRow[] = [];
    /** Reads back every submitted step, then logs, checks, evaluates and saves them in order. */
    const sync = async () => {
      const steps = submitted.splice(0);
      // All at once: their waits overlap, so the batch costs one readback's latency.
      const raw = await settleAll(steps.map((s) => s.readback()));
      // Over the batch, from the end of the previous sync (its eval and saves excluded).
      const tokens = steps.reduce((n, s) => n + s.tokens, 0);
      const tokensPerSecond = tokens / ((performance.now() - lastSync) / 1000);
      for (const [i, s] of steps.entries()) {
        const [rawMetrics, rawNorm] = raw[i];
        const row: StepRow = {
          step: s.step,
          epoch: s.microBatches / perEpoch,
          ...objective.decode(rawMetrics as Float32Array, s.count),
          grad_norm: rawNorm[0],
          learning_rate: s.lr,
          tokens_per_second: tokensPerSecond,
        };
        if (!Number.isFinite(row.loss) || !Number.isFinite(row.grad_norm)) {
          throw new NonFiniteError(
            `Step ${s.step}: the ${!Number.isFinite(row.loss) ? "loss" : "gradient norm"} is ` +
              `${!Number.isFinite(row.loss) ? row.loss : row.grad_norm}; training stopped ` +
              `(lower the learning rate).` +
              (config.saveEvery > 0 ? " The last checkpoint is intact." : ""),
          );
        }
        window.push(row);
        if (s.step % config.logEvery === 0 || s.step === totalSteps) {
          const logged = windowMean(window.splice(0));
          history.push(logged);
          await run.metrics?.append(logged);
        }
        progress.update(s.step, {
          loss: round(row.loss),
          ...(row["rewards/accuracies"] !== undefined
            ? { acc: round(row["rewards/accuracies"]) }
            : {}),
        });
        if (evalAt(s.step)) {
          const evalRow = await evaluatePairs(gpu, model, objective, input.eval!, config);
          const prefixed = prefix({ step: s.step, ...evalRow });
          history.push(prefixed);
          await run.metrics?.append(prefixed);
          await run.onEval?.(s.step, () => model.readParams(), () => model.readAdapters());
        }
        if (saveAt(s.step)) {
          const dir = await saveCheckpoint(run.runDir, {
            config: input.model.config,
            // (LoRA: the adapters alone, as TRL's PEFT checkpoints)
            params: config.lora ? null : await model.readParams(),
            tokenizer: input.model.tokenizer,
            generationConfig: input.model.generationConfig,
            saveOptimizer: (path) => optimizer.save(path),
            adapter: await adapterOf(),
            state: {
              step: s.step,
              microBatches: s.microBatches,
              totalSteps,
              config,
              ...await lossState(),
            },
          }, { keepLast: config.keepLast });
          await run.onCheckpoint?.(dir, s.step);
        }
      }
      lastSync = performance.now();
    };
    while (step < totalSteps) {
      // A stop is seen during a sync (the only wait), so every step submitted is read, logged (and
      // saved, if due) before it ends the run.
      ctx.signal.throwIfAborted();
      const { first, count } = stepBatches(step);
      const enc = gpu.encoder(`step ${step + 1}`);
      model.zeroGrads(enc);
      const uploaded: MicroBatch[] = [];
      let tokens = 0;
      const lr = learningRate(step, totalSteps, config.optimizer);
      let readback: () => Promise<HostArray[]>;
      try {
        for (let j = 0; j < count; j++) {
          const batch = asObjectiveBatch(microBatch(first + j), config.objective);
          tokens += batch.lengths.reduce((a, b) => a + b, 0);
          const mb = uploadMicroBatch(
            gpu,
            batch,
            input.model.config.vocabSize,
            refRows(data, batch.indices, config),
            ldOptions(config),
          );
          uploaded.push(mb);
          // LoRA dropout: a mask per micro-batch, from the seed and its number (so a resumed
          // run drops as the uninterrupted one); evaluation, encoded later, drops nothing.
          if (config.lora?.dropout) model.setDropoutSeed(config.seed * 1_000_003 + first + j);
          objective.encode(enc, mb.device, mb.inputs, {
            slot: j,
            scale: 1 / count,
            backward: true,
          });
        }
        optimizer.step(enc, lr);
        readback = gpu.readAfter(enc, [objective.metrics.view(0, [count * 64]), optimizer.norm]);
        gpu.submit(enc);
      } finally {
        model.setDropoutSeed(null);
        for (const mb of uploaded) releaseMicroBatch(mb);
      }
      step++;
      submitted.push({
        step,
        microBatches: first + count,
        count,
        lr,
        tokens,
        readback,
      });
      if (
        submitted.length >= syncEvery || step === totalSteps || evalAt(step) || saveAt(step)
      ) {
        await sync();
      }
    }
    progress.end();
    if (input.eval) {
      const evalRow = await evaluatePairs(gpu, model, objective, input.eval, config);
      const prefixed = prefix({ step, ...evalRow });
      history.push(prefixed);
      await run.metrics?.append(prefixed);
    }
    const adapters = await adapterOf();
    return {
      params: await model.readParams(),
      ...(adapters ? { adapters: { spec: adapters.spec, values: adapters.values } } : {}),
      steps: step,
      history,
    };
  } finally {
    // A throw while steps wait for their sync (encoding the next one, say) leaves readbacks that
    // nobody awaits: let each finish (it maps and gives back its buffer) before the run ends.
    if (submitted.length) await Promise.allSettled(submitted.splice(0).map((s) => s.readback()));
    optimizer.release();
    objective.release();
    model.release();
    gpu.pool.trim();
  }
}

/**
 * One row for a logging window of steps (`log_every`), as transformers and TRL log it: the loss
 * and the objective's metrics averaged over the window's steps; the step, epoch, learning rate,
 * gradient norm and throughput of its last step.
 */
function windowMean(rows: StepRow[]): StepRow {
  const last = rows[rows.length - 1];
  const out: StepRow = { ...last };
  const own = new Set(["step", "epoch", "grad_norm", "learning_rate", "tokens_per_second"]);
  const keys = new Set(rows.flatMap((r) => Object.keys(r)));
  for (const key of keys) {
    if (own.has(key)) continue;
    // Over the rows that have it (a KTO step with no undesirable example logs no such mean).
    const have = rows.filter((r) => r[key] !== undefined);
    out[key] = have.reduce((sum, r) => sum + r[key], 0) / have.length;
  }
  return out;
}

/**
 * The objective's metrics over a set of pairs, without training (forward only). Returns TRL's
 * names; the caller adds the `eval_` prefix.
 *
 * @example
 * ```ts
 * import { evaluatePairs } from "./train.ts";
 * // const metrics = await evaluatePairs(gpu, model, objective, evalSet, config);
 * ```
 */
export async function evaluatePairs(
  gpu: Gpu,
  model: Transformer,
  objective: Objective,
  set: PairSet,
  config: Pick<TrainConfig, "objective" | "pairsPerBatch" | "padToMultiple" | "loss">,
): Promise<Record<string, number>> {
  const raws: Float32Array[] = [], sizes: number[] = [];
  const P = config.pairsPerBatch, n = set.pairs.length;
  const count = (b: number) => Math.min(P, n - b * P);
  await readInBatches(Math.ceil(n / P), READ_DEPTH, (b) => {
    const indices = Array.from({ length: count(b) }, (_, j) => b * P + j);
    const batch = asObjectiveBatch(
      makeBatch(set.pairs, indices, {
        padTokenId: set.padTokenId,
        padToMultiple: config.padToMultiple,
        maxLength: model.maxSeqLen,
      }),
      config.objective,
    );
    const mb = uploadMicroBatch(
      gpu,
      batch,
      model.config.vocabSize,
      refRows(set, indices, config),
      ldOptions(config),
    );
    const enc = gpu.encoder("eval");
    objective.encode(enc, mb.device, mb.inputs, { slot: 0, scale: 1, backward: false });
    // Copied out as part of this batch's commands: the next batches reuse the metrics slot.
    const read = gpu.readAfter(enc, [objective.metrics.view(0, [64])]);
    gpu.submit(enc);
    releaseMicroBatch(mb);
    return read;
  }, (b, [raw]) => {
    // Weighted by pairs, so a short last batch counts for what it holds.
    raws.push((raw as Float32Array).slice());
    sizes.push(count(b));
  });
  return objective.decodeBatches(raws, sizes);
}

/** For SFT, a DPO batch's chosen rows only. */
function asObjectiveBatch(batch: Batch, objective: "dpo" | "sft"): Batch {
  if (objective === "dpo") return batch;
  const P = batch.pairs, T = batch.length;
  const rows = (a: Int32Array | Float32Array) => a.slice(0, P * T);
  return {
    ...batch,
    rows: P,
    tokens: rows(batch.tokens) as Int32Array,
    targets: rows(batch.targets) as Int32Array,
    mask: rows(batch.mask) as Float32Array,
    lengths: batch.lengths.slice(0, P),
    promptLengths: batch.promptLengths.slice(0, P),
  };
}

/** `[chosen(P); rejected(P)]` reference log-probs of a batch's pairs (DPO only). */
function refRows(
  set: PairSet,
  indices: number[],
  config: Pick<TrainConfig, "objective" | "loss">,
): Float32Array | undefined {
  if (config.objective !== "dpo") return undefined;
  const P = indices.length, out = new Float32Array(2 * P);
  // Reference-free: every response's reference log-prob is 0 (simpo and orpo read none).
  if (config.loss.referenceFree) return out;
  if (!set.ref) return undefined;
  indices.forEach((i, j) => {
    out[j] = set.ref!.chosen[i];
    out[P + j] = set.ref!.rejected[i];
  });
  return out;
}

function orderOptions(config: TrainConfig, epoch: number) {
  return {
    pairsPerBatch: config.pairsPerBatch,
    seed: config.seed,
    epoch,
    bucketWindow: config.bucketWindow,
  };
}

function validate(config: TrainConfig, input: TrainInput, syncEvery: number): void {
  const positive = ["pairsPerBatch", "gradAccumSteps", "logEvery", "padToMultiple"] as const;
  for (const k of positive) {
    if (!Number.isInteger(config[k]) || config[k] < 1) {
      throw new RangeError(`train: ${k} must be a positive integer, got ${config[k]}`);
    }
  }
  if (!Number.isInteger(syncEvery) || syncEvery < 1) {
    throw new RangeError(`train: syncEvery must be a positive integer, got ${config.syncEvery}`);
  }
  if (input.train.pairs.length === 0) throw new RangeError("train: there are no training pairs");
  if (config.objective === "dpo" && usesReference(config.loss) && !input.train.ref) {
    throw new RangeError(
      `train: the ${lossVariants(config.loss).join("+")} loss needs reference log-probs (the ` +
        "ref-cache stage)",
    );
  }
  if (!(config.optimizer.lr >= 0)) {
    throw new RangeError(`train: lr must be ≥ 0, got ${config.optimizer.lr}`);
  }
}

/** The step and `eval_`-prefixed metrics. */
function prefix(row: StepRow): StepRow {
  const out: StepRow = { step: row.step };
  for (const [k, v] of Object.entries(row)) if (k !== "step") out[`eval_${k}`] = v;
  return out;
}

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** LD-DPO's α for the micro-batches of a DPO run (none for SFT). */
function ldOptions(config: Pick<TrainConfig, "objective" | "loss">): { ldAlpha?: number } {
  return config.objective === "dpo" && config.loss.ldAlpha !== undefined
    ? { ldAlpha: config.loss.ldAlpha }
    : {};
}
