/**
 * Every transfer syntax a PACS sends, decoded and compared with the uncompressed original it was made from by a
 * Debian tool (test/fixtures/codecs, written by scripts/make-codec-fixtures.ts): lossless ones exactly, lossy ones
 * within their error, and what the CLI cannot decode refused by name.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDicomImage } from '../../cli/dicomFile';
import { main } from '../../cli/main';
import { readSeg } from '../../extension/src/seg/readSeg';
import { tempDir } from '../helpers/tempDir';
import { toDisplay } from '../../extension/src/core/pixels';
import { SourceImage } from '../../extension/src/core/sourceImage';

const DIR = join(__dirname, '../fixtures/codecs');
const read = (name: string) => new Uint8Array(readFileSync(join(DIR, `${name}.dcm`)));
const FRAMES: Record<string, number> = { mono8: 2, rgb8: 1, palette8: 3, mono12: 1, ct16s: 1 };

/** Lossy: the largest and the mean difference of display values (0..255) allowed against the original. */
type Expect = 'exact' | { max: number; mean: number };

// [fixture, transfer syntax, expected, photometric interpretation after decoding]
const CASES: [string, string, Expect, string][] = [
  ['mono8.big-endian', '1.2.840.10008.1.2.2', 'exact', 'MONOCHROME2'],
  ['mono8.deflate', '1.2.840.10008.1.2.1.99', 'exact', 'MONOCHROME2'],
  ['mono8.rle', '1.2.840.10008.1.2.5', 'exact', 'MONOCHROME2'],
  ['mono8.jpeg-baseline', '1.2.840.10008.1.2.4.50', { max: 24, mean: 4 }, 'MONOCHROME2'],
  ['mono8.jpeg-extended', '1.2.840.10008.1.2.4.51', { max: 24, mean: 4 }, 'MONOCHROME2'],
  ['mono8.jpeg-lossless-p14', '1.2.840.10008.1.2.4.57', 'exact', 'MONOCHROME2'],
  ['mono8.jpeg-lossless-sv1', '1.2.840.10008.1.2.4.70', 'exact', 'MONOCHROME2'],
  ['mono8.jpeg-ls', '1.2.840.10008.1.2.4.80', 'exact', 'MONOCHROME2'],
  ['mono8.jpeg-ls-near', '1.2.840.10008.1.2.4.81', { max: 2, mean: 2 }, 'MONOCHROME2'],
  ['mono8.j2k', '1.2.840.10008.1.2.4.90', 'exact', 'MONOCHROME2'],
  ['mono8.j2k-lossy', '1.2.840.10008.1.2.4.91', { max: 24, mean: 4 }, 'MONOCHROME2'],
  ['mono8.htj2k', '1.2.840.10008.1.2.4.201', 'exact', 'MONOCHROME2'],
  ['mono8.htj2k-rpcl', '1.2.840.10008.1.2.4.202', 'exact', 'MONOCHROME2'],
  ['mono8.htj2k-lossy', '1.2.840.10008.1.2.4.203', { max: 8, mean: 2 }, 'MONOCHROME2'],
  ['rgb8.big-endian', '1.2.840.10008.1.2.2', 'exact', 'RGB'],
  ['rgb8.rle', '1.2.840.10008.1.2.5', 'exact', 'RGB'],
  ['rgb8.jpeg-baseline-422', '1.2.840.10008.1.2.4.50', { max: 80, mean: 5 }, 'RGB'],
  ['rgb8.jpeg-baseline-ybr', '1.2.840.10008.1.2.4.50', { max: 40, mean: 3 }, 'RGB'],
  ['rgb8.jpeg-baseline-rgb', '1.2.840.10008.1.2.4.50', { max: 40, mean: 3 }, 'RGB'],
  ['rgb8.jpeg-lossless-sv1', '1.2.840.10008.1.2.4.70', 'exact', 'RGB'],
  ['rgb8.jpeg-ls', '1.2.840.10008.1.2.4.80', 'exact', 'RGB'],
  ['rgb8.jpeg-ls-line', '1.2.840.10008.1.2.4.80', 'exact', 'RGB'],
  ['rgb8.jpeg-ls-planar', '1.2.840.10008.1.2.4.80', 'exact', 'RGB'],
  ['rgb8.j2k', '1.2.840.10008.1.2.4.90', 'exact', 'RGB'],
  ['rgb8.htj2k', '1.2.840.10008.1.2.4.201', 'exact', 'RGB'],
  ['palette8.rle', '1.2.840.10008.1.2.5', 'exact', 'PALETTE COLOR'],
  ['palette8.big-endian', '1.2.840.10008.1.2.2', 'exact', 'PALETTE COLOR'],
  ['mono12.big-endian', '1.2.840.10008.1.2.2', 'exact', 'MONOCHROME2'],
  ['mono12.rle', '1.2.840.10008.1.2.5', 'exact', 'MONOCHROME2'],
  ['mono12.jpeg-lossless-sv1', '1.2.840.10008.1.2.4.70', 'exact', 'MONOCHROME2'],
  ['mono12.jpeg-ls', '1.2.840.10008.1.2.4.80', 'exact', 'MONOCHROME2'],
  ['mono12.j2k', '1.2.840.10008.1.2.4.90', 'exact', 'MONOCHROME2'],
  ['mono12.htj2k', '1.2.840.10008.1.2.4.201', 'exact', 'MONOCHROME2'],
  ['ct16s.big-endian', '1.2.840.10008.1.2.2', 'exact', 'MONOCHROME2'],
  ['ct16s.rle', '1.2.840.10008.1.2.5', 'exact', 'MONOCHROME2'],
  ['ct16s.jpeg-lossless-sv1', '1.2.840.10008.1.2.4.70', 'exact', 'MONOCHROME2'],
  ['ct16s.jpeg-ls', '1.2.840.10008.1.2.4.80', 'exact', 'MONOCHROME2'],
  ['ct16s.j2k', '1.2.840.10008.1.2.4.90', 'exact', 'MONOCHROME2'],
];

