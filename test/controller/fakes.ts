/**
 * Fakes of the ports the commands work through: a viewer holding a small stack and its labelmaps in memory, a
 * panel that records what it says, a worker that answers with set probabilities, and a PACS that keeps what it is
 * sent as real DICOM SEG bytes (read back with the project's own SEG reader).
 */
import { toMask } from '../../extension/src/core/postprocess';
import { validateManifest } from '../../extension/src/core/validateManifest';
import { CommandContext } from '../../extension/src/controller/context';
import { ActionGate } from '../../extension/src/controller/gate';
import { HostPort, InferencePort, LabelmapSegment, NotificationType, PacsPort, PanelPort, SegmentCall, Target, ViewedImage } from '../../extension/src/controller/ports';
import { RunStore } from '../../extension/src/controller/runs';
import { SegInstanceRef } from '../../extension/src/dicomweb/retrieve';
import { StoreError } from '../../extension/src/dicomweb/stow';
import { LoadedModel } from '../../extension/src/runtime/protocol';
import { readSeg } from '../../extension/src/seg/readSeg';
import { SourceImage } from '../../extension/src/core/sourceImage';
import { SourceInstance } from '../../extension/src/seg/types';
import { UserError } from '../../extension/src/userError';
import { metadataOf, usImage } from '../helpers/dicom';
import manifestJson from '../fixtures/cmunext-s-random/manifest.json';

export const SIZE = 2; // images of 2 x 2 pixels
const PIXELS = SIZE * SIZE;
export const manifest = validateManifest(manifestJson);
export const model: LoadedModel = { manifest, backend: 'wasm', skipped: [], fromCache: true, loadMs: 1 };

export interface FakeTarget extends Target {
  study: string;
}

/** The stack: one US image per id, each its own instance. */
export function stack(n: number): { imageId: string; instance: SourceInstance }[] {
  return Array.from({ length: n }, (_, i) => ({
    imageId: `img${i + 1}`,
    instance: metadataOf(usImage(`2.25.60${i + 1}`, new Uint8Array(PIXELS * 3), SIZE, SIZE)) as SourceInstance,
  }));
}

export class FakeHost implements HostPort<FakeTarget> {
  readonly target: FakeTarget = { viewportId: 'vp1', study: '2.25.1000', displaySet: { displaySetInstanceUID: 'ds1', StudyInstanceUID: '2.25.1000', Modality: 'US' } };
  /** Per segmentation, per image id, the labelmap values. */
  readonly labelmaps = new Map<string, Map<string, Uint8Array>>();
  readonly created: { id: string; label: string; segments: LabelmapSegment[] }[] = [];
  readonly notes: { type: NotificationType; title: string; message: string }[] = [];
  /** What was done to labelmaps, in order: `create seg1`, `write seg1 img1`, `show seg1`, `modified seg1`. */
  readonly log: string[] = [];
  current = 0;
  /** Set: no image to act on, for this reason. */
  unavailable?: string;
  profile?: unknown;

  constructor(readonly images = stack(2)) {}

