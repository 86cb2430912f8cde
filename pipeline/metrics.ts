/**
 * What a run reports: the metrics log (`metrics.jsonl`), terminal progress, and SVG charts.
 *
 * ## The metrics log
 *
 * One JSON object per line, `step` and `epoch` first, then TRL's names (`loss`, `rewards/chosen`,
 * `rewards/rejected`, `rewards/accuracies`, `rewards/margins`, `logps/chosen`, `logps/rejected`,
 * `logits/chosen`, `logits/rejected`, `grad_norm`, `learning_rate`, `tokens_per_second`);
 * evaluation rows use the same names with an `eval_` prefix. A non-finite number is written as
 * `null` (JSON has no NaN). {@linkcode MetricsLog} writes each line with one system call as it
 * comes, so a killed run loses at most the line in flight; {@linkcode readMetrics} ignores such a
 * cut last line, and {@linkcode truncateMetrics} cuts the log back to a checkpoint's step when a
 * run resumes, so the resumed log has no duplicate steps.
 *
 * ## Progress
 *
 * {@linkcode createProgress} makes a {@linkcode ProgressFactory}: on a terminal, one line redrawn
 * in place (at most ~10 times a second) with a bar, done/total, rate, elapsed time, ETA and the
 * fields passed to `update`; elsewhere (a pipe, a CI log), plain lines every few percent or every
 * few seconds, and always the last one. {@linkcode createReporter} pairs it with a logger that
 * prints messages above the live bar instead of through it.
 *
 * ## Charts
 *
 * Hand-written SVG, no dependency: {@linkcode lineChart}, {@linkcode scatterChart},
 * {@linkcode rewardKlChart}, and {@linkcode writeTrainingCharts} for `loss.svg`, `margins.svg` and
 * `accuracy.svg` from the log's rows. The same input always gives the same bytes.
 *
 * @example Log, read back, chart
 * ```ts
 * import { MetricsLog, readMetrics, writeTrainingCharts } from "./metrics.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const log = await MetricsLog.open(`${dir}/metrics.jsonl`);
 * for (let step = 1; step <= 3; step++) {
 *   log.append({ step, epoch: step / 3, loss: 0.69 / step, "rewards/accuracies": 0.5 + step / 10 });
 * }
 * log.close();
 * const rows = await readMetrics(`${dir}/metrics.jsonl`);
 * await writeTrainingCharts(dir, rows); // loss.svg, margins.svg, accuracy.svg
 * ```
 *
 * @module
 */
import type { Logger, ProgressFactory, ProgressHandle } from "./stage.ts";

// ───────────────────────────────────────────────────────────────────────────── metrics log ──

/** A value in a metrics row; `null` stands for a non-finite number. */
export type MetricValue = number | string | boolean | null;

/** One line of `metrics.jsonl`. */
export interface MetricsRow {
  /** The optimizer step the row describes (0 before the first update). */
  step: number;
  /** Fractional epoch, as TRL logs it. */
  epoch?: number;
  /** TRL's metric names (`loss`, `rewards/margins`, …), `eval_`-prefixed for evaluation rows. */
  [name: string]: MetricValue | undefined;
}

/** Options of {@linkcode MetricsLog.open}. */
export interface MetricsLogOptions {
  /**
   * Also ask the OS to put each line on disk (`fdatasync`) before returning. Default `false`:
   * each line is handed to the OS at once, which survives the process being killed, not a power
   * cut.
   */
  sync?: boolean;
}

const encoder = new TextEncoder();

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

/**
 * Serializes one row as a line of `metrics.jsonl`: `step` and `epoch` first, other keys in their
 * order, non-finite numbers as `null`, `undefined` left out.
 *
 * @example
 * ```ts
 * import { formatMetricsLine } from "./metrics.ts";
 * console.log(formatMetricsLine({ loss: NaN, step: 3 })); // {"step":3,"loss":null}\n
 * ```
 */
export function formatMetricsLine(row: MetricsRow): string {
  if (!Number.isInteger(row.step) || row.step < 0) {
    throw new RangeError(`A metrics row needs a non-negative integer step, got ${row.step}`);
  }
  const ordered: Record<string, MetricValue> = { step: row.step };
  if (row.epoch !== undefined) ordered.epoch = row.epoch;
  for (const [key, value] of Object.entries(row)) {
    if (key === "step" || key === "epoch" || value === undefined) continue;
    ordered[key] = value;
  }
  // JSON.stringify writes NaN and ±Infinity as null, which is what we want.
  return JSON.stringify(ordered) + "\n";
}

/**
 * Appends rows to a `metrics.jsonl` file, one line per row, each written with one system call as
 * it is appended (no buffering in this process).
 *
 * Opening drops a cut last line (no newline) left by a killed run, so new lines never glue onto
 * a broken one. The folder must exist.
 *
 * @example
 * ```ts
 * import { MetricsLog } from "./metrics.ts";
 * const path = `${await Deno.makeTempDir()}/metrics.jsonl`;
 * using log = await MetricsLog.open(path);
 * log.append({ step: 1, epoch: 0.1, loss: 0.6931, "rewards/accuracies": 0.5 });
 * log.append({ step: 1, epoch: 0.1, eval_loss: 0.69 });
 * ```
 */
export class MetricsLog {
  #file: Deno.FsFile | null;
  #sync: boolean;
  #path: string;

  private constructor(path: string, file: Deno.FsFile, sync: boolean) {
    this.#path = path;
    this.#file = file;
    this.#sync = sync;
  }

