# Writes the matmul entry points of kernels/matmul.wgsl (between the GENERATED markers): the
# R × 16 register blocks are fully unrolled by hand into named vec4f variables, which is what
# keeps them in registers (naga turns local arrays into memory). Run from the repository root:
#   python3 bench/matmul_variants/gen_kernel.py
C = 16  # columns per invocation (4 vec4f)
Q = C // 4
W = 4   # uniform windows of A one matmul_bv4_ua launch binds (au, then au1 … au3; also declared by hand in matmul.wgsl, beside its Params.win_off)

def entry(name, R, bv4=False, a_read="scalar"):
    """a_read: "scalar" (a[...]), "uniform" (A not transposed, from the 64 KiB uniform window au)
    or "vec4t" (A stored (K, M), its R rows at each l read as R / 4 consecutive vec4f from a4)."""
    notes = {
        "scalar": [],
        "uniform": ["// A (not transposed) is read from 64 KiB uniform-buffer windows, which llvmpipe gathers",
                    "// without the per-lane loop and bounds branches of a storage read. A launch binds up to",
                    f"// {W} windows (au, au1 … au{W - 1}) of p.win_rows rows each (the last may hold fewer), the",
                    "// window's first element at p.win_off; row block r reads window r·R / win_rows through",
                    "// its own copy of the l loop (llvmpipe skips the copies no lane of its SIMD group takes)."],
        "vec4t": [f"// A is stored (K, M) and read as vec4f (a4): at each l the block's rows are {R // 4}",
                  "// consecutive vec4f (its row stride and offsets multiples of 4; reads past the binding",
                  "// are clamped to its last vec4f, and rows past M are never stored)."],
    }[a_read]
    L = [f"// {name}: each invocation owns rows row0 … row0+{R - 1} (shared by its workgroup) and columns",
         f"// col0 … col0+{C - 1}." + (" B is read as vec4f (b4): B not transposed, its row stride and" if bv4 else ""),
         ] + (["// offsets multiples of 4."] if bv4 else []) + notes + [
         "@compute @workgroup_size(WG)",
         f"fn {name}(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {{",
         "  // Which grid axis walks the row blocks (see the header: rows_fast).",
         "  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);",
         "  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);",
         f"  let row0 = block_row * {R}u;",
         f"  let col0 = (block_col * WG + lid) * {C}u;",
         "  let last_row = p.m - 1u;",
         "  let last_col = p.n - 1u;",
         "  // Index steps: along l, and from one row of op(A) / column of op(B) to the next.",
         "  let a_step = select(1u, p.lda, p.ta == 1u);",
         "  let a_row = select(p.lda, 1u, p.ta == 1u);",
         "  let b_step = select(p.ldb, 1u, p.tb == 1u);",
         "  let b_col = select(1u, p.ldb, p.tb == 1u);",
         "  let oa = p.off_a + wid.z * p.stride_a;",
         "  let ob = p.off_b + wid.z * p.stride_b;",
         "  // Rows and columns past the edge read the last valid one: no checks in the loop.",
        ]
    if a_read == "vec4t":
        L.append("  var iq = (oa + row0) >> 2u;")
        L.append("  let last_q = arrayLength(&a4) - 1u;")
    elif a_read == "uniform":
        L.append("  // The workgroup's window, and its rows counted from the window's first.")
        L.append("  let w = row0 / p.win_rows;")
        L.append("  let ow = p.win_off[w];")
        L.append("  let wrow0 = w * p.win_rows;")
        for i in range(R):
            L.append(f"  var ia{i} = ow + (min(row0 + {i}u, last_row) - wrow0) * a_row;")
    else:
        for i in range(R):
            L.append(f"  var ia{i} = oa + min(row0 + {i}u, last_row) * a_row;")
    for j in range(0, C, 4) if bv4 else range(C):
        L.append(f"  var ib{j} = ob + min(col0 + {j}u, last_col) * b_col;")
    for i in range(R):
        L.append("  " + " ".join(f"var c{i}_{q} = vec4f(0.0);" for q in range(Q)))
    loop_at = len(L)
    L.append("  for (var l = 0u; l < p.k; l++) {")
    for q in range(Q):
        if bv4:
            L.append(f"    let b{q} = b4[ib{4 * q} >> 2u];")
        else:
            L.append(f"    let b{q} = vec4f(" + ", ".join(f"b[ib{4 * q + t}]" for t in range(4)) + ");")
    for i in range(R):
        # (Named ar* here: a4 is the binding.)
        if a_read == "vec4t":
            if i % 4 == 0:
                L.append(f"    let qa{i // 4} = a4[min(iq + {i // 4}u, last_q)];")
            L.append(f"    let ar{i} = vec4f(qa{i // 4}.{'xyzw'[i % 4]});")
        elif a_read == "uniform":
            L.append(f"    let ar{i} = vec4f(au[ia{i} >> 2u][ia{i} & 3u]);")
        else:
            L.append(f"    let a{i} = vec4f(a[ia{i}]);")
        v = "a" if a_read == "scalar" else "ar"
        L.append("    " + " ".join(f"c{i}_{q} = fma({v}{i}, b{q}, c{i}_{q});" for q in range(Q)))
    if a_read == "vec4t":
        L.append("    iq += a_step >> 2u;")
    else:
        for i in range(0, R, 8):
            L.append("    " + " ".join(f"ia{t} += a_step;" for t in range(i, min(R, i + 8))))
    if bv4:
        L.append("    " + " ".join(f"ib{4 * q} += b_step;" for q in range(Q)))
    else:
        for j in range(0, C, 8):
            L.append("    " + " ".join(f"ib{t} += b_step;" for t in range(j, j + 8)))
    L.append("  }")
    if a_read == "uniform":
        # One copy of the loop per window, each reading its own binding.
        loop = L[loop_at:]
        del L[loop_at:]
        L.append("  switch w {")
        for w in range(W):
            name = "au" if w == 0 else f"au{w}"
            L.append(f"    {'default' if w == W - 1 else f'case {w}u'}: {{")
            L += ["    " + line.replace("au[", f"{name}[") for line in loop]
            L.append("    }")
        L.append("  }")
    L.append("  let oc = p.off_c + wid.z * p.stride_c;")
    L.append("  let bias = load_bias(col0, last_col);")
    for i in range(R):
        L.append(f"  store_row(oc, row0 + {i}u, col0, c{i}_0, c{i}_1, c{i}_2, c{i}_3, bias);")
    L.append("}")
    return "\n".join(L)

