/**
 * Writes the demo studies (DICOM, committed under demo/studies/) from BUSI cases, with their ground-truth masks
 * under demo/truth/:
 *   - breast ultrasound: three single-frame US images at native size;
 *   - breast ultrasound cine: one multi-frame US object built from five cases on a common grid;
 *   - a small CT series (a synthetic phantom with plane geometry) for volume behaviour.
 *
 *   npm run build && node dist-node/scripts/make-demo-studies.js [BUSI_DIR]
 */
import { projectRoot } from './root';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readImageFile, readMaskFile, encodeMaskPng } from '../cli/imageFile';
import { toDisplay } from '../extension/src/core/pixels';
import { writePart10 } from '../extension/src/dicom/part10';
import { resizeBilinear, resizeNearest } from '../extension/src/core/resize';
import { newUid } from '../extension/src/seg/uid';

const ROOT = projectRoot();
const BUSI = resolve(process.argv[2] ?? join(ROOT, '../shared/data/busi'));
const OUT = join(ROOT, 'demo');

/** The native-size cases in the validation split of models/training/runs/cmunext-s-busi: never trained on. */
const SINGLE = ['malignant (145)', 'benign (200)', 'benign (78)'];
/** Training cases: the cine shows multi-frame behaviour, not model quality. */
const CINE = ['benign (105)', 'benign (132)', 'benign (146)', 'benign (207)', 'benign (251)'];

function write(file: string, dataset: Record<string, unknown>): void {
  writeFileSync(file, writePart10(dataset));
}

/** Grey display values of a BUSI PNG, as 8-bit stored pixels. */
async function grey(name: string): Promise<{ rows: number; columns: number; pixels: Uint8Array }> {
  const d = toDisplay(await readImageFile(join(BUSI, 'native/images', `${name}.png`)));
  const pixels = new Uint8Array(d.width * d.height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = d.data[3 * i];
  return { rows: d.height, columns: d.width, pixels };
}

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

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'studies'), { recursive: true });
  mkdirSync(join(OUT, 'truth'), { recursive: true });
  const truth: Record<string, { sopInstanceUID: string; frame?: number; mask: string }[]> = {};

  // 1. Single-frame ultrasound images, native size.
  const us = study('Demo^Breast^Ultrasound', 'CMUNEXT-DEMO-1', 'Breast ultrasound (BUSI demo)', 'DEMO1');
  const usSeries = newUid();
  truth.ultrasound = [];
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
    const mask = await readMaskFile(join(BUSI, 'native/masks', `${name}.png`));
    const file = `us-${i + 1}.png`;
    writeFileSync(join(OUT, 'truth', file), encodeMaskPng(mask.data, mask.width, mask.height));
    truth.ultrasound.push({ sopInstanceUID: sop, mask: file });
  }

  // 2. A cine: five cases resampled onto one grid, as frames of one multi-frame object.
  const cine = study('Demo^Breast^Cine', 'CMUNEXT-DEMO-2', 'Breast ultrasound cine (BUSI demo)', 'DEMO2');
  const rows = 448;
  const columns = 560;
  const frames: Uint8Array[] = [];
  const cineSop = newUid();
  truth.cine = [];
  for (const [f, name] of CINE.entries()) {
    const img = await grey(name);
    const resampled = resizeBilinear(Float32Array.from(img.pixels), img.columns, img.rows, 1, columns, rows);
    frames.push(Uint8Array.from(resampled, (v) => Math.round(v)));
    const mask = await readMaskFile(join(BUSI, 'native/masks', `${name}.png`));
    const file = `cine-frame-${f + 1}.png`;
    writeFileSync(join(OUT, 'truth', file), encodeMaskPng(resizeNearest(mask.data, mask.width, mask.height, columns, rows), columns, rows));
    truth.cine.push({ sopInstanceUID: cineSop, frame: f + 1, mask: file });
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

  // 3. A small CT series with geometry: an ellipse of soft tissue with a denser round lesion, 12 slices.
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
  writeFileSync(join(OUT, 'truth', 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  writeFileSync(join(OUT, 'README.md'), `# Demo studies

Made by \`scripts/make-demo-studies.ts\` (\`npm run build && node dist-node/scripts/make-demo-studies.js\`).

- \`studies/us-*.dcm\`: Ultrasound Image Storage, one image each of BUSI cases ${SINGLE.join(', ')}, at native size.
- \`studies/cine.dcm\`: Ultrasound Multi-frame Image Storage, BUSI cases ${CINE.join(', ')} resampled to ${columns}x${rows}, one a frame.
- \`studies/ct-*.dcm\`: a synthetic CT phantom (12 slices of 96x96, 2.5 mm) with plane geometry.
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
