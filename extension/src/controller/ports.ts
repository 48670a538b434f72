/**
 * What the commands need from the world around them, as ports: the host (OHIF and Cornerstone, through the host
 * adapter), the panel, the inference worker and the PACS. The commands are tested against fakes of these.
 */
import type { FrameResult } from '../runtime/segmenter';
import type { LoadedModel } from '../runtime/protocol';
import type { Backend } from '../runtime/session';
import type { SourceImage } from '../core/sourceImage';
import type { SegInstanceRef } from '../dicomweb/retrieve';
import type { StackImage } from '../seg/reopen';
import type { SourceInstance } from '../seg/types';
import type { StudyListState, StudyRow, StudySearch } from './studyList';

/** The series in the active viewport, as far as the commands look into it. */
export interface Target {
  viewportId: string;
  displaySet: { displaySetInstanceUID: string; StudyInstanceUID: string; Modality?: string };
}

export interface ViewedImage {
  imageId: string;
  source: SourceImage;
  instance: SourceInstance;
  /** 1-based frame of a multi-frame instance. */
  frame?: number;
}

/** A segment of a labelmap: its number (the labelmap value), name and colour. */
export interface LabelmapSegment {
  number: number;
  label: string;
  color: [number, number, number];
}

export type NotificationType = 'info' | 'success' | 'warning' | 'error';

export interface HostPort<T extends Target = Target> {
  /** The active viewport's series, or a UserError saying why there is none to act on. */
  activeTarget(): T;
  currentImageId(target: T): string;
  /** Every image (frame or slice) of the target's stack. */
  imageIds(target: T): string[];
  /** The stack's images with what a stored SEG frame may name them by. */
  stackImages(target: T): StackImage[];
  /** The image as the reader sees it in the target's viewport. */
  viewedImage(target: T, imageId: string): Promise<ViewedImage>;
  sourceOf(imageId: string): { instance: SourceInstance; frame?: number };
  /**
   * A labelmap segmentation over the target's series, not yet shown: its first labels are written before
   * `showLabelmap`, so the viewport draws it once, filled, rather than empty and then again (each change of a
   * segmentation's representation queues a whole redraw of the viewport; without a GPU each takes 200-300 ms).
   */
  createLabelmap(target: T, label: string, segments: LabelmapSegment[]): Promise<string>;
  /** Shows the segmentation in the target's viewport, in the segments' colours, with the labels written so far. */
  showLabelmap(target: T, segmentationId: string, segments: LabelmapSegment[]): Promise<void>;
  /** Whether the segmentation is still in the viewer (the reader may delete it in OHIF's panel). */
  hasSegmentation(segmentationId: string): boolean;
  /** The labelmap over one image as 0/1 for segment `value`; undefined where it has no slice there. */
  readMask(segmentationId: string, imageId: string, value?: number): Uint8Array | undefined;
  /** Labelmap values (segment numbers, 0 outside) over one image. */
  writeLabels(segmentationId: string, imageId: string, labels: Uint8Array): void;
  segmentationModified(segmentationId: string, target: T): void;
  /** When the target's viewport next finishes drawing (performance.now()), or undefined when it does not within 2 s. */
  nextRender(target: T): Promise<number | undefined>;
  notify(type: NotificationType, title: string, message: string): void;
  refreshToolbar(): void;
  /** The signed-in reader's OIDC claims; undefined without sign-in. */
  signedInProfile(): unknown;
  /** Offers the bytes as a file download named `name`. */
  saveFile(name: string, bytes: Uint8Array): void;
  /** Calls `listener` when a viewport is given images to show (a series opened or changed); returns the unsubscribe. */
  onImagesShown(listener: () => void): () => void;
}

/** The reader's study list and the way to another study of it (OHIF's study list, data source and router). */
export interface StudyListPort {
  /** The Study Instance UID the viewer shows. */
  currentStudy(): string | undefined;
  /** The study list's filters and sorting the reader came from; undefined where the study was opened otherwise. */
  listState(): StudyListState | undefined;
  /** How many studies the list asks for (the data source's queryLimit). */
  searchLimit(): number;
  searchStudies(search: StudySearch): Promise<StudyRow[]>;
  showStudy(studyInstanceUid: string): void;
}

export interface PanelPort {
  say(text: string): void;
  setThreshold(value: number): void;
  showProgress(done: number, total: number): void;
  hideProgress(): void;
}

export interface SegmentCall {
  threshold: number;
  signal: AbortSignal;
  onProgress(done: number): void;
  onFrame(index: number, frame: FrameResult): void;
  /** The backend failed mid-run; the run goes on, on `backend`. */
  onFallback?(backend: Backend, reason: string): void;
}

export interface InferencePort {
  /** The model last loaded: its manifest stays after the worker is let go, so its results still store. */
  readonly model?: LoadedModel;
  /** The model, loading it (in a new worker) where none is; undefined when cancelled while loading. */
  load(signal: AbortSignal): Promise<LoadedModel | undefined>;
  /** Segments the images; false when cancelled (the frames delivered before are kept by the caller). */
  segment(images: SourceImage[], call: SegmentCall): Promise<boolean>;
}

export interface PacsPort {
  store(instances: Uint8Array[]): Promise<void>;
  findSegs(study: string): Promise<SegInstanceRef[]>;
  retrieve(study: string, ref: SegInstanceRef): Promise<Uint8Array>;
}
