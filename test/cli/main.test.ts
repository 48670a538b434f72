import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tempDir';
import { readSeg } from '../../extension/src/seg/readSeg';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { main } from '../../cli/main';
import { ct, dicomFile } from '../helpers/dicom';


const MODEL = join(__dirname, '../fixtures/cmunext-s-random');
/** Three BUSI cases kept in the repository (test/fixtures/busi/README.md). */
const BUSI = join(__dirname, '../fixtures/busi');

async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((m) => out.push(String(m)));
  const error = jest.spyOn(console, 'error').mockImplementation((m) => err.push(String(m)));
  try {
    return { code: await main(args), out, err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const tmp = tempDir('cli');

/** A CT slice cut off before its pixels, as an interrupted copy leaves it. */
function truncatedDicom(): string {
  const path = join(tmp, 'truncated.dcm');
  const whole = dicomFile(ct(new Int16Array(24 * 40), 24, 40));
  writeFileSync(path, whole.subarray(0, whole.length - 24 * 40 * 2 - 40));
  return path;
}

describe('cmunext CLI', () => {
  it('segments a DICOM CT slice into a PNG mask on its native grid', async () => {
    const pixels = Int16Array.from({ length: 40 * 24 }, (_, i) => (i % 40 < 20 ? 1000 : 1100));
    const input = join(tmp, 'ct.dcm');
    writeFileSync(input, dicomFile(ct(pixels, 24, 40)));
    const out = join(tmp, 'masks', 'ct.png');
    const r = await run('segment', '--model', MODEL, '--input', input, '--out', out, '--backend', 'wasm');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/40x24 mask, \d+ foreground pixels .* cmunext-s-random 0\.1\.0 on wasm, transforms identity, inference \d+ ms/);
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([40, 24]);
    expect(new Set(Array.from({ length: 40 * 24 }, (_, i) => png.data[4 * i])).size).toBeLessThanOrEqual(2);
  });

  it('writes a DICOM SEG over a DICOM source, the same mask as the PNG, and nothing when the mask is empty', async () => {
    const input = join(tmp, 'ct.dcm');
    const seg = join(tmp, 'out', 'ct-seg.dcm');
    const r = await run('segment', '--model', MODEL, '--input', input, '--out', seg, '--creator', 'Doe^Jane');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/ct-seg\.dcm: 40x24 DICOM SEG/);
    const back = readSeg(readFileSync(seg));
    expect(back.segments[0]).toMatchObject({ label: 'Breast lesion', algorithmType: 'AUTOMATIC', algorithmParameters: { backend: 'cpu', threshold: '0.5', test_time_augmentation: 'identity' } });
    expect(back.contentCreatorName).toBe('Doe^Jane');
    expect(back.frames[0].sourceSopInstanceUID).toBe('2.25.100');
    const png = PNG.sync.read(readFileSync(join(tmp, 'masks', 'ct.png')));
    expect(Array.from(back.frames[0].mask)).toEqual(Array.from({ length: 40 * 24 }, (_, i) => (png.data[4 * i] ? 1 : 0)));

    const mirrored = join(tmp, 'out', 'ct-seg-mirrored.dcm');
    expect((await run('segment', '--model', MODEL, '--input', input, '--out', mirrored, '--tta', 'identity,hflip')).out[0]).toMatch(/transforms identity\+hflip/);
    expect(readSeg(readFileSync(mirrored)).segments[0].algorithmParameters).toMatchObject({ test_time_augmentation: 'identity+hflip' });

    const none = await run('segment', '--model', MODEL, '--input', input, '--out', join(tmp, 'out', 'none.dcm'), '--threshold', '0.99999999');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/every mask is empty: there is nothing to store/);
    expect(existsSync(join(tmp, 'out', 'none.dcm'))).toBe(false);
  });

  it('segments a JPEG photograph-like input (colour, 8-bit)', async () => {
    const width = 48;
    const height = 32;
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([(i * 7) % 256, (i * 3) % 256, 90, 255], 4 * i);
    const input = join(tmp, 'photo.jpg');
    writeFileSync(input, jpeg.encode({ data: rgba, width, height }, 90).data);
    const out = join(tmp, 'photo-mask.png');
    const r = await run('segment', '--model', MODEL, '--input', input, '--out', out);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/photo-mask\.png: 48x32 mask/);
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([48, 32]);
  });

  it("evaluates with the paper's protocol and ends with one JSON line", async () => {
    const images = join(tmp, 'images');
    const masks = join(tmp, 'masks256');
    mkdirSync(images);
    mkdirSync(masks);
    const names = ['benign (10).png', 'malignant (1).png', 'benign (100).png'];
    for (const n of names) {
      copyFileSync(join(BUSI, 'images256', n), join(images, n));
      copyFileSync(join(BUSI, 'masks256', n), join(masks, n));
    }
    const r = await run('evaluate', '--model', MODEL, '--images', images, '--masks', masks, '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out[r.out.length - 1]);
    expect(Object.keys(summary)).toEqual(['n', 'iou', 'f1', 'transforms']);
    expect(summary.transforms).toEqual(['identity']);
    expect(r.err).toMatch(/transforms identity \(the manifest's\)/);
    expect(summary.n).toBe(3);
    for (const k of ['iou', 'f1']) expect(summary[k]).toBeGreaterThanOrEqual(0);
    expect(summary.f1).toBeGreaterThanOrEqual(summary.iou);
    expect(summary.f1).toBeLessThanOrEqual(1);

    const listed = join(tmp, 'cases.txt');
    writeFileSync(listed, 'benign (10)\nmalignant (1)\n');
    const subset = await run('evaluate', '--model', MODEL, '--images', images, '--masks', masks, '--cases', listed, '--json');
    expect(JSON.parse(subset.out[subset.out.length - 1]).n).toBe(2);

    const mirrored = await run('evaluate', '--model', MODEL, '--images', images, '--masks', masks, '--tta', 'identity,hflip', '--json');
    expect(mirrored.err).toMatch(/transforms identity\+hflip \(--tta\)/);
    const averaged = JSON.parse(mirrored.out[mirrored.out.length - 1]);
    expect(averaged.transforms).toEqual(['identity', 'hflip']);
    expect(averaged.iou).not.toBe(summary.iou); // the mirror changed the predictions: it ran
  });

  it.each<[string, string[], number, RegExp]>([
    ['no command', [], 2, /^$/],
    ['an unknown command', ['train'], 2, /unknown command "train"/],
    ['a missing option', ['segment', '--input', 'x.png'], 2, /missing --model, --out/],
    ['an output that is neither PNG nor DICOM', ['segment', '--model', MODEL, '--input', 'x.png', '--out', 'x.txt'], 2, /give a \.png path for a mask image or a \.dcm path for a DICOM SEG/],
    ['a DICOM SEG for a PNG source', ['segment', '--model', MODEL, '--input', join(BUSI, 'images256/benign (10).png'), '--out', join(tmp, 'x.dcm')], 2, /a DICOM SEG references a DICOM source; .*benign \(10\)\.png is not DICOM/],
    ['a threshold out of range', ['segment', '--model', MODEL, '--input', 'x.png', '--out', 'x.png', '--threshold', '2'], 2, /--threshold must be between 0 and 1, got "2"/],
    ['an unknown backend', ['segment', '--backend', 'cuda'], 2, /--backend must be native or wasm, got cuda/],
    ['an unknown test-time transform', ['segment', '--model', MODEL, '--input', 'x.png', '--out', 'x.png', '--tta', 'identity,rot90'], 2, /--tta takes "none" or a comma-separated list of identity, hflip, vflip; got "identity,rot90"/],
    ['a test-time transform twice', ['evaluate', '--model', MODEL, '--images', tmp, '--masks', tmp, '--tta', 'hflip,hflip'], 2, /--tta names a transform twice: "hflip,hflip"/],
    ['an unreadable input', ['segment', '--model', MODEL, '--input', '/nonexistent.png', '--out', join(tmp, 'x.png')], 1, /\/nonexistent\.png: cannot read \(ENOENT\)/],
    ['a model folder without a manifest', ['segment', '--model', tmp, '--input', join(BUSI, 'images256/benign (10).png'), '--out', join(tmp, 'x.png')], 1, /cannot read .*manifest\.json \(ENOENT\)/],
    ['a case list that is not there', ['evaluate', '--model', MODEL, '--images', join(BUSI, 'images256'), '--masks', join(BUSI, 'masks256'), '--cases', '/nonexistent.txt'], 1, /^cmunext: \/nonexistent\.txt: cannot read \(ENOENT\)$/],
    ['an images folder that is not there', ['evaluate', '--model', MODEL, '--images', '/nonexistent', '--masks', join(BUSI, 'masks256')], 1, /^cmunext: \/nonexistent: cannot read \(ENOENT\)$/],
    ['a truncated DICOM input', ['segment', '--model', MODEL, '--input', truncatedDicom(), '--out', join(tmp, 'x.png')], 1, /truncated\.dcm: dicomParser:parseDicomDataSetExplicit: buffer overrun \(the file is truncated or damaged\)$/],
    ['masks missing for some images', ['evaluate', '--model', MODEL, '--images', join(BUSI, 'images256'), '--masks', mkdtempSync(join(tmp, 'no-masks-'))], 2, /no mask for benign \(10\)\.png, benign \(100\)\.png, malignant \(1\)\.png$/m],
  ])('exits %s with a specific message', async (_, args, code, message) => {
    const r = await run(...args);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
  });
});