def block_setup(rows=128):
    """The tiled kernels' block origin, invocation coordinates and operand offsets."""
    return ["  let block_row = select(wid.y, wid.x, p.rows_fast == 1u);",
            "  let block_col = select(wid.x, wid.y, p.rows_fast == 1u);",
            f"  let row0 = block_row * {rows}u;",
            "  let col0 = block_col * 128u;",
            "  let tx = lid % 16u;",
            "  let ty = lid / 16u;",
            "  let oa = p.off_a + wid.z * p.stride_a;",
            "  let ob = p.off_b + wid.z * p.stride_b;"]


def accumulators():
    """The 8 x 8 outputs of an invocation as 16 named vec4f accumulators (not an array)."""
    return [f"  var c{i}_{h} = vec4f(0.0);" for i in range(8) for h in range(2)]


def fma_block(indent, tile_a, tile_b, base):
    """One k of the inner loop: 4 workgroup-memory vec4 reads, 64 FMAs (row k at `base`)."""
    L = [f"{indent}let a0 = {tile_a}[{base} + ty];",
         f"{indent}let a1 = {tile_a}[{base} + 16u + ty];",
         f"{indent}let b0 = {tile_b}[{base} + tx];",
         f"{indent}let b1 = {tile_b}[{base} + 16u + tx];"]
    for i in range(8):
        src = f"a{i // 4}.{'xyzw'[i % 4]}"
        L.append(f"{indent}c{i}_0 = fma(vec4f({src}), b0, c{i}_0); c{i}_1 = fma(vec4f({src}), b1, c{i}_1);")
    return L


