# GPU matmul variants (28-29), successors of kernels/matmul.wgsl's matmul_tiled, for hardware
# adapters. Run from this folder: python3 gen_gpu.py
# Both: 256 invocations own a 128 x 128 block of C (8 x 8 outputs each, as matmul_tiled), K in
# steps of 16 (matmul_tiled: 8, so half the barriers), the transposes as override constants TA/TB
# (matmul_tiled: uniforms), and register prefetch: the next step's 16 operand values are loaded
# into registers before this step's 1024 FMAs, so their latency hides behind the arithmetic.
# 28: operands read as f32 (any shape).
# 29: operands read as vec4f (M, K, N, leading dimensions and offsets multiples of 4).
from gen_kernel import fma_block

# The variants' Params (this folder's layout) and transposes, shared with gen_gpu2.py.
PARAMS = """struct Params {
  m: u32, n: u32, k: u32,
  lda: u32, ldb: u32, ldc: u32,
  off_a: u32, off_b: u32, off_c: u32, off_bias: u32,
  stride_a: u32, stride_b: u32, stride_c: u32,
  batch: u32, z_base: u32,
  alpha: f32, beta: f32,
}
override TA: u32 = 0u;
override TB: u32 = 0u;
@group(0) @binding(0) var<uniform> p: Params;
"""

HEAD = PARAMS + """@group(0) @binding(1) var<storage, read> a: array<ELEM>;
@group(0) @binding(2) var<storage, read> b: array<ELEM>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// op(A)[128 rows, 16 k] and op(B)[16 k, 128 columns], k-major: element (k, r) at [k * 32 + r / 4][r % 4].
var<workgroup> tile_a: array<vec4f, 512>;
var<workgroup> tile_b: array<vec4f, 512>;
"""

# α·v written to up to 4 columns of row r (the variants have no bias or accumulation).
STORE_QUAD = """fn store_quad(oc: u32, r: u32, col: u32, v: vec4f) {
  if (r >= p.m) {
    return;
  }
  let at = oc + r * p.ldc + col;
  let w = p.alpha * v;
  if (col < p.n) { c[at] = w.x; }
  if (col + 1u < p.n) { c[at + 1u] = w.y; }
  if (col + 2u < p.n) { c[at + 2u] = w.z; }
  if (col + 3u < p.n) { c[at + 3u] = w.w; }
}
"""


