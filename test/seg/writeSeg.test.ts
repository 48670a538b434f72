import { dicomDateTime, dicomInstant } from '../../extension/src/dicom/dateTime';
import { spawnSync } from 'node:child_process';
import { tempDir } from '../helpers/tempDir';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dicomParser from 'dicom-parser';
import { readSeg } from '../../extension/src/seg/readSeg';
import { FrameMask, SegmentDescription, SegWriterOptions } from '../../extension/src/seg/types';
import { SegWriterError, writeSeg } from '../../extension/src/seg/writeSeg';
import { ctSlice, dicomFile, enhancedMr, metadataOf, PATIENT_STUDY, secondaryCapture, usCine, usImage } from '../helpers/dicom';
import { MANUAL_LESION } from '../helpers/segments';

const LESION: SegmentDescription = {
  ...MANUAL_LESION,
  label: 'Breast lesion',
  anatomicRegion: { scheme: 'SCT', code: '76752008', meaning: 'Breast' },
  algorithmType: 'AUTOMATIC',
  algorithm: { name: 'CMUNeXt-S breast ultrasound lesion', version: '0.1.0 sha256:58962e2f836f5bd8', parameters: { threshold: 0.5, backend: 'wasm', weights_sha256: '58962e2f'.repeat(8) } },
};
const SECOND: SegmentDescription = { ...LESION, number: 2, label: 'Second lesion', color: [60, 200, 90] };

/** When the SEGs are written: an instant that is a different calendar day in zones east and west of UTC. */
const NOW = new Date('2026-12-07T23:30:00.250Z');
const OPTIONS: SegWriterOptions = {
  seriesDescription: 'CMUNeXt AI segmentation (research use)',
  seriesNumber: 901,
  contentLabel: 'CMUNEXT',
  contentDescription: 'AI output, not reviewed',
  contentCreatorName: 'Reader^Test',
  equipment: { manufacturer: 'ohif-cmunext', modelName: 'CMUNeXt segment', softwareVersions: ['ohif-cmunext 0.1.0', 'cmunext-s-busi 0.1.0'], deviceSerialNumber: '1' },
  now: NOW,
};

const R = 6;
const C = 10;
/** A rectangle mask, distinct per call so frames cannot be confused. */
const rect = (top: number, left: number, h: number, w: number) => {
  const m = new Uint8Array(R * C);
  for (let y = top; y < top + h; y++) for (let x = left; x < left + w; x++) m[y * C + x] = 1;
  return m;
};
const empty = () => new Uint8Array(R * C);
const grey = () => Uint8Array.from({ length: R * C }, (_, i) => i * 3);

