/**
 * What the toolbar commands do: segment the viewed image or series, re-threshold, store and reopen DICOM SEG.
 * OHIF and Cornerstone are reached only through the host adapter; the data path is the core's.
 */
import { ToolConfig } from './config';
import { EditMap, keepEdits } from './core/edits';
import { Probabilities, toMask } from './core/postprocess';
import { storeInstances } from './dicomweb/stow';
import { findSegInstances, PacsHeaders, RetrieveError, retrieveInstance, SegInstanceRef } from './dicomweb/retrieve';
import * as host from './hostAdapter';
import { CornerstoneLibraries, ExtensionParams } from './ohif';
import { ToolPanel } from './panel';
import { outOfDomainWarning, runSummary } from './runSummary';
import { InferenceClient } from './runtime/client';
import { InferenceError, messageOf } from './runtime/errors';
import { LoadedModel, MessageEndpoint } from './runtime/protocol';
import { aiSegments, aiSeriesOptions } from './seg/provenance';
import { ReadSeg, readSeg, SegReadError } from './seg/readSeg';
import { AiDescription, aiDescription, aiSegUid, composeLabels, framesByImage, segmentColor, StackImage } from './seg/reopen';
import { FrameMask, SourceInstance } from './seg/types';
import { readerPersonName } from './seg/personName';
import { planStore } from './seg/storePlan';

interface AiFrame {
  /** The model's output, kept for re-thresholding; absent when the AI result was reopened from the PACS. */
  probabilities?: Probabilities;
  /** The source image's grid. */
  width: number;
  height: number;
  /** The AI mask at the current threshold: the reference a correction is measured against. */
  mask: Uint8Array;
  /** The reader's edits as the last re-threshold found them. */
  edits?: EditMap;
  instance: SourceInstance;
  frame?: number;
}

/** One AI segmentation over one display set, the reader's labelmap over it, and what the PACS holds of it. */
interface AiRun {
  segmentationId: string;
  displaySetUID: string;
  threshold: number;
  backend: string;
  frames: Map<string, AiFrame>;
  /** How a reopened AI result was first described; a result made here is described from the model. */
  description?: AiDescription;
  /**
   * The AI SEG in the PACS and the threshold it was made at: while that is the run's threshold, its masks are the
   * `mask`s here, and a correction names it.
   */
  storedAiSeg?: { uid: string; threshold: number };
  /** The labelmap as last stored or opened, per image: an unchanged segmentation is not stored twice. */
  inPacs?: Map<string, Uint8Array>;
}

/** `b` absent: the PACS holds no frame there, which is an empty mask (a SEG leaves empty frames out). */
const sameMask = (a: Uint8Array, b: Uint8Array | undefined) => (b ? a.length === b.length && a.every((v, i) => v === b[i]) : a.every((v) => v === 0));

/** Images read and sent to the worker at a time. */
const IMAGES_PER_BATCH = 8;

/** A run's labelmap as it stands, frame by frame, beside the AI masks it is measured against. */
interface Labelmap {
  sources: SourceInstance[];
  masks: FrameMask[];
  aiMasks: Uint8Array[];
  /** Per image id, the labelmap's 0/1 mask. */
  current: Map<string, Uint8Array>;
}

/** Whether the PACS holds the labelmap as it stands (an AI result never stored: when it is empty). */
const inPacs = (run: AiRun, labelmap: Labelmap) => [...labelmap.current].every(([id, m]) => sameMask(m, run.inPacs?.get(id)));

export class CmunextTool {
  private worker?: Worker;
  private client?: InferenceClient;
  private loading?: Promise<LoadedModel>;
  private model?: LoadedModel;
  private readonly runs = new Map<string, AiRun>();
  /** Per display set: why the SEG last opened cannot be stored from here, so Store can say why it stores nothing. */
  private readonly opened = new Map<string, string>();
  private abort?: AbortController;
  private panel?: ToolPanel;
  /** What the tool is doing while it does it. One action at a time: no store holds part of a run, no click stores twice. */
  private activity?: string;
  private idleRelease?: ReturnType<typeof setTimeout>;

