/**
 * Times the numbered matmul variants in this folder and the real launcher (plain, `beta: 1`,
 * with bias) and prints GFLOP/s per variant, transpose combination and shape (M×K×N): wall clock,
 * and CPU time of all threads ÷ core count, which other processes sharing the machine disturb
 * less. Each figure is the best of 7 submits of R dispatches, minus an empty submit, ÷ R.
 *
 * With `--ab`, the selected variants and the launcher are instead measured round by round at each
 * shape and transpose (5 rounds, best of 3 per round), so they share the machine's load, and each
 * variant's C is compared with the launcher's (relative error); min and median GFLOP/s are printed,
 * by wall clock and, where the device has `timestamp-query`, by GPU time (one timed pass of R
 * dispatches: on a fast GPU a 0.1 ms product is within the wall clock's spread, session 14).
 * Variants may read A or B from a uniform buffer or an `rgba32float` texture (`a`, `b` below) and
 * may run only some transposes (`only`).
 *
 * Usage: deno run -A bench/matmul_variants/bench.ts [--ab] [name-prefix ...]
 *        SHAPE='[512,512,512]' deno run -A bench/matmul_variants/bench.ts kernels
 *        SHAPE='[256,128,128]' deno run -A bench/matmul_variants/bench.ts --ab 18 24 25 26 27
 *
 * @module
 */
import { Gpu, type Tensor, uniforms } from "../../kernels/gpu.ts";
import { matmul } from "../../kernels/matmul.ts";

