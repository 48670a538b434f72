/**
 * Test-time mirroring: a B-mode image and its left-right mirror are equally plausible (either side of the probe may
 * face the viewer), so a prediction can be averaged with the mirrored image's, mirrored back (as nnU-Net predicts).
 */
import { Probabilities } from './postprocess';

/** Each row of each width x height plane in `data`, reversed. */
export function mirrorRows(data: Float32Array, width: number, height: number): Float32Array {
  const planeSize = width * height;
  if (!(planeSize > 0) || data.length % planeSize) throw new RangeError(`${data.length} values are not whole ${width}x${height} planes`);
  const out = new Float32Array(data.length);
  for (let row = 0; row < data.length; row += width) {
    for (let x = 0; x < width; x++) out[row + x] = data[row + width - 1 - x];
  }
  return out;
}

/** The mean of `p` and `ofMirror` (the prediction for the mirrored image) mirrored back. */
export function averageWithMirror(p: Probabilities, ofMirror: Probabilities): Probabilities {
  if (p.width !== ofMirror.width || p.height !== ofMirror.height) throw new RangeError(`probability maps differ in size: ${p.width}x${p.height} and ${ofMirror.width}x${ofMirror.height}`);
  const back = mirrorRows(ofMirror.data, p.width, p.height);
  const data = new Float32Array(p.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (p.data[i] + back[i]) / 2;
  return { width: p.width, height: p.height, data };
}
