/**
 * `cmunext batch` over a real Orthanc holding the demo studies and 200 generated ultrasound series: every series
 * gets one SEG, a second run stores nothing, a run killed part-way and started again duplicates nothing, and three
 * shard processes at once split the work exactly.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readImageFile, readMaskFile } from '../../cli/imageFile';
import { validateManifest } from '../../extension/src/core/validateManifest';
import { readPart10 } from '../../extension/src/dicom/part10';
import { storeInstances } from '../../extension/src/dicomweb/stow';
import { aiSegments, aiSeriesOptions } from '../../extension/src/seg/provenance';
import { planStore } from '../../extension/src/seg/storePlan';
import { metadataOf } from '../helpers/dicom';
import { openModel } from '../../cli/nodeModel';
import { segmentImage } from '../../extension/src/runtime/segmenter';
import { writePart10 } from '../../extension/src/dicom/part10';
import { readSeg } from '../../extension/src/seg/readSeg';
import { greyImage } from '../../scripts/greyImage';
import { Pacs, startOrthanc, uploadFiles } from '../../scripts/pacs';
import { tempDir } from '../helpers/tempDir';

const ROOT = resolve(__dirname, '../..');
const GENERATED = 200;
let pacs: Pacs;
let dicomweb: string;
/** Every US series the PACS holds: the demo studies' and the generated ones. */
let usSeries: string[];
/** The generated source files. */
let sources: string;

/** The AI SEG the PACS holds over a series. */
async function segOver(series: string): Promise<Uint8Array> {
  const ids: string[] = await (await fetch(`${pacs.url}/tools/find`, { method: 'POST', body: JSON.stringify({ Level: 'Instance', Query: { Modality: 'SEG' } }) })).json();
  for (const id of ids) {
    const bytes = new Uint8Array(await (await fetch(`${pacs.url}/instances/${id}/file`)).arrayBuffer());
    const seg = readSeg(bytes);
    if (seg.dataset.ContentLabel === 'CMUNEXT_AI' && seg.dataset.ReferencedSeriesSequence[0].SeriesInstanceUID === series) return bytes;
  }
  throw new Error(`no AI SEG over ${series}`);
}

/** 50 studies of 4 series, each one 96x80 image of a BUSI case, mirrored or shifted so no two are alike. */
async function generated(dir: string): Promise<string[]> {
  const cases = readdirSync(join(ROOT, 'test/fixtures/busi/images256')).sort();
  const greys = await Promise.all(cases.map(async (c) => (await greyImage(join(ROOT, 'test/fixtures/busi/images256', c), { columns: 96, rows: 80 })).pixels));
  const files: string[] = [];
  for (let i = 0; i < GENERATED; i++) {
    const study = `2.25.77${Math.floor(i / 4)}`;
    const g = greys[i % greys.length];
    const shift = Math.floor(i / greys.length) % 7;
    const pixels = Uint8Array.from(g, (_, p) => g[Math.floor(p / 96) * 96 + ((p % 96) + shift) % 96]);
    const file = join(dir, `g${i}.dcm`);
    writeFileSync(file, writePart10({
      SpecificCharacterSet: 'ISO_IR 192', SOPClassUID: '1.2.840.10008.5.1.4.1.1.6.1', SOPInstanceUID: `2.25.79${i}`,
      PatientName: `Batch^${Math.floor(i / 4)}`, PatientID: `BATCH-${Math.floor(i / 4)}`, PatientBirthDate: '', PatientSex: 'F',
      StudyInstanceUID: study, StudyDate: `202611${String(1 + (Math.floor(i / 4) % 28)).padStart(2, '0')}`, StudyTime: '080000', StudyID: '1', AccessionNumber: `B${Math.floor(i / 4)}`,
      ReferringPhysicianName: '', SeriesInstanceUID: `2.25.78${i}`, SeriesNumber: (i % 4) + 1, InstanceNumber: 1, Modality: 'US',
      Manufacturer: 'ohif-cmunext tests', PatientOrientation: '', ContentDate: '20261101', ContentTime: '080000', ImageType: ['ORIGINAL', 'PRIMARY'],
      Rows: 80, Columns: 96, SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelRepresentation: 0,
      PixelData: [pixels.buffer], _vrMap: { PixelData: 'OB' },
    }));
    files.push(file);
  }
  return files;
}

