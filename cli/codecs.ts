/**
 * The compressed transfer syntaxes, decoded by the codecs Cornerstone3D itself uses (their WebAssembly builds, run in
 * Node), so the CLI reads a frame as the viewer shows it. Each codec loads on first use.
 */
import { Decoder as LosslessJpegDecoder } from '@cornerstonejs/jpeg-lossless-decoder-js';
import { PixelEncoding } from '../extension/src/dicom/transferSyntax';

export interface FrameHeader {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
}

export interface DecodedFrame {
  /** Samples as the header's Bits Allocated and Pixel Representation store them, little endian. */
  bytes: Uint8Array;
  /** Colour by plane (RR..GG..BB..) rather than by pixel. */
  planar: boolean;
  /** The codec turned YCbCr (or J2K's RCT/ICT) into RGB. */
  rgb: boolean;
}

export type CodecEncoding = Extract<PixelEncoding, 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'htj2k'>;

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}

/** The shape the four Emscripten decoders share. */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  getInterleaveMode?(): number;
  delete(): void;
}

type DecoderClass = new () => WasmDecoder;
const WASM: Record<Exclude<CodecEncoding, 'jpeg-lossless'>, { module: string; decoder: string }> = {
  jpeg: { module: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoder: 'JPEGDecoder' },
  'jpeg-ls': { module: '@cornerstonejs/codec-charls/decodewasmjs', decoder: 'JpegLSDecoder' },
  jpeg2000: { module: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoder: 'J2KDecoder' },
  htj2k: { module: '@cornerstonejs/codec-openjph/wasmjs', decoder: 'HTJ2KDecoder' },
};

const loaded = new Map<string, Promise<DecoderClass>>();

/**
 * The codec's decoder class. Emscripten's Node glue prints progress to the console and installs process-wide
 * handlers that rethrow every uncaught error with the module's source; the CLI keeps its own output and handlers.
 */
function decoderClass(encoding: keyof typeof WASM): Promise<DecoderClass> {
  const { module, decoder } = WASM[encoding];
  let p = loaded.get(module);
  if (!p) {
    const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
    const factory = require(module) as (overrides: object) => Promise<Record<string, DecoderClass>>;
    const quiet = () => undefined;
    p = factory({ print: quiet, printErr: quiet }).then((m) => m[decoder]).finally(() => {
      for (const l of process.listeners('uncaughtException')) if (!before.uncaughtException.includes(l)) process.removeListener('uncaughtException', l);
      for (const l of process.listeners('unhandledRejection')) if (!before.unhandledRejection.includes(l)) process.removeListener('unhandledRejection', l);
    });
    loaded.set(module, p);
  }
  return p;
}

/** What an Emscripten decoder threw: C++ exceptions arrive as bare numbers. */
function failure(e: unknown, what: string): Error {
  const reason = e instanceof Error ? e.message : typeof e === 'number' ? 'the codestream is damaged or uses a feature the decoder lacks' : String(e);
  return new Error(`${what}: cannot be decoded (${reason})`, { cause: e });
}

function check(what: string, info: FrameInfo, h: FrameHeader): void {
  if (info.width !== h.columns || info.height !== h.rows || info.componentCount !== h.samplesPerPixel) {
    throw new Error(`${what} holds a ${info.width}x${info.height} image of ${info.componentCount} sample(s); the header says ${h.columns}x${h.rows} of ${h.samplesPerPixel}`);
  }
  if (info.bitsPerSample > h.bitsAllocated) throw new Error(`${what} holds ${info.bitsPerSample}-bit samples; the header allocates ${h.bitsAllocated} bits`);
}

