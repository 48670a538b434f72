/**
 * The radiologist's path in the real viewer: prebuilt OHIF 3.13.2, Orthanc with DICOMweb started here, Debian
 * chromium. Segment a demo ultrasound image, compare with the expert mask, store as DICOM SEG, validate what the PACS
 * holds, correct and store again, reload and reopen; once on wasm and once on WebGPU (SwiftShader).
 */
import { tempDir } from '../helpers/tempDir';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium, Browser, Page } from 'playwright-core';
import { readMaskFile } from '../../cli/imageFile';
import { overlap } from '../../extension/src/core/metrics';
import { dicomDateTime } from '../../extension/src/dicom/dateTime';
import { readPart10, writePart10 } from '../../extension/src/dicom/part10';
import { readSeg } from '../../extension/src/seg/readSeg';
import { SegmentDescription } from '../../extension/src/seg/types';
import { newUid } from '../../extension/src/seg/uid';
import { writeSeg } from '../../extension/src/seg/writeSeg';
import { dicomFile, enhancedMr, metadataOf } from '../helpers/dicom';
import { freePort, Pacs, startOrthanc, uploadFiles } from '../../scripts/pacs';
import { appConfig, EXTENSION_MODULES, projectMounts, startServer } from '../../scripts/server';
import { ensureViewer } from '../../scripts/viewer';
import { hostBuild } from './hostBuild';

const ROOT = resolve(__dirname, '../..');
const SHOTS = join(ROOT, 'docs', 'screenshots');
const ARGS = ['--headless=new', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WEBGPU = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'];
const truth = JSON.parse(readFileSync(join(ROOT, 'demo/truth/truth.json'), 'utf8'));

let pacs: Pacs;
let server: Server;
let base: string;
let studyUID: string;
let cineStudyUID: string;

beforeAll(async () => {
  pacs = await startOrthanc();
  const studies = join(ROOT, 'demo/studies');
  await uploadFiles(`${pacs.url}/dicom-web`, readdirSync(studies).map((f) => join(studies, f)));
  // Stored SEGs open on request here, so each test sees the labelmaps it makes; the restart test runs the default.
  ({ server, url: base } = await serveViewer(projectMounts(ROOT), appConfig(EXTENSION_MODULES, { openStoredSegs: false })));
  const found = await (await fetch(`${base}/dicom-web/studies?AccessionNumber=DEMO1`)).json();
  studyUID = found[0]['0020000D'].Value[0];
  cineStudyUID = (await (await fetch(`${base}/dicom-web/studies?AccessionNumber=DEMO2`)).json())[0]['0020000D'].Value[0];
}, 300000);

/** The prebuilt viewer over the test PACS, with these mounts and app-config, on a free port. */
async function serveViewer(mounts: Record<string, string[]>, config: string): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const started = await startServer({ viewerDir: ensureViewer(), mounts, appConfig: config, dicomweb: `${pacs.url}/dicom-web`, port });
  return { server: started, url: `http://127.0.0.1:${port}` };
}

afterAll(async () => {
  server?.close();
  await pacs?.stop();
});

/**
 * An Enhanced MR object in a study of its own, uploaded to the PACS: three frames out of slice order (z 6, 0, 3), their
 * positions only in the per-frame functional groups. Their pixels are a demo ultrasound image, its mirror and a
 * shifted copy as 16-bit values, so each frame gets a mask of its own; `columns` crops the image on the right.
 */
async function uploadEnhancedMr(columns?: number): Promise<{ sop: string; zs: number[]; study: string }> {
  const us = readPart10(readFileSync(join(ROOT, 'demo/studies/us-1.dcm'))).dataset;
  const { Rows: rows, Columns: stored } = us;
  const width = columns ?? stored;
  const grey = new Uint8Array(us.PixelData[0]);
  const zs = [6, 0, 3];
  const pixel = [(x: number, y: number) => grey[y * stored + x], (x: number, y: number) => grey[y * stored + width - 1 - x], (x: number, y: number) => (x >= 80 ? grey[y * stored + x - 80] : 0)];
  const pixels = new Uint16Array(zs.length * rows * width);
  pixel.forEach((at, f) => { for (let i = 0; i < rows * width; i++) pixels[f * rows * width + i] = 16 * at(i % width, Math.floor(i / width)); });
  const sop = newUid();
  const mr = { ...enhancedMr(sop, zs, rows, width), StudyInstanceUID: newUid(), SeriesInstanceUID: newUid(), PixelData: [pixels.buffer] };
  const file = join(tempDir('e2e'), 'enhanced-mr.dcm');
  writeFileSync(file, dicomFile(mr));
  await uploadFiles(`${pacs.url}/dicom-web`, [file]);
  return { sop, zs, study: mr.StudyInstanceUID };
}