  activeTarget(): FakeTarget {
    if (this.unavailable) throw new UserError(this.unavailable);
    return this.target;
  }
  currentImageId(): string {
    return this.images[this.current].imageId;
  }
  imageIds(): string[] {
    return this.images.map((i) => i.imageId);
  }
  stackImages() {
    return this.images.map((i) => ({ imageId: i.imageId, sopInstanceUID: i.instance.SOPInstanceUID }));
  }
  async viewedImage(_: FakeTarget, imageId: string): Promise<ViewedImage> {
    const index = this.imageIds().indexOf(imageId);
    // The image's index in its pixels, so the fake worker knows which answer to give.
    const source: SourceImage = { pixelData: new Uint8Array(PIXELS).fill(index), rows: SIZE, columns: SIZE, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, photometricInterpretation: 'MONOCHROME2' };
    return { imageId, source, ...this.sourceOf(imageId) };
  }
  sourceOf(imageId: string) {
    return { instance: this.images.find((i) => i.imageId === imageId)!.instance };
  }
  async createLabelmap(_: FakeTarget, label: string, segments: LabelmapSegment[]): Promise<string> {
    const id = `seg${this.created.length + 1}`;
    this.created.push({ id, label, segments });
    this.labelmaps.set(id, new Map(this.images.map((i) => [i.imageId, new Uint8Array(PIXELS)])));
    this.log.push(`create ${id}`);
    return id;
  }
  async showLabelmap(_: FakeTarget, segmentationId: string): Promise<void> {
    this.log.push(`show ${segmentationId}`);
  }
  hasSegmentation(segmentationId: string): boolean {
    return this.labelmaps.has(segmentationId);
  }
  readMask(segmentationId: string, imageId: string, value = 1): Uint8Array | undefined {
    const m = this.labelmaps.get(segmentationId)?.get(imageId);
    return m && Uint8Array.from(m, (v) => (v === value ? 1 : 0));
  }
  writeLabels(segmentationId: string, imageId: string, labels: Uint8Array): void {
    this.labelmaps.get(segmentationId)!.set(imageId, Uint8Array.from(labels));
    this.log.push(`write ${segmentationId} ${imageId}`);
  }
  segmentationModified(segmentationId: string): void {
    this.log.push(`modified ${segmentationId}`);
  }
  /** The viewport draws a few milliseconds after it is asked. */
  nextRender(): Promise<number | undefined> {
    return new Promise((resolve) => setTimeout(() => resolve(performance.now()), 3));
  }
  notify(type: NotificationType, title: string, message: string): void {
    this.notes.push({ type, title, message });
  }
  refreshToolbar(): void {}
  signedInProfile(): unknown {
    return this.profile;
  }
  readonly saved: { name: string; bytes: Uint8Array }[] = [];
  saveFile(name: string, bytes: Uint8Array): void {
    this.saved.push({ name, bytes });
  }
  onImagesShown(): () => void {
    return () => undefined;
  }

  /** The reader's brush (1) or eraser (0) on pixels of an image, in the segmentation the tool shows last. */
  paint(imageId: string, pixels: number[], value: 0 | 1, segmentationId = this.created[this.created.length - 1].id): void {
    const m = this.labelmaps.get(segmentationId)!.get(imageId)!;
    for (const p of pixels) m[p] = value;
  }
  /** The reader deletes a segmentation in OHIF's panel. */
  deleteSegmentation(segmentationId: string): void {
    this.labelmaps.delete(segmentationId);
  }
  mask(imageId: string, segmentationId = this.created[this.created.length - 1].id): number[] {
    return Array.from(this.labelmaps.get(segmentationId)!.get(imageId)!);
  }
}

export class FakePanel implements PanelPort {
  readonly said: string[] = [];
  threshold?: number;
  say(text: string): void {
    this.said.push(text);
  }
  setThreshold(value: number): void {
    this.threshold = value;
  }
  showProgress(): void {}
  hideProgress(): void {}
  get last(): string {
    return this.said[this.said.length - 1] ?? '';
  }
}

/** Probabilities per image index: what the model "sees" on each image of the stack. */
export class FakeInference implements InferencePort {
  model?: LoadedModel;
  loads = 0;
  /** Set: the model download stalls until the reader cancels. */
  stall = false;
  /** Set: cancel after this many frames. */
  cancelAfter?: number;
  /** Set: the GPU is lost after this many frames and the worker goes on, on wasm. */
  gpuLostAfter?: number;
  /** Set: the worker stops after this many frames (the run fails). */
  failAfter?: number;

  constructor(public probabilities: number[][]) {}

