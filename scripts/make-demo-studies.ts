/**
 * Writes the demo studies (DICOM, committed under demo/studies/) from BUSI cases, with their ground-truth masks
 * under demo/truth/:
 *   - breast ultrasound: three single-frame US images at native size;
 *   - breast ultrasound cine: one multi-frame US object built from five cases on a common grid;
 *   - a small CT series (a synthetic phantom with plane geometry) for volume behaviour;
 *   - DICOM as ultrasound devices send it: a PALETTE COLOR cine with a colour-flow box, RLE Lossless, and an RGB image
 *     with calliper marks, JPEG Baseline (YBR_FULL_422), both compressed by dcmtk (dcmcrle, dcmcjpeg).
 *
 *   npm run build && node dist-node/scripts/make-demo-studies.js [--fresh] [BUSI_DIR]
 *
 * A study whose files are all there is kept as it is (a PACS that loaded it holds its UIDs); --fresh writes every one anew.
 */
import { projectRoot } from './root';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readMaskFile, encodeMaskPng } from '../cli/imageFile';
import { greyImage } from './greyImage';
import { writePart10 } from '../extension/src/dicom/part10';
import { resizeBilinear, resizeNearest } from '../extension/src/core/resize';
import { newUid } from '../extension/src/seg/uid';

const ROOT = projectRoot();
const FRESH = process.argv.includes('--fresh');
const BUSI = resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? join(ROOT, '../shared/data/busi'));
const OUT = join(ROOT, 'demo');

/** The native-size cases in the validation split of models/training/runs/cmunext-s-busi: never trained on. */
const SINGLE = ['malignant (145)', 'benign (200)', 'benign (78)'];
/** Training cases: the cine shows multi-frame behaviour, not model quality. */
const CINE = ['benign (105)', 'benign (132)', 'benign (146)', 'benign (207)', 'benign (251)'];
/** The palette-colour cine's frames, and the JPEG image's case. */
const PALETTE = ['benign (279)', 'benign (347)', 'benign (349)', 'benign (353)'];
const JPEG = 'malignant (178)';

function write(file: string, dataset: Record<string, unknown>): void {
  writeFileSync(file, writePart10(dataset));
}

/** Grey display values of a BUSI PNG, as 8-bit stored pixels. */
const grey = (name: string) => greyImage(join(BUSI, 'native/images', `${name}.png`));

function study(patientName: string, patientId: string, description: string, accession: string) {
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    PatientName: patientName,
    PatientID: patientId,
    PatientBirthDate: '',
    PatientSex: 'F',
    StudyInstanceUID: newUid(),
    StudyDate: '20260115',
    StudyTime: '093000',
    StudyID: '1',
    AccessionNumber: accession,
    ReferringPhysicianName: '',
    StudyDescription: description,
    InstitutionName: 'CMUNeXt demo (BUSI dataset, research use only)',
    Manufacturer: 'ohif-cmunext demo',
  };
}

const ultrasound = (s: ReturnType<typeof study>, seriesUid: string, n: number) => ({
  ...s,
  Modality: 'US',
  SeriesInstanceUID: seriesUid,
  SeriesNumber: 1,
  SeriesDescription: 'Breast ultrasound',
  BodyPartExamined: 'BREAST',
  Laterality: '',
  InstanceNumber: n,
  ImageType: ['ORIGINAL', 'PRIMARY'],
  PatientOrientation: '',
  ContentDate: s.StudyDate,
  ContentTime: s.StudyTime,
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
  BitsAllocated: 8,
  BitsStored: 8,
  HighBit: 7,
  PixelRepresentation: 0,
  _vrMap: { PixelData: 'OB' },
});

const CINE_ROWS = 448;
const CINE_COLUMNS = 560;
const PALETTE_ROWS = 360;
const PALETTE_COLUMNS = 448;

/** A DICOM file written uncompressed, then compressed in place by a dcmtk tool (dcmcrle, dcmcjpeg). */
function writeCompressed(file: string, dataset: Record<string, unknown>, tool: string, ...args: string[]): void {
  const plain = `${file}.plain`;
  write(plain, dataset);
  try {
    execFileSync(tool, [...args, plain, file], { stdio: 'pipe' });
  } finally {
    rmSync(plain, { force: true });
  }
}

