import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { iouF1 } from '../extension/src/core/metrics';
import { toMask } from '../extension/src/core/postprocess';
import { resizeNearest } from '../extension/src/core/resize';
import { InferenceError } from '../extension/src/runtime/errors';
import { segmentImage } from '../extension/src/runtime/segmenter';
import { ImageFileError, encodeMaskPng, readImageFile, readMaskFile } from './imageFile';
import { NodeBackend, openModel } from './nodeModel';

const USAGE = `cmunext: CMUNeXt segmentation from the command line, with the viewer's own pre- and post-processing

  cmunext segment  --model models/<id> --input FILE --out MASK.png [--frame N] [--threshold T]
  cmunext evaluate --model models/<id> --images DIR --masks DIR [--cases LIST] [--json]

  --backend native|wasm   native: onnxruntime-node (default); wasm: onnxruntime-web, as in the browser
  --threads N             wasm threads (default 2)
  --frame N               1-based frame of a multi-frame DICOM input (default 1)
  --threshold T           probability threshold (segment: the model's default; evaluate: 0.5, the paper's)
  --cases LIST            evaluate only the case names listed in this file, one a line (no extension needed)
  --json                  evaluate: end with one line {"n":..,"iou":..,"f1":..}

Inputs: PNG, JPEG, or uncompressed DICOM. Masks: same file names as their images, foreground above half scale.`;

class UsageError extends Error {}

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

async function segment(v: Record<string, string | boolean | undefined>): Promise<void> {
  need(v, 'model', 'input', 'out');
  const out = v.out as string;
  if (extname(out).toLowerCase() !== '.png') throw new UsageError(`--out ${out}: the mask is written as PNG; give a .png path`);
  const frame = number(v.frame as string, 'frame', (x) => Number.isInteger(x) && x >= 1, 'a frame number from 1') ?? 1;
  const threshold = number(v.threshold as string, 'threshold', (x) => x > 0 && x < 1, 'between 0 and 1');
  const session = await openModel(v.model as string, v.backend as NodeBackend, threadCount(v));
  const image = readImageFile(v.input as string, frame - 1);
  const r = await segmentImage(session, image, threshold);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, encodeMaskPng(r.mask, r.width, r.height));
  let area = 0;
  for (const m of r.mask) if (m) area++;
  console.log(
    `${out}: ${r.width}x${r.height} mask, ${area} foreground pixels (${((100 * area) / r.mask.length).toFixed(1)}%), ` +
      `threshold ${r.threshold}, ${session.manifest.id} ${session.manifest.version} on ${session.backend}, inference ${r.inferenceMs.toFixed(0)} ms`,
  );
}

function caseList(path: string | undefined): Set<string> | undefined {
  if (!path) return undefined;
  const text = require('node:fs').readFileSync(path, 'utf8') as string;
  return new Set(text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
}

async function evaluate(v: Record<string, string | boolean | undefined>): Promise<void> {
  need(v, 'model', 'images', 'masks');
  const threshold = number(v.threshold as string, 'threshold', (x) => x > 0 && x < 1, 'between 0 and 1') ?? 0.5;
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
  const session = await openModel(v.model as string, v.backend as NodeBackend, threadCount(v));
  const [, , height, width] = session.manifest.input.shape;
  let iouSum = 0;
  let f1Sum = 0;
  let ms = 0;
  for (const f of files) {
    const r = await segmentImage(session, readImageFile(join(imagesDir, f)), threshold);
    // The paper's protocol: compare at the model's input size, the mask resized nearest.
    const pred = toMask(r.probabilities, width, height, threshold);
    const truth = readMaskFile(join(masksDir, f));
    const { iou, f1 } = iouF1(pred, resizeNearest(truth.data, truth.width, truth.height, width, height));
    iouSum += iou;
    f1Sum += f1;
    ms += r.inferenceMs;
    if (!v.json) console.log(`${f}\tIoU ${iou.toFixed(4)}\tF1 ${f1.toFixed(4)}`);
  }
  const n = files.length;
  console.error(`${n} images, ${session.manifest.id} on ${session.backend}, mean inference ${(ms / n).toFixed(1)} ms`);
  if (v.json) console.log(JSON.stringify({ n, iou: iouSum / n, f1: f1Sum / n }));
  else console.log(`mean over ${n} images: IoU ${(iouSum / n).toFixed(4)}, F1 ${(f1Sum / n).toFixed(4)}`);
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
        backend: { type: 'string', default: 'native' },
        json: { type: 'boolean' },
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
    else throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      console.error(`cmunext: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof InferenceError || e instanceof ImageFileError) {
      console.error(`cmunext: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
