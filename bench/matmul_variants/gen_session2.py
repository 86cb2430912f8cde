# Session 2's matmul variants (24-27), all derived from variant 18 (32 x 16 per lane, the kernel's
# block) so that only the way operands are read changes. Run from this folder:
#   python3 gen_session2.py
# 24: B read as vec4f (NN/TN: B rows contiguous; ldb and offsets multiples of 4).
# 25: A from a uniform buffer, array<vec4f, 4096> (A at most 64 KiB).
# 26: A and B from rgba32float textures, K unrolled by 4 (NN; K, N multiples of 4).
# 27: A and B read as vec4f with K unrolled by 4 (all transposes; K multiple of 4, aligned).
# 33 (session 4): 24 with C stored as vec4f too (ldc and offsets multiples of 4).
import re

base = open("18_perlane_32x16.wgsl").read()
head = base.split("override WGY")[0]
store = base[base.index("fn store4"):]


def v24():
    s = base.replace("// Variant 18: per-lane 32 rows x 16 columns, workgroup 8 x WGY.",
                     "// Variant 24: variant 18 with B read as vec4f (TB = 0 only).")
    s = s.replace("@group(0) @binding(2) var<storage, read> b: array<f32>;",
                  "@group(0) @binding(2) var<storage, read> b: array<vec4f>;")
    for q in range(4):
        s = s.replace(f"let b{q} = vec4f(b[ib{4*q}], b[ib{4*q+1}], b[ib{4*q+2}], b[ib{4*q+3}]);",
                      f"let b{q} = b[ib{4*q} / 4u];")
    return s


def v25():
    s = base.replace("// Variant 18: per-lane 32 rows x 16 columns, workgroup 8 x WGY.",
                     "// Variant 25: variant 18 with A in a uniform buffer (at most 64 KiB).")
    s = s.replace("@group(0) @binding(1) var<storage, read> a: array<f32>;",
                  "@group(0) @binding(1) var<uniform> a: array<vec4f, 4096>;")
    s = re.sub(r"let a(\d+) = a\[ia(\d+)\];", r"let a\1 = a[ia\2 >> 2u][ia\2 & 3u];", s)
    return s


R, C, Q = 32, 16, 4


def v26():
    L = ["// Variant 26: A (M, K) and B (K, N) in rgba32float textures (4 floats per texel), K unrolled",
         "// by 4; NN only, K and N multiples of 4.",
         head.split("@group(0) @binding(1)")[0].split("\n", 1)[1]
         + "@group(0) @binding(1) var at: texture_2d<f32>;\n@group(0) @binding(2) var bt: texture_2d<f32>;\n"
         + "@group(0) @binding(3) var<storage, read_write> c: array<f32>;\n",
         "override WGY: u32 = 1u;",
         "@compute @workgroup_size(8, WGY)",
         "fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l3: vec3u) {",
         "  let row0 = (wid.y * WGY + l3.y) * 32u;",
         "  let col0 = (wid.x * 8u + l3.x) * 16u;"]
    for i in range(R):
        L.append(f"  let r{i} = min(row0 + {i}u, p.m - 1u);")
    for q in range(Q):
        L.append(f"  let x{q} = min(col0 + {4*q}u, p.n - 1u) / 4u;")
    for i in range(R):
        L.append("  " + " ".join(f"var acc{i}_{q} = vec4f(0.0);" for q in range(Q)))
    L.append("  for (var l = 0u; l < p.k; l += 4u) {")
    for i in range(R):
        L.append(f"    let av{i} = textureLoad(at, vec2u(l / 4u, r{i}), 0);")
    for t in range(4):
        for q in range(Q):
            L.append(f"    let b{t}_{q} = textureLoad(bt, vec2u(x{q}, l + {t}u), 0);")
        for i in range(R):
            L.append(f"    {{ let s = vec4f(av{i}[{t}]); " + " ".join(
                f"acc{i}_{q} = fma(s, b{t}_{q}, acc{i}_{q});" for q in range(Q)) + " }")
    L.append("  }")
    L.append("  let oc = p.off_c + wid.z * p.stride_c;")
    for i in range(R):
        for q in range(Q):
            L.append(f"  store4(oc, row0 + {i}u, col0 + {4*q}u, acc{i}_{q});")
    L.append("}")
    return "\n".join(L) + "\n\n" + store


