import { create } from 'webgpu';
import { init, randn, sum } from 'wgsl-nn';

// dawn.node's GPU object: the machine's GPU through Vulkan/Metal/D3D12, or SwiftShader via VK_ICD_FILENAMES.
const rt = await init({ gpu: create([]) });
console.log(rt.adapter.description || rt.adapter.vendor);
const x = randn([1000], { seed: 1 });
console.log(await sum(x).item());                   // ≈ 0 ± 100 (a sum of 1000 standard normals)
rt.destroy();
