import { ArgumentError } from './errors.js';
import { keep, Tensor } from './tensor.js';

/** One recorded op on the tape: how to turn the output's gradient into its inputs' gradients. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Gradients for each input, in order; null where an input needs none. */
  backward(grad: Tensor): readonly (Tensor | null)[];
}

let gradDepth = 0;

/** Leaf gradients backward() made (not tensors a user assigned to `.grad`): an optimizer may move them. */
const madeByBackward = new WeakSet<Tensor>();

export function isBackwardGrad(t: Tensor): boolean {
  return madeByBackward.has(t);
}

/** Runs `fn` without recording ops for autodiff (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  gradDepth++;
  try {
    return fn();
  } finally {
    gradDepth--;
  }
}

export function isGradEnabled(): boolean {
  return gradDepth === 0;
}

/** Whether an op on these inputs must be recorded. */
export function needsGrad(...inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (gradDepth !== 0) return false;
  for (const t of inputs) if (t?.requiresGrad) return true;
  return false;
}

/** Attaches a backward rule to `output` (call only when `needsGrad(...inputs)`). */
export function record(output: Tensor, op: string, inputs: readonly Tensor[], backward: (grad: Tensor) => readonly (Tensor | null)[]): Tensor {
  output.requiresGrad = true;
  output.gradFn = { op, inputs, backward };
  return output;
}

/** What a node's gradFn becomes once backward() has walked it (its rule, and what the rule saved, are dropped). */
const FREED: GradNode = { op: 'freed', inputs: [], backward: () => [] };

/** Reverse topological order of the nodes reachable from `root`. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const x = inputs[i]!;
      if (x.requiresGrad && !seen.has(x)) {
        seen.add(x);
        stack.push([x, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/**
 * Reverse-mode autodiff from `root` with upstream gradient `seed` (consumed). Gradients flowing into a
 * tensor used twice are summed; leaf tensors with `requiresGrad` accumulate into `.grad` (kept out of tidy
 * scopes), like PyTorch. The graph is freed as it is walked, so a second backward() through it throws.
 * `accumulate(a, b)` adds two gradients (injected to keep this module free of kernel imports).
 */
export function runBackward(root: Tensor, seed: Tensor, accumulate: (a: Tensor, b: Tensor) => Tensor): void {
  if (!root.requiresGrad) {
    seed.dispose();
    throw new ArgumentError('backward', 'the tensor does not require grad (no input of its graph has requiresGrad = true)');
  }
  const order = topoOrder(root);
  // A walked node has lost its rule: going on would treat it as a leaf and silently drop the gradients
  // of everything before it (PyTorch raises here too).
  if (order.some((t) => t.gradFn === FREED)) {
    seed.dispose();
    throw new ArgumentError('backward', 'the graph was already freed by an earlier backward(): recompute the forward pass');
  }
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const give = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    if (!prev) {
      grads.set(t, g);
      return;
    }
    grads.set(t, accumulate(prev, g));
    prev.dispose();
    g.dispose();
  };
  for (const t of order) {
    const g = grads.get(t);
    if (!g) continue;
    grads.delete(t);
    const node = t.gradFn;
    if (!node) {
      if (t.grad) {
        const total = accumulate(t.grad, g);
        t.grad.dispose();
        g.dispose();
        t.grad = keep(total);
      } else t.grad = keep(g);
      madeByBackward.add(t.grad);
      continue;
    }
    const inputGrads = node.backward(g);
    // A rule may hand back g itself, or one tensor for two inputs: give each holder its own view
    // (shared storage, no copy) so every gradient can be disposed independently.
    const handed = new Set<Tensor>([g]);
    node.inputs.forEach((x, i) => {
      let gi = inputGrads[i];
      if (!gi) return;
      if (gi.shape.length !== x.shape.length || gi.shape.some((d, k) => d !== x.shape[k])) {
        throw new ArgumentError('backward', `rule of ${node.op} returned a gradient of shape [${gi.shape.join(', ')}] for an input of shape [${x.shape.join(', ')}]`);
      }
      if (handed.has(gi)) gi = gi.reshape(gi.shape);
      else handed.add(gi);
      if (x.requiresGrad) give(x, gi);
      else gi.dispose();
    });
    g.dispose();
    t.gradFn = FREED;
  }
}
