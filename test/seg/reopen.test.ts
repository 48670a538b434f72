import { agreement, correctedSegments, correctedSeriesOptions } from '../../extension/src/seg/agreement';
import { aiSegments, aiSeriesOptions } from '../../extension/src/seg/provenance';
import { readSeg, SegReadError } from '../../extension/src/seg/readSeg';
import { ReadFrame } from '../../extension/src/seg/readSeg';
import { aiDescription, aiSegUid, composeLabels, framesByImage, ReopenedAi, reopenedAi, StackImage } from '../../extension/src/seg/reopen';
import { writeSeg } from '../../extension/src/seg/writeSeg';
import { validateManifest } from '../../extension/src/core/validateManifest';
import { metadataOf, usImage } from '../helpers/dicom';
import manifestJson from '../fixtures/cmunext-s-random/manifest.json';

const manifest = validateManifest(manifestJson);
const source = metadataOf(usImage('2.25.4001', new Uint8Array(2 * 4 * 3), 2, 4));
const aiMask = Uint8Array.from([0, 1, 1, 0, 0, 1, 1, 0]);
const corrected = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0]);
const segments = aiSegments(manifest, { threshold: 0.35, backend: 'webgpu' });
const series = aiSeriesOptions(manifest, 'Doe^Jane');
const aiSeg = readSeg(writeSeg([source], segments, [{ source: 0, segment: 1, mask: aiMask }], series));
const stats = [agreement(1, [aiMask], [corrected])];
const correctedSeg = readSeg(writeSeg([source], correctedSegments(segments, stats, aiSeg.sopInstanceUID), [{ source: 0, segment: 1, mask: corrected }], correctedSeriesOptions(series, stats, 'Doe^Jane')));

describe('reopening a stored SEG for further correction', () => {
  it('finds the AI SEG: itself for AI output, the one a correction names', () => {
    expect(aiSegUid(aiSeg)).toBe(aiSeg.sopInstanceUID);
    expect(aiSegUid(correctedSeg)).toBe(aiSeg.sopInstanceUID);
  });

  it('has no AI SEG for a manual segmentation', () => {
    const manual = readSeg(writeSeg([source], [{ ...segments[0], algorithmType: 'MANUAL', algorithm: undefined }], [{ source: 0, segment: 1, mask: corrected }], series));
    expect(aiSegUid(manual)).toBeUndefined();
    expect(() => aiDescription(manual)).toThrow(SegReadError);
    expect(() => aiDescription(manual)).toThrow(/^segment 1 \(Breast lesion\) of "AI segmentation .*" is not AI output$/);
  });

  it('takes another tool\'s AI SEG for what it is, not for CMUNeXt output', () => {
    const other = readSeg(writeSeg([source], segments, [{ source: 0, segment: 1, mask: aiMask }], { ...series, contentLabel: 'VENDOR_AI', equipment: { ...series.equipment, manufacturer: 'Vendor' } }));
    expect(() => aiDescription(other)).toThrow(/^"AI segmentation .*" has content label "VENDOR_AI", not CMUNEXT_AI: it is not CMUNeXt output$/);
  });

  it('reads back the descriptions the AI SEG was written with', () => {
    const d = aiDescription(aiSeg);
    const { color, algorithm, ...rest } = segments[0];
    const { color: readColor, algorithm: readAlgorithm, ...readRest } = d.segments[0];
    expect(readRest).toEqual(rest);
    readColor.forEach((c, i) => expect(Math.abs(c - color[i])).toBeLessThanOrEqual(1));
    expect(readAlgorithm).toEqual({ ...algorithm, parameters: Object.fromEntries(Object.entries(algorithm!.parameters).map(([k, v]) => [k, String(v)])) });
    expect(d.series).toEqual({ ...series, contentCreatorName: '' });
  });

  it('a correction of the reopened AI result is written as the first one was', () => {
    const d = aiDescription(aiSeg);
    const again = readSeg(writeSeg([source], correctedSegments(d.segments, stats, aiSeg.sopInstanceUID), [{ source: 0, segment: 1, mask: corrected }], correctedSeriesOptions(d.series, stats, 'Doe^Jane')));
    expect(again.segments).toEqual(correctedSeg.segments);
    for (const key of ['SeriesDescription', 'SeriesNumber', 'ContentLabel', 'ContentDescription', 'Manufacturer', 'ManufacturerModelName', 'SoftwareVersions', 'DeviceSerialNumber']) {
      expect([key, again.dataset[key]]).toEqual([key, correctedSeg.dataset[key]]);
    }
  });
});

