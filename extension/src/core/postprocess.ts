import { OutputSpec } from './manifest';
import { resizeBilinear } from './resize';

/** Per-pixel foreground probability on the model's grid, kept so a new threshold needs no new inference. */
export interface Probabilities {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * Logits [1, C, H, W] -> foreground probability. Sigmoid for one channel; for softmax, the probability of
 * anything but channel 0 (background).
 */
export function toProbabilities(logits: Float32Array, dims: readonly number[], spec: OutputSpec): Probabilities {
  const [batch, channels, height, width] = dims;
  const plane = width * height;
  if (dims.length !== 4 || batch !== 1 || !(plane > 0) || logits.length !== channels * plane) {
    throw new RangeError(`the model's output ${JSON.stringify(spec.name)} has shape [${dims.join(', ')}] (${logits.length} values); a segmentation model gives [1, C, H, W]`);
  }
  const data = new Float32Array(plane);
  if (spec.activation === 'sigmoid') {
    for (let i = 0; i < plane; i++) data[i] = 1 / (1 + Math.exp(-logits[i]));
  } else {
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
      data[i] = 1 - background / sum;
    }
  }
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
