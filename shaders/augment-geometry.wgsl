// Geometric augmentation of an image batch [N, C, H, W] → [N, C, out_h, out_w], one thread per output
// element. Sample n's random numbers are Philox4x32-10(counter (n, step, stage, TAG), key seed): the same
// for every pixel of the sample, and src/reference/augment.ts derives the same geometry from them with
// integer arithmetic only, so GPU and CPU agree on every box exactly.
//   CROP:    zero padding `pad`, then a crop at (i, j) = (bits.x mod (H + 2·pad − out_h + 1), bits.y mod …)
//   RESIZED: a box (h', w') drawn from `table` (cumulative u32 weights over bits.x), at i = bits.y mod
//            (H − h' + 1), j = bits.z mod (W − w' + 1), resized to out_h × out_w bilinearly
//            (PyTorch's interpolate, align_corners=False, no antialiasing), source coordinates as exact fractions
//   FLIP:    mirrored left-right when bits.x < threshold (P = threshold / 2³²)
//   VIEW:    no randomness: the crop at (fixed_i, fixed_j) of the padded image, mirrored if fixed_flip,
//            written at out_offset (test-time augmentation stacks its views in one output)
struct Params {
  n: u32, c: u32, h: u32, w: u32,
  out_h: u32, out_w: u32, pad: u32, stage: u32,
  threshold: u32, fixed_i: u32, fixed_j: u32, fixed_flip: u32,
  out_offset: u32, table_len: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
// [seed_lo, seed_hi, step]: advanced by an upload per training call (also inside compiled steps).
@group(0) @binding(3) var<storage, read> rng: array<u32>;
// RESIZED: (h', w', cumulative weight) per candidate box; cumulative weights rise to 0xffffffff.
@group(0) @binding(4) var<storage, read> table: array<u32>;

const CROP = 0u;
const RESIZED = 1u;
const FLIP = 2u;
const VIEW = 3u;
const MODE = 0u;
// Fourth counter word: augmentation never reuses the numbers of rand() or dropout from the same seed.
const TAG = 0x41554730u;

fn at(n: u32, ch: u32, y: u32, xx: u32) -> f32 {
  return x[((n * p.c + ch) * p.h + y) * p.w + xx];
}

// Bilinear sample of the box (i, j, bh, bw) at output (oy, ox): source row (2·oy + 1)·bh / (2·out_h) − ½,
// clamped at 0, split into an integer row and a fraction with integer arithmetic.
fn resized(n: u32, ch: u32, oy: u32, ox: u32, i: u32, j: u32, bh: u32, bw: u32) -> f32 {
  let ny = max(i32((2u * oy + 1u) * bh) - i32(p.out_h), 0);
  let nx = max(i32((2u * ox + 1u) * bw) - i32(p.out_w), 0);
  let dy = 2u * p.out_h;
  let dx = 2u * p.out_w;
  let y0 = u32(ny) / dy;
  let x0 = u32(nx) / dx;
  let ly = f32(u32(ny) % dy) / f32(dy);
  let lx = f32(u32(nx) % dx) / f32(dx);
  let y1 = min(y0 + 1u, bh - 1u);
  let x1 = min(x0 + 1u, bw - 1u);
  let top = (1.0 - lx) * at(n, ch, i + y0, j + x0) + lx * at(n, ch, i + y0, j + x1);
  let bottom = (1.0 - lx) * at(n, ch, i + y1, j + x0) + lx * at(n, ch, i + y1, j + x1);
  return (1.0 - ly) * top + ly * bottom;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = linear_workgroup_id(wid, nwg) * 256u + lid;
  let plane = p.out_h * p.out_w;
  if (e >= p.n * p.c * plane) { return; }
  let ox = e % p.out_w;
  let oy = (e / p.out_w) % p.out_h;
  let ch = (e / plane) % p.c;
  let n = e / (plane * p.c);
  var bits = vec4u(0u);
  if (MODE != VIEW) {
    bits = philox4x32_10(vec4u(n, rng[2], p.stage, TAG), vec2u(rng[0], rng[1]));
  }
  var v = 0.0;
  if (MODE == CROP || MODE == VIEW) {
    var i = p.fixed_i;
    var j = p.fixed_j;
    var sx = ox;
    if (MODE == CROP) {
      i = bits.x % (p.h + 2u * p.pad - p.out_h + 1u);
      j = bits.y % (p.w + 2u * p.pad - p.out_w + 1u);
    } else if (p.fixed_flip != 0u) {
      sx = p.out_w - 1u - ox;
    }
    // Row and column in the unpadded image (may fall in the zero padding).
    let y = i32(i + oy) - i32(p.pad);
    let xx = i32(j + sx) - i32(p.pad);
    if (y >= 0 && y < i32(p.h) && xx >= 0 && xx < i32(p.w)) { v = at(n, ch, u32(y), u32(xx)); }
  } else if (MODE == RESIZED) {
    // First candidate whose cumulative weight exceeds bits.x (the last one when none does).
    var lo = 0u;
    var hi = p.table_len - 1u;
    while (lo < hi) {
      let mid = (lo + hi) / 2u;
      if (bits.x < table[3u * mid + 2u]) { hi = mid; } else { lo = mid + 1u; }
    }
    let bh = table[3u * lo];
    let bw = table[3u * lo + 1u];
    let i = bits.y % (p.h - bh + 1u);
    let j = bits.z % (p.w - bw + 1u);
    v = resized(n, ch, oy, ox, i, j, bh, bw);
  } else {
    var sx = ox;
    if (bits.x < p.threshold) { sx = p.w - 1u - ox; }
    v = at(n, ch, oy, sx);
  }
  out[p.out_offset + e] = v;
}
