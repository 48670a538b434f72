import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_TIME_TRANSFORMS, TestTimeTransform } from '../extension/src/core/augment';
import { ModelManifest } from '../extension/src/core/manifest';
import { iouF1 } from '../extension/src/core/metrics';
import { toMask } from '../extension/src/core/postprocess';
import { resizeNearest } from '../extension/src/core/resize';
import { InferenceError } from '../extension/src/runtime/errors';
import { manifestTransforms, segmentImage } from '../extension/src/runtime/segmenter';
import { aiSegments, aiSeriesOptions, RunInfo } from '../extension/src/seg/provenance';
import { SegWriterError, writeSeg } from '../extension/src/seg/writeSeg';
import { isDicom, readDicomMetadata } from './dicomFile';
import { ImageFileError, decodeImage, encodeMaskPng, readFileBytes, readImageFile, readMaskFile, writeWhole } from './imageFile';
import { NodeBackend, openModel } from './nodeModel';
import { openModelThread } from './modelThread';
import { Pacs, PacsError } from './batch/pacs';
import { BatchStages, runBatch } from './batch/run';
import { runExport } from './batch/export';
import { parseShard } from './batch/shard';
import { defaultModelDir } from '../scripts/root';

const USAGE = `cmunext: CMUNeXt segmentation from the command line, with the viewer's own pre- and post-processing

  cmunext segment  --model models/<id> --input FILE --out MASK.png|SEG.dcm [--frame N] [--threshold T] [--creator NAME] [--tta LIST]
  cmunext evaluate --model models/<id> --images DIR --masks DIR [--cases LIST] [--size N] [--tta LIST] [--json]
  cmunext export   --pacs DICOMWEB_ROOT --out DIR [--study UID]... [--since/--until YYYYMMDD | --days N] [--size N]
  cmunext batch    --pacs DICOMWEB_ROOT [--model models/<id>] [--modality M]... [--study UID]... [--since YYYYMMDD]
                   [--until YYYYMMDD] [--days N] [--limit N] [--concurrency N] [--shard K/N | --shards N] [--header 'Name: value']...

  --backend native|wasm   native: onnxruntime-node (default); wasm: onnxruntime-web, as in the browser
  --threads N             wasm threads (default 2)
  --frame N               1-based frame of a multi-frame DICOM input (default 1)
  --threshold T           probability threshold (segment: the model's default; evaluate: 0.5, the paper's)
  --creator NAME          segment: ContentCreatorName of the DICOM SEG (e.g. "Doe^Jane")
  --cases LIST            evaluate only the case names listed in this file, one a line (no extension needed)
  --size N                evaluate: compare on an NxN grid (default: the model's input size; the paper uses 256)
  --json                  evaluate: end with one line {"n":..,"iou":..,"f1":..,"transforms":[..]}
  --tta LIST              test-time transforms to average, comma-separated (identity, hflip, vflip), or "none";
                          default: the model manifest's testTimeAugmentation (none when absent)

batch: every series of the modalities (default: the model's) in the PACS's studies (or --study), segmented, one AI
SEG a series stored by STOW-RS; a series whose study holds this model version's AI SEG over it is skipped, so a
second or restarted run stores nothing twice. One JSON line a series, then {"series":..,"segmented":..,"skipped":..,
"failed":..,"images":..,"seconds":..}; exit status 1 when a series failed.
  --model DIR             default: the shipped model (models/cmunext-busi)
  --shard K/N             this process's share (K from 0) of N processes over the same PACS, by a hash of each
                          Series Instance UID; --shards N takes K from JOB_COMPLETION_INDEX (Kubernetes Indexed Job)
  --header 'Name: value'  sent with every request (e.g. Authorization); CMUNEXT_PACS_AUTHORIZATION sets Authorization
  --days N                studies dated today (1) or in the last N days: a nightly run's window
  --concurrency N         series in flight at once (default 3): reading and storing overlap the model's runs
  --timeout S             seconds each PACS request may take (default 120); --retries N tries (default 4)

export: every reader's correction of a CMUNeXt AI result (ContentLabel CMUNEXT_EDIT) in the PACS, as image and mask
PNG pairs in DIR/images and DIR/masks (on an NxN grid, --size, default 256, as train.py reads them; 0 keeps each
image's grid), DIR/cases.txt, and DIR/corrections.csv (Dice with the AI result, reader, model version, per pair).

Inputs: PNG, JPEG, or DICOM: uncompressed, big endian, deflate, RLE, JPEG (8-bit baseline and extended, lossless),
JPEG-LS, JPEG 2000 and HTJ2K (12-bit JPEG and signed HTJ2K are refused by name). Masks: same file names as their
images, foreground above half scale.
A .dcm output is a DICOM Segmentation referencing the input, which must then be DICOM.`;

