// Variant 26: A (M, K) and B (K, N) in rgba32float textures (4 floats per texel), K unrolled
// by 4; NN only, K and N multiples of 4.
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
@group(0) @binding(1) var at: texture_2d<f32>;
@group(0) @binding(2) var bt: texture_2d<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

override WGY: u32 = 1u;
@compute @workgroup_size(8, WGY)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l3: vec3u) {
  let row0 = (wid.y * WGY + l3.y) * 32u;
  let col0 = (wid.x * 8u + l3.x) * 16u;
  let r0 = min(row0 + 0u, p.m - 1u);
  let r1 = min(row0 + 1u, p.m - 1u);
  let r2 = min(row0 + 2u, p.m - 1u);
  let r3 = min(row0 + 3u, p.m - 1u);
  let r4 = min(row0 + 4u, p.m - 1u);
  let r5 = min(row0 + 5u, p.m - 1u);
  let r6 = min(row0 + 6u, p.m - 1u);
  let r7 = min(row0 + 7u, p.m - 1u);
  let r8 = min(row0 + 8u, p.m - 1u);
  let r9 = min(row0 + 9u, p.m - 1u);
  let r10 = min(row0 + 10u, p.m - 1u);
  let r11 = min(row0 + 11u, p.m - 1u);
  let r12 = min(row0 + 12u, p.m - 1u);
  let r13 = min(row0 + 13u, p.m - 1u);
  let r14 = min(row0 + 14u, p.m - 1u);
  let r15 = min(row0 + 15u, p.m - 1u);
  let r16 = min(row0 + 16u, p.m - 1u);
  let r17 = min(row0 + 17u, p.m - 1u);
  let r18 = min(row0 + 18u, p.m - 1u);
  let r19 = min(row0 + 19u, p.m - 1u);
  let r20 = min(row0 + 20u, p.m - 1u);
  let r21 = min(row0 + 21u, p.m - 1u);
  let r22 = min(row0 + 22u, p.m - 1u);
  let r23 = min(row0 + 23u, p.m - 1u);
  let r24 = min(row0 + 24u, p.m - 1u);
  let r25 = min(row0 + 25u, p.m - 1u);
  let r26 = min(row0 + 26u, p.m - 1u);
  let r27 = min(row0 + 27u, p.m - 1u);
  let r28 = min(row0 + 28u, p.m - 1u);
  let r29 = min(row0 + 29u, p.m - 1u);
  let r30 = min(row0 + 30u, p.m - 1u);
  let r31 = min(row0 + 31u, p.m - 1u);
  let x0 = min(col0 + 0u, p.n - 1u) / 4u;
  let x1 = min(col0 + 4u, p.n - 1u) / 4u;
  let x2 = min(col0 + 8u, p.n - 1u) / 4u;
  let x3 = min(col0 + 12u, p.n - 1u) / 4u;
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
    let av0 = textureLoad(at, vec2u(l / 4u, r0), 0);
    let av1 = textureLoad(at, vec2u(l / 4u, r1), 0);
    let av2 = textureLoad(at, vec2u(l / 4u, r2), 0);
    let av3 = textureLoad(at, vec2u(l / 4u, r3), 0);
    let av4 = textureLoad(at, vec2u(l / 4u, r4), 0);
    let av5 = textureLoad(at, vec2u(l / 4u, r5), 0);
    let av6 = textureLoad(at, vec2u(l / 4u, r6), 0);
    let av7 = textureLoad(at, vec2u(l / 4u, r7), 0);
    let av8 = textureLoad(at, vec2u(l / 4u, r8), 0);
    let av9 = textureLoad(at, vec2u(l / 4u, r9), 0);
    let av10 = textureLoad(at, vec2u(l / 4u, r10), 0);
    let av11 = textureLoad(at, vec2u(l / 4u, r11), 0);
    let av12 = textureLoad(at, vec2u(l / 4u, r12), 0);
    let av13 = textureLoad(at, vec2u(l / 4u, r13), 0);
    let av14 = textureLoad(at, vec2u(l / 4u, r14), 0);
    let av15 = textureLoad(at, vec2u(l / 4u, r15), 0);
    let av16 = textureLoad(at, vec2u(l / 4u, r16), 0);
    let av17 = textureLoad(at, vec2u(l / 4u, r17), 0);
    let av18 = textureLoad(at, vec2u(l / 4u, r18), 0);
    let av19 = textureLoad(at, vec2u(l / 4u, r19), 0);
    let av20 = textureLoad(at, vec2u(l / 4u, r20), 0);
    let av21 = textureLoad(at, vec2u(l / 4u, r21), 0);
    let av22 = textureLoad(at, vec2u(l / 4u, r22), 0);
    let av23 = textureLoad(at, vec2u(l / 4u, r23), 0);
    let av24 = textureLoad(at, vec2u(l / 4u, r24), 0);
    let av25 = textureLoad(at, vec2u(l / 4u, r25), 0);
    let av26 = textureLoad(at, vec2u(l / 4u, r26), 0);
    let av27 = textureLoad(at, vec2u(l / 4u, r27), 0);
    let av28 = textureLoad(at, vec2u(l / 4u, r28), 0);
    let av29 = textureLoad(at, vec2u(l / 4u, r29), 0);
    let av30 = textureLoad(at, vec2u(l / 4u, r30), 0);
    let av31 = textureLoad(at, vec2u(l / 4u, r31), 0);
    let b0_0 = textureLoad(bt, vec2u(x0, l + 0u), 0);
    let b0_1 = textureLoad(bt, vec2u(x1, l + 0u), 0);
    let b0_2 = textureLoad(bt, vec2u(x2, l + 0u), 0);
    let b0_3 = textureLoad(bt, vec2u(x3, l + 0u), 0);
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
    let b1_0 = textureLoad(bt, vec2u(x0, l + 1u), 0);
    let b1_1 = textureLoad(bt, vec2u(x1, l + 1u), 0);
    let b1_2 = textureLoad(bt, vec2u(x2, l + 1u), 0);
    let b1_3 = textureLoad(bt, vec2u(x3, l + 1u), 0);
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
    let b2_0 = textureLoad(bt, vec2u(x0, l + 2u), 0);
    let b2_1 = textureLoad(bt, vec2u(x1, l + 2u), 0);
    let b2_2 = textureLoad(bt, vec2u(x2, l + 2u), 0);
    let b2_3 = textureLoad(bt, vec2u(x3, l + 2u), 0);
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
    let b3_0 = textureLoad(bt, vec2u(x0, l + 3u), 0);
    let b3_1 = textureLoad(bt, vec2u(x1, l + 3u), 0);
    let b3_2 = textureLoad(bt, vec2u(x2, l + 3u), 0);
    let b3_3 = textureLoad(bt, vec2u(x3, l + 3u), 0);
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
