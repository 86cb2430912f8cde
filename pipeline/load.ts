/**
 * The `load` stage: preference files → {@linkcode PreferencePair}s, with a report of every row
 * that was skipped, dropped or looks suspicious.
 *
 * Files: a JSON array of rows, JSON lines, or gzip of either (recognised by its magic bytes, not
 * its name), UTF-8 with or without a byte-order mark; or a LLaMA-Factory folder holding
 * `dataset_info.json`, from which one dataset is picked by name. Row formats are detected per file
 * (see `detectFormat` in `datasets/formats.ts`) unless `format` names one.
 *
 * The whole dataset is read into memory and returned as an array: preference datasets are small
 * next to the models that train on them, and training needs random access to shuffle.
 *
 * @module
 */
import type { Logger } from "./stage.ts";
import {
  type Columns,
  DataError,
  detectFormat,
  type Format,
  FORMATS,
  normalizeRow,
  type PairIssue,
  pairIssues,
  resolveColumns,
  type ShareGptTags,
} from "../datasets/formats.ts";
import type { PreferencePair, RowSource } from "../datasets/types.ts";

/** What to load: one path, several, and the dataset name for LLaMA-Factory folders. */
export interface LoadInput {
  /** A data file, or a LLaMA-Factory folder (or its `dataset_info.json`). */
  path?: string;
  /** Several of them, loaded in order and concatenated. */
  paths?: string[];
  /** The `dataset_info.json` entry to load; may list several, comma-separated, as LLaMA-Factory
   * allows. Optional when the file has exactly one entry. */
  dataset?: string;
}

/** How to read the rows. */
export interface LoadOptions {
  /** The row format; detected per file when omitted. */
  format?: Format;
  /** Column mapping, merged over a LLaMA-Factory entry's `columns`. */
  columns?: Columns;
  /** ShareGPT keys and role names, merged over a LLaMA-Factory entry's `tags`. */
  tags?: ShareGptTags;
  /** A row that does not fit its format: `"error"` (default) throws its {@linkcode DataError};
   * `"skip"` leaves it out and lists it in `report.invalid` and `report.reasons`. */
  onInvalid?: "error" | "skip";
  /**
   * A degenerate pair (chosen equal to rejected, or an empty response): `"keep"` (default) keeps
   * it, `"drop"` leaves it out; either way it is listed in `report.warnings`. `"invalid"` treats
   * it as an invalid row, which then follows `onInvalid`. An empty prompt is always kept and
   * listed.
   */
  onDegenerate?: "keep" | "drop" | "invalid";
}

/** What a stage may use from its surroundings. */
export interface LoadContext {
  /** Progress lines (which file, which format, how many rows) go to its `info`. */
  logger?: Pick<Logger, "info">;
  /** Cancels loading between files and every few thousand rows. */
  signal?: AbortSignal;
}

/** A row left out because it did not fit its format. */
export interface InvalidRow {
  /** The file. */
  file: string;
  /** 1-based row (JSON array element or JSONL line). */
  row?: number;
  /** The field, when one is to blame. */
  field?: string;
  /** What was expected, without the location. */
  reason: string;
  /** The full message, location included. */
  message: string;
}

/** A row worth a look: degenerate or empty parts, or an ignored column. */
export interface LoadWarning {
  /** What kind: see {@linkcode PairIssue}; `ignored-column`: data the loader does not use. */
  kind: PairIssue["kind"] | "ignored-column";
  /** The file. */
  file: string;
  /** 1-based row; absent for whole-file warnings. */
  row?: number;
  /** The field (column name in the file). */
  field?: string;
  /** The message, location included. */
  message: string;
  /** Whether the row was kept or left out. */
  action: "kept" | "dropped";
}

/** Skipped rows sharing one reason. */
export interface ReasonCount {
  /** The field and reason, without row-specific details in parentheses. */
  reason: string;
  /** How many rows. */
  count: number;
  /** The first few of them. */
  examples: RowSource[];
}

