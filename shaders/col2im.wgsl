// Input gradient of a 2-D convolution from its column gradient, as a gather (no atomics): each element of
// dx [N, C, H, W] sums the entries of dcols [n, ci·kh·kw + i·kw + j, oy·out_w + ox] of every output
// position whose window covers it, i.e. y = oy·sh − ph + i·dh (likewise x). Taps are visited in a fixed
// order (i, then j), so a sample's result does not depend on how the batch was split into chunks.
// dcols holds the chunk's samples from n0 on; dx is the whole tensor.

struct Params {
  channels: u32, height: u32, width: u32, n0: u32,
  out_h: u32, out_w: u32, kh: u32, kw: u32,
  sh: i32, sw: i32, ph: i32, pw: i32,
  dh: i32, dw: i32, count: u32, _pad0: u32,  // count: elements of dx in this chunk
}

@group(0) @binding(0) var<storage, read> dcols: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (t >= p.count) { return; }
  let xx = i32(t % p.width);
  let y = i32(t / p.width % p.height);
  let plane = t / (p.width * p.height);  // n·C + ci
  let hw = p.out_h * p.out_w;
  var acc = 0.0;
  for (var i = 0; i < i32(p.kh); i++) {
    let ay = y + p.ph - i * p.dh;  // oy·sh
    if (ay < 0 || ay % p.sh != 0 || ay / p.sh >= i32(p.out_h)) { continue; }
    for (var j = 0; j < i32(p.kw); j++) {
      let ax = xx + p.pw - j * p.dw;
      if (ax < 0 || ax % p.sw != 0 || ax / p.sw >= i32(p.out_w)) { continue; }
      let row = plane * p.kh * p.kw + u32(i) * p.kw + u32(j);
      acc += dcols[row * hw + u32(ay / p.sh) * p.out_w + u32(ax / p.sw)];
    }
  }
  dx[p.n0 * p.channels * p.height * p.width + t] = acc;
}