def epilogue():
    """α·acc + bias stored for the invocation's 8 rows × 2 column quads, then the closing brace."""
    L = ["  let oc = p.off_c + wid.z * p.stride_c;",
         "  let last_col = p.n - 1u;",
         "  let colA = col0 + tx * 4u;",
         "  let colB = col0 + 64u + tx * 4u;",
         "  let biasA = bias4(colA, last_col);",
         "  let biasB = bias4(colB, last_col);"]
    for i in range(8):
        r = f"row0 + {64 * (i // 4)}u + ty * 4u + {i % 4}u"
        L.append(f"  store_quad(oc, {r}, colA, c{i}_0, biasA);")
        L.append(f"  store_quad(oc, {r}, colB, c{i}_1, biasB);")
    L.append("}")
    return L


def tiled():
    """The GPU kernel: 256 invocations share 128 x 128 of C through workgroup tiles of 8 k."""
    L = ["// matmul_tiled (GPUs): a workgroup of 256 invocations owns a 128 × 128 block of C. For each",
         "// step of 8 along K it stages op(A)[128 rows, 8] and op(B)[8, 128 columns] in workgroup",
         "// memory (k-major, vec4f; zero past M, N and K), then invocation (ty, tx) = (lid / 16, lid % 16)",
         "// adds the 8 × 8 outputs at rows {0, 64} + 4·ty + 0…3 and columns {0, 64} + 4·tx + 0…3 of the",
         "// block: 64 FMAs per 4 workgroup-memory vec4 reads.",
         "@compute @workgroup_size(256)",
         "fn matmul_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {"]
    L += block_setup()
    L += ["  // What this invocation stages: 4 elements of each tile. Untransposed A and transposed B",
          "  // are read along K (2 invocations per row or column); the others along M or N.",
          "  let a_r = select(lid / 2u, (lid * 4u) % 128u, p.ta == 1u); // first tile row",
          "  let a_k = select((lid % 2u) * 4u, lid / 32u, p.ta == 1u);  // first k",
          "  let b_c = select((lid * 4u) % 128u, lid / 2u, p.tb == 1u);",
          "  let b_k = select(lid / 32u, (lid % 2u) * 4u, p.tb == 1u);"]
    L += accumulators()
    L += ["  for (var k0 = 0u; k0 < p.k; k0 += 8u) {",
          "    for (var e = 0u; e < 4u; e++) {",
          "      // A element (row r, k), B element (k, column c) of this step's tiles.",
          "      let ar = a_r + select(0u, e, p.ta == 1u);",
          "      let ak = a_k + select(e, 0u, p.ta == 1u);",
          "      let gr = row0 + ar;",
          "      let gk = k0 + ak;",
          "      var av = 0.0;",
          "      if (gr < p.m && gk < p.k) {",
          "        av = a[oa + select(gr * p.lda + gk, gk * p.lda + gr, p.ta == 1u)];",
          "      }",
          "      tile_a[ak * 32u + ar / 4u][ar % 4u] = av;",
          "      let bc = b_c + select(e, 0u, p.tb == 1u);",
          "      let bk = b_k + select(0u, e, p.tb == 1u);",
          "      let gc = col0 + bc;",
          "      let gkb = k0 + bk;",
          "      var bv = 0.0;",
          "      if (gc < p.n && gkb < p.k) {",
          "        bv = b[ob + select(gkb * p.ldb + gc, gc * p.ldb + gkb, p.tb == 1u)];",
          "      }",
          "      tile_b[bk * 32u + bc / 4u][bc % 4u] = bv;",
          "    }",
          "    workgroupBarrier();",
          "    for (var kk = 0u; kk < 8u; kk++) {"]
    L += fma_block("      ", "tile_a", "tile_b", "kk * 32u")
    L += ["    }",
          "    workgroupBarrier();",
          "  }"]
    return "\n".join(L + epilogue())