/** Per-file counts. */
export interface FileReport {
  /** The file. */
  file: string;
  /** Its format, or `null` when no row of it could be read. */
  format: Format | null;
  /** Rows read (blank JSONL lines are not rows). */
  rows: number;
  /** Pairs it gave. */
  pairs: number;
}

/** Everything {@linkcode load} noticed. */
export interface LoadReport {
  /** Rows read over all files, usable or not. */
  rows: number;
  /** Pairs returned. */
  pairs: number;
  /** Invalid rows left out (`onInvalid: "skip"`). */
  skipped: number;
  /** Degenerate rows left out (`onDegenerate: "drop"`). */
  dropped: number;
  /** Each skipped row and why. */
  invalid: InvalidRow[];
  /** Skipped rows grouped by reason, most frequent first. */
  reasons: ReasonCount[];
  /** Rows kept or dropped that deserve a look. */
  warnings: LoadWarning[];
  /** Per-file counts, in load order. */
  files: FileReport[];
}

/** What {@linkcode load} returns. */
export interface LoadResult {
  /** The pairs, in file and row order. */
  pairs: PreferencePair[];
  /** The format of the first file (each file's is in `report.files`). */
  format: Format;
  /** Counts, skipped rows, warnings. */
  report: LoadReport;
}

/**
 * Loads preference pairs from files or a LLaMA-Factory folder.
 *
 * File-level problems (missing file, empty file, broken JSON array, invalid UTF-8 in a JSON array,
 * an unusable `dataset_info.json`) always throw. Row-level problems follow `onInvalid`. A load that
 * ends with no pairs at all throws, with the reasons.
 *
 * This is a plain stage function `(input, options, ctx)`; it prints nothing itself.
 *
 * @throws {DataError} naming the file, the 1-based row and the field.
 *
 * @example Load a JSON lines file, skipping bad rows
 * ```ts
 * import { load } from "./load.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/d.jsonl`, [
 *   JSON.stringify({ prompt: "2+2=", chosen: "4", rejected: "5" }),
 *   JSON.stringify({ prompt: "3+3=", chosen: 6, rejected: "7" }),
 * ].join("\n"));
 * const { pairs, format, report } = await load({ path: `${dir}/d.jsonl` }, { onInvalid: "skip" });
 * console.log(format, pairs.length, report.skipped); // trl-standard 1 1
 * console.log(report.invalid[0].message); // …/d.jsonl row 2, field "chosen": expected a string, got number
 * ```
 *
 * @example A LLaMA-Factory folder
 * ```ts ignore
 * import { load } from "./load.ts";
 * const { pairs } = await load({ path: "data/", dataset: "dpo_en_demo" });
 * ```
 */