  /**
   * Opens (creating if needed) a log for appending.
   *
   * @example
   * ```ts
   * import { MetricsLog } from "./metrics.ts";
   * const log = await MetricsLog.open(`${await Deno.makeTempDir()}/metrics.jsonl`, { sync: true });
   * log.close();
   * ```
   */
  static async open(path: string, options: MetricsLogOptions = {}): Promise<MetricsLog> {
    await dropCutTail(path);
    const file = await Deno.open(path, { append: true, create: true });
    return new MetricsLog(path, file, options.sync ?? false);
  }

  /** The file being written. */
  get path(): string {
    return this.#path;
  }

  /**
   * Writes one row as a line (see {@linkcode formatMetricsLine}).
   *
   * @example
   * ```ts
   * import { MetricsLog } from "./metrics.ts";
   * using log = await MetricsLog.open(`${await Deno.makeTempDir()}/m.jsonl`);
   * log.append({ step: 10, loss: 0.5, grad_norm: 1.25, learning_rate: 5e-7 });
   * ```
   */
  append(row: MetricsRow): void {
    if (this.#file === null) throw new TypeError(`The metrics log ${this.#path} is closed`);
    writeAll(this.#file, encoder.encode(formatMetricsLine(row)));
    if (this.#sync) this.#file.syncDataSync();
  }

  /** Closes the file; later calls do nothing. */
  close(): void {
    this.#file?.close();
    this.#file = null;
  }

  /** Closes the file (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Drops bytes after the last newline (a line cut by a kill); no file is fine. */
async function dropCutTail(path: string): Promise<void> {
  let size: number;
  try {
    size = (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (size === 0) return;
  using file = await Deno.open(path, { read: true, write: true });
  // Scan backwards in blocks for the last newline.
  const block = new Uint8Array(4096);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const view = block.subarray(0, end - start);
    await file.seek(start, Deno.SeekMode.Start);
    let read = 0;
    while (read < view.length) {
      const n = await file.read(view.subarray(read));
      if (n === null) break;
      read += n;
    }
    const at = view.lastIndexOf(0x0a);
    if (at >= 0) {
      const keep = start + at + 1;
      if (keep < size) await file.truncate(keep);
      return;
    }
    end = start;
  }
  await file.truncate(0);
}

/**
 * Parses the text of a `metrics.jsonl` file. Blank lines are skipped; a last line that does not
 * parse (cut by a kill) is ignored; any other bad line throws a `SyntaxError` naming the file and
 * the 1-based line.
 *
 * @example
 * ```ts
 * import { parseMetrics } from "./metrics.ts";
 * const rows = parseMetrics('{"step":1,"loss":0.7}\n{"step":2,"lo', "metrics.jsonl");
 * console.log(rows.length); // 1
 * ```
 */
export function parseMetrics(text: string, file = "metrics.jsonl"): MetricsRow[] {
  return parseLines(text, file).map((entry) => entry.row);
}

function parseLines(text: string, file: string): { row: MetricsRow; line: string }[] {
  const lines = text.split("\n");
  // The index of the last line with content: the only one allowed to be cut.
  let last = lines.length - 1;
  while (last >= 0 && lines[last].trim() === "") last--;
  const out: { row: MetricsRow; line: string }[] = [];
  for (let i = 0; i <= last; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (i === last) break;
      throw new SyntaxError(
        `${file}:${i + 1}: expected a JSON object on each line (${(error as Error).message})`,
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new SyntaxError(`${file}:${i + 1}: expected a JSON object, got ${line.slice(0, 40)}`);
    }
    const step = (value as Record<string, unknown>).step;
    if (typeof step !== "number" || !Number.isFinite(step)) {
      throw new TypeError(`${file}:${i + 1}: field "step": expected a number`);
    }
    out.push({ row: value as MetricsRow, line });
  }
  return out;
}

/**
 * Reads a `metrics.jsonl` file (see {@linkcode parseMetrics} for what it tolerates).
 *
 * @example
 * ```ts
 * import { MetricsLog, readMetrics } from "./metrics.ts";
 * const path = `${await Deno.makeTempDir()}/metrics.jsonl`;
 * using log = await MetricsLog.open(path);
 * log.append({ step: 1, loss: 0.69 });
 * console.log(await readMetrics(path)); // [{ step: 1, loss: 0.69 }]
 * ```
 */
export async function readMetrics(path: string): Promise<MetricsRow[]> {
  return parseMetrics(await Deno.readTextFile(path), path);
}

/** What {@linkcode truncateMetrics} did. */
export interface TruncateResult {
  /** Rows kept (step ≤ the given step). */
  kept: number;
  /** Rows dropped (later steps, and a cut last line counts as one). */
  dropped: number;
}

/**
 * Cuts a log back to the rows with `step ≤ maxStep`, for a run resuming from the checkpoint of
 * that step: the steps after it will be logged again. Kept lines are copied byte for byte. The
 * file is replaced atomically (a temporary file, then a rename), so a crash leaves either the old
 * log or the new one. A missing file is left missing.
 *
 * Rows of the checkpoint's own step are kept, so a trainer should log a step (train and eval
 * rows) before it writes that step's checkpoint.
 *
 * @example
 * ```ts
 * import { MetricsLog, readMetrics, truncateMetrics } from "./metrics.ts";
 * const path = `${await Deno.makeTempDir()}/metrics.jsonl`;
 * const log = await MetricsLog.open(path);
 * for (let step = 1; step <= 5; step++) log.append({ step, loss: 1 / step });
 * log.close();
 * await truncateMetrics(path, 3); // { kept: 3, dropped: 2 }
 * console.log((await readMetrics(path)).map((r) => r.step)); // [1, 2, 3]
 * ```
 */
export async function truncateMetrics(path: string, maxStep: number): Promise<TruncateResult> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { kept: 0, dropped: 0 };
    throw error;
  }
  const entries = parseLines(text, path);
  const kept = entries.filter((e) => e.row.step <= maxStep);
  const contentLines = text.split("\n").filter((l) => l.trim() !== "").length;
  await writeTextAtomic(path, kept.map((e) => e.line + "\n").join(""));
  return { kept: kept.length, dropped: contentLines - kept.length };
}

async function writeTextAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${Deno.pid}.tmp`;
  try {
    using file = await Deno.open(temp, { write: true, create: true, truncate: true });
    writeAll(file, encoder.encode(text));
    await file.syncData();
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  await Deno.rename(temp, path);
}

// ──────────────────────────────────────────────────────────────────────────────── progress ──

/**
 * A duration as `m:ss`, or `h:mm:ss` from an hour; `?` when unknown (negative or not finite).
 *
 * @example
 * ```ts
 * import { formatDuration } from "./metrics.ts";
 * formatDuration(75); // "1:15"
 * formatDuration(3725); // "1:02:05"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * The time left for `remaining` items at `perSecond` items a second; `?` while the rate is
 * unknown.
 *
 * @example
 * ```ts
 * import { formatEta } from "./metrics.ts";
 * formatEta(90, 2); // "0:45"
 * formatEta(90, 0); // "?"
 * ```
 */
export function formatEta(remaining: number, perSecond: number): string {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return "?";
  return formatDuration(Math.max(0, remaining) / perSecond);
}

/**
 * A rate: `12.3 it/s`, or `4.20 s/it` below one item a second; `? it/s` while unknown.
 *
 * @example
 * ```ts
 * import { formatRate } from "./metrics.ts";
 * formatRate(0.25); // "4.00 s/it"
 * formatRate(12.34, "pairs"); // "12.3 pairs/s"
 * ```
 */
export function formatRate(perSecond: number, unit = "it"): string {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return `? ${unit}/s`;
  const digits = (x: number) => x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  return perSecond >= 1 ? `${digits(perSecond)} ${unit}/s` : `${digits(1 / perSecond)} s/${unit}`;
}

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/**
 * A bar exactly `width` characters wide, filled to `fraction` (clamped to 0..1) with block
 * characters, eighths included; with `ascii`, `#` and `.`.
 *
 * @example
 * ```ts
 * import { formatBar } from "./metrics.ts";
 * formatBar(0.5, 8); // "████    "
 * formatBar(0.5, 8, { ascii: true }); // "####...."
 * ```
 */
export function formatBar(
  fraction: number,
  width: number,
  options: { ascii?: boolean } = {},
): string {
  const w = Math.max(0, Math.floor(width));
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  if (options.ascii) {
    const full = Math.floor(f * w);
    return "#".repeat(full) + ".".repeat(w - full);
  }
  const eighths = Math.floor(f * w * 8);
  const full = Math.floor(eighths / 8);
  const part = full < w ? EIGHTHS[eighths % 8] : "";
  return "█".repeat(full) + part + " ".repeat(w - full - (part ? 1 : 0));
}

/**
 * A field value for a progress line: 4 significant digits, exponent notation when very small or
 * large, integers and strings as they are.
 *
 * @example
 * ```ts
 * import { formatValue } from "./metrics.ts";
 * formatValue(0.693147); // "0.6931"
 * formatValue(3e-7); // "3.00e-7"
 * ```
 */
export function formatValue(value: number | string): string {
  if (typeof value === "string") return value;
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(2);
  return value.toPrecision(4);
}

/** The state of a loop, as {@linkcode formatProgressLine} draws it. */
export interface ProgressState {
  /** What the loop does (`train`, `ref-cache`). */
  label: string;
  /** Items done. */
  done: number;
  /** Items in all; 0 or less when unknown. */
  total: number;
  /** Seconds since the loop began. */
  elapsed: number;
  /** Items a second; `NaN` while unknown. */
  rate: number;
  /** Extra fields, drawn as `name=value`. */
  fields?: Record<string, number | string>;
  /** Draw a bar this wide; 0 or absent: no bar (plain lines). */
  barWidth?: number;
  /** Draw the bar with ASCII characters. */
  ascii?: boolean;
  /** The unit of the rate (default `it`). */
  unit?: string;
}

/**
 * One progress line: `label |bar| done/total pct [elapsed<eta, rate] k=v …` with a bar, or
 * `label done/total (pct) elapsed … eta … rate k=v …` without.
 *
 * @example
 * ```ts
 * import { formatProgressLine } from "./metrics.ts";
 * formatProgressLine({ label: "train", done: 25, total: 100, elapsed: 10, rate: 2.5 });
 * // "train 25/100 (25%) elapsed 0:10 eta 0:30 2.50 it/s"
 * ```
 */
export function formatProgressLine(state: ProgressState): string {
  const { label, done, total, elapsed, rate } = state;
  const known = total > 0;
  const pct = known ? `${Math.floor((100 * Math.min(done, total)) / total)}%` : "";
  const eta = known ? formatEta(total - done, rate) : "?";
  const count = known ? `${done}/${total}` : `${done}`;
  const fields = Object.entries(state.fields ?? {}).map(([k, v]) => `${k}=${formatValue(v)}`);
  const parts: string[] = [label];
  if (state.barWidth && state.barWidth > 0) {
    if (known) {
      parts.push(`|${formatBar(done / total, state.barWidth, { ascii: state.ascii })}|`);
    }
    parts.push(count);
    if (known) parts.push(pct);
    parts.push(
      `[${formatDuration(elapsed)}<${eta}, ${formatRate(rate, state.unit)}]`,
    );
  } else {
    parts.push(known ? `${count} (${pct})` : count);
    parts.push(`elapsed ${formatDuration(elapsed)}`, `eta ${eta}`, formatRate(rate, state.unit));
  }
  return [...parts, ...fields].join(" ");
}

/** Options of {@linkcode createProgress} and {@linkcode createReporter}. */
export interface ProgressOptions {
  /** Where progress (and info messages) go; default: stdout. */
  write?: (text: string) => void;
  /** Where warnings go ({@linkcode createReporter}); default: stderr. */
  writeError?: (text: string) => void;
  /** Redraw one line in place; default: whether stdout is a terminal. */
  tty?: boolean;
  /** The clock, in milliseconds; default `performance.now`. */
  now?: () => number;
  /** Terminal: the least time between redraws, in ms (default 100, ~10 Hz). */
  interval?: number;
  /** Terminal: width to cut lines to; default: the console's width, or 100. */
  columns?: number;
  /** Terminal: bar width in characters (default 25). */
  barWidth?: number;
  /** Terminal: draw the bar with ASCII characters (default `false`). */
  ascii?: boolean;
  /** Plain lines: one each time the loop passes another `percent` of its total (default 10). */
  percent?: number;
  /** Plain lines: also one when this many seconds passed since the last (default 30). */
  seconds?: number;
}

/** The mutable state shared by a reporter's bars and logger: which line is live on screen. */
interface Screen {
  live: string | null;
}

function defaultWriter(stream: typeof Deno.stdout | typeof Deno.stderr) {
  return (text: string) => {
    const bytes = encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) offset += stream.writeSync(bytes.subarray(offset));
  };
}

function consoleColumns(): number {
  try {
    // A pseudo-terminal may report 0 columns.
    const { columns } = Deno.consoleSize();
    return columns > 0 ? columns : 100;
  } catch {
    return 100;
  }
}

const CLEAR_LINE = "\r\x1b[K";

class Progress implements ProgressHandle {
  #label: string;
  #total: number;
  #o: Required<Omit<ProgressOptions, "writeError">>;
  #screen: Screen;
  #start: number;
  // The rate is measured from the first update, so a slow first step (pipeline compilation, a
  // resumed loop starting at step 500) does not skew it.
  #base: { done: number; time: number } | null = null;
  #done = 0;
  #fields: Record<string, number | string> | undefined;
  #lastDraw = -Infinity;
  #lastLine = "";
  #nextPercent: number;
  #ended = false;

  constructor(
    label: string,
    total: number,
    options: Required<Omit<ProgressOptions, "writeError">>,
    screen: Screen,
  ) {
    this.#label = label;
    this.#total = total;
    this.#o = options;
    this.#screen = screen;
    this.#start = options.now();
    this.#nextPercent = options.percent;
  }

  update(done: number, fields?: Record<string, number | string>): void {
    if (this.#ended) return;
    const now = this.#o.now();
    this.#base ??= { done, time: now };
    this.#done = done;
    if (fields) this.#fields = fields;
    if (this.#o.tty) {
      const finished = this.#total > 0 && done >= this.#total;
      if (finished || now - this.#lastDraw >= this.#o.interval) this.#draw(now);
      return;
    }
    const pct = this.#total > 0 ? (100 * done) / this.#total : 0;
    if (pct >= this.#nextPercent || (now - this.#lastDraw) / 1000 >= this.#o.seconds) {
      while (this.#nextPercent <= pct) this.#nextPercent += this.#o.percent;
      this.#draw(now);
    }
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const now = this.#o.now();
    if (this.#o.tty) {
      this.#draw(now);
      this.#o.write("\n");
      this.#screen.live = null;
    } else {
      const line = this.#line(now);
      if (line !== this.#lastLine) this.#o.write(line + "\n");
    }
  }

  #line(now: number): string {
    const base = this.#base;
    const dt = base ? (now - base.time) / 1000 : 0;
    const rate = base && dt > 0 && this.#done > base.done ? (this.#done - base.done) / dt : NaN;
    return formatProgressLine({
      label: this.#label,
      done: this.#done,
      total: this.#total,
      elapsed: (now - this.#start) / 1000,
      rate,
      fields: this.#fields,
      barWidth: this.#o.tty ? this.#o.barWidth : 0,
      ascii: this.#o.ascii,
    });
  }

  #draw(now: number): void {
    this.#lastDraw = now;
    let line = this.#line(now);
    if (this.#o.tty) {
      if (line.length > this.#o.columns - 1) line = line.slice(0, Math.max(0, this.#o.columns - 1));
      this.#screen.live = line;
      this.#o.write(CLEAR_LINE + line);
    } else {
      this.#o.write(line + "\n");
    }
    this.#lastLine = line;
  }
}

function resolveOptions(options: ProgressOptions): Required<Omit<ProgressOptions, "writeError">> {
  const tty = options.tty ?? Deno.stdout.isTerminal();
  return {
    write: options.write ?? defaultWriter(Deno.stdout),
    tty,
    now: options.now ?? (() => performance.now()),
    interval: options.interval ?? 100,
    columns: options.columns ?? (tty ? consoleColumns() : 100),
    barWidth: options.barWidth ?? 25,
    ascii: options.ascii ?? false,
    percent: options.percent ?? 10,
    seconds: options.seconds ?? 30,
  };
}

/**
 * A {@linkcode ProgressFactory} for the terminal (a bar redrawn in place) or for logs (plain
 * lines). Rates and ETAs count from each loop's first `update`.
 *
 * @example
 * ```ts
 * import { createProgress } from "./metrics.ts";
 * import { createContext } from "./stage.ts";
 * const ctx = createContext({ progress: createProgress() });
 * const bar = ctx.progress("train", 100);
 * for (let step = 1; step <= 100; step++) bar.update(step, { loss: 0.69, acc: 0.5 });
 * bar.end();
 * ```
 */
export function createProgress(options: ProgressOptions = {}): ProgressFactory {
  return createReporter(options).progress;
}

/**
 * A progress factory and a logger that share one screen: on a terminal, a message clears the
 * live bar, prints, and draws the bar again below it.
 *
 * @example
 * ```ts
 * import { createReporter } from "./metrics.ts";
 * import { createContext } from "./stage.ts";
 * const { progress, logger } = createReporter();
 * const ctx = createContext({ progress, logger });
 * const bar = ctx.progress("ref-cache", 10);
 * bar.update(5);
 * ctx.logger.info("reusing the reference cache"); // printed above the bar
 * bar.end();
 * ```
 */
export function createReporter(
  options: ProgressOptions = {},
): { progress: ProgressFactory; logger: Logger } {
  const resolved = resolveOptions(options);
  const writeError = options.writeError ??
    (options.write ? options.write : defaultWriter(Deno.stderr));
  const screen: Screen = { live: null };
  const around = (write: (text: string) => void, message: string) => {
    if (resolved.tty && screen.live !== null) {
      resolved.write(CLEAR_LINE);
      write(message + "\n");
      resolved.write(screen.live);
    } else {
      write(message + "\n");
    }
  };
  return {
    progress: (label, total) => new Progress(label, total, resolved, screen),
    logger: {
      info: (message) => around(resolved.write, message),
      warn: (message) => around(writeError, `warning: ${message}`),
    },
  };
}

// ────────────────────────────────────────────────────────────────────────────────── charts ──

/** One line of a {@linkcode lineChart}. */
export interface LineSeries {
  /** Shown in the legend. */
  name: string;
  /** `[x, y]` pairs, drawn in order; a non-finite value breaks the line. */
  points: readonly (readonly [number, number])[];
  /** A CSS color; default: the next of a fixed palette. */
  color?: string;
  /** Stroke opacity, 0..1 (default 1): a faint raw curve under its smoothed one. */
  opacity?: number;
  /** Dots at the points; default: when the series has at most 40 points. */
  markers?: boolean;
}

/** Common options of the charts. */
export interface ChartOptions {
  /** The title above the plot. */
  title: string;
  /** The x axis' label. */
  xLabel: string;
  /** The y axis' label. */
  yLabel: string;
  /** Pixels (default 640). */
  width?: number;
  /** Pixels (default 400). */
  height?: number;
  /** Values the x axis must include besides the data, e.g. `[0]`. */
  xInclude?: readonly number[];
  /** Values the y axis must include besides the data, e.g. `[0, 1]` for an accuracy. */
  yInclude?: readonly number[];
}

/** Options of {@linkcode lineChart}. */
export interface LineChartOptions extends ChartOptions {
  /** The lines. */
  series: readonly LineSeries[];
}

/** A point of a {@linkcode scatterChart}. */
export interface ScatterPoint {
  /** Horizontal position. */
  x: number;
  /** Vertical position. */
  y: number;
  /** Progress 0..1 (e.g. step / last step): the point's color, early dark to late bright. */
  t?: number;
  /** A label, e.g. `step 200`: a tooltip always, written beside the point for a few. */
  label?: string;
}

/** Options of {@linkcode scatterChart}. */
export interface ScatterChartOptions extends ChartOptions {
  /** The points. */
  points: readonly ScatterPoint[];
  /** Join the points in order with a thin line (a trajectory). Default `false`. */
  connect?: boolean;
  /** How many labels to write beside points, spread evenly, first and last included (default 8). */
  maxLabels?: number;
  /** Names of the color scale's ends (default `["early", "late"]`). */
  scale?: readonly [string, string];
}

const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/** Characters XML 1.0 does not allow at all. */
// deno-lint-ignore no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/**
 * Escapes text for XML content and attribute values, dropping characters XML cannot hold.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./metrics.ts";
 * escapeXml(`KL <π‖π_ref> & "β"`); // "KL &lt;π‖π_ref&gt; &amp; &quot;β&quot;"
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

/** A coordinate with at most two decimals, no `-0`. */
function n(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

/**
 * Round tick values covering `[min, max]`: steps of 1, 2 or 5 times a power of ten, about
 * `count` of them, the first ≤ min and the last ≥ max.
 *
 * @example
 * ```ts
 * import { niceTicks } from "./metrics.ts";
 * niceTicks(0.13, 0.71); // [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
 * ```
 */
export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count - 1);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / power;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * power;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) {
    // Rounding through toFixed keeps 0.30000000000000004 out of the labels.
    const v = Number((i * step).toFixed(Math.min(20, decimals)));
    ticks.push(Object.is(v, -0) ? 0 : v);
  }
  return ticks;
}

/** A tick label: plain decimals for the tick spacing, exponents for huge or tiny values. */
function tickLabel(value: number, spacing: number): string {
  if (value === 0) return "0";
  const a = Math.abs(value);
  if (a >= 1e6 || spacing < 1e-4) return value.toExponential(2).replace("e+", "e");
  const decimals = Math.max(0, -Math.floor(Math.log10(spacing) + 1e-9));
  return value.toFixed(decimals);
}

interface Frame {
  width: number;
  height: number;
  left: number;
  top: number;
  plotW: number;
  plotH: number;
  x: (v: number) => number;
  y: (v: number) => number;
  xTicks: number[];
  yTicks: number[];
}

function domainOf(values: number[], include: readonly number[] = []): number[] {
  const finite = [...values, ...include].filter(Number.isFinite);
  if (finite.length === 0) return niceTicks(0, 1);
  let lo = Infinity, hi = -Infinity;
  for (const v of finite) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return niceTicks(lo, hi);
}

function frame(
  options: ChartOptions,
  xs: number[],
  ys: number[],
  rightMargin: number,
): Frame {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const xTicks = domainOf(xs, options.xInclude);
  const yTicks = domainOf(ys, options.yInclude);
  const ySpacing = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
  const longest = Math.max(...yTicks.map((t) => tickLabel(t, ySpacing).length));
  const left = 36 + 7 * longest;
  const top = 40;
  const bottom = 50;
  const plotW = Math.max(10, width - left - rightMargin);
  const plotH = Math.max(10, height - top - bottom);
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  return {
    width,
    height,
    left,
    top,
    plotW,
    plotH,
    xTicks,
    yTicks,
    x: (v) => left + ((v - x0) / (x1 - x0)) * plotW,
    y: (v) => top + plotH - ((v - y0) / (y1 - y0)) * plotH,
  };
}

/** The frame's opening: header, background, title, grid, ticks, axes and their labels. */
function axes(f: Frame, options: ChartOptions, empty: boolean): string[] {
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" ` +
    `viewBox="0 0 ${f.width} ${f.height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
    `<text x="${n(f.width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">` +
    `${escapeXml(options.title)}</text>`,
  ];
  const xSpacing = f.xTicks.length > 1 ? f.xTicks[1] - f.xTicks[0] : 1;
  const ySpacing = f.yTicks.length > 1 ? f.yTicks[1] - f.yTicks[0] : 1;
  const bottom = f.top + f.plotH;
  const right = f.left + f.plotW;
  out.push(`<g stroke="#e5e5e5" stroke-width="1">`);
  for (const t of f.xTicks) {
    out.push(`<line x1="${n(f.x(t))}" y1="${n(f.top)}" x2="${n(f.x(t))}" y2="${n(bottom)}"/>`);
  }
  for (const t of f.yTicks) {
    out.push(`<line x1="${n(f.left)}" y1="${n(f.y(t))}" x2="${n(right)}" y2="${n(f.y(t))}"/>`);
  }
  out.push(`</g>`);
  out.push(
    `<rect x="${n(f.left)}" y="${n(f.top)}" width="${n(f.plotW)}" height="${n(f.plotH)}" ` +
      `fill="none" stroke="#333333"/>`,
  );
  out.push(`<g fill="#333333">`);
  for (const t of f.xTicks) {
    out.push(
      `<text x="${n(f.x(t))}" y="${n(bottom + 16)}" text-anchor="middle">` +
        `${escapeXml(tickLabel(t, xSpacing))}</text>`,
    );
  }
  for (const t of f.yTicks) {
    out.push(
      `<text x="${n(f.left - 6)}" y="${n(f.y(t) + 4)}" text-anchor="end">` +
        `${escapeXml(tickLabel(t, ySpacing))}</text>`,
    );
  }
  out.push(`</g>`);
  out.push(
    `<text x="${n(f.left + f.plotW / 2)}" y="${n(f.height - 10)}" text-anchor="middle">` +
      `${escapeXml(options.xLabel)}</text>`,
    `<text x="14" y="${n(f.top + f.plotH / 2)}" text-anchor="middle" ` +
      `transform="rotate(-90 14 ${n(f.top + f.plotH / 2)})">${escapeXml(options.yLabel)}</text>`,
  );
  if (empty) {
    out.push(
      `<text x="${n(f.left + f.plotW / 2)}" y="${n(f.top + f.plotH / 2)}" text-anchor="middle" ` +
        `fill="#999999">no data</text>`,
    );
  }
  return out;
}

const isPoint = (p: readonly [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/**
 * A line chart as an SVG document: axes with round ticks, a grid, a legend on the right. Lines
 * break at non-finite points; a chart without any finite point says "no data".
 *
 * @example
 * ```ts
 * import { lineChart } from "./metrics.ts";
 * const svg = lineChart({
 *   title: "DPO loss",
 *   xLabel: "step",
 *   yLabel: "loss",
 *   series: [
 *     { name: "train", points: [[1, 0.69], [2, 0.6], [3, 0.52]] },
 *     { name: "eval", points: [[3, 0.55]] },
 *   ],
 * });
 * await Deno.writeTextFile(`${await Deno.makeTempDir()}/loss.svg`, svg);
 * ```
 */
export function lineChart(options: LineChartOptions): string {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of options.series) {
    for (const p of s.points) {
      if (isPoint(p)) {
        xs.push(p[0]);
        ys.push(p[1]);
      }
    }
  }
  const longestName = Math.max(0, ...options.series.map((s) => s.name.length));
  const legendW = options.series.length > 0 ? Math.min(220, 40 + 7 * longestName) : 0;
  const f = frame(options, xs, ys, 20 + legendW);
  const out = axes(f, options, xs.length === 0);

  options.series.forEach((s, i) => {
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]);
    const opacity = s.opacity ?? 1;
    const finite = s.points.filter(isPoint);
    const markers = s.markers ?? finite.length <= 40;
    out.push(
      `<g fill="none" stroke="${color}" stroke-width="2" stroke-opacity="${n(opacity)}" ` +
        `stroke-linejoin="round">`,
    );
    // Split at non-finite points: each run of finite points is one polyline.
    let run: string[] = [];
    const flush = () => {
      if (run.length >= 2) out.push(`<polyline points="${run.join(" ")}"/>`);
      else if (run.length === 1 && !markers) {
        const [cx, cy] = run[0].split(",");
        out.push(`<circle cx="${cx}" cy="${cy}" r="2" fill="${color}"/>`);
      }
      run = [];
    };
    for (const p of s.points) {
      if (isPoint(p)) run.push(`${n(f.x(p[0]))},${n(f.y(p[1]))}`);
      else flush();
    }
    flush();
    if (markers) {
      for (const p of finite) {
        out.push(
          `<circle cx="${n(f.x(p[0]))}" cy="${n(f.y(p[1]))}" r="3" fill="${color}" ` +
            `fill-opacity="${n(opacity)}" stroke="none"/>`,
        );
      }
    }
    out.push(`</g>`);
  });

  // Legend, right of the plot.
  const lx = f.left + f.plotW + 16;
  options.series.forEach((s, i) => {
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]);
    const y = f.top + 10 + 20 * i;
    out.push(
      `<line x1="${n(lx)}" y1="${n(y)}" x2="${n(lx + 20)}" y2="${n(y)}" stroke="${color}" ` +
        `stroke-width="3" stroke-opacity="${n(s.opacity ?? 1)}"/>`,
      `<text x="${n(lx + 26)}" y="${n(y + 4)}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push(`</svg>`, ``);
  return out.join("\n");
}

/** Dark purple → teal → yellow (viridis' ends and middle), for progress 0..1. */
function progressColor(t: number): string {
  const stops = [[68, 1, 84], [33, 145, 140], [253, 231, 37]];
  const u = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const seg = u < 0.5 ? 0 : 1;
  const w = u < 0.5 ? u * 2 : (u - 0.5) * 2;
  const c = stops[seg].map((a, k) => Math.round(a + (stops[seg + 1][k] - a) * w));
  return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
}

/**
 * A scatter chart as an SVG document, each point colored by its progress `t` (with a color
 * scale on the right), optionally joined in order, a few labelled beside them and all with a
 * tooltip. Non-finite points are left out.
 *
 * @example
 * ```ts
 * import { scatterChart } from "./metrics.ts";
 * const svg = scatterChart({
 *   title: "Reward against KL",
 *   xLabel: "KL(π‖π_ref)",
 *   yLabel: "task reward",
 *   points: [{ x: 0, y: 0.3, t: 0, label: "ref" }, { x: 1.2, y: 0.8, t: 1, label: "step 100" }],
 *   connect: true,
 * });
 * ```
 */
export function scatterChart(options: ScatterChartOptions): string {
  const points = options.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const f = frame(options, points.map((p) => p.x), points.map((p) => p.y), 90);
  const out = axes(f, options, points.length === 0);

  if (options.connect && points.length >= 2) {
    const path = points.map((p) => `${n(f.x(p.x))},${n(f.y(p.y))}`).join(" ");
    out.push(`<polyline points="${path}" fill="none" stroke="#aaaaaa" stroke-width="1"/>`);
  }
  for (const p of points) {
    const color = progressColor(p.t ?? 0);
    const tip = p.label !== undefined ? `<title>${escapeXml(p.label)}</title>` : "";
    out.push(
      `<circle cx="${n(f.x(p.x))}" cy="${n(f.y(p.y))}" r="5" fill="${color}" stroke="#333333" ` +
        `stroke-width="0.5">${tip}</circle>`,
    );
  }
  // Write a few labels, spread evenly over the labelled points, first and last included.
  const labelled = points.filter((p) => p.label !== undefined);
  const max = Math.max(0, Math.floor(options.maxLabels ?? 8));
  const chosen = new Set<number>();
  if (max === 1 && labelled.length > 0) chosen.add(labelled.length - 1);
  else if (max > 1) {
    const k = Math.min(max, labelled.length);
    for (let i = 0; i < k; i++) chosen.add(Math.round((i * (labelled.length - 1)) / (k - 1 || 1)));
  }
  out.push(`<g fill="#333333" font-size="10">`);
  for (const i of [...chosen].sort((a, b) => a - b)) {
    const p = labelled[i];
    out.push(`<text x="${n(f.x(p.x) + 7)}" y="${n(f.y(p.y) - 6)}">${escapeXml(p.label!)}</text>`);
  }
  out.push(`</g>`);

  // Color scale: 20 stacked cells, early at the bottom, late at the top.
  const [early, late] = options.scale ?? ["early", "late"];
  const sx = f.left + f.plotW + 20;
  const cells = 20;
  const cellH = f.plotH / 2 / cells;
  const sTop = f.top + 16;
  for (let i = 0; i < cells; i++) {
    const t = 1 - (i + 0.5) / cells;
    out.push(
      `<rect x="${n(sx)}" y="${n(sTop + i * cellH)}" width="14" height="${n(cellH + 0.5)}" ` +
        `fill="${progressColor(t)}"/>`,
    );
  }
  out.push(
    `<text x="${n(sx + 20)}" y="${n(sTop + 8)}">${escapeXml(late)}</text>`,
    `<text x="${n(sx + 20)}" y="${n(sTop + cells * cellH)}">${escapeXml(early)}</text>`,
    `</svg>`,
    ``,
  );
  return out.join("\n");
}

/** One evaluation of the policy: its reward and its KL from the reference at a step. */
export interface RewardKlPoint {
  /** The step evaluated (0: the starting model). */
  step: number;
  /** Mean sequence-level KL(π‖π_ref) of the policy's samples. */
  kl: number;
  /** Mean task reward of the policy's samples. */
  reward: number;
}

/**
 * The reward-against-KL chart: one point per evaluation, colored from the first step to the
 * last, joined in step order and labelled `step N`.
 *
 * @example
 * ```ts
 * import { rewardKlChart } from "./metrics.ts";
 * const svg = rewardKlChart([
 *   { step: 0, kl: 0, reward: 0.31 },
 *   { step: 50, kl: 2.4, reward: 0.72 },
 *   { step: 100, kl: 4.1, reward: 0.88 },
 * ]);
 * await Deno.writeTextFile(`${await Deno.makeTempDir()}/reward_kl.svg`, svg);
 * ```
 */
export function rewardKlChart(
  points: readonly RewardKlPoint[],
  options: Partial<Omit<ScatterChartOptions, "points">> = {},
): string {
  const sorted = [...points].sort((a, b) => a.step - b.step);
  const first = sorted.length > 0 ? sorted[0].step : 0;
  const last = sorted.length > 0 ? sorted[sorted.length - 1].step : 0;
  const span = last - first;
  return scatterChart({
    title: "Task reward against KL from the reference",
    xLabel: "KL(π ‖ π_ref), nats per sequence",
    yLabel: "mean task reward",
    connect: true,
    xInclude: [0],
    scale: [`step ${first}`, `step ${last}`],
    ...options,
    points: sorted.map((p) => ({
      x: p.kl,
      y: p.reward,
      t: span > 0 ? (p.step - first) / span : 1,
      label: `step ${p.step}`,
    })),
  });
}

/** Points `[step, value]` of one metric, from the rows that have it (`null` becomes a gap). */
function metricPoints(rows: readonly MetricsRow[], name: string): [number, number][] {
  const out: [number, number][] = [];
  for (const row of rows) {
    const v = row[name];
    if (v === undefined || typeof v === "string" || typeof v === "boolean") continue;
    out.push([row.step, v === null ? NaN : v]);
  }
  return out;
}

/**
 * Exponential moving average with TensorBoard's bias correction, so the curve starts at the
 * data rather than at 0; gaps stay gaps and do not reset it.
 */
function smooth(points: [number, number][], weight: number): [number, number][] {
  let avg = 0;
  let norm = 0;
  return points.map(([x, y]) => {
    if (!Number.isFinite(y)) return [x, NaN];
    avg = weight * avg + (1 - weight) * y;
    norm = weight * norm + (1 - weight);
    return [x, avg / norm];
  });
}

/** Options of {@linkcode writeTrainingCharts}. */
export interface TrainingChartOptions {
  /**
   * Smoothing weight of an extra moving-average train curve, 0..1 (default 0.8); the raw curve is
   * drawn faint under it. 0: raw curve only. Applied only above 10 train points.
   */
  smoothing?: number;
  /** Chart size in pixels (defaults 640 × 400). */
  width?: number;
  /** Chart size in pixels. */
  height?: number;
}

/** The charts {@linkcode writeTrainingCharts} writes: file name, title, metric, y label. */
const TRAINING_CHARTS = [
  { file: "loss.svg", title: "DPO loss", metric: "loss", yLabel: "loss", include: [] },
  {
    file: "margins.svg",
    title: "Reward margin (chosen − rejected)",
    metric: "rewards/margins",
    yLabel: "β · margin of log-ratios",
    include: [0],
  },
  {
    file: "accuracy.svg",
    title: "Preference accuracy (chosen reward > rejected)",
    metric: "rewards/accuracies",
    yLabel: "accuracy",
    include: [0, 1],
  },
  {
    file: "kl.svg",
    title: "KTO's KL estimate z0 (mean KL-completion log-ratio, clamped at 0)",
    metric: "kl",
    yLabel: "z0 (nats)",
    include: [0],
  },
] as const;

/**
 * The training-curve charts of a run from its metrics rows: train series from the rows with the
 * plain name, eval series from the `eval_`-prefixed one, against the step. Each is written
 * atomically into `dir`: `loss.svg`, `margins.svg` and `accuracy.svg`, or for a KTO run (rows
 * with `kl`) `kl.svg` instead of the accuracy, which KTO has none of; each is written even
 * without data (it then says so). Returns the paths written.
 *
 * @example
 * ```ts
 * import { readMetrics, writeTrainingCharts } from "./metrics.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/metrics.jsonl`, '{"step":1,"loss":0.69}\n{"step":1,"eval_loss":0.7}\n');
 * const paths = await writeTrainingCharts(dir, await readMetrics(`${dir}/metrics.jsonl`));
 * // [".../loss.svg", ".../margins.svg", ".../accuracy.svg"]
 * ```
 */
export async function writeTrainingCharts(
  dir: string,
  rows: readonly MetricsRow[],
  options: TrainingChartOptions = {},
): Promise<string[]> {
  const paths: string[] = [];
  for (const svg of trainingCharts(rows, options)) {
    const path = `${dir}/${svg.file}`;
    await writeTextAtomic(path, svg.text);
    paths.push(path);
  }
  return paths;
}

/**
 * The SVG texts {@linkcode writeTrainingCharts} writes, without writing them.
 *
 * @example
 * ```ts
 * import { trainingCharts } from "./metrics.ts";
 * const [loss] = trainingCharts([{ step: 1, loss: 0.69 }, { step: 2, loss: 0.6 }]);
 * console.log(loss.file); // "loss.svg"
 * ```
 */
export function trainingCharts(
  rows: readonly MetricsRow[],
  options: TrainingChartOptions = {},
): { file: string; text: string }[] {
  const weight = options.smoothing ?? 0.8;
  const kto = rows.some((r) => "kl" in r || "eval_kl" in r);
  const charts = TRAINING_CHARTS.filter((c) => c.file !== (kto ? "accuracy.svg" : "kl.svg"));
  return charts.map((chart) => {
    const train = metricPoints(rows, chart.metric);
    const evaluation = metricPoints(rows, `eval_${chart.metric}`);
    const series: LineSeries[] = [];
    if (train.length > 0) {
      if (weight > 0 && train.length > 10) {
        series.push({ name: "train", points: train, color: PALETTE[0], opacity: 0.3 });
        series.push({
          name: `train (smoothed ${weight})`,
          points: smooth(train, weight),
          color: PALETTE[0],
        });
      } else {
        series.push({ name: "train", points: train, color: PALETTE[0] });
      }
    }
    if (evaluation.length > 0) {
      series.push({ name: "eval", points: evaluation, color: PALETTE[1], markers: true });
    }
    const text = lineChart({
      title: chart.title,
      xLabel: "step",
      yLabel: chart.yLabel,
      series,
      yInclude: chart.include,
      width: options.width,
      height: options.height,
    });
    return { file: chart.file, text };
  });
}
