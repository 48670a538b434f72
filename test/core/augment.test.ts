import schema from '../../extension/src/core/manifest.schema.json';
import { augmentedBatch, mirrorPlanes, TEST_TIME_TRANSFORMS, TestTimeTransform } from '../../extension/src/core/augment';
import { OutputSpec } from '../../extension/src/core/manifest';
import { toProbabilities } from '../../extension/src/core/postprocess';

// Two planes of 3 x 2: 0 1 2 / 3 4 5 and 10 11 12 / 13 14 15.
const planes = Float32Array.from([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
const sigmoid: OutputSpec = { name: 'logits', activation: 'sigmoid', threshold: 0.5 };
const s = (x: number) => 1 / (1 + Math.exp(-x));

describe('test-time augmentation', () => {
  it.each<[TestTimeTransform, number[]]>([
    ['identity', [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]],
    ['hflip', [2, 1, 0, 5, 4, 3, 12, 11, 10, 15, 14, 13]],
    ['vflip', [3, 4, 5, 0, 1, 2, 13, 14, 15, 10, 11, 12]],
  ])('mirrors every plane: %s', (t, expected) => {
    const out = new Float32Array(planes.length);
    mirrorPlanes(planes, out, 3, 2, t);
    expect(Array.from(out)).toEqual(expected);
    const back = new Float32Array(planes.length);
    mirrorPlanes(out, back, 3, 2, t);
    expect(back).toEqual(planes); // each transform is its own inverse
  });

  it('stacks one input per transform along the batch axis, and leaves one pass as it is', () => {
    const input = { data: planes, dims: [1, 2, 2, 3] as [number, number, number, number] };
    expect(augmentedBatch(input, ['identity'])).toBe(input);
    const batch = augmentedBatch(input, ['identity', 'hflip']);
    expect(batch.dims).toEqual([2, 2, 2, 3]);
    expect(Array.from(batch.data.subarray(0, 12))).toEqual(Array.from(planes));
    expect(Array.from(batch.data.subarray(12))).toEqual([2, 1, 0, 5, 4, 3, 12, 11, 10, 15, 14, 13]);
    expect(() => augmentedBatch(batch, ['identity'])).toThrow(/one image, got a batch of 2/);
  });

  it('mirrors each answer back before averaging the probabilities', () => {
    // A model that sees the mirror answers with the mirror of its first answer, except one pixel.
    const first = [-2, 0, 2, 1, -1, 3];
    const mirrored = [2, 0, -2, 3, -1, 1];
    mirrored[0] = 4; // lands on pixel 2 once mirrored back
    const p = toProbabilities(Float32Array.from([...first, ...mirrored]), [2, 1, 2, 3], sigmoid, ['identity', 'hflip']);
    expect(p.width).toBe(3);
    expect(p.height).toBe(2);
    const expected = first.map((v, i) => (i === 2 ? (s(2) + s(4)) / 2 : s(v)));
    p.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('averages softmax foregrounds the same way', () => {
    const softmax: OutputSpec = { name: 'logits', activation: 'softmax', threshold: 0.5 };
    // One pixel row of 2, two channels; the flipped answer swaps the pixels back.
    const p = toProbabilities(Float32Array.from([0, 0, 0, Math.log(3), 0, 0, Math.log(3), 0]), [2, 2, 1, 2], softmax, ['identity', 'hflip']);
    expect(p.data[0]).toBeCloseTo(0.5, 6); // 0.5 and 0.5
    expect(p.data[1]).toBeCloseTo(0.75, 6); // 0.75 and 0.75
  });

  it('refuses a batch that does not match the transforms', () => {
    expect(() => toProbabilities(new Float32Array(12), [2, 1, 2, 3], sigmoid)).toThrow(/gives \[1, C, H, W\]/);
    expect(() => toProbabilities(new Float32Array(6), [1, 1, 2, 3], sigmoid, ['identity', 'hflip'])).toThrow(/gives \[2, C, H, W\]/);
  });

  it('offers the transforms the manifest schema allows', () => {
    expect(schema.properties.testTimeAugmentation.items.enum).toEqual([...TEST_TIME_TRANSFORMS]);
  });
});