beforeAll(async () => {
  pacs = await startOrthanc();
  dicomweb = `${pacs.url}/dicom-web`;
  const demo = join(ROOT, 'demo/studies');
  sources = tempDir('batch-sources');
  await uploadFiles(dicomweb, [...readdirSync(demo).map((f) => join(demo, f)), ...(await generated(sources))]);
  const found: string[] = (await (await fetch(`${dicomweb}/series?Modality=US&limit=1000`)).json()).map((s: any) => s['0020000E'].Value[0]);
  usSeries = found.sort();
}, 300000);

afterAll(async () => {
  await pacs?.stop();
});

interface Run {
  lines: any[];
  summary: { series: number; segmented: number; skipped: number; failed: number; images: number; seconds: number };
  stderr: string;
  code: number | null;
}

/** Runs the CLI as an operator would; `killAfter`: SIGKILL once that many series have been reported. */
function batch(args: string[], killAfter?: number): Promise<Run> {
  return new Promise((done) => {
    const child: ChildProcess = spawn('node', [join(ROOT, 'bin/cmunext.js'), 'batch', '--pacs', dicomweb, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (killAfter !== undefined && out.split('\n').filter(Boolean).length >= killAfter) child.kill('SIGKILL');
    });
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const summary = lines.length && 'seconds' in lines[lines.length - 1] ? lines.pop() : undefined;
      done({ lines, summary, stderr, code });
    });
  });
}

/**
 * The model's own rate on the generated images, in-process (onnxruntime-node, pre- and post-processing included),
 * beside which a batch's throughput is printed: figures from the same machine and run, not a test of speed.
 */
async function modelRate(): Promise<number> {
  const session = await openModel(join(ROOT, 'models/cmunext-busi'), 'native');
  const files = readdirSync(sources).filter((f) => f.endsWith('.dcm')).slice(0, 60);
  const decoded = await Promise.all(files.map(async (f) => readImageFile(join(sources, f))));
  await segmentImage(session, decoded[0]);
  const started = performance.now();
  for (const image of decoded) await segmentImage(session, image);
  return decoded.length / ((performance.now() - started) / 1000);
}

/** Per US series, how many AI SEGs the PACS holds over it. */
async function segsPerSeries(): Promise<Map<string, number>> {
  const ids: string[] = await (await fetch(`${pacs.url}/tools/find`, { method: 'POST', body: JSON.stringify({ Level: 'Instance', Query: { Modality: 'SEG' } }) })).json();
  const count = new Map<string, number>();
  for (const id of ids) {
    const seg = readSeg(new Uint8Array(await (await fetch(`${pacs.url}/instances/${id}/file`)).arrayBuffer()));
    const series = String(seg.dataset.ReferencedSeriesSequence[0].SeriesInstanceUID);
    count.set(series, (count.get(series) ?? 0) + 1);
  }
  return count;
}

async function deleteSegs(): Promise<void> {
  const ids: string[] = await (await fetch(`${pacs.url}/tools/find`, { method: 'POST', body: JSON.stringify({ Level: 'Instance', Query: { Modality: 'SEG' } }) })).json();
  for (const id of ids) await fetch(`${pacs.url}/instances/${id}`, { method: 'DELETE' });
}

