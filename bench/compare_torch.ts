/**
 * Puts a GPU run of ours beside the PyTorch peer's and judges the NVIDIA targets of the
 * performance issue: fp32 GEMM at least 50 % of PyTorch's (TF32 off) at the same shapes, and the
 * gpt2-small DPO step at least half PyTorch eager's tokens per second with no more peak memory.
 *
 * ```sh
 * deno run -A bench/compare_torch.ts ours.jsonl torch.jsonl   # prints Markdown tables
 * ```
 *
 * `ours.jsonl` is `deno task bench --json`; `torch.jsonl` is `torch_baseline.py matmul` followed by
 * `torch_baseline.py dpo` (see `../shared/device/`). `bench/device.sh` runs all three in one go.
 *
 * @module
 */
import { markdownTable } from "./report.ts";

/** One JSON line of either file (only the fields compared are typed). */
export interface ResultLine {
  kind?: string;
  impl?: string;
  peer?: string;
  op?: string;
  config?: string;
  objective?: string;
  variant?: string;
  tf32?: boolean;
  bf16?: boolean;
  m?: number;
  k?: number;
  n?: number;
  ms?: number;
  gflops?: number;
  /** GFLOP/s by the GPU's timestamps (device time, as PyTorch's CUDA events measure). */
  gpu_gflops?: number;
  tflops?: number;
  tokens?: number;
  tokens_per_s?: number;
  /** Ours as the trainer runs: steps read back together every `sync_every` (its throughput). */
  loop_tokens_per_s?: number;
  /** Steps per readback in `loop_tokens_per_s`. */
  sync_every?: number;
  /** DPO: whether the batch's pairs shared their prompts (absent: they did). */
  shared_prompts?: boolean;
  peak_mb?: number;
  peak_mem_gib?: number;
  adapter?: string;
}

/** A compared quantity and whether it meets its target. */
export interface Verdict {
  /** What was compared. */
  item: string;
  /** Ours, in the unit of `unit`. */
  ours: number;
  /** PyTorch's, same unit. */
  torch: number;
  /** Unit of the two numbers. */
  unit: string;
  /** ours ÷ torch (for memory: torch ÷ ours, so more is better everywhere). */
  ratio: number;
  /** The ratio the target asks for. */
  needed: number;
  /** Whether `ratio ≥ needed`. */
  met: boolean;
}

/**
 * Pairs our lines with PyTorch's: every fp32 (TF32 off) GEMM PyTorch timed against our NN matmul
 * at the same M, K, N; our gpt2-small DPO step against PyTorch's fp32 DPO step (tokens/s and peak
 * memory). Missing counterparts are left out. A GEMM is judged by device time on both sides:
 * PyTorch's CUDA events and our GPU timestamps (`gpu_gflops`) when the line has them, so
 * Deno's ~12 ms per readback, which an event-timed CUDA call never pays, stays out; otherwise
 * our wall-clock GFLOP/s.
 *
 * @example
 * ```ts
 * import { compareWithTorch } from "./compare_torch.ts";
 * const v = compareWithTorch(
 *   [{ kind: "matmul", impl: "ours", variant: "NN", m: 2, k: 2, n: 2, gflops: 600 }],
 *   [{ peer: "torch", op: "matmul", tf32: false, m: 2, k: 2, n: 2, tflops: 1 }],
 * );
 * console.log(v[0].ratio, v[0].met); // 0.6 true
 * ```
 */
