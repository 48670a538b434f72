/**
 * `cmunext batch`: every series of the chosen modalities in a PACS segmented with the viewer's own pre- and
 * post-processing, one AI SEG per series stored back. Idempotent (a series whose study holds this model version's AI
 * SEG over it is skipped, and SEG UIDs derive from the series and the model, so a killed run restarted stores no
 * duplicate), shardable across machines, and overlapped: retrieval, decoding and storing of some series go on while
 * another is on the model.
 */
import * as dicomParser from 'dicom-parser';
import { ModelManifest } from '../../extension/src/core/manifest';
import { aiSegments, aiSeriesOptions } from '../../extension/src/seg/provenance';
import { FrameMask, SourceInstance } from '../../extension/src/seg/types';
import { writeSeg } from '../../extension/src/seg/writeSeg';
import { readDicomImage, readDicomMetadata } from '../dicomFile';
import { ImageModel } from '../modelThread';
import { findSeries, Pacs, retrieveSeries, SeriesQuery, SeriesRef, seriesWithSeg, store } from './pacs';
import { pooled } from './pooled';
import { shardOf, uidsFrom } from './shard';

export interface BatchOptions extends SeriesQuery {
  pacs: Pacs;
  /** On a thread of its own, so the PACS calls go on while it runs. */
  model: ImageModel;
  threshold?: number;
  limit?: number;
  shard?: { index: number; count: number };
  /** Series in flight at once. */
  concurrency: number;
  /** Each series' outcome as it ends (one JSON line on stdout). */
  onSeries(outcome: SeriesOutcome): void;
  /** Series done of the total, and images so far (a progress bar on a terminal). */
  onProgress?(done: number, total: number, images: number): void;
}

export interface SeriesOutcome {
  study: string;
  series: string;
  status: 'segmented' | 'skipped' | 'failed';
  /** Why it was skipped or failed, or that the model found nothing (then nothing is stored). */
  reason?: string;
  images?: number;
  /** Images with a finding at the threshold. */
  found?: number;
  /** The SEG stored. */
  seg?: string;
  ms: number;
}

export interface BatchSummary {
  series: number;
  segmented: number;
  skipped: number;
  failed: number;
  images: number;
  seconds: number;
}

/** Where a batch's time went, in seconds summed over series (stages overlap, so they add up to more than the run). */
export interface BatchStages {
  find: number;
  retrieve: number;
  decode: number;
  model: number;
  write: number;
  store: number;
}

/** The model's version as a stored AI SEG names it in Software Versions. */
export const modelVersion = (m: ModelManifest) => `${m.id} ${m.version}`;

