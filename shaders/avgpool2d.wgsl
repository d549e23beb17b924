// Average pooling of [planes = N·C, H, W], a thread per output element. The divisor is k_h·k_w with
// COUNT_INCLUDE_PAD (PyTorch's default; with floor-mode output sizes no window reaches past the padding, so
// this is PyTorch's pool_size) or the number of in-image elements of the window.
struct Params { planes: u32, h: u32, w: u32, oh: u32, ow: u32, kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

const COUNT_INCLUDE_PAD = true;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (o >= p.planes * p.oh * p.ow) { return; }
  let ow = o % p.ow;
  let oh = (o / p.ow) % p.oh;
  let plane = o / (p.ow * p.oh);
  // Window bounds in padded coordinates (+ph, +pw), so they stay unsigned; clipped to the image.
  let h0 = max(oh * p.sh, p.ph) - p.ph;
  let h1 = min(oh * p.sh + p.kh, p.h + p.ph) - p.ph;
  let w0 = max(ow * p.sw, p.pw) - p.pw;
  let w1 = min(ow * p.sw + p.kw, p.w + p.pw) - p.pw;
  let base = plane * p.h * p.w;
  var s = 0.0;
  for (var ih = h0; ih < h1; ih++) {
    for (var iw = w0; iw < w1; iw++) { s += x[base + ih * p.w + iw]; }
  }
  let count = select((h1 - h0) * (w1 - w0), p.kh * p.kw, COUNT_INCLUDE_PAD);
  y[o] = s / f32(count);
}
