/**
 * The commands' rules against fake ports: what is segmented, kept, replaced, refused and stored. The e2e suite runs
 * the same commands in the real viewer; these tables hold each rule.
 */
import { ClickTimings } from '../../extension/src/controller/context';
import { ActionGate } from '../../extension/src/controller/gate';
import { openStored } from '../../extension/src/controller/open';
import { segment } from '../../extension/src/controller/segment';
import { saveFiles, store } from '../../extension/src/controller/store';
import { rethreshold } from '../../extension/src/controller/threshold';
import { StoreError } from '../../extension/src/dicomweb/stow';
import { readSeg } from '../../extension/src/seg/readSeg';
import { writePart10 } from '../../extension/src/dicom/part10';
import { UserError } from '../../extension/src/userError';
import { model, stack, world, World } from './fakes';

// Per image of a 2 x 2 stack image: the model's probabilities.
const LESION = [0.9, 0.7, 0.3, 0.1]; // at 0.5: pixels 0 and 1
const NOTHING = [0.1, 0.1, 0.2, 0.4]; // at 0.5: none; at 0.3: pixel 3

const segmentAll = (w: World) => segment(w.ctx, w.host.imageIds(), w.host.target);
const segmentShown = (w: World) => segment(w.ctx, [w.host.currentImageId()], w.host.target);
const storeNow = (w: World) => store(w.ctx, w.host.target);
const openNow = (w: World) => openStored(w.ctx, w.host.target);
/** What the PACS holds, in store order: algorithm type and the masks of each SEG, per source SOP instance. */
const held = (w: World) => w.pacs.held.map((b) => {
  const seg = readSeg(b);
  return { type: seg.segments[0].algorithmType, masks: Object.fromEntries(seg.frames.map((f) => [f.sourceSopInstanceUID, Array.from(f.mask)])) };
});

