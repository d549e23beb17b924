import type { SearchResult, TrialResult } from './search.js';
import { formatConfig } from './space.js';

const pct = (v: number) => (Number.isNaN(v) ? '—' : `${(100 * v).toFixed(2)} %`);

/** One row of the results table: rank, metric (± spread over folds), status, steps, configuration. */
export function formatTrialRow(r: TrialResult, rank: number, metric: SearchResult['metric']): string {
  const value = metric === 'valAcc' ? pct(r.score) : Number.isNaN(r.score) ? '—' : r.score.toFixed(4);
  const spread = r.foldScores.length > 1 && !Number.isNaN(r.score)
    ? ` ± ${metric === 'valAcc' ? (100 * std(r.foldScores)).toFixed(2) : std(r.foldScores).toFixed(4)}` : '';
  return `${String(rank).padStart(3)}  ${(value + spread).padEnd(18)} ${r.status.padEnd(13)} ${String(r.steps).padStart(6)}  #${r.index} ${formatConfig(r.config)}`;
}

/** The whole table, best first, as plain text. */
export function formatSearchTable(table: readonly TrialResult[], metric: SearchResult['metric']): string {
  const head = `${'rank'.padStart(4)} ${(metric === 'valAcc' ? 'val accuracy' : 'val loss').padEnd(18)} ${'status'.padEnd(13)} ${'steps'.padStart(6)}  trial`;
  return [head, ...table.map((r, i) => formatTrialRow(r, i + 1, metric))].join('\n');
}

function std(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}
