import * as dicomParser from 'dicom-parser';
import { readPart10 } from '../extension/src/dicom/part10';
import { SourceInstance } from '../extension/src/seg/types';
import { PaletteLut, PhotometricInterpretation, SourceImage, StoredPixels, VOI_FUNCTIONS, Window } from '../extension/src/core/sourceImage';

const UNCOMPRESSED = new Map([
  ['1.2.840.10008.1.2', 'Implicit VR Little Endian'],
  ['1.2.840.10008.1.2.1', 'Explicit VR Little Endian'],
]);

export function isDicom(bytes: Uint8Array): boolean {
  return bytes.length > 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM';
}

function firstNumber(ds: dicomParser.DataSet, tag: string): number | undefined {
  const s = ds.string(tag);
  if (s === undefined || s === '') return undefined;
  const v = parseFloat(s.split('\\')[0]);
  return Number.isFinite(v) ? v : undefined;
}

function palette(ds: dicomParser.DataSet, colour: 'Red' | 'Green' | 'Blue'): PaletteLut {
  const offset = { Red: 0, Green: 1, Blue: 2 }[colour];
  const descTag = `x0028110${offset + 1}`;
  const dataTag = `x0028120${offset + 1}`;
  const el = ds.elements[dataTag];
  if (!ds.elements[descTag] || !el) throw new Error(`PALETTE COLOR without the ${colour} palette LUT descriptor and data`);
  const descriptor: [number, number, number] = [ds.uint16(descTag, 0) ?? 0, ds.uint16(descTag, 1) ?? 0, ds.uint16(descTag, 2) ?? 16];
  const bytes = new Uint8Array(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length));
  const data = descriptor[2] === 8 && el.length === (descriptor[0] || 65536) ? new Uint8Array(bytes) : new Uint16Array(bytes.buffer, 0, el.length / 2);
  return { descriptor, data };
}

/** Y1 Y2 Cb Cr pairs -> Y Cb Cr for every pixel, each pair's chroma shared by both of its pixels. */
function fullChroma(pairs: StoredPixels): StoredPixels {
  const full = new (pairs.constructor as new (n: number) => StoredPixels)((pairs.length / 4) * 6);
  for (let p = 0, o = 0; p < pairs.length; p += 4, o += 6) {
    const [y1, y2, cb, cr] = [pairs[p], pairs[p + 1], pairs[p + 2], pairs[p + 3]];
    full.set([y1, cb, cr, y2, cb, cr], o);
  }
  return full;
}

/** One frame of an uncompressed DICOM image -> SourceImage, with its stored window and rescale. */
export function readDicomImage(bytes: Uint8Array, frame: number): SourceImage {
  const ds = dicomParser.parseDicom(bytes);
  const ts = ds.string('x00020010') ?? '1.2.840.10008.1.2';
  if (!UNCOMPRESSED.has(ts)) {
    throw new Error(`transfer syntax ${ts} is compressed or big-endian; decompress first (for example with dcmdjpeg or gdcmconv --raw)`);
  }
  const pixel = ds.elements.x7fe00010;
  if (!pixel) throw new Error('no Pixel Data (7FE0,0010): not an image');
  const rows = ds.uint16('x00280010') ?? 0;
  const columns = ds.uint16('x00280011') ?? 0;
  const samplesPerPixel = (ds.uint16('x00280002') ?? 1) as 1 | 3;
  const bitsAllocated = (ds.uint16('x00280100') ?? 0) as 8 | 16 | 32;
  const pixelRepresentation = (ds.uint16('x00280103') ?? 0) as 0 | 1;
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) throw new Error(`Pixel Representation ${pixelRepresentation} is neither 0 (unsigned) nor 1 (signed)`);
  const frames = parseInt(ds.string('x00280008') ?? '1', 10) || 1;
  if (!Number.isInteger(frame) || frame < 0 || frame >= frames) throw new Error(`frame ${frame + 1} requested; the image has ${frames} frame(s)`);
  const pi = (ds.string('x00280004') ?? 'MONOCHROME2').trim() as PhotometricInterpretation;
  // Native YBR_FULL_422 stores each pair of pixels as Y1 Y2 Cb Cr: two samples a pixel, not three (PS3.3 C.7.6.3.1.2).
  const subsampled = pi === 'YBR_FULL_422';
  if (subsampled && columns % 2) throw new Error(`YBR_FULL_422 needs an even number of columns, got ${columns}`);
  const count = rows * columns * (subsampled ? 2 : samplesPerPixel);
  const bytesPerSample = bitsAllocated / 8;
  if (![1, 2, 4].includes(bytesPerSample)) throw new Error(`Bits Allocated ${bitsAllocated} is not supported (8, 16 or 32)`);
  const start = pixel.dataOffset + frame * count * bytesPerSample;
  if (start + count * bytesPerSample > pixel.dataOffset + pixel.length) throw new Error(`Pixel Data holds ${pixel.length} bytes, too few for ${frames} frame(s) of ${rows}x${columns} ${pi} at ${count * bytesPerSample} bytes a frame`);
  const buf = new Uint8Array(bytes.subarray(start, start + count * bytesPerSample)).buffer; // a copy, aligned for the typed array
  const Typed = { 1: [Uint8Array, Int8Array], 2: [Uint16Array, Int16Array], 4: [Uint32Array, Int32Array] }[bytesPerSample as 1 | 2 | 4][pixelRepresentation];
  const stored = new Typed(buf) as StoredPixels;
  const pixelData = subsampled ? fullChroma(stored) : stored;
  const center = firstNumber(ds, 'x00281050');
  const width = firstNumber(ds, 'x00281051');
  const named = ds.string('x00281056')?.trim().toUpperCase();
  const fn = VOI_FUNCTIONS.find((f) => f === named);
  const dicomWindow: Window | undefined = center !== undefined && width !== undefined ? { center, width, ...(fn && { function: fn }) } : undefined;
  return {
    pixelData,
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored: ds.uint16('x00280101') ?? bitsAllocated,
    pixelRepresentation,
    photometricInterpretation: subsampled ? 'YBR_FULL' : pi,
    planarConfiguration: subsampled ? 0 : ((ds.uint16('x00280006') ?? 0) as 0 | 1),
    rescaleSlope: firstNumber(ds, 'x00281053'),
    rescaleIntercept: firstNumber(ds, 'x00281052'),
    dicomWindow,
    palette: pi === 'PALETTE COLOR' ? { red: palette(ds, 'Red'), green: palette(ds, 'Green'), blue: palette(ds, 'Blue') } : undefined,
  };
}

/** The file's attributes as a naturalized dataset without its pixels, the way a SEG references its source. */
export function readDicomMetadata(bytes: Uint8Array): SourceInstance {
  const { PixelData: _pixels, ...meta } = readPart10(bytes).dataset;
  return meta as SourceInstance;
}
