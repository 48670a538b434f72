/**
 * A stored SEG reopened for further correction: the AI SEG it corrects, and that AI result's segment and series
 * descriptions as first written, so that a new correction is stored exactly as one made in the same session.
 */
import * as dcmjs from 'dcmjs';
import { ReadFrame, ReadSeg, ReadSegment, SegReadError } from './readSeg';
import { AI_CONTENT_LABEL } from './provenance';
import { SegmentDescription, SegWriterOptions } from './types';

const { Colors } = (dcmjs as any).data;

export interface AiDescription {
  segments: SegmentDescription[];
  series: SegWriterOptions;
}

/** The SOP Instance UID of the AI SEG behind a stored SEG: itself when AI output, else the one its correction names. */
export function aiSegUid(seg: ReadSeg): string | undefined {
  if (seg.segments.length && seg.segments.every((s) => s.algorithmType === 'AUTOMATIC')) return seg.sopInstanceUID;
  return seg.segments.map((s) => s.algorithmParameters.ai_seg).find(Boolean);
}

/** The segment's recommended display colour as sRGB 0..255 (grey when the SEG recommends none). */
export function segmentColor(s: ReadSegment): [number, number, number] {
  if (!s.cieLab) return [128, 128, 128];
  const [r, g, b] = (Colors.dicomlab2RGB(s.cieLab) as number[]).map((c) => Math.min(255, Math.max(0, Math.round(c * 255))));
  return [r, g, b];
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === '' ? [] : String(v).split('\\'));

/** The descriptions an AI SEG was written with, read back from it; only a CMUNeXt AI SEG has them. */
export function aiDescription(seg: ReadSeg): AiDescription {
  // Another tool's AI SEG may look alike; its corrections would go out under that tool's equipment and series.
  if (seg.dataset.ContentLabel !== AI_CONTENT_LABEL) {
    throw new SegReadError(`"${seg.seriesDescription ?? seg.sopInstanceUID}" has content label ${JSON.stringify(seg.dataset.ContentLabel ?? '')}, not ${AI_CONTENT_LABEL}: it is not CMUNeXt output`);
  }
  const segments = seg.segments.map((s): SegmentDescription => {
    if (s.algorithmType !== 'AUTOMATIC' || !s.algorithmName) throw new SegReadError(`segment ${s.number} (${s.label}) of "${seg.seriesDescription ?? seg.sopInstanceUID}" is not AI output`);
    if (!s.category || !s.type) throw new SegReadError(`segment ${s.number} (${s.label}) has no segmented property category or type`);
    return {
      number: s.number,
      label: s.label,
      color: segmentColor(s),
      category: s.category,
      type: s.type,
      anatomicRegion: s.anatomicRegion,
      algorithmType: 'AUTOMATIC',
      algorithm: { name: s.algorithmName, version: s.algorithmVersion ?? '', parameters: { ...s.algorithmParameters } },
    };
  });
  const ds = seg.dataset;
  return {
    segments,
    series: {
      seriesDescription: seg.seriesDescription ?? 'AI segmentation',
      seriesNumber: Number(ds.SeriesNumber ?? 9001),
      contentLabel: AI_CONTENT_LABEL,
      contentDescription: seg.contentDescription,
      contentCreatorName: '',
      equipment: {
        manufacturer: ds.Manufacturer ?? '',
        modelName: ds.ManufacturerModelName ?? '',
        softwareVersions: list(ds.SoftwareVersions),
        deviceSerialNumber: ds.DeviceSerialNumber ?? '',
      },
    },
  };
}

/**
 * One image's labelmap from a SEG's frames over it: each pixel holds the number of the segment covering it. A
 * labelmap holds one segment per pixel, where a BINARY SEG may overlap: the higher segment number is shown, and the
 * overlapping pixels are counted so the reader can be told.
 */
