/**
 * The command line: `deno run main.ts <command> [options]`, behind the `deno task` entries.
 *
 * Each command is a {@linkcode Command}: a summary, its options (each with a description and,
 * when it has one, a default, all shown by `--help`) and a `run` function. Options are parsed
 * strictly by `node:util`'s `parseArgs`: an unknown flag, a missing value or a stray positional
 * argument is an error that points at `--help`. Adding a command (train, sft, score, eval,
 * bench) is adding an entry to {@linkcode COMMANDS}.
 *
 * Exit codes: 0 success, 1 the command failed (bad data, unusable tokenizer), 2 bad usage.
 *
 * @example
 * ```sh
 * deno task inspect --data ../shared/data/llamafactory/dpo_en_demo.json --tokenizer ../shared/data/gpt2
 * deno run -R main.ts inspect --help
 * ```
 *
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DataError, type Format, FORMATS } from "./datasets/formats.ts";
import { TokenizerError } from "./model/tokenizer.ts";
import { formatInspectReport, inspect } from "./pipeline/inspect.ts";
import { defaultPromptLength, type TemplateMode } from "./pipeline/tokenize.ts";
import { GpuError } from "./kernels/gpu.ts";
import { ConfigError } from "./model/config.ts";
import { WeightsError } from "./model/params.ts";
import { SafetensorsError } from "./model/safetensors.ts";
import { createReporter } from "./pipeline/metrics.ts";
import {
  evalFromConfig,
  foldersSetAside,
  formatSummary,
  memoryFromConfig,
  mergeFromConfig,
  runFromConfig,
  scoreFromConfig,
} from "./pipeline/run.ts";
import {
  applyFlags,
  ConfigKeyError,
  defaults,
  flagsHelp,
  readRunConfig,
  type RunConfig,
} from "./pipeline/run_config.ts";
import { createContext } from "./pipeline/stage.ts";
import { NonFiniteError } from "./pipeline/train.ts";

/**
 * Where a command writes: normal output and diagnostics.
 *
 * @example
 * ```ts
 * import type { Io } from "./main.ts";
 * const lines: string[] = [];
 * const io: Io = { out: (s) => lines.push(s), err: (s) => lines.push(s) };
 * ```
 */
export interface Io {
  /** Normal output (stdout). */
  out(text: string): void;
  /** Errors and warnings (stderr). */
  err(text: string): void;
}

/**
 * One command-line option.
 *
 * @example
 * ```ts
 * import type { OptionSpec } from "./main.ts";
 * const spec: OptionSpec = { type: "string", value: "N", description: "Most tokens", default: "512" };
 * ```
 */
export interface OptionSpec {
  /** `"string"` takes a value; `"boolean"` is a switch. */
  type: "string" | "boolean";
  /** What the option does (one line). */
  description: string;
  /** The value's placeholder in the help (`FILE`, `N`). */
  value?: string;
  /** The default, passed to the command when the option is absent. */
  default?: string | boolean;
  /** A default described in words (`"detected"`), shown when there is no literal one. */
  defaultText?: string;
  /** May be given several times. */
  multiple?: boolean;
  /** A one-letter alias. */
  short?: string;
}

/** Parsed option values, by option name. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * A subcommand.
 *
 * @example
 * ```ts
 * import type { Command } from "./main.ts";
 * const hello: Command = {
 *   summary: "Say hello",
 *   usage: "hello [--name NAME]",
 *   options: { name: { type: "string", value: "NAME", description: "Who", default: "world" } },
 *   run: (values, io) => {
 *     io.out(`hello ${values.name}\n`);
 *     return Promise.resolve(0);
 *   },
 * };
 * ```
 */
export interface Command {
  /** One line for the command list. */
  summary: string;
  /** The synopsis after the program name. */
  usage: string;
  /** More help, printed after the usage line. */
  description?: string;
  /** Its options (`help` is added to every command). */
  options: Record<string, OptionSpec>;
  /** Runs it; resolves to the exit code. */
  run(values: OptionValues, io: Io): Promise<number>;
  /**
   * Takes its arguments unparsed (`values.args`), for commands whose flags come from the run
   * configuration's schema (train, sft); `help` then prints this instead of the option table.
   */
  raw?: { help(): string };
}

/**
 * A mistake in the command line (exit code 2).
 *
 * @example
 * ```ts
 * import { UsageError } from "./main.ts";
 * const e = new UsageError("--max-length must be a positive integer, got \"abc\"");
 * ```
 */
