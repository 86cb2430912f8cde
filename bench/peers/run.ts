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

/**
 * A peer kept running between requests: one JSON line written to its stdin, one JSON line read
 * back. The bench uses it to interleave a peer's samples with ours, so both see the same load on
 * a shared machine. Failures (the process exits, a reply is late or not JSON) reject the request
 * with a one-line reason; the server is unusable afterwards and says so.
 *
 * @example
 * ```ts ignore
 * import { PeerServer } from "./run.ts";
 * const peer = await PeerServer.start(new URL("./tfjs_matmul.ts", import.meta.url), ["webgpu", "--serve"]);
 * console.log(await peer.request({ op: "prepare", shape: { variant: "NN", m: 64, k: 64, n: 64 }, targetMs: 50 }));
 * await peer.close();
 * ```
 */
export class PeerServer {
  /** The first line the peer printed (its `info`). */
  readonly info: Record<string, unknown>;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  #stderr: Promise<string>;
  #broken: string | null = null;
  #timeoutSeconds: number;

  private constructor(
    child: Deno.ChildProcess,
    lines: AsyncIterator<string>,
    info: Record<string, unknown>,
    stderr: Promise<string>,
    timeoutSeconds: number,
  ) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = lines;
    this.info = info;
    this.#stderr = stderr;
    this.#timeoutSeconds = timeoutSeconds;
  }

  /**
   * Starts `deno run -A <script> <args…>` and waits for its first JSON line. Rejects with the
   * peer's error line when it exits before printing one.
   */
  static async start(
    script: URL,
    args: readonly string[],
    options: RunPeerOptions = {},
  ): Promise<PeerServer> {
    const timeout = options.timeoutSeconds ?? 300;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", script.pathname, ...args],
      env: options.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const lines = jsonLines(child.stdout);
    const first = await withTimeout(lines.next(), timeout, "start");
    if (first.done) {
      throw new Error(lastErrorLine(await stderr));
    }
    return new PeerServer(child, lines, JSON.parse(first.value), stderr, timeout);
  }

  /** Sends one request and returns the peer's one-line JSON answer. */
  async request<T = Record<string, unknown>>(body: unknown): Promise<T> {
    if (this.#broken) throw new Error(this.#broken);
    try {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify(body) + "\n"));
      const next = await withTimeout(this.#lines.next(), this.#timeoutSeconds, "request");
      if (next.done) throw new Error(lastErrorLine(await this.#stderr));
      return JSON.parse(next.value) as T;
    } catch (e) {
      this.#broken = `peer stopped: ${(e as Error).message}`;
      this.#kill();
      throw new Error(this.#broken);
    }
  }

  /** Closes the peer's stdin (it exits) and waits for it. */
  async close(): Promise<void> {
    try {
      await this.#writer.close();
    } catch { /* already closed */ }
    const timer = setTimeout(() => this.#kill(), 10_000);
    await this.#child.status;
    clearTimeout(timer);
    await this.#stderr.catch(() => "");
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
}

/**
 * The JSON-object lines (starting with `{`) of a byte stream, trimmed, as they arrive; other
 * lines are skipped. Used on both ends of a served peer: its stdout here, its stdin there.
 *
 * @example
 * ```ts
 * import { jsonLines } from "./run.ts";
 * const stream = new Blob(['note\n{"a":1}\n']).stream();
 * for await (const line of jsonLines(stream)) console.log(line); // {"a":1}
 * ```
 */
export async function* jsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line.startsWith("{")) yield line;
    }
  }
}

function withTimeout<T>(p: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} timed out after ${seconds} s`)),
      seconds * 1000,
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
