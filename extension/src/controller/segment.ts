/** Segment: the image shown or the whole series, into the series' AI labelmap, keeping the reader's edits. */
import { keepEdits } from '../core/edits';
import type { FrameResult } from '../runtime/segmenter';
import { UserError } from '../userError';
import { ClickTimings, CommandContext } from './context';
import { outOfDomainWarning, runSummary } from './messages';
import { Target, ViewedImage } from './ports';
import { refuseToStrand, SegmentedRun } from './runs';

/** Images read and sent to the worker at a time: a long cine is never held, or copied to the worker, whole. */
export const IMAGES_PER_BATCH = 8;

/**
 * What a run keeps in the viewer for each image: the model-grid probabilities (float32, for re-thresholding), the AI
 * mask and the labelmap's slice on the image's grid.
 */
export function keptBytesPerImage(rows: number, columns: number, modelPixels: number): number {
  return 4 * modelPixels + 2 * rows * columns;
}

/** Refuses up front a run whose kept results would pass the memory limit, saying what it would take. */
function checkMemory<T extends Target>(ctx: CommandContext<T>, imageIds: string[]): void {
  const limitMB = ctx.seriesMemoryMB ?? 1024;
  const { Rows: rows, Columns: columns } = ctx.host.sourceOf(imageIds[0]).instance;
  const [, , h, w] = ctx.inference.model?.manifest.input.shape ?? [1, 3, 256, 256];
  const neededMB = (imageIds.length * keptBytesPerImage(Number(rows), Number(columns), h * w)) / 2 ** 20;
  if (neededMB > limitMB) {
    throw new UserError(`this series has ${imageIds.length} images of ${columns}x${rows}: segmenting them all would keep about ${Math.ceil(neededMB)} MB `
      + `in the viewer (probabilities for the threshold, AI masks, labelmap), over its ${limitMB} MB limit (app-config cmunext.seriesMemoryMB); `
      + 'segment the image shown, or raise the limit on a workstation with the memory');
  }
}

