// The one-line training progress display: pure formatting, so the CLI only decides when and where to print it.

export interface ProgressState {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
  loss?: number;
  /** Seconds left for the whole run, from `eta()`; omitted while unknown. */
  etaSeconds?: number;
}

/** `m:ss`, or `h:mm:ss` from one hour. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return hms[0] ? `${hms[0]}:${pad(hms[1]!)}:${pad(hms[2]!)}` : `${hms[1]}:${pad(hms[2]!)}`;
}

/**
 * A throughput for people: whole numbers from 10 up, two significant digits below (a slow model on a CPU-emulated
 * GPU runs well under one sample per second, which rounding printed as "0").
 */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return '-';
  if (perSecond >= 10 || perSecond === 0) return String(Math.round(perSecond));
  return String(Number(perSecond.toPrecision(2)));
}

/**
 * Seconds left, extrapolating the time per batch so far (which includes the per-epoch validation) to the
 * batches still to run. Undefined before the first batch: the first one also pays for shader compilation.
 */
export function eta(elapsedSeconds: number, batchesDone: number, batchesTotal: number): number | undefined {
  if (batchesDone < 1) return undefined;
  return (elapsedSeconds / batchesDone) * Math.max(0, batchesTotal - batchesDone);
}

/** `epoch 1/3 [#######-------] 45/94  loss 0.7342  1234 samples/s  ETA 1:42`, the bar sized to fit `columns`. */
export function progressLine(p: ProgressState, columns = 100): string {
  const head = `epoch ${p.epoch}/${p.epochs} `;
  const tail = [
    ` ${p.batch}/${p.batches}`,
    p.loss !== undefined ? `  loss ${p.loss.toFixed(4)}` : '',
    `  ${formatRate(p.samplesPerSec)} samples/s`,
    p.etaSeconds !== undefined ? `  ETA ${formatDuration(p.etaSeconds)}` : '',
  ].join('');
  const barWidth = Math.max(0, Math.min(30, columns - 1 - head.length - tail.length - 2));
  if (barWidth < 5) return (head + tail.trimStart()).slice(0, columns - 1);
  const filled = Math.round((barWidth * Math.min(p.batch, p.batches)) / Math.max(1, p.batches));
  return `${head}[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
}