export function compareWithTorch(
  ours: readonly ResultLine[],
  torch: readonly ResultLine[],
): Verdict[] {
  const out: Verdict[] = [];
  for (const t of torch) {
    if (t.op !== "matmul" || t.tf32 !== false || t.tflops === undefined) continue;
    const o = ours.find((l) =>
      l.kind === "matmul" && l.impl === "ours" && l.variant === "NN" && l.m === t.m &&
      l.k === t.k && l.n === t.n && l.gflops !== undefined
    );
    if (!o) continue;
    const torchGf = t.tflops * 1000, gf = o.gpu_gflops ?? o.gflops!;
    out.push({
      item: `fp32 GEMM ${t.m}×${t.k}×${t.n}`,
      ours: gf,
      torch: torchGf,
      unit: o.gpu_gflops !== undefined ? "GFLOP/s (device time)" : "GFLOP/s",
      ratio: gf / torchGf,
      needed: 0.5,
      met: gf / torchGf >= 0.5,
    });
  }
  const step = torch.find((t) => t.op === "dpo_step" && !t.bf16 && !t.tf32);
  const dpoLine = (shared: boolean) =>
    ours.find((l) =>
      l.kind === "train_step" && l.impl === "ours" && l.config === "gpt2-small" &&
      l.objective === "dpo" && (l.shared_prompts ?? true) === shared
    );
  const mine = dpoLine(true), unshared = dpoLine(false);
  if (step && mine && step.tokens_per_s && mine.tokens_per_s) {
    const ratio = mine.tokens_per_s / step.tokens_per_s;
    out.push({
      item: "gpt2-small DPO step",
      ours: mine.tokens_per_s,
      torch: step.tokens_per_s,
      unit: "tokens/s",
      ratio,
      needed: 0.5,
      met: ratio >= 0.5,
    });
    if (unshared?.tokens_per_s) {
      // The peer's batch gives every row its own random prompt; real pairs share theirs, which
      // our step computes once (PyTorch, like TRL, computes every row either way).
      const r = unshared.tokens_per_s / step.tokens_per_s;
      out.push({
        item: "gpt2-small DPO step, prompts not shared (the peer's batch)",
        ours: unshared.tokens_per_s,
        torch: step.tokens_per_s,
        unit: "tokens/s",
        ratio: r,
        needed: 0.5,
        met: r >= 0.5,
      });
    }
    if (mine.loop_tokens_per_s) {
      // As `deno task train` runs: steps submitted back to back, read back every `sync_every`.
      const r = mine.loop_tokens_per_s / step.tokens_per_s;
      out.push({
        item: `gpt2-small DPO step, as the trainer runs (${mine.sync_every ?? "?"} per readback)`,
        ours: mine.loop_tokens_per_s,
        torch: step.tokens_per_s,
        unit: "tokens/s",
        ratio: r,
        needed: 0.5,
        met: r >= 0.5,
      });
    }
    if (step.peak_mem_gib !== undefined && mine.peak_mb !== undefined) {
      const torchMb = step.peak_mem_gib * 1024, r = torchMb / mine.peak_mb;
      out.push({
        item: "gpt2-small DPO peak memory",
        ours: mine.peak_mb,
        torch: torchMb,
        unit: "MiB (torch ÷ ours)",
        ratio: r,
        needed: 1,
        met: r >= 1,
      });
    }
  }
  return out;
}

/** The JSON objects of a JSON-lines text; other lines are skipped. */
function parse(text: string): ResultLine[] {
  return text.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l));
}

async function main(): Promise<void> {
  const [oursPath, torchPath] = Deno.args;
  if (!oursPath || !torchPath) {
    console.error("usage: deno run -A bench/compare_torch.ts ours.jsonl torch.jsonl");
    Deno.exit(2);
  }
  const ours = parse(await Deno.readTextFile(oursPath));
  const torch = parse(await Deno.readTextFile(torchPath));
  const adapter = ours.find((l) => l.kind === "adapter")?.adapter ?? "unknown adapter";
  const verdicts = compareWithTorch(ours, torch);
  console.log(markdownTable(
    `Ours beside PyTorch (${adapter})`,
    ["item", "unit", "ours", "PyTorch", "ratio", "needed", "target"],
    verdicts.map((v) => [
      v.item,
      v.unit,
      v.ours,
      v.torch,
      `${v.ratio.toFixed(2)}×`,
      `${v.needed}×`,
      v.met ? "met" : "not met",
    ]),
  ));
  if (verdicts.length === 0) console.log("(no shapes or steps in common: nothing compared)");
}

if (import.meta.main) await main();
