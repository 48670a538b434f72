import { toDisplay } from '../core/pixels';
import { augmentedBatch, NO_AUGMENTATION, TestTimeTransform } from '../core/augment';
import { toModelInput } from '../core/preprocess';
import { Probabilities, toMask, toProbabilities } from '../core/postprocess';
import { SourceImage, SourceImageError } from '../core/sourceImage';
import { InferenceError } from './errors';
import { ModelSession } from './session';

export interface FrameResult {
  /** Native grid of the source image. */
  width: number;
  height: number;
  /** On the model's grid; re-threshold with `toMask` without running the model again. */
  probabilities: Probabilities;
  mask: Uint8Array;
  threshold: number;
  /** The test-time transforms whose predictions were averaged (['identity']: one pass). */
  transforms: TestTimeTransform[];
  /** Model run time alone, in milliseconds (all transforms). */
  inferenceMs: number;
  /** Display values and model input, then probabilities and mask, in milliseconds. */
  preMs: number;
  postMs: number;
}

/** What the manifest asks to average, or one pass of the image as it is. */
export function manifestTransforms(session: ModelSession): TestTimeTransform[] {
  return [...(session.manifest.testTimeAugmentation ?? NO_AUGMENTATION)];
}

/**
 * The whole data path for one image: display values, model input (one per test-time transform, as one batch),
 * logits, probabilities averaged on the model's grid, native-grid mask. `transforms` overrides the manifest's.
 */
export async function segmentImage(session: ModelSession, image: SourceImage, threshold?: number, transforms = manifestTransforms(session)): Promise<FrameResult> {
  const { input, output, labels } = session.manifest;
  const begun = performance.now();
  let display;
  try {
    display = toDisplay(image);
  } catch (e) {
    if (e instanceof SourceImageError) throw new InferenceError('BAD_INPUT', `cannot segment this image: ${e.message}`);
    throw e;
  }
  const t = threshold ?? output.threshold;
  if (!(t > 0 && t < 1)) throw new InferenceError('BAD_INPUT', `threshold must be between 0 and 1 (exclusive), got ${t}`);
  const batch = augmentedBatch(toModelInput(display, input), transforms);
  const started = performance.now();
  const logits = await session.run(batch);
  const ran = performance.now();
  const probabilities = toProbabilities(logits.data, logits.dims, output, transforms);
  const mask = toMask(probabilities, display.width, display.height, t, labels[0].value);
  return { width: display.width, height: display.height, probabilities, mask, threshold: t, transforms, inferenceMs: ran - started, preMs: started - begun, postMs: performance.now() - ran };
}
