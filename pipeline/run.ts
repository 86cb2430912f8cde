/**
 * A whole run from one {@linkcode RunConfig}: `load → tokenize → ref-cache → train → eval`, with
 * everything written to `runs/<name>/`: the resolved `config.yaml`, `metrics.jsonl`, charts,
 * `eval.json`, checkpoints and the final model folder. This is what `deno task train` and
 * `deno task sft` run; each stage is also usable alone (see `mod.ts`).
 *
 * With no model and no data configured, the run uses the built-in task (`datasets/synthetic.ts`)
 * and its reference model (`datasets/shout_reference/`, made by `deno task sft`).
 *
 * @module
 */
import { basename, dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { shoutTask, type SyntheticTask } from "../datasets/synthetic.ts";
import type { PreferencePair } from "../datasets/types.ts";
import { ktoExamples } from "../datasets/kto.ts";
import { DataError } from "../datasets/formats.ts";
import type { QuantKind } from "../kernels/quantize.ts";
import { type ModelConfig, readConfig, tinyConfig } from "../model/config.ts";
import { listCheckpoints, readTrainerState } from "./checkpoint.ts";
import {
  checkModelFolder,
  type LoadedModel,
  loadModel,
  saveModel,
  stopTokenIds,
} from "../model/io.ts";
import { initParams, internalParams, type ParamValues } from "../model/params.ts";
import { ByteTokenizer, type TextTokenizer } from "../model/tokenizer.ts";
import {
  type EvalInput,
  type EvalModel,
  type EvalOptions,
  type EvalReport,
  evaluate,
} from "./eval.ts";
import { load } from "./load.ts";
import {
  MetricsLog,
  readMetrics,
  rewardKlChart,
  truncateMetrics,
  writeTrainingCharts,
} from "./metrics.ts";
import {
  DEFAULT_DPO_LOSS,
  type DpoLossConfig,
  lossAtReference,
  usesReference,
} from "./objective.ts";
import type { OptimizerConfig } from "./optimizer.ts";
import { hashModelDir, hashParams, refCache, type RefLogps } from "./ref_cache.ts";
import { longestPair, scorePairs } from "./score.ts";
import { type LoraOptions, Transformer } from "../model/transformer.ts";
import { atomicWrite } from "../model/safetensors.ts";
import { ConfigKeyError, type RunConfig, toYaml } from "./run_config.ts";
import type { StageContext } from "./stage.ts";
import {
  defaultPromptLength,
  splitTrainEval,
  tokenize,
  type TokenizedDataset,
  type TokenizedPair,
} from "./tokenize.ts";
import { type PairSet, sameTraining, type StepRow, train, type TrainConfig } from "./train.ts";
import {
  AOT_MAX_PAIRS,
  DEFAULT_DISCOPOP_TAU,
  type DpoVariant,
  F_DIVERGENCE_VARIANTS,
  type FDivergence,
  SMOOTHED_VARIANTS,
  UNPAIRED_VARIANTS,
} from "../kernels/dpo.ts";
import type { AttentionDesign } from "../kernels/attention.ts";
import {
  ADAPTER_CONFIG,
  loadAdapter,
  loraScale,
  type LoraSpec,
  mergeLora,
  saveAdapter,
  selectModules,
  specFromPeft,
} from "../model/lora.ts";
import { exists, samePlace, within } from "../util/fs.ts";

/** The committed reference model of the built-in task. */
export const BUILTIN_MODEL_DIR: string = fileURLToPath(
  new URL("../datasets/shout_reference", import.meta.url),
);

/** The architecture `deno task sft` trains from scratch for the built-in task. */
export function builtinModelConfig(): ModelConfig {
  const tok = new ByteTokenizer();
  return tinyConfig("llama", {
    vocabSize: tok.vocabSize,
    hiddenSize: 64,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 16,
    intermediateSize: 128,
    maxPositions: 32,
    tieEmbeddings: true,
    bosTokenId: tok.bosTokenId,
    eosTokenIds: tok.eosTokenId === null ? [] : [tok.eosTokenId],
    padTokenId: tok.padTokenId,
  });
}

/** What a run produced. */
export interface RunSummary {
  /** The run folder. */
  runDir: string;
  /** Optimizer steps. */
  steps: number;
  /** The final model folder. */
  modelDir: string;
  /** Evaluation (DPO runs). */
  eval?: EvalReport;
  /** The last logged training row. */
  last?: StepRow;
  /** Seconds the run took. */
  seconds: number;
  /** The loss evaluated (default: sigmoid DPO against the reference model). */
  loss?: DpoLossConfig;
}

/**
 * Runs `train` (DPO) or `sft` from a resolved configuration.
 *
 * @example
 * ```ts
 * import { runFromConfig } from "./run.ts";
 * import { defaults } from "./run_config.ts";
 * import { createContext } from "./stage.ts";
 * // const summary = await runFromConfig(defaults(), createContext());
 * ```
 */
export async function runFromConfig(config: RunConfig, ctx: StageContext): Promise<RunSummary> {
  const t0 = performance.now();
  const c = config;
  const runDir = runFolder(c, timestamp());
  const loss = lossConfig(c);
  const trainConfig = trainingConfig(c, loss);
  // Nothing of an earlier run is touched until we know this run may use its folder; a folder
  // replaced by run.overwrite is only set aside, and comes back if this run fails.
  const models: [string, unknown][] = [
    ["model.path", startingModelDir(c)],
    ["model.ref", c.model.ref ?? startingModelDir(c)],
  ];
  const saveTo = c.run.save_to as string | null;
  if (saveTo) {
    // Before training: a bad run.save_to would otherwise only show after it.
    refuseOverlap(
      saveTo,
      [...models, ["the run folder", runDir]],
      (key, input) =>
        `run.save_to (${saveTo}) would overwrite ${key} (${input}): choose another folder`,
      true,
    );
    await checkModelFolder(saveTo);
  }
  const claim = await claimRunDir(runDir, c, ctx, {
    trainConfig,
    inputs: [...models, ["data.path", c.data.path], ["run.cache_dir", c.run.cache_dir], [
      "run.save_to",
      saveTo,
    ]],
  });
  return await claim.run(() => trainInFolder(runDir, c, trainConfig, loss, ctx, t0));
}

async function trainInFolder(
  runDir: string,
  c: RunConfig,
  trainConfig: TrainConfig,
  loss: DpoLossConfig,
  ctx: StageContext,
  t0: number,
): Promise<RunSummary> {
  const objective = c.train.objective as "dpo" | "sft";
  const data = await prepareData(c, objective, ctx);
  const { start, tokenizer, task, trainData, evalData, heldOut } = data;
  // Bad LoRA targets are refused before the reference log-probs are computed.
  if (trainConfig.lora) selectModules(start.config, trainConfig.lora);
  // Continuing model.adapter: the model's own weights stay frozen under it (the merged model is
  // the reference).
  const policy = trainConfig.lora && data.adapter
    ? { model: { ...start, params: data.adapter.base }, adapters: data.adapter.values }
    : { model: start };
  const cacheDir = (c.run.cache_dir as string | null) ?? undefined;
  // The reference: its weights' hash keys the log-prob cache and the resume check below.
  let reference: {
    config: ModelConfig;
    params: () => Promise<ParamValues>;
    lora?: LoraOptions;
  } = {
    config: start.config,
    params: () => Promise.resolve(start.params),
  };
  let weightsHash: string | null = null;
  const refDir = c.model.ref as string | null;
  if (objective === "dpo" && usesReference(loss)) {
    if (refDir) {
      let loaded: Promise<LoadedModel> | null = null;
      const get = () => loaded ??= loadModel(refDir);
      reference = { config: await readConfig(refDir), params: async () => (await get()).params };
      if (reference.config.vocabSize !== start.config.vocabSize) {
        throw new RangeError(
          `The reference ${refDir} has a vocabulary of ${reference.config.vocabSize}, the model ` +
            `${start.config.vocabSize}: they must share one tokenizer`,
        );
      }
      weightsHash = await hashModelDir(refDir);
    } else if (trainConfig.quantize && policy.adapters) {
      // Continuing model.adapter on packed weights: the reference is the packed model with that
      // adapter, as the policy starts (packing the merged model would give another model).
      reference = {
        config: start.config,
        params: () => Promise.resolve(policy.model.params),
        lora: { ...data.adapter!.spec, adapters: policy.adapters },
      };
      // (its scale in the hash too: the same tensors under another α give another reference)
      const spec = data.adapter!.spec;
      weightsHash = await hashParams(
        new Map([
          ...policy.model.params,
          ...policy.adapters,
          ["lora scale", Float32Array.of(loraScale(spec), spec.dora ? 1 : 0)],
        ]),
      );
    } else weightsHash = await hashParams(start.params);
  }
  // What the run trains on, to refuse a resume on anything else (a resumed run takes its policy
  // from the checkpoint; the data and the reference must be those of its earlier steps): the
  // pairs' token ids and the reference's weights, whatever the paths' spelling.
  const inputs = {
    train: idsFingerprint(trainData.pairs),
    eval: idsFingerprint(evalData.pairs),
    reference: weightsHash,
    // LoRA: the frozen weights its checkpoints' adapters apply to.
    ...(trainConfig.lora ? { base: await hashParams(policy.model.params) } : {}),
  };
  const inputsPath = `${runDir}/inputs.json`;
  if (c.run.resume && await exists(inputsPath)) {
    const was = JSON.parse(await Deno.readTextFile(inputsPath)) as Record<string, unknown>;
    const what: Record<string, string> = {
      train: "training pairs' token ids (the data, the tokenizer or the tokenize settings)",
      eval: "held-out pairs' token ids",
      reference: "reference model's weights",
      base: "model's weights (the frozen base its LoRA adapters apply to)",
    };
    for (const [key, now] of Object.entries(inputs)) {
      if (JSON.stringify(was[key] ?? null) !== JSON.stringify(now)) {
        throw new RangeError(
          `Cannot resume ${runDir}: its ${what[key]} differ from those its earlier steps used; ` +
            "nothing was changed",
        );
      }
    }
  } else if (c.run.resume && (await listCheckpoints(runDir)).length > 0) {
    ctx.logger.warn(
      `run: ${runDir} has no inputs.json (an older run): its data and reference cannot be ` +
        "checked against this resume's",
    );
  }
  await Deno.mkdir(runDir, { recursive: true });
  await Deno.writeTextFile(inputsPath, JSON.stringify(inputs, null, 2) + "\n");
  // The saved recipe reruns this run: without the one-time run.resume and run.overwrite.
  const saved = structuredClone(c);
  saved.run.resume = false;
  saved.run.overwrite = false;
  await Deno.writeTextFile(`${runDir}/config.yaml`, toYaml(saved));
  ctx.logger.info(`run: ${runDir}`);

  // ref-cache
  let trainRef: RefLogps | null = null, evalRef: RefLogps | null = null;
  if (weightsHash !== null) {
    const source = { ...reference, weightsHash, quantize: trainConfig.quantize };
    const refOptions = { cacheDir, pairsPerBatch: c.train.pairs_per_batch as number };
    trainRef = await refCache({ dataset: trainData, reference: source }, refOptions, ctx);
    if (evalData.pairs.length) {
      evalRef = await refCache({ dataset: evalData, reference: source }, refOptions, ctx);
    }
  }

  // train
  const metricsPath = `${runDir}/metrics.jsonl`;
  if (c.run.resume) {
    const last = (await listCheckpoints(runDir)).at(-1);
    await truncateMetrics(metricsPath, last?.step ?? 0);
  } else await Deno.remove(metricsPath).catch(() => {});
  const log = await MetricsLog.open(metricsPath);
  const set = (d: TokenizedDataset, ref: RefLogps | null): PairSet => ({
    pairs: d.pairs,
    ref,
    padTokenId: d.padTokenId,
  });
  // Task reward and KL at each periodic evaluation, for the reward-against-KL chart.
  const curve: { step: number; kl: number; reward: number }[] = [];
  // A quantized run's policy is evaluated as it trained: the packed base with its adapters.
  const quantize = trainConfig.quantize;
  const policyModel = async (
    params: () => Promise<ParamValues>,
    adapters: () => Promise<ParamValues>,
  ): Promise<EvalModel> =>
    quantize
      ? {
        config: start.config,
        params: policy.model.params,
        lora: { ...trainConfig.lora!, adapters: await adapters() },
        quantize,
      }
      : { config: start.config, params: await params() };
  const evalInput = async (model: EvalModel): Promise<EvalInput> => ({
    policy: model,
    reference: {
      config: reference.config,
      params: await reference.params(),
      lora: reference.lora,
      quantize,
    },
    pairs: set(evalData, evalRef),
    tokenizer,
    stopTokenIds: stopTokenIds({ ...start, tokenizer }),
    promptTexts: heldOut.map((p) => p.prompt.at(-1)?.content ?? ""),
    reward: task?.reward,
  });
  const curvePoint = c.eval.curve && task && c.eval.generate && objective === "dpo"
    ? async (
      step: number,
      params: () => Promise<ParamValues>,
      adapters: () => Promise<ParamValues>,
    ) => {
      // Only the generations: the train stage has just measured the held-out pairs itself.
      const input = { ...await evalInput(await policyModel(params, adapters)), metrics: {} };
      const r = await evaluate(input, evalOptions(c, loss), ctx);
      const g = r.generation;
      if (g?.policyReward !== undefined) curve.push({ step, kl: g.kl, reward: g.policyReward });
    }
    : undefined;
  let result;
  try {
    result = await train(
      {
        ...policy,
        train: set(trainData, trainRef),
        eval: evalData.pairs.length && objective === "dpo" ? set(evalData, evalRef) : undefined,
      },
      trainConfig,
      ctx,
      {
        runDir,
        resume: c.run.resume as boolean,
        metrics: log,
        onEval: curvePoint,
        baseModel: adapterBase(c).base,
      },
    );
  } finally {
    log.close();
  }
  const modelDir = `${runDir}/model`;
  ctx.signal.throwIfAborted();
  // A quantized run's merged model: its adapters merged into the model's own full-precision
  // weights (on the host, in float64), as LLaMA-Factory exports a QLoRA run onto the unquantized
  // model; the adapters trained on the packed ones.
  const mergeFull = quantize && result.adapters && (c.lora.save_merged as boolean);
  if (mergeFull) {
    ctx.logger.info(
      `run: merging the adapters into the model's full-precision weights (trained on ${quantize})`,
    );
  }
  const trained = {
    config: start.config,
    params: mergeFull
      ? mergeLora(start.config, result.adapters!.spec, policy.model.params, result.adapters!.values)
      : result.params,
    tokenizer: start.tokenizer ?? tokenizer,
    generationConfig: start.generationConfig,
  };
  // LoRA: the merged model, and the adapters as a PEFT folder `adapter/` inside it.
  const a = result.adapters;
  const save = (dir: string) =>
    saveModel(dir, trained, {
      also: a
        ? (tmp) => saveAdapter(`${tmp}/adapter`, start.config, a.spec, a.values, adapterBase(c))
        : undefined,
      // (lora.save_merged false: the adapters alone, beside the config and tokenizer)
      weights: !a || (c.lora.save_merged as boolean),
    });
  await save(modelDir);
  if (c.run.save_to) {
    ctx.signal.throwIfAborted();
    await save(c.run.save_to as string);
    ctx.logger.info(`run: model also saved to ${c.run.save_to}`);
  }
  // Charts from the whole log: a resumed run's history holds only the steps since the resume.
  await writeTrainingCharts(runDir, await readMetrics(metricsPath));

  // eval
  ctx.signal.throwIfAborted();
  let report: EvalReport | undefined;
  if (objective === "dpo" && evalData.pairs.length) {
    // The train stage already measured the held-out pairs at its last step: reuse those metrics.
    const last = result.history.findLast((r) => r.step === result!.steps && "eval_loss" in r);
    const metrics = last
      ? Object.fromEntries(Object.entries(last).filter(([k]) => k.startsWith("eval_")))
      : undefined;
    const model = await policyModel(
      () => Promise.resolve(result!.params),
      () => Promise.resolve(result!.adapters!.values),
    );
    report = await evaluateToFile(runDir, c, { ...await evalInput(model), metrics }, ctx);
    const g = report.generation;
    if (g?.policyReward !== undefined) {
      const points = [
        { step: 0, kl: 0, reward: g.referenceReward ?? 0 },
        ...curve,
        { step: result.steps, kl: g.kl, reward: g.policyReward },
      ];
      // With tempered or truncated sampling the mean log-ratio is not a KL estimate: say so.
      const options = g.klIsEstimate ? {} : {
        title: "Task reward against the log-ratio to the reference",
        xLabel: "mean log π/π_ref on the samples (tempered or truncated sampling: not a KL)",
      };
      await Deno.writeTextFile(`${runDir}/reward_kl.svg`, rewardKlChart(points, options));
    }
  }
  return {
    runDir,
    steps: result.steps,
    modelDir,
    eval: report,
    last: result.history.filter((r) => r.loss !== undefined).at(-1),
    seconds: (performance.now() - t0) / 1000,
    loss,
  };
}

/** Everything a run needs before training: the models, the tokenizer and the tokenized data. */
export interface PreparedData {
  /** The starting (policy) model (with `model.adapter`, the model with it merged). */
  start: LoadedModel;
  /** `model.adapter`: its spec and tensors, and the model's own weights it was merged into. */
  adapter?: { spec: LoraSpec; values: ParamValues; base: ParamValues };
  /** The tokenizer (the model's, the built-in byte tokenizer for the built-in task, or null). */
  tokenizer: TextTokenizer | null;
  /** The built-in task, when no data were given. */
  task: SyntheticTask | null;
  /** Training pairs. */
  trainData: TokenizedDataset;
  /** Held-out pairs. */
  evalData: TokenizedDataset;
  /** The held-out pairs before tokenizing (their prompts' text feeds the task reward). */
  heldOut: PreferencePair[];
}

/**
 * Loads the starting model and the data, tokenizes them and splits off the held-out pairs, as
 * the configuration says (the built-in task when `data.path` is unset).
 *
 * @example
 * ```ts
 * import { prepareData } from "./run.ts";
 * import { defaults } from "./run_config.ts";
 * import { createContext } from "./stage.ts";
 * // const data = await prepareData(defaults(), "dpo", createContext());
 * ```
 */
export async function prepareData(
  c: RunConfig,
  objective: "dpo" | "sft",
  ctx: StageContext,
): Promise<PreparedData> {
  const builtin = c.data.path === null;
  const task: SyntheticTask | null = builtin ? shoutTask() : null;
  let start = await startingModel(c, objective, builtin);
  let adapter: PreparedData["adapter"];
  if (c.model.adapter) {
    const dir = c.model.adapter as string;
    const { spec, values } = await loadAdapter(dir, start.config);
    adapter = { spec, values, base: start.params };
    start = { ...start, params: mergeLora(start.config, spec, start.params, values) };
    ctx.logger.info(`load: adapter ${dir} (r ${spec.rank}, α ${spec.alpha}) merged into the model`);
  }
  const tokenizer = start.tokenizer ?? (builtin ? new ByteTokenizer() : null);
  let pairs: PreferencePair[], heldOut: PreferencePair[] | null = null;
  if (task) {
    pairs = objective === "sft" ? task.sft : task.train;
    heldOut = task.eval;
    ctx.logger.info(`load: the built-in "${task.name}" task: ${task.description}`);
  } else {
    const loaded = await load(
      { path: c.data.path as string, dataset: (c.data.dataset as string | null) ?? undefined },
      {
        format: (c.data.format ?? undefined) as never,
        onInvalid: c.data.on_invalid as "error" | "skip",
      },
      ctx,
    );
    pairs = loaded.pairs;
    const r = loaded.report;
    ctx.logger.info(
      `load: ${r.pairs} pairs (${loaded.format}) from ${r.rows} rows; ${r.skipped} skipped`,
    );
    // Which rows were skipped and why, a few of each reason (`deno task inspect` lists them all).
    for (const reason of r.reasons.slice(0, 5)) {
      const where = reason.examples.slice(0, 3).map((e) => `${e.file} row ${e.row}`).join(", ");
      ctx.logger.warn(`load: skipped ${reason.count}× ${reason.reason} (e.g. ${where})`);
    }
    for (const w of r.warnings.slice(0, 5)) ctx.logger.warn(`load: ${w.message}`);
    const most = c.data.max_samples as number | null;
    if (most !== null && pairs.length > most) {
      pairs = pairs.slice(0, most);
      ctx.logger.info(`load: the first ${most} pairs kept (data.max_samples)`);
    }
  }
  // KTO trains on labelled examples: pairs are unpaired and each example gets its KL completion
  // (TRL's KTOTrainer). Generation still takes the rows' prompts, once each (`rows`).
  const rows = pairs;
  const kto = objective === "dpo" &&
    UNPAIRED_VARIANTS.includes(String(c.loss.variant) as DpoVariant);
  // KL completions rotate within groups of the micro-batch's examples, at least 2, so that each
  // is another example's response: with one example per micro-batch (LLaMA-Factory's own KTO
  // example trains so), neighbouring examples swap theirs.
  const groups = Math.max(c.train.pairs_per_batch as number, 2);
  // apo_zero_unpaired has no KL term: its examples' KL slots stay empty (a 1-token row each).
  const ktoOptions = { kl: String(c.loss.variant) === "kto" };
  if (kto) {
    pairs = ktoExamples(pairs, groups, ktoOptions);
    const desirable = pairs.filter((p) => p.label).length;
    ctx.logger.info(
      `data: ${pairs.length} KTO examples (${desirable} desirable, ` +
        `${pairs.length - desirable} undesirable)` +
        (ktoOptions.kl ? `, KL completions within groups of ${groups}` : ""),
    );
  } else {
    const single = pairs.find((p) => p.label !== undefined);
    if (single) {
      throw new DataError({
        ...single.source,
        field: "label",
        reason: "the row is an unpaired example (one completion and a label), not a preference " +
          "pair: such data needs --loss.variant kto (or apo_zero_unpaired)",
      });
    }
  }
  const cfg = start.config;
  const maxLength = Math.min(c.tokenize.max_length as number, cfg.maxPositions);
  const tokOptions = {
    tokenizer: tokenizer ?? undefined,
    // Models without a tokenizer take pre-tokenized rows; pad and EOS come from the config.
    padTokenId: tokenizer ? undefined : cfg.padTokenId ?? cfg.eosTokenIds[0] ?? 0,
    eosTokenId: tokenizer ? undefined : cfg.eosTokenIds[0] ?? null,
    template: c.tokenize.template as "auto" | "template" | "plain",
    maxLength,
    maxPromptLength: (c.tokenize.max_prompt_length as number | null) ??
      defaultPromptLength(maxLength),
    maxCompletionLength: (c.tokenize.max_completion_length as number | null) ?? undefined,
    vocabSize: cfg.vocabSize,
    cacheDir: (c.run.cache_dir as string | null) ?? undefined,
  };
  const all = await tokenize(pairs, tokOptions, ctx);
  reportTokenize(all, ctx);
  let trainData: TokenizedDataset, evalData: TokenizedDataset;
  if (heldOut) {
    trainData = all;
    const examples = kto ? ktoExamples(heldOut, groups, ktoOptions) : heldOut;
    evalData = await tokenize(examples, tokOptions, ctx);
  } else if (objective === "sft") {
    // SFT evaluates nothing: train on every pair.
    trainData = all;
    evalData = { ...all, pairs: [], key: `${all.key}:none` };
    heldOut = [];
  } else {
    const split = splitTrainEval(all.pairs, {
      evalFraction: c.data.eval_size === null ? c.data.eval_fraction as number : undefined,
      evalSize: (c.data.eval_size as number | null) ?? undefined,
      seed: c.data.split_seed as number,
    });
    const evalSources = new Set(split.eval.map((p) => `${p.source.file}:${p.source.row}`));
    heldOut = rows.filter((p) => evalSources.has(`${p.source.file}:${p.source.row}`));
    trainData = { ...all, pairs: split.train, key: `${all.key}:train:${c.data.split_seed}` };
    evalData = { ...all, pairs: split.eval, key: `${all.key}:eval:${c.data.split_seed}` };
  }
  // Keep the untokenized held-out pairs aligned with the tokenized ones (tokenize may drop rows).
  const kept = new Set(evalData.pairs.map((p) => `${p.source.file}:${p.source.row}`));
  heldOut = heldOut.filter((p) => kept.has(`${p.source.file}:${p.source.row}`));
  ctx.logger.info(
    `data: ${trainData.pairs.length} training ${kto ? "examples" : "pairs"}, ` +
      `${evalData.pairs.length} held out`,
  );
  return { start, ...(adapter ? { adapter } : {}), tokenizer, task, trainData, evalData, heldOut };
}

/**
 * The held-out lines of a KTO run's summary: the rewards of the desirable and undesirable
 * examples (0 at the reference), TRL's KL estimate z0, and the loss (at the reference, z0 = 0 and
 * every reward 0, so ½·λ when both labels weigh λ).
 */
function ktoSummary(m: Record<string, number>, loss: DpoLossConfig): string[] {
  const ref = (text: string) => `   (reference: ${text})`;
  const value = (key: string) =>
    m[key] === undefined || !Number.isFinite(m[key]) ? "–" : m[key].toFixed(3);
  const wd = loss.desirableWeight ?? 1, wu = loss.undesirableWeight ?? 1;
  return [
    "",
    "Held-out examples (policy vs reference):",
    `  reward, desirable    ${value("eval_rewards/chosen")}${ref("0")}`,
    `  reward, undesirable  ${value("eval_rewards/rejected")}${ref("0")}`,
    // (apo_zero_unpaired has no KL term)
    ...(loss.variant === "kto" ? [`  KL estimate z0       ${value("eval_kl")}${ref("0")}`] : []),
    `  ${`${loss.variant} loss`.padEnd(20)} ${m.eval_loss.toFixed(4)}${
      wd === wu ? ref((wd / 2).toFixed(4)) : ""
    }`,
  ];
}

/**
 * The closing summary of a run, for the terminal.
 *
 * @example
 * ```ts
 * import { formatSummary } from "./run.ts";
 * console.log(formatSummary({ runDir: "runs/x", steps: 10, modelDir: "runs/x/model", seconds: 12 }));
 * ```
 */
export function formatSummary(s: RunSummary): string {
  const lines = [`Done in ${s.seconds.toFixed(0)} s${s.steps ? `: ${s.steps} steps` : ""}.`];
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const m = s.eval?.metrics;
  const loss = s.loss ?? DEFAULT_DPO_LOSS;
  if (m && UNPAIRED_VARIANTS.includes(loss.variant)) lines.push(...ktoSummary(m, loss));
  else if (m) {
    // What the reference model scores against itself, where the loss compares with it: no
    // preference, margin 0, and the loss at policy = reference (sigmoid: log 2; ipo: 1/(2β)²;
    // hinge: 1; …), unless an NLL term (nll_alpha) adds the reference's own cross-entropy.
    const vsReference = usesReference(loss);
    // (WPO's weights depend on the data, and LD-DPO's policy log-probs are not the reference's
    // even at the start: no single value at the reference.)
    const atZero = !vsReference || loss.nllAlpha > 0 || loss.useWeighting ||
        loss.ldAlpha !== undefined
      ? null
      : lossAtReference(loss);
    const ref = (text: string | null) => text === null ? "" : `   (reference: ${text})`;
    const name = loss.combination
      ? `${loss.combination.map((x) => x.variant).join("+")} loss`
      : loss.variant === "sigmoid"
      ? "DPO loss"
      : `${loss.variant} loss`;
    lines.push(
      "",
      vsReference ? "Held-out pairs (policy vs reference):" : "Held-out pairs (policy):",
      `  preference accuracy  ${pct(m["eval_rewards/accuracies"])}${
        ref(vsReference ? "no preference" : null)
      }`,
      `  reward margin        ${m["eval_rewards/margins"].toFixed(3)}${
        ref(vsReference ? "0" : null)
      }`,
      `  ${name.padEnd(20)} ${m.eval_loss.toFixed(4)}${ref(atZero?.toFixed(4) ?? null)}`,
    );
  }
  const g = s.eval?.generation;
  if (g) {
    lines.push("", `Generations on ${g.prompts} held-out prompts:`);
    if (g.policyReward !== undefined) {
      lines.push(
        `  task reward          ${pct(g.referenceReward!)} → ${pct(g.policyReward)}   (${
          g.policyReward >= g.referenceReward! ? "+" : ""
        }${(100 * (g.policyReward - g.referenceReward!)).toFixed(1)} points)`,
        `  win rate vs ref      ${pct(g.winRate!)}`,
      );
    }
    lines.push(
      g.klIsEstimate
        ? `  KL(policy ‖ ref)     ${g.kl.toFixed(3)} nats per response`
        : `  log π/π_ref          ${g.kl.toFixed(3)} nats per sampled response (not a KL ` +
          "estimate: sampling was tempered or filtered)",
    );
    if (g.policyCut > 0 || g.referenceCut > 0) {
      lines.push(
        `  cut before an end    ${pct(g.policyCut)} of the policy's responses, ` +
          `${pct(g.referenceCut)} of the reference's (eval.max_new_tokens)`,
      );
    }
    const shown = g.samples.slice(0, 3);
    for (const x of shown) {
      lines.push(
        `  e.g. ${JSON.stringify(x.prompt)}: reference ${JSON.stringify(x.reference)} → policy ${
          JSON.stringify(x.policy)
        }`,
      );
    }
  }
  lines.push(
    "",
    `Outputs in ${s.runDir}/: config.yaml, inputs.json, metrics.jsonl, loss.svg, margins.svg, ` +
      (UNPAIRED_VARIANTS.includes(loss.variant) ? "kl.svg" : "accuracy.svg") +
      (g?.policyReward !== undefined ? ", reward_kl.svg" : "") + (m ? ", eval.json" : "") +
      ", model/",
  );
  return lines.join("\n") + "\n";
}

/**
 * The folder the run's starting model is read from: `model.path`, else the built-in reference for
 * the built-in task; null when there is none (the built-in SFT starts from scratch).
 */
function startingModelDir(
  c: RunConfig,
  objective = c.train.objective as "dpo" | "sft",
): string | null {
  if (c.model.path) return c.model.path as string;
  return c.data.path === null && objective !== "sft" ? BUILTIN_MODEL_DIR : null;
}

async function startingModel(
  c: RunConfig,
  objective: "dpo" | "sft",
  builtin: boolean,
): Promise<LoadedModel> {
  const dir = startingModelDir(c, objective);
  if (dir === null && builtin) {
    const config = builtinModelConfig();
    return {
      config,
      params: initParams(config, { seed: c.train.seed as number }),
      tokenizer: new ByteTokenizer(),
      dir: "",
    };
  }
  if (dir === null) {
    throw new RangeError(
      "model.path is required with your own data (--model DIR: a Hugging Face model folder)",
    );
  }
  if (dir !== BUILTIN_MODEL_DIR) return await loadModel(dir);
  try {
    return await loadModel(BUILTIN_MODEL_DIR);
  } catch (e) {
    throw new RangeError(
      `The built-in reference model is missing (${(e as Error).message}); make it with ` +
        "`deno task sft --run.save_to datasets/shout_reference`",
    );
  }
}

function reportTokenize(d: TokenizedDataset, ctx: StageContext): void {
  const r = d.report as unknown as Record<string, unknown>;
  const truncated = Number(r.truncated ?? 0), dropped = Number(r.dropped ?? 0);
  ctx.logger.info(`tokenize: ${d.pairs.length} pairs; ${truncated} truncated, ${dropped} dropped`);
}

/** A digest of pairs' token ids (two 32-bit FNV-1a lanes, as hex): equal ids, equal digests. */
function idsFingerprint(pairs: readonly TokenizedPair[]): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ pairs.length;
  const mix = (v: number) => {
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 ^ (v + 0x9e3779b9), 0x85ebca6b);
  };
  for (const p of pairs) {
    for (const ids of [p.prompt, p.chosen, p.rejected]) {
      mix(-1 - ids.length);
      for (let i = 0; i < ids.length; i++) mix(ids[i]);
    }
  }
  const hex = (h: number) => (h >>> 0).toString(16).padStart(8, "0");
  return `${pairs.length}:${hex(h1)}${hex(h2)}`;
}

