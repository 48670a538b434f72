import { SourceImage, SourceImageError, Window, PaletteLut } from './sourceImage';

/** What the viewer shows: RGB display values 0..255, interleaved, at the source's native grid. */
export interface DisplayImage {
  width: number;
  height: number;
  /** length width * height * 3 */
  data: Float32Array;
}

const COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'PALETTE COLOR']);

export function checkSourceImage(img: SourceImage): void {
  const fail = (msg: string): never => {
    throw new SourceImageError(msg);
  };
  if (!Number.isInteger(img.rows) || img.rows < 1) fail(`rows must be a positive integer, got ${img.rows}`);
  if (!Number.isInteger(img.columns) || img.columns < 1) fail(`columns must be a positive integer, got ${img.columns}`);
  const pi = img.photometricInterpretation;
  const expectedSamples = pi === 'MONOCHROME1' || pi === 'MONOCHROME2' || pi === 'PALETTE COLOR' ? 1 : COLOUR.has(pi) ? 3 : 0;
  if (!expectedSamples) fail(`photometric interpretation ${JSON.stringify(pi)} is not supported (MONOCHROME1/2, RGB, YBR_FULL, YBR_FULL_422, PALETTE COLOR)`);
  if (img.samplesPerPixel !== expectedSamples) fail(`${pi} needs samplesPerPixel ${expectedSamples}, got ${img.samplesPerPixel}`);
  if (![8, 16, 32].includes(img.bitsAllocated)) fail(`bitsAllocated must be 8, 16 or 32, got ${img.bitsAllocated}`);
  if (!(img.bitsStored >= 1 && img.bitsStored <= img.bitsAllocated)) fail(`bitsStored ${img.bitsStored} must be between 1 and bitsAllocated ${img.bitsAllocated}`);
  const needed = img.rows * img.columns * img.samplesPerPixel;
  if (img.pixelData.length < needed) fail(`pixel data holds ${img.pixelData.length} values; ${img.rows}x${img.columns}x${img.samplesPerPixel} needs ${needed}`);
  if (pi === 'PALETTE COLOR' && !img.palette) fail('PALETTE COLOR needs the red, green and blue palette LUTs');
  for (const w of [img.voi, img.dicomWindow]) {
    if (w && !(Number.isFinite(w.center) && w.width >= 1)) fail(`window needs a finite center and width >= 1, got center ${w.center} width ${w.width}`);
  }
}

/** Stored value -> its integer meaning: keep bitsStored bits, sign-extend when signed (high bits may hold overlays). */
function storedValueReader(img: SourceImage): (raw: number) => number {
  if (img.pixelData instanceof Float32Array || img.bitsStored === img.bitsAllocated) return (v) => v;
  const bits = img.bitsStored;
  const mask = 2 ** bits - 1;
  const signBit = 2 ** (bits - 1);
  return img.pixelRepresentation === 1
    ? (v) => {
        const u = (v < 0 ? v + 2 ** img.bitsAllocated : v) & mask;
        return u >= signBit ? u - 2 ** bits : u;
      }
    : (v) => v & mask;
}

/** A DICOM VOI LUT function (PS3.3 C.11.2.1.2: LINEAR, LINEAR_EXACT, SIGMOID) onto 0..255. */
export function voiFunction(w: Window): (x: number) => number {
  if (w.function === 'SIGMOID') return (x) => 255 / (1 + Math.exp((-4 * (x - w.center)) / w.width));
  if (w.function === 'LINEAR_EXACT') {
    const lower = w.center - w.width / 2;
    return (x) => (x <= lower ? 0 : x > lower + w.width ? 255 : ((x - lower) / w.width) * 255);
  }
  // PS3.3's ((x - (c - 0.5)) / (w - 1) + 0.5) written as a ramp from its lower end, the way Cornerstone's transfer
  // function computes it, so values on a level's half round the same way in both.
  const width = w.width - 1;
  const lower = w.center - 0.5 - width / 2;
  return (x) => {
    if (x <= lower) return 0;
    if (x > lower + width) return 255;
    return ((x - lower) / width) * 255;
  };
}

