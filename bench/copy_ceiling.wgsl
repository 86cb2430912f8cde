// The bandwidth ceiling of a WGSL kernel on this adapter: each invocation copies one vec4f
// (16 bytes read, 16 written), the access pattern of the elementwise kernels (AdamW, the
// log-softmax passes) at its simplest. Bytes per launch: 32 · n.

struct Params {
  n: u32,
  row_stride: u32,
}

override WG: u32 = 64;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * p.row_stride;
  if (i < p.n) {
    dst[i] = src[i];
  }
}