export async function load(
  input: LoadInput | string,
  options: LoadOptions = {},
  ctx: LoadContext = {},
): Promise<LoadResult> {
  const log = (message: string) => ctx.logger?.info(message);
  const onInvalid = options.onInvalid ?? "error";
  const onDegenerate = options.onDegenerate ?? "keep";
  checkChoice("onInvalid", onInvalid, ["error", "skip"]);
  checkChoice("onDegenerate", onDegenerate, ["keep", "drop", "invalid"]);
  if (options.format !== undefined) checkChoice("format", options.format, FORMATS);

  const sources = await resolveSources(input);
  const pairs: PreferencePair[] = [];
  const report: LoadReport = {
    rows: 0,
    pairs: 0,
    skipped: 0,
    dropped: 0,
    invalid: [],
    reasons: [],
    warnings: [],
    files: [],
  };
  const reject = (error: DataError) => {
    if (onInvalid === "error") throw error;
    report.skipped++;
    const { file, row, field, reason, message } = error;
    report.invalid.push({ file, row, field, reason, message });
  };

  for (const src of sources) {
    ctx.signal?.throwIfAborted();
    const records = await readRecords(src.file);
    const columns = { ...src.columns, ...options.columns };
    const tags = src.tags || options.tags ? { ...src.tags, ...options.tags } : undefined;
    const values = records.filter((r) => r.error === undefined).map((r) => r.value);
    const detected = (options.format ?? src.format) == null;
    const format = options.format ?? src.format ??
      (values.length > 0 ? detectFormat(values, { columns, file: src.file }) : null);
    const cols = resolveColumns(columns);
    log(`${src.file}: ${records.length} rows, format ${format ?? "unknown"}`);
    for (const note of src.notes) {
      report.warnings.push({
        kind: "ignored-column",
        file: src.file,
        message: note,
        action: "kept",
      });
    }
    for (const column of src.unmapped) {
      if (values.some((v) => isRecord(v) && column in v)) {
        report.warnings.push({
          kind: "ignored-column",
          file: src.file,
          field: column,
          message: `${src.file}: column "${column}" is not mapped in dataset_info.json, so it is ` +
            `ignored (as LLaMA-Factory does); map it under "columns" to use it`,
          action: "kept",
        });
      }
    }

    const fileReport: FileReport = { file: src.file, format, rows: records.length, pairs: 0 };
    for (let i = 0; i < records.length; i++) {
      if (i % 4096 === 4095) ctx.signal?.throwIfAborted();
      const rec = records[i];
      if (rec.error) {
        reject(rec.error);
        continue;
      }
      const source = { file: src.file, row: rec.row };
      let pair: PreferencePair;
      try {
        pair = normalizeRow(rec.value, source, { format: format!, columns, tags });
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        // A detected format may be the wrong guess: say which one the row was read as.
        reject(
          detected
            ? new DataError({
              file: e.file,
              row: e.row,
              field: e.field,
              reason: `${e.reason} (rows read as ${format}, detected from the columns; if that ` +
                "is wrong, name the format: data.format / --format)",
            }, { cause: e })
            : e,
        );
        continue;
      }
      let keep = true;
      for (const issue of pairIssues(pair)) {
        const field = columnOf(issue.field, format!, cols);
        const degenerate = issue.kind !== "empty-prompt";
        if (degenerate && onDegenerate === "invalid") {
          reject(new DataError({ ...source, field, reason: issue.reason }));
          keep = false;
          break;
        }
        const action = degenerate && onDegenerate === "drop" ? "dropped" : "kept";
        if (action === "dropped") keep = false;
        const message = new DataError({ ...source, field, reason: issue.reason }).message;
        report.warnings.push({ kind: issue.kind, ...source, field, message, action });
      }
      if (keep) {
        pairs.push(pair);
        fileReport.pairs++;
      } else if (onDegenerate === "drop") {
        report.dropped++;
      }
    }
    report.rows += records.length;
    report.files.push(fileReport);
  }
  report.pairs = pairs.length;
  report.reasons = groupReasons(report.invalid);
  log(
    `loaded ${pairs.length} pairs from ${report.rows} rows` +
      (report.skipped ? `, skipped ${report.skipped}` : "") +
      (report.dropped ? `, dropped ${report.dropped}` : "") +
      (report.warnings.length ? `, ${report.warnings.length} warnings` : ""),
  );
  if (pairs.length === 0) {
    const why = report.reasons.slice(0, 3).map((r) => `${r.count}× ${r.reason}`).join("; ");
    throw new DataError({
      file: sources.map((s) => s.file).join(", "),
      reason: `no usable pairs in ${report.rows} rows` + (why ? ` (${why})` : ""),
    });
  }
  const format = report.files.find((f) => f.format !== null)!.format!;
  return { pairs, format, report };
}

/** One row as read from a file, before normalisation. */
export interface RawRecord {
  /** 1-based row: array element or JSONL line. */
  row: number;
  /** The parsed JSON value (absent when `error` is set). */
  value?: unknown;
  /** A row that could not be read (a bad JSONL line or invalid UTF-8 in it). */
  error?: DataError;
}

