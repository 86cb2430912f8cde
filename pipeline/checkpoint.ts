/**
 * Checkpoints: `runs/<name>/checkpoints/step-<n>/` holds the model folder (loadable by Hugging
 * Face transformers), `optimizer.safetensors` and `trainer_state.json`. A checkpoint is written
 * into a temporary folder and renamed into place, so a crash never leaves a half checkpoint under a
 * real name; only the newest `keepLast` are kept.
 *
 * @module
 */
import { configJson, saveModel } from "../model/io.ts";
import type { ModelConfig } from "../model/config.ts";
import type { ParamValues } from "../model/params.ts";
import type { TextTokenizer } from "../model/tokenizer.ts";
import { atomicWrite } from "../model/safetensors.ts";
import { type LoraSpec, saveAdapter } from "../model/lora.ts";

/** What `trainer_state.json` records. */
export interface TrainerState {
  /** Optimizer steps done. */
  step: number;
  /** Micro-batches consumed. */
  microBatches: number;
  /** Total optimizer steps of the run. */
  totalSteps: number;
  /** The run's resolved configuration, to check a resume against. */
  config: unknown;
  /** State the loss carries across steps (bco_pair's running reward mean and count), if any. */
  lossState?: number[];
}

/** Where a checkpoint's parts are. */
export interface CheckpointPaths {
  /** The checkpoint folder (also a model folder). */
  dir: string;
  /** The AdamW state. */
  optimizer: string;
  /** The trainer state. */
  state: string;
  /** A LoRA run's adapters (a PEFT folder). */
  adapter: string;
}

/**
 * The paths of a checkpoint folder.
 *
 * @example
 * ```ts
 * import { checkpointPaths } from "./checkpoint.ts";
 * console.log(checkpointPaths("runs/a/checkpoints/step-10").optimizer);
 * ```
 */
export function checkpointPaths(dir: string): CheckpointPaths {
  return {
    dir,
    optimizer: `${dir}/optimizer.safetensors`,
    state: `${dir}/trainer_state.json`,
    adapter: `${dir}/adapter`,
  };
}

/** What {@linkcode saveCheckpoint} writes. */
export interface CheckpointContent {
  /** Architecture. */
  config: ModelConfig;
  /**
   * Weights; null for a LoRA run's checkpoint, which holds its adapters (and `config.json`) only,
   * as TRL's PEFT checkpoints do: a merged model per checkpoint would be the model's whole size.
   */
  params: ParamValues | null;
  /** Tokenizer (saved into the model folder when present). */
  tokenizer: TextTokenizer | null;
  /** The model's `generation_config.json` text, when it has one. */
  generationConfig?: string | null;
  /** Writes the optimizer state to the given path. */
  saveOptimizer: (path: string) => Promise<void>;
  /**
   * A LoRA run's adapters, saved as a PEFT folder `adapter/`; resuming reads them.
   */
  adapter?: { spec: LoraSpec; values: ParamValues; base: string | null };
  /** The trainer state. */
  state: TrainerState;
}

/**
 * Writes `checkpoints/step-<n>` atomically and prunes older ones beyond `keepLast`.
 *
 * @example
 * ```ts
 * import { saveCheckpoint } from "./checkpoint.ts";
 * // await saveCheckpoint("runs/a", content, { keepLast: 2 });
 * ```
 */
export async function saveCheckpoint(
  runDir: string,
  content: CheckpointContent,
  options: { keepLast?: number } = {},
): Promise<string> {
  const root = `${runDir}/checkpoints`;
  await Deno.mkdir(root, { recursive: true });
  const final = `${root}/step-${content.state.step}`;
  const tmp = `${root}/.tmp-step-${content.state.step}-${Deno.pid}`;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  // saveModel itself writes atomically into `tmp`; the optimizer and state go in before the
  // final rename, so `final` appears complete or not at all.
  if (content.params) await saveModel(tmp, { ...content, params: content.params });
  else {
    await Deno.mkdir(tmp, { recursive: true });
    await Deno.writeTextFile(`${tmp}/config.json`, configJson(content.config));
  }
  const paths = checkpointPaths(tmp);
  await content.saveOptimizer(paths.optimizer);
  if (content.adapter) {
    const { spec, values, base } = content.adapter;
    await saveAdapter(paths.adapter, content.config, spec, values, { base });
  }
  await atomicWrite(
    paths.state,
    new TextEncoder().encode(JSON.stringify(content.state, null, 2) + "\n"),
  );
  // Crash tests set this to widen the window in which a kill lands mid-checkpoint.
  const pause = Number(Deno.env.get("DPO_CHECKPOINT_PAUSE_MS") ?? 0);
  if (pause > 0) await new Promise((r) => setTimeout(r, pause));
  await Deno.remove(final, { recursive: true }).catch(() => {});
  await Deno.rename(tmp, final);
  const keep = options.keepLast ?? 2;
  if (keep > 0) {
    const all = await listCheckpoints(runDir);
    for (const old of all.slice(0, Math.max(0, all.length - keep))) {
      await Deno.remove(old.dir, { recursive: true });
    }
  }
  return final;
}

/**
 * The complete checkpoints of a run, oldest first (temporary folders are ignored).
 *
 * @example
 * ```ts
 * import { listCheckpoints } from "./checkpoint.ts";
 * const all = await listCheckpoints("runs/a");
 * ```
 */
export async function listCheckpoints(runDir: string): Promise<{ step: number; dir: string }[]> {
  const root = `${runDir}/checkpoints`;
  const out: { step: number; dir: string }[] = [];
  try {
    for await (const e of Deno.readDir(root)) {
      const m = e.isDirectory ? e.name.match(/^step-(\d+)$/) : null;
      if (m) out.push({ step: Number(m[1]), dir: `${root}/${e.name}` });
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * Reads a checkpoint's trainer state.
 *
 * @example
 * ```ts
 * import { readTrainerState } from "./checkpoint.ts";
 * // const state = await readTrainerState("runs/a/checkpoints/step-10");
 * ```
 */
export async function readTrainerState(dir: string): Promise<TrainerState> {
  const path = checkpointPaths(dir).state;
  let state: TrainerState;
  try {
    state = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new RangeError(`${path}: cannot read the trainer state (${(e as Error).message})`);
  }
  for (const k of ["step", "microBatches", "totalSteps"] as const) {
    if (!Number.isInteger(state[k]) || state[k] < 0) {
      throw new RangeError(`${path}: field "${k}" must be a non-negative integer`);
    }
  }
  return state;
}
