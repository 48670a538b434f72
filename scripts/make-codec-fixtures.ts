/**
 * Writes test/fixtures/codecs/: five small uncompressed originals made from a BUSI case, and each one encoded in the
 * transfer syntaxes a PACS sends, by Debian's own tools (dcmtk, gdcm, OpenJPH), so the CLI's decoders are tested
 * against encoders they were not written with.
 *
 *   apt-get install dcmtk libgdcm-tools openjph-tools
 *   npm run build && node dist-node/scripts/make-codec-fixtures.js
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePart10 } from '../extension/src/dicom/part10';
import { projectRoot } from './root';
import { greyImage } from './greyImage';

const OUT = join(projectRoot(), 'test/fixtures/codecs');
const ROWS = 64;
const COLUMNS = 80;

/** The BUSI case's grey levels on the fixture grid (bilinear), one byte a pixel. */
async function grey(): Promise<Uint8Array> {
  return (await greyImage(join(projectRoot(), 'test/fixtures/busi/images256/benign (10).png'), { columns: COLUMNS, rows: ROWS })).pixels;
}

const mirrored = (g: Uint8Array) => Uint8Array.from(g, (_, i) => g[Math.floor(i / COLUMNS) * COLUMNS + (COLUMNS - 1 - (i % COLUMNS))]);

const base = (sop: string, sopClass: string, modality: string) => ({
  SpecificCharacterSet: 'ISO_IR 192',
  SOPClassUID: sopClass,
  SOPInstanceUID: sop,
  PatientName: 'Codec^Fixture',
  PatientID: 'CMUNEXT-CODEC',
  PatientBirthDate: '',
  PatientSex: 'F',
  StudyInstanceUID: '2.25.3000',
  StudyDate: '20260101',
  StudyTime: '101010',
  StudyID: '1',
  AccessionNumber: '',
  ReferringPhysicianName: '',
  SeriesInstanceUID: `${sop}.1`,
  SeriesNumber: 1,
  InstanceNumber: 1,
  Modality: modality,
  Manufacturer: 'ohif-cmunext fixtures',
  PatientOrientation: '',
  ContentDate: '20260101',
  ContentTime: '101010',
  ImageType: ['ORIGINAL', 'PRIMARY'],
  Rows: ROWS,
  Columns: COLUMNS,
});

const US_MULTIFRAME = '1.2.840.10008.5.1.4.1.1.3.1';
const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
const MR_IMAGE = '1.2.840.10008.5.1.4.1.1.4';
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

const cine = (frames: number) => ({ NumberOfFrames: String(frames), FrameTime: '33.3', FrameIncrementPointer: 0x00181063 });
const pixels8 = { BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelRepresentation: 0 };
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice().buffer;

/** A "hot" colour map: black, red, yellow, white; 16-bit entries as PALETTE COLOR stores them. */
function hot(): { red: Uint16Array; green: Uint16Array; blue: Uint16Array } {
  const ramp = (i: number, from: number) => Math.max(0, Math.min(65535, Math.round(((i - from) / 85) * 65535)));
  return {
    red: Uint16Array.from({ length: 256 }, (_, i) => ramp(i, 0)),
    green: Uint16Array.from({ length: 256 }, (_, i) => ramp(i, 85)),
    blue: Uint16Array.from({ length: 256 }, (_, i) => ramp(i, 170)),
  };
}

