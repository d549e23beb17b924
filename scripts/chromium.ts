// Headless Chromium with WebGPU: Debian's package (`npx playwright install` is not available here) and the flags
// that give it an adapter on the CPU (SwiftShader) when there is no GPU. One list for the page tests and runners.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
