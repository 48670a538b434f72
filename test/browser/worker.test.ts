/**
 * The inference worker in a real browser (Debian chromium, headless): the provider ladder with and without a
 * WebGPU adapter, and the result against the same model run natively in Node.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { openModel } from '../../cli/nodeModel';
import { readImageFile } from '../../cli/imageFile';
import { segmentImage } from '../../extension/src/runtime/segmenter';
import { serveFolder } from '../helpers/staticServer';

const ROOT = resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WORKER = 'extension/dist/cmunext/cmunext-worker.js';
const MODEL = '/test/fixtures/cmunext-s-random';
const IMAGE = `${MODEL}/golden/input.png`;
const BASE_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

type Run = { fromCache: boolean; backend: string; skipped: { backend: string; reason: string }[]; events: string[]; width: number; height: number; foreground: number; probabilities: number[]; inferenceMs: number; isolated: boolean; error?: { code: string; message: string } };

let server: Awaited<ReturnType<typeof serveFolder>>;
let reference: Float32Array;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  if (!existsSync(join(ROOT, WORKER))) throw new Error(`${WORKER} not built: run npm run build`);
  server = await serveFolder(ROOT);
  const session = await openModel(join(ROOT, MODEL), 'native');
  reference = (await segmentImage(session, await readImageFile(join(ROOT, IMAGE)))).probabilities.data;
});
afterAll(() => server?.close());

/** `cacheCheck`: a second worker in the same profile, which must get the verified model from Cache Storage. */
async function runInBrowser(extraArgs: string[], backends: string[], cacheCheck: boolean): Promise<Run> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...extraArgs] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/test/browser/harness.html`);
    await page.waitForFunction(() => (window as any).harnessReady === true);
    const run = (await page.evaluate((args) => (window as any).runWorker(args), { modelUrl: MODEL, imageUrl: IMAGE, backends })) as Run;
    expect(run.fromCache).toBe(false);
    if (cacheCheck) {
      const again = (await page.evaluate((args) => (window as any).runWorker(args), { modelUrl: MODEL, imageUrl: IMAGE, backends })) as Run;
      expect(again.fromCache).toBe(true);
      expect(again.probabilities).toEqual(run.probabilities);
    }
    expect(errors).toEqual([]);
    return run;
  } finally {
    await browser.close();
  }
}

function maxDiff(a: number[]): number {
  let m = 0;
  a.forEach((v, i) => (m = Math.max(m, Math.abs(v - reference[i]))));
  return m;
}

describe('inference worker in headless chromium', () => {
  it('falls back to wasm without a WebGPU adapter and says why', async () => {
    const run = await runInBrowser([], ['webgpu', 'wasm'], true);
    expect(run.error).toBeUndefined();
    expect(run.isolated).toBe(true);
    expect(run.backend).toBe('wasm');
    expect(run.skipped.map((s) => s.backend)).toEqual(['webgpu']);
    expect(run.events).toEqual(['frame', 'progress', 'done']);
    expect([run.width, run.height]).toEqual([256, 256]);
    const diff = maxDiff(run.probabilities);
    console.log(`browser wasm: ${run.inferenceMs.toFixed(0)} ms, max |p - onnxruntime-node| = ${diff.toExponential(2)}; webgpu skipped: ${run.skipped[0].reason}`);
    expect(diff).toBeLessThan(1e-4);
  });

  it('runs on WebGPU when an adapter exists (SwiftShader: correctness, not speed)', async () => {
    // One inference: SwiftShader runs WebGPU on the CPU, 84-100 s for this model on a 2-core AVX2 machine (the cache is
    // the wasm test's). The timeout only guards against a hang.
    const run = await runInBrowser(['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'], ['webgpu', 'wasm'], false);
    expect(run.error).toBeUndefined();
    expect(run.backend).toBe('webgpu');
    expect(run.skipped).toEqual([]);
    const diff = maxDiff(run.probabilities);
    console.log(`browser webgpu (SwiftShader): ${run.inferenceMs.toFixed(0)} ms, max |p - onnxruntime-node| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
  }, 600000);

  it('reports a missing model as a typed error', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/test/browser/harness.html`);
      await page.waitForFunction(() => (window as any).harnessReady === true);
      const run = await page.evaluate(() => (window as any).runWorker({ modelUrl: '/models/absent', imageUrl: '', backends: ['wasm'] }));
      expect(run.error).toEqual({ code: 'MODEL_FETCH_FAILED', message: expect.stringMatching(/cannot fetch .*\/models\/absent\/manifest\.json: HTTP 404/) });
    } finally {
      await browser.close();
    }
  });
});
