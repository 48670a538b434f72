import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { SourceImage } from '../extension/src/core/sourceImage';
import { isDicom, readDicomImage } from './dicomFile';

/** RGBA samples -> a monochrome SourceImage when every pixel is grey, else RGB: what a photo or screenshot holds. */
function fromRgba(rgba: Uint8Array | Uint16Array, width: number, height: number, bits: 8 | 16): SourceImage {
  const n = width * height;
  let grey = true;
  for (let i = 0; i < n && grey; i++) grey = rgba[4 * i] === rgba[4 * i + 1] && rgba[4 * i] === rgba[4 * i + 2];
  const samples = grey ? 1 : 3;
  const out = bits === 16 ? new Uint16Array(n * samples) : new Uint8Array(n * samples);
  for (let i = 0; i < n; i++) for (let c = 0; c < samples; c++) out[i * samples + c] = rgba[4 * i + c];
  return {
    pixelData: out,
    rows: height,
    columns: width,
    samplesPerPixel: samples,
    bitsAllocated: bits,
    bitsStored: bits,
    pixelRepresentation: 0,
    photometricInterpretation: grey ? 'MONOCHROME2' : 'RGB',
    planarConfiguration: 0,
  };
}

export class ImageFileError extends Error {
  override name = 'ImageFileError';
}

export function readFileBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ImageFileError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/** Written whole or not at all: a reader never finds half a file. */
export function writeWhole(path: string, bytes: Uint8Array): void {
  writeFileSync(`${path}.partial`, bytes);
  renameSync(`${path}.partial`, path);
}

/** What a decoder threw, in words: dicom-parser throws strings, and `{ exception, dataSet }` for a truncated file. */
function reason(e: unknown): string {
  if (e instanceof Error) return e.message;
  const exception = (e as { exception?: unknown } | null)?.exception;
  return typeof exception === 'string' ? `${exception} (the file is truncated or damaged)` : String(e);
}

/** PNG (8/16-bit), JPEG or DICOM (any transfer syntax the CLI decodes) -> SourceImage. `frame` is 0-based, for multi-frame DICOM. */
export function readImageFile(path: string, frame = 0): Promise<SourceImage> {
  return decodeImage(readFileBytes(path), path, frame);
}

/** The bytes of a file already read; `path` names it in messages and tells DICOM by extension. */
export async function decodeImage(bytes: Buffer, path: string, frame = 0): Promise<SourceImage> {
  try {
    if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      const png = PNG.sync.read(bytes, { skipRescale: true });
      const data = png.depth === 16 ? (png.data as unknown as Uint16Array) : new Uint8Array(png.data);
      return fromRgba(data, png.width, png.height, png.depth === 16 ? 16 : 8);
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      return fromRgba(img.data, img.width, img.height, 8);
    }
    if (isDicom(bytes) || ['.dcm', '.dicom'].includes(extname(path).toLowerCase())) return await readDicomImage(bytes, frame);
  } catch (e) {
    throw new ImageFileError(`${path}: ${reason(e)}`, { cause: e });
  }
  throw new ImageFileError(`${path}: not a PNG, JPEG or DICOM file`);
}

/** Reads a mask image (any non-zero grey level above half scale is foreground), as BUSI's 0/255 masks. */
export async function readMaskFile(path: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const img = await readImageFile(path);
  const n = img.rows * img.columns;
  const half = 2 ** (img.bitsStored - 1);
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = img.pixelData[i * img.samplesPerPixel] >= half ? 1 : 0;
  return { width: img.columns, height: img.rows, data };
}

/** Writes a mask as an 8-bit grey PNG: 0 background, 255 foreground. */
export function encodeMaskPng(mask: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.from(mask.map((v) => (v ? 255 : 0)));
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
