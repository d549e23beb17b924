// The terminal side of `npm run train`: progress bar, status lines and the epoch table as epochs finish.
import { eta, progressLine } from '../src/report/progress.js';
import { epochTableHeader, epochTableRow } from '../src/report/training.js';
import type { RunnerIo, TrainMessage } from './train-session.js';

/**
 * The progress bar on stderr: redrawn in place on a terminal; elsewhere (CI logs, pipes) one line per
 * status, the first batch, per epoch and per 15 s. Epoch table rows go to stdout, so `> log.txt` keeps the results without the bar.
 */
export class Display implements RunnerIo {
  private readonly tty = Boolean(process.stderr.isTTY);
  /** What the terminal's last line shows now ('' when nothing). */
  private bar = '';
  private lastDraw = 0;
  private trainingStart = performance.now();
  /** Batches done and time at the first progress report. */
  private firstReport: { done: number; at: number } | undefined;
  private tableStarted = false;
  /** Whether a progress line went to the (non-terminal) log yet. */
  private logged = false;

  constructor(private readonly epochs: number) {}

  onMessage = (m: TrainMessage): void => {
    if (m.type === 'phase') {
      // The ETA clock starts with training; loading data and starting Chromium are not per-batch costs.
      if (m.phase === 'training') {
        this.trainingStart = performance.now();
        this.firstReport = undefined;
      }
      this.status(`${m.phase}…`);
    } else if (m.type === 'batch') {
      const p = m.progress;
      const done = (p.epoch - 1) * p.batches + p.batch;
      const now = performance.now(), total = this.epochs * p.batches;
      // The first report's batch also compiled every shader: once a later one is in, time from that report on.
      this.firstReport ??= { done, at: now };
      const from = done > this.firstReport.done ? this.firstReport : { done: 0, at: this.trainingStart };
      const left = eta((now - from.at) / 1000, done - from.done, total - from.done);
      const line = progressLine({ ...p, epochs: this.epochs, etaSeconds: left }, process.stderr.columns || 100);
      const last = p.batch === p.batches;
      if (!this.tty) {
        // A log gets the first batch (training has started: shaders compiled), the end of each epoch, and a
        // line every 15 s so a slow epoch still shows it is alive.
        if (last || !this.logged || performance.now() - this.lastDraw > 15_000) {
          this.logged = true;
          this.lastDraw = performance.now();
          process.stderr.write(`${line}\n`);
        }
      } else if (last || performance.now() - this.lastDraw > 100) {
        // At most 10 redraws a second: on a fast GPU, batches arrive faster than a terminal should repaint.
        this.draw(line);
      }
    } else if (m.type === 'epoch') {
      if (!this.tableStarted) this.print(process.stdout, epochTableHeader());
      this.tableStarted = true;
      this.print(process.stdout, epochTableRow(m.report));
    }
  };

  /** What the run is doing between batches: starting the browser, loading data, testing. */
  status = (text: string): void => {
    if (this.tty) this.draw(text);
    else process.stderr.write(`${text}\n`);
  };

  /** A line that must stay visible (page errors, the child's output). */
  log = (text: string): void => {
    this.print(process.stderr, text);
  };

  clear(): void {
    if (this.bar) process.stderr.write('\r\x1b[K');
    this.bar = '';
  }

  private draw(line: string): void {
    this.bar = line;
    this.lastDraw = performance.now();
    process.stderr.write(`\r\x1b[K${line}`);
  }

  /** Prints above the bar: clear it, print, draw it again. */
  private print(stream: NodeJS.WriteStream, text: string): void {
    const bar = this.bar;
    this.clear();
    stream.write(`${text}\n`);
    if (bar) this.draw(bar);
  }
}
