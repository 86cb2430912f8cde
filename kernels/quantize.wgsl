// Frozen weights held compactly (a LoRA run's base: `model.quantize`), expanded to float32 just
// before a product reads them. Nothing here has a backward: these weights never train.
//
// Formats of a weight of N elements in its row-major storage order, element i:
//   bf16 (KIND 0): words (⌈N/2⌉,) u32; element i is half (i & 1) of words[i / 2], the low half
//                  first; out[i] = bitcast<f32>(half << 16). Exact.
//   f16  (KIND 1): the same packing of IEEE binary16 halves, decoded by their bits (subnormals
//                  included, no flush): exact.
//   int8 (KIND 2): words (⌈N/4⌉,) u32; byte (i & 3) of words[i / 4], the lowest first, is a two's
//                  complement code q in [−127, 127]; scales (rows,) f32, a row's absmax / 127;
//                  out[i] = f32(q) · scales[i / cols] (one rounding).
//   nf4  (KIND 3): words (⌈N/8⌉,) u32; nibble (i & 7) of words[i / 8], the lowest first, indexes
//                  the 16 NormalFloat levels NF4 (QLoRA's; −1 … 1, 0 exact); scales (⌈N/64⌉,) f32,
//                  each block of 64 elements' absmax; out[i] = NF4[q] · scales[i / 64] (one
//                  rounding).
//
// One invocation per element of the launch: element i = first + j, j = gid.x + gid.y · row_stride
// (the grid splits over y past 65535 workgroups). A weight larger than one binding runs as
// pieces whose first element is a multiple of 65536: `words` and `out` are bound from the
// piece's start (j indexes them), `scales` whole (i indexes it).

struct Params {
  n: u32,          // elements in this launch
  first: u32,      // the weight's element index of this launch's first element
  cols: u32,       // int8: elements per row (the scales' row length)
  row_stride: u32, // invocations per row of workgroups
}

override KIND: u32 = 0u; // 0 bf16, 1 f16, 2 int8, 3 nf4
override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> words: array<u32>;       // the packed codes, from the piece's start
@group(0) @binding(2) var<storage, read> scales: array<f32>;      // int8: (rows,); nf4: (⌈N/64⌉,); else unread
@group(0) @binding(3) var<storage, read_write> out: array<f32>;   // (n,) float32 values

// The NF4 levels as float32 (the values bitsandbytes and the QLoRA paper list).
const NF4 = array<f32, 16>(
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
  -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
);

// IEEE binary16 bits → float32: normal, subnormal (m · 2⁻²⁴, exact in f32), ±0, ±inf, NaN.
fn half_to_f32(h: u32) -> f32 {
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 0u) {
    let v = f32(m) * 5.9604644775390625e-8; // 2⁻²⁴
    return select(v, -v, sign != 0u);
  }
  if (e == 31u) {
    return bitcast<f32>(sign | 0x7f800000u | (m << 13u));
  }
  return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
}

@compute @workgroup_size(WG)
fn dequantize(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x + gid.y * p.row_stride;
  if (j >= p.n) {
    return;
  }
  let i = p.first + j;
  if (KIND == 0u) {
    let w = words[j >> 1u];
    out[j] = bitcast<f32>(select(w << 16u, w & 0xffff0000u, (j & 1u) == 1u));
  } else if (KIND == 1u) {
    out[j] = half_to_f32((words[j >> 1u] >> ((j & 1u) * 16u)) & 0xffffu);
  } else if (KIND == 2u) {
    let q = bitcast<i32>(words[j >> 2u] << (24u - (j & 3u) * 8u)) >> 24u;
    out[j] = f32(q) * scales[i / p.cols];
  } else {
    let q = (words[j >> 3u] >> ((j & 7u) * 4u)) & 15u;
    out[j] = NF4[q] * scales[i >> 6u];
  }
}