export function composeLabels(frames: { segment: number; mask: Uint8Array }[], pixels: number): { labels: Uint8Array; overlaps: number } {
  const labels = new Uint8Array(pixels);
  let overlaps = 0;
  for (const f of [...frames].sort((a, b) => a.segment - b.segment)) {
    if (f.mask.length !== pixels) throw new SegReadError(`segment ${f.segment}: a frame of ${f.mask.length} pixels over an image of ${pixels}`);
    if (!Number.isInteger(f.segment) || f.segment < 1 || f.segment > 255) throw new SegReadError(`segment number ${f.segment} does not fit a labelmap (1-255)`);
    for (let i = 0; i < pixels; i++) {
      if (!f.mask[i]) continue;
      if (labels[i] && labels[i] !== f.segment) overlaps++;
      labels[i] = f.segment;
    }
  }
  return { labels, overlaps };
}

/** An image of the viewed stack, with what a SEG frame may name it by. */
export interface StackImage {
  imageId: string;
  sopInstanceUID?: string;
  /** 1-based frame of a multi-frame instance. */
  frame?: number;
  imagePositionPatient?: number[];
}

const refKey = (sop: string, frame?: number) => `${sop}/${frame ?? 1}`;
// Positions are matched to 0.01 mm: SEG writers round them differently.
const positionKey = (p: number[]) => p.map((v) => Number(v).toFixed(2)).join('\\');

/**
 * A SEG's frames grouped by the stack image each lies on: found by its source reference, or (SEGs without one) by
 * plane position. Frames on no image of the stack are left out.
 */
export function framesByImage(frames: ReadFrame[], images: StackImage[]): Map<string, ReadFrame[]> {
  const index = new Map<string, string>();
  for (const im of images) {
    if (im.sopInstanceUID) index.set(refKey(im.sopInstanceUID, im.frame), im.imageId);
    if (im.imagePositionPatient?.length === 3) index.set(positionKey(im.imagePositionPatient), im.imageId);
  }
  const grouped = new Map<string, ReadFrame[]>();
  for (const f of frames) {
    // A frame that names its source is not matched by position: a sibling series (another kernel, another MR
    // sequence) often has images at the same positions, and a SEG made on it is not a SEG of this one.
    const imageId = f.sourceSopInstanceUID
      ? index.get(refKey(f.sourceSopInstanceUID, f.sourceFrame))
      : f.imagePositionPatient && index.get(positionKey(f.imagePositionPatient));
    if (imageId) grouped.set(imageId, [...(grouped.get(imageId) ?? []), f]);
  }
  return grouped;
}

/** The AI result a reopened SEG continues: how it was described, made, and its masks over the stack's images. */
export interface ReopenedAi {
  description: AiDescription;
  aiUid: string;
  /** As the AI SEG's parameters say; NaN where they name none. */
  threshold: number;
  backend: string;
  /** Per image id of the stack, the AI mask (0/1) the AI SEG holds there. */
  masks: Map<string, Uint8Array>;
}

/**
 * What a reopened SEG continues: the AI result it is, or corrects, which further corrections are measured against.
 * `ai` is that AI SEG as retrieved (the SEG itself when it is AI output), undefined when the study does not hold it,
 * or the error that kept it from being read. Where there is none to continue, says why its edits cannot be stored
 * from here (a clause: "it is not ...").
 */
export function reopenedAi(seg: ReadSeg, ai: ReadSeg | Error | undefined, images: StackImage[]): ReopenedAi | string {
  if (ai instanceof Error) return `its AI original could not be read (${ai.message})`;
  if (aiSegUid(seg) && !ai) return 'its AI original is not in this study';
  let description: AiDescription | undefined;
  try {
    description = ai && ai.segments.length === 1 ? aiDescription(ai) : undefined;
  } catch (e) {
    if (!(e instanceof SegReadError)) throw e;
  }
  if (!ai || !description) return 'it is not a CMUNeXt result';
  // CMUNeXt SEGs hold one segment, so labels and masks are the same 0/1 values.
  const masks = new Map([...framesByImage(ai.frames, images)].map(([imageId, over]) => [imageId, composeLabels(over, ai.rows * ai.columns).labels]));
  const params = ai.segments[0]?.algorithmParameters ?? {};
  return { description, aiUid: ai.sopInstanceUID, threshold: Number(params.threshold), backend: params.backend ?? '', masks };
}
