// Max pooling of [planes = N·C, H, W] with −∞ padding, a thread per output element. Also writes the argmax as
// a flat index into the input plane (ih·W + iw, PyTorch's return_indices) for the backward.
// PyTorch's rule padding ≤ kernel/2 guarantees every window holds an input element, so the scan starts
// from the window's first in-image element. Ties keep the first element (row-major); a NaN wins.
struct Params { planes: u32, h: u32, w: u32, oh: u32, ow: u32, kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> indices: array<i32>;
@group(0) @binding(3) var<uniform> p: Params;

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
  var arg = h0 * p.w + w0;
  var best = x[base + arg];
  for (var ih = h0; ih < h1; ih++) {
    for (var iw = w0; iw < w1; iw++) {
      let v = x[base + ih * p.w + iw];
      if (v > best || is_nan(v)) {
        best = v;
        arg = ih * p.w + iw;
      }
    }
  }
  y[o] = best;
  indices[o] = i32(arg);
}
