import { writePart10 } from '../../extension/src/dicom/part10';

/** A DICOM Part 10 file from a naturalized dataset (small fixtures made inside the tests). */
export function dicomFile(dataset: Record<string, unknown>, transferSyntax?: string): Buffer {
  return Buffer.from(writePart10({ _vrMap: { PixelData: 'OW' }, ...dataset }, transferSyntax));
}

/** Patient and study shared by every generated source, so SEGs can be checked against them (dcentvfy). */
export const PATIENT_STUDY = {
  PatientName: 'Test^Breast',
  PatientID: 'CMUNEXT-TEST-1',
  PatientBirthDate: '19700101',
  PatientSex: 'F',
  StudyInstanceUID: '2.25.1000',
  StudyDate: '20260101',
  StudyTime: '101010',
  StudyID: '1',
  AccessionNumber: 'A1',
  ReferringPhysicianName: '',
};

const common = (sopClass: string, sop: string, series: string, modality: string) => ({
  ...PATIENT_STUDY,
  SpecificCharacterSet: 'ISO_IR 192',
  SOPClassUID: sopClass,
  SOPInstanceUID: sop,
  SeriesInstanceUID: series,
  SeriesNumber: 1,
  InstanceNumber: 1,
  Modality: modality,
  Manufacturer: 'Test',
  PatientOrientation: '',
  ContentDate: '20260101',
  ContentTime: '101010',
});

/** Ultrasound Image Storage, RGB, single frame. */
export const usImage = (sop: string, rgb: Uint8Array, rows: number, columns: number) => ({
  ...common('1.2.840.10008.5.1.4.1.1.6.1', sop, '2.25.1001', 'US'),
  ImageType: ['ORIGINAL', 'PRIMARY'],
  Rows: rows,
  Columns: columns,
  SamplesPerPixel: 3,
  PlanarConfiguration: 0,
  PhotometricInterpretation: 'RGB',
  BitsAllocated: 8,
  BitsStored: 8,
  HighBit: 7,
  PixelRepresentation: 0,
  PixelData: [new Uint8Array(rgb).buffer],
  _vrMap: { PixelData: 'OB' },
});

/** Ultrasound Multi-frame Image Storage (cine), monochrome or RGB; frames concatenated as given. */
export const usCine = (sop: string, frames: Uint8Array[], rows: number, columns: number, colour: 'MONOCHROME2' | 'RGB' = 'MONOCHROME2') => ({
  ...common('1.2.840.10008.5.1.4.1.1.3.1', sop, '2.25.1002', 'US'),
  ImageType: ['ORIGINAL', 'PRIMARY'],
  Rows: rows,
  Columns: columns,
  NumberOfFrames: String(frames.length),
  FrameTime: '33.3',
  FrameIncrementPointer: 0x00181063,
  SamplesPerPixel: colour === 'RGB' ? 3 : 1,
  ...(colour === 'RGB' ? { PlanarConfiguration: 0 } : {}),
  PhotometricInterpretation: colour,
  BitsAllocated: 8,
  BitsStored: 8,
  HighBit: 7,
  PixelRepresentation: 0,
  PixelData: [new Uint8Array(Buffer.concat(frames)).buffer], // a copy: a Buffer's .buffer may be a shared pool
  _vrMap: { PixelData: 'OB' },
});

/** Image Pixel attributes of a 16-bit monochrome image, signed (1) or not (0). */
const monochrome16 = (rows: number, columns: number, pixelRepresentation: 0 | 1) => ({
  Rows: rows,
  Columns: columns,
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
  BitsAllocated: 16,
  BitsStored: 16,
  HighBit: 15,
  PixelRepresentation: pixelRepresentation,
});

/** CT Image Storage slice with plane geometry. */
export const ctSlice = (sop: string, z: number, pixels: Int16Array, rows: number, columns: number) => ({
  ...common('1.2.840.10008.5.1.4.1.1.2', sop, '2.25.1003', 'CT'),
  ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
  FrameOfReferenceUID: '2.25.1004',
  PositionReferenceIndicator: '',
  ImagePositionPatient: [-10, -10, z],
  ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
  PixelSpacing: [0.5, 0.5],
  SliceThickness: 2,
  KVP: '120',
  ...monochrome16(rows, columns, 1),
  RescaleIntercept: '-1024',
  RescaleSlope: '1',
  PixelData: [new Int16Array(pixels).buffer],
});

/**
 * Enhanced MR Image Storage, one frame a slice at the given z: each frame's position in its per-frame functional
 * group, orientation and pixel measures stated once in the shared one.
 */
export const enhancedMr = (sop: string, zs: number[], rows: number, columns: number) => ({
  ...common('1.2.840.10008.5.1.4.1.1.4.1', sop, '2.25.1006', 'MR'),
  ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'NONE'],
  FrameOfReferenceUID: '2.25.1004',
  PositionReferenceIndicator: '',
  NumberOfFrames: String(zs.length),
  SharedFunctionalGroupsSequence: [{
    PlaneOrientationSequence: [{ ImageOrientationPatient: [1, 0, 0, 0, 1, 0] }],
    PixelMeasuresSequence: [{ PixelSpacing: [0.5, 0.5], SliceThickness: 3 }],
  }],
  PerFrameFunctionalGroupsSequence: zs.map((z) => ({ PlanePositionSequence: [{ ImagePositionPatient: [-10, -10, z] }] })),
  ...monochrome16(rows, columns, 0),
  PixelData: [new Uint16Array(rows * columns * zs.length).fill(500).buffer],
});

/** Secondary Capture Image Storage, monochrome photograph-like image. */
export const secondaryCapture = (sop: string, grey: Uint8Array, rows: number, columns: number) => ({
  ...common('1.2.840.10008.5.1.4.1.1.7', sop, '2.25.1005', 'OT'),
  ConversionType: 'WSD',
  Rows: rows,
  Columns: columns,
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
  BitsAllocated: 8,
  BitsStored: 8,
  HighBit: 7,
  PixelRepresentation: 0,
  PixelData: [new Uint8Array(grey).buffer],
  _vrMap: { PixelData: 'OB' },
});

/** A CT slice with a stored window (40/400, then 300/1500) over the rescaled values. */
export const ct = (pixels: Int16Array, rows: number, columns: number) => ({
  ...ctSlice('2.25.100', 0, pixels, rows, columns),
  WindowCenter: ['40', '300'],
  WindowWidth: ['400', '1500'],
});

/** A naturalized dataset without its pixels: what the SEG writer gets from OHIF's metadata or a parsed file. */
export function metadataOf(dataset: Record<string, unknown>): any {
  const { PixelData: _p, _vrMap: _v, ...rest } = dataset;
  return rest;
}
