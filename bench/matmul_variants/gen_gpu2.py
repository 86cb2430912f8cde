# GPU matmul variants 30-32 and 34-35, derived from kernels/matmul.wgsl's matmul_tiled_v4 (its
# staging helpers as gen_kernel.py writes them), in this folder's variant layout (Params without rows_fast,
# bias and ACC; column blocks on the fast grid axis). Run from this folder: python3 gen_gpu2.py
# 30: matmul_tiled_v4 as it stood in session 5 (the k loop of a step written as a loop).
# 31: 30 with the 16-step k loop unrolled in the source (constant tile offsets, no loop counter);
#     kernels/matmul.wgsl's matmul_tiled_v4 since session 6.
# 32: 30 with two workgroup-memory stages (32 KiB): the prefetched registers go to the stage the
#     next step reads while this step computes from the other, so one barrier per K step, not two.
# 34: 32 with the k loop unrolled (31 and 32 together).
# 35: 31 with blocks of 64 × 128 (128 invocations, still 8 × 8 outputs each): twice the
#     workgroups, for products a 128 × 128 grid leaves just past a whole wave (2048×768×2304:
#     288 blocks of 128 × 128 for 264 slots of an H200, 576 of 64 × 128).
import re

from gen_gpu import PARAMS, STORE_QUAD
from gen_kernel import fma_block, staging

src = open("../../kernels/matmul.wgsl").read()
lanes = src[src.index("// Which of the 4 elements from i on lie below n."):]
lanes = lanes[:lanes.index("\n}\n") + 3]
(load_a, store_a), (load_b, store_b) = staging("a", 32), staging("b", 32)
helpers = lanes + "\n" + load_a + "\n\n" + load_b + "\n\n"
stores = store_a + "\n\n" + store_b + "\n\n"

HEAD = PARAMS + """@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// 16 k, element (k, r) at [k * 32 + r / 4][r % 4] (variant 32: two such stages, 512 apart).
var<workgroup> tile_a16: array<vec4f, STAGE_SIZE>;
var<workgroup> tile_b16: array<vec4f, STAGE_SIZE>;
"""


def fmas(indent, base):
    return fma_block(indent, "tile_a16", "tile_b16", base)


def entry(kind):
    L = ["@compute @workgroup_size(256)",
         "fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {",
         "  let row0 = wid.y * 128u;",
         "  let col0 = wid.x * 128u;",
         "  let tx = lid % 16u;",
         "  let ty = lid / 16u;",
         "  let oa = p.off_a + wid.z * p.stride_a;",
         "  let ob = p.off_b + wid.z * p.stride_b;"]
    for i in range(8):
        for h in range(2):
            L.append(f"  var c{i}_{h} = vec4f(0.0);")
    L += ["  var ra = load_a16(lid, oa, row0, 0u);",
          "  var rb = load_b16(lid, ob, col0, 0u);"]
    if kind in (32, 34):
        L += ["  store_a16(lid, ra, 0u);",
              "  store_b16(lid, rb, 0u);",
              "  workgroupBarrier();",
              "  var stage = 0u;",
              "  for (var k0 = 0u; k0 < p.k; k0 += 16u) {",
              "    let more = k0 + 16u < p.k;",
              "    if (more) {",
              "      ra = load_a16(lid, oa, row0, k0 + 16u);",
              "      rb = load_b16(lid, ob, col0, k0 + 16u);",
              "    }",
              "    let s0 = stage * 512u;"]
        if kind == 34:
            for kk in range(16):
                L.append(f"    {{ // kk = {kk}")
                L += fmas("      ", f"s0 + {kk * 32}u")
                L.append("    }")
        else:
            L.append("    for (var kk = 0u; kk < 16u; kk++) {")
            L += fmas("      ", "s0 + kk * 32u")
            L.append("    }")
        L += ["    // The other stage was last read before the previous step's barrier.",
              "    if (more) {",
              "      store_a16(lid, ra, 512u - s0);",
              "      store_b16(lid, rb, 512u - s0);",
              "    }",
              "    workgroupBarrier();",
              "    stage = 1u - stage;",
              "  }"]
    else:
        L += ["  for (var k0 = 0u; k0 < p.k; k0 += 16u) {",
              "    store_a16(lid, ra, 0u);",
              "    store_b16(lid, rb, 0u);",
              "    workgroupBarrier();",
              "    if (k0 + 16u < p.k) {",
              "      ra = load_a16(lid, oa, row0, k0 + 16u);",
              "      rb = load_b16(lid, ob, col0, k0 + 16u);",
              "    }"]
        if kind == 31:
            for kk in range(16):
                L.append(f"    {{ // kk = {kk}")
                L += fmas("      ", f"{kk * 32}u")
                L.append("    }")
        else:
            L.append("    for (var kk = 0u; kk < 16u; kk++) {")
            L += fmas("      ", "kk * 32u")
            L.append("    }")
        L += ["    workgroupBarrier();",
              "  }"]
    L.append("  let oc = p.off_c + wid.z * p.stride_c;")
    for i in range(8):
        r = f"row0 + {64 * (i // 4)}u + ty * 4u + {i % 4}u"
        L.append(f"  store_quad(oc, {r}, col0 + tx * 4u, c{i}_0);")
        L.append(f"  store_quad(oc, {r}, col0 + 64u + tx * 4u, c{i}_1);")
    L.append("}")
    return "\n".join(L)