def tiled_v4():
    """matmul_tiled with vec4f operand loads, K steps of 16, register prefetch (variant 29) and
    the k loop of a step unrolled (variant 31)."""
    L = ["// matmul_tiled_v4 (GPUs, 4-aligned operands): matmul_tiled's 128 × 128 blocks and 8 × 8",
         "// outputs per invocation, with operands read as vec4f (row strides, offsets and batch strides",
         "// multiples of 4; elements past a row's end are masked), K steps of 16 staged in",
         "// tile_a16/tile_b16, the transposes as overrides (TA, TB), and register prefetch: the next",
         "// step's 8 values of each operand are loaded before this step's 1024 FMAs",
         "// (bench/matmul_variants variant 29), which are unrolled in the source (variant 31). It",
         "// sums in the same order as matmul_tiled.",
         "@compute @workgroup_size(256)",
         "fn matmul_tiled_v4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {"]
    L += block_setup() + accumulators()
    L += ["  var ra = load_a16(lid, oa, row0, 0u);",
          "  var rb = load_b16(lid, ob, col0, 0u);",
          "  for (var k0 = 0u; k0 < p.k; k0 += 16u) {",
          "    store_a16(lid, ra);",
          "    store_b16(lid, rb);",
          "    workgroupBarrier();",
          "    if (k0 + 16u < p.k) {",
          "      ra = load_a16(lid, oa, row0, k0 + 16u);",
          "      rb = load_b16(lid, ob, col0, k0 + 16u);",
          "    }",
          "    // The 16 k of the step unrolled in the source, each reading workgroup memory at a",
          "    // constant offset (variant 31; the loop form is variant 30)."]
    for kk in range(16):
        L.append(f"    {{ // kk = {kk}")
        L += fma_block("      ", "tile_a16", "tile_b16", f"{kk * 32}u")
        L.append("    }")
    L += ["    workgroupBarrier();",
          "  }"]
    return "\n".join(L + epilogue())


def tiled_v4_half():
    """matmul_tiled_v4 with blocks of 64 x 128 and 128 invocations (variant 35's blocks)."""
    L = ["// matmul_tiled_v4_half (GPUs, 4-aligned operands): matmul_tiled_v4 with blocks of 64 rows",
         "// × 128 columns and 128 invocations, each still 8 × 8 outputs: rows {0, 32} + 4·ty + 0…3 (ty",
         "// = lid / 16 < 8), columns {0, 64} + 4·tx + 0…3. Twice the workgroups of half the work, for",
         "// products whose 128 × 128 blocks leave much of a wave idle (the blocks of bench/",
         "// matmul_variants variant 35). It stages A through load_a16h/store_a16h and B as",
         "// matmul_tiled_v4 does, each invocation standing in for two (lid and lid + 128), where",
         "// variant 35 loads its 16 values of B in one go. Same sums in the same order.",
         "@compute @workgroup_size(128)",
         "fn matmul_tiled_v4_half(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {"]
    L += block_setup(64) + accumulators()
    L += ["  var ra = load_a16h(lid, oa, row0, 0u);",
          "  var rb0 = load_b16(lid, ob, col0, 0u);",
          "  var rb1 = load_b16(lid + 128u, ob, col0, 0u);",
          "  for (var k0 = 0u; k0 < p.k; k0 += 16u) {",
          "    store_a16h(lid, ra);",
          "    store_b16(lid, rb0);",
          "    store_b16(lid + 128u, rb1);",
          "    workgroupBarrier();",
          "    if (k0 + 16u < p.k) {",
          "      ra = load_a16h(lid, oa, row0, k0 + 16u);",
          "      rb0 = load_b16(lid, ob, col0, k0 + 16u);",
          "      rb1 = load_b16(lid + 128u, ob, col0, k0 + 16u);",
          "    }"]
    for kk in range(16):
        L.append(f"    {{ // kk = {kk}")
        block = fma_block("      ", "tile_a16", "tile_b16", f"{kk * 32}u")
        # A's tile has 16 quads per k (64 rows): its two reads sit 16 apart per k and 8 apart.
        block[0] = f"      let a0 = tile_a16[{kk * 16}u + ty];"
        block[1] = f"      let a1 = tile_a16[{kk * 16}u + 8u + ty];"
        L += block
        L.append("    }")
    L += ["    workgroupBarrier();",
          "  }"]
    epi = epilogue()
    return "\n".join(L + [line.replace("64u + ty", "32u + ty") if "store_quad" in line else line
                          for line in epi])


