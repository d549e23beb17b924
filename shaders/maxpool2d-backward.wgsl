// Max pooling backward as a gather, a thread per input element: dx[ih, iw] sums dy over the output windows
// that contain (ih, iw) and whose argmax it is. No thread writes another's element, so no float atomics;
// windows are visited in output order, the order in which a sequential scatter would add them.
// With GATE, dx is multiplied by (gate > 0), gate of x's shape: the backward of a ReLU whose output (the
// gate) this pool read, fused in.
struct Params { planes: u32, h: u32, w: u32, oh: u32, ow: u32, kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32 }

const GATE = false;

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read> gate: array<f32>;  // unread without GATE
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

// Outputs [lo, hi) along one axis whose window [o·s − pad, o·s − pad + k) contains input i.
fn windows(i: u32, k: u32, s: u32, pad: u32, n_out: u32) -> vec2u {
  let a = i + pad + 1u;  // o·s ≥ i + pad − k + 1  ⇔  o ≥ ceil((a − k)/s)
  let lo = select(0u, (a - k + s - 1u) / s, a > k);
  return vec2u(lo, min((i + pad) / s + 1u, n_out));
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
  let me = i32(ih * p.w + iw);
  var acc = 0.0;
  if (GATE && !(gate[e] > 0.0)) {
    dx[e] = 0.0;
    return;
  }
  for (var oh = rows.x; oh < rows.y; oh++) {
    for (var ow = cols.x; ow < cols.y; ow++) {
      let o = (plane * p.oh + oh) * p.ow + ow;
      if (indices[o] == me) { acc += dy[o]; }
    }
  }
  dx[e] = acc;
}
