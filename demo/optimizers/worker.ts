// The optimizer playground's worker: owns the WebGPU device and the Race; the page only draws.
import { init, type Runtime } from '../../src/index.js';
import { parseExpression } from './expression.js';
import { Race } from './race.js';
import type { FromWorker, ToWorker } from './protocol.js';

let rt: Runtime | null = null;
let race: Race | null = null;
let generation = 0;
const post = (m: FromWorker) => postMessage(m);

async function handle(m: ToWorker): Promise<void> {
  rt ??= await init();
  if (m.type === 'configure') {
    if (m.generation < newest) return;
    race?.dispose();
    race = null;
    generation = m.generation;
    race = new Race({ surface: parseExpression(m.expression), start: m.start, racers: m.racers, noise: m.noise, seed: m.seed, rt });
    post({ type: 'ready' });
    return;
  }
  if (!race) throw new Error('advance before configure');
  const first = race.stepCount;
  const outs = Array.from({ length: m.steps }, () => race!.advance());
  const rows = (await Promise.all(outs.map((t) => t.toArray()))) as Float32Array[];
  outs.forEach((t) => t.dispose());
  post({ type: 'positions', generation, first, rows });
}

// One message at a time, in order: a configure must not overtake the advance before it.
// A configure that a newer one has already overtaken in the queue is skipped (a slider dragged through many values).
let queue = Promise.resolve();
let newest = 0;
onmessage = (e: MessageEvent<ToWorker>) => {
  if (e.data.type === 'configure') newest = e.data.generation;
  queue = queue.then(() => handle(e.data)).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};
