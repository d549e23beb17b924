import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// scripts/runtime-dir.mjs, as npm run train/bench use it before starting dawn.node or Chromium: a process
// without XDG_RUNTIME_DIR gets a private one, and dawn.node's adapter request then prints no Wayland noise
// (on this VM it prints "error: XDG_RUNTIME_DIR is invalid or not set in the environment." twice without one).
const root = fileURLToPath(new URL('../../', import.meta.url));
const probe = (setup: string) => `${setup}
const { create } = await import('webgpu');
const gpu = create([]);
const adapter = await gpu.requestAdapter();
console.log(JSON.stringify({ adapter: Boolean(adapter), dir: process.env.XDG_RUNTIME_DIR ?? null }));
process.exit(0);`;

function run(setup: string) {
  const env = { ...process.env };
  delete env.XDG_RUNTIME_DIR;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe(setup)], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return { out: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { adapter: boolean; dir: string | null }, stderr: r.stderr };
}

describe('a private XDG_RUNTIME_DIR for the CLI\'s GPU processes', () => {
  it('with ensureRuntimeDir(): a 0700 temp folder, no complaint, the folder removed at exit', async () => {
    const { out, stderr } = run("const { ensureRuntimeDir } = await import('./scripts/runtime-dir.mjs'); ensureRuntimeDir();"
      + " const { statSync } = await import('node:fs'); if ((statSync(process.env.XDG_RUNTIME_DIR).mode & 0o777) !== 0o700) throw new Error('mode');");
    expect(out.adapter).toBe(true);
    expect(out.dir).toMatch(/wgsl-nn-xdg-/);
    expect(stderr).not.toContain('XDG_RUNTIME_DIR');
    const { existsSync } = await import('node:fs');
    expect(existsSync(out.dir!)).toBe(false);
  }, 60_000);
});
