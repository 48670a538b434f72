/**
 * The radiologist's click in the real viewer, stage by stage: the prebuilt OHIF viewer on the embedded Orthanc with
 * the demo studies, headless chromium on wasm, the figures the tool logs to the browser console for each run; beside
 * them, in the same run, the same model on the same image in Node (onnxruntime-web wasm and onnxruntime-node).
 *   npm run bench:viewer [-- --clicks N] [--json]
 * Prints medians; with --json the last line is one JSON object. Figures, not a test: nothing here asserts a time.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, Page } from 'playwright-core';
import { readImageFile } from '../cli/imageFile';
import { openModel, NodeBackend } from '../cli/nodeModel';
import { toDisplay } from '../extension/src/core/pixels';
import { toModelInput } from '../extension/src/core/preprocess';
import { freePort, startOrthanc, uploadFiles } from './pacs';
import { projectRoot } from './root';
import { appConfig, EXTENSION_MODULES, projectMounts, startServer } from './server';
import { ensureViewer } from './viewer';

const ROOT = projectRoot();
const ARGS = ['--headless=new', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const STAGES = ['toolbar', 'model', 'read', 'pre', 'inference', 'post', 'transfer', 'labelmap', 'render'] as const;
type Stages = Record<(typeof STAGES)[number] | 'total' | 'click' | 'draws', number> & { images: number };

/** Counts the viewports' drawings (Cornerstone's IMAGE_RENDERED, dispatched on each viewport's element) in the page. */
const COUNT_DRAWS = () => {
  const w = window as unknown as { cmunextDraws: number };
  w.cmunextDraws = 0;
  document.addEventListener('CORNERSTONE_IMAGE_RENDERED', () => w.cmunextDraws++, true);
};
const draws = (page: Page) => page.evaluate(() => (window as unknown as { cmunextDraws: number }).cmunextDraws);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The stage line the tool logs after a run, as numbers. */
function parseStages(line: string): Omit<Stages, 'click' | 'draws'> {
  const m = /^CMUNeXt segment: (\d+) image\(s\) in (\d+) ms: (.*) ms$/.exec(line);
  if (!m) throw new Error(`not a stage line: ${line}`);
  const stages = Object.fromEntries(m[3].split(', ').map((p) => p.split(' ')).map(([k, v]) => [k, Number(v)]));
  return { images: Number(m[1]), total: Number(m[2]), ...stages } as Omit<Stages, 'click' | 'draws'>;
}

async function waitForLine(lines: string[], pattern: RegExp, from: number, ms = 300_000): Promise<string> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
    const line = lines.slice(from).find((l) => pattern.test(l));
    if (line) return line;
  }
  throw new Error(`no console line matching ${pattern}`);
}

/** Opens a study in the CMUNeXt mode and waits until the model is ready (the mode readies it on entry). */
async function open(page: Page, url: string, lines: string[]): Promise<string> {
  await page.goto(url);
  await page.locator('[data-cy="CMUNeXtSegment"]').first().waitFor({ timeout: 120_000 });
  return waitForLine(lines, /^CMUNeXt segment: .* ready on /, 0);
}

/**
 * One click of a segment button: wall time from the click to the stage line, the stages, and the viewport drawings the
 * click caused (counted until none came for half a second: some follow the one the command waits for).
 */
async function click(page: Page, lines: string[], button: string): Promise<Stages> {
  const from = lines.length;
  const drawn = await draws(page);
  const started = Date.now();
  await page.locator(`[data-cy="${button}"]`).first().click();
  const line = await waitForLine(lines, /^CMUNeXt segment: \d+ image\(s\) in /, from);
  const clickMs = Date.now() - started;
  for (let seen = -1, now = await draws(page); now !== seen; now = await draws(page)) {
    seen = now;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { ...parseStages(line), click: clickMs, draws: (await draws(page)) - drawn };
}

/** Median model run of the same image in Node, on each backend; wasm on `threads` (onnxruntime-web fixes them once a process). */
async function nodeInference(image: string, runs: number, threads?: number): Promise<Record<NodeBackend, number>> {
  const out = {} as Record<NodeBackend, number>;
  for (const backend of ['wasm', 'native'] as NodeBackend[]) {
    const session = await openModel(join(ROOT, 'models', 'cmunext-busi'), backend, threads);
    const input = toModelInput(toDisplay(await readImageFile(image)), session.manifest.input);
    const times: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const t = performance.now();
      await session.run(input);
      if (i >= 2) times.push(performance.now() - t);
    }
    out[backend] = median(times);
    await session.release();
  }
  return out;
}