/** The expert mask of a case on a grid, written to truth/. */
async function truthMask(name: string, file: string, columns?: number, rows?: number): Promise<void> {
  const mask = await readMaskFile(join(BUSI, 'native/masks', `${name}.png`));
  const data = columns && rows ? resizeNearest(mask.data, mask.width, mask.height, columns, rows) : mask.data;
  writeFileSync(join(OUT, 'truth', file), encodeMaskPng(data, columns ?? mask.width, rows ?? mask.height));
}

/**
 * A colour-flow cine as echo devices store it: 8-bit indices into 16-bit palettes, 0-191 a grey ramp for the B-mode
 * image, 192-255 the flow scale (red towards the probe, blue away) inside a colour box, RLE-compressed.
 */
async function paletteCine() {
  const s = study('Demo^Breast^Doppler', 'CMUNEXT-DEMO-4', 'Breast ultrasound colour flow (BUSI demo)', 'DEMO4');
  const sop = newUid();
  const [rows, columns] = [PALETTE_ROWS, PALETTE_COLUMNS];
  const indices = new Uint8Array(rows * columns * PALETTE.length);
  const truth = [];
  for (const [f, name] of PALETTE.entries()) {
    const img = await grey(name);
    const g = resizeBilinear(Float32Array.from(img.pixels), img.columns, img.rows, 1, columns, rows);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        const i = y * columns + x;
        // The colour box sits in the upper left, away from the lesions; flow changes from frame to frame.
        const inBox = y > 16 && y < 96 && x > 24 && x < 168;
        const flow = Math.sin((x + 9 * f) / 11) * Math.cos((y - 5 * f) / 7);
        indices[f * rows * columns + i] = inBox && Math.abs(flow) > 0.35 ? 192 + Math.min(63, Math.round((flow + 1) * 31.5)) : Math.round((g[i] * 191) / 255);
      }
    }
    const file = `palette-frame-${f + 1}.png`;
    await truthMask(name, file, columns, rows);
    truth.push({ sopInstanceUID: sop, frame: f + 1, mask: file });
  }
  const lut = (channel: 'r' | 'g' | 'b') => Uint16Array.from({ length: 256 }, (_, i) => {
    if (i < 192) return Math.round((i / 191) * 65535);
    const v = (i - 192) / 63; // 0: fast away (blue), 1: fast towards (red)
    const level = { r: v > 0.5 ? 1 : 0, g: Math.abs(v - 0.5) > 0.35 ? 0.8 : 0, b: v <= 0.5 ? 1 : 0 }[channel];
    return Math.round(level * (0.4 + Math.abs(v - 0.5) * 1.2) * 65535);
  });
  const descriptor = [256, 0, 16];
  writeCompressed(join(OUT, 'studies', 'palette-cine.dcm'), {
    ...ultrasound(s, newUid(), 1),
    SeriesDescription: 'Breast colour flow cine',
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.3.1',
    SOPInstanceUID: sop,
    PhotometricInterpretation: 'PALETTE COLOR',
    Rows: rows,
    Columns: columns,
    NumberOfFrames: String(PALETTE.length),
    FrameTime: '100',
    FrameIncrementPointer: 0x00181063,
    RedPaletteColorLookupTableDescriptor: descriptor,
    GreenPaletteColorLookupTableDescriptor: descriptor,
    BluePaletteColorLookupTableDescriptor: descriptor,
    RedPaletteColorLookupTableData: lut('r').buffer,
    GreenPaletteColorLookupTableData: lut('g').buffer,
    BluePaletteColorLookupTableData: lut('b').buffer,
    ImageComments: `BUSI cases ${PALETTE.join(', ')}`,
    PixelData: [indices.buffer],
    _vrMap: { PixelData: 'OW', RedPaletteColorLookupTableData: 'OW', GreenPaletteColorLookupTableData: 'OW', BluePaletteColorLookupTableData: 'OW' },
  }, 'dcmcrle');
  return truth;
}

