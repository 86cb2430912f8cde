# Session 7's lavapipe matmul variant 36: variant 24 (32 x 16 outputs per lane, B read as vec4f,
# one 8-lane workgroup) with A staged through workgroup memory. Run from the repository root:
#   python3 bench/matmul_variants/gen_session7.py
#
# Why: llvmpipe turns every storage-buffer load into a loop over the 8 lanes with a bounds check
# and a branch per lane (see README.md, session 2). Variant 24 loads 32 scalars of A per k, each
# its own lane loop, although the 8 lanes read the same 32 addresses. Here each lane loads 4 of
# the 32 rows per k (4 lane loops) and stores them as one vec4f in workgroup memory (one loop, no
# bounds check); the product then reads the 32 rows as 8 vec4f (8 loops, no bounds check): 13
# lane loops for A per k instead of 32. The FMAs and their order are unchanged (same bits).
R = 32       # rows per workgroup (all lanes)
Q = 4        # vec4f columns per lane (16 columns)
KC = 16      # k per staged chunk

def v36():
    L = ["// Variant 36: variant 24 (B as vec4f, 32 x 16 per lane, 8 lanes) with A staged through",
         "// workgroup memory in chunks of 16 k: sa[kk * 8 + q] holds rows 4q .. 4q+3 of the block at",
         "// k0 + kk. Each lane stages rows 4 * lane .. 4 * lane + 3. TB = 0 only.",
         "struct Params {",
         "  m: u32, n: u32, k: u32,",
         "  lda: u32, ldb: u32, ldc: u32,",
         "  off_a: u32, off_b: u32, off_c: u32, off_bias: u32,",
         "  stride_a: u32, stride_b: u32, stride_c: u32,",
         "  batch: u32, z_base: u32,",
         "  alpha: f32, beta: f32,",
         "}",
         "override TA: u32 = 0u;",
         "override TB: u32 = 0u;",
         "@group(0) @binding(0) var<uniform> p: Params;",
         "@group(0) @binding(1) var<storage, read> a: array<f32>;",
         "@group(0) @binding(2) var<storage, read> b: array<vec4f>;",
         "@group(0) @binding(3) var<storage, read_write> c: array<f32>;",
         f"var<workgroup> sa: array<vec4f, {KC * R // 4}>;",
         "",
         "@compute @workgroup_size(8)",
         "fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lane: u32) {",
         f"  let row0 = wid.y * {R}u;",
         f"  let col0 = (wid.x * 8u + lane) * {Q * 4}u;",
         "  let a_step = select(1u, p.lda, TA == 1u);",
         "  let ra = select(p.lda, 1u, TA == 1u);",
         "  let oa = p.off_a;",
         "  let ob = p.off_b;",
         "  let last_row = p.m - 1u;",
         "  let last_k = p.k - 1u;",
        ]
    for t in range(4):
        L.append(f"  let sr{t} = oa + min(row0 + lane * 4u + {t}u, last_row) * ra;")
    for q in range(Q):
        L.append(f"  var ib{q} = (ob + min(col0 + {4 * q}u, p.n - 1u)) >> 2u;")
    L.append("  let b_step = p.ldb >> 2u;")
    for i in range(R):
        L.append("  " + " ".join(f"var c{i}_{q} = vec4f(0.0);" for q in range(Q)))
    L.append(f"  for (var k0 = 0u; k0 < p.k; k0 += {KC}u) {{")
    L.append("    workgroupBarrier();")
    for kk in range(KC):
        L.append(f"    let ka{kk} = min(k0 + {kk}u, last_k) * a_step;")
        L.append(f"    sa[{kk * R // 4}u + lane] = vec4f(a[sr0 + ka{kk}], a[sr1 + ka{kk}], a[sr2 + ka{kk}], a[sr3 + ka{kk}]);")
    L.append("    workgroupBarrier();")
    L.append(f"    let kn = min({KC}u, p.k - k0);")
    L.append("    for (var kk = 0u; kk < kn; kk++) {")
    for q in range(Q):
        L.append(f"      let b{q} = b[ib{q}];")
    L.append(f"      let s = kk * {R // 4}u;")
    for g in range(R // 4):
        L.append(f"      let q{g} = sa[s + {g}u];")
        for t, comp in enumerate("xyzw"):
            i = 4 * g + t
            L.append(f"      let a{i} = vec4f(q{g}.{comp});")
            L.append("      " + " ".join(f"c{i}_{q} = fma(a{i}, b{q}, c{i}_{q});" for q in range(Q)))
    L.append("      " + " ".join(f"ib{q} += b_step;" for q in range(Q)))
    L.append("    }")
    L.append("  }")
    L.append("  let oc = p.off_c;")
    for i in range(R):
        for q in range(Q):
            L.append(f"  store4(oc, row0 + {i}u, col0 + {4 * q}u, c{i}_{q});")
    L.append("}")
    L.append("")
    L += ["fn store4(oc: u32, r: u32, col: u32, v: vec4f) {",
          "  if (r >= p.m) { return; }",
          "  let base = oc + r * p.ldc + col;",
          "  let s = p.alpha * v;",
          "  if (col < p.n) { c[base] = s.x; }",
          "  if (col + 1u < p.n) { c[base + 1u] = s.y; }",
          "  if (col + 2u < p.n) { c[base + 2u] = s.z; }",
          "  if (col + 3u < p.n) { c[base + 3u] = s.w; }",
          "}"]
    return "\n".join(L) + "\n"

with open("bench/matmul_variants/36_a_shared.wgsl", "w") as f:
    f.write(v36())


def v37():
    # Variant 37: variant 24 with A read from a uniform buffer (llvmpipe gathers uniform-buffer
    # elements without a lane loop or branches), as variant 25 did for variant 18.
    import re
    s = open("bench/matmul_variants/24_b_vec4.wgsl").read()
    s = s.replace("// Variant 24: variant 18 with B read as vec4f (TB = 0 only).",
                  "// Variant 37: variant 24 (B as vec4f) with A in a uniform buffer (at most 64 KiB).")
    s = s.replace("@group(0) @binding(1) var<storage, read> a: array<f32>;",
                  "@group(0) @binding(1) var<uniform> a: array<vec4f, 4096>;")
    s = re.sub(r"let a(\d+) = a\[ia(\d+)\];", r"let a\1 = a[ia\2 >> 2u][ia\2 & 3u];", s)
    return s


with open("bench/matmul_variants/37_b_vec4_a_uniform.wgsl", "w") as f:
    f.write(v37())


def v38():
    # Variant 38: variant 24 with A stored (K, M) read as vec4f: at each k the block's 32 rows are
    # 8 consecutive vec4f (TA = 1 only; M, lda and A's offset multiples of 4).
    import re
    s = open("bench/matmul_variants/24_b_vec4.wgsl").read()
    s = s.replace("// Variant 24: variant 18 with B read as vec4f (TB = 0 only).",
                  "// Variant 38: variant 24 (B as vec4f) with A stored (K, M) read as vec4f (TA = 1, TB = 0).")
    s = s.replace("@group(0) @binding(1) var<storage, read> a: array<f32>;",
                  "@group(0) @binding(1) var<storage, read> a: array<vec4f>;")
    s = re.sub(r"  var ia(\d+) = .*\n", lambda m: "  var iq = (oa + row0) >> 2u;\n" if m.group(1) == "0" else "", s)
    def load(m):
        i = int(m.group(1))
        pre = f"let q{i // 4} = a[iq + {i // 4}u]; " if i % 4 == 0 else ""
        return f"{pre}let a{i} = q{i // 4}.{'xyzw'[i % 4]};"
    s = re.sub(r"let a(\d+) = a\[ia\d+\];", load, s)
    s = re.sub(r"    ia0 \+= a_step;.*\n", "    iq += p.lda >> 2u;\n", s)
    return s


with open("bench/matmul_variants/38_ab_vec4_ta.wgsl", "w") as f:
    f.write(v38())


def v39():
    # Variant 39: variant 24 (B as vec4f) with A (M, K) read as vec4f along k, k unrolled by 4:
    # per 4 k, 32 vec4f reads of A (one per row) instead of 128 scalar ones; the 32 vec4f stay
    # live across the 4 steps. A remainder loop reads the last K % 4 k scalar (TA = 0, TB = 0;
    # lda and A's offset multiples of 4).
    import re
    R, Q = 32, 4
    s = open("bench/matmul_variants/24_b_vec4.wgsl").read()
    head, rest = s.split("  for (var kk = 0u; kk < p.k; kk++) {\n", 1)
    loop, tail = rest.split("  }\n  let oc", 1)
    head = head.replace("// Variant 24: variant 18 with B read as vec4f (TB = 0 only).",
                        "// Variant 39: variant 24 (B as vec4f) with A read as vec4f along k, k unrolled by 4 (TA = 0, TB = 0).")
    head = head.replace("@group(0) @binding(1) var<storage, read> a: array<f32>;",
                        "@group(0) @binding(1) var<storage, read> av: array<vec4f>;")
    loop = re.sub(r"a\[ia(\d+)\]", r"av[ia\1 >> 2u][ia\1 & 3u]", loop)
    L = ["  let k4 = p.k & ~3u;", "  for (var kk = 0u; kk < k4; kk += 4u) {"]
    for i in range(R):
        L.append(f"    let qa{i} = av[ia{i} >> 2u];")
    for j in range(4):
        for q in range(Q):
            L.append(f"    let b{q}_{j} = b[ib{4 * q} / 4u]; ")
        for q in range(Q):
            L.append(f"    ib{4 * q} += b_step;")
        for i in range(R):
            L.append(f"    let ar{i}_{j} = vec4f(qa{i}.{'xyzw'[j]});")
            L.append("    " + " ".join(f"acc{i}_{q} = fma(ar{i}_{j}, b{q}_{j}, acc{i}_{q});" for q in range(Q)))
    L.append("    " + " ".join(f"ia{i} += 4u;" for i in range(R)))
    L.append("  }")
    L.append("  for (var kk = k4; kk < p.k; kk++) {")
    L.append(loop.rstrip("\n"))
    L.append("  }")
    return head + "\n".join(L) + "\n  let oc" + tail


with open("bench/matmul_variants/39_a_vec4_k4.wgsl", "w") as f:
    f.write(v39())
