/**
 * Checks a finished training run folder (CI uses it after a reduced default run): the resolved
 * config, one metrics row per step with TRL's names, the charts, eval.json and a model folder
 * that loads. Exits 1 with the reason on the first problem.
 *
 * Usage: `deno run -R tools/check_run.ts RUN_DIR STEPS`
 *
 * @module
 */
import { loadModel } from "../model/io.ts";
import { readMetrics } from "../pipeline/metrics.ts";

const [dir, stepsArg] = Deno.args;
const steps = Number(stepsArg);
const fail = (why: string): never => {
  console.error(`check_run: ${dir}: ${why}`);
  Deno.exit(1);
};
if (!dir || !Number.isInteger(steps)) fail("usage: check_run.ts RUN_DIR STEPS");
for (
  const f of [
    "config.yaml",
    "metrics.jsonl",
    "loss.svg",
    "margins.svg",
    "accuracy.svg",
    "eval.json",
  ]
) {
  await Deno.stat(`${dir}/${f}`).catch(() => fail(`${f} is missing`));
}
const rows = (await readMetrics(`${dir}/metrics.jsonl`)).filter((r) => r.loss !== undefined);
if (rows.length !== steps) {
  fail(`metrics.jsonl has ${rows.length} training rows, expected ${steps}`);
}
const names = [
  "loss",
  "rewards/chosen",
  "rewards/rejected",
  "rewards/accuracies",
  "rewards/margins",
  "logps/chosen",
  "logps/rejected",
  "logits/chosen",
  "logits/rejected",
  "grad_norm",
  "learning_rate",
  "tokens_per_second",
];
for (const n of names) {
  if (!rows.every((r) => typeof r[n] === "number" && Number.isFinite(r[n]))) {
    fail(`metrics.jsonl: "${n}" is missing or not finite`);
  }
}
const evalReport = JSON.parse(await Deno.readTextFile(`${dir}/eval.json`));
if (typeof evalReport.metrics?.["eval_rewards/accuracies"] !== "number") {
  fail("eval.json has no eval_rewards/accuracies");
}
const g = evalReport.generation;
if (!g || typeof g.kl !== "number" || typeof g.winRate !== "number" || !g.samples?.length) {
  fail("eval.json has no generation results (kl, winRate, samples)");
}
const model = await loadModel(`${dir}/model`);
if (model.params.size === 0) fail("model/ has no parameters");
const loss = (r: (typeof rows)[number]) => (r.loss as number).toFixed(4);
console.log(
  `check_run: ${dir}: ${rows.length} steps, loss ${loss(rows[0])} → ` +
    `${loss(rows[rows.length - 1])}, held-out accuracy ` +
    `${evalReport.metrics["eval_rewards/accuracies"].toFixed(3)}, task reward ` +
    `${g.referenceReward.toFixed(3)} → ${g.policyReward.toFixed(3)}: ok`,
);
