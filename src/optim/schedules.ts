import { ArgumentError } from '../errors.js';

/**
 * Learning-rate schedules: pure functions evaluated on the CPU before each optimizer step; the value goes
 * into the step's hyperparameter upload, so a schedule costs no pipeline or bind group.
 *
 * `step` counts the updates already made (0 for the first one), like a PyTorch scheduler's `last_epoch`
 * when `scheduler.step()` is called after every `optimizer.step()`; `baseLr` is the optimizer's `lr`
 * (PyTorch's `base_lr`).
 */
export type LrSchedule = (step: number, baseLr: number) => number;

/** The base learning rate throughout. */
export function constantLr(): LrSchedule {
  return (_step, baseLr) => baseLr;
}

/** The lecture's power decay η_t = η₀ / t^p for the t-th update (t = step + 1; lecture: 0.1 / t^0.3). */
export function powerDecay(power: number): LrSchedule {
  return (step, baseLr) => baseLr / (step + 1) ** power;
}

/** torch.optim.lr_scheduler.StepLR: η₀ · γ^⌊step / stepSize⌋. */
export function stepDecay(stepSize: number, gamma = 0.1): LrSchedule {
  if (!(Number.isInteger(stepSize) && stepSize > 0)) throw new ArgumentError('stepDecay', `stepSize must be a positive integer, got ${stepSize}`);
  return (step, baseLr) => baseLr * gamma ** Math.floor(step / stepSize);
}

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR in its closed form: η_min + (η₀ − η_min)(1 + cos(π·step/T_max))/2
 * (past T_max the cosine goes back up, as PyTorch's closed form does).
 */
export function cosineAnnealing(tMax: number, etaMin = 0): LrSchedule {
  if (!(tMax > 0)) throw new ArgumentError('cosineAnnealing', `tMax must be positive, got ${tMax}`);
  return (step, baseLr) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * step) / tMax))) / 2;
}

/**
 * Linear warm-up over `steps` updates in front of any schedule: the inner value times a factor going from
 * `startFactor` to 1 (torch's LinearLR chained with the inner scheduler; start_factor defaults to 1/3 there too).
 */
export function warmup(steps: number, inner: LrSchedule = constantLr(), startFactor = 1 / 3): LrSchedule {
  if (!(Number.isInteger(steps) && steps > 0)) throw new ArgumentError('warmup', `steps must be a positive integer, got ${steps}`);
  return (step, baseLr) => inner(step, baseLr) * (startFactor + ((1 - startFactor) * Math.min(step, steps)) / steps);
}
