import { agreement, correctedSegments, correctedSeriesOptions, correctionDescription } from '../../extension/src/seg/agreement';
import { aiSegments, aiSeriesOptions } from '../../extension/src/seg/provenance';
import { readSeg } from '../../extension/src/seg/readSeg';
import { writeSeg } from '../../extension/src/seg/writeSeg';
import { validateManifest } from '../../extension/src/core/validateManifest';
import { metadataOf, usImage } from '../helpers/dicom';
import manifestJson from '../fixtures/cmunext-s-random/manifest.json';

const manifest = validateManifest(manifestJson);
const m = (...v: number[]) => Uint8Array.from(v);

describe('agreement between AI output and a correction', () => {
  it.each<[string, Uint8Array[], Uint8Array[], { dice: number; added: number; removed: number }]>([
    ['unchanged', [m(1, 1, 0, 0)], [m(1, 1, 0, 0)], { dice: 1, added: 0, removed: 0 }],
    ['grown by one pixel', [m(1, 1, 0, 0)], [m(1, 1, 1, 0)], { dice: 0.8, added: 1, removed: 0 }],
    ['one pixel erased, one added', [m(1, 1, 0, 0)], [m(0, 1, 1, 0)], { dice: 0.5, added: 1, removed: 1 }],
    ['erased entirely', [m(1, 0)], [m(0, 0)], { dice: 0, added: 0, removed: 1 }],
    ['summed over frames', [m(1, 0), m(1, 1)], [m(1, 0), m(0, 1)], { dice: 0.8, added: 0, removed: 1 }],
    ['both empty', [m(0, 0)], [m(0, 0)], { dice: 1, added: 0, removed: 0 }],
  ])('%s', (_, ai, corrected, expected) => {
    const a = agreement(1, ai, corrected);
    expect(a.dice).toBeCloseTo(expected.dice, 10);
    expect([a.added, a.removed]).toEqual([expected.added, expected.removed]);
  });

  it('refuses frames that do not pair up', () => {
    expect(() => agreement(1, [m(1)], [])).toThrow('segment 1: 1 AI frame(s) but 0 corrected');
    expect(() => agreement(2, [m(1)], [m(1, 0)])).toThrow('segment 2, frame 1: masks differ in size (1 and 2)');
  });

  it('summarises in 64 characters for ContentDescription', () => {
    expect(correctionDescription([agreement(1, [m(1, 1, 0, 0)], [m(0, 1, 1, 0)])])).toBe('Reader-corrected AI: Dice 0.500, +1/-1 px');
    expect(correctionDescription([agreement(1, [m(1)], [m(1)])])).toBe('AI output reviewed without changes');
  });
});

describe('correction workflow in the stored SEG', () => {
  const source = metadataOf(usImage('2.25.2001', new Uint8Array(2 * 4 * 3), 2, 4));
  const ai = aiSegments(manifest, { threshold: 0.5, backend: 'webgpu' });
  const aiMask = m(0, 1, 1, 0, 0, 1, 1, 0);
  const corrected = m(0, 1, 1, 1, 0, 1, 1, 0);
  const aiSeg = readSeg(writeSeg([source], ai, [{ source: 0, segment: 1, mask: aiMask }], aiSeriesOptions(manifest, 'CMUNeXt^AI')));

  it('writes the AI output as AUTOMATIC with the model, its weights and the settings that mattered', () => {
    expect(aiSeg.segments[0]).toMatchObject({
      label: 'Breast lesion',
      algorithmType: 'AUTOMATIC',
      algorithmName: manifest.name,
      algorithmVersion: `0.1.0 sha256:${manifest.sha256.slice(0, 16)}`,
      algorithmParameters: { model: 'cmunext-s-random', threshold: '0.5', backend: 'webgpu', input: '256x256', weights_sha256: manifest.sha256 },
    });
    expect(aiSeg.seriesDescription).toBe(`AI segmentation ${manifest.name}`.slice(0, 64));
    expect(aiSeg.contentDescription).toBe('AI output (CMUNeXt), not reviewed; research use only');
  });

  it('writes a correction as a new SEMIAUTOMATIC SEG that records its agreement and the AI SEG it corrects', () => {
    const stats = [agreement(1, [aiMask], [corrected])];
    const options = correctedSeriesOptions(aiSeriesOptions(manifest), stats, 'Reader^Breast');
    const edited = readSeg(writeSeg([source], correctedSegments(ai, stats, aiSeg.sopInstanceUID), [{ source: 0, segment: 1, mask: corrected }], options));
    expect(edited.sopInstanceUID).not.toBe(aiSeg.sopInstanceUID);
    expect(edited.seriesInstanceUID).not.toBe(aiSeg.seriesInstanceUID);
    expect(edited.studyInstanceUID).toBe(aiSeg.studyInstanceUID);
    expect(edited.segments[0]).toMatchObject({
      algorithmType: 'SEMIAUTOMATIC',
      algorithmName: manifest.name,
      algorithmParameters: { ai_dice: '0.8889', pixels_added: '1', pixels_removed: '0', ai_seg: aiSeg.sopInstanceUID, weights_sha256: manifest.sha256 },
    });
    expect(edited.contentDescription).toBe('Reader-corrected AI: Dice 0.889, +1/-0 px');
    expect(edited.contentCreatorName).toBe('Reader^Breast');
    expect(Array.from(edited.frames[0].mask)).toEqual(Array.from(corrected));
  });

  it('leaves an unedited segment AUTOMATIC', () => {
    const stats = [agreement(1, [aiMask], [aiMask])];
    expect(correctedSegments(ai, stats)[0].algorithmType).toBe('AUTOMATIC');
  });
});
