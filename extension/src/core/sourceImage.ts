/** Stored pixel values and the attributes needed to turn them into what the radiologist sees. */

export type PhotometricInterpretation =
  | 'MONOCHROME1'
  | 'MONOCHROME2'
  | 'RGB'
  | 'YBR_FULL'
  | 'YBR_FULL_422'
  | 'PALETTE COLOR';

export type StoredPixels = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array;

export interface Window {
  center: number;
  width: number;
  /** DICOM VOI LUT Function (0028,1056): LINEAR unless given. */
  function?: VoiFunction;
}

/** The VOI LUT functions of PS3.3 C.11.2.1.2: how a window maps values to grey levels. */
export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
export const VOI_FUNCTIONS: readonly VoiFunction[] = ['LINEAR', 'LINEAR_EXACT', 'SIGMOID'];

/** One palette colour LUT (DICOM C.7.6.3.1.5): descriptor [entries, first mapped value, bits per entry] and data. */
export interface PaletteLut {
  descriptor: [number, number, number];
  data: Uint8Array | Uint16Array;
}

export interface SourceImage {
  pixelData: StoredPixels;
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  bitsAllocated: 8 | 16 | 32;
  bitsStored: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  photometricInterpretation: PhotometricInterpretation;
  /** 0: colour-by-pixel (RGBRGB...), 1: colour-by-plane (RR..GG..BB..). */
  planarConfiguration?: 0 | 1;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  /** The window the user is looking at; wins over everything else. */
  voi?: Window;
  /** The window stored in the DICOM header (first of several). */
  dicomWindow?: Window;
  palette?: { red: PaletteLut; green: PaletteLut; blue: PaletteLut };
}

/** Raised for input that cannot be turned into a model input; the message names the field and what was expected. */
export class SourceImageError extends Error {
  override name = 'SourceImageError';
}
