/**
 * How the bench prints: Markdown tables for people (pasted as they are into `RESULTS.md`), or
 * with `--json` one JSON object per result line and nothing else on stdout.
 *
 * @module
 */

/** One result line of `--json` output: `kind` says which table it belongs to. */
export type ResultLine = { kind: string } & Record<string, unknown>;

/**
 * Collects result lines and prints them as JSON lines or as tables.
 *
 * @example
 * ```ts
 * import { Reporter } from "./report.ts";
 * const rep = new Reporter({ json: false, print: () => {} });
 * rep.line({ kind: "note", text: "hello" });
 * rep.table("Demo", ["a", "b"], [[1, 2.3456]]);
 * console.log(rep.lines.length); // 1
 * ```
 */
export class Reporter {
  /** Every line reported so far. */
  readonly lines: ResultLine[] = [];
  readonly #json: boolean;
  readonly #print: (text: string) => void;

  /** `json`: print lines as JSON (tables and notes are then silent). `print`: the sink. */
  constructor(options: { json: boolean; print?: (text: string) => void }) {
    this.#json = options.json;
    this.#print = options.print ?? ((t) => console.log(t));
  }

  /** Whether output is JSON lines. */
  get json(): boolean {
    return this.#json;
  }

  /** Records a result line (printed at once in JSON mode). */
  line(line: ResultLine): void {
    const clean = Object.fromEntries(
      Object.entries(line).filter(([, v]) => v !== undefined).map((
        [k, v],
      ) => [k, typeof v === "number" ? round(v) : v]),
    ) as ResultLine;
    this.lines.push(clean);
    if (this.#json) this.#print(JSON.stringify(clean));
  }

  /** Prints a Markdown table (not in JSON mode). Numbers get 3–4 significant digits. */
  table(title: string, headers: readonly string[], rows: readonly (readonly unknown[])[]): void {
    if (this.#json) return;
    this.#print(markdownTable(title, headers, rows));
  }

  /** Prints a line of text (not in JSON mode). */
  note(text: string): void {
    if (!this.#json) this.#print(text);
  }
}

/**
 * A titled Markdown table.
 *
 * @example
 * ```ts
 * import { markdownTable } from "./report.ts";
 * console.log(markdownTable("T", ["x"], [[1.23456]]));
 * // ### T
 * //
 * // | x |
 * // | --- |
 * // | 1.235 |
 * ```
 */
export function markdownTable(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const cell = (v: unknown) =>
    v === undefined || v === null ? "–" : typeof v === "number" ? formatNumber(v) : String(v);
  const lines = [
    `### ${title}`,
    "",
    `| ${headers.join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
  ];
  return lines.join("\n");
}

/**
 * A number with about 4 significant digits, without exponent for everyday magnitudes.
 *
 * @example
 * ```ts
 * import { formatNumber } from "./report.ts";
 * console.log(formatNumber(12345.678), formatNumber(0.012345), formatNumber(3)); // 12346 0.01235 3
 * ```
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 10) return x.toFixed(2);
  if (a >= 1) return x.toFixed(3);
  return x.toPrecision(4);
}

function round(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  return Number(x.toPrecision(5));
}