/**
 * Reads the rows of one data file (JSON array, JSON lines, gzip of either).
 *
 * @throws {DataError} for problems with the whole file; bad JSONL lines come back as records with
 * an `error`.
 *
 * @example
 * ```ts
 * import { readRecords } from "./load.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, '{"a": 1}\n\n{"a": 2}\n');
 * console.log((await readRecords(file)).map((r) => r.row)); // [1, 3]
 * ```
 */
export async function readRecords(path: string): Promise<RawRecord[]> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataError({ file: path, reason: "no such file" }, { cause: e });
    }
    if (e instanceof Deno.errors.IsADirectory) {
      throw new DataError({
        file: path,
        reason: "is a folder without dataset_info.json: expected a data file or a LLaMA-Factory " +
          "folder",
      });
    }
    throw e;
  }
  return await parseRecords(bytes, path);
}

/**
 * Parses the bytes of a data file; `file` names it in errors. Gzip is recognised by its magic
 * bytes. A text starting with `[` is one JSON array (row = element); a text that is one JSON
 * object is one row; anything else is JSON lines (row = line; blank lines are not rows).
 *
 * @throws {DataError} for an empty file, a broken JSON array (with the row, line and column),
 * invalid UTF-8 in a JSON array, a corrupt gzip stream, or a Parquet file.
 *
 * @example
 * ```ts
 * import { parseRecords } from "./load.ts";
 * const rows = await parseRecords(new TextEncoder().encode('[{"a": 1}, {"a": 2}]'), "x.json");
 * console.log(rows); // [{ row: 1, value: { a: 1 } }, { row: 2, value: { a: 2 } }]
 * ```
 */
export async function parseRecords(bytes: Uint8Array, file: string): Promise<RawRecord[]> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzip(bytes, file);
  if (bytes.length >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === "PAR1") {
    throw new DataError({
      file,
      reason: "is a Parquet file: expected JSON or JSON lines (convert it first, e.g. with " +
        "`datasets`' to_json)",
    });
  }
  let text: string | null = null;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Located below, line by line.
  }
  const start = text === null ? firstNonSpaceByte(bytes) : firstNonSpace(text);
  if (start === null) {
    throw new DataError({ file, reason: "is empty: expected a JSON array of rows or JSON lines" });
  }
  if (text === null) {
    if (bytes[start] === 0x5b) throw utf8Error(bytes, file);
    return jsonLines(bytes, null, file);
  }
  if (text[start] === "[") return jsonArray(text, file);
  if (text[start] === "{") {
    try {
      const value = JSON.parse(text);
      if (isRecord(value)) return [{ row: lineOf(text, start), value }];
    } catch {
      // More than one line: JSON lines.
    }
  }
  return jsonLines(bytes, text, file);
}

// ——— sources: plain files and LLaMA-Factory folders ———

interface Source {
  file: string;
  format?: Format;
  columns?: Columns;
  tags?: ShareGptTags;
  /** Columns LLaMA-Factory would ignore because they are not mapped. */
  unmapped: string[];
  /** Whole-file notes. */
  notes: string[];
}

async function resolveSources(input: LoadInput | string): Promise<Source[]> {
  const spec = typeof input === "string" ? { path: input } : input;
  const paths = [...(spec.path !== undefined ? [spec.path] : []), ...(spec.paths ?? [])];
  if (paths.length === 0) throw new TypeError("Nothing to load: give `path` or `paths`");
  const out: Source[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (info?.isDirectory || path.endsWith("dataset_info.json")) {
      const dir = info?.isDirectory ? path : dirname(path);
      if (await stat(join(dir, "dataset_info.json"))) {
        out.push(...await llamaFactorySources(dir, spec.dataset));
        continue;
      }
    }
    out.push({ file: path, unmapped: [], notes: [] });
  }
  return out;
}

