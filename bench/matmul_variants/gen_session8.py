# Session 8's lavapipe matmul variant 40: variant 37 (B as vec4f, A from a 64 KiB uniform buffer)
# with A's rows in up to 8 uniform windows bound side by side in one launch. Run from the
# repository root:
#   python3 bench/matmul_variants/gen_session8.py
#
# Why: a uniform binding holds at most 64 KiB, so the launcher binds one window of A's rows per
# launch, and refuses windows when a launch would hold fewer workgroups than the host has cores
# (256 x 512 x 128, the tiny model's proj forward product: one 32-row block per window, one
# column block, so one workgroup per launch). WGSL has no arrays of buffers, so each window is its
# own binding and each workgroup runs the copy of the k loop that reads its window. llvmpipe
# skips a branch that no lane of its SIMD group takes (a probe: two copies of an FMA loop chosen
# by workgroup ran within 10 % of one), so only the copy a workgroup needs runs. Same FMAs in the
# same order as variant 37 (same bits).
import re

W = 8  # windows per launch


def v40():
    s = open("bench/matmul_variants/37_b_vec4_a_uniform.wgsl").read()
    s = s.replace(
        "// Variant 37: variant 24 (B as vec4f) with A in a uniform buffer (at most 64 KiB).",
        "// Variant 40: variant 37 (B as vec4f, A from a uniform buffer) with A's rows in up to 8\n"
        "// windows of WROWS rows, each its own 64 KiB uniform binding (a at 1, aw1 .. aw7 at 4 .. 10);\n"
        "// workgroup row block r reads window r * 32 / WROWS through its own copy of the k loop\n"
        "// (TA = 0, TB = 0 only).")
    s = s.replace(
        "@group(0) @binding(1) var<uniform> a: array<vec4f, 4096>;",
        "@group(0) @binding(1) var<uniform> a: array<vec4f, 4096>;\n" + "\n".join(
            f"@group(0) @binding({w + 3}) var<uniform> aw{w}: array<vec4f, 4096>;"
            for w in range(1, W)) + "\noverride WROWS: u32 = 32u; // rows per window, a multiple of 32")
    # Rows are counted from the workgroup's window.
    s = s.replace("  let oa = p.off_a + bz * p.stride_a;\n",
                  "  let w = row0 / WROWS;\n  let oa = p.off_a + bz * p.stride_a;\n")
    s = re.sub(r"var ia(\d+) = oa \+ min\(row0 \+ (\d+)u, p\.m - 1u\) \* ra;",
               r"var ia\1 = oa + (min(row0 + \2u, p.m - 1u) - w * WROWS) * ra;", s)
    head, rest = s.split("  for (var kk = 0u; kk < p.k; kk++) {\n", 1)
    loop, tail = rest.split("  }\n  let oc", 1)
    out = [head.rstrip("\n"), "  switch w {"]
    for w in range(W):
        name = "a" if w == 0 else f"aw{w}"
        body = re.sub(r"= a\[ia", f"= {name}[ia", loop)
        out.append(f"    {'default' if w == W - 1 else f'case {w}u'}: {{")
        out.append("      for (var kk = 0u; kk < p.k; kk++) {")
        out.append("\n".join("    " + line if line else line for line in body.rstrip("\n").split("\n")))
        out.append("      }")
        out.append("    }")
    out.append("  }")
    return "\n".join(out) + "\n  let oc" + tail


with open("bench/matmul_variants/40_a_uniform_windows.wgsl", "w") as f:
    f.write(v40())


def v41():
    # Variant 41: variant 37 (A from a uniform buffer) for B stored (N, K) (TB = 1), B read as
    # vec4f along k: per 4 k, one vec4f of each of the lane's 16 columns (16 lane loops) instead
    # of 64 scalar reads; the 16 vec4f stay live over the 4 steps. A remainder loop reads the
    # last K % 4 k as scalars (ldb and B's offset multiples of 4). Same FMAs in the same order.
    R, Q = 32, 4
    s = open("bench/matmul_variants/37_b_vec4_a_uniform.wgsl").read()
    head, rest = s.split("  for (var kk = 0u; kk < p.k; kk++) {\n", 1)
    _, tail = rest.split("  }\n  let oc", 1)
    head = head.replace(
        "// Variant 37: variant 24 (B as vec4f) with A in a uniform buffer (at most 64 KiB).",
        "// Variant 41: variant 37 (A from a uniform buffer) with B stored (N, K) read as vec4f along\n"
        "// k, k unrolled by 4 (TA = 0, TB = 1; ldb and B's offset multiples of 4).")
    L = ["  let k4 = p.k & ~3u;", "  for (var kk = 0u; kk < k4; kk += 4u) {"]
    for j in range(4 * Q):
        L.append(f"    let bq{j} = b[ib{j} >> 2u];")
    for t in range(4):
        for q in range(Q):
            comps = ", ".join(f"bq{4 * q + e}.{'xyzw'[t]}" for e in range(4))
            L.append(f"    let b{q}_{t} = vec4f({comps});")
        for i in range(R):
            L.append(f"    let a{i}_{t} = vec4f(a[(ia{i} + {t}u) >> 2u][(ia{i} + {t}u) & 3u]);")
            L.append("    " + " ".join(f"acc{i}_{q} = fma(a{i}_{t}, b{q}_{t}, acc{i}_{q});" for q in range(Q)))
    L.append("    " + " ".join(f"ia{i} += 4u;" for i in range(R)))
    L.append("    " + " ".join(f"ib{j} += 4u;" for j in range(4 * Q)))
    L.append("  }")
    L.append("  for (var kk = k4; kk < p.k; kk++) {")
    for q in range(Q):
        comps = ", ".join(f"b[ib{4 * q + e} >> 2u][ib{4 * q + e} & 3u]" for e in range(4))
        L.append(f"    let b{q} = vec4f({comps});")
    for i in range(R):
        L.append(f"    let a{i} = vec4f(a[ia{i} >> 2u][ia{i} & 3u]);")
        L.append("    " + " ".join(f"acc{i}_{q} = fma(a{i}, b{q}, acc{i}_{q});" for q in range(Q)))
    L.append("    " + " ".join(f"ia{i} += 1u;" for i in range(R)))
    L.append("    " + " ".join(f"ib{j} += 1u;" for j in range(4 * Q)))
    L.append("  }")
    return head + "\n".join(L) + "\n  let oc" + tail


with open("bench/matmul_variants/41_a_uniform_bt_vec4_k4.wgsl", "w") as f:
    f.write(v41())