export class UsageError extends Error {
  override name = "UsageError";
}

const TEMPLATE_MODES: readonly TemplateMode[] = ["auto", "template", "plain"];

/** A command whose flags come from the run configuration's schema. */
interface SchemaCommandSpec {
  name: string;
  summary: string;
  /** Extra flags this command takes besides the schema's (shown in the usage line). */
  extra?: string;
  description: string;
  /** The built-in task's recipe, used when neither `--config` nor data are given. */
  recipe?: string;
  /** Runs with the resolved configuration and the extra flags' values. */
  run(config: RunConfig, extra: Record<string, string>, io: Io): Promise<number>;
}

/**
 * A command configured by one YAML file (`--config FILE`) with flags overriding its keys
 * (`--section.key VALUE`, or `--key VALUE` when the key name is unique).
 */
function schemaCommand(spec: SchemaCommandSpec): Command {
  const usage = `${spec.name} [--config FILE]${
    spec.extra ? ` ${spec.extra}` : ""
  } [--section.key VALUE …]`;
  const extraNames = [...(spec.extra ?? "").matchAll(/--([a-z-]+)/g)].map((m) => m[1]);
  return {
    summary: spec.summary,
    usage,
    options: {},
    raw: {
      help: () =>
        `Usage: deno run main.ts ${usage}\n\n` +
        wrap(
          spec.description + " The configuration is one YAML file of sections (run, model, data, " +
            "tokenize, train, loss, eval); any key can be overridden by a flag, as --section.key " +
            "VALUE, or --key VALUE when the key name is unique (e.g. --beta 0.05, --model DIR, " +
            "--data FILE, --ref DIR). Unknown keys are errors." +
            (spec.recipe
              ? ` Without --config and without data, the built-in task's recipe ${spec.recipe} is used.`
              : ""),
          80,
        ) +
        "\n\nOptions (defaults without --config):\n  --config FILE  YAML run file\n" +
        flagsHelp(),
    },
    async run(values, io) {
      const args = [...(values.args as unknown as string[])];
      const take = (flag: string): string | undefined => {
        const at = args.findIndex((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
        if (at < 0) return undefined;
        const [given] = args.splice(at, 1);
        const value = given.includes("=")
          ? given.slice(given.indexOf("=") + 1)
          : args.splice(at, 1)[0];
        if (!value) throw new UsageError(`--${flag} needs a value`);
        return value;
      };
      const configPath = take("config");
      const extra: Record<string, string> = {};
      for (const name of extraNames) {
        const v = take(name);
        if (v !== undefined) extra[name] = v;
      }
      const overrides = applyFlags(defaults(), args);
      let base: RunConfig = defaults();
      if (configPath) {
        base = await readRunConfig(configPath, undefined, { onNote: (m) => io.err(`${m}\n`) });
      } else if (spec.recipe && overrides.data.path === null) {
        base = await readRunConfig(fileURLToPath(new URL(spec.recipe, import.meta.url)));
      }
      return await spec.run(applyFlags(base, args), extra, io);
    },
  };
}

function reporterContext() {
  const { progress, logger } = createReporter();
  return createContext({ progress, logger, signal: interrupt?.signal });
}

/** The reason a run stops after Ctrl-C (exit code 130). */
class Interrupted extends Error {
  override name = "Interrupted";
}

/** Aborted by the first Ctrl-C while a command runs (see {@linkcode whileInterruptible}). */
let interrupt: AbortController | null = null;

/**
 * Runs a command with Ctrl-C (SIGINT) caught for its duration: the first press asks the stages
 * to stop at their next check (between training steps, before saving or evaluating), so a run
 * that replaced a folder puts it back; a second press exits at once, naming any earlier run
 * folder still set aside.
 */
async function whileInterruptible<T>(fn: () => Promise<T>, io: Io): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) {
      for (const line of foldersSetAside()) io.err(`${line}\n`);
      Deno.exit(130);
    }
    io.err("\nstopping at the next step (Ctrl-C again to quit at once)\n");
    controller.abort(new Interrupted("interrupted (Ctrl-C)"));
  };
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onInterrupt);
    listening = true;
  } catch {
    // No signals on this platform: the command simply cannot be stopped cleanly.
  }
  const outer = interrupt;
  interrupt = controller;
  try {
    return await fn();
  } finally {
    interrupt = outer;
    if (listening) Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

const trainCommand = schemaCommand({
  name: "train",
  summary: "Align a model by DPO (no arguments: the built-in demo task)",
  description: "Runs load → tokenize → ref-cache → train → eval and writes everything to " +
    "runs/<name>/ (config.yaml, metrics.jsonl, charts, eval.json, checkpoints, model/).",
  recipe: "./configs/shout_dpo.yaml",
  async run(config, _extra, io) {
    config.train.objective = "dpo";
    io.out("\n" + formatSummary(await runFromConfig(config, reporterContext())));
    return 0;
  },
});

const sftCommand = schemaCommand({
  name: "sft",
  summary:
    "Supervised fine-tuning on the chosen responses (no arguments: make the demo's reference)",
  description: "Runs load → tokenize → train with cross-entropy on the chosen responses. With " +
    "no model and no data it trains the built-in task's reference model from scratch; " +
    "`deno task sft --run.save_to datasets/shout_reference` regenerates the committed one.",
  recipe: "./configs/shout_sft.yaml",
  async run(config, _extra, io) {
    config.train.objective = "sft";
    io.out("\n" + formatSummary(await runFromConfig(config, reporterContext())));
    return 0;
  },
});

const evalCommand = schemaCommand({
  name: "eval",
  summary: "Compare a trained model with its reference on held-out pairs and generations",
  description: "Evaluates --model DIR against --ref DIR (the built-in reference for the built-in " +
    "task) on the held-out split: eval_ metrics, generations by both, task reward and win rate " +
    "where the data define a reward, and KL(policy ‖ ref); writes eval.json into the run folder.",
  recipe: "./configs/shout_dpo.yaml",
  async run(config, _extra, io) {
    const { runDir, summary } = await evalFromConfig(config, reporterContext());
    io.out(
      "\n" + formatSummary(summary).replace(/Outputs in .*\n$/, `Wrote ${runDir}/eval.json\n`),
    );
    return 0;
  },
});

const scoreCommand = schemaCommand({
  name: "score",
  summary: "Write each pair's log-probs (and rewards against --ref) as JSON lines",
  extra: "--out FILE.jsonl",
  description: "Scores every pair of --data under --model: one JSON line per pair with id, " +
    "chosen_logp, rejected_logp, chosen_tokens and rejected_tokens, and with --ref also " +
    "chosen_reward and rejected_reward (β·(log π − log π_ref), β from --beta).",
  async run(config, extra, io) {
    if (!extra.out) throw new UsageError("--out FILE.jsonl is required");
    const n = await scoreFromConfig(config, extra.out, reporterContext());
    io.out(`Scored ${n} pairs: ${extra.out}\n`);
    return 0;
  },
});

const mergeCommand = schemaCommand({
  name: "merge",
  summary: "Merge a PEFT LoRA adapter into its model and save the merged model folder",
  extra: "--out DIR",
  description:
    "Loads --model DIR and --model.adapter DIR (a PEFT folder: adapter_config.json and " +
    "adapter_model.safetensors, LoRA or DoRA), merges W + s·B·A on the GPU as PEFT's " +
    "merge_and_unload does, and writes a plain model folder to --out (tokenizer and generation " +
    "settings carried over).",
  async run(config, extra, io) {
    if (!extra.out) throw new UsageError("--out DIR is required");
    const { spec, tensors } = await mergeFromConfig(config, extra.out, reporterContext());
    io.out(
      `Merged ${tensors} adapter tensors (r ${spec.rank}, α ${spec.alpha}${
        spec.dora ? ", DoRA" : ""
      }) into ${extra.out}\n`,
    );
    return 0;
  },
});

const memoryCommand = schemaCommand({
  name: "memory",
  summary: "Estimate the GPU memory a run needs, full, LoRA, checkpointed and packed",
  description: "Reads --model DIR's config.json (no weights, no GPU) and prints the trainer's " +
    "own estimate of the GPU memory one training step needs at the run's settings " +
    "(train.pairs_per_batch, tokenize.max_length, lora.*, model.quantize, " +
    "train.gradient_checkpointing) and for the usual alternatives. WebGPU cannot tell how much " +
    "memory a card has: compare with yours.",
  async run(config, _extra, io) {
    const m = await memoryFromConfig(config);
    const gib = (b: number) =>
      b < 2 ** 30 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 2 ** 30).toFixed(2)} GiB`;
    const width = Math.max(...m.plan.map((r) => r.label.length));
    const lines = [
      `${m.dir}: ${m.config.family}, ${(m.params / 1e6).toFixed(1)}M parameters`,
      `one step of ${m.rows} rows × ${m.seqLen} tokens (${config.train.objective}), ${m.design} ` +
      "attention:",
      ...m.plan.map((r) =>
        `  ${r.label.padEnd(width)}  ${gib(r.bytes).padStart(11)}${
          r.configured ? "  ← this run" : ""
        }`
      ),
      ...(m.products > 0
        ? [`on a GPU, auto attention picks products where it fits: ${gib(m.products)} more on each`]
        : []),
    ];
    io.out(lines.join("\n") + "\n");
    return 0;
  },
});

const inspectCommand: Command = {
  summary: "Show a preference dataset's format, invalid rows, token lengths and one example",
  usage: "inspect --data FILE [--dataset NAME] [--model DIR | --tokenizer DIR] [options]",
  description:
    "Loads the data (listing invalid rows instead of stopping at the first), tokenizes " +
    "every pair as training would, and prints token-length percentiles, what the length limits " +
    "would truncate or drop, and one pair exactly as the model sees it.",
  options: {
    data: {
      type: "string",
      value: "FILE",
      multiple: true,
      description: "Data file (JSON, JSONL, gzip) or LLaMA-Factory folder; repeatable (required)",
    },
    dataset: {
      type: "string",
      value: "NAME",
      description: "Entry of dataset_info.json, for LLaMA-Factory folders",
    },
    format: {
      type: "string",
      value: "NAME",
      description: `Row format: ${FORMATS.join(", ")}`,
      defaultText: "detected",
    },
    model: {
      type: "string",
      value: "DIR",
      description: "Model folder whose tokenizer to use",
    },
    tokenizer: {
      type: "string",
      value: "DIR",
      description: "Tokenizer folder (tokenizer.json, or vocab.json + merges.txt)",
      defaultText: "the built-in byte tokenizer",
    },
    template: {
      type: "string",
      value: "MODE",
      description: "auto (chat template when the tokenizer has one), template, or plain",
      default: "auto",
    },
    "max-length": {
      type: "string",
      value: "N",
      description: "Most tokens of prompt + longest response (none: no limit)",
      defaultText: "training's, tokenize.max_length",
    },
    "max-prompt-length": {
      type: "string",
      value: "N",
      description: "Most tokens of a prompt (it keeps its end)",
      defaultText: "half of --max-length, as in training",
    },
    "max-completion-length": {
      type: "string",
      value: "N",
      description: "Most tokens of each response (it keeps its start)",
      defaultText: "none",
    },
    example: {
      type: "string",
      value: "N",
      description: "Which pair to show (1-based)",
      default: "1",
    },
  },
  async run(values, io) {
    const data = values.data as string[] | undefined;
    if (data === undefined || data.length === 0) throw new UsageError("--data is required");
    if (values.model !== undefined && values.tokenizer !== undefined) {
      throw new UsageError("Give --model or --tokenizer, not both");
    }
    const format = values.format as string | undefined;
    if (format !== undefined && !FORMATS.includes(format as Format)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
    }
    const template = values.template as string;
    if (!TEMPLATE_MODES.includes(template as TemplateMode)) {
      throw new UsageError(
        `--template must be one of ${TEMPLATE_MODES.join(", ")}, got "${template}"`,
      );
    }
    // Training's limits unless told otherwise, so the report shows what a run would cut.
    const maxLength = values["max-length"] === "none"
      ? undefined
      : positiveInt(values, "max-length") ?? (defaults().tokenize.max_length as number);
    const report = await inspect({
      data,
      dataset: values.dataset as string | undefined,
      format: format as Format | undefined,
      tokenizer: (values.tokenizer ?? values.model) as string | undefined,
      template: template as TemplateMode,
      maxLength,
      // As in a run.
      maxPromptLength: positiveInt(values, "max-prompt-length") ?? defaultPromptLength(maxLength),
      maxCompletionLength: positiveInt(values, "max-completion-length"),
      example: positiveInt(values, "example")! - 1,
    });
    io.out(formatInspectReport(report));
    return 0;
  },
};

/**
 * The commands, by name.
 *
 * @example
 * ```ts
 * import { COMMANDS } from "./main.ts";
 * console.log(Object.keys(COMMANDS)); // ["inspect"]
 * ```
 */
export const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  sft: sftCommand,
  eval: evalCommand,
  score: scoreCommand,
  merge: mergeCommand,
  memory: memoryCommand,
  inspect: inspectCommand,
};

/**
 * The help text of one command: usage, description, and every option with its default.
 *
 * @param name The command.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./main.ts";
 * console.log(commandHelp("inspect"));
 * ```
 */
export function commandHelp(name: string): string {
  const command = COMMANDS[name];
  if (command === undefined) throw new UsageError(`Unknown command "${name}"`);
  if (command.raw) return command.raw.help();
  const rows = Object.entries({ ...command.options, help: HELP }).map(([flag, spec]) => {
    const names = (spec.short ? `-${spec.short}, ` : "    ") + `--${flag}` +
      (spec.value ? ` ${spec.value}` : "");
    const def = spec.default !== undefined && spec.type === "string"
      ? ` (default: ${spec.default})`
      : spec.defaultText !== undefined
      ? ` (default: ${spec.defaultText})`
      : "";
    return [names, spec.description + def];
  });
  const width = Math.max(...rows.map(([n]) => n.length));
  return [
    `Usage: deno run main.ts ${command.usage}`,
    "",
    ...(command.description ? [wrap(command.description, 80), ""] : []),
    "Options:",
    ...rows.map(([n, d]) => `  ${n.padEnd(width)}  ${d}`),
  ].join("\n") + "\n";
}

const HELP: OptionSpec = { type: "boolean", short: "h", description: "Show this help" };

function programHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    "Usage: deno run main.ts <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    "",
    "Run `deno run main.ts <command> --help` for a command's options.",
  ].join("\n") + "\n";
}