/**
 * The window to apply to a monochrome image: the user's, else the DICOM header's, else for 8-bit unsigned data
 * without rescale the full 0..255 range (a photograph-like image is shown as stored), else the data's min..max.
 */
export function chooseWindow(img: SourceImage, modality: Float64Array): Window {
  if (img.voi) return img.voi;
  if (img.dicomWindow) return img.dicomWindow;
  const rescaled = (img.rescaleSlope ?? 1) !== 1 || (img.rescaleIntercept ?? 0) !== 0;
  if (img.bitsStored <= 8 && img.pixelRepresentation === 0 && !rescaled) return { center: 128, width: 256 };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of modality) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // A flat image has no range: any width maps it to one grey level.
  return { center: (lo + hi + 1) / 2, width: Math.max(hi - lo + 1, 2) };
}

function paletteLookup(lut: PaletteLut): (v: number) => number {
  const [entries0, first, bits] = lut.descriptor;
  const entries = entries0 === 0 ? 65536 : entries0;
  // 16-bit entries are scaled down; some writers say 16 but store 8-bit values, which the max reveals.
  let max = 0;
  for (const v of lut.data) if (v > max) max = v;
  const shift = bits === 16 && max > 255 ? 8 : 0;
  return (v) => {
    const i = Math.min(Math.max(v - first, 0), entries - 1);
    return lut.data[i] >> shift;
  };
}

/** Stored pixels -> display RGB, integers 0..255, as a viewer shows them (modality LUT, VOI, polarity, colour model). */
export function toDisplay(img: SourceImage): DisplayImage {
  checkSourceImage(img);
  const n = img.rows * img.columns;
  const out = new Float32Array(n * 3);
  const read = storedValueReader(img);
  const px = img.pixelData;
  const pi = img.photometricInterpretation;

  if (pi === 'MONOCHROME1' || pi === 'MONOCHROME2') {
    const slope = img.rescaleSlope ?? 1;
    const intercept = img.rescaleIntercept ?? 0;
    const modality = new Float64Array(n);
    for (let i = 0; i < n; i++) modality[i] = read(px[i]) * slope + intercept;
    const voi = voiFunction(chooseWindow(img, modality));
    const invert = pi === 'MONOCHROME1';
    for (let i = 0; i < n; i++) {
      const g = Math.round(voi(modality[i]));
      const v = invert ? 255 - g : g;
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = v;
    }
    return { width: img.columns, height: img.rows, data: out };
  }

  if (pi === 'PALETTE COLOR') {
    const { red, green, blue } = img.palette!;
    const [r, g, b] = [paletteLookup(red), paletteLookup(green), paletteLookup(blue)];
    for (let i = 0; i < n; i++) {
      const v = read(px[i]);
      out[3 * i] = r(v);
      out[3 * i + 1] = g(v);
      out[3 * i + 2] = b(v);
    }
    return { width: img.columns, height: img.rows, data: out };
  }

  // Colour: samples are 8-bit display values already (16-bit colour is scaled down to 8).
  const planar = img.planarConfiguration === 1;
  const scale = img.bitsStored > 8 ? 255 / (2 ** img.bitsStored - 1) : 1;
  const sample = (i: number, c: number) => Math.round(read(px[planar ? c * n + i : 3 * i + c]) * scale);
  const ybr = pi === 'YBR_FULL' || pi === 'YBR_FULL_422';
  for (let i = 0; i < n; i++) {
    const a = sample(i, 0);
    const b = sample(i, 1);
    const c = sample(i, 2);
    if (ybr) {
      // PS3.3 C.7.6.3.1.2, YBR_FULL -> RGB
      out[3 * i] = clamp255(a + 1.402 * (c - 128));
      out[3 * i + 1] = clamp255(a - 0.344136 * (b - 128) - 0.714136 * (c - 128));
      out[3 * i + 2] = clamp255(a + 1.772 * (b - 128));
    } else {
      out[3 * i] = a;
      out[3 * i + 1] = b;
      out[3 * i + 2] = c;
    }
  }
  return { width: img.columns, height: img.rows, data: out };
}

/** Display values are what an 8-bit screen shows, as the model's training images were. */
function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
