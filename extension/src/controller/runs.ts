/** The AI results the tool holds, one per series, and the labelmap the reader has made of each. */
import { EditMap } from '../core/edits';
import { Probabilities } from '../core/postprocess';
import { AiDescription } from '../seg/reopen';
import type { StorePlan } from '../seg/storePlan';
import { FrameMask, SourceInstance } from '../seg/types';
import { HostPort, Target } from './ports';

interface FrameBase {
  /** The source image's grid. */
  width: number;
  height: number;
  /** The AI mask at the run's threshold: the reference a correction is measured against. */
  mask: Uint8Array;
  instance: SourceInstance;
  frame?: number;
}

/** A frame the model segmented here: its probabilities are kept for re-thresholding. */
export interface SegmentedFrame extends FrameBase {
  probabilities: Probabilities;
  /** The reader's edits as the last re-threshold or run found them. */
  edits?: EditMap;
}

interface RunBase {
  segmentationId: string;
  displaySetUID: string;
  threshold: number;
  /** The execution provider that made the AI masks. */
  backend: string;
  /**
   * The AI SEG in the PACS and the threshold it was made at: while that is the run's threshold, its masks are the
   * `mask`s here, and a correction names it.
   */
  storedAiSeg?: { uid: string; threshold: number };
  /** The labelmap as last stored or opened, per image: an unchanged segmentation is not stored twice. */
  inPacs?: Map<string, Uint8Array>;
  /**
   * The SEGs planned for the labelmap as it stood (`current`) and not yet acknowledged by the PACS: while the labelmap
   * is unchanged, Store sends these again, with the same UIDs, and a file saved is the same instance.
   */
  planned?: { current: Map<string, Uint8Array>; plan: StorePlan };
}

/** An AI result made in this viewer: re-thresholds, segments again in place, is described from the model. */
export interface SegmentedRun extends RunBase {
  kind: 'segmented';
  frames: Map<string, SegmentedFrame>;
}

/** A CMUNeXt SEG reopened from the PACS: described as it was stored, no probabilities to re-threshold. */
export interface ReopenedRun extends RunBase {
  kind: 'reopened';
  frames: Map<string, FrameBase>;
  description: AiDescription;
}

export type AiRun = SegmentedRun | ReopenedRun;

/** `b` absent: the PACS holds no frame there, which is an empty mask (a SEG leaves empty frames out). */
export const sameMask = (a: Uint8Array, b: Uint8Array | undefined) => (b ? a.length === b.length && a.every((v, i) => v === b[i]) : a.every((v) => v === 0));

/** A run's labelmap as it stands, frame by frame, beside the AI masks it is measured against. */
export interface Labelmap {
  sources: SourceInstance[];
  masks: FrameMask[];
  aiMasks: Uint8Array[];
  /** Per image id, the labelmap's 0/1 mask. */
  current: Map<string, Uint8Array>;
}

/**
 * The run's labelmap over every image of the series: the reader may paint images the model did not see, and those
 * are stored too, against an empty AI mask.
 */
/** The run's labelmap as it stands; without the viewport's target, over the images the run holds alone. */
export function labelmapOf<T extends Target>(run: AiRun, target: T | undefined, host: HostPort<T>): Labelmap {
  const out: Labelmap = { sources: [], masks: [], aiMasks: [], current: new Map() };
  const frames: Map<string, FrameBase> = run.frames;
  for (const imageId of new Set([...frames.keys(), ...(target ? host.imageIds(target) : run.inPacs?.keys() ?? [])])) {
    const f = frames.get(imageId);
    const now = host.readMask(run.segmentationId, imageId) ?? f?.mask;
    if (!now || (!f && !run.inPacs?.has(imageId) && !now.some(Boolean))) continue;
    const { instance, frame } = f ?? host.sourceOf(imageId);
    let index = out.sources.findIndex((s) => s.SOPInstanceUID === instance.SOPInstanceUID);
    if (index < 0) index = out.sources.push(instance) - 1;
    out.masks.push({ source: index, frame, segment: 1, mask: now });
    out.aiMasks.push(f?.mask ?? new Uint8Array(now.length));
    out.current.set(imageId, now);
  }
  return out;
}

/** Whether two labelmaps hold the same images with the same masks. */
export const sameLabelmap = (a: Map<string, Uint8Array>, b: Map<string, Uint8Array>) => a.size === b.size && [...a].every(([id, m]) => b.has(id) && sameMask(m, b.get(id)));

/** Whether the PACS holds the labelmap as it stands (an AI result never stored: when it is empty). */
export const heldByPacs = (run: AiRun, labelmap: Labelmap) => [...labelmap.current].every(([id, m]) => sameMask(m, run.inPacs?.get(id)));

/** The runs per series, and why a SEG opened on a series cannot be stored from here. */
export class RunStore {
  private readonly runs = new Map<string, AiRun>();
  /** Per display set: why the SEG last opened cannot be stored from here, so Store can say why it stores nothing. */
  readonly notStorable = new Map<string, string>();

  /** The run over the target's series while its labelmap is still in the viewer; a run without one holds nothing. */
  get<T extends Target>(target: T, host: HostPort<T>): AiRun | undefined {
    const key = target.displaySet.displaySetInstanceUID;
    const run = this.runs.get(key);
    if (run && !host.hasSegmentation(run.segmentationId)) this.runs.delete(key);
    return this.runs.get(key);
  }

  /** Every run whose labelmap is still in the viewer; as with `get`, a run without one holds nothing and goes. */
  all<T extends Target>(host: HostPort<T>): AiRun[] {
    for (const [key, run] of this.runs) if (!host.hasSegmentation(run.segmentationId)) this.runs.delete(key);
    return [...this.runs.values()];
  }

  set(run: AiRun): void {
    this.runs.set(run.displaySetUID, run);
  }

  delete(displaySetUID: string): void {
    this.runs.delete(displaySetUID);
  }

  clear(): void {
    this.runs.clear();
    this.notStorable.clear();
  }
}

/** Refuses an action that would leave a run whose labelmap the PACS does not hold with no way to store it. */
export function refuseToStrand<T extends Target>(run: AiRun, target: T | undefined, host: HostPort<T>, action: string, error: (m: string) => Error): void {
  if (heldByPacs(run, labelmapOf(run, target, host))) return;
  const what = run.kind === 'reopened' ? 'stored SEG opened' : 'AI segmentation';
  throw error(`the ${what} on this series holds work the PACS does not have: store it, or delete it in the Segmentation panel, before ${action}`);
}