/** Samples colour-by-pixel, whatever order the decoder gave. */
function interleaved(img: SourceImage): number[] {
  const px = Array.from(img.pixelData);
  if (img.planarConfiguration !== 1 || img.samplesPerPixel === 1) return px;
  const n = img.rows * img.columns;
  return Array.from({ length: n * 3 }, (_, i) => px[(i % 3) * n + Math.floor(i / 3)]);
}

describe('reading every transfer syntax', () => {
  it('covers every fixture the generator writes', () => {
    const written = readFileSync(join(__dirname, '../../scripts/make-codec-fixtures.ts'), 'utf8').match(/^ {2}\['[a-z0-9.-]+', '[a-z0-9]+'/gm) ?? [];
    expect(written.map((line) => line.slice(4, line.indexOf("'", 4))).sort()).toEqual(
      [...CASES.map(([name]) => name), 'mono12.jpeg-extended-12bit', 'ct16s.htj2k'].sort(),
    );
  });

  it.each(CASES)('%s (%s)', async (name, transferSyntax, expected, photometric) => {
    const bytes = read(name);
    expect(Buffer.from(bytes).includes(Buffer.from(transferSyntax))).toBe(true);
    const original = name.split('.')[0];
    for (let frame = 0; frame < FRAMES[original]; frame++) {
      const got = await readDicomImage(bytes, frame);
      const want = await readDicomImage(read(original), frame);
      expect(got.photometricInterpretation).toBe(photometric);
      expect([got.rows, got.columns, got.samplesPerPixel, got.pixelData.constructor]).toEqual([want.rows, want.columns, want.samplesPerPixel, want.pixelData.constructor]);
      const [a, b] = [toDisplay(got).data, toDisplay(want).data];
      let max = 0;
      let sum = 0;
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i] - b[i]);
        max = Math.max(max, d);
        sum += d;
      }
      if (expected === 'exact') {
        expect(interleaved(got)).toEqual(interleaved(want));
        expect(max).toBe(0);
      } else {
        expect(max).toBeLessThanOrEqual(expected.max);
        expect(sum / a.length).toBeLessThanOrEqual(expected.mean);
        expect(max).toBeGreaterThan(0); // lossy indeed: the comparison can tell
      }
    }
  });

  it('refuses 12-bit JPEG Extended by name', async () => {
    await expect(readDicomImage(read('mono12.jpeg-extended-12bit'), 0)).rejects.toThrow(
      'frame 1 (JPEG Extended (Process 2 & 4) (1.2.840.10008.1.2.4.51)) holds 12-bit JPEG (12-bit JPEG Extended is not supported',
    );
  });

  it('refuses signed HTJ2K, which the WebAssembly decoder clamps (OpenJPH ojph_expand decodes the same file exactly)', async () => {
    await expect(readDicomImage(read('ct16s.htj2k'), 0)).rejects.toThrow('frame 1 (HTJ2K Lossless (1.2.840.10008.1.2.4.201)) holds signed samples');
  });

  it('names a damaged codestream and a frame that is not there', async () => {
    const bytes = read('mono8.j2k');
    const at = Buffer.from(bytes).indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51])); // SOC, SIZ
    expect(at).toBeGreaterThan(0);
    bytes.fill(0x5a, at, at + 40);
    // OpenJPEG reads the garbage as a huge image; the frame is refused either way, by name.
    await expect(readDicomImage(bytes, 0)).rejects.toThrow(/^frame 1 \(JPEG 2000 Lossless \(1\.2\.840\.10008\.1\.2\.4\.90\)\)(: cannot be decoded| holds a \d+x\d+ image .* the header says 80x64 of 1)/);
    const rle = read('mono8.rle');
    rle[Buffer.from(rle).indexOf(Buffer.from([1, 0, 0, 0, 64, 0, 0, 0]))] = 3; // the RLE header: three segments claimed
    await expect(readDicomImage(rle, 0)).rejects.toThrow('RLE frame holds 3 segment(s); 1 sample(s) of 8 bits need 1');
    // The decoder is still usable after a failure.
    expect((await readDicomImage(read('mono8.j2k'), 1)).rows).toBe(64);
    await expect(readDicomImage(read('mono8.rle'), 2)).rejects.toThrow('frame 3 requested; the image has 2 frame(s)');
  });
});

