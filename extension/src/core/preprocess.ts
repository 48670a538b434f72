import { InputSpec } from './manifest';
import { DisplayImage } from './pixels';
import { resizeBilinear } from './resize';

export interface ModelInput {
  /** NCHW float32: one image, or one per test-time transform. */
  data: Float32Array;
  dims: [number, number, number, number];
}

/** Display image -> the model's input tensor: resize, channel order, scale, mean/std, extra scale. */
export function toModelInput(image: DisplayImage, spec: InputSpec): ModelInput {
  const [, channels, height, width] = spec.shape;
  const resized = resizeBilinear(image.data, image.width, image.height, 3, width, height);
  const plane = width * height;
  const data = new Float32Array(channels * plane);
  // Which display channel (R=0, G=1, B=2) feeds each model channel.
  const from = spec.channelOrder === 'BGR' ? [2, 1, 0] : spec.channelOrder === 'RGB' ? [0, 1, 2] : [-1];
  const f32 = Math.fround;
  const scale = spec.scale;
  const extra = spec.extraScale ?? 1;
  for (let c = 0; c < channels; c++) {
    const src = from[c];
    const mean = f32(spec.mean[c]);
    const std = f32(spec.std[c]);
    const out = data.subarray(c * plane, (c + 1) * plane);
    for (let i = 0; i < plane; i++) {
      // grey: ITU-R BT.601 luma, which is the value itself for monochrome sources
      const v = src >= 0 ? resized[3 * i + src] : 0.299 * resized[3 * i] + 0.587 * resized[3 * i + 1] + 0.114 * resized[3 * i + 2];
      // float32 at every step, as the training pipeline's numpy: the network magnifies even last-bit differences
      out[i] = f32(f32(f32(f32(v * scale) - mean) / std) * extra);
    }
  }
  return { data, dims: [1, channels, height, width] };
}
