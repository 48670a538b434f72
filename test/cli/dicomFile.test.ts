import { readDicomImage } from '../../cli/dicomFile';
import { ct, dicomFile, usCine } from '../helpers/dicom';

describe('DICOM input', () => {
  it('reads a signed CT slice with its rescale and first window', () => {
    const img = readDicomImage(dicomFile(ct(Int16Array.from([0, 1024, 1064, 2000]), 2, 2)), 0);
    expect(img).toMatchObject({ rows: 2, columns: 2, bitsAllocated: 16, pixelRepresentation: 1, rescaleIntercept: -1024, rescaleSlope: 1, dicomWindow: { center: 40, width: 400 } });
    expect(Array.from(img.pixelData)).toEqual([0, 1024, 1064, 2000]);
    expect(img.pixelData).toBeInstanceOf(Int16Array);
  });

  it('reads the requested frame of an RGB cine', () => {
    const frames = [0, 1, 2].map((f) => new Uint8Array(2 * 3 * 3).fill(10 * (f + 1)));
    const file = dicomFile(usCine('2.25.200', frames, 2, 3, 'RGB'));
    const img = readDicomImage(file, 1);
    expect(img).toMatchObject({ rows: 2, columns: 3, samplesPerPixel: 3, photometricInterpretation: 'RGB' });
    expect(new Set(img.pixelData)).toEqual(new Set([20]));
    expect(() => readDicomImage(file, 3)).toThrow('frame 4 requested; the image has 3 frame(s)');
  });

  it('reads native YBR_FULL_422 (Y1 Y2 Cb Cr a pair of pixels) as the YBR_FULL image it subsamples', () => {
    // Two frames of 2x4: pixel values name their frame, row and column; each pair's chroma names the pair.
    const y = (f: number, r: number, c: number) => 16 + 100 * f + 10 * r + c;
    const pairOf = (f: number, r: number, p: number) => [y(f, r, 2 * p), y(f, r, 2 * p + 1), 60 + 10 * f + 2 * r + p, 200 - 10 * f - 2 * r - p];
    const frames422 = [0, 1].map((f) => Uint8Array.from([0, 1].flatMap((r) => [0, 1].flatMap((p) => pairOf(f, r, p)))));
    const frames444 = [0, 1].map((f) => Uint8Array.from([0, 1].flatMap((r) => [0, 1, 2, 3].flatMap((c) => {
      const [, , cb, cr] = pairOf(f, r, c >> 1);
      return [y(f, r, c), cb, cr];
    }))));
    const as = (pi: string, frames: Uint8Array[]) => dicomFile({ ...usCine('2.25.210', frames, 2, 4, 'RGB'), PhotometricInterpretation: pi });
    const img = readDicomImage(as('YBR_FULL_422', frames422), 1);
    expect(img).toMatchObject({ rows: 2, columns: 4, samplesPerPixel: 3, photometricInterpretation: 'YBR_FULL', planarConfiguration: 0 });
    expect(Array.from(img.pixelData)).toEqual(Array.from(frames444[1]));
    expect(img.pixelData).toEqual(readDicomImage(as('YBR_FULL', frames444), 1).pixelData);
    expect(() => readDicomImage(dicomFile({ ...usCine('2.25.211', [new Uint8Array(12)], 2, 3, 'RGB'), PhotometricInterpretation: 'YBR_FULL_422' }), 0))
      .toThrow('YBR_FULL_422 needs an even number of columns, got 3');
  });

  it('names a compressed transfer syntax instead of decoding garbage', () => {
    const file = dicomFile(ct(Int16Array.from([1, 2, 3, 4]), 2, 2), '1.2.840.10008.1.2.4.50');
    expect(() => readDicomImage(file, 0)).toThrow(/transfer syntax 1\.2\.840\.10008\.1\.2\.4\.50 is compressed/);
  });

  it('says when there is no image', () => {
    const { PixelData: _, ...noPixels } = ct(Int16Array.from([1]), 1, 1);
    expect(() => readDicomImage(dicomFile(noPixels), 0)).toThrow('no Pixel Data (7FE0,0010): not an image');
  });
});
