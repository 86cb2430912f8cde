import assert from "node:assert/strict";
import { createContext, pipeline, type Stage, step } from "../pipeline/stage.ts";

const parse: Stage<string, number, { radix: number }> = (s, o) =>
  Promise.resolve(parseInt(s, o.radix));
const scale: Stage<number, number, { by: number }> = (x, o) => Promise.resolve(x * o.by);
const show: Stage<number, string, Record<never, never>> = (x) => Promise.resolve(`=${x}`);

Deno.test("pipeline: composes bound stages in order", async () => {
  const run = pipeline(step(parse, { radix: 16 }), step(scale, { by: 2 }), step(show, {}));
  assert.equal(await run("ff", createContext()), "=510");
});

Deno.test("pipeline: stops between stages when aborted", async () => {
  const controller = new AbortController();
  let ran = 0;
  const abortAfterFirst: Stage<number, number, Record<never, never>> = (x) => {
    ran++;
    controller.abort(new Error("stopped by user"));
    return Promise.resolve(x);
  };
  const run = pipeline(step(abortAfterFirst, {}), step(abortAfterFirst, {}));
  await assert.rejects(
    () => run(1, createContext({ signal: controller.signal })),
    /stopped by user/,
  );
  assert.equal(ran, 1);
});

Deno.test("context: logger and progress are pluggable", () => {
  const lines: string[] = [];
  const ctx = createContext({
    logger: { info: (m) => lines.push(`i:${m}`), warn: (m) => lines.push(`w:${m}`) },
    progress: (label, total) => ({
      update: (done) => lines.push(`${label} ${done}/${total}`),
      end: () => lines.push(`${label} done`),
    }),
  });
  ctx.logger.info("a");
  ctx.logger.warn("b");
  const p = ctx.progress("train", 2);
  p.update(1);
  p.end();
  assert.deepEqual(lines, ["i:a", "w:b", "train 1/2", "train done"]);
});