/**
 * Refuses (RangeError) when `path` lies inside one of the `inputs` — or, with `either`, one of
 * them lies inside it: `what(key, input)` says what would be overwritten.
 */
function refuseOverlap(
  path: string,
  inputs: [string, unknown][],
  what: (key: string, input: string) => string,
  either = false,
): void {
  for (const [key, input] of inputs) {
    if (typeof input === "string" && (within(path, input) || (either && within(input, path)))) {
      throw new RangeError(what(key, input));
    }
  }
}

/** A run's folder: `run.out_dir/run.name` (or `fallback`), refused outside `run.out_dir`. */
function runFolder(c: RunConfig, fallback: string): string {
  const outDir = c.run.out_dir as string, name = (c.run.name as string | null) ?? fallback;
  if (isAbsolute(name)) {
    throw new RangeError(`run.name "${name}" must be a name, not a path: set run.out_dir for that`);
  }
  // Normalised as written ("x/../a" is "a"), so every later check sees the folder written to.
  const runDir = join(outDir, name);
  if (!within(runDir, outDir) || samePlace(runDir, outDir)) {
    throw new RangeError(
      `run.name "${name}" must name a folder inside run.out_dir (${outDir}), not the folder ` +
        "itself or one outside it",
    );
  }
  return runDir;
}

