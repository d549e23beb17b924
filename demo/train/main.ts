// The page `npm run train` opens (scripts/train-browser.ts): it exposes `wgslNnTrain(request)`, which trains
// on WebGPU with the library from src/ and resolves to the result, weights as base64 (page.evaluate returns JSON).
// Progress goes to `wgslNnTrainMessage`, which the CLI exposes through Playwright, and to the page itself.
import { trainSession, type SessionRequest, type SessionResult, type TrainMessage } from '../../scripts/train-session.js';

export type BrowserResult = Omit<SessionResult, 'weights'> & { weights: string };
/** A TrainMessage as it crosses to the CLI: a checkpoint's bytes as base64 (Playwright passes JSON). */
export type PageMessage = Exclude<TrainMessage, { type: 'checkpoint' }> | { type: 'checkpoint'; epoch: number; base64: string };

declare global {
  interface Window {
    wgslNnTrain?: (request: SessionRequest) => Promise<BrowserResult>;
    wgslNnTrainMessage?: (m: PageMessage) => void;
  }
}

const pre = document.getElementById('log')!;

function show(m: TrainMessage): void {
  if (m.type === 'phase') pre.textContent += `${m.phase}…\n`;
  if (m.type === 'epoch') pre.textContent += `${JSON.stringify(m.report)}\n`;
  window.wgslNnTrainMessage?.(m.type === 'checkpoint' ? { type: 'checkpoint', epoch: m.epoch, base64: base64(m.bytes) } : m);
}

function base64(bytes: Uint8Array): string {
  let s = '';
  // Chunks keep String.fromCharCode under the engine's argument-count limit.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

window.wgslNnTrain = async (request) => {
  const result = await trainSession(undefined, { baseUrl: '/data/fashion-mnist/' }, request, show);
  return { ...result, weights: base64(result.weights) };
};
