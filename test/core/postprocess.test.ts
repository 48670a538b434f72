import { iouF1 } from '../../extension/src/core/metrics';
import { toMask, toProbabilities } from '../../extension/src/core/postprocess';

const output = { name: 'logits', threshold: 0.5 };

describe('post-processing', () => {
  it('sigmoid of one logit channel', () => {
    const p = toProbabilities(Float32Array.from([0, 2, -2, 40]), [1, 1, 2, 2], { ...output, activation: 'sigmoid' });
    expect(p).toMatchObject({ width: 2, height: 2 });
    expect(Array.from(p.data).map((v) => +v.toFixed(4))).toEqual([0.5, 0.8808, 0.1192, 1]);
  });

  it('softmax: foreground is everything but channel 0, and large logits do not overflow', () => {
    // two pixels, three classes, channel-major
    const logits = Float32Array.from([0, 1000, /* class 1 */ 0, 1000, /* class 2 */ 0, -1000]);
    const p = toProbabilities(logits, [1, 3, 1, 2], { ...output, activation: 'softmax' });
    expect(p.data[0]).toBeCloseTo(2 / 3, 6);
    expect(p.data[1]).toBeCloseTo(0.5, 6);
  });

  it.each<[string, number[], number]>([
    ['three dimensions', [1, 2, 2], 4],
    ['a batch of two', [2, 1, 2, 2], 8],
    ['fewer values than the shape says', [1, 1, 2, 2], 3],
  ])('refuses an output of %s', (_, dims, values) => {
    expect(() => toProbabilities(new Float32Array(values), dims, { ...output, activation: 'sigmoid' })).toThrow(/^the model's output "logits" has shape \[.*\] \(\d+ values\); a segmentation model gives \[1, C, H, W\]$/);
  });

  it('re-thresholds kept probabilities onto the native grid without new inference', () => {
    const probs = { width: 2, height: 1, data: Float32Array.from([0.3, 0.9]) };
    expect(Array.from(toMask(probs, 4, 1, 0.5, 7))).toEqual([0, 0, 7, 7]);
    expect(Array.from(toMask(probs, 4, 1, 0.2))).toEqual([1, 1, 1, 1]);
    expect(Array.from(toMask(probs, 4, 1, 0.95))).toEqual([0, 0, 0, 0]);
    expect(Array.from(toMask(probs, 4, 1, 0.6))).toEqual([0, 0, 1, 1]); // 0.45 and 0.75 between the taps
  });

  it.each([0, 1, -0.1, NaN])('refuses threshold %p', (t) => {
    expect(() => toMask({ width: 1, height: 1, data: new Float32Array(1) }, 1, 1, t)).toThrow(RangeError);
  });
});

describe('IoU and F1', () => {
  const m = (...v: number[]) => Uint8Array.from(v);
  it.each<[string, Uint8Array, Uint8Array, number, number]>([
    ['identical', m(0, 1, 1, 0), m(0, 1, 1, 0), 1, 1],
    ['disjoint', m(1, 0, 0, 0), m(0, 1, 0, 0), 0, 0],
    ['half overlap', m(1, 1, 0, 0), m(0, 1, 1, 0), 1 / 3, 0.5],
    ['both empty counts as perfect', m(0, 0), m(0, 0), 1, 1],
    ['empty prediction of a lesion', m(0, 0), m(0, 1), 0, 0],
    ['label values other than 1 are foreground', m(0, 255), m(0, 1), 1, 1],
  ])('%s', (_, pred, truth, iou, f1) => {
    const r = iouF1(pred, truth);
    expect(r.iou).toBeCloseTo(iou, 10);
    expect(r.f1).toBeCloseTo(f1, 10);
  });

  it('refuses masks of different sizes', () => {
    expect(() => iouF1(m(1), m(1, 0))).toThrow('masks differ in size: 1 and 2 pixels');
  });
});