/** Keys of a LLaMA-Factory `columns` object → our {@linkcode Columns} names, per formatting. */
const LF_COLUMNS: Record<"alpaca" | "sharegpt", Record<string, keyof Columns>> = {
  alpaca: {
    prompt: "instruction",
    query: "input",
    system: "system",
    history: "history",
    chosen: "chosen",
    rejected: "rejected",
    kto_tag: "ktoTag",
  },
  sharegpt: {
    messages: "conversations",
    system: "system",
    chosen: "chosen",
    rejected: "rejected",
    kto_tag: "ktoTag",
  },
};

/** `dataset_info.json` tags → {@linkcode ShareGptTags}. */
const LF_TAGS: Record<string, keyof ShareGptTags> = {
  role_tag: "roleTag",
  content_tag: "contentTag",
  user_tag: "userTag",
  assistant_tag: "assistantTag",
  system_tag: "systemTag",
  observation_tag: "observationTag",
  function_tag: "functionTag",
};

/**
 * What one `dataset_info.json` entry says: files, format, column mapping, tags.
 */
export interface LlamaFactoryDataset {
  /** The entry's name. */
  name: string;
  /** Its data files (a `file_name` folder is expanded to the JSON files in it, sorted). */
  files: string[];
  /** `alpaca` or `sharegpt`, from `formatting`. */
  format: Format;
  /** The mapping from `columns`; `system` and `history` are `null` unless mapped, as in
   * LLaMA-Factory. */
  columns: Columns;
  /** From `tags`, when given. */
  tags?: ShareGptTags;
  /** Settings that are read but not applied (e.g. `num_samples`, `tools`). */
  notes: string[];
}

/**
 * Reads one entry of a LLaMA-Factory `dataset_info.json`. `name` may be omitted when there is
 * exactly one entry.
 *
 * @throws {DataError} naming `dataset_info.json` and the entry: unknown name, hub-only entries,
 * `ranking` not true (without a `kto_tag` column), unknown `formatting`, missing files. A
 * `kto_tag` column makes the rows KTO examples (`Columns.ktoTag`).
 *
 * @example
 * ```ts
 * import { readDatasetInfo } from "./load.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/dataset_info.json`, JSON.stringify({
 *   mine: { file_name: "mine.json", ranking: true, formatting: "sharegpt", columns: { messages: "conversations" } },
 * }));
 * await Deno.writeTextFile(`${dir}/mine.json`, "[]");
 * const ds = await readDatasetInfo(dir, "mine");
 * console.log(ds.format, ds.columns.conversations); // sharegpt conversations
 * ```
 */