def tiled_v4_narrow():
    """matmul_tiled_v4 with blocks of 128 x 64 and 128 invocations (N ≤ 64: attention's products)."""
    L = ["// matmul_tiled_v4_narrow (GPUs, 4-aligned operands): matmul_tiled_v4 with blocks of 128 rows",
         "// × 64 columns and 128 invocations, each still 8 × 8 outputs: rows {0, 64} + 4·ty + 0…3 (ty",
         "// = lid / 8 < 16), columns {0, 32} + 4·tx + 0…3 (tx = lid % 8). For products with N ≤ 64",
         "// (attention's P·V, dS·K, dSᵀ·Q, Pᵀ·dO at head size 64), where a 128-column block leaves half",
         "// its invocations on columns past N. It stages A as matmul_tiled_v4 does, each invocation",
         "// standing in for two (lid and lid + 128), and B through load_b16n/store_b16n. Same sums in",
         "// the same order.",
         "@compute @workgroup_size(128)",
         "fn matmul_tiled_v4_narrow(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {"]
    setup = block_setup()
    setup = [l.replace("block_col * 128u", "block_col * 64u").replace("lid % 16u", "lid % 8u")
             .replace("lid / 16u", "lid / 8u") for l in setup]
    L += setup + accumulators()
    L += ["  var ra0 = load_a16(lid, oa, row0, 0u);",
          "  var ra1 = load_a16(lid + 128u, oa, row0, 0u);",
          "  var rb = load_b16n(lid, ob, col0, 0u);",
          "  for (var k0 = 0u; k0 < p.k; k0 += 16u) {",
          "    store_a16(lid, ra0);",
          "    store_a16(lid + 128u, ra1);",
          "    store_b16n(lid, rb);",
          "    workgroupBarrier();",
          "    if (k0 + 16u < p.k) {",
          "      ra0 = load_a16(lid, oa, row0, k0 + 16u);",
          "      ra1 = load_a16(lid + 128u, oa, row0, k0 + 16u);",
          "      rb = load_b16n(lid, ob, col0, k0 + 16u);",
          "    }"]
    for kk in range(16):
        L.append(f"    {{ // kk = {kk}")
        block = fma_block("      ", "tile_a16", "tile_b16", f"{kk * 32}u")
        # B's tile has 16 quads per k (64 columns): its two reads sit 16 apart per k and 8 apart.
        block[2] = f"      let b0 = tile_b16[{kk * 16}u + tx];"
        block[3] = f"      let b1 = tile_b16[{kk * 16}u + 8u + tx];"
        L += block
        L.append("    }")
    L += ["    workgroupBarrier();",
          "  }"]
    epi = [line.replace("col0 + 64u + tx", "col0 + 32u + tx") for line in epilogue()]
    return "\n".join(L + epi)


