// `npm run bench -- gpu`: the suite in one Node file (bench/dist/gpu-bench.mjs, TF.js inside, `webgpu`
// external) for a machine with a real GPU and Node + dawn.node but no npm. Also runs here on SwiftShader.
//   node bench/dist/gpu-bench.mjs [--quick] [--full] [--sizes 256,1024] [--out DIR] [--no-overhead]
import { createOurs } from '../suite/ours.js';
import { isCpuAdapter, parseFlags, suiteOptions } from '../suite/options.js';
import { formatSuite } from '../suite/report.js';
import { runSuite } from '../suite/suite.js';
import { createTfjs } from '../suite/tfjs.js';
import type { BenchReport } from '../suite/types.js';
import { machineInfo, outDir, setupDawn, writeReport } from './common.js';

const argv = process.argv.slice(2);
const flags = parseFlags(argv);
const gpu = setupDawn([]);
const ours = await createOurs(gpu);
const tfjs = await createTfjs();
const adapter = (ours.info() as { adapter: { vendor: string; architecture: string; device: string; description: string } }).adapter;
const cpuAdapter = isCpuAdapter(adapter);
const opts = suiteOptions(flags, { cpuAdapter, nullDevice: false }, (s) => console.log(s));
console.log(`gpu: adapter ${JSON.stringify(adapter)}${cpuAdapter ? ' (CPU adapter: sizes capped unless --full)' : ''}; sizes ${opts.matmulSizes.join(', ')}`);
const suite = await runSuite([ours, tfjs], opts);
const report: BenchReport = {
  backend: 'gpu',
  timestamp: new Date().toISOString(),
  machine: machineInfo({ adapter }),
  argv,
  notes: [
    'Node + dawn.node on the machine\'s default adapter. Wall time per op, GPU-synced (wgsl-nn: rt.sync(); TF.js: submit + queue.onSubmittedWorkDone()) and amortized over a calibrated number of ops per repeat.',
  ],
  suite,
};
console.log(`\n${formatSuite(suite)}\n`);
const file = writeReport(report, outDir(argv));
console.log(`wrote ${file}`);
process.exit(0);
