import assert from "node:assert/strict";
import {
  createProgress,
  createReporter,
  escapeXml,
  formatBar,
  formatDuration,
  formatEta,
  formatMetricsLine,
  formatProgressLine,
  formatRate,
  formatValue,
  lineChart,
  MetricsLog,
  type MetricsRow,
  niceTicks,
  parseMetrics,
  readMetrics,
  rewardKlChart,
  scatterChart,
  trainingCharts,
  truncateMetrics,
  writeTrainingCharts,
} from "../pipeline/metrics.ts";
import { createContext } from "../pipeline/stage.ts";

// ── A minimal XML well-formedness check (Deno has no DOMParser) ──

const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function checkText(text: string, where: string): void {
  if (text.includes("<")) throw new Error(`raw < in ${where}: ${text.slice(0, 60)}`);
  if (text.replace(ENTITY, "").includes("&")) {
    throw new Error(`bare & in ${where}: ${text.slice(0, 60)}`);
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) {
    throw new Error(`control character in ${where}`);
  }
}

/** Throws unless `xml` is one well-formed element (after an optional declaration). */
function assertWellFormed(xml: string): { elements: string[]; texts: string[] } {
  let rest = xml.replace(/^<\?xml[^?]*\?>/, "");
  const stack: string[] = [];
  const elements: string[] = [];
  const texts: string[] = [];
  let roots = 0;
  const NAME = "[A-Za-z_][\\w.:-]*";
  const tag = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"]*")*)\\s*(/?)>`);
  while (rest.length > 0) {
    const lt = rest.indexOf("<");
    const text = lt < 0 ? rest : rest.slice(0, lt);
    if (text.length > 0) {
      if (stack.length === 0 && text.trim() !== "") throw new Error("text outside the root");
      checkText(text, "text");
      if (text.trim() !== "") texts.push(text);
    }
    if (lt < 0) break;
    rest = rest.slice(lt);
    if (rest.startsWith("<!--")) {
      const end = rest.indexOf("-->");
      if (end < 0) throw new Error("unclosed comment");
      rest = rest.slice(end + 3);
      continue;
    }
    const m = tag.exec(rest);
    if (!m) throw new Error(`bad tag at: ${rest.slice(0, 60)}`);
    const [whole, closing, name, attrs, selfClosing] = m;
    if (closing) {
      if (attrs || selfClosing) throw new Error(`bad closing tag ${whole}`);
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      if (stack.length === 0 && ++roots > 1) throw new Error("more than one root element");
      const seen = new Set<string>();
      for (const a of attrs.matchAll(new RegExp(`(${NAME})\\s*=\\s*"([^"]*)"`, "g"))) {
        if (seen.has(a[1])) throw new Error(`duplicate attribute ${a[1]} in <${name}>`);
        seen.add(a[1]);
        checkText(a[2], `attribute ${a[1]}`);
      }
      elements.push(name);
      if (!selfClosing) stack.push(name);
    }
    rest = rest.slice(whole.length);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join("> <")}>`);
  if (roots !== 1) throw new Error("no root element");
  return { elements, texts };
}

/** Unescapes the five entities, for comparing text content. */
const unescape = (s: string) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

Deno.test("well-formedness check: catches the usual mistakes", () => {
  assertWellFormed(`<?xml version="1.0"?><svg a="1"><g><text>a &amp; b</text></g><rect/></svg>`);
  for (
    const bad of [
      `<svg><g></svg>`,
      `<svg>a < b</svg>`,
      `<svg>a & b</svg>`,
      `<svg a="1" a="2"/>`,
      `<svg a="x<y"/>`,
      `<svg/><svg/>`,
      `<svg><text>\u0001</text></svg>`,
    ]
  ) {
    assert.throws(() => assertWellFormed(bad), Error, bad);
  }
});

// ── Metrics log ──

async function tempFile(name = "metrics.jsonl"): Promise<string> {
  return `${await Deno.makeTempDir({ prefix: "metrics_test_" })}/${name}`;
}

Deno.test("metrics line: step and epoch first, non-finite as null, undefined dropped", () => {
  assert.equal(
    formatMetricsLine({
      loss: NaN,
      "rewards/margins": Infinity,
      epoch: 0.5,
      step: 3,
      x: undefined,
    }),
    `{"step":3,"epoch":0.5,"loss":null,"rewards/margins":null}\n`,
  );
  assert.throws(() => formatMetricsLine({ step: -1 }), RangeError);
  assert.throws(() => formatMetricsLine({ step: 1.5 }), RangeError);
});

Deno.test("metrics log: appends lines that read back, across reopenings", async () => {
  const path = await tempFile();
  const rows: MetricsRow[] = [
    { step: 1, epoch: 0.25, loss: 0.6931, "rewards/accuracies": 0.5, learning_rate: 1e-6 },
    { step: 2, epoch: 0.5, loss: 0.65, grad_norm: 3.5, tokens_per_second: 1234.5 },
  ];
  {
    using log = await MetricsLog.open(path);
    assert.equal(log.path, path);
    log.append(rows[0]);
    // Each line is on disk as soon as append returns: no buffering in the process.
    assert.equal(await Deno.readTextFile(path), formatMetricsLine(rows[0]));
    log.append(rows[1]);
  }
  const log = await MetricsLog.open(path, { sync: true });
  log.append({ step: 2, epoch: 0.5, eval_loss: 0.7, "eval_rewards/margins": 0.1 });
  log.close();
  log.close(); // idempotent
  assert.throws(() => log.append({ step: 3 }), TypeError);
  assert.deepEqual(await readMetrics(path), [
    ...rows,
    { step: 2, epoch: 0.5, eval_loss: 0.7, "eval_rewards/margins": 0.1 },
  ]);
});

Deno.test("metrics log: a cut last line is ignored when read and dropped when reopened", async () => {
  const path = await tempFile();
  await Deno.writeTextFile(path, `{"step":1,"loss":0.7}\n{"step":2,"loss":0.6}\n{"step":3,"lo`);
  assert.deepEqual((await readMetrics(path)).map((r) => r.step), [1, 2]);
  using log = await MetricsLog.open(path);
  log.append({ step: 3, loss: 0.5 });
  assert.equal(
    await Deno.readTextFile(path),
    `{"step":1,"loss":0.7}\n{"step":2,"loss":0.6}\n{"step":3,"loss":0.5}\n`,
  );
});