def staging(operand, q, suffix=""):
    """Load and store helpers of one operand's tile, 16 k by 4q values (q vec4f per k: 32 for a
    128-row or -column tile, 16 for 64), with every index a constant: each invocation stages 8
    values, along the tile's rows when the operand is stored that way, else along K."""
    a = operand == "a"
    T, along, arr, ld, ext = ("TA", "1u", "a4", "p.lda", "p.m") if a else ("TB", "0u", "b4", "p.ldb", "p.n")
    x, x0 = ("r", "r0") if a else ("c", "c0")
    h = q // 2
    load = [f"fn load_{operand}16{suffix}(lid: u32, base: u32, {x0}: u32, k0: u32) -> array<vec4f, 2> {{",
            f"  if ({T} == {along}) {{",
            f"    let k = k0 + lid / {h}u;",
            f"    let {x} = {x0} + (lid % {h}u) * 8u;",
            f"    let at = base + min(k, p.k - 1u) * {ld};",
            f"    let last = ({ext} - 1u) & ~3u;",
            f"    let v0 = {arr}[(at + min({x}, last)) / 4u];",
            f"    let v1 = {arr}[(at + min({x} + 4u, last)) / 4u];",
            "    return array<vec4f, 2>(",
            f"      select(vec4f(0.0), v0, lanes_below({x}, {ext}) & vec4<bool>(k < p.k)),",
            f"      select(vec4f(0.0), v1, lanes_below({x} + 4u, {ext}) & vec4<bool>(k < p.k)),",
            "    );",
            "  }",
            f"  let {x} = {x0} + lid / 2u;",
            "  let k = k0 + (lid % 2u) * 8u;",
            f"  let at = base + min({x}, {ext} - 1u) * {ld};",
            "  let last = (p.k - 1u) & ~3u;",
            f"  let v0 = {arr}[(at + min(k, last)) / 4u];",
            f"  let v1 = {arr}[(at + min(k + 4u, last)) / 4u];",
            "  return array<vec4f, 2>(",
            f"    select(vec4f(0.0), v0, lanes_below(k, p.k) & vec4<bool>({x} < {ext})),",
            f"    select(vec4f(0.0), v1, lanes_below(k + 4u, p.k) & vec4<bool>({x} < {ext})),",
            "  );",
            "}"]
    tile = f"tile_{operand}16"
    store = [f"fn store_{operand}16{suffix}(lid: u32, v: array<vec4f, 2>) {{",
             f"  if ({T} == {along}) {{",
             f"    let at = (lid / {h}u) * {q}u + (lid % {h}u) * 2u;",
             f"    {tile}[at] = v[0];",
             f"    {tile}[at + 1u] = v[1];",
             "    return;",
             "  }",
             "  // K contiguous: 8 values of line lid / 2 at k = 8·(lid % 2) + e, constant indices only",
             "  // (a dynamically indexed local array could live in slow local memory).",
             "  let r = lid / 2u;",
             f"  let at = (lid % 2u) * 8u * {q}u + r / 4u;",
             "  let c = r % 4u;"]
    store += [f"  {tile}[at + {e * q}u][c] = v[{e // 4}].{'xyzw'[e % 4]};" for e in range(8)]
    store.append("}")
    return "\n".join(load), "\n".join(store)


def staging_all():
    """The tiled v4 kernels' staging helpers: 128-wide tiles, and the 64-wide A (half) and B (narrow)."""
    la, sa = staging("a", 32)
    lb, sb = staging("b", 32)
    lah, sah = staging("a", 16, "h")
    lbn, sbn = staging("b", 16, "n")
    return "\n\n".join([la, lb, sa, sb, lah, sah, lbn, sbn])


if __name__ == "__main__":
    out = "\n\n".join([entry("matmul", 32), entry("matmul_small", 8), entry("matmul_bv4", 32, True),
                       entry("matmul_small_bv4", 8, True), entry("matmul_bv4_ua", 32, True, "uniform"),
                       entry("matmul_bv4_av4", 32, True, "vec4t"), entry("matmul_ua", 32, False, "uniform"),
                       entry("matmul_av4", 32, False, "vec4t"), tiled(), tiled_v4(), tiled_v4_half(),
                       tiled_v4_narrow(), staging_all()])
    path = "kernels/matmul.wgsl"
    src = open(path).read()
    begin, end = "// BEGIN GENERATED by bench/matmul_variants/gen_kernel.py\n", "// END GENERATED\n"
    head, rest = src.split(begin)
    _, tail = rest.split(end)
    open(path, "w").write(head + begin + out + "\n" + end + tail)
