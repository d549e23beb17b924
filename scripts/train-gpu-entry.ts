// `npm run train` for a machine with Node and a GPU but no npm (the lent H100, see bench/README.md): the
// same flags and report, training in this process on dawn.node's default adapter. Built into one file by
// `npm run train:gpu:bundle` (bench/dist/train-gpu.mjs, only `webgpu` external); `--node` is implied.
//   node train-gpu.mjs --full --epochs 15 --data fashion-mnist/ --out runs/lenet5
import { create, globals } from 'webgpu';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReportAssets, runTraining } from './train-main.js';
import { trainSession } from './train-session.js';

// The library reads GPUBufferUsage & co. as globals, as in a browser.
Object.assign(globalThis, globals);
// Module scope keeps the GPU object alive until exit: dawn tears the device down when it is collected.
const gpu = create([]) as GPU;

process.exit(await runTraining(process.argv.slice(2), {
  root: process.cwd(),
  command: 'node train-gpu.mjs',
  // report-page.js beside this bundle (npm run train:gpu:bundle writes both).
  reportAssets: readReportAssets(path.dirname(fileURLToPath(import.meta.url))),
  runner: {
    describe: () => `Node ${process.version} + dawn.node, in-process`,
    run: async (_cli, request, io) => ({
      ...(await trainSession(gpu, { dir: request.dataDir }, request, io.onMessage)),
      platform: `Node ${process.version} + dawn.node`,
    }),
  },
}));
