# Generates register-blocked variants (R rows x C cols per invocation, rows uniform per workgroup).
import sys
HEAD = open('02_uniform_rows_r4.wgsl').read().split('@compute')[0]
def gen(R, C, name, desc, perlane=False):
    L = []
    L.append(f"// {desc}\n" + HEAD.split('\n',2)[2])
    if perlane:
        L.append("override WGY: u32 = 8u;\n@compute @workgroup_size(8, WGY)\nfn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l3: vec3u) {")
        L.append(f"  let row0 = (wid.y * WGY + l3.y) * {R}u;\n  let col0 = (wid.x * 8u + l3.x) * {C}u;")
    else:
        L.append("@compute @workgroup_size(WG)\nfn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {")
        L.append(f"  let row0 = wid.y * {R}u;\n  let col0 = (wid.x * WG + lid) * {C}u;")
    L.append("""  let bz = wid.z + p.z_base;
  let a_step = select(1u, p.lda, TA == 1u);
  let b_step = select(p.ldb, 1u, TB == 1u);
  let ra = select(p.lda, 1u, TA == 1u);
  let cb = select(1u, p.ldb, TB == 1u);
  let oa = p.off_a + bz * p.stride_a;
  let ob = p.off_b + bz * p.stride_b;""")
    for i in range(R): L.append(f"  var ia{i} = oa + min(row0 + {i}u, p.m - 1u) * ra;")
    for j in range(C): L.append(f"  var ib{j} = ob + min(col0 + {j}u, p.n - 1u) * cb;")
    for i in range(R):
        for q in range(C//4): L.append(f"  var acc{i}_{q} = vec4f(0.0);")
    L.append("  for (var kk = 0u; kk < p.k; kk++) {")
    for q in range(C//4):
        L.append(f"    let b{q} = vec4f(" + ", ".join(f"b[ib{4*q+t}]" for t in range(4)) + ");")
    for i in range(R):
        L.append(f"    let a{i} = a[ia{i}];")
        for q in range(C//4): L.append(f"    acc{i}_{q} = fma(vec4f(a{i}), b{q}, acc{i}_{q});")
    L.append("    " + " ".join(f"ia{i} += a_step;" for i in range(R)))
    L.append("    " + " ".join(f"ib{j} += b_step;" for j in range(C)))
    L.append("  }\n  let oc = p.off_c + bz * p.stride_c;")
    for i in range(R):
        for q in range(C//4): L.append(f"  store4(oc, row0 + {i}u, col0 + {4*q}u, acc{i}_{q});")
    L.append("}\n")
    L.append("""fn store4(oc: u32, r: u32, col: u32, v: vec4f) {
  if (r >= p.m) { return; }
  let base = oc + r * p.ldc + col;
  let s = p.alpha * v;
  if (col < p.n) { c[base] = s.x; }
  if (col + 1u < p.n) { c[base + 1u] = s.y; }
  if (col + 2u < p.n) { c[base + 2u] = s.z; }
  if (col + 3u < p.n) { c[base + 3u] = s.w; }
}
""")
    open(name, 'w').write("\n".join(L))
gen(8, 4, '03_uniform_rows_r8.wgsl', 'Variant 03: rows uniform per workgroup, 8 rows x 4 columns per invocation.')
gen(8, 8, '04_uniform_rows_r8_c8.wgsl', 'Variant 04: rows uniform per workgroup, 8 rows x 8 columns per invocation.')
gen(4, 8, '06_uniform_rows_r4_c8.wgsl', 'Variant 06: rows uniform per workgroup, 4 rows x 8 columns per invocation.')
gen(8, 8, '07_perlane_8x8.wgsl', 'Variant 07: per-lane 8x8 tile, workgroup 8x8.', perlane=True)

def gen_unrolled(R, C, U, name, desc, perlane=False):
    gen(R, C, name, desc, perlane)
    s = open(name).read()
    head, rest = s.split("  for (var kk = 0u; kk < p.k; kk++) {\n", 1)
    body, tail = rest.split("  }\n  let oc", 1)
    ub = ("  let k_main = p.k / %du * %du;\n  for (var kk = 0u; kk < k_main; kk += %du) {\n" % (U, U, U)) + ("    {\n" + body + "    }\n") * U + "  }\n"
    ub += "  for (var kk = k_main; kk < p.k; kk++) {\n" + body + "  }\n  let oc"
    open(name, 'w').write(head + ub + tail)
gen_unrolled(8, 8, 4, '08_uniform_r8_c8_unroll4.wgsl', 'Variant 08: as 04 with the k loop unrolled by 4.')
gen_unrolled(4, 4, 4, '09_uniform_r4_c4_unroll4.wgsl', 'Variant 09: as 02 with the k loop unrolled by 4.')
gen(8, 4, '11_perlane_8x4.wgsl', 'Variant 11: per-lane 8 rows x 4 columns, workgroup 8x8.', perlane=True)
gen(4, 8, '12_perlane_4x8.wgsl', 'Variant 12: per-lane 4 rows x 8 columns, workgroup 8x8.', perlane=True)
gen_unrolled(8, 8, 4, '13_perlane_8x8_unroll4.wgsl', 'Variant 13: as 07 with the k loop unrolled by 4.', perlane=True)
gen(8, 16, '14_perlane_8x16.wgsl', 'Variant 14: per-lane 8 rows x 16 columns, workgroup 8x8.', perlane=True)
gen(16, 8, '15_perlane_16x8.wgsl', 'Variant 15: per-lane 16 rows x 8 columns, workgroup 8x8.', perlane=True)
gen(12, 8, '16_perlane_12x8.wgsl', 'Variant 16: per-lane 12 rows x 8 columns, workgroup 8x8.', perlane=True)
gen(16, 16, '17_perlane_16x16.wgsl', 'Variant 17: per-lane 16 rows x 16 columns, workgroup 8 x WGY.', perlane=True)
gen(32, 16, '18_perlane_32x16.wgsl', 'Variant 18: per-lane 32 rows x 16 columns, workgroup 8 x WGY.', perlane=True)
gen(16, 32, '19_perlane_16x32.wgsl', 'Variant 19: per-lane 16 rows x 32 columns, workgroup 8 x WGY.', perlane=True)
gen(24, 24, '20_perlane_24x24.wgsl', 'Variant 20: per-lane 24 rows x 24 columns, workgroup 8 x WGY.', perlane=True)
gen(32, 32, '21_perlane_32x32.wgsl', 'Variant 21: per-lane 32 rows x 32 columns, workgroup 8 x WGY.', perlane=True)
gen(64, 16, '22_perlane_64x16.wgsl', 'Variant 22: per-lane 64 rows x 16 columns, workgroup 8 x WGY.', perlane=True)
gen(32, 8, '23_perlane_32x8.wgsl', 'Variant 23: per-lane 32 rows x 8 columns, workgroup 8 x WGY.', perlane=True)
