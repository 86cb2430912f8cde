import assert from "node:assert/strict";
import { benchPlan } from "../bench/bench.ts";
import {
  classifierChunkRows,
  GPT2_SMALL,
  squareShapes,
  stepMatmulShapes,
  TINY,
} from "../bench/configs.ts";
import { benchLoadTokenize, writeSyntheticTrl } from "../bench/data.ts";
import { benchAdamW, benchAttention, benchLogSoftmax, benchMatmul } from "../bench/kernels.ts";
import { copyCeiling, fmaCeiling, syncLatency } from "../bench/limits.ts";
import {
  adamwBytes,
  attentionBytes,
  attentionFlops,
  batchFor,
  gigaPerSecond,
  matmulBytes,
  matmulFlops,
  median,
  pairedSpeedup,
  summarize,
} from "../bench/measure.ts";
import { parseJsonLines, PeerServer, runJsonProcess } from "../bench/peers/run.ts";
import { compareWithTorch } from "../bench/compare_torch.ts";
import { formatNumber, markdownTable, Reporter } from "../bench/report.ts";
import { benchTrainStep, syntheticBatch } from "../bench/train_step.ts";
import { gpuTest } from "../testing/gpu_harness.ts";

const positive = (x: number | undefined, what: string) =>
  assert.ok(x !== undefined && Number.isFinite(x) && x > 0, `${what} = ${x}`);

Deno.test("bench median and summary", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), RangeError);
  assert.deepEqual(summarize([5, 1, 9]), { median: 5, min: 1, max: 9, n: 3 });
});

Deno.test("bench paired speedup is the median of the rounds' ratios", () => {
  // Round 2 was slow for both sides; the peer's slow round 3 alone does not move the median.
  assert.equal(pairedSpeedup([1, 4, 1], [3, 12, 300]), 3);
  assert.equal(pairedSpeedup([2, 2], [1, 3]), 1); // ratios 0.5 and 1.5: the middle of two
  assert.throws(() => pairedSpeedup([1], [1, 2]), RangeError);
  assert.throws(() => pairedSpeedup([], []), RangeError);
});

Deno.test("bench FLOP and byte counts", () => {
  assert.equal(matmulFlops(2, 3, 4), 48);
  assert.equal(matmulBytes(2, 3, 4), 4 * (6 + 12 + 8));
  const s = { batch: 2, seqLen: 3, heads: 2, kvHeads: 1, headSize: 4 };
  // 2·2·(3·4/2) = 24 kept pairs.
  assert.equal(attentionFlops(s, "forward"), 4 * 4 * 24);
  assert.equal(attentionFlops(s, "backward"), 10 * 4 * 24);
  assert.ok(attentionBytes(s, "backward") > attentionBytes(s, "forward"));
  assert.equal(adamwBytes(10), 280);
  assert.equal(gigaPerSecond(1e9, 1000), 1);
});

Deno.test("bench batch rule amortises the fixed cost of a sync", () => {
  assert.equal(batchFor(40, 12, 15, 64), 40); // 1 ms per launch
  assert.equal(batchFor(40, 12, 12, 64), 64); // no measurable cost: capped
  assert.equal(batchFor(40, 100, 400, 64), 1);
});

Deno.test("bench shapes of a training step", () => {
  const tiny = stepMatmulShapes(TINY, 2 ** 27);
  assert.equal(tiny.length, 12);
  for (const v of ["NN", "NT", "TN"]) assert.equal(tiny.filter((s) => s.variant === v).length, 4);
  assert.deepEqual(tiny.find((s) => s.role === "head fwd"), {
    variant: "NT",
    m: 256,
    k: 128,
    n: 256,
    role: "head fwd",
  });
  assert.equal(classifierChunkRows(50257, 4096, 2 ** 27), 128);
  assert.equal(classifierChunkRows(256, 256, 2 ** 27), 256);
  const big = stepMatmulShapes(GPT2_SMALL, 2 ** 27);
  // The head's products with the logits' rows padded to 50260, as the model stores them.
  const head = (role: string) => big.find((s) => s.role === role);
  assert.deepEqual(head("head fwd"), {
    variant: "NT",
    m: 128,
    k: 768,
    n: 50257,
    role: "head fwd",
    ldc: 50260,
  });
  assert.equal(head("head dx")?.lda, 50260);
  assert.equal(head("head dW")?.lda, 50260);
  assert.equal(squareShapes().length, 9);
  assert.ok(benchPlan(true).reps < benchPlan(false).reps);
});

