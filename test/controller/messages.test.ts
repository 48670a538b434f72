import { clickTimings, downloadMessage, outOfDomainWarning, readyMessage, RunOutcome, runSummary } from '../../extension/src/controller/messages';
import { validateManifest } from '../../extension/src/core/validateManifest';
import manifestJson from '../fixtures/cmunext-s-random/manifest.json';

const manifest = validateManifest({ ...manifestJson, modalities: ['US'] });

describe('out-of-domain warning', () => {
  it.each<[string | undefined, boolean]>([
    ['US', false],
    ['CT', true],
    ['MR', true],
    [undefined, false],
  ])('modality %p warns: %p', (modality, warns) => {
    const w = outOfDomainWarning(manifest, modality);
    expect(w !== undefined).toBe(warns);
    if (w) expect(w).toBe(`Warning: this model was trained on US images, not ${modality}; the result is unlikely to be meaningful.`);
  });

  it('stays silent for a model that names no modalities', () => {
    expect(outOfDomainWarning(validateManifest(manifestJson), 'CT')).toBeUndefined();
  });

  it('rejects a malformed modality list in the manifest', () => {
    expect(() => validateManifest({ ...manifestJson, modalities: ['us'] })).toThrow('manifest.modalities[0]: must match pattern');
  });
});

describe('what the panel says while the model downloads', () => {
  it.each<[number, number | undefined, string]>([
    [3.25 * 2 ** 20, 13 * 2 ** 20, 'Downloading the model: 3.3 of 13.0 MB (25%)…'],
    [13 * 2 ** 20, 13 * 2 ** 20, 'Downloading the model: 13.0 of 13.0 MB (100%)…'],
    [2 ** 19, undefined, 'Downloading the model: 0.5 MB…'],
  ])('%d of %p bytes', (received, total, said) => {
    expect(downloadMessage(received, total)).toBe(said);
  });
});

describe('what the panel says when a run ends', () => {
  const base: RunOutcome = { manifest, backend: 'wasm', written: 3, total: 3, cancelled: false, inferenceMs: 210, found: 3, threshold: 0.5, replacing: false, kept: 0, modality: 'US' };
  it.each<[string, Partial<RunOutcome>, string]>([
    ['done', {}, `${manifest.name} 0.1.0 on wasm: 3 image(s), 70 ms per image.`],
    ['on WebGPU', { backend: 'webgpu' }, `${manifest.name} 0.1.0 on WebGPU: 3 image(s), 70 ms per image.`],
    ['replacing an earlier result, edits kept', { replacing: true, kept: 12 }, `${manifest.name} 0.1.0 on wasm: 3 image(s), 70 ms per image (replaced the earlier AI result; 12 edited pixel(s) kept).`],
    ['found on some images', { found: 1 }, `${manifest.name} 0.1.0 on wasm: 3 image(s), 70 ms per image.`],
    ['found on none', { found: 0, threshold: 0.35 }, `${manifest.name} 0.1.0 on wasm: 3 image(s), 70 ms per image. The model found nothing at threshold 0.35; a lower threshold in the panel shows weaker findings.`],
    ['another modality', { modality: 'CT' }, `${manifest.name} 0.1.0 on wasm: 3 image(s), 70 ms per image. Warning: this model was trained on US images, not CT; the result is unlikely to be meaningful.`],
    ['cancelled', { cancelled: true, written: 1, found: 0 }, 'Cancelled: 1 of 3 image(s) segmented and kept.'],
  ])('%s', (_, change, said) => {
    expect(runSummary({ ...base, ...change })).toBe(said);
  });
});

describe('the console line of a model made ready', () => {
  const ready = { manifest, backend: 'wasm' as const, skipped: [], fromCache: true, loadMs: 2562.4, warmUpMs: 2886 };
  const line = `${manifest.id} 0.1.0 ready on wasm (1 thread): loaded in 2562 ms from the browser cache, warm-up runs 2886 ms`;
  it.each<[string, object, string]>([
    ['isolated, on as many threads as onnxruntime-web chose', { threads: 4, isolated: true }, line.replace('1 thread', '4 threads')],
    ['isolated on two cores: one thread is its choice', { threads: 1, isolated: true }, line],
    ['not isolated: held to one thread, and how to lift it', { threads: 1, isolated: false },
      `${line}. The page is not cross-origin isolated, so wasm runs on one thread: serve the viewer with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp to use more of the cores`],
    ['on WebGPU, downloaded, no warm-up', { backend: 'webgpu', fromCache: false, warmUpMs: undefined }, `${manifest.id} 0.1.0 ready on webgpu: loaded in 2562 ms`],
  ])('%s', (_, change, said) => {
    expect(readyMessage({ ...ready, ...change })).toBe(said);
  });
});

describe('stage figures', () => {
  it('name each stage in one line, never below zero', () => {
    expect(clickTimings({ images: 2, toolbarMs: 2.6, modelMs: 0.4, readMs: 12.2, preMs: 6, inferenceMs: 240.6, postMs: 4, transferMs: -0.3, labelmapMs: 9, renderMs: 31.4, totalMs: 306.5 }))
      .toBe('2 image(s) in 307 ms: toolbar 3, model 0, read 12, pre 6, inference 241, post 4, transfer 0, labelmap 9, render 31 ms');
  });
});