/** Node's wasm run in a process of its own on `threads`, as the browser's worker has them. */
function nodeWasmOn(threads: number, image: string, runs: number): number {
  const r = spawnSync(process.execPath, [__filename, '--node-wasm-threads', String(threads), '--image', image, '--runs', String(runs)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Node wasm on ${threads} thread(s) failed: ${r.stderr}`);
  return Number(r.stdout.trim().split('\n').pop());
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { clicks: { type: 'string', default: '5' }, json: { type: 'boolean' }, 'node-wasm-threads': { type: 'string' }, image: { type: 'string' }, runs: { type: 'string' } } });
  if (values['node-wasm-threads']) {
    console.log((await nodeInference(values.image!, Number(values.runs), Number(values['node-wasm-threads']))).wasm);
    return;
  }
  const clicks = Math.max(2, Number(values.clicks));
  const pacs = await startOrthanc();
  const studies = join(ROOT, 'demo/studies');
  await uploadFiles(`${pacs.url}/dicom-web`, readdirSync(studies).map((f) => join(studies, f)));
  const port = await freePort();
  const server = await startServer({ viewerDir: ensureViewer(), mounts: projectMounts(ROOT), appConfig: appConfig(EXTENSION_MODULES, { backends: ['wasm'] }), dicomweb: `${pacs.url}/dicom-web`, port });
  const base = `http://127.0.0.1:${port}`;
  const study = async (accession: string) => (await (await fetch(`${base}/dicom-web/studies?AccessionNumber=${accession}`)).json())[0]['0020000D'].Value[0];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const visit = async (url: string) => {
      const page = await context.newPage();
      await page.addInitScript(COUNT_DRAWS);
      const lines: string[] = [];
      page.on('console', (m) => lines.push(m.text()));
      const ready = await open(page, url, lines);
      return { page, lines, ready };
    };
    const image = `${base}/cmunext?StudyInstanceUIDs=${await study('DEMO1')}`;
    // First visit: the model comes over the network, then clicks on one image.
    const first = await visit(image);
    const runs: Stages[] = [];
    for (let i = 0; i < clicks; i++) runs.push(await click(first.page, first.lines, 'CMUNeXtSegment'));
    await first.page.close();
    // A new page, the model in the browser's cache: the first click there.
    const again = await visit(image);
    const cached = await click(again.page, again.lines, 'CMUNeXtSegment');
    await again.page.close();
    // A cine series, every frame.
    const cine = await visit(`${base}/cmunext?StudyInstanceUIDs=${await study('DEMO2')}`);
    const series = await click(cine.page, cine.lines, 'CMUNeXtSegmentSeries');
    await cine.page.close();
    const node = await nodeInference(join(ROOT, 'demo/studies/us-1.dcm'), 10);
    // The browser's wasm threads are onnxruntime-web's choice there (half the cores where cross-origin isolated).
    const browserThreads = Number(/ready on wasm \((\d+) threads?\)/.exec(first.ready)?.[1] ?? 1);
    const nodeSameThreads = nodeWasmOn(browserThreads, join(ROOT, 'demo/studies/us-1.dcm'), 10);

    const warm = runs.slice(1);
    const columns: [string, (k: keyof Stages) => number][] = [
      ['first click', (k) => runs[0][k]],
      [`warm (median of ${warm.length})`, (k) => median(warm.map((r) => r[k]))],
      ['new page, cached', (k) => cached[k]],
      [`series, per image (${series.images})`, (k) => (k === 'images' || k === 'draws' ? series[k] : series[k] / series.images)],
    ];
    const rows: (keyof Stages)[] = ['click', 'total', ...STAGES, 'draws'];
    const names: Partial<Record<keyof Stages, string>> = { click: 'click -> stage line', total: 'command, start to end', draws: 'drawings (series: all)' };
    const table = rows.map((k) => [names[k] ?? k, ...columns.map(([, f]) => f(k).toFixed(0))]);
    const widths = [24, ...columns.map(([h]) => Math.max(h.length, 8))];
    const line = (cells: string[]) => cells.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
    console.log(`Click in the viewer, ms (headless chromium, wasm, ${first.ready.replace(/^CMUNeXt segment: /, '')}):`);
    console.log(line(['stage', ...columns.map(([h]) => h)]));
    for (const r of table) console.log(line(r));
    const workerOnly = series.pre + series.inference + series.post;
    console.log(`series throughput: ${(series.images / (series.total / 1000)).toFixed(2)} images/s; worker alone ${(series.images / (workerOnly / 1000)).toFixed(2)} images/s (${((100 * workerOnly) / series.total).toFixed(0)}%)`);
    const warmInference = median(warm.map((r) => r.inference));
    console.log(`same model, same image, Node: wasm ${node.wasm.toFixed(0)} ms (${Math.min(2, cpus().length)} threads), native ${node.native.toFixed(0)} ms; browser warm inference / Node wasm ${(warmInference / node.wasm).toFixed(2)}x`);
    console.log(`Node wasm on the browser's ${browserThreads} thread(s): ${nodeSameThreads.toFixed(0)} ms; browser warm inference / Node wasm on as many threads ${(warmInference / nodeSameThreads).toFixed(2)}x`);
    if (values.json) {
      console.log(JSON.stringify({ ready: first.ready, firstClick: runs[0], warm: Object.fromEntries(rows.map((k) => [k, median(warm.map((r) => r[k]))])), newPageCached: cached, series, node, nodeWasmBrowserThreads: { threads: browserThreads, ms: nodeSameThreads } }));
    }
  } finally {
    await browser.close();
    server.close();
    await pacs.stop();
  }
}

main().catch((e) => {
  console.error(`bench:viewer: ${e instanceof Error ? e.stack : e}`);
  process.exit(1);
});