export async function readDatasetInfo(dir: string, name?: string): Promise<LlamaFactoryDataset> {
  const infoFile = join(dir, "dataset_info.json");
  const fail: (reason: string, field?: string) => never = (reason, field) => {
    throw new DataError({ file: infoFile, field, reason });
  };
  let info: unknown;
  try {
    info = JSON.parse(await Deno.readTextFile(infoFile));
  } catch (e) {
    fail(`is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(info)) return fail("expected an object of dataset entries");
  const names = Object.keys(info);
  if (name === undefined) {
    if (names.length !== 1) {
      fail(`holds ${names.length} datasets (${names.join(", ")}): name one with \`dataset\``);
    }
    name = names[0];
  }
  const entry = info[name];
  if (!isRecord(entry)) {
    return fail(`has no dataset "${name}"; it has ${names.map((n) => `"${n}"`).join(", ")}`);
  }
  const notes: string[] = [];
  const fileName = entry.file_name;
  if (typeof fileName !== "string") {
    const hub = ["hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name"]
      .find((k) => k in entry);
    fail(
      hub
        ? `comes from "${hub}", which is not read here: download it and set "file_name"`
        : `expected a string, got ${entry.file_name === undefined ? "nothing" : typeof fileName}`,
      `${name}.file_name`,
    );
  }
  // A kto_tag column makes the entry KTO's unpaired data (ranking false, as in LLaMA-Factory).
  const kto = isRecord(entry.columns) && typeof entry.columns.kto_tag === "string";
  if (kto && entry.ranking === true) {
    fail(
      `expected false or absent with a kto_tag column: a kto_tag row holds one response`,
      `${name}.ranking`,
    );
  }
  if (!kto && entry.ranking !== true) {
    fail(
      `expected true: DPO needs a preference dataset with "chosen" and "rejected" (or, for ` +
        `KTO, a kto_tag column)`,
      `${name}.ranking`,
    );
  }
  const formatting = entry.formatting ?? "alpaca";
  if (formatting !== "alpaca" && formatting !== "sharegpt") {
    fail(
      `expected "alpaca" or "sharegpt", got ${JSON.stringify(formatting)}`,
      `${name}.formatting`,
    );
  }
  // LLaMA-Factory reads system and history only when mapped.
  const columns: Columns = formatting === "alpaca"
    ? { system: null, history: null, ...(kto ? { chosen: "output" } : {}) }
    : { system: null };
  if (entry.columns !== undefined) {
    if (!isRecord(entry.columns)) fail("expected an object", `${name}.columns`);
    for (const [key, column] of Object.entries(entry.columns)) {
      const ours = kto && key === "response" && formatting === "alpaca"
        ? "chosen"
        : LF_COLUMNS[formatting][key];
      if (key === "tools") {
        // Dropping the tool definitions would train on conversations the model never sees with
        // them (LLaMA-Factory writes them into the system prompt through its template).
        fail(
          "tool definitions are not supported: this trainer does not write them into the " +
            "prompt as LLaMA-Factory's templates do; remove the mapping to train without them",
          `${name}.columns.tools`,
        );
      }
      if (ours === undefined) {
        notes.push(
          `${infoFile}: ${name}.columns.${key} is not used for ${formatting} preference data`,
        );
        continue;
      }
      if (typeof column !== "string") fail("expected a string", `${name}.columns.${key}`);
      (columns as Record<string, string>)[ours] = column;
    }
  }
  let tags: ShareGptTags | undefined;
  if (entry.tags !== undefined) {
    if (!isRecord(entry.tags)) fail("expected an object", `${name}.tags`);
    tags = {};
    for (const [key, tag] of Object.entries(entry.tags)) {
      const ours = LF_TAGS[key];
      if (ours === undefined) {
        fail(
          `unknown tag, expected one of ${Object.keys(LF_TAGS).join(", ")}`,
          `${name}.tags.${key}`,
        );
      }
      if (typeof tag !== "string") fail("expected a string", `${name}.tags.${key}`);
      tags[ours] = tag;
    }
  }
  for (const key of ["num_samples", "split", "subset", "folder"]) {
    if (key in entry) notes.push(`${infoFile}: ${name}.${key} is not applied`);
  }
  const target = join(dir, fileName);
  const st = await stat(target);
  if (!st) return fail(`names "${fileName}", which does not exist`, `${name}.file_name`);
  let files = [target];
  if (st.isDirectory) {
    files = [];
    for await (const e of Deno.readDir(target)) {
      if (e.isFile && /\.(json|jsonl)(\.gz)?$/i.test(e.name)) files.push(join(target, e.name));
    }
    files.sort();
    if (files.length === 0) fail(`names the folder "${fileName}", which has no JSON files`);
  }
  return { name, files, format: formatting, columns, tags, notes };
}

async function llamaFactorySources(dir: string, dataset?: string): Promise<Source[]> {
  const names = dataset?.split(",").map((s) => s.trim()).filter((s) => s) ?? [undefined];
  const out: Source[] = [];
  for (const name of names) {
    const ds = await readDatasetInfo(dir, name);
    const unmapped = (["system", "history"] as const).filter((k) =>
      k in ds.columns && ds.columns[k] === null && (k === "system" || ds.format === "alpaca")
    );
    for (const file of ds.files) {
      out.push({
        file,
        format: ds.format,
        columns: ds.columns,
        tags: ds.tags,
        unmapped,
        notes: ds.notes,
      });
    }
  }
  return out;
}

