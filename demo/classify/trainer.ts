// The classification playground's network on the GPU: an MLP built from the page's settings, trained by one
// compiled step per mini-batch (forward, cross-entropy + L2, backward, fused optimizer update), and evaluated by a
// second compiled step in eval mode that returns the class probabilities over a grid of the plane (the decision
// boundary), every hidden unit's output over that grid, and the train/test loss and logits.
import {
  AdaGrad, Adam, AdamW, BatchNorm1d, compile, constantLr, cosineAnnealing, crossEntropy, Dropout, ELU, l2Penalty, LeakyReLU,
  Linear, Module, powerDecay, ReLU, RMSProp, SeededRandom, Sequential, SGD, Sigmoid, softmax, stepDecay, Tanh, warmup, add,
  seed as seedGpu, type CompiledStep, type LrSchedule, type Optimizer, type Runtime, type Tensor,
} from '../../src/index.js';
import type { Points } from './datasets.js';
import { checkSettings, SCHEDULE_STEPS, type ActivationId, type Evaluation, type NetworkSettings, type ScheduleId } from './settings.js';

export function makeSchedule(id: ScheduleId): LrSchedule {
  switch (id) {
    case 'constant': return constantLr();
    case 'power': return powerDecay(0.3);
    case 'step': return stepDecay(SCHEDULE_STEPS / 4, 0.5);
    case 'cosine': return cosineAnnealing(SCHEDULE_STEPS);
    case 'warmup': return warmup(100, cosineAnnealing(SCHEDULE_STEPS));
  }
}

function makeOptimizer(s: NetworkSettings, params: Tensor[]): Optimizer {
  const o = { schedule: makeSchedule(s.schedule) };
  switch (s.optimizer) {
    case 'sgd': return new SGD(params, { lr: s.lr, ...o });
    case 'momentum': return new SGD(params, { lr: s.lr, momentum: 0.9, ...o });
    case 'nesterov': return new SGD(params, { lr: s.lr, momentum: 0.9, nesterov: true, ...o });
    case 'adagrad': return new AdaGrad(params, { lr: s.lr, ...o });
    case 'rmsprop': return new RMSProp(params, { lr: s.lr, alpha: 0.99, ...o });
    case 'adam': return new Adam(params, { lr: s.lr, ...o });
    case 'adamw': return new AdamW(params, { lr: s.lr, ...o });
  }
}

function activation(id: ActivationId): Module {
  switch (id) {
    case 'relu': return new ReLU();
    case 'tanh': return new Tanh();
    case 'sigmoid': return new Sigmoid();
    case 'leakyrelu': return new LeakyReLU(0.1);
    case 'elu': return new ELU();
  }
}

export class Classifier {
  readonly model: Sequential;
  readonly blocks: Sequential[];
  readonly head: Linear;
  readonly dropouts: (Dropout | null)[];
  readonly optimizer: Optimizer;
  private readonly trainStep: CompiledStep<Tensor>;
  private readonly evalStep: CompiledStep<Tensor[]>;
  private readonly batchOrder: SeededRandom;
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;
  private readonly bx: Float32Array;
  private readonly by: Int32Array;
  private steps = 0;

  constructor(
    readonly rt: Runtime,
    readonly settings: NetworkSettings,
    readonly classes: number,
    readonly data: { train: Points; test: Points },
  ) {
    const s = settings;
    checkSettings(s, classes, data.train.labels.length);
    seedGpu(s.seed, rt);
    const opts = { init: s.init, runtime: rt };
    this.blocks = [];
    this.dropouts = [];
    const layers: Module[] = [];
    let inFeatures = 2;
    for (let i = 0; i < s.depth; i++) {
      const block = new Sequential(new Linear(inFeatures, s.width, opts), ...(s.batchNorm ? [new BatchNorm1d(s.width, { runtime: rt })] : []), activation(s.activation));
      this.blocks.push(block);
      layers.push(block);
      const drop = s.dropout > 0 ? new Dropout(s.dropout, { seed: s.seed * 16 + i }) : null;
      this.dropouts.push(drop);
      if (drop) layers.push(drop);
      inFeatures = s.width;
    }
    this.head = new Linear(inFeatures, classes, opts);
    this.model = new Sequential(...layers, this.head);
    this.optimizer = makeOptimizer(s, this.model.parameters());
    const weights = this.model.namedParameters().filter(([name]) => name.endsWith('weight') && !this.isBatchNormParam(name)).map(([, p]) => p);
    const nTrain = data.train.labels.length;
    const batch = Math.min(s.batch, nTrain);
    this.bx = new Float32Array(2 * batch);
    this.by = new Int32Array(batch);
    this.batchOrder = new SeededRandom(s.seed, 2);
    this.trainStep = compile((x: Tensor, y: Tensor) => {
      this.optimizer.zeroGrad();
      const data = crossEntropy(this.forward(x).logits, y);
      const loss = s.l2 > 0 ? add(data, l2Penalty(weights, s.l2)) : data;
      loss.backward();
      this.optimizer.step();
      return data;
    }, { name: 'classify train step', runtime: rt, inputShapes: [[2], []] });
    this.evalStep = compile((grid: Tensor, trainX: Tensor, trainY: Tensor, testX: Tensor, testY: Tensor) => {
      const g = this.forward(grid);
      const train = this.forward(trainX).logits;
      const out = [softmax(g.logits), ...g.hidden, crossEntropy(train, trainY), train];
      if (testY.size > 0) {
        const test = this.forward(testX).logits;
        out.push(crossEntropy(test, testY), test);
      }
      return out;
    }, { name: 'classify evaluation', runtime: rt, inputShapes: [[2], [2], [], [2], []] });
  }