describe('segment', () => {
  it.each<[string, number[][], (w: World) => Promise<void>, Record<string, number[]>, RegExp]>([
    ['the image shown', [LESION, LESION], segmentShown, { img1: [1, 1, 0, 0], img2: [0, 0, 0, 0] }, /: 1 image\(s\), 5 ms per image\.$/],
    ['the whole series', [LESION, NOTHING], segmentAll, { img1: [1, 1, 0, 0], img2: [0, 0, 0, 0] }, /: 2 image\(s\), 5 ms per image\.$/],
    ['an image where the model finds nothing', [NOTHING], segmentShown, { img1: [0, 0, 0, 0] }, /The model found nothing at threshold 0\.50; a lower threshold in the panel shows weaker findings\./],
  ])('%s: one AI labelmap, the masks, and what the panel says', async (_, probabilities, run, masks, said) => {
    const w = world(probabilities);
    await run(w);
    expect(w.host.created.map((c) => c.label)).toEqual([`AI ${w.inference.model!.manifest.name}`]);
    for (const [imageId, mask] of Object.entries(masks)) expect(w.host.mask(imageId)).toEqual(mask);
    expect(w.panel.last).toMatch(said);
  });

  it('finishes on wasm when the GPU is lost mid-run, says so, and the stored SEG names the backend that finished', async () => {
    const w = world([LESION, LESION]);
    w.inference.load = async () => (w.inference.model = { ...model, backend: 'webgpu' });
    w.inference.gpuLostAfter = 1;
    await segmentAll(w);
    expect(w.host.mask('img2')).toEqual([1, 1, 0, 0]);
    expect(w.panel.last).toMatch(/ on wasm: 2 image\(s\), 5 ms per image\. WebGPU stopped during the run \(webgpu inference failed: Device was lost\); it finished on wasm\.$/);
    await storeNow(w);
    expect(readSeg(w.pacs.held[0]).segments[0].algorithmParameters.backend).toBe('wasm');
  });

  it.each<[string, number, number, number | undefined, RegExp]>([
    ['a 1,000-frame cine of 600x430 fits the default limit (about 760 MB)', 430, 600, undefined, /: 1000 image\(s\), 5 ms per image/],
    ['a 1,000-frame cine of 800x600 is refused up front, saying why', 600, 800, undefined,
      /^this series has 1000 images of 800x600: segmenting them all would keep about 1166 MB in the viewer \(probabilities for the threshold, AI masks, labelmap\), over its 1024 MB limit \(app-config cmunext\.seriesMemoryMB\); segment the image shown, or raise the limit/],
    ['the same with the limit raised', 600, 800, 2048, /: 1000 image\(s\), 5 ms per image/],
  ])('%s', async (_, rows, columns, limitMB, outcome) => {
    const images = stack(1000).map((i) => ({ ...i, instance: { ...i.instance, Rows: rows, Columns: columns } }));
    const w = world(images.map(() => LESION), images);
    w.ctx.seriesMemoryMB = limitMB;
    const ran = await segmentAll(w).then(() => w.panel.last, (e: Error) => e.message);
    expect(ran).toMatch(outcome);
    expect(w.host.created).toHaveLength(ran.startsWith('this series') ? 0 : 1);
  });

  it('puts each result on the image it came from when the reader scrolls and changes viewport mid-run', async () => {
    const w = world([LESION, NOTHING, LESION], stack(3));
    const inner = w.inference.segment.bind(w.inference);
    const elsewhere = { ...w.host.target, viewportId: 'vp2', displaySet: { ...w.host.target.displaySet, displaySetInstanceUID: 'ds2' } };
    w.inference.segment = (images, call) => inner(images, { ...call, onFrame: (index, frame) => {
      call.onFrame(index, frame);
      // After the first frame the reader scrolls to the last image and makes another viewport active.
      w.host.current = 2;
      Object.assign(w.host, { target: elsewhere });
    } });
    await segment(w.ctx, w.host.imageIds(), w.host.target);
    expect(['img1', 'img2', 'img3'].map((id) => w.host.mask(id))).toEqual([[1, 1, 0, 0], [0, 0, 0, 0], [1, 1, 0, 0]]);
    expect(w.host.created).toHaveLength(1);
    expect(w.ctx.runs.get(elsewhere, w.host)).toBeUndefined();
  });

  it('reports where the run\'s time went, stage by stage', async () => {
    const w = world([LESION, LESION]);
    const reported: ClickTimings[] = [];
    w.ctx.timings = (t) => reported.push(t);
    await segmentAll(w);
    expect(reported).toEqual([expect.objectContaining({ images: 2, preMs: 2, inferenceMs: 10, postMs: 2 })]);
    const t = reported[0];
    // The viewport draws 3 ms after the last frame's labelmap is written (the fake host): the labelmap on screen.
    expect(t.renderMs).toBeGreaterThanOrEqual(2);
    expect(t.totalMs).toBeGreaterThanOrEqual(t.modelMs + t.readMs + t.labelmapMs + t.renderMs);
  });

  it('segmenting again replaces the AI result in the same labelmap and keeps the reader\'s edits', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    w.host.paint('img1', [3], 1);
    w.inference.probabilities = [[0.1, 0.9, 0.9, 0.1]];
    await segmentShown(w);
    expect(w.host.created).toHaveLength(1);
    expect(w.host.mask('img1')).toEqual([0, 1, 1, 1]);
    expect(w.panel.last).toMatch(/\(replaced the earlier AI result; 1 edited pixel\(s\) kept\)/);
  });

  it('a labelmap the reader deleted is made again', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    w.host.deleteSegmentation('seg1');
    await segmentShown(w);
    expect(w.host.created.map((c) => c.id)).toEqual(['seg1', 'seg2']);
    expect(w.panel.last).not.toMatch(/replaced/);
  });

  it.each<[string, number, (w: World) => Promise<void>, string[]]>([
    ['the image shown: shown once it holds the mask', 1, segmentShown, ['create seg1', 'write seg1 img1', 'show seg1']],
    ['a series: shown after its first image; the images not shown told once, at the end', 3, segmentAll,
      ['create seg1', 'write seg1 img1', 'show seg1', 'write seg1 img2', 'write seg1 img3', 'modified seg1']],
    ['a series again, the reader on its second image: that image told as it comes', 3, async (w) => {
      await segmentAll(w);
      w.host.current = 1;
      w.host.log.length = 0;
      await segmentAll(w);
    }, ['write seg1 img1', 'write seg1 img2', 'modified seg1', 'write seg1 img3', 'modified seg1']],
    ['the worker failing mid-series: what was written told', 3, async (w) => {
      w.inference.failAfter = 2;
      await expect(segmentAll(w)).rejects.toThrow('the worker stopped');
    }, ['create seg1', 'write seg1 img1', 'show seg1', 'write seg1 img2', 'modified seg1']],
    ['segmenting again: the labelmap shown is written over', 1, async (w) => {
      await segmentShown(w);
      w.host.log.length = 0;
      await segmentShown(w);
    }, ['write seg1 img1', 'modified seg1']],
    ['cancelled before its first image: shown, empty', 2, async (w) => {
      w.inference.cancelAfter = 0;
      await segmentAll(w);
    }, ['create seg1', 'show seg1']],
    ['the worker failing on its first image: shown, empty, and the failure thrown', 2, async (w) => {
      w.inference.failAfter = 0;
      await expect(segmentAll(w)).rejects.toThrow('the worker stopped');
    }, ['create seg1', 'show seg1']],
  ])('a new labelmap is drawn once, filled: %s', async (_, images, run, log) => {
    const w = world(Array.from({ length: images }, () => LESION));
    await run(w);
    expect(w.host.log).toEqual(log);
  });

  it('a new labelmap is made while the model runs on the first image, then written and shown', async () => {
    const w = world([LESION]);
    const order: string[] = [];
    const create = w.host.createLabelmap.bind(w.host);
    w.host.createLabelmap = async (...args) => {
      const id = await create(...args);
      await new Promise((r) => setTimeout(r, 5));
      order.push('made');
      return id;
    };
    const infer = w.inference.segment.bind(w.inference);
    w.inference.segment = (images, call) => {
      order.push('model');
      return infer(images, call);
    };
    await segmentShown(w);
    expect(order).toEqual(['model', 'made']);
    expect(w.host.log).toEqual(['create seg1', 'write seg1 img1', 'show seg1']);
    expect(w.host.mask('img1')).toEqual([1, 1, 0, 0]);
  });

  it('cancelled while the model loads: nothing segmented, no labelmap', async () => {
    const w = world([LESION]);
    w.inference.stall = true;
    const running = segmentShown(w);
    await new Promise((r) => setTimeout(r, 0));
    w.ctx.gate.abort!.abort();
    await running;
    expect(w.host.created).toHaveLength(0);
    expect(w.panel.last).toBe('Cancelled while the model was loading: nothing segmented.');
  });

  it('cancelled mid-series: the frames done are kept', async () => {
    const w = world([LESION, LESION, LESION]);
    w.inference.cancelAfter = 2;
    await segmentAll(w);
    expect(w.panel.last).toBe('Cancelled: 2 of 3 image(s) segmented and kept.');
    expect([w.host.mask('img1'), w.host.mask('img3')]).toEqual([[1, 1, 0, 0], [0, 0, 0, 0]]);
  });

  it('warns when the series is not of a modality the model was trained on', async () => {
    const w = world([LESION]);
    w.inference.model = undefined;
    w.host.target.displaySet.Modality = 'CT';
    const trained = w.ctx.inference;
    w.ctx.inference = { ...trained, load: async (s) => { const m = await trained.load(s); return m && { ...m, manifest: { ...m.manifest, modalities: ['US'] } }; }, segment: (i, c) => trained.segment(i, c) };
    await segmentShown(w);
    expect(w.host.notes).toEqual([{ type: 'warning', title: 'CMUNeXt segment', message: expect.stringMatching(/trained on US images, not CT/) }]);
  });
});

