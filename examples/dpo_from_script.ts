/**
 * Using the trainer's stages from your own Deno script: write a small TRL-format preference file,
 * then run load → tokenize → ref-cache → train → eval on the built-in reference model, and print
 * what changed. Run it from anywhere with the project's import map:
 *
 *   deno run -A --config path/to/project/deno.json examples/dpo_from_script.ts
 *
 * @module
 */
import {
  BUILTIN_MODEL_DIR,
  createContext,
  DEFAULT_TRAIN,
  evaluate,
  hashParams,
  ktoExamples,
  load,
  loadAdapter,
  loadModel,
  type LoadResult,
  pipeline,
  refCache,
  saveAdapter,
  shoutTask,
  type Stage,
  step,
  tokenize,
  type TokenizedDataset,
  train,
} from "../mod.ts";

const dir = await Deno.makeTempDir();
try {
  // 1. A preference file in TRL's conversational format (prompt / chosen / rejected messages).
  const task = shoutTask({ seed: 7, trainPairs: 256, evalPairs: 32, sftExamples: 0 });
  const rows = [...task.train, ...task.eval].map((p) =>
    JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })
  );
  await Deno.writeTextFile(`${dir}/prefs.jsonl`, rows.join("\n") + "\n");

  // 2. load → tokenize, composed as a pipeline (each stage also works alone).
  const model = await loadModel(BUILTIN_MODEL_DIR);
  const toPairs: Stage<LoadResult, LoadResult["pairs"], Record<never, never>> = (r) =>
    Promise.resolve(r.pairs);
  const prepare = pipeline(
    step(load, { onInvalid: "error" }),
    step(toPairs, {}),
    step(tokenize, { tokenizer: model.tokenizer!, maxLength: 32 }),
  );
  const ctx = createContext({ logger: { info: () => {}, warn: (m) => console.warn(m) } });
  const data: TokenizedDataset = await prepare(`${dir}/prefs.jsonl`, ctx);
  const trainSet = { ...data, pairs: data.pairs.slice(0, 256), key: `${data.key}:train` };
  const evalSet = { ...data, pairs: data.pairs.slice(256), key: `${data.key}:eval` };

  // 3. Reference log-probs, computed once (the reference is the starting model).
  const reference = {
    config: model.config,
    params: () => Promise.resolve(model.params),
    weightsHash: await hashParams(model.params),
  };
  const trainRef = await refCache({ dataset: trainSet, reference }, {}, ctx);
  const evalRef = await refCache({ dataset: evalSet, reference }, {}, ctx);

  // 4. Train by DPO.
  const config = {
    ...DEFAULT_TRAIN,
    pairsPerBatch: 16,
    maxSteps: 30,
    loss: { ...DEFAULT_TRAIN.loss, beta: 1 },
    optimizer: { ...DEFAULT_TRAIN.optimizer, lr: 5e-4, warmupSteps: 3 },
  };
  const result = await train(
    { model, train: { pairs: trainSet.pairs, ref: trainRef, padTokenId: data.padTokenId } },
    config,
    ctx,
    { runDir: `${dir}/run` },
  );

  // 5. Evaluate against the reference: pair metrics, generations, task reward, KL.
  const report = await evaluate(
    {
      policy: { config: model.config, params: result.params },
      reference: { config: model.config, params: model.params },
      pairs: { pairs: evalSet.pairs, ref: evalRef, padTokenId: data.padTokenId },
      tokenizer: model.tokenizer,
      promptTexts: task.eval.map((p) => p.prompt[0].content),
      reward: task.reward,
    },
    {
      loss: config.loss,
      pairsPerBatch: 16,
      generate: true,
      samples: 32,
      maxNewTokens: 8,
      temperature: 1,
      topK: 0,
      topP: 1,
      seed: 0,
    },
    ctx,
  );
  const g = report.generation!;
  console.log(`steps: ${result.steps}, final loss ${result.history.at(-1)!.loss.toFixed(4)}`);
  console.log(`held-out accuracy: ${report.metrics["eval_rewards/accuracies"].toFixed(3)}`);
  console.log(`task reward: ${g.referenceReward!.toFixed(3)} → ${g.policyReward!.toFixed(3)}`);
  console.log(`KL(policy ‖ ref): ${g.kl.toFixed(3)}`);
  if (!(report.metrics["eval_rewards/accuracies"] > 0.5)) throw new Error("DPO did not learn");

  // 6. The same with LoRA adapters on the frozen model, saved as a PEFT adapter folder.
  const lora = await train(
    { model, train: { pairs: trainSet.pairs, ref: trainRef, padTokenId: data.padTokenId } },
    {
      ...config,
      optimizer: { ...config.optimizer, lr: 1e-3 },
      lora: { rank: 8, alpha: 16, targetModules: "all-linear" },
    },
    ctx,
    { runDir: `${dir}/lora-run` },
  );
  const { spec, values } = lora.adapters!;
  await saveAdapter(`${dir}/adapter`, model.config, spec, values, { base: BUILTIN_MODEL_DIR });
  const saved = await loadAdapter(`${dir}/adapter`, model.config);
  console.log(
    `LoRA: final loss ${lora.history.at(-1)!.loss.toFixed(4)}; ${saved.values.size} adapter ` +
      `tensors saved, r ${saved.spec.rank}`,
  );
  if (!(lora.history.at(-1)!.loss < lora.history[0].loss)) throw new Error("LoRA did not learn");

  // 7. QLoRA's way: the same adapters on the frozen projections packed as nf4, against the
  // reference packed the same way (its own cached log-probs), so training starts at ln 2.
  const packedRef = await refCache(
    { dataset: trainSet, reference: { ...reference, quantize: "nf4" } },
    {},
    ctx,
  );
  const qlora = await train(
    { model, train: { pairs: trainSet.pairs, ref: packedRef, padTokenId: data.padTokenId } },
    {
      ...config,
      optimizer: { ...config.optimizer, lr: 1e-3 },
      lora: { rank: 8, alpha: 16, targetModules: "all-linear" },
      quantize: "nf4",
    },
    ctx,
    { runDir: `${dir}/qlora-run` },
  );
  const [first, last] = [qlora.history[0].loss, qlora.history.at(-1)!.loss];
  console.log(`LoRA on nf4: loss ${first.toFixed(4)} → ${last.toFixed(4)}`);
  if (!(Math.abs(first - Math.LN2) < 1e-4 && last < first)) throw new Error("QLoRA did not learn");

  // 8. KTO on unpaired data: TRL's {prompt, completion, label} rows (here the same preferences,
  // one response each), each given a KL completion from its batch, with their own reference
  // log-probs.
  const unpaired = task.train.map((p, i) => ({
    prompt: p.prompt,
    completion: i % 2 ? p.rejected : p.chosen,
    label: i % 2 === 0,
  }));
  await Deno.writeTextFile(
    `${dir}/unpaired.jsonl`,
    unpaired.map((r) => JSON.stringify(r)).join("\n") + "\n",
  );
  const loaded = await load({ path: `${dir}/unpaired.jsonl` }, {}, ctx);
  const examples = await tokenize(
    ktoExamples(loaded.pairs, 16),
    { tokenizer: model.tokenizer!, maxLength: 32 },
    ctx,
  );
  const ktoRef = await refCache({ dataset: examples, reference }, {}, ctx);
  const kto = await train(
    { model, train: { pairs: examples.pairs, ref: ktoRef, padTokenId: examples.padTokenId } },
    { ...config, loss: { ...config.loss, variant: "kto" } },
    ctx,
    { runDir: `${dir}/kto-run` },
  );
  const ktoEnd = kto.history.at(-1)!;
  console.log(
    `KTO (${loaded.format}): loss ${kto.history[0].loss.toFixed(4)} → ` +
      `${ktoEnd.loss.toFixed(4)}, rewards desirable ${ktoEnd["rewards/chosen"]?.toFixed(3)}, ` +
      `undesirable ${ktoEnd["rewards/rejected"]?.toFixed(3)}`,
  );
  if (!(ktoEnd.loss < kto.history[0].loss)) throw new Error("KTO did not learn");
} finally {
  await Deno.remove(dir, { recursive: true });
}