/** An RGB ultrasound image with yellow calliper crosses burnt in, as a device exports it: JPEG Baseline, 4:2:2. */
async function jpegImage() {
  const s = study('Demo^Breast^Jpeg', 'CMUNEXT-DEMO-5', 'Breast ultrasound, JPEG (BUSI demo)', 'DEMO5');
  const img = await grey(JPEG);
  const rgb = new Uint8Array(img.rows * img.columns * 3);
  for (let i = 0; i < img.pixels.length; i++) rgb.fill(img.pixels[i], 3 * i, 3 * i + 3);
  const cross = (cx: number, cy: number) => {
    for (let d = -6; d <= 6; d++) {
      for (const [x, y] of [[cx + d, cy], [cx, cy + d]]) if (x >= 0 && y >= 0 && x < img.columns && y < img.rows) rgb.set([255, 230, 0], 3 * (y * img.columns + x));
    }
  };
  cross(Math.round(img.columns * 0.3), Math.round(img.rows * 0.2));
  cross(Math.round(img.columns * 0.7), Math.round(img.rows * 0.2));
  const sop = newUid();
  writeCompressed(join(OUT, 'studies', 'us-jpeg.dcm'), {
    ...ultrasound(s, newUid(), 1),
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.6.1',
    SOPInstanceUID: sop,
    SamplesPerPixel: 3,
    PlanarConfiguration: 0,
    PhotometricInterpretation: 'RGB',
    Rows: img.rows,
    Columns: img.columns,
    ImageComments: `BUSI case ${JPEG}`,
    PixelData: [rgb.buffer],
  }, 'dcmcjpeg', '+eb', '+un');
  await truthMask(JPEG, 'us-jpeg.png');
  return [{ sopInstanceUID: sop, mask: 'us-jpeg.png' }];
}

/** Single-frame ultrasound images, native size. */
async function ultrasoundImages() {
  const us = study('Demo^Breast^Ultrasound', 'CMUNEXT-DEMO-1', 'Breast ultrasound (BUSI demo)', 'DEMO1');
  const usSeries = newUid();
  const truth = [];
  for (const [i, name] of SINGLE.entries()) {
    const img = await grey(name);
    const sop = newUid();
    write(join(OUT, 'studies', `us-${i + 1}.dcm`), {
      ...ultrasound(us, usSeries, i + 1),
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.6.1',
      SOPInstanceUID: sop,
      Rows: img.rows,
      Columns: img.columns,
      ImageComments: `BUSI case ${name}`,
      PixelData: [img.pixels.buffer],
    });
    const file = `us-${i + 1}.png`;
    await truthMask(name, file);
    truth.push({ sopInstanceUID: sop, mask: file });
  }
  return truth;
}

/** A cine: five cases resampled onto one grid, as frames of one multi-frame object. */
async function cine() {
  const cine = study('Demo^Breast^Cine', 'CMUNEXT-DEMO-2', 'Breast ultrasound cine (BUSI demo)', 'DEMO2');
  const frames: Uint8Array[] = [];
  const cineSop = newUid();
  const truth = [];
  const [rows, columns] = [CINE_ROWS, CINE_COLUMNS];
  for (const [f, name] of CINE.entries()) {
    const img = await grey(name);
    const resampled = resizeBilinear(Float32Array.from(img.pixels), img.columns, img.rows, 1, columns, rows);
    frames.push(Uint8Array.from(resampled, (v) => Math.round(v)));
    const file = `cine-frame-${f + 1}.png`;
    await truthMask(name, file, columns, rows);
    truth.push({ sopInstanceUID: cineSop, frame: f + 1, mask: file });
  }
  const cinePixels = new Uint8Array(rows * columns * frames.length);
  frames.forEach((f, i) => cinePixels.set(f, i * rows * columns));
  write(join(OUT, 'studies', 'cine.dcm'), {
    ...ultrasound(cine, newUid(), 1),
    SeriesDescription: 'Breast ultrasound cine',
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.3.1',
    SOPInstanceUID: cineSop,
    Rows: rows,
    Columns: columns,
    NumberOfFrames: String(frames.length),
    FrameTime: '200',
    FrameIncrementPointer: 0x00181063, // Frame Time
    CineRate: '5',
    ImageComments: `BUSI cases ${CINE.join(', ')}`,
    PixelData: [cinePixels.buffer],
  });
  return truth;
}

