/**
 * What one Store writes: the AI result as it is, or the reader's correction of it. A correction names the AI SEG it
 * corrects; where the PACS does not hold those AI masks yet, that AI SEG goes first in the same store, so the
 * correction can be reopened and measured later.
 */
import { agreement, correctedSegments, correctedSeriesOptions } from './agreement';
import { AiDescription } from './reopen';
import { FrameMask, SourceInstance } from './types';
import { newUid } from './uid';
import { SegWriterError, writeSeg } from './writeSeg';

export interface StoreRequest {
  sources: SourceInstance[];
  /** The labelmap as it stands: segment 1, one entry per frame. */
  masks: FrameMask[];
  /** The AI mask under each of `masks`, in the same order (empty where the model did not see the frame). */
  aiMasks: Uint8Array[];
  /** How the AI result is described: from the model, or as read back from a reopened AI SEG. */
  described: AiDescription;
  /** The AI SEG the PACS already holds with exactly these AI masks, if any. */
  storedAiUid?: string;
  contentCreatorName: string;
  now: Date;
  uid?: () => string;
}

export interface StorePlan {
  /** SEG instances in the order they go to the PACS: an AI SEG before the correction that names it. */
  instances: Uint8Array[];
  /** The AI SEG that holds these AI masks once the store succeeds; none where the AI result has no foreground. */
  aiUid?: string;
  /** What the reader is told while it stores, and once it has. */
  storing: string;
  stored: string;
}

export function planStore(r: StoreRequest): StorePlan {
  const uid = r.uid ?? newUid;
  const stats = agreement(1, r.aiMasks, r.masks.map((m) => m.mask));
  const edited = stats.added + stats.removed > 0;
  const { segments, series } = r.described;
  // One creation time for both SEGs: the correction's higher series number then makes it the newest for Open stored SEG.
  const { now } = r;
  if (!edited) {
    if (!r.aiMasks.some((m) => m.some(Boolean))) {
      throw new SegWriterError('the segmentation is empty (the model found nothing and nothing was painted): there is no SEG to store');
    }
    const sopInstanceUID = uid();
    return {
      instances: [writeSeg(r.sources, segments, r.masks, { ...series, sopInstanceUID, now })],
      aiUid: sopInstanceUID,
      storing: 'Storing DICOM SEG to the PACS…',
      stored: 'AI segmentation stored as DICOM SEG.',
    };
  }
  // An AI result with no foreground has no SEG to name.
  const withAi = !r.storedAiUid && r.aiMasks.some((m) => m.some(Boolean));
  const aiUid = withAi ? uid() : r.storedAiUid;
  const instances = withAi ? [writeSeg(r.sources, segments, r.masks.map((m, i) => ({ ...m, mask: r.aiMasks[i] })), { ...series, sopInstanceUID: aiUid, now })] : [];
  // The reader erased every AI finding (a false positive): that verdict is stored too, as empty frames over the
  // images where the AI found something, since a SEG cannot hold no frame at all.
  const rejected = !r.masks.some((f) => f.mask.some(Boolean));
  const masks = rejected ? r.masks.filter((_, i) => r.aiMasks[i].some(Boolean)) : r.masks;
  instances.push(writeSeg(r.sources, correctedSegments(segments, [stats], aiUid), masks,
    { ...correctedSeriesOptions(series, [stats], r.contentCreatorName), sopInstanceUID: uid(), now, keepEmptyFrames: rejected }));
  const original = withAi ? ', with the AI original it corrects.' : aiUid ? '; the AI original stays in the PACS.' : '.';
  return {
    instances,
    aiUid,
    storing: withAi ? 'Storing the correction and the AI result it corrects as DICOM SEG to the PACS…' : 'Storing DICOM SEG to the PACS…',
    stored: `${rejected ? 'The AI result, erased by the reader, stored as rejected' : 'Corrected segmentation stored'} (Dice with AI ${stats.dice.toFixed(3)}, +${stats.added}/-${stats.removed} pixels)${original}`,
  };
}
