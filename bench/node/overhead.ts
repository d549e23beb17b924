// `npm run bench -- overhead`: JS + encoding cost per op of both libraries, on dawn.node's null backend
// (a device that validates commands but executes nothing, so GPU time is zero and wall time = CPU cost).
import { createOurs } from '../suite/ours.js';
import { parseFlags, suiteOptions } from '../suite/options.js';
import { formatSuite } from '../suite/report.js';
import { runSuite } from '../suite/suite.js';
import { createTfjs } from '../suite/tfjs.js';
import type { BenchReport } from '../suite/types.js';
import { machineInfo, outDir, setupDawn, writeReport } from './common.js';

const argv = process.argv.slice(2);
const flags = parseFlags(argv);
const gpu = setupDawn(['backend=null']);
const ours = await createOurs(gpu);
const tfjs = await createTfjs();
const opts = suiteOptions(flags, { cpuAdapter: true, nullDevice: true }, (s) => console.log(s));
console.log(`overhead: dawn.node backend=null, ${opts.repeats} repeats of ~${opts.targetMsPerRepeat} ms each`);
const suite = await runSuite([ours, tfjs], opts);
const report: BenchReport = {
  backend: 'overhead',
  timestamp: new Date().toISOString(),
  machine: machineInfo({ dawn: 'webgpu (dawn.node) with create(["backend=null"]): validates, executes nothing' }),
  argv,
  notes: [
    'Wall time per op on a null WebGPU device: the GPU work is free, so this is the JS + WebGPU-encoding (CPU) cost per op.',
    'Each step creates the op outputs and disposes them (wgsl-nn tidy / tf.tidy); each repeat ends with a sync (wgsl-nn: rt.sync(); TF.js: submit + queue.onSubmittedWorkDone()).',
  ],
  suite,
};
console.log(`\n${formatSuite(suite)}\n`);
console.log(`wrote ${writeReport(report, outDir(argv))}`);
process.exit(0);
