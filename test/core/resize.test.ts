import golden from '../fixtures/golden/resize.json';
import { resizeBilinear, resizeNearest } from '../../extension/src/core/resize';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const cases = golden.cases.map((c) => [`${c.width}x${c.height}x${c.channels} -> ${c.outWidth}x${c.outHeight}`, c] as const);

describe(`resize matches OpenCV ${golden.opencv}`, () => {
  it.each(cases)('INTER_LINEAR on float32, %s', (_, c) => {
    const out = resizeBilinear(Float32Array.from(c.src), c.width, c.height, c.channels, c.outWidth, c.outHeight);
    expect(out).toHaveLength(c.linear.length);
    expect(maxAbsDiff(out, c.linear)).toBeLessThan(1e-3);
  });

  // OpenCV resizes uint8 in 11-bit fixed point, so a rounded float result may differ by one grey level.
  it.each(cases)('INTER_LINEAR on uint8 within one grey level, %s', (_, c) => {
    const out = resizeBilinear(Float32Array.from(c.src8), c.width, c.height, c.channels, c.outWidth, c.outHeight);
    expect(maxAbsDiff(out.map(Math.round), c.linear8)).toBeLessThanOrEqual(1);
  });

  it.each(cases)('INTER_NEAREST on a mask, %s', (_, c) => {
    const out = resizeNearest(Uint8Array.from(c.mask), c.width, c.height, c.outWidth, c.outHeight);
    expect(Array.from(out)).toEqual(c.nearest);
  });
});