export async function runBatch(o: BatchOptions, stages: BatchStages = { find: 0, retrieve: 0, decode: 0, model: 0, write: 0, store: 0 }): Promise<BatchSummary> {
  const started = performance.now();
  const timed = async <T>(stage: keyof BatchStages, task: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    try {
      return await task();
    } finally {
      stages[stage] += (performance.now() - t) / 1000;
    }
  };
  const manifest = o.model.manifest;
  const threshold = o.threshold ?? manifest.output.threshold;
  let todo = await timed('find', () => findSeries(o.pacs, o));
  if (o.shard) todo = todo.filter((s) => shardOf(s.series, o.shard!.count) === o.shard!.index);
  if (o.limit !== undefined) todo = todo.slice(0, o.limit);
  const withSeg = new Map<string, Promise<Set<string>>>();
  const summary: BatchSummary = { series: todo.length, segmented: 0, skipped: 0, failed: 0, images: 0, seconds: 0 };
  let done = 0;

  async function one(ref: SeriesRef): Promise<SeriesOutcome> {
    const t0 = performance.now();
    const end = (o: Omit<SeriesOutcome, 'study' | 'series' | 'ms'>): SeriesOutcome => ({ study: ref.study, series: ref.series, ...o, ms: Math.round(performance.now() - t0) });
    if (!withSeg.has(ref.study)) withSeg.set(ref.study, seriesWithSeg(o.pacs, ref.study, modelVersion(manifest)));
    if ((await timed('find', () => withSeg.get(ref.study)!)).has(ref.series)) return end({ status: 'skipped', reason: `the PACS holds an AI SEG of ${modelVersion(manifest)} over this series` });
    const sources: SourceInstance[] = [];
    const masks: FrameMask[] = [];
    let found = 0;
    const instances = await timed('retrieve', () => retrieveSeries(o.pacs, ref));
    // Frames in Instance Number order, whatever order the PACS sent them in.
    const ordered = (await timed('decode', () => instances.map((bytes) => ({ bytes, meta: readDicomMetadata(bytes) }))))
      .sort((a, b) => Number(a.meta.InstanceNumber ?? 0) - Number(b.meta.InstanceNumber ?? 0) || (a.meta.SOPInstanceUID < b.meta.SOPInstanceUID ? -1 : 1));
    for (const { bytes, meta } of ordered) {
      if (!meta.Rows || !meta.Columns) continue; // not an image (a report, a presentation state)
      const frames = Number(meta.NumberOfFrames ?? 1) || 1;
      const source = sources.push(meta) - 1;
      for (let f = 0; f < frames; f++) {
        const image = await timed('decode', () => readDicomImage(bytes, f));
        // The thread runs one image at a time and queues the rest; its own time is the model stage's.
        const r = await o.model.segment(image, threshold);
        stages.model += r.ms / 1000;
        if (r.mask.some(Boolean)) found++;
        masks.push({ source, frame: frames > 1 ? f + 1 : undefined, segment: 1, mask: r.mask });
      }
    }
    summary.images += masks.length;
    if (!masks.length) return end({ status: 'skipped', reason: 'the series holds no image', images: 0 });
    if (!found) return end({ status: 'segmented', images: masks.length, found, reason: `the model found nothing at threshold ${threshold}: nothing stored` });
    const segments = aiSegments(manifest, { threshold, backend: o.model.backend });
    // A SEG has one grid: a series whose images differ in size gets one SEG per size, all stored in one request.
    const segs = await timed('write', () => byGrid(sources, masks).map(({ grid, sources: s, masks: m }) =>
      writeSeg(s, segments, m, { ...aiSeriesOptions(manifest), uid: uidsFrom(`${ref.series}|${grid}|${manifest.id}|${manifest.version}|${manifest.sha256}|${threshold}`) })));
    await timed('store', () => store(o.pacs, segs));
    return end({ status: 'segmented', images: masks.length, found, seg: segs.map(readSopInstanceUid).join(',') });
  }

  await pooled(todo, o.concurrency, async (ref) => {
    let outcome: SeriesOutcome;
    const t0 = performance.now();
    try {
      outcome = await one(ref);
    } catch (e) {
      // A series that keeps failing is reported; the rest go on.
      outcome = { study: ref.study, series: ref.series, status: 'failed', reason: e instanceof Error ? e.message : String(e), ms: Math.round(performance.now() - t0) };
    }
    summary[outcome.status]++;
    o.onSeries(outcome);
    o.onProgress?.(++done, todo.length, summary.images);
  });
  summary.seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  return summary;
}

/** The sources and their masks split by image grid (rows x columns), indices renumbered within each. */
function byGrid(sources: SourceInstance[], masks: FrameMask[]): { grid: string; sources: SourceInstance[]; masks: FrameMask[] }[] {
  const groups = new Map<string, { grid: string; sources: SourceInstance[]; masks: FrameMask[]; index: Map<number, number> }>();
  for (const m of masks) {
    const src = sources[m.source];
    const grid = `${src.Rows}x${src.Columns}`;
    let g = groups.get(grid);
    if (!g) groups.set(grid, (g = { grid, sources: [], masks: [], index: new Map() }));
    if (!g.index.has(m.source)) g.index.set(m.source, g.sources.push(src) - 1);
    g.masks.push({ ...m, source: g.index.get(m.source)! });
  }
  // A grid where the model found nothing has no SEG to write.
  return [...groups.values()].filter((g) => g.masks.some((m) => m.mask.some(Boolean)));
}

/** The SOP Instance UID of a SEG just written (its UIDs are derived, so this names what the PACS now holds). */
function readSopInstanceUid(seg: Uint8Array): string {
  return String(dicomParser.parseDicom(seg, { untilTag: 'x00080018' }).string('x00080018'));
}
