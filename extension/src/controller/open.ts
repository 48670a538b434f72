/** Open stored SEG: the newest SEG over the series as an editable labelmap, continuing its AI result where it has one. */
import { RetrieveError, SegInstanceRef } from '../dicomweb/retrieve';
import { AI_CONTENT_LABEL, CORRECTION_CONTENT_LABEL } from '../seg/provenance';
import { ReadSeg, readSeg, SegReadError } from '../seg/readSeg';
import { aiSegUid, composeLabels, framesByImage, reopenedAi, segmentColor } from '../seg/reopen';
import { UserError } from '../userError';
import { CommandContext } from './context';
import { Target } from './ports';
import { refuseToStrand, ReopenedRun } from './runs';

const CMUNEXT_CONTENT_LABELS: unknown[] = [AI_CONTENT_LABEL, CORRECTION_CONTENT_LABEL];
const unreadable = (e: unknown) => e instanceof SegReadError || e instanceof RetrieveError;

export interface OpenOptions {
  /**
   * Opened as the series is shown, not on the reader's click: only CMUNeXt SEGs (a batch's AI result or a
   * correction), nothing said where there is none, and the series' own results never set aside.
   */
  onShow?: boolean;
}

export async function openStored<T extends Target>(ctx: CommandContext<T>, target: T, options: OpenOptions = {}): Promise<void> {
  const { host, panel, pacs } = ctx;
  if (options.onShow && ctx.runs.get(target, host)) return;
  // The opened SEG takes the series' place for Store.
  const current = ctx.runs.get(target, host);
  if (current) refuseToStrand(current, target, host, 'opening a stored SEG', (m) => new UserError(m));
  const images = host.stackImages(target);
  const study = target.displaySet.StudyInstanceUID;
  const key = target.displaySet.displaySetInstanceUID;
  const refs = await pacs.findSegs(study);
  // One SEG that cannot be read (another tool's encoding, a failed retrieve) does not hide the others.
  const skipped: string[] = [];
  for (const ref of refs) {
    let seg: ReadSeg;
    try {
      seg = readSeg(await pacs.retrieve(study, ref));
    } catch (e) {
      if (!unreadable(e)) throw e;
      skipped.push(`"${ref.seriesDescription || ref.sopInstanceUID}": ${(e as Error).message}`);
      continue;
    }
    if (options.onShow && !CMUNEXT_CONTENT_LABELS.includes(seg.dataset.ContentLabel)) continue;
    const onStack = framesByImage(seg.frames, images);
    if (!onStack.size) continue;
    const segments = seg.segments.length
      ? seg.segments.map((s) => ({ number: s.number, label: s.label, color: segmentColor(s) }))
      : [{ number: 1, label: 'Segment 1', color: [230, 80, 60] as [number, number, number] }];
    const segmentationId = await host.createLabelmap(target, seg.seriesDescription ?? 'Stored SEG', segments);
    const shown = new Map<string, Uint8Array>();
    let overlaps = 0;
    let frames = 0;
    for (const [imageId, over] of onStack) {
      const composed = composeLabels(over, seg.rows * seg.columns);
      host.writeLabels(segmentationId, imageId, composed.labels);
      shown.set(imageId, composed.labels);
      overlaps += composed.overlaps;
      frames += over.length;
    }
    await host.showLabelmap(target, segmentationId, segments);

    const continued = reopenedAi(seg, await aiOriginal(ctx, seg, refs, study), images);
    let storable = '';
    if (typeof continued === 'string') {
      ctx.runs.delete(key);
      ctx.runs.notStorable.set(key, `"${seg.seriesDescription ?? seg.sopInstanceUID}": ${continued}`);
      storable = ` ${continued[0].toUpperCase()}${continued.slice(1)}, so edits to it are not stored from here.`;
    } else {
      const run: ReopenedRun = {
        kind: 'reopened', segmentationId, displaySetUID: key, threshold: continued.threshold, backend: continued.backend,
        frames: new Map(), description: continued.description, storedAiSeg: { uid: continued.aiUid, threshold: continued.threshold }, inPacs: shown,
      };
      for (const imageId of new Set([...shown.keys(), ...continued.masks.keys()])) {
        run.frames.set(imageId, { mask: continued.masks.get(imageId) ?? new Uint8Array(seg.rows * seg.columns), width: seg.columns, height: seg.rows, ...host.sourceOf(imageId) });
      }
      ctx.runs.set(run);
    }
    const detail = `${seg.segments[0]?.algorithmType ?? ''}, ${frames} frame(s)${segments.length > 1 ? `, ${segments.length} segments` : ''}`;
    const overlapping = overlaps ? ` ${overlaps} pixel(s) where segments overlap show the higher-numbered segment.` : '';
    const others = skipped.length ? ` ${skipped.length} newer SEG(s) could not be read: ${skipped.join('; ')}.` : '';
    const msg = `Opened "${seg.seriesDescription}" (${detail}) for editing.${overlapping}${storable}${others}`;
    panel.say(msg);
    host.notify('info', 'Stored segmentation', msg);
    return;
  }
  if (options.onShow) return;
  throw new UserError(`no stored SEG in this study refers to the images shown${skipped.length ? `; ${skipped.length} could not be read: ${skipped.join('; ')}` : ''}`);
}

/** The AI SEG behind a stored SEG: itself, retrieved from the study, absent, or the error that kept it unread. */
async function aiOriginal<T extends Target>(ctx: CommandContext<T>, seg: ReadSeg, refs: SegInstanceRef[], study: string): Promise<ReadSeg | Error | undefined> {
  const uid = aiSegUid(seg);
  if (uid === seg.sopInstanceUID) return seg;
  const ref = refs.find((r) => r.sopInstanceUID === uid);
  try {
    return ref && readSeg(await ctx.pacs.retrieve(study, ref));
  } catch (e) {
    if (!unreadable(e)) throw e;
    return e as Error;
  }
}
