/**
 * Runs a peer script in its own Deno process and collects the JSON lines it prints. A peer that
 * fails (a backend that will not start, a crash, a timeout) comes back as an error message, never
 * as an exception, so the bench goes on without it.
 *
 * @module
 */

/** What a peer run gave: its JSON lines, or why there are none. */
export interface PeerRun<T> {
  /** Parsed JSON lines of stdout, in order (empty on failure). */
  lines: T[];
  /** Set when the peer failed: a one-line reason. */
  error?: string;
  /** Wall-clock seconds the subprocess took, start-up included. */
  seconds: number;
}

/** Options of {@linkcode runPeer}. */
export interface RunPeerOptions {
  /** Kill the peer after this many seconds. Default 300. */
  timeoutSeconds?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/**
 * Runs `deno run -A <script> <args…>` and parses every stdout line that is a JSON object.
 *
 * @example
 * ```ts ignore
 * import { runPeer } from "./run.ts";
 * const run = await runPeer(new URL("./tfjs_train_step.ts", import.meta.url), ["wasm", "5", "2"]);
 * console.log(run.error ?? run.lines[0]);
 * ```
 */
export function runPeer<T = Record<string, unknown>>(
  script: URL,
  args: readonly string[],
  options: RunPeerOptions = {},
): Promise<PeerRun<T>> {
  return runJsonProcess<T>(Deno.execPath(), ["run", "-A", "--quiet", script.pathname, ...args], {
    ...options,
  });
}

/**
 * Runs any program and parses the JSON objects it prints, one per line (used for numpy too).
 *
 * @example
 * ```ts ignore
 * import { runJsonProcess } from "./run.ts";
 * const run = await runJsonProcess("python3", ["bench/numpy_gemm.py", "256", "3"]);
 * ```
 */
export async function runJsonProcess<T = Record<string, unknown>>(
  program: string,
  args: readonly string[],
  options: RunPeerOptions = {},
): Promise<PeerRun<T>> {
  const timeout = options.timeoutSeconds ?? 300;
  const t0 = performance.now();
  const command = new Deno.Command(program, {
    args: [...args],
    env: options.env,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  });
  let child: Deno.ChildProcess;
  try {
    child = command.spawn();
  } catch (e) {
    return { lines: [], error: `could not start ${program}: ${(e as Error).message}`, seconds: 0 };
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeout * 1000);
  const out = await child.output();
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  const lines = parseJsonLines<T>(new TextDecoder().decode(out.stdout));
  if (timedOut) return { lines, error: `timed out after ${timeout} s`, seconds };
  if (!out.success) {
    return { lines, error: lastErrorLine(new TextDecoder().decode(out.stderr)), seconds };
  }
  return { lines, seconds };
}

/**
 * The JSON objects among a process's output lines (other lines are ignored).
 *
 * @example
 * ```ts
 * import { parseJsonLines } from "./run.ts";
 * console.log(parseJsonLines('note\n{"a":1}\n')); // [{ a: 1 }]
 * ```
 */
export function parseJsonLines<T = Record<string, unknown>>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split("\n")) {
    const s = line.trim();
    if (!s.startsWith("{")) continue;
    try {
      out.push(JSON.parse(s) as T);
    } catch { /* not a result line */ }
  }
  return out;
}

function lastErrorLine(stderr: string): string {
  // Strip ANSI colours; prefer the line that names the error.
  // deno-lint-ignore no-control-regex
  const lines = stderr.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.trim())
    .filter((l) => l && !l.startsWith("at ") && !l.includes("XDG_RUNTIME_DIR"));
  const named = lines.find((l) => /error/i.test(l));
  return (named ?? lines.at(-1) ?? "exited with an error").slice(0, 300);
}
