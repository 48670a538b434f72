import { toDisplay } from '../../extension/src/core/pixels';
import { SourceImage, SourceImageError } from '../../extension/src/core/sourceImage';

const mono = (over: Partial<SourceImage>): SourceImage => ({
  pixelData: new Uint8Array(0),
  rows: 1,
  columns: over.pixelData ? over.pixelData.length / (over.samplesPerPixel ?? 1) : 1,
  samplesPerPixel: 1,
  bitsAllocated: 8,
  bitsStored: 8,
  pixelRepresentation: 0,
  photometricInterpretation: 'MONOCHROME2',
  ...over,
});

const grey = (img: SourceImage) => {
  const d = toDisplay(img).data;
  return Array.from({ length: d.length / 3 }, (_, i) => d[3 * i]);
};
const rgb = (img: SourceImage) => Array.from(toDisplay(img).data);

describe('display values from stored pixels', () => {
  it.each<[string, SourceImage, number[]]>([
    ['MONOCHROME2 uint8 is shown as stored', mono({ pixelData: Uint8Array.from([0, 100, 255]) }), [0, 100, 255]],
    ['MONOCHROME1 uint8 is inverted', mono({ pixelData: Uint8Array.from([0, 100, 255]), photometricInterpretation: 'MONOCHROME1' }), [255, 155, 0]],
    [
      'MONOCHROME2 uint16 12-bit without a window spans the data range',
      mono({ pixelData: Uint16Array.from([0, 2048, 4095]), bitsAllocated: 16, bitsStored: 12 }),
      [0, 128, 255],
    ],
    [
      'MONOCHROME1 uint16 with the DICOM window',
      mono({ pixelData: Uint16Array.from([0, 500, 1000]), bitsAllocated: 16, bitsStored: 16, dicomWindow: { center: 500, width: 1001 }, photometricInterpretation: 'MONOCHROME1' }),
      [255, 127, 0],
    ],
    [
      'int16 CT: rescale to HU, then the soft-tissue window 40/400',
      mono({ pixelData: Int16Array.from([0, 1024, 1064, 2000]), bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1, rescaleIntercept: -1024, dicomWindow: { center: 40, width: 400 } }),
      [0, 102, 128, 255],
    ],
    [
      "the user's window wins over the DICOM window",
      mono({ pixelData: Int16Array.from([0, 1024, 1064, 2000]), bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1, rescaleIntercept: -1024, dicomWindow: { center: 40, width: 400 }, voi: { center: 0, width: 4096 } }),
      [64, 128, 130, 188],
    ],
    [
      'signed 12-bit in 16 bits: high bits (overlays) dropped, sign extended from bit 11',
      mono({ pixelData: Int16Array.from([-2048 /* 0xF800 */, 0x17ff]), bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1, voi: { center: 0, width: 4096 } }),
      [0, 255],
    ],
    ['int8 signed, data range', mono({ pixelData: Int8Array.from([-128, 0, 127]), pixelRepresentation: 1 }), [0, 128, 255]],
    ['a flat image maps to one grey level, without dividing by zero', mono({ pixelData: Uint16Array.from([700, 700]), bitsAllocated: 16, bitsStored: 16 }), [128, 128]],
  ])('%s', (_, img, expected) => {
    expect(grey(img)).toEqual(expected);
  });

  const colour = (over: Partial<SourceImage>) => mono({ samplesPerPixel: 3, photometricInterpretation: 'RGB', ...over });
  it.each<[string, SourceImage, number[]]>([
    ['RGB interleaved', colour({ pixelData: Uint8Array.from([10, 20, 30, 40, 50, 60]) }), [10, 20, 30, 40, 50, 60]],
    ['RGB planar', colour({ pixelData: Uint8Array.from([10, 40, 20, 50, 30, 60]), planarConfiguration: 1 }), [10, 20, 30, 40, 50, 60]],
    ['RGB 16-bit scaled to 8', colour({ pixelData: Uint16Array.from([65535, 0, 32768]), bitsAllocated: 16, bitsStored: 16 }), [255, 0, 128]],
    ['YBR_FULL grey stays grey', colour({ pixelData: Uint8Array.from([128, 128, 128]), photometricInterpretation: 'YBR_FULL' }), [128, 128, 128]],
    ['YBR_FULL red', colour({ pixelData: Uint8Array.from([76, 85, 255]), photometricInterpretation: 'YBR_FULL' }), [254, 0, 0]],
    ['YBR_FULL_422 (decoded to full samples) converts alike', colour({ pixelData: Uint8Array.from([76, 85, 255]), photometricInterpretation: 'YBR_FULL_422' }), [254, 0, 0]],
    [
      'PALETTE COLOR with 16-bit LUT entries',
      mono({
        pixelData: Uint8Array.from([1, 3]),
        photometricInterpretation: 'PALETTE COLOR',
        palette: {
          red: { descriptor: [4, 0, 16], data: Uint16Array.from([0, 65535, 0, 32768]) },
          green: { descriptor: [4, 0, 16], data: Uint16Array.from([0, 0, 65535, 0]) },
          blue: { descriptor: [4, 0, 16], data: Uint16Array.from([0, 0, 0, 65535]) },
        },
      }),
      [255, 0, 0, 128, 0, 255],
    ],
    [
      'PALETTE COLOR: indices below the first mapped value take the first entry',
      mono({
        pixelData: Uint16Array.from([5, 100]),
        bitsAllocated: 16,
        bitsStored: 16,
        photometricInterpretation: 'PALETTE COLOR',
        palette: {
          red: { descriptor: [2, 10, 8], data: Uint8Array.from([7, 9]) },
          green: { descriptor: [2, 10, 8], data: Uint8Array.from([1, 2]) },
          blue: { descriptor: [2, 10, 8], data: Uint8Array.from([3, 4]) },
        },
      }),
      [7, 1, 3, 9, 2, 4],
    ],
  ])('%s', (_, img, expected) => {
    expect(rgb(img)).toEqual(expected);
  });

  it.each<[string, Partial<SourceImage>, RegExp]>([
    ['too few pixels', { pixelData: new Uint8Array(3), rows: 2, columns: 2 }, /pixel data holds 3 values; 2x2x1 needs 4/],
    ['RGB with one sample', { pixelData: new Uint8Array(4), photometricInterpretation: 'RGB', columns: 4 }, /RGB needs samplesPerPixel 3, got 1/],
    ['an unknown colour model', { pixelData: new Uint8Array(1), photometricInterpretation: 'HSV' as never }, /photometric interpretation "HSV" is not supported/],
    ['bitsStored above bitsAllocated', { pixelData: new Uint8Array(1), bitsStored: 12 }, /bitsStored 12 must be between 1 and bitsAllocated 8/],
    ['PALETTE COLOR without its LUTs', { pixelData: new Uint8Array(1), photometricInterpretation: 'PALETTE COLOR' }, /needs the red, green and blue palette LUTs/],
    ['a zero-width window', { pixelData: new Uint8Array(1), voi: { center: 10, width: 0 } }, /window needs a finite center and width >= 1/],
  ])('rejects %s with a message naming the field', (_, over, message) => {
    expect(() => toDisplay(mono(over))).toThrow(SourceImageError);
    expect(() => toDisplay(mono(over))).toThrow(message);
  });
});
