/**
 * Stages and their composition.
 *
 * A stage is a typed async function `(input, options, ctx) → output`. {@linkcode step} binds a
 * stage to its options; {@linkcode pipeline} chains bound stages so each one's output type must
 * match the next one's input type (checked by the compiler). `ctx` carries what every stage may
 * need: the GPU (opened lazily, once), a logger, progress reporting and an abort signal. Stages
 * never print directly.
 *
 * @module
 */
import { Gpu } from "../kernels/gpu.ts";

/** Where stages send messages. */
export interface Logger {
  /** Normal progress messages. */
  info(message: string): void;
  /** Something the user should know (skipped rows, a recomputed cache). */
  warn(message: string): void;
}

/** A running progress report for one loop. */
export interface ProgressHandle {
  /** Sets how far the loop is, out of the total it started with, with optional extra fields. */
  update(done: number, fields?: Record<string, number | string>): void;
  /** Closes the report. */
  end(): void;
}

/** Creates progress reports; the terminal renders a bar, other sinks plain lines. */
export type ProgressFactory = (label: string, total: number) => ProgressHandle;

/** What every stage receives. */
export interface StageContext {
  /** The GPU, opened on first use and shared by all stages of a run. */
  gpu(): Promise<Gpu>;
  /** Messages. */
  logger: Logger;
  /** Progress reports. */
  progress: ProgressFactory;
  /** Aborts long loops between steps. */
  signal: AbortSignal;
}

/** A stage: a typed async function of its input, its options and the context. */
export type Stage<I, O, Opts> = (input: I, options: Opts, ctx: StageContext) => Promise<O>;

/** A stage with its options bound: what {@linkcode pipeline} composes. */
export type Step<I, O> = (input: I, ctx: StageContext) => Promise<O>;

/**
 * Binds a stage to its options.
 *
 * @example
 * ```ts
 * import { step, type Stage } from "./stage.ts";
 * const double: Stage<number, number, { by: number }> = (x, o) => Promise.resolve(x * o.by);
 * const byThree = step(double, { by: 3 });
 * ```
 */
export function step<I, O, Opts>(stage: Stage<I, O, Opts>, options: Opts): Step<I, O> {
  return (input, ctx) => stage(input, options, ctx);
}

/**
 * Chains steps: the output of each is the input of the next, type-checked at every seam.
 *
 * @example
 * ```ts
 * import { createContext, pipeline, step, type Stage } from "./stage.ts";
 * const parse: Stage<string, number, Record<never, never>> = (s) => Promise.resolve(Number(s));
 * const square: Stage<number, number, Record<never, never>> = (x) => Promise.resolve(x * x);
 * const run = pipeline(step(parse, {}), step(square, {}));
 * console.log(await run("7", createContext())); // 49
 * ```
 */
export function pipeline<A, B>(s1: Step<A, B>): Step<A, B>;
/** Chains two steps. */
export function pipeline<A, B, C>(s1: Step<A, B>, s2: Step<B, C>): Step<A, C>;
/** Chains three steps. */
export function pipeline<A, B, C, D>(s1: Step<A, B>, s2: Step<B, C>, s3: Step<C, D>): Step<A, D>;
/** Chains four steps. */
export function pipeline<A, B, C, D, E>(
  s1: Step<A, B>,
  s2: Step<B, C>,
  s3: Step<C, D>,
  s4: Step<D, E>,
): Step<A, E>;
/** Chains five steps. */
export function pipeline<A, B, C, D, E, F>(
  s1: Step<A, B>,
  s2: Step<B, C>,
  s3: Step<C, D>,
  s4: Step<D, E>,
  s5: Step<E, F>,
): Step<A, F>;
export function pipeline(...steps: Step<unknown, unknown>[]): Step<unknown, unknown> {
  return async (input, ctx) => {
    let value = input;
    for (const s of steps) {
      ctx.signal.throwIfAborted();
      value = await s(value, ctx);
    }
    return value;
  };
}

/** Options of {@linkcode createContext}. */
export interface ContextOptions {
  /** Messages go here; default: stderr lines for warnings, stdout for info. */
  logger?: Logger;
  /** Progress sink; default: none (silent). */
  progress?: ProgressFactory;
  /** Abort signal; default: never aborts. */
  signal?: AbortSignal;
  /** An already open GPU to share; default: opened on first use. */
  gpu?: Gpu;
}

/**
 * A stage context for scripts and tests.
 *
 * @example
 * ```ts
 * import { createContext } from "./stage.ts";
 * const ctx = createContext({ logger: { info: () => {}, warn: console.warn } });
 * ```
 */
export function createContext(options: ContextOptions = {}): StageContext {
  let opened: Promise<Gpu> | null = options.gpu ? Promise.resolve(options.gpu) : null;
  return {
    gpu: () => opened ??= Gpu.create(),
    logger: options.logger ?? consoleLogger,
    progress: options.progress ?? silentProgress,
    signal: options.signal ?? new AbortController().signal,
  };
}

/** Info to stdout, warnings to stderr. */
export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.error(`warning: ${m}`),
};

/** A progress factory that reports nothing. */
export const silentProgress: ProgressFactory = (): ProgressHandle => ({ update() {}, end() {} });