describe('re-threshold', () => {
  it.each<[string, (w: World) => Promise<void> | void, number, RegExp]>([
    ['before any run', () => undefined, 0.3, /segment an image first/],
    ['to 0', segmentShown, 0, /the threshold must be above 0 and below 1, got 0/],
    ['to 1', segmentShown, 1, /got 1/],
  ])('refuses %s', async (_, before, threshold, message) => {
    const w = world([LESION]);
    await before(w);
    expect(() => rethreshold(w.ctx, threshold)).toThrow(message);
  });

  it('re-cuts the kept probabilities without inference, keeping the reader\'s erasure across thresholds', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    w.host.paint('img1', [1], 0); // the reader erases pixel 1
    rethreshold(w.ctx, 0.2);
    expect(w.host.mask('img1')).toEqual([1, 0, 1, 0]);
    expect(w.panel.last).toBe('Threshold 0.20 applied to 1 image(s) without new inference; 1 edited pixel(s) kept.');
    rethreshold(w.ctx, 0.5);
    expect(w.host.mask('img1')).toEqual([1, 0, 0, 0]);
    expect(w.inference.loads).toBe(1);
  });

  it('refuses while a run is under way, and puts the slider back', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    w.inference.stall = true;
    const gate = w.ctx.gate;
    const running = gate.exclusive('segmenting', 'segment again', () => segmentShown(w));
    await new Promise((r) => setTimeout(r, 0));
    expect(() => rethreshold(w.ctx, 0.3)).toThrow('CMUNeXt is segmenting: change the threshold when it has finished, or cancel it (the images done are kept)');
    expect(w.panel.threshold).toBe(0.5);
    gate.abort!.abort();
    await running;
  });
});