class UsageError extends Error {}

/** The parsed command line. */
type Values = Record<string, string | boolean | string[] | undefined>;

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.dcm']);

function need(values: Record<string, unknown>, ...keys: string[]): void {
  const missing = keys.filter((k) => values[k] === undefined);
  if (missing.length) throw new UsageError(`missing ${missing.map((k) => `--${k}`).join(', ')}`);
}

function number(value: string | undefined, name: string, check: (v: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!check(v)) throw new UsageError(`--${name} must be ${expected}, got ${JSON.stringify(value)}`);
  return v;
}

async function segment(v: Values): Promise<void> {
  need(v, 'model', 'input', 'out');
  const out = v.out as string;
  const input = v.input as string;
  const kind = extname(out).toLowerCase();
  if (kind !== '.png' && kind !== '.dcm') throw new UsageError(`--out ${out}: give a .png path for a mask image or a .dcm path for a DICOM SEG`);
  const frame = number(v.frame as string, 'frame', (x) => Number.isInteger(x) && x >= 1, 'a frame number from 1') ?? 1;
  const threshold = number(v.threshold as string, 'threshold', (x) => x > 0 && x < 1, 'between 0 and 1');
  const transforms = transformList(v.tta as string | undefined);
  const inputBytes = readFileBytes(input);
  const image = await decodeImage(inputBytes, input, frame - 1);
  if (kind === '.dcm' && !isDicom(inputBytes)) throw new UsageError(`--out ${out}: a DICOM SEG references a DICOM source; ${input} is not DICOM`);
  const session = await openModel(v.model as string, v.backend as NodeBackend, threadCount(v));
  const r = await segmentImage(session, image, threshold, transforms);
  const bytes = kind === '.png' ? encodeMaskPng(r.mask, r.width, r.height) : segFor(readDicomMetadata(inputBytes), frame, r.mask, session.manifest, { threshold: r.threshold, backend: session.backend, transforms: r.transforms }, v.creator as string | undefined);
  mkdirSync(dirname(out), { recursive: true });
  writeWhole(out, bytes);
  let area = 0;
  for (const m of r.mask) if (m) area++;
  console.log(
    `${out}: ${r.width}x${r.height} ${kind === '.dcm' ? 'DICOM SEG' : 'mask'}, ${area} foreground pixels (${((100 * area) / r.mask.length).toFixed(1)}%), ` +
      `threshold ${r.threshold}, ${session.manifest.id} ${session.manifest.version} on ${session.backend}, transforms ${r.transforms.join('+')}, inference ${r.inferenceMs.toFixed(0)} ms`,
  );
}

function segFor(source: ReturnType<typeof readDicomMetadata>, frame: number, mask: Uint8Array, manifest: ModelManifest, run: RunInfo, creator?: string): Uint8Array {
  const multiFrame = Number(source.NumberOfFrames ?? 1) > 1;
  const options = aiSeriesOptions(manifest, creator ?? '');
  return writeSeg([source], aiSegments(manifest, run), [{ source: 0, frame: multiFrame ? frame : undefined, segment: 1, mask }], options);
}

/** --tta: the transforms to average in place of the manifest's. */
function transformList(value: string | undefined): TestTimeTransform[] | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return ['identity'];
  const list = value.split(',').map((t) => t.trim());
  const unknown = list.filter((t) => !(TEST_TIME_TRANSFORMS as readonly string[]).includes(t));
  if (unknown.length || !list.length) throw new UsageError(`--tta takes "none" or a comma-separated list of ${TEST_TIME_TRANSFORMS.join(', ')}; got ${JSON.stringify(value)}`);
  if (new Set(list).size !== list.length) throw new UsageError(`--tta names a transform twice: ${JSON.stringify(value)}`);
  return list as TestTimeTransform[];
}