Deno.test("metrics log: reopening a file that is only a cut line empties it", async () => {
  const path = await tempFile();
  await Deno.writeTextFile(path, `{"step":1,"lo`);
  (await MetricsLog.open(path)).close();
  assert.equal(await Deno.readTextFile(path), "");
});

Deno.test("metrics log: a cut line longer than the scan block is dropped whole", async () => {
  const path = await tempFile();
  await Deno.writeTextFile(path, `{"step":1}\n{"step":2,"note":"${"x".repeat(10000)}`);
  (await MetricsLog.open(path)).close();
  assert.equal(await Deno.readTextFile(path), `{"step":1}\n`);
});

Deno.test("parseMetrics: blank lines skipped; a bad middle line names file and line", () => {
  assert.deepEqual(parseMetrics(`\n{"step":1}\n\n{"step":2}\n\n`), [{ step: 1 }, { step: 2 }]);
  assert.throws(
    () => parseMetrics(`{"step":1}\n{"step":\n{"step":3}\n`, "run/metrics.jsonl"),
    (e: Error) => e instanceof SyntaxError && /run\/metrics\.jsonl:2:/.test(e.message),
  );
  assert.throws(() => parseMetrics(`[1]\n{"step":1}\n`), SyntaxError);
  assert.throws(() => parseMetrics(`{"loss":1}\n{"step":1}\n`), /:1: field "step"/);
  assert.deepEqual(parseMetrics(""), []);
});

Deno.test("truncateMetrics: keeps step ≤ checkpoint byte for byte, atomically", async () => {
  const path = await tempFile();
  const lines = [
    `{"step":1,"loss":0.7}`,
    `{"step":2,"loss":0.6}`,
    `{"step":2,"eval_loss":0.65}`,
    `{"step":3,"loss":0.5}`,
    `{"step":4,"loss":0.4}`,
  ];
  await Deno.writeTextFile(path, lines.join("\n") + "\n" + `{"step":5,"lo`);
  assert.deepEqual(await truncateMetrics(path, 2), { kept: 3, dropped: 3 });
  assert.equal(await Deno.readTextFile(path), lines.slice(0, 3).join("\n") + "\n");
  // No temporary file left beside it.
  const dir = path.slice(0, path.lastIndexOf("/"));
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["metrics.jsonl"]);

  // A resumed run then appends the later steps again, without duplicates.
  {
    using log = await MetricsLog.open(path);
    log.append({ step: 3, loss: 0.5 });
  }
  assert.deepEqual((await readMetrics(path)).map((r) => r.step), [1, 2, 2, 3]);

  assert.deepEqual(await truncateMetrics(path, 0), { kept: 0, dropped: 4 });
  assert.equal(await Deno.readTextFile(path), "");
  const missing = await tempFile("none.jsonl");
  assert.deepEqual(await truncateMetrics(missing, 3), { kept: 0, dropped: 0 });
  await assert.rejects(() => Deno.stat(missing), Deno.errors.NotFound);
});