def staged_stores():
    # The kernel's store helpers with a stage offset `s` added to every tile index.
    out = stores.replace("fn store_a16(lid: u32, v: array<vec4f, 2>)", "fn store_a16(lid: u32, v: array<vec4f, 2>, s: u32)")
    out = out.replace("fn store_b16(lid: u32, v: array<vec4f, 2>)", "fn store_b16(lid: u32, v: array<vec4f, 2>, s: u32)")
    out = re.sub(r"tile_([ab])16\[at", r"tile_\g<1>16[s + at", out)
    return out


HEAD_64 = PARAMS + """@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read> b4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// 16 k: A's element (k, r) at [k * 16 + r / 4][r % 4] (64 rows), B's (k, c) at [k * 32 + c / 4][c % 4].
var<workgroup> tile_a16: array<vec4f, 256>;
var<workgroup> tile_b16: array<vec4f, 512>;

// Which of the 4 elements from i on lie below n.
fn lanes_below(i: u32, n: u32) -> vec4<bool> {
  return vec4u(i, i + 1u, i + 2u, i + 3u) < vec4u(n);
}

// Element (row r, k) of op(A) 4 at a time along the stored row (masked past its end and past the
// matrix): along M when A is stored (K, M), along K otherwise.
fn a_quad(base: u32, r: u32, k: u32) -> vec4f {
  if (TA == 1u) {
    let at = base + min(k, p.k - 1u) * p.lda + min(r, (p.m - 1u) & ~3u);
    return select(vec4f(0.0), a4[at / 4u], lanes_below(r, p.m) & vec4<bool>(k < p.k));
  }
  let at = base + min(r, p.m - 1u) * p.lda + min(k, (p.k - 1u) & ~3u);
  return select(vec4f(0.0), a4[at / 4u], lanes_below(k, p.k) & vec4<bool>(r < p.m));
}

// Element (k, column c) of op(B) 4 at a time along the stored row: along N unless B is stored (N, K).
fn b_quad(base: u32, c: u32, k: u32) -> vec4f {
  if (TB == 0u) {
    let at = base + min(k, p.k - 1u) * p.ldb + min(c, (p.n - 1u) & ~3u);
    return select(vec4f(0.0), b4[at / 4u], lanes_below(c, p.n) & vec4<bool>(k < p.k));
  }
  let at = base + min(c, p.n - 1u) * p.ldb + min(k, (p.k - 1u) & ~3u);
  return select(vec4f(0.0), b4[at / 4u], lanes_below(k, p.k) & vec4<bool>(c < p.n));
}

// 8 values of the 64 × 16 A tile per invocation: k = lid / 8 at rows 8·(lid % 8) + 0…7 (A stored
// (K, M)), or row lid / 2 at k = 8·(lid % 2) + 0…7.
fn load_a(lid: u32, base: u32, r0: u32, k0: u32) -> array<vec4f, 2> {
  if (TA == 1u) {
    let k = k0 + lid / 8u;
    let r = r0 + (lid % 8u) * 8u;
    return array<vec4f, 2>(a_quad(base, r, k), a_quad(base, r + 4u, k));
  }
  let r = r0 + lid / 2u;
  let k = k0 + (lid % 2u) * 8u;
  return array<vec4f, 2>(a_quad(base, r, k), a_quad(base, r, k + 4u));
}

fn store_a(lid: u32, v: array<vec4f, 2>) {
  if (TA == 1u) {
    let at = (lid / 8u) * 16u + (lid % 8u) * 2u;
    tile_a16[at] = v[0];
    tile_a16[at + 1u] = v[1];
    return;
  }
  let r = lid / 2u;
  let at = (lid % 2u) * 8u * 16u + r / 4u;
  let c = r % 4u;
  tile_a16[at + 0u][c] = v[0].x;
  tile_a16[at + 16u][c] = v[0].y;
  tile_a16[at + 32u][c] = v[0].z;
  tile_a16[at + 48u][c] = v[0].w;
  tile_a16[at + 64u][c] = v[1].x;
  tile_a16[at + 80u][c] = v[1].y;
  tile_a16[at + 96u][c] = v[1].z;
  tile_a16[at + 112u][c] = v[1].w;
}

// 16 values of the 16 × 128 B tile per invocation: k = lid / 8 at columns 16·(lid % 8) + 0…15
// (B stored (K, N)), or column lid at k = 0…15.
fn load_b(lid: u32, base: u32, c0: u32, k0: u32) -> array<vec4f, 4> {
  if (TB == 0u) {
    let k = k0 + lid / 8u;
    let c = c0 + (lid % 8u) * 16u;
    return array<vec4f, 4>(b_quad(base, c, k), b_quad(base, c + 4u, k), b_quad(base, c + 8u, k),
                           b_quad(base, c + 12u, k));
  }
  let c = c0 + lid;
  return array<vec4f, 4>(b_quad(base, c, k0), b_quad(base, c, k0 + 4u), b_quad(base, c, k0 + 8u),
                         b_quad(base, c, k0 + 12u));
}

fn store_b(lid: u32, v: array<vec4f, 4>) {
  if (TB == 0u) {
    let at = (lid / 8u) * 32u + (lid % 8u) * 4u;
    tile_b16[at] = v[0];
    tile_b16[at + 1u] = v[1];
    tile_b16[at + 2u] = v[2];
    tile_b16[at + 3u] = v[3];
    return;
  }
  let at = lid / 4u;
  let c = lid % 4u;
""" + "".join(f"  tile_b16[at + {32 * (4 * q + e)}u][c] = v[{q}].{'xyzw'[e]};\n" for q in range(4) for e in range(4)) + """}

"""