function caseList(path: string | undefined): Set<string> | undefined {
  if (!path) return undefined;
  const text = readFileSync(path, 'utf8');
  return new Set(text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
}

async function evaluate(v: Values): Promise<void> {
  need(v, 'model', 'images', 'masks');
  const threshold = number(v.threshold as string, 'threshold', (x) => x > 0 && x < 1, 'between 0 and 1') ?? 0.5;
  const size = number(v.size as string, 'size', (x) => Number.isInteger(x) && x >= 16, 'a whole number from 16');
  const only = caseList(v.cases as string | undefined);
  const imagesDir = v.images as string;
  const masksDir = v.masks as string;
  let files = readdirSync(imagesDir).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort();
  if (only) {
    files = files.filter((f) => only.has(f) || only.has(basename(f, extname(f))));
    if (files.length < only.size) throw new UsageError(`${only.size} case(s) listed, ${files.length} found in ${imagesDir}`);
  }
  if (!files.length) throw new UsageError(`${imagesDir}: no PNG, JPEG or DICOM images`);
  const masks = new Set(readdirSync(masksDir));
  const missing = files.filter((f) => !masks.has(f));
  if (missing.length) throw new UsageError(`${masksDir}: no mask for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
  const chosen = transformList(v.tta as string | undefined);
  const session = await openModel(v.model as string, v.backend as NodeBackend, threadCount(v));
  const transforms = chosen ?? manifestTransforms(session);
  const [, , inputHeight, inputWidth] = session.manifest.input.shape;
  const [height, width] = size ? [size, size] : [inputHeight, inputWidth];
  let iouSum = 0;
  let f1Sum = 0;
  let ms = 0;
  for (const f of files) {
    const r = await segmentImage(session, await readImageFile(join(imagesDir, f)), threshold, transforms);
    // The paper's protocol: compare at the model's input size (or --size), probabilities resampled bilinear as the
    // viewer does, the mask resized nearest.
    const pred = toMask(r.probabilities, width, height, threshold);
    const truth = await readMaskFile(join(masksDir, f));
    const { iou, f1 } = iouF1(pred, resizeNearest(truth.data, truth.width, truth.height, width, height));
    iouSum += iou;
    f1Sum += f1;
    ms += r.inferenceMs;
    if (!v.json) console.log(`${f}\tIoU ${iou.toFixed(4)}\tF1 ${f1.toFixed(4)}`);
  }
  const n = files.length;
  console.error(`${n} images, ${session.manifest.id} on ${session.backend}, transforms ${transforms.join('+')}${chosen ? ' (--tta)' : ' (the manifest\'s)'}, mean inference ${(ms / n).toFixed(1)} ms`);
  if (v.json) console.log(JSON.stringify({ n, iou: iouSum / n, f1: f1Sum / n, transforms }));
  else console.log(`mean over ${n} images (transforms ${transforms.join('+')}): IoU ${(iouSum / n).toFixed(4)}, F1 ${(f1Sum / n).toFixed(4)}`);
}

const DATE = /^\d{8}$/;
const dicomDate = (d: Date) => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;

const whole = (v: Values, name: string, from: number) => number(v[name] as string | undefined, name, (x) => Number.isInteger(x) && x >= from, `a whole number from ${from}`);

/** --pacs, --header (and CMUNEXT_PACS_AUTHORIZATION), --timeout, --retries: the PACS a batch or an export talks to. */
function pacsFrom(v: Values): Pacs {
  need(v, 'pacs');
  const root = String(v.pacs).replace(/\/$/, '');
  if (!/^https?:\/\//.test(root)) throw new UsageError(`--pacs must be a DICOMweb root URL (http:// or https://), got ${JSON.stringify(root)}`);
  const headers: Record<string, string> = {};
  if (process.env.CMUNEXT_PACS_AUTHORIZATION) headers.Authorization = process.env.CMUNEXT_PACS_AUTHORIZATION;
  for (const h of (v.header as string[] | undefined) ?? []) {
    const at = h.indexOf(':');
    if (at < 1) throw new UsageError(`--header takes 'Name: value', got ${JSON.stringify(h)}`);
    headers[h.slice(0, at).trim()] = h.slice(at + 1).trim();
  }
  return { root, headers, timeoutMs: (whole(v, 'timeout', 1) ?? 120) * 1000, tries: whole(v, 'retries', 1) ?? 4, backoffMs: 500 };
}

/** --study, --since/--until or --days: which studies. --days 1 is today's; 2 adds yesterday's (a nightly window). */
function studyWindow(v: Values): { studies?: string[]; since?: string; until?: string } {
  for (const k of ['since', 'until'] as const) if (v[k] !== undefined && !DATE.test(String(v[k]))) throw new UsageError(`--${k} takes a date as YYYYMMDD, got ${JSON.stringify(v[k])}`);
  const days = whole(v, 'days', 1);
  if (days !== undefined && v.since !== undefined) throw new UsageError('give --since or --days, not both');
  const since = days === undefined ? (v.since as string | undefined) : dicomDate(new Date(Date.now() - (days - 1) * 86_400_000));
  return { studies: v.study as string[] | undefined, since, until: v.until as string | undefined };
}

async function exportCorrections(v: Values): Promise<number> {
  need(v, 'out');
  const size = whole(v, 'size', 0) ?? 256;
  const summary = await runExport({ pacs: pacsFrom(v), out: v.out as string, size, ...studyWindow(v) });
  console.log(JSON.stringify(summary));
  return 0;
}

async function batch(v: Values): Promise<number> {
  const pacs = pacsFrom(v);
  const window = studyWindow(v);
  let shard;
  try {
    shard = parseShard(v.shard as string | undefined, v.shards as string | undefined, process.env);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const threshold = number(v.threshold as string, 'threshold', (x) => x > 0 && x < 1, 'between 0 and 1');
  const limit = whole(v, 'limit', 0);
  const concurrency = whole(v, 'concurrency', 1) ?? 3;
  const model = await openModelThread((v.model as string | undefined) ?? defaultModelDir(), v.backend as NodeBackend, threadCount(v));
  const modalities = (v.modality as string[] | undefined) ?? model.manifest.modalities ?? [];
  if (!modalities.length) {
    await model.close();
    throw new UsageError(`${model.manifest.id} names no modalities; give --modality`);
  }
  const bar = process.stderr.isTTY ? (done: number, total: number, images: number) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} series, ${images} images`);
  } : undefined;
  const stages: BatchStages = { find: 0, retrieve: 0, decode: 0, model: 0, write: 0, store: 0 };
  const summary = await runBatch({
    pacs, model, modalities, ...window, threshold, limit, shard, concurrency,
    onSeries: (outcome) => console.log(JSON.stringify(outcome)),
    onProgress: bar,
  }, stages).finally(() => model.close());
  if (bar) process.stderr.write('\n');
  console.error(`${summary.images} images in ${summary.seconds} s: ${(summary.images / Math.max(summary.seconds, 1e-3)).toFixed(1)} images/s on ${model.backend}${shard ? `, shard ${shard.index} of ${shard.count}` : ''}`
    + `; seconds by stage (overlapping): ${Object.entries(stages).map(([k, s]) => `${k} ${s.toFixed(1)}`).join(', ')}`);
  console.log(JSON.stringify(summary));
  return summary.failed ? 1 : 0;
}

function threadCount(v: Record<string, unknown>): number | undefined {
  return number(v.threads as string | undefined, 'threads', (x) => Number.isInteger(x) && x >= 1, 'a whole number from 1');
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        input: { type: 'string' },
        out: { type: 'string' },
        images: { type: 'string' },
        masks: { type: 'string' },
        cases: { type: 'string' },
        frame: { type: 'string' },
        threshold: { type: 'string' },
        threads: { type: 'string' },
        size: { type: 'string' },
        creator: { type: 'string' },
        tta: { type: 'string' },
        backend: { type: 'string', default: 'native' },
        json: { type: 'boolean' },
        pacs: { type: 'string' },
        modality: { type: 'string', multiple: true },
        study: { type: 'string', multiple: true },
        since: { type: 'string' },
        days: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        concurrency: { type: 'string' },
        shard: { type: 'string' },
        shards: { type: 'string' },
        header: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        retries: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const command = positionals[0];
    if (values.help || !command) {
      console.log(USAGE);
      return command || values.help ? 0 : 2;
    }
    if (values.backend !== 'native' && values.backend !== 'wasm') throw new UsageError(`--backend must be native or wasm, got ${values.backend}`);
    if (command === 'segment') await segment(values);
    else if (command === 'evaluate') await evaluate(values);
    else if (command === 'batch') return await batch(values);
    else if (command === 'export') return await exportCorrections(values);
    else throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      console.error(`cmunext: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof InferenceError || e instanceof ImageFileError || e instanceof SegWriterError || e instanceof PacsError) {
      console.error(`cmunext: ${e.message}`);
      return 1;
    }
    // A file or folder named on the command line that is not there (a --cases list, an --images folder).
    const io = e as NodeJS.ErrnoException;
    if (typeof io?.code === 'string' && typeof io.path === 'string') {
      console.error(`cmunext: ${io.path}: cannot read (${io.code})`);
      return 1;
    }
    throw e;
  }
}
