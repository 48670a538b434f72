import { readDicomImage } from '../../cli/dicomFile';
import { ct, dicomFile, usCine } from '../helpers/dicom';

describe('DICOM input', () => {
  it('reads a signed CT slice with its rescale and first window', async () => {
    const img = await readDicomImage(dicomFile(ct(Int16Array.from([0, 1024, 1064, 2000]), 2, 2)), 0);
    expect(img).toMatchObject({ rows: 2, columns: 2, bitsAllocated: 16, pixelRepresentation: 1, rescaleIntercept: -1024, rescaleSlope: 1, dicomWindow: { center: 40, width: 400 } });
    expect(Array.from(img.pixelData)).toEqual([0, 1024, 1064, 2000]);
    expect(img.pixelData).toBeInstanceOf(Int16Array);
  });

  it('reads the requested frame of an RGB cine', async () => {
    const frames = [0, 1, 2].map((f) => new Uint8Array(2 * 3 * 3).fill(10 * (f + 1)));
    const file = dicomFile(usCine('2.25.200', frames, 2, 3, 'RGB'));
    const img = await readDicomImage(file, 1);
    expect(img).toMatchObject({ rows: 2, columns: 3, samplesPerPixel: 3, photometricInterpretation: 'RGB' });
    expect(new Set(img.pixelData)).toEqual(new Set([20]));
    await expect(readDicomImage(file, 3)).rejects.toThrow('frame 4 requested; the image has 3 frame(s)');
  });

  it('reads native YBR_FULL_422 (Y1 Y2 Cb Cr a pair of pixels) as the YBR_FULL image it subsamples', async () => {
    // Two frames of 2x4: pixel values name their frame, row and column; each pair's chroma names the pair.
    const y = (f: number, r: number, c: number) => 16 + 100 * f + 10 * r + c;
    const pairOf = (f: number, r: number, p: number) => [y(f, r, 2 * p), y(f, r, 2 * p + 1), 60 + 10 * f + 2 * r + p, 200 - 10 * f - 2 * r - p];
    const frames422 = [0, 1].map((f) => Uint8Array.from([0, 1].flatMap((r) => [0, 1].flatMap((p) => pairOf(f, r, p)))));
    const frames444 = [0, 1].map((f) => Uint8Array.from([0, 1].flatMap((r) => [0, 1, 2, 3].flatMap((c) => {
      const [, , cb, cr] = pairOf(f, r, c >> 1);
      return [y(f, r, c), cb, cr];
    }))));
    const as = (pi: string, frames: Uint8Array[]) => dicomFile({ ...usCine('2.25.210', frames, 2, 4, 'RGB'), PhotometricInterpretation: pi });
    const img = await readDicomImage(as('YBR_FULL_422', frames422), 1);
    expect(img).toMatchObject({ rows: 2, columns: 4, samplesPerPixel: 3, photometricInterpretation: 'YBR_FULL', planarConfiguration: 0 });
    expect(Array.from(img.pixelData)).toEqual(Array.from(frames444[1]));
    expect(img.pixelData).toEqual((await readDicomImage(as('YBR_FULL', frames444), 1)).pixelData);
    await expect(readDicomImage(dicomFile({ ...usCine('2.25.211', [new Uint8Array(12)], 2, 3, 'RGB'), PhotometricInterpretation: 'YBR_FULL_422' }), 0)).rejects.toThrow('YBR_FULL_422 needs an even number of columns, got 3');
  });

  it('says when Pixel Data does not match its compressed transfer syntax, and names a video or an unknown one', async () => {
    const file = dicomFile(ct(Int16Array.from([1, 2, 3, 4]), 2, 2), '1.2.840.10008.1.2.4.50');
    await expect(readDicomImage(file, 0)).rejects.toThrow('frame 1 (JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50)) holds no JPEG frame header (SOF marker): the data is damaged or not JPEG');
    const video = dicomFile(ct(Int16Array.from([1, 2, 3, 4]), 2, 2), '1.2.840.10008.1.2.4.102');
    await expect(readDicomImage(video, 0)).rejects.toThrow('MPEG-4 AVC/H.264 video (1.2.840.10008.1.2.4.102) holds a video stream, not image frames');
    const unknown = dicomFile(ct(Int16Array.from([1, 2, 3, 4]), 2, 2), '1.2.840.10008.1.2.4.52');
    await expect(readDicomImage(unknown, 0)).rejects.toThrow('transfer syntax 1.2.840.10008.1.2.4.52 is not one this reader decodes');
  });

  it('says when there is no image', async () => {
    const { PixelData: _, ...noPixels } = ct(Int16Array.from([1]), 1, 1);
    await expect(readDicomImage(dicomFile(noPixels), 0)).rejects.toThrow('no Pixel Data (7FE0,0010): not an image');
  });
});