  async load(signal: AbortSignal): Promise<LoadedModel | undefined> {
    this.loads++;
    if (this.stall) return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined)));
    this.model = model;
    return model;
  }

  async segment(images: SourceImage[], call: SegmentCall): Promise<boolean> {
    for (const [index, image] of images.entries()) {
      if (this.cancelAfter !== undefined && this.cancelAfter-- <= 0) return false;
      if (this.failAfter !== undefined && this.failAfter-- <= 0) throw new Error('the worker stopped');
      if (this.gpuLostAfter !== undefined && this.gpuLostAfter-- <= 0) {
        this.gpuLostAfter = undefined;
        this.model = { ...this.model!, backend: 'wasm' };
        call.onFallback?.('wasm', 'webgpu inference failed: Device was lost');
      }
      const data = Float32Array.from(this.probabilities[image.pixelData[0]]);
      const probabilities = { width: SIZE, height: SIZE, data };
      call.onFrame(index, { width: SIZE, height: SIZE, probabilities, mask: toMask(probabilities, SIZE, SIZE, call.threshold), threshold: call.threshold, transforms: ['identity'], inferenceMs: 5, preMs: 1, postMs: 1 });
      call.onProgress(index + 1);
    }
    return true;
  }
}

/** A PACS holding SEG instances as bytes; `refuse` makes the next stores fail as a PACS would. */
export class FakePacs implements PacsPort {
  readonly stores: Uint8Array[][] = [];
  refuse?: string;
  /** Set: the PACS stores what it is sent but its answer never arrives (the request times out). */
  silent = false;
  /** Set: the PACS stores the first instance of a store and refuses the rest (STOW-RS 202 with a FailedSOPSequence). */
  firstOnly = false;
  /** Instances the PACS holds that are not SEGs this tool can read (another tool's encoding). */
  readonly unreadable: SegInstanceRef[] = [];

  async store(instances: Uint8Array[]): Promise<void> {
    if (this.refuse) throw new StoreError(this.refuse, 409);
    if (this.firstOnly && instances.length > 1) {
      this.stores.push(instances.slice(0, 1));
      throw new StoreError('the PACS refused the store (HTTP 202): 2.25.9: failure reason 272; it stored 1 of 2 instance(s)', 202, [readSeg(instances[0]).sopInstanceUID]);
    }
    this.stores.push(instances);
    if (this.silent) throw new StoreError('the PACS at http://pacs/dicom-web/studies did not answer within 120 s', 0);
  }
  /** One copy per SOP Instance UID, as a PACS keeps them. */
  get held(): Uint8Array[] {
    const byUid = new Map(this.stores.flat().map((b) => [readSeg(b).sopInstanceUID, b]));
    return [...byUid.values()];
  }
  async findSegs(): Promise<SegInstanceRef[]> {
    const refs = this.held.map((bytes, i): SegInstanceRef => {
      const seg = readSeg(bytes);
      return { seriesInstanceUID: String(seg.dataset.SeriesInstanceUID), sopInstanceUID: seg.sopInstanceUID, seriesDescription: seg.seriesDescription ?? '', seriesNumber: 1, seriesInstant: i };
    });
    // Newest first, as the DICOMweb search orders them.
    return [...refs, ...this.unreadable].sort((a, b) => b.seriesInstant - a.seriesInstant);
  }
  async retrieve(_: string, ref: SegInstanceRef): Promise<Uint8Array> {
    const bytes = this.held.find((b) => readSeg(b).sopInstanceUID === ref.sopInstanceUID);
    if (!bytes) return new Uint8Array([1, 2, 3]); // not DICOM: the reader refuses it
    return bytes;
  }
}

export interface World {
  host: FakeHost;
  panel: FakePanel;
  inference: FakeInference;
  pacs: FakePacs;
  ctx: CommandContext<FakeTarget>;
}

/** A viewer over a stack of `images`, a worker answering `probabilities` per image, an empty PACS. */
export function world(probabilities: number[][], images = stack(probabilities.length)): World {
  const host = new FakeHost(images);
  const panel = new FakePanel();
  const inference = new FakeInference(probabilities);
  const pacs = new FakePacs();
  const ctx: CommandContext<FakeTarget> = {
    host, panel, inference, pacs, gate: new ActionGate(), runs: new RunStore(), contentCreatorName: '', now: () => new Date('2026-12-07T09:00:00Z'),
  };
  return { host, panel, inference, pacs, ctx };
}