// ——— JSON and JSON lines ———

function jsonLines(bytes: Uint8Array, text: string | null, file: string): RawRecord[] {
  const out: RawRecord[] = [];
  const add = (line: string, row: number) => {
    if (line.trim() === "") return;
    try {
      out.push({ row, value: JSON.parse(line) });
    } catch (e) {
      out.push({
        row,
        error: new DataError({
          file,
          row,
          reason: `line ${row} is not valid JSON (${short((e as Error).message)}); expected one ` +
            `JSON object per line`,
        }),
      });
    }
  };
  if (text !== null) {
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) add(lines[i], i + 1);
    return out;
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let begin = 0;
  for (let row = 1; begin <= bytes.length; row++) {
    let end = bytes.indexOf(0x0a, begin);
    if (end < 0) end = bytes.length;
    const chunk = bytes.subarray(begin, end);
    try {
      add(decoder.decode(chunk), row);
    } catch {
      const bad = firstInvalidUtf8(chunk);
      out.push({
        row,
        error: new DataError({
          file,
          row,
          reason: `line ${row} is not valid UTF-8 (byte ${bad + 1} of the line is ` +
            `0x${chunk[bad].toString(16).padStart(2, "0")})`,
        }),
      });
    }
    begin = end + 1;
  }
  return out;
}

function jsonArray(text: string, file: string): RawRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw locateJsonError(text, file, e as Error);
  }
  if (!Array.isArray(value)) {
    throw new DataError({ file, reason: "expected a JSON array of rows" });
  }
  return value.map((v, i) => ({ row: i + 1, value: v }));
}

/**
 * Finds which array element a JSON syntax error is in: splits the top-level array by a
 * string-aware bracket scan and parses the elements one by one.
 */
function locateJsonError(text: string, file: string, error: Error): DataError {
  const at = (pos: number, row: number | undefined, reason: string) => {
    const { line, column } = lineColumn(text, pos);
    return new DataError({ file, row, line, column, reason }, { cause: error });
  };
  const elements = scanArray(text);
  for (let i = 0; i < elements.spans.length; i++) {
    const [begin, end] = elements.spans[i];
    try {
      JSON.parse(text.slice(begin, end));
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const pos = begin + (m ? Number(m[1]) : 0);
      return at(pos, i + 1, `invalid JSON (${short((e as Error).message)})`);
    }
  }
  if (elements.trailingComma) {
    return at(
      elements.stop,
      elements.spans.length,
      "invalid JSON: a comma after the last row, before the closing ] (JSON allows none)",
    );
  }
  const row = elements.spans.length + (elements.open || elements.stop < text.length ? 1 : 0);
  return at(
    elements.stop,
    row || undefined,
    elements.stop >= text.length
      ? "invalid JSON: the file ends inside the array (is it cut short?)"
      : `invalid JSON (${short(error.message)})`,
  );
}

/**
 * Top-level element spans of a JSON array text, and where scanning stopped (at a trailing comma:
 * the comma, with `trailingComma`).
 */
function scanArray(
  text: string,
): { spans: [number, number][]; stop: number; open: boolean; trailingComma?: boolean } {
  const spans: [number, number][] = [];
  let i = text.indexOf("[") + 1;
  let depth = 0;
  let begin = -1;
  let comma = -1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      if (begin < 0) begin = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      continue;
    }
    if (c === "[" || c === "{") depth++;
    else if ((c === "]" || c === "}") && depth > 0) depth--;
    else if (depth === 0 && (c === "," || c === "]")) {
      if (begin >= 0) spans.push([begin, i]);
      else if (c === ",") return { spans, stop: i, open: false };
      else if (comma >= 0) return { spans, stop: comma, open: false, trailingComma: true };
      comma = c === "," ? i : -1;
      begin = -1;
      if (c === "]") return { spans, stop: i + 1, open: false };
      continue;
    }
    if (begin < 0 && !/\s/.test(c)) begin = i;
  }
  return { spans, stop: text.length, open: begin >= 0 };
}