type Kind = { sources: Record<string, unknown>[]; segments: SegmentDescription[]; masks: FrameMask[]; geometry: boolean };
const KINDS: [string, () => Kind][] = [
  ['ultrasound, single frame, RGB', () => ({
    sources: [usImage('2.25.2001', new Uint8Array(R * C * 3).fill(70), R, C)],
    segments: [LESION], masks: [{ source: 0, segment: 1, mask: rect(1, 2, 3, 4) }], geometry: false,
  })],
  ['ultrasound cine: frame numbers, empty frame left out', () => ({
    sources: [usCine('2.25.2002', [grey(), grey(), grey()], R, C)],
    segments: [LESION],
    masks: [
      { source: 0, frame: 1, segment: 1, mask: rect(0, 0, 2, 2) },
      { source: 0, frame: 2, segment: 1, mask: empty() },
      { source: 0, frame: 3, segment: 1, mask: rect(3, 5, 2, 3) },
    ],
    geometry: false,
  })],
  ['CT stack with geometry, two segments', () => ({
    sources: [0, 2, 4].map((z, i) => ctSlice(`2.25.300${i}`, z, new Int16Array(R * C).fill(1000), R, C)),
    segments: [LESION, SECOND],
    masks: [
      { source: 0, segment: 1, mask: rect(0, 0, 3, 3) },
      { source: 1, segment: 1, mask: rect(1, 1, 3, 3) },
      { source: 2, segment: 1, mask: empty() },
      { source: 1, segment: 2, mask: rect(4, 6, 2, 4) },
    ],
    geometry: true,
  })],
  ['CT stack segmented out of stack order', () => ({
    sources: [4, 0, 2].map((z, i) => ctSlice(`2.25.310${i}`, z, new Int16Array(R * C).fill(1000), R, C)),
    segments: [LESION],
    masks: [0, 1, 2].map((source) => ({ source, segment: 1, mask: rect(source, 1, 2, 3) })),
    geometry: true,
  })],
  ['CT slices in two orientations: no shared geometry stated', () => ({
    sources: [0, 2].map((z, i) => ({
      ...ctSlice(`2.25.320${i}`, z, new Int16Array(R * C).fill(1000), R, C),
      ...(i ? { ImageOrientationPatient: [1, 0, 0, 0, 0.8, 0.6] } : {}),
    })),
    segments: [LESION],
    masks: [0, 1].map((source) => ({ source, segment: 1, mask: rect(source, 1, 2, 3) })),
    geometry: false,
  })],
  ['CT stack with an empty slice thickness: no geometry stated', () => ({
    sources: [0, 2].map((z, i) => ({ ...ctSlice(`2.25.330${i}`, z, new Int16Array(R * C).fill(1000), R, C), SliceThickness: '' })),
    segments: [LESION],
    masks: [0, 1].map((source) => ({ source, segment: 1, mask: rect(source, 1, 2, 3) })),
    geometry: false,
  })],
  ['CT stack stating spacing between slices and no thickness', () => ({
    sources: [0, 3].map((z, i) => {
      const { SliceThickness: _, ...slice } = ctSlice(`2.25.340${i}`, z, new Int16Array(R * C).fill(1000), R, C);
      return { ...slice, SpacingBetweenSlices: 3 };
    }),
    segments: [LESION],
    masks: [0, 1].map((source) => ({ source, segment: 1, mask: rect(source, 1, 2, 3) })),
    geometry: true,
  })],
  ['enhanced MR: each frame positioned by its functional group, frames out of stack order', () => ({
    sources: [enhancedMr('2.25.3500', [6, 0, 3], R, C)],
    segments: [LESION],
    masks: [1, 2, 3].map((frame) => ({ source: 0, frame, segment: 1, mask: rect(frame, 1, 2, 3) })),
    geometry: true,
  })],
  ['enhanced MR with a frame that states no position: no geometry stated', () => ({
    sources: [{ ...enhancedMr('2.25.3510', [0, 3], R, C), PerFrameFunctionalGroupsSequence: [{ PlanePositionSequence: [{ ImagePositionPatient: [-10, -10, 0] }] }, {}] }],
    segments: [LESION],
    masks: [1, 2].map((frame) => ({ source: 0, frame, segment: 1, mask: rect(frame, 1, 2, 3) })),
    geometry: false,
  })],
  ['secondary capture, monochrome, no geometry', () => ({
    sources: [secondaryCapture('2.25.4001', grey(), R, C)],
    segments: [LESION], masks: [{ source: 0, segment: 1, mask: rect(2, 2, 2, 6) }], geometry: false,
  })],
];

/** Where the fixture puts a source frame: its own position, or its functional group's for an enhanced image. */
const positionOf = (src: any, frame = 1): number[] =>
  src.PerFrameFunctionalGroupsSequence ? src.PerFrameFunctionalGroupsSequence[frame - 1].PlanePositionSequence[0].ImagePositionPatient : src.ImagePositionPatient;

const hasTools = existsSync('/usr/bin/dciodvfy') && existsSync('/usr/bin/dcentvfy');

