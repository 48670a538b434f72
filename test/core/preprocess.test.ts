import golden from '../fixtures/golden/preprocess.json';
import { InputSpec } from '../../extension/src/core/manifest';
import { toModelInput } from '../../extension/src/core/preprocess';

const spec = (over: Partial<InputSpec> = {}): InputSpec => ({
  name: 'input',
  layout: 'NCHW',
  shape: [1, 3, golden.size, golden.size],
  channelOrder: 'BGR',
  resize: 'bilinear',
  scale: 1 / 255,
  mean: golden.mean,
  std: golden.std,
  ...over,
});

const display = { width: golden.width, height: golden.height, data: Float32Array.from(golden.rgb) };

describe('model input', () => {
  it("matches the training pipeline (cv2 resize, BGR, x/255, ImageNet mean/std) on numpy's values", () => {
    const input = toModelInput(display, spec());
    expect(input.dims).toEqual([1, 3, 16, 16]);
    let max = 0;
    input.data.forEach((v, i) => (max = Math.max(max, Math.abs(v - golden.nchw[i]))));
    expect(max).toBeLessThan(1e-4);
  });

  it("applies the authors' extra division by 255 last", () => {
    const plain = toModelInput(display, spec());
    const official = toModelInput(display, spec({ extraScale: 1 / 255 }));
    official.data.forEach((v, i) => expect(v).toBeCloseTo(plain.data[i] / 255, 7));
  });

  it('orders channels RGB when asked (plane 0 is red)', () => {
    const bgr = toModelInput(display, spec({ mean: [0, 0, 0], std: [1, 1, 1], scale: 1 }));
    const rgb = toModelInput(display, spec({ channelOrder: 'RGB', mean: [0, 0, 0], std: [1, 1, 1], scale: 1 }));
    const plane = 16 * 16;
    expect(Array.from(rgb.data.subarray(0, plane))).toEqual(Array.from(bgr.data.subarray(2 * plane)));
  });

  it('feeds a grey model one luma plane', () => {
    const grey = { width: 1, height: 1, data: Float32Array.from([200, 100, 50]) };
    const input = toModelInput(grey, spec({ channelOrder: 'grey', shape: [1, 1, 16, 16], mean: [0], std: [1], scale: 1 }));
    expect(input.dims).toEqual([1, 1, 16, 16]);
    expect(input.data[0]).toBeCloseTo(0.299 * 200 + 0.587 * 100 + 0.114 * 50, 3);
  });
});