function utf8Error(bytes: Uint8Array, file: string): DataError {
  const bad = firstInvalidUtf8(bytes);
  const before = new TextDecoder().decode(bytes.subarray(0, bad));
  const { line, column } = lineColumn(before, before.length);
  const row = scanArray(before).spans.length + 1;
  return new DataError({
    file,
    row,
    line,
    column,
    reason: `not valid UTF-8 (byte 0x${bytes[bad].toString(16).padStart(2, "0")} at offset ${bad})`,
  });
}

/** Offset of the first byte that breaks UTF-8, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    const n = c < 0x80
      ? 0
      : c >= 0xc2 && c <= 0xdf
      ? 1
      : c >= 0xe0 && c <= 0xef
      ? 2
      : c >= 0xf0 && c <= 0xf4
      ? 3
      : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      let lo = 0x80, hi = 0xbf;
      if (k === 1 && c === 0xe0) lo = 0xa0;
      if (k === 1 && c === 0xed) hi = 0x9f;
      if (k === 1 && c === 0xf0) lo = 0x90;
      if (k === 1 && c === 0xf4) hi = 0x8f;
      if (x === undefined || x < lo || x > hi) return i;
    }
    i += n + 1;
  }
  return -1;
}

async function gunzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
      .pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataError(
      { file, reason: `is not a valid gzip file (${short((e as Error).message)})` },
      { cause: e },
    );
  }
}

// ——— small helpers ———

function groupReasons(invalid: InvalidRow[]): ReasonCount[] {
  const groups = new Map<string, ReasonCount>();
  for (const row of invalid) {
    let text = row.reason.replace(/\bline \d+ /, "a line ");
    while (/\([^()]*\)/.test(text)) text = text.replace(/ ?\([^()]*\)/g, "");
    const field = row.field?.replace(/\[\d+\]/g, "[]");
    const key = field ? `field "${field}": ${text}` : text;
    const g = groups.get(key) ?? { reason: key, count: 0, examples: [] };
    g.count++;
    if (g.examples.length < 5) g.examples.push({ file: row.file, row: row.row ?? 0 });
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** The file's column for a logical field of a pair, for messages. */
function columnOf(
  field: PairIssue["field"],
  format: Format,
  cols: ReturnType<typeof resolveColumns>,
): string {
  if (format === "tokenized") {
    return field === "prompt"
      ? cols.promptIds
      : field === "chosen"
      ? cols.chosenIds
      : cols.rejectedIds;
  }
  if (field !== "prompt") return cols[field];
  if (format === "alpaca") return cols.instruction;
  if (format === "sharegpt") return cols.conversations;
  if (format === "trl-standard" || format === "trl-conversational") return cols.prompt;
  return cols.chosen;
}

function checkChoice(name: string, value: string, choices: readonly string[]) {
  if (!choices.includes(value)) {
    throw new RangeError(
      `Unknown ${name} "${value}": expected one of ${choices.map((c) => `"${c}"`).join(", ")}`,
    );
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function short(message: string): string {
  return message.length > 200 ? `${message.slice(0, 197)}…` : message;
}

function firstNonSpace(text: string): number | null {
  const m = /[^\s\uFEFF]/.exec(text);
  return m ? m.index : null;
}

function firstNonSpaceByte(b: Uint8Array): number | null {
  let i = 0;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
  for (; i < b.length; i++) if (![0x20, 0x09, 0x0a, 0x0d].includes(b[i])) return i;
  return null;
}

function lineOf(text: string, pos: number): number {
  return lineColumn(text, pos).line;
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1, last = -1;
  for (let i = text.indexOf("\n"); i >= 0 && i < pos; i = text.indexOf("\n", i + 1)) {
    line++;
    last = i;
  }
  return { line, column: pos - last };
}

async function stat(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    throw e;
  }
}

function join(dir: string, name: string): string {
  if (name.startsWith("/")) return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}
