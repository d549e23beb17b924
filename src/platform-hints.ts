// What to try when init() finds no WebGPU, by platform: the fix in Node (dawn.node, Vulkan drivers) has
// nothing in common with the fix in a browser (flags, secure contexts).

export type Platform = 'node' | 'browser';

/** SwiftShader's Vulkan ICD as Debian's chromium package installs it. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface ProcessLike {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  platform?: string;
}

function nodeProcess(): ProcessLike | undefined {
  const p = (globalThis as { process?: ProcessLike }).process;
  return p?.versions?.node !== undefined ? p : undefined;
}

/** 'node' under Node (and Deno/Bun's Node layer) outside a page, else 'browser'. */
export function currentPlatform(): Platform {
  return nodeProcess() && typeof (globalThis as { document?: unknown }).document === 'undefined' ? 'node' : 'browser';
}

/** Hint when there is no GPU object at all (no navigator.gpu and none passed). */
export function noWebGPUHint(platform: Platform): string {
  if (platform === 'node') {
    return 'Node has no navigator.gpu: install the `webgpu` package (dawn.node) and pass its GPU object: '
      + "import { create } from 'webgpu'; await init({ gpu: create([]) })";
  }
  return 'This browser exposes no navigator.gpu: use a WebGPU-capable browser (Chrome/Edge 113+, Safari 26+, Firefox 141+ on Windows) '
    + 'on a secure context (https:// or http://localhost); on Linux, Chromium needs --enable-unsafe-webgpu';
}

/** Hint when `requestAdapter()` resolved to null. */
export function noAdapterHint(platform: Platform, env: Record<string, string | undefined> = nodeProcess()?.env ?? {}, os = nodeProcess()?.platform): string {
  if (platform === 'browser') {
    return 'The browser has WebGPU but found no usable adapter: check chrome://gpu (or about:support) for a blocklisted GPU or driver; '
      + 'headless Chromium and machines without a GPU need --enable-unsafe-webgpu (it then runs on SwiftShader, on the CPU), '
      + 'and on Linux --enable-features=Vulkan may help';
  }
  const icd = env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
  if (os !== undefined && os !== 'linux') {
    return `dawn.node found no GPU adapter on ${os}: check the GPU driver (Metal on macOS, D3D12 on Windows), or pass create(['backend=null']) for a device that validates commands and runs none`;
  }
  const swiftshader = icd
    ? `VK_ICD_FILENAMES/VK_DRIVER_FILES is set to ${icd}: check that this file exists and names a driver that loads (e.g. ${SWIFTSHADER_ICD}, SwiftShader from Debian's chromium package)`
    : `Without a GPU driver, run on the CPU through SwiftShader: VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (apt-get install -y chromium ships it)`;
  return `dawn.node found no Vulkan adapter. ${swiftshader}; with a GPU, install its Vulkan driver (vulkaninfo --summary lists what the loader sees; Mesa's lavapipe is not accepted by Dawn); `
    + "or pass create(['backend=null']) for a device that validates commands and runs none";
}