/** The decoder's samples widened to the header's Bits Allocated (a codec gives 8-bit samples as bytes). */
function widen(out: Uint8Array, info: FrameInfo, h: FrameHeader): Uint8Array {
  const bytesPerSample = info.bitsPerSample > 8 ? 2 : 1;
  if (bytesPerSample * 8 === h.bitsAllocated) return out.slice();
  if (h.bitsAllocated !== 16 || bytesPerSample !== 1) throw new Error(`${info.bitsPerSample}-bit samples in ${h.bitsAllocated}-bit pixels are not supported`);
  const wide = new Uint16Array(out.length);
  for (let i = 0; i < out.length; i++) wide[i] = out[i];
  return new Uint8Array(wide.buffer);
}

async function wasmDecode(encoding: keyof typeof WASM, frame: Uint8Array, h: FrameHeader, what: string): Promise<DecodedFrame> {
  const Decoder = await decoderClass(encoding);
  const d = new Decoder();
  try {
    try {
      d.getEncodedBuffer(frame.length).set(frame);
      d.decode();
    } catch (e) {
      throw failure(e, what);
    }
    const info = d.getFrameInfo();
    check(what, info, h);
    return {
      bytes: widen(d.getDecodedBuffer(), info, h),
      // JPEG-LS with interleave mode 0 ("none") keeps one scan per component.
      planar: encoding === 'jpeg-ls' && h.samplesPerPixel > 1 && d.getInterleaveMode?.() === 0,
      // libjpeg-turbo returns RGB for YCbCr; OpenJPEG and OpenJPH undo the multiple-component transform.
      rgb: h.samplesPerPixel === 3 && encoding !== 'jpeg-ls',
    };
  } finally {
    d.delete();
  }
}

function losslessJpeg(frame: Uint8Array, h: FrameHeader, what: string): DecodedFrame {
  let out: ArrayBufferView;
  try {
    out = new LosslessJpegDecoder().decode(frame.buffer as ArrayBuffer, frame.byteOffset, frame.length, h.bitsAllocated > 8 ? 2 : 1);
  } catch (e) {
    throw failure(e, what);
  }
  const expected = h.rows * h.columns * h.samplesPerPixel * (h.bitsAllocated / 8);
  if (out.byteLength !== expected) throw new Error(`${what} decodes to ${out.byteLength} bytes; ${h.columns}x${h.rows} of ${h.samplesPerPixel} sample(s) at ${h.bitsAllocated} bits need ${expected}`);
  return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice(), planar: false, rgb: false };
}

/** JPEG's frame header precision (SOF marker), or undefined when no SOF is found. */
export function jpegPrecision(frame: Uint8Array): number | undefined {
  for (let i = 2; i + 4 < frame.length; ) {
    if (frame[i] !== 0xff) return undefined;
    const marker = frame[i + 1];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return frame[i + 4];
    i += 2 + ((frame[i + 2] << 8) | frame[i + 3]);
  }
  return undefined;
}

/** One compressed frame -> its samples. `what` names the frame in messages ("frame 2 (JPEG Baseline ...)"). */
export async function decodeFrame(encoding: CodecEncoding, frame: Uint8Array, h: FrameHeader, what: string): Promise<DecodedFrame> {
  if (encoding === 'jpeg-lossless') return losslessJpeg(frame, h, what);
  if (encoding === 'jpeg') {
    const precision = jpegPrecision(frame);
    // libjpeg-turbo's 8-bit build is the only lossy JPEG decoder here; no 12-bit decoder matched DCMTK's output.
    if (precision === undefined) throw new Error(`${what} holds no JPEG frame header (SOF marker): the data is damaged or not JPEG`);
    if (precision !== 8) throw new Error(`${what} holds ${precision}-bit JPEG (${precision === 12 ? '12-bit JPEG Extended' : 'that precision'} is not supported; ask the PACS for another transfer syntax or convert with dcmdjpeg)`);
  }
  // Checked against OpenJPH's own ojph_expand: the WebAssembly build clamps every negative sample to the maximum.
  if (encoding === 'htj2k' && h.pixelRepresentation === 1) throw new Error(`${what} holds signed samples, which the HTJ2K decoder here does not decode correctly; ask the PACS for another transfer syntax`);
  return wasmDecode(encoding, frame, h, what);
}