def v27():
    s = head.replace("// Variant 18: per-lane 32 rows x 16 columns, workgroup 8 x WGY.",
                     "// Variant 27: A and B read as vec4f, K unrolled by 4; K, lda, ldb and offsets multiples of 4.")
    s = s.replace("var<storage, read> a: array<f32>;", "var<storage, read> a: array<vec4f>;")
    s = s.replace("var<storage, read> b: array<f32>;", "var<storage, read> b: array<vec4f>;")
    L = [s, "override WGY: u32 = 1u;", "@compute @workgroup_size(8, WGY)",
         "fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l3: vec3u) {",
         "  let row0 = (wid.y * WGY + l3.y) * 32u;",
         "  let col0 = (wid.x * 8u + l3.x) * 16u;",
         "  let last_row = p.m - 1u; let last_col = p.n - 1u;",
         "  let oa = (p.off_a + wid.z * p.stride_a) / 4u; let ob = (p.off_b + wid.z * p.stride_b) / 4u;",
         "  let lda4 = p.lda / 4u; let ldb4 = p.ldb / 4u;"]
    # TA = 0: ia_i = vec4 of row i at l..l+3; TA = 1: ia_g = vec4 of rows 4g..4g+3 at l.
    for i in range(R):
        L.append(f"  var ia{i} = select(oa + (min(row0 + {i}u, last_row) * p.lda) / 4u, "
                 f"oa + min(row0 + {4*i}u, last_row & ~3u) / 4u, TA == 1u);")
    for j in range(C):
        L.append(f"  var ib{j} = select(ob + min(col0 + {4*j}u, last_col & ~3u) / 4u, "
                 f"ob + (min(col0 + {j}u, last_col) * p.ldb) / 4u, TB == 1u);")
    for i in range(R):
        L.append("  " + " ".join(f"var acc{i}_{q} = vec4f(0.0);" for q in range(Q)))
    L.append("  for (var l = 0u; l < p.k; l += 4u) {")

    def body(ta, tb):
        B = []
        if ta == 0:
            B += [f"let av{i} = a[ia{i}];" for i in range(R)]
        else:
            B += [f"let ag{t}_{g} = a[ia{g} + {t}u * lda4];" for t in range(4) for g in range(R // 4)]
        if tb == 1:
            B += [f"let bv{j} = b[ib{j}];" for j in range(C)]
        for t in range(4):
            for q in range(Q):
                B.append(f"let b{t}_{q} = b[ib{q} + {t}u * ldb4];" if tb == 0 else
                         f"let b{t}_{q} = vec4f(bv{4*q}[{t}], bv{4*q+1}[{t}], bv{4*q+2}[{t}], bv{4*q+3}[{t}]);")
            for i in range(R):
                av = f"av{i}[{t}]" if ta == 0 else f"ag{t}_{i // 4}[{i % 4}]"
                B.append(f"{{ let s = vec4f({av}); " + " ".join(
                    f"acc{i}_{q} = fma(s, b{t}_{q}, acc{i}_{q});" for q in range(Q)) + " }")
        B.append(" ".join(f"ia{i} += 1u;" for i in range(R)) if ta == 0 else
                 " ".join(f"ia{g} += 4u * lda4;" for g in range(R // 4)))
        B.append(" ".join(f"ib{q} += 4u * ldb4;" for q in range(Q)) if tb == 0 else
                 " ".join(f"ib{j} += 1u;" for j in range(C)))
        return B

    first = True
    for ta in (0, 1):
        for tb in (0, 1):
            L.append(f"    {'if' if first else '} else if'} (TA == {ta}u && TB == {tb}u) {{")
            first = False
            L += ["      " + x for x in body(ta, tb)]
    L.append("    }")
    L.append("  }")
    L.append("  let oc = p.off_c + wid.z * p.stride_c;")
    for i in range(R):
        for q in range(Q):
            L.append(f"  store4(oc, row0 + {i}u, col0 + {4*q}u, acc{i}_{q});")
    L.append("}")
    return "\n".join(L) + "\n\n" + store


def v33():
    s = v24()
    s = s.replace("@group(0) @binding(3) var<storage, read_write> c: array<f32>;",
                  "@group(0) @binding(3) var<storage, read_write> c4: array<vec4f>;")
    old = s[s.index("fn store4(oc: u32, r: u32, col: u32, v: vec4f) {"):]
    new = """fn store4(oc: u32, r: u32, col: u32, v: vec4f) {
  if (r >= p.m) { return; }
  // C as vec4f (ldc and offsets multiples of 4): one store per 4 columns; a row's last, partial
  // quad keeps the elements past N (read back and written unchanged).
  let base = (oc + r * p.ldc + col) / 4u;
  let s = p.alpha * v;
  if (col + 3u < p.n) {
    c4[base] = s;
  } else if (col < p.n) {
    let keep = vec4u(col) + vec4u(0u, 1u, 2u, 3u) < vec4u(p.n);
    c4[base] = select(c4[base], s, keep);
  }
}
"""
    intro = ("// Variant 33: variant 24 (B as vec4f) with C stored as vec4f too (session 4): on llvmpipe each\n"
             "// scalar store is a lane loop with a bounds check, like a load.\n")
    return intro + s.replace(old, new)


for name, fn in [("24_b_vec4.wgsl", v24), ("25_a_uniform.wgsl", v25),
                 ("26_ab_textures_k4.wgsl", v26), ("27_ab_vec4_k4.wgsl", v27),
                 ("33_bc_vec4.wgsl", v33)]:
    open(name, "w").write(fn())
