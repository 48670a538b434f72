import { inflateRawSync } from 'node:zlib';
import * as dicomParser from 'dicom-parser';
import { readPart10 } from '../extension/src/dicom/part10';
import { PixelEncoding, TRANSFER_SYNTAXES, transferSyntaxName } from '../extension/src/dicom/transferSyntax';
import { CodecEncoding, DecodedFrame, decodeFrame, FrameHeader } from './codecs';
import { decodeRle } from './rle';
import { SourceInstance } from '../extension/src/seg/types';
import { PaletteLut, PhotometricInterpretation, SourceImage, StoredPixels, VOI_FUNCTIONS, Window } from '../extension/src/core/sourceImage';

export function isDicom(bytes: Uint8Array): boolean {
  return bytes.length > 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM';
}

function firstNumber(ds: dicomParser.DataSet, tag: string): number | undefined {
  const s = ds.string(tag);
  if (s === undefined || s === '') return undefined;
  const v = parseFloat(s.split('\\')[0]);
  return Number.isFinite(v) ? v : undefined;
}

function palette(ds: dicomParser.DataSet, colour: 'Red' | 'Green' | 'Blue', bigEndian: boolean): PaletteLut {
  const offset = { Red: 0, Green: 1, Blue: 2 }[colour];
  const descTag = `x0028110${offset + 1}`;
  const dataTag = `x0028120${offset + 1}`;
  const el = ds.elements[dataTag];
  if (!ds.elements[descTag] || !el) throw new Error(`PALETTE COLOR without the ${colour} palette LUT descriptor and data`);
  const descriptor: [number, number, number] = [ds.uint16(descTag, 0) ?? 0, ds.uint16(descTag, 1) ?? 0, ds.uint16(descTag, 2) ?? 16];
  const eight = descriptor[2] === 8 && el.length === (descriptor[0] || 65536);
  const bytes = littleEndian(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length), bigEndian && !eight ? 2 : 1);
  const data = eight ? bytes : new Uint16Array(bytes.buffer, 0, el.length / 2);
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

/** Bytes in little-endian order: big-endian words of `wordSize` bytes swapped (a copy either way). */
function littleEndian(bytes: Uint8Array, wordSize: number): Uint8Array {
  const out = new Uint8Array(bytes);
  if (wordSize > 1) for (let i = 0; i + wordSize <= out.length; i += wordSize) out.subarray(i, i + wordSize).reverse();
  return out;
}

/** The encapsulated bytes of one frame: by the Basic Offset Table, one fragment a frame, or JPEG markers. */
function encapsulatedFrame(ds: dicomParser.DataSet, pixel: dicomParser.Element, frame: number, frames: number, encoding: PixelEncoding): Uint8Array {
  const fragments = pixel.fragments ?? [];
  if (!pixel.encapsulatedPixelData || !fragments.length) throw new Error('the Pixel Data of a compressed transfer syntax holds no fragments');
  const offsets = pixel.basicOffsetTable ?? [];
  if (offsets.length) {
    if (offsets.length !== frames) throw new Error(`the Basic Offset Table lists ${offsets.length} frame(s); Number of Frames is ${frames}`);
    return dicomParser.readEncapsulatedImageFrame(ds, pixel, frame);
  }
  // GDCM and others leave the table empty.
  if (frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, fragments.length);
  if (fragments.length === frames) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, frame, 1);
  if (encoding === 'jpeg' || encoding === 'jpeg-lossless') return dicomParser.readEncapsulatedImageFrame(ds, pixel, frame, dicomParser.createJPEGBasicOffsetTable(ds, pixel));
  throw new Error(`cannot tell where frame ${frame + 1} starts: ${fragments.length} fragments for ${frames} frames and no Basic Offset Table`);
}

/** Deflated datasets: the header as it is, the rest inflated, bounded so that a small file cannot claim gigabytes. */
function inflater(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = inflateRawSync(bytes.subarray(position), { maxOutputLength: 2 ** 30 });
  const whole = new Uint8Array(position + inflated.length);
  whole.set(bytes.subarray(0, position));
  whole.set(inflated, position);
  return whole;
}

/** Two's complement below Bits Allocated: the sign sits at High Bit, and decoders hand back the stored bits alone. */
function signExtend(samples: Int8Array | Int16Array | Int32Array, bitsStored: number): void {
  const shift = samples.BYTES_PER_ELEMENT * 8 - bitsStored;
  if (shift <= 0 || shift >= 32) return;
  if (samples instanceof Int32Array) for (let i = 0; i < samples.length; i++) samples[i] = (samples[i] << shift) >> shift;
  else for (let i = 0; i < samples.length; i++) samples[i] = (samples[i] << (32 - bitsStored)) >> (32 - bitsStored);
}

