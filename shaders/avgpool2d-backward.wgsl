// Average pooling backward as a gather, a thread per input element: dx[ih, iw] = Σ dy[o]/divisor(o) over the
// output windows o containing (ih, iw), with the forward's divisor (see shaders/avgpool2d.wgsl).
struct Params { planes: u32, h: u32, w: u32, oh: u32, ow: u32, kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32 }

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

const COUNT_INCLUDE_PAD = true;

// Outputs [lo, hi) along one axis whose window [o·s − pad, o·s − pad + k) contains input i.
fn windows(i: u32, k: u32, s: u32, pad: u32, n_out: u32) -> vec2u {
  let a = i + pad + 1u;  // o·s ≥ i + pad − k + 1  ⇔  o ≥ ceil((a − k)/s)
  let lo = select(0u, (a - k + s - 1u) / s, a > k);
  return vec2u(lo, min((i + pad) / s + 1u, n_out));
}

// In-image length of window o along one axis of size n.
fn extent(o: u32, k: u32, s: u32, pad: u32, n: u32) -> u32 {
  return min(o * s + k, n + pad) - max(o * s, pad);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (e >= p.planes * p.h * p.w) { return; }
  let iw = e % p.w;
  let ih = (e / p.w) % p.h;
  let plane = e / (p.w * p.h);
  let rows = windows(ih, p.kh, p.sh, p.ph, p.oh);
  let cols = windows(iw, p.kw, p.sw, p.pw, p.ow);
  var acc = 0.0;
  for (var oh = rows.x; oh < rows.y; oh++) {
    for (var ow = cols.x; ow < cols.y; ow++) {
      let count = select(extent(oh, p.kh, p.sh, p.ph, p.h) * extent(ow, p.kw, p.sw, p.pw, p.w), p.kh * p.kw, COUNT_INCLUDE_PAD);
      acc += dy[(plane * p.oh + oh) * p.ow + ow] / f32(count);
    }
  }
  dx[e] = acc;
}
