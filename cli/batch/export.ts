/**
 * `cmunext export`: the readers' corrections of CMUNeXt AI results, back as training data. For every CMUNeXt
 * correction SEG in the PACS (ContentLabel CMUNEXT_EDIT), each corrected frame's source image as the reader saw it
 * and the corrected mask, as PNG pairs on one grid in the layout models/training/train.py reads (images/, masks/,
 * cases.txt), and corrections.csv: each correction's Dice with the AI result, the reader, the model version.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { toDisplay } from '../../extension/src/core/pixels';
import { resizeBilinear, resizeNearest } from '../../extension/src/core/resize';
import { CORRECTION_CONTENT_LABEL } from '../../extension/src/seg/provenance';
import { readSeg } from '../../extension/src/seg/readSeg';
import { readDicomImage } from '../dicomFile';
import { tag } from '../../extension/src/dicomweb/retrieve';
import { encodeMaskPng, writeWhole } from '../imageFile';
import { Pacs, retrieve, search, segMetadata } from './pacs';

export interface ExportOptions {
  pacs: Pacs;
  out: string;
  studies?: string[];
  since?: string;
  until?: string;
  /** The square grid the pairs are written on (train.py needs one size); 0 keeps each image's own. */
  size: number;
}

export interface ExportSummary {
  corrections: number;
  pairs: number;
}

const csvField = (v: unknown) => (/[",\n]/.test(String(v ?? '')) ? `"${String(v).replace(/"/g, '""')}"` : String(v ?? ''));

/** Display values (what the reader saw, window applied) as an RGB PNG on the grid. */
function imagePng(display: { width: number; height: number; data: Float32Array }, size: number): Buffer {
  const [w, h] = size ? [size, size] : [display.width, display.height];
  const data = size ? resizeBilinear(display.data, display.width, display.height, 3, w, h) : display.data;
  const png = new PNG({ width: w, height: h, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(Uint8Array.from(data, (v) => Math.max(0, Math.min(255, Math.round(v)))));
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

export async function runExport(o: ExportOptions): Promise<ExportSummary> {
  const dates = o.since || o.until ? `&StudyDate=${o.since ?? ''}-${o.until ?? ''}` : '';
  const studies = o.studies?.length ? o.studies : (await search(o.pacs, `/studies?ModalitiesInStudy=SEG${dates}`)).map((s) => tag(s, '0020000D'));
  for (const dir of ['images', 'masks']) mkdirSync(join(o.out, dir), { recursive: true });
  const rows = [['case', 'study', 'correction_sop', 'ai_seg', 'source_sop', 'source_frame', 'reader', 'model', 'model_version', 'ai_dice', 'pixels_added', 'pixels_removed']];
  const cases: string[] = [];
  let corrections = 0;
  for (const study of studies.sort()) {
    for (const { series, instance } of await segMetadata(o.pacs, study, CORRECTION_CONTENT_LABEL)) {
      const seg = readSeg(await retrieve(o.pacs, { study, series, modality: 'SEG' }, tag(instance, '00080018')));
      const segment = seg.segments.find((s) => s.algorithmType === 'SEMIAUTOMATIC') ?? seg.segments[0];
      corrections++;
      const sources = new Map<string, Uint8Array>();
      for (const frame of seg.frames) {
        const source = seg.referencedInstances.find((r) => r.sopInstanceUID === frame.sourceSopInstanceUID);
        if (!source) continue; // a frame placed by plane position alone names no image to pair it with
        let bytes = sources.get(source.sopInstanceUID);
        if (!bytes) sources.set(source.sopInstanceUID, (bytes = await retrieve(o.pacs, { study, series: source.seriesInstanceUID, modality: '' }, source.sopInstanceUID)));
        const image = await readDicomImage(bytes, (frame.sourceFrame ?? 1) - 1);
        const name = `${seg.sopInstanceUID}_${source.sopInstanceUID}_${frame.sourceFrame ?? 1}`;
        writeWhole(join(o.out, 'images', `${name}.png`), imagePng(toDisplay(image), o.size));
        const mask = o.size ? resizeNearest(frame.mask, seg.columns, seg.rows, o.size, o.size) : frame.mask;
        writeWhole(join(o.out, 'masks', `${name}.png`), encodeMaskPng(mask, o.size || seg.columns, o.size || seg.rows));
        cases.push(name);
        const p = segment.algorithmParameters;
        rows.push([name, study, seg.sopInstanceUID, p.ai_seg ?? '', source.sopInstanceUID, String(frame.sourceFrame ?? 1), seg.contentCreatorName ?? '',
          segment.algorithmName ?? '', segment.algorithmVersion ?? '', p.ai_dice ?? '', p.pixels_added ?? '', p.pixels_removed ?? '']);
      }
    }
  }
  writeWhole(join(o.out, 'cases.txt'), Buffer.from(cases.map((c) => `${c}\n`).join('')));
  writeWhole(join(o.out, 'corrections.csv'), Buffer.from(rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n'));
  return { corrections, pairs: cases.length };
}
