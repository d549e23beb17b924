/**
 * A minimal end-to-end WebGPU check shared by the browser and dawn smoke tests:
 * a compute shader writes out[i] = in[i] * 2 + i into a storage buffer, which is read back.
 */
export const SMOKE_SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&dst)) { return; }
  dst[i] = src[i] * 2.0 + f32(i);
}
`;

export function smokeExpected(input: Float32Array): Float32Array {
  return input.map((v, i) => v * 2 + i);
}

/** Runs SMOKE_SHADER on `input` and returns the output read back from the GPU. */
export async function runSmokeCompute(device: GPUDevice, input: Float32Array): Promise<Float32Array> {
  const bytes = input.byteLength;
  const src = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const dst = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(src, 0, input);

  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: SMOKE_SHADER });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: src } },
      { binding: 1, resource: { buffer: dst } },
    ],
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.ceil(input.length / 64));
  pass.end();
  encoder.copyBufferToBuffer(dst, 0, read, 0, bytes);
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error) throw new Error(`WebGPU validation error: ${error.message}`);

  await read.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  src.destroy();
  dst.destroy();
  read.destroy();
  return out;
}

/** 1000 values (not a multiple of the workgroup size, so the bounds check is exercised). */
export function smokeInput(n = 1000): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i % 17) - 8.5);
}