/** How a variant tiles C (columns and rows per workgroup) and reads its operands. */
interface Variant {
  file: string;
  colsPerGroup: number;
  rowsPerGroup: number;
  constants?: Record<string, number>;
  /** How A and B are bound: storage (default), uniform (≤ 64 KiB) or rgba32float texture. */
  a?: "storage" | "uniform" | "texture" | "windows";
  b?: "storage" | "uniform" | "texture";
  /** Transposes it runs (default all). */
  only?: string[];
  /** Reads operands as vec4f: M, K and N must be multiples of 4. */
  needs4?: boolean;
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
  {
    file: "24_b_vec4.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    constants: { WGY: 1 },
    only: ["NN", "TN"],
  },
  {
    file: "25_a_uniform.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    constants: { WGY: 1 },
    a: "uniform",
  },
  {
    file: "26_ab_textures_k4.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    constants: { WGY: 1 },
    a: "texture",
    b: "texture",
    only: ["NN"],
  },
  { file: "27_ab_vec4_k4.wgsl", colsPerGroup: 128, rowsPerGroup: 32, constants: { WGY: 1 } },
  { file: "28_tiled_k16_prefetch.wgsl", colsPerGroup: 128, rowsPerGroup: 128 },
  { file: "29_tiled_k16_prefetch_vec4.wgsl", colsPerGroup: 128, rowsPerGroup: 128, needs4: true },
  {
    file: "33_bc_vec4.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    constants: { WGY: 1 },
    only: ["NN", "TN"],
    needs4: true,
  },
  {
    file: "36_a_shared.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    only: ["NN", "TN"],
  },
  {
    file: "37_b_vec4_a_uniform.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    constants: { WGY: 1 },
    a: "uniform",
    only: ["NN", "TN"],
  },
  {
    file: "40_a_uniform_windows.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    constants: { WGY: 1 },
    a: "windows",
    only: ["NN"],
  },
  {
    file: "41_a_uniform_bt_vec4_k4.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    constants: { WGY: 1 },
    a: "uniform",
    only: ["NT"],
    needs4: true,
  },
  {
    file: "38_ab_vec4_ta.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    constants: { WGY: 1 },
    only: ["TN"],
    needs4: true,
  },
  {
    file: "39_a_vec4_k4.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 32,
    constants: { WGY: 1 },
    only: ["NN"],
    needs4: true,
  },
  { file: "30_tiled_v4.wgsl", colsPerGroup: 128, rowsPerGroup: 128, needs4: true },
  { file: "31_tiled_v4_unrolled.wgsl", colsPerGroup: 128, rowsPerGroup: 128, needs4: true },
  { file: "32_tiled_v4_two_stages.wgsl", colsPerGroup: 128, rowsPerGroup: 128, needs4: true },
  {
    file: "34_tiled_v4_two_stages_unrolled.wgsl",
    colsPerGroup: 128,
    rowsPerGroup: 128,
    needs4: true,
  },
  { file: "35_tiled_v4_64x128.wgsl", colsPerGroup: 128, rowsPerGroup: 64, needs4: true },
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
const AB = Deno.args.includes("--ab");
const filter = Deno.args.filter((a) => a !== "--ab");
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
 * Milliseconds of one dispatch: `reps` dispatches per submit (`run(count)` submits and waits),
 * minus an empty submit, each the best of `tries`. Besides wall time, CPU time (all threads)
 * divided by the core count, which other processes sharing the machine disturb less.
 */
async function perDispatch(
  run: (count: number) => Promise<void>,
  reps: number,
  tries: number,
): Promise<{ wall: number; cpu: number }> {
  const best = async (count: number) => {
    let wall = Infinity, cpu = Infinity;
    for (let i = 0; i < tries; i++) {
      const c0 = cpuNs(), t0 = performance.now();
      await run(count);
      wall = Math.min(wall, performance.now() - t0);
      cpu = Math.min(cpu, (cpuNs() - c0) / 1e6 / CORES);
    }
    return { wall, cpu };
  };
  const full = await best(reps), empty = await best(0);
  return { wall: (full.wall - empty.wall) / reps, cpu: (full.cpu - empty.cpu) / reps };
}

/** {@linkcode perDispatch} of an encoded launch, best of 7, after one warm-up (compiles). */
async function time(
  encode: (enc: ReturnType<Gpu["encoder"]>) => void,
  reps: number,
): Promise<{ wall: number; cpu: number }> {
  const run = (count: number) => {
    const enc = gpu.encoder();
    for (let j = 0; j < count; j++) encode(enc);
    gpu.submit(enc);
    return gpu.sync();
  };
  await run(1);
  return await perDispatch(run, reps, 7);
}

const todo: (Variant | "kernel" | "kernel+=" | "kernel+bias")[] = [
  ...VARIANTS,
  "kernel",
  "kernel+=",
  "kernel+bias",
];
if (AB) await abMode();
for (const v of AB ? [] : todo) {
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

/** Host operands of a shape: A stored (M, K) or (K, M), B (K, N) or (N, K); never zeros. */
function operands(
  m: number,
  k: number,
  n: number,
): { a: Float32Array<ArrayBuffer>; b: Float32Array<ArrayBuffer> } {
  const a = new Float32Array(m * k), b = new Float32Array(k * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(1.3 * i + 0.2);
  for (let i = 0; i < b.length; i++) b[i] = Math.cos(0.7 * i + 0.1);
  return { a, b };
}

/** `--ab`: the launcher and the selected variants, round by round (see the module header). */
/** One contender of `--ab`: R launches submitted and awaited; R launches timed on the GPU. */
interface Runner {
  name: string;
  run: (r: number) => Promise<void>;
  timed?: (r: number) => Promise<number>;
  err: number;
}

async function abMode(): Promise<void> {
  const dev = gpu.device, U = GPUBufferUsage;
  const selected = VARIANTS.filter((v) =>
    !filter.length || filter.some((f) => v.file.startsWith(f))
  );
  for (const [m, k, n] of SHAPES) {
    for (const t of ["NN", "NT", "TN", "TT"]) {
      const ta = t[0] === "T" ? 1 : 0, tb = t[1] === "T" ? 1 : 0;
      const host = operands(m, k, n);
      const a = gpu.upload(host.a, ta ? [k, m] : [m, k]),
        b = gpu.upload(host.b, tb ? [n, k] : [k, n]);
      const c = gpu.tensor([m, n]);
      const product = (enc: ReturnType<Gpu["encoder"]>) =>
        matmul(enc, { out: c, a, b, transA: ta === 1, transB: tb === 1 });
      const launch = (r: number) => {
        const enc = gpu.encoder();
        for (let i = 0; i < r; i++) product(enc);
        gpu.submit(enc);
        return gpu.sync();
      };
      /** GPU ms of `r` launches in one timed pass. */
      const launchTimed = async (r: number) => {
        const enc = gpu.encoder();
        enc.timed("ab", () => {
          for (let i = 0; i < r; i++) product(enc);
        });
        gpu.submit(enc);
        return (await enc.readTimings())[0].ms;
      };
      await launch(1);
      const [want] = await gpu.read([c]);
      const runners: Runner[] = [
        { name: "kernels/matmul.ts", run: launch, timed: launchTimed, err: 0 },
      ];
      const owned: { destroy(): void }[] = [];
      for (const v of selected) {
        if (v.only && !v.only.includes(t)) continue;
        if (v.a === "uniform" && m * k * 4 > 65536) continue;
        // "windows": A's rows in 8 uniform windows of WROWS rows (a multiple of 32), bindings 1
        // and 4 … 10, each starting on a 256-byte boundary.
        const wrows = Math.floor(16384 / (k * 32)) * 32, winStep = wrows * k * 4;
        if (v.a === "windows" && (wrows === 0 || m > 8 * wrows || winStep % 256)) continue;
        if (v.needs4 && (m % 4 || k % 4 || n % 4)) continue;
        if ((v.a === "texture" || v.b === "texture") && (k % 4 || n % 4)) continue;
        const code = await Deno.readTextFile(new URL(v.file, here));
        let windowsBuffer: GPUBuffer | undefined;
        const bind = (
          kind: Variant["a"],
          data: Float32Array<ArrayBuffer>,
          rows: number,
          cols: number,
        ): GPUBindingResource => {
          if (kind === "texture") {
            const tex = dev.createTexture({
              size: [cols / 4, rows],
              format: "rgba32float",
              usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
            });
            dev.queue.writeTexture({ texture: tex }, data, { bytesPerRow: cols * 4 }, [
              cols / 4,
              rows,
            ]);
            owned.push(tex);
            return tex.createView();
          }
          const uniform = kind === "uniform" || kind === "windows";
          const buf = dev.createBuffer({
            size: kind === "windows"
              ? Math.max(data.byteLength, 7 * winStep + 65536)
              : uniform
              ? 65536
              : data.byteLength,
            usage: (uniform ? U.UNIFORM : U.STORAGE) | U.COPY_DST,
          });
          dev.queue.writeBuffer(buf, 0, data);
          owned.push(buf);
          if (kind === "windows") windowsBuffer = buf;
          return kind === "windows" ? { buffer: buf, size: 65536 } : { buffer: buf };
        };
        const params = dev.createBuffer({ size: 80, usage: U.UNIFORM | U.COPY_DST });
        owned.push(params);
        dev.queue.writeBuffer(
          params,
          0,
          new Uint32Array(uniforms({
            m,
            n,
            k,
            lda: ta ? m : k,
            ldb: tb ? k : n,
            ldc: n,
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
          }, ["alpha", "beta"])),
        );
        const pipe = gpu.pipeline({ label: v.file, code, entryPoint: "main" }, {
          ...v.constants,
          ...(v.a === "windows" ? { WROWS: wrows } : {}),
          TA: ta,
          TB: tb,
        });
        const group = dev.createBindGroup({
          layout: pipe.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: params } },
            { binding: 1, resource: bind(v.a, host.a, ta ? k : m, ta ? m : k) },
            ...(v.a === "windows"
              ? [1, 2, 3, 4, 5, 6, 7].map((w) => ({
                binding: w + 3,
                resource: { buffer: windowsBuffer!, offset: w * winStep, size: 65536 },
              }))
              : []),
            { binding: 2, resource: bind(v.b, host.b, tb ? n : k, tb ? k : n) },
            {
              binding: 3,
              resource: { buffer: c.buffer, offset: c.byteOffset, size: c.byteLength },
            },
          ],
        });
        /** Encodes `r` dispatches in one pass (timestamped when `stamps` is given). */
        const encode = (r: number, stamps?: GPUQuerySet) => {
          const enc = dev.createCommandEncoder();
          const pass = enc.beginComputePass(
            stamps
              ? {
                timestampWrites: {
                  querySet: stamps,
                  beginningOfPassWriteIndex: 0,
                  endOfPassWriteIndex: 1,
                },
              }
              : {},
          );
          pass.setPipeline(pipe);
          pass.setBindGroup(0, group);
          for (let i = 0; i < r; i++) {
            pass.dispatchWorkgroups(Math.ceil(n / v.colsPerGroup), Math.ceil(m / v.rowsPerGroup));
          }
          pass.end();
          return enc;
        };
        const run = (r: number) => {
          dev.queue.submit([encode(r).finish()]);
          return dev.queue.onSubmittedWorkDone();
        };
        let timed: Runner["timed"];
        if (gpu.hasFeature("timestamp-query")) {
          const stamps = dev.createQuerySet({ type: "timestamp", count: 2 });
          const resolve = dev.createBuffer({ size: 16, usage: U.QUERY_RESOLVE | U.COPY_SRC });
          const readable = dev.createBuffer({ size: 16, usage: U.MAP_READ | U.COPY_DST });
          owned.push(stamps, resolve, readable);
          timed = async (r: number) => {
            const enc = encode(r, stamps);
            enc.resolveQuerySet(stamps, 0, 2, resolve, 0);
            enc.copyBufferToBuffer(resolve, 0, readable, 0, 16);
            dev.queue.submit([enc.finish()]);
            await readable.mapAsync(GPUMapMode.READ);
            const [t0, t1] = new BigUint64Array(readable.getMappedRange().slice(0));
            readable.unmap();
            return Number(t1 - t0) / 1e6;
          };
        }
        gpu.write(c, new Float32Array(m * n).fill(NaN));
        await run(1);
        const [got] = await gpu.read([c]);
        let e = 0, w = 0;
        for (let i = 0; i < got.length; i++) {
          e += (got[i] - want[i]) ** 2;
          w += want[i] ** 2;
        }
        runners.push({ name: v.file, run, timed, err: Math.sqrt(e / w) });
      }
      const reps = Math.max(2, Math.round(2e8 / (m * n * k)));
      const walls = runners.map(() => [] as number[]), cpus = runners.map(() => [] as number[]);
      const gpuMs = runners.map(() => [] as number[]);
      for (let round = 0; round < 5; round++) {
        for (const [i, r] of runners.entries()) {
          const t = await perDispatch(r.run, reps, 3);
          walls[i].push(t.wall);
          cpus[i].push(t.cpu);
          if (r.timed) {
            let best = Infinity;
            for (let j = 0; j < 3; j++) best = Math.min(best, await r.timed(reps));
            gpuMs[i].push(best / reps);
          }
        }
      }
      const gf = (ms: number) => (2 * m * n * k / ms / 1e6).toFixed(1);
      /** Best and median (of 5 rounds) as GFLOP/s. */
      const rates = (ms: number[]) => {
        const sorted = [...ms].sort((x, y) => x - y);
        return `best ${gf(sorted[0])} median ${gf(sorted[2])}`;
      };
      for (const [i, r] of runners.entries()) {
        const stamped = gpuMs[i].length ? ` gpu ${rates(gpuMs[i])}` : "";
        console.log(
          `${t} ${m}x${k}x${n} ${r.name.padEnd(24)} GFLOP/s ${rates(walls[i])}${stamped} cpu ${
            gf(Math.min(...cpus[i]))
          }  rel. error vs launcher ${r.err.toExponential(1)}`,
        );
      }
      for (const o of owned) o.destroy();
      for (const x of [a, b, c]) x.release();
    }
  }
}