describe('reopenedAi: the AI result a reopened SEG continues, or why its edits are not stored from here', () => {
  const stack: StackImage[] = [{ imageId: 'img', sopInstanceUID: '2.25.4001' }];
  const manual = readSeg(writeSeg([source], [{ ...segments[0], algorithmType: 'MANUAL', algorithm: undefined }], [{ source: 0, segment: 1, mask: corrected }], series));
  it.each<[string, typeof aiSeg, typeof aiSeg | Error | undefined, string | Partial<ReopenedAi>]>([
    ['an AI SEG: itself', aiSeg, aiSeg, { aiUid: aiSeg.sopInstanceUID, threshold: 0.35, backend: 'webgpu' }],
    ['a correction with its AI SEG', correctedSeg, aiSeg, { aiUid: aiSeg.sopInstanceUID, threshold: 0.35 }],
    ['a correction whose AI SEG the study lacks', correctedSeg, undefined, 'its AI original is not in this study'],
    ['a correction whose AI SEG could not be read', correctedSeg, new Error('HTTP 500'), 'its AI original could not be read (HTTP 500)'],
    ['a manual segmentation', manual, undefined, 'it is not a CMUNeXt result'],
  ])('%s', (_, seg, ai, expected) => {
    const got = reopenedAi(seg, ai, stack);
    if (typeof expected === 'string') expect(got).toBe(expected);
    else {
      expect(got).toMatchObject(expected);
      expect(Array.from((got as ReopenedAi).masks.get('img')!)).toEqual(Array.from(aiMask));
    }
  });
});

describe('composeLabels: a SEG\'s frames over one image as one labelmap', () => {
  const m = (s: string) => Uint8Array.from(s, (c) => Number(c));
  it.each<[string, { segment: number; mask: string }[], string, number]>([
    ['one segment', [{ segment: 1, mask: '0110' }], '0110', 0],
    ['two segments side by side', [{ segment: 2, mask: '0011' }, { segment: 1, mask: '1100' }], '1122', 0],
    ['overlap: the higher number shows, counted', [{ segment: 2, mask: '0110' }, { segment: 1, mask: '1100' }], '1220', 1],
    ['the same segment twice (two frames over one image) is no overlap', [{ segment: 1, mask: '1100' }, { segment: 1, mask: '0110' }], '1110', 0],
    ['no frames', [], '0000', 0],
  ])('%s', (_, frames, labels, overlaps) => {
    const r = composeLabels(frames.map((f) => ({ segment: f.segment, mask: m(f.mask) })), 4);
    expect(Array.from(r.labels).join('')).toBe(labels);
    expect(r.overlaps).toBe(overlaps);
  });

  it.each([
    [[{ segment: 1, mask: Uint8Array.of(1) }], 'segment 1: a frame of 1 pixels over an image of 4'],
    [[{ segment: 0, mask: new Uint8Array(4) }], 'segment number 0 does not fit a labelmap (1-255)'],
    [[{ segment: NaN, mask: new Uint8Array(4) }], 'segment number NaN does not fit a labelmap (1-255)'],
  ])('refuses frames it cannot place: %#', (frames, message) => {
    expect(() => composeLabels(frames, 4)).toThrow(message);
  });
});

describe('framesByImage: which image of the stack a SEG frame lies on', () => {
  const images: StackImage[] = [
    { imageId: 'us', sopInstanceUID: '2.25.1' },
    { imageId: 'cine-1', sopInstanceUID: '2.25.2', frame: 1 },
    { imageId: 'cine-2', sopInstanceUID: '2.25.2', frame: 2 },
    { imageId: 'ct-0', sopInstanceUID: '2.25.3', imagePositionPatient: [-100, -100, 0] },
    { imageId: 'ct-2', sopInstanceUID: '2.25.4', imagePositionPatient: [-100, -100, 2.5] },
  ];
  const frame = (f: Partial<ReadFrame>): ReadFrame => ({ segment: 1, mask: new Uint8Array(1), ...f });
  it.each<[string, Partial<ReadFrame>, string | undefined]>([
    ['by source reference', { sourceSopInstanceUID: '2.25.1' }, 'us'],
    ['by source reference and frame', { sourceSopInstanceUID: '2.25.2', sourceFrame: 2 }, 'cine-2'],
    ['a frameless reference to a multi-frame source means its first frame', { sourceSopInstanceUID: '2.25.2' }, 'cine-1'],
    ['by plane position, without a reference', { imagePositionPatient: [-100, -100, 2.5] }, 'ct-2'],
    ['by plane position written with other rounding', { imagePositionPatient: [-100.0001, -99.9999, 2.5004] }, 'ct-2'],
    ['the reference wins over the position', { sourceSopInstanceUID: '2.25.3', imagePositionPatient: [-100, -100, 2.5] }, 'ct-0'],
    ['a reference to an image of another series at the same position', { sourceSopInstanceUID: '2.25.9', imagePositionPatient: [-100, -100, 0] }, undefined],
    ['on no image of the stack', { sourceSopInstanceUID: '2.25.9', imagePositionPatient: [0, 0, 7] }, undefined],
  ])('%s', (_, f, imageId) => {
    const grouped = framesByImage([frame(f)], images);
    expect([...grouped.keys()]).toEqual(imageId ? [imageId] : []);
  });

  it('groups the frames (segments) over one image together', () => {
    const over = [frame({ segment: 1, sourceSopInstanceUID: '2.25.1' }), frame({ segment: 2, sourceSopInstanceUID: '2.25.1' }), frame({ sourceSopInstanceUID: '2.25.4' })];
    const grouped = framesByImage(over, images);
    expect(grouped.get('us')?.map((f) => f.segment)).toEqual([1, 2]);
    expect(grouped.get('ct-2')).toHaveLength(1);
  });
});