/**
 * Runs the command line.
 *
 * @param args The arguments after the program (`Deno.args`).
 * @param io Where to write; default stdout and stderr.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * const code = await main(["inspect", "--help"]); // prints the options, returns 0
 * ```
 */
export async function main(args: string[], io: Io = consoleIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(programHelp());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`error: unknown command "${name}"\n\n${programHelp()}`);
    return 2;
  }
  if (command.raw) {
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(commandHelp(name));
      return 0;
    }
    return await runGuarded(name, () => command.run({ args: rest as never }, io), io);
  }
  let values: OptionValues;
  try {
    const options = Object.fromEntries(
      Object.entries({ ...command.options, help: HELP }).map(([flag, spec]) => [flag, {
        type: spec.type,
        ...(spec.short ? { short: spec.short } : {}),
        ...(spec.multiple ? { multiple: true } : {}),
        ...(spec.default !== undefined ? { default: spec.default } : {}),
      }]),
    );
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    io.err(`error: ${errorText(e)}\nRun \`deno run main.ts ${name} --help\` for the options.\n`);
    return 2;
  }
  if (values.help) {
    io.out(commandHelp(name));
    return 0;
  }
  return await runGuarded(name, () => command.run(values, io), io);
}

/** Runs a command, turning known errors into messages and exit codes. */
async function runGuarded(name: string, fn: () => Promise<number>, io: Io): Promise<number> {
  try {
    return await whileInterruptible(fn, io);
  } catch (e) {
    if (e instanceof Interrupted) {
      io.err(`${e.message}\n`);
      return 130;
    }
    if (e instanceof UsageError || e instanceof ConfigKeyError) {
      io.err(`error: ${e.message}\nRun \`deno run main.ts ${name} --help\` for the options.\n`);
      return 2;
    }
    if (
      e instanceof DataError || e instanceof TokenizerError || e instanceof RangeError ||
      e instanceof NonFiniteError || e instanceof ConfigError || e instanceof SafetensorsError ||
      e instanceof WeightsError || e instanceof GpuError || e instanceof Deno.errors.NotFound ||
      e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.AlreadyExists
    ) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** A string option as a positive integer, or `undefined` when absent. */
function positiveInt(values: OptionValues, flag: string): number | undefined {
  const v = values[flag];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || !/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${flag} must be a positive integer, got "${v}"`);
  }
  return n;
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const encoder = new TextEncoder();
const consoleIo: Io = {
  out: (text) => Deno.stdout.writeSync(encoder.encode(text)),
  err: (text) => Deno.stderr.writeSync(encoder.encode(text)),
};

if (import.meta.main) {
  // `deno task` runs us from the project's folder and leaves the caller's folder in INIT_CWD:
  // relative paths on the command line (and the default `runs/`) mean the caller's folder.
  // Only when started in the project's folder (as `deno task` does): an INIT_CWD inherited from
  // an outer task or npm script would otherwise move a process started elsewhere.
  const caller = Deno.env.get("INIT_CWD");
  const project = fileURLToPath(new URL(".", import.meta.url));
  if (caller && resolve(Deno.cwd()) === resolve(project)) Deno.chdir(caller);
  Deno.exit(await main(Deno.args));
}
