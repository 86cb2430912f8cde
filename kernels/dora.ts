/**
 * DoRA's per-output pieces: row norms of the adapted weight, the output's column scale g = m/‖V‖
 * (with the bias), and the magnitude's gradient. See `dora.wgsl` for the math and layouts.
 *
 * @module
 */
import code from "./dora.wgsl" with { type: "text" };
import { CPU_LOOP_BUDGET, type Encoder, grid1d, type Tensor, uniforms } from "./gpu.ts";

const WG = 256;
const kernel = (entryPoint: string) => ({ label: "dora", code, entryPoint });
const ROW_NORMS = kernel("row_norms");
const SCALE_COLS = kernel("scale_cols");
const COL_DOTS = kernel("col_dots");
const COL_NORMS = kernel("column_norms");

/**
 * Row ranges [r0, rows) of a (R, cols) f32 matrix whose pieces each fit one storage binding and
 * start at a bindable offset (r0 a multiple of minStorageBufferOffsetAlignment / 4, so every
 * (·, cols) and (·,) view at row r0 is aligned).
 */
function rowChunks(
  enc: Encoder,
  rows: number,
  cols: number,
  what: string,
  maxRows = Infinity,
): [number, number][] {
  const limit = enc.gpu.limits.maxStorageBufferBindingSize;
  const align = enc.gpu.limits.minStorageBufferOffsetAlignment / 4;
  if (rows * cols * 4 <= limit && rows <= maxRows) return [[0, rows]];
  const step = Math.floor(Math.min(limit / (cols * 4), maxRows) / align) * align;
  if (step < 1) throw new RangeError(`${what}: rows of ${cols} values exceed one binding`);
  const out: [number, number][] = [];
  for (let r0 = 0; r0 < rows; r0 += step) out.push([r0, Math.min(step, rows - r0)]);
  return out;
}

/** A (rows, cols) piece of a row-major tensor at row r0 (a (rows,) one for a vector). */
const piece = (t: Tensor, r0: number, rows: number, cols: number) =>
  t.view(r0 * cols, cols === 1 ? [rows] : [rows, cols]);

function launch(
  enc: Encoder,
  k: typeof ROW_NORMS,
  n: number,
  p: { rows: number; cols: number; alpha?: number; hasBias?: boolean; perRow?: boolean },
  bindings: Tensor[],
): void {
  const [gx, gy] = grid1d(n, WG, enc.gpu.limits.maxComputeWorkgroupsPerDimension);
  enc.dispatch({
    kernel: k,
    constants: { WG },
    uniforms: uniforms({
      rows: p.rows,
      cols: p.cols,
      row_stride: gx * WG,
      alpha: p.alpha ?? 1,
      has_bias: p.hasBias ? 1 : 0,
      per_row: p.perRow ? 1 : 0,
    }, ["alpha"]),
    bindings,
    workgroups: [gx, gy],
  });
}

/**
 * Encodes `nrm[o] = ‖v[o, :]‖` for a (O, I) matrix.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { doraRowNorms } from "./dora.ts";
 * const gpu = await Gpu.create();
 * const v = gpu.upload(new Float32Array([3, 4, 0, 1]), [2, 2]), nrm = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * doraRowNorms(enc, { v, nrm }); // [5, 1]
 * gpu.submit(enc);
 * ```
 */
export function doraRowNorms(enc: Encoder, args: { v: Tensor; nrm: Tensor }): void {
  const [o, i] = args.v.shape;
  if (args.nrm.size !== o) throw new RangeError(`doraRowNorms: nrm needs ${o} values`);
  if (enc.gpu.isCpu && i > CPU_LOOP_BUDGET) {
    throw new RangeError(`doraRowNorms: rows of ${i} exceed a CPU adapter's loop budget`);
  }
  for (const [r0, rows] of rowChunks(enc, o, i, "doraRowNorms")) {
    launch(enc, ROW_NORMS, rows, { rows, cols: i }, [
      piece(args.v, r0, rows, i),
      piece(args.nrm, r0, rows, 1),
    ]);
  }
}

/**
 * Encodes `nrm[o] = ‖v[:, o]‖` for a (I, O) matrix (a weight stored (in, out): GPT-2's Conv1D).
 * The matrix is bound whole.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { doraColNorms } from "./dora.ts";
 * const gpu = await Gpu.create();
 * const v = gpu.upload(new Float32Array([3, 0, 4, 1]), [2, 2]), nrm = gpu.tensor([2]);
 * const enc = gpu.encoder();
 * doraColNorms(enc, { v, nrm }); // [5, 1]
 * gpu.submit(enc);
 * ```
 */