/** A small CT series with geometry: an ellipse of soft tissue with a denser round lesion, 12 slices. */
async function ctPhantom() {
  const ct = study('Demo^Phantom^CT', 'CMUNEXT-DEMO-3', 'CT phantom (synthetic)', 'DEMO3');
  const ctSeries = newUid();
  const frameOfReference = newUid();
  const n = 96;
  for (let z = 0; z < 12; z++) {
    const px = new Int16Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const body = ((x - 48) / 40) ** 2 + ((y - 48) / 30) ** 2 <= 1;
        const lesion = (x - 55) ** 2 + (y - 44) ** 2 + ((z - 6) * 2.5) ** 2 <= 100;
        px[y * n + x] = (lesion ? 1084 : body ? 1040 : 24) + ((x * 7 + y * 13 + z * 5) % 9) - 4;
      }
    }
    write(join(OUT, 'studies', `ct-${String(z + 1).padStart(2, '0')}.dcm`), {
      ...ct,
      Modality: 'CT',
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
      SOPInstanceUID: newUid(),
      SeriesInstanceUID: ctSeries,
      SeriesNumber: 1,
      SeriesDescription: 'Phantom 2.5 mm',
      PatientPosition: 'HFS',
      Laterality: '', // dciodvfy asks for it; a phantom has none
      AcquisitionNumber: 1,
      InstanceNumber: z + 1,
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      FrameOfReferenceUID: frameOfReference,
      PositionReferenceIndicator: '',
      ImagePositionPatient: [-120, -120, z * 2.5],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      PixelSpacing: [2.5, 2.5],
      SliceThickness: 2.5,
      SliceLocation: z * 2.5,
      KVP: '120',
      Rows: n,
      Columns: n,
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleIntercept: '-1024',
      RescaleSlope: '1',
      WindowCenter: '40',
      WindowWidth: '400',
      PixelData: [px.buffer],
      _vrMap: { PixelData: 'OW' },
    });
  }
}

async function main(): Promise<void> {
  if (FRESH) rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'studies'), { recursive: true });
  mkdirSync(join(OUT, 'truth'), { recursive: true });
  const truthFile = join(OUT, 'truth', 'truth.json');
  const truth: Record<string, { sopInstanceUID: string; frame?: number; mask: string }[]> = existsSync(truthFile) ? JSON.parse(readFileSync(truthFile, 'utf8')) : {};
  const needs = (...files: string[]) => FRESH || files.some((f) => !existsSync(join(OUT, 'studies', f)));

  if (needs('us-1.dcm', 'us-2.dcm', 'us-3.dcm')) truth.ultrasound = await ultrasoundImages();
  if (needs('cine.dcm')) truth.cine = await cine();
  if (needs(...Array.from({ length: 12 }, (_, z) => `ct-${String(z + 1).padStart(2, '0')}.dcm`))) await ctPhantom();

  if (needs('palette-cine.dcm')) truth.palette = await paletteCine();
  if (needs('us-jpeg.dcm')) truth.jpeg = await jpegImage();

  writeFileSync(truthFile, JSON.stringify(truth, null, 2) + '\n');
  writeFileSync(join(OUT, 'README.md'), `# Demo studies

Made by \`scripts/make-demo-studies.ts\` (\`npm run build && node dist-node/scripts/make-demo-studies.js\`).

- \`studies/us-*.dcm\`: Ultrasound Image Storage, one image each of BUSI cases ${SINGLE.join(', ')}, at native size.
- \`studies/cine.dcm\`: Ultrasound Multi-frame Image Storage, BUSI cases ${CINE.join(', ')} resampled to ${CINE_COLUMNS}x${CINE_ROWS}, one a frame.
- \`studies/ct-*.dcm\`: a synthetic CT phantom (12 slices of 96x96, 2.5 mm) with plane geometry.
- \`studies/palette-cine.dcm\`: Ultrasound Multi-frame Image Storage as colour-flow devices send it: PALETTE COLOR
  (grey ramp plus a red/blue flow scale in 16-bit lookup tables) with a colour-flow box, RLE Lossless (dcmcrle); BUSI
  cases ${PALETTE.join(', ')} resampled to ${PALETTE_COLUMNS}x${PALETTE_ROWS}, one a frame.
- \`studies/us-jpeg.dcm\`: Ultrasound Image Storage, RGB with yellow calliper marks, JPEG Baseline YBR_FULL_422
  (dcmcjpeg); BUSI case ${JPEG} at native size.
- \`truth/\`: the expert masks of the ultrasound cases on the same grids; \`truth.json\` maps them to SOP instances and frames.

The single-frame cases are among the 90 validation cases that CMUNeXt-S and CMUNeXt 0.4.0 never trained on; the
default CMUNeXt (0.5.0) was refit on every case of the training split, these included. The cine's are training
cases (it shows multi-frame behaviour, not model quality). BUSI: Al-Dhabyani W., Gomaa M.,
Khaled H., Fahmy A. "Dataset of breast ultrasound images." Data in Brief 28 (2020) 104863.
doi:10.1016/j.dib.2019.104863. Research and development use only, not for clinical use.
`);
  console.log(`demo studies written to ${OUT}`);
}

void main();