def loader(name, v4):
    """fn load_<name>: the 8 values this invocation stages of the operand tile at k0.
    Operand X is A (rows M) or B (columns N); `t` says whether it is stored with the tile's rows
    contiguous (TA = 1 for A, TB = 0 for B) or k contiguous."""
    X, R, T, ld, off, stride = ("a", "p.m", "TA == 1u", "p.lda", "p.off_a", "p.stride_a") if name == "a" \
        else ("b", "p.n", "TB == 0u", "p.ldb", "p.off_b", "p.stride_b")
    L = [f"// The 8 values of op({X.upper()})'s tile at k0 that invocation lid stages (zeros outside the matrix).",
         f"fn load_{name}(lid: u32, blk: u32, k0: u32, z: u32) -> array<vec4f, 2> {{",
         f"  let base = {off} + z * {stride};",
         f"  var out: array<vec4f, 2>;",
         f"  if ({T}) {{",
         f"    // rows contiguous: k = lid / 16, rows 8·(lid % 16) + 0..7",
         f"    let k = k0 + lid / 16u;",
         f"    let r = blk + (lid % 16u) * 8u;",
         f"    let at = base + min(k, p.k - 1u) * {ld};"]
    if v4:
        L += [f"    for (var q = 0u; q < 2u; q++) {{",
              f"      let rq = r + 4u * q;",
              f"      let v = {X}[(at + min(rq, {R} - 4u)) / 4u];",
              f"      out[q] = select(vec4f(0.0), v, k < p.k && rq < {R});",
              f"    }}"]
    else:
        L += [f"    for (var q = 0u; q < 2u; q++) {{",
              f"      var v = vec4f(0.0);",
              f"      for (var e = 0u; e < 4u; e++) {{",
              f"        let re = r + 4u * q + e;",
              f"        let x = {X}[at + min(re, {R} - 1u)];",
              f"        v[e] = select(0.0, x, k < p.k && re < {R});",
              f"      }}",
              f"      out[q] = v;",
              f"    }}"]
    L += [f"  }} else {{",
          f"    // k contiguous: row lid / 2, k = k0 + 8·(lid % 2) + 0..7",
          f"    let r = blk + lid / 2u;",
          f"    let k = k0 + (lid % 2u) * 8u;",
          f"    let at = base + min(r, {R} - 1u) * {ld};"]
    if v4:
        L += [f"    for (var q = 0u; q < 2u; q++) {{",
              f"      let kq = k + 4u * q;",
              f"      let v = {X}[(at + min(kq, p.k - 4u)) / 4u];",
              f"      out[q] = select(vec4f(0.0), v, r < {R} && kq < p.k);",
              f"    }}"]
    else:
        L += [f"    for (var q = 0u; q < 2u; q++) {{",
              f"      var v = vec4f(0.0);",
              f"      for (var e = 0u; e < 4u; e++) {{",
              f"        let ke = k + 4u * q + e;",
              f"        let x = {X}[at + min(ke, p.k - 1u)];",
              f"        v[e] = select(0.0, x, r < {R} && ke < p.k);",
              f"      }}",
              f"      out[q] = v;",
              f"    }}"]
    L += [f"  }}",
          f"  return out;",
          f"}}",
          f"",
          f"fn store_{name}(lid: u32, v: array<vec4f, 2>) {{",
          f"  if ({T}) {{",
          f"    let at = (lid / 16u) * 32u + (lid % 16u) * 2u;",
          f"    tile_{name}[at] = v[0];",
          f"    tile_{name}[at + 1u] = v[1];",
          f"  }} else {{",
          f"    let r = lid / 2u;",
          f"    let k = (lid % 2u) * 8u;",
          f"    for (var q = 0u; q < 2u; q++) {{",
          f"      for (var e = 0u; e < 4u; e++) {{",
          f"        tile_{name}[(k + 4u * q + e) * 32u + r / 4u][r % 4u] = v[q][e];",
          f"      }}",
          f"    }}",
          f"  }}",
          f"}}",
          ""]
    return "\n".join(L)


def main_fn():
    L = ["@compute @workgroup_size(256)",
         "fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {",
         "  let row0 = wid.y * 128u;",
         "  let col0 = wid.x * 128u;",
         "  let z = wid.z;",
         "  let tx = lid % 16u;",
         "  let ty = lid / 16u;"]
    for i in range(8):
        for j in range(2):
            L.append(f"  var c{i}_{j} = vec4f(0.0);")
    L += ["  var ra = load_a(lid, row0, 0u, z);",
          "  var rb = load_b(lid, col0, 0u, z);",
          "  for (var k0 = 0u; k0 < p.k; k0 += 16u) {",
          "    store_a(lid, ra);",
          "    store_b(lid, rb);",
          "    workgroupBarrier();",
          "    if (k0 + 16u < p.k) {",
          "      ra = load_a(lid, row0, k0 + 16u, z);",
          "      rb = load_b(lid, col0, k0 + 16u, z);",
          "    }",
          "    for (var kk = 0u; kk < 16u; kk++) {"]
    L += fma_block("      ", "tile_a", "tile_b", "kk * 32u")
    L += ["    }",
          "    workgroupBarrier();",
          "  }",
          "  let oc = p.off_c + z * p.stride_c;"]
    for i in range(8):
        r = f"row0 + {64 * (i // 4)}u + ty * 4u + {i % 4}u"
        L.append(f"  store_quad(oc, {r}, col0 + tx * 4u, c{i}_0);")
        L.append(f"  store_quad(oc, {r}, col0 + 64u + tx * 4u, c{i}_1);")
    L += ["}", "", STORE_QUAD]
    return "\n".join(L)


if __name__ == "__main__":
    for num, name, v4, title in [
        (28, "28_tiled_k16_prefetch.wgsl", False,
         "128 x 128 blocks, K steps of 16, register prefetch, TA/TB overrides, f32 loads"),
        (29, "29_tiled_k16_prefetch_vec4.wgsl", True,
         "variant 28 with vec4f loads (M, K, N, leading dimensions, offsets multiples of 4)"),
    ]:
        text = f"// Variant {num} (GPUs): {title}.\n" + HEAD.replace("ELEM", "vec4f" if v4 else "f32") \
            + "\n" + loader("a", v4) + "\n" + loader("b", v4) + "\n" + main_fn()
        open(name, "w").write(text)
