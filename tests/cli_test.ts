import assert from "node:assert/strict";
import { main } from "../main.ts";
import { loadModel } from "../model/io.ts";
import { listCheckpoints, readTrainerState } from "../pipeline/checkpoint.ts";
import { readMetrics } from "../pipeline/metrics.ts";
import { testGpu } from "../testing/gpu_harness.ts";
import { Transformer } from "../model/transformer.ts";
import { memoryFromConfig } from "../pipeline/run.ts";
import { applyFlags, defaults } from "../pipeline/run_config.ts";
import { tinyRunFlags, writeTinyRun } from "../testing/tiny_run.ts";
import { tinyTest } from "../testing/commands.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;

/** The flags of a tiny DPO run writing under `dir`, with checkpoints every 10 steps. */
function tinyFlags(
  dir: string,
  model: string,
  data: string,
  name: string,
  steps: number,
): string[] {
  return [
    ...tinyRunFlags(dir, { model, data }, name, steps),
    "--train.save_every",
    "10",
    "--train.keep_last",
    "3",
    "--train.lr",
    "0.001",
  ];
}

function spawnTrain(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "train", ...args],
    cwd: ROOT,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 120_000) {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
const quietIo = () => {
  const out: string[] = [], err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
};

tinyTest(
  "cli: a run killed with SIGKILL and resumed ends bit-identical to an uninterrupted one",
  async (dir, { model, data }) => {
    const steps = 120;
    // Uninterrupted.
    const a = await spawnTrain(tinyFlags(dir, model, data, "a", steps)).output();
    assert.equal(a.code, 0, new TextDecoder().decode(a.stderr));
    // Killed once a checkpoint exists, then resumed.
    const child = spawnTrain(tinyFlags(dir, model, data, "b", steps));
    await waitFor(() => exists(`${dir}/runs/b/checkpoints/step-20`), "checkpoint step-20");
    child.kill("SIGKILL");
    const killed = await child.output();
    assert.notEqual(killed.code, 0);
    assert.equal(
      await exists(`${dir}/runs/b/model`),
      false,
      "the killed run should not have finished",
    );
    const kept = await listCheckpoints(`${dir}/runs/b`);
    assert.ok(kept.length > 0 && kept.at(-1)!.step < steps);
    const resumed = await spawnTrain([
      ...tinyFlags(dir, model, data, "b", steps),
      "--run.resume",
      "true",
    ]).output();
    assert.equal(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
    const wa = await Deno.readFile(`${dir}/runs/a/model/model.safetensors`);
    const wb = await Deno.readFile(`${dir}/runs/b/model/model.safetensors`);
    assert.ok(wa.length === wb.length && wa.every((x, i) => x === wb[i]), "final weights differ");
    // The resumed log has every step once, with the same losses.
    const la = (await readMetrics(`${dir}/runs/a/metrics.jsonl`)).filter((r) =>
      r.loss !== undefined
    );
    const lb = (await readMetrics(`${dir}/runs/b/metrics.jsonl`)).filter((r) =>
      r.loss !== undefined
    );
    assert.deepEqual(lb.map((r) => r.step), la.map((r) => r.step));
    assert.deepEqual(lb.map((r) => r.loss), la.map((r) => r.loss));
  },
  { pairs: 24 },
);

Deno.test({
  name: "cli: bco_pair's running reward mean is checkpointed: a resumed run ends bit-identical",
  ignore: testGpu === null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const run = await writeTinyRun(dir, 24);
      const flags = (name: string) => [
        "train",
        ...tinyRunFlags(dir, run, name, 12),
        "--loss.variant",
        "bco_pair",
        "--train.save_every",
        "4",
        "--train.keep_last",
        "5",
        "--train.lr",
        "0.003",
      ];
      assert.equal(await main(flags("a"), quietIo().io), 0);
      const state = await readTrainerState(`${dir}/runs/a/checkpoints/step-4`);
      const [mean, count] = state.lossState ?? [];
      assert.equal(count, 4, "one batch mean per micro-batch");
      assert.ok(Number.isFinite(mean) && mean !== 0, `δ ${mean}`);
      // Run b: run a's folder cut back to its step-4 checkpoint, then resumed.
      await new Deno.Command("cp", { args: ["-r", `${dir}/runs/a`, `${dir}/runs/b`] }).output();
      await Deno.remove(`${dir}/runs/b/model`, { recursive: true });
      await Deno.remove(`${dir}/runs/b/checkpoints/step-8`, { recursive: true });
      assert.equal(await main([...flags("b"), "--run.resume", "true"], quietIo().io), 0);
      const wa = await Deno.readFile(`${dir}/runs/a/model/model.safetensors`);
      const wb = await Deno.readFile(`${dir}/runs/b/model/model.safetensors`);
      assert.ok(wa.length === wb.length && wa.every((x, i) => x === wb[i]), "final weights differ");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli: loss.discopop_tau reaches the loss (the second step's loss follows τ)",
  ignore: testGpu === null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const run = await writeTinyRun(dir, 24);
      const losses: number[][] = [];
      for (const tau of ["0.05", "0.5"]) {
        const name = `tau-${tau}`;
        const args = [
          "train",
          ...tinyRunFlags(dir, run, name, 2),
          "--loss.variant",
          "discopop",
          "--loss.discopop_tau",
          tau,
          "--train.lr",
          "0.01",
        ];
        assert.equal(await main(args, quietIo().io), 0);
        const rows = await readMetrics(`${dir}/runs/${name}/metrics.jsonl`);
        losses.push(rows.filter((r) => r.loss !== undefined).map((r) => r.loss as number));
      }
      // Step 1 starts at the reference (z = 0), where every τ gives (log 2 + 1)/2; step 2 differs.
      for (const l of losses) assert.ok(Math.abs(l[0] - (Math.log(2) + 1) / 2) < 1e-5, `${l[0]}`);
      assert.notEqual(losses[0][1], losses[1][1]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli: loss.f_divergence_type, use_weighting (WPO) and ld_alpha (LD-DPO) reach the loss",
  ignore: testGpu === null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const run = await writeTinyRun(dir, 24);
      const losses: number[][] = [];
      const kinds = [
        ["reverse_kl"],
        ["js_divergence"],
        ["alpha_divergence", "--loss.f_alpha_divergence_coef", "0.5"],
      ];
      for (const [kind, ...rest] of kinds) {
        const args = [
          "train",
          ...tinyRunFlags(dir, run, kind, 2),
          "--loss.f_divergence_type",
          kind,
          ...rest,
          "--train.lr",
          "0.01",
        ];
        assert.equal(await main(args, quietIo().io), 0, kind);
        const rows = await readMetrics(`${dir}/runs/${kind}/metrics.jsonl`);
        losses.push(rows.filter((r) => r.loss !== undefined).map((r) => r.loss as number));
      }
      // Step 1 starts at the reference (h = 0 for all three): log 2; step 2 differs by kind.
      for (const l of losses) assert.ok(Math.abs(l[0] - Math.log(2)) < 1e-5, `${l[0]}`);
      assert.notEqual(losses[0][1], losses[1][1]);
      assert.notEqual(losses[0][1], losses[2][1]);
      // WPO: every pair's log 2 times its weight ω ≤ 1 (well below 1 for a model's own
      // probabilities of these tokens), so the first step's loss is smaller.
      const args = ["train", ...tinyRunFlags(dir, run, "wpo", 2), "--loss.use_weighting", "true"];
      assert.equal(await main(args, quietIo().io), 0);
      const wpo = (await readMetrics(`${dir}/runs/wpo/metrics.jsonl`)).find((r) => r.loss)!;
      assert.ok((wpo.loss as number) < Math.log(2) - 1e-3, `${wpo.loss}`);
      assert.ok((wpo.loss as number) > 0);
      // LD-DPO: α = 1 is DPO itself (the same first loss, bit for bit); α = 0.2 discounts the
      // longer responses' extra tokens, so the policy's first log-probs differ from the reference.
      const first = async (name: string, alpha: string) => {
        const ld = ["train", ...tinyRunFlags(dir, run, name, 1), "--loss.ld_alpha", alpha];
        assert.equal(await main(ld, quietIo().io), 0);
        return (await readMetrics(`${dir}/runs/${name}/metrics.jsonl`)).find((r) => r.loss)!;
      };
      assert.equal((await first("ld1", "1")).loss, losses[0][0]);
      const ld = await first("ld02", "0.2");
      assert.ok(Math.abs((ld.loss as number) - Math.log(2)) > 1e-3, `${ld.loss}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "cli: Gemma 2/3, Phi-2/3, SmolLM3, OLMo 2/3, Granite, GPT-NeoX, StableLM, StarCoder2 and Cohere models train, generate and save",

  ignore: testGpu === null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const families = [
        "gemma2",
        "gemma3",
        "phi3",
        "smollm3",
        "olmo2",
        "granite",
        "gpt_neox",
        "stablelm",
        "phi",
        "starcoder2",
        "olmo3",
        "cohere",
      ] as const;
      for (const family of families) {
        const run = await writeTinyRun(`${dir}/${family}`, 16, 3, family);
        const flags = tinyRunFlags(`${dir}/${family}`, run, "r", 2);
        const args = [
          "train",
          ...flags.map((f) => f === "false" ? "true" : f), // eval.generate true
          "--eval.samples",
          "2",
          "--eval.max_new_tokens",
          "3",
          "--run.save_to",
          `${dir}/${family}/saved`,
        ];
        assert.equal(await main(args, quietIo().io), 0, family);
        const eval_ = JSON.parse(await Deno.readTextFile(`${dir}/${family}/runs/r/eval.json`));
        assert.ok(Number.isFinite(eval_.metrics.eval_loss), family);
        assert.equal(eval_.generation.prompts, 2, family); // generation ran
        // The saved folder reads back as the same architecture, its tensors under HF's names.
        const saved = await loadModel(`${dir}/${family}/saved`);
        const start = await loadModel(run.model);
        assert.deepEqual(saved.config, start.config, family);
        assert.deepEqual([...saved.params.keys()], [...start.params.keys()], family);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli: several losses with weights (TRL's MPO recipe) train, from flags or a YAML list",
  ignore: testGpu === null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const run = await writeTinyRun(dir, 24);
      const mpo = ["--loss.variant", "sigmoid,bco_pair,sft", "--loss.weights", "0.8,0.2,1"];
      assert.equal(
        await main(["train", ...tinyRunFlags(dir, run, "mpo", 2), ...mpo], quietIo().io),
        0,
      );
      const saved = await Deno.readTextFile(`${dir}/runs/mpo/config.yaml`);
      assert.match(saved, /variant: sigmoid,bco_pair,sft/);
      const rows = await readMetrics(`${dir}/runs/mpo/metrics.jsonl`);
      const first = rows.find((r) => r.loss !== undefined)!;
      // At the reference: 0.8·log 2 + 0.2·2·log 2 (δ = 0) + the chosen tokens' NLL.
      assert.ok(
        Math.abs((first.loss as number) - (0.8 + 0.4) * Math.log(2) - (first.nll_loss as number)) <
          1e-4,
      );
      // The same losses as a YAML list.
      await Deno.writeTextFile(
        `${dir}/mix.yaml`,
        "loss:\n  variant: [sigmoid, nca_pair]\n  weights: [0.5, 1.5]\n",
      );
      const flags = [...tinyRunFlags(dir, run, "yaml", 1), "--config", `${dir}/mix.yaml`];
      assert.equal(await main(["train", ...flags], quietIo().io), 0);
      assert.match(await Deno.readTextFile(`${dir}/runs/yaml/config.yaml`), /weights: 0\.5,1\.5/);
      // The weights reach the loss: at the reference 0.5·log 2 + 1.5·2·log 2.
      const yamlRows = await readMetrics(`${dir}/runs/yaml/metrics.jsonl`);
      const yamlLoss = yamlRows.find((r) => r.loss !== undefined)!.loss as number;
      assert.ok(Math.abs(yamlLoss - 3.5 * Math.log(2)) < 1e-4, `${yamlLoss}`);
      // sft first, with its own weight: 0.5 × the NLL, then the sigmoid loss's log 2.
      const sftFirst = ["--loss.variant", "sft,sigmoid", "--loss.weights", "0.5,1"];
      assert.equal(
        await main(["train", ...tinyRunFlags(dir, run, "sft", 1), ...sftFirst], quietIo().io),
        0,
      );
      const sftRow = (await readMetrics(`${dir}/runs/sft/metrics.jsonl`)).find((r) =>
        r.loss !== undefined
      )!;
      const want = Math.log(2) + 0.5 * (sftRow.nll_loss as number);
      assert.ok(Math.abs((sftRow.loss as number) - want) < 1e-4, `${sftRow.loss} vs ${want}`);
      for (
        const [args, pattern] of [
          [
            ["--loss.variant", "sigmoid,hinge", "--loss.weights", "1"],
            /must be 2 non-negative numbers/,
          ],
          [["--loss.variant", "sft"], /sft alone is not a preference loss/],
          [
            ["--loss.variant", "sigmoid,kto_unpaired"],
            /must be one of .* \(or several\), got "kto_unpaired"/,
          ],
          [["--loss.variant", "sigmoid,kto"], /kto \(on unpaired examples\) cannot be combined/],
          [["--loss.variant", "sigmoid,hinge,sigmoid"], /lists sigmoid twice/],
          [["--loss.variant", "sigmoid,ipo"], /ipo cannot be combined/],
          [["--loss.weights", ""], /loss\.weights must be a list/],
        ] as [string[], RegExp][]
      ) {
        const { io, err } = quietIo();
        assert.equal(await main(["train", ...tinyRunFlags(dir, run, "bad", 1), ...args], io), 2);
        assert.match(err.join(""), pattern);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

tinyTest(
  "cli: a kill during a checkpoint write leaves the previous checkpoint loadable",
  async (dir, { model, data }) => {
    const child = spawnTrain(tinyFlags(dir, model, data, "c", 60), {
      DPO_CHECKPOINT_PAUSE_MS: "3000",
    });
    // step-10 is complete; step-20 is being written (its temporary folder exists).
    await waitFor(async () => {
      if (!(await exists(`${dir}/runs/c/checkpoints/step-10`))) return false;
      return [...Deno.readDirSync(`${dir}/runs/c/checkpoints`)].some((e) =>
        e.name.startsWith(".tmp-step-20")
      );
    }, "the step-20 checkpoint write");
    child.kill("SIGKILL");
    await child.output();
    const kept = await listCheckpoints(`${dir}/runs/c`);
    assert.deepEqual(kept.map((k) => k.step), [10]);
    const state = await readTrainerState(kept[0].dir);
    assert.equal(state.step, 10);
    const m = await loadModel(kept[0].dir);
    assert.equal(m.config.vocabSize, 97);
    // And the run resumes from it, even with the other attention design and a state written
    // before the attention setting existed.
    const statePath = `${kept[0].dir}/trainer_state.json`;
    const saved = JSON.parse(await Deno.readTextFile(statePath));
    assert.equal(saved.config.attention, "auto");
    delete saved.config.attention;
    await Deno.writeTextFile(statePath, JSON.stringify(saved));
    const resumed = await spawnTrain([
      ...tinyFlags(dir, model, data, "c", 60),
      "--run.resume",
      "true",
      "--train.attention",
      "products",
    ]).output();
    assert.equal(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
    assert.ok(await exists(`${dir}/runs/c/model/model.safetensors`));
  },
  { pairs: 24 },
);

tinyTest(
  "cli: an absurd learning rate stops with a message naming the step (exit 1)",
  async (dir, { model, data }) => {
    const { io, err } = quietIo();
    const code = await main([
      "train",
      ...tinyFlags(dir, model, data, "nan", 20),
      "--train.lr",
      "1e30",
      "--train.max_grad_norm",
      "0",
    ], io);
    assert.equal(code, 1);
    assert.match(err.join(""), /Step \d+: the (loss|gradient norm) is (NaN|Infinity|-Infinity)/);
  },
);

Deno.test("cli: unknown keys and bad values are refused, naming the key (exit 2)", async () => {
  for (
    const [args, pattern] of [
      [["train", "--nope", "1"], /Unknown option --nope/],
      [["train", "--train.lr", "abc"], /--train\.lr must be a number, got "abc"/],
      [["train", "--loss.variant", "foo"], /must be one of sigmoid, ipo/],
      [["train", "--seed", "1"], /--seed is ambiguous: use --train.seed or --eval.seed/],
      [["score", "--model", "x"], /--out FILE\.jsonl is required/],
    ] as [string[], RegExp][]
  ) {
    const { io, err } = quietIo();
    assert.equal(await main(args, io), 2, args.join(" "));
    assert.match(err.join(""), pattern);
  }
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.yaml`, "train:\n  lr: 0.1\n  lrr: 2\n");
    const { io, err } = quietIo();
    assert.equal(await main(["train", "--config", `${dir}/bad.yaml`], io), 2);
    assert.match(err.join(""), /bad\.yaml: unknown key "train\.lrr"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: --help lists every option with its default", async () => {
  const { io, out } = quietIo();
  assert.equal(await main(["train", "--help"], io), 0);
  const text = out.join("");
  for (const key of ["--loss.beta", "--train.lr", "--model.ref", "--data.path", "--eval.samples"]) {
    assert.ok(text.includes(key), key);
  }
  assert.match(text, /--loss\.beta .*\(default: 0\.1\)/);
});

Deno.test("cli: a loss option the chosen loss would ignore is refused before the run starts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [args, pattern] of [
        [
          ["--loss.variant", "nca_pair", "--loss.label_smoothing", "0.1"],
          /loss\.label_smoothing \(0\.1\) applies to the sigmoid, .*, aot losses, not nca_pair/,
        ],
        [
          ["--loss.variant", "robust", "--loss.gamma", "1"],
          /loss\.gamma \(1\) applies to the simpo/,
        ],
        [
          ["--loss.discopop_tau", "0.2"],
          /loss\.discopop_tau \(0\.2\) applies to the discopop loss, not sigmoid/,
        ],
        [
          ["--loss.variant", "aot", "--train.pairs_per_batch", "1025"],
          /The aot loss sorts at most 1024 pairs per micro-batch; train\.pairs_per_batch is 1025/,
        ],
        [
          ["--loss.variant", "nca_pair", "--loss.f_divergence_type", "js_divergence"],
          /loss\.f_divergence_type \(js_divergence\) applies to the sigmoid, .* losses, not nca_pair/,
        ],
        [
          ["--loss.f_alpha_divergence_coef", "0.5"],
          /loss\.f_alpha_divergence_coef \(0\.5\) applies to loss\.f_divergence_type alpha_divergence, not reverse_kl/,
        ],
        [
          ["--loss.f_divergence_type", "forward_kl"],
          /forward_kl/,
        ],
        [
          ["--loss.use_weighting", "true", "--loss.nll_alpha", "1"],
          /loss\.use_weighting with an NLL term .* is not implemented/,
        ],
        [
          ["--loss.variant", "ipo", "--loss.ld_alpha", "0.5"],
          /loss\.ld_alpha with the ipo loss .* is not implemented/,
        ],
        [["--loss.ld_alpha", "0.5", "--loss.nll_alpha", "1"], /ld_alpha with an NLL term/],
      ] as [string[], RegExp][]
    ) {
      const { io, err } = quietIo();
      assert.equal(await main(["train", ...args, "--run.out_dir", dir], io), 2, args.join(" "));
      assert.match(err.join(""), pattern);
    }
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no run folder is made");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: out-of-range values and nulls are refused before anything runs", async () => {
  for (
    const [args, pattern] of [
      [["train", "--loss.beta", "0"], /--loss\.beta must be > 0, got 0/],
      [["train", "--train.beta2", "1"], /--train\.beta2 must be < 1, got 1/],
      [["train", "--loss.label_smoothing", "0.5"], /must be < 0\.5/],
      [["train", "--eval.top_p", "0"], /--eval\.top_p must be > 0/],
      [["train", "--loss.discopop_tau", "0"], /--loss\.discopop_tau must be > 0/],
      [["train", "--train.epochs", "null"], /--train\.epochs cannot be null/],
    ] as [string[], RegExp][]
  ) {
    const { io, err } = quietIo();
    assert.equal(await main(args, io), 2, args.join(" "));
    assert.match(err.join(""), pattern);
  }
});

Deno.test("cli: memory prints the estimate of each way to train from config.json alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A Qwen2.5-0.5B-shaped config, and no weights at all.
    const hf = {
      architectures: ["Qwen2ForCausalLM"],
      model_type: "qwen2",
      hidden_size: 896,
      intermediate_size: 4864,
      num_hidden_layers: 24,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      vocab_size: 151936,
      max_position_embeddings: 32768,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000,
      tie_word_embeddings: true,
      hidden_act: "silu",
    };
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(hf));
    const args = ["--model", dir, "--train.pairs_per_batch", "4", "--lora.rank", "8"];
    const flags = [...args, "--model.quantize", "nf4", "--train.gradient_checkpointing", "true"];
    const m = await memoryFromConfig(applyFlags(defaults(), flags));
    assert.deepEqual([m.rows, m.seqLen, m.params], [8, 1024, 494032768]);
    // Every row is the model's own estimate for that way; the configured one is marked once.
    const lora = { rank: 8, alpha: 16, targetModules: "all-linear" as const };
    const opts = { maxBatch: 8, maxSeqLen: 1024, attention: { design: "flash" as const } };
    const want = [
      Transformer.estimateBytes(m.config, opts),
      Transformer.estimateBytes(m.config, { ...opts, checkpointLayers: true }),
      Transformer.estimateBytes(m.config, { ...opts, lora }),
      Transformer.estimateBytes(m.config, { ...opts, lora, checkpointLayers: true }),
      ...(["bf16", "int8", "nf4"] as const).map((quantize) =>
        Transformer.estimateBytes(m.config, { ...opts, lora, checkpointLayers: true, quantize })
      ),
    ];
    assert.deepEqual(m.plan.map((r) => r.bytes), want);
    assert.deepEqual(m.plan.map((r) => r.configured), [
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    // LoRA, checkpointing and each smaller format need less.
    for (const [a, b] of [[0, 2], [2, 3], [3, 4], [4, 5], [5, 6], [0, 1]]) {
      assert.ok(want[b] < want[a], `${m.plan[b].label} < ${m.plan[a].label}`);
    }
    const out: string[] = [];
    const code = await main(["memory", ...flags], { out: (s) => out.push(s), err: () => {} });
    assert.equal(code, 0);
    const text = out.join("");
    assert.match(text, /qwen2, 494\.0M parameters/);
    assert.match(text, /one step of 8 rows × 1024 tokens \(dpo\)/);
    assert.match(text, /LoRA r 8, checkpointed, nf4 +\d+\.\d+ GiB {2}← this run/);
    assert.equal(text.split("\n").filter((l) => l.includes("GiB")).length, 7);
    // train.attention auto: what products would add on a GPU, once; none when flash is asked for.
    const extra = Transformer.estimateBytes(m.config, {
      ...opts,
      attention: { design: "products" },
    }) - want[0];
    assert.equal(m.products, extra);
    assert.match(text, /on a GPU, auto attention picks products where it fits: \d+\.\d MiB more/);
    const flash = await memoryFromConfig(
      applyFlags(defaults(), [...flags, "--train.attention", "flash"]),
    );
    assert.equal(flash.products, 0);
    // Packed weights without adapters are refused as the train command refuses them.
    const bad = await main(["memory", "--model", dir, "--model.quantize", "nf4"], {
      out: () => {},
      err: (s) => out.push(s),
    });
    assert.equal(bad, 1);
    assert.match(
      out.join(""),
      /model.quantize nf4 holds the model's weights in a form that cannot train/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