/** One frame of a DICOM image -> SourceImage, with its stored window and rescale; compressed frames are decoded. */
export async function readDicomImage(bytes: Uint8Array, frame: number): Promise<SourceImage> {
  const ds = dicomParser.parseDicom(bytes, { inflater });
  const ts = ds.string('x00020010')?.trim() || '1.2.840.10008.1.2';
  const encoding = TRANSFER_SYNTAXES[ts]?.encoding;
  if (!encoding) throw new Error(`${transferSyntaxName(ts)} is not one this reader decodes; ask the PACS for Explicit VR Little Endian or convert with gdcmconv --raw`);
  if (encoding === 'video') throw new Error(`${transferSyntaxName(ts)} holds a video stream, not image frames; the CLI reads images`);
  const pixel = ds.elements.x7fe00010;
  if (!pixel) throw new Error('no Pixel Data (7FE0,0010): not an image');
  const rows = ds.uint16('x00280010') ?? 0;
  const columns = ds.uint16('x00280011') ?? 0;
  const samplesPerPixel = (ds.uint16('x00280002') ?? 1) as 1 | 3;
  const bitsAllocated = (ds.uint16('x00280100') ?? 0) as 8 | 16 | 32;
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const pixelRepresentation = (ds.uint16('x00280103') ?? 0) as 0 | 1;
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) throw new Error(`Pixel Representation ${pixelRepresentation} is neither 0 (unsigned) nor 1 (signed)`);
  const frames = parseInt(ds.string('x00280008') ?? '1', 10) || 1;
  if (!Number.isInteger(frame) || frame < 0 || frame >= frames) throw new Error(`frame ${frame + 1} requested; the image has ${frames} frame(s)`);
  const pi = (ds.string('x00280004') ?? 'MONOCHROME2').trim() as PhotometricInterpretation;
  const bytesPerSample = bitsAllocated / 8;
  if (![1, 2, 4].includes(bytesPerSample)) throw new Error(`Bits Allocated ${bitsAllocated} is not supported (8, 16 or 32)`);
  const native = encoding === 'native' || encoding === 'deflate' || encoding === 'big-endian';
  // Native YBR_FULL_422 stores each pair of pixels as Y1 Y2 Cb Cr: two samples a pixel, not three (PS3.3 C.7.6.3.1.2);
  // a codec's YBR_FULL_422 is subsampled inside the codestream and decodes to full pixels.
  const subsampled = native && pi === 'YBR_FULL_422';
  if (subsampled && columns % 2) throw new Error(`YBR_FULL_422 needs an even number of columns, got ${columns}`);
  const count = rows * columns * (subsampled ? 2 : samplesPerPixel);
  const bigEndian = encoding === 'big-endian';
  let decoded: DecodedFrame;
  if (native) {
    const start = pixel.dataOffset + frame * count * bytesPerSample;
    if (start + count * bytesPerSample > pixel.dataOffset + pixel.length) throw new Error(`Pixel Data holds ${pixel.length} bytes, too few for ${frames} frame(s) of ${rows}x${columns} ${pi} at ${count * bytesPerSample} bytes a frame`);
    const raw = ds.byteArray.subarray(start, start + count * bytesPerSample);
    // Big endian swaps within each word; 8-bit samples in OW sit in 16-bit words.
    const word = bigEndian ? (bytesPerSample === 1 && pixel.vr === 'OW' ? 2 : bytesPerSample) : 1;
    decoded = { bytes: littleEndian(raw, word), planar: ((ds.uint16('x00280006') ?? 0) === 1) && !subsampled, rgb: false };
  } else {
    const what = `frame ${frame + 1} (${transferSyntaxName(ts)})`;
    const header: FrameHeader = { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, pixelRepresentation };
    let data: Uint8Array;
    try {
      data = encapsulatedFrame(ds, pixel, frame, frames, encoding);
    } catch (e) {
      throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    decoded = encoding === 'rle'
      ? { bytes: decodeRle(data, rows, columns, samplesPerPixel, bitsAllocated), planar: false, rgb: false }
      : await decodeFrame(encoding as CodecEncoding, data, header, what);
  }
  const Typed = { 1: [Uint8Array, Int8Array], 2: [Uint16Array, Int16Array], 4: [Uint32Array, Int32Array] }[bytesPerSample as 1 | 2 | 4][pixelRepresentation];
  const stored = new Typed(decoded.bytes.buffer as ArrayBuffer, decoded.bytes.byteOffset, decoded.bytes.length / bytesPerSample) as StoredPixels;
  if (!native && pixelRepresentation === 1) signExtend(stored as Int8Array | Int16Array | Int32Array, bitsStored);
  const pixelData = subsampled ? fullChroma(stored) : stored;
  const center = firstNumber(ds, 'x00281050');
  const width = firstNumber(ds, 'x00281051');
  const named = ds.string('x00281056')?.trim().toUpperCase();
  const fn = VOI_FUNCTIONS.find((f) => f === named);
  const dicomWindow: Window | undefined = center !== undefined && width !== undefined ? { center, width, ...(fn && { function: fn }) } : undefined;
  const photometricInterpretation: PhotometricInterpretation = decoded.rgb ? 'RGB' : pi === 'YBR_FULL_422' ? 'YBR_FULL' : pi;
  return {
    pixelData,
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    pixelRepresentation,
    photometricInterpretation,
    planarConfiguration: decoded.planar ? 1 : 0,
    rescaleSlope: firstNumber(ds, 'x00281053'),
    rescaleIntercept: firstNumber(ds, 'x00281052'),
    dicomWindow,
    palette: pi === 'PALETTE COLOR' ? { red: palette(ds, 'Red', bigEndian), green: palette(ds, 'Green', bigEndian), blue: palette(ds, 'Blue', bigEndian) } : undefined,
  };
}

/** The file's attributes as a naturalized dataset without its pixels, the way a SEG references its source. */
export function readDicomMetadata(bytes: Uint8Array): SourceInstance {
  const { PixelData: _pixels, ...meta } = readPart10(bytes).dataset;
  return meta as SourceInstance;
}
