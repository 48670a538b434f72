/**
 * What the toolbar commands do, wired to the host: segment the viewed image or series, re-threshold, store and
 * reopen DICOM SEG. The rules live in controller/ (one module per command, tested against fake ports); this facade
 * gives them the host adapter, the panel and the worker, and turns every failure into what the reader is told.
 */
import { ToolConfig } from './config';
import { CommandContext } from './controller/context';
import { clickTimings, downloadMessage, readyMessage } from './controller/messages';
import { ActionGate } from './controller/gate';
import { openStored } from './controller/open';
import { PanelPort, StudyListPort } from './controller/ports';
import { RunStore } from './controller/runs';
import { segment } from './controller/segment';
import { stepStudy } from './controller/studyList';
import { saveFiles, store } from './controller/store';
import { rethreshold } from './controller/threshold';
import { WorkerHost, WorkerLike } from './controller/workerHost';
import { ohifHost, ohifPacs, ohifStudyList, Target } from './hostAdapter';
import { ExtensionParams } from './ohif';
import { ToolPanel } from './panel';
import { messageOf } from './runtime/errors';
import { UserError } from './userError';

export class CmunextTool {
  private readonly gate: ActionGate;
  private readonly runs = new RunStore();
  private readonly worker: WorkerHost;
  private readonly context: CommandContext<Target>;
  private readonly studyList: StudyListPort;
  private panel?: ToolPanel;
  /** Series already looked at for a stored CMUNeXt SEG to open as they are shown. */
  private readonly shownBefore = new Set<string>();
  private stopWatchingShown?: () => void;

  constructor(params: ExtensionParams, private readonly config: ToolConfig) {
    const host = ohifHost(params);
    this.studyList = ohifStudyList(params);
    this.gate = new ActionGate((busy) => {
      host.refreshToolbar();
      if (!busy) this.worker.releaseWhenIdle();
    });
    const panel: PanelPort = {
      say: (text) => this.ui().say(text),
      setThreshold: (value) => this.ui().setThreshold(value),
      showProgress: (done, total) => this.ui().showProgress(done, total),
      hideProgress: () => this.ui().hideProgress(),
    };
    this.worker = new WorkerHost({
      modelUrl: config.modelUrl,
      backends: config.backends,
      workerIdleMinutes: config.workerIdleMinutes,
      startWorker: () => new Worker(config.workerUrl, { type: 'module', name: 'cmunext-inference' }) as unknown as WorkerLike,
      busy: () => this.gate.busy,
      onLoading: () => panel.say('Loading the model…'),
      onDownload: (received, total) => panel.say(downloadMessage(received, total)),
      onLoaded: (model, first) => {
        (model.isolated === false ? console.warn : console.info)(`CMUNeXt segment: ${readyMessage(model)}`);
        // Reloaded after an idle release, the reader's threshold stays on the slider.
        if (first) panel.setThreshold(model.manifest.output.threshold);
      },
    });
    this.context = {
      host,
      panel,
      inference: this.worker,
      pacs: ohifPacs(params, config.storeTimeoutSeconds),
      gate: this.gate,
      runs: this.runs,
      contentCreatorName: config.contentCreatorName,
      seriesMemoryMB: config.seriesMemoryMB,
      now: () => new Date(),
      timings: (t) => console.info(`CMUNeXt segment: ${clickTimings(t)}`),
    };
  }

  private ui(): ToolPanel {
    this.panel ??= new ToolPanel({ onThreshold: (t) => void this.setThreshold(t), onCancel: () => this.gate.abort?.abort(), onSaveFile: () => void this.saveSegFile() });
    return this.panel;
  }

  /** Why the buttons are disabled, or undefined when they can act. */
  whyDisabled(): string | undefined {
    const busy = this.gate.whyBusy();
    if (busy) return busy;
    try {
      this.context.host.activeTarget();
      return undefined;
    } catch (e) {
      return messageOf(e);
    }
  }