// ── Progress ──

Deno.test("formatDuration, formatEta, formatRate", () => {
  assert.equal(formatDuration(0), "0:00");
  assert.equal(formatDuration(5.4), "0:05");
  assert.equal(formatDuration(59.6), "1:00");
  assert.equal(formatDuration(75), "1:15");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(100 * 3600), "100:00:00");
  assert.equal(formatDuration(NaN), "?");
  assert.equal(formatDuration(-1), "?");
  assert.equal(formatDuration(Infinity), "?");
  assert.equal(formatEta(90, 2), "0:45");
  assert.equal(formatEta(0, 2), "0:00");
  assert.equal(formatEta(-3, 2), "0:00");
  assert.equal(formatEta(90, 0), "?");
  assert.equal(formatEta(90, NaN), "?");
  assert.equal(formatRate(12.34), "12.3 it/s");
  assert.equal(formatRate(2.5), "2.50 it/s");
  assert.equal(formatRate(250.4), "250 it/s");
  assert.equal(formatRate(0.25), "4.00 s/it");
  assert.equal(formatRate(1 / 30, "step"), "30.0 s/step");
  assert.equal(formatRate(NaN), "? it/s");
  assert.equal(formatRate(0), "? it/s");
});

Deno.test("formatBar: exact width, eighths, clamping, ascii", () => {
  assert.equal(formatBar(0, 8), "        ");
  assert.equal(formatBar(0.5, 8), "████    ");
  assert.equal(formatBar(1, 8), "████████");
  assert.equal(formatBar(2, 8), "████████");
  assert.equal(formatBar(-1, 4), "    ");
  assert.equal(formatBar(NaN, 4), "    ");
  assert.equal(formatBar(0.5 + 1 / 32, 8), "████▎   ");
  assert.equal(formatBar(0.5, 8, { ascii: true }), "####....");
  for (let i = 0; i <= 100; i++) assert.equal(formatBar(i / 100, 13).length, 13);
  assert.equal(formatBar(0.5, 0), "");
});

Deno.test("formatValue and formatProgressLine", () => {
  assert.equal(formatValue(0.693147), "0.6931");
  assert.equal(formatValue(0.5), "0.5000");
  assert.equal(formatValue(12), "12");
  assert.equal(formatValue(3e-7), "3.00e-7");
  assert.equal(formatValue(123456.7), "1.23e+5");
  assert.equal(formatValue(NaN), "nan");
  assert.equal(formatValue(-Infinity), "-inf");
  assert.equal(formatValue("x"), "x");
  assert.equal(
    formatProgressLine({ label: "train", done: 25, total: 100, elapsed: 10, rate: 2.5 }),
    "train 25/100 (25%) elapsed 0:10 eta 0:30 2.50 it/s",
  );
  assert.equal(
    formatProgressLine({
      label: "train",
      done: 25,
      total: 100,
      elapsed: 10,
      rate: 2.5,
      fields: { loss: 0.6931, acc: 0.75 },
      barWidth: 4,
      ascii: true,
    }),
    "train |#...| 25/100 25% [0:10<0:30, 2.50 it/s] loss=0.6931 acc=0.7500",
  );
  assert.equal(
    formatProgressLine({ label: "gen", done: 7, total: 0, elapsed: 1, rate: NaN }),
    "gen 7 elapsed 0:01 eta ? ? it/s",
  );
});

/** A fake clock and a capture of what is written. */
function harness(tty: boolean, extra: Record<string, unknown> = {}) {
  let time = 0;
  const out: string[] = [];
  const progress = createProgress({
    tty,
    write: (s) => out.push(s),
    now: () => time,
    columns: 200,
    barWidth: 10,
    ...extra,
  });
  return { progress, out, tick: (ms: number) => time += ms };
}