describe.each(KINDS)('DICOM SEG for %s', (_, make) => {
  const kind = make();
  const dir = tempDir('seg');
  const sourceFiles = kind.sources.map((s, i) => {
    const f = join(dir, `source-${i}.dcm`);
    writeFileSync(f, dicomFile(s));
    return f;
  });
  const seg = writeSeg(kind.sources.map(metadataOf), kind.segments, kind.masks, OPTIONS);
  const segFile = join(dir, 'seg.dcm');
  writeFileSync(segFile, seg);
  const back = readSeg(seg);
  const kept = kind.masks.filter((m) => m.mask.some(Boolean));

  it('round-trips masks and the source frames they came from, leaving empty frames out', () => {
    expect(back.frames).toHaveLength(kept.length);
    const sorted = [...kept].sort((a, b) => a.segment - b.segment || a.source - b.source || (a.frame ?? 1) - (b.frame ?? 1));
    sorted.forEach((m, i) => {
      const src = kind.sources[m.source] as any;
      expect(back.frames[i].segment).toBe(m.segment);
      expect(back.frames[i].sourceSopInstanceUID).toBe(src.SOPInstanceUID);
      expect(back.frames[i].sourceFrame).toBe(src.NumberOfFrames ? m.frame : undefined);
      expect(Array.from(back.frames[i].mask)).toEqual(Array.from(m.mask));
      expect(back.frames[i].imagePositionPatient).toEqual(kind.geometry ? positionOf(src, m.frame) : undefined);
    });
    expect(back.referencedInstances.map((r) => r.sopInstanceUID)).toEqual(kind.sources.map((s: any) => s.SOPInstanceUID));
  });

  it('numbers the stored source frames 1..n in stack order (along the stack where there is geometry)', () => {
    const at = (m: FrameMask) => (kind.geometry ? positionOf(kind.sources[m.source], m.frame)[2] : m.source * 1000 + (m.frame ?? 1));
    const order = [...new Set(kept.map(at))].sort((a, b) => a - b);
    const sorted = [...kept].sort((a, b) => a.segment - b.segment || a.source - b.source || (a.frame ?? 1) - (b.frame ?? 1));
    const written = back.dataset.PerFrameFunctionalGroupsSequence.map((g: any) => g.FrameContentSequence[0]);
    expect(written.map((c: any) => c.DimensionIndexValues)).toEqual(sorted.map((m) => [m.segment, order.indexOf(at(m)) + 1]));
    if (!kind.geometry) expect(written.map((c: any) => c.InStackPositionNumber)).toEqual(sorted.map((m) => order.indexOf(at(m)) + 1));
  });

  it('carries segment provenance and codes, and the patient and study of its sources', () => {
    expect(back.segments).toHaveLength(kind.segments.length);
    const s = back.segments[0];
    expect(s).toMatchObject({
      number: 1, label: 'Breast lesion', algorithmType: 'AUTOMATIC', algorithmName: LESION.algorithm!.name, algorithmVersion: LESION.algorithm!.version,
      algorithmParameters: { threshold: '0.5', backend: 'wasm', weights_sha256: LESION.algorithm!.parameters.weights_sha256 },
      category: LESION.category, type: LESION.type, anatomicRegion: LESION.anatomicRegion,
    });
    expect(back.studyInstanceUID).toBe(PATIENT_STUDY.StudyInstanceUID);
    expect(back.seriesInstanceUID).not.toBe((kind.sources[0] as any).SeriesInstanceUID);
    // An independent parser reads the same header.
    const ds = dicomParser.parseDicom(seg);
    expect(ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.66.4');
    expect(ds.string('x00080060')).toBe('SEG');
    expect(ds.string('x00620001')).toBe('BINARY');
    expect(ds.string('x00100020')).toBe(PATIENT_STUDY.PatientID);
    expect(ds.string('x00080070')).toBe('ohif-cmunext');
    expect(ds.string('x00181020')).toBe('ohif-cmunext 0.1.0\\cmunext-s-busi 0.1.0');
    expect(ds.string('x00280008')).toBe(String(kept.length));
    // Local date and time with the zone's offset, which read back as the instant written, in any zone.
    expect(ds.string('x00080201')).toBe(dicomDateTime(NOW).offset);
    expect(dicomInstant(ds.string('x00080023'), ds.string('x00080033'), ds.string('x00080201'))).toBe(NOW.getTime());
    expect(ds.string('x00200052')).toBe(kind.geometry ? '2.25.1004' : undefined);
    const src = kind.sources[0] as any;
    const measures = back.dataset.SharedFunctionalGroupsSequence?.[0]?.PixelMeasuresSequence?.[0];
    const sourceMeasures = src.SharedFunctionalGroupsSequence?.[0].PixelMeasuresSequence[0] ?? src;
    expect(measures && Number(measures.SliceThickness)).toBe(kind.geometry ? sourceMeasures.SliceThickness ?? sourceMeasures.SpacingBetweenSlices : undefined);
  });

  it('passes dciodvfy -new and dcentvfy against its sources', () => {
    if (!hasTools) throw new Error('dicom3tools not installed (apt-get install dicom3tools)');
    const iod = spawnSync('dciodvfy', ['-new', segFile], { encoding: 'utf8' });
    const iodReport = (iod.stdout + iod.stderr).trim();
    const ent = spawnSync('dcentvfy', [segFile, ...sourceFiles], { encoding: 'utf8' });
    const entReport = (ent.stdout + ent.stderr).trim();
    console.log(`dciodvfy -new (exit ${iod.status}):\n${iodReport}\ndcentvfy (exit ${ent.status}):\n${entReport || '(no output)'}`);
    expect(iodReport).not.toMatch(/^Error/m);
    expect(iod.status).toBe(0);
    expect(entReport).not.toMatch(/^Error/m);
    expect(ent.status).toBe(0);
  });
});

it('takes the SOP Instance UID its caller chose, and makes a fresh one otherwise', () => {
  const us = metadataOf(usImage('2.25.2001', new Uint8Array(R * C * 3), R, C));
  const write = (options: SegWriterOptions) => readSeg(writeSeg([us], [LESION], [{ source: 0, segment: 1, mask: rect(0, 0, 1, 1) }], options));
  expect(write({ ...OPTIONS, sopInstanceUID: '2.25.777' }).sopInstanceUID).toBe('2.25.777');
  const fresh = [write(OPTIONS).sopInstanceUID, write(OPTIONS).sopInstanceUID];
  expect(fresh[0]).toMatch(/^2\.25\.\d+$/);
  expect(fresh[1]).not.toBe(fresh[0]);
});

describe('SEG writer refuses what would make a wrong SEG', () => {
  const us = metadataOf(usImage('2.25.2001', new Uint8Array(R * C * 3), R, C));
  const cine = metadataOf(usCine('2.25.2002', [grey(), grey()], R, C));
  it.each<[string, () => Uint8Array, RegExp]>([
    ['every mask empty', () => writeSeg([us], [LESION], [{ source: 0, segment: 1, mask: empty() }], OPTIONS), /every mask is empty: there is nothing to store/],
    ['a mask on another grid', () => writeSeg([us], [LESION], [{ source: 0, segment: 1, mask: new Uint8Array(256 * 256).fill(1) }], OPTIONS), /a mask holds 65536 pixels; the source grid is 10x6 = 60/],
    ['a cine mask without its frame number', () => writeSeg([cine], [LESION], [{ source: 0, segment: 1, mask: rect(0, 0, 1, 1) }], OPTIONS), /frame undefined of 2\.25\.2002, which has 2 frame\(s\); give its 1-based frame number/],
    ['an undescribed segment', () => writeSeg([us], [LESION], [{ source: 0, segment: 2, mask: rect(0, 0, 1, 1) }], OPTIONS), /segment 2, which is not described/],
    ['an AI segment without its algorithm', () => writeSeg([us], [{ ...LESION, algorithm: undefined }], [{ source: 0, segment: 1, mask: rect(0, 0, 1, 1) }], OPTIONS), /is AUTOMATIC but names no algorithm/],
    ['sources from two studies', () => writeSeg([us, { ...us, StudyInstanceUID: '2.25.9' }], [LESION], [{ source: 0, segment: 1, mask: rect(0, 0, 1, 1) }], OPTIONS), /belong to 2 studies/],
  ])('%s', (_, write, message) => {
    expect(write).toThrow(SegWriterError);
    expect(write).toThrow(message);
  });
});

it('dciodvfy reports errors with a non-zero exit (so the check above can fail)', () => {
  if (!hasTools) throw new Error('dicom3tools not installed (apt-get install dicom3tools)');
  const dir = tempDir('seg-bad');
  const seg = readSeg(writeSeg([metadataOf(usImage('2.25.2001', new Uint8Array(R * C * 3), R, C))], [LESION], [{ source: 0, segment: 1, mask: rect(0, 0, 1, 1) }], OPTIONS)).dataset;
  delete seg.SegmentSequence;
  const bad = join(dir, 'bad.dcm');
  writeFileSync(bad, dicomFile(seg, '1.2.840.10008.1.2.1'));
  const r = spawnSync('dciodvfy', ['-new', bad], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toMatch(/^Error .*SegmentSequence/m);
  expect(r.status).not.toBe(0);
});