/** `clickedAt`: when the reader clicked (performance.now()), so the run's figures include the wait before it starts. */
export async function segment<T extends Target>(ctx: CommandContext<T>, imageIds: string[], target: T, clickedAt = performance.now()): Promise<void> {
  const { host, panel, gate, runs } = ctx;
  const previous = runs.get(target, host);
  // A reopened SEG stays as it is, beside the new AI result, which takes its place for Store.
  if (previous?.kind === 'reopened') refuseToStrand(previous, target, host, 'segmenting again', (m) => new UserError(m));
  checkMemory(ctx, imageIds);
  const abort = (gate.abort = new AbortController());
  panel.showProgress(0, imageIds.length);
  const began = performance.now();
  const t: ClickTimings = { images: 0, toolbarMs: began - clickedAt, modelMs: 0, readMs: 0, preMs: 0, inferenceMs: 0, postMs: 0, transferMs: 0, labelmapMs: 0, renderMs: 0, totalMs: 0 };
  try {
    const model = await ctx.inference.load(abort.signal);
    t.modelMs = performance.now() - began;
    if (!model) {
      panel.say('Cancelled while the model was loading: nothing segmented.');
      return;
    }
    const label = model.manifest.labels[0];
    const segments = [{ number: 1, label: label.name, color: label.color }];
    const replacing = previous?.kind === 'segmented';
    const threshold = replacing ? previous.threshold : model.manifest.output.threshold;
    let run = replacing ? previous : undefined;
    // A new labelmap is made while the model runs on the first image (the viewer's thread waits then), and shown once
    // that image is written (see HostPort.createLabelmap); frames that come before it is made wait for it.
    const making = run ? undefined : host.createLabelmap(target, `AI ${model.manifest.name}`, segments).then((segmentationId) => {
      const made: SegmentedRun = { kind: 'segmented', segmentationId, displaySetUID: target.displaySet.displaySetInstanceUID, threshold, backend: model.backend, frames: new Map() };
      runs.set(made);
      return made;
    });
    making?.catch(() => undefined); // awaited once the first image is back, and its failure thrown there
    let shown = !making;
    const early: [ViewedImage, FrameResult][] = [];
    const total = imageIds.length;
    let written = 0;
    let found = 0;
    let kept = 0;
    let cancelled = false;
    let backend = model.backend;
    let fallback: { from: string; reason: string } | undefined;
    /** The drawing after the last change the viewport was told of, and when it was told: the labelmap on screen. */
    let onScreen: { watch: Promise<number | undefined>; writtenAt: number } | undefined;
    const drawing = () => (onScreen = { watch: host.nextRender(target), writtenAt: performance.now() });
    /** Images written that the viewport did not show: the viewer is told of them once, at the run's end. */
    let untold = false;
    const tell = () => {
      if (!untold || !run) return;
      const telling = performance.now();
      untold = false;
      host.segmentationModified(run.segmentationId, target);
      drawing();
      t.labelmapMs += performance.now() - telling;
    };
    let callEnded = 0;
    const write = (into: SegmentedRun, img: ViewedImage, frame: FrameResult) => {
      // Segmenting again keeps the reader's edits, as a new threshold does, here or on images painted before.
      const before = into.frames.get(img.imageId);
      const previousAi = before?.mask ?? new Uint8Array(frame.mask.length);
      const next = keepEdits(previousAi, host.readMask(into.segmentationId, img.imageId) ?? previousAi, frame.mask, before?.edits);
      host.writeLabels(into.segmentationId, img.imageId, next.mask);
      kept += next.kept;
      into.frames.set(img.imageId, { width: frame.width, height: frame.height, mask: frame.mask, probabilities: frame.probabilities, edits: next.edits, instance: img.instance, frame: img.frame });
      // New AI masks: an AI SEG stored before holds others than those a correction will be measured against.
      into.storedAiSeg = undefined;
    };
    /** The run's labelmap, written and shown: a new one once made, with the frames that came before. */
    const settle = async (): Promise<SegmentedRun> => {
      if (shown) return run!;
      const waiting = performance.now();
      const made = (run = await making!);
      for (const [img, frame] of early.splice(0)) write(made, img, frame);
      await host.showLabelmap(target, made.segmentationId, segments);
      shown = true;
      t.labelmapMs += performance.now() - waiting;
      return made;
    };
    panel.say(`Reading ${total} image(s)…`);
    try {
      for (let first = 0, size = 0; first < total && !cancelled; first += size) {
        // A new labelmap's first batch is one image: it is shown, filled, after one model run rather than eight.
        size = shown ? IMAGES_PER_BATCH : 1;
        const images: ViewedImage[] = [];
        const reading = performance.now();
        for (const id of imageIds.slice(first, first + size)) {
          if (abort.signal.aborted) break;
          images.push(await host.viewedImage(target, id));
        }
        t.readMs += performance.now() - reading;
        if (abort.signal.aborted) break;
        const calling = performance.now();
        let labelmapMs = 0;
        cancelled = !(await ctx.inference.segment(images.map((i) => i.source), {
          threshold,
          signal: abort.signal,
          onProgress: (done) => {
            panel.showProgress(first + done, total);
            panel.say(`Segmenting ${first + done}/${total} on ${backend}…`);
          },
          onFallback: (next, reason) => {
            fallback = { from: backend, reason };
            console.warn(`CMUNeXt segment: ${backend} failed during the run (${reason}); going on with ${next}`);
            backend = next;
          },
          onFrame: (index, frame) => {
            if (frame.mask.some(Boolean)) found++;
            written++;
            t.preMs += frame.preMs;
            t.inferenceMs += frame.inferenceMs;
            t.postMs += frame.postMs;
            if (!shown) {
              early.push([images[index], frame]);
              return;
            }
            const writing = performance.now();
            write(run!, images[index], frame);
            // Only the image shown is drawn now: each change told queues whole redraws and a statistics pass over
            // the labelmap; an image not shown is drawn from what was written when the reader scrolls to it.
            if (images[index].imageId === host.currentImageId(target)) {
              host.segmentationModified(run!.segmentationId, target);
              drawing();
            } else {
              untold = true;
            }
            labelmapMs += performance.now() - writing;
          },
        }));
        t.labelmapMs += labelmapMs;
        callEnded = performance.now();
        t.transferMs += callEnded - calling - labelmapMs;
        if (!shown && written) {
          await settle();
          drawing();
        }
      }
    } catch (e) {
      await settle().then(tell).catch((failed) => console.warn('CMUNeXt segment: the labelmap could not be shown as the run left it', failed));
      throw e;
    }
    // A run stopped before its first image leaves its labelmap shown, empty, as a run that found nothing does.
    run = await settle();
    tell();
    const renderedAt = onScreen && (await onScreen.watch);
    if (onScreen && renderedAt !== undefined) {
      t.renderMs = Math.max(0, renderedAt - onScreen.writtenAt);
      // A drawing before the worker's last message came in kept that message waiting: it is the render's, not transfer's.
      t.transferMs -= Math.max(0, Math.min(renderedAt, callEnded) - onScreen.writtenAt);
    }
    run.backend = backend;
    cancelled ||= abort.signal.aborted;
    t.images = written;
    t.totalMs = performance.now() - clickedAt;
    t.transferMs -= t.preMs + t.inferenceMs + t.postMs;
    ctx.timings?.(t);
    const modality = target.displaySet.Modality;
    panel.say(runSummary({ manifest: model.manifest, backend, written, total, cancelled, inferenceMs: t.inferenceMs, found, threshold, replacing, kept, modality, fallback }));
    const warning = outOfDomainWarning(model.manifest, modality);
    if (!cancelled && warning) host.notify('warning', 'CMUNeXt segment', warning);
  } finally {
    gate.abort = undefined;
  }
}