  /** Training steps taken. */
  get stepCount(): number {
    return this.steps;
  }

  /** One mini-batch step (shuffled batches without replacement, reshuffled each epoch). Returns the batch loss tensor. */
  trainOnce(): Tensor {
    const { xy, labels } = this.data.train;
    const n = labels.length, b = this.by.length;
    for (let i = 0; i < b; i++) {
      if (this.cursor >= this.order.length) {
        this.order = this.batchOrder.permutation(n);
        this.cursor = 0;
      }
      const j = this.order[this.cursor++]!;
      this.bx[2 * i] = xy[2 * j]!;
      this.bx[2 * i + 1] = xy[2 * j + 1]!;
      this.by[i] = labels[j]!;
    }
    this.model.train();
    const loss = this.trainStep(this.bx, this.by);
    this.steps++;
    return loss;
  }

  /** `steps` training steps; the losses are not read (no GPU sync). */
  train(steps: number): void {
    for (let i = 0; i < steps; i++) this.trainOnce().dispose();
  }

  /**
   * The evaluation step's outputs (fresh tensors the caller disposes): probabilities over `grid`, each hidden layer
   * over it, then train loss and logits, then (with test points) test loss and logits.
   */
  evaluationTensors(grid: Float32Array): Tensor[] {
    const { train, test } = this.data;
    this.model.eval();
    const outs = this.evalStep(grid, train.xy, train.labels, test.xy, test.labels);
    this.model.train();
    return outs;
  }

  /** Probabilities and hidden outputs over `grid` (x0, y0, x1, …), losses and accuracies, in eval mode. */
  async evaluate(grid: Float32Array): Promise<Evaluation> {
    const { train, test } = this.data;
    const outs = this.evaluationTensors(grid);
    const values = await Promise.all(outs.map((t) => t.toArray()));
    outs.forEach((t) => t.dispose());
    const d = this.blocks.length;
    const accuracy = (logits: Float32Array, labels: Int32Array) => {
      let right = 0;
      for (let i = 0; i < labels.length; i++) {
        let best = 0;
        for (let c = 1; c < this.classes; c++) if (logits[i * this.classes + c]! > logits[i * this.classes + best]!) best = c;
        if (best === labels[i]) right++;
      }
      return labels.length ? right / labels.length : NaN;
    };
    const hasTest = test.labels.length > 0;
    return {
      probs: values[0] as Float32Array,
      hidden: values.slice(1, 1 + d) as Float32Array[],
      trainLoss: values[1 + d]![0]!,
      trainAccuracy: accuracy(values[2 + d] as Float32Array, train.labels),
      testLoss: hasTest ? values[3 + d]![0]! : NaN,
      testAccuracy: hasTest ? accuracy(values[4 + d] as Float32Array, test.labels) : NaN,
    };
  }

  dispose(): void {
    this.trainStep.dispose();
    this.evalStep.dispose();
    this.optimizer.disposeWithModel(this.model);
  }

  /** Logits, and each hidden layer's output (after its activation, before dropout). */
  private forward(x: Tensor): { logits: Tensor; hidden: Tensor[] } {
    const hidden: Tensor[] = [];
    let h = x;
    this.blocks.forEach((block, i) => {
      h = block.forward(h);
      hidden.push(h);
      const drop = this.dropouts[i];
      if (drop && drop.training) h = drop.forward(h);
    });
    return { logits: this.head.forward(h), hidden };
  }

  private isBatchNormParam(name: string): boolean {
    // Block children: '0' Linear, '1' BatchNorm1d when batch norm is on.
    return this.settings.batchNorm && /^\d+\.1\.weight$/.test(name);
  }
}
