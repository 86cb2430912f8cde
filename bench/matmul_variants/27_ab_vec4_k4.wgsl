// Variant 27: A and B read as vec4f, K unrolled by 4; K, lda, ldb and offsets multiples of 4.
struct Params {
  m: u32, n: u32, k: u32,
  lda: u32, ldb: u32, ldc: u32,
  off_a: u32, off_b: u32, off_c: u32, off_bias: u32,
  stride_a: u32, stride_b: u32, stride_c: u32,
  batch: u32, z_base: u32,
  alpha: f32, beta: f32,
}
override TA: u32 = 0u;
override TB: u32 = 0u;
override WG: u32 = 64u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;



override WGY: u32 = 1u;
@compute @workgroup_size(8, WGY)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l3: vec3u) {
  let row0 = (wid.y * WGY + l3.y) * 32u;
  let col0 = (wid.x * 8u + l3.x) * 16u;
  let last_row = p.m - 1u; let last_col = p.n - 1u;
  let oa = (p.off_a + wid.z * p.stride_a) / 4u; let ob = (p.off_b + wid.z * p.stride_b) / 4u;
  let lda4 = p.lda / 4u; let ldb4 = p.ldb / 4u;
  var ia0 = select(oa + (min(row0 + 0u, last_row) * p.lda) / 4u, oa + min(row0 + 0u, last_row & ~3u) / 4u, TA == 1u);
  var ia1 = select(oa + (min(row0 + 1u, last_row) * p.lda) / 4u, oa + min(row0 + 4u, last_row & ~3u) / 4u, TA == 1u);
  var ia2 = select(oa + (min(row0 + 2u, last_row) * p.lda) / 4u, oa + min(row0 + 8u, last_row & ~3u) / 4u, TA == 1u);
  var ia3 = select(oa + (min(row0 + 3u, last_row) * p.lda) / 4u, oa + min(row0 + 12u, last_row & ~3u) / 4u, TA == 1u);
  var ia4 = select(oa + (min(row0 + 4u, last_row) * p.lda) / 4u, oa + min(row0 + 16u, last_row & ~3u) / 4u, TA == 1u);
  var ia5 = select(oa + (min(row0 + 5u, last_row) * p.lda) / 4u, oa + min(row0 + 20u, last_row & ~3u) / 4u, TA == 1u);
  var ia6 = select(oa + (min(row0 + 6u, last_row) * p.lda) / 4u, oa + min(row0 + 24u, last_row & ~3u) / 4u, TA == 1u);
  var ia7 = select(oa + (min(row0 + 7u, last_row) * p.lda) / 4u, oa + min(row0 + 28u, last_row & ~3u) / 4u, TA == 1u);
  var ia8 = select(oa + (min(row0 + 8u, last_row) * p.lda) / 4u, oa + min(row0 + 32u, last_row & ~3u) / 4u, TA == 1u);
  var ia9 = select(oa + (min(row0 + 9u, last_row) * p.lda) / 4u, oa + min(row0 + 36u, last_row & ~3u) / 4u, TA == 1u);
  var ia10 = select(oa + (min(row0 + 10u, last_row) * p.lda) / 4u, oa + min(row0 + 40u, last_row & ~3u) / 4u, TA == 1u);
  var ia11 = select(oa + (min(row0 + 11u, last_row) * p.lda) / 4u, oa + min(row0 + 44u, last_row & ~3u) / 4u, TA == 1u);
  var ia12 = select(oa + (min(row0 + 12u, last_row) * p.lda) / 4u, oa + min(row0 + 48u, last_row & ~3u) / 4u, TA == 1u);
  var ia13 = select(oa + (min(row0 + 13u, last_row) * p.lda) / 4u, oa + min(row0 + 52u, last_row & ~3u) / 4u, TA == 1u);
  var ia14 = select(oa + (min(row0 + 14u, last_row) * p.lda) / 4u, oa + min(row0 + 56u, last_row & ~3u) / 4u, TA == 1u);
  var ia15 = select(oa + (min(row0 + 15u, last_row) * p.lda) / 4u, oa + min(row0 + 60u, last_row & ~3u) / 4u, TA == 1u);
  var ia16 = select(oa + (min(row0 + 16u, last_row) * p.lda) / 4u, oa + min(row0 + 64u, last_row & ~3u) / 4u, TA == 1u);
  var ia17 = select(oa + (min(row0 + 17u, last_row) * p.lda) / 4u, oa + min(row0 + 68u, last_row & ~3u) / 4u, TA == 1u);
  var ia18 = select(oa + (min(row0 + 18u, last_row) * p.lda) / 4u, oa + min(row0 + 72u, last_row & ~3u) / 4u, TA == 1u);
  var ia19 = select(oa + (min(row0 + 19u, last_row) * p.lda) / 4u, oa + min(row0 + 76u, last_row & ~3u) / 4u, TA == 1u);
  var ia20 = select(oa + (min(row0 + 20u, last_row) * p.lda) / 4u, oa + min(row0 + 80u, last_row & ~3u) / 4u, TA == 1u);
  var ia21 = select(oa + (min(row0 + 21u, last_row) * p.lda) / 4u, oa + min(row0 + 84u, last_row & ~3u) / 4u, TA == 1u);
  var ia22 = select(oa + (min(row0 + 22u, last_row) * p.lda) / 4u, oa + min(row0 + 88u, last_row & ~3u) / 4u, TA == 1u);
  var ia23 = select(oa + (min(row0 + 23u, last_row) * p.lda) / 4u, oa + min(row0 + 92u, last_row & ~3u) / 4u, TA == 1u);
  var ia24 = select(oa + (min(row0 + 24u, last_row) * p.lda) / 4u, oa + min(row0 + 96u, last_row & ~3u) / 4u, TA == 1u);
  var ia25 = select(oa + (min(row0 + 25u, last_row) * p.lda) / 4u, oa + min(row0 + 100u, last_row & ~3u) / 4u, TA == 1u);
  var ia26 = select(oa + (min(row0 + 26u, last_row) * p.lda) / 4u, oa + min(row0 + 104u, last_row & ~3u) / 4u, TA == 1u);
  var ia27 = select(oa + (min(row0 + 27u, last_row) * p.lda) / 4u, oa + min(row0 + 108u, last_row & ~3u) / 4u, TA == 1u);
  var ia28 = select(oa + (min(row0 + 28u, last_row) * p.lda) / 4u, oa + min(row0 + 112u, last_row & ~3u) / 4u, TA == 1u);
  var ia29 = select(oa + (min(row0 + 29u, last_row) * p.lda) / 4u, oa + min(row0 + 116u, last_row & ~3u) / 4u, TA == 1u);
  var ia30 = select(oa + (min(row0 + 30u, last_row) * p.lda) / 4u, oa + min(row0 + 120u, last_row & ~3u) / 4u, TA == 1u);
  var ia31 = select(oa + (min(row0 + 31u, last_row) * p.lda) / 4u, oa + min(row0 + 124u, last_row & ~3u) / 4u, TA == 1u);
  var ib0 = select(ob + min(col0 + 0u, last_col & ~3u) / 4u, ob + (min(col0 + 0u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib1 = select(ob + min(col0 + 4u, last_col & ~3u) / 4u, ob + (min(col0 + 1u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib2 = select(ob + min(col0 + 8u, last_col & ~3u) / 4u, ob + (min(col0 + 2u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib3 = select(ob + min(col0 + 12u, last_col & ~3u) / 4u, ob + (min(col0 + 3u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib4 = select(ob + min(col0 + 16u, last_col & ~3u) / 4u, ob + (min(col0 + 4u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib5 = select(ob + min(col0 + 20u, last_col & ~3u) / 4u, ob + (min(col0 + 5u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib6 = select(ob + min(col0 + 24u, last_col & ~3u) / 4u, ob + (min(col0 + 6u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib7 = select(ob + min(col0 + 28u, last_col & ~3u) / 4u, ob + (min(col0 + 7u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib8 = select(ob + min(col0 + 32u, last_col & ~3u) / 4u, ob + (min(col0 + 8u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib9 = select(ob + min(col0 + 36u, last_col & ~3u) / 4u, ob + (min(col0 + 9u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib10 = select(ob + min(col0 + 40u, last_col & ~3u) / 4u, ob + (min(col0 + 10u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib11 = select(ob + min(col0 + 44u, last_col & ~3u) / 4u, ob + (min(col0 + 11u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib12 = select(ob + min(col0 + 48u, last_col & ~3u) / 4u, ob + (min(col0 + 12u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib13 = select(ob + min(col0 + 52u, last_col & ~3u) / 4u, ob + (min(col0 + 13u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib14 = select(ob + min(col0 + 56u, last_col & ~3u) / 4u, ob + (min(col0 + 14u, last_col) * p.ldb) / 4u, TB == 1u);
  var ib15 = select(ob + min(col0 + 60u, last_col & ~3u) / 4u, ob + (min(col0 + 15u, last_col) * p.ldb) / 4u, TB == 1u);
  var acc0_0 = vec4f(0.0); var acc0_1 = vec4f(0.0); var acc0_2 = vec4f(0.0); var acc0_3 = vec4f(0.0);
  var acc1_0 = vec4f(0.0); var acc1_1 = vec4f(0.0); var acc1_2 = vec4f(0.0); var acc1_3 = vec4f(0.0);
  var acc2_0 = vec4f(0.0); var acc2_1 = vec4f(0.0); var acc2_2 = vec4f(0.0); var acc2_3 = vec4f(0.0);
  var acc3_0 = vec4f(0.0); var acc3_1 = vec4f(0.0); var acc3_2 = vec4f(0.0); var acc3_3 = vec4f(0.0);
  var acc4_0 = vec4f(0.0); var acc4_1 = vec4f(0.0); var acc4_2 = vec4f(0.0); var acc4_3 = vec4f(0.0);
  var acc5_0 = vec4f(0.0); var acc5_1 = vec4f(0.0); var acc5_2 = vec4f(0.0); var acc5_3 = vec4f(0.0);
  var acc6_0 = vec4f(0.0); var acc6_1 = vec4f(0.0); var acc6_2 = vec4f(0.0); var acc6_3 = vec4f(0.0);
  var acc7_0 = vec4f(0.0); var acc7_1 = vec4f(0.0); var acc7_2 = vec4f(0.0); var acc7_3 = vec4f(0.0);
  var acc8_0 = vec4f(0.0); var acc8_1 = vec4f(0.0); var acc8_2 = vec4f(0.0); var acc8_3 = vec4f(0.0);
  var acc9_0 = vec4f(0.0); var acc9_1 = vec4f(0.0); var acc9_2 = vec4f(0.0); var acc9_3 = vec4f(0.0);
  var acc10_0 = vec4f(0.0); var acc10_1 = vec4f(0.0); var acc10_2 = vec4f(0.0); var acc10_3 = vec4f(0.0);
  var acc11_0 = vec4f(0.0); var acc11_1 = vec4f(0.0); var acc11_2 = vec4f(0.0); var acc11_3 = vec4f(0.0);
  var acc12_0 = vec4f(0.0); var acc12_1 = vec4f(0.0); var acc12_2 = vec4f(0.0); var acc12_3 = vec4f(0.0);
  var acc13_0 = vec4f(0.0); var acc13_1 = vec4f(0.0); var acc13_2 = vec4f(0.0); var acc13_3 = vec4f(0.0);
  var acc14_0 = vec4f(0.0); var acc14_1 = vec4f(0.0); var acc14_2 = vec4f(0.0); var acc14_3 = vec4f(0.0);
  var acc15_0 = vec4f(0.0); var acc15_1 = vec4f(0.0); var acc15_2 = vec4f(0.0); var acc15_3 = vec4f(0.0);
  var acc16_0 = vec4f(0.0); var acc16_1 = vec4f(0.0); var acc16_2 = vec4f(0.0); var acc16_3 = vec4f(0.0);
  var acc17_0 = vec4f(0.0); var acc17_1 = vec4f(0.0); var acc17_2 = vec4f(0.0); var acc17_3 = vec4f(0.0);
  var acc18_0 = vec4f(0.0); var acc18_1 = vec4f(0.0); var acc18_2 = vec4f(0.0); var acc18_3 = vec4f(0.0);
  var acc19_0 = vec4f(0.0); var acc19_1 = vec4f(0.0); var acc19_2 = vec4f(0.0); var acc19_3 = vec4f(0.0);
  var acc20_0 = vec4f(0.0); var acc20_1 = vec4f(0.0); var acc20_2 = vec4f(0.0); var acc20_3 = vec4f(0.0);
  var acc21_0 = vec4f(0.0); var acc21_1 = vec4f(0.0); var acc21_2 = vec4f(0.0); var acc21_3 = vec4f(0.0);
  var acc22_0 = vec4f(0.0); var acc22_1 = vec4f(0.0); var acc22_2 = vec4f(0.0); var acc22_3 = vec4f(0.0);
  var acc23_0 = vec4f(0.0); var acc23_1 = vec4f(0.0); var acc23_2 = vec4f(0.0); var acc23_3 = vec4f(0.0);
  var acc24_0 = vec4f(0.0); var acc24_1 = vec4f(0.0); var acc24_2 = vec4f(0.0); var acc24_3 = vec4f(0.0);
  var acc25_0 = vec4f(0.0); var acc25_1 = vec4f(0.0); var acc25_2 = vec4f(0.0); var acc25_3 = vec4f(0.0);
  var acc26_0 = vec4f(0.0); var acc26_1 = vec4f(0.0); var acc26_2 = vec4f(0.0); var acc26_3 = vec4f(0.0);
  var acc27_0 = vec4f(0.0); var acc27_1 = vec4f(0.0); var acc27_2 = vec4f(0.0); var acc27_3 = vec4f(0.0);
  var acc28_0 = vec4f(0.0); var acc28_1 = vec4f(0.0); var acc28_2 = vec4f(0.0); var acc28_3 = vec4f(0.0);
  var acc29_0 = vec4f(0.0); var acc29_1 = vec4f(0.0); var acc29_2 = vec4f(0.0); var acc29_3 = vec4f(0.0);
  var acc30_0 = vec4f(0.0); var acc30_1 = vec4f(0.0); var acc30_2 = vec4f(0.0); var acc30_3 = vec4f(0.0);
  var acc31_0 = vec4f(0.0); var acc31_1 = vec4f(0.0); var acc31_2 = vec4f(0.0); var acc31_3 = vec4f(0.0);
  for (var l = 0u; l < p.k; l += 4u) {
    if (TA == 0u && TB == 0u) {
      let av0 = a[ia0];
      let av1 = a[ia1];
      let av2 = a[ia2];
      let av3 = a[ia3];
      let av4 = a[ia4];
      let av5 = a[ia5];
      let av6 = a[ia6];
      let av7 = a[ia7];
      let av8 = a[ia8];
      let av9 = a[ia9];
      let av10 = a[ia10];
      let av11 = a[ia11];
      let av12 = a[ia12];
      let av13 = a[ia13];
      let av14 = a[ia14];
      let av15 = a[ia15];
      let av16 = a[ia16];
      let av17 = a[ia17];
      let av18 = a[ia18];
      let av19 = a[ia19];
      let av20 = a[ia20];
      let av21 = a[ia21];
      let av22 = a[ia22];
      let av23 = a[ia23];
      let av24 = a[ia24];
      let av25 = a[ia25];
      let av26 = a[ia26];
      let av27 = a[ia27];
      let av28 = a[ia28];
      let av29 = a[ia29];
      let av30 = a[ia30];
      let av31 = a[ia31];
      let b0_0 = b[ib0 + 0u * ldb4];
      let b0_1 = b[ib1 + 0u * ldb4];
      let b0_2 = b[ib2 + 0u * ldb4];
      let b0_3 = b[ib3 + 0u * ldb4];
      { let s = vec4f(av0[0]); acc0_0 = fma(s, b0_0, acc0_0); acc0_1 = fma(s, b0_1, acc0_1); acc0_2 = fma(s, b0_2, acc0_2); acc0_3 = fma(s, b0_3, acc0_3); }
      { let s = vec4f(av1[0]); acc1_0 = fma(s, b0_0, acc1_0); acc1_1 = fma(s, b0_1, acc1_1); acc1_2 = fma(s, b0_2, acc1_2); acc1_3 = fma(s, b0_3, acc1_3); }
      { let s = vec4f(av2[0]); acc2_0 = fma(s, b0_0, acc2_0); acc2_1 = fma(s, b0_1, acc2_1); acc2_2 = fma(s, b0_2, acc2_2); acc2_3 = fma(s, b0_3, acc2_3); }
      { let s = vec4f(av3[0]); acc3_0 = fma(s, b0_0, acc3_0); acc3_1 = fma(s, b0_1, acc3_1); acc3_2 = fma(s, b0_2, acc3_2); acc3_3 = fma(s, b0_3, acc3_3); }
      { let s = vec4f(av4[0]); acc4_0 = fma(s, b0_0, acc4_0); acc4_1 = fma(s, b0_1, acc4_1); acc4_2 = fma(s, b0_2, acc4_2); acc4_3 = fma(s, b0_3, acc4_3); }
      { let s = vec4f(av5[0]); acc5_0 = fma(s, b0_0, acc5_0); acc5_1 = fma(s, b0_1, acc5_1); acc5_2 = fma(s, b0_2, acc5_2); acc5_3 = fma(s, b0_3, acc5_3); }
      { let s = vec4f(av6[0]); acc6_0 = fma(s, b0_0, acc6_0); acc6_1 = fma(s, b0_1, acc6_1); acc6_2 = fma(s, b0_2, acc6_2); acc6_3 = fma(s, b0_3, acc6_3); }
      { let s = vec4f(av7[0]); acc7_0 = fma(s, b0_0, acc7_0); acc7_1 = fma(s, b0_1, acc7_1); acc7_2 = fma(s, b0_2, acc7_2); acc7_3 = fma(s, b0_3, acc7_3); }
      { let s = vec4f(av8[0]); acc8_0 = fma(s, b0_0, acc8_0); acc8_1 = fma(s, b0_1, acc8_1); acc8_2 = fma(s, b0_2, acc8_2); acc8_3 = fma(s, b0_3, acc8_3); }
      { let s = vec4f(av9[0]); acc9_0 = fma(s, b0_0, acc9_0); acc9_1 = fma(s, b0_1, acc9_1); acc9_2 = fma(s, b0_2, acc9_2); acc9_3 = fma(s, b0_3, acc9_3); }
      { let s = vec4f(av10[0]); acc10_0 = fma(s, b0_0, acc10_0); acc10_1 = fma(s, b0_1, acc10_1); acc10_2 = fma(s, b0_2, acc10_2); acc10_3 = fma(s, b0_3, acc10_3); }
      { let s = vec4f(av11[0]); acc11_0 = fma(s, b0_0, acc11_0); acc11_1 = fma(s, b0_1, acc11_1); acc11_2 = fma(s, b0_2, acc11_2); acc11_3 = fma(s, b0_3, acc11_3); }
      { let s = vec4f(av12[0]); acc12_0 = fma(s, b0_0, acc12_0); acc12_1 = fma(s, b0_1, acc12_1); acc12_2 = fma(s, b0_2, acc12_2); acc12_3 = fma(s, b0_3, acc12_3); }
      { let s = vec4f(av13[0]); acc13_0 = fma(s, b0_0, acc13_0); acc13_1 = fma(s, b0_1, acc13_1); acc13_2 = fma(s, b0_2, acc13_2); acc13_3 = fma(s, b0_3, acc13_3); }
      { let s = vec4f(av14[0]); acc14_0 = fma(s, b0_0, acc14_0); acc14_1 = fma(s, b0_1, acc14_1); acc14_2 = fma(s, b0_2, acc14_2); acc14_3 = fma(s, b0_3, acc14_3); }
      { let s = vec4f(av15[0]); acc15_0 = fma(s, b0_0, acc15_0); acc15_1 = fma(s, b0_1, acc15_1); acc15_2 = fma(s, b0_2, acc15_2); acc15_3 = fma(s, b0_3, acc15_3); }
      { let s = vec4f(av16[0]); acc16_0 = fma(s, b0_0, acc16_0); acc16_1 = fma(s, b0_1, acc16_1); acc16_2 = fma(s, b0_2, acc16_2); acc16_3 = fma(s, b0_3, acc16_3); }
      { let s = vec4f(av17[0]); acc17_0 = fma(s, b0_0, acc17_0); acc17_1 = fma(s, b0_1, acc17_1); acc17_2 = fma(s, b0_2, acc17_2); acc17_3 = fma(s, b0_3, acc17_3); }
      { let s = vec4f(av18[0]); acc18_0 = fma(s, b0_0, acc18_0); acc18_1 = fma(s, b0_1, acc18_1); acc18_2 = fma(s, b0_2, acc18_2); acc18_3 = fma(s, b0_3, acc18_3); }
      { let s = vec4f(av19[0]); acc19_0 = fma(s, b0_0, acc19_0); acc19_1 = fma(s, b0_1, acc19_1); acc19_2 = fma(s, b0_2, acc19_2); acc19_3 = fma(s, b0_3, acc19_3); }
      { let s = vec4f(av20[0]); acc20_0 = fma(s, b0_0, acc20_0); acc20_1 = fma(s, b0_1, acc20_1); acc20_2 = fma(s, b0_2, acc20_2); acc20_3 = fma(s, b0_3, acc20_3); }
      { let s = vec4f(av21[0]); acc21_0 = fma(s, b0_0, acc21_0); acc21_1 = fma(s, b0_1, acc21_1); acc21_2 = fma(s, b0_2, acc21_2); acc21_3 = fma(s, b0_3, acc21_3); }
      { let s = vec4f(av22[0]); acc22_0 = fma(s, b0_0, acc22_0); acc22_1 = fma(s, b0_1, acc22_1); acc22_2 = fma(s, b0_2, acc22_2); acc22_3 = fma(s, b0_3, acc22_3); }
      { let s = vec4f(av23[0]); acc23_0 = fma(s, b0_0, acc23_0); acc23_1 = fma(s, b0_1, acc23_1); acc23_2 = fma(s, b0_2, acc23_2); acc23_3 = fma(s, b0_3, acc23_3); }
      { let s = vec4f(av24[0]); acc24_0 = fma(s, b0_0, acc24_0); acc24_1 = fma(s, b0_1, acc24_1); acc24_2 = fma(s, b0_2, acc24_2); acc24_3 = fma(s, b0_3, acc24_3); }
      { let s = vec4f(av25[0]); acc25_0 = fma(s, b0_0, acc25_0); acc25_1 = fma(s, b0_1, acc25_1); acc25_2 = fma(s, b0_2, acc25_2); acc25_3 = fma(s, b0_3, acc25_3); }
      { let s = vec4f(av26[0]); acc26_0 = fma(s, b0_0, acc26_0); acc26_1 = fma(s, b0_1, acc26_1); acc26_2 = fma(s, b0_2, acc26_2); acc26_3 = fma(s, b0_3, acc26_3); }
      { let s = vec4f(av27[0]); acc27_0 = fma(s, b0_0, acc27_0); acc27_1 = fma(s, b0_1, acc27_1); acc27_2 = fma(s, b0_2, acc27_2); acc27_3 = fma(s, b0_3, acc27_3); }
      { let s = vec4f(av28[0]); acc28_0 = fma(s, b0_0, acc28_0); acc28_1 = fma(s, b0_1, acc28_1); acc28_2 = fma(s, b0_2, acc28_2); acc28_3 = fma(s, b0_3, acc28_3); }
      { let s = vec4f(av29[0]); acc29_0 = fma(s, b0_0, acc29_0); acc29_1 = fma(s, b0_1, acc29_1); acc29_2 = fma(s, b0_2, acc29_2); acc29_3 = fma(s, b0_3, acc29_3); }
      { let s = vec4f(av30[0]); acc30_0 = fma(s, b0_0, acc30_0); acc30_1 = fma(s, b0_1, acc30_1); acc30_2 = fma(s, b0_2, acc30_2); acc30_3 = fma(s, b0_3, acc30_3); }
      { let s = vec4f(av31[0]); acc31_0 = fma(s, b0_0, acc31_0); acc31_1 = fma(s, b0_1, acc31_1); acc31_2 = fma(s, b0_2, acc31_2); acc31_3 = fma(s, b0_3, acc31_3); }
      let b1_0 = b[ib0 + 1u * ldb4];
      let b1_1 = b[ib1 + 1u * ldb4];
      let b1_2 = b[ib2 + 1u * ldb4];
      let b1_3 = b[ib3 + 1u * ldb4];
      { let s = vec4f(av0[1]); acc0_0 = fma(s, b1_0, acc0_0); acc0_1 = fma(s, b1_1, acc0_1); acc0_2 = fma(s, b1_2, acc0_2); acc0_3 = fma(s, b1_3, acc0_3); }
      { let s = vec4f(av1[1]); acc1_0 = fma(s, b1_0, acc1_0); acc1_1 = fma(s, b1_1, acc1_1); acc1_2 = fma(s, b1_2, acc1_2); acc1_3 = fma(s, b1_3, acc1_3); }
      { let s = vec4f(av2[1]); acc2_0 = fma(s, b1_0, acc2_0); acc2_1 = fma(s, b1_1, acc2_1); acc2_2 = fma(s, b1_2, acc2_2); acc2_3 = fma(s, b1_3, acc2_3); }
      { let s = vec4f(av3[1]); acc3_0 = fma(s, b1_0, acc3_0); acc3_1 = fma(s, b1_1, acc3_1); acc3_2 = fma(s, b1_2, acc3_2); acc3_3 = fma(s, b1_3, acc3_3); }
      { let s = vec4f(av4[1]); acc4_0 = fma(s, b1_0, acc4_0); acc4_1 = fma(s, b1_1, acc4_1); acc4_2 = fma(s, b1_2, acc4_2); acc4_3 = fma(s, b1_3, acc4_3); }
      { let s = vec4f(av5[1]); acc5_0 = fma(s, b1_0, acc5_0); acc5_1 = fma(s, b1_1, acc5_1); acc5_2 = fma(s, b1_2, acc5_2); acc5_3 = fma(s, b1_3, acc5_3); }
      { let s = vec4f(av6[1]); acc6_0 = fma(s, b1_0, acc6_0); acc6_1 = fma(s, b1_1, acc6_1); acc6_2 = fma(s, b1_2, acc6_2); acc6_3 = fma(s, b1_3, acc6_3); }
      { let s = vec4f(av7[1]); acc7_0 = fma(s, b1_0, acc7_0); acc7_1 = fma(s, b1_1, acc7_1); acc7_2 = fma(s, b1_2, acc7_2); acc7_3 = fma(s, b1_3, acc7_3); }
      { let s = vec4f(av8[1]); acc8_0 = fma(s, b1_0, acc8_0); acc8_1 = fma(s, b1_1, acc8_1); acc8_2 = fma(s, b1_2, acc8_2); acc8_3 = fma(s, b1_3, acc8_3); }
      { let s = vec4f(av9[1]); acc9_0 = fma(s, b1_0, acc9_0); acc9_1 = fma(s, b1_1, acc9_1); acc9_2 = fma(s, b1_2, acc9_2); acc9_3 = fma(s, b1_3, acc9_3); }
      { let s = vec4f(av10[1]); acc10_0 = fma(s, b1_0, acc10_0); acc10_1 = fma(s, b1_1, acc10_1); acc10_2 = fma(s, b1_2, acc10_2); acc10_3 = fma(s, b1_3, acc10_3); }
      { let s = vec4f(av11[1]); acc11_0 = fma(s, b1_0, acc11_0); acc11_1 = fma(s, b1_1, acc11_1); acc11_2 = fma(s, b1_2, acc11_2); acc11_3 = fma(s, b1_3, acc11_3); }
      { let s = vec4f(av12[1]); acc12_0 = fma(s, b1_0, acc12_0); acc12_1 = fma(s, b1_1, acc12_1); acc12_2 = fma(s, b1_2, acc12_2); acc12_3 = fma(s, b1_3, acc12_3); }
      { let s = vec4f(av13[1]); acc13_0 = fma(s, b1_0, acc13_0); acc13_1 = fma(s, b1_1, acc13_1); acc13_2 = fma(s, b1_2, acc13_2); acc13_3 = fma(s, b1_3, acc13_3); }
      { let s = vec4f(av14[1]); acc14_0 = fma(s, b1_0, acc14_0); acc14_1 = fma(s, b1_1, acc14_1); acc14_2 = fma(s, b1_2, acc14_2); acc14_3 = fma(s, b1_3, acc14_3); }
      { let s = vec4f(av15[1]); acc15_0 = fma(s, b1_0, acc15_0); acc15_1 = fma(s, b1_1, acc15_1); acc15_2 = fma(s, b1_2, acc15_2); acc15_3 = fma(s, b1_3, acc15_3); }
      { let s = vec4f(av16[1]); acc16_0 = fma(s, b1_0, acc16_0); acc16_1 = fma(s, b1_1, acc16_1); acc16_2 = fma(s, b1_2, acc16_2); acc16_3 = fma(s, b1_3, acc16_3); }
      { let s = vec4f(av17[1]); acc17_0 = fma(s, b1_0, acc17_0); acc17_1 = fma(s, b1_1, acc17_1); acc17_2 = fma(s, b1_2, acc17_2); acc17_3 = fma(s, b1_3, acc17_3); }
      { let s = vec4f(av18[1]); acc18_0 = fma(s, b1_0, acc18_0); acc18_1 = fma(s, b1_1, acc18_1); acc18_2 = fma(s, b1_2, acc18_2); acc18_3 = fma(s, b1_3, acc18_3); }
      { let s = vec4f(av19[1]); acc19_0 = fma(s, b1_0, acc19_0); acc19_1 = fma(s, b1_1, acc19_1); acc19_2 = fma(s, b1_2, acc19_2); acc19_3 = fma(s, b1_3, acc19_3); }
      { let s = vec4f(av20[1]); acc20_0 = fma(s, b1_0, acc20_0); acc20_1 = fma(s, b1_1, acc20_1); acc20_2 = fma(s, b1_2, acc20_2); acc20_3 = fma(s, b1_3, acc20_3); }
      { let s = vec4f(av21[1]); acc21_0 = fma(s, b1_0, acc21_0); acc21_1 = fma(s, b1_1, acc21_1); acc21_2 = fma(s, b1_2, acc21_2); acc21_3 = fma(s, b1_3, acc21_3); }
      { let s = vec4f(av22[1]); acc22_0 = fma(s, b1_0, acc22_0); acc22_1 = fma(s, b1_1, acc22_1); acc22_2 = fma(s, b1_2, acc22_2); acc22_3 = fma(s, b1_3, acc22_3); }
      { let s = vec4f(av23[1]); acc23_0 = fma(s, b1_0, acc23_0); acc23_1 = fma(s, b1_1, acc23_1); acc23_2 = fma(s, b1_2, acc23_2); acc23_3 = fma(s, b1_3, acc23_3); }
      { let s = vec4f(av24[1]); acc24_0 = fma(s, b1_0, acc24_0); acc24_1 = fma(s, b1_1, acc24_1); acc24_2 = fma(s, b1_2, acc24_2); acc24_3 = fma(s, b1_3, acc24_3); }
      { let s = vec4f(av25[1]); acc25_0 = fma(s, b1_0, acc25_0); acc25_1 = fma(s, b1_1, acc25_1); acc25_2 = fma(s, b1_2, acc25_2); acc25_3 = fma(s, b1_3, acc25_3); }
      { let s = vec4f(av26[1]); acc26_0 = fma(s, b1_0, acc26_0); acc26_1 = fma(s, b1_1, acc26_1); acc26_2 = fma(s, b1_2, acc26_2); acc26_3 = fma(s, b1_3, acc26_3); }
      { let s = vec4f(av27[1]); acc27_0 = fma(s, b1_0, acc27_0); acc27_1 = fma(s, b1_1, acc27_1); acc27_2 = fma(s, b1_2, acc27_2); acc27_3 = fma(s, b1_3, acc27_3); }
      { let s = vec4f(av28[1]); acc28_0 = fma(s, b1_0, acc28_0); acc28_1 = fma(s, b1_1, acc28_1); acc28_2 = fma(s, b1_2, acc28_2); acc28_3 = fma(s, b1_3, acc28_3); }
      { let s = vec4f(av29[1]); acc29_0 = fma(s, b1_0, acc29_0); acc29_1 = fma(s, b1_1, acc29_1); acc29_2 = fma(s, b1_2, acc29_2); acc29_3 = fma(s, b1_3, acc29_3); }
      { let s = vec4f(av30[1]); acc30_0 = fma(s, b1_0, acc30_0); acc30_1 = fma(s, b1_1, acc30_1); acc30_2 = fma(s, b1_2, acc30_2); acc30_3 = fma(s, b1_3, acc30_3); }
      { let s = vec4f(av31[1]); acc31_0 = fma(s, b1_0, acc31_0); acc31_1 = fma(s, b1_1, acc31_1); acc31_2 = fma(s, b1_2, acc31_2); acc31_3 = fma(s, b1_3, acc31_3); }
      let b2_0 = b[ib0 + 2u * ldb4];
      let b2_1 = b[ib1 + 2u * ldb4];
      let b2_2 = b[ib2 + 2u * ldb4];
      let b2_3 = b[ib3 + 2u * ldb4];
      { let s = vec4f(av0[2]); acc0_0 = fma(s, b2_0, acc0_0); acc0_1 = fma(s, b2_1, acc0_1); acc0_2 = fma(s, b2_2, acc0_2); acc0_3 = fma(s, b2_3, acc0_3); }
      { let s = vec4f(av1[2]); acc1_0 = fma(s, b2_0, acc1_0); acc1_1 = fma(s, b2_1, acc1_1); acc1_2 = fma(s, b2_2, acc1_2); acc1_3 = fma(s, b2_3, acc1_3); }
      { let s = vec4f(av2[2]); acc2_0 = fma(s, b2_0, acc2_0); acc2_1 = fma(s, b2_1, acc2_1); acc2_2 = fma(s, b2_2, acc2_2); acc2_3 = fma(s, b2_3, acc2_3); }
      { let s = vec4f(av3[2]); acc3_0 = fma(s, b2_0, acc3_0); acc3_1 = fma(s, b2_1, acc3_1); acc3_2 = fma(s, b2_2, acc3_2); acc3_3 = fma(s, b2_3, acc3_3); }
      { let s = vec4f(av4[2]); acc4_0 = fma(s, b2_0, acc4_0); acc4_1 = fma(s, b2_1, acc4_1); acc4_2 = fma(s, b2_2, acc4_2); acc4_3 = fma(s, b2_3, acc4_3); }
      { let s = vec4f(av5[2]); acc5_0 = fma(s, b2_0, acc5_0); acc5_1 = fma(s, b2_1, acc5_1); acc5_2 = fma(s, b2_2, acc5_2); acc5_3 = fma(s, b2_3, acc5_3); }
      { let s = vec4f(av6[2]); acc6_0 = fma(s, b2_0, acc6_0); acc6_1 = fma(s, b2_1, acc6_1); acc6_2 = fma(s, b2_2, acc6_2); acc6_3 = fma(s, b2_3, acc6_3); }
      { let s = vec4f(av7[2]); acc7_0 = fma(s, b2_0, acc7_0); acc7_1 = fma(s, b2_1, acc7_1); acc7_2 = fma(s, b2_2, acc7_2); acc7_3 = fma(s, b2_3, acc7_3); }
      { let s = vec4f(av8[2]); acc8_0 = fma(s, b2_0, acc8_0); acc8_1 = fma(s, b2_1, acc8_1); acc8_2 = fma(s, b2_2, acc8_2); acc8_3 = fma(s, b2_3, acc8_3); }
      { let s = vec4f(av9[2]); acc9_0 = fma(s, b2_0, acc9_0); acc9_1 = fma(s, b2_1, acc9_1); acc9_2 = fma(s, b2_2, acc9_2); acc9_3 = fma(s, b2_3, acc9_3); }
      { let s = vec4f(av10[2]); acc10_0 = fma(s, b2_0, acc10_0); acc10_1 = fma(s, b2_1, acc10_1); acc10_2 = fma(s, b2_2, acc10_2); acc10_3 = fma(s, b2_3, acc10_3); }
      { let s = vec4f(av11[2]); acc11_0 = fma(s, b2_0, acc11_0); acc11_1 = fma(s, b2_1, acc11_1); acc11_2 = fma(s, b2_2, acc11_2); acc11_3 = fma(s, b2_3, acc11_3); }
      { let s = vec4f(av12[2]); acc12_0 = fma(s, b2_0, acc12_0); acc12_1 = fma(s, b2_1, acc12_1); acc12_2 = fma(s, b2_2, acc12_2); acc12_3 = fma(s, b2_3, acc12_3); }
      { let s = vec4f(av13[2]); acc13_0 = fma(s, b2_0, acc13_0); acc13_1 = fma(s, b2_1, acc13_1); acc13_2 = fma(s, b2_2, acc13_2); acc13_3 = fma(s, b2_3, acc13_3); }
      { let s = vec4f(av14[2]); acc14_0 = fma(s, b2_0, acc14_0); acc14_1 = fma(s, b2_1, acc14_1); acc14_2 = fma(s, b2_2, acc14_2); acc14_3 = fma(s, b2_3, acc14_3); }
      { let s = vec4f(av15[2]); acc15_0 = fma(s, b2_0, acc15_0); acc15_1 = fma(s, b2_1, acc15_1); acc15_2 = fma(s, b2_2, acc15_2); acc15_3 = fma(s, b2_3, acc15_3); }
      { let s = vec4f(av16[2]); acc16_0 = fma(s, b2_0, acc16_0); acc16_1 = fma(s, b2_1, acc16_1); acc16_2 = fma(s, b2_2, acc16_2); acc16_3 = fma(s, b2_3, acc16_3); }
      { let s = vec4f(av17[2]); acc17_0 = fma(s, b2_0, acc17_0); acc17_1 = fma(s, b2_1, acc17_1); acc17_2 = fma(s, b2_2, acc17_2); acc17_3 = fma(s, b2_3, acc17_3); }
      { let s = vec4f(av18[2]); acc18_0 = fma(s, b2_0, acc18_0); acc18_1 = fma(s, b2_1, acc18_1); acc18_2 = fma(s, b2_2, acc18_2); acc18_3 = fma(s, b2_3, acc18_3); }
      { let s = vec4f(av19[2]); acc19_0 = fma(s, b2_0, acc19_0); acc19_1 = fma(s, b2_1, acc19_1); acc19_2 = fma(s, b2_2, acc19_2); acc19_3 = fma(s, b2_3, acc19_3); }
      { let s = vec4f(av20[2]); acc20_0 = fma(s, b2_0, acc20_0); acc20_1 = fma(s, b2_1, acc20_1); acc20_2 = fma(s, b2_2, acc20_2); acc20_3 = fma(s, b2_3, acc20_3); }
      { let s = vec4f(av21[2]); acc21_0 = fma(s, b2_0, acc21_0); acc21_1 = fma(s, b2_1, acc21_1); acc21_2 = fma(s, b2_2, acc21_2); acc21_3 = fma(s, b2_3, acc21_3); }
      { let s = vec4f(av22[2]); acc22_0 = fma(s, b2_0, acc22_0); acc22_1 = fma(s, b2_1, acc22_1); acc22_2 = fma(s, b2_2, acc22_2); acc22_3 = fma(s, b2_3, acc22_3); }
      { let s = vec4f(av23[2]); acc23_0 = fma(s, b2_0, acc23_0); acc23_1 = fma(s, b2_1, acc23_1); acc23_2 = fma(s, b2_2, acc23_2); acc23_3 = fma(s, b2_3, acc23_3); }
      { let s = vec4f(av24[2]); acc24_0 = fma(s, b2_0, acc24_0); acc24_1 = fma(s, b2_1, acc24_1); acc24_2 = fma(s, b2_2, acc24_2); acc24_3 = fma(s, b2_3, acc24_3); }
      { let s = vec4f(av25[2]); acc25_0 = fma(s, b2_0, acc25_0); acc25_1 = fma(s, b2_1, acc25_1); acc25_2 = fma(s, b2_2, acc25_2); acc25_3 = fma(s, b2_3, acc25_3); }
      { let s = vec4f(av26[2]); acc26_0 = fma(s, b2_0, acc26_0); acc26_1 = fma(s, b2_1, acc26_1); acc26_2 = fma(s, b2_2, acc26_2); acc26_3 = fma(s, b2_3, acc26_3); }
      { let s = vec4f(av27[2]); acc27_0 = fma(s, b2_0, acc27_0); acc27_1 = fma(s, b2_1, acc27_1); acc27_2 = fma(s, b2_2, acc27_2); acc27_3 = fma(s, b2_3, acc27_3); }
      { let s = vec4f(av28[2]); acc28_0 = fma(s, b2_0, acc28_0); acc28_1 = fma(s, b2_1, acc28_1); acc28_2 = fma(s, b2_2, acc28_2); acc28_3 = fma(s, b2_3, acc28_3); }
      { let s = vec4f(av29[2]); acc29_0 = fma(s, b2_0, acc29_0); acc29_1 = fma(s, b2_1, acc29_1); acc29_2 = fma(s, b2_2, acc29_2); acc29_3 = fma(s, b2_3, acc29_3); }
      { let s = vec4f(av30[2]); acc30_0 = fma(s, b2_0, acc30_0); acc30_1 = fma(s, b2_1, acc30_1); acc30_2 = fma(s, b2_2, acc30_2); acc30_3 = fma(s, b2_3, acc30_3); }
      { let s = vec4f(av31[2]); acc31_0 = fma(s, b2_0, acc31_0); acc31_1 = fma(s, b2_1, acc31_1); acc31_2 = fma(s, b2_2, acc31_2); acc31_3 = fma(s, b2_3, acc31_3); }
      let b3_0 = b[ib0 + 3u * ldb4];
      let b3_1 = b[ib1 + 3u * ldb4];
      let b3_2 = b[ib2 + 3u * ldb4];
      let b3_3 = b[ib3 + 3u * ldb4];
      { let s = vec4f(av0[3]); acc0_0 = fma(s, b3_0, acc0_0); acc0_1 = fma(s, b3_1, acc0_1); acc0_2 = fma(s, b3_2, acc0_2); acc0_3 = fma(s, b3_3, acc0_3); }
      { let s = vec4f(av1[3]); acc1_0 = fma(s, b3_0, acc1_0); acc1_1 = fma(s, b3_1, acc1_1); acc1_2 = fma(s, b3_2, acc1_2); acc1_3 = fma(s, b3_3, acc1_3); }
      { let s = vec4f(av2[3]); acc2_0 = fma(s, b3_0, acc2_0); acc2_1 = fma(s, b3_1, acc2_1); acc2_2 = fma(s, b3_2, acc2_2); acc2_3 = fma(s, b3_3, acc2_3); }
      { let s = vec4f(av3[3]); acc3_0 = fma(s, b3_0, acc3_0); acc3_1 = fma(s, b3_1, acc3_1); acc3_2 = fma(s, b3_2, acc3_2); acc3_3 = fma(s, b3_3, acc3_3); }
      { let s = vec4f(av4[3]); acc4_0 = fma(s, b3_0, acc4_0); acc4_1 = fma(s, b3_1, acc4_1); acc4_2 = fma(s, b3_2, acc4_2); acc4_3 = fma(s, b3_3, acc4_3); }
      { let s = vec4f(av5[3]); acc5_0 = fma(s, b3_0, acc5_0); acc5_1 = fma(s, b3_1, acc5_1); acc5_2 = fma(s, b3_2, acc5_2); acc5_3 = fma(s, b3_3, acc5_3); }
      { let s = vec4f(av6[3]); acc6_0 = fma(s, b3_0, acc6_0); acc6_1 = fma(s, b3_1, acc6_1); acc6_2 = fma(s, b3_2, acc6_2); acc6_3 = fma(s, b3_3, acc6_3); }
      { let s = vec4f(av7[3]); acc7_0 = fma(s, b3_0, acc7_0); acc7_1 = fma(s, b3_1, acc7_1); acc7_2 = fma(s, b3_2, acc7_2); acc7_3 = fma(s, b3_3, acc7_3); }
      { let s = vec4f(av8[3]); acc8_0 = fma(s, b3_0, acc8_0); acc8_1 = fma(s, b3_1, acc8_1); acc8_2 = fma(s, b3_2, acc8_2); acc8_3 = fma(s, b3_3, acc8_3); }
      { let s = vec4f(av9[3]); acc9_0 = fma(s, b3_0, acc9_0); acc9_1 = fma(s, b3_1, acc9_1); acc9_2 = fma(s, b3_2, acc9_2); acc9_3 = fma(s, b3_3, acc9_3); }
      { let s = vec4f(av10[3]); acc10_0 = fma(s, b3_0, acc10_0); acc10_1 = fma(s, b3_1, acc10_1); acc10_2 = fma(s, b3_2, acc10_2); acc10_3 = fma(s, b3_3, acc10_3); }
      { let s = vec4f(av11[3]); acc11_0 = fma(s, b3_0, acc11_0); acc11_1 = fma(s, b3_1, acc11_1); acc11_2 = fma(s, b3_2, acc11_2); acc11_3 = fma(s, b3_3, acc11_3); }
      { let s = vec4f(av12[3]); acc12_0 = fma(s, b3_0, acc12_0); acc12_1 = fma(s, b3_1, acc12_1); acc12_2 = fma(s, b3_2, acc12_2); acc12_3 = fma(s, b3_3, acc12_3); }
      { let s = vec4f(av13[3]); acc13_0 = fma(s, b3_0, acc13_0); acc13_1 = fma(s, b3_1, acc13_1); acc13_2 = fma(s, b3_2, acc13_2); acc13_3 = fma(s, b3_3, acc13_3); }
      { let s = vec4f(av14[3]); acc14_0 = fma(s, b3_0, acc14_0); acc14_1 = fma(s, b3_1, acc14_1); acc14_2 = fma(s, b3_2, acc14_2); acc14_3 = fma(s, b3_3, acc14_3); }
      { let s = vec4f(av15[3]); acc15_0 = fma(s, b3_0, acc15_0); acc15_1 = fma(s, b3_1, acc15_1); acc15_2 = fma(s, b3_2, acc15_2); acc15_3 = fma(s, b3_3, acc15_3); }
      { let s = vec4f(av16[3]); acc16_0 = fma(s, b3_0, acc16_0); acc16_1 = fma(s, b3_1, acc16_1); acc16_2 = fma(s, b3_2, acc16_2); acc16_3 = fma(s, b3_3, acc16_3); }
      { let s = vec4f(av17[3]); acc17_0 = fma(s, b3_0, acc17_0); acc17_1 = fma(s, b3_1, acc17_1); acc17_2 = fma(s, b3_2, acc17_2); acc17_3 = fma(s, b3_3, acc17_3); }
      { let s = vec4f(av18[3]); acc18_0 = fma(s, b3_0, acc18_0); acc18_1 = fma(s, b3_1, acc18_1); acc18_2 = fma(s, b3_2, acc18_2); acc18_3 = fma(s, b3_3, acc18_3); }
      { let s = vec4f(av19[3]); acc19_0 = fma(s, b3_0, acc19_0); acc19_1 = fma(s, b3_1, acc19_1); acc19_2 = fma(s, b3_2, acc19_2); acc19_3 = fma(s, b3_3, acc19_3); }
      { let s = vec4f(av20[3]); acc20_0 = fma(s, b3_0, acc20_0); acc20_1 = fma(s, b3_1, acc20_1); acc20_2 = fma(s, b3_2, acc20_2); acc20_3 = fma(s, b3_3, acc20_3); }
      { let s = vec4f(av21[3]); acc21_0 = fma(s, b3_0, acc21_0); acc21_1 = fma(s, b3_1, acc21_1); acc21_2 = fma(s, b3_2, acc21_2); acc21_3 = fma(s, b3_3, acc21_3); }
      { let s = vec4f(av22[3]); acc22_0 = fma(s, b3_0, acc22_0); acc22_1 = fma(s, b3_1, acc22_1); acc22_2 = fma(s, b3_2, acc22_2); acc22_3 = fma(s, b3_3, acc22_3); }
      { let s = vec4f(av23[3]); acc23_0 = fma(s, b3_0, acc23_0); acc23_1 = fma(s, b3_1, acc23_1); acc23_2 = fma(s, b3_2, acc23_2); acc23_3 = fma(s, b3_3, acc23_3); }
      { let s = vec4f(av24[3]); acc24_0 = fma(s, b3_0, acc24_0); acc24_1 = fma(s, b3_1, acc24_1); acc24_2 = fma(s, b3_2, acc24_2); acc24_3 = fma(s, b3_3, acc24_3); }
      { let s = vec4f(av25[3]); acc25_0 = fma(s, b3_0, acc25_0); acc25_1 = fma(s, b3_1, acc25_1); acc25_2 = fma(s, b3_2, acc25_2); acc25_3 = fma(s, b3_3, acc25_3); }
      { let s = vec4f(av26[3]); acc26_0 = fma(s, b3_0, acc26_0); acc26_1 = fma(s, b3_1, acc26_1); acc26_2 = fma(s, b3_2, acc26_2); acc26_3 = fma(s, b3_3, acc26_3); }
      { let s = vec4f(av27[3]); acc27_0 = fma(s, b3_0, acc27_0); acc27_1 = fma(s, b3_1, acc27_1); acc27_2 = fma(s, b3_2, acc27_2); acc27_3 = fma(s, b3_3, acc27_3); }
      { let s = vec4f(av28[3]); acc28_0 = fma(s, b3_0, acc28_0); acc28_1 = fma(s, b3_1, acc28_1); acc28_2 = fma(s, b3_2, acc28_2); acc28_3 = fma(s, b3_3, acc28_3); }
      { let s = vec4f(av29[3]); acc29_0 = fma(s, b3_0, acc29_0); acc29_1 = fma(s, b3_1, acc29_1); acc29_2 = fma(s, b3_2, acc29_2); acc29_3 = fma(s, b3_3, acc29_3); }
      { let s = vec4f(av30[3]); acc30_0 = fma(s, b3_0, acc30_0); acc30_1 = fma(s, b3_1, acc30_1); acc30_2 = fma(s, b3_2, acc30_2); acc30_3 = fma(s, b3_3, acc30_3); }
      { let s = vec4f(av31[3]); acc31_0 = fma(s, b3_0, acc31_0); acc31_1 = fma(s, b3_1, acc31_1); acc31_2 = fma(s, b3_2, acc31_2); acc31_3 = fma(s, b3_3, acc31_3); }
      ia0 += 1u; ia1 += 1u; ia2 += 1u; ia3 += 1u; ia4 += 1u; ia5 += 1u; ia6 += 1u; ia7 += 1u; ia8 += 1u; ia9 += 1u; ia10 += 1u; ia11 += 1u; ia12 += 1u; ia13 += 1u; ia14 += 1u; ia15 += 1u; ia16 += 1u; ia17 += 1u; ia18 += 1u; ia19 += 1u; ia20 += 1u; ia21 += 1u; ia22 += 1u; ia23 += 1u; ia24 += 1u; ia25 += 1u; ia26 += 1u; ia27 += 1u; ia28 += 1u; ia29 += 1u; ia30 += 1u; ia31 += 1u;
      ib0 += 4u * ldb4; ib1 += 4u * ldb4; ib2 += 4u * ldb4; ib3 += 4u * ldb4;
    } else if (TA == 0u && TB == 1u) {
      let av0 = a[ia0];
      let av1 = a[ia1];
      let av2 = a[ia2];
      let av3 = a[ia3];
      let av4 = a[ia4];
      let av5 = a[ia5];
      let av6 = a[ia6];
      let av7 = a[ia7];
      let av8 = a[ia8];
      let av9 = a[ia9];
      let av10 = a[ia10];
      let av11 = a[ia11];
      let av12 = a[ia12];
      let av13 = a[ia13];
      let av14 = a[ia14];
      let av15 = a[ia15];
      let av16 = a[ia16];
      let av17 = a[ia17];
      let av18 = a[ia18];
      let av19 = a[ia19];
      let av20 = a[ia20];
      let av21 = a[ia21];
      let av22 = a[ia22];
      let av23 = a[ia23];
      let av24 = a[ia24];
      let av25 = a[ia25];
      let av26 = a[ia26];
      let av27 = a[ia27];
      let av28 = a[ia28];
      let av29 = a[ia29];
      let av30 = a[ia30];
      let av31 = a[ia31];
      let bv0 = b[ib0];
      let bv1 = b[ib1];
      let bv2 = b[ib2];
      let bv3 = b[ib3];
      let bv4 = b[ib4];
      let bv5 = b[ib5];
      let bv6 = b[ib6];
      let bv7 = b[ib7];
      let bv8 = b[ib8];
      let bv9 = b[ib9];
      let bv10 = b[ib10];
      let bv11 = b[ib11];
      let bv12 = b[ib12];
      let bv13 = b[ib13];
      let bv14 = b[ib14];
      let bv15 = b[ib15];
      let b0_0 = vec4f(bv0[0], bv1[0], bv2[0], bv3[0]);
      let b0_1 = vec4f(bv4[0], bv5[0], bv6[0], bv7[0]);
      let b0_2 = vec4f(bv8[0], bv9[0], bv10[0], bv11[0]);
      let b0_3 = vec4f(bv12[0], bv13[0], bv14[0], bv15[0]);
      { let s = vec4f(av0[0]); acc0_0 = fma(s, b0_0, acc0_0); acc0_1 = fma(s, b0_1, acc0_1); acc0_2 = fma(s, b0_2, acc0_2); acc0_3 = fma(s, b0_3, acc0_3); }
      { let s = vec4f(av1[0]); acc1_0 = fma(s, b0_0, acc1_0); acc1_1 = fma(s, b0_1, acc1_1); acc1_2 = fma(s, b0_2, acc1_2); acc1_3 = fma(s, b0_3, acc1_3); }
      { let s = vec4f(av2[0]); acc2_0 = fma(s, b0_0, acc2_0); acc2_1 = fma(s, b0_1, acc2_1); acc2_2 = fma(s, b0_2, acc2_2); acc2_3 = fma(s, b0_3, acc2_3); }
      { let s = vec4f(av3[0]); acc3_0 = fma(s, b0_0, acc3_0); acc3_1 = fma(s, b0_1, acc3_1); acc3_2 = fma(s, b0_2, acc3_2); acc3_3 = fma(s, b0_3, acc3_3); }
      { let s = vec4f(av4[0]); acc4_0 = fma(s, b0_0, acc4_0); acc4_1 = fma(s, b0_1, acc4_1); acc4_2 = fma(s, b0_2, acc4_2); acc4_3 = fma(s, b0_3, acc4_3); }
      { let s = vec4f(av5[0]); acc5_0 = fma(s, b0_0, acc5_0); acc5_1 = fma(s, b0_1, acc5_1); acc5_2 = fma(s, b0_2, acc5_2); acc5_3 = fma(s, b0_3, acc5_3); }
      { let s = vec4f(av6[0]); acc6_0 = fma(s, b0_0, acc6_0); acc6_1 = fma(s, b0_1, acc6_1); acc6_2 = fma(s, b0_2, acc6_2); acc6_3 = fma(s, b0_3, acc6_3); }
      { let s = vec4f(av7[0]); acc7_0 = fma(s, b0_0, acc7_0); acc7_1 = fma(s, b0_1, acc7_1); acc7_2 = fma(s, b0_2, acc7_2); acc7_3 = fma(s, b0_3, acc7_3); }
      { let s = vec4f(av8[0]); acc8_0 = fma(s, b0_0, acc8_0); acc8_1 = fma(s, b0_1, acc8_1); acc8_2 = fma(s, b0_2, acc8_2); acc8_3 = fma(s, b0_3, acc8_3); }
      { let s = vec4f(av9[0]); acc9_0 = fma(s, b0_0, acc9_0); acc9_1 = fma(s, b0_1, acc9_1); acc9_2 = fma(s, b0_2, acc9_2); acc9_3 = fma(s, b0_3, acc9_3); }
      { let s = vec4f(av10[0]); acc10_0 = fma(s, b0_0, acc10_0); acc10_1 = fma(s, b0_1, acc10_1); acc10_2 = fma(s, b0_2, acc10_2); acc10_3 = fma(s, b0_3, acc10_3); }
      { let s = vec4f(av11[0]); acc11_0 = fma(s, b0_0, acc11_0); acc11_1 = fma(s, b0_1, acc11_1); acc11_2 = fma(s, b0_2, acc11_2); acc11_3 = fma(s, b0_3, acc11_3); }
      { let s = vec4f(av12[0]); acc12_0 = fma(s, b0_0, acc12_0); acc12_1 = fma(s, b0_1, acc12_1); acc12_2 = fma(s, b0_2, acc12_2); acc12_3 = fma(s, b0_3, acc12_3); }
      { let s = vec4f(av13[0]); acc13_0 = fma(s, b0_0, acc13_0); acc13_1 = fma(s, b0_1, acc13_1); acc13_2 = fma(s, b0_2, acc13_2); acc13_3 = fma(s, b0_3, acc13_3); }
      { let s = vec4f(av14[0]); acc14_0 = fma(s, b0_0, acc14_0); acc14_1 = fma(s, b0_1, acc14_1); acc14_2 = fma(s, b0_2, acc14_2); acc14_3 = fma(s, b0_3, acc14_3); }
      { let s = vec4f(av15[0]); acc15_0 = fma(s, b0_0, acc15_0); acc15_1 = fma(s, b0_1, acc15_1); acc15_2 = fma(s, b0_2, acc15_2); acc15_3 = fma(s, b0_3, acc15_3); }
      { let s = vec4f(av16[0]); acc16_0 = fma(s, b0_0, acc16_0); acc16_1 = fma(s, b0_1, acc16_1); acc16_2 = fma(s, b0_2, acc16_2); acc16_3 = fma(s, b0_3, acc16_3); }
      { let s = vec4f(av17[0]); acc17_0 = fma(s, b0_0, acc17_0); acc17_1 = fma(s, b0_1, acc17_1); acc17_2 = fma(s, b0_2, acc17_2); acc17_3 = fma(s, b0_3, acc17_3); }
      { let s = vec4f(av18[0]); acc18_0 = fma(s, b0_0, acc18_0); acc18_1 = fma(s, b0_1, acc18_1); acc18_2 = fma(s, b0_2, acc18_2); acc18_3 = fma(s, b0_3, acc18_3); }
      { let s = vec4f(av19[0]); acc19_0 = fma(s, b0_0, acc19_0); acc19_1 = fma(s, b0_1, acc19_1); acc19_2 = fma(s, b0_2, acc19_2); acc19_3 = fma(s, b0_3, acc19_3); }
      { let s = vec4f(av20[0]); acc20_0 = fma(s, b0_0, acc20_0); acc20_1 = fma(s, b0_1, acc20_1); acc20_2 = fma(s, b0_2, acc20_2); acc20_3 = fma(s, b0_3, acc20_3); }
      { let s = vec4f(av21[0]); acc21_0 = fma(s, b0_0, acc21_0); acc21_1 = fma(s, b0_1, acc21_1); acc21_2 = fma(s, b0_2, acc21_2); acc21_3 = fma(s, b0_3, acc21_3); }
      { let s = vec4f(av22[0]); acc22_0 = fma(s, b0_0, acc22_0); acc22_1 = fma(s, b0_1, acc22_1); acc22_2 = fma(s, b0_2, acc22_2); acc22_3 = fma(s, b0_3, acc22_3); }
      { let s = vec4f(av23[0]); acc23_0 = fma(s, b0_0, acc23_0); acc23_1 = fma(s, b0_1, acc23_1); acc23_2 = fma(s, b0_2, acc23_2); acc23_3 = fma(s, b0_3, acc23_3); }
      { let s = vec4f(av24[0]); acc24_0 = fma(s, b0_0, acc24_0); acc24_1 = fma(s, b0_1, acc24_1); acc24_2 = fma(s, b0_2, acc24_2); acc24_3 = fma(s, b0_3, acc24_3); }
      { let s = vec4f(av25[0]); acc25_0 = fma(s, b0_0, acc25_0); acc25_1 = fma(s, b0_1, acc25_1); acc25_2 = fma(s, b0_2, acc25_2); acc25_3 = fma(s, b0_3, acc25_3); }
      { let s = vec4f(av26[0]); acc26_0 = fma(s, b0_0, acc26_0); acc26_1 = fma(s, b0_1, acc26_1); acc26_2 = fma(s, b0_2, acc26_2); acc26_3 = fma(s, b0_3, acc26_3); }
      { let s = vec4f(av27[0]); acc27_0 = fma(s, b0_0, acc27_0); acc27_1 = fma(s, b0_1, acc27_1); acc27_2 = fma(s, b0_2, acc27_2); acc27_3 = fma(s, b0_3, acc27_3); }
      { let s = vec4f(av28[0]); acc28_0 = fma(s, b0_0, acc28_0); acc28_1 = fma(s, b0_1, acc28_1); acc28_2 = fma(s, b0_2, acc28_2); acc28_3 = fma(s, b0_3, acc28_3); }
      { let s = vec4f(av29[0]); acc29_0 = fma(s, b0_0, acc29_0); acc29_1 = fma(s, b0_1, acc29_1); acc29_2 = fma(s, b0_2, acc29_2); acc29_3 = fma(s, b0_3, acc29_3); }
      { let s = vec4f(av30[0]); acc30_0 = fma(s, b0_0, acc30_0); acc30_1 = fma(s, b0_1, acc30_1); acc30_2 = fma(s, b0_2, acc30_2); acc30_3 = fma(s, b0_3, acc30_3); }
      { let s = vec4f(av31[0]); acc31_0 = fma(s, b0_0, acc31_0); acc31_1 = fma(s, b0_1, acc31_1); acc31_2 = fma(s, b0_2, acc31_2); acc31_3 = fma(s, b0_3, acc31_3); }
      let b1_0 = vec4f(bv0[1], bv1[1], bv2[1], bv3[1]);
      let b1_1 = vec4f(bv4[1], bv5[1], bv6[1], bv7[1]);
      let b1_2 = vec4f(bv8[1], bv9[1], bv10[1], bv11[1]);
      let b1_3 = vec4f(bv12[1], bv13[1], bv14[1], bv15[1]);
      { let s = vec4f(av0[1]); acc0_0 = fma(s, b1_0, acc0_0); acc0_1 = fma(s, b1_1, acc0_1); acc0_2 = fma(s, b1_2, acc0_2); acc0_3 = fma(s, b1_3, acc0_3); }
      { let s = vec4f(av1[1]); acc1_0 = fma(s, b1_0, acc1_0); acc1_1 = fma(s, b1_1, acc1_1); acc1_2 = fma(s, b1_2, acc1_2); acc1_3 = fma(s, b1_3, acc1_3); }
      { let s = vec4f(av2[1]); acc2_0 = fma(s, b1_0, acc2_0); acc2_1 = fma(s, b1_1, acc2_1); acc2_2 = fma(s, b1_2, acc2_2); acc2_3 = fma(s, b1_3, acc2_3); }
      { let s = vec4f(av3[1]); acc3_0 = fma(s, b1_0, acc3_0); acc3_1 = fma(s, b1_1, acc3_1); acc3_2 = fma(s, b1_2, acc3_2); acc3_3 = fma(s, b1_3, acc3_3); }
      { let s = vec4f(av4[1]); acc4_0 = fma(s, b1_0, acc4_0); acc4_1 = fma(s, b1_1, acc4_1); acc4_2 = fma(s, b1_2, acc4_2); acc4_3 = fma(s, b1_3, acc4_3); }
      { let s = vec4f(av5[1]); acc5_0 = fma(s, b1_0, acc5_0); acc5_1 = fma(s, b1_1, acc5_1); acc5_2 = fma(s, b1_2, acc5_2); acc5_3 = fma(s, b1_3, acc5_3); }
      { let s = vec4f(av6[1]); acc6_0 = fma(s, b1_0, acc6_0); acc6_1 = fma(s, b1_1, acc6_1); acc6_2 = fma(s, b1_2, acc6_2); acc6_3 = fma(s, b1_3, acc6_3); }
      { let s = vec4f(av7[1]); acc7_0 = fma(s, b1_0, acc7_0); acc7_1 = fma(s, b1_1, acc7_1); acc7_2 = fma(s, b1_2, acc7_2); acc7_3 = fma(s, b1_3, acc7_3); }
      { let s = vec4f(av8[1]); acc8_0 = fma(s, b1_0, acc8_0); acc8_1 = fma(s, b1_1, acc8_1); acc8_2 = fma(s, b1_2, acc8_2); acc8_3 = fma(s, b1_3, acc8_3); }
      { let s = vec4f(av9[1]); acc9_0 = fma(s, b1_0, acc9_0); acc9_1 = fma(s, b1_1, acc9_1); acc9_2 = fma(s, b1_2, acc9_2); acc9_3 = fma(s, b1_3, acc9_3); }
      { let s = vec4f(av10[1]); acc10_0 = fma(s, b1_0, acc10_0); acc10_1 = fma(s, b1_1, acc10_1); acc10_2 = fma(s, b1_2, acc10_2); acc10_3 = fma(s, b1_3, acc10_3); }
      { let s = vec4f(av11[1]); acc11_0 = fma(s, b1_0, acc11_0); acc11_1 = fma(s, b1_1, acc11_1); acc11_2 = fma(s, b1_2, acc11_2); acc11_3 = fma(s, b1_3, acc11_3); }
      { let s = vec4f(av12[1]); acc12_0 = fma(s, b1_0, acc12_0); acc12_1 = fma(s, b1_1, acc12_1); acc12_2 = fma(s, b1_2, acc12_2); acc12_3 = fma(s, b1_3, acc12_3); }
      { let s = vec4f(av13[1]); acc13_0 = fma(s, b1_0, acc13_0); acc13_1 = fma(s, b1_1, acc13_1); acc13_2 = fma(s, b1_2, acc13_2); acc13_3 = fma(s, b1_3, acc13_3); }
      { let s = vec4f(av14[1]); acc14_0 = fma(s, b1_0, acc14_0); acc14_1 = fma(s, b1_1, acc14_1); acc14_2 = fma(s, b1_2, acc14_2); acc14_3 = fma(s, b1_3, acc14_3); }
      { let s = vec4f(av15[1]); acc15_0 = fma(s, b1_0, acc15_0); acc15_1 = fma(s, b1_1, acc15_1); acc15_2 = fma(s, b1_2, acc15_2); acc15_3 = fma(s, b1_3, acc15_3); }
      { let s = vec4f(av16[1]); acc16_0 = fma(s, b1_0, acc16_0); acc16_1 = fma(s, b1_1, acc16_1); acc16_2 = fma(s, b1_2, acc16_2); acc16_3 = fma(s, b1_3, acc16_3); }
      { let s = vec4f(av17[1]); acc17_0 = fma(s, b1_0, acc17_0); acc17_1 = fma(s, b1_1, acc17_1); acc17_2 = fma(s, b1_2, acc17_2); acc17_3 = fma(s, b1_3, acc17_3); }
      { let s = vec4f(av18[1]); acc18_0 = fma(s, b1_0, acc18_0); acc18_1 = fma(s, b1_1, acc18_1); acc18_2 = fma(s, b1_2, acc18_2); acc18_3 = fma(s, b1_3, acc18_3); }
      { let s = vec4f(av19[1]); acc19_0 = fma(s, b1_0, acc19_0); acc19_1 = fma(s, b1_1, acc19_1); acc19_2 = fma(s, b1_2, acc19_2); acc19_3 = fma(s, b1_3, acc19_3); }
      { let s = vec4f(av20[1]); acc20_0 = fma(s, b1_0, acc20_0); acc20_1 = fma(s, b1_1, acc20_1); acc20_2 = fma(s, b1_2, acc20_2); acc20_3 = fma(s, b1_3, acc20_3); }
      { let s = vec4f(av21[1]); acc21_0 = fma(s, b1_0, acc21_0); acc21_1 = fma(s, b1_1, acc21_1); acc21_2 = fma(s, b1_2, acc21_2); acc21_3 = fma(s, b1_3, acc21_3); }
      { let s = vec4f(av22[1]); acc22_0 = fma(s, b1_0, acc22_0); acc22_1 = fma(s, b1_1, acc22_1); acc22_2 = fma(s, b1_2, acc22_2); acc22_3 = fma(s, b1_3, acc22_3); }
      { let s = vec4f(av23[1]); acc23_0 = fma(s, b1_0, acc23_0); acc23_1 = fma(s, b1_1, acc23_1); acc23_2 = fma(s, b1_2, acc23_2); acc23_3 = fma(s, b1_3, acc23_3); }
      { let s = vec4f(av24[1]); acc24_0 = fma(s, b1_0, acc24_0); acc24_1 = fma(s, b1_1, acc24_1); acc24_2 = fma(s, b1_2, acc24_2); acc24_3 = fma(s, b1_3, acc24_3); }
      { let s = vec4f(av25[1]); acc25_0 = fma(s, b1_0, acc25_0); acc25_1 = fma(s, b1_1, acc25_1); acc25_2 = fma(s, b1_2, acc25_2); acc25_3 = fma(s, b1_3, acc25_3); }
      { let s = vec4f(av26[1]); acc26_0 = fma(s, b1_0, acc26_0); acc26_1 = fma(s, b1_1, acc26_1); acc26_2 = fma(s, b1_2, acc26_2); acc26_3 = fma(s, b1_3, acc26_3); }
      { let s = vec4f(av27[1]); acc27_0 = fma(s, b1_0, acc27_0); acc27_1 = fma(s, b1_1, acc27_1); acc27_2 = fma(s, b1_2, acc27_2); acc27_3 = fma(s, b1_3, acc27_3); }
      { let s = vec4f(av28[1]); acc28_0 = fma(s, b1_0, acc28_0); acc28_1 = fma(s, b1_1, acc28_1); acc28_2 = fma(s, b1_2, acc28_2); acc28_3 = fma(s, b1_3, acc28_3); }
      { let s = vec4f(av29[1]); acc29_0 = fma(s, b1_0, acc29_0); acc29_1 = fma(s, b1_1, acc29_1); acc29_2 = fma(s, b1_2, acc29_2); acc29_3 = fma(s, b1_3, acc29_3); }
      { let s = vec4f(av30[1]); acc30_0 = fma(s, b1_0, acc30_0); acc30_1 = fma(s, b1_1, acc30_1); acc30_2 = fma(s, b1_2, acc30_2); acc30_3 = fma(s, b1_3, acc30_3); }
      { let s = vec4f(av31[1]); acc31_0 = fma(s, b1_0, acc31_0); acc31_1 = fma(s, b1_1, acc31_1); acc31_2 = fma(s, b1_2, acc31_2); acc31_3 = fma(s, b1_3, acc31_3); }
      let b2_0 = vec4f(bv0[2], bv1[2], bv2[2], bv3[2]);
      let b2_1 = vec4f(bv4[2], bv5[2], bv6[2], bv7[2]);
      let b2_2 = vec4f(bv8[2], bv9[2], bv10[2], bv11[2]);
      let b2_3 = vec4f(bv12[2], bv13[2], bv14[2], bv15[2]);
      { let s = vec4f(av0[2]); acc0_0 = fma(s, b2_0, acc0_0); acc0_1 = fma(s, b2_1, acc0_1); acc0_2 = fma(s, b2_2, acc0_2); acc0_3 = fma(s, b2_3, acc0_3); }
      { let s = vec4f(av1[2]); acc1_0 = fma(s, b2_0, acc1_0); acc1_1 = fma(s, b2_1, acc1_1); acc1_2 = fma(s, b2_2, acc1_2); acc1_3 = fma(s, b2_3, acc1_3); }
      { let s = vec4f(av2[2]); acc2_0 = fma(s, b2_0, acc2_0); acc2_1 = fma(s, b2_1, acc2_1); acc2_2 = fma(s, b2_2, acc2_2); acc2_3 = fma(s, b2_3, acc2_3); }
      { let s = vec4f(av3[2]); acc3_0 = fma(s, b2_0, acc3_0); acc3_1 = fma(s, b2_1, acc3_1); acc3_2 = fma(s, b2_2, acc3_2); acc3_3 = fma(s, b2_3, acc3_3); }
      { let s = vec4f(av4[2]); acc4_0 = fma(s, b2_0, acc4_0); acc4_1 = fma(s, b2_1, acc4_1); acc4_2 = fma(s, b2_2, acc4_2); acc4_3 = fma(s, b2_3, acc4_3); }
      { let s = vec4f(av5[2]); acc5_0 = fma(s, b2_0, acc5_0); acc5_1 = fma(s, b2_1, acc5_1); acc5_2 = fma(s, b2_2, acc5_2); acc5_3 = fma(s, b2_3, acc5_3); }
      { let s = vec4f(av6[2]); acc6_0 = fma(s, b2_0, acc6_0); acc6_1 = fma(s, b2_1, acc6_1); acc6_2 = fma(s, b2_2, acc6_2); acc6_3 = fma(s, b2_3, acc6_3); }
      { let s = vec4f(av7[2]); acc7_0 = fma(s, b2_0, acc7_0); acc7_1 = fma(s, b2_1, acc7_1); acc7_2 = fma(s, b2_2, acc7_2); acc7_3 = fma(s, b2_3, acc7_3); }
      { let s = vec4f(av8[2]); acc8_0 = fma(s, b2_0, acc8_0); acc8_1 = fma(s, b2_1, acc8_1); acc8_2 = fma(s, b2_2, acc8_2); acc8_3 = fma(s, b2_3, acc8_3); }
      { let s = vec4f(av9[2]); acc9_0 = fma(s, b2_0, acc9_0); acc9_1 = fma(s, b2_1, acc9_1); acc9_2 = fma(s, b2_2, acc9_2); acc9_3 = fma(s, b2_3, acc9_3); }
      { let s = vec4f(av10[2]); acc10_0 = fma(s, b2_0, acc10_0); acc10_1 = fma(s, b2_1, acc10_1); acc10_2 = fma(s, b2_2, acc10_2); acc10_3 = fma(s, b2_3, acc10_3); }
      { let s = vec4f(av11[2]); acc11_0 = fma(s, b2_0, acc11_0); acc11_1 = fma(s, b2_1, acc11_1); acc11_2 = fma(s, b2_2, acc11_2); acc11_3 = fma(s, b2_3, acc11_3); }
      { let s = vec4f(av12[2]); acc12_0 = fma(s, b2_0, acc12_0); acc12_1 = fma(s, b2_1, acc12_1); acc12_2 = fma(s, b2_2, acc12_2); acc12_3 = fma(s, b2_3, acc12_3); }
      { let s = vec4f(av13[2]); acc13_0 = fma(s, b2_0, acc13_0); acc13_1 = fma(s, b2_1, acc13_1); acc13_2 = fma(s, b2_2, acc13_2); acc13_3 = fma(s, b2_3, acc13_3); }
      { let s = vec4f(av14[2]); acc14_0 = fma(s, b2_0, acc14_0); acc14_1 = fma(s, b2_1, acc14_1); acc14_2 = fma(s, b2_2, acc14_2); acc14_3 = fma(s, b2_3, acc14_3); }
      { let s = vec4f(av15[2]); acc15_0 = fma(s, b2_0, acc15_0); acc15_1 = fma(s, b2_1, acc15_1); acc15_2 = fma(s, b2_2, acc15_2); acc15_3 = fma(s, b2_3, acc15_3); }
      { let s = vec4f(av16[2]); acc16_0 = fma(s, b2_0, acc16_0); acc16_1 = fma(s, b2_1, acc16_1); acc16_2 = fma(s, b2_2, acc16_2); acc16_3 = fma(s, b2_3, acc16_3); }
      { let s = vec4f(av17[2]); acc17_0 = fma(s, b2_0, acc17_0); acc17_1 = fma(s, b2_1, acc17_1); acc17_2 = fma(s, b2_2, acc17_2); acc17_3 = fma(s, b2_3, acc17_3); }
      { let s = vec4f(av18[2]); acc18_0 = fma(s, b2_0, acc18_0); acc18_1 = fma(s, b2_1, acc18_1); acc18_2 = fma(s, b2_2, acc18_2); acc18_3 = fma(s, b2_3, acc18_3); }
      { let s = vec4f(av19[2]); acc19_0 = fma(s, b2_0, acc19_0); acc19_1 = fma(s, b2_1, acc19_1); acc19_2 = fma(s, b2_2, acc19_2); acc19_3 = fma(s, b2_3, acc19_3); }
      { let s = vec4f(av20[2]); acc20_0 = fma(s, b2_0, acc20_0); acc20_1 = fma(s, b2_1, acc20_1); acc20_2 = fma(s, b2_2, acc20_2); acc20_3 = fma(s, b2_3, acc20_3); }
      { let s = vec4f(av21[2]); acc21_0 = fma(s, b2_0, acc21_0); acc21_1 = fma(s, b2_1, acc21_1); acc21_2 = fma(s, b2_2, acc21_2); acc21_3 = fma(s, b2_3, acc21_3); }
      { let s = vec4f(av22[2]); acc22_0 = fma(s, b2_0, acc22_0); acc22_1 = fma(s, b2_1, acc22_1); acc22_2 = fma(s, b2_2, acc22_2); acc22_3 = fma(s, b2_3, acc22_3); }
      { let s = vec4f(av23[2]); acc23_0 = fma(s, b2_0, acc23_0); acc23_1 = fma(s, b2_1, acc23_1); acc23_2 = fma(s, b2_2, acc23_2); acc23_3 = fma(s, b2_3, acc23_3); }
      { let s = vec4f(av24[2]); acc24_0 = fma(s, b2_0, acc24_0); acc24_1 = fma(s, b2_1, acc24_1); acc24_2 = fma(s, b2_2, acc24_2); acc24_3 = fma(s, b2_3, acc24_3); }
      { let s = vec4f(av25[2]); acc25_0 = fma(s, b2_0, acc25_0); acc25_1 = fma(s, b2_1, acc25_1); acc25_2 = fma(s, b2_2, acc25_2); acc25_3 = fma(s, b2_3, acc25_3); }
      { let s = vec4f(av26[2]); acc26_0 = fma(s, b2_0, acc26_0); acc26_1 = fma(s, b2_1, acc26_1); acc26_2 = fma(s, b2_2, acc26_2); acc26_3 = fma(s, b2_3, acc26_3); }
      { let s = vec4f(av27[2]); acc27_0 = fma(s, b2_0, acc27_0); acc27_1 = fma(s, b2_1, acc27_1); acc27_2 = fma(s, b2_2, acc27_2); acc27_3 = fma(s, b2_3, acc27_3); }
      { let s = vec4f(av28[2]); acc28_0 = fma(s, b2_0, acc28_0); acc28_1 = fma(s, b2_1, acc28_1); acc28_2 = fma(s, b2_2, acc28_2); acc28_3 = fma(s, b2_3, acc28_3); }
      { let s = vec4f(av29[2]); acc29_0 = fma(s, b2_0, acc29_0); acc29_1 = fma(s, b2_1, acc29_1); acc29_2 = fma(s, b2_2, acc29_2); acc29_3 = fma(s, b2_3, acc29_3); }
      { let s = vec4f(av30[2]); acc30_0 = fma(s, b2_0, acc30_0); acc30_1 = fma(s, b2_1, acc30_1); acc30_2 = fma(s, b2_2, acc30_2); acc30_3 = fma(s, b2_3, acc30_3); }
      { let s = vec4f(av31[2]); acc31_0 = fma(s, b2_0, acc31_0); acc31_1 = fma(s, b2_1, acc31_1); acc31_2 = fma(s, b2_2, acc31_2); acc31_3 = fma(s, b2_3, acc31_3); }
      let b3_0 = vec4f(bv0[3], bv1[3], bv2[3], bv3[3]);
      let b3_1 = vec4f(bv4[3], bv5[3], bv6[3], bv7[3]);
      let b3_2 = vec4f(bv8[3], bv9[3], bv10[3], bv11[3]);
      let b3_3 = vec4f(bv12[3], bv13[3], bv14[3], bv15[3]);
      { let s = vec4f(av0[3]); acc0_0 = fma(s, b3_0, acc0_0); acc0_1 = fma(s, b3_1, acc0_1); acc0_2 = fma(s, b3_2, acc0_2); acc0_3 = fma(s, b3_3, acc0_3); }
      { let s = vec4f(av1[3]); acc1_0 = fma(s, b3_0, acc1_0); acc1_1 = fma(s, b3_1, acc1_1); acc1_2 = fma(s, b3_2, acc1_2); acc1_3 = fma(s, b3_3, acc1_3); }
      { let s = vec4f(av2[3]); acc2_0 = fma(s, b3_0, acc2_0); acc2_1 = fma(s, b3_1, acc2_1); acc2_2 = fma(s, b3_2, acc2_2); acc2_3 = fma(s, b3_3, acc2_3); }
      { let s = vec4f(av3[3]); acc3_0 = fma(s, b3_0, acc3_0); acc3_1 = fma(s, b3_1, acc3_1); acc3_2 = fma(s, b3_2, acc3_2); acc3_3 = fma(s, b3_3, acc3_3); }
      { let s = vec4f(av4[3]); acc4_0 = fma(s, b3_0, acc4_0); acc4_1 = fma(s, b3_1, acc4_1); acc4_2 = fma(s, b3_2, acc4_2); acc4_3 = fma(s, b3_3, acc4_3); }
      { let s = vec4f(av5[3]); acc5_0 = fma(s, b3_0, acc5_0); acc5_1 = fma(s, b3_1, acc5_1); acc5_2 = fma(s, b3_2, acc5_2); acc5_3 = fma(s, b3_3, acc5_3); }
      { let s = vec4f(av6[3]); acc6_0 = fma(s, b3_0, acc6_0); acc6_1 = fma(s, b3_1, acc6_1); acc6_2 = fma(s, b3_2, acc6_2); acc6_3 = fma(s, b3_3, acc6_3); }
      { let s = vec4f(av7[3]); acc7_0 = fma(s, b3_0, acc7_0); acc7_1 = fma(s, b3_1, acc7_1); acc7_2 = fma(s, b3_2, acc7_2); acc7_3 = fma(s, b3_3, acc7_3); }
      { let s = vec4f(av8[3]); acc8_0 = fma(s, b3_0, acc8_0); acc8_1 = fma(s, b3_1, acc8_1); acc8_2 = fma(s, b3_2, acc8_2); acc8_3 = fma(s, b3_3, acc8_3); }
      { let s = vec4f(av9[3]); acc9_0 = fma(s, b3_0, acc9_0); acc9_1 = fma(s, b3_1, acc9_1); acc9_2 = fma(s, b3_2, acc9_2); acc9_3 = fma(s, b3_3, acc9_3); }
      { let s = vec4f(av10[3]); acc10_0 = fma(s, b3_0, acc10_0); acc10_1 = fma(s, b3_1, acc10_1); acc10_2 = fma(s, b3_2, acc10_2); acc10_3 = fma(s, b3_3, acc10_3); }
      { let s = vec4f(av11[3]); acc11_0 = fma(s, b3_0, acc11_0); acc11_1 = fma(s, b3_1, acc11_1); acc11_2 = fma(s, b3_2, acc11_2); acc11_3 = fma(s, b3_3, acc11_3); }
      { let s = vec4f(av12[3]); acc12_0 = fma(s, b3_0, acc12_0); acc12_1 = fma(s, b3_1, acc12_1); acc12_2 = fma(s, b3_2, acc12_2); acc12_3 = fma(s, b3_3, acc12_3); }
      { let s = vec4f(av13[3]); acc13_0 = fma(s, b3_0, acc13_0); acc13_1 = fma(s, b3_1, acc13_1); acc13_2 = fma(s, b3_2, acc13_2); acc13_3 = fma(s, b3_3, acc13_3); }
      { let s = vec4f(av14[3]); acc14_0 = fma(s, b3_0, acc14_0); acc14_1 = fma(s, b3_1, acc14_1); acc14_2 = fma(s, b3_2, acc14_2); acc14_3 = fma(s, b3_3, acc14_3); }
      { let s = vec4f(av15[3]); acc15_0 = fma(s, b3_0, acc15_0); acc15_1 = fma(s, b3_1, acc15_1); acc15_2 = fma(s, b3_2, acc15_2); acc15_3 = fma(s, b3_3, acc15_3); }
      { let s = vec4f(av16[3]); acc16_0 = fma(s, b3_0, acc16_0); acc16_1 = fma(s, b3_1, acc16_1); acc16_2 = fma(s, b3_2, acc16_2); acc16_3 = fma(s, b3_3, acc16_3); }
      { let s = vec4f(av17[3]); acc17_0 = fma(s, b3_0, acc17_0); acc17_1 = fma(s, b3_1, acc17_1); acc17_2 = fma(s, b3_2, acc17_2); acc17_3 = fma(s, b3_3, acc17_3); }
      { let s = vec4f(av18[3]); acc18_0 = fma(s, b3_0, acc18_0); acc18_1 = fma(s, b3_1, acc18_1); acc18_2 = fma(s, b3_2, acc18_2); acc18_3 = fma(s, b3_3, acc18_3); }
      { let s = vec4f(av19[3]); acc19_0 = fma(s, b3_0, acc19_0); acc19_1 = fma(s, b3_1, acc19_1); acc19_2 = fma(s, b3_2, acc19_2); acc19_3 = fma(s, b3_3, acc19_3); }
      { let s = vec4f(av20[3]); acc20_0 = fma(s, b3_0, acc20_0); acc20_1 = fma(s, b3_1, acc20_1); acc20_2 = fma(s, b3_2, acc20_2); acc20_3 = fma(s, b3_3, acc20_3); }
      { let s = vec4f(av21[3]); acc21_0 = fma(s, b3_0, acc21_0); acc21_1 = fma(s, b3_1, acc21_1); acc21_2 = fma(s, b3_2, acc21_2); acc21_3 = fma(s, b3_3, acc21_3); }
      { let s = vec4f(av22[3]); acc22_0 = fma(s, b3_0, acc22_0); acc22_1 = fma(s, b3_1, acc22_1); acc22_2 = fma(s, b3_2, acc22_2); acc22_3 = fma(s, b3_3, acc22_3); }
      { let s = vec4f(av23[3]); acc23_0 = fma(s, b3_0, acc23_0); acc23_1 = fma(s, b3_1, acc23_1); acc23_2 = fma(s, b3_2, acc23_2); acc23_3 = fma(s, b3_3, acc23_3); }
      { let s = vec4f(av24[3]); acc24_0 = fma(s, b3_0, acc24_0); acc24_1 = fma(s, b3_1, acc24_1); acc24_2 = fma(s, b3_2, acc24_2); acc24_3 = fma(s, b3_3, acc24_3); }
      { let s = vec4f(av25[3]); acc25_0 = fma(s, b3_0, acc25_0); acc25_1 = fma(s, b3_1, acc25_1); acc25_2 = fma(s, b3_2, acc25_2); acc25_3 = fma(s, b3_3, acc25_3); }
      { let s = vec4f(av26[3]); acc26_0 = fma(s, b3_0, acc26_0); acc26_1 = fma(s, b3_1, acc26_1); acc26_2 = fma(s, b3_2, acc26_2); acc26_3 = fma(s, b3_3, acc26_3); }
      { let s = vec4f(av27[3]); acc27_0 = fma(s, b3_0, acc27_0); acc27_1 = fma(s, b3_1, acc27_1); acc27_2 = fma(s, b3_2, acc27_2); acc27_3 = fma(s, b3_3, acc27_3); }
      { let s = vec4f(av28[3]); acc28_0 = fma(s, b3_0, acc28_0); acc28_1 = fma(s, b3_1, acc28_1); acc28_2 = fma(s, b3_2, acc28_2); acc28_3 = fma(s, b3_3, acc28_3); }
      { let s = vec4f(av29[3]); acc29_0 = fma(s, b3_0, acc29_0); acc29_1 = fma(s, b3_1, acc29_1); acc29_2 = fma(s, b3_2, acc29_2); acc29_3 = fma(s, b3_3, acc29_3); }
      { let s = vec4f(av30[3]); acc30_0 = fma(s, b3_0, acc30_0); acc30_1 = fma(s, b3_1, acc30_1); acc30_2 = fma(s, b3_2, acc30_2); acc30_3 = fma(s, b3_3, acc30_3); }
      { let s = vec4f(av31[3]); acc31_0 = fma(s, b3_0, acc31_0); acc31_1 = fma(s, b3_1, acc31_1); acc31_2 = fma(s, b3_2, acc31_2); acc31_3 = fma(s, b3_3, acc31_3); }
      ia0 += 1u; ia1 += 1u; ia2 += 1u; ia3 += 1u; ia4 += 1u; ia5 += 1u; ia6 += 1u; ia7 += 1u; ia8 += 1u; ia9 += 1u; ia10 += 1u; ia11 += 1u; ia12 += 1u; ia13 += 1u; ia14 += 1u; ia15 += 1u; ia16 += 1u; ia17 += 1u; ia18 += 1u; ia19 += 1u; ia20 += 1u; ia21 += 1u; ia22 += 1u; ia23 += 1u; ia24 += 1u; ia25 += 1u; ia26 += 1u; ia27 += 1u; ia28 += 1u; ia29 += 1u; ia30 += 1u; ia31 += 1u;
      ib0 += 1u; ib1 += 1u; ib2 += 1u; ib3 += 1u; ib4 += 1u; ib5 += 1u; ib6 += 1u; ib7 += 1u; ib8 += 1u; ib9 += 1u; ib10 += 1u; ib11 += 1u; ib12 += 1u; ib13 += 1u; ib14 += 1u; ib15 += 1u;
    } else if (TA == 1u && TB == 0u) {
      let ag0_0 = a[ia0 + 0u * lda4];
      let ag0_1 = a[ia1 + 0u * lda4];
      let ag0_2 = a[ia2 + 0u * lda4];
      let ag0_3 = a[ia3 + 0u * lda4];
      let ag0_4 = a[ia4 + 0u * lda4];
      let ag0_5 = a[ia5 + 0u * lda4];
      let ag0_6 = a[ia6 + 0u * lda4];
      let ag0_7 = a[ia7 + 0u * lda4];
      let ag1_0 = a[ia0 + 1u * lda4];
      let ag1_1 = a[ia1 + 1u * lda4];
      let ag1_2 = a[ia2 + 1u * lda4];
      let ag1_3 = a[ia3 + 1u * lda4];
      let ag1_4 = a[ia4 + 1u * lda4];
      let ag1_5 = a[ia5 + 1u * lda4];
      let ag1_6 = a[ia6 + 1u * lda4];
      let ag1_7 = a[ia7 + 1u * lda4];
      let ag2_0 = a[ia0 + 2u * lda4];
      let ag2_1 = a[ia1 + 2u * lda4];
      let ag2_2 = a[ia2 + 2u * lda4];
      let ag2_3 = a[ia3 + 2u * lda4];
      let ag2_4 = a[ia4 + 2u * lda4];
      let ag2_5 = a[ia5 + 2u * lda4];
      let ag2_6 = a[ia6 + 2u * lda4];
      let ag2_7 = a[ia7 + 2u * lda4];
      let ag3_0 = a[ia0 + 3u * lda4];
      let ag3_1 = a[ia1 + 3u * lda4];
      let ag3_2 = a[ia2 + 3u * lda4];
      let ag3_3 = a[ia3 + 3u * lda4];
      let ag3_4 = a[ia4 + 3u * lda4];
      let ag3_5 = a[ia5 + 3u * lda4];
      let ag3_6 = a[ia6 + 3u * lda4];
      let ag3_7 = a[ia7 + 3u * lda4];
      let b0_0 = b[ib0 + 0u * ldb4];
      let b0_1 = b[ib1 + 0u * ldb4];
      let b0_2 = b[ib2 + 0u * ldb4];
      let b0_3 = b[ib3 + 0u * ldb4];
      { let s = vec4f(ag0_0[0]); acc0_0 = fma(s, b0_0, acc0_0); acc0_1 = fma(s, b0_1, acc0_1); acc0_2 = fma(s, b0_2, acc0_2); acc0_3 = fma(s, b0_3, acc0_3); }
      { let s = vec4f(ag0_0[1]); acc1_0 = fma(s, b0_0, acc1_0); acc1_1 = fma(s, b0_1, acc1_1); acc1_2 = fma(s, b0_2, acc1_2); acc1_3 = fma(s, b0_3, acc1_3); }
      { let s = vec4f(ag0_0[2]); acc2_0 = fma(s, b0_0, acc2_0); acc2_1 = fma(s, b0_1, acc2_1); acc2_2 = fma(s, b0_2, acc2_2); acc2_3 = fma(s, b0_3, acc2_3); }
      { let s = vec4f(ag0_0[3]); acc3_0 = fma(s, b0_0, acc3_0); acc3_1 = fma(s, b0_1, acc3_1); acc3_2 = fma(s, b0_2, acc3_2); acc3_3 = fma(s, b0_3, acc3_3); }
      { let s = vec4f(ag0_1[0]); acc4_0 = fma(s, b0_0, acc4_0); acc4_1 = fma(s, b0_1, acc4_1); acc4_2 = fma(s, b0_2, acc4_2); acc4_3 = fma(s, b0_3, acc4_3); }
      { let s = vec4f(ag0_1[1]); acc5_0 = fma(s, b0_0, acc5_0); acc5_1 = fma(s, b0_1, acc5_1); acc5_2 = fma(s, b0_2, acc5_2); acc5_3 = fma(s, b0_3, acc5_3); }
      { let s = vec4f(ag0_1[2]); acc6_0 = fma(s, b0_0, acc6_0); acc6_1 = fma(s, b0_1, acc6_1); acc6_2 = fma(s, b0_2, acc6_2); acc6_3 = fma(s, b0_3, acc6_3); }
      { let s = vec4f(ag0_1[3]); acc7_0 = fma(s, b0_0, acc7_0); acc7_1 = fma(s, b0_1, acc7_1); acc7_2 = fma(s, b0_2, acc7_2); acc7_3 = fma(s, b0_3, acc7_3); }
      { let s = vec4f(ag0_2[0]); acc8_0 = fma(s, b0_0, acc8_0); acc8_1 = fma(s, b0_1, acc8_1); acc8_2 = fma(s, b0_2, acc8_2); acc8_3 = fma(s, b0_3, acc8_3); }
      { let s = vec4f(ag0_2[1]); acc9_0 = fma(s, b0_0, acc9_0); acc9_1 = fma(s, b0_1, acc9_1); acc9_2 = fma(s, b0_2, acc9_2); acc9_3 = fma(s, b0_3, acc9_3); }
      { let s = vec4f(ag0_2[2]); acc10_0 = fma(s, b0_0, acc10_0); acc10_1 = fma(s, b0_1, acc10_1); acc10_2 = fma(s, b0_2, acc10_2); acc10_3 = fma(s, b0_3, acc10_3); }
      { let s = vec4f(ag0_2[3]); acc11_0 = fma(s, b0_0, acc11_0); acc11_1 = fma(s, b0_1, acc11_1); acc11_2 = fma(s, b0_2, acc11_2); acc11_3 = fma(s, b0_3, acc11_3); }
      { let s = vec4f(ag0_3[0]); acc12_0 = fma(s, b0_0, acc12_0); acc12_1 = fma(s, b0_1, acc12_1); acc12_2 = fma(s, b0_2, acc12_2); acc12_3 = fma(s, b0_3, acc12_3); }
      { let s = vec4f(ag0_3[1]); acc13_0 = fma(s, b0_0, acc13_0); acc13_1 = fma(s, b0_1, acc13_1); acc13_2 = fma(s, b0_2, acc13_2); acc13_3 = fma(s, b0_3, acc13_3); }
      { let s = vec4f(ag0_3[2]); acc14_0 = fma(s, b0_0, acc14_0); acc14_1 = fma(s, b0_1, acc14_1); acc14_2 = fma(s, b0_2, acc14_2); acc14_3 = fma(s, b0_3, acc14_3); }
      { let s = vec4f(ag0_3[3]); acc15_0 = fma(s, b0_0, acc15_0); acc15_1 = fma(s, b0_1, acc15_1); acc15_2 = fma(s, b0_2, acc15_2); acc15_3 = fma(s, b0_3, acc15_3); }
      { let s = vec4f(ag0_4[0]); acc16_0 = fma(s, b0_0, acc16_0); acc16_1 = fma(s, b0_1, acc16_1); acc16_2 = fma(s, b0_2, acc16_2); acc16_3 = fma(s, b0_3, acc16_3); }
      { let s = vec4f(ag0_4[1]); acc17_0 = fma(s, b0_0, acc17_0); acc17_1 = fma(s, b0_1, acc17_1); acc17_2 = fma(s, b0_2, acc17_2); acc17_3 = fma(s, b0_3, acc17_3); }
      { let s = vec4f(ag0_4[2]); acc18_0 = fma(s, b0_0, acc18_0); acc18_1 = fma(s, b0_1, acc18_1); acc18_2 = fma(s, b0_2, acc18_2); acc18_3 = fma(s, b0_3, acc18_3); }
      { let s = vec4f(ag0_4[3]); acc19_0 = fma(s, b0_0, acc19_0); acc19_1 = fma(s, b0_1, acc19_1); acc19_2 = fma(s, b0_2, acc19_2); acc19_3 = fma(s, b0_3, acc19_3); }
      { let s = vec4f(ag0_5[0]); acc20_0 = fma(s, b0_0, acc20_0); acc20_1 = fma(s, b0_1, acc20_1); acc20_2 = fma(s, b0_2, acc20_2); acc20_3 = fma(s, b0_3, acc20_3); }
      { let s = vec4f(ag0_5[1]); acc21_0 = fma(s, b0_0, acc21_0); acc21_1 = fma(s, b0_1, acc21_1); acc21_2 = fma(s, b0_2, acc21_2); acc21_3 = fma(s, b0_3, acc21_3); }
      { let s = vec4f(ag0_5[2]); acc22_0 = fma(s, b0_0, acc22_0); acc22_1 = fma(s, b0_1, acc22_1); acc22_2 = fma(s, b0_2, acc22_2); acc22_3 = fma(s, b0_3, acc22_3); }
      { let s = vec4f(ag0_5[3]); acc23_0 = fma(s, b0_0, acc23_0); acc23_1 = fma(s, b0_1, acc23_1); acc23_2 = fma(s, b0_2, acc23_2); acc23_3 = fma(s, b0_3, acc23_3); }
      { let s = vec4f(ag0_6[0]); acc24_0 = fma(s, b0_0, acc24_0); acc24_1 = fma(s, b0_1, acc24_1); acc24_2 = fma(s, b0_2, acc24_2); acc24_3 = fma(s, b0_3, acc24_3); }
      { let s = vec4f(ag0_6[1]); acc25_0 = fma(s, b0_0, acc25_0); acc25_1 = fma(s, b0_1, acc25_1); acc25_2 = fma(s, b0_2, acc25_2); acc25_3 = fma(s, b0_3, acc25_3); }
      { let s = vec4f(ag0_6[2]); acc26_0 = fma(s, b0_0, acc26_0); acc26_1 = fma(s, b0_1, acc26_1); acc26_2 = fma(s, b0_2, acc26_2); acc26_3 = fma(s, b0_3, acc26_3); }
      { let s = vec4f(ag0_6[3]); acc27_0 = fma(s, b0_0, acc27_0); acc27_1 = fma(s, b0_1, acc27_1); acc27_2 = fma(s, b0_2, acc27_2); acc27_3 = fma(s, b0_3, acc27_3); }
      { let s = vec4f(ag0_7[0]); acc28_0 = fma(s, b0_0, acc28_0); acc28_1 = fma(s, b0_1, acc28_1); acc28_2 = fma(s, b0_2, acc28_2); acc28_3 = fma(s, b0_3, acc28_3); }
      { let s = vec4f(ag0_7[1]); acc29_0 = fma(s, b0_0, acc29_0); acc29_1 = fma(s, b0_1, acc29_1); acc29_2 = fma(s, b0_2, acc29_2); acc29_3 = fma(s, b0_3, acc29_3); }
      { let s = vec4f(ag0_7[2]); acc30_0 = fma(s, b0_0, acc30_0); acc30_1 = fma(s, b0_1, acc30_1); acc30_2 = fma(s, b0_2, acc30_2); acc30_3 = fma(s, b0_3, acc30_3); }
      { let s = vec4f(ag0_7[3]); acc31_0 = fma(s, b0_0, acc31_0); acc31_1 = fma(s, b0_1, acc31_1); acc31_2 = fma(s, b0_2, acc31_2); acc31_3 = fma(s, b0_3, acc31_3); }
      let b1_0 = b[ib0 + 1u * ldb4];
      let b1_1 = b[ib1 + 1u * ldb4];
      let b1_2 = b[ib2 + 1u * ldb4];
      let b1_3 = b[ib3 + 1u * ldb4];
      { let s = vec4f(ag1_0[0]); acc0_0 = fma(s, b1_0, acc0_0); acc0_1 = fma(s, b1_1, acc0_1); acc0_2 = fma(s, b1_2, acc0_2); acc0_3 = fma(s, b1_3, acc0_3); }
      { let s = vec4f(ag1_0[1]); acc1_0 = fma(s, b1_0, acc1_0); acc1_1 = fma(s, b1_1, acc1_1); acc1_2 = fma(s, b1_2, acc1_2); acc1_3 = fma(s, b1_3, acc1_3); }
      { let s = vec4f(ag1_0[2]); acc2_0 = fma(s, b1_0, acc2_0); acc2_1 = fma(s, b1_1, acc2_1); acc2_2 = fma(s, b1_2, acc2_2); acc2_3 = fma(s, b1_3, acc2_3); }
      { let s = vec4f(ag1_0[3]); acc3_0 = fma(s, b1_0, acc3_0); acc3_1 = fma(s, b1_1, acc3_1); acc3_2 = fma(s, b1_2, acc3_2); acc3_3 = fma(s, b1_3, acc3_3); }
      { let s = vec4f(ag1_1[0]); acc4_0 = fma(s, b1_0, acc4_0); acc4_1 = fma(s, b1_1, acc4_1); acc4_2 = fma(s, b1_2, acc4_2); acc4_3 = fma(s, b1_3, acc4_3); }
      { let s = vec4f(ag1_1[1]); acc5_0 = fma(s, b1_0, acc5_0); acc5_1 = fma(s, b1_1, acc5_1); acc5_2 = fma(s, b1_2, acc5_2); acc5_3 = fma(s, b1_3, acc5_3); }
      { let s = vec4f(ag1_1[2]); acc6_0 = fma(s, b1_0, acc6_0); acc6_1 = fma(s, b1_1, acc6_1); acc6_2 = fma(s, b1_2, acc6_2); acc6_3 = fma(s, b1_3, acc6_3); }
      { let s = vec4f(ag1_1[3]); acc7_0 = fma(s, b1_0, acc7_0); acc7_1 = fma(s, b1_1, acc7_1); acc7_2 = fma(s, b1_2, acc7_2); acc7_3 = fma(s, b1_3, acc7_3); }
      { let s = vec4f(ag1_2[0]); acc8_0 = fma(s, b1_0, acc8_0); acc8_1 = fma(s, b1_1, acc8_1); acc8_2 = fma(s, b1_2, acc8_2); acc8_3 = fma(s, b1_3, acc8_3); }
      { let s = vec4f(ag1_2[1]); acc9_0 = fma(s, b1_0, acc9_0); acc9_1 = fma(s, b1_1, acc9_1); acc9_2 = fma(s, b1_2, acc9_2); acc9_3 = fma(s, b1_3, acc9_3); }
      { let s = vec4f(ag1_2[2]); acc10_0 = fma(s, b1_0, acc10_0); acc10_1 = fma(s, b1_1, acc10_1); acc10_2 = fma(s, b1_2, acc10_2); acc10_3 = fma(s, b1_3, acc10_3); }
      { let s = vec4f(ag1_2[3]); acc11_0 = fma(s, b1_0, acc11_0); acc11_1 = fma(s, b1_1, acc11_1); acc11_2 = fma(s, b1_2, acc11_2); acc11_3 = fma(s, b1_3, acc11_3); }
      { let s = vec4f(ag1_3[0]); acc12_0 = fma(s, b1_0, acc12_0); acc12_1 = fma(s, b1_1, acc12_1); acc12_2 = fma(s, b1_2, acc12_2); acc12_3 = fma(s, b1_3, acc12_3); }
      { let s = vec4f(ag1_3[1]); acc13_0 = fma(s, b1_0, acc13_0); acc13_1 = fma(s, b1_1, acc13_1); acc13_2 = fma(s, b1_2, acc13_2); acc13_3 = fma(s, b1_3, acc13_3); }
      { let s = vec4f(ag1_3[2]); acc14_0 = fma(s, b1_0, acc14_0); acc14_1 = fma(s, b1_1, acc14_1); acc14_2 = fma(s, b1_2, acc14_2); acc14_3 = fma(s, b1_3, acc14_3); }
      { let s = vec4f(ag1_3[3]); acc15_0 = fma(s, b1_0, acc15_0); acc15_1 = fma(s, b1_1, acc15_1); acc15_2 = fma(s, b1_2, acc15_2); acc15_3 = fma(s, b1_3, acc15_3); }
      { let s = vec4f(ag1_4[0]); acc16_0 = fma(s, b1_0, acc16_0); acc16_1 = fma(s, b1_1, acc16_1); acc16_2 = fma(s, b1_2, acc16_2); acc16_3 = fma(s, b1_3, acc16_3); }
      { let s = vec4f(ag1_4[1]); acc17_0 = fma(s, b1_0, acc17_0); acc17_1 = fma(s, b1_1, acc17_1); acc17_2 = fma(s, b1_2, acc17_2); acc17_3 = fma(s, b1_3, acc17_3); }
      { let s = vec4f(ag1_4[2]); acc18_0 = fma(s, b1_0, acc18_0); acc18_1 = fma(s, b1_1, acc18_1); acc18_2 = fma(s, b1_2, acc18_2); acc18_3 = fma(s, b1_3, acc18_3); }
      { let s = vec4f(ag1_4[3]); acc19_0 = fma(s, b1_0, acc19_0); acc19_1 = fma(s, b1_1, acc19_1); acc19_2 = fma(s, b1_2, acc19_2); acc19_3 = fma(s, b1_3, acc19_3); }
      { let s = vec4f(ag1_5[0]); acc20_0 = fma(s, b1_0, acc20_0); acc20_1 = fma(s, b1_1, acc20_1); acc20_2 = fma(s, b1_2, acc20_2); acc20_3 = fma(s, b1_3, acc20_3); }
      { let s = vec4f(ag1_5[1]); acc21_0 = fma(s, b1_0, acc21_0); acc21_1 = fma(s, b1_1, acc21_1); acc21_2 = fma(s, b1_2, acc21_2); acc21_3 = fma(s, b1_3, acc21_3); }
      { let s = vec4f(ag1_5[2]); acc22_0 = fma(s, b1_0, acc22_0); acc22_1 = fma(s, b1_1, acc22_1); acc22_2 = fma(s, b1_2, acc22_2); acc22_3 = fma(s, b1_3, acc22_3); }
      { let s = vec4f(ag1_5[3]); acc23_0 = fma(s, b1_0, acc23_0); acc23_1 = fma(s, b1_1, acc23_1); acc23_2 = fma(s, b1_2, acc23_2); acc23_3 = fma(s, b1_3, acc23_3); }
      { let s = vec4f(ag1_6[0]); acc24_0 = fma(s, b1_0, acc24_0); acc24_1 = fma(s, b1_1, acc24_1); acc24_2 = fma(s, b1_2, acc24_2); acc24_3 = fma(s, b1_3, acc24_3); }
      { let s = vec4f(ag1_6[1]); acc25_0 = fma(s, b1_0, acc25_0); acc25_1 = fma(s, b1_1, acc25_1); acc25_2 = fma(s, b1_2, acc25_2); acc25_3 = fma(s, b1_3, acc25_3); }
      { let s = vec4f(ag1_6[2]); acc26_0 = fma(s, b1_0, acc26_0); acc26_1 = fma(s, b1_1, acc26_1); acc26_2 = fma(s, b1_2, acc26_2); acc26_3 = fma(s, b1_3, acc26_3); }
      { let s = vec4f(ag1_6[3]); acc27_0 = fma(s, b1_0, acc27_0); acc27_1 = fma(s, b1_1, acc27_1); acc27_2 = fma(s, b1_2, acc27_2); acc27_3 = fma(s, b1_3, acc27_3); }
      { let s = vec4f(ag1_7[0]); acc28_0 = fma(s, b1_0, acc28_0); acc28_1 = fma(s, b1_1, acc28_1); acc28_2 = fma(s, b1_2, acc28_2); acc28_3 = fma(s, b1_3, acc28_3); }
      { let s = vec4f(ag1_7[1]); acc29_0 = fma(s, b1_0, acc29_0); acc29_1 = fma(s, b1_1, acc29_1); acc29_2 = fma(s, b1_2, acc29_2); acc29_3 = fma(s, b1_3, acc29_3); }
      { let s = vec4f(ag1_7[2]); acc30_0 = fma(s, b1_0, acc30_0); acc30_1 = fma(s, b1_1, acc30_1); acc30_2 = fma(s, b1_2, acc30_2); acc30_3 = fma(s, b1_3, acc30_3); }
      { let s = vec4f(ag1_7[3]); acc31_0 = fma(s, b1_0, acc31_0); acc31_1 = fma(s, b1_1, acc31_1); acc31_2 = fma(s, b1_2, acc31_2); acc31_3 = fma(s, b1_3, acc31_3); }
      let b2_0 = b[ib0 + 2u * ldb4];
      let b2_1 = b[ib1 + 2u * ldb4];
      let b2_2 = b[ib2 + 2u * ldb4];
      let b2_3 = b[ib3 + 2u * ldb4];
      { let s = vec4f(ag2_0[0]); acc0_0 = fma(s, b2_0, acc0_0); acc0_1 = fma(s, b2_1, acc0_1); acc0_2 = fma(s, b2_2, acc0_2); acc0_3 = fma(s, b2_3, acc0_3); }
      { let s = vec4f(ag2_0[1]); acc1_0 = fma(s, b2_0, acc1_0); acc1_1 = fma(s, b2_1, acc1_1); acc1_2 = fma(s, b2_2, acc1_2); acc1_3 = fma(s, b2_3, acc1_3); }
      { let s = vec4f(ag2_0[2]); acc2_0 = fma(s, b2_0, acc2_0); acc2_1 = fma(s, b2_1, acc2_1); acc2_2 = fma(s, b2_2, acc2_2); acc2_3 = fma(s, b2_3, acc2_3); }
      { let s = vec4f(ag2_0[3]); acc3_0 = fma(s, b2_0, acc3_0); acc3_1 = fma(s, b2_1, acc3_1); acc3_2 = fma(s, b2_2, acc3_2); acc3_3 = fma(s, b2_3, acc3_3); }
      { let s = vec4f(ag2_1[0]); acc4_0 = fma(s, b2_0, acc4_0); acc4_1 = fma(s, b2_1, acc4_1); acc4_2 = fma(s, b2_2, acc4_2); acc4_3 = fma(s, b2_3, acc4_3); }
      { let s = vec4f(ag2_1[1]); acc5_0 = fma(s, b2_0, acc5_0); acc5_1 = fma(s, b2_1, acc5_1); acc5_2 = fma(s, b2_2, acc5_2); acc5_3 = fma(s, b2_3, acc5_3); }
      { let s = vec4f(ag2_1[2]); acc6_0 = fma(s, b2_0, acc6_0); acc6_1 = fma(s, b2_1, acc6_1); acc6_2 = fma(s, b2_2, acc6_2); acc6_3 = fma(s, b2_3, acc6_3); }
      { let s = vec4f(ag2_1[3]); acc7_0 = fma(s, b2_0, acc7_0); acc7_1 = fma(s, b2_1, acc7_1); acc7_2 = fma(s, b2_2, acc7_2); acc7_3 = fma(s, b2_3, acc7_3); }
      { let s = vec4f(ag2_2[0]); acc8_0 = fma(s, b2_0, acc8_0); acc8_1 = fma(s, b2_1, acc8_1); acc8_2 = fma(s, b2_2, acc8_2); acc8_3 = fma(s, b2_3, acc8_3); }
      { let s = vec4f(ag2_2[1]); acc9_0 = fma(s, b2_0, acc9_0); acc9_1 = fma(s, b2_1, acc9_1); acc9_2 = fma(s, b2_2, acc9_2); acc9_3 = fma(s, b2_3, acc9_3); }
      { let s = vec4f(ag2_2[2]); acc10_0 = fma(s, b2_0, acc10_0); acc10_1 = fma(s, b2_1, acc10_1); acc10_2 = fma(s, b2_2, acc10_2); acc10_3 = fma(s, b2_3, acc10_3); }
      { let s = vec4f(ag2_2[3]); acc11_0 = fma(s, b2_0, acc11_0); acc11_1 = fma(s, b2_1, acc11_1); acc11_2 = fma(s, b2_2, acc11_2); acc11_3 = fma(s, b2_3, acc11_3); }
      { let s = vec4f(ag2_3[0]); acc12_0 = fma(s, b2_0, acc12_0); acc12_1 = fma(s, b2_1, acc12_1); acc12_2 = fma(s, b2_2, acc12_2); acc12_3 = fma(s, b2_3, acc12_3); }
      { let s = vec4f(ag2_3[1]); acc13_0 = fma(s, b2_0, acc13_0); acc13_1 = fma(s, b2_1, acc13_1); acc13_2 = fma(s, b2_2, acc13_2); acc13_3 = fma(s, b2_3, acc13_3); }
      { let s = vec4f(ag2_3[2]); acc14_0 = fma(s, b2_0, acc14_0); acc14_1 = fma(s, b2_1, acc14_1); acc14_2 = fma(s, b2_2, acc14_2); acc14_3 = fma(s, b2_3, acc14_3); }
      { let s = vec4f(ag2_3[3]); acc15_0 = fma(s, b2_0, acc15_0); acc15_1 = fma(s, b2_1, acc15_1); acc15_2 = fma(s, b2_2, acc15_2); acc15_3 = fma(s, b2_3, acc15_3); }
      { let s = vec4f(ag2_4[0]); acc16_0 = fma(s, b2_0, acc16_0); acc16_1 = fma(s, b2_1, acc16_1); acc16_2 = fma(s, b2_2, acc16_2); acc16_3 = fma(s, b2_3, acc16_3); }
      { let s = vec4f(ag2_4[1]); acc17_0 = fma(s, b2_0, acc17_0); acc17_1 = fma(s, b2_1, acc17_1); acc17_2 = fma(s, b2_2, acc17_2); acc17_3 = fma(s, b2_3, acc17_3); }
      { let s = vec4f(ag2_4[2]); acc18_0 = fma(s, b2_0, acc18_0); acc18_1 = fma(s, b2_1, acc18_1); acc18_2 = fma(s, b2_2, acc18_2); acc18_3 = fma(s, b2_3, acc18_3); }
      { let s = vec4f(ag2_4[3]); acc19_0 = fma(s, b2_0, acc19_0); acc19_1 = fma(s, b2_1, acc19_1); acc19_2 = fma(s, b2_2, acc19_2); acc19_3 = fma(s, b2_3, acc19_3); }
      { let s = vec4f(ag2_5[0]); acc20_0 = fma(s, b2_0, acc20_0); acc20_1 = fma(s, b2_1, acc20_1); acc20_2 = fma(s, b2_2, acc20_2); acc20_3 = fma(s, b2_3, acc20_3); }
      { let s = vec4f(ag2_5[1]); acc21_0 = fma(s, b2_0, acc21_0); acc21_1 = fma(s, b2_1, acc21_1); acc21_2 = fma(s, b2_2, acc21_2); acc21_3 = fma(s, b2_3, acc21_3); }
      { let s = vec4f(ag2_5[2]); acc22_0 = fma(s, b2_0, acc22_0); acc22_1 = fma(s, b2_1, acc22_1); acc22_2 = fma(s, b2_2, acc22_2); acc22_3 = fma(s, b2_3, acc22_3); }
      { let s = vec4f(ag2_5[3]); acc23_0 = fma(s, b2_0, acc23_0); acc23_1 = fma(s, b2_1, acc23_1); acc23_2 = fma(s, b2_2, acc23_2); acc23_3 = fma(s, b2_3, acc23_3); }
      { let s = vec4f(ag2_6[0]); acc24_0 = fma(s, b2_0, acc24_0); acc24_1 = fma(s, b2_1, acc24_1); acc24_2 = fma(s, b2_2, acc24_2); acc24_3 = fma(s, b2_3, acc24_3); }
      { let s = vec4f(ag2_6[1]); acc25_0 = fma(s, b2_0, acc25_0); acc25_1 = fma(s, b2_1, acc25_1); acc25_2 = fma(s, b2_2, acc25_2); acc25_3 = fma(s, b2_3, acc25_3); }
      { let s = vec4f(ag2_6[2]); acc26_0 = fma(s, b2_0, acc26_0); acc26_1 = fma(s, b2_1, acc26_1); acc26_2 = fma(s, b2_2, acc26_2); acc26_3 = fma(s, b2_3, acc26_3); }
      { let s = vec4f(ag2_6[3]); acc27_0 = fma(s, b2_0, acc27_0); acc27_1 = fma(s, b2_1, acc27_1); acc27_2 = fma(s, b2_2, acc27_2); acc27_3 = fma(s, b2_3, acc27_3); }
      { let s = vec4f(ag2_7[0]); acc28_0 = fma(s, b2_0, acc28_0); acc28_1 = fma(s, b2_1, acc28_1); acc28_2 = fma(s, b2_2, acc28_2); acc28_3 = fma(s, b2_3, acc28_3); }
      { let s = vec4f(ag2_7[1]); acc29_0 = fma(s, b2_0, acc29_0); acc29_1 = fma(s, b2_1, acc29_1); acc29_2 = fma(s, b2_2, acc29_2); acc29_3 = fma(s, b2_3, acc29_3); }
      { let s = vec4f(ag2_7[2]); acc30_0 = fma(s, b2_0, acc30_0); acc30_1 = fma(s, b2_1, acc30_1); acc30_2 = fma(s, b2_2, acc30_2); acc30_3 = fma(s, b2_3, acc30_3); }
      { let s = vec4f(ag2_7[3]); acc31_0 = fma(s, b2_0, acc31_0); acc31_1 = fma(s, b2_1, acc31_1); acc31_2 = fma(s, b2_2, acc31_2); acc31_3 = fma(s, b2_3, acc31_3); }
      let b3_0 = b[ib0 + 3u * ldb4];
      let b3_1 = b[ib1 + 3u * ldb4];
      let b3_2 = b[ib2 + 3u * ldb4];
      let b3_3 = b[ib3 + 3u * ldb4];
      { let s = vec4f(ag3_0[0]); acc0_0 = fma(s, b3_0, acc0_0); acc0_1 = fma(s, b3_1, acc0_1); acc0_2 = fma(s, b3_2, acc0_2); acc0_3 = fma(s, b3_3, acc0_3); }
      { let s = vec4f(ag3_0[1]); acc1_0 = fma(s, b3_0, acc1_0); acc1_1 = fma(s, b3_1, acc1_1); acc1_2 = fma(s, b3_2, acc1_2); acc1_3 = fma(s, b3_3, acc1_3); }
      { let s = vec4f(ag3_0[2]); acc2_0 = fma(s, b3_0, acc2_0); acc2_1 = fma(s, b3_1, acc2_1); acc2_2 = fma(s, b3_2, acc2_2); acc2_3 = fma(s, b3_3, acc2_3); }
      { let s = vec4f(ag3_0[3]); acc3_0 = fma(s, b3_0, acc3_0); acc3_1 = fma(s, b3_1, acc3_1); acc3_2 = fma(s, b3_2, acc3_2); acc3_3 = fma(s, b3_3, acc3_3); }
      { let s = vec4f(ag3_1[0]); acc4_0 = fma(s, b3_0, acc4_0); acc4_1 = fma(s, b3_1, acc4_1); acc4_2 = fma(s, b3_2, acc4_2); acc4_3 = fma(s, b3_3, acc4_3); }
      { let s = vec4f(ag3_1[1]); acc5_0 = fma(s, b3_0, acc5_0); acc5_1 = fma(s, b3_1, acc5_1); acc5_2 = fma(s, b3_2, acc5_2); acc5_3 = fma(s, b3_3, acc5_3); }
      { let s = vec4f(ag3_1[2]); acc6_0 = fma(s, b3_0, acc6_0); acc6_1 = fma(s, b3_1, acc6_1); acc6_2 = fma(s, b3_2, acc6_2); acc6_3 = fma(s, b3_3, acc6_3); }
      { let s = vec4f(ag3_1[3]); acc7_0 = fma(s, b3_0, acc7_0); acc7_1 = fma(s, b3_1, acc7_1); acc7_2 = fma(s, b3_2, acc7_2); acc7_3 = fma(s, b3_3, acc7_3); }
      { let s = vec4f(ag3_2[0]); acc8_0 = fma(s, b3_0, acc8_0); acc8_1 = fma(s, b3_1, acc8_1); acc8_2 = fma(s, b3_2, acc8_2); acc8_3 = fma(s, b3_3, acc8_3); }
      { let s = vec4f(ag3_2[1]); acc9_0 = fma(s, b3_0, acc9_0); acc9_1 = fma(s, b3_1, acc9_1); acc9_2 = fma(s, b3_2, acc9_2); acc9_3 = fma(s, b3_3, acc9_3); }
      { let s = vec4f(ag3_2[2]); acc10_0 = fma(s, b3_0, acc10_0); acc10_1 = fma(s, b3_1, acc10_1); acc10_2 = fma(s, b3_2, acc10_2); acc10_3 = fma(s, b3_3, acc10_3); }
      { let s = vec4f(ag3_2[3]); acc11_0 = fma(s, b3_0, acc11_0); acc11_1 = fma(s, b3_1, acc11_1); acc11_2 = fma(s, b3_2, acc11_2); acc11_3 = fma(s, b3_3, acc11_3); }
      { let s = vec4f(ag3_3[0]); acc12_0 = fma(s, b3_0, acc12_0); acc12_1 = fma(s, b3_1, acc12_1); acc12_2 = fma(s, b3_2, acc12_2); acc12_3 = fma(s, b3_3, acc12_3); }
      { let s = vec4f(ag3_3[1]); acc13_0 = fma(s, b3_0, acc13_0); acc13_1 = fma(s, b3_1, acc13_1); acc13_2 = fma(s, b3_2, acc13_2); acc13_3 = fma(s, b3_3, acc13_3); }
      { let s = vec4f(ag3_3[2]); acc14_0 = fma(s, b3_0, acc14_0); acc14_1 = fma(s, b3_1, acc14_1); acc14_2 = fma(s, b3_2, acc14_2); acc14_3 = fma(s, b3_3, acc14_3); }
      { let s = vec4f(ag3_3[3]); acc15_0 = fma(s, b3_0, acc15_0); acc15_1 = fma(s, b3_1, acc15_1); acc15_2 = fma(s, b3_2, acc15_2); acc15_3 = fma(s, b3_3, acc15_3); }
      { let s = vec4f(ag3_4[0]); acc16_0 = fma(s, b3_0, acc16_0); acc16_1 = fma(s, b3_1, acc16_1); acc16_2 = fma(s, b3_2, acc16_2); acc16_3 = fma(s, b3_3, acc16_3); }
      { let s = vec4f(ag3_4[1]); acc17_0 = fma(s, b3_0, acc17_0); acc17_1 = fma(s, b3_1, acc17_1); acc17_2 = fma(s, b3_2, acc17_2); acc17_3 = fma(s, b3_3, acc17_3); }
      { let s = vec4f(ag3_4[2]); acc18_0 = fma(s, b3_0, acc18_0); acc18_1 = fma(s, b3_1, acc18_1); acc18_2 = fma(s, b3_2, acc18_2); acc18_3 = fma(s, b3_3, acc18_3); }
      { let s = vec4f(ag3_4[3]); acc19_0 = fma(s, b3_0, acc19_0); acc19_1 = fma(s, b3_1, acc19_1); acc19_2 = fma(s, b3_2, acc19_2); acc19_3 = fma(s, b3_3, acc19_3); }
      { let s = vec4f(ag3_5[0]); acc20_0 = fma(s, b3_0, acc20_0); acc20_1 = fma(s, b3_1, acc20_1); acc20_2 = fma(s, b3_2, acc20_2); acc20_3 = fma(s, b3_3, acc20_3); }
      { let s = vec4f(ag3_5[1]); acc21_0 = fma(s, b3_0, acc21_0); acc21_1 = fma(s, b3_1, acc21_1); acc21_2 = fma(s, b3_2, acc21_2); acc21_3 = fma(s, b3_3, acc21_3); }
      { let s = vec4f(ag3_5[2]); acc22_0 = fma(s, b3_0, acc22_0); acc22_1 = fma(s, b3_1, acc22_1); acc22_2 = fma(s, b3_2, acc22_2); acc22_3 = fma(s, b3_3, acc22_3); }
      { let s = vec4f(ag3_5[3]); acc23_0 = fma(s, b3_0, acc23_0); acc23_1 = fma(s, b3_1, acc23_1); acc23_2 = fma(s, b3_2, acc23_2); acc23_3 = fma(s, b3_3, acc23_3); }
      { let s = vec4f(ag3_6[0]); acc24_0 = fma(s, b3_0, acc24_0); acc24_1 = fma(s, b3_1, acc24_1); acc24_2 = fma(s, b3_2, acc24_2); acc24_3 = fma(s, b3_3, acc24_3); }
      { let s = vec4f(ag3_6[1]); acc25_0 = fma(s, b3_0, acc25_0); acc25_1 = fma(s, b3_1, acc25_1); acc25_2 = fma(s, b3_2, acc25_2); acc25_3 = fma(s, b3_3, acc25_3); }
      { let s = vec4f(ag3_6[2]); acc26_0 = fma(s, b3_0, acc26_0); acc26_1 = fma(s, b3_1, acc26_1); acc26_2 = fma(s, b3_2, acc26_2); acc26_3 = fma(s, b3_3, acc26_3); }
      { let s = vec4f(ag3_6[3]); acc27_0 = fma(s, b3_0, acc27_0); acc27_1 = fma(s, b3_1, acc27_1); acc27_2 = fma(s, b3_2, acc27_2); acc27_3 = fma(s, b3_3, acc27_3); }
      { let s = vec4f(ag3_7[0]); acc28_0 = fma(s, b3_0, acc28_0); acc28_1 = fma(s, b3_1, acc28_1); acc28_2 = fma(s, b3_2, acc28_2); acc28_3 = fma(s, b3_3, acc28_3); }
      { let s = vec4f(ag3_7[1]); acc29_0 = fma(s, b3_0, acc29_0); acc29_1 = fma(s, b3_1, acc29_1); acc29_2 = fma(s, b3_2, acc29_2); acc29_3 = fma(s, b3_3, acc29_3); }
      { let s = vec4f(ag3_7[2]); acc30_0 = fma(s, b3_0, acc30_0); acc30_1 = fma(s, b3_1, acc30_1); acc30_2 = fma(s, b3_2, acc30_2); acc30_3 = fma(s, b3_3, acc30_3); }
      { let s = vec4f(ag3_7[3]); acc31_0 = fma(s, b3_0, acc31_0); acc31_1 = fma(s, b3_1, acc31_1); acc31_2 = fma(s, b3_2, acc31_2); acc31_3 = fma(s, b3_3, acc31_3); }
      ia0 += 4u * lda4; ia1 += 4u * lda4; ia2 += 4u * lda4; ia3 += 4u * lda4; ia4 += 4u * lda4; ia5 += 4u * lda4; ia6 += 4u * lda4; ia7 += 4u * lda4;
      ib0 += 4u * ldb4; ib1 += 4u * ldb4; ib2 += 4u * ldb4; ib3 += 4u * ldb4;
    } else if (TA == 1u && TB == 1u) {
      let ag0_0 = a[ia0 + 0u * lda4];
      let ag0_1 = a[ia1 + 0u * lda4];
      let ag0_2 = a[ia2 + 0u * lda4];
      let ag0_3 = a[ia3 + 0u * lda4];
      let ag0_4 = a[ia4 + 0u * lda4];
      let ag0_5 = a[ia5 + 0u * lda4];
      let ag0_6 = a[ia6 + 0u * lda4];
      let ag0_7 = a[ia7 + 0u * lda4];
      let ag1_0 = a[ia0 + 1u * lda4];
      let ag1_1 = a[ia1 + 1u * lda4];
      let ag1_2 = a[ia2 + 1u * lda4];
      let ag1_3 = a[ia3 + 1u * lda4];
      let ag1_4 = a[ia4 + 1u * lda4];
      let ag1_5 = a[ia5 + 1u * lda4];
      let ag1_6 = a[ia6 + 1u * lda4];
      let ag1_7 = a[ia7 + 1u * lda4];
      let ag2_0 = a[ia0 + 2u * lda4];
      let ag2_1 = a[ia1 + 2u * lda4];
      let ag2_2 = a[ia2 + 2u * lda4];
      let ag2_3 = a[ia3 + 2u * lda4];
      let ag2_4 = a[ia4 + 2u * lda4];
      let ag2_5 = a[ia5 + 2u * lda4];
      let ag2_6 = a[ia6 + 2u * lda4];
      let ag2_7 = a[ia7 + 2u * lda4];
      let ag3_0 = a[ia0 + 3u * lda4];
      let ag3_1 = a[ia1 + 3u * lda4];
      let ag3_2 = a[ia2 + 3u * lda4];
      let ag3_3 = a[ia3 + 3u * lda4];
      let ag3_4 = a[ia4 + 3u * lda4];
      let ag3_5 = a[ia5 + 3u * lda4];
      let ag3_6 = a[ia6 + 3u * lda4];
      let ag3_7 = a[ia7 + 3u * lda4];
      let bv0 = b[ib0];
      let bv1 = b[ib1];
      let bv2 = b[ib2];
      let bv3 = b[ib3];
      let bv4 = b[ib4];
      let bv5 = b[ib5];
      let bv6 = b[ib6];
      let bv7 = b[ib7];
      let bv8 = b[ib8];
      let bv9 = b[ib9];
      let bv10 = b[ib10];
      let bv11 = b[ib11];
      let bv12 = b[ib12];
      let bv13 = b[ib13];
      let bv14 = b[ib14];
      let bv15 = b[ib15];
      let b0_0 = vec4f(bv0[0], bv1[0], bv2[0], bv3[0]);
      let b0_1 = vec4f(bv4[0], bv5[0], bv6[0], bv7[0]);
      let b0_2 = vec4f(bv8[0], bv9[0], bv10[0], bv11[0]);
      let b0_3 = vec4f(bv12[0], bv13[0], bv14[0], bv15[0]);
      { let s = vec4f(ag0_0[0]); acc0_0 = fma(s, b0_0, acc0_0); acc0_1 = fma(s, b0_1, acc0_1); acc0_2 = fma(s, b0_2, acc0_2); acc0_3 = fma(s, b0_3, acc0_3); }
      { let s = vec4f(ag0_0[1]); acc1_0 = fma(s, b0_0, acc1_0); acc1_1 = fma(s, b0_1, acc1_1); acc1_2 = fma(s, b0_2, acc1_2); acc1_3 = fma(s, b0_3, acc1_3); }
      { let s = vec4f(ag0_0[2]); acc2_0 = fma(s, b0_0, acc2_0); acc2_1 = fma(s, b0_1, acc2_1); acc2_2 = fma(s, b0_2, acc2_2); acc2_3 = fma(s, b0_3, acc2_3); }
      { let s = vec4f(ag0_0[3]); acc3_0 = fma(s, b0_0, acc3_0); acc3_1 = fma(s, b0_1, acc3_1); acc3_2 = fma(s, b0_2, acc3_2); acc3_3 = fma(s, b0_3, acc3_3); }
      { let s = vec4f(ag0_1[0]); acc4_0 = fma(s, b0_0, acc4_0); acc4_1 = fma(s, b0_1, acc4_1); acc4_2 = fma(s, b0_2, acc4_2); acc4_3 = fma(s, b0_3, acc4_3); }
      { let s = vec4f(ag0_1[1]); acc5_0 = fma(s, b0_0, acc5_0); acc5_1 = fma(s, b0_1, acc5_1); acc5_2 = fma(s, b0_2, acc5_2); acc5_3 = fma(s, b0_3, acc5_3); }
      { let s = vec4f(ag0_1[2]); acc6_0 = fma(s, b0_0, acc6_0); acc6_1 = fma(s, b0_1, acc6_1); acc6_2 = fma(s, b0_2, acc6_2); acc6_3 = fma(s, b0_3, acc6_3); }
      { let s = vec4f(ag0_1[3]); acc7_0 = fma(s, b0_0, acc7_0); acc7_1 = fma(s, b0_1, acc7_1); acc7_2 = fma(s, b0_2, acc7_2); acc7_3 = fma(s, b0_3, acc7_3); }
      { let s = vec4f(ag0_2[0]); acc8_0 = fma(s, b0_0, acc8_0); acc8_1 = fma(s, b0_1, acc8_1); acc8_2 = fma(s, b0_2, acc8_2); acc8_3 = fma(s, b0_3, acc8_3); }
      { let s = vec4f(ag0_2[1]); acc9_0 = fma(s, b0_0, acc9_0); acc9_1 = fma(s, b0_1, acc9_1); acc9_2 = fma(s, b0_2, acc9_2); acc9_3 = fma(s, b0_3, acc9_3); }
      { let s = vec4f(ag0_2[2]); acc10_0 = fma(s, b0_0, acc10_0); acc10_1 = fma(s, b0_1, acc10_1); acc10_2 = fma(s, b0_2, acc10_2); acc10_3 = fma(s, b0_3, acc10_3); }
      { let s = vec4f(ag0_2[3]); acc11_0 = fma(s, b0_0, acc11_0); acc11_1 = fma(s, b0_1, acc11_1); acc11_2 = fma(s, b0_2, acc11_2); acc11_3 = fma(s, b0_3, acc11_3); }
      { let s = vec4f(ag0_3[0]); acc12_0 = fma(s, b0_0, acc12_0); acc12_1 = fma(s, b0_1, acc12_1); acc12_2 = fma(s, b0_2, acc12_2); acc12_3 = fma(s, b0_3, acc12_3); }
      { let s = vec4f(ag0_3[1]); acc13_0 = fma(s, b0_0, acc13_0); acc13_1 = fma(s, b0_1, acc13_1); acc13_2 = fma(s, b0_2, acc13_2); acc13_3 = fma(s, b0_3, acc13_3); }
      { let s = vec4f(ag0_3[2]); acc14_0 = fma(s, b0_0, acc14_0); acc14_1 = fma(s, b0_1, acc14_1); acc14_2 = fma(s, b0_2, acc14_2); acc14_3 = fma(s, b0_3, acc14_3); }
      { let s = vec4f(ag0_3[3]); acc15_0 = fma(s, b0_0, acc15_0); acc15_1 = fma(s, b0_1, acc15_1); acc15_2 = fma(s, b0_2, acc15_2); acc15_3 = fma(s, b0_3, acc15_3); }
      { let s = vec4f(ag0_4[0]); acc16_0 = fma(s, b0_0, acc16_0); acc16_1 = fma(s, b0_1, acc16_1); acc16_2 = fma(s, b0_2, acc16_2); acc16_3 = fma(s, b0_3, acc16_3); }
      { let s = vec4f(ag0_4[1]); acc17_0 = fma(s, b0_0, acc17_0); acc17_1 = fma(s, b0_1, acc17_1); acc17_2 = fma(s, b0_2, acc17_2); acc17_3 = fma(s, b0_3, acc17_3); }
      { let s = vec4f(ag0_4[2]); acc18_0 = fma(s, b0_0, acc18_0); acc18_1 = fma(s, b0_1, acc18_1); acc18_2 = fma(s, b0_2, acc18_2); acc18_3 = fma(s, b0_3, acc18_3); }
      { let s = vec4f(ag0_4[3]); acc19_0 = fma(s, b0_0, acc19_0); acc19_1 = fma(s, b0_1, acc19_1); acc19_2 = fma(s, b0_2, acc19_2); acc19_3 = fma(s, b0_3, acc19_3); }
      { let s = vec4f(ag0_5[0]); acc20_0 = fma(s, b0_0, acc20_0); acc20_1 = fma(s, b0_1, acc20_1); acc20_2 = fma(s, b0_2, acc20_2); acc20_3 = fma(s, b0_3, acc20_3); }
      { let s = vec4f(ag0_5[1]); acc21_0 = fma(s, b0_0, acc21_0); acc21_1 = fma(s, b0_1, acc21_1); acc21_2 = fma(s, b0_2, acc21_2); acc21_3 = fma(s, b0_3, acc21_3); }
      { let s = vec4f(ag0_5[2]); acc22_0 = fma(s, b0_0, acc22_0); acc22_1 = fma(s, b0_1, acc22_1); acc22_2 = fma(s, b0_2, acc22_2); acc22_3 = fma(s, b0_3, acc22_3); }
      { let s = vec4f(ag0_5[3]); acc23_0 = fma(s, b0_0, acc23_0); acc23_1 = fma(s, b0_1, acc23_1); acc23_2 = fma(s, b0_2, acc23_2); acc23_3 = fma(s, b0_3, acc23_3); }
      { let s = vec4f(ag0_6[0]); acc24_0 = fma(s, b0_0, acc24_0); acc24_1 = fma(s, b0_1, acc24_1); acc24_2 = fma(s, b0_2, acc24_2); acc24_3 = fma(s, b0_3, acc24_3); }
      { let s = vec4f(ag0_6[1]); acc25_0 = fma(s, b0_0, acc25_0); acc25_1 = fma(s, b0_1, acc25_1); acc25_2 = fma(s, b0_2, acc25_2); acc25_3 = fma(s, b0_3, acc25_3); }
      { let s = vec4f(ag0_6[2]); acc26_0 = fma(s, b0_0, acc26_0); acc26_1 = fma(s, b0_1, acc26_1); acc26_2 = fma(s, b0_2, acc26_2); acc26_3 = fma(s, b0_3, acc26_3); }
      { let s = vec4f(ag0_6[3]); acc27_0 = fma(s, b0_0, acc27_0); acc27_1 = fma(s, b0_1, acc27_1); acc27_2 = fma(s, b0_2, acc27_2); acc27_3 = fma(s, b0_3, acc27_3); }
      { let s = vec4f(ag0_7[0]); acc28_0 = fma(s, b0_0, acc28_0); acc28_1 = fma(s, b0_1, acc28_1); acc28_2 = fma(s, b0_2, acc28_2); acc28_3 = fma(s, b0_3, acc28_3); }
      { let s = vec4f(ag0_7[1]); acc29_0 = fma(s, b0_0, acc29_0); acc29_1 = fma(s, b0_1, acc29_1); acc29_2 = fma(s, b0_2, acc29_2); acc29_3 = fma(s, b0_3, acc29_3); }
      { let s = vec4f(ag0_7[2]); acc30_0 = fma(s, b0_0, acc30_0); acc30_1 = fma(s, b0_1, acc30_1); acc30_2 = fma(s, b0_2, acc30_2); acc30_3 = fma(s, b0_3, acc30_3); }
      { let s = vec4f(ag0_7[3]); acc31_0 = fma(s, b0_0, acc31_0); acc31_1 = fma(s, b0_1, acc31_1); acc31_2 = fma(s, b0_2, acc31_2); acc31_3 = fma(s, b0_3, acc31_3); }
      let b1_0 = vec4f(bv0[1], bv1[1], bv2[1], bv3[1]);
      let b1_1 = vec4f(bv4[1], bv5[1], bv6[1], bv7[1]);
      let b1_2 = vec4f(bv8[1], bv9[1], bv10[1], bv11[1]);
      let b1_3 = vec4f(bv12[1], bv13[1], bv14[1], bv15[1]);
      { let s = vec4f(ag1_0[0]); acc0_0 = fma(s, b1_0, acc0_0); acc0_1 = fma(s, b1_1, acc0_1); acc0_2 = fma(s, b1_2, acc0_2); acc0_3 = fma(s, b1_3, acc0_3); }
      { let s = vec4f(ag1_0[1]); acc1_0 = fma(s, b1_0, acc1_0); acc1_1 = fma(s, b1_1, acc1_1); acc1_2 = fma(s, b1_2, acc1_2); acc1_3 = fma(s, b1_3, acc1_3); }
      { let s = vec4f(ag1_0[2]); acc2_0 = fma(s, b1_0, acc2_0); acc2_1 = fma(s, b1_1, acc2_1); acc2_2 = fma(s, b1_2, acc2_2); acc2_3 = fma(s, b1_3, acc2_3); }
      { let s = vec4f(ag1_0[3]); acc3_0 = fma(s, b1_0, acc3_0); acc3_1 = fma(s, b1_1, acc3_1); acc3_2 = fma(s, b1_2, acc3_2); acc3_3 = fma(s, b1_3, acc3_3); }
      { let s = vec4f(ag1_1[0]); acc4_0 = fma(s, b1_0, acc4_0); acc4_1 = fma(s, b1_1, acc4_1); acc4_2 = fma(s, b1_2, acc4_2); acc4_3 = fma(s, b1_3, acc4_3); }
      { let s = vec4f(ag1_1[1]); acc5_0 = fma(s, b1_0, acc5_0); acc5_1 = fma(s, b1_1, acc5_1); acc5_2 = fma(s, b1_2, acc5_2); acc5_3 = fma(s, b1_3, acc5_3); }
      { let s = vec4f(ag1_1[2]); acc6_0 = fma(s, b1_0, acc6_0); acc6_1 = fma(s, b1_1, acc6_1); acc6_2 = fma(s, b1_2, acc6_2); acc6_3 = fma(s, b1_3, acc6_3); }
      { let s = vec4f(ag1_1[3]); acc7_0 = fma(s, b1_0, acc7_0); acc7_1 = fma(s, b1_1, acc7_1); acc7_2 = fma(s, b1_2, acc7_2); acc7_3 = fma(s, b1_3, acc7_3); }
      { let s = vec4f(ag1_2[0]); acc8_0 = fma(s, b1_0, acc8_0); acc8_1 = fma(s, b1_1, acc8_1); acc8_2 = fma(s, b1_2, acc8_2); acc8_3 = fma(s, b1_3, acc8_3); }
      { let s = vec4f(ag1_2[1]); acc9_0 = fma(s, b1_0, acc9_0); acc9_1 = fma(s, b1_1, acc9_1); acc9_2 = fma(s, b1_2, acc9_2); acc9_3 = fma(s, b1_3, acc9_3); }
      { let s = vec4f(ag1_2[2]); acc10_0 = fma(s, b1_0, acc10_0); acc10_1 = fma(s, b1_1, acc10_1); acc10_2 = fma(s, b1_2, acc10_2); acc10_3 = fma(s, b1_3, acc10_3); }
      { let s = vec4f(ag1_2[3]); acc11_0 = fma(s, b1_0, acc11_0); acc11_1 = fma(s, b1_1, acc11_1); acc11_2 = fma(s, b1_2, acc11_2); acc11_3 = fma(s, b1_3, acc11_3); }
      { let s = vec4f(ag1_3[0]); acc12_0 = fma(s, b1_0, acc12_0); acc12_1 = fma(s, b1_1, acc12_1); acc12_2 = fma(s, b1_2, acc12_2); acc12_3 = fma(s, b1_3, acc12_3); }
      { let s = vec4f(ag1_3[1]); acc13_0 = fma(s, b1_0, acc13_0); acc13_1 = fma(s, b1_1, acc13_1); acc13_2 = fma(s, b1_2, acc13_2); acc13_3 = fma(s, b1_3, acc13_3); }
      { let s = vec4f(ag1_3[2]); acc14_0 = fma(s, b1_0, acc14_0); acc14_1 = fma(s, b1_1, acc14_1); acc14_2 = fma(s, b1_2, acc14_2); acc14_3 = fma(s, b1_3, acc14_3); }
      { let s = vec4f(ag1_3[3]); acc15_0 = fma(s, b1_0, acc15_0); acc15_1 = fma(s, b1_1, acc15_1); acc15_2 = fma(s, b1_2, acc15_2); acc15_3 = fma(s, b1_3, acc15_3); }
      { let s = vec4f(ag1_4[0]); acc16_0 = fma(s, b1_0, acc16_0); acc16_1 = fma(s, b1_1, acc16_1); acc16_2 = fma(s, b1_2, acc16_2); acc16_3 = fma(s, b1_3, acc16_3); }
      { let s = vec4f(ag1_4[1]); acc17_0 = fma(s, b1_0, acc17_0); acc17_1 = fma(s, b1_1, acc17_1); acc17_2 = fma(s, b1_2, acc17_2); acc17_3 = fma(s, b1_3, acc17_3); }
      { let s = vec4f(ag1_4[2]); acc18_0 = fma(s, b1_0, acc18_0); acc18_1 = fma(s, b1_1, acc18_1); acc18_2 = fma(s, b1_2, acc18_2); acc18_3 = fma(s, b1_3, acc18_3); }
      { let s = vec4f(ag1_4[3]); acc19_0 = fma(s, b1_0, acc19_0); acc19_1 = fma(s, b1_1, acc19_1); acc19_2 = fma(s, b1_2, acc19_2); acc19_3 = fma(s, b1_3, acc19_3); }
      { let s = vec4f(ag1_5[0]); acc20_0 = fma(s, b1_0, acc20_0); acc20_1 = fma(s, b1_1, acc20_1); acc20_2 = fma(s, b1_2, acc20_2); acc20_3 = fma(s, b1_3, acc20_3); }
      { let s = vec4f(ag1_5[1]); acc21_0 = fma(s, b1_0, acc21_0); acc21_1 = fma(s, b1_1, acc21_1); acc21_2 = fma(s, b1_2, acc21_2); acc21_3 = fma(s, b1_3, acc21_3); }
      { let s = vec4f(ag1_5[2]); acc22_0 = fma(s, b1_0, acc22_0); acc22_1 = fma(s, b1_1, acc22_1); acc22_2 = fma(s, b1_2, acc22_2); acc22_3 = fma(s, b1_3, acc22_3); }
      { let s = vec4f(ag1_5[3]); acc23_0 = fma(s, b1_0, acc23_0); acc23_1 = fma(s, b1_1, acc23_1); acc23_2 = fma(s, b1_2, acc23_2); acc23_3 = fma(s, b1_3, acc23_3); }
      { let s = vec4f(ag1_6[0]); acc24_0 = fma(s, b1_0, acc24_0); acc24_1 = fma(s, b1_1, acc24_1); acc24_2 = fma(s, b1_2, acc24_2); acc24_3 = fma(s, b1_3, acc24_3); }
      { let s = vec4f(ag1_6[1]); acc25_0 = fma(s, b1_0, acc25_0); acc25_1 = fma(s, b1_1, acc25_1); acc25_2 = fma(s, b1_2, acc25_2); acc25_3 = fma(s, b1_3, acc25_3); }
      { let s = vec4f(ag1_6[2]); acc26_0 = fma(s, b1_0, acc26_0); acc26_1 = fma(s, b1_1, acc26_1); acc26_2 = fma(s, b1_2, acc26_2); acc26_3 = fma(s, b1_3, acc26_3); }
      { let s = vec4f(ag1_6[3]); acc27_0 = fma(s, b1_0, acc27_0); acc27_1 = fma(s, b1_1, acc27_1); acc27_2 = fma(s, b1_2, acc27_2); acc27_3 = fma(s, b1_3, acc27_3); }
      { let s = vec4f(ag1_7[0]); acc28_0 = fma(s, b1_0, acc28_0); acc28_1 = fma(s, b1_1, acc28_1); acc28_2 = fma(s, b1_2, acc28_2); acc28_3 = fma(s, b1_3, acc28_3); }
      { let s = vec4f(ag1_7[1]); acc29_0 = fma(s, b1_0, acc29_0); acc29_1 = fma(s, b1_1, acc29_1); acc29_2 = fma(s, b1_2, acc29_2); acc29_3 = fma(s, b1_3, acc29_3); }
      { let s = vec4f(ag1_7[2]); acc30_0 = fma(s, b1_0, acc30_0); acc30_1 = fma(s, b1_1, acc30_1); acc30_2 = fma(s, b1_2, acc30_2); acc30_3 = fma(s, b1_3, acc30_3); }
      { let s = vec4f(ag1_7[3]); acc31_0 = fma(s, b1_0, acc31_0); acc31_1 = fma(s, b1_1, acc31_1); acc31_2 = fma(s, b1_2, acc31_2); acc31_3 = fma(s, b1_3, acc31_3); }
      let b2_0 = vec4f(bv0[2], bv1[2], bv2[2], bv3[2]);
      let b2_1 = vec4f(bv4[2], bv5[2], bv6[2], bv7[2]);
      let b2_2 = vec4f(bv8[2], bv9[2], bv10[2], bv11[2]);
      let b2_3 = vec4f(bv12[2], bv13[2], bv14[2], bv15[2]);
      { let s = vec4f(ag2_0[0]); acc0_0 = fma(s, b2_0, acc0_0); acc0_1 = fma(s, b2_1, acc0_1); acc0_2 = fma(s, b2_2, acc0_2); acc0_3 = fma(s, b2_3, acc0_3); }
      { let s = vec4f(ag2_0[1]); acc1_0 = fma(s, b2_0, acc1_0); acc1_1 = fma(s, b2_1, acc1_1); acc1_2 = fma(s, b2_2, acc1_2); acc1_3 = fma(s, b2_3, acc1_3); }
      { let s = vec4f(ag2_0[2]); acc2_0 = fma(s, b2_0, acc2_0); acc2_1 = fma(s, b2_1, acc2_1); acc2_2 = fma(s, b2_2, acc2_2); acc2_3 = fma(s, b2_3, acc2_3); }
      { let s = vec4f(ag2_0[3]); acc3_0 = fma(s, b2_0, acc3_0); acc3_1 = fma(s, b2_1, acc3_1); acc3_2 = fma(s, b2_2, acc3_2); acc3_3 = fma(s, b2_3, acc3_3); }
      { let s = vec4f(ag2_1[0]); acc4_0 = fma(s, b2_0, acc4_0); acc4_1 = fma(s, b2_1, acc4_1); acc4_2 = fma(s, b2_2, acc4_2); acc4_3 = fma(s, b2_3, acc4_3); }
      { let s = vec4f(ag2_1[1]); acc5_0 = fma(s, b2_0, acc5_0); acc5_1 = fma(s, b2_1, acc5_1); acc5_2 = fma(s, b2_2, acc5_2); acc5_3 = fma(s, b2_3, acc5_3); }
      { let s = vec4f(ag2_1[2]); acc6_0 = fma(s, b2_0, acc6_0); acc6_1 = fma(s, b2_1, acc6_1); acc6_2 = fma(s, b2_2, acc6_2); acc6_3 = fma(s, b2_3, acc6_3); }
      { let s = vec4f(ag2_1[3]); acc7_0 = fma(s, b2_0, acc7_0); acc7_1 = fma(s, b2_1, acc7_1); acc7_2 = fma(s, b2_2, acc7_2); acc7_3 = fma(s, b2_3, acc7_3); }
      { let s = vec4f(ag2_2[0]); acc8_0 = fma(s, b2_0, acc8_0); acc8_1 = fma(s, b2_1, acc8_1); acc8_2 = fma(s, b2_2, acc8_2); acc8_3 = fma(s, b2_3, acc8_3); }
      { let s = vec4f(ag2_2[1]); acc9_0 = fma(s, b2_0, acc9_0); acc9_1 = fma(s, b2_1, acc9_1); acc9_2 = fma(s, b2_2, acc9_2); acc9_3 = fma(s, b2_3, acc9_3); }
      { let s = vec4f(ag2_2[2]); acc10_0 = fma(s, b2_0, acc10_0); acc10_1 = fma(s, b2_1, acc10_1); acc10_2 = fma(s, b2_2, acc10_2); acc10_3 = fma(s, b2_3, acc10_3); }
      { let s = vec4f(ag2_2[3]); acc11_0 = fma(s, b2_0, acc11_0); acc11_1 = fma(s, b2_1, acc11_1); acc11_2 = fma(s, b2_2, acc11_2); acc11_3 = fma(s, b2_3, acc11_3); }
      { let s = vec4f(ag2_3[0]); acc12_0 = fma(s, b2_0, acc12_0); acc12_1 = fma(s, b2_1, acc12_1); acc12_2 = fma(s, b2_2, acc12_2); acc12_3 = fma(s, b2_3, acc12_3); }
      { let s = vec4f(ag2_3[1]); acc13_0 = fma(s, b2_0, acc13_0); acc13_1 = fma(s, b2_1, acc13_1); acc13_2 = fma(s, b2_2, acc13_2); acc13_3 = fma(s, b2_3, acc13_3); }
      { let s = vec4f(ag2_3[2]); acc14_0 = fma(s, b2_0, acc14_0); acc14_1 = fma(s, b2_1, acc14_1); acc14_2 = fma(s, b2_2, acc14_2); acc14_3 = fma(s, b2_3, acc14_3); }
      { let s = vec4f(ag2_3[3]); acc15_0 = fma(s, b2_0, acc15_0); acc15_1 = fma(s, b2_1, acc15_1); acc15_2 = fma(s, b2_2, acc15_2); acc15_3 = fma(s, b2_3, acc15_3); }
      { let s = vec4f(ag2_4[0]); acc16_0 = fma(s, b2_0, acc16_0); acc16_1 = fma(s, b2_1, acc16_1); acc16_2 = fma(s, b2_2, acc16_2); acc16_3 = fma(s, b2_3, acc16_3); }
      { let s = vec4f(ag2_4[1]); acc17_0 = fma(s, b2_0, acc17_0); acc17_1 = fma(s, b2_1, acc17_1); acc17_2 = fma(s, b2_2, acc17_2); acc17_3 = fma(s, b2_3, acc17_3); }
      { let s = vec4f(ag2_4[2]); acc18_0 = fma(s, b2_0, acc18_0); acc18_1 = fma(s, b2_1, acc18_1); acc18_2 = fma(s, b2_2, acc18_2); acc18_3 = fma(s, b2_3, acc18_3); }
      { let s = vec4f(ag2_4[3]); acc19_0 = fma(s, b2_0, acc19_0); acc19_1 = fma(s, b2_1, acc19_1); acc19_2 = fma(s, b2_2, acc19_2); acc19_3 = fma(s, b2_3, acc19_3); }
      { let s = vec4f(ag2_5[0]); acc20_0 = fma(s, b2_0, acc20_0); acc20_1 = fma(s, b2_1, acc20_1); acc20_2 = fma(s, b2_2, acc20_2); acc20_3 = fma(s, b2_3, acc20_3); }
      { let s = vec4f(ag2_5[1]); acc21_0 = fma(s, b2_0, acc21_0); acc21_1 = fma(s, b2_1, acc21_1); acc21_2 = fma(s, b2_2, acc21_2); acc21_3 = fma(s, b2_3, acc21_3); }
      { let s = vec4f(ag2_5[2]); acc22_0 = fma(s, b2_0, acc22_0); acc22_1 = fma(s, b2_1, acc22_1); acc22_2 = fma(s, b2_2, acc22_2); acc22_3 = fma(s, b2_3, acc22_3); }
      { let s = vec4f(ag2_5[3]); acc23_0 = fma(s, b2_0, acc23_0); acc23_1 = fma(s, b2_1, acc23_1); acc23_2 = fma(s, b2_2, acc23_2); acc23_3 = fma(s, b2_3, acc23_3); }
      { let s = vec4f(ag2_6[0]); acc24_0 = fma(s, b2_0, acc24_0); acc24_1 = fma(s, b2_1, acc24_1); acc24_2 = fma(s, b2_2, acc24_2); acc24_3 = fma(s, b2_3, acc24_3); }
      { let s = vec4f(ag2_6[1]); acc25_0 = fma(s, b2_0, acc25_0); acc25_1 = fma(s, b2_1, acc25_1); acc25_2 = fma(s, b2_2, acc25_2); acc25_3 = fma(s, b2_3, acc25_3); }
      { let s = vec4f(ag2_6[2]); acc26_0 = fma(s, b2_0, acc26_0); acc26_1 = fma(s, b2_1, acc26_1); acc26_2 = fma(s, b2_2, acc26_2); acc26_3 = fma(s, b2_3, acc26_3); }
      { let s = vec4f(ag2_6[3]); acc27_0 = fma(s, b2_0, acc27_0); acc27_1 = fma(s, b2_1, acc27_1); acc27_2 = fma(s, b2_2, acc27_2); acc27_3 = fma(s, b2_3, acc27_3); }
      { let s = vec4f(ag2_7[0]); acc28_0 = fma(s, b2_0, acc28_0); acc28_1 = fma(s, b2_1, acc28_1); acc28_2 = fma(s, b2_2, acc28_2); acc28_3 = fma(s, b2_3, acc28_3); }
      { let s = vec4f(ag2_7[1]); acc29_0 = fma(s, b2_0, acc29_0); acc29_1 = fma(s, b2_1, acc29_1); acc29_2 = fma(s, b2_2, acc29_2); acc29_3 = fma(s, b2_3, acc29_3); }
      { let s = vec4f(ag2_7[2]); acc30_0 = fma(s, b2_0, acc30_0); acc30_1 = fma(s, b2_1, acc30_1); acc30_2 = fma(s, b2_2, acc30_2); acc30_3 = fma(s, b2_3, acc30_3); }
      { let s = vec4f(ag2_7[3]); acc31_0 = fma(s, b2_0, acc31_0); acc31_1 = fma(s, b2_1, acc31_1); acc31_2 = fma(s, b2_2, acc31_2); acc31_3 = fma(s, b2_3, acc31_3); }
      let b3_0 = vec4f(bv0[3], bv1[3], bv2[3], bv3[3]);
      let b3_1 = vec4f(bv4[3], bv5[3], bv6[3], bv7[3]);
      let b3_2 = vec4f(bv8[3], bv9[3], bv10[3], bv11[3]);
      let b3_3 = vec4f(bv12[3], bv13[3], bv14[3], bv15[3]);
      { let s = vec4f(ag3_0[0]); acc0_0 = fma(s, b3_0, acc0_0); acc0_1 = fma(s, b3_1, acc0_1); acc0_2 = fma(s, b3_2, acc0_2); acc0_3 = fma(s, b3_3, acc0_3); }
      { let s = vec4f(ag3_0[1]); acc1_0 = fma(s, b3_0, acc1_0); acc1_1 = fma(s, b3_1, acc1_1); acc1_2 = fma(s, b3_2, acc1_2); acc1_3 = fma(s, b3_3, acc1_3); }
      { let s = vec4f(ag3_0[2]); acc2_0 = fma(s, b3_0, acc2_0); acc2_1 = fma(s, b3_1, acc2_1); acc2_2 = fma(s, b3_2, acc2_2); acc2_3 = fma(s, b3_3, acc2_3); }
      { let s = vec4f(ag3_0[3]); acc3_0 = fma(s, b3_0, acc3_0); acc3_1 = fma(s, b3_1, acc3_1); acc3_2 = fma(s, b3_2, acc3_2); acc3_3 = fma(s, b3_3, acc3_3); }
      { let s = vec4f(ag3_1[0]); acc4_0 = fma(s, b3_0, acc4_0); acc4_1 = fma(s, b3_1, acc4_1); acc4_2 = fma(s, b3_2, acc4_2); acc4_3 = fma(s, b3_3, acc4_3); }
      { let s = vec4f(ag3_1[1]); acc5_0 = fma(s, b3_0, acc5_0); acc5_1 = fma(s, b3_1, acc5_1); acc5_2 = fma(s, b3_2, acc5_2); acc5_3 = fma(s, b3_3, acc5_3); }
      { let s = vec4f(ag3_1[2]); acc6_0 = fma(s, b3_0, acc6_0); acc6_1 = fma(s, b3_1, acc6_1); acc6_2 = fma(s, b3_2, acc6_2); acc6_3 = fma(s, b3_3, acc6_3); }
      { let s = vec4f(ag3_1[3]); acc7_0 = fma(s, b3_0, acc7_0); acc7_1 = fma(s, b3_1, acc7_1); acc7_2 = fma(s, b3_2, acc7_2); acc7_3 = fma(s, b3_3, acc7_3); }
      { let s = vec4f(ag3_2[0]); acc8_0 = fma(s, b3_0, acc8_0); acc8_1 = fma(s, b3_1, acc8_1); acc8_2 = fma(s, b3_2, acc8_2); acc8_3 = fma(s, b3_3, acc8_3); }
      { let s = vec4f(ag3_2[1]); acc9_0 = fma(s, b3_0, acc9_0); acc9_1 = fma(s, b3_1, acc9_1); acc9_2 = fma(s, b3_2, acc9_2); acc9_3 = fma(s, b3_3, acc9_3); }
      { let s = vec4f(ag3_2[2]); acc10_0 = fma(s, b3_0, acc10_0); acc10_1 = fma(s, b3_1, acc10_1); acc10_2 = fma(s, b3_2, acc10_2); acc10_3 = fma(s, b3_3, acc10_3); }
      { let s = vec4f(ag3_2[3]); acc11_0 = fma(s, b3_0, acc11_0); acc11_1 = fma(s, b3_1, acc11_1); acc11_2 = fma(s, b3_2, acc11_2); acc11_3 = fma(s, b3_3, acc11_3); }
      { let s = vec4f(ag3_3[0]); acc12_0 = fma(s, b3_0, acc12_0); acc12_1 = fma(s, b3_1, acc12_1); acc12_2 = fma(s, b3_2, acc12_2); acc12_3 = fma(s, b3_3, acc12_3); }
      { let s = vec4f(ag3_3[1]); acc13_0 = fma(s, b3_0, acc13_0); acc13_1 = fma(s, b3_1, acc13_1); acc13_2 = fma(s, b3_2, acc13_2); acc13_3 = fma(s, b3_3, acc13_3); }
      { let s = vec4f(ag3_3[2]); acc14_0 = fma(s, b3_0, acc14_0); acc14_1 = fma(s, b3_1, acc14_1); acc14_2 = fma(s, b3_2, acc14_2); acc14_3 = fma(s, b3_3, acc14_3); }
      { let s = vec4f(ag3_3[3]); acc15_0 = fma(s, b3_0, acc15_0); acc15_1 = fma(s, b3_1, acc15_1); acc15_2 = fma(s, b3_2, acc15_2); acc15_3 = fma(s, b3_3, acc15_3); }
      { let s = vec4f(ag3_4[0]); acc16_0 = fma(s, b3_0, acc16_0); acc16_1 = fma(s, b3_1, acc16_1); acc16_2 = fma(s, b3_2, acc16_2); acc16_3 = fma(s, b3_3, acc16_3); }
      { let s = vec4f(ag3_4[1]); acc17_0 = fma(s, b3_0, acc17_0); acc17_1 = fma(s, b3_1, acc17_1); acc17_2 = fma(s, b3_2, acc17_2); acc17_3 = fma(s, b3_3, acc17_3); }
      { let s = vec4f(ag3_4[2]); acc18_0 = fma(s, b3_0, acc18_0); acc18_1 = fma(s, b3_1, acc18_1); acc18_2 = fma(s, b3_2, acc18_2); acc18_3 = fma(s, b3_3, acc18_3); }
      { let s = vec4f(ag3_4[3]); acc19_0 = fma(s, b3_0, acc19_0); acc19_1 = fma(s, b3_1, acc19_1); acc19_2 = fma(s, b3_2, acc19_2); acc19_3 = fma(s, b3_3, acc19_3); }
      { let s = vec4f(ag3_5[0]); acc20_0 = fma(s, b3_0, acc20_0); acc20_1 = fma(s, b3_1, acc20_1); acc20_2 = fma(s, b3_2, acc20_2); acc20_3 = fma(s, b3_3, acc20_3); }
      { let s = vec4f(ag3_5[1]); acc21_0 = fma(s, b3_0, acc21_0); acc21_1 = fma(s, b3_1, acc21_1); acc21_2 = fma(s, b3_2, acc21_2); acc21_3 = fma(s, b3_3, acc21_3); }
      { let s = vec4f(ag3_5[2]); acc22_0 = fma(s, b3_0, acc22_0); acc22_1 = fma(s, b3_1, acc22_1); acc22_2 = fma(s, b3_2, acc22_2); acc22_3 = fma(s, b3_3, acc22_3); }
      { let s = vec4f(ag3_5[3]); acc23_0 = fma(s, b3_0, acc23_0); acc23_1 = fma(s, b3_1, acc23_1); acc23_2 = fma(s, b3_2, acc23_2); acc23_3 = fma(s, b3_3, acc23_3); }
      { let s = vec4f(ag3_6[0]); acc24_0 = fma(s, b3_0, acc24_0); acc24_1 = fma(s, b3_1, acc24_1); acc24_2 = fma(s, b3_2, acc24_2); acc24_3 = fma(s, b3_3, acc24_3); }
      { let s = vec4f(ag3_6[1]); acc25_0 = fma(s, b3_0, acc25_0); acc25_1 = fma(s, b3_1, acc25_1); acc25_2 = fma(s, b3_2, acc25_2); acc25_3 = fma(s, b3_3, acc25_3); }
      { let s = vec4f(ag3_6[2]); acc26_0 = fma(s, b3_0, acc26_0); acc26_1 = fma(s, b3_1, acc26_1); acc26_2 = fma(s, b3_2, acc26_2); acc26_3 = fma(s, b3_3, acc26_3); }
      { let s = vec4f(ag3_6[3]); acc27_0 = fma(s, b3_0, acc27_0); acc27_1 = fma(s, b3_1, acc27_1); acc27_2 = fma(s, b3_2, acc27_2); acc27_3 = fma(s, b3_3, acc27_3); }
      { let s = vec4f(ag3_7[0]); acc28_0 = fma(s, b3_0, acc28_0); acc28_1 = fma(s, b3_1, acc28_1); acc28_2 = fma(s, b3_2, acc28_2); acc28_3 = fma(s, b3_3, acc28_3); }
      { let s = vec4f(ag3_7[1]); acc29_0 = fma(s, b3_0, acc29_0); acc29_1 = fma(s, b3_1, acc29_1); acc29_2 = fma(s, b3_2, acc29_2); acc29_3 = fma(s, b3_3, acc29_3); }
      { let s = vec4f(ag3_7[2]); acc30_0 = fma(s, b3_0, acc30_0); acc30_1 = fma(s, b3_1, acc30_1); acc30_2 = fma(s, b3_2, acc30_2); acc30_3 = fma(s, b3_3, acc30_3); }
      { let s = vec4f(ag3_7[3]); acc31_0 = fma(s, b3_0, acc31_0); acc31_1 = fma(s, b3_1, acc31_1); acc31_2 = fma(s, b3_2, acc31_2); acc31_3 = fma(s, b3_3, acc31_3); }
      ia0 += 4u * lda4; ia1 += 4u * lda4; ia2 += 4u * lda4; ia3 += 4u * lda4; ia4 += 4u * lda4; ia5 += 4u * lda4; ia6 += 4u * lda4; ia7 += 4u * lda4;
      ib0 += 1u; ib1 += 1u; ib2 += 1u; ib3 += 1u; ib4 += 1u; ib5 += 1u; ib6 += 1u; ib7 += 1u; ib8 += 1u; ib9 += 1u; ib10 += 1u; ib11 += 1u; ib12 += 1u; ib13 += 1u; ib14 += 1u; ib15 += 1u;
    }
  }
  let oc = p.off_c + wid.z * p.stride_c;
  store4(oc, row0 + 0u, col0 + 0u, acc0_0);
  store4(oc, row0 + 0u, col0 + 4u, acc0_1);
  store4(oc, row0 + 0u, col0 + 8u, acc0_2);
  store4(oc, row0 + 0u, col0 + 12u, acc0_3);
  store4(oc, row0 + 1u, col0 + 0u, acc1_0);
  store4(oc, row0 + 1u, col0 + 4u, acc1_1);
  store4(oc, row0 + 1u, col0 + 8u, acc1_2);
  store4(oc, row0 + 1u, col0 + 12u, acc1_3);
  store4(oc, row0 + 2u, col0 + 0u, acc2_0);
  store4(oc, row0 + 2u, col0 + 4u, acc2_1);
  store4(oc, row0 + 2u, col0 + 8u, acc2_2);
  store4(oc, row0 + 2u, col0 + 12u, acc2_3);
  store4(oc, row0 + 3u, col0 + 0u, acc3_0);
  store4(oc, row0 + 3u, col0 + 4u, acc3_1);
  store4(oc, row0 + 3u, col0 + 8u, acc3_2);
  store4(oc, row0 + 3u, col0 + 12u, acc3_3);
  store4(oc, row0 + 4u, col0 + 0u, acc4_0);
  store4(oc, row0 + 4u, col0 + 4u, acc4_1);
  store4(oc, row0 + 4u, col0 + 8u, acc4_2);
  store4(oc, row0 + 4u, col0 + 12u, acc4_3);
  store4(oc, row0 + 5u, col0 + 0u, acc5_0);
  store4(oc, row0 + 5u, col0 + 4u, acc5_1);
  store4(oc, row0 + 5u, col0 + 8u, acc5_2);
  store4(oc, row0 + 5u, col0 + 12u, acc5_3);
  store4(oc, row0 + 6u, col0 + 0u, acc6_0);
  store4(oc, row0 + 6u, col0 + 4u, acc6_1);
  store4(oc, row0 + 6u, col0 + 8u, acc6_2);
  store4(oc, row0 + 6u, col0 + 12u, acc6_3);
  store4(oc, row0 + 7u, col0 + 0u, acc7_0);
  store4(oc, row0 + 7u, col0 + 4u, acc7_1);
  store4(oc, row0 + 7u, col0 + 8u, acc7_2);
  store4(oc, row0 + 7u, col0 + 12u, acc7_3);
  store4(oc, row0 + 8u, col0 + 0u, acc8_0);
  store4(oc, row0 + 8u, col0 + 4u, acc8_1);
  store4(oc, row0 + 8u, col0 + 8u, acc8_2);
  store4(oc, row0 + 8u, col0 + 12u, acc8_3);
  store4(oc, row0 + 9u, col0 + 0u, acc9_0);
  store4(oc, row0 + 9u, col0 + 4u, acc9_1);
  store4(oc, row0 + 9u, col0 + 8u, acc9_2);
  store4(oc, row0 + 9u, col0 + 12u, acc9_3);
  store4(oc, row0 + 10u, col0 + 0u, acc10_0);
  store4(oc, row0 + 10u, col0 + 4u, acc10_1);
  store4(oc, row0 + 10u, col0 + 8u, acc10_2);
  store4(oc, row0 + 10u, col0 + 12u, acc10_3);
  store4(oc, row0 + 11u, col0 + 0u, acc11_0);
  store4(oc, row0 + 11u, col0 + 4u, acc11_1);
  store4(oc, row0 + 11u, col0 + 8u, acc11_2);
  store4(oc, row0 + 11u, col0 + 12u, acc11_3);
  store4(oc, row0 + 12u, col0 + 0u, acc12_0);
  store4(oc, row0 + 12u, col0 + 4u, acc12_1);
  store4(oc, row0 + 12u, col0 + 8u, acc12_2);
  store4(oc, row0 + 12u, col0 + 12u, acc12_3);
  store4(oc, row0 + 13u, col0 + 0u, acc13_0);
  store4(oc, row0 + 13u, col0 + 4u, acc13_1);
  store4(oc, row0 + 13u, col0 + 8u, acc13_2);
  store4(oc, row0 + 13u, col0 + 12u, acc13_3);
  store4(oc, row0 + 14u, col0 + 0u, acc14_0);
  store4(oc, row0 + 14u, col0 + 4u, acc14_1);
  store4(oc, row0 + 14u, col0 + 8u, acc14_2);
  store4(oc, row0 + 14u, col0 + 12u, acc14_3);
  store4(oc, row0 + 15u, col0 + 0u, acc15_0);
  store4(oc, row0 + 15u, col0 + 4u, acc15_1);
  store4(oc, row0 + 15u, col0 + 8u, acc15_2);
  store4(oc, row0 + 15u, col0 + 12u, acc15_3);
  store4(oc, row0 + 16u, col0 + 0u, acc16_0);
  store4(oc, row0 + 16u, col0 + 4u, acc16_1);
  store4(oc, row0 + 16u, col0 + 8u, acc16_2);
  store4(oc, row0 + 16u, col0 + 12u, acc16_3);
  store4(oc, row0 + 17u, col0 + 0u, acc17_0);
  store4(oc, row0 + 17u, col0 + 4u, acc17_1);
  store4(oc, row0 + 17u, col0 + 8u, acc17_2);
  store4(oc, row0 + 17u, col0 + 12u, acc17_3);
  store4(oc, row0 + 18u, col0 + 0u, acc18_0);
  store4(oc, row0 + 18u, col0 + 4u, acc18_1);
  store4(oc, row0 + 18u, col0 + 8u, acc18_2);
  store4(oc, row0 + 18u, col0 + 12u, acc18_3);
  store4(oc, row0 + 19u, col0 + 0u, acc19_0);
  store4(oc, row0 + 19u, col0 + 4u, acc19_1);
  store4(oc, row0 + 19u, col0 + 8u, acc19_2);
  store4(oc, row0 + 19u, col0 + 12u, acc19_3);
  store4(oc, row0 + 20u, col0 + 0u, acc20_0);
  store4(oc, row0 + 20u, col0 + 4u, acc20_1);
  store4(oc, row0 + 20u, col0 + 8u, acc20_2);
  store4(oc, row0 + 20u, col0 + 12u, acc20_3);
  store4(oc, row0 + 21u, col0 + 0u, acc21_0);
  store4(oc, row0 + 21u, col0 + 4u, acc21_1);
  store4(oc, row0 + 21u, col0 + 8u, acc21_2);
  store4(oc, row0 + 21u, col0 + 12u, acc21_3);
  store4(oc, row0 + 22u, col0 + 0u, acc22_0);
  store4(oc, row0 + 22u, col0 + 4u, acc22_1);
  store4(oc, row0 + 22u, col0 + 8u, acc22_2);
  store4(oc, row0 + 22u, col0 + 12u, acc22_3);
  store4(oc, row0 + 23u, col0 + 0u, acc23_0);
  store4(oc, row0 + 23u, col0 + 4u, acc23_1);
  store4(oc, row0 + 23u, col0 + 8u, acc23_2);
  store4(oc, row0 + 23u, col0 + 12u, acc23_3);
  store4(oc, row0 + 24u, col0 + 0u, acc24_0);
  store4(oc, row0 + 24u, col0 + 4u, acc24_1);
  store4(oc, row0 + 24u, col0 + 8u, acc24_2);
  store4(oc, row0 + 24u, col0 + 12u, acc24_3);
  store4(oc, row0 + 25u, col0 + 0u, acc25_0);
  store4(oc, row0 + 25u, col0 + 4u, acc25_1);
  store4(oc, row0 + 25u, col0 + 8u, acc25_2);
  store4(oc, row0 + 25u, col0 + 12u, acc25_3);
  store4(oc, row0 + 26u, col0 + 0u, acc26_0);
  store4(oc, row0 + 26u, col0 + 4u, acc26_1);
  store4(oc, row0 + 26u, col0 + 8u, acc26_2);
  store4(oc, row0 + 26u, col0 + 12u, acc26_3);
  store4(oc, row0 + 27u, col0 + 0u, acc27_0);
  store4(oc, row0 + 27u, col0 + 4u, acc27_1);
  store4(oc, row0 + 27u, col0 + 8u, acc27_2);
  store4(oc, row0 + 27u, col0 + 12u, acc27_3);
  store4(oc, row0 + 28u, col0 + 0u, acc28_0);
  store4(oc, row0 + 28u, col0 + 4u, acc28_1);
  store4(oc, row0 + 28u, col0 + 8u, acc28_2);
  store4(oc, row0 + 28u, col0 + 12u, acc28_3);
  store4(oc, row0 + 29u, col0 + 0u, acc29_0);
  store4(oc, row0 + 29u, col0 + 4u, acc29_1);
  store4(oc, row0 + 29u, col0 + 8u, acc29_2);
  store4(oc, row0 + 29u, col0 + 12u, acc29_3);
  store4(oc, row0 + 30u, col0 + 0u, acc30_0);
  store4(oc, row0 + 30u, col0 + 4u, acc30_1);
  store4(oc, row0 + 30u, col0 + 8u, acc30_2);
  store4(oc, row0 + 30u, col0 + 12u, acc30_3);
  store4(oc, row0 + 31u, col0 + 0u, acc31_0);
  store4(oc, row0 + 31u, col0 + 4u, acc31_1);
  store4(oc, row0 + 31u, col0 + 8u, acc31_2);
  store4(oc, row0 + 31u, col0 + 12u, acc31_3);
}

fn store4(oc: u32, r: u32, col: u32, v: vec4f) {
  if (r >= p.m) { return; }
  let base = oc + r * p.ldc + col;
  let s = p.alpha * v;
  if (col < p.n) { c[base] = s.x; }
  if (col + 1u < p.n) { c[base + 1u] = s.y; }
  if (col + 2u < p.n) { c[base + 2u] = s.z; }
  if (col + 3u < p.n) { c[base + 3u] = s.w; }
}