Deno.test("bench report formatting", () => {
  const printed: string[] = [];
  const rep = new Reporter({ json: true, print: (t) => printed.push(t) });
  rep.line({ kind: "x", ms: 1.234567891, skip: undefined });
  rep.table("ignored in json mode", ["a"], [[1]]);
  assert.deepEqual(printed.map((l) => JSON.parse(l)), [{ kind: "x", ms: 1.2346 }]);
  assert.equal(formatNumber(12.3456), "12.35");
  assert.match(markdownTable("T", ["a", "b"], [[1, undefined]]), /\| 1 \| – \|/);
  assert.deepEqual(parseJsonLines('noise\n{"kind":"a"}\n{broken\n'), [{ kind: "a" }]);
});

Deno.test("bench synthetic batch", () => {
  const b = syntheticBatch({ rows: 4, seqLen: 8, vocab: 50, dpo: true, seed: 3 });
  assert.equal(b.tokens.length, 32);
  assert.deepEqual([...b.tokens.subarray(0, 2)], [...b.tokens.subarray(16, 18)]); // shared prompt
  assert.equal(b.mask[1], 0);
  assert.equal(b.mask[2], 1);
  // Prompt positions have no target, as in the tokenize stage's batches; the rest do.
  b.mask.forEach((m, i) => {
    const t = b.targets[i];
    assert.ok(m === 1 ? t >= 0 && t < 50 : t === -1, `token ${i}: mask ${m}, target ${t}`);
  });
  // Unshared: every row draws its own prompt (like the PyTorch peer's batch); masks unchanged.
  const u = syntheticBatch({
    rows: 4,
    seqLen: 8,
    vocab: 50,
    dpo: true,
    seed: 3,
    sharedPrompts: false,
  });
  assert.notDeepEqual([...u.tokens.subarray(0, 2)], [...u.tokens.subarray(16, 18)]);
  assert.deepEqual(u.mask, b.mask);
});

Deno.test({
  name: "bench peer runner reports a failing subprocess instead of throwing",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const ok = await runJsonProcess(Deno.execPath(), [
      "eval",
      'console.log("x"); console.log(JSON.stringify({ kind: "r", v: 1 }))',
    ]);
    assert.equal(ok.error, undefined);
    assert.deepEqual(ok.lines, [{ kind: "r", v: 1 }]);
    const bad = await runJsonProcess(Deno.execPath(), ["eval", 'throw new Error("boom")']);
    assert.match(bad.error ?? "", /boom/);
    const missing = await runJsonProcess("/nonexistent/program", []);
    assert.match(missing.error ?? "", /could not start/);
  },
});