  constructor(private readonly params: ExtensionParams, private readonly config: ToolConfig) {}

  private get services() {
    return this.params.servicesManager.services;
  }

  private ui(): ToolPanel {
    this.panel ??= new ToolPanel({ onThreshold: (t) => void this.setThreshold(t), onCancel: () => this.abort?.abort() });
    return this.panel;
  }

  /** Why the buttons are disabled, or undefined when they can act. */
  whyDisabled(): string | undefined {
    if (this.activity) return `CMUNeXt is ${this.activity}`;
    try {
      host.activeTarget(this.services);
      return undefined;
    } catch (e) {
      return messageOf(e);
    }
  }

  /** The model, loading it in a new worker the first time; undefined when the reader cancels while it loads. */
  private async loadModel(signal: AbortSignal): Promise<LoadedModel | undefined> {
    // A worker that failed after loading (crashed mid-run) is replaced on the next click.
    if (this.client?.failed) {
      this.worker?.terminate();
      this.loading = undefined;
    }
    if (!this.loading) {
      const worker = new Worker(this.config.workerUrl, { type: 'module', name: 'cmunext-inference' });
      this.worker = worker;
      this.client = new InferenceClient(worker as unknown as MessageEndpoint);
      this.ui().say('Loading the model…');
      const first = !this.model;
      this.loading = this.client.load(this.config.modelUrl, this.config.backends).then((m) => {
        this.model = m;
        // Reloaded after an idle release, the reader's threshold stays on the slider.
        if (first) this.ui().setThreshold(m.manifest.output.threshold);
        return m;
      });
      this.loading.catch(() => {
        this.loading = undefined;
        worker.terminate();
      });
    }
    const loading = this.loading;
    const cancelled = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    const model = await Promise.race([loading, cancelled]);
    if (!model && this.loading === loading) {
      // A load cancelled (a stalled download) goes with its worker: the next click starts afresh.
      this.loading = undefined;
      this.worker?.terminate();
    }
    return model;
  }

  /**
   * The run over the target's series, while its labelmap is still in the viewer: the reader may have deleted it in
   * OHIF's Segmentation panel, and leaving the mode deletes them all. A run without one holds nothing to store.
   */
  private runFor(target: host.Target): AiRun | undefined {
    const key = target.displaySet.displaySetInstanceUID;
    const run = this.runs.get(key);
    if (run && !this.services.segmentationService.getSegmentation(run.segmentationId)) this.runs.delete(key);
    return this.runs.get(key);
  }

  /** For what the disabled buttons do not guard: a hotkey, the threshold slider, a second click before they update. */
  private refuseWhileBusy(what: string): void {
    if (this.activity) {
      throw new host.HostError(`CMUNeXt is ${this.activity}: ${what} when it has finished${this.abort ? ', or cancel it (the images done are kept)' : ''}`);
    }
  }

  /** Runs one action with the buttons disabled, saying why. */
  private async exclusive(activity: string, what: string, action: () => Promise<void>): Promise<void> {
    this.refuseWhileBusy(what);
    this.activity = activity;
    host.refreshToolbar(this.services);
    try {
      await action();
    } finally {
      this.activity = undefined;
      host.refreshToolbar(this.services);
      this.releaseWorkerWhenIdle();
    }
  }

  /**
   * Lets the worker go after `workerIdleMinutes` without an action, in the mode or after leaving it: the session's
   * memory goes back to the browser. The model's manifest stays, so an AI result made before can still be stored; the
   * next segmentation loads the model again.
   */
  private releaseWorkerWhenIdle(): void {
    clearTimeout(this.idleRelease);
    if (!this.worker || !this.config.workerIdleMinutes) return;
    this.idleRelease = setTimeout(() => {
      if (this.activity) return this.releaseWorkerWhenIdle();
      this.worker?.terminate();
      this.worker = this.client = this.loading = undefined;
    }, this.config.workerIdleMinutes * 60_000);
  }

