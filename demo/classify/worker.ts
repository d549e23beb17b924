// The classification playground's worker: owns the WebGPU device and the network; trains and evaluates on request.
import { init, type Runtime } from '../../src/index.js';
import { Classifier } from './trainer.js';
import type { FromWorker, ToWorker } from './protocol.js';

let rt: Runtime | null = null;
let net: Classifier | null = null;
let generation = 0;
let grid: Float32Array = new Float32Array(0);

async function handle(m: ToWorker): Promise<void> {
  rt ??= await init();
  if (m.type === 'configure') {
    if (m.generation < newest) return;
    net?.dispose();
    net = null;
    generation = m.generation;
    grid = m.grid;
    net = new Classifier(rt, m.settings, m.classes, { train: m.train, test: m.test });
  } else {
    if (!net) throw new Error('advance before configure');
    net.train(m.steps);
  }
  const evaluation = await net.evaluate(grid);
  const msg: FromWorker = { type: 'frame', generation, step: net.stepCount, evaluation };
  postMessage(msg);
}

// One message at a time, in order.
// A configure that a newer one has already overtaken in the queue is skipped (a slider dragged through many values).
let queue = Promise.resolve();
let newest = 0;
onmessage = (e: MessageEvent<ToWorker>) => {
  if (e.data.type === 'configure') newest = e.data.generation;
  queue = queue.then(() => handle(e.data)).catch((err: unknown) => {
    const msg: FromWorker = { type: 'error', message: err instanceof Error ? err.message : String(err) };
    postMessage(msg);
  });
};