describe('cmunext segment from every transfer syntax', () => {
  const out = tempDir('codec-segs');
  const MODEL = join(__dirname, '../../models/cmunext-s-busi');

  async function segment(name: string): Promise<{ code: number; seg: string }> {
    const seg = join(out, `${name}.seg.dcm`);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      return { code: await main(['segment', '--model', MODEL, '--input', join(DIR, `${name}.dcm`), '--out', seg]), seg };
    } finally {
      log.mockRestore();
    }
  }

  const masks = new Map<string, Uint8Array>();
  beforeAll(async () => {
    for (const original of Object.keys(FRAMES)) {
      const { code, seg } = await segment(original);
      expect(code).toBe(0);
      masks.set(original, readSeg(readFileSync(seg)).frames[0].mask);
    }
  });

  it.each(CASES)('%s: a dciodvfy-clean SEG, the original\'s mask where lossless, lossy history kept', async (name, _ts, expected) => {
    if (!existsSync('/usr/bin/dciodvfy')) throw new Error('dicom3tools not installed (apt-get install dicom3tools)');
    const { code, seg } = await segment(name);
    expect(code).toBe(0);
    const iod = spawnSync('dciodvfy', ['-new', seg], { encoding: 'utf8' });
    expect((iod.stdout + iod.stderr).split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
    const back = readSeg(readFileSync(seg));
    expect(back.dataset.LossyImageCompression).toBe(expected === 'exact' ? '00' : '01');
    if (expected === 'exact') expect(back.frames[0].mask).toEqual(masks.get(name.split('.')[0]));
  });
});
