import { mirrorPlanes, NO_AUGMENTATION, TestTimeTransform } from './augment';
import { OutputSpec } from './manifest';
import { resizeBilinear } from './resize';

/** Per-pixel foreground probability on the model's grid, kept so a new threshold needs no new inference. */
export interface Probabilities {
  width: number;
  height: number;
  data: Float32Array;
}

/** One item's logits [C, H, W] -> its foreground probability plane. */
function foreground(logits: Float32Array, channels: number, plane: number, spec: OutputSpec, out: Float32Array): void {
  if (spec.activation === 'sigmoid') {
    for (let i = 0; i < plane; i++) out[i] = 1 / (1 + Math.exp(-logits[i]));
    return;
  }
  for (let i = 0; i < plane; i++) {
    let max = -Infinity;
    for (let c = 0; c < channels; c++) max = Math.max(max, logits[c * plane + i]);
    let sum = 0;
    let background = 0;
    for (let c = 0; c < channels; c++) {
      const e = Math.exp(logits[c * plane + i] - max);
      sum += e;
      if (c === 0) background = e;
    }
    out[i] = 1 - background / sum;
  }
}

/**
 * Logits [T, C, H, W] -> foreground probability: sigmoid for one channel; for softmax, the probability of anything
 * but channel 0 (background). Item t of the batch is the model's answer for `transforms[t]` of the image; each is
 * mirrored back and the probabilities averaged. Without transforms the batch is one image as it is.
 */
export function toProbabilities(logits: Float32Array, dims: readonly number[], spec: OutputSpec, transforms: readonly TestTimeTransform[] = NO_AUGMENTATION): Probabilities {
  const [batch, channels, height, width] = dims;
  const plane = width * height;
  if (dims.length !== 4 || batch !== transforms.length || !(plane > 0) || logits.length !== batch * channels * plane) {
    throw new RangeError(`the model's output ${JSON.stringify(spec.name)} has shape [${dims.join(', ')}] (${logits.length} values); a segmentation model gives [${transforms.length}, C, H, W]${transforms.length > 1 ? ` for ${transforms.length} test-time transforms` : ''}`);
  }
  if (batch === 1 && transforms[0] === 'identity') {
    const data = new Float32Array(plane);
    foreground(logits, channels, plane, spec, data);
    return { width, height, data };
  }
  const sum = new Float64Array(plane);
  const item = new Float32Array(plane);
  const back = new Float32Array(plane);
  transforms.forEach((t, b) => {
    foreground(logits.subarray(b * channels * plane, (b + 1) * channels * plane), channels, plane, spec, item);
    mirrorPlanes(item, back, width, height, t);
    for (let i = 0; i < plane; i++) sum[i] += back[i];
  });
  const data = new Float32Array(plane);
  for (let i = 0; i < plane; i++) data[i] = sum[i] / batch;
  return { width, height, data };
}

/** Probabilities -> a mask on the target (native) grid: bilinear resample, then `p > threshold` gets `value`. */
export function toMask(probs: Probabilities, width: number, height: number, threshold: number, value = 1): Uint8Array {
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`threshold must be between 0 and 1 (exclusive), got ${threshold}`);
  const resampled = resizeBilinear(probs.data, probs.width, probs.height, 1, width, height);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) if (resampled[i] > threshold) mask[i] = value;
  return mask;
}