describe('store', () => {
  it('refuses when there is nothing to store', async () => {
    const w = world([LESION]);
    await expect(storeNow(w)).rejects.toThrow('there is no CMUNeXt segmentation on this series to store: segment, or open a stored SEG');
  });

  it.each<[string, (w: World) => void, { type: string; masks: Record<string, number[]> }[], RegExp]>([
    ['the AI result unedited', () => undefined, [{ type: 'AUTOMATIC', masks: { '2.25.601': [1, 1, 0, 0] } }], /^AI segmentation stored as DICOM SEG\.$/],
    ['a correction: the AI result first, then the correction', (w) => w.host.paint('img1', [2], 1), [
      { type: 'AUTOMATIC', masks: { '2.25.601': [1, 1, 0, 0] } },
      { type: 'SEMIAUTOMATIC', masks: { '2.25.601': [1, 1, 1, 0] } },
    ], /^Corrected segmentation stored \(Dice with AI 0\.800, \+1\/-0 pixels\), with the AI original it corrects\.$/],
    ['paint on an image the model did not see', (w) => w.host.paint('img2', [0], 1), [
      { type: 'AUTOMATIC', masks: { '2.25.601': [1, 1, 0, 0] } },
      { type: 'SEMIAUTOMATIC', masks: { '2.25.601': [1, 1, 0, 0], '2.25.602': [1, 0, 0, 0] } },
    ], /\+1\/-0 pixels/],
    ['the AI finding erased: a rejection', (w) => w.host.paint('img1', [0, 1], 0), [
      { type: 'AUTOMATIC', masks: { '2.25.601': [1, 1, 0, 0] } },
      { type: 'SEMIAUTOMATIC', masks: { '2.25.601': [0, 0, 0, 0] } },
    ], /^The AI result, erased by the reader, stored as rejected/],
  ])('%s', async (_, edit, expected, said) => {
    const w = world([LESION, NOTHING]);
    await segmentShown(w);
    edit(w);
    await storeNow(w);
    expect(held(w)).toEqual(expected);
    expect(w.panel.last).toMatch(said);
    expect(w.host.notes.at(-1)).toMatchObject({ type: 'success', title: 'Stored to PACS' });
  });

  it('stores nothing twice, and a further correction alone, naming the AI SEG stored before', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    await storeNow(w);
    await storeNow(w);
    expect(w.panel.last).toBe('Nothing changed since this segmentation was stored or opened; the PACS already holds it.');
    w.host.paint('img1', [3], 1);
    await storeNow(w);
    expect(w.pacs.stores.map((s) => s.length)).toEqual([1, 1]);
    const ai = readSeg(w.pacs.stores[0][0]);
    const correction = readSeg(w.pacs.stores[1][0]);
    expect(correction.segments[0].algorithmParameters.ai_seg).toBe(ai.sopInstanceUID);
  });

  it('keeps the work when the PACS refuses, and a retry stores it once', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    w.host.paint('img1', [2], 1);
    w.pacs.refuse = 'the PACS refused the store (HTTP 409): out of space';
    await expect(storeNow(w)).rejects.toThrow(StoreError);
    expect(w.host.mask('img1')).toEqual([1, 1, 1, 0]);
    w.pacs.refuse = undefined;
    await storeNow(w);
    await storeNow(w);
    expect(w.pacs.stores).toHaveLength(1);
    expect(held(w).map((s) => s.type)).toEqual(['AUTOMATIC', 'SEMIAUTOMATIC']);
  });

  const uids = (instances: Uint8Array[]) => instances.map((b) => readSeg(b).sopInstanceUID);

  it('sends the same instances again after a PACS that stored them did not answer: one copy held', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    w.host.paint('img1', [2], 1);
    w.pacs.silent = true;
    await expect(storeNow(w)).rejects.toThrow(/did not answer within 120 s\. The segmentation stays here: Store again to retry, or save it as a file\.$/);
    w.pacs.silent = false;
    await storeNow(w);
    expect(uids(w.pacs.stores[1])).toEqual(uids(w.pacs.stores[0]));
    expect(held(w).map((s) => s.type)).toEqual(['AUTOMATIC', 'SEMIAUTOMATIC']);
    await storeNow(w);
    expect(w.pacs.stores).toHaveLength(2);
  });

  it('stores the correction alone, naming the AI SEG, after a PACS that took the AI SEG but refused the correction', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    w.host.paint('img1', [2], 1);
    w.pacs.firstOnly = true;
    await expect(storeNow(w)).rejects.toThrow(/HTTP 202\): .*it stored 1 of 2 instance\(s\)\. The segmentation stays here/);
    w.pacs.firstOnly = false;
    await storeNow(w);
    const [ai] = uids(w.pacs.stores[0]);
    expect(w.pacs.stores[1]).toHaveLength(1);
    expect(readSeg(w.pacs.stores[1][0]).segments[0].algorithmParameters.ai_seg).toBe(ai);
    expect(held(w).map((s) => s.type)).toEqual(['AUTOMATIC', 'SEMIAUTOMATIC']);
  });

  it('saves what Store would send as files while the PACS refuses, and a later store sends those same instances', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    w.host.paint('img1', [2], 1);
    w.pacs.refuse = 'the PACS refused the store (HTTP 409): out of space';
    await expect(storeNow(w)).rejects.toThrow(/out of space\. The segmentation stays here/);
    await saveFiles(w.ctx, w.host.target);
    expect(w.host.saved.map((f) => f.name)).toEqual([expect.stringMatching(/^cmunext-seg-1-of-2-\w+\.dcm$/), expect.stringMatching(/^cmunext-seg-2-of-2-\w+\.dcm$/)]);
    expect(w.host.saved.map((f) => readSeg(f.bytes).segments[0].algorithmType)).toEqual(['AUTOMATIC', 'SEMIAUTOMATIC']);
    expect(w.panel.last).toMatch(/^Saved as 2 DICOM SEG files \(cmunext-seg-1-of-2-\w+\.dcm, cmunext-seg-2-of-2-\w+\.dcm\): import into a PACS or another viewer\.$/);
    w.pacs.refuse = undefined;
    await storeNow(w);
    expect(uids(w.pacs.stores[0])).toEqual(uids(w.host.saved.map((f) => f.bytes)));
    // An edit after saving makes new instances.
    w.host.paint('img1', [3], 1);
    await storeNow(w);
    expect(uids(w.pacs.stores[1])).not.toEqual(uids(w.pacs.stores[0]).slice(1));
  });

  it.each<[string, unknown, string, string]>([
    ['the signed-in reader', { family_name: 'Doe', given_name: 'Jane' }, '', 'Doe^Jane'],
    ['app-config\'s reader where no one signs in', undefined, 'Roe^Richard', 'Roe^Richard'],
  ])('a correction is stored under %s', async (_, profile, configured, name) => {
    const w = world([LESION]);
    w.host.profile = profile;
    w.ctx.contentCreatorName = configured;
    await segmentShown(w);
    w.host.paint('img1', [2], 1);
    await storeNow(w);
    expect(w.pacs.held.map((b) => readSeg(b).contentCreatorName)).toEqual([undefined, name]); // the AI SEG names no reader
  });
});