async function originals(): Promise<Record<string, Record<string, any>>> {
  const g = await grey();
  const m = mirrored(g);
  const rgb = new Uint8Array(ROWS * COLUMNS * 3);
  for (let i = 0; i < g.length; i++) {
    const r = Math.floor(i / COLUMNS);
    const c = i % COLUMNS;
    // A colour-Doppler-like patch over the grey image: the colour channels differ there.
    const doppler = r > 20 && r < 40 && c > 30 && c < 55;
    rgb.set(doppler ? [Math.min(255, g[i] + 120), g[i] >> 2, 255 - g[i]] : [g[i], g[i], g[i]], 3 * i);
  }
  const lut = hot();
  const lutDescriptor = [256, 0, 16];
  return {
    mono8: {
      ...base('2.25.3001', US_MULTIFRAME, 'US'), ...cine(2), SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', ...pixels8,
      PixelData: [bytes(Uint8Array.from([...g, ...m]))], _vrMap: { PixelData: 'OB' },
    },
    rgb8: {
      ...base('2.25.3002', US_IMAGE, 'US'), SamplesPerPixel: 3, PlanarConfiguration: 0, PhotometricInterpretation: 'RGB', ...pixels8,
      PixelData: [bytes(rgb)], _vrMap: { PixelData: 'OB' },
    },
    // OW: in big endian, 8-bit samples swap in 16-bit words.
    palette8: {
      ...base('2.25.3003', US_MULTIFRAME, 'US'), ...cine(3), SamplesPerPixel: 1, PhotometricInterpretation: 'PALETTE COLOR', ...pixels8,
      RedPaletteColorLookupTableDescriptor: lutDescriptor, GreenPaletteColorLookupTableDescriptor: lutDescriptor, BluePaletteColorLookupTableDescriptor: lutDescriptor,
      RedPaletteColorLookupTableData: bytes(lut.red), GreenPaletteColorLookupTableData: bytes(lut.green), BluePaletteColorLookupTableData: bytes(lut.blue),
      PixelData: [bytes(Uint8Array.from([...g, ...m, ...g.map((v) => 255 - v)]))],
      _vrMap: { PixelData: 'OW', RedPaletteColorLookupTableData: 'OW', GreenPaletteColorLookupTableData: 'OW', BluePaletteColorLookupTableData: 'OW' },
    },
    mono12: {
      ...base('2.25.3004', MR_IMAGE, 'MR'), SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2',
      BitsAllocated: 16, BitsStored: 12, HighBit: 11, PixelRepresentation: 0, WindowCenter: '2048', WindowWidth: '4096',
      PixelData: [bytes(Uint16Array.from(g, (v, i) => Math.min(4095, v * 16 + (i % 16))))], _vrMap: { PixelData: 'OW' },
    },
    ct16s: {
      ...base('2.25.3005', CT_IMAGE, 'CT'), SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2',
      BitsAllocated: 16, BitsStored: 16, HighBit: 15, PixelRepresentation: 1, RescaleIntercept: '0', RescaleSlope: '1', WindowCenter: '40', WindowWidth: '400',
      // Air to bone with a few extremes, so the sign bit and the full range are exercised.
      PixelData: [bytes(Int16Array.from(g, (v, i) => (i === 0 ? -32768 : i === 1 ? 32767 : v * 12 - 1000)))], _vrMap: { PixelData: 'OW' },
    },
  };
}

/** Each fixture's name and how it is made from its original: a tool and its arguments, or HTJ2K by OpenJPH. */
type Recipe = [name: string, original: string, tool: 'dcmconv' | 'dcmcrle' | 'dcmcjpeg' | 'dcmcjpls' | 'gdcmconv' | 'htj2k', ...args: string[]];
const RECIPES: Recipe[] = [
  ['mono8.big-endian', 'mono8', 'dcmconv', '+tb'],
  ['mono8.deflate', 'mono8', 'dcmconv', '+td'],
  ['mono8.rle', 'mono8', 'dcmcrle'],
  ['mono8.jpeg-baseline', 'mono8', 'dcmcjpeg', '+eb'],
  ['mono8.jpeg-extended', 'mono8', 'dcmcjpeg', '+ee'],
  ['mono8.jpeg-lossless-p14', 'mono8', 'dcmcjpeg', '+el'],
  ['mono8.jpeg-lossless-sv1', 'mono8', 'dcmcjpeg', '+e1'],
  ['mono8.jpeg-ls', 'mono8', 'dcmcjpls', '+el'],
  ['mono8.jpeg-ls-near', 'mono8', 'dcmcjpls', '+en', '+md', '2'],
  ['mono8.j2k', 'mono8', 'gdcmconv', '--j2k'],
  ['mono8.j2k-lossy', 'mono8', 'gdcmconv', '--j2k', '--lossy', '-q', '40'],
  ['mono8.htj2k', 'mono8', 'htj2k', '1.2.840.10008.1.2.4.201'],
  ['mono8.htj2k-rpcl', 'mono8', 'htj2k', '1.2.840.10008.1.2.4.202'],
  ['mono8.htj2k-lossy', 'mono8', 'htj2k', '1.2.840.10008.1.2.4.203'],
  ['rgb8.big-endian', 'rgb8', 'dcmconv', '+tb'],
  ['rgb8.rle', 'rgb8', 'dcmcrle'],
  ['rgb8.jpeg-baseline-422', 'rgb8', 'dcmcjpeg', '+eb', '+cy', '+s2'],
  ['rgb8.jpeg-baseline-ybr', 'rgb8', 'dcmcjpeg', '+eb', '+cy', '+s4'],
  ['rgb8.jpeg-baseline-rgb', 'rgb8', 'dcmcjpeg', '+eb', '+cr'],
  ['rgb8.jpeg-lossless-sv1', 'rgb8', 'dcmcjpeg', '+e1'],
  ['rgb8.jpeg-ls', 'rgb8', 'dcmcjpls', '+el', '+is'],
  ['rgb8.jpeg-ls-line', 'rgb8', 'dcmcjpls', '+el', '+il'],
  ['rgb8.jpeg-ls-planar', 'rgb8', 'dcmcjpls', '+el', '+in'],
  ['rgb8.j2k', 'rgb8', 'gdcmconv', '--j2k'],
  ['rgb8.htj2k', 'rgb8', 'htj2k', '1.2.840.10008.1.2.4.201'],
  ['palette8.rle', 'palette8', 'dcmcrle'],
  ['palette8.big-endian', 'palette8', 'dcmconv', '+tb'],
  ['mono12.big-endian', 'mono12', 'dcmconv', '+tb'],
  ['mono12.rle', 'mono12', 'dcmcrle'],
  ['mono12.jpeg-extended-12bit', 'mono12', 'dcmcjpeg', '+ee'],
  ['mono12.jpeg-lossless-sv1', 'mono12', 'dcmcjpeg', '+e1'],
  ['mono12.jpeg-ls', 'mono12', 'dcmcjpls', '+el'],
  ['mono12.j2k', 'mono12', 'gdcmconv', '--j2k'],
  ['mono12.htj2k', 'mono12', 'htj2k', '1.2.840.10008.1.2.4.201'],
  ['ct16s.big-endian', 'ct16s', 'dcmconv', '+tb'],
  ['ct16s.rle', 'ct16s', 'dcmcrle'],
  ['ct16s.jpeg-lossless-sv1', 'ct16s', 'dcmcjpeg', '+e1'],
  ['ct16s.jpeg-ls', 'ct16s', 'dcmcjpls', '+el'],
  ['ct16s.j2k', 'ct16s', 'gdcmconv', '--j2k'],
  ['ct16s.htj2k', 'ct16s', 'htj2k', '1.2.840.10008.1.2.4.201'],
];