Deno.test("progress (terminal): one line redrawn in place, at most every 100 ms", () => {
  const { progress, out, tick } = harness(true);
  const bar = progress("train", 10);
  for (let step = 1; step <= 10; step++) {
    tick(30); // 30 ms a step: about every fourth update is drawn
    bar.update(step, { loss: 1 / step });
  }
  bar.end();
  bar.update(11); // after end: ignored
  bar.end();
  const text = out.join("");
  assert.ok(!text.slice(0, -1).includes("\n"), "only the final newline");
  assert.ok(text.endsWith("\n"));
  const frames = text.trimEnd().split("\r\x1b[K").filter((s) => s !== "");
  // Drawn at steps 1 (first), 5, 9 (≥ 100 ms later), 10 (finished), and on end.
  assert.deepEqual(
    frames.map((f) => / (\d+\/10) /.exec(f)![1]),
    ["1/10", "5/10", "9/10", "10/10", "10/10"],
  );
  // Rate from the first update: 9 steps in 270 ms.
  assert.equal(
    frames[3],
    "train |██████████| 10/10 100% [0:00<0:00, 33.3 it/s] loss=0.1000",
  );
  assert.match(frames[0], /^train \|█ {9}\| 1\/10 10% \[0:00<\?, \? it\/s\] loss=1$/);
});

Deno.test("progress (terminal): lines are cut to the console width", () => {
  const { progress, out, tick } = harness(true, { columns: 21 });
  const bar = progress("a-long-label", 4);
  tick(1);
  bar.update(1, { loss: 0.5 });
  bar.end();
  for (const frame of out.join("").trimEnd().split("\r\x1b[K").filter((s) => s)) {
    assert.ok(frame.length <= 20, frame);
  }
});

Deno.test("progress (plain): a line every 10%, every 30 s, and always the last", () => {
  const { progress, out, tick } = harness(false);
  const bar = progress("ref-cache", 40);
  for (let i = 1; i <= 40; i++) {
    tick(i === 2 ? 31_000 : 100); // one slow item: a time-triggered line
    bar.update(i);
  }
  bar.end();
  assert.ok(out.every((l) => l.endsWith("\n") && !l.includes("\r")));
  const counts = out.map((l) => l.split(" ")[1]);
  // The first update; then 10% = 4 items; step 2 comes 31 s after the last line.
  assert.deepEqual(counts, [
    "1/40",
    "2/40",
    "4/40",
    "8/40",
    "12/40",
    "16/40",
    "20/40",
    "24/40",
    "28/40",
    "32/40",
    "36/40",
    "40/40",
  ]);
  assert.match(out.at(-1)!, /^ref-cache 40\/40 \(100%\) elapsed 0:35 eta 0:00 /);

  // A loop that stops early still prints where it stopped.
  const second = harness(false);
  const stopped = second.progress("train", 100);
  second.tick(10);
  stopped.update(3);
  second.tick(10);
  stopped.update(4);
  stopped.end();
  assert.equal(second.out.length, 2);
  assert.match(second.out[0], /^train 3\/100 /);
  assert.match(second.out[1], /^train 4\/100 \(4%\) elapsed 0:00 eta 0:01 100 it\/s\n$/);
});

Deno.test("progress (plain): a big jump prints one line, not one per 10% crossed", () => {
  const { progress, out, tick } = harness(false);
  const bar = progress("train", 10);
  tick(1000);
  bar.update(1);
  tick(1000);
  bar.update(9);
  tick(1000);
  bar.update(10);
  bar.end();
  assert.deepEqual(out.map((l) => l.split(" ")[1]), ["1/10", "9/10", "10/10"]);
  assert.equal(out.length, 3);
});

Deno.test("reporter: messages go above the live bar on a terminal, plainly elsewhere", () => {
  let time = 0;
  const out: string[] = [];
  const err: string[] = [];
  const { progress, logger } = createReporter({
    tty: true,
    write: (s) => out.push(s),
    writeError: (s) => err.push(s),
    now: () => time,
    columns: 200,
    barWidth: 4,
    ascii: true,
  });
  const ctx = createContext({ progress, logger });
  const bar = ctx.progress("train", 4);
  time = 10;
  bar.update(1);
  ctx.logger.info("hello");
  ctx.logger.warn("careful");
  bar.end();
  ctx.logger.info("after");
  const live = "train |#...| 1/4 25% [0:00<?, ? it/s]";
  assert.deepEqual(out.slice(0, 6), [
    `\r\x1b[K${live}`,
    "\r\x1b[K",
    "hello\n",
    live,
    "\r\x1b[K",
    live,
  ]);
  assert.deepEqual(err, ["warning: careful\n"]);
  assert.equal(out.at(-1), "after\n");

  const plain: string[] = [];
  const r = createReporter({ tty: false, write: (s) => plain.push(s), now: () => 0 });
  r.logger.info("x");
  r.logger.warn("y");
  assert.deepEqual(plain, ["x\n", "warning: y\n"]);
});