describe('open stored SEG', () => {
  it('says when no stored SEG lies on the images shown', async () => {
    const w = world([LESION]);
    await expect(openNow(w)).rejects.toThrow('no stored SEG in this study refers to the images shown');
  });

  it('opens a series\' CMUNeXt SEG as the series is shown, quietly where there is none, never over the series\' own result or another tool\'s SEG', async () => {
    const onShow = (w: World) => openStored(w.ctx, w.host.target, { onShow: true });
    // Another tool's SEG over the image: left for the reader to open.
    const other = world([LESION]);
    await segmentShown(other);
    await storeNow(other);
    const [ai] = other.pacs.stores[0];
    const foreign = readSeg(ai).dataset;
    const viewer = world([LESION]);
    viewer.pacs.stores.push([writePart10({ ...foreign, ContentLabel: 'OTHER_TOOL', SOPInstanceUID: '2.25.9911' })]);
    await onShow(viewer);
    expect([viewer.host.created, viewer.panel.said]).toEqual([[], []]);
    // A CMUNeXt AI SEG (a batch's): opened for editing, said.
    viewer.pacs.stores.push([ai]);
    await onShow(viewer);
    expect(viewer.host.created).toHaveLength(1);
    expect(viewer.host.mask('img1')).toEqual([1, 1, 0, 0]);
    expect(viewer.panel.last).toMatch(/^Opened "AI segmentation .*" \(AUTOMATIC, 1 frame\(s\)\) for editing\./);
    // Shown again with its result there: nothing set aside, nothing opened twice.
    await onShow(viewer);
    expect(viewer.host.created).toHaveLength(1);
  });

  it('opens the newest SEG for editing; its edits are stored as a correction measured against the AI original', async () => {
    const w = world([LESION, NOTHING]);
    await segmentShown(w);
    await storeNow(w);
    w.host.deleteSegmentation('seg1'); // a reload: the viewer holds nothing
    w.host.log.length = 0;
    await openNow(w);
    expect(w.panel.last).toMatch(/^Opened "AI segmentation .*" \(AUTOMATIC, 1 frame\(s\)\) for editing\.$/);
    // Shown once it holds the stored frames, as a new AI labelmap is.
    expect(w.host.log).toEqual(['create seg2', 'write seg2 img1', 'show seg2']);
    expect(w.host.mask('img1', 'seg2')).toEqual([1, 1, 0, 0]);
    await storeNow(w);
    expect(w.panel.last).toMatch(/^Nothing changed/);
    w.host.paint('img1', [0], 0, 'seg2');
    await storeNow(w);
    const correction = readSeg(w.pacs.stores[1][0]);
    expect(correction.segments[0].algorithmType).toBe('SEMIAUTOMATIC');
    expect(correction.segments[0].algorithmParameters.ai_seg).toBe(readSeg(w.pacs.stores[0][0]).sopInstanceUID);
    expect(w.panel.last).toMatch(/Dice with AI 0\.667/);
    expect(() => rethreshold(w.ctx, 0.3)).toThrow(/a SEG reopened from the PACS holds no probabilities to re-threshold/);
  });

  it('skips a SEG it cannot read and names it', async () => {
    const w = world([LESION]);
    await segmentShown(w);
    await storeNow(w);
    w.pacs.unreadable.push({ seriesInstanceUID: '2.25.9', sopInstanceUID: '2.25.99', seriesDescription: 'Other tool', seriesNumber: 1, seriesInstant: 99 });
    w.host.deleteSegmentation('seg1');
    await openNow(w);
    expect(w.panel.last).toMatch(/ 1 newer SEG\(s\) could not be read: "Other tool": /);
  });

  it.each<[string, (w: World) => Promise<void>]>([
    ['opening over unstored AI work', (w) => openNow(w)],
    ['segmenting again over a reopened SEG with unstored edits', async (w) => {
      await storeNow(w);
      w.host.deleteSegmentation('seg1');
      await openNow(w);
      w.host.paint('img1', [2], 1, 'seg2');
      await segmentShown(w);
    }],
  ])('refuses %s', async (_, action) => {
    const w = world([LESION]);
    await segmentShown(w);
    w.host.paint('img1', [3], 1);
    await expect(action(w)).rejects.toThrow(/holds work the PACS does not have: store it, or delete it in the Segmentation panel, before /);
  });
});

describe('one action at a time', () => {
  it('refuses a second action while one runs and says why; the buttons are free again after', async () => {
    const changes: boolean[] = [];
    const gate = new ActionGate((busy) => changes.push(busy));
    let finish!: () => void;
    const first = gate.exclusive('storing to the PACS', 'store', () => new Promise<void>((r) => (finish = r)));
    expect(gate.whyBusy()).toBe('CMUNeXt is storing to the PACS');
    await expect(gate.exclusive('storing to the PACS', 'store', async () => undefined)).rejects.toThrow(new UserError('CMUNeXt is storing to the PACS: store when it has finished'));
    finish();
    await first;
    expect(gate.whyBusy()).toBeUndefined();
    expect(changes).toEqual([true, false]);
  });
});