Deno.test({
  name: "bench peer server answers one line per request and reports a peer that dies",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      // A peer that doubles `x`, and dies with a message on a request without one.
      const script = `${dir}/echo_peer.ts`;
      await Deno.writeTextFile(
        script,
        `console.log(JSON.stringify({ kind: "info", who: "echo" }));
let pending = "";
for await (const chunk of Deno.stdin.readable) {
  pending += new TextDecoder().decode(chunk);
  let nl;
  while ((nl = pending.indexOf("\\n")) >= 0) {
    const req = JSON.parse(pending.slice(0, nl));
    pending = pending.slice(nl + 1);
    if (req.x === undefined) throw new Error("no x in request");
    console.log("not json");
    console.log(JSON.stringify({ kind: "twice", y: 2 * req.x }));
  }
}`,
      );
      const peer = await PeerServer.start(new URL(`file://${script}`), []);
      assert.deepEqual(peer.info, { kind: "info", who: "echo" });
      assert.deepEqual(await peer.request({ x: 3 }), { kind: "twice", y: 6 });
      assert.deepEqual(await peer.request({ x: -1.5 }), { kind: "twice", y: -3 });
      await assert.rejects(() => peer.request({}), /no x in request/);
      await assert.rejects(() => peer.request({ x: 1 }), /peer stopped/);
      await peer.close();
      await assert.rejects(
        () => PeerServer.start(new URL(`file://${dir}/missing.ts`), []),
        /missing\.ts|not found|Module not found/i,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("bench comparison with PyTorch pairs shapes and steps and judges the targets", () => {
  const ours = [
    { kind: "matmul", impl: "ours", variant: "NN", m: 1024, k: 1024, n: 1024, gflops: 9000 },
    { kind: "matmul", impl: "ours", variant: "NT", m: 2048, k: 768, n: 2304, gflops: 1 },
    { kind: "matmul", impl: "tfjs-webgpu", variant: "NN", m: 2048, k: 768, n: 2304, gflops: 1e9 },
    // Wall clock 4 of 10 TFLOP/s, device time 6: judged by device time, as PyTorch's events.
    {
      kind: "matmul",
      impl: "ours",
      variant: "NN",
      m: 2048,
      k: 768,
      n: 2304,
      gflops: 4000,
      gpu_gflops: 6000,
    },
    {
      kind: "train_step",
      impl: "ours",
      config: "gpt2-small",
      objective: "dpo",
      tokens_per_s: 30000,
      loop_tokens_per_s: 20000, // as the trainer runs: judged on its own line
      sync_every: 8,
      peak_mb: 4096,
    },
    {
      kind: "train_step",
      impl: "ours",
      config: "gpt2-small",
      objective: "dpo",
      shared_prompts: false, // the peer's batch: judged on its own line
      tokens_per_s: 24000,
      peak_mb: 4200,
    },
  ];
  const torch = [
    { peer: "torch", op: "matmul", tf32: false, m: 1024, k: 1024, n: 1024, tflops: 15 },
    { peer: "torch", op: "matmul", tf32: true, m: 1024, k: 1024, n: 1024, tflops: 100 },
    { peer: "torch", op: "matmul", tf32: false, m: 2048, k: 768, n: 2304, tflops: 10 },
    { peer: "torch", op: "matmul", tf32: false, m: 4096, k: 4096, n: 4096, tflops: 20 },
    {
      peer: "torch",
      op: "dpo_step",
      bf16: false,
      tf32: false,
      tokens_per_s: 50000,
      peak_mem_gib: 5,
    },
  ];
  const v = compareWithTorch(ours, torch);
  assert.deepEqual(v.map((x) => [x.item, x.met]), [
    ["fp32 GEMM 1024×1024×1024", true], // 9 of 15 TFLOP/s
    ["fp32 GEMM 2048×768×2304", true], // 6 of 10 by device time; only our NN line counts
    ["gpt2-small DPO step", true], // 30k of 50k tokens/s
    ["gpt2-small DPO step, prompts not shared (the peer's batch)", false], // 24k of 50k
    ["gpt2-small DPO step, as the trainer runs (8 per readback)", false], // 20k of 50k
    ["gpt2-small DPO peak memory", true], // 4 GiB against 5
  ]);
  assert.equal(v[0].ratio, 0.6);
  assert.equal(v[1].ratio, 0.6);
  assert.equal(v[1].unit, "GFLOP/s (device time)");
  assert.equal(v[3].ratio, 0.48);
  assert.equal(v[4].ratio, 0.4);
  assert.equal(v[5].ratio, 1.25);
});

Deno.test("bench load + tokenize on a small synthetic file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.ok((await writeSyntheticTrl(`${dir}/p.jsonl`, 5, 1)) > 0);
    const lines = (await Deno.readTextFile(`${dir}/p.jsonl`)).trim().split("\n");
    assert.equal(lines.length, 5);
    assert.deepEqual(Object.keys(JSON.parse(lines[0])), ["prompt", "chosen", "rejected"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const r = await benchLoadTokenize({ rows: 20, reps: 1, gpt2Dir: null });
  assert.equal(r.rows, 20);
  positive(r.loadMs.median, "load ms");
  assert.equal(r.tokenize.length, 1);
  positive(r.tokenize[0].tokens, "tokens");
});

const QUICK = { reps: 2, targetMs: 2 };

gpuTest("bench matmul measurement is finite, positive and checked", async (gpu) => {
  for (const variant of ["NN", "NT", "TN"] as const) {
    const r = await benchMatmul(gpu, { variant, m: 40, k: 24, n: 36, role: "test" }, QUICK);
    assert.equal(r.checked, true, variant);
    positive(r.timing.wall.median, "ms");
    positive(gigaPerSecond(r.flops, r.timing.wall.median), "GFLOP/s");
    assert.equal(r.timing.wall.n, 2);
  }
  // Padded row strides, as the model stores the classifier's logits (A rows 27 → 28, C rows).
  for (const variant of ["NN", "TN"] as const) {
    const shape = { variant, m: 40, k: 27, n: 36, role: "padded", lda: variant === "NN" ? 28 : 44 };
    assert.equal((await benchMatmul(gpu, shape, QUICK)).checked, true, `padded ${variant}`);
  }
  const fwd = { variant: "NT" as const, m: 40, k: 24, n: 37, role: "padded C", ldc: 40 };
  assert.equal((await benchMatmul(gpu, fwd, QUICK)).checked, true, "padded C");
});

gpuTest("bench attention, log-softmax, AdamW and FMA measurements", async (gpu) => {
  const att = await benchAttention(
    gpu,
    { batch: 1, seqLen: 8, heads: 2, kvHeads: 2, headSize: 8 },
    QUICK,
  );
  positive(att.forward.timing.wall.median, "attention fwd ms");
  positive(att.backward.timing.wall.median, "attention bwd ms");
  const ls = await benchLogSoftmax(gpu, 4, 300, QUICK);
  positive(ls.forward.timing.wall.median, "log-softmax fwd ms");
  positive(ls.backward.bytes, "log-softmax bwd bytes");
  const w = await benchAdamW(gpu, 1000, QUICK);
  positive(w.timing.wall.median, "adamw ms");
  const f = await fmaCeiling(gpu, { reps: 2, invocations: 256, iters: 8, targetMs: 2 });
  positive(gigaPerSecond(f.flops, f.timing.wall.median), "FMA GFLOP/s");
  const c = await copyCeiling(gpu, { reps: 2, floats: 4096, targetMs: 2 });
  positive(gigaPerSecond(c.bytes, c.timing.wall.median), "copy GB/s");
  positive((await syncLatency(gpu, 2)).median, "sync ms");
});

gpuTest("bench training step of the tiny config runs and learns", async (gpu) => {
  const r = await benchTrainStep(TINY, "sft", { steps: 2, warmup: 1 });
  assert.equal(r.tokens, 4 * 64);
  positive(r.ms.median, "step ms");
  positive(r.loopMs.median, "step ms, as the trainer runs");
  assert.equal(r.loopMs.n, 3); // three batches of syncEvery steps
  assert.equal(r.syncEvery, 8);
  positive(r.peakBytes, "peak bytes");
  assert.ok(r.lossLast < r.lossFirst, `loss ${r.lossFirst} → ${r.lossLast}`);
  const d = await benchTrainStep(TINY, "dpo", { steps: 1, warmup: 0, profile: true });
  assert.ok(Number.isFinite(d.lossFirst) && d.lossFirst > 0);
  // The profiled step times every dispatch of a step (the adapters here have timestamps).
  const profile = d.profile ?? [];
  assert.equal(profile.reduce((n, l) => n + l.count, 0), d.dispatchesPerStep);
  assert.ok(profile.some((l) => l.kernel.startsWith("matmul.")), JSON.stringify(profile));
  for (const l of profile) positive(l.ms, `${l.kernel} ms`);
  for (let i = 1; i < profile.length; i++) assert.ok(profile[i].ms <= profile[i - 1].ms);
  // Per kernel without the grid; the matmul launches by grid (several: the step's products).
  assert.ok(profile.every((l) => !/\d×\d/.test(l.kernel)), JSON.stringify(profile));
  const launches = d.profileLaunches ?? [];
  assert.ok(
    launches.length > 1 && launches.every((l) => /^matmul\.matmul\w* \d+×\d+×\d+$/.test(l.kernel)),
    JSON.stringify(launches),
  );
  // The default: flash on a CPU adapter, products on a GPU.
  assert.equal(d.attentionDesign, gpu.isCpu ? "flash" : "products");
});