// ── Charts ──

Deno.test("niceTicks: round steps covering the data", () => {
  assert.deepEqual(niceTicks(0.13, 0.71), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
  assert.deepEqual(niceTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(1, 1000), [0, 200, 400, 600, 800, 1000]);
  assert.deepEqual(niceTicks(-0.3, 0.2), [-0.3, -0.2, -0.1, 0, 0.1, 0.2]);
  assert.deepEqual(niceTicks(5, 5), [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]);
  assert.deepEqual(niceTicks(0, 0), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(NaN, 1), [0, 1]);
  for (const [lo, hi] of [[0.001, 0.0013], [-1e7, 3e7], [0.6931, 0.6932], [1, 2]]) {
    const t = niceTicks(lo, hi);
    assert.ok(t[0] <= lo && t.at(-1)! >= hi, `${lo}..${hi}: ${t}`);
    assert.ok(t.length >= 2 && t.length <= 12, `${lo}..${hi}: ${t}`);
  }
});

Deno.test("escapeXml: the five specials and characters XML cannot hold", () => {
  assert.equal(escapeXml(`a<b>&"c"'`), "a&lt;b&gt;&amp;&quot;c&quot;&apos;");
  assert.equal(escapeXml("x\u0000y\u001bz\tw"), "xyz\tw");
});

const tricky = `<loss & "β" 'π‖π_ref'>`;

Deno.test("lineChart: well-formed, names and labels present, deterministic", () => {
  const options = {
    title: `Title ${tricky}`,
    xLabel: "step",
    yLabel: "loss",
    series: [
      { name: "train", points: [[1, 0.69], [2, 0.6], [3, NaN], [4, 0.5], [5, 0.45]] as const },
      { name: `eval ${tricky}`, points: [[2, 0.65], [4, 0.55]] as const },
      { name: "lonely", points: [[3, 0.6]] as const, markers: false },
    ],
  };
  const svg = lineChart(options);
  const { elements, texts } = assertWellFormed(svg);
  const content = texts.map(unescape);
  for (const expected of ["train", `eval ${tricky}`, "lonely", "step", "loss", `Title ${tricky}`]) {
    assert.ok(content.includes(expected), expected);
  }
  // The NaN splits train in two polylines; eval is one; lonely's single point is a dot.
  assert.equal(elements.filter((e) => e === "polyline").length, 3);
  assert.ok(!svg.includes("NaN") && !svg.includes("Infinity"));
  assert.equal(lineChart(options), svg);
  assert.ok(svg.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<svg `));
  // Tick labels are round numbers.
  for (const label of ["0.45", "0.50", "0.55", "0.70"]) assert.ok(content.includes(label), label);
});

Deno.test("lineChart: empty, all-NaN and constant data still draw", () => {
  for (
    const series of [
      [],
      [{ name: "none", points: [] }],
      [{ name: "nan", points: [[NaN, NaN], [1, NaN], [Infinity, 2]] as [number, number][] }],
      [{ name: "flat", points: [[1, 0.5], [2, 0.5]] as [number, number][] }],
      [{ name: "one", points: [[7, 3]] as [number, number][] }],
    ]
  ) {
    const svg = lineChart({ title: "t", xLabel: "x", yLabel: "y", series });
    assertWellFormed(svg);
    assert.ok(!svg.includes("NaN") && !svg.includes("Infinity"), JSON.stringify(series));
    const empty = series.every((s) =>
      s.points.every(([x, y]) => !Number.isFinite(x) || !Number.isFinite(y))
    );
    assert.equal(svg.includes("no data"), empty);
  }
});

Deno.test("scatterChart and rewardKlChart: well-formed, labelled, deterministic", () => {
  const points = Array.from({ length: 30 }, (_, i) => ({
    step: 10 * (29 - i), // out of order on purpose
    kl: (29 - i) * 0.2,
    reward: 0.3 + 0.02 * (29 - i),
  }));
  points.push({ step: 999, kl: NaN, reward: 1 });
  const svg = rewardKlChart(points);
  const { elements, texts } = assertWellFormed(svg);
  const content = texts.map(unescape);
  assert.ok(content.includes("KL(π ‖ π_ref), nats per sequence"));
  assert.ok(content.includes("mean task reward"));
  assert.ok(content.includes("step 0") && content.includes("step 290"));
  assert.equal(elements.filter((e) => e === "circle").length, 30, "NaN point left out");
  assert.equal(elements.filter((e) => e === "title").length, 30, "a tooltip on each point");
  // 30 tooltips, 8 labels beside points, the two ends of the color scale.
  assert.equal(content.filter((t) => /^step \d+$/.test(t)).length, 30 + 8 + 2);
  assert.ok(!svg.includes("NaN"));
  assert.equal(rewardKlChart(points), svg);

  for (const pts of [[], [{ x: NaN, y: 1 }], [{ x: 1, y: 2, label: tricky }]]) {
    const s = scatterChart({ title: tricky, xLabel: tricky, yLabel: "y", points: pts });
    const parsed = assertWellFormed(s);
    assert.ok(parsed.texts.map(unescape).includes(tricky));
    assert.equal(s.includes("no data"), pts.every((p) => !Number.isFinite(p.x)));
  }
  assertWellFormed(rewardKlChart([]));
});

function fakeRun(steps: number): MetricsRow[] {
  const rows: MetricsRow[] = [];
  for (let step = 1; step <= steps; step++) {
    rows.push({
      step,
      epoch: step / steps,
      loss: 0.69 - 0.01 * step + (step % 3) * 0.005,
      "rewards/margins": 0.02 * step,
      "rewards/accuracies": Math.min(1, 0.5 + 0.03 * step),
    });
    if (step % 5 === 0) {
      rows.push({
        step,
        eval_loss: 0.7 - 0.01 * step,
        "eval_rewards/margins": 0.015 * step,
        "eval_rewards/accuracies": Math.min(1, 0.5 + 0.025 * step),
      });
    }
  }
  return rows;
}

Deno.test("writeTrainingCharts: three charts with train and eval series", async () => {
  const dir = await Deno.makeTempDir({ prefix: "metrics_test_" });
  const rows = fakeRun(20);
  rows.push({ step: 21, loss: null, "rewards/margins": 0.5 }); // a NaN loss: a gap
  const paths = await writeTrainingCharts(dir, rows);
  assert.deepEqual(paths, ["loss.svg", "margins.svg", "accuracy.svg"].map((f) => `${dir}/${f}`));
  assert.deepEqual(
    [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
    ["accuracy.svg", "loss.svg", "margins.svg"],
  );
  for (const path of paths) {
    const svg = await Deno.readTextFile(path);
    const content = assertWellFormed(svg).texts.map(unescape);
    for (const name of ["train", "train (smoothed 0.8)", "eval", "step"]) {
      assert.ok(content.includes(name), `${path}: ${name}`);
    }
    assert.ok(!svg.includes("NaN"));
  }
  const accuracy = assertWellFormed(await Deno.readTextFile(`${dir}/accuracy.svg`)).texts;
  assert.ok(accuracy.includes("0") && accuracy.includes("1.0"), "accuracy axis spans 0..1");

  // Deterministic: the same rows give the same bytes.
  const again = await Deno.makeTempDir({ prefix: "metrics_test_" });
  await writeTrainingCharts(again, rows);
  for (const f of ["loss.svg", "margins.svg", "accuracy.svg"]) {
    assert.deepEqual(await Deno.readFile(`${again}/${f}`), await Deno.readFile(`${dir}/${f}`));
  }
});

Deno.test("trainingCharts: few rows, no smoothing, no eval, no rows", () => {
  const few = trainingCharts(fakeRun(4));
  const loss = assertWellFormed(few[0].text).texts;
  assert.ok(loss.includes("train") && !loss.some((t) => t.startsWith("train (smoothed")));
  assert.ok(!loss.includes("eval"));
  const raw = trainingCharts(fakeRun(20), { smoothing: 0 });
  assert.ok(!raw[0].text.includes("smoothed"));
  for (const chart of trainingCharts([])) {
    assertWellFormed(chart.text);
    assert.ok(chart.text.includes("no data"));
  }
  const evalOnly = trainingCharts([{ step: 3, eval_loss: 0.5 }]);
  assert.ok(assertWellFormed(evalOnly[0].text).texts.includes("eval"));
});
