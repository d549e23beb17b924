// `npm run bench -- profile`: where a compiled training step spends its GPU time, kernel by kernel
// (wgsl-nn's step.profile(): timestamp queries). Node + dawn.node on the default adapter.
//   node bench/dist/profile-step.mjs [--model lenet5|mlp|vgg] [--batch N] [--repeats N] [--out DIR]
// The model is the benchmark's (VGG on 3×32×32), trained with SGD(momentum 0.9) on random data.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as wn from '../../src/index.js';
import { randomArray } from '../suite/data.js';
import { benchModel, compileTrainStep } from '../suite/ours.js';
import { ensureOutDir, machineInfo, outDir, setupDawn } from './common.js';

const SHAPES = { mlp: [784], lenet5: [1, 28, 28], vgg: [3, 32, 32] } as const;
type Model = keyof typeof SHAPES;

const { values } = parseArgs({
  options: { model: { type: 'string', default: 'lenet5' }, batch: { type: 'string', default: '64' }, repeats: { type: 'string', default: '5' }, out: { type: 'string' } },
});
const model = values.model as Model;
if (!Object.hasOwn(SHAPES, model)) throw new Error(`--model must be one of ${Object.keys(SHAPES).join(', ')}, got ${values.model}`);
const batch = Number(values.batch), repeats = Number(values.repeats);
if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`--batch must be a positive integer, got ${values.batch}`);

const rt = await wn.init({ gpu: setupDawn([]) });
wn.seed(0);
const net = benchModel(model, rt);
const opt = new wn.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
const step = compileTrainStep(net, opt, rt, SHAPES[model], `profile ${model}`);
const sample = SHAPES[model].reduce((a: number, b: number) => a * b, 1);
const x = randomArray(batch * sample, 1);
const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
const profile = await step.profile([x, y], { repeats });
const title = `${model} b${batch} training step on ${rt.adapter.description || rt.adapter.vendor} (${step.dispatches()} dispatches)`;
console.log(`${title}\n${wn.formatProfile(profile, 40)}`);
const dir = ensureOutDir(outDir(process.argv));
const timestamp = new Date().toISOString();
const file = path.join(dir, `profile-${model}-b${batch}-${timestamp.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ backend: 'profile', timestamp, title, machine: machineInfo({ adapter: rt.adapter }), profile }, null, 2)}\n`);
console.log(`wrote ${file}`);
process.exit(0);