export function doraColNorms(enc: Encoder, args: { v: Tensor; nrm: Tensor }): void {
  const [i, o] = args.v.shape;
  if (args.nrm.size !== o) throw new RangeError(`doraColNorms: nrm needs ${o} values`);
  if (enc.gpu.isCpu && i > CPU_LOOP_BUDGET) {
    throw new RangeError(`doraColNorms: columns of ${i} exceed a CPU adapter's loop budget`);
  }
  if (args.v.byteLength > enc.gpu.limits.maxStorageBufferBindingSize) {
    throw new RangeError(`doraColNorms: a (${i}, ${o}) weight exceeds one storage binding`);
  }
  launch(enc, COL_NORMS, o, { rows: i, cols: o }, [args.v, args.nrm]);
}

/**
 * Encodes, in place, `x[n, o] = α·x[n, o]·m[o]/nrm[o] (+ bias[o])` over a (N, O) tensor; with
 * `perRow`, `x[o, i] = α·x[o, i]·m[o]/nrm[o]` over a (O, I) one (a merged DoRA weight).
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { doraScaleColumns } from "./dora.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 1, 2, 2]), [2, 2]);
 * const m = gpu.upload(new Float32Array([2, 3])), nrm = gpu.upload(new Float32Array([1, 3]));
 * const enc = gpu.encoder();
 * doraScaleColumns(enc, { x, m, nrm }); // [[2, 1], [4, 2]]
 * gpu.submit(enc);
 * ```
 */
export function doraScaleColumns(
  enc: Encoder,
  args: { x: Tensor; m: Tensor; nrm: Tensor; bias?: Tensor; alpha?: number; perRow?: boolean },
): void {
  const [n, o] = args.x.shape, scaled = args.perRow ? n : o;
  for (const t of [args.m, args.nrm, args.bias]) {
    if (t && t.size !== scaled) {
      throw new RangeError(`doraScaleColumns: "${t.label}" needs ${scaled} values`);
    }
  }
  // (Split by rows where x passes one binding: per row, m and nrm are split alike.)
  for (const [r0, rows] of rowChunks(enc, n, o, "doraScaleColumns")) {
    const vec = (t: Tensor) => args.perRow ? piece(t, r0, rows, 1) : t;
    launch(
      enc,
      SCALE_COLS,
      rows * o,
      { rows, cols: o, alpha: args.alpha, hasBias: !!args.bias, perRow: args.perRow },
      [piece(args.x, r0, rows, o), vec(args.m), vec(args.nrm), vec(args.bias ?? args.m)],
    );
  }
}

/**
 * Encodes `dm[o] += α·Σ_n dy[n, o]·z[n, o] / nrm[o]`, the magnitude's gradient.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { doraMagnitudeGrad } from "./dora.ts";
 * const gpu = await Gpu.create();
 * const t = (...v: number[]) => gpu.upload(new Float32Array(v));
 * const dy = gpu.upload(new Float32Array([1, 2]), [1, 2]), z = gpu.upload(new Float32Array([3, 4]), [1, 2]);
 * const dm = t(0, 0), nrm = t(1, 2);
 * const enc = gpu.encoder();
 * doraMagnitudeGrad(enc, { dy, z, nrm, dm }); // dm = [3, 4]
 * gpu.submit(enc);
 * ```
 */
export function doraMagnitudeGrad(
  enc: Encoder,
  args: { dy: Tensor; z: Tensor; nrm: Tensor; dm: Tensor; alpha?: number },
): void {
  const [n, o] = args.dy.shape;
  if (args.z.size !== n * o || args.nrm.size !== o || args.dm.size !== o) {
    throw new RangeError(`doraMagnitudeGrad: z (${n}, ${o}), nrm and dm (${o},) expected`);
  }
  // (Split by rows where dy passes one binding, or a CPU adapter's loop budget: each piece adds
  // its rows' part to dm.)
  const most = enc.gpu.isCpu ? CPU_LOOP_BUDGET : Infinity;
  for (const [r0, rows] of rowChunks(enc, n, o, "doraMagnitudeGrad", most)) {
    launch(enc, COL_DOTS, o, { rows, cols: o, alpha: args.alpha }, [
      piece(args.dy, r0, rows, o),
      piece(args.z, r0, rows, o),
      args.nrm,
      args.dm,
    ]);
  }
}
