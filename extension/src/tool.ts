/**
 * What the toolbar commands do: segment the viewed image or series, re-threshold, store and reopen DICOM SEG.
 * OHIF and Cornerstone are reached only through the host adapter; the data path is the core's.
 */
import { EditMap, keepEdits } from './core/edits';
import { ModelManifest } from './core/manifest';
import { Probabilities, toMask } from './core/postprocess';
import { storeInstances } from './dicomweb/stow';
import { findSegInstances, retrieveInstance } from './dicomweb/retrieve';
import * as host from './hostAdapter';
import { ExtensionParams } from './ohif';
import { ToolPanel } from './panel';
import { InferenceClient } from './runtime/client';
import { InferenceError } from './runtime/errors';
import { LoadedModel, MessageEndpoint } from './runtime/protocol';
import { agreement, correctedSegments, correctedSeriesOptions } from './seg/agreement';
import { aiSegments, aiSeriesOptions } from './seg/provenance';
import { readSeg } from './seg/readSeg';
import { FrameMask, SourceInstance } from './seg/types';
import { writeSeg } from './seg/writeSeg';

export interface ToolConfig {
  /** Folder holding manifest.json and model.onnx. */
  modelUrl: string;
  workerUrl: string;
  backends: ('webgpu' | 'wasm')[];
  /** ContentCreatorName written into stored SEGs, e.g. "Doe^Jane". */
  contentCreatorName: string;
}

interface AiFrame {
  probabilities: Probabilities;
  width: number;
  height: number;
  /** The AI mask at the current threshold: the reference a correction is measured against. */
  mask: Uint8Array;
  /** The reader's edits as the last re-threshold found them. */
  edits?: EditMap;
  instance: SourceInstance;
  frame?: number;
}

/** One AI segmentation over one display set: the kept probabilities and what was stored. */
interface AiRun {
  segmentationId: string;
  displaySetUID: string;
  threshold: number;
  backend: string;
  frames: Map<string, AiFrame>;
  storedAiSeg?: string;
}

/** A warning when the series' modality is not one the model was trained on (the result is still shown). */
export function outOfDomainWarning(manifest: ModelManifest, modality: string | undefined): string | undefined {
  if (!manifest.modalities || !modality || manifest.modalities.includes(modality)) return undefined;
  return `Warning: this model was trained on ${manifest.modalities.join('/')} images, not ${modality}; the result is unlikely to be meaningful.`;
}

export class CmunextTool {
  private client?: InferenceClient;
  private loading?: Promise<LoadedModel>;
  private model?: LoadedModel;
  private readonly runs = new Map<string, AiRun>();
  private abort?: AbortController;
  private panel?: ToolPanel;
  private busy = false;

  constructor(private readonly params: ExtensionParams, private readonly config: ToolConfig) {}

  private get services() {
    return this.params.servicesManager.services;
  }

  private ui(): ToolPanel {
    this.panel ??= new ToolPanel({ onThreshold: (t) => void this.guard(() => this.setThreshold(t)), onCancel: () => this.abort?.abort() });
    return this.panel;
  }

  /** Why a button is disabled, or undefined when it can act; `whileBusy` buttons stay usable during a run. */
  whyDisabled(whileBusy = false): string | undefined {
    if (this.busy && !whileBusy) return 'CMUNeXt is already running';
    try {
      host.activeTarget(this.services);
      return undefined;
    } catch (e) {
      return e instanceof host.HostError ? e.message : String(e);
    }
  }

  private async loadModel(): Promise<LoadedModel> {
    if (!this.loading) {
      const worker = new Worker(this.config.workerUrl, { type: 'module', name: 'cmunext-inference' });
      this.client = new InferenceClient(worker as unknown as MessageEndpoint);
      this.ui().say('Loading the model…');
      this.loading = this.client.load(this.config.modelUrl, this.config.backends).then((m) => {
        this.model = m;
        this.ui().setThreshold(m.manifest.output.threshold);
        return m;
      });
      this.loading.catch(() => {
        this.loading = undefined;
        worker.terminate();
      });
    }
    return this.loading;
  }

