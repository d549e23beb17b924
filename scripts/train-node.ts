// `--node`: trains in a child Node process on dawn.node (the `webgpu` package) instead of in Chromium.
// A child rather than this process: the native addon holds a Vulkan instance until exit, and a crash in
// it must not take the report writer down with it.
import { fork, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ChildMessage } from './train-node-entry.js';
import type { RunnerIo, SessionRequest, SessionResult } from './train-session.js';

/** Vulkan ICD for dawn.node when no GPU driver is configured: SwiftShader from Debian's chromium package. */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export async function trainInNode(root: string, buildDir: string, request: SessionRequest, io: RunnerIo): Promise<SessionResult & { platform: string }> {
  io.status('bundling for Node…');
  // Bundled inside the repository so the external `webgpu` import resolves from its node_modules.
  const entry = path.join(buildDir, 'train-node-entry.mjs');
  const bundled = spawnSync(process.execPath, [path.join(root, 'scripts/bundle-node.mjs'), path.join(root, 'scripts/train-node-entry.ts'), entry], { stdio: 'inherit' });
  if (bundled.status !== 0) throw new Error(`bundling scripts/train-node-entry.ts failed (exit ${bundled.status ?? bundled.signal})`);

  const env = { ...process.env };
  if (!env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  // 'advanced' serialization carries the weights as a Uint8Array instead of a JSON object of numbers.
  io.status('starting dawn.node…');
  // Source maps make the child's stack traces name src/ files instead of lines of the bundle.
  const child = fork(entry, [JSON.stringify(request)], { env, execArgv: ['--enable-source-maps'], serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  for (const stream of [child.stdout!, child.stderr!]) {
    let pending = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) io.log(line);
    });
  }

  return new Promise((resolve, reject) => {
    let outcome: ChildMessage | undefined;
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'result' || m.type === 'error') outcome = m;
      else io.onMessage(m);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (outcome?.type === 'result') resolve({ ...outcome.result, platform: `Node ${process.version} + dawn.node` });
      else if (outcome?.type === 'error') reject(new Error(outcome.message));
      else reject(new Error(`the training process exited with ${code ?? signal} before reporting a result`));
    });
  });
}