  /**
   * Runs a command, turning every failure into a message the reader sees; nothing is thrown at the host. A failure
   * that is not the reader's to act on (a fault here or in the host) is logged with its stack as well.
   */
  private async guard(action: () => Promise<void> | void): Promise<void> {
    try {
      await action();
    } catch (e) {
      const message = messageOf(e);
      if (!(e instanceof UserError)) console.error('CMUNeXt segment failed:', e);
      this.context.panel.say(`Failed: ${message}`);
      this.context.host.notify('error', 'CMUNeXt segment', message);
    } finally {
      this.context.panel.hideProgress();
    }
  }

  /** A command on the active viewport's series, with the other buttons disabled while it runs. */
  private act(activity: string, what: string, command: (target: Target, clickedAt: number) => Promise<void>): Promise<void> {
    const clickedAt = performance.now();
    return this.guard(() => {
      const target = this.context.host.activeTarget();
      return this.gate.exclusive(activity, what, () => command(target, clickedAt));
    });
  }

  /** The mode opened: the worker starts and the model loads and warms up before the reader's first click. */
  preload(): void {
    this.worker.preload();
    // Taken now: OHIF lets go of the study list's state when the page is hidden or reloaded.
    this.studyList.listState();
    if (this.config.openStoredSegs) this.stopWatchingShown ??= this.context.host.onImagesShown(() => void this.openOnShow());
  }

  /**
   * A series shown for the first time opens with its newest CMUNeXt SEG (a batch's AI result, a correction) as its
   * editable labelmap; nothing is said where it has none. Waits for the viewport's first image, for up to 10 s.
   */
  private async openOnShow(): Promise<void> {
    let target: Target | undefined;
    for (let tries = 0; !target && tries < 20; tries++) {
      try {
        target = this.context.host.activeTarget();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    const key = target?.displaySet.displaySetInstanceUID;
    if (!target || !key || this.shownBefore.has(key) || this.gate.busy) return;
    this.shownBefore.add(key);
    await this.guard(() => this.gate.exclusive('opening a stored SEG', 'open a stored SEG', () => openStored(this.context, target, { onShow: true })));
  }

  /** Segments the image shown in the active viewport. */
  segmentImage(): Promise<void> {
    return this.act('segmenting', 'segment again', (t, at) => segment(this.context, [this.context.host.currentImageId(t)], t, at));
  }

  /** Segments every image (frame or slice) of the active viewport's series, with progress and cancel. */
  segmentSeries(): Promise<void> {
    return this.act('segmenting', 'segment again', (t, at) => segment(this.context, this.context.host.imageIds(t), t, at));
  }

  /** New threshold over the kept probabilities: no new inference. The reader's edits stay where they are. */
  setThreshold(threshold: number): Promise<void> {
    return this.guard(() => rethreshold(this.context, threshold));
  }

  /** Stores the AI segmentation, or the reader's correction of it, as DICOM SEG to the PACS by STOW-RS. */
  storeSeg(): Promise<void> {
    return this.act('storing to the PACS', 'store', (t) => store(this.context, t));
  }

  /** Saves the SEGs that Store would send as DICOM files: the way out when the PACS will not take them. */
  saveSegFile(): Promise<void> {
    return this.act('saving a SEG file', 'save a SEG file', (t) => saveFiles(this.context, t));
  }

  /** Opens the newest stored SEG over the active series as an editable labelmap. */
  openStoredSeg(): Promise<void> {
    return this.act('opening a stored SEG', 'open a stored SEG', (t) => openStored(this.context, t));
  }

  /** Opens the next (1) or previous (-1) study of the study list the reader came from. */
  stepStudy(step: 1 | -1): Promise<void> {
    return this.guard(() => this.gate.exclusive('opening another study', 'open another study', () => stepStudy(this.context, this.studyList, step)));
  }

  /** Leaving the mode: its segmentations go with it. The model stays loaded for the next visit. */
  dispose(): void {
    this.stopWatchingShown?.();
    this.stopWatchingShown = undefined;
    this.shownBefore.clear();
    this.gate.abort?.abort();
    this.runs.clear();
    this.panel?.remove();
    this.panel = undefined;
  }
}
