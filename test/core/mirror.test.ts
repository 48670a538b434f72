import { averageWithMirror, mirrorRows } from '../../extension/src/core/mirror';

it('reverses every row of every plane, and twice is the identity', () => {
  const two = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // two planes of 3x2
  expect(Array.from(mirrorRows(two, 3, 2))).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10]);
  expect(Array.from(mirrorRows(mirrorRows(two, 3, 2), 3, 2))).toEqual(Array.from(two));
  expect(() => mirrorRows(two, 5, 2)).toThrow('12 values are not whole 5x2 planes');
});

it('averages a prediction with the mirrored image\'s, mirrored back', () => {
  const p = { width: 2, height: 2, data: Float32Array.from([0.8, 0.2, 0.6, 0.4]) };
  // The mirrored image's prediction, were the network exactly mirror-equivariant, plus a disagreement in pixel 0.
  const ofMirror = { width: 2, height: 2, data: Float32Array.from([0.2, 0.4, 0.4, 0.6]) };
  expect(Array.from(averageWithMirror(p, ofMirror).data).map((v) => +v.toFixed(4))).toEqual([0.6, 0.2, 0.6, 0.4]);
  expect(() => averageWithMirror(p, { width: 1, height: 4, data: p.data })).toThrow('probability maps differ in size: 2x2 and 1x4');
});