/** `npm start`'s program (built), started with `env` and waited for until it serves; stop() is its Ctrl-C. */
async function startMain(env: NodeJS.ProcessEnv): Promise<{ log: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist-node/scripts/start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  for (let waited = 0; !log.includes('Ctrl-C stops it'); waited += 200) {
    if (child.exitCode !== null || waited > 120000) {
      await stop();
      throw new Error(`npm start did not come up:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { log, stop };
}

/** `prepare`: what to set on the page before the viewer loads (routes): the mode starts loading the model on entry. */
async function openStudy(extraArgs: string[], study = studyUID, at = base, prepare?: (page: Page) => Promise<unknown>): Promise<{ browser: Browser; page: Page; errors: string[]; logs: string[]; requests: { method: string; url: string }[] }> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...ARGS, ...extraArgs] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const logs: string[] = [];
  const requests: { method: string; url: string }[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => logs.push(m.text()));
  page.on('request', (r) => requests.push({ method: r.method(), url: r.url() }));
  await prepare?.(page);
  await page.goto(`${at}/cmunext?StudyInstanceUIDs=${study}`);
  await page.locator('[data-cy="CMUNeXtSegment"]').first().waitFor({ timeout: 60000 });
  await page.waitForFunction(() => (window as any).services?.cornerstoneViewportService?.getCornerstoneViewport?.((window as any).services.viewportGridService.getActiveViewportId())?.getCurrentImageId?.(), null, { timeout: 60000 });
  return { browser, page, errors, logs, requests };
}

/** The first of `lines` (as they arrive) that matches, waiting up to `ms` for it. */
async function lineMatching(lines: string[], pattern: RegExp, ms = 60000): Promise<string> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return line;
  }
  throw new Error(`no console line matching ${pattern} in ${ms} ms: ${lines.slice(-5).join(' | ')}`);
}

/** The labelmaps the viewer holds: per segmentation label, the viewed image's SOP UID (and frame) and the mask's pixels. */
async function labelmaps(page: Page): Promise<{ label: string; sop: string; frame?: number; data: number[] }[]> {
  return page.evaluate(() => {
    const w = window as any;
    const libs = w.extensionManager.getModuleEntry('@ohif/extension-cornerstone.utilityModule.common').exports.getCornerstoneLibraries();
    const out: { label: string; sop: string; frame?: number; data: number[] }[] = [];
    for (const s of w.services.segmentationService.getSegmentations()) {
      for (const id of libs.cornerstoneTools.segmentation.getLabelmapImageIds(s.segmentationId)) {
        const img = libs.cornerstone.cache.getImage(id);
        const data = Array.from(img.voxelManager.getScalarData() as ArrayLike<number>);
        if (!data.some((v) => v)) continue;
        const frame = /\/frames\/(\d+)/.exec(img.referencedImageId)?.[1];
        out.push({ label: s.label, sop: libs.cornerstone.metaData.get('instance', img.referencedImageId).SOPInstanceUID, frame: frame ? Number(frame) : undefined, data });
      }
    }
    return out;
  });
}

function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const o = overlap(Uint8Array.from(a), Uint8Array.from(b));
  return o.a + o.b ? (2 * o.both) / (o.a + o.b) : 1;
}

const statusText = (page: Page) => page.locator('[data-cy="cmunext-status"]').textContent();

/** Waits until the panel's status matches (the playwright default timeout unless `ms` is given). */
async function statusMatching(page: Page, pattern: RegExp, ms?: number): Promise<void> {
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('[data-cy="cmunext-status"]')?.textContent ?? ''), pattern.source, ms === undefined ? {} : { timeout: ms });
}

/** Clicks Store SEG and waits for the outcome; returns the panel's status. */
async function store(page: Page): Promise<string> {
  await page.locator('[data-cy="CMUNeXtStore"]').first().click();
  await statusMatching(page, /stored|Failed|Nothing changed/, 60000);
  return (await statusText(page)) ?? '';
}

/** Clicks Open stored SEG and waits for the outcome; returns the panel's status. */
async function openStored(page: Page): Promise<string> {
  await page.locator('[data-cy="CMUNeXtOpen"]').first().click();
  await statusMatching(page, /Opened|Failed/, 60000);
  return (await statusText(page)) ?? '';
}

/** Reloads the viewer and waits until its toolbar and viewport are back. */
async function reloadViewer(page: Page): Promise<void> {
  await page.reload();
  await page.locator('[data-cy="CMUNeXtOpen"]').first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(3000);
}

/** Clicks a segment button (the image shown, or the whole series) and waits for the outcome; returns the panel's status. */
async function segment(page: Page, button: 'CMUNeXtSegment' | 'CMUNeXtSegmentSeries' = 'CMUNeXtSegment'): Promise<string> {
  await page.locator(`[data-cy="${button}"]`).first().click();
  const status = page.locator('[data-cy="cmunext-status"]');
  await statusMatching(page, /ms per image|Failed/, 240000);
  return (await status.textContent()) ?? '';
}

async function segInstances(): Promise<{ id: string; bytes: Uint8Array }[]> {
  const ids: string[] = await (await fetch(`${pacs.url}/tools/find`, { method: 'POST', body: JSON.stringify({ Level: 'Instance', Query: { Modality: 'SEG' } }) })).json();
  return Promise.all(ids.map(async (id) => ({ id, bytes: new Uint8Array(await (await fetch(`${pacs.url}/instances/${id}/file`)).arrayBuffer()) })));
}

function dciodvfy(bytes: Uint8Array): string {
  const f = join(tempDir('e2e'), 'seg.dcm');
  writeFileSync(f, bytes);
  const r = spawnSync('dciodvfy', ['-new', f], { encoding: 'utf8' });
  const report = (r.stdout + r.stderr).trim();
  console.log(`dciodvfy -new on the SEG fetched from the PACS (exit ${r.status}):\n${report}`);
  expect(report).not.toMatch(/^Error/m);
  expect(r.status).toBe(0);
  return report;
}

/** The AI labelmap's centre in canvas pixels, and canvas pixels per image pixel, for strokes through the lesion. */
function lesionCentre(page: Page): Promise<{ cx: number; cy: number; pxPerPixel: number }> {
  return page.evaluate(() => {
    const w = window as any;
    const libs = w.extensionManager.getModuleEntry('@ohif/extension-cornerstone.utilityModule.common').exports.getCornerstoneLibraries();
    const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(w.services.viewportGridService.getActiveViewportId());
    const seg = w.services.segmentationService.getSegmentations()[0];
    const [id] = libs.cornerstoneTools.segmentation.getLabelmapImageIds(seg.segmentationId);
    const img = libs.cornerstone.cache.getImage(id);
    const data = img.voxelManager.getScalarData();
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let i = 0; i < data.length; i++) if (data[i]) { sx += i % img.columns; sy += Math.floor(i / img.columns); n++; }
    const toCanvas = (x: number, y: number) => viewport.worldToCanvas(libs.cornerstone.utilities.imageToWorldCoords(img.referencedImageId, [x, y]));
    const [cx, cy] = toCanvas(sx / n, sy / n);
    const [rx] = toCanvas(sx / n + 10, sy / n);
    return { cx, cy, pxPerPixel: (rx - cx) / 10 };
  });
}

/** A mouse stroke along a row of the viewport's canvas, with whichever tool is active. */
async function drag(page: Page, x0: number, x1: number, y: number): Promise<void> {
  const canvas = (await page.locator('.cornerstone-canvas').first().boundingBox())!;
  await page.mouse.move(canvas.x + x0, canvas.y + y);
  await page.mouse.down();
  for (let i = 0; i <= 10; i++) await page.mouse.move(canvas.x + x0 + ((x1 - x0) * i) / 10, canvas.y + y);
  await page.mouse.up();
}

const expert = truth.ultrasound[0];
let expertMask: Uint8Array;
beforeAll(async () => {
  expertMask = (await readMaskFile(join(ROOT, 'demo/truth', expert.mask))).data;
});

describe('CMUNeXt segment in OHIF on a real PACS', () => {
  it('segments on wasm, stores, corrects, stores again and reopens after a reload', async () => {
    const { browser, page, errors, logs, requests } = await openStudy([]);
    try {
      // The mode readies the model before the first click: loaded, and its kernels set up by warm-up runs.
      const ready = await lineMatching(logs, /^CMUNeXt segment: cmunext-busi .* ready on wasm \(\d+ threads?\): .*, warm-up runs \d+ ms$/);
      console.log(`before the first click: ${ready}`);
      const status = await segment(page);
      expect(status).toMatch(/on wasm: 1 image\(s\), \d+ ms per image/);
      const maps = await labelmaps(page);
      expect(maps).toHaveLength(1);
      expect(maps[0].label).toMatch(/^AI CMUNeXt/);
      expect(maps[0].sop).toBe(expert.sopInstanceUID);
      // Drawn in the manifest's colour, given with the labelmap's representation.
      expect(await page.evaluate(() => {
        const w = window as any;
        const seg = w.services.segmentationService.getSegmentations().find((x: any) => x.label.startsWith('AI CMUNeXt'));
        return w.services.segmentationService.getSegmentColor(w.services.viewportGridService.getActiveViewportId(), seg.segmentationId, 1);
      })).toEqual([230, 80, 60, 255]);
      const d = dice(maps[0].data, expertMask);
      console.log(`wasm: Dice with the expert mask of ${expert.mask} = ${d.toFixed(3)} (${status})`);
      expect(d).toBeGreaterThan(0.5);
      await page.screenshot({ path: join(SHOTS, 'segment-wasm.png') });

      // The threshold re-applies the kept probabilities: no new inference, and back to 0.5 gives the same mask.
      const setThreshold = async (value: number) => {
        await page.locator('[data-cy="cmunext-threshold"]').evaluate((el, v) => {
          const input = el as HTMLInputElement;
          input.value = String(v);
          input.dispatchEvent(new Event('change'));
        }, value);
        await page.waitForFunction((v) => (document.querySelector('[data-cy="cmunext-status"]')?.textContent ?? '').startsWith(`Threshold ${v}`), value.toFixed(2));
        return (await labelmaps(page))[0]?.data ?? [];
      };
      const strict = await setThreshold(0.95);
      expect(await statusText(page)).toBe('Threshold 0.95 applied to 1 image(s) without new inference.');
      const strictCount = strict.filter(Boolean).length;
      const aiCount = maps[0].data.filter(Boolean).length;
      console.log(`threshold 0.95: ${strictCount} pixels, 0.5: ${aiCount}`);
      expect(strictCount).toBeLessThan(aiCount);
      expect(await setThreshold(0.5)).toEqual(maps[0].data);
      // The command, as a hotkey or another extension runs it, refuses a threshold out of range and says so.
      await page.evaluate(() => (window as any).commandsManager.runCommand('cmunextSetThreshold', { threshold: 1.5 }));
      await statusMatching(page, /^Failed/);
      expect(await statusText(page)).toBe('Failed: the threshold must be above 0 and below 1, got 1.5');
      expect((await labelmaps(page))[0].data).toEqual(maps[0].data);

      // Store the AI output.
      expect(await store(page)).toBe('AI segmentation stored as DICOM SEG.');
      const [ai] = await segInstances();
      dciodvfy(ai.bytes);
      const aiSeg = readSeg(ai.bytes);
      expect(aiSeg.segments[0]).toMatchObject({ label: 'Breast lesion', algorithmType: 'AUTOMATIC', algorithmParameters: { backend: 'wasm', threshold: '0.5' } });
      expect(aiSeg.frames.map((f) => f.sourceSopInstanceUID)).toEqual([expert.sopInstanceUID]);
      expect(Array.from(aiSeg.frames[0].mask)).toEqual(maps[0].data.map((v) => (v ? 1 : 0)));

      // A correction with OHIF's own tools: a brush stroke (then undone with Ctrl+Z), and an eraser stroke through
      // the lesion's centre.
      const lesion = await lesionCentre(page);
      const stroke = (x0: number, x1: number, y: number) => drag(page, x0, x1, y);
      const painted = async () => (await labelmaps(page)).reduce((a, m) => a + m.data.filter(Boolean).length, 0);
      const aiPixels = await painted();
      await page.locator('[data-cy="Brush"]').first().click();
      await stroke(lesion.cx + 60 * lesion.pxPerPixel, lesion.cx + 120 * lesion.pxPerPixel, lesion.cy);
      const brushed = await painted();
      expect(brushed).toBeGreaterThan(aiPixels);
      await page.keyboard.press('Control+z');
      await page.waitForFunction((n) => {
        const w = window as any;
        const libs = w.extensionManager.getModuleEntry('@ohif/extension-cornerstone.utilityModule.common').exports.getCornerstoneLibraries();
        const seg = w.services.segmentationService.getSegmentations()[0];
        const [id] = libs.cornerstoneTools.segmentation.getLabelmapImageIds(seg.segmentationId);
        return Array.from(libs.cornerstone.cache.getImage(id).voxelManager.getScalarData() as ArrayLike<number>).filter(Boolean).length === n;
      }, aiPixels, { timeout: 10000 });
      await page.locator('[data-cy="Eraser"]').first().click();
      await stroke(lesion.cx - 8 * lesion.pxPerPixel, lesion.cx + 8 * lesion.pxPerPixel, lesion.cy);
      const erased = aiPixels - (await painted());
      console.log(`brush stroke: +${brushed - aiPixels} pixels, undone; eraser stroke: -${erased} pixels`);
      await page.screenshot({ path: join(SHOTS, 'corrected.png') });
      expect(erased).toBeGreaterThan(0);
      // Re-thresholding keeps the correction: a stricter threshold and back leave the erased pixels erased.
      const edited = (await labelmaps(page))[0].data;
      await setThreshold(0.9);
      expect(await statusText(page)).toMatch(/^Threshold 0\.90 applied to 1 image\(s\) without new inference; \d+ edited pixel\(s\) kept\.$/);
      expect(await setThreshold(0.5)).toEqual(edited);
      console.log(`threshold 0.9 and back to 0.5 with the correction: ${await statusText(page)}`);
      await store(page);
      const stored = await segInstances();
      expect(stored).toHaveLength(2); // the AI original stays
      const corrected = stored.map((s) => readSeg(s.bytes)).find((s) => s.sopInstanceUID !== aiSeg.sopInstanceUID)!;
      dciodvfy(stored.find((s) => readSeg(s.bytes).sopInstanceUID === corrected.sopInstanceUID)!.bytes);
      expect(corrected.segments[0]).toMatchObject({ algorithmType: 'SEMIAUTOMATIC', algorithmParameters: { pixels_removed: String(erased), pixels_added: '0', ai_seg: aiSeg.sopInstanceUID } });
      expect(corrected.contentDescription).toMatch(new RegExp(`^Reader-corrected AI: Dice 0\\.\\d{3}, \\+0/-${erased} px$`));
      console.log(`correction stored: ${corrected.contentDescription}`);

      // Reload: the stored (corrected) SEG reopens over its image as an editable labelmap.
      await reloadViewer(page);
      expect(await openStored(page)).toMatch(/^Opened "Corrected AI segmentation .*" \(SEMIAUTOMATIC, 1 frame\(s\)\) for editing\.$/);
      const reopened = await labelmaps(page);
      expect(reopened).toHaveLength(1);
      expect(reopened[0].data.map((v) => (v ? 1 : 0))).toEqual(Array.from(corrected.frames[0].mask));
      await page.screenshot({ path: join(SHOTS, 'reopened.png') });

      // Storing it unchanged adds nothing; a further correction is stored against the AI original.
      expect(await store(page)).toBe('Nothing changed since this segmentation was stored or opened; the PACS already holds it.');
      expect(await segInstances()).toHaveLength(2);
      await page.locator('[data-cy="Brush"]').first().click();
      await stroke(lesion.cx + 100 * lesion.pxPerPixel, lesion.cx + 160 * lesion.pxPerPixel, lesion.cy); // clear of the erased part
      // A new AI result would take the reopened SEG's place for Store while its edits are not in the PACS.
      expect(await segment(page)).toBe('Failed: the stored SEG opened on this series holds work the PACS does not have: store it, '
        + 'or delete it in the Segmentation panel, before segmenting again');
      const revised = await store(page);
      console.log(`reopened, brushed and stored again: ${revised}`);
      expect(revised).toMatch(/^Corrected segmentation stored \(Dice with AI 0\.\d{3}, \+\d+\/-\d+ pixels\); the AI original stays in the PACS\.$/);
      const third = (await segInstances()).map((s) => ({ s, seg: readSeg(s.bytes) })).filter((x) => ![aiSeg.sopInstanceUID, corrected.sopInstanceUID].includes(x.seg.sopInstanceUID));
      expect(third).toHaveLength(1);
      dciodvfy(third[0].s.bytes);
      const params = third[0].seg.segments[0].algorithmParameters;
      expect(third[0].seg.segments[0]).toMatchObject({ algorithmType: 'SEMIAUTOMATIC', algorithmName: aiSeg.segments[0].algorithmName });
      expect(params).toMatchObject({ ai_seg: aiSeg.sopInstanceUID, pixels_removed: String(erased), threshold: '0.5', backend: 'wasm' });
      expect(Number(params.pixels_added)).toBeGreaterThan(0);
      expect(errors).toEqual([]);

      // Privacy, measured over segmenting, storing, reopening and the reload: every request the page and its worker
      // made went to the viewer's own origin; pixels and patient data only to the configured PACS (/dicom-web), the
      // model only from its configured folder; no console line names the patient.
      const origin = new URL(base).origin;
      expect(requests.filter((r) => new URL(r.url).origin !== origin && !r.url.startsWith('data:') && !r.url.startsWith('blob:'))).toEqual([]);
      const own = requests.map((r) => ({ ...r, path: new URL(r.url).pathname }));
      expect(own.filter((r) => r.method !== 'GET' && !r.path.startsWith('/dicom-web/')).map((r) => `${r.method} ${r.path}`)).toEqual([]);
      const models = own.filter((r) => /\.onnx$|\/manifest\.json$/.test(r.path));
      expect(models.length).toBeGreaterThan(0); // the worker's requests are seen too
      expect(models.filter((r) => !r.path.startsWith('/models/cmunext-busi/')).map((r) => r.path)).toEqual([]);
      const patient = (await (await fetch(`${base}/dicom-web/studies?StudyInstanceUID=${studyUID}&includefield=00100010,00100020`)).json())[0];
      const identifying = [patient['00100010']?.Value?.[0]?.Alphabetic, patient['00100020']?.Value?.[0]].filter(Boolean) as string[];
      expect(identifying.length).toBe(2);
      for (const id of identifying) expect(logs.filter((l) => l.includes(id))).toEqual([]);
      console.log(`privacy: ${requests.length} requests, all to ${origin} (${own.filter((r) => r.path.startsWith('/dicom-web/')).length} to the PACS); model from /models/cmunext-busi/; ${logs.length} console lines, none naming the patient`);
    } finally {
      await browser.close();
    }
  });

  it('segments on WebGPU when the browser has an adapter (SwiftShader: correctness only)', async () => {
    const { browser, page, errors } = await openStudy(WEBGPU);
    try {
      const status = await segment(page);
      expect(status).toMatch(/on WebGPU: 1 image\(s\), \d+ ms per image/);
      const maps = await labelmaps(page);
      const d = dice(maps[0].data, expertMask);
      console.log(`WebGPU: Dice with the expert mask = ${d.toFixed(3)} (${status})`);
      expect(d).toBeGreaterThan(0.5);
      await page.screenshot({ path: join(SHOTS, 'segment-webgpu.png') });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('segments a whole cine with progress, cancels, and stores a SEG whose frames name their source frames', async () => {
    const { browser, page, errors } = await openStudy([], cineStudyUID);
    try {
      const series = page.locator('[data-cy="CMUNeXtSegmentSeries"]').first();
      // The reader presses Cancel while the frames are being read (the worker's cancel between frames is covered by
      // the protocol test: here frames finish faster than a busy page can react).
      await page.evaluate(() => {
        const watch = () => {
          const s = document.querySelector('[data-cy="cmunext-status"]');
          if (!s) return void setTimeout(watch, 10);
          new MutationObserver((_, observer) => {
            if (/Reading 5 image/.test(s.textContent ?? '')) {
              (window as any).progressSeen = (document.querySelector('[data-cy="cmunext-progress"]') as HTMLElement).style.display !== 'none';
              (document.querySelector('[data-cy="cmunext-cancel"]') as HTMLButtonElement).click();
              observer.disconnect();
            }
          }).observe(s, { childList: true, characterData: true, subtree: true });
        };
        watch();
      });
      await series.click();
      await statusMatching(page, /Cancelled|ms per image|Failed/, 120000);
      expect(await page.evaluate(() => (window as any).progressSeen)).toBe(true);
      const cancelled = (await statusText(page)) ?? '';
      console.log(`cine, cancelled: ${cancelled}`);
      expect(cancelled).toBe('Cancelled: 0 of 5 image(s) segmented and kept.');

      await series.click();
      await statusMatching(page, /Segmenting/, 120000);
      // During a run no SEG can be stored or opened: a store would hold part of the series.
      for (const id of ['CMUNeXtStore', 'CMUNeXtOpen', 'CMUNeXtSegment']) expect([id, await page.locator(`[data-cy="${id}-btn"]`).isDisabled()]).toEqual([id, true]);
      await statusMatching(page, /ms per image|Failed/, 240000);
      const done = (await statusText(page)) ?? '';
      await page.waitForFunction(() => !(document.querySelector('[data-cy="CMUNeXtStore-btn"]') as HTMLButtonElement | null)?.disabled, null, { timeout: 10000 });
      console.log(`cine: ${done}`);
      expect(done).toMatch(/on wasm: 5 image\(s\), \d+ ms per image \(replaced the earlier AI result\)\.$/);
      const maps = await labelmaps(page);
      expect(maps.length).toBeGreaterThanOrEqual(1);
      expect(new Set(maps.map((m) => m.label)).size).toBe(1); // one AI segmentation, not a duplicate per run
      await page.screenshot({ path: join(SHOTS, 'cine.png') });

      const before = new Set((await segInstances()).map((s) => s.id));
      await store(page);
      const added = (await segInstances()).filter((s) => !before.has(s.id));
      expect(added).toHaveLength(1);
      dciodvfy(added[0].bytes);
      const seg = readSeg(added[0].bytes);
      const cine = truth.cine.map((c: { sopInstanceUID: string }) => c.sopInstanceUID)[0];
      expect(seg.frames.every((f) => f.sourceSopInstanceUID === cine)).toBe(true);
      expect(seg.frames.map((f) => f.sourceFrame)).toEqual([...new Set(seg.frames.map((f) => f.sourceFrame))].sort());
      expect(seg.frames.length).toBe(maps.length);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it.each<[string, string, 'palette' | 'jpeg']>([
    ['a palette-colour RLE cine with a colour-flow box', 'DEMO4', 'palette'],
    ['an RGB JPEG Baseline (YBR_FULL_422) image with calliper marks', 'DEMO5', 'jpeg'],
  ])('shows, segments (whole series) and stores %s, reading each frame as the CLI decodes it', async (_, accession, key) => {
    const study = (await (await fetch(`${base}/dicom-web/studies?AccessionNumber=${accession}`)).json())[0]['0020000D'].Value[0];
    const { browser, page, errors, logs } = await openStudy([], study);
    try {
      const frames: { sopInstanceUID: string; frame?: number; mask: string }[] = truth[key];
      const done = await segment(page, 'CMUNeXtSegmentSeries');
      console.log(`${key}: ${done}`);
      expect(done).toMatch(new RegExp(` on wasm: ${frames.length} image\\(s\\), \\d+ ms per image`));
      expect(logs.filter((l) => /IMAGE_LOAD_FAILED|Failed/.test(l))).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `${key}.png`) });
      const maps = await labelmaps(page);
      // What the viewer read and segmented is the image the CLI decodes from the same file (its own codecs).
      const file = new Uint8Array(readFileSync(join(ROOT, 'demo/studies', key === 'palette' ? 'palette-cine.dcm' : 'us-jpeg.dcm')));
      for (const f of frames) {
        const cli = join(tempDir('e2e-cli'), 'mask.png');
        const input = join(tempDir('e2e-cli'), 'in.dcm');
        writeFileSync(input, file);
        expect(spawnSync('node', [join(ROOT, 'bin/cmunext.js'), 'segment', '--model', join(ROOT, 'models/cmunext-busi'), '--input', input, '--frame', String(f.frame ?? 1), '--out', cli], { encoding: 'utf8' }).status).toBe(0);
        const viewer = maps.find((m) => m.sop === f.sopInstanceUID && (m.frame ?? 1) === (f.frame ?? 1));
        const cliMask = (await readMaskFile(cli)).data;
        const expertMask = (await readMaskFile(join(ROOT, 'demo/truth', f.mask))).data;
        const agreement = dice(viewer?.data ?? new Uint8Array(cliMask.length), cliMask);
        console.log(`${key} frame ${f.frame ?? 1}: Dice viewer vs CLI ${agreement.toFixed(4)}, viewer vs expert ${dice(viewer?.data ?? [], expertMask).toFixed(3)}`);
        expect(agreement).toBeGreaterThan(0.98);
      }
      const before = new Set((await segInstances()).map((s) => s.id));
      expect(await store(page)).toMatch(/stored as DICOM SEG/);
      const added = (await segInstances()).filter((s) => !before.has(s.id));
      expect(added).toHaveLength(1);
      dciodvfy(added[0].bytes);
      const seg = readSeg(added[0].bytes);
      expect(new Set(seg.frames.map((f) => f.sourceSopInstanceUID))).toEqual(new Set([frames[0].sopInstanceUID]));
      // A SEG made over a lossy JPEG says so.
      expect(seg.dataset.LossyImageCompression).toBe(key === 'jpeg' ? '01' : '00');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('runs its commands from OHIF hotkeys, which OHIF\'s hotkey manager lists beside its own', async () => {
    const { browser, page, errors } = await openStudy([]);
    try {
      const bound = await page.evaluate(() => (window as any).services.customizationService.getCustomization('ohif.hotkeyBindings')
        .filter((h: { commandName: string }) => h.commandName.startsWith('cmunext')).map((h: { commandName: string; keys: string[] }) => `${h.commandName} ${h.keys.join(' ')}`));
      expect(bound).toEqual(['cmunextSegmentImage alt+s', 'cmunextSegmentSeries alt+shift+s', 'cmunextStoreSeg alt+enter', 'cmunextOpenStoredSeg alt+o', 'cmunextSaveSegFile alt+f', 'cmunextNextStudy alt+n', 'cmunextPreviousStudy alt+p']);
      await page.locator('canvas').first().click();
      await page.keyboard.press('Alt+s');
      await statusMatching(page, /ms per image|Failed/, 120000);
      expect(await statusText(page)).toMatch(/ on wasm: 1 image\(s\), \d+ ms per image/);
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Alt+f')]);
      expect(download.suggestedFilename()).toMatch(/^cmunext-seg-1-of-1-\w+\.dcm$/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('steps through the study list the reader came from (its filters and sorting) with Alt+N and Alt+P, leaving no unstored work behind', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const uid = async (accession: string) => (await (await fetch(`${base}/dicom-web/studies?AccessionNumber=${accession}`)).json())[0]['0020000D'].Value[0] as string;
    // The list as the reader set it: ultrasound studies by patient name: Cine (DEMO2), Doppler (DEMO4), Jpeg (DEMO5), Ultrasound (DEMO1).
    const [cine, doppler, jpeg] = [await uid('DEMO2'), await uid('DEMO4'), await uid('DEMO5')];
    /** Presses the keys on the image and waits for the study shown to be `study`, its first image in the viewport. */
    const press = async (keys: string, study: string) => {
      await page.locator('canvas').first().click();
      await page.keyboard.press(keys);
      await page.waitForURL(new RegExp(`StudyInstanceUIDs=${study.replace(/\./g, '\\.')}$`), { timeout: 60000 });
      await page.waitForFunction((s) => (window as any).services?.cornerstoneViewportService?.getCornerstoneViewport?.((window as any).services.viewportGridService.getActiveViewportId())?.getCurrentImageId?.()?.includes(s), study, { timeout: 60000 });
    };
    const refused = async (keys: string, why: RegExp) => {
      const before = page.url();
      await page.locator('canvas').first().click();
      await page.keyboard.press(keys);
      await statusMatching(page, /^Failed/, 60000);
      expect(await statusText(page)).toMatch(why);
      expect(page.url()).toBe(before);
    };
    try {
      await page.goto(`${base}/?modalities=US&sortBy=patient&sortDirection=asc`);
      const confirm = page.getByText('Confirm and hide');
      if (await confirm.isVisible({ timeout: 10000 }).catch(() => false)) await confirm.click();
      await page.getByText('DEMO4').click();
      await page.getByRole('button', { name: 'CMUNeXt segmentation' }).click();
      await page.locator('[data-cy="CMUNeXtSegment"]').first().waitFor({ timeout: 60000 });
      expect(page.url()).toContain(`StudyInstanceUIDs=${doppler}`);
      await page.waitForTimeout(3000);
      await press('Alt+p', cine);
      await refused('Alt+p', /^Failed: this is the first study of the study list \(1 of 4\)$/);
      await page.keyboard.press('Alt+s');
      await statusMatching(page, /ms per image|Failed: the model/, 120000);
      await refused('Alt+n', /^Failed: the AI segmentation on this series holds work the PACS does not have: store it, or delete it in the Segmentation panel, before moving to the next study$/);
      await page.keyboard.press('Alt+Enter');
      await statusMatching(page, /stored|Failed: the PACS/, 60000);
      await press('Alt+n', doppler);
      await press('Alt+n', jpeg);
      // The tool works on the study it stepped to.
      await page.keyboard.press('Alt+s');
      await statusMatching(page, /ms per image|Failed/, 120000);
      expect(await statusText(page)).toMatch(/ on wasm: 1 image\(s\), \d+ ms per image/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('segments an enhanced multi-frame MR, stores each frame on its own plane, and reopens a SEG by plane position alone', async () => {
    const { sop, zs, study } = await uploadEnhancedMr();
    const { browser, page, errors } = await openStudy([], study);
    try {
      const done = await segment(page, 'CMUNeXtSegmentSeries');
      console.log(`enhanced MR: ${done}`);
      expect(done).toMatch(/ on wasm: 3 image\(s\), \d+ ms per image\. Warning: this model was trained on US images, not MR;/);
      const maps = await labelmaps(page);
      expect(maps.map((m) => [m.sop, m.frame]).sort()).toEqual([[sop, 1], [sop, 2], [sop, 3]]);

      const before = new Set((await segInstances()).map((s) => s.id));
      expect(await store(page)).toMatch(/stored/);
      const added = (await segInstances()).filter((s) => !before.has(s.id));
      expect(added).toHaveLength(1);
      dciodvfy(added[0].bytes);
      // Each SEG frame names its source frame, lies on that frame's plane and holds what the viewer showed there.
      const seg = readSeg(added[0].bytes);
      expect(seg.frames.map((f) => [f.sourceSopInstanceUID, f.sourceFrame, f.imagePositionPatient]).sort())
        .toEqual(zs.map((z, f) => [sop, f + 1, [-10, -10, z]]));
      const shownOn = (frame?: number) => maps.find((m) => m.frame === frame)!.data;
      for (const f of seg.frames) expect([f.sourceFrame, dice(f.mask, shownOn(f.sourceFrame))]).toEqual([f.sourceFrame, 1]);

      // The same SEG with its source references dropped (as some archives and converters do): placed by position.
      const { ReferencedSeriesSequence, ...stored } = readPart10(added[0].bytes).dataset;
      const later = dicomDateTime(new Date(Date.now() + 3600e3));
      const positionsOnly = {
        ...stored,
        SOPInstanceUID: newUid(),
        SeriesInstanceUID: newUid(),
        SeriesDescription: 'Positions only',
        SeriesDate: later.date,
        SeriesTime: later.time,
        PerFrameFunctionalGroupsSequence: stored.PerFrameFunctionalGroupsSequence.map(({ DerivationImageSequence, ...group }: Record<string, unknown>) => group),
      };
      const positionsFile = join(tempDir('e2e'), 'positions-only.dcm');
      writeFileSync(positionsFile, writePart10(positionsOnly));
      expect(readSeg(readFileSync(positionsFile)).frames.map((f) => f.sourceSopInstanceUID)).toEqual([undefined, undefined, undefined]);
      await uploadFiles(`${pacs.url}/dicom-web`, [positionsFile]);
      expect(await openStored(page)).toMatch(/^Opened "Positions only" \(\w+, 3 frame\(s\)\) for editing\.$/);
      const reopened = (await labelmaps(page)).filter((m) => m.label === 'Positions only');
      expect(reopened.map((m) => [m.frame, dice(m.data, shownOn(m.frame))]).sort()).toEqual([[1, 1], [2, 1], [3, 1]]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('stores a SEG that OHIF\'s own viewer mode opens with OHIF\'s SEG loader, each frame on the frame it was made from', async () => {
    // 544 columns: 462 x 544 pixels a frame, a multiple of 8, so each SEG frame starts on a byte (README: OHIF 3.13
    // misreads frames that do not, as the standard lets them).
    const { sop, study } = await uploadEnhancedMr(544);
    const { browser, page, errors } = await openStudy([], study);
    try {
      expect(await segment(page, 'CMUNeXtSegmentSeries')).toMatch(/ on wasm: 3 image\(s\)/);
      const shown = await labelmaps(page);
      expect(shown.map((m) => [m.sop, m.frame]).sort()).toEqual([[sop, 1], [sop, 2], [sop, 3]]);
      expect(await store(page)).toBe('AI segmentation stored as DICOM SEG.');
      const stored = (await segInstances()).map((s) => readSeg(s.bytes)).find((s) => s.frames.some((f) => f.sourceSopInstanceUID === sop))!;

      // OHIF's longitudinal mode (route /viewer), which registers OHIF's DICOM SEG handler: the reader double-clicks
      // the SEG in the series list and OHIF's loader, not this tool's, builds the labelmap over the MR frames.
      await page.goto(`${base}/viewer?StudyInstanceUIDs=${study}`);
      const thumbnail = page.locator('[data-cy="study-browser-thumbnail-no-image"]').filter({ hasText: stored.seriesDescription! });
      await thumbnail.waitFor({ timeout: 60000 });
      const tour = page.getByText('Skip all'); // the mode's first-visit tour covers the page
      await tour.click({ timeout: 15000 }).catch(() => undefined);
      await thumbnail.dblclick();
      await page.waitForFunction(() => (window as any).services.segmentationService.getSegmentations().length > 0, null, { timeout: 60000 });
      await page.waitForTimeout(2000);
      const opened = await labelmaps(page);
      const segments = await page.evaluate(() => (window as any).services.segmentationService.getSegmentations().map((x: any) => Object.values(x.segments).map((g: any) => g.label)));
      expect(segments).toEqual([[stored.segments[0].label]]);
      // Per frame: its source and the Dice with what the tool showed there.
      const againstShown = (maps: typeof shown) => maps.map((m) => [m.sop, m.frame, dice(m.data, shown.find((t) => t.frame === m.frame)!.data)]).sort();
      expect(againstShown(opened)).toEqual([[sop, 1, 1], [sop, 2, 1], [sop, 3, 1]]);
      console.log(`OHIF's SEG loader: ${opened.map((m) => `frame ${m.frame} ${m.data.filter(Boolean).length} px`).join(', ')}, each as the tool showed it`);
      // "Do you want to open this Segmentation?": Yes puts the MR itself in the viewport with the segmentation over it,
      // for editing, and the masks stay as they were.
      await page.getByRole('button', { name: 'Yes' }).click();
      await page.waitForFunction(() => {
        const { displaySetService, viewportGridService, segmentationService } = (window as any).services;
        const viewportId = viewportGridService.getActiveViewportId();
        const [shownUid] = viewportGridService.getDisplaySetsUIDsForViewport(viewportId) ?? [];
        return displaySetService.getDisplaySetByUID(shownUid)?.Modality === 'MR' && segmentationService.getSegmentationRepresentations(viewportId).length > 0;
      }, null, { timeout: 30000 });
      await page.waitForTimeout(2000);
      await page.screenshot({ path: join(SHOTS, 'ohif-seg-loader.png') });
      expect(againstShown(await labelmaps(page))).toEqual(againstShown(opened));
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('runs as an OHIF source build bundles it: installed by package name, re-bundled, files where OHIF copies them', async () => {
    const build = await hostBuild(ROOT, tempDir('host-build'));
    const bundle = readdirSync(join(build.root, 'host')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(build.root, 'host', f), 'utf8')).join('\n');
    // The host bundler fixed import.meta.url to the build machine's file: the extension must not look for its files there.
    expect(bundle).not.toContain('import.meta.url');
    expect(bundle).toMatch(/file:\/\/\/[^"']*ohif-extension-cmunext\/dist\/cmunext\/cmunext-extension\.js/);
    const host = await serveViewer(Object.fromEntries(['host', 'cmunext', 'models'].map((f) => [`/${f}/`, [join(build.root, f)]])), appConfig(build.modules, { openStoredSegs: false }));
    const { browser, page, errors, requests } = await openStudy([], studyUID, host.url);
    try {
      const status = await segment(page);
      expect(status).toMatch(/on wasm: 1 image\(s\), \d+ ms per image/);
      const d = dice((await labelmaps(page))[0].data, expertMask);
      console.log(`host-bundled packages: Dice with the expert mask = ${d.toFixed(3)} (${status})`);
      expect(d).toBeGreaterThan(0.5);
      const model = JSON.parse(readFileSync(join(ROOT, 'extension/package.json'), 'utf8')).cmunext.defaultModel;
      const requested = requests.map((r) => new URL(r.url).pathname);
      expect(requested).toEqual(expect.arrayContaining(['/cmunext/cmunext-worker.js', `/models/${model}/manifest.json`]));
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      host.server.close();
    }
  });

  it('opens another tool\'s SEG with two overlapping segments over the CT series, both segments named and coloured', async () => {
    const files = readdirSync(join(ROOT, 'demo/studies')).filter((f) => f.startsWith('ct-')).sort().slice(0, 2);
    const sources = files.map((f) => metadataOf(readPart10(readFileSync(join(ROOT, 'demo/studies', f))).dataset));
    const { Rows: rows, Columns: columns } = sources[0];
    const rect = (top: number, left: number, size: number) => Uint8Array.from({ length: rows * columns }, (_, i) => {
      const y = Math.floor(i / columns);
      const x = i % columns;
      return y >= top && y < top + size && x >= left && x < left + size ? 1 : 0;
    });
    const organ = (number: number, label: string, code: string, color: [number, number, number]): SegmentDescription => ({
      number, label, color, algorithmType: 'MANUAL',
      category: { scheme: 'SCT', code: '91723000', meaning: 'Anatomical structure' },
      type: { scheme: 'SCT', code, meaning: label },
    });
    const liver = rect(20, 20, 30);
    const kidney = rect(40, 40, 20); // overlaps the liver square by 10x10 pixels
    const bytes = writeSeg(sources, [organ(1, 'Liver', '10200004', [220, 160, 40]), organ(2, 'Kidney', '64033007', [60, 120, 230])], [
      { source: 0, segment: 1, mask: liver },
      { source: 0, segment: 2, mask: kidney },
      { source: 1, segment: 1, mask: liver },
    ], { seriesDescription: 'Organs (other tool)', seriesNumber: 300, contentLabel: 'ORGANS', equipment: { manufacturer: 'Other', modelName: 'Manual', softwareVersions: ['1'], deviceSerialNumber: '1' } });
    const file = join(tempDir('e2e'), 'organs.dcm');
    writeFileSync(file, bytes);
    // A newer SEG of a class this reader does not read (the label-map SEG): skipped and named, the older one opens.
    const labelmapSeg = readPart10(writeSeg(sources, [organ(1, 'Liver', '10200004', [220, 160, 40])], [{ source: 0, segment: 1, mask: liver }],
      { seriesDescription: 'Label-map SEG (other tool)', seriesNumber: 301, contentLabel: 'ORGANS', equipment: { manufacturer: 'Other', modelName: 'Manual', softwareVersions: ['1'], deviceSerialNumber: '1' }, now: new Date(Date.now() + 3600e3) }));
    const labelmapFile = join(tempDir('e2e'), 'labelmap-seg.dcm');
    writeFileSync(labelmapFile, writePart10({ ...labelmapSeg.dataset, SOPClassUID: '1.2.840.10008.5.1.4.1.1.66.7' }));
    await uploadFiles(`${pacs.url}/dicom-web`, [file, labelmapFile]);
    const ctStudyUID = (await (await fetch(`${base}/dicom-web/studies?AccessionNumber=DEMO3`)).json())[0]['0020000D'].Value[0];

    const { browser, page, errors } = await openStudy([], ctStudyUID);
    try {
      await page.waitForTimeout(2000);
      expect(await openStored(page)).toBe('Opened "Organs (other tool)" (MANUAL, 3 frame(s), 2 segments) for editing. '
        + '100 pixel(s) where segments overlap show the higher-numbered segment. It is not a CMUNeXt result, so edits to it are not stored from here. '
        + '1 newer SEG(s) could not be read: "Label-map SEG (other tool)": SOP class 1.2.840.10008.5.1.4.1.1.66.7 is not Segmentation Storage (1.2.840.10008.5.1.4.1.1.66.4).');
      const maps = await labelmaps(page);
      const bySop = Object.fromEntries(maps.map((mp) => [mp.sop, mp.data]));
      const expected = Array.from(liver, (v, i) => (kidney[i] ? 2 : v));
      expect(bySop[sources[0].SOPInstanceUID]).toEqual(expected);
      expect(bySop[sources[1].SOPInstanceUID]).toEqual(Array.from(liver));
      const segments = await page.evaluate(() => {
        const w = window as any;
        const service = w.services.segmentationService;
        const seg = service.getSegmentations().find((x: any) => x.label === 'Organs (other tool)');
        const viewportId = w.services.viewportGridService.getActiveViewportId();
        return Object.entries(seg.segments).map(([n, x]: [string, any]) => [x.label, service.getSegmentColor(viewportId, seg.segmentationId, Number(n))]);
      });
      expect(segments).toEqual([['Liver', [220, 160, 40, 255]], ['Kidney', [60, 120, 230, 255]]]);
      // Show the slice with both segments for the screenshot.
      await page.evaluate(async (sop) => {
        const w = window as any;
        const libs = w.extensionManager.getModuleEntry('@ohif/extension-cornerstone.utilityModule.common').exports.getCornerstoneLibraries();
        const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(w.services.viewportGridService.getActiveViewportId());
        const ids: string[] = viewport.getImageIds();
        await viewport.setImageIdIndex(ids.findIndex((id) => libs.cornerstone.metaData.get('instance', id)?.SOPInstanceUID === sop));
      }, sources[0].SOPInstanceUID);
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(SHOTS, 'other-tool-seg.png') });

      const before = (await segInstances()).length;
      expect(await store(page)).toBe('Failed: "Organs (other tool)": it is not a CMUNeXt result, so edits to it are not stored from here');
      expect(await segInstances()).toHaveLength(before);

      // The whole series goes to the worker in batches of 8 slices: all 12 are segmented, with the out-of-domain warning.
      const series = await segment(page, 'CMUNeXtSegmentSeries');
      console.log(`CT series: ${series}`);
      expect(series).toMatch(/ on wasm: 12 image\(s\), \d+ ms per image\. Warning: this model was trained on US images, not CT;/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('stores a correction made before the AI result was stored together with that AI result, and reopens the correction', async () => {
    const { browser, page, errors } = await openStudy([]);
    try {
      await segment(page);
      const ai = (await labelmaps(page))[0].data;
      const lesion = await lesionCentre(page);
      await page.locator('[data-cy="Eraser"]').first().click();
      await drag(page, lesion.cx - 8 * lesion.pxPerPixel, lesion.cx + 8 * lesion.pxPerPixel, lesion.cy);
      const before = new Set((await segInstances()).map((s) => s.id));
      const status = await store(page);
      console.log(`correction before any AI store: ${status}`);
      expect(status).toMatch(/^Corrected segmentation stored \(Dice with AI 0\.\d{3}, \+0\/-\d+ pixels\), with the AI original it corrects\.$/);
      const added = (await segInstances()).filter((s) => !before.has(s.id)).map((s) => ({ bytes: s.bytes, seg: readSeg(s.bytes) }));
      expect(added.map((a) => a.seg.segments[0].algorithmType).sort()).toEqual(['AUTOMATIC', 'SEMIAUTOMATIC']);
      const aiSeg = added.find((a) => a.seg.segments[0].algorithmType === 'AUTOMATIC')!;
      const correction = added.find((a) => a !== aiSeg)!;
      added.forEach((a) => dciodvfy(a.bytes));
      expect(Array.from(aiSeg.seg.frames[0].mask)).toEqual(ai.map((v) => (v ? 1 : 0)));
      expect(correction.seg.segments[0].algorithmParameters.ai_seg).toBe(aiSeg.seg.sopInstanceUID);

      // The newest SEG is the correction, and it is a CMUNeXt result whose edits can be stored again.
      await reloadViewer(page);
      expect(await openStored(page)).toMatch(/^Opened "Corrected AI segmentation .*" \(SEMIAUTOMATIC, 1 frame\(s\)\) for editing\.$/);
      expect((await labelmaps(page))[0].data.map((v) => (v ? 1 : 0))).toEqual(Array.from(correction.seg.frames[0].mask));
      expect(await store(page)).toBe('Nothing changed since this segmentation was stored or opened; the PACS already holds it.');

      // The PACS fails to send the AI original: the correction still opens, and Store says why it cannot store edits.
      await reloadViewer(page);
      await page.route(`**/instances/${aiSeg.seg.sopInstanceUID}`, (route) => route.fulfill({ status: 503, body: 'busy' }));
      const opened = await openStored(page);
      console.log(`AI original refused by the PACS: ${opened}`);
      expect(opened).toMatch(new RegExp(`^Opened "Corrected AI segmentation .*" \\(SEMIAUTOMATIC, 1 frame\\(s\\)\\) for editing\\. Its AI original could not be read \\(.*/instances/${aiSeg.seg.sopInstanceUID}: HTTP 503\\), so edits to it are not stored from here\\.$`));
      expect((await labelmaps(page))[0].data.map((v) => (v ? 1 : 0))).toEqual(Array.from(correction.seg.frames[0].mask));
      expect(await store(page)).toMatch(/^Failed: "Corrected AI segmentation .*": its AI original could not be read \(.*HTTP 503\), so edits to it are not stored from here$/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('stores a signed-in reader\'s rejection of the AI result (every pixel erased) beside the AI result, under their name, and reopens it empty', async () => {
    const { browser, page, errors } = await openStudy([]);
    try {
      await segment(page);
      const aiPixels = (await labelmaps(page))[0].data.filter(Boolean).length;
      // Erased to the last pixel, as an eraser over the whole finding leaves it (a false positive).
      await page.evaluate(() => {
        const w = window as any;
        const libs = w.extensionManager.getModuleEntry('@ohif/extension-cornerstone.utilityModule.common').exports.getCornerstoneLibraries();
        const seg = w.services.segmentationService.getSegmentations()[0];
        for (const id of libs.cornerstoneTools.segmentation.getLabelmapImageIds(seg.segmentationId)) {
          const vm = libs.cornerstone.cache.getImage(id).voxelManager;
          vm.setScalarData(vm.getScalarData().fill(0));
        }
        libs.cornerstoneTools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(seg.segmentationId);
      });
      expect(await labelmaps(page)).toEqual([]);
      // A reader signed in as OHIF's OIDC sign-in leaves the service: the rejection names them.
      await page.evaluate(() => (window as any).services.userAuthenticationService.setServiceImplementation({
        getAuthorizationHeader: () => ({ Authorization: 'Bearer e2e-reader' }),
        getUser: () => ({ access_token: 'e2e-reader', profile: { family_name: 'Reader', given_name: 'Jane', name: 'Dr Jane Reader' } }),
      }));
      const before = new Set((await segInstances()).map((s) => s.id));
      const status = await store(page);
      console.log(`AI result erased and stored: ${status}`);
      expect(status).toBe(`The AI result, erased by the reader, stored as rejected (Dice with AI 0.000, +0/-${aiPixels} pixels), with the AI original it corrects.`);
      const added = (await segInstances()).filter((s) => !before.has(s.id)).map((s) => ({ bytes: s.bytes, seg: readSeg(s.bytes) }));
      added.forEach((a) => dciodvfy(a.bytes));
      const ai = added.find((a) => a.seg.segments[0].algorithmType === 'AUTOMATIC')!.seg;
      const rejection = added.find((a) => a.seg.segments[0].algorithmType === 'SEMIAUTOMATIC')!.seg;
      expect(ai.frames.map((f) => f.mask.reduce((n, v) => n + v, 0))).toEqual([aiPixels]);
      expect(rejection.frames.map((f) => ({ source: f.sourceSopInstanceUID, pixels: f.mask.reduce((n, v) => n + v, 0) }))).toEqual([{ source: ai.frames[0].sourceSopInstanceUID, pixels: 0 }]);
      expect(rejection.segments[0].algorithmParameters).toMatchObject({ ai_seg: ai.sopInstanceUID, pixels_added: '0', pixels_removed: String(aiPixels), ai_dice: '0.0000' });
      expect([ai.contentCreatorName ?? '', rejection.contentCreatorName]).toEqual(['', 'Reader^Jane']);

      // Reopened, the rejection shows as an empty labelmap over its image, and is already in the PACS.
      await reloadViewer(page);
      expect(await openStored(page)).toMatch(/^Opened "Corrected AI segmentation .*" \(SEMIAUTOMATIC, 1 frame\(s\)\) for editing\.$/);
      expect(await page.evaluate(() => (window as any).services.segmentationService.getSegmentations().length)).toBe(1);
      expect(await labelmaps(page)).toEqual([]);
      expect(await store(page)).toBe('Nothing changed since this segmentation was stored or opened; the PACS already holds it.');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('stores what the reader paints on frames the model did not see, once for a double click, and keeps unstored work from being replaced', async () => {
    const { browser, page, errors } = await openStudy([], cineStudyUID);
    try {
      expect(await segment(page)).toMatch(/on wasm: 1 image\(s\)/); // the frame shown, frame 1
      const framesPainted = () => page.evaluate(() => {
        const w = window as any;
        const libs = w.extensionManager.getModuleEntry('@ohif/extension-cornerstone.utilityModule.common').exports.getCornerstoneLibraries();
        const seg = w.services.segmentationService.getSegmentations()[0];
        const out: Record<number, number[]> = {};
        for (const id of libs.cornerstoneTools.segmentation.getLabelmapImageIds(seg.segmentationId)) {
          const img = libs.cornerstone.cache.getImage(id);
          const data = Array.from(img.voxelManager.getScalarData() as ArrayLike<number>, (v) => (v ? 1 : 0));
          if (data.some(Boolean)) out[Number(/\/frames\/(\d+)/.exec(img.referencedImageId)![1])] = data;
        }
        return out;
      });
      const ai = await framesPainted();
      expect(Object.keys(ai)).toEqual(['1']);
      // The reader goes to frame 3 and paints a lesion there with OHIF's brush.
      await page.evaluate(() => (window as any).services.cornerstoneViewportService.getCornerstoneViewport((window as any).services.viewportGridService.getActiveViewportId()).setImageIdIndex(2));
      await page.waitForTimeout(500);
      const canvas = (await page.locator('.cornerstone-canvas').first().boundingBox())!;
      await page.locator('[data-cy="Brush"]').first().click();
      await drag(page, canvas.width / 2 - 30, canvas.width / 2 + 30, canvas.height / 2);
      const painted = await framesPainted();
      expect(Object.keys(painted)).toEqual(['1', '3']);
      const added = painted[3].filter(Boolean).length;

      // Opening a stored SEG would take the series' place for Store: refused while the PACS lacks this work.
      const before = new Set((await segInstances()).map((s) => s.id));
      expect(await openStored(page)).toBe('Failed: the AI segmentation on this series holds work the PACS does not have: store it, or delete it in the Segmentation panel, before opening a stored SEG');
      expect(await page.evaluate(() => (window as any).services.segmentationService.getSegmentations().length)).toBe(1);

      // A double click on Store stores once: the correction and the AI original it corrects.
      await page.locator('[data-cy="CMUNeXtStore"]').first().dblclick();
      await statusMatching(page, /stored/, 60000);
      await page.waitForTimeout(2000); // room for a second store to land, were there one
      const status = (await statusText(page)) ?? '';
      console.log(`frame 3 painted by the reader, double-clicked Store: ${status}`);
      expect(status).toMatch(new RegExp(`^Corrected segmentation stored \\(Dice with AI 0\\.\\d{3}, \\+${added}/-0 pixels\\), with the AI original it corrects\\.$`));
      const stored = (await segInstances()).filter((s) => !before.has(s.id)).map((s) => ({ bytes: s.bytes, seg: readSeg(s.bytes) }));
      expect(stored.map((x) => x.seg.segments[0].algorithmType).sort()).toEqual(['AUTOMATIC', 'SEMIAUTOMATIC']);
      stored.forEach((x) => dciodvfy(x.bytes));
      const aiSeg = stored.find((x) => x.seg.segments[0].algorithmType === 'AUTOMATIC')!.seg;
      const correction = stored.find((x) => x.seg.segments[0].algorithmType === 'SEMIAUTOMATIC')!.seg;
      expect(aiSeg.frames.map((f) => f.sourceFrame)).toEqual([1]);
      expect(correction.frames.map((f) => f.sourceFrame)).toEqual([1, 3]);
      expect(Array.from(correction.frames[1].mask)).toEqual(painted[3]);
      expect(correction.segments[0].algorithmParameters).toMatchObject({ pixels_added: String(added), pixels_removed: '0', ai_seg: aiSeg.sopInstanceUID });

      // Stored: nothing more to store. Segmenting the whole series then keeps what the reader painted on frame 3.
      expect(await store(page)).toBe('Nothing changed since this segmentation was stored or opened; the PACS already holds it.');
      const again = await segment(page, 'CMUNeXtSegmentSeries');
      console.log(`whole series after the reader painted frame 3: ${again}`);
      expect(again).toMatch(new RegExp(`on wasm: 5 image\\(s\\), \\d+ ms per image \\(replaced the earlier AI result; ${added} edited pixel\\(s\\) kept\\)\\.$`));
      const series = await framesPainted();
      // Frame 1, unedited, is the new AI mask: the series is fed at the window shown now, on frame 3.
      console.log(`frame 1, segmented alone and with the series: Dice ${dice(series[1], ai[1]).toFixed(4)}`);
      expect(dice(series[1], ai[1])).toBeGreaterThan(0.95);
      expect(painted[3].every((v, i) => !v || series[3][i])).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('disables its buttons with the reason when app-config cmunext is wrong, and the viewer works on', async () => {
    const misconfigured = await serveViewer(projectMounts(ROOT), appConfig(EXTENSION_MODULES, { backends: 'wasm' })); // a list was meant
    const reason = 'app-config cmunext.backends must list "webgpu" and/or "wasm", in the order to try them, got "wasm"';
    const { browser, page, errors } = await openStudy([], studyUID, misconfigured.url);
    try {
      for (const id of ['CMUNeXtSegment', 'CMUNeXtSegmentSeries', 'CMUNeXtStore', 'CMUNeXtOpen']) {
        expect([id, await page.locator(`[data-cy="${id}-btn"]`).isDisabled()]).toEqual([id, true]);
      }
      await page.locator('[data-cy="CMUNeXtSegment"]').first().hover();
      await page.getByText(reason).first().waitFor({ timeout: 10000 });
      // A command run anyway (a hotkey, another extension) says why, as a notification.
      await page.evaluate(() => (window as any).commandsManager.runCommand('cmunextSegmentImage'));
      await page.getByText(reason).nth(1).waitFor({ timeout: 10000 });
      expect(await labelmaps(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      misconfigured.server.close();
    }
  });

  it('lets the inference worker go when idle, stores and re-thresholds without it, and loads it again to segment', async () => {
    const quick = await serveViewer(projectMounts(ROOT), appConfig(EXTENSION_MODULES, { workerIdleMinutes: 0.05, openStoredSegs: false })); // 3 s
    const workers: { url: string; closed: boolean }[] = [];
    // Every worker from the page's start: the mode starts one on entry, which may already be let go by the click.
    const { browser, page, errors } = await openStudy([], studyUID, quick.url, async (p) => p.on('worker', (w) => {
      const seen = { url: w.url(), closed: false };
      workers.push(seen);
      w.on('close', () => (seen.closed = true));
    }));
    try {
      const inference = () => workers.filter((w) => w.url.endsWith('/cmunext-worker.js'));
      expect(await segment(page)).toMatch(/on wasm: 1 image\(s\)/);
      expect(inference().map((w) => w.closed).slice(-1)).toEqual([false]); // the click's worker is alive
      for (let waited = 0; inference().some((w) => !w.closed) && waited < 30000; waited += 500) await page.waitForTimeout(500);
      expect(inference().every((w) => w.closed)).toBe(true);
      const before = inference().length;
      // Without a worker: the kept probabilities re-threshold, and the AI result stores with the model's manifest.
      await page.locator('[data-cy="cmunext-threshold"]').evaluate((el) => {
        (el as HTMLInputElement).value = '0.6';
        el.dispatchEvent(new Event('change'));
      });
      await page.waitForFunction(() => (document.querySelector('[data-cy="cmunext-status"]')?.textContent ?? '').startsWith('Threshold 0.60'));
      expect(await store(page)).toBe('AI segmentation stored as DICOM SEG.');
      // The next click starts a new worker, loads the model again, and keeps the reader's threshold.
      expect(await segment(page)).toMatch(/on wasm: 1 image\(s\), \d+ ms per image \(replaced the earlier AI result\)\.$/);
      expect(inference().length).toBe(before + 1);
      expect(inference().map((w) => w.closed).slice(-1)).toEqual([false]);
      expect(await page.locator('[data-cy="cmunext-threshold"]').inputValue()).toBe('0.6');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      quick.server.close();
    }
  });

  it('cancels a model download that stalls, and loads afresh on the next click', async () => {
    let stall = true;
    const stalled: (() => Promise<void>)[] = [];
    // The download the mode starts on entry stalls; the click waits for it, and Cancel lets it go.
    const { browser, page, errors } = await openStudy([], studyUID, base, (p) =>
      p.context().route('**/model.onnx', (route) => (stall ? void stalled.push(() => route.continue()) : route.continue())));
    try {
      await page.locator('[data-cy="CMUNeXtSegment"]').first().click();
      await statusMatching(page, /Loading the model/);
      await page.waitForTimeout(1000);
      expect(stalled).toHaveLength(1);
      expect(await page.locator('[data-cy="CMUNeXtStore-btn"]').isDisabled()).toBe(true);
      await page.locator('[data-cy="cmunext-cancel"]').click();
      await statusMatching(page, /Cancelled/);
      expect(await statusText(page)).toBe('Cancelled while the model was loading: nothing segmented.');
      await page.waitForFunction(() => !(document.querySelector('[data-cy="CMUNeXtSegment-btn"]') as HTMLButtonElement | null)?.disabled, null, { timeout: 10000 });
      stall = false;
      expect(await segment(page)).toMatch(/on wasm: 1 image\(s\), \d+ ms per image/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('keeps a SEG stored on the default set-up across a restart of npm start, loading the demo studies once, and opens stored CMUNeXt SEGs (a batch\'s too) as their series are shown', async () => {
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), PACS_DIR: join(tempDir('pacs'), 'data') };
    const at = `http://127.0.0.1:${port}`;
    const demoFiles = readdirSync(join(ROOT, 'demo/studies')).length;
    const instances = async () => (await (await fetch(`${at}/dicom-web/instances`)).json()).length;
    let npmStart = await startMain(env);
    let before: Awaited<ReturnType<typeof labelmaps>>;
    try {
      expect(npmStart.log).toContain(`${demoFiles} demo instances loaded`);
      const study = (await (await fetch(`${at}/dicom-web/studies?AccessionNumber=DEMO1`)).json())[0]['0020000D'].Value[0];
      const { browser, page } = await openStudy([], study, at);
      try {
        await segment(page);
        expect(await store(page)).toMatch(/stored/);
        before = await labelmaps(page);
      } finally {
        await browser.close();
      }
      expect(await instances()).toBe(demoFiles + 1);
      // A batch over the JPEG study, through the viewer's own /dicom-web.
      const jpegStudy = (await (await fetch(`${at}/dicom-web/studies?AccessionNumber=DEMO5`)).json())[0]['0020000D'].Value[0];
      const batchRun = spawnSync('node', [join(ROOT, 'bin/cmunext.js'), 'batch', '--pacs', `${at}/dicom-web`, '--study', jpegStudy], { encoding: 'utf8' });
      expect([batchRun.status, JSON.parse(batchRun.stdout.trim().split('\n').pop()!)]).toEqual([0, expect.objectContaining({ series: 1, segmented: 1 })]);
      await npmStart.stop();
      npmStart = await startMain(env);
      expect(npmStart.log).toContain('0 demo instances loaded (all there already)');
      expect(await instances()).toBe(demoFiles + 2);
      // The default set-up opens the series' stored CMUNeXt SEG as it is shown: no click.
      const again = await openStudy([], study, at);
      try {
        await statusMatching(again.page, /^Opened|Failed/, 60000);
        expect(await statusText(again.page)).toMatch(/^Opened "AI segmentation CMUNeXt/);
        const after = await labelmaps(again.page);
        expect(after.map((l) => l.sop)).toEqual(before.map((l) => l.sop));
        after.forEach((l, i) => expect(dice(l.data, before[i].data)).toBe(1));
      } finally {
        await again.browser.close();
      }
      // The batch's SEG opens as the JPEG image's editable AI result; the reader's correction is measured against it.
      const batched = await openStudy([], jpegStudy, at);
      try {
        await statusMatching(batched.page, /^Opened|Failed/, 60000);
        expect(await statusText(batched.page)).toMatch(/^Opened "AI segmentation CMUNeXt[^"]*" \(AUTOMATIC, 1 frame\(s\)\) for editing\./);
        const lesion = await lesionCentre(batched.page);
        await batched.page.locator('[data-cy="Eraser"]').first().click();
        await drag(batched.page, lesion.cx - 8 * lesion.pxPerPixel, lesion.cx + 8 * lesion.pxPerPixel, lesion.cy);
        const corrected = await store(batched.page);
        console.log(`correction of a batch SEG opened on show: ${corrected}`);
        expect(corrected).toMatch(/^Corrected segmentation stored \(Dice with AI 0\.\d{3}, \+0\/-\d+ pixels\); the AI original stays in the PACS\.$/);
      } finally {
        await batched.browser.close();
      }
    } finally {
      await npmStart.stop();
    }
  });

  it('keeps the work and says so when the PACS refuses the store, and saves it as a DICOM SEG file', async () => {
    const { browser, page } = await openStudy([]);
    try {
      await segment(page);
      const before = await labelmaps(page);
      await pacs.stop(); // the PACS goes away between segmenting and storing
      const status = await store(page);
      console.log(`PACS down: ${status}`);
      expect(status).toMatch(/^Failed: the PACS refused the store \(HTTP 502\): the PACS at http:\/\/127\.0\.0\.1:\d+ did not answer.*\. The segmentation stays here: Store again to retry, or save it as a file\.$/);
      expect(await labelmaps(page)).toEqual(before);
      // The way out: the SEG Store would send, downloaded as a file.
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-cy="cmunext-save-file"]').click()]);
      const file = join(tempDir('e2e-download'), download.suggestedFilename());
      await download.saveAs(file);
      expect(download.suggestedFilename()).toMatch(/^cmunext-seg-1-of-1-\w+\.dcm$/);
      const saved = readSeg(readFileSync(file));
      expect(saved.segments[0].algorithmType).toBe('AUTOMATIC');
      expect(saved.frames.map((f) => f.sourceSopInstanceUID)).toEqual([before[0].sop]);
      expect(dice(saved.frames[0].mask, before[0].data)).toBe(1);
      dciodvfy(new Uint8Array(readFileSync(file)));
      expect(await statusText(page)).toMatch(/^Saved as a DICOM SEG file \(cmunext-seg-1-of-1-\w+\.dcm\)/);
    } finally {
      await browser.close();
    }
  });
});
