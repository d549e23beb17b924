import { runBackward } from '../autograd.js';
import { ArgumentError, ShapeError } from '../errors.js';
import * as E from '../ops/elementwise.js';
import { sameShape } from '../shape.js';
import { setBackwardImpl, type Tensor } from '../tensor.js';
import { unitSeed } from './util.js';

/** loss.backward(): reverse-mode autodiff from a scalar (or with an explicit upstream gradient). */
export function backward(root: Tensor, grad?: Tensor): void {
  if (!grad && root.size !== 1) throw new ArgumentError('backward', `the gradient can be implied only for a one-element output; got shape [${root.shape.join(', ')}] (pass grad)`);
  if (grad && !sameShape(grad.shape, root.shape)) throw new ShapeError('backward', [root.shape, grad.shape], 'grad must have the output\'s shape');
  // The engine consumes its seed: hand it a view so the caller's tensor stays alive.
  const seed = grad ? grad.reshape(grad.shape) : unitSeed(root.shape, root);
  runBackward(root, seed, (a, b) => E.add(a, b));
}

setBackwardImpl(backward);