const stored = (r: Run) => r.lines.filter((l) => l.seg).map((l) => l.series);
/** Per series, the SEGs the runs say they stored (one per image grid with a finding). */
const reported = (...runs: Run[]) => new Map(runs.flatMap((r) => r.lines.filter((l) => l.seg).map((l): [string, number] => [l.series, l.seg.split(',').length])));
const sorted = (m: Map<string, number>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe('cmunext batch over a PACS', () => {
  it('segments every series once, survives being killed part-way, and a second run stores nothing', async () => {
    expect(usSeries.length).toBeGreaterThanOrEqual(GENERATED + 4);
    const killed = await batch(['--concurrency', '3'], 40);
    expect(killed.code).toBeNull(); // SIGKILL
    expect(killed.summary).toBeUndefined();
    const first = await batch(['--concurrency', '3']);
    console.log(`batch after a kill at ${killed.lines.length} series: ${JSON.stringify(first.summary)}\n${first.stderr.trim()}`);
    console.log(first.lines.filter((l) => l.status !== 'segmented' || !l.seg).map((l) => JSON.stringify(l)).join('\n'));
    expect(first.code).toBe(0);
    expect(first.summary).toMatchObject({ series: usSeries.length, failed: 0 });
    // Between them, the two runs did every series; the PACS holds what they stored, once: one SEG a series (one a
    // grid for the demo series whose three images differ in size), none where the model found nothing.
    // The killed run may have stored a SEG it had no time to report: the next run finds it and skips that series.
    const held = await segsPerSeries();
    const said = reported(killed, first);
    const skipped = new Set(first.lines.filter((l) => l.status === 'skipped').map((l) => l.series));
    for (const [series, n] of said) expect([series, held.get(series)]).toEqual([series, n]);
    expect([...held.keys()].filter((series) => !said.has(series) && !skipped.has(series))).toEqual([]);
    expect([...skipped].filter((series) => !held.has(series))).toEqual([]);
    expect(held.size).toBeGreaterThan(GENERATED * 0.9);
    expect([...held.values()].filter((n) => n > 1)).toEqual([3]);

    const model = await modelRate();
    console.log(`throughput: one process ${(first.summary.images / first.summary.seconds).toFixed(1)} images/s; the model alone ${model.toFixed(1)} images/s: ${((100 * first.summary.images) / first.summary.seconds / model).toFixed(0)}%`);

    const again = await batch([]);
    expect(again.summary).toMatchObject({ series: usSeries.length, segmented: usSeries.length - held.size, skipped: held.size, failed: 0 });
    expect(stored(again)).toEqual([]);
    expect(sorted(await segsPerSeries())).toEqual(sorted(held));
  });

  it('splits the work exactly between three shard processes running at once', async () => {
    await deleteSegs();
    const runs = await Promise.all([0, 1, 2].map((k) => batch(['--shard', `${k}/3`, '--concurrency', '2'])));
    for (const r of runs) console.log(`shard: ${JSON.stringify(r.summary)} ${r.stderr.trim().split('\n').pop()}\n${r.lines.filter((l) => l.status === 'failed').map((l) => JSON.stringify(l)).join('\n')}`);
    const done = runs.flatMap((r) => r.lines.map((l) => l.series));
    expect(done.sort()).toEqual(usSeries);
    expect(runs.every((r) => r.summary.series > GENERATED / 6 && r.summary.failed === 0)).toBe(true);
    expect(sorted(await segsPerSeries())).toEqual(sorted(reported(...runs)));

    const images = runs.reduce((n, r) => n + r.summary.images, 0);
    const wall = Math.max(...runs.map((r) => r.summary.seconds));
    const model = await modelRate();
    console.log(`throughput: three shards ${(images / wall).toFixed(1)} images/s (${images} images in ${wall} s); the model alone ${model.toFixed(1)} images/s: ${((100 * images) / wall / model).toFixed(0)}%`);
  });

  it('exports the readers\' corrections as training pairs that a fine-tuning run reads', async () => {
    // Three readers' corrections of batch AI results, made as the viewer's Store makes them: a square painted in.
    const manifest = validateManifest(JSON.parse(readFileSync(join(ROOT, 'models/cmunext-busi/manifest.json'), 'utf8')));
    const corrected = new Map<string, Uint8Array>();
    for (const i of [0, 1, 2]) {
      const series = `2.25.78${i}`;
      const aiBytes = await segOver(series);
      const ai = readSeg(aiBytes);
      const source = metadataOf(readPart10(readFileSync(join(sources, `g${i}.dcm`))).dataset);
      const mask = Uint8Array.from(ai.frames[0].mask);
      for (let y = 5; y < 15; y++) mask.fill(1, y * 96 + 5, y * 96 + 15);
      const plan = planStore({
        sources: [source], masks: [{ source: 0, segment: 1, mask }], aiMasks: [ai.frames[0].mask],
        described: { segments: aiSegments(manifest, { threshold: 0.5, backend: 'cpu' }), series: aiSeriesOptions(manifest) },
        storedAiUid: ai.sopInstanceUID, contentCreatorName: `Reader^${i}`, now: new Date(),
      });
      expect(plan.instances).toHaveLength(1);
      await storeInstances(dicomweb, plan.instances);
      corrected.set(String(source.SOPInstanceUID), mask);
    }
    const out = tempDir('export');
    const run = spawnSync('node', [join(ROOT, 'bin/cmunext.js'), 'export', '--pacs', dicomweb, '--out', out, '--size', '0'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual({ corrections: 3, pairs: 3 });
    const cases = readFileSync(join(out, 'cases.txt'), 'utf8').trim().split('\n');
    for (const name of cases) {
      const sop = name.split('_')[1];
      // The exported mask is what the reader stored, pixel for pixel.
      expect(Array.from((await readMaskFile(join(out, 'masks', `${name}.png`))).data)).toEqual(Array.from(corrected.get(sop)!));
      const image = await readImageFile(join(out, 'images', `${name}.png`));
      expect([image.columns, image.rows]).toEqual([96, 80]);
    }
    const csv = readFileSync(join(out, 'corrections.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('case,study,correction_sop,ai_seg,source_sop,source_frame,reader,model,model_version,ai_dice,pixels_added,pixels_removed');
    expect(csv.slice(1).map((l) => l.split(',')[6]).sort()).toEqual(['Reader^0', 'Reader^1', 'Reader^2']);
    for (const l of csv.slice(1)) expect(Number(l.split(',')[9])).toBeGreaterThan(0);

    // A short fine-tuning run from the shipped weights reads the export as it is.
    const tune = spawnSync('/usr/bin/python3', [join(ROOT, 'models/training/train.py'), '--variant', 'base', '--run', join(out, 'run'),
      '--images', join(out, 'images'), '--masks', join(out, 'masks'), '--cases', join(out, 'cases.txt'), '--val-fraction', '0',
      '--init', join(ROOT, 'models/training/runs/cmunext-busi-all-swa/average.pt'), '--epochs', '1', '--schedule', '64', '--batch', '3', '--lr', '0.001'], { encoding: 'utf8' });
    console.log(`fine-tuning on the export: exit ${tune.status}\n${(tune.stdout + tune.stderr).trim().split('\n').slice(-3).join('\n')}`);
    expect(tune.status).toBe(0);
    expect(readFileSync(join(out, 'run', 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('says what is wrong with its arguments, and names a PACS it cannot reach', async () => {
    const bad = await batch(['--shard', '3/3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/shard 3 of 3: the shard count must be a whole number from 1 and the shard from 0 to 2/);
    const down = await new Promise<Run>((r) => {
      const child = spawn('node', [join(ROOT, 'bin/cmunext.js'), 'batch', '--pacs', 'http://127.0.0.1:1/dicom-web', '--retries', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => r({ lines: [], summary: undefined as never, stderr, code }));
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/http:\/\/127\.0\.0\.1:1\/dicom-web\/studies\?ModalitiesInStudy=US.*cannot be reached/);
  });
});