def entry_64():
    """Variant 35: 64 × 128 blocks, 128 invocations (ty 0…7, tx 0…15), rows {0, 32} + 4·ty + 0…3."""
    L = ["@compute @workgroup_size(128)",
         "fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {",
         "  let row0 = wid.y * 64u;",
         "  let col0 = wid.x * 128u;",
         "  let tx = lid % 16u;",
         "  let ty = lid / 16u;",
         "  let oa = p.off_a + wid.z * p.stride_a;",
         "  let ob = p.off_b + wid.z * p.stride_b;"]
    for i in range(8):
        for h in range(2):
            L.append(f"  var c{i}_{h} = vec4f(0.0);")
    L += ["  var ra = load_a(lid, oa, row0, 0u);",
          "  var rb = load_b(lid, ob, col0, 0u);",
          "  for (var k0 = 0u; k0 < p.k; k0 += 16u) {",
          "    store_a(lid, ra);",
          "    store_b(lid, rb);",
          "    workgroupBarrier();",
          "    if (k0 + 16u < p.k) {",
          "      ra = load_a(lid, oa, row0, k0 + 16u);",
          "      rb = load_b(lid, ob, col0, k0 + 16u);",
          "    }"]
    for kk in range(16):
        L += [f"    {{ // kk = {kk}",
              f"      let a0 = tile_a16[{kk * 16}u + ty];",
              f"      let a1 = tile_a16[{kk * 16}u + 8u + ty];",
              f"      let b0 = tile_b16[{kk * 32}u + tx];",
              f"      let b1 = tile_b16[{kk * 32}u + 16u + tx];"]
        for i in range(8):
            src_ = f"a{i // 4}.{'xyzw'[i % 4]}"
            L.append(f"      c{i}_0 = fma(vec4f({src_}), b0, c{i}_0); c{i}_1 = fma(vec4f({src_}), b1, c{i}_1);")
        L.append("    }")
    L += ["    workgroupBarrier();",
          "  }",
          "  let oc = p.off_c + wid.z * p.stride_c;"]
    for i in range(8):
        r = f"row0 + {32 * (i // 4)}u + ty * 4u + {i % 4}u"
        L.append(f"  store_quad(oc, {r}, col0 + tx * 4u, c{i}_0);")
        L.append(f"  store_quad(oc, {r}, col0 + 64u + tx * 4u, c{i}_1);")
    L.append("}")
    return "\n".join(L)


TITLES = {
    30: "matmul_tiled_v4 as in kernels/matmul.wgsl (column blocks on the fast grid axis)",
    31: "variant 30 with the 16-step k loop unrolled in the source",
    32: "variant 30 with two workgroup-memory stages: one barrier per K step",
    34: "variant 32 with the k loop unrolled (31 and 32 together)",
    35: "variant 31 with blocks of 64 × 128 rows × columns (128 invocations of 8 × 8 outputs)",
}
NAMES = {30: "30_tiled_v4.wgsl", 31: "31_tiled_v4_unrolled.wgsl", 32: "32_tiled_v4_two_stages.wgsl",
         34: "34_tiled_v4_two_stages_unrolled.wgsl", 35: "35_tiled_v4_64x128.wgsl"}
if __name__ == "__main__":
    for kind in (30, 31, 32, 34, 35):
        title = f"// Variant {kind} (GPUs): {TITLES[kind]}. Written by gen_gpu2.py.\n"
        if kind == 35:
            text = title + HEAD_64 + entry_64() + "\n\n" + STORE_QUAD
        else:
            text = (title + HEAD.replace("STAGE_SIZE", "1024" if kind in (32, 34) else "512") +
                    "\n" + helpers + staged_stores() + entry(kind) + "\n\n" + STORE_QUAD)
        open(NAMES[kind], "w").write(text)