  /** Runs an action, turning every failure into a message the user sees; nothing is thrown at the host. */
  private async guard(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (e) {
      const message = messageOf(e);
      this.ui().say(`Failed: ${message}`);
      host.notify(this.services, 'error', 'CMUNeXt segment', message);
    } finally {
      this.ui().hideProgress();
    }
  }

  private run(imageIds: string[], target: host.Target): Promise<void> {
    return this.exclusive('segmenting', 'segment again', () => this.segment(imageIds, target));
  }

  private async segment(imageIds: string[], target: host.Target): Promise<void> {
    const libs = host.libraries(this.params.extensionManager);
    let run = this.runFor(target);
    // A reopened SEG stays as it is, beside the new AI result, which takes its place for Store.
    if (run?.description) this.refuseToStrand(run, target, libs, 'segmenting again');
    // Cancel works from here on: while the model loads, while images are read, and between frames in the worker.
    this.abort = new AbortController();
    this.ui().showProgress(0, imageIds.length);
    try {
      const model = await this.loadModel(this.abort.signal);
      if (!model) {
        this.ui().say('Cancelled while the model was loading: nothing segmented.');
        return;
      }
      const label = model.manifest.labels[0];
      const key = target.displaySet.displaySetInstanceUID;
      const replacing = run !== undefined && !run.description;
      if (!run || !replacing) {
        const segmentationId = await host.createLabelmap(this.services, target, `AI ${model.manifest.name}`, [{ number: 1, label: label.name, color: label.color }]);
        run = { segmentationId, displaySetUID: key, threshold: model.manifest.output.threshold, backend: model.backend, frames: new Map() };
        this.runs.set(key, run);
      }
      const activeRun = run;
      const total = imageIds.length;
      let written = 0;
      let found = 0;
      let kept = 0;
      let inferenceMs = 0;
      let cancelled = false;
      this.ui().say(`Reading ${total} image(s)…`);
      // The images go to the worker a batch at a time: a long cine is never held, or copied to the worker, whole.
      for (let first = 0; first < total && !cancelled; first += IMAGES_PER_BATCH) {
        const images: host.ViewedImage[] = [];
        for (const id of imageIds.slice(first, first + IMAGES_PER_BATCH)) {
          if (this.abort.signal.aborted) break;
          images.push(await host.viewedImage(libs, target.viewport, id));
        }
        if (this.abort.signal.aborted) break;
        cancelled = !(await this.client!.segment(images.map((i) => i.source), {
          threshold: run.threshold,
          signal: this.abort.signal,
          onProgress: (done) => {
            this.ui().showProgress(first + done, total);
            this.ui().say(`Segmenting ${first + done}/${total} on ${model.backend}…`);
          },
          onFrame: (index, frame) => {
            const img = images[index];
            // Segmenting again keeps the reader's edits, as a new threshold does, here or on images painted before.
            const before = activeRun.frames.get(img.imageId);
            const previousAi = before?.mask ?? new Uint8Array(frame.mask.length);
            const shown = keepEdits(previousAi, host.readMask(libs, activeRun.segmentationId, img.imageId) ?? previousAi, frame.mask, before?.edits);
            host.writeMask(libs, activeRun.segmentationId, img.imageId, shown.mask);
            kept += shown.kept;
            activeRun.frames.set(img.imageId, { ...frame, edits: shown.edits, instance: img.instance, frame: img.frame });
            // New AI masks: an AI SEG stored before holds others than those a correction will be measured against.
            activeRun.storedAiSeg = undefined;
            host.segmentationModified(libs, activeRun.segmentationId, target);
            inferenceMs += frame.inferenceMs;
            if (frame.mask.some(Boolean)) found++;
            written++;
          },
        }).catch((e) => {
          if (e instanceof InferenceError && e.code === 'CANCELLED') return undefined;
          throw e;
        }));
      }
      run.backend = model.backend;
      cancelled ||= this.abort.signal.aborted;
      this.ui().say(runSummary({ manifest: model.manifest, backend: model.backend, written, total, cancelled, inferenceMs, found, threshold: run.threshold, replacing, kept, modality: target.displaySet.Modality }));
      const warning = outOfDomainWarning(model.manifest, target.displaySet.Modality);
      if (!cancelled && warning) host.notify(this.services, 'warning', 'CMUNeXt segment', warning);
    } finally {
      this.abort = undefined;
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
  setThreshold(threshold: number): Promise<void> {
    return this.guard(() => this.rethreshold(threshold));
  }

  private async rethreshold(threshold: number): Promise<void> {
    if (!(threshold > 0 && threshold < 1)) throw new host.HostError(`the threshold must be above 0 and below 1, got ${threshold}`);
    const target = host.activeTarget(this.services);
    const run = this.runFor(target);
    if (!run) throw new host.HostError('segment an image first; the threshold applies to the AI result');
    if (this.activity) {
      // Frames still to come are cut at the run's threshold: the slider goes back to it.
      this.ui().setThreshold(run.threshold);
      this.refuseWhileBusy('change the threshold');
    }
    if (run.description) throw new host.HostError('a SEG reopened from the PACS holds no probabilities to re-threshold; run CMUNeXt segment again for that');
    const libs = host.libraries(this.params.extensionManager);
    let kept = 0;
    for (const [imageId, f] of run.frames) {
      if (!f.probabilities) continue;
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

  /**
   * The run's labelmap over every image of the series: the reader may paint images the model did not see, and those
   * are stored too, against an empty AI mask.
   */
  private labelmap(run: AiRun, target: host.Target, libs: CornerstoneLibraries): Labelmap {
    const out: Labelmap = { sources: [], masks: [], aiMasks: [], current: new Map() };
    for (const imageId of new Set([...run.frames.keys(), ...host.stackImageIds(target)])) {
      const f = run.frames.get(imageId);
      const now = host.readMask(libs, run.segmentationId, imageId) ?? f?.mask;
      if (!now || (!f && !run.inPacs?.has(imageId) && !now.some(Boolean))) continue;
      const { instance, frame } = f ?? host.sourceOf(libs, imageId);
      let index = out.sources.findIndex((s) => s.SOPInstanceUID === instance.SOPInstanceUID);
      if (index < 0) index = out.sources.push(instance) - 1;
      out.masks.push({ source: index, frame, segment: 1, mask: now });
      out.aiMasks.push(f?.mask ?? new Uint8Array(now.length));
      out.current.set(imageId, now);
    }
    return out;
  }

  /** Refuses an action that would leave a run whose labelmap the PACS does not hold with no way to store it. */
  private refuseToStrand(run: AiRun, target: host.Target, libs: CornerstoneLibraries, action: string): void {
    if (inPacs(run, this.labelmap(run, target, libs))) return;
    const what = run.description ? 'stored SEG opened' : 'AI segmentation';
    throw new host.HostError(`the ${what} on this series holds work the PACS does not have: store it, or delete it in the Segmentation panel, before ${action}`);
  }

  private roots(): host.DicomwebRoots {
    return host.dicomwebRoots(this.params.extensionManager, this.params.extensionManager.appConfig ?? this.params.appConfig);
  }

  /** Stores the AI segmentation, or the reader's correction of it, as DICOM SEG to the PACS by STOW-RS. */
  storeSeg(): Promise<void> {
    return this.guard(() => this.exclusive('storing to the PACS', 'store', async () => {
      const target = host.activeTarget(this.services);
      const run = this.runFor(target);
      if (!run) {
        const other = this.opened.get(target.displaySet.displaySetInstanceUID);
        throw new host.HostError(other
          ? `${other}, so edits to it are not stored from here`
          : 'there is no CMUNeXt segmentation on this series to store: segment, or open a stored SEG');
      }
      const described = run.description ?? (this.model && {
        segments: aiSegments(this.model.manifest, { threshold: run.threshold, backend: run.backend }),
        series: aiSeriesOptions(this.model.manifest, ''),
      });
      if (!described) throw new host.HostError('the model that made this segmentation is not loaded');
      const libs = host.libraries(this.params.extensionManager);
      const labelmap = this.labelmap(run, target, libs);
      const { sources, masks, aiMasks, current } = labelmap;
      if (run.inPacs && inPacs(run, labelmap)) {
        this.ui().say('Nothing changed since this segmentation was stored or opened; the PACS already holds it.');
        return;
      }
      // Object.is: a reopened AI SEG that names no threshold reads as NaN on both sides, and is still the reference.
      const storedAiUid = run.storedAiSeg && Object.is(run.storedAiSeg.threshold, run.threshold) ? run.storedAiSeg.uid : undefined;
      // The signed-in reader corrected it; app-config names who does where no one signs in.
      const contentCreatorName = readerPersonName(host.signedInProfile(this.services)) ?? this.config.contentCreatorName;
      const plan = planStore({ sources, masks, aiMasks, described, storedAiUid, contentCreatorName, now: new Date() });
      this.ui().say(plan.storing);
      await storeInstances(this.roots().wado, plan.instances, host.pacsHeaders(this.services));
      run.inPacs = current;
      run.storedAiSeg = plan.aiUid ? { uid: plan.aiUid, threshold: run.threshold } : undefined;
      this.ui().say(plan.stored);
      host.notify(this.services, 'success', 'Stored to PACS', plan.stored);
    }));
  }

  /** Opens the newest stored SEG over the active series as an editable labelmap. */
  openStoredSeg(): Promise<void> {
    return this.guard(() => this.exclusive('opening a stored SEG', 'open a stored SEG', async () => {
      const target = host.activeTarget(this.services);
      const libs = host.libraries(this.params.extensionManager);
      // The opened SEG takes the series' place for Store.
      const current = this.runFor(target);
      if (current) this.refuseToStrand(current, target, libs, 'opening a stored SEG');
      const roots = this.roots();
      const root = roots.wado;
      const images = host.stackImages(libs, target);
      const study = target.displaySet.StudyInstanceUID;
      const headers = host.pacsHeaders(this.services);
      const refs = await findSegInstances(roots.qido, study, headers);
      // One SEG that cannot be read (another tool's encoding, a failed retrieve) does not hide the others.
      const unreadable: string[] = [];
      for (const ref of refs) {
        let seg: ReadSeg;
        try {
          seg = readSeg(await retrieveInstance(root, study, ref, headers));
        } catch (e) {
          if (!(e instanceof SegReadError || e instanceof RetrieveError)) throw e;
          unreadable.push(`"${ref.seriesDescription || ref.sopInstanceUID}": ${e.message}`);
          continue;
        }
        const onStack = framesByImage(seg.frames, images);
        if (!onStack.size) continue;
        const segments = seg.segments.length
          ? seg.segments.map((s) => ({ number: s.number, label: s.label, color: segmentColor(s) }))
          : [{ number: 1, label: 'Segment 1', color: [230, 80, 60] as [number, number, number] }];
        const segmentationId = await host.createLabelmap(this.services, target, seg.seriesDescription ?? 'Stored SEG', segments);
        const shown = new Map<string, Uint8Array>();
        let overlaps = 0;
        let frames = 0;
        for (const [imageId, over] of onStack) {
          const composed = composeLabels(over, seg.rows * seg.columns);
          host.writeLabels(libs, segmentationId, imageId, composed.labels);
          shown.set(imageId, composed.labels);
          overlaps += composed.overlaps;
          frames += over.length;
        }
        host.segmentationModified(libs, segmentationId, target);

        const key = target.displaySet.displaySetInstanceUID;
        const run = await this.reopenedRun(seg, refs, { root, study, headers, images, libs, segmentationId, key, shown });
        let storable = '';
        if (typeof run === 'string') {
          this.runs.delete(key);
          this.opened.set(key, `"${seg.seriesDescription ?? seg.sopInstanceUID}": ${run}`);
          storable = ` ${run[0].toUpperCase()}${run.slice(1)}, so edits to it are not stored from here.`;
        } else {
          this.runs.set(key, run);
        }
        const detail = `${seg.segments[0]?.algorithmType ?? ''}, ${frames} frame(s)${segments.length > 1 ? `, ${segments.length} segments` : ''}`;
        const overlapping = overlaps ? ` ${overlaps} pixel(s) where segments overlap show the higher-numbered segment.` : '';
        const skipped = unreadable.length ? ` ${unreadable.length} newer SEG(s) could not be read: ${unreadable.join('; ')}.` : '';
        const msg = `Opened "${seg.seriesDescription}" (${detail}) for editing.${overlapping}${storable}${skipped}`;
        this.ui().say(msg);
        host.notify(this.services, 'info', 'Stored segmentation', msg);
        return;
      }
      throw new host.HostError(`no stored SEG in this study refers to the images shown${unreadable.length ? `; ${unreadable.length} could not be read: ${unreadable.join('; ')}` : ''}`);
    }));
  }

  /**
   * The AI run a reopened SEG continues: the AI result it is, or corrects, is what further corrections are measured
   * against. Where there is none, says why its edits cannot be stored from here (a clause: "it is not ...").
   */
  private async reopenedRun(seg: ReadSeg, refs: SegInstanceRef[], at: {
    root: string; study: string; headers: PacsHeaders; images: StackImage[]; libs: CornerstoneLibraries; segmentationId: string; key: string; shown: Map<string, Uint8Array>;
  }): Promise<AiRun | string> {
    const aiUid = aiSegUid(seg);
    const aiRef = refs.find((r) => r.sopInstanceUID === aiUid);
    let ai: ReadSeg | undefined;
    try {
      ai = aiUid === seg.sopInstanceUID ? seg : aiRef && readSeg(await retrieveInstance(at.root, at.study, aiRef, at.headers));
    } catch (e) {
      // The SEG is open already: it stays, and says why its edits cannot be measured and stored.
      if (!(e instanceof SegReadError || e instanceof RetrieveError)) throw e;
      return `its AI original could not be read (${e.message})`;
    }
    if (aiUid && !ai) return 'its AI original is not in this study';
    let description: AiDescription | undefined;
    try {
      description = ai && ai.segments.length === 1 ? aiDescription(ai) : undefined;
    } catch (e) {
      if (!(e instanceof SegReadError)) throw e;
    }
    if (!ai || !description) return 'it is not a CMUNeXt result';
    // CMUNeXt SEGs hold one segment, so labels and masks are the same 0/1 values.
    const aiMasks = new Map([...framesByImage(ai.frames, at.images)].map(([imageId, over]) => [imageId, composeLabels(over, ai.rows * ai.columns).labels]));
    const frames = new Map<string, AiFrame>();
    for (const imageId of new Set([...at.shown.keys(), ...aiMasks.keys()])) {
      frames.set(imageId, { mask: aiMasks.get(imageId) ?? new Uint8Array(seg.rows * seg.columns), width: seg.columns, height: seg.rows, ...host.sourceOf(at.libs, imageId) });
    }
    const params = ai.segments[0]?.algorithmParameters ?? {};
    const threshold = Number(params.threshold);
    return {
      segmentationId: at.segmentationId, displaySetUID: at.key, threshold, backend: params.backend ?? '',
      frames, description, storedAiSeg: { uid: ai.sopInstanceUID, threshold }, inPacs: at.shown,
    };
  }

  /** Leaving the mode: its segmentations go with it. The model stays loaded for the next visit. */
  dispose(): void {
    this.abort?.abort();
    this.runs.clear();
    this.opened.clear();
    this.panel?.remove();
    this.panel = undefined;
  }
}
