// The surfaces of the optimizer playground: each an expression (the same parser as the user's own), the part of
// the plane the contour map shows, whether its contours need a log scale, and the learning rates that show its
// lesson (a rate stable on Rosenbrock's walls barely moves on the saddle).
import type { RacerId, RacerSettings } from './racers.js';
import { racer } from './racers.js';
export const SURFACE_IDS = ['rosenbrock', 'saddle', 'bowl', 'custom'] as const;
export type SurfaceId = (typeof SURFACE_IDS)[number];

export interface SurfaceInfo {
  id: SurfaceId;
  label: string;
  /** The expression; for 'custom' the page's default text. */
  expression: string;
  /** [xmin, xmax, ymin, ymax]. */
  domain: readonly [number, number, number, number];
  /** Contours of log(f − min + 1): a valley 100× flatter than its walls stays visible. */
  logScale: boolean;
  note: string;
  /** The start point the page opens with. */
  start: readonly [number, number];
  /** Learning rates that differ from the racers' defaults (which suit Rosenbrock). */
  lr: Partial<Record<RacerId, number>>;
}

export const SURFACES: readonly SurfaceInfo[] = [
  {
    id: 'rosenbrock', label: 'Rosenbrock', expression: '(1 - x)^2 + 100*(y - x^2)^2', domain: [-2, 2, -1, 3], logScale: true,
    note: 'A curved, nearly flat valley between steep walls; the minimum is at (1, 1). The gradient points at the wall, not along the valley.',
    start: [-1.5, 2],
    lr: {},
  },
  {
    id: 'saddle', label: 'Saddle', expression: 'x^2 - y^2', domain: [-1.5, 1.5, -1.5, 1.5], logScale: false,
    note: 'A saddle point: zero gradient at the origin, yet a maximum along y. Started exactly on y = 0, every optimizer slides towards the origin and stalls there: the gradient has no y-component. Noise knocks it off the ridge, and then momentum and the adaptive methods escape much faster than plain GD (or drag the start slightly off y = 0).',
    start: [1, 0],
    lr: { sgd: 0.01, momentum: 0.01, nesterov: 0.01, adagrad: 0.1, rmsprop: 0.01, adam: 0.01, adamw: 0.01 },
  },
  {
    id: 'bowl', label: 'Ill-conditioned bowl', expression: '0.5*x^2 + 10*y^2', domain: [-2, 2, -2, 2], logScale: false,
    note: 'A quadratic bowl 20× steeper in y than in x: a learning rate small enough for y is too small for x, so plain GD zig-zags.',
    start: [-1.8, 1.2],
    lr: { sgd: 0.09, momentum: 0.01, nesterov: 0.01, adagrad: 0.5, rmsprop: 0.01, adam: 0.05, adamw: 0.05 },
  },
  {
    id: 'custom', label: 'Your own f(x, y)', expression: 'x^2 + 3*y^2 + 0.5*x*y', domain: [-3, 3, -3, 3], logScale: false,
    note: 'Type any expression of x and y: + − * / ^, exp, log, sqrt, tanh, sigmoid, relu, pi, e. The library\'s autodiff differentiates it.',
    start: [2.5, 2.5],
    lr: { sgd: 0.05, momentum: 0.01, nesterov: 0.01, adagrad: 0.5, rmsprop: 0.01, adam: 0.05, adamw: 0.05 },
  },
];

export function surface(id: SurfaceId): SurfaceInfo {
  return SURFACES.find((s) => s.id === id)!;
}

/** A racer's default settings on a surface. */
export function defaultSettings(surfaceId: SurfaceId, racerId: RacerId): RacerSettings {
  const d = racer(racerId).defaults;
  return { ...d, lr: surface(surfaceId).lr[racerId] ?? d.lr };
}
