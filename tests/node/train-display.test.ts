import { afterEach, describe, expect, it, vi } from 'vitest';
import { Display } from '../../scripts/train-display.js';

// The CLI's progress display writing to a log (stderr not a terminal), on a controlled clock.
describe('npm run train progress in a log', () => {
  const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  afterEach(() => {
    vi.restoreAllMocks();
    if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  });

  it('prints the first batch at once, then one line per 15 s and each epoch\'s last; the ETA leaves the first batch\'s shader compilation out', () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => void lines.push(String(s)) as never);
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    const display = new Display(1);
    display.onMessage({ type: 'phase', phase: 'training' });
    const batch = (b: number, at: number) => {
      now = at;
      display.onMessage({ type: 'batch', progress: { step: b, epoch: 1, batch: b, batches: 10, samplesPerSec: 0.5, loss: 2.3, lr: 1e-3 } });
    };
    batch(1, 100_000); // 100 s: compiling every shader, then one batch
    batch(2, 102_000); // 2 s a batch from here
    batch(3, 104_000);
    batch(9, 116_000); // 15 s after the last printed line
    batch(10, 118_000);
    const progress = lines.filter((l) => l.startsWith('epoch'));
    expect(progress.map((l) => /\] (\d+)\/10/.exec(l)![1])).toEqual(['1', '9', '10']);
    // At batch 9: 16 s for batches 2-9 → 2 s a batch, 1 left (not 116 s / 9 batches).
    expect(progress[1]).toMatch(/ETA 0:02\n$/);
    expect(progress[1]).toContain('0.5 samples/s');
  });
});