/** A run folder claimed by {@linkcode claimRunDir}. */
interface RunClaim {
  /**
   * Runs the work that writes the folder; then drops the earlier folder set aside, or, when the
   * work throws, puts it back.
   */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** Run folders set aside by replacing runs still going: [set aside as, the folder]. */
const heldAside = new Map<string, string>();

/**
 * The earlier run folders that runs in this process have set aside and not yet settled, as
 * "kept at" lines (for a process about to exit before they settle).
 *
 * @example
 * ```ts
 * import { foldersSetAside } from "./run.ts";
 * console.log(foldersSetAside()); // [] when no replacing run is going
 * ```
 */
export function foldersSetAside(): string[] {
  return [...heldAside].map(([aside, runDir]) => `the earlier ${runDir} is kept at ${aside}`);
}

/** A claim whose earlier folder (if any) went to `aside`. */
function claimed(runDir: string, aside: string | null, ctx: StageContext): RunClaim {
  return {
    async run(work) {
      if (!aside) return await work();
      heldAside.set(aside, runDir);
      let result;
      try {
        result = await work();
      } catch (e) {
        await Deno.remove(runDir, { recursive: true }).catch(() => {});
        await Deno.rename(aside, runDir);
        ctx.logger.info(`run: ${runDir} put back as it was`);
        throw e;
      } finally {
        heldAside.delete(aside);
      }
      await Deno.remove(aside, { recursive: true });
      return result;
    },
  };
}

/**
 * Checks that a run may write to `runDir`, before anything is written:
 * - a new run needs an absent or empty folder, or `run.overwrite`. The old folder is then renamed
 *   aside (`<runDir>.replaced-<time>`) and deleted only once the new run has succeeded; if the run
 *   fails, its partial folder is removed and the old one put back. A folder holding one of the
 *   run's inputs (model, reference, data, cache, save_to) is never replaced.
 * - a resumed run needs checkpoints in the folder, written with the same training configuration;
 *   an absent or empty folder starts afresh.
 */
async function claimRunDir(
  runDir: string,
  c: RunConfig,
  ctx: StageContext,
  use: {
    /** A training run's settings (resumable); absent for eval. */
    trainConfig?: TrainConfig;
    /** The run's inputs (key, path), which a replaced folder must not hold. */
    inputs: [string, unknown][];
  },
): Promise<RunClaim> {
  const { trainConfig, inputs } = use;
  const nothing = claimed(runDir, null, ctx);
  let entries: string[] = [];
  try {
    entries = [...Deno.readDirSync(runDir)].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) entries = [];
    else if (e instanceof Deno.errors.NotADirectory) {
      throw new RangeError(
        `The run folder ${runDir} is a file, or lies under one (run.out_dir ${c.run.out_dir}): ` +
          "choose another run.name or run.out_dir",
      );
    } else throw e;
  }
  // A folder set aside by a replacing run that was killed before it could settle: say so.
  try {
    const prefix = `${basename(runDir)}.replaced-`;
    for (const e of Deno.readDirSync(dirname(runDir))) {
      if (e.name.startsWith(prefix)) {
        ctx.logger.warn(
          `run: ${join(dirname(runDir), e.name)} holds an earlier ${runDir} that a replacing run ` +
            "set aside and never settled (it was killed): it is yours to keep or delete",
        );
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (c.run.resume && trainConfig) {
    if (c.run.name === null) {
      throw new RangeError("run.resume needs run.name: the run folder to continue");
    }
    const last = (await listCheckpoints(runDir)).at(-1);
    if (last) {
      const state = await readTrainerState(last.dir);
      if (!sameTraining(state.config, trainConfig)) {
        throw new RangeError(
          `Cannot resume ${runDir}: its checkpoints were written with another training ` +
            `configuration (see ${runDir}/config.yaml); nothing was changed`,
        );
      }
    } else if (entries.length > 0) {
      throw new RangeError(
        `Cannot resume ${runDir}: it holds no checkpoint to continue from (a finished run ` +
          "keeps none); nothing was changed. Choose another run.name, or replace it with " +
          "--run.overwrite true",
      );
    }
    return nothing;
  }
  if (entries.length === 0) return nothing;
  if (!c.run.overwrite) {
    throw new RangeError(
      `The run folder ${runDir} already exists: choose another run.name` +
        (trainConfig ? ", continue it with --run.resume true," : "") +
        " or replace it with --run.overwrite true",
    );
  }
  for (const [key, input] of inputs) {
    if (typeof input === "string" && within(input, runDir)) {
      throw new RangeError(
        `Cannot replace ${runDir}: ${key} (${input}) lies inside it; nothing was changed`,
      );
    }
  }
  const aside = `${runDir}.replaced-${timestamp()}`;
  await Deno.rename(runDir, aside);
  ctx.logger.info(`run: the earlier ${runDir} is set aside as ${aside} until this run succeeds`);
  return claimed(runDir, aside, ctx);
}

/** The eval stage with the configuration's options; writes `<runDir>/eval.json`. */
async function evaluateToFile(
  runDir: string,
  c: RunConfig,
  input: EvalInput,
  ctx: StageContext,
): Promise<EvalReport> {
  const report = await evaluate(input, evalOptions(c, lossConfig(c)), ctx);
  await Deno.writeTextFile(`${runDir}/eval.json`, JSON.stringify(report, null, 2) + "\n");
  return report;
}

function evalOptions(c: RunConfig, loss: DpoLossConfig): EvalOptions {
  return {
    loss,
    pairsPerBatch: c.train.pairs_per_batch as number,
    generate: c.eval.generate as boolean,
    samples: c.eval.samples as number,
    maxNewTokens: c.eval.max_new_tokens as number,
    temperature: c.eval.temperature as number,
    topK: c.eval.top_k as number,
    topP: c.eval.top_p as number,
    seed: c.eval.seed as number,
  };
}

function lossConfig(c: RunConfig): DpoLossConfig {
  const names = String(c.loss.variant).split(",");
  const smoothing = c.loss.label_smoothing as number, gamma = c.loss.gamma as number;
  const tau = c.loss.discopop_tau as number;
  const fDivergence = c.loss.f_divergence_type as FDivergence;
  const useWeighting = c.loss.use_weighting as boolean;
  const ldAlpha = c.loss.ld_alpha as number | null;
  const fAlpha = c.loss.f_alpha_divergence_coef as number;
  const dpo = c.train.objective === "dpo";
  // Several losses (TRL's list of loss types): weights from loss.weights, 1 each by default;
  // "sft" among them is the NLL term on the chosen responses, with its weight.
  const weightsText = c.loss.weights as string | null;
  const weights = weightsText === null ? names.map(() => 1) : weightsText.split(",").map(Number);
  if (weights.length !== names.length || weights.some((w) => !(w >= 0 && w < Infinity))) {
    throw new ConfigKeyError(
      `loss.weights (${weightsText}) must be ${names.length} non-negative numbers, one per loss ` +
        `in loss.variant (${names.join(", ")})`,
    );
  }
  const parts = names.flatMap((name, k) =>
    name === "sft" ? [] : [{ variant: name as DpoVariant, weight: weights[k] }]
  );
  const sftWeight = names.reduce((s, name, k) => s + (name === "sft" ? weights[k] : 0), 0);
  if (parts.length === 0) {
    if (dpo) {
      throw new ConfigKeyError(
        "loss.variant sft alone is not a preference loss: pair it with one (e.g. sigmoid,sft), " +
          "or train with train.objective sft",
      );
    }
    parts.push({ variant: "sigmoid", weight: 1 });
  }
  const variants = parts.map((x) => x.variant), list = variants.join(", ");
  const variant = variants[0];
  if (dpo && parts.length > 1) {
    const twice = variants.find((v, k) => variants.indexOf(v) !== k);
    if (twice) {
      throw new ConfigKeyError(`loss.variant lists ${twice} twice: list each loss once`);
    }
    if (variants.includes("ipo")) {
      throw new ConfigKeyError(
        "loss.variant: ipo cannot be combined with other losses here (TRL then takes every " +
          "loss's log-probs per token; that is not implemented)",
      );
    }
  }
  if (dpo) {
    // Options that the chosen losses would ignore are refused before any work, as TRL users
    // would otherwise believe them applied.
    if (smoothing !== 0 && !variants.some((v) => SMOOTHED_VARIANTS.includes(v))) {
      throw new ConfigKeyError(
        `loss.label_smoothing (${smoothing}) applies to the ${SMOOTHED_VARIANTS.join(", ")} ` +
          `losses, not ${list}`,
      );
    }
    if (gamma !== 0 && !variants.includes("simpo")) {
      throw new ConfigKeyError(`loss.gamma (${gamma}) applies to the simpo loss, not ${list}`);
    }
    if (tau !== DEFAULT_DISCOPOP_TAU && !variants.includes("discopop")) {
      throw new ConfigKeyError(
        `loss.discopop_tau (${tau}) applies to the discopop loss, not ${list}`,
      );
    }
    if (fDivergence !== "reverse_kl" && !variants.some((v) => F_DIVERGENCE_VARIANTS.includes(v))) {
      throw new ConfigKeyError(
        `loss.f_divergence_type (${fDivergence}) applies to the ` +
          `${F_DIVERGENCE_VARIANTS.join(", ")} losses, not ${list}`,
      );
    }
    const sortedOne = variants.find((v) => v === "aot" || v === "aot_pair");
    if (useWeighting && sortedOne) {
      throw new ConfigKeyError(
        `loss.use_weighting with the ${sortedOne} loss is not implemented (its sorted positions ` +
          "mix pairs, whose weights differ)",
      );
    }
    if (useWeighting && ((c.loss.nll_alpha as number) > 0 || sftWeight > 0)) {
      throw new ConfigKeyError(
        "loss.use_weighting with an NLL term (loss.nll_alpha or sft in loss.variant) is not " +
          "implemented (TRL weights the batch's mean NLL per pair)",
      );
    }
    if (ldAlpha !== null) {
      const averaged = variants.find((v) =>
        v === "ipo" || v === "sigmoid_norm" || v === "simpo" || v === "orpo"
      );
      const clash = averaged
        ? `the ${averaged} loss (its per-token log-probs; TRL's ld_alpha replaces ipo's average)`
        : (c.loss.nll_alpha as number) > 0 || sftWeight > 0
        ? "an NLL term"
        : useWeighting
        ? "loss.use_weighting"
        : null;
      if (clash) {
        throw new ConfigKeyError(`loss.ld_alpha with ${clash} is not implemented`);
      }
    }
    if (fAlpha !== 1 && fDivergence !== "alpha_divergence") {
      throw new ConfigKeyError(
        `loss.f_alpha_divergence_coef (${fAlpha}) applies to loss.f_divergence_type ` +
          `alpha_divergence, not ${fDivergence}`,
      );
    }
    const kto = variants.find((v) => UNPAIRED_VARIANTS.includes(v));
    if (kto && parts.length > 1) {
      throw new ConfigKeyError(
        `loss.variant: ${kto} (on unpaired examples) cannot be combined with other losses ` +
          `(${list})`,
      );
    }
    if (kto && ((c.loss.nll_alpha as number) > 0 || sftWeight > 0 || useWeighting)) {
      throw new ConfigKeyError(
        `loss.variant ${kto} with an NLL term or loss.use_weighting is not implemented`,
      );
    }
    if (kto && ldAlpha !== null) {
      throw new ConfigKeyError(`loss.ld_alpha applies to pairs, not to ${kto}'s unpaired examples`);
    }
    for (const key of ["desirable_weight", "undesirable_weight"] as const) {
      if (!kto && c.loss[key] !== 1) {
        throw new ConfigKeyError(
          `loss.${key} (${c.loss[key]}) applies to the ${UNPAIRED_VARIANTS.join(" and ")} ` +
            `losses, not ${list}`,
        );
      }
    }
    const pairs = c.train.pairs_per_batch as number;
    const sorted = variants.find((v) => v === "aot" || v === "aot_pair");
    if (sorted && pairs > AOT_MAX_PAIRS) {
      throw new ConfigKeyError(
        `The ${sorted} loss sorts at most ${AOT_MAX_PAIRS} pairs per micro-batch; ` +
          `train.pairs_per_batch is ${pairs}`,
      );
    }
  }
  const single = parts.length === 1 && parts[0].weight === 1;
  return {
    variant,
    beta: c.loss.beta as number,
    labelSmoothing: smoothing,
    gamma,
    nllAlpha: (c.loss.nll_alpha as number) + (dpo ? sftWeight : 0),
    // Only when set: a checkpoint's saved configuration stays comparable with older ones.
    ...(c.loss.reference_free ? { referenceFree: true } : {}),
    ...(variants.includes("discopop") ? { discopopTau: tau } : {}),
    ...(fDivergence !== "reverse_kl" ? { fDivergence } : {}),
    ...(fDivergence === "alpha_divergence" ? { fAlpha } : {}),
    ...(useWeighting && dpo ? { useWeighting } : {}),
    ...(ldAlpha !== null && dpo ? { ldAlpha } : {}),
    ...(single ? {} : { combination: parts }),
    // Only for kto: other losses' saved configurations stay comparable with older ones.
    ...(UNPAIRED_VARIANTS.includes(variant) && dpo
      ? {
        desirableWeight: c.loss.desirable_weight as number,
        undesirableWeight: c.loss.undesirable_weight as number,
      }
      : {}),
  };
}

function trainingConfig(c: RunConfig, loss: DpoLossConfig): TrainConfig {
  const t = c.train;
  const optimizer: OptimizerConfig = {
    lr: t.lr as number,
    beta1: t.beta1 as number,
    beta2: t.beta2 as number,
    eps: t.eps as number,
    weightDecay: t.weight_decay as number,
    maxGradNorm: t.max_grad_norm as number,
    schedule: t.schedule as OptimizerConfig["schedule"],
    warmupSteps: t.warmup_steps as number,
    // Only when set: a checkpoint's saved configuration stays comparable with older ones.
    ...((t.warmup_ratio as number) > 0 ? { warmupRatio: t.warmup_ratio as number } : {}),
  };
  return {
    objective: t.objective as "dpo" | "sft",
    pairsPerBatch: t.pairs_per_batch as number,
    gradAccumSteps: t.grad_accum_steps as number,
    epochs: t.epochs as number,
    maxSteps: t.max_steps as number,
    seed: t.seed as number,
    bucketWindow: t.bucket_window as number,
    attention: t.attention as AttentionDesign,
    ...(t.gradient_checkpointing ? { checkpointLayers: true } : {}),
    padToMultiple: 8,
    loss,
    optimizer,
    logEvery: t.log_every as number,
    syncEvery: t.sync_every as number,
    evalEvery: t.eval_every as number,
    saveEvery: t.save_every as number,
    keepLast: t.keep_last as number,
    ...loraConfig(c),
    ...quantizeConfig(c),
  };
}

/** `model.quantize`'s format; undefined for `none`. */
function packedFormat(c: RunConfig): QuantKind | undefined {
  return c.model.quantize === "none" ? undefined : c.model.quantize as QuantKind;
}

/** `model.quantize` when set (absent otherwise: older checkpoints compare); LoRA runs only. */
function quantizeConfig(c: RunConfig): { quantize?: QuantKind } {
  const kind = packedFormat(c);
  if (!kind) return {};
  if ((c.lora.rank as number) === 0) {
    throw new RangeError(
      `model.quantize ${kind} holds the model's weights in a form that cannot train: set ` +
        "lora.rank to train LoRA adapters on them (QLoRA), or model.quantize none",
    );
  }
  return { quantize: kind };
}

/** Adapters' `base_model_name_or_path`: the starting model's folder, absolute. */
function adapterBase(c: RunConfig): { base: string | null } {
  const dir = startingModelDir(c);
  return { base: dir === null ? null : isAbsolute(dir) ? dir : join(Deno.cwd(), dir) };
}

/**
 * The run's LoRA spec, when `lora.rank` is set (absent otherwise: older checkpoints compare);
 * continuing `model.adapter`, that adapter's (its rank must be `lora.rank`).
 */
function loraConfig(c: RunConfig): { lora?: LoraSpec } {
  const rank = c.lora.rank as number;
  if (rank === 0) return {};
  const dropout = (c.lora.dropout as number) > 0 ? { dropout: c.lora.dropout as number } : {};
  if (c.model.adapter) {
    const path = join(c.model.adapter as string, ADAPTER_CONFIG);
    let json: unknown;
    try {
      json = JSON.parse(Deno.readTextFileSync(path));
    } catch (e) {
      throw new RangeError(`${path}: cannot read the adapter config (${(e as Error).message})`);
    }
    const spec = specFromPeft(json as Record<string, unknown>, path);
    if (spec.rank !== rank) {
      throw new RangeError(
        `model.adapter has rank ${spec.rank} (${path}): set lora.rank ${spec.rank} to continue ` +
          "training it, or 0 to fine-tune the model it merges into",
      );
    }
    // (The run's dropout, not the one the adapter was trained with.)
    const { dropout: _, ...fileSpec } = spec;
    return { lora: { ...fileSpec, ...dropout } };
  }
  const target = (c.lora.target as string).split(",").map((s) => s.trim()).filter((s) => s);
  const all = target.length === 1 && (target[0] === "all-linear" || target[0] === "all");
  return {
    lora: {
      rank,
      alpha: (c.lora.alpha as number | null) ?? 2 * rank,
      targetModules: all ? "all-linear" : target,
      rslora: c.lora.rslora as boolean,
      ...dropout,
      ...(c.lora.dora ? { dora: true } : {}),
    },
  };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-").replace("T", "_").slice(0, 19);
}

/**
 * `deno task eval`: evaluates a trained policy (`model.path`) against its reference (`model.ref`,
 * by default the built-in reference for the built-in task) on the held-out pairs (the same
 * split as training), writing `eval.json` into the run folder.
 *
 * @example
 * ```ts
 * import { evalFromConfig } from "./run.ts";
 * import { applyFlags, defaults } from "./run_config.ts";
 * import { createContext } from "./stage.ts";
 * // const { report } = await evalFromConfig(applyFlags(defaults(), ["--model", "runs/x/model"]), createContext());
 * ```
 */
export async function evalFromConfig(
  config: RunConfig,
  ctx: StageContext,
): Promise<{ runDir: string; report: EvalReport; summary: RunSummary }> {
  const t0 = performance.now();
  const c = config;
  if (c.model.path === null) {
    throw new RangeError("eval needs model.path: the trained model folder (--model DIR)");
  }
  const builtin = c.data.path === null;
  const refDir = (c.model.ref as string | null) ?? (builtin ? BUILTIN_MODEL_DIR : null);
  if (refDir === null) {
    throw new RangeError("eval needs model.ref: the reference model folder (--ref DIR)");
  }
  const runDir = runFolder(c, `eval-${timestamp()}`);
  const claim = await claimRunDir(runDir, c, ctx, {
    inputs: [
      ["model.path", c.model.path],
      ["model.ref", refDir],
      ["data.path", c.data.path],
      ["run.cache_dir", c.run.cache_dir],
    ],
  });
  return await claim.run(() => evalInFolder(runDir, refDir, c, ctx, t0));
}

async function evalInFolder(
  runDir: string,
  refDir: string,
  c: RunConfig,
  ctx: StageContext,
  t0: number,
): Promise<{ runDir: string; report: EvalReport; summary: RunSummary }> {
  const { start, adapter, tokenizer, task, evalData, heldOut } = await prepareData(c, "dpo", ctx);
  // model.quantize: both models packed as a quantized run holds them; with model.adapter the
  // policy is the packed model with the adapter on it, as that run trained it.
  const quantize = packedFormat(c);
  if (evalData.pairs.length === 0) {
    throw new RangeError("eval: there are no held-out pairs (data.eval_fraction is 0?)");
  }
  const reference = await loadModel(refDir);
  const loss = lossConfig(c);
  const evalRef = !usesReference(loss) ? null : await refCache(
    {
      dataset: evalData,
      reference: {
        config: reference.config,
        params: () => Promise.resolve(reference.params),
        weightsHash: await hashModelDir(refDir),
        quantize,
      },
    },
    {
      cacheDir: (c.run.cache_dir as string | null) ?? undefined,
      pairsPerBatch: c.train.pairs_per_batch as number,
    },
    ctx,
  );
  await Deno.mkdir(runDir, { recursive: true });
  const report = await evaluateToFile(runDir, c, {
    policy: quantize && adapter
      ? {
        config: start.config,
        params: adapter.base,
        lora: { ...adapter.spec, adapters: adapter.values },
        quantize,
      }
      : { config: start.config, params: start.params, quantize },
    reference: { config: reference.config, params: reference.params, quantize },
    pairs: { pairs: evalData.pairs, ref: evalRef, padTokenId: evalData.padTokenId },
    tokenizer,
    stopTokenIds: stopTokenIds({ ...start, tokenizer }),
    promptTexts: heldOut.map((p) => p.prompt.at(-1)?.content ?? ""),
    reward: task?.reward,
  }, ctx);
  return {
    runDir,
    report,
    summary: {
      runDir,
      steps: 0,
      modelDir: c.model.path as string,
      eval: report,
      seconds: (performance.now() - t0) / 1000,
      loss,
    },
  };
}

/**
 * `deno task score`: one JSON line per pair with the model's sequence log-probs of both responses
 * and their token counts, and with a reference model (`model.ref`) the implicit rewards
 * `β·(log π − log π_ref)` (β from `loss.beta`). Every pair is scored (no held-out split).
 *
 * @example
 * ```ts
 * import { scoreFromConfig } from "./run.ts";
 * import { applyFlags, defaults } from "./run_config.ts";
 * import { createContext } from "./stage.ts";
 * // await scoreFromConfig(applyFlags(defaults(), ["--model", "m", "--data", "d.jsonl"]), "s.jsonl", createContext());
 * ```
 */
export async function scoreFromConfig(
  config: RunConfig,
  out: string,
  ctx: StageContext,
): Promise<number> {
  const c = structuredClone(config);
  if (c.model.path === null) {
    throw new RangeError("score needs model.path: the model folder (--model DIR)");
  }
  c.data.eval_fraction = 0;
  c.data.eval_size = null;
  refuseOverlap(
    out,
    [["data.path", c.data.path], ["model.path", c.model.path], ["model.ref", c.model.ref]],
    (key, input) => `score: the output ${out} would overwrite ${key} (${input})`,
  );
  const { start, adapter, trainData } = await prepareData(c, "dpo", ctx);
  const gpu = await ctx.gpu();
  const P = c.train.pairs_per_batch as number;
  // model.quantize: as evalFromConfig (with model.adapter, the packed model plus the adapter).
  const quantize = packedFormat(c);
  const scoreWith = async (
    model: { config: ModelConfig; params: ParamValues },
    lora?: LoraOptions,
  ) => {
    const t = Transformer.create(gpu, model.config, model.params, {
      maxBatch: 2 * P,
      maxSeqLen: Math.min(model.config.maxPositions, longestPair(trainData.pairs)),
      inference: true,
      quantize,
      lora,
    });
    try {
      return await scorePairs(t, trainData.pairs, {
        pairsPerBatch: P,
        padTokenId: trainData.padTokenId,
        signal: ctx.signal,
      });
    } finally {
      t.release();
    }
  };
  const policy = quantize && adapter
    ? await scoreWith(
      { config: start.config, params: adapter.base },
      { ...adapter.spec, adapters: adapter.values },
    )
    : await scoreWith(start);
  const ref = c.model.ref ? await scoreWith(await loadModel(c.model.ref as string)) : null;
  const beta = c.loss.beta as number;
  const lines = trainData.pairs.map((p, i) => {
    if (p.label !== undefined) {
      // A KTO example: its response and label (its KL completion is no part of its score).
      const row: Record<string, number | string | string[] | boolean> = {
        id: i + 1,
        source: `${p.source.file}:${p.source.row}`,
        label: p.label,
        completion_logp: policy.chosen[i],
        completion_tokens: policy.chosenTokens[i],
        truncated: (["prompt", "chosen"] as const).filter((k) => p.truncated[k]),
      };
      if (ref) row.completion_reward = beta * (policy.chosen[i] - ref.chosen[i]);
      return JSON.stringify(row);
    }
    const row: Record<string, number | string | string[]> = {
      id: i + 1,
      source: `${p.source.file}:${p.source.row}`,
      chosen_logp: policy.chosen[i],
      rejected_logp: policy.rejected[i],
      chosen_tokens: policy.chosenTokens[i],
      rejected_tokens: policy.rejectedTokens[i],
      // What the length limits cut (a cut response's log-prob is its prefix's, with no EOS).
      truncated: (["prompt", "chosen", "rejected"] as const).filter((k) => p.truncated[k]),
    };
    if (ref) {
      row.chosen_reward = beta * (policy.chosen[i] - ref.chosen[i]);
      row.rejected_reward = beta * (policy.rejected[i] - ref.rejected[i]);
    }
    return JSON.stringify(row);
  });
  await atomicWrite(out, new TextEncoder().encode(lines.join("\n") + (lines.length ? "\n" : "")));
  ctx.logger.info(`score: ${lines.length} pairs written to ${out}`);
  return lines.length;
}

/**
 * `deno task merge`: merges a PEFT LoRA adapter (`model.adapter`) into its model (`model.path`)
 * on the GPU, as PEFT's `merge_and_unload` or LLaMA-Factory's export does, and saves the merged
 * model folder to `out` (never over its inputs; an existing folder only if it holds a model).
 *
 * @example
 * ```ts
 * import { mergeFromConfig } from "./run.ts";
 * import { applyFlags, defaults } from "./run_config.ts";
 * import { createContext } from "./stage.ts";
 * const c = applyFlags(defaults(), ["--model", "models/base", "--model.adapter", "runs/a/model/adapter"]);
 * // await mergeFromConfig(c, "models/merged", createContext());
 * ```
 */
export async function mergeFromConfig(
  config: RunConfig,
  out: string,
  ctx: StageContext,
): Promise<{ spec: LoraSpec; tensors: number }> {
  const dir = config.model.path as string | null,
    adapterDir = config.model.adapter as string | null;
  if (dir === null || adapterDir === null) {
    throw new RangeError(
      "merge needs model.path and model.adapter (--model DIR --model.adapter DIR)",
    );
  }
  refuseOverlap(
    out,
    [["model.path", dir], ["model.adapter", adapterDir]],
    (key, input) => `merge: the output ${out} would overwrite ${key} (${input})`,
    true,
  );
  await checkModelFolder(out);
  const model = await loadModel(dir);
  const { spec, values } = await loadAdapter(adapterDir, model.config);
  const gpu = await ctx.gpu();
  // An inference model holding the adapters: its read-back is the merge (W + s·B·A, or DoRA's).
  const t = Transformer.create(gpu, model.config, model.params, {
    maxBatch: 1,
    maxSeqLen: 1,
    inference: true,
    lora: { ...spec, adapters: values },
  });
  let params: ParamValues;
  try {
    params = await t.readParams();
  } finally {
    t.release();
  }
  ctx.signal.throwIfAborted();
  await saveModel(out, { ...model, params });
  return { spec, tensors: values.size };
}

/** One line of {@linkcode memoryFromConfig}: a way to train and its estimated GPU memory. */
export interface MemoryRow {
  /** The way: `full`, `LoRA r 16`, with `checkpointed` and a packed format where they apply. */
  label: string;
  /** Whether it is the configured run's own way. */
  configured: boolean;
  /** Estimated bytes (`Transformer.estimateBytes`). */
  bytes: number;
}

/**
 * `deno task memory`: the GPU memory a run of this configuration would need by the trainer's own
 * estimate, for the configured way of training and the usual alternatives (full fine-tuning,
 * LoRA, checkpointed layers, packed frozen weights), from the model's `config.json` alone (no
 * weights read, no GPU needed). Rows: 2 per pair for DPO (1 for SFT) × `train.pairs_per_batch`;
 * tokens: `tokenize.max_length` (capped at the model's positions); attention: flash, with what
 * the products design (a GPU's default where it fits) adds to every row in `products`.
 *
 * @example
 * ```ts ignore
 * import { memoryFromConfig } from "./run.ts";
 * import { applyFlags, defaults } from "./run_config.ts";
 * const plan = await memoryFromConfig(applyFlags(defaults(), ["--model", "models/qwen"]));
 * console.log(plan.rows.map((r) => `${r.label}: ${(r.bytes / 2 ** 30).toFixed(1)} GiB`));
 * ```
 */
export async function memoryFromConfig(c: RunConfig): Promise<{
  dir: string;
  config: ModelConfig;
  rows: number;
  seqLen: number;
  params: number;
  plan: MemoryRow[];
  /** The attention design the rows are estimated with: flash (auto's too), or products. */
  design: "flash" | "products";
  /**
   * With `train.attention auto`: bytes the products design adds to every row (a GPU's default
   * where it fits); else 0.
   */
  products: number;
}> {
  const objective = c.train.objective as "dpo" | "sft";
  const dir = startingModelDir(c, objective);
  if (dir === null) throw new RangeError("memory needs model.path: the model folder (--model DIR)");
  const config = await readConfig(dir);
  const rows = (objective === "dpo" ? 2 : 1) * (c.train.pairs_per_batch as number);
  const seqLen = Math.min(config.maxPositions, c.tokenize.max_length as number);
  const own = { ...loraConfig(c), ...quantizeConfig(c) };
  const checkpointed = c.train.gradient_checkpointing as boolean;
  const lora: LoraSpec = own.lora ?? { rank: 16, alpha: 32, targetModules: "all-linear" };
  if (!own.lora) selectModules(config, lora);
  const adapters = `${lora.dora ? "DoRA" : "LoRA"} r ${lora.rank}` +
    ((lora.dropout ?? 0) > 0 ? ` (dropout ${lora.dropout})` : "");
  // The attention design asked for; auto is estimated as flash, with products' extra below.
  const design = c.train.attention === "products" ? "products" as const : "flash" as const;
  const base = { maxBatch: rows, maxSeqLen: seqLen, attention: { design } };
  const ways: { label: string; lora?: LoraSpec; quantize?: QuantKind; ck: boolean }[] = [
    { label: "full", ck: false },
    { label: "full, checkpointed", ck: true },
    { label: adapters, lora, ck: false },
    { label: `${adapters}, checkpointed`, lora, ck: true },
    ...(["bf16", "int8", "nf4"] as const).map((q) => ({
      label: `${adapters}, checkpointed, ${q}`,
      lora,
      quantize: q,
      ck: true,
    })),
  ];
  const plan = ways.map((w): MemoryRow => ({
    label: w.label,
    configured: (w.lora !== undefined) === (own.lora !== undefined) && w.ck === checkpointed &&
      w.quantize === own.quantize,
    bytes: Transformer.estimateBytes(config, {
      ...base,
      lora: w.lora,
      quantize: w.quantize,
      checkpointLayers: w.ck,
    }),
  }));
  if (!plan.some((r) => r.configured)) {
    plan.unshift({
      label: `this run${own.lora ? `: ${adapters}` : ": full"}` +
        (checkpointed ? ", checkpointed" : "") + (own.quantize ? `, ${own.quantize}` : ""),
      configured: true,
      bytes: Transformer.estimateBytes(config, {
        ...base,
        lora: own.lora,
        quantize: own.quantize,
        checkpointLayers: checkpointed,
      }),
    });
  }
  const params = internalParams(config).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  // The products attention design's workspace (a GPU's default where one T×T score matrix fits
  // its chunk), the same for every row: what it adds to each.
  const products = c.train.attention !== "auto"
    ? 0
    : Transformer.estimateBytes(config, { ...base, attention: { design: "products" } }) -
      Transformer.estimateBytes(config, base);
  return { dir, config, rows, seqLen, params, plan, design, products };
}
