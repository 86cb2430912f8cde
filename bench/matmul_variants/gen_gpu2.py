# GPU matmul variants 30-32, derived from kernels/matmul.wgsl's matmul_tiled_v4 as it stands (its
# staging helpers are copied verbatim), in this folder's variant layout (Params without rows_fast,
# bias and ACC; column blocks on the fast grid axis). Run from this folder: python3 gen_gpu2.py
# 30: matmul_tiled_v4 itself: the baseline of the others, and of the launcher's grid order.
# 31: 30 with the 16-step k loop unrolled in the source (constant tile offsets, no loop counter).
# 32: 30 with two workgroup-memory stages (32 KiB): the prefetched registers go to the stage the
#     next step reads while this step computes from the other, so one barrier per K step, not two.
import re

from gen_gpu import PARAMS, STORE_QUAD
from gen_kernel import fma_block

src = open("../../kernels/matmul.wgsl").read()
helpers = src[src.index("// Which of the 4 elements from i on lie below n."):src.index("fn store_a16(")]
stores = src[src.index("fn store_a16("):src.index("// The bias of 16 columns from col0")]

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
    if kind == 32:
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
              "    let s0 = stage * 512u;",
              "    for (var kk = 0u; kk < 16u; kk++) {"]
        L += fmas("      ", "s0 + kk * 32u")
        L += ["    }",
              "    // The other stage was last read before the previous step's barrier.",
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


TITLES = {
    30: "matmul_tiled_v4 as in kernels/matmul.wgsl (column blocks on the fast grid axis)",
    31: "variant 30 with the 16-step k loop unrolled in the source",
    32: "variant 30 with two workgroup-memory stages: one barrier per K step",
}
NAMES = {30: "30_tiled_v4.wgsl", 31: "31_tiled_v4_unrolled.wgsl", 32: "32_tiled_v4_two_stages.wgsl"}
if __name__ == "__main__":
    for kind in (30, 31, 32):
        text = (f"// Variant {kind} (GPUs): {TITLES[kind]}. Written by gen_gpu2.py.\n" +
                HEAD.replace("STAGE_SIZE", "1024" if kind == 32 else "512") + "\n" + helpers +
                staged_stores() + entry(kind) + "\n\n" + STORE_QUAD)
        open(NAMES[kind], "w").write(text)
