/**
 * Times the numbered matmul variants in this folder and the real launcher (plain, `beta: 1`,
 * with bias) and prints GFLOP/s per variant, transpose combination and shape (M×K×N): wall clock,
 * and CPU time of all threads ÷ core count, which other processes sharing the machine disturb
 * less. Each figure is the best of 7 submits of R dispatches, minus an empty submit, ÷ R.
 *
 * Usage: deno run -A bench/matmul_variants/bench.ts [name-prefix ...]
 *        SHAPE='[512,512,512]' deno run -A bench/matmul_variants/bench.ts kernels
 *
 * @module
 */
import { Gpu, type Tensor, uniforms } from "../../kernels/gpu.ts";
import { matmul } from "../../kernels/matmul.ts";

/** How a variant tiles C: columns and rows per workgroup. */
interface Variant {
  file: string;
  colsPerGroup: number;
  rowsPerGroup: number;
  constants?: Record<string, number>;
}

const VARIANTS: Variant[] = [
  { file: "01_perlane_4x4.wgsl", colsPerGroup: 32, rowsPerGroup: 32 },
  { file: "02_uniform_rows_r4.wgsl", colsPerGroup: 256, rowsPerGroup: 4, constants: { WG: 64 } },
  { file: "03_uniform_rows_r8.wgsl", colsPerGroup: 256, rowsPerGroup: 8, constants: { WG: 64 } },
  { file: "04_uniform_rows_r8_c8.wgsl", colsPerGroup: 512, rowsPerGroup: 8, constants: { WG: 64 } },
  { file: "06_uniform_rows_r4_c8.wgsl", colsPerGroup: 512, rowsPerGroup: 4, constants: { WG: 64 } },
  { file: "07_perlane_8x8.wgsl", colsPerGroup: 64, rowsPerGroup: 64 },
  { file: "11_perlane_8x4.wgsl", colsPerGroup: 32, rowsPerGroup: 64 },
  { file: "12_perlane_4x8.wgsl", colsPerGroup: 64, rowsPerGroup: 32 },
  { file: "13_perlane_8x8_unroll4.wgsl", colsPerGroup: 64, rowsPerGroup: 64 },
  { file: "14_perlane_8x16.wgsl", colsPerGroup: 128, rowsPerGroup: 64 },
  { file: "15_perlane_16x8.wgsl", colsPerGroup: 64, rowsPerGroup: 128 },
  { file: "16_perlane_12x8.wgsl", colsPerGroup: 64, rowsPerGroup: 96 },
  { file: "17_perlane_16x16.wgsl", colsPerGroup: 128, rowsPerGroup: 128 },
  { file: "17_perlane_16x16.wgsl", colsPerGroup: 128, rowsPerGroup: 32, constants: { WGY: 2 } },
  { file: "17_perlane_16x16.wgsl", colsPerGroup: 128, rowsPerGroup: 16, constants: { WGY: 1 } },
  { file: "18_perlane_32x16.wgsl", colsPerGroup: 128, rowsPerGroup: 64, constants: { WGY: 2 } },
  { file: "18_perlane_32x16.wgsl", colsPerGroup: 128, rowsPerGroup: 32, constants: { WGY: 1 } },
  { file: "21_perlane_32x32.wgsl", colsPerGroup: 256, rowsPerGroup: 32, constants: { WGY: 1 } },
  { file: "22_perlane_64x16.wgsl", colsPerGroup: 128, rowsPerGroup: 64, constants: { WGY: 1 } },
  { file: "23_perlane_32x8.wgsl", colsPerGroup: 64, rowsPerGroup: 32, constants: { WGY: 1 } },
  { file: "19_perlane_16x32.wgsl", colsPerGroup: 256, rowsPerGroup: 32, constants: { WGY: 2 } },
  { file: "20_perlane_24x24.wgsl", colsPerGroup: 192, rowsPerGroup: 48, constants: { WGY: 2 } },
  { file: "15_perlane_16x8.wgsl", colsPerGroup: 64, rowsPerGroup: 32, constants: { WGY: 2 } },
  { file: "15_perlane_16x8.wgsl", colsPerGroup: 64, rowsPerGroup: 16, constants: { WGY: 1 } },
  {
    file: "08_uniform_r8_c8_unroll4.wgsl",
    colsPerGroup: 512,
    rowsPerGroup: 8,
    constants: { WG: 64 },
  },
  {
    file: "10_uniform_r8_c8_vec4b.wgsl",
    colsPerGroup: 512,
    rowsPerGroup: 8,
    constants: { WG: 64 },
  },
  {
    file: "09_uniform_r4_c4_unroll4.wgsl",
    colsPerGroup: 256,
    rowsPerGroup: 4,
    constants: { WG: 64 },
  },
];

const SHAPES: [number, number, number][] = Deno.env.get("SHAPE")
  ? [JSON.parse(Deno.env.get("SHAPE")!)]
  : [[256, 256, 256], [512, 512, 512], [256, 128, 384], [
    256,
    512,
    128,
  ]];

