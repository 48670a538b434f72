import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aiSegments, aiSeriesOptions } from '../../extension/src/seg/provenance';
import { readSeg } from '../../extension/src/seg/readSeg';
import { planStore, StoreRequest } from '../../extension/src/seg/storePlan';
import { SegWriterError } from '../../extension/src/seg/writeSeg';
import { validateManifest } from '../../extension/src/core/validateManifest';
import { dicomFile, metadataOf, usImage } from '../helpers/dicom';
import { tempDir } from '../helpers/tempDir';
import manifestJson from '../fixtures/cmunext-s-random/manifest.json';

const manifest = validateManifest(manifestJson);
const m = (...v: number[]) => Uint8Array.from(v);
const images = [usImage('2.25.5001', new Uint8Array(2 * 2 * 3), 2, 2), usImage('2.25.5002', new Uint8Array(2 * 2 * 3), 2, 2)];
const sources = images.map(metadataOf);
const described = { segments: aiSegments(manifest, { threshold: 0.5, backend: 'wasm' }), series: aiSeriesOptions(manifest) };
const STORED_AI = '2.25.777';

/** Two images: the labelmap over each, and the AI mask under it. */
function request(labelmap: Uint8Array[], ai: Uint8Array[], storedAiUid?: string): StoreRequest {
  let n = 0;
  return {
    sources,
    masks: labelmap.map((mask, source) => ({ source, segment: 1, mask })),
    aiMasks: ai,
    described,
    storedAiUid,
    contentCreatorName: 'Reader^Breast',
    now: new Date('2026-12-04T09:00:00Z'),
    uid: () => `2.25.${++n}`,
  };
}

const AI = [m(1, 1, 0, 0), m(0, 0, 0, 0)];

describe('what one Store writes', () => {
  // Each row: the stored SEGs in order (algorithm type, masks per source image, the AI SEG a correction names),
  // the AI SEG the PACS then holds, and what the reader is told.
  it.each<[string, StoreRequest, { type: string; masks: Record<string, number[]>; names?: string }[], string | undefined, RegExp]>([
    ['the AI result unedited', request(AI, AI), [{ type: 'AUTOMATIC', masks: { '2.25.5001': [1, 1, 0, 0] } }], '2.25.1', /^AI segmentation stored as DICOM SEG\.$/],
    ['a correction, the AI result not yet stored: both, the AI result first', request([m(1, 1, 1, 0), m(0, 0, 0, 0)], AI), [
      { type: 'AUTOMATIC', masks: { '2.25.5001': [1, 1, 0, 0] } },
      { type: 'SEMIAUTOMATIC', masks: { '2.25.5001': [1, 1, 1, 0] }, names: '2.25.1' },
    ], '2.25.1', /^Corrected segmentation stored \(Dice with AI 0\.800, \+1\/-0 pixels\), with the AI original it corrects\.$/],
    ['a correction of a stored AI result: the correction alone, naming it', request([m(1, 0, 0, 0), m(0, 0, 0, 0)], AI, STORED_AI), [
      { type: 'SEMIAUTOMATIC', masks: { '2.25.5001': [1, 0, 0, 0] }, names: STORED_AI },
    ], STORED_AI, /\(Dice with AI 0\.667, \+0\/-1 pixels\); the AI original stays in the PACS\.$/],
    ['paint on an image the model did not see', request([m(1, 1, 0, 0), m(0, 0, 1, 1)], AI, STORED_AI), [
      { type: 'SEMIAUTOMATIC', masks: { '2.25.5001': [1, 1, 0, 0], '2.25.5002': [0, 0, 1, 1] }, names: STORED_AI },
    ], STORED_AI, /\(Dice with AI 0\.667, \+2\/-0 pixels\)/],
    ['paint where the model found nothing: no AI SEG to name', request([m(0, 1, 0, 0), m(0, 0, 0, 0)], [m(0, 0, 0, 0), m(0, 0, 0, 0)]), [
      { type: 'SEMIAUTOMATIC', masks: { '2.25.5001': [0, 1, 0, 0] } },
    ], undefined, /\(Dice with AI 0\.000, \+1\/-0 pixels\)\.$/],
    ['the AI result erased: stored as rejected, empty over the image the AI marked', request([m(0, 0, 0, 0), m(0, 0, 0, 0)], AI), [
      { type: 'AUTOMATIC', masks: { '2.25.5001': [1, 1, 0, 0] } },
      { type: 'SEMIAUTOMATIC', masks: { '2.25.5001': [0, 0, 0, 0] }, names: '2.25.1' },
    ], '2.25.1', /^The AI result, erased by the reader, stored as rejected \(Dice with AI 0\.000, \+0\/-2 pixels\), with the AI original it corrects\.$/],
  ])('%s', (_, req, expected, aiUid, message) => {
    const plan = planStore(req);
    const segs = plan.instances.map(readSeg);
    expect(segs.map((s) => ({
      type: s.segments[0].algorithmType,
      masks: Object.fromEntries(s.frames.map((f) => [f.sourceSopInstanceUID, Array.from(f.mask)])),
      ...(s.segments[0].algorithmParameters.ai_seg ? { names: s.segments[0].algorithmParameters.ai_seg } : {}),
    }))).toEqual(expected);
    expect(plan.aiUid).toBe(aiUid);
    expect(plan.stored).toMatch(message);
  });

  it('gives the AI SEG and its correction one creation time, the correction the higher series number', () => {
    const [ai, corrected] = planStore(request([m(1, 1, 1, 0), m(0, 0, 0, 0)], AI)).instances.map(readSeg);
    expect(corrected.dataset.ContentDate + corrected.dataset.ContentTime).toBe(ai.dataset.ContentDate + ai.dataset.ContentTime);
    expect(Number(corrected.dataset.SeriesNumber)).toBe(Number(ai.dataset.SeriesNumber) + 1);
    expect(corrected.contentCreatorName).toBe('Reader^Breast');
  });

  it('refuses an AI result with nothing found and nothing painted: there is no segmentation', () => {
    const none = request([m(0, 0, 0, 0), m(0, 0, 0, 0)], [m(0, 0, 0, 0), m(0, 0, 0, 0)]);
    expect(() => planStore(none)).toThrow(SegWriterError);
    expect(() => planStore(none)).toThrow('the segmentation is empty (the model found nothing and nothing was painted): there is no SEG to store');
  });

  it('writes a rejection that passes dciodvfy -new and dcentvfy against its source', () => {
    if (!existsSync('/usr/bin/dciodvfy')) throw new Error('dicom3tools not installed (apt-get install dicom3tools)');
    const dir = tempDir('rejected');
    const rejection = planStore(request([m(0, 0, 0, 0), m(0, 0, 0, 0)], AI, STORED_AI)).instances;
    expect(rejection).toHaveLength(1);
    const [seg, source] = [join(dir, 'seg.dcm'), join(dir, 'source.dcm')];
    writeFileSync(seg, rejection[0]);
    writeFileSync(source, dicomFile(images[0]));
    for (const [tool, args] of [['dciodvfy', ['-new', seg]], ['dcentvfy', [seg, source]]] as const) {
      const r = spawnSync(tool, args, { encoding: 'utf8' });
      expect({ tool, status: r.status, errors: (r.stdout + r.stderr).match(/^Error.*$/gm) }).toEqual({ tool, status: 0, errors: null });
    }
  });
});
