/**
 * Bilinear resize with half-pixel centres and edge clamping, the mapping of OpenCV's INTER_LINEAR
 * (cv2.resize, which the training data went through). Works on interleaved channels, float in, float out.
 */
export function resizeBilinear(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const out = new Float32Array(outWidth * outHeight * channels);
  if (outWidth === width && outHeight === height) {
    out.set(src.subarray(0, out.length));
    return out;
  }
  const xs = axisTaps(width, outWidth);
  const ys = axisTaps(height, outHeight);
  for (let y = 0; y < outHeight; y++) {
    const y0 = ys.lo[y] * width;
    const y1 = ys.hi[y] * width;
    const fy = ys.frac[y];
    for (let x = 0; x < outWidth; x++) {
      const x0 = xs.lo[x];
      const x1 = xs.hi[x];
      const fx = xs.frac[x];
      const o = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) {
        const top = src[(y0 + x0) * channels + c] * (1 - fx) + src[(y0 + x1) * channels + c] * fx;
        const bottom = src[(y1 + x0) * channels + c] * (1 - fx) + src[(y1 + x1) * channels + c] * fx;
        out[o + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** Source taps along one axis: OpenCV's sx = (dx + 0.5) * scale - 0.5, clamped at both edges. */
function axisTaps(size: number, outSize: number): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const scale = size / outSize;
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  for (let d = 0; d < outSize; d++) {
    const s = (d + 0.5) * scale - 0.5;
    let i = Math.floor(s);
    let f = s - i;
    if (i < 0) {
      i = 0;
      f = 0;
    }
    if (i >= size - 1) {
      i = size - 1;
      f = 0;
    }
    lo[d] = i;
    hi[d] = Math.min(i + 1, size - 1);
    frac[d] = f;
  }
  return { lo, hi, frac };
}

/** Nearest-neighbour resize of a label image, OpenCV's INTER_NEAREST mapping (sx = floor(dx * scale)). */
export function resizeNearest(src: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(Math.floor((y * height) / outHeight), height - 1);
    for (let x = 0; x < outWidth; x++) {
      out[y * outWidth + x] = src[sy * width + Math.min(Math.floor((x * width) / outWidth), width - 1)];
    }
  }
  return out;
}