const gpu = await Gpu.create();
const CORES = navigator.hardwareConcurrency;
const filter = Deno.args;
const here = new URL(".", import.meta.url);

/** CPU nanoseconds used by all threads of this process so far (llvmpipe's workers included). */
function cpuNs(): number {
  let total = 0;
  for (const e of Deno.readDirSync("/proc/self/task")) {
    try {
      total += Number(Deno.readTextFileSync(`/proc/self/task/${e.name}/schedstat`).split(" ")[0]);
    } catch { /* thread ended */ }
  }
  return total;
}

/**
 * Milliseconds of one dispatch: R dispatches per submit, minus an empty submit, min over 7 tries.
 * Besides wall time, CPU time (all threads) divided by the core count, which other processes
 * sharing the machine disturb less.
 */
async function time(
  encode: (enc: ReturnType<Gpu["encoder"]>) => void,
  reps: number,
): Promise<{ wall: number; cpu: number }> {
  const measure = async (r: number) => {
    let wall = Infinity, cpu = Infinity;
    for (let i = 0; i < 7; i++) {
      const c0 = cpuNs(), t0 = performance.now();
      const enc = gpu.encoder();
      for (let j = 0; j < r; j++) encode(enc);
      gpu.submit(enc);
      await gpu.sync();
      wall = Math.min(wall, performance.now() - t0);
      cpu = Math.min(cpu, (cpuNs() - c0) / 1e6 / CORES);
    }
    return { wall, cpu };
  };
  await measure(1); // compiles the pipeline and warms up
  const full = await measure(reps), empty = await measure(0);
  return { wall: (full.wall - empty.wall) / reps, cpu: (full.cpu - empty.cpu) / reps };
}

const todo: (Variant | "kernel" | "kernel+=" | "kernel+bias")[] = [
  ...VARIANTS,
  "kernel",
  "kernel+=",
  "kernel+bias",
];
for (const v of todo) {
  const name = typeof v === "string"
    ? `kernels/matmul.ts ${v}`
    : `${v.file} ${JSON.stringify(v.constants ?? {})}`;
  if (filter.length && !filter.some((f) => name.startsWith(f))) continue;
  let code = "";
  if (typeof v !== "string") {
    try {
      code = await Deno.readTextFile(new URL(v.file, here));
    } catch {
      continue;
    }
  }
  const cells: string[] = [];
  for (const [m, k, n] of SHAPES) {
    for (const [ta, tb] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      if (typeof v !== "string" && v.file.startsWith("10") && tb) continue;
      const a = gpu.tensor([m * k]), b = gpu.tensor([k * n]), c = gpu.tensor([m * n]);
      const bias = gpu.tensor([n]);
      gpu.write(c, new Float32Array(m * n).fill(0));
      gpu.write(a, new Float32Array(m * k).fill(0.5));
      gpu.write(b, new Float32Array(k * n).fill(0.25));
      const run = (enc: ReturnType<Gpu["encoder"]>) => {
        if (typeof v === "string") {
          matmul(enc, {
            beta: v === "kernel+=" ? 1 : 0,
            bias: v === "kernel+bias" ? bias : undefined,
            out: c.view(0, [m, n]),
            a: a.view(0, ta ? [k, m] : [m, k]),
            b: b.view(0, tb ? [n, k] : [k, n]),
            transA: ta === 1,
            transB: tb === 1,
          });
        } else dispatchVariant(enc, v, code, { m, n, k, ta, tb }, [a, b, c]);
      };
      const { wall: ms, cpu } = await time(run, Math.max(2, Math.round(2e8 / (m * n * k))));
      cells.push(
        `${ms.toFixed(2)}ms ${m}x${k}x${n} ${ta ? "T" : "N"}${tb ? "T" : "N"} ${
          (2 * m * n * k / ms / 1e6).toFixed(2)
        } cpu ${(2 * m * n * k / cpu / 1e6).toFixed(2)}`,
      );
      for (const t of [a, b, c, bias]) t.release();
    }
  }
  console.log(`${name}\n  ${cells.join("\n  ")}`);
}

function dispatchVariant(
  enc: ReturnType<Gpu["encoder"]>,
  v: Variant,
  code: string,
  s: { m: number; n: number; k: number; ta: number; tb: number },
  [a, b, c]: Tensor[],
): void {
  enc.dispatch({
    kernel: { label: v.file, code, entryPoint: "main" },
    constants: { ...v.constants, TA: s.ta, TB: s.tb },
    uniforms: uniforms({
      m: s.m,
      n: s.n,
      k: s.k,
      lda: s.ta ? s.m : s.k,
      ldb: s.tb ? s.k : s.n,
      ldc: s.n,
      off_a: 0,
      off_b: 0,
      off_c: 0,
      off_bias: 0,
      stride_a: 0,
      stride_b: 0,
      stride_c: 0,
      batch: 1,
      z_base: 0,
      alpha: 1,
      beta: 0,
    }, ["alpha", "beta"]),
    bindings: [a, b, c],
    workgroups: [Math.ceil(s.n / v.colsPerGroup), Math.ceil(s.m / v.rowsPerGroup), 1],
  });
}
