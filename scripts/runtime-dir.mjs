// A private XDG_RUNTIME_DIR for the processes our commands start (Chromium, dawn.node): without one, the
// Wayland client library that Chromium and the Vulkan loader probe prints "error: XDG_RUNTIME_DIR is invalid
// or not set in the environment." twice per process, noise that hides the output that matters. Only an
// unset variable is replaced; errors of any other kind still reach the terminal.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Sets process.env.XDG_RUNTIME_DIR to a fresh 0700 temp folder (removed at exit) when it is unset. */
export function ensureRuntimeDir() {
  if (process.env.XDG_RUNTIME_DIR) return process.env.XDG_RUNTIME_DIR;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wgsl-nn-xdg-'));
  process.env.XDG_RUNTIME_DIR = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
