import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// README's TypeScript code blocks are the files under examples/, verbatim: the dawn and browser projects run
// those files (tests/*/examples.test.ts), so a README example that stops running fails a test.
const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const examples = new Map(readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.ts'))
  .map((f) => [f, readFileSync(new URL(`examples/${f}`, root), 'utf8')] as const));

/** The bodies of README's ```ts / ```js / ```typescript / ```javascript blocks. */
function codeBlocks(md: string): string[] {
  return [...md.matchAll(/^```(?:ts|js|typescript|javascript|mjs)\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

describe('README code examples', () => {
  const blocks = codeBlocks(readme);

  it('finds the blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  it('every TypeScript/JavaScript block is one of examples/*.ts, character for character', () => {
    for (const block of blocks) {
      const match = [...examples].find(([, text]) => text === block);
      expect(match, `README block not found verbatim under examples/:\n${block}`).toBeDefined();
    }
  });

  it('every example is shown in README', () => {
    for (const [file, text] of examples) expect(blocks, `examples/${file} is not quoted in README`).toContain(text);
  });
});
