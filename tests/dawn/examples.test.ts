import { describe, expect, it } from 'vitest';
import { create } from 'webgpu';
import { exampleChecks, exampleNames, runExample } from '../helpers/examples.js';

// Every examples/*.ts file (the README's code blocks) run as printed in Node on dawn.node. The examples
// written for pages call `init()` with no GPU object, so this file gives Node a navigator.gpu first.
Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true, writable: true });

describe('examples/ in Node (dawn.node)', () => {
  it('has a check for every example', () => {
    expect(exampleNames).toEqual(Object.keys(exampleChecks).sort());
  });

  for (const name of exampleNames) {
    it(name, async () => {
      exampleChecks[name]!(await runExample(name));
    }, 600_000);
  }
});
