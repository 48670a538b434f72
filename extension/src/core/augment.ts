/**
 * Test-time augmentation: the model sees the image and some of its mirrors, each answer is mirrored back, and the
 * probabilities are averaged on the model's grid (before the threshold, so re-thresholding needs no new inference).
 */
import { ModelInput } from './preprocess';

/** The transforms a manifest may name; each is its own inverse. */
export const TEST_TIME_TRANSFORMS = ['identity', 'hflip', 'vflip'] as const;
export type TestTimeTransform = (typeof TEST_TIME_TRANSFORMS)[number];

/** What runs when a manifest names none: the image as it is. */
export const NO_AUGMENTATION: readonly TestTimeTransform[] = ['identity'];

/**
 * Copies the planes of `src` (each height x width) into `dst`, mirrored left-right (hflip) or top-bottom (vflip).
 * `src` and `dst` must not overlap.
 */
export function mirrorPlanes(src: Float32Array, dst: Float32Array, width: number, height: number, transform: TestTimeTransform): void {
  const plane = width * height;
  for (let p = 0; p < src.length; p += plane) {
    for (let y = 0; y < height; y++) {
      const from = p + (transform === 'vflip' ? height - 1 - y : y) * width;
      const to = p + y * width;
      if (transform === 'hflip') for (let x = 0; x < width; x++) dst[to + x] = src[from + width - 1 - x];
      else dst.set(src.subarray(from, from + width), to);
    }
  }
}

/** One model input per transform, stacked along the batch axis: [T, C, H, W]. */
export function augmentedBatch(input: ModelInput, transforms: readonly TestTimeTransform[]): ModelInput {
  const [batch, channels, height, width] = input.dims;
  if (batch !== 1) throw new RangeError(`augmentation takes one image, got a batch of ${batch}`);
  if (transforms.length === 1 && transforms[0] === 'identity') return input;
  const item = input.data.length;
  const data = new Float32Array(transforms.length * item);
  transforms.forEach((t, i) => mirrorPlanes(input.data, data.subarray(i * item, (i + 1) * item), width, height, t));
  return { data, dims: [transforms.length, channels, height, width] };
}
