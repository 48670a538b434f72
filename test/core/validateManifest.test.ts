import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestError, validateManifest } from '../../extension/src/core/validateManifest';

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/cmunext-s-random/manifest.json'), 'utf8'));
const edit = (change: (m: any) => void) => {
  const m = structuredClone(fixture);
  change(m);
  return m;
};

describe('manifest validator', () => {
  it('accepts the exported manifest', () => {
    expect(validateManifest(fixture).id).toBe('cmunext-s-random');
  });

  it.each<[string, (m: any) => void, string]>([
    ['a missing field', (m) => delete m.sha256, 'manifest.sha256: missing'],
    ['a wrong hash format', (m) => (m.sha256 = 'ABC'), 'manifest.sha256: must match pattern'],
    ['an unknown channel order', (m) => (m.input.channelOrder = 'BRG'), 'manifest.input.channelOrder: expected one of "RGB", "BGR", "grey"'],
    ['a typo in an input field', (m) => (m.input.extrascale = 0.5), 'manifest.input.extrascale: unknown field'],
    ['an input size not a multiple of 16', (m) => (m.input.shape = [1, 3, 250, 256]), 'manifest.input.shape[2]: expected a multiple of 16 (four 2x2 poolings), got 250'],
    ['channels that disagree with the channel order', (m) => (m.input.channelOrder = 'grey'), 'manifest.input.shape[1]: channelOrder grey needs 1 channel(s), got 3'],
    ['too few mean values', (m) => (m.input.mean = [0.5, 0.5]), 'manifest.input.mean: expected 3 value(s), one per channel, got 2'],
    ['a zero std', (m) => (m.input.std = [0, 1, 1]), 'manifest.input.std[0]: must be > 0'],
    ['a threshold of 1', (m) => (m.output.threshold = 1), 'manifest.output.threshold: must be < 1'],
    ['an unknown activation', (m) => (m.output.activation = 'relu'), 'manifest.output.activation: expected one of "sigmoid", "softmax"'],
    ['a label without a category code', (m) => delete m.labels[0].category.code, 'manifest.labels[0].category.code: missing'],
    ['a label colour out of range', (m) => (m.labels[0].color = [0, 300, 0]), 'manifest.labels[0].color[1]: must be <= 255'],
    ['two labels for one sigmoid channel', (m) => m.labels.push({ ...m.labels[0], value: 2 }), 'manifest.labels: a sigmoid output has exactly one label, got 2'],
    ['a label value used twice', (m) => m.labels.push({ ...m.labels[0] }), 'manifest.labels[1].value: 1 is used by an earlier label'],
    ['a model file outside the folder', (m) => (m.file = '../x.onnx'), 'manifest.file: must match pattern'],
    ['another schema version', (m) => (m.schemaVersion = 2), 'manifest.schemaVersion: expected 1'],
    ['an unknown test-time transform', (m) => (m.testTimeAugmentation = ['identity', 'rot90']), 'manifest.testTimeAugmentation[1]: expected one of "identity", "hflip", "vflip"'],
    ['a test-time transform named twice', (m) => (m.testTimeAugmentation = ['hflip', 'hflip']), 'manifest.testTimeAugmentation: must NOT have duplicate items'],
    ['an empty test-time augmentation', (m) => (m.testTimeAugmentation = []), 'manifest.testTimeAugmentation: must NOT have fewer than 1 items'],
  ])('names the field for %s', (_, change, message) => {
    const bad = edit(change);
    expect(() => validateManifest(bad)).toThrow(ManifestError);
    try {
      validateManifest(bad);
    } catch (e) {
      expect((e as ManifestError).problems.join('\n')).toContain(message);
    }
  });

  it('accepts test-time augmentation', () => {
    expect(validateManifest(edit((m) => (m.testTimeAugmentation = ['identity', 'hflip']))).testTimeAugmentation).toEqual(['identity', 'hflip']);
  });

  it('lists every problem at once', () => {
    const bad = edit((m) => {
      delete m.name;
      m.opset = 'x';
    });
    expect(() => validateManifest(bad)).toThrow(/manifest\.name: missing; manifest\.opset: must be integer/);
  });

  it('rejects what is not an object', () => {
    expect(() => validateManifest([])).toThrow('manifest: must be object');
  });
});