function run(tool: string, args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`${tool} ${args.join(' ')}: ${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`);
  }
}

/** OpenJPH encodes the codestream; it is encapsulated one fragment a frame, as a PACS stores HTJ2K. */
function htj2k(dataset: Record<string, any>, transferSyntax: string, work: string): Uint8Array {
  const rows = dataset.Rows as number;
  const columns = dataset.Columns as number;
  const frames = Number(dataset.NumberOfFrames ?? 1);
  const samples = dataset.SamplesPerPixel as number;
  const bytesPerSample = dataset.BitsAllocated / 8;
  const frameBytes = rows * columns * samples * bytesPerSample;
  const all = new Uint8Array(dataset.PixelData[0]);
  const lossy = transferSyntax.endsWith('.203');
  const encoded: ArrayBuffer[] = [];
  for (let f = 0; f < frames; f++) {
    const raw = all.subarray(f * frameBytes, (f + 1) * frameBytes);
    // OpenJPH reads colour from PPM only; one component from raw little-endian samples.
    const input = join(work, samples === 3 ? `frame${f}.ppm` : `frame${f}.rawl`);
    writeFileSync(input, samples === 3 ? Buffer.concat([Buffer.from(`P6\n${columns} ${rows}\n255\n`), raw]) : raw);
    const out = join(work, `frame${f}.j2c`);
    run('ojph_compress', [
      '-i', input, '-o', out,
      ...(samples === 3 ? [] : ['-dims', `{${columns},${rows}}`, '-num_comps', '1', '-downsamp', '{1,1}',
        '-signed', dataset.PixelRepresentation ? 'true' : 'false', '-bit_depth', String(dataset.BitsStored)]),
      '-reversible', lossy ? 'false' : 'true', ...(lossy ? ['-qstep', '0.005'] : []),
      '-prog_order', transferSyntax.endsWith('.202') ? 'RPCL' : 'LRCP',
    ]);
    encoded.push(bytes(readFileSync(out)));
  }
  // Colour goes through OpenJPH's reversible or irreversible colour transform, which the header then names.
  const colour = samples === 3 ? { PhotometricInterpretation: lossy ? 'YBR_ICT' : 'YBR_RCT' } : {};
  // Lossy compression makes a new image with its history, as dcmcjpeg and gdcmconv record it.
  const size = encoded.reduce((n, e) => n + e.byteLength, 0);
  const history = lossy
    ? { SOPInstanceUID: `${dataset.SOPInstanceUID}.203`, LossyImageCompression: '01', LossyImageCompressionRatio: (all.length / size).toFixed(4), LossyImageCompressionMethod: 'ISO_15444_15' }
    : {};
  return writePart10({ ...dataset, ...colour, ...history, PixelData: encoded, _vrMap: { PixelData: 'OB' } }, transferSyntax);
}

async function main(): Promise<void> {
  // The fixtures are remade; the README beside them stays.
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (f.endsWith('.dcm')) rmSync(join(OUT, f));
  const work = mkdtempSync(join(tmpdir(), 'codec-fixtures-'));
  try {
    const made = await originals();
    for (const [name, dataset] of Object.entries(made)) writeFileSync(join(OUT, `${name}.dcm`), writePart10(dataset));
    for (const [name, original, tool, ...args] of RECIPES) {
      const input = join(OUT, `${original}.dcm`);
      const output = join(OUT, `${name}.dcm`);
      if (tool === 'htj2k') writeFileSync(output, htj2k(made[original], args[0], work));
      else run(tool, [...args, input, output]);
    }
    console.log(`${Object.keys(made).length} originals and ${RECIPES.length} encoded fixtures in ${OUT}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
