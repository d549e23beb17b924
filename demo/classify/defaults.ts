// The classification playground's data defaults (the network's are NETWORK_DEFAULTS in trainer.ts).
import type { DatasetSpec } from './datasets.js';

export const DATA_DEFAULTS: DatasetSpec & { split: number } = { id: 'spirals', points: 300, noise: 0.03, classes: 2, seed: 1, split: 0.7 };
