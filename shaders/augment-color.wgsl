// Colour jitter of an image batch [N, C, H, W], one workgroup per sample (whose factor is drawn once from
// Philox4x32-10(counter (n, step, stage, TAG), key seed): f = lo + (hi − lo) · (bits.x >> 8) / 2²⁴).
//   BRIGHTNESS: y = f · x                                 (torchvision adjust_brightness)
//   CONTRAST:   y = f · x + (1 − f) · m, m the sample's mean grey level: the plain mean for C ≠ 3, the
//               mean of 0.299 R + 0.587 G + 0.114 B for C = 3   (torchvision adjust_contrast)
// then clamped to [clamp_lo, clamp_hi] when CLAMP (torchvision clamps float images to [0, 1]).
struct Params { n: u32, c: u32, plane: u32, stage: u32, lo: f32, hi: f32, clamp_lo: f32, clamp_hi: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read> rng: array<u32>;

const BRIGHTNESS = 0u;
const CONTRAST = 1u;
const MODE = 0u;
const CLAMP = false;
const TAG = 0x41554730u;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = linear_workgroup_id(wid, nwg);
  if (n >= p.n) { return; }
  let bits = philox4x32_10(vec4u(n, rng[2], p.stage, TAG), vec2u(rng[0], rng[1]));
  let f = p.lo + (p.hi - p.lo) * (f32(bits.x >> 8u) / 16777216.0);
  let size = p.c * p.plane;
  let base = n * size;
  var shift = 0.0;
  if (MODE == CONTRAST) {
    var s = 0.0;
    for (var k = lid; k < p.plane; k += 256u) {
      if (p.c == 3u) {
        s += 0.299 * x[base + k] + 0.587 * x[base + p.plane + k] + 0.114 * x[base + 2u * p.plane + k];
      } else {
        for (var ch = 0u; ch < p.c; ch++) { s += x[base + ch * p.plane + k]; }
      }
    }
    partial[lid] = s;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride /= 2u) {
      if (lid < stride) { partial[lid] += partial[lid + stride]; }
      workgroupBarrier();
    }
    let count = select(f32(size), f32(p.plane), p.c == 3u);
    shift = (1.0 - f) * partial[0] / count;
  }
  for (var k = lid; k < size; k += 256u) {
    var v = f * x[base + k] + shift;
    if (CLAMP) { v = clamp(v, p.clamp_lo, p.clamp_hi); }
    out[base + k] = v;
  }
}
