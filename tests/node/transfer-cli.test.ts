import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../scripts/train-options.js';
import { parseAugmentSpec, parseLayerList, parseTtaSpec } from '../../src/augment/spec.js';
import { ArgumentError } from '../../src/errors.js';

describe('augmentation, TTA and layer lists as text', () => {
  it('parses stages in order with their arguments', () => {
    expect(parseAugmentSpec('crop:2,flip,resized:0.5,brightness:0.2,contrast:0.3,flip:0.25', [28, 28])).toEqual([
      { kind: 'crop', size: [28, 28], padding: 2 },
      { kind: 'hflip', p: 0.5 },
      { kind: 'resizedCrop', size: [28, 28], scale: [0.5, 1], ratio: [3 / 4, 4 / 3] },
      { kind: 'brightness', range: [0.8, 1.2], clamp: null },
      { kind: 'contrast', range: [0.7, 1.3], clamp: null },
      { kind: 'hflip', p: 0.25 },
    ]);
    expect(() => parseAugmentSpec('crop', [28, 28])).toThrow(/crop needs a padding/);
    expect(() => parseAugmentSpec('rotate:3', [28, 28])).toThrow(/unknown stage 'rotate'/);
    expect(() => parseAugmentSpec('flip:x', [28, 28])).toThrow(ArgumentError);
    expect(parseTtaSpec('flip')).toEqual([{}, { flip: true }]);
    expect(parseTtaSpec('crops:2')).toHaveLength(10);
    expect(() => parseTtaSpec('crops')).toThrow(/flip or crops/);
    expect(parseLayerList('0-3,7,9-10')).toEqual([0, 1, 2, 3, 7, 9, 10]);
    expect(parseLayerList('-1')).toEqual([-1]);
    expect(() => parseLayerList('3-1')).toThrow(/empty range/);
  });

  it('npm run train takes --augment, --tta, --init-weights and --freeze', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wgsl-nn-cli-'));
    const file = path.join(dir, 'w.safetensors');
    writeFileSync(file, Uint8Array.of(1, 2, 3));
    const cli = parseCli(['--augment', 'crop:2,flip', '--tta', 'flip', '--init-weights', file, '--freeze', '0-8'], '/repo');
    if (cli === 'help') throw new Error('expected options');
    expect(cli.transfer.augment).toHaveLength(2);
    expect(cli.transfer.tta).toEqual([{}, { flip: true }]);
    expect(cli.transfer.freeze).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(cli.transfer.initWeights).toBe('AQID');
    expect(JSON.parse(JSON.stringify(cli.transfer))).toEqual(cli.transfer);
    expect(() => parseCli(['--augment', 'spin'], '/repo')).toThrow(UsageError);
    expect(() => parseCli(['--augment', 'spin'], '/repo')).toThrow(/--augment: .*unknown stage/);
    expect(() => parseCli(['--init-weights', path.join(dir, 'missing')], '/repo')).toThrow(/--init-weights: .*ENOENT/);
  });
});