  /** Runs an action, turning every failure into a message the user sees; nothing is thrown at the host. */
  private async guard(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.ui().say(`Failed: ${message}`);
      host.notify(this.services, 'error', 'CMUNeXt segment', message);
    } finally {
      this.ui().hideProgress();
    }
  }

  private async run(imageIds: string[], target: host.Target): Promise<void> {
    if (this.busy) throw new host.HostError('CMUNeXt is already running');
    this.busy = true;
    host.refreshToolbar(this.services);
    try {
      const model = await this.loadModel();
      const libs = host.libraries(this.params.extensionManager);
      const label = model.manifest.labels[0];
      const key = target.displaySet.displaySetInstanceUID;
      let run = this.runs.get(key);
      // The user may have deleted the AI segmentation in OHIF's panel: then a new one is made.
      const replacing = run !== undefined && this.services.segmentationService.getSegmentation(run.segmentationId) !== undefined;
      if (!run || !replacing) {
        const segmentationId = await host.createLabelmap(this.services, target, `AI ${model.manifest.name}`, label.name, label.color);
        run = { segmentationId, displaySetUID: key, threshold: model.manifest.output.threshold, backend: model.backend, frames: new Map() };
        this.runs.set(key, run);
      }
      // Cancel works from here on: while images are read, and between frames in the worker.
      this.abort = new AbortController();
      this.ui().showProgress(0, imageIds.length);
      this.ui().say(`Reading ${imageIds.length} image(s)…`);
      const images: host.ViewedImage[] = [];
      for (const id of imageIds) images.push(await host.viewedImage(libs, target.viewport, id));
      const activeRun = run;
      let written = 0;
      const result = await this.client!.segment(images.map((i) => i.source), {
        threshold: run.threshold,
        signal: this.abort.signal,
        onProgress: (done, total) => {
          this.ui().showProgress(done, total);
          this.ui().say(`Segmenting ${done}/${total} on ${model.backend}…`);
        },
        onFrame: (index, frame) => {
          const img = images[index];
          host.writeMask(libs, activeRun.segmentationId, img.imageId, frame.mask);
          activeRun.frames.set(img.imageId, { ...frame, instance: img.instance, frame: img.frame });
          host.segmentationModified(libs, activeRun.segmentationId, target);
          written++;
        },
      }).catch((e) => {
        if (e instanceof InferenceError && e.code === 'CANCELLED') {
          this.ui().say(`Cancelled: ${written} of ${images.length} image(s) segmented and kept.`);
          return undefined;
        }
        throw e;
      });
      run.backend = model.backend;
      if (result) {
        const perImage = result.frames.reduce((a, f) => a + f.inferenceMs, 0) / result.frames.length;
        const backendName = model.backend === 'webgpu' ? 'WebGPU' : model.backend;
        const outOfDomain = outOfDomainWarning(model.manifest, target.displaySet.Modality);
        this.ui().say(`${model.manifest.name} ${model.manifest.version} on ${backendName}: ${result.frames.length} image(s), `
          + `${perImage.toFixed(0)} ms per image${replacing ? ' (replaced the earlier AI result)' : ''}.${outOfDomain ? ` ${outOfDomain}` : ''}`);
        if (outOfDomain) host.notify(this.services, 'warning', 'CMUNeXt segment', outOfDomain);
      }
    } finally {
      this.busy = false;
      this.abort = undefined;
      host.refreshToolbar(this.services);
    }
  }

  /** Segments the image shown in the active viewport. */
  segmentImage(): Promise<void> {
    return this.guard(async () => {
      const target = host.activeTarget(this.services);
      await this.run([target.viewport.getCurrentImageId()], target);
    });
  }

  /** Segments every image (frame or slice) of the active viewport's series, with progress and cancel. */
  segmentSeries(): Promise<void> {
    return this.guard(async () => {
      const target = host.activeTarget(this.services);
      await this.run(host.stackImageIds(target), target);
    });
  }

  /** New threshold over the kept probabilities: no new inference. The reader's edits stay where they are. */
  async setThreshold(threshold: number): Promise<void> {
    const target = host.activeTarget(this.services);
    const run = this.runs.get(target.displaySet.displaySetInstanceUID);
    if (!run) throw new host.HostError('segment an image first; the threshold applies to the AI result');
    const libs = host.libraries(this.params.extensionManager);
    let kept = 0;
    for (const [imageId, f] of run.frames) {
      const next = toMask(f.probabilities, f.width, f.height, threshold);
      const shown = keepEdits(f.mask, host.readMask(libs, run.segmentationId, imageId) ?? f.mask, next, f.edits);
      host.writeMask(libs, run.segmentationId, imageId, shown.mask);
      kept += shown.kept;
      f.mask = next;
      f.edits = shown.edits;
    }
    run.threshold = threshold;
    host.segmentationModified(libs, run.segmentationId, target);
    this.ui().say(`Threshold ${threshold.toFixed(2)} applied to ${run.frames.size} image(s) without new inference`
      + `${kept ? `; ${kept} edited pixel(s) kept` : ''}.`);
  }

  /** Stores the AI segmentation, or the reader's correction of it, as DICOM SEG to the PACS by STOW-RS. */
  storeSeg(): Promise<void> {
    return this.guard(async () => {
      const target = host.activeTarget(this.services);
      const run = this.runs.get(target.displaySet.displaySetInstanceUID);
      if (!run || !this.model) throw new host.HostError('there is no CMUNeXt segmentation on this series to store');
      const libs = host.libraries(this.params.extensionManager);
      const manifest: ModelManifest = this.model.manifest;
      const sources: SourceInstance[] = [];
      const masks: FrameMask[] = [];
      const aiMasks: Uint8Array[] = [];
      const current: Uint8Array[] = [];
      for (const [imageId, f] of run.frames) {
        const now = host.readMask(libs, run.segmentationId, imageId) ?? f.mask;
        let index = sources.findIndex((s) => s.SOPInstanceUID === f.instance.SOPInstanceUID);
        if (index < 0) index = sources.push(f.instance) - 1;
        masks.push({ source: index, frame: f.frame, segment: 1, mask: now });
        aiMasks.push(f.mask);
        current.push(now);
      }
      const stats = [agreement(1, aiMasks, current)];
      const edited = stats[0].added + stats[0].removed > 0;
      const ai = aiSegments(manifest, { threshold: run.threshold, backend: run.backend });
      const aiOptions = aiSeriesOptions(manifest, '');
      const seg = edited
        ? writeSeg(sources, correctedSegments(ai, stats, run.storedAiSeg), masks, correctedSeriesOptions(aiOptions, stats, this.config.contentCreatorName))
        : writeSeg(sources, ai, masks, aiOptions);
      const root = host.dicomwebRoot(this.params.extensionManager.appConfig ?? this.params.appConfig);
      this.ui().say('Storing DICOM SEG to the PACS…');
      await storeInstances(root, [seg]);
      const uid = readSeg(seg).sopInstanceUID;
      if (!edited) run.storedAiSeg = uid;
      const what = edited
        ? `Corrected segmentation stored (Dice with AI ${stats[0].dice.toFixed(3)}, +${stats[0].added}/-${stats[0].removed} pixels); the AI original stays in the PACS.`
        : 'AI segmentation stored as DICOM SEG.';
      this.ui().say(what);
      host.notify(this.services, 'success', 'Stored to PACS', what);
    });
  }

  /** Opens the newest stored SEG over the active series as an editable labelmap. */
  openStoredSeg(): Promise<void> {
    return this.guard(async () => {
      const target = host.activeTarget(this.services);
      const libs = host.libraries(this.params.extensionManager);
      const root = host.dicomwebRoot(this.params.extensionManager.appConfig ?? this.params.appConfig);
      const imageIds = host.stackImageIds(target);
      // SEG frames find their image by the source reference, or (SEGs without one) by plane position.
      const keyOf = (sop: string, frame?: number) => `${sop}/${frame ?? 1}`;
      const posOf = (p: number[]) => p.map((v) => Number(v).toFixed(2)).join('\\');
      const byKey = new Map<string, string>();
      for (const id of imageIds) {
        const inst = libs.cornerstone.metaData.get('instance', id);
        if (inst?.SOPInstanceUID) byKey.set(keyOf(inst.SOPInstanceUID, Number(inst.NumberOfFrames ?? 1) > 1 ? host.frameOf(id) ?? 1 : undefined), id);
        if (inst?.ImagePositionPatient?.length === 3) byKey.set(posOf(inst.ImagePositionPatient), id);
      }
      const imageFor = (f: ReturnType<typeof readSeg>['frames'][number]) =>
        (f.sourceSopInstanceUID && byKey.get(keyOf(f.sourceSopInstanceUID, f.sourceFrame))) || (f.imagePositionPatient && byKey.get(posOf(f.imagePositionPatient)));
      for (const ref of await findSegInstances(root, target.displaySet.StudyInstanceUID)) {
        const seg = readSeg(await retrieveInstance(root, target.displaySet.StudyInstanceUID, ref));
        const frames = seg.frames.filter((f) => imageFor(f));
        if (!frames.length) continue;
        const first = seg.segments[0];
        const segmentationId = await host.createLabelmap(this.services, target, seg.seriesDescription ?? 'Stored SEG', first?.label ?? 'Segment 1', [230, 80, 60]);
        for (const f of frames) {
          const imageId = imageFor(f) as string;
          // Frames of several segments over one image merge into the one labelmap segment.
          const merged = host.readMask(libs, segmentationId, imageId) ?? new Uint8Array(f.mask.length);
          for (let i = 0; i < merged.length; i++) if (f.mask[i]) merged[i] = 1;
          host.writeMask(libs, segmentationId, imageId, merged);
        }
        host.segmentationModified(libs, segmentationId, target);
        const msg = `Opened "${seg.seriesDescription}" (${first?.algorithmType ?? ''}, ${frames.length} frame(s)) for editing.`;
        this.ui().say(msg);
        host.notify(this.services, 'info', 'Stored segmentation', msg);
        return;
      }
      throw new host.HostError('no stored SEG in this study refers to the images shown');
    });
  }

  dispose(): void {
    this.abort?.abort();
    this.panel?.remove();
    this.panel = undefined;
  }
}
